// Private copies of a guest file loaded again (src/host/private-copy.ts),
// on real temporary files: files are told apart by device and inode, and a
// copy lives in a directory of its own until it is discarded.
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { imageFileFor, removePrivateCopy } from "../../src/host/private-copy.js";

// These modules are pure JS: loading koffi (or anything that binds it) fails the file.
vi.mock("koffi", () => {
  throw new Error("private-copy.ts must not load koffi");
});
vi.mock("../../src/host/koffi.js", () => {
  throw new Error("private-copy.ts must not load src/host/koffi.ts");
});

const root = mkdtempSync(join(tmpdir(), "actr-private-copy-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

/** A new file of its own (a fresh inode) with `content`. */
function newFile(content = `guest ${files}`): string {
  const file = join(root, `lib${files++}.so`);
  writeFileSync(file, content);
  return file;
}

const inodeOf = (file: string) => statSync(file).ino;

describe("imageFileFor", () => {
  it("gives the file itself the first time, with nothing to discard", () => {
    const file = newFile();
    const image = imageFileFor(file);
    expect(image).toMatchObject({ file, isCopy: false });
    image.discard();
    expect(existsSync(file)).toBe(true);
  });

  it("gives a private copy, in a fresh temporary directory, for a file already given", () => {
    const file = newFile("the guest's bytes");
    imageFileFor(file);
    const copy = imageFileFor(file);
    expect(copy.isCopy).toBe(true);
    expect(copy.file).not.toBe(file);
    expect(basename(copy.file)).toBe(basename(file));
    expect(dirname(dirname(copy.file))).toBe(tmpdir());
    expect(basename(dirname(copy.file))).toMatch(/^actr-guest-/);
    expect(readFileSync(copy.file, "utf8")).toBe("the guest's bytes");
    expect(inodeOf(copy.file)).not.toBe(inodeOf(file));
    // Each load after that gets a copy of its own.
    const another = imageFileFor(file);
    expect(another.isCopy).toBe(true);
    expect(dirname(another.file)).not.toBe(dirname(copy.file));
    copy.discard();
    another.discard();
  });

  it("discard removes the copy and its directory, and leaves the original", () => {
    const file = newFile();
    imageFileFor(file);
    const copy = imageFileFor(file);
    copy.discard();
    expect(existsSync(copy.file)).toBe(false);
    expect(existsSync(dirname(copy.file))).toBe(false);
    expect(existsSync(file)).toBe(true);
    copy.discard(); // already gone: nothing to do
  });

  it("tells files apart by device and inode: a hard link or a symlink to a file given is the same file", () => {
    const file = newFile();
    imageFileFor(file);
    const hardLink = join(root, `hard-${files++}.so`);
    linkSync(file, hardLink);
    const symlink = join(root, `sym-${files++}.so`);
    symlinkSync(file, symlink);
    const viaHardLink = imageFileFor(hardLink);
    const viaSymlink = imageFileFor(symlink);
    expect(viaHardLink.isCopy).toBe(true);
    expect(viaSymlink.isCopy).toBe(true);
    viaHardLink.discard();
    viaSymlink.discard();
  });

  it("does not take another file with the same name or bytes for the same file", () => {
    const file = newFile("same bytes");
    imageFileFor(file);
    const dir = join(root, `other-${files++}`);
    mkdirSync(dir);
    const twin = join(dir, basename(file));
    writeFileSync(twin, "same bytes");
    expect(imageFileFor(twin)).toMatchObject({ file: twin, isCopy: false });
  });

  it("returns a missing file as given, for the loader to report, and does not remember it", () => {
    const missing = join(root, `missing-${files++}.so`);
    expect(imageFileFor(missing)).toMatchObject({ file: missing, isCopy: false });
    expect(imageFileFor(missing)).toMatchObject({ file: missing, isCopy: false });
    writeFileSync(missing, "now here");
    expect(imageFileFor(missing)).toMatchObject({ file: missing, isCopy: false });
    expect(imageFileFor(missing).isCopy).toBe(true);
  });
});

describe("removePrivateCopy", () => {
  it("leaves alone a file whose directory is not one of the private copies'", () => {
    const file = newFile();
    removePrivateCopy(file);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(root)).toBe(true);
  });

  it("removes a private copy's directory with everything in it", () => {
    const dir = mkdtempSync(join(tmpdir(), "actr-guest-"));
    const file = join(dir, "libg.so");
    writeFileSync(file, "x");
    writeFileSync(join(dir, "left-over"), "y");
    removePrivateCopy(file);
    expect(existsSync(dir)).toBe(false);
  });
});

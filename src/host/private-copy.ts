/**
 * One actor per loaded image: `dlopen` returns the image already loaded
 * for a file it knows (by path, by bare name, and by device and inode),
 * whose `actr_init` then fails, or which two "instances" would share. So a
 * second `loadGuest` of one file loads a private copy of it (docs/abi.md
 * section 7), in a fresh temporary directory, removed as soon as it is
 * loaded (the mapping stays valid).
 *
 * @module
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

/** The files this process has loaded (through this module), by device and inode: a hard link or a symlink is the same file. */
const loadedFiles = new Set<string>();

/** The prefix of the temporary directories that hold private copies. */
const COPY_DIRECTORY_PREFIX = "actr-guest-";

/** The file to load for `path`, and what to do once it is loaded (or failed to load). */
export interface ImageFile {
  /** `path` itself the first time; later a private copy in a fresh temporary directory. */
  readonly file: string;
  /** True when `file` is a private copy. */
  readonly isCopy: boolean;
  /** Removes the private copy from disk, if it is still there (the loaded image is unaffected); nothing for the original. */
  readonly discard: () => void;
}

/**
 * Picks the file that gives a fresh image of `path` (which holds a `/`:
 * `loadGuest` refuses bare names). Files are told apart by device and
 * inode, as `dlopen` does, so a hard link or symlink to a loaded file also
 * gets a copy. A file missing on disk is returned as given, for the loader
 * to report.
 */
export function imageFileFor(path: string): ImageFile {
  let key: string;
  try {
    const stat = statSync(path);
    key = `${stat.dev}:${stat.ino}`;
  } catch {
    return { file: path, isCopy: false, discard: () => {} };
  }
  if (!loadedFiles.has(key)) {
    loadedFiles.add(key);
    return { file: path, isCopy: false, discard: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), COPY_DIRECTORY_PREFIX));
  const file = join(dir, basename(path));
  copyFileSync(path, file);
  return { file, isCopy: true, discard: () => removePrivateCopy(file) };
}

/**
 * Removes the private copy `file` (made by `imageFileFor`) and its
 * directory; called right after `dlopen`, from whichever thread loaded it.
 */
export function removePrivateCopy(file: string): void {
  const dir = dirname(file);
  if (basename(dir).startsWith(COPY_DIRECTORY_PREFIX)) rmSync(dir, { recursive: true, force: true });
}

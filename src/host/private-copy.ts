/**
 * One actor per loaded image: `dlopen` of a path already loaded returns the
 * same image, whose `actr_init` then fails. So a second `loadGuest` of one
 * file loads a private copy of it (docs/abi.md section 7), removed from disk
 * once loaded (the mapping stays valid).
 *
 * @module
 */
import { copyFileSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** Real paths of the guest files this process has loaded (through this module). */
const loadedFiles = new Set<string>();

/** The file to load for `path`, and what to do once it is loaded (or failed to load). */
export interface ImageFile {
  /** `path` itself the first time; later a private copy in a fresh temporary directory. */
  readonly file: string;
  /** True when `file` is a private copy. */
  readonly isCopy: boolean;
  /** Removes the private copy from disk (the loaded image is unaffected); nothing for the original. */
  readonly discard: () => void;
}

/**
 * Picks the file that gives a fresh image of `path`. Paths are compared by
 * their real path, so a symlink to a loaded file also gets a copy.
 * A file missing on disk is returned as given, for the loader to report.
 */
export function imageFileFor(path: string): ImageFile {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { file: path, isCopy: false, discard: () => {} };
  }
  if (!loadedFiles.has(real)) {
    loadedFiles.add(real);
    return { file: path, isCopy: false, discard: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "actr-guest-"));
  const file = join(dir, basename(real));
  copyFileSync(real, file);
  return { file, isCopy: true, discard: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Loads koffi, the FFI library the host runtime is built on. It is an
 * optional peer dependency: the package's root export never needs it, and
 * importing `@actr/dynclib-abi/host` without it fails with one error that
 * says what to install.
 *
 * @module
 */
import { createRequire } from "node:module";
import type * as Koffi from "koffi";

const require = createRequire(import.meta.url);

function requireKoffi(): typeof Koffi {
  try {
    return require("koffi") as typeof Koffi;
  } catch (cause) {
    throw new Error(
      "@actr/dynclib-abi/host needs koffi 3.x to load native guests, and it is not installed: run `npm install koffi@^3`",
      { cause },
    );
  }
}

/** The koffi module (its CommonJS build, shared by every importer in this thread). */
export const koffi: typeof Koffi = requireKoffi();

/**
 * Where the host runtime can run. It reaches the C library through
 * `koffi.load(null)`, that is `dlopen(NULL)`: the process's own global
 * symbols, where `memcpy`, `malloc` and `free` are found on Linux (glibc and
 * musl), macOS and the BSDs. Windows has no such handle to the C runtime
 * (`memcpy` and friends live in `ucrtbase.dll`, not in `node.exe`), and its
 * loader is not `dlopen`, so the host runtime refuses it up front.
 *
 * @module
 */

/**
 * Why the host runtime cannot run on `platform` (one line), or undefined
 * when it can. Linux (glibc or musl), macOS, FreeBSD, OpenBSD and Android
 * pass: their `dlopen(NULL)` reaches the C library. Windows does not.
 */
export function hostPlatformProblem(
  platform: string = process.platform,
  arch: string = process.arch,
): string | undefined {
  if (platform === "win32" || platform === "cygwin") {
    return `@actr/dynclib-abi/host does not support Windows (${platform}-${arch}): it binds memcpy, malloc and free through dlopen(NULL), which reaches no C runtime there; use Linux or macOS`;
  }
  return undefined;
}

/**
 * Throws one `Error` whose message says why, when the host runtime cannot
 * run on this platform (see `hostPlatformProblem`); `loadGuest` calls it
 * first, so an unsupported platform fails there with that one line rather
 * than deep inside koffi.
 */
export function assertHostPlatform(platform: string = process.platform, arch: string = process.arch): void {
  const problem = hostPlatformProblem(platform, arch);
  if (problem !== undefined) throw new Error(problem);
}

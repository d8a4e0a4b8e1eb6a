/**
 * The C functions a guest library exports (docs/abi.md section 1), declared
 * once: for each symbol, the TypeScript type of its binding and the C
 * declaration koffi binds it with, which say the same thing. Pointers cross
 * as addresses (`uintptr_t`, plain numbers), which koffi converts at the
 * least cost (see native.ts).
 *
 * @module
 */
import type { KoffiFunc, LibraryHandle } from "koffi";

/** `actr_init(vt, init, init_len)`: the `HostVTable`'s address, the init payload (null when empty) and its length; returns a status. */
export type ActrInit = (vtable: number, init: Uint8Array | null, initLength: number) => number;

/**
 * `actr_handle(req, req_len, resp_out, resp_len_out)`: the request frame's
 * address and length, and the addresses where the guest writes its reply's
 * pointer and length; returns a status.
 */
export type ActrHandle = (request: number, requestLength: number, replyOut: number, replyLengthOut: number) => number;

/** `actr_free_response(ptr, len)`: gives a reply back with the exact pointer and length the guest gave (a BigInt from 2^53 up). */
export type ActrFreeResponse = (reply: number, length: number | bigint) => void;

/** `actr_shutdown()`, exported by generation-2 guests only; returns a status. */
export type ActrShutdown = () => number;

/** The C declarations koffi binds the guest's functions with, one per type above. */
const declarations = {
  actrInit: "int32_t actr_init(uintptr_t vt, const uint8_t *init, size_t initLen)",
  actrHandle: "int32_t actr_handle(uintptr_t req, size_t reqLen, uintptr_t respOut, uintptr_t respLenOut)",
  actrFreeResponse: "void actr_free_response(uintptr_t ptr, size_t len)",
  actrShutdown: "int32_t actr_shutdown()",
} as const;

/** A guest's functions, bound; each also has koffi's `async` form, which runs it on a libuv pool thread. */
export interface GuestFunctions {
  readonly actrInit: KoffiFunc<ActrInit>;
  readonly actrHandle: KoffiFunc<ActrHandle>;
  readonly actrFreeResponse: KoffiFunc<ActrFreeResponse>;
  /** Undefined when the library does not export `actr_shutdown` (a generation-1 guest). */
  readonly actrShutdown: KoffiFunc<ActrShutdown> | undefined;
}

/**
 * Binds the guest's functions in `lib`. Throws (koffi's error) when
 * `actr_init`, `actr_handle` or `actr_free_response` is missing; a missing
 * `actr_shutdown` is undefined.
 */
export function bindGuestFunctions(lib: LibraryHandle): GuestFunctions {
  const actrInit: KoffiFunc<ActrInit> = lib.func(declarations.actrInit);
  const actrHandle: KoffiFunc<ActrHandle> = lib.func(declarations.actrHandle);
  const actrFreeResponse: KoffiFunc<ActrFreeResponse> = lib.func(declarations.actrFreeResponse);
  let actrShutdown: KoffiFunc<ActrShutdown> | undefined;
  try {
    actrShutdown = lib.func(declarations.actrShutdown);
  } catch {
    actrShutdown = undefined;
  }
  return { actrInit, actrHandle, actrFreeResponse, actrShutdown };
}

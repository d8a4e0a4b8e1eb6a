// The Rust test guests, one of each ABI generation (test/guest/ and
// test/guest-gen2/), built with cargo for the end-to-end tests (through
// scripts/cargo.mjs, from crates.io or, with ACTR_CARGO_REGISTRY=debian, from
// Debian's packages), and small helpers to drive them. When one cannot be
// built (no cargo, no registry), its tests skip with one line saying why;
// under CI (CI=true) that is an error instead, so CI never passes without
// running them.
import { create } from "@bufbuild/protobuf";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { cargoBuild } from "../../scripts/cargo.mjs";
import { actrId, invocationContext, RpcEnvelopeSchema } from "../../src/index.js";

/** Whether `CI` is set as CI services set it (`true`, `1`). */
export const underCI = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

/** Builds the guest crate in `test/<dir>` and returns the path of its library `<crate>`, or why it cannot be built. */
function build(dir: string, crate: string): { library: string } | { skip: string } {
  const guestDir = fileURLToPath(new URL(`../${dir}`, import.meta.url));
  const built = cargoBuild(guestDir);
  if (!built.ok) {
    if (underCI) throw new Error(`CI is set, and the end-to-end tests would skip: ${built.reason}`);
    return { skip: built.reason };
  }
  const extension = process.platform === "darwin" ? "dylib" : process.platform === "win32" ? "dll" : "so";
  const prefix = process.platform === "win32" ? "" : "lib";
  return { library: `${guestDir}/target/release/${prefix}${crate}.${extension}` };
}

/** The generation-1 test guest's library path, or why the end-to-end tests skip. */
export const testGuest = build("guest", "actr_test_guest");

/** The generation-2 test guest (bridge tokens, its own Tokio runtime, background tasks), or why its tests skip. */
export const testGuestGen2 = build("guest-gen2", "actr_test_guest_gen2");

/** Both test guests, by generation. */
export const testGuests = [
  { generation: 1, build: testGuest },
  { generation: 2, build: testGuestGen2 },
] as const;

/** The actor's own id (serial 5), as the contexts below carry it. */
export const selfId = actrId({
  realm: 1,
  serialNumber: 5n,
  type: { manufacturer: "acme", name: "test", version: "1.0" },
});
/** A caller (serial 9). */
export const callerId = actrId({
  realm: 1,
  serialNumber: 9n,
  type: { manufacturer: "acme", name: "caller", version: "1.0" },
});
/** The context of an RPC from `callerId`. */
export const ctx = invocationContext({ selfId, callerId, requestId: "req-1" });

/** An RpcEnvelope for one of the test guest's routes. */
export function envelope(routeKey: string, payload: Uint8Array | string = new Uint8Array(0)) {
  return create(RpcEnvelopeSchema, {
    routeKey,
    payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    requestId: "req-1",
    timeoutMs: 1000n,
  });
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
export const bytesOf = (s: string) => new TextEncoder().encode(s);

/** The rejection of `promise`, checked to be of class `type`. */
export async function rejection<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a rejection with ${type.name}, the promise resolved`);
}

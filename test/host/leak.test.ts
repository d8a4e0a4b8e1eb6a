// The leak check: 100,000 calls (after 25,000 to warm up) through the test
// guest, half of them with an invoke, in each threading mode, counting the
// buffers that cross rather than measuring memory: after every phase no host
// reply buffer is outstanding and the native allocations of the host's reply
// pool are as many as after the warm-up; at the end the guest has no reply
// left unfreed, freed every host buffer it was lent and saw no bad free.
import { describe, expect, it } from "vitest";
import { loadGuest } from "../../src/host/index.js";
import type { GuestCalls } from "../../src/host/guest.js";
import { encodeMessage, RpcEnvelopeSchema } from "../../src/index.js";
import { ctx, envelope, testGuest, text } from "./test-guest.js";

const CALLS = 100_000;
const IN_FLIGHT = 500;
const PAYLOAD = 2048;
const PHASES = 8;
const skip = "skip" in testGuest ? testGuest.skip : undefined;

for (const threading of ["worker", "same-thread"] as const) {
  describe.skipIf(skip !== undefined)(
    `leak check, ${threading} mode${skip === undefined ? "" : ` (skipped: ${skip})`}`,
    () => {
      it(
        `${CALLS} calls leave no buffer outstanding and the host's native memory flat`,
        { timeout: 300_000 },
        async () => {
          // 2 KiB replies: a host reply buffer kept per call would take a new 64 KiB chunk every 32 calls.
          const answer = { bytes: new Uint8Array(PAYLOAD) };
          const guest = (await loadGuest((testGuest as { library: string }).library, {
            threading,
            host: () => answer,
          })) as GuestCalls;
          try {
            const echo = encodeMessage(RpcEnvelopeSchema, envelope("echo", new Uint8Array(PAYLOAD)));
            const call = encodeMessage(RpcEnvelopeSchema, envelope("call", new Uint8Array(64)));
            const run = async (count: number) => {
              for (let done = 0; done < count; done += IN_FLIGHT) {
                const batch = Array.from({ length: IN_FLIGHT }, (_, i) => guest.handle(i % 2 === 0 ? echo : call, ctx));
                for (const response of await Promise.all(batch)) expect(response.length).toBe(PAYLOAD);
              }
            };
            // Warm up: the reply pool grows to the most replies the guest holds at once, then stays.
            await run(CALLS / 4);
            const warmedUp = guest.replyAllocations;
            expect(warmedUp).toBeGreaterThan(0); // the pool was used, and counted
            const phases: { outstanding: number; allocations: number }[] = [];
            for (let phase = 0; phase < PHASES; phase++) {
              await run(CALLS / PHASES);
              phases.push({ outstanding: guest.outstandingHostBuffers, allocations: guest.replyAllocations });
            }
            expect(phases).toEqual(Array.from({ length: PHASES }, () => ({ outstanding: 0, allocations: warmedUp })));
            const stats = text(await guest.handle(envelope("stats"), ctx));
            expect(stats).toBe(`outstanding=0 hostBufsFreed=${(CALLS * 5) / 4 / 2} badFrees=0`);
          } finally {
            await guest.close();
          }
        },
      );
    },
  );
}

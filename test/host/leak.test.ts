// The leak check: 100,000 calls (after 25,000 to warm up) through the test guest, half of them with
// an invoke, in each threading mode. Afterwards no host reply buffer is
// outstanding, the guest has no reply left unfreed and saw no bad free, and
// RSS has stopped growing.
import { describe, expect, it } from "vitest";
import { loadGuest } from "../../src/host/index.js";
import { encodeMessage, RpcEnvelopeSchema } from "../../src/index.js";
import { ctx, envelope, testGuest, text } from "./test-guest.js";

const CALLS = 100_000;
const IN_FLIGHT = 500;
const PAYLOAD = 2048;
const skip = "skip" in testGuest ? testGuest.skip : undefined;

for (const threading of ["worker", "same-thread"] as const) {
  describe.skipIf(skip !== undefined)(`leak check, ${threading} mode${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
    it(`${CALLS} calls leave nothing outstanding and RSS flat`, { timeout: 300_000 }, async () => {
      // 2 KiB payloads make a leak of one buffer per call (125 MiB here) stand far above allocator noise.
      const answer = { bytes: new Uint8Array(PAYLOAD) };
      const guest = await loadGuest((testGuest as { library: string }).library, { threading, host: () => answer });
      try {
        const echo = encodeMessage(RpcEnvelopeSchema, envelope("echo", new Uint8Array(PAYLOAD)));
        const call = encodeMessage(RpcEnvelopeSchema, envelope("call", new Uint8Array(64)));
        const run = async (count: number) => {
          for (let done = 0; done < count; done += IN_FLIGHT) {
            const batch = Array.from({ length: IN_FLIGHT }, (_, i) => guest.handle(i % 2 === 0 ? echo : call, ctx));
            for (const response of await Promise.all(batch)) expect(response.length).toBe(PAYLOAD);
          }
        };
        // Warm up (pools, JIT, allocator, heap sizing), then RSS after each of
        // 8 phases. Heaps settle up and down by several MiB (two of them in the
        // worker mode); a leak grows steadily: compare the medians of the
        // first and last three samples, 62,500 calls apart.
        await run(CALLS / 4);
        const rss: number[] = [];
        for (let phase = 0; phase < 8; phase++) {
          await run(CALLS / 8);
          rss.push(process.memoryUsage().rss / 2 ** 20);
        }
        const median3 = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
        const grownMiB = median3(rss.slice(-3)) - median3(rss.slice(0, 3));
        console.log(`leak check ${threading}: RSS ${rss.map((r) => r.toFixed(1)).join(", ")} MiB; grown ${grownMiB.toFixed(1)} MiB`);
        expect(guest.outstandingHostBuffers).toBe(0);
        const stats = text(await guest.handle(envelope("stats"), ctx));
        expect(stats).toBe(`outstanding=0 hostBufsFreed=${(CALLS * 5) / 4 / 2} badFrees=0`);
        // Leaking one reply (or host buffer) per call would add 125 MiB between the medians;
        // the worker mode's two heaps and malloc arenas step up and down by up to ~30 MiB.
        expect(grownMiB).toBeLessThan(40);
      } finally {
        await guest.close();
      }
    });
  });
}

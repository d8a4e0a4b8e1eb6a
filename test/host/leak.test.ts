// The leak check: 100,000 calls through the test guest, half of them with
// an invoke, in each threading mode. Afterwards no host reply buffer is
// outstanding, the guest has no reply left unfreed and saw no bad free, and
// RSS has stopped growing.
import { describe, expect, it } from "vitest";
import { loadGuest } from "../../src/host/index.js";
import { encodeMessage, RpcEnvelopeSchema } from "../../src/index.js";
import { ctx, envelope, testGuest, text } from "./test-guest.js";

const CALLS = 100_000;
const IN_FLIGHT = 500;
const skip = "skip" in testGuest ? testGuest.skip : undefined;

for (const threading of ["worker", "same-thread"] as const) {
  describe.skipIf(skip !== undefined)(`leak check, ${threading} mode${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
    it(`${CALLS} calls leave nothing outstanding and RSS flat`, { timeout: 300_000 }, async () => {
      const answer = { bytes: new Uint8Array(256) };
      const guest = await loadGuest((testGuest as { library: string }).library, { threading, host: () => answer });
      try {
        const echo = encodeMessage(RpcEnvelopeSchema, envelope("echo", new Uint8Array(256)));
        const call = encodeMessage(RpcEnvelopeSchema, envelope("call", new Uint8Array(64)));
        const run = async (count: number) => {
          for (let done = 0; done < count; done += IN_FLIGHT) {
            const batch = Array.from({ length: IN_FLIGHT }, (_, i) => guest.handle(i % 2 === 0 ? echo : call, ctx));
            for (const response of await Promise.all(batch)) expect(response.length).toBe(256);
          }
        };
        // Warm up (pools, JIT, allocator, heap sizing), then two equal halves:
        // a leak grows RSS in each half alike, settling noise does not.
        await run(CALLS / 5);
        const rss = [process.memoryUsage().rss];
        for (const half of [1, 2]) {
          await run((CALLS * 2) / 5);
          rss[half] = process.memoryUsage().rss;
        }
        const grownMiB = (rss[2]! - rss[1]!) / 2 ** 20;
        console.log(`leak check ${threading}: RSS ${rss.map((r) => (r / 2 ** 20).toFixed(1)).join(" -> ")} MiB`);
        expect(guest.outstandingHostBuffers).toBe(0);
        const stats = text(await guest.handle(envelope("stats"), ctx));
        expect(stats).toBe(`outstanding=0 hostBufsFreed=${CALLS / 2} badFrees=0`);
        // Leaking one 256-byte reply (or host buffer) per call would add 10 MiB in the second half;
        // two settling V8 heaps (worker mode) add up to ~4 MiB.
        expect(grownMiB).toBeLessThan(6);
      } finally {
        await guest.close();
      }
    });
  });
}

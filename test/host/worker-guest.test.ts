// The worker mode's wait for its worker (`workerWaitMicroseconds`), against
// the Rust test guest: the calling thread may block for a bounded time to take
// results and synchronous invokes directly; every budget gives the same
// answers, and an async handler never waits for the budget to run out.
import { describe, expect, it } from "vitest";
import { loadGuest } from "../../src/host/index.js";
import { bytesOf, ctx, envelope, testGuest, text } from "./test-guest.js";

const skip = "skip" in testGuest ? testGuest.skip : undefined;
const library = (testGuest as { library: string }).library;

describe.skipIf(skip !== undefined)(
  `worker mode, workerWaitMicroseconds${skip === undefined ? "" : ` (skipped: ${skip})`}`,
  () => {
    for (const workerWaitMicroseconds of [undefined, 0, 1, 200, 1_000_000]) {
      it(`${workerWaitMicroseconds ?? "no budget given (0)"} µs: echoes, sync and async invokes, and 64 calls in flight resolve with their own answers`, async () => {
        let answer = 0;
        const guest = await loadGuest(library, {
          ...(workerWaitMicroseconds === undefined ? {} : { workerWaitMicroseconds }),
          host: (operation) => {
            if (operation.kind !== "call") throw new Error(`unexpected ${operation.kind}`);
            const route = text(operation.payload.payload);
            const bytes = bytesOf(`${route}:${answer++}`);
            return route.startsWith("async")
              ? new Promise((resolve) => setTimeout(() => resolve({ bytes }), 1))
              : { bytes };
          },
        });
        try {
          expect(text(await guest.handle(envelope("echo", "one"), ctx))).toBe("one");
          expect(text(await guest.handle(envelope("call", "sync"), ctx))).toBe("sync:0");
          expect(text(await guest.handle(envelope("call", "async"), ctx))).toBe("async:1");
          const calls = Array.from({ length: 64 }, (_, i) =>
            i % 3 === 0
              ? guest.handle(envelope("call", i % 2 === 0 ? "sync" : "async"), ctx)
              : guest.handle(envelope("echo", `e${i}`), ctx),
          );
          const answers = (await Promise.all(calls)).map(text);
          answers.forEach((got, i) => {
            if (i % 3 === 0) expect(got).toMatch(i % 2 === 0 ? /^sync:\d+$/ : /^async:\d+$/);
            else expect(got).toBe(`e${i}`);
          });
          expect(guest.outstandingHostBuffers).toBe(0);
        } finally {
          await guest.close();
        }
      });
    }

    it("an async handler ends the wait at once: a 10 s budget does not hold the event loop", async () => {
      const guest = await loadGuest(library, {
        workerWaitMicroseconds: 10_000_000,
        host: () => new Promise((resolve) => setTimeout(() => resolve({ bytes: bytesOf("timer fired") }), 5)),
      });
      try {
        const started = performance.now();
        expect(text(await guest.handle(envelope("call"), ctx))).toBe("timer fired");
        expect(performance.now() - started).toBeLessThan(5_000);
      } finally {
        await guest.close();
      }
    });

    it("a call a handler makes into the same guest does not wait out the budget: it goes in the next batch", async () => {
      let inner: Promise<Uint8Array> | undefined;
      const guest = await loadGuest(library, {
        workerWaitMicroseconds: 10_000_000,
        host: () => {
          inner = guest.handle(envelope("echo", "inner"), ctx);
          return { bytes: bytesOf("outer") };
        },
      });
      try {
        const started = performance.now();
        expect(text(await guest.handle(envelope("call"), ctx))).toBe("outer");
        expect(text(await inner!)).toBe("inner");
        expect(performance.now() - started).toBeLessThan(5_000);
      } finally {
        await guest.close();
      }
    });

    it("refuses a budget that is negative or not a number", async () => {
      for (const workerWaitMicroseconds of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(loadGuest(library, { host: () => ({ done: true }), workerWaitMicroseconds })).rejects.toThrow(
          new RangeError(`workerWaitMicroseconds must be a non-negative number, got ${workerWaitMicroseconds}`),
        );
      }
    });
  },
);

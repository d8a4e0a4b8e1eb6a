// End to end: what only a generation-2 guest does (test/guest-gen2/), in
// both threading modes: bridge tokens, background invokes from the guest's
// own threads at any time, and the lifecycle that ends with actr_shutdown.
// Every generation-1 test also runs against this guest (guest.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { type Guest, type InvokeOrigin, loadGuest } from "../../src/host/index.js";
import { AbiError, code, type HostOperation, type HostResult } from "../../src/index.js";
import { ctx, envelope, rejection, testGuestGen2, text } from "./test-guest.js";

type Threading = "worker" | "same-thread";

/** One host operation the handler saw, with its origin. */
interface Seen {
  readonly operation: HostOperation;
  readonly origin: InvokeOrigin;
}

/** Waits until `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The guest's retain/release bookkeeping (its `stats` route). */
async function stats(guest: Guest): Promise<Record<string, number>> {
  const fields = text(await guest.handle(envelope("stats"), ctx)).split(" ");
  return Object.fromEntries(fields.map((f) => f.split("=")).map(([k, v]) => [k!, Number(v)]));
}

// Set before any guest is loaded: a worker thread takes the environment it is started with,
// and a guest's worker may be one started for an earlier guest. Only the failing-shutdown
// tests need it; the others stop no task that would take this long. It only shortens them:
// when this file itself runs in a worker thread (Stryker's vitest runner uses pool "threads"),
// the assignment stays in that thread's copy of the environment, the guest never sees it and
// waits its default 5 s, so those tests leave the stuck task's delay to the guest's default
// (its shutdown wait + 1 s), which outlasts the wait the guest actually uses.
process.env.ACTR_TEST_SHUTDOWN_TIMEOUT_MS = "100";

const skip = "skip" in testGuestGen2 ? testGuestGen2.skip : undefined;
const library = "library" in testGuestGen2 ? testGuestGen2.library : "";

for (const threading of ["worker", "same-thread"] as const) {
  describe.skipIf(skip !== undefined)(
    `generation 2, ${threading} mode${skip === undefined ? "" : ` (skipped: ${skip})`}`,
    () => {
      const open: Guest[] = [];
      afterEach(async () => {
        for (const guest of open.splice(0)) await guest.close().catch(() => {});
      });

      /** Loads the guest; its handler answers calls with `pong:<payload>` and tells with done, recording each with its origin. */
      async function load(mode: Threading = threading, env?: { errors: Error[] }) {
        const seen: Seen[] = [];
        const guest = await loadGuest(library, {
          threading: mode,
          host: (operation, origin): HostResult => {
            seen.push({ operation, origin });
            if (operation.kind === "call")
              return { bytes: new TextEncoder().encode(`pong:${text(operation.payload.payload)}`) };
            return { done: true };
          },
          onHostError: (error) => env?.errors.push(error),
        });
        open.push(guest);
        return { guest, seen };
      }

      it("is told generation 2, and every call carries a fresh non-zero token, released when it returns", async () => {
        const { guest } = await load();
        expect(guest.generation).toBe(2);
        const first = BigInt(text(await guest.handle(envelope("token"), ctx)));
        const second = BigInt(text(await guest.handle(envelope("token"), ctx)));
        expect(first).toBeGreaterThan(0n);
        expect(second).toBeGreaterThan(first);
        expect(guest.liveBridgeTokens).toBe(0);
      });

      it("an invoke inside a handler names its call's token, and its call has not returned", async () => {
        const { guest, seen } = await load();
        expect(text(await guest.handle(envelope("call", "x"), ctx))).toBe("pong:x");
        expect(seen).toHaveLength(1);
        expect(seen[0]!.origin.generation).toBe(2);
        expect(seen[0]!.origin.bridgeToken).toBeGreaterThan(0n);
        expect(seen[0]!.origin.callReturned).toBe(false);
        expect(guest.liveBridgeTokens).toBe(0);
      });

      for (const route of ["spawnCall", "threadCall"]) {
        it(`${route}: a background invoke after the call returned reaches the handler and gets its answer; tokens back to 0`, async () => {
          const { guest, seen } = await load();
          expect(text(await guest.handle(envelope(route, "30"), ctx))).toBe("spawned");
          expect(guest.liveBridgeTokens).toBe(1); // the task's context holds the call's token
          await until(() => seen.some((s) => s.operation.kind === "tell"), `${route}'s report`);
          const call = seen.find((s) => s.operation.kind === "call")!;
          expect(call.origin.callReturned).toBe(true);
          const report = seen.find((s) => s.operation.kind === "tell")!;
          expect(report.operation.kind === "tell" && text(report.operation.payload.payload)).toBe(
            `reply=pong:${route}`,
          );
          expect(report.origin.bridgeToken).toBe(call.origin.bridgeToken);
          await until(() => guest.liveBridgeTokens === 0, "the task's release");
          const balance = await stats(guest);
          expect(balance.retained).toBe(balance.released! + 1); // the stats call's own context is alive while it answers
        });
      }

      it("background invokes are answered while later calls run, each with its own token", async () => {
        const { guest, seen } = await load();
        await guest.handle(envelope("spawnCall", "5"), ctx);
        const echoes = await Promise.all([
          guest.handle(envelope("sleep", "40"), ctx),
          guest.handle(envelope("echo", "e"), ctx),
        ]);
        expect(echoes.map(text)).toEqual(["slept", "e"]);
        await until(() => seen.some((s) => s.operation.kind === "tell"), "the report");
        await until(() => guest.liveBridgeTokens === 0, "every release");
      });

      it("a handler that waits for its own task calling the host gets its answer (no deadlock)", async () => {
        const { guest, seen } = await load();
        expect(text(await guest.handle(envelope("spawnCallWait", "w"), ctx))).toBe("pong:w");
        expect(seen).toHaveLength(1);
        expect(seen[0]!.origin.callReturned).toBe(false);
        expect(guest.liveBridgeTokens).toBe(0);
      });

      it("an invoke naming an unknown or released token: SUCCESS with status GENERIC_ERROR, reported, the handler not asked", async () => {
        const errors: Error[] = [];
        const { guest, seen } = await load(threading, { errors });
        const released = BigInt(text(await guest.handle(envelope("token"), ctx)));
        for (const token of [released, 987_654_321n, 2n ** 60n]) {
          expect(text(await guest.handle(envelope("tokenCall", String(token)), ctx))).toBe(
            "error=internal error: host returned generic ABI error",
          );
          expect(errors.some((e) => e.message.includes(`bridge token ${token}`))).toBe(true);
        }
        expect(seen).toEqual([]);
      });

      it("a timer inside a handler", async () => {
        const { guest } = await load();
        expect(text(await guest.handle(envelope("sleep", "20"), ctx))).toBe("slept");
      });

      it("close() with a task waiting forever: actr_shutdown stops it, its token is released, later invokes are GENERIC_ERROR", async () => {
        const errors: Error[] = [];
        const { guest, seen } = await load(threading, { errors });
        await guest.handle(envelope("spawnForever"), ctx);
        await guest.handle(envelope("spawnCall", "150"), ctx); // calls the host after close: must not reach the handler
        expect(guest.liveBridgeTokens).toBe(2);
        await guest.close();
        expect(guest.liveBridgeTokens).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(seen).toEqual([]);
        expect((await rejection(guest.handle(envelope("echo"), ctx), AbiError)).message).toMatch(/is closed/);
      });

      it("loading the same path after close gives a working instance", async () => {
        const { guest } = await load();
        await guest.handle(envelope("spawnForever"), ctx);
        await guest.close();
        const again = await load();
        expect(text(await again.guest.handle(envelope("echo", "again"), ctx))).toBe("again");
      });
    },
  );
}

describe.skipIf(skip !== undefined)("generation 2, a failing actr_shutdown", () => {
  for (const threading of ["worker", "same-thread"] as const) {
    it(`${threading}: close() rejects with an AbiError saying the library stays loaded`, async () => {
      const guest = await loadGuest(library, { threading, host: () => ({ done: true }), onHostError: () => {} });
      await guest.handle(envelope("spawnStuck"), ctx);
      const error = await rejection(guest.close(), AbiError);
      expect(error.status).toBe(code.GENERIC_ERROR);
      expect(error.message).toMatch(/actr_shutdown returned .*stays loaded/);
      // The stuck task still holds its context's token; when it ends, it releases it through
      // the callbacks that stay valid after a failed close. Waiting for that also keeps the
      // task from outliving this file (in a worker-thread pool, a release into a thread that
      // has ended would abort the process).
      expect(guest.liveBridgeTokens).toBe(1);
      await until(() => guest.liveBridgeTokens === 0, "the stuck task to release its token", 15_000);
    });
  }
});

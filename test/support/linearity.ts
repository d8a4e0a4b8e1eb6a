// A scaling check that cannot flake on a slow or busy machine: it compares the
// time of one input with the time of one 16 times larger, in the same process
// and the same run, each the best of several tries. Linear work gives a ratio
// near 16; quadratic work gives about 256 (BigInt's sub-quadratic parse, about
// 80). No wall-clock bound is asserted, only the ratio.
import { expect } from "vitest";

/** The fastest of `tries` runs of `work`, in nanoseconds. */
function bestTime(work: () => void, tries: number): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const start = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - start));
  }
  return best;
}

/**
 * Asserts that `work` on the input `make(16n)` takes less than 48 times
 * `work` on `make(n)`: linear, with room for noise. The inputs are built
 * before the clock starts, so building (and collecting) a large input is
 * not timed.
 */
export function expectLinear<T>(work: (input: T) => void, n: number, make: (size: number) => T, tries = 5): void {
  const smallInput = make(n);
  const largeInput = make(16 * n);
  work(smallInput); // warm up
  work(largeInput);
  const small = bestTime(() => work(smallInput), tries);
  const large = bestTime(() => work(largeInput), tries);
  expect(large / small, `time(16n) / time(n) with n = ${n}`).toBeLessThan(48);
}

/**
 * `expectLinear` for asynchronous work on an input built by `make(size)`
 * before the clock starts, so building a large input is not timed.
 */
export async function expectLinearAsync<T>(
  work: (input: T) => Promise<void>,
  n: number,
  make: (size: number) => T,
  tries = 3,
): Promise<void> {
  const best = async (input: T) => {
    let fastest = Infinity;
    for (let i = 0; i < tries; i++) {
      const start = process.hrtime.bigint();
      await work(input);
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - start));
    }
    return fastest;
  };
  const smallInput = make(n);
  await work(smallInput); // warm up
  const small = await best(smallInput);
  const large = await best(make(16 * n));
  expect(large / small, `time(16n) / time(n) with n = ${n}`).toBeLessThan(48);
}

// The host's queue (src/host/fifo.ts): first in, first out, with O(1) shift
// that neither keeps what was shifted nor grows without bound.
import { describe, expect, it } from "vitest";
import { Fifo } from "../../src/host/fifo.js";

/** The queue's backing array (private): to see what it holds on to. */
const itemsOf = <T>(fifo: Fifo<T>) => (fifo as unknown as { items: (T | undefined)[] }).items;

describe("Fifo", () => {
  it("gives items back oldest first, and undefined when empty", () => {
    const fifo = new Fifo<number>();
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
    fifo.push(1);
    fifo.push(2);
    fifo.push(3);
    expect(fifo.length).toBe(3);
    expect(fifo.shift()).toBe(1);
    fifo.push(4);
    expect([fifo.shift(), fifo.shift(), fifo.shift()]).toEqual([2, 3, 4]);
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });

  it("keeps falsy items apart from empty", () => {
    const fifo = new Fifo<number | null | string>();
    fifo.push(0);
    fifo.push(null);
    fifo.push("");
    expect([fifo.shift(), fifo.shift(), fifo.shift()]).toEqual([0, null, ""]);
    expect(fifo.length).toBe(0);
  });

  it("drain removes and returns every item, oldest first", () => {
    const fifo = new Fifo<string>();
    for (const item of ["a", "b", "c"]) fifo.push(item);
    fifo.shift();
    expect(fifo.drain()).toEqual(["b", "c"]);
    expect(fifo.length).toBe(0);
    expect(fifo.drain()).toEqual([]);
    fifo.push("d");
    expect(fifo.shift()).toBe("d");
  });

  it("does not hold on to an item once shifted", () => {
    const fifo = new Fifo<object>();
    fifo.push({});
    fifo.push({});
    fifo.shift();
    expect(itemsOf(fifo)[0]).toBeUndefined();
    fifo.shift();
    expect(itemsOf(fifo)).toHaveLength(0); // emptied: starts over
  });

  it("keeps its order through growth, and drops the shifted part once it is most of the array", () => {
    const fifo = new Fifo<number>();
    let next = 0;
    let expected = 0;
    const outOfOrder: [number, number | undefined][] = [];
    let longest = 0;
    // A queue that never empties: 3 in, 2 out, 20,000 times.
    for (let round = 0; round < 20_000; round++) {
      fifo.push(next++);
      fifo.push(next++);
      fifo.push(next++);
      for (let i = 0; i < 2; i++) {
        const item = fifo.shift();
        if (item !== expected) outOfOrder.push([expected, item]);
        expected++;
      }
      if (fifo.length !== next - expected) throw new Error(`length ${fifo.length}, expected ${next - expected}`);
      // The array holds at most the queued items, twice over, plus the 1024 shifted before compacting.
      longest = Math.max(longest, itemsOf(fifo).length - 2 * fifo.length);
    }
    expect(outOfOrder).toEqual([]);
    expect(longest).toBeLessThanOrEqual(1024);
    expect(fifo.drain()).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i));
  });

  it("lets a long queue run empty with shift alone", () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    for (let i = 0; i < 5000; i++) expect(fifo.shift()).toBe(i);
    expect(fifo.length).toBe(0);
    expect(itemsOf(fifo)).toHaveLength(0);
  });
});

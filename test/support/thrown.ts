// What a function throws, checked to be of the expected error class.
import { expect } from "vitest";
import { AbiError } from "../../src/index.js";

/** The error of class `type` that `fn` throws; fails the test when it throws anything else or nothing. */
export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name} to be thrown, nothing was`);
}

/** The AbiError that `fn` throws. */
export function abiErrorOf(fn: () => unknown): AbiError {
  return thrown(fn, AbiError);
}

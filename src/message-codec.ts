/**
 * The shape of a generated message codec (`gen/**\/*_codec.ts`): the three
 * functions generated for every message of the schema.
 *
 * @module
 * @internal
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { Reader } from "./decoder.js";
import type { Writer } from "./encoder.js";

/** The generated size, write and decode functions of one message type. */
export interface MessageCodec<T extends Message = Message> {
  /** The protobuf-es schema of the message type. */
  readonly schema: DescMessage;
  /** Checks every value of `message` and returns its encoded size, recording what `write` needs in `w`. */
  size(message: T, w: Writer): number;
  /** Writes `message` into `buf` at `pos`, after `size` has sized it with the same `w`; returns the position after it. */
  write(message: T, w: Writer, buf: Uint8Array, pos: number): number;
  /**
   * Decodes the fields in `[r.pos, end)` as prost does, merging into `into`
   * when given; `budget` is what is left of the recursion limit.
   */
  decode(r: Reader, end: number, budget: number, into?: T): T;
}

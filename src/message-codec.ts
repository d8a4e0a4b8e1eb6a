/**
 * The shape of a generated message codec (`gen/**\/*_codec.ts`): the two
 * functions generated for every message of the schema.
 *
 * @module
 * @internal
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { Reader } from "./decoder.js";
import type { Writer } from "./encoder.js";

/** The generated encode and decode functions of one message type. */
export interface MessageCodec<T extends Message = Message> {
  /** The protobuf-es schema of the message type. */
  readonly schema: DescMessage;
  /**
   * Checks every value of `message` and writes its fields (no length prefix)
   * into `w.buf` at `pos`, growing the buffer as needed; returns the position after them.
   */
  encode(message: T, w: Writer, pos: number): number;
  /**
   * Decodes the fields in `[r.pos, end)` as prost does, merging into `into`
   * when given; `budget` is what is left of the recursion limit.
   */
  decode(r: Reader, end: number, budget: number, into?: T): T;
}

/**
 * The codec runtime: everything the generated codecs (`gen/**\/*_codec.ts`,
 * written by plugin/protoc-gen-actr-codec.ts) import from this package, and
 * the only module of `src/` they import. The writers live in
 * src/encoder.ts, the readers in src/decoder.ts; this module names the part
 * of them that generated code may call. The package's own wrappers
 * (src/codec.ts and what builds on it) sit above both this runtime and the
 * generated code.
 *
 * @module
 * @internal
 */
export type { MessageCodec } from "./message-codec.js";
export {
  checkArray,
  encode64,
  encodeBool,
  encodeBytes,
  encodeInt32,
  encodeString,
  encodeUint32,
  endNested,
  invalidOneof,
  room,
  SHORT_STRING,
  SHORT_STRING_ROOM,
  type Writer,
  writeShortUtf8,
  wrongEncodedMessage,
  wrongMessage,
} from "./encoder.js";
export {
  enterMessage,
  readBool,
  readBytes,
  readInt32,
  readInt64,
  readKey,
  readLength,
  readString,
  readUint32,
  readUint64,
  type Reader,
  skipField,
  wrongWireType,
} from "./decoder.js";

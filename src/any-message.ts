/**
 * A message of any schema, read field by field through its descriptor.
 *
 * @module
 * @internal
 */
import type { Message } from "@bufbuild/protobuf";

/** A message whose fields are read by their `localName` (a oneof as `{ case, value }`). */
export type AnyMessage = Message & Record<string, unknown>;

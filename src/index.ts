/**
 * `@actr/dynclib-abi`: the actr DynClib ABI for TypeScript hosts.
 *
 * Everything a host needs to speak the ABI with a guest loaded by `dlopen`:
 * the code tables, the generated message schemas, frame and reply builders,
 * host-operation decoding, and `ActrError` with the Rust texts, all agreeing
 * with prost byte for byte.
 *
 * @module
 */
export * from "./codes.js";
export * from "./codec.js";
export * from "./errors.js";
export * from "./frames.js";
export * from "./guest-requests.js";
export * from "./host-operations.js";
export * from "./schemas.js";
export {
  actrId,
  actrType,
  dataStream,
  type Dest,
  destFromV1,
  destToV1,
  invocationContext,
  lifecycleContext,
  peerStatusFromV1,
  type Timestamp,
  timestampFromV1,
  timestampToDate,
  timestampToV1,
} from "./values.js";
export * from "../gen/actr/actr_pb.js";
export * from "../gen/actr/dynclib/v1/abi_pb.js";
export {
  Code,
  CodeSchema,
  code_table as codeTableOption,
  encoded_message as encodedMessageOption,
  ErrorCode,
  ErrorCodeSchema,
  file_actr_dynclib_v1_codes,
  hook_event as hookEventOption,
  LifecycleHook,
  LifecycleHookSchema,
  Op,
  op as opOption,
  OpSchema,
  RuntimeHook,
  RuntimeHookSchema,
  Version,
  VersionSchema,
  WebrtcPeerStatus,
  WebrtcPeerStatusSchema,
} from "../gen/actr/dynclib/v1/codes_pb.js";

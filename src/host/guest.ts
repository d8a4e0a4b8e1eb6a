/**
 * `Guest`: one loaded guest image as the host drives it. The typed calls
 * build their `AbiFrame` with the root API and hand it to the threading mode.
 *
 * @module
 */
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decodeFrame, encodeFrame } from "../frames.js";
import type { ActrId, DataStream, RpcEnvelope } from "../../gen/actr/actr_pb.js";
import {
  GuestDataStreamV1Schema,
  GuestHandleV1Schema,
  GuestHookV1Schema,
  GuestLifecycleV1Schema,
  type InvocationContextV1,
} from "../../gen/actr/dynclib/v1/abi_pb.js";
import {
  type GuestHookEvent,
  guestDataStreamPayload,
  guestHandlePayload,
  guestHookPayload,
  guestLifecyclePayload,
} from "../host-operations.js";
import { payloadOp } from "../schemas.js";

/** One guest, loaded and initialised by `loadGuest`. Calls into it run one at a time, in the order they were made. */
export interface Guest {
  /** The file that was loaded: the path given, or a private copy of it when that path was already loaded. */
  readonly path: string;
  /** Host reply buffers handed to the guest through `invoke` and not yet given back with `free_host_buf`. */
  readonly outstandingHostBuffers: number;
  /**
   * Runs one RPC (`GUEST_HANDLE`). Resolves with the response bytes; rejects
   * with the `ActrError` of a failed reply, or an `AbiError` carrying the
   * status `actr_handle` returned (PROTOCOL_ERROR for a reply that does not decode).
   * @param envelope an `actr.RpcEnvelope`, or its encoding.
   */
  handle(envelope: RpcEnvelope | Uint8Array, ctx: InvocationContextV1): Promise<Uint8Array>;
  /** Runs a lifecycle hook (`GUEST_LIFECYCLE`, a `lifecycleHook` value; the Rust host's context is `lifecycleContext(selfId, hook)`). */
  lifecycle(hook: number, ctx: InvocationContextV1): Promise<void>;
  /** Delivers a runtime hook (`GUEST_HOOK`) with its event, as `encodeGuestHookRequest` takes it. */
  hook(event: GuestHookEvent, ctx: InvocationContextV1): Promise<void>;
  /** Delivers one data-stream chunk from `sender` (`GUEST_DATA_STREAM`). */
  dataStream(chunk: DataStream, sender: ActrId): Promise<void>;
  /**
   * Sends an already encoded `AbiFrame` as it is, and resolves with the
   * reply's payload: for frames the typed calls cannot build (debugging, tests).
   */
  handleFrame(frame: Uint8Array): Promise<Uint8Array>;
  /**
   * Waits for the calls already made, then refuses new ones. The image
   * stays loaded (a native library cannot be safely unloaded while it may
   * hold the host's vtable), so its path is not reusable in this process.
   */
  close(): Promise<void>;
}

/** The typed calls of `Guest` over a threading mode's `run`. */
export abstract class GuestCalls implements Guest {
  abstract readonly path: string;
  abstract readonly outstandingHostBuffers: number;
  /**
   * Runs one encoded frame of `op` through the guest. With `owned`, the
   * frame is this object's own encoding (never the caller's bytes): once the
   * guest has read it, its memory may go back to the pool (`release`).
   */
  protected abstract run(frame: Uint8Array, op: number, owned: boolean): Promise<Uint8Array>;
  abstract close(): Promise<void>;

  handle(envelope: RpcEnvelope | Uint8Array, ctx: InvocationContextV1): Promise<Uint8Array> {
    return this.request(GuestHandleV1Schema, () => guestHandlePayload(envelope, ctx));
  }

  async lifecycle(hook: number, ctx: InvocationContextV1): Promise<void> {
    await this.request(GuestLifecycleV1Schema, () => guestLifecyclePayload(hook, ctx));
  }

  async hook(event: GuestHookEvent, ctx: InvocationContextV1): Promise<void> {
    await this.request(GuestHookV1Schema, () => guestHookPayload(event, ctx));
  }

  async dataStream(chunk: DataStream, sender: ActrId): Promise<void> {
    await this.request(GuestDataStreamV1Schema, () => guestDataStreamPayload(chunk, sender));
  }

  handleFrame(frame: Uint8Array): Promise<Uint8Array> {
    return this.run(frame, frameOp(frame), false);
  }

  /**
   * Runs the frame of op `frameOp` that carries `payload`, a message of
   * `schema` whose fields are checked. By default it is encoded (pooled, see
   * `encodeFrame`) and given to `run`; a mode may encode it where it likes.
   */
  protected runPayload<Desc extends DescMessage>(frameOp: number, schema: Desc, payload: MessageShape<Desc>): Promise<Uint8Array> {
    let frame: Uint8Array;
    try {
      frame = encodeFrame(schema, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.run(frame, frameOp, true);
  }

  /**
   * `runPayload` of the payload `build` returns, in the frame of the op the
   * schema binds `schema` to; rejects with what `build` throws (a caller's
   * argument that is not valid).
   */
  private request<Desc extends DescMessage>(schema: Desc, build: () => MessageShape<Desc>): Promise<Uint8Array> {
    let payload: MessageShape<Desc>;
    try {
      payload = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.runPayload(payloadOp(schema)!, schema, payload);
  }
}

/** The op of an encoded frame, for error messages and stream scoping; 0 when the frame does not decode (the guest will say so). */
function frameOp(frame: Uint8Array): number {
  try {
    return decodeFrame(frame).op;
  } catch {
    return 0;
  }
}

/** The error of a call made after `close()`. */
export function closedError(path: string): AbiError {
  return new AbiError(code.GENERIC_ERROR, `the guest ${path} is closed`);
}

/**
 * `Guest`: one loaded guest image as the host drives it. The typed calls
 * build their `AbiFrame` with the root API and hand it to the threading mode.
 *
 * @module
 */
import { code } from "../codes.js";
import { AbiError } from "../errors.js";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decodeFrame, decodePayload, encodeFrame } from "../frames.js";
import type { AbiFrame } from "../../gen/actr/dynclib/v1/abi_pb.js";
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
} from "../guest-requests.js";
import { payloadOp, payloadSchemaForOp } from "../schemas.js";
import { BridgeTokenIssuer, newGuestKey } from "./bridge-tokens.js";

/** One guest, loaded and initialised by `loadGuest`. Calls into it run one at a time, in the order they were made. */
export interface Guest {
  /** The file that was loaded: the path given, or a private copy of it when that path was already loaded. */
  readonly path: string;
  /**
   * The guest's ABI generation, told by its exports: 2 when it exports
   * `actr_shutdown` (actr 0.5.4 / 0.4.21 and later: bridge tokens, a
   * four-slot vtable, background tasks), else 1.
   */
  readonly generation: 1 | 2;
  /** Host reply buffers handed to the guest through `invoke` and not yet given back with `free_host_buf`. */
  readonly outstandingHostBuffers: number;
  /**
   * Bridge tokens not yet released by both sides (generation 2; always 0
   * for generation 1): the host holds each call's token until `actr_handle`
   * returns, the guest's contexts hold it until they are dropped. Back to 0
   * once the guest's background tasks are done.
   */
  readonly liveBridgeTokens: number;
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
   * Sends an already encoded `AbiFrame`, and resolves with the reply's
   * payload: for frames the typed calls cannot build (debugging, tests).
   * The frame goes as it is, with one exception: for a generation-2 guest,
   * a guest request gets a fresh bridge token written into its payload (the
   * frame is re-encoded; a token it carried is replaced), as every call
   * needs a token the host issued.
   */
  handleFrame(frame: Uint8Array): Promise<Uint8Array>;
  /**
   * Refuses new calls at once, waits for the calls already made, then, for
   * a generation-2 guest, calls `actr_shutdown`, which stops the guest's
   * background tasks. From then on nothing the guest does reaches the host
   * handler: a later `invoke` is answered GENERIC_ERROR by callbacks that
   * stay valid for the life of the process. The image stays loaded (a
   * native library cannot be safely unloaded while it may hold the host's
   * vtable); loading the same path again loads a private copy of the file.
   * With `force`, the calls not yet inside the guest reject at once with
   * an `AbiError`, and only the call inside native code is waited for.
   * @throws AbiError when `actr_shutdown` fails: the guest could not prove
   * its tasks stopped, and the library stays loaded for good.
   */
  close(options?: CloseOptions): Promise<void>;
}

/** How `Guest.close` ends the guest. */
export interface CloseOptions {
  /** Reject the calls not yet inside the guest at once, rather than running them first. */
  readonly force?: boolean;
}

/** The typed calls of `Guest` over a threading mode's `run`. */
export abstract class GuestCalls implements Guest {
  abstract readonly path: string;
  abstract readonly generation: 1 | 2;
  abstract readonly outstandingHostBuffers: number;
  abstract readonly liveBridgeTokens: number;
  /**
   * Native allocations of the host reply pool made for this guest's replies
   * and not freed (`counterSlot.REPLY_ALLOCATIONS`): flat under a steady
   * load, so the leak check counts it. Not part of the public `Guest`.
   *
   * @internal
   */
  abstract readonly replyAllocations: number;
  /** Set by `close`: new calls are refused. */
  protected closed = false;
  /** Set when the guest can no longer be called (it did not return, its worker died): every call rejects with it. */
  protected failure: Error | undefined;
  /** Calls made and not finished, the running one included (bounded by `maxQueuedCalls`). */
  private unfinished = 0;
  private readonly finished = () => {
    this.unfinished--;
  };

  /** This guest's key among the guests of this thread (see `BridgeTokenIssuer`). */
  protected readonly key = newGuestKey();
  /** Issues the bridge tokens of this guest's calls (generation 2). */
  private readonly tokens = new BridgeTokenIssuer(this.key);

  constructor(private readonly maxQueuedCalls: number) {}
  /**
   * Runs one encoded frame of `op` through the guest, with the bridge token
   * it carries (0 for none) open while it runs. With `owned`, the frame is
   * this object's own encoding (never the caller's bytes): once the guest
   * has read it, its memory may go back to the pool (`release`).
   */
  protected abstract run(frame: Uint8Array, op: number, owned: boolean, bridgeToken: number): Promise<Uint8Array>;
  abstract close(options?: CloseOptions): Promise<void>;

  /**
   * Why a new call cannot be made now, or undefined: the guest is closed or
   * failed, `maxQueuedCalls` calls are unfinished, or the mode refuses it
   * (`refusal`).
   */
  private refusalOfNewCall(): Error | undefined {
    if (this.closed) return closedError(this.path);
    if (this.failure !== undefined) return this.failure;
    if (this.unfinished >= this.maxQueuedCalls) {
      return new AbiError(
        code.GENERIC_ERROR,
        `${this.unfinished} calls into the guest ${this.path} are made and not finished, the most maxQueuedCalls (${this.maxQueuedCalls}) allows: this one is refused`,
      );
    }
    return this.refusal();
  }

  /** Why the mode refuses a new call now (see `WorkerGuest`), or undefined. */
  protected refusal(): Error | undefined {
    return undefined;
  }

  /** Starts a call (`start`) unless it is refused, counting it until it finishes. */
  private admit(start: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const refusal = this.refusalOfNewCall();
    if (refusal !== undefined) return Promise.reject(refusal);
    this.unfinished++;
    const result = start();
    result.then(this.finished, this.finished);
    return result;
  }

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
    return this.admit(() => {
      if (this.generation === 1) return this.run(frame, frameOp(frame), false, 0);
      const request = withBridgeToken(frame, this.tokens);
      return this.run(request.frame, request.op, false, request.bridgeToken);
    });
  }

  /**
   * Runs the frame of op `op` that carries `payload`, a message of
   * `schema` whose fields are checked. By default it is encoded (pooled, see
   * `encodeFrame`) and given to `run`; a mode may encode it where it likes.
   */
  protected runPayload<Desc extends DescMessage>(
    op: number,
    schema: Desc,
    payload: MessageShape<Desc>,
    bridgeToken: number,
  ): Promise<Uint8Array> {
    let frame: Uint8Array;
    try {
      frame = encodeFrame(schema, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.run(frame, op, true, bridgeToken);
  }

  /**
   * `runPayload` of the payload `build` returns, in the frame of the op the
   * schema binds `schema` to, with a fresh bridge token in it for a
   * generation-2 guest; rejects with what `build` throws (a caller's
   * argument that is not valid).
   */
  private request<Desc extends DescMessage>(
    schema: Desc,
    build: () => MessageShape<Desc> & { bridgeToken: bigint },
  ): Promise<Uint8Array> {
    let payload: MessageShape<Desc> & { bridgeToken: bigint };
    try {
      payload = build();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.admit(() => {
      let bridgeToken = 0;
      if (this.generation === 2) {
        bridgeToken = this.tokens.issue();
        payload.bridgeToken = BigInt(bridgeToken);
      }
      return this.runPayload(payloadOp(schema)!, schema, payload, bridgeToken);
    });
  }
}

/**
 * A frame for a generation-2 guest (see `Guest.handleFrame`): its op, and a
 * fresh bridge token written into its payload (re-encoded). A frame that
 * does not decode, or is not a guest request, goes as it is with no token
 * opened (the guest will say what it makes of it).
 */
function withBridgeToken(
  frame: Uint8Array,
  tokens: BridgeTokenIssuer,
): { frame: Uint8Array; op: number; bridgeToken: number } {
  let decoded: AbiFrame;
  let payload: { bridgeToken?: bigint };
  let schema: DescMessage | undefined;
  try {
    decoded = decodeFrame(frame);
    schema = payloadSchemaForOp(decoded.op);
    if (schema === undefined || schema.field.bridgeToken === undefined)
      return { frame, op: decoded.op, bridgeToken: 0 };
    payload = decodePayload(schema, decoded) as { bridgeToken?: bigint };
  } catch {
    return { frame, op: frameOp(frame), bridgeToken: 0 };
  }
  const bridgeToken = tokens.issue();
  payload.bridgeToken = BigInt(bridgeToken);
  return { frame: encodeFrame(schema, payload as MessageShape<typeof schema>), op: decoded.op, bridgeToken };
}

/** The op of an encoded frame, for error messages and stream scoping; 0 when the frame does not decode (the guest will say so). */
function frameOp(frame: Uint8Array): number {
  try {
    return decodeFrame(frame).op;
  } catch {
    return 0;
  }
}

/** The error of the calls of a guest that did not return from `actr_handle` within `callTimeoutMs`. */
export function stuckError(path: string, callTimeoutMs: number): AbiError {
  return new AbiError(
    code.GENERIC_ERROR,
    `the guest ${path} did not return from actr_handle within callTimeoutMs (${callTimeoutMs} ms), and cannot be called again ` +
      `(a guest stuck in native code, or waiting inside actr_handle for a thread of its own that calls invoke, which a first-generation guest may not do)`,
  );
}

/** The error of a call made after `close()`. */
export function closedError(path: string): AbiError {
  return new AbiError(code.GENERIC_ERROR, `the guest ${path} is closed`);
}

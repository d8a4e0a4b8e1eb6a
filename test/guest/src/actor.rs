//! The test actor itself, shared by both DynClib test guests: the
//! first-generation one (`test/guest`, two-slot vtable) and the
//! second-generation one (`test/guest-gen2`, bridge tokens). Each crate
//! includes this file with `#[path]` and declares `mod messages` (the
//! conformance oracle's prost structs) next to it.
//!
//! Everything here is independent of how a guest reaches its host: a host
//! operation goes through the [`Host`] trait, which each guest implements over
//! its own `HostVTable` (the second generation adds a bridge token to every
//! `invoke`). What is here:
//!
//! - the ABI constants, the actor's errors and their `Display` texts;
//! - frame-level validation of a guest request ([`decode_request`]), so both
//!   guests refuse exactly the same frames with exactly the same codes;
//! - the actor's behaviour per request ([`run`]): the `RpcEnvelope.route_key`
//!   routes, the lifecycle and runtime hooks, data-stream delivery;
//! - the bookkeeping of reply buffers ([`write_reply`], [`free_response`])
//!   and of host buffers, reported by the `stats` route.
//!
//! Routes of the actor (`RpcEnvelope.route_key`; payloads and replies as bytes):
//!
//! | route | what it does |
//! |---|---|
//! | `echo` | replies with the payload |
//! | `context` | replies `self=<serial> caller=<serial or none> request_id=<id>` |
//! | `init` | replies with the `InitPayloadV1` given to `actr_init`, re-encoded |
//! | `call` | HOST_CALL `peer.Echo/Ping` to the shell with the payload; replies with the answer |
//! | `call.noDest` | the same with no destination kind (the host must refuse it) |
//! | `tell` | HOST_TELL `peer.Log/Note` to local with the payload; replies empty |
//! | `callRaw` | HOST_CALL_RAW `peer.Raw/Get` to the peer (serial 42); replies with the answer |
//! | `discover` | HOST_DISCOVER `acme/peer/1.0`; replies `realm=R serial=S type=m/n/v` |
//! | `registerStream`, `unregisterStream` | the op with the payload as stream id |
//! | `sendDataStream`, `sendDataStream.badType` | HOST_SEND_DATA_STREAM to the peer, STREAM_RELIABLE or RPC_SIGNAL |
//! | `invokeRaw`, `invokeRaw.apart` | passes the payload to `invoke` as a whole frame; replies rc (i32 LE) + raw reply |
//! | `fail` | fails with NotFound(payload) |
//! | `frame.pending`, `frame.generic` | `actr_handle` returns HANDLE_FAILED / GENERIC_ERROR |
//! | `frame.garbage`, `frame.empty` | `actr_handle` hands back `[0x08]` / no bytes at all |
//! | `stats` | `outstanding=N hostBufsFreed=N badFrees=N` |
//! | anything else | fails with UnknownRoute(route) |

use crate::messages::*;
use prost::Message;
use std::collections::HashMap;
use std::fmt;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// ABI status codes.
#[allow(dead_code)]
pub mod code {
    pub const SUCCESS: i32 = 0;
    pub const GENERIC_ERROR: i32 = -1;
    pub const INIT_FAILED: i32 = -2;
    pub const HANDLE_FAILED: i32 = -3;
    pub const ALLOC_FAILED: i32 = -4;
    pub const PROTOCOL_ERROR: i32 = -5;
    pub const BUFFER_TOO_SMALL: i32 = -6;
    pub const UNSUPPORTED_OP: i32 = -7;
}

/// ABI operation codes.
#[allow(dead_code)]
pub mod op {
    pub const HOST_CALL: u32 = 1;
    pub const HOST_TELL: u32 = 2;
    pub const HOST_CALL_RAW: u32 = 3;
    pub const HOST_DISCOVER: u32 = 4;
    pub const HOST_REGISTER_STREAM: u32 = 5;
    pub const HOST_UNREGISTER_STREAM: u32 = 6;
    pub const HOST_SEND_DATA_STREAM: u32 = 7;
    pub const GUEST_HANDLE: u32 = 101;
    pub const GUEST_DATA_STREAM: u32 = 102;
    pub const GUEST_LIFECYCLE: u32 = 103;
    pub const GUEST_HOOK: u32 = 104;
}

/// The actor-level errors the test guests raise, with the Rust `Display`
/// texts of the framework's `ActrError` (some variants are used by one guest only).
#[allow(dead_code)]
#[derive(Debug)]
pub enum ActrError {
    Unavailable(String),
    NotFound(String),
    InvalidArgument(String),
    UnknownRoute(String),
    DecodeFailure(String),
    NotImplemented(String),
    Internal(String),
}

impl fmt::Display for ActrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActrError::Unavailable(m) => write!(f, "unavailable: {m}"),
            ActrError::NotFound(m) => write!(f, "not found: {m}"),
            ActrError::InvalidArgument(m) => write!(f, "invalid argument: {m}"),
            ActrError::UnknownRoute(m) => write!(f, "unknown route: {m}"),
            ActrError::DecodeFailure(m) => write!(f, "decode failure: {m}"),
            ActrError::NotImplemented(m) => write!(f, "not implemented: {m}"),
            ActrError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

/// `abi_error_to_actr`: the error a guest raises for an `invoke` return code.
pub fn abi_error_to_actr(status: i32) -> ActrError {
    match status {
        code::GENERIC_ERROR => ActrError::Internal("host returned generic ABI error".into()),
        code::INIT_FAILED => ActrError::Internal("host initialization failed".into()),
        code::HANDLE_FAILED => ActrError::Internal("guest handle failed".into()),
        code::ALLOC_FAILED => ActrError::Internal("memory allocation failed".into()),
        code::PROTOCOL_ERROR => ActrError::DecodeFailure("ABI payload decode failed".into()),
        code::BUFFER_TOO_SMALL => ActrError::Internal("reply buffer too small for host invoke".into()),
        code::UNSUPPORTED_OP => ActrError::NotImplemented("unsupported ABI operation".into()),
        other => ActrError::Internal(format!("unexpected ABI status code {other}")),
    }
}

/// `reply_to_actr_error`: the error for a failed `AbiReply` from the host.
pub fn reply_to_actr_error(reply: AbiReply) -> ActrError {
    if reply.payload.is_empty() {
        return abi_error_to_actr(reply.status);
    }
    let message = String::from_utf8(reply.payload).unwrap_or_else(|_| format!("guest returned status {}", reply.status));
    match reply.status {
        code::PROTOCOL_ERROR => ActrError::DecodeFailure(message),
        code::UNSUPPORTED_OP => ActrError::NotImplemented(message),
        _ => ActrError::Internal(message),
    }
}

/// How the actor reaches its host: the two buffer-level callbacks of the
/// host's vtable. A first-generation guest calls its two-slot table as it is;
/// a second-generation guest adds the bridge token of the call or of the
/// context it holds.
pub trait Host {
    /// Calls the host's `invoke` with one encoded `AbiFrame`; on `SUCCESS` the
    /// host has written its reply buffer (or null and 0) to the out-pointers.
    ///
    /// # Safety
    /// `frame` must point to `frame_len` readable bytes and both out-pointers
    /// must be writable, as the C contract of `invoke` demands.
    unsafe fn invoke(&self, frame: *const u8, frame_len: usize, reply_out: *mut *mut u8, reply_len_out: *mut usize) -> i32;

    /// Gives a reply buffer of `invoke` back to the host.
    ///
    /// # Safety
    /// `ptr`/`len` must be a buffer the host handed out and not yet freed.
    unsafe fn free_host_buf(&self, ptr: *mut u8, len: usize);
}

/// The `InitPayloadV1` the running actor was started with (the `init` route).
pub static INIT: Mutex<Option<InitPayloadV1>> = Mutex::new(None);
/// Reply buffers handed to the host and not yet freed: address -> length.
static RESPONSES: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);
/// `actr_free_response` calls with a pointer/length this guest did not hand out.
static BAD_FREES: AtomicU64 = AtomicU64::new(0);
/// Host reply buffers this guest gave back with `free_host_buf`.
static HOST_BUFS_FREED: AtomicU64 = AtomicU64::new(0);

/// Locks a mutex even when a panicking thread poisoned it: the data behind
/// these locks stays consistent whatever a panic interrupted.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The `InitPayloadV1` passed to `actr_init` (null or length 0 = empty bytes),
/// or the code `actr_init` returns for it: PROTOCOL_ERROR when it does not
/// decode, INIT_FAILED for the actor type `test:refuse-init` (a test hook:
/// this actor refuses to start).
///
/// # Safety
/// A non-null `init` must point to `init_len` readable bytes.
pub unsafe fn decode_init(init: *const u8, init_len: usize) -> Result<InitPayloadV1, i32> {
    let bytes: &[u8] = if init.is_null() || init_len == 0 { &[] } else { std::slice::from_raw_parts(init, init_len) };
    let payload = InitPayloadV1::decode(bytes).map_err(|_| code::PROTOCOL_ERROR)?;
    if payload.actr_type == "test:refuse-init" {
        return Err(code::INIT_FAILED);
    }
    Ok(payload)
}

fn frame_bytes(op: u32, payload: Vec<u8>) -> Vec<u8> {
    AbiFrame { abi_version: 1, op, payload }.encode_to_vec()
}

/// Where `invoke` writes its reply pointer and length, apart in memory (the
/// length first, 8 bytes between), unlike two locals side by side.
#[repr(C)]
struct ApartOutPointers {
    len: usize,
    gap: u64,
    ptr: *mut u8,
}

/// Calls the host's `invoke` with `frame`: its return code and, on success, a
/// copy of the reply (the host buffer is given back at once). With `apart`,
/// the out-pointers are not side by side (`ApartOutPointers`).
pub fn invoke_raw(host: &dyn Host, frame: &[u8], apart: bool) -> (i32, Option<Vec<u8>>) {
    let mut outs = ApartOutPointers { len: 0, gap: u64::MAX, ptr: ptr::null_mut() };
    let mut out: *mut u8 = ptr::null_mut();
    let mut out_len: usize = 0;
    let (out_ptr, len_ptr): (*mut *mut u8, *mut usize) = if apart { (&mut outs.ptr, &mut outs.len) } else { (&mut out, &mut out_len) };
    // SAFETY: the frame is a live slice and both out-pointers point to locals.
    let rc = unsafe { host.invoke(frame.as_ptr(), frame.len(), out_ptr, len_ptr) };
    assert_eq!(outs.gap, u64::MAX, "invoke wrote between the out-pointers");
    let (out, out_len) = if apart { (outs.ptr, outs.len) } else { (out, out_len) };
    if rc != code::SUCCESS {
        return (rc, None);
    }
    let reply = if out.is_null() { Vec::new() } else { unsafe { std::slice::from_raw_parts(out, out_len) }.to_vec() };
    if !out.is_null() {
        unsafe { host.free_host_buf(out, out_len) };
        HOST_BUFS_FREED.fetch_add(1, Ordering::Relaxed);
    }
    (rc, Some(reply))
}

/// One host operation, as a guest runs it: the reply's payload, or the error.
pub fn invoke<M: Message>(host: &dyn Host, op: u32, payload: &M) -> Result<Vec<u8>, ActrError> {
    match invoke_raw(host, &frame_bytes(op, payload.encode_to_vec()), false) {
        (code::SUCCESS, Some(bytes)) => {
            let reply = AbiReply::decode(bytes.as_slice()).map_err(|e| ActrError::DecodeFailure(format!("host reply: {e}")))?;
            if reply.status == code::SUCCESS {
                Ok(reply.payload)
            } else {
                Err(reply_to_actr_error(reply))
            }
        }
        (rc, _) => Err(abi_error_to_actr(rc)),
    }
}

fn peer_id() -> ActrId {
    ActrId {
        realm: Realm { realm_id: 7 },
        serial_number: 42,
        r#type: ActrType { manufacturer: "acme".into(), name: "peer".into(), version: "1.0".into() },
    }
}

fn dest(kind: DestKind) -> DestV1 {
    DestV1 { kind: Some(kind) }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The call of the `call` route: HOST_CALL `peer.Echo/Ping` to the shell.
pub fn ping_call(payload: Vec<u8>) -> HostCallV1 {
    HostCallV1 { route_key: "peer.Echo/Ping".into(), dest: dest(DestKind::Shell(true)), payload }
}

/// Tells the host what the actor saw (`HOST_TELL`, destination local), so
/// tests can check what reached the guest.
pub fn report(host: &dyn Host, route_key: &str, text: String) -> Result<(), ActrError> {
    invoke(host, op::HOST_TELL, &HostTellV1 { route_key: route_key.into(), dest: dest(DestKind::Local(true)), payload: text.into_bytes() })
        .map(|_| ())
}

fn describe_ctx(ctx: &InvocationContextV1) -> String {
    let caller = match &ctx.caller_id {
        Some(id) => id.serial_number.to_string(),
        None => "none".into(),
    };
    format!("self={} caller={} request_id={}", ctx.self_id.serial_number, caller, ctx.request_id)
}

/// What `actr_handle` produces: an `AbiReply` (the actor's result), raw
/// reply bytes (to test a host against a broken guest), or a return code.
pub enum Outcome {
    Reply(Result<Vec<u8>, ActrError>),
    Raw(Vec<u8>),
    Code(i32),
}

/// The guest's own bookkeeping, as the `stats` route reports it: reply
/// buffers not yet freed, host buffers given back, frees it did not expect
/// (counted before the reply that carries them is allocated).
pub fn stats_text() -> String {
    format!(
        "outstanding={} hostBufsFreed={} badFrees={}",
        lock(&RESPONSES).as_ref().map_or(0, |m| m.len()),
        HOST_BUFS_FREED.load(Ordering::Relaxed),
        BAD_FREES.load(Ordering::Relaxed)
    )
}

/// The routes of the test actor, by `RpcEnvelope.route_key`.
fn route(host: &dyn Host, ctx: &InvocationContextV1, envelope: RpcEnvelope) -> Outcome {
    let p = envelope.payload.unwrap_or_default();
    let result = match envelope.route_key.as_str() {
        // GUEST_HANDLE both ways: the payload back.
        "echo" => Ok(p),
        "context" => Ok(describe_ctx(ctx).into_bytes()),
        "init" => Ok(lock(&INIT).as_ref().map(|i| i.encode_to_vec()).unwrap_or_default()),
        // One host operation each, answering what the host answered.
        "call" => invoke(host, op::HOST_CALL, &ping_call(p)),
        "call.noDest" => invoke(host, op::HOST_CALL, &HostCallV1 { route_key: "peer.Echo/Ping".into(), dest: DestV1 { kind: None }, payload: p }),
        "tell" => invoke(host, op::HOST_TELL, &HostTellV1 { route_key: "peer.Log/Note".into(), dest: dest(DestKind::Local(true)), payload: p }),
        "callRaw" => invoke(host, op::HOST_CALL_RAW, &HostCallRawV1 { route_key: "peer.Raw/Get".into(), target: peer_id(), payload: p }),
        "discover" => invoke(
            host,
            op::HOST_DISCOVER,
            &HostDiscoverV1 { target_type: ActrType { manufacturer: "acme".into(), name: "peer".into(), version: "1.0".into() } },
        )
        .and_then(|bytes| match ActrId::decode(bytes.as_slice()) {
            Ok(id) => Ok(format!("realm={} serial={} type={}/{}/{}", id.realm.realm_id, id.serial_number, id.r#type.manufacturer, id.r#type.name, id.r#type.version).into_bytes()),
            Err(e) => Err(ActrError::DecodeFailure(format!("discovered id: {e}"))),
        }),
        "registerStream" => invoke(host, op::HOST_REGISTER_STREAM, &HostRegisterStreamV1 { stream_id: String::from_utf8_lossy(&p).into() }),
        "unregisterStream" => invoke(host, op::HOST_UNREGISTER_STREAM, &HostUnregisterStreamV1 { stream_id: String::from_utf8_lossy(&p).into() }),
        "sendDataStream" | "sendDataStream.badType" => invoke(
            host,
            op::HOST_SEND_DATA_STREAM,
            &HostSendDataStreamV1 {
                dest: dest(DestKind::Actor(peer_id())),
                chunk: DataStream {
                    stream_id: "s-1".into(),
                    sequence: 3,
                    payload: p,
                    metadata: vec![MetadataEntry { key: "k".into(), value: "v".into() }],
                    timestamp_ms: Some(-5),
                },
                payload_type: if envelope.route_key == "sendDataStream" { PayloadType::StreamReliable as i32 } else { PayloadType::RpcSignal as i32 },
            },
        ),
        // The payload is a whole AbiFrame, passed to invoke as it is; the
        // answer is invoke's return code (4 bytes, little-endian) and the raw
        // reply. "invokeRaw.apart" gives invoke out-pointers that are not side by side.
        "invokeRaw" | "invokeRaw.apart" => {
            let (rc, reply) = invoke_raw(host, &p, envelope.route_key == "invokeRaw.apart");
            let mut out = rc.to_le_bytes().to_vec();
            out.extend(reply.unwrap_or_default());
            Ok(out)
        }
        // The actor's own failure: HANDLE_FAILED with the Display text.
        "fail" => Err(ActrError::NotFound(String::from_utf8_lossy(&p).into())),
        // Frame-level failures of actr_handle.
        "frame.pending" => return Outcome::Code(code::HANDLE_FAILED),
        "frame.generic" => return Outcome::Code(code::GENERIC_ERROR),
        "frame.garbage" => return Outcome::Raw(vec![0x08]),
        "frame.empty" => return Outcome::Raw(Vec::new()),
        // Bookkeeping, for leak checks.
        "stats" => Ok(stats_text().into_bytes()),
        other => Err(ActrError::UnknownRoute(other.into())),
    };
    Outcome::Reply(result)
}

/// A guest request that passed the frame-level checks of `actr_handle`.
pub enum Request {
    /// GUEST_HANDLE, with its `rpc_envelope` decoded.
    Handle(GuestHandleV1, RpcEnvelope),
    /// GUEST_LIFECYCLE with a known hook.
    Lifecycle(GuestLifecycleV1),
    /// GUEST_HOOK with a known hook and its event, already rendered as the
    /// text the actor reports (empty for the signaling hooks).
    Hook(GuestHookV1, String),
    /// GUEST_DATA_STREAM.
    DataStream(GuestDataStreamV1),
}

#[allow(dead_code)]
impl Request {
    /// The request's `bridge_token` (0 from a first-generation host).
    pub fn bridge_token(&self) -> u64 {
        match self {
            Request::Handle(h, _) => h.bridge_token,
            Request::Lifecycle(l) => l.bridge_token,
            Request::Hook(h, _) => h.bridge_token,
            Request::DataStream(d) => d.bridge_token,
        }
    }
}

/// The frame-level checks of `actr_handle`, as a return code: PROTOCOL_ERROR
/// for a payload (or an `rpc_envelope`) that does not decode and for a hook
/// without its event; UNSUPPORTED_OP for an op that is not a guest op and for
/// an unknown lifecycle or hook id.
pub fn decode_request(frame: &AbiFrame) -> Result<Request, i32> {
    fn payload<M: Message + Default>(bytes: &[u8]) -> Result<M, i32> {
        M::decode(bytes).map_err(|_| code::PROTOCOL_ERROR)
    }
    match frame.op {
        op::GUEST_HANDLE => {
            let handle = payload::<GuestHandleV1>(&frame.payload)?;
            let envelope = payload::<RpcEnvelope>(&handle.rpc_envelope)?;
            Ok(Request::Handle(handle, envelope))
        }
        op::GUEST_LIFECYCLE => {
            let lifecycle = payload::<GuestLifecycleV1>(&frame.payload)?;
            if !(1..=3).contains(&lifecycle.hook) {
                return Err(code::UNSUPPORTED_OP);
            }
            Ok(Request::Lifecycle(lifecycle))
        }
        op::GUEST_HOOK => {
            let hook = payload::<GuestHookV1>(&frame.payload)?;
            let event = hook_event(&hook)?;
            Ok(Request::Hook(hook, event))
        }
        op::GUEST_DATA_STREAM => payload::<GuestDataStreamV1>(&frame.payload).map(Request::DataStream),
        _ => Err(code::UNSUPPORTED_OP),
    }
}

/// A runtime hook's event as the actor reports it, or the code for a hook the
/// guest does not know (UNSUPPORTED_OP) or whose event is missing (PROTOCOL_ERROR).
fn hook_event(request: &GuestHookV1) -> Result<String, i32> {
    Ok(match request.hook {
        1..=3 => String::new(),
        4..=9 => match &request.peer {
            Some(peer) => format!(" peer={} relayed={:?} status={:?}", peer.peer.serial_number, peer.relayed, peer.status),
            None => return Err(code::PROTOCOL_ERROR),
        },
        10 | 11 => match &request.credential {
            Some(c) => format!(" expiry={}.{:09}", c.new_expiry.seconds, c.new_expiry.nanoseconds),
            None => return Err(code::PROTOCOL_ERROR),
        },
        12 => match &request.backpressure {
            Some(b) => format!(" queue_len={} threshold={}", b.queue_len, b.threshold),
            None => return Err(code::PROTOCOL_ERROR),
        },
        _ => return Err(code::UNSUPPORTED_OP),
    })
}

/// Lifecycle hooks report their context; ON_STOP then fails.
fn lifecycle(host: &dyn Host, request: GuestLifecycleV1) -> Outcome {
    let reported = report(host, "report.lifecycle", format!("hook={} {}", request.hook, describe_ctx(&request.ctx)));
    Outcome::Reply(reported.and_then(|_| match request.hook {
        3 => Err(ActrError::Internal("stop refused".into())),
        _ => Ok(Vec::new()),
    }))
}

/// Runtime hooks report their event and context.
fn hook(host: &dyn Host, request: GuestHookV1, event: String) -> Outcome {
    Outcome::Reply(report(host, "report.hook", format!("hook={}{} {}", request.hook, event, describe_ctx(&request.ctx))).map(|_| Vec::new()))
}

/// A data-stream chunk is reported whole, with its sender.
fn data_stream(host: &dyn Host, request: GuestDataStreamV1) -> Outcome {
    let chunk = &request.chunk;
    let metadata: Vec<String> = chunk.metadata.iter().map(|m| format!("{}={}", m.key, m.value)).collect();
    let mut text = format!(
        "stream={} seq={} payload={} metadata=[{}] timestamp_ms={:?} sender={}",
        chunk.stream_id,
        chunk.sequence,
        hex(&chunk.payload),
        metadata.join(","),
        chunk.timestamp_ms,
        request.sender.serial_number
    );
    // A stream callback may not register a stream: the host must refuse.
    if chunk.stream_id == "register-inside" {
        match invoke(host, op::HOST_REGISTER_STREAM, &HostRegisterStreamV1 { stream_id: "inner".into() }) {
            Ok(_) => text.push_str(" register=accepted"),
            Err(e) => text.push_str(&format!(" register=refused({e})")),
        }
    }
    Outcome::Reply(report(host, "report.dataStream", text).map(|_| Vec::new()))
}

/// Runs the actor for one checked request, reaching the host through `host`.
pub fn run(host: &dyn Host, request: Request) -> Outcome {
    match request {
        Request::Handle(handle, envelope) => route(host, &handle.ctx, envelope),
        Request::Lifecycle(request) => lifecycle(host, request),
        Request::Hook(request, event) => hook(host, request, event),
        Request::DataStream(request) => data_stream(host, request),
    }
}

/// Writes `outcome` to `actr_handle`'s out-pointers and returns its code: an
/// `AbiReply` (SUCCESS, or HANDLE_FAILED with the error's `Display` text) or
/// the raw bytes in a buffer of this guest's own (null and 0 when empty),
/// remembered until `actr_free_response` gives it back; or the outcome's code.
///
/// # Safety
/// Both out-pointers must be writable.
pub unsafe fn write_reply(outcome: Outcome, resp_out: *mut *mut u8, resp_len_out: *mut usize) -> i32 {
    let bytes = match outcome {
        Outcome::Code(rc) => return rc,
        Outcome::Raw(bytes) => bytes,
        Outcome::Reply(Ok(payload)) => AbiReply { abi_version: 1, status: code::SUCCESS, payload }.encode_to_vec(),
        Outcome::Reply(Err(e)) => AbiReply { abi_version: 1, status: code::HANDLE_FAILED, payload: e.to_string().into_bytes() }.encode_to_vec(),
    };
    if bytes.is_empty() {
        *resp_out = ptr::null_mut();
        *resp_len_out = 0;
        return code::SUCCESS;
    }
    let len = bytes.len();
    let ptr = Box::into_raw(bytes.into_boxed_slice()) as *mut u8;
    lock(&RESPONSES).get_or_insert_with(HashMap::new).insert(ptr as usize, len);
    *resp_out = ptr;
    *resp_len_out = len;
    code::SUCCESS
}

/// `actr_free_response`: frees a reply buffer handed out by [`write_reply`].
/// Null or length 0 does nothing; a buffer this guest does not know (or the
/// wrong length, or a second free) is counted in `badFrees`, forgotten and leaked.
///
/// # Safety
/// Only ever frees what [`write_reply`] allocated, so any pointer is safe to pass.
pub unsafe fn free_response(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    let known = lock(&RESPONSES).get_or_insert_with(HashMap::new).remove(&(ptr as usize));
    if known != Some(len) {
        // Not ours, freed twice, or the wrong length: count it and leak rather than corrupt the heap.
        BAD_FREES.fetch_add(1, Ordering::Relaxed);
        return;
    }
    drop(Box::from_raw(ptr::slice_from_raw_parts_mut(ptr, len)));
}

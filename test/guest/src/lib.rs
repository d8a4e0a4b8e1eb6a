//! The DynClib test guest of `@actr/dynclib-abi/host`: one actor that
//! exercises every guest op and every host op of the ABI (docs/abi.md
//! sections 1 and 7), including the frame-level failures, so the host runtime
//! can be checked end to end against real native code.
//!
//! Messages come from the conformance oracle's hand-written prost
//! definitions (`conformance/oracle/src/messages.rs`). The actor is driven by
//! `RpcEnvelope.route_key`; see `route` below for the table.

#![allow(clippy::missing_safety_doc)]

#[allow(dead_code)]
#[path = "../../../conformance/oracle/src/messages.rs"]
mod messages;

use messages::*;
use prost::Message;
use std::collections::HashMap;
use std::fmt;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Mutex;

/// ABI status codes.
mod code {
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
mod op {
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

/// The host's callback table, as the host hands it to `actr_init`.
#[repr(C)]
pub struct HostVTable {
    pub invoke: unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32,
    pub free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

/// The actor-level errors this guest raises, with the Rust `Display` texts.
enum ActrError {
    NotFound(String),
    UnknownRoute(String),
    DecodeFailure(String),
    NotImplemented(String),
    Internal(String),
}

impl fmt::Display for ActrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActrError::NotFound(m) => write!(f, "not found: {m}"),
            ActrError::UnknownRoute(m) => write!(f, "unknown route: {m}"),
            ActrError::DecodeFailure(m) => write!(f, "decode failure: {m}"),
            ActrError::NotImplemented(m) => write!(f, "not implemented: {m}"),
            ActrError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

/// `abi_error_to_actr`: the error a guest raises for an `invoke` return code.
fn abi_error_to_actr(status: i32) -> ActrError {
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
fn reply_to_actr_error(reply: AbiReply) -> ActrError {
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

static VTABLE: AtomicPtr<HostVTable> = AtomicPtr::new(ptr::null_mut());
static INIT: Mutex<Option<InitPayloadV1>> = Mutex::new(None);
/// Reply buffers handed to the host and not yet freed: address -> length.
static RESPONSES: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);
/// `actr_free_response` calls with a pointer/length this guest did not hand out.
static BAD_FREES: AtomicU64 = AtomicU64::new(0);
/// Host reply buffers this guest gave back with `free_host_buf`.
static HOST_BUFS_FREED: AtomicU64 = AtomicU64::new(0);

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
fn invoke_raw(frame: &[u8], apart: bool) -> (i32, Option<Vec<u8>>) {
    let vt = VTABLE.load(Ordering::Acquire);
    let mut outs = ApartOutPointers { len: 0, gap: u64::MAX, ptr: ptr::null_mut() };
    let mut out: *mut u8 = ptr::null_mut();
    let mut out_len: usize = 0;
    let (out_ptr, len_ptr): (*mut *mut u8, *mut usize) = if apart { (&mut outs.ptr, &mut outs.len) } else { (&mut out, &mut out_len) };
    // SAFETY: the vtable pointer was checked non-null by actr_init and the host keeps it alive.
    let rc = unsafe { ((*vt).invoke)(frame.as_ptr(), frame.len(), out_ptr, len_ptr) };
    assert_eq!(outs.gap, u64::MAX, "invoke wrote between the out-pointers");
    let (out, out_len) = if apart { (outs.ptr, outs.len) } else { (out, out_len) };
    if rc != code::SUCCESS {
        return (rc, None);
    }
    let reply = if out.is_null() { Vec::new() } else { unsafe { std::slice::from_raw_parts(out, out_len) }.to_vec() };
    if !out.is_null() {
        unsafe { ((*vt).free_host_buf)(out, out_len) };
        HOST_BUFS_FREED.fetch_add(1, Ordering::Relaxed);
    }
    (rc, Some(reply))
}

/// One host operation, as a guest runs it: the reply's payload, or the error.
fn invoke<M: Message>(op: u32, payload: &M) -> Result<Vec<u8>, ActrError> {
    match invoke_raw(&frame_bytes(op, payload.encode_to_vec()), false) {
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

/// Tells the host what the actor saw (`HOST_TELL`, destination local), so
/// tests can check what reached the guest.
fn report(route_key: &str, text: String) -> Result<(), ActrError> {
    invoke(op::HOST_TELL, &HostTellV1 { route_key: route_key.into(), dest: dest(DestKind::Local(true)), payload: text.into_bytes() })
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
enum Outcome {
    Reply(Result<Vec<u8>, ActrError>),
    Raw(Vec<u8>),
    Code(i32),
}

/// The routes of the test actor, by `RpcEnvelope.route_key`.
fn route(ctx: &InvocationContextV1, envelope: RpcEnvelope) -> Outcome {
    let p = envelope.payload.unwrap_or_default();
    let result = match envelope.route_key.as_str() {
        // GUEST_HANDLE both ways: the payload back.
        "echo" => Ok(p),
        "context" => Ok(describe_ctx(ctx).into_bytes()),
        "init" => Ok(INIT.lock().unwrap().as_ref().map(|i| i.encode_to_vec()).unwrap_or_default()),
        // One host operation each, answering what the host answered.
        "call" => invoke(
            op::HOST_CALL,
            &HostCallV1 { route_key: "peer.Echo/Ping".into(), dest: dest(DestKind::Shell(true)), payload: p },
        ),
        "call.noDest" => invoke(op::HOST_CALL, &HostCallV1 { route_key: "peer.Echo/Ping".into(), dest: DestV1 { kind: None }, payload: p }),
        "tell" => invoke(op::HOST_TELL, &HostTellV1 { route_key: "peer.Log/Note".into(), dest: dest(DestKind::Local(true)), payload: p }),
        "callRaw" => invoke(op::HOST_CALL_RAW, &HostCallRawV1 { route_key: "peer.Raw/Get".into(), target: peer_id(), payload: p }),
        "discover" => invoke(
            op::HOST_DISCOVER,
            &HostDiscoverV1 { target_type: ActrType { manufacturer: "acme".into(), name: "peer".into(), version: "1.0".into() } },
        )
        .and_then(|bytes| match ActrId::decode(bytes.as_slice()) {
            Ok(id) => Ok(format!("realm={} serial={} type={}/{}/{}", id.realm.realm_id, id.serial_number, id.r#type.manufacturer, id.r#type.name, id.r#type.version).into_bytes()),
            Err(e) => Err(ActrError::DecodeFailure(format!("discovered id: {e}"))),
        }),
        "registerStream" => invoke(op::HOST_REGISTER_STREAM, &HostRegisterStreamV1 { stream_id: String::from_utf8_lossy(&p).into() }),
        "unregisterStream" => invoke(op::HOST_UNREGISTER_STREAM, &HostUnregisterStreamV1 { stream_id: String::from_utf8_lossy(&p).into() }),
        "sendDataStream" | "sendDataStream.badType" => invoke(
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
            let (rc, reply) = invoke_raw(&p, envelope.route_key == "invokeRaw.apart");
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
        // Bookkeeping, for leak checks (counted before this reply is allocated).
        "stats" => Ok(format!(
            "outstanding={} hostBufsFreed={} badFrees={}",
            RESPONSES.lock().unwrap().as_ref().map_or(0, |m| m.len()),
            HOST_BUFS_FREED.load(Ordering::Relaxed),
            BAD_FREES.load(Ordering::Relaxed)
        )
        .into_bytes()),
        other => Err(ActrError::UnknownRoute(other.into())),
    };
    Outcome::Reply(result)
}

fn lifecycle(request: GuestLifecycleV1) -> Outcome {
    if !(1..=3).contains(&request.hook) {
        return Outcome::Code(code::UNSUPPORTED_OP);
    }
    let reported = report("report.lifecycle", format!("hook={} {}", request.hook, describe_ctx(&request.ctx)));
    Outcome::Reply(reported.and_then(|_| match request.hook {
        3 => Err(ActrError::Internal("stop refused".into())),
        _ => Ok(Vec::new()),
    }))
}

fn hook(request: GuestHookV1) -> Outcome {
    let event = match request.hook {
        1..=3 => String::new(),
        4..=9 => match &request.peer {
            Some(peer) => format!(" peer={} relayed={:?} status={:?}", peer.peer.serial_number, peer.relayed, peer.status),
            None => return Outcome::Code(code::PROTOCOL_ERROR),
        },
        10 | 11 => match &request.credential {
            Some(c) => format!(" expiry={}.{:09}", c.new_expiry.seconds, c.new_expiry.nanoseconds),
            None => return Outcome::Code(code::PROTOCOL_ERROR),
        },
        12 => match &request.backpressure {
            Some(b) => format!(" queue_len={} threshold={}", b.queue_len, b.threshold),
            None => return Outcome::Code(code::PROTOCOL_ERROR),
        },
        _ => return Outcome::Code(code::UNSUPPORTED_OP),
    };
    Outcome::Reply(report("report.hook", format!("hook={}{} {}", request.hook, event, describe_ctx(&request.ctx))).map(|_| Vec::new()))
}

fn data_stream(request: GuestDataStreamV1) -> Outcome {
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
        match invoke(op::HOST_REGISTER_STREAM, &HostRegisterStreamV1 { stream_id: "inner".into() }) {
            Ok(_) => text.push_str(" register=accepted"),
            Err(e) => text.push_str(&format!(" register=refused({e})")),
        }
    }
    Outcome::Reply(report("report.dataStream", text).map(|_| Vec::new()))
}

fn dispatch(frame: AbiFrame) -> Outcome {
    fn payload<M: Message + Default>(bytes: &[u8]) -> Result<M, i32> {
        M::decode(bytes).map_err(|_| code::PROTOCOL_ERROR)
    }
    let outcome = match frame.op {
        op::GUEST_HANDLE => payload::<GuestHandleV1>(&frame.payload).and_then(|h| {
            let envelope = payload::<RpcEnvelope>(&h.rpc_envelope)?;
            Ok(route(&h.ctx, envelope))
        }),
        op::GUEST_LIFECYCLE => payload::<GuestLifecycleV1>(&frame.payload).map(lifecycle),
        op::GUEST_HOOK => payload::<GuestHookV1>(&frame.payload).map(hook),
        op::GUEST_DATA_STREAM => payload::<GuestDataStreamV1>(&frame.payload).map(data_stream),
        _ => Err(code::UNSUPPORTED_OP),
    };
    outcome.unwrap_or_else(Outcome::Code)
}

#[no_mangle]
pub unsafe extern "C" fn actr_init(vt: *const HostVTable, init: *const u8, init_len: usize) -> i32 {
    if vt.is_null() {
        return code::INIT_FAILED;
    }
    let bytes: &[u8] = if init.is_null() || init_len == 0 { &[] } else { std::slice::from_raw_parts(init, init_len) };
    let payload = match InitPayloadV1::decode(bytes) {
        Ok(p) => p,
        Err(_) => return code::PROTOCOL_ERROR,
    };
    // A test hook: this actor type refuses to start.
    if payload.actr_type == "test:refuse-init" {
        return code::INIT_FAILED;
    }
    let mut slot = INIT.lock().unwrap();
    if slot.is_some() {
        return code::INIT_FAILED;
    }
    *slot = Some(payload);
    VTABLE.store(vt as *mut HostVTable, Ordering::Release);
    code::SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn actr_handle(req: *const u8, req_len: usize, resp_out: *mut *mut u8, resp_len_out: *mut usize) -> i32 {
    if VTABLE.load(Ordering::Acquire).is_null() {
        return code::INIT_FAILED;
    }
    if req.is_null() || resp_out.is_null() || resp_len_out.is_null() {
        return code::PROTOCOL_ERROR;
    }
    let frame = match AbiFrame::decode(std::slice::from_raw_parts(req, req_len)) {
        Ok(f) => f,
        Err(_) => return code::PROTOCOL_ERROR,
    };
    let bytes = match dispatch(frame) {
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
    RESPONSES.lock().unwrap().get_or_insert_with(HashMap::new).insert(ptr as usize, len);
    *resp_out = ptr;
    *resp_len_out = len;
    code::SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn actr_free_response(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    let known = RESPONSES.lock().unwrap().get_or_insert_with(HashMap::new).remove(&(ptr as usize));
    if known != Some(len) {
        // Not ours, freed twice, or the wrong length: count it and leak rather than corrupt the heap.
        BAD_FREES.fetch_add(1, Ordering::Relaxed);
        return;
    }
    drop(Box::from_raw(ptr::slice_from_raw_parts_mut(ptr, len)));
}

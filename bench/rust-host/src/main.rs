//! A small Rust DynClib host driving the test guest (test/guest/) the way
//! the Rust host of actr does (docs/abi.md section 7): `actr_init` with a
//! static vtable, then timed round trips through `actr_handle`, each one
//! encoding the request, calling, copying and freeing the reply, decoding it.
//!
//! Usage: actr-rust-host GUEST_LIBRARY [--time MS] [--case CASE]
//! Prints `CASE NS_PER_CALL` lines for host-roundtrip-echo and host-roundtrip-callback
//! (only CASE with --case, so a caller can time each case right beside its own).

#[allow(dead_code)]
#[path = "../../../conformance/oracle/src/messages.rs"]
mod messages;

use messages::*;
use prost::Message;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[repr(C)]
struct HostVTable {
    invoke: unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32,
    free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

type InitFn = unsafe extern "C" fn(*const HostVTable, *const u8, usize) -> i32;
type HandleFn = unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32;
type FreeFn = unsafe extern "C" fn(*mut u8, usize);

const PROTOCOL_ERROR: i32 = -5;
const UNSUPPORTED_OP: i32 = -7;
const HOST_CALL: u32 = 1;
const GUEST_HANDLE: u32 = 101;

/// The host's `invoke`: answers HOST_CALL with the call's own payload (as the JS bench host does).
unsafe extern "C" fn invoke(frame: *const u8, len: usize, out: *mut *mut u8, out_len: *mut usize) -> i32 {
    if frame.is_null() || out.is_null() || out_len.is_null() {
        return PROTOCOL_ERROR;
    }
    let Ok(frame) = AbiFrame::decode(std::slice::from_raw_parts(frame, len)) else { return PROTOCOL_ERROR };
    if frame.abi_version != 1 {
        return PROTOCOL_ERROR;
    }
    if frame.op != HOST_CALL {
        return UNSUPPORTED_OP;
    }
    let Ok(call) = HostCallV1::decode(frame.payload.as_slice()) else { return PROTOCOL_ERROR };
    let reply = AbiReply { abi_version: 1, status: 0, payload: call.payload }.encode_to_vec();
    *out_len = reply.len();
    *out = if reply.is_empty() { std::ptr::null_mut() } else { Box::into_raw(reply.into_boxed_slice()) as *mut u8 };
    0
}

unsafe extern "C" fn free_host_buf(ptr: *mut u8, len: usize) {
    if !ptr.is_null() && len != 0 {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
    }
}

static VTABLE: HostVTable = HostVTable { invoke, free_host_buf };

fn actr_id(serial: u64, name: &str) -> ActrId {
    ActrId {
        realm: Realm { realm_id: 1 },
        serial_number: serial,
        r#type: ActrType { manufacturer: "acme".into(), name: name.into(), version: "1.0".into() },
    }
}

/// One round trip: encode the request frame, call, copy and free the reply, decode it.
fn round_trip(handle: HandleFn, free: FreeFn, ctx: &InvocationContextV1, route: &str, payload: &[u8]) -> Vec<u8> {
    let envelope = RpcEnvelope {
        route_key: route.into(),
        payload: Some(payload.to_vec()),
        request_id: "req-1".into(),
        timeout_ms: 1000,
        ..Default::default()
    };
    let request = GuestHandleV1 { ctx: ctx.clone(), rpc_envelope: envelope.encode_to_vec(), bridge_token: 0 };
    let frame = AbiFrame { abi_version: 1, op: GUEST_HANDLE, payload: request.encode_to_vec() }.encode_to_vec();
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut out_len = 0usize;
    let rc = unsafe { handle(frame.as_ptr(), frame.len(), &mut out, &mut out_len) };
    assert_eq!(rc, 0, "actr_handle returned {rc}");
    let bytes = if out.is_null() { Vec::new() } else { unsafe { std::slice::from_raw_parts(out, out_len) }.to_vec() };
    unsafe { free(out, out_len) };
    let reply = AbiReply::decode(bytes.as_slice()).expect("reply decodes");
    assert_eq!(reply.status, 0, "reply status {}", reply.status);
    reply.payload
}

/// Median ns per call over samples of about 1 ms, for `time`.
fn measure(time: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(20) {
        f();
        n += 1;
    }
    let batch = ((n as f64) / 20.0).max(1.0) as u64; // about 1 ms per sample
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < time || samples.len() < 5 {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        samples.push(t.elapsed().as_nanos() as f64 / batch as f64);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let library = args.get(1).expect("usage: actr-rust-host GUEST_LIBRARY [--time MS]");
    let time = match args.iter().position(|a| a == "--time") {
        Some(i) => Duration::from_millis(args[i + 1].parse().expect("--time MS")),
        None => Duration::from_millis(1000),
    };
    let only = args.iter().position(|a| a == "--case").map(|i| args[i + 1].clone());
    unsafe {
        let lib = libloading::Library::new(library).expect("load the guest");
        let init: libloading::Symbol<InitFn> = lib.get(b"actr_init").expect("actr_init");
        let handle: HandleFn = *lib.get::<HandleFn>(b"actr_handle").expect("actr_handle");
        let free: FreeFn = *lib.get::<FreeFn>(b"actr_free_response").expect("actr_free_response");
        let init_bytes = InitPayloadV1::default().encode_to_vec();
        assert_eq!(init(&VTABLE, init_bytes.as_ptr(), init_bytes.len()), 0, "actr_init failed");

        let ctx = InvocationContextV1 { self_id: actr_id(5, "test"), caller_id: Some(actr_id(9, "caller")), request_id: "req-1".into() };
        let payload: Vec<u8> = (0..256u32).map(|i| (i * 7) as u8).collect();
        for (case, route) in [("host-roundtrip-echo", "echo"), ("host-roundtrip-callback", "call")] {
            if only.as_deref().is_some_and(|c| c != case) {
                continue;
            }
            assert_eq!(round_trip(handle, free, &ctx, route, &payload), payload, "{case} answers the payload");
            let ns = measure(time, || {
                black_box(round_trip(handle, free, &ctx, route, black_box(&payload)));
            });
            println!("{case} {ns:.1}");
        }
    }
}

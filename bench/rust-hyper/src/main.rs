//! A DynClib host shaped like the actr framework's own host, for the ratios of
//! `npm run bench` (bench/host.mjs). Where bench/rust-host calls the guest
//! directly from `main`, this one pays what the framework pays per call:
//!
//! - a Tokio multi-thread runtime; the caller is an async task on it;
//! - a per-instance `tokio::sync::Mutex` that serialises entries into the image;
//! - host operations answered by an async executor (a boxed future per call,
//!   like the framework's host ABI function);
//! - generation 1 (no `actr_shutdown` export, two-slot vtable): each
//!   `actr_handle` runs in `tokio::task::spawn_blocking`; the vtable's
//!   `invoke`, called on that blocking thread, drives the executor with
//!   `Handle::block_on`;
//! - generation 2 (exports `actr_shutdown`, four-slot vtable with bridge
//!   tokens): a process-wide token registry (token -> executor, runtime handle,
//!   reference count; tokens from 1, never reused); every call registers a
//!   fresh token, sends it as `GuestHandleV1.bridge_token`, runs `actr_handle`
//!   on a new OS thread (joined from `spawn_blocking`) and drops the host's
//!   reference afterwards; `invoke(token, ..)` looks the token up, spawns the
//!   executor on the runtime and waits on a `std::sync::mpsc::sync_channel`;
//!   `actr_init` and `actr_shutdown` run on threads of their own.
//!
//! The executor answers HOST_CALL with the call's own payload, as the JS
//! bench host and bench/rust-host do.
//!
//! Usage: actr-rust-hyper GUEST_LIBRARY [--time MS] [--case CASE]
//! Prints `CASE NS_PER_CALL` lines: for a generation 1 guest
//! host-roundtrip-echo, host-roundtrip-callback and host-pipelined-echo (64
//! calls in flight, each a task of its own waiting for the instance's mutex);
//! for a generation 2 guest host-roundtrip-echo-gen2 and
//! host-roundtrip-callback-gen2. Before a case is timed its reply is checked
//! (the echo and the callback both answer the 256-byte payload); a wrong reply
//! or a failed call aborts the process.

#[allow(dead_code)]
#[path = "../../../conformance/oracle/src/messages.rs"]
mod messages;

use messages::*;
use prost::Message;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;

const SUCCESS: i32 = 0;
const GENERIC_ERROR: i32 = -1;
const PROTOCOL_ERROR: i32 = -5;
const UNSUPPORTED_OP: i32 = -7;
const HOST_CALL: u32 = 1;
const GUEST_HANDLE: u32 = 101;
/// Calls in flight in the pipelined case (bench/host.mjs's IN_FLIGHT).
const IN_FLIGHT: usize = 64;

type InitFn = unsafe extern "C" fn(*const u8, *const u8, usize) -> i32;
type HandleFn = unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32;
type FreeFn = unsafe extern "C" fn(*mut u8, usize);
type ShutdownFn = unsafe extern "C" fn() -> i32;

// ---- host operations and the async executor ---------------------------------------

/// A guest-to-host operation read from an `invoke` frame. The bench routes
/// only ever make HOST_CALL; other host ops are answered UNSUPPORTED_OP.
enum HostOperation {
    Call(HostCallV1),
}

enum HostOperationResult {
    Bytes(Vec<u8>),
    Error(i32),
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// The host side of one call into the guest: an async function of the operation.
type Executor = Arc<dyn Fn(HostOperation) -> BoxFuture<HostOperationResult> + Send + Sync>;

async fn answer(operation: HostOperation) -> HostOperationResult {
    match operation {
        HostOperation::Call(call) => HostOperationResult::Bytes(call.payload),
    }
}

fn bench_executor() -> Executor {
    Arc::new(|operation| Box::pin(answer(operation)))
}

/// The frame checks of an `invoke` (spec section 1): decode, version, op, payload.
fn decode_operation(frame: &[u8]) -> Result<HostOperation, i32> {
    let frame = AbiFrame::decode(frame).map_err(|_| PROTOCOL_ERROR)?;
    if frame.abi_version != 1 {
        return Err(PROTOCOL_ERROR);
    }
    if frame.op != HOST_CALL {
        return Err(UNSUPPORTED_OP);
    }
    let call = HostCallV1::decode(frame.payload.as_slice()).map_err(|_| PROTOCOL_ERROR)?;
    Ok(HostOperation::Call(call))
}

/// The bytes of an `invoke` frame (a null frame is empty bytes).
///
/// # Safety
/// A non-null `ptr` must be readable for `len` bytes for the lifetime of the slice.
unsafe fn frame_bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

/// Encodes the AbiReply of an operation into a host buffer the guest gives
/// back through `free_host_buf` (null with length 0 when it encodes to nothing).
///
/// # Safety
/// `out` and `out_len` must be valid for writes.
unsafe fn write_reply(result: HostOperationResult, out: *mut *mut u8, out_len: *mut usize) -> i32 {
    let reply = match result {
        HostOperationResult::Bytes(payload) => AbiReply { abi_version: 1, status: SUCCESS, payload },
        HostOperationResult::Error(status) => AbiReply { abi_version: 1, status, payload: Vec::new() },
    }
    .encode_to_vec();
    *out_len = reply.len();
    *out = if reply.is_empty() { std::ptr::null_mut() } else { Box::into_raw(reply.into_boxed_slice()) as *mut u8 };
    SUCCESS
}

/// Both generations' `free_host_buf`: the buffers are boxed byte slices of exactly `len` bytes.
unsafe extern "C" fn free_host_buf(ptr: *mut u8, len: usize) {
    if !ptr.is_null() && len != 0 {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
    }
}

// ---- generation 1: the executor of the running entry, per blocking thread ---------

#[repr(C)]
struct VTableGen1 {
    invoke: unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32,
    free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

static VTABLE_GEN1: VTableGen1 = VTableGen1 { invoke: invoke_gen1, free_host_buf };

thread_local! {
    /// Set by the blocking task around `actr_handle`: who answers the guest's
    /// `invoke` calls, which arrive on this same thread.
    static ENTRY: RefCell<Option<(Executor, Handle)>> = RefCell::new(None);
}

unsafe extern "C" fn invoke_gen1(frame: *const u8, len: usize, out: *mut *mut u8, out_len: *mut usize) -> i32 {
    if out.is_null() || out_len.is_null() {
        return PROTOCOL_ERROR;
    }
    let operation = match decode_operation(frame_bytes(frame, len)) {
        Ok(operation) => operation,
        Err(code) => return code,
    };
    let result = ENTRY.with(|entry| match entry.borrow().as_ref() {
        Some((executor, runtime)) => runtime.block_on(executor(operation)),
        None => HostOperationResult::Error(GENERIC_ERROR),
    });
    write_reply(result, out, out_len)
}

// ---- generation 2: the process-wide bridge token registry --------------------------

#[repr(C)]
struct VTableGen2 {
    retain_context: unsafe extern "C" fn(u64) -> i32,
    release_context: unsafe extern "C" fn(u64),
    invoke: unsafe extern "C" fn(u64, *const u8, usize, *mut *mut u8, *mut usize) -> i32,
    free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

static VTABLE_GEN2: VTableGen2 = VTableGen2 { retain_context, release_context, invoke: invoke_gen2, free_host_buf };

struct Bridge {
    executor: Executor,
    runtime: Handle,
    references: usize,
}

fn bridges() -> &'static Mutex<HashMap<u64, Bridge>> {
    static BRIDGES: OnceLock<Mutex<HashMap<u64, Bridge>>> = OnceLock::new();
    BRIDGES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Tokens count from 1 and are never handed out twice.
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// The host's own reference to a call's token: registered with one reference
/// before the call, released when the call is over (a guest task that
/// retained the token keeps the entry alive after that).
struct TokenGuard(u64);

impl TokenGuard {
    fn register(executor: &Executor) -> Self {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        let bridge = Bridge { executor: executor.clone(), runtime: Handle::current(), references: 1 };
        bridges().lock().expect("bridge registry").insert(token, bridge);
        TokenGuard(token)
    }
}

impl Drop for TokenGuard {
    fn drop(&mut self) {
        release_token(self.0);
    }
}

fn release_token(token: u64) {
    let Ok(mut registry) = bridges().lock() else { return };
    if let Some(bridge) = registry.get_mut(&token) {
        bridge.references -= 1;
        if bridge.references == 0 {
            registry.remove(&token);
        }
    }
}

unsafe extern "C" fn retain_context(token: u64) -> i32 {
    let Ok(mut registry) = bridges().lock() else { return GENERIC_ERROR };
    match registry.get_mut(&token) {
        Some(bridge) => {
            bridge.references += 1;
            SUCCESS
        }
        None => GENERIC_ERROR,
    }
}

unsafe extern "C" fn release_context(token: u64) {
    release_token(token);
}

unsafe extern "C" fn invoke_gen2(token: u64, frame: *const u8, len: usize, out: *mut *mut u8, out_len: *mut usize) -> i32 {
    if out.is_null() || out_len.is_null() {
        return PROTOCOL_ERROR;
    }
    let operation = match decode_operation(frame_bytes(frame, len)) {
        Ok(operation) => operation,
        Err(code) => return code,
    };
    let found = bridges().lock().ok().and_then(|registry| registry.get(&token).map(|b| (b.executor.clone(), b.runtime.clone())));
    let Some((executor, runtime)) = found else {
        return write_reply(HostOperationResult::Error(GENERIC_ERROR), out, out_len);
    };
    // The guest's thread (its actr_handle thread or one of its own runtime's
    // workers) waits while the operation runs on the host's runtime.
    let (done, result) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = done.send(executor(operation).await);
    });
    let result = result.recv().unwrap_or(HostOperationResult::Error(GENERIC_ERROR));
    write_reply(result, out, out_len)
}

// ---- the loaded guest ---------------------------------------------------------------

struct Guest {
    /// Keeps the image mapped while the function pointers below are used.
    _library: libloading::Library,
    handle: HandleFn,
    free_response: FreeFn,
    /// Present for a generation 2 guest (the export that tells the generations apart).
    shutdown: Option<ShutdownFn>,
    /// One entry into the image at a time.
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl Guest {
    /// Loads the library, tells its generation by `actr_shutdown` and runs
    /// `actr_init` with that generation's vtable (generation 2: on a thread of its own).
    fn load(path: &str) -> Guest {
        unsafe {
            let library = libloading::Library::new(path).expect("load the guest");
            let init: InitFn = *library.get::<InitFn>(b"actr_init").expect("actr_init");
            let handle: HandleFn = *library.get::<HandleFn>(b"actr_handle").expect("actr_handle");
            let free_response: FreeFn = *library.get::<FreeFn>(b"actr_free_response").expect("actr_free_response");
            let shutdown: Option<ShutdownFn> = library.get::<ShutdownFn>(b"actr_shutdown").ok().map(|s| *s);
            let init_bytes = InitPayloadV1::default().encode_to_vec();
            let rc = match shutdown {
                None => init(&VTABLE_GEN1 as *const VTableGen1 as *const u8, init_bytes.as_ptr(), init_bytes.len()),
                Some(_) => std::thread::Builder::new()
                    .name("actr-dynclib-init".into())
                    .spawn(move || init(&VTABLE_GEN2 as *const VTableGen2 as *const u8, init_bytes.as_ptr(), init_bytes.len()))
                    .expect("start actr_init")
                    .join()
                    .expect("actr_init panicked"),
            };
            assert_eq!(rc, SUCCESS, "actr_init returned {rc}");
            Guest { _library: library, handle, free_response, shutdown, gate: Arc::new(tokio::sync::Mutex::new(())) }
        }
    }

    fn generation(&self) -> u32 {
        if self.shutdown.is_some() { 2 } else { 1 }
    }

    /// One request: encode, enter the guest the generation's way, decode the reply.
    async fn call(&self, request: &Request, executor: &Executor) -> Result<Vec<u8>, String> {
        match self.shutdown {
            None => self.call_gen1(request, executor).await,
            Some(_) => self.call_gen2(request, executor).await,
        }
    }

    async fn call_gen1(&self, request: &Request, executor: &Executor) -> Result<Vec<u8>, String> {
        let frame = request.encode(0);
        let (handle, free_response) = (self.handle, self.free_response);
        let entry = (executor.clone(), Handle::current());
        let gate = self.gate.clone().lock_owned().await;
        let raw = tokio::task::spawn_blocking(move || {
            let _gate = gate;
            ENTRY.with(|current| *current.borrow_mut() = Some(entry));
            let raw = unsafe { enter(handle, free_response, &frame) };
            ENTRY.with(|current| *current.borrow_mut() = None);
            raw
        })
        .await
        .map_err(|e| format!("the actr_handle task failed: {e}"))??;
        read_reply(&raw)
    }

    async fn call_gen2(&self, request: &Request, executor: &Executor) -> Result<Vec<u8>, String> {
        let token = TokenGuard::register(executor);
        let frame = request.encode(token.0);
        let (handle, free_response) = (self.handle, self.free_response);
        let gate = self.gate.clone().lock_owned().await;
        // A fresh OS thread per entry (so guest thread-locals die with it), joined off the runtime's workers.
        let thread = std::thread::Builder::new()
            .name("actr-dynclib-handle".into())
            .spawn(move || {
                let _gate = gate;
                unsafe { enter(handle, free_response, &frame) }
            })
            .map_err(|e| format!("could not start actr_handle: {e}"))?;
        let raw = tokio::task::spawn_blocking(move || thread.join())
            .await
            .map_err(|e| format!("could not join actr_handle: {e}"))?
            .map_err(|_| "actr_handle panicked".to_string())??;
        drop(token);
        read_reply(&raw)
    }

    /// `actr_shutdown` of a generation 2 guest, behind the gate, on a thread of its own.
    async fn shut_down(&self) -> Result<(), String> {
        let Some(shutdown) = self.shutdown else { return Ok(()) };
        let gate = self.gate.clone().lock_owned().await;
        let thread = std::thread::spawn(move || {
            let _gate = gate;
            unsafe { shutdown() }
        });
        let rc = tokio::task::spawn_blocking(move || thread.join()).await.map_err(|e| e.to_string())?.map_err(|_| "actr_shutdown panicked".to_string())?;
        if rc == SUCCESS { Ok(()) } else { Err(format!("actr_shutdown returned {rc}")) }
    }
}

/// Calls `actr_handle` once: copies the guest's reply and gives its buffer back.
///
/// # Safety
/// `handle` and `free_response` are the guest's exports.
unsafe fn enter(handle: HandleFn, free_response: FreeFn, frame: &[u8]) -> Result<Vec<u8>, String> {
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut out_len = 0usize;
    let rc = handle(frame.as_ptr(), frame.len(), &mut out, &mut out_len);
    let raw = if out.is_null() || out_len == 0 { Vec::new() } else { std::slice::from_raw_parts(out, out_len).to_vec() };
    if !out.is_null() {
        free_response(out, out_len);
    }
    if rc != SUCCESS {
        return Err(format!("actr_handle returned {rc}"));
    }
    Ok(raw)
}

fn read_reply(raw: &[u8]) -> Result<Vec<u8>, String> {
    let reply = AbiReply::decode(raw).map_err(|e| format!("the reply does not decode: {e}"))?;
    if reply.status != SUCCESS {
        return Err(format!("the guest answered status {}: {}", reply.status, String::from_utf8_lossy(&reply.payload)));
    }
    Ok(reply.payload)
}

/// What every implementation of bench/host.mjs sends: an RpcEnvelope to `route` with the payload, and its context.
struct Request {
    ctx: InvocationContextV1,
    route: &'static str,
    payload: Vec<u8>,
}

impl Request {
    fn encode(&self, bridge_token: u64) -> Vec<u8> {
        let envelope = RpcEnvelope {
            route_key: self.route.into(),
            payload: Some(self.payload.clone()),
            request_id: "req-1".into(),
            timeout_ms: 1000,
            ..Default::default()
        };
        let request = GuestHandleV1 { ctx: self.ctx.clone(), rpc_envelope: envelope.encode_to_vec(), bridge_token };
        AbiFrame { abi_version: 1, op: GUEST_HANDLE, payload: request.encode_to_vec() }.encode_to_vec()
    }
}

fn actr_id(serial: u64, name: &str) -> ActrId {
    ActrId {
        realm: Realm { realm_id: 1 },
        serial_number: serial,
        r#type: ActrType { manufacturer: "acme".into(), name: name.into(), version: "1.0".into() },
    }
}

// ---- timing ---------------------------------------------------------------------------

/// Median ns per call of `run` (`calls` calls per run) over samples of about
/// 1 ms for `time`, after 50 ms of unmeasured runs.
async fn measure<F, Fut>(time: Duration, calls: usize, mut run: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(50) {
        run().await;
        n += 1;
    }
    let batch = ((n as f64) / 50.0).max(1.0) as u64;
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < time || samples.len() < 5 {
        let t = Instant::now();
        for _ in 0..batch {
            run().await;
        }
        samples.push(t.elapsed().as_nanos() as f64 / (batch as f64 * calls as f64));
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

/// `IN_FLIGHT` calls at once, each a task of its own waiting for the gate; the replies in order.
async fn window(guest: &Arc<Guest>, request: &Arc<Request>, executor: &Executor) -> Vec<Result<Vec<u8>, String>> {
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (guest, request, executor) = (guest.clone(), request.clone(), executor.clone());
            tokio::spawn(async move { guest.call(&request, &executor).await })
        })
        .collect();
    let mut replies = Vec::with_capacity(IN_FLIGHT);
    for task in tasks {
        replies.push(task.await.unwrap_or_else(|e| Err(format!("the task failed: {e}"))));
    }
    replies
}

/// Times one case; panics when a reply is not the payload.
async fn run_case(guest: Arc<Guest>, case: &'static str, route: &'static str, pipelined: bool, time: Duration) -> f64 {
    let ctx = InvocationContextV1 { self_id: actr_id(5, "test"), caller_id: Some(actr_id(9, "caller")), request_id: "req-1".into() };
    let payload: Vec<u8> = (0..256u32).map(|i| (i * 7) as u8).collect();
    let request = Arc::new(Request { ctx, route, payload: payload.clone() });
    let executor = bench_executor();
    if pipelined {
        for reply in window(&guest, &request, &executor).await {
            assert_eq!(reply.unwrap_or_else(|e| panic!("{case}: {e}")), payload, "{case} answers the payload");
        }
        measure(time, IN_FLIGHT, || async {
            for reply in window(&guest, &request, &executor).await {
                black_box(reply.unwrap_or_else(|e| panic!("{case}: {e}")));
            }
        })
        .await
    } else {
        let reply = guest.call(&request, &executor).await.unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(reply, payload, "{case} answers the payload");
        measure(time, 1, || async {
            black_box(guest.call(&request, &executor).await.unwrap_or_else(|e| panic!("{case}: {e}")));
        })
        .await
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: actr-rust-hyper GUEST_LIBRARY [--time MS] [--case CASE]";
    let library = args.get(1).expect(usage).clone();
    let time = match args.iter().position(|a| a == "--time") {
        Some(i) => Duration::from_millis(args.get(i + 1).and_then(|t| t.parse().ok()).expect(usage)),
        None => Duration::from_millis(1000),
    };
    let only = args.iter().position(|a| a == "--case").map(|i| args.get(i + 1).expect(usage).clone());

    let runtime = tokio::runtime::Builder::new_multi_thread().build().expect("a Tokio runtime");
    let guest = Arc::new(Guest::load(&library));
    // (case, route, pipelined) per generation.
    let cases: &[(&'static str, &'static str, bool)] = match guest.generation() {
        1 => &[("host-roundtrip-echo", "echo", false), ("host-roundtrip-callback", "call", false), ("host-pipelined-echo", "echo", true)],
        _ => &[("host-roundtrip-echo-gen2", "echo", false), ("host-roundtrip-callback-gen2", "call", false)],
    };
    if let Some(case) = &only {
        if !cases.iter().any(|(id, _, _)| id == case) {
            eprintln!("actr-rust-hyper: {case} is not a case for a generation {} guest", guest.generation());
            std::process::exit(2);
        }
    }
    // The caller is a task on the runtime, as a framework request handler is.
    let driver = guest.clone();
    runtime
        .block_on(runtime.spawn(async move {
            for &(case, route, pipelined) in cases {
                if only.as_deref().is_some_and(|c| c != case) {
                    continue;
                }
                let ns = run_case(driver.clone(), case, route, pipelined, time).await;
                println!("{case} {ns:.1}");
            }
            driver.shut_down().await.expect("actr_shutdown");
        }))
        .expect("the bench task");
    if let Some(leaked) = bridges().lock().ok().map(|registry| registry.len()).filter(|n| *n != 0) {
        eprintln!("actr-rust-hyper: {leaked} bridge tokens still registered");
    }
}

//! The second-generation ("bridge token") DynClib test guest of
//! `@actr/dynclib-abi/host`: the same test actor as the first-generation guest
//! (`test/guest`, whose `actor.rs` this crate includes), behind the C contract
//! of the ABI's second generation (actr 0.5.4 / 0.4.21 and later):
//!
//! - a four-slot `HostVTable` (`retain_context`, `release_context`,
//!   `invoke` with a token, `free_host_buf`) and a fourth export,
//!   `actr_shutdown`;
//! - a Tokio multi-thread runtime of the guest's own, built by `actr_init`
//!   (1 worker thread, or `ACTR_DYNCLIB_WORKER_THREADS`), on which every
//!   handler really awaits: `actr_handle` drives it with `block_on` on the
//!   thread that called it, so host calls made inside a handler come from that
//!   thread, while background tasks call the host from the runtime's workers
//!   or from threads of their own;
//! - the request's `bridge_token`: a context made from a handle, lifecycle or
//!   hook request retains it, as does every clone, and each one releases it
//!   when dropped; every `invoke` carries the token of the current call
//!   (inside `actr_handle`) or that of the context a background task holds.
//!
//! Routes (`RpcEnvelope.route_key`): every route of `test/guest` (see the
//! table in `actor.rs`: `echo`, `context`, `init`, `call`, `tell`, ...,
//! `frame.*`), with the same replies, texts and codes, plus these. Payloads
//! and replies are UTF-8 text; a delay is a decimal number of milliseconds
//! (empty payload = the default); a payload that is not one fails with
//! `invalid argument: ...`.
//!
//! | route | payload | what it does | reply |
//! |---|---|---|---|
//! | `token` | - | the request's `bridge_token` | e.g. `17` |
//! | `stats` | - | the bookkeeping of `test/guest`, then the token balance | `outstanding=N hostBufsFreed=N badFrees=N retained=R released=B live=L retainFailed=F tasks=T workers=W` |
//! | `sleep` | delay, default 10 | awaits a Tokio timer inside the handler | `slept` |
//! | `spawnCall` | delay, default 20 | a managed task holding a cloned context waits the delay, makes the HOST_CALL of `call` (`peer.Echo/Ping` to the shell, payload `spawnCall`), then tells `report.spawnCall` with `reply=<answer>` or `error=<Display>`, then drops its context | `spawned`, at once |
//! | `spawnForever` | - | a managed task holding a cloned context waits forever; `actr_shutdown` aborts it (its context is then released) | `spawned` |
//! | `spawnStuck` | delay, default shutdown timeout + 1 s | a managed task holding a cloned context blocks its worker thread (`std::thread::sleep`) for the delay, never yielding: `actr_shutdown` then times out and returns -1 | `spawned`, once the task has started blocking |
//! | `spawnCallWait` | call payload | a managed task holding a cloned context makes the HOST_CALL of `call` from a runtime worker thread and drops its context; the handler awaits its answer | the answer, as `call` |
//! | `tokenCall` | a bridge token, decimal | a HOST_CALL naming that token (payload `tokenCall`), from a task outside the handler's scope, the handler waiting for it | `reply=<answer>` or `error=<Display>` |
//! | `threadCall` | delay, default 20 | as `spawnCall`, from a plain `std::thread` (payload `threadCall`, report `report.threadCall`) | `spawned`, at once |
//!
//! `stats` fields: `retained` counts successful `retain_context` calls,
//! `released` the `release_context` calls, `live` the contexts alive now
//! (including the one of the `stats` call itself, so 1 when nothing else holds
//! a context), `retainFailed` the `retain_context` calls that returned non-zero,
//! `tasks` the background tasks and threads not finished, `workers` the
//! runtime's worker threads (0 when not running). The counters are kept for
//! the life of the loaded image, across shutdowns.
//!
//! Choices this guest makes where the contract leaves room:
//! - A context that cannot be made (`retain_context` returned non-zero) fails
//!   the call as the actor's failure: `actr_handle` returns SUCCESS with an
//!   `AbiReply` of status HANDLE_FAILED and the text `internal error: failed to
//!   retain bridge token <t>: status <rc>`, and the actor does not run. A
//!   clone whose retain fails is a context that never releases. Data-stream
//!   deliveries make no context: their host calls carry the request's token
//!   without retaining it.
//! - The frame-level checks (unknown op, payload or envelope that does not
//!   decode, unknown hook, missing hook event) come before the context is
//!   made, so those codes involve no retain.
//! - `actr_shutdown` also waits (in the same bounded wait) for the plain
//!   threads of `threadCall`, which cannot be aborted: no guest code runs
//!   after a successful shutdown. It returns -1 (GENERIC_ERROR) on timeout,
//!   and again on every later call; it returns 0 before any init.
//! - A panic inside a handler makes `actr_handle` return GENERIC_ERROR.
//!
//! Environment: `ACTR_DYNCLIB_WORKER_THREADS` (read by `actr_init`: a
//! positive integer, else `actr_init` returns INIT_FAILED);
//! `ACTR_TEST_SHUTDOWN_TIMEOUT_MS` (read by `actr_shutdown` and `spawnStuck`:
//! shortens the 5 s shutdown wait for tests; values above 5000 or not numbers
//! are ignored).

#![allow(clippy::missing_safety_doc)]

#[allow(dead_code)]
#[path = "../../../conformance/oracle/src/messages.rs"]
mod messages;

#[path = "../../guest/src/actor.rs"]
mod actor;

use actor::{code, lock, op, ActrError, Host, Outcome, Request};
use messages::{AbiFrame, RpcEnvelope};
use prost::Message;
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The host's callback table of the second generation, as the host hands it
/// to `actr_init`: four function pointers, in this order.
#[repr(C)]
pub struct HostVTable {
    /// Takes one more reference on a token: 0 when the host knows it.
    pub retain_context: unsafe extern "C" fn(u64) -> i32,
    /// Gives one reference on a token back.
    pub release_context: unsafe extern "C" fn(u64),
    /// One guest-to-host `AbiFrame`, on behalf of the call the token names.
    pub invoke: unsafe extern "C" fn(u64, *const u8, usize, *mut *mut u8, *mut usize) -> i32,
    /// Gives a reply buffer of `invoke` back to the host.
    pub free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

/// The environment variable that sets the runtime's worker threads.
const WORKER_THREADS_ENV: &str = "ACTR_DYNCLIB_WORKER_THREADS";
/// The environment variable that shortens `actr_shutdown`'s wait (tests only).
const SHUTDOWN_TIMEOUT_ENV: &str = "ACTR_TEST_SHUTDOWN_TIMEOUT_MS";
/// How long `actr_shutdown` waits for aborted tasks at most.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

tokio::task_local! {
    /// The bridge token of the `actr_handle` call whose handler is running:
    /// set only inside the future `actr_handle` drives, so background tasks
    /// and threads never see it.
    static CALL_TOKEN: u64;
}

/// Successful `retain_context` calls.
static RETAINED: AtomicU64 = AtomicU64::new(0);
/// `release_context` calls.
static RELEASED: AtomicU64 = AtomicU64::new(0);
/// `retain_context` calls that the host refused.
static RETAIN_FAILED: AtomicU64 = AtomicU64::new(0);
/// Contexts that hold a reference now.
static LIVE: AtomicU64 = AtomicU64::new(0);

/// The vtable of the running actor (set by `actr_init`).
static VTABLE: AtomicPtr<HostVTable> = AtomicPtr::new(ptr::null_mut());

/// Serialises the entries that drive or tear down the runtime
/// (`actr_init`, `actr_handle`, `actr_shutdown`), whatever the host does.
static ENTRY: Mutex<()> = Mutex::new(());

/// What the loaded image is doing.
static STATE: Mutex<State> = Mutex::new(State::Idle);

enum State {
    /// Before the first `actr_init`, and after a successful `actr_shutdown`.
    Idle,
    /// Between `actr_init` and `actr_shutdown`.
    Running(Running),
    /// Inside `actr_shutdown`, while it waits for the tasks.
    ShuttingDown,
    /// A shutdown timed out: guest code may still run; no new init.
    Wedged,
}

/// The runtime of a running actor, with the background work it must stop.
struct Running {
    runtime: tokio::runtime::Runtime,
    workers: usize,
    /// Managed tasks (aborted by `actr_shutdown`); finished ones are pruned on spawn.
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Plain threads (`threadCall`), waited for by `actr_shutdown`.
    threads: Vec<std::thread::JoinHandle<()>>,
}

/// The host as seen with one token, without a reference of its own.
#[derive(Clone, Copy)]
struct Bridge {
    vt: *const HostVTable,
    token: u64,
}

// SAFETY: the vtable is immutable and its callbacks may be called from any
// thread (the second generation's host does not serialise them).
unsafe impl Send for Bridge {}
unsafe impl Sync for Bridge {}

impl Host for Bridge {
    unsafe fn invoke(&self, frame: *const u8, frame_len: usize, reply_out: *mut *mut u8, reply_len_out: *mut usize) -> i32 {
        // Inside a handler, the current call's token; elsewhere, the one this bridge holds.
        let token = CALL_TOKEN.try_with(|t| *t).unwrap_or(self.token);
        ((*self.vt).invoke)(token, frame, frame_len, reply_out, reply_len_out)
    }

    unsafe fn free_host_buf(&self, ptr: *mut u8, len: usize) {
        ((*self.vt).free_host_buf)(ptr, len)
    }
}

/// An invocation context: a bridge that holds a reference on its token for
/// as long as it lives (retained when made and on every clone, released when
/// dropped).
struct Context {
    bridge: Bridge,
    /// Whether this context's retain succeeded (and so whether drop releases).
    retained: bool,
}

impl Context {
    /// Retains `bridge.token` and returns the context holding it, or the
    /// actor's error when the host refuses the token.
    fn retain(bridge: Bridge) -> Result<Context, ActrError> {
        match Self::retain_token(bridge) {
            0 => Ok(Context { bridge, retained: true }),
            rc => Err(ActrError::Internal(format!("failed to retain bridge token {}: status {rc}", bridge.token))),
        }
    }

    /// Calls `retain_context` and counts the outcome.
    fn retain_token(bridge: Bridge) -> i32 {
        // SAFETY: the host keeps the vtable valid for the rest of the process (docs/abi.md section 7).
        let rc = unsafe { ((*bridge.vt).retain_context)(bridge.token) };
        if rc == code::SUCCESS {
            RETAINED.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_add(1, Ordering::Relaxed);
        } else {
            RETAIN_FAILED.fetch_add(1, Ordering::Relaxed);
        }
        rc
    }
}

impl Clone for Context {
    /// A clone holds a reference of its own; if the host refuses it, the
    /// clone still carries the token but never releases it.
    fn clone(&self) -> Context {
        Context { bridge: self.bridge, retained: Self::retain_token(self.bridge) == code::SUCCESS }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if self.retained {
            // SAFETY: as in `retain_token`.
            unsafe { ((*self.bridge.vt).release_context)(self.bridge.token) };
            RELEASED.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Host for Context {
    unsafe fn invoke(&self, frame: *const u8, frame_len: usize, reply_out: *mut *mut u8, reply_len_out: *mut usize) -> i32 {
        self.bridge.invoke(frame, frame_len, reply_out, reply_len_out)
    }

    unsafe fn free_host_buf(&self, ptr: *mut u8, len: usize) {
        self.bridge.free_host_buf(ptr, len)
    }
}

/// The runtime's worker threads: 1, or `ACTR_DYNCLIB_WORKER_THREADS` when it
/// holds a positive integer; `None` when it holds anything else.
fn worker_threads() -> Option<usize> {
    match std::env::var(WORKER_THREADS_ENV) {
        Err(std::env::VarError::NotPresent) => Some(1),
        Err(std::env::VarError::NotUnicode(_)) => None,
        Ok(value) => value.parse::<NonZeroUsize>().ok().map(NonZeroUsize::get),
    }
}

/// `actr_shutdown`'s wait: 5 s, or less when `ACTR_TEST_SHUTDOWN_TIMEOUT_MS` says so.
fn shutdown_timeout() -> Duration {
    std::env::var(SHUTDOWN_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(SHUTDOWN_TIMEOUT, |ms| Duration::from_millis(ms).min(SHUTDOWN_TIMEOUT))
}

/// Starts a managed task on the actor's runtime (one `actr_shutdown` aborts).
fn spawn_task<F: std::future::Future<Output = ()> + Send + 'static>(task: F) -> Result<(), ActrError> {
    match &mut *lock(&STATE) {
        State::Running(running) => {
            running.tasks.retain(|t| !t.is_finished());
            let handle = running.runtime.spawn(task);
            running.tasks.push(handle);
            Ok(())
        }
        _ => Err(ActrError::Unavailable("the guest runtime is not running".into())),
    }
}

/// Starts a plain OS thread that `actr_shutdown` waits for.
fn spawn_thread<F: FnOnce() + Send + 'static>(work: F) -> Result<(), ActrError> {
    match &mut *lock(&STATE) {
        State::Running(running) => {
            running.threads.retain(|t| !t.is_finished());
            let handle = std::thread::Builder::new()
                .name("actr-gen2-thread".into())
                .spawn(work)
                .map_err(|e| ActrError::Internal(format!("cannot start a thread: {e}")))?;
            running.threads.push(handle);
            Ok(())
        }
        _ => Err(ActrError::Unavailable("the guest runtime is not running".into())),
    }
}

/// A delay in milliseconds from a route's payload (empty = `default_ms`).
fn delay(payload: &[u8], default_ms: u64) -> Result<Duration, ActrError> {
    if payload.is_empty() {
        return Ok(Duration::from_millis(default_ms));
    }
    std::str::from_utf8(payload)
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .ok_or_else(|| ActrError::InvalidArgument(format!("expected a delay in milliseconds, got {:?}", String::from_utf8_lossy(payload))))
}

/// The HOST_CALL of a background route, then its `report.<route>` tell:
/// `reply=<answer>` or `error=<Display>`.
fn call_and_report(host: &dyn Host, route: &str) {
    let text = match actor::invoke(host, op::HOST_CALL, &actor::ping_call(route.as_bytes().to_vec())) {
        Ok(answer) => format!("reply={}", String::from_utf8_lossy(&answer)),
        Err(e) => format!("error={e}"),
    };
    // Nobody to tell when the tell itself fails: the host sees it anyway.
    let _ = actor::report(host, &format!("report.{route}"), text);
}

/// The `stats` reply: the shared bookkeeping, then the token balance.
fn stats() -> String {
    let (tasks, workers) = match &*lock(&STATE) {
        State::Running(r) => (r.tasks.iter().filter(|t| !t.is_finished()).count() + r.threads.iter().filter(|t| !t.is_finished()).count(), r.workers),
        _ => (0, 0),
    };
    format!(
        "{} retained={} released={} live={} retainFailed={} tasks={tasks} workers={workers}",
        actor::stats_text(),
        RETAINED.load(Ordering::Relaxed),
        RELEASED.load(Ordering::Relaxed),
        LIVE.load(Ordering::Relaxed),
        RETAIN_FAILED.load(Ordering::Relaxed),
    )
}

/// The routes only this guest has (see the table above), or `None` to leave
/// the envelope to the shared actor.
async fn gen2_route(ctx: &Context, envelope: &RpcEnvelope) -> Option<Result<Vec<u8>, ActrError>> {
    let p = envelope.payload.as_deref().unwrap_or_default();
    let spawned = |started: Result<(), ActrError>| started.map(|_| b"spawned".to_vec());
    Some(match envelope.route_key.as_str() {
        "token" => Ok(ctx.bridge.token.to_string().into_bytes()),
        "stats" => Ok(stats().into_bytes()),
        "sleep" => match delay(p, 10) {
            Ok(d) => {
                tokio::time::sleep(d).await;
                Ok(b"slept".to_vec())
            }
            Err(e) => Err(e),
        },
        "spawnCall" => delay(p, 20).and_then(|d| {
            let held = ctx.clone();
            spawned(spawn_task(async move {
                tokio::time::sleep(d).await;
                call_and_report(&held, "spawnCall");
                drop(held);
            }))
        }),
        "spawnForever" => {
            let held = ctx.clone();
            spawned(spawn_task(async move {
                let _held = held;
                std::future::pending::<()>().await;
            }))
        }
        "spawnStuck" => match delay(p, (shutdown_timeout() + Duration::from_secs(1)).as_millis() as u64) {
            Ok(d) => {
                let held = ctx.clone();
                let (started, has_started) = tokio::sync::oneshot::channel::<()>();
                match spawn_task(async move {
                    let _held = held;
                    let _ = started.send(());
                    // Blocks the worker without ever yielding: abort cannot stop it.
                    std::thread::sleep(d);
                }) {
                    // Reply only once the task is blocking, so a shutdown right after cannot cancel it unstarted.
                    Ok(()) => match has_started.await {
                        Ok(()) => Ok(b"spawned".to_vec()),
                        Err(_) => Err(ActrError::Internal("the stuck task ended before it started".into())),
                    },
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        },
        "spawnCallWait" => {
            let held = ctx.clone();
            let payload = p.to_vec();
            let (answer, answered) = tokio::sync::oneshot::channel();
            match spawn_task(async move {
                let result = actor::invoke(&held, op::HOST_CALL, &actor::ping_call(payload));
                // Released before the handler can reply.
                drop(held);
                let _ = answer.send(result);
            }) {
                Ok(()) => answered.await.unwrap_or_else(|_| Err(ActrError::Internal("the background call ended without an answer".into()))),
                Err(e) => Err(e),
            }
        }
        "tokenCall" => match std::str::from_utf8(p).ok().and_then(|t| t.parse::<u64>().ok()) {
            // A HOST_CALL naming the token in the payload (one the host may never have issued, or
            // has released), from a task outside the handler's scope; replies `reply=..` or `error=..`.
            Some(token) => {
                let named = Bridge { vt: ctx.bridge.vt, token };
                let (answer, answered) = tokio::sync::oneshot::channel();
                match spawn_task(async move {
                    let result = actor::invoke(&named, op::HOST_CALL, &actor::ping_call(b"tokenCall".to_vec()));
                    let _ = answer.send(result);
                }) {
                    Ok(()) => match answered.await {
                        Ok(Ok(reply)) => Ok(format!("reply={}", String::from_utf8_lossy(&reply)).into_bytes()),
                        Ok(Err(e)) => Ok(format!("error={e}").into_bytes()),
                        Err(_) => Err(ActrError::Internal("the token call ended without an answer".into())),
                    },
                    Err(e) => Err(e),
                }
            }
            None => Err(ActrError::InvalidArgument(format!("expected a bridge token, got {:?}", String::from_utf8_lossy(p)))),
        },
        "threadCall" => delay(p, 20).and_then(|d| {
            let held = ctx.clone();
            spawned(spawn_thread(move || {
                std::thread::sleep(d);
                call_and_report(&held, "threadCall");
                drop(held);
            }))
        }),
        _ => return None,
    })
}

/// Runs one checked request inside `actr_handle`'s `block_on`: makes its
/// context (not for a data stream), then runs this guest's own routes or the
/// shared actor. The context is dropped (released) before the call returns.
async fn serve(bridge: Bridge, request: Request) -> Outcome {
    if let Request::DataStream(_) = request {
        return actor::run(&bridge, request);
    }
    let ctx = match Context::retain(bridge) {
        Ok(ctx) => ctx,
        Err(e) => return Outcome::Reply(Err(e)),
    };
    if let Request::Handle(_, envelope) = &request {
        if let Some(result) = gen2_route(&ctx, envelope).await {
            return Outcome::Reply(result);
        }
    }
    actor::run(&ctx, request)
}

/// Starts the actor: checks the vtable and init payload as the first
/// generation does, then builds the runtime. INIT_FAILED while running, after
/// a shutdown that timed out, and for an invalid `ACTR_DYNCLIB_WORKER_THREADS`.
#[no_mangle]
pub unsafe extern "C" fn actr_init(vt: *const HostVTable, init: *const u8, init_len: usize) -> i32 {
    if vt.is_null() {
        return code::INIT_FAILED;
    }
    let payload = match actor::decode_init(init, init_len) {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    let _entry = lock(&ENTRY);
    let mut state = lock(&STATE);
    if !matches!(*state, State::Idle) {
        return code::INIT_FAILED;
    }
    let Some(workers) = worker_threads() else {
        return code::INIT_FAILED;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_time().thread_name("actr-gen2-worker").build() {
        Ok(r) => r,
        Err(_) => return code::INIT_FAILED,
    };
    *lock(&actor::INIT) = Some(payload);
    VTABLE.store(vt as *mut HostVTable, Ordering::Release);
    *state = State::Running(Running { runtime, workers, tasks: Vec::new(), threads: Vec::new() });
    code::SUCCESS
}

/// One host-to-guest frame, with the codes of the first generation; the
/// handler runs on the calling thread, under the request's bridge token.
#[no_mangle]
pub unsafe extern "C" fn actr_handle(req: *const u8, req_len: usize, resp_out: *mut *mut u8, resp_len_out: *mut usize) -> i32 {
    let _entry = lock(&ENTRY);
    let runtime = match &*lock(&STATE) {
        State::Running(running) => running.runtime.handle().clone(),
        _ => return code::INIT_FAILED,
    };
    if req.is_null() || resp_out.is_null() || resp_len_out.is_null() {
        return code::PROTOCOL_ERROR;
    }
    let frame = match AbiFrame::decode(std::slice::from_raw_parts(req, req_len)) {
        Ok(f) => f,
        Err(_) => return code::PROTOCOL_ERROR,
    };
    let request = match actor::decode_request(&frame) {
        Ok(request) => request,
        Err(rc) => return rc,
    };
    let bridge = Bridge { vt: VTABLE.load(Ordering::Acquire), token: request.bridge_token() };
    match catch_unwind(AssertUnwindSafe(|| runtime.block_on(CALL_TOKEN.scope(bridge.token, serve(bridge, request))))) {
        Ok(outcome) => actor::write_reply(outcome, resp_out, resp_len_out),
        Err(_) => code::GENERIC_ERROR,
    }
}

#[no_mangle]
pub unsafe extern "C" fn actr_free_response(ptr: *mut u8, len: usize) {
    actor::free_response(ptr, len)
}

/// Stops the actor: aborts the managed tasks and waits (at most 5 s, or
/// `ACTR_TEST_SHUTDOWN_TIMEOUT_MS`) for them and for the `threadCall` threads,
/// then drops the runtime and forgets the init payload: 0, and the image
/// accepts a new `actr_init`. On timeout the runtime is left to wind down in
/// the background and the image refuses every later `actr_init`: -1. 0 when
/// not running; -1 again after a shutdown that timed out.
#[no_mangle]
pub extern "C" fn actr_shutdown() -> i32 {
    let _entry = lock(&ENTRY);
    let running = {
        let mut state = lock(&STATE);
        match std::mem::replace(&mut *state, State::ShuttingDown) {
            State::Running(running) => running,
            State::Idle => {
                *state = State::Idle;
                return code::SUCCESS;
            }
            other => {
                *state = other;
                return code::GENERIC_ERROR;
            }
        }
    };
    let Running { runtime, tasks, threads, .. } = running;
    for task in &tasks {
        task.abort();
    }
    let deadline = Instant::now() + shutdown_timeout();
    loop {
        let unfinished = tasks.iter().filter(|t| !t.is_finished()).count() + threads.iter().filter(|t| !t.is_finished()).count();
        if unfinished == 0 {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            // Guest code is still running: leave it be, and never start again.
            runtime.shutdown_background();
            *lock(&STATE) = State::Wedged;
            return code::GENERIC_ERROR;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(5)));
    }
    for thread in threads {
        let _ = thread.join();
    }
    drop(tasks);
    drop(runtime);
    *lock(&actor::INIT) = None;
    *lock(&STATE) = State::Idle;
    code::SUCCESS
}

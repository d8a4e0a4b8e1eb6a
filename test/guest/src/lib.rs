//! The DynClib test guest of `@actr/dynclib-abi/host`: one actor that
//! exercises every guest op and every host op of the ABI (docs/abi.md
//! sections 1 and 7), including the frame-level failures, so the host runtime
//! can be checked end to end against real native code.
//!
//! This is the first-generation guest: a two-slot `HostVTable` and the three
//! exports `actr_init`, `actr_handle`, `actr_free_response`. The actor itself
//! (its routes, hooks and data-stream handling, and the reply bookkeeping)
//! lives in `actor.rs`, which the second-generation guest (`test/guest-gen2`)
//! shares; see the route table there.
//!
//! Messages come from the conformance oracle's hand-written prost
//! definitions (`conformance/oracle/src/messages.rs`).

#![allow(clippy::missing_safety_doc)]

#[allow(dead_code)]
#[path = "../../../conformance/oracle/src/messages.rs"]
mod messages;

mod actor;

use actor::{code, Host};
use messages::AbiFrame;
use prost::Message;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

/// The host's callback table, as the host hands it to `actr_init`.
#[repr(C)]
pub struct HostVTable {
    pub invoke: unsafe extern "C" fn(*const u8, usize, *mut *mut u8, *mut usize) -> i32,
    pub free_host_buf: unsafe extern "C" fn(*mut u8, usize),
}

static VTABLE: AtomicPtr<HostVTable> = AtomicPtr::new(ptr::null_mut());

/// The host as the actor reaches it: the vtable given to `actr_init`, as it is.
struct VtableHost;

impl Host for VtableHost {
    unsafe fn invoke(&self, frame: *const u8, frame_len: usize, reply_out: *mut *mut u8, reply_len_out: *mut usize) -> i32 {
        // SAFETY: actr_init checked the vtable pointer non-null and the host keeps it alive.
        let vt = VTABLE.load(Ordering::Acquire);
        ((*vt).invoke)(frame, frame_len, reply_out, reply_len_out)
    }

    unsafe fn free_host_buf(&self, ptr: *mut u8, len: usize) {
        let vt = VTABLE.load(Ordering::Acquire);
        ((*vt).free_host_buf)(ptr, len)
    }
}

#[no_mangle]
pub unsafe extern "C" fn actr_init(vt: *const HostVTable, init: *const u8, init_len: usize) -> i32 {
    if vt.is_null() {
        return code::INIT_FAILED;
    }
    let payload = match actor::decode_init(init, init_len) {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    let mut slot = actor::lock(&actor::INIT);
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
    let outcome = match actor::decode_request(&frame) {
        Ok(request) => actor::run(&VtableHost, request),
        Err(rc) => return rc,
    };
    actor::write_reply(outcome, resp_out, resp_len_out)
}

#[no_mangle]
pub unsafe extern "C" fn actr_free_response(ptr: *mut u8, len: usize) {
    actor::free_response(ptr, len)
}

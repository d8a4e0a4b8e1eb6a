//! `bench`: time prost encode/decode of typical ABI traffic, so the
//! TypeScript codec can be compared against the Rust reference.

use std::hint::black_box;
use std::io::{self, Write};
use std::time::Instant;

use prost::Message;

use crate::messages::*;
use crate::wire::to_hex;

pub const CASES: &[&str] = &[
    "guest-handle-encode",
    "guest-handle-decode",
    "host-call-decode",
    "reply-roundtrip",
    "data-stream-decode-64B",
    "data-stream-decode-64KiB",
    "data-stream-decode-1MiB",
];

fn pattern(n: usize, salt: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt)).collect()
}

fn self_id() -> ActrId {
    ActrId {
        realm: Realm { realm_id: 1001 },
        serial_number: 0x0123_4567_89ab,
        r#type: ActrType { manufacturer: "acme".into(), name: "echo-service".into(), version: "1.2.0".into() },
    }
}

fn caller_id() -> ActrId {
    ActrId {
        realm: Realm { realm_id: 1001 },
        serial_number: 42,
        r#type: ActrType { manufacturer: "acme".into(), name: "echo-client".into(), version: "1.2.0".into() },
    }
}

/// Build the GUEST_HANDLE frame from its parts (what `guest-handle-encode` times).
fn build_guest_handle(me: &ActrId, caller: &ActrId, envelope: &[u8]) -> Vec<u8> {
    let payload = GuestHandleV1 {
        ctx: InvocationContextV1 {
            self_id: me.clone(),
            caller_id: Some(caller.clone()),
            request_id: "req-0001-7f3a9c".into(),
        },
        rpc_envelope: envelope.to_vec(),
        bridge_token: 0,
    }
    .encode_to_vec();
    AbiFrame { abi_version: 1, op: 101, payload }.encode_to_vec()
}

fn host_call_frame() -> Vec<u8> {
    let payload = HostCallV1 {
        route_key: "echo.EchoService.Echo".into(),
        dest: DestV1 { kind: Some(DestKind::Actor(self_id())) },
        payload: pattern(256, 3),
    }
    .encode_to_vec();
    AbiFrame { abi_version: 1, op: 1, payload }.encode_to_vec()
}

fn data_stream_frame(chunk_len: usize) -> Vec<u8> {
    let payload = GuestDataStreamV1 {
        chunk: DataStream {
            stream_id: "stream-1".into(),
            sequence: 7,
            payload: pattern(chunk_len, 9),
            metadata: vec![MetadataEntry { key: "content-type".into(), value: "application/octet-stream".into() }],
            timestamp_ms: Some(1_700_000_000_000),
        },
        sender: caller_id(),
        bridge_token: 0,
    }
    .encode_to_vec();
    AbiFrame { abi_version: 1, op: 102, payload }.encode_to_vec()
}

fn reply_bytes() -> Vec<u8> {
    AbiReply { abi_version: 1, status: 0, payload: pattern(1024, 5) }.encode_to_vec()
}

fn envelope() -> Vec<u8> {
    pattern(256, 1)
}

/// The bytes each case decodes (for `guest-handle-encode`, the bytes it produces).
pub fn input(case: &str) -> Option<Vec<u8>> {
    Some(match case {
        "guest-handle-encode" | "guest-handle-decode" => build_guest_handle(&self_id(), &caller_id(), &envelope()),
        "host-call-decode" => host_call_frame(),
        "reply-roundtrip" => reply_bytes(),
        "data-stream-decode-64B" => data_stream_frame(64),
        "data-stream-decode-64KiB" => data_stream_frame(64 * 1024),
        "data-stream-decode-1MiB" => data_stream_frame(1024 * 1024),
        _ => return None,
    })
}

fn default_iters(case: &str) -> u64 {
    match case {
        "data-stream-decode-1MiB" => 500,
        "data-stream-decode-64KiB" => 10_000,
        _ => 200_000,
    }
}

fn time(iters: u64, mut f: impl FnMut()) -> f64 {
    // warm-up
    for _ in 0..(iters / 10).max(1) {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

fn bench_case(case: &str, iters: u64) -> f64 {
    let bytes = input(case).expect("known case");
    match case {
        "guest-handle-encode" => {
            let (me, caller, env) = (self_id(), caller_id(), envelope());
            time(iters, || {
                black_box(build_guest_handle(black_box(&me), black_box(&caller), black_box(&env)));
            })
        }
        "guest-handle-decode" => time(iters, || {
            let frame = AbiFrame::decode(black_box(bytes.as_slice())).expect("frame");
            black_box(GuestHandleV1::decode(frame.payload.as_slice()).expect("payload"));
        }),
        "host-call-decode" => time(iters, || {
            let frame = AbiFrame::decode(black_box(bytes.as_slice())).expect("frame");
            black_box(HostCallV1::decode(frame.payload.as_slice()).expect("payload"));
        }),
        "reply-roundtrip" => {
            let payload = pattern(1024, 5);
            time(iters, || {
                let enc = AbiReply { abi_version: 1, status: 0, payload: black_box(&payload).clone() }.encode_to_vec();
                black_box(AbiReply::decode(enc.as_slice()).expect("reply"));
            })
        }
        _ => time(iters, || {
            let frame = AbiFrame::decode(black_box(bytes.as_slice())).expect("frame");
            black_box(GuestDataStreamV1::decode(frame.payload.as_slice()).expect("payload"));
        }),
    }
}

/// Keep freed memory in the process (glibc only). Without this, every 1 MiB
/// decode maps fresh pages from the kernel and the page faults, not prost,
/// dominate the timing (by ~100x in a sandboxed VM). A JS heap does not give
/// pages back per operation either, so this is the fairer comparison.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn steady_allocator() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_TOP_PAD: i32 = -2;
    const M_MMAP_THRESHOLD: i32 = -3;
    // SAFETY: mallopt only tunes glibc malloc parameters; called before any
    // benchmark allocation, from a single thread.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        mallopt(M_TOP_PAD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn steady_allocator() {}

pub fn run(case: &str, iters: Option<u64>, dump: bool) -> Result<(), String> {
    if !dump {
        steady_allocator();
    }
    let cases: Vec<&str> = if case == "all" {
        CASES.to_vec()
    } else if CASES.contains(&case) {
        vec![case]
    } else {
        return Err(format!("bench: unknown case {case}"));
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for c in cases {
        let line = if dump {
            format!("{c} {}\n", to_hex(&input(c).expect("known case")))
        } else {
            let n = iters.unwrap_or_else(|| default_iters(c)).max(1);
            format!("{c} {:.1}\n", bench_case(c, n))
        };
        out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The hostile frame of `hostile`: a HOST_SEND_DATA_STREAM `AbiFrame` whose
/// chunk is nothing but empty `MetadataEntry` records (`22 00`), `mib` MiB of them.
pub fn hostile_frame(mib: usize) -> Vec<u8> {
    let records = mib * 1024 * 1024 / 2;
    let mut chunk = Vec::with_capacity(records * 2);
    for _ in 0..records {
        chunk.extend_from_slice(&[0x22, 0x00]);
    }
    // HostSendDataStreamV1 { chunk (field 2) }, then the frame around it.
    let mut payload = vec![0x12];
    prost::encoding::encode_varint(chunk.len() as u64, &mut payload);
    payload.extend_from_slice(&chunk);
    AbiFrame { abi_version: 1, op: 7, payload }.encode_to_vec()
}

/// `hostile --mib N [--iters K]`: decodes the hostile frame K times with
/// prost; prints `hostile <ns per decode> <bytes the decoded value holds>`
/// (the `Vec<MetadataEntry>` capacity times the entry size, plus the string
/// capacities: what stays allocated while the value is kept).
pub fn hostile(mib: usize, iters: u64) -> Result<(), String> {
    steady_allocator();
    let frame = hostile_frame(mib);
    let decode = || {
        let f = AbiFrame::decode(black_box(frame.as_slice())).expect("frame");
        HostSendDataStreamV1::decode(f.payload.as_slice()).expect("payload")
    };
    let held = {
        let op = decode();
        let entries = &op.chunk.metadata;
        entries.capacity() * std::mem::size_of::<MetadataEntry>()
            + entries.iter().map(|e| e.key.capacity() + e.value.capacity()).sum::<usize>()
    };
    let start = Instant::now();
    for _ in 0..iters {
        black_box(decode());
    }
    let ns = start.elapsed().as_nanos() as f64 / iters.max(1) as f64;
    println!("hostile {ns:.0} {held}");
    Ok(())
}

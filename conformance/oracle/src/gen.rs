//! `gen`: deterministic random inputs for the line protocol.
//!
//! About half of the lines are prost encodings of random valid values; the
//! other half are such encodings with one kind of damage applied (some kinds
//! are rejected by prost, some are accepted and normalised).

use std::io::{self, Write};

use prost::Message;

use crate::messages::*;
use crate::wire::*;

// ---------------------------------------------------------------------------
// Random scalar values, biased towards zero and edge values
// ---------------------------------------------------------------------------

fn r_u32(g: &mut Rng) -> u32 {
    match g.below(10) {
        0..=2 => 0,
        3 => *g.pick(&[
            1u32, 127, 128, 255, 16383, 16384, 2_097_151, 2_097_152, 268_435_455, 268_435_456,
            1 << 31, u32::MAX - 1,
        ]),
        4 => u32::MAX,
        5 | 6 => g.below(128) as u32,
        _ => (g.next_u64() >> g.below(64)) as u32,
    }
}

fn r_i32(g: &mut Rng) -> i32 {
    match g.below(10) {
        0..=2 => 0,
        3 => *g.pick(&[i32::MIN, i32::MAX, -1, -2, -5, -7, -128, 1, 127, 128, -3]),
        4 => i32::MIN,
        5 | 6 => g.range(0, 20) as i32 - 10,
        _ => (g.next_u64() >> g.below(64)) as i32,
    }
}

fn r_u64(g: &mut Rng) -> u64 {
    match g.below(10) {
        0..=2 => 0,
        3 => *g.pick(&[
            1u64,
            127,
            128,
            u32::MAX as u64,
            1 << 32,
            (1 << 35) - 1,
            (1 << 56) - 1,
            1 << 56,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX - 1,
        ]),
        4 => u64::MAX,
        5 | 6 => g.below(300),
        _ => g.next_u64() >> g.below(64),
    }
}

fn r_i64(g: &mut Rng) -> i64 {
    match g.below(10) {
        0..=2 => 0,
        3 => *g.pick(&[i64::MIN, i64::MAX, -1, -2, 1, i32::MIN as i64, i32::MAX as i64 + 1]),
        4 => i64::MIN,
        5 | 6 => g.range(0, 2000) as i64 - 1000,
        _ => (g.next_u64() >> g.below(64)) as i64,
    }
}

const STR_POOL: &[&str] = &[
    "a",
    "é",
    "日本",
    "🦀",
    "actr",
    "echo.EchoService.Echo",
    "lifecycle:on_start",
    "data-stream:s1:7",
    "acme",
    "1.0.0",
    "\u{0}",
    "\u{7f}",
    "\u{80}",
    "\u{7ff}",
    "\u{800}",
    "\u{fffd}",
    "\u{ffff}",
    "\u{10000}",
    "\u{10ffff}",
    "tab\there",
    "new\nline",
    "mixé日本🦀!",
];

const CHAR_POOL: &[char] = &[
    'a', 'z', 'A', '0', ' ', '.', ':', '-', '_', '\u{0}', '\u{7f}', 'é', 'ß', '\u{7ff}', '日',
    '本', '\u{fffd}', '🦀', '\u{10ffff}', '\u{10000}',
];

fn r_string(g: &mut Rng) -> String {
    match g.below(10) {
        0..=2 => String::new(),
        3..=5 => g.pick(STR_POOL).to_string(),
        6..=8 => {
            let n = g.range(1, 24) as usize;
            (0..n).map(|_| *g.pick(CHAR_POOL)).collect()
        }
        _ => {
            // long enough for a two-byte (sometimes three-byte) length prefix
            let n = if g.chance(1, 20) { g.range(4000, 6000) } else { g.range(40, 200) } as usize;
            (0..n).map(|_| *g.pick(CHAR_POOL)).collect()
        }
    }
}

fn r_bytes(g: &mut Rng) -> Vec<u8> {
    if g.chance(1, 2500) {
        // rare: ~70 KiB, crosses the 3-byte length boundary at 65536 bytes
        let n = g.range(65_530, 72_000) as usize;
        return g.bytes(n);
    }
    match g.below(20) {
        0..=5 => Vec::new(),
        6..=17 => {
            let n = g.range(1, 64) as usize;
            g.bytes(n)
        }
        18 => {
            let n = *g.pick(&[127usize, 128, 255, 256, 1024]);
            g.bytes(n)
        }
        _ => {
            let n = g.range(65, 4096) as usize;
            g.bytes(n)
        }
    }
}

fn r_opt<T>(g: &mut Rng, f: impl FnOnce(&mut Rng) -> T) -> Option<T> {
    if g.chance(2, 5) {
        None
    } else {
        Some(f(g))
    }
}

fn r_vec<T>(g: &mut Rng, mut f: impl FnMut(&mut Rng) -> T) -> Vec<T> {
    let n = match g.below(10) {
        0..=3 => 0,
        4..=6 => 1,
        7 | 8 => 2,
        _ => 3,
    };
    (0..n).map(|_| f(g)).collect()
}

// ---------------------------------------------------------------------------
// Random valid messages
// ---------------------------------------------------------------------------

fn r_realm(g: &mut Rng) -> Realm {
    Realm { realm_id: r_u32(g) }
}

fn r_actr_type(g: &mut Rng) -> ActrType {
    ActrType { manufacturer: r_string(g), name: r_string(g), version: r_string(g) }
}

fn r_actr_id(g: &mut Rng) -> ActrId {
    ActrId { realm: r_realm(g), serial_number: r_u64(g), r#type: r_actr_type(g) }
}

fn r_meta(g: &mut Rng) -> MetadataEntry {
    MetadataEntry { key: r_string(g), value: r_string(g) }
}

fn r_data_stream(g: &mut Rng) -> DataStream {
    DataStream {
        stream_id: r_string(g),
        sequence: r_u64(g),
        payload: r_bytes(g),
        metadata: r_vec(g, r_meta),
        timestamp_ms: r_opt(g, r_i64),
    }
}

fn r_error_response(g: &mut Rng) -> ErrorResponse {
    let code = if g.chance(1, 2) { g.range(10001, 10011) as u32 } else { r_u32(g) };
    ErrorResponse { code, message: r_string(g) }
}

fn r_rpc_envelope(g: &mut Rng) -> RpcEnvelope {
    RpcEnvelope {
        route_key: r_string(g),
        payload: r_opt(g, r_bytes),
        error: r_opt(g, r_error_response),
        traceparent: r_opt(g, r_string),
        tracestate: r_opt(g, r_string),
        request_id: r_string(g),
        metadata: r_vec(g, r_meta),
        timeout_ms: r_i64(g),
        direction: r_opt(g, r_direction),
    }
}

/// `actr.Direction` as prost carries it (open enum): mostly the four named
/// values, sometimes any i32 (unknown, negative, i32::MIN / MAX).
fn r_direction(g: &mut Rng) -> i32 {
    if g.chance(3, 4) {
        g.range(0, 3) as i32
    } else {
        r_i32(g)
    }
}

/// A generation-2 bridge token: 0 (absent, generation 1) about a third of the
/// time, else small, edge (2^32, 2^63, ...) or up to u64::MAX.
fn r_bridge_token(g: &mut Rng) -> u64 {
    r_u64(g)
}

fn r_payload_type(g: &mut Rng) -> i32 {
    if g.chance(3, 4) {
        g.range(0, 4) as i32
    } else {
        r_i32(g)
    }
}

fn r_ctx(g: &mut Rng) -> InvocationContextV1 {
    InvocationContextV1 { self_id: r_actr_id(g), caller_id: r_opt(g, r_actr_id), request_id: r_string(g) }
}

fn r_dest(g: &mut Rng) -> DestV1 {
    let kind = match g.below(6) {
        0 => None,
        1 => Some(DestKind::Shell(true)),
        2 => Some(DestKind::Shell(false)),
        3 => Some(DestKind::Local(true)),
        4 => Some(DestKind::Local(false)),
        _ => Some(DestKind::Actor(r_actr_id(g))),
    };
    DestV1 { kind }
}

fn r_timestamp(g: &mut Rng) -> TimestampV1 {
    let nanoseconds = if g.chance(1, 2) { g.below(1_000_000_000) as u32 } else { r_u32(g) };
    TimestampV1 { seconds: r_u64(g), nanoseconds }
}

fn r_peer_event(g: &mut Rng) -> PeerEventV1 {
    let status = r_opt(g, |g| if g.chance(3, 4) { g.range(0, 3) as u32 } else { r_u32(g) });
    PeerEventV1 { peer: r_actr_id(g), relayed: r_opt(g, |g| g.chance(1, 2)), status }
}

fn r_hook_id(g: &mut Rng, max: u64) -> u32 {
    if g.chance(3, 4) {
        g.range(0, max) as u32
    } else {
        r_u32(g)
    }
}

fn r_op(g: &mut Rng) -> u32 {
    if g.chance(3, 4) {
        *g.pick(&[1u32, 2, 3, 4, 5, 6, 7, 101, 102, 103, 104])
    } else {
        r_u32(g)
    }
}

/// A random payload for a frame: sometimes an encoded message, sometimes bytes.
fn r_frame_payload(g: &mut Rng) -> Vec<u8> {
    if g.chance(2, 5) {
        let inner = *g.pick(&NAMES[3..]);
        random_valid(inner, g)
    } else {
        r_bytes(g)
    }
}

/// The prost encoding of a random valid value of message `name`.
pub fn random_valid(name: &str, g: &mut Rng) -> Vec<u8> {
    match name {
        "InitPayloadV1" => InitPayloadV1 {
            version: if g.chance(1, 2) { 1 } else { r_u32(g) },
            actr_type: r_string(g),
            credential: r_bytes(g),
            actor_id: if g.chance(1, 2) { r_actr_id(g).encode_to_vec() } else { r_bytes(g) },
            realm_id: r_u32(g),
        }
        .encode_to_vec(),
        "AbiFrame" => AbiFrame {
            abi_version: if g.chance(1, 2) { 1 } else { r_u32(g) },
            op: r_op(g),
            payload: r_frame_payload(g),
        }
        .encode_to_vec(),
        "AbiReply" => AbiReply {
            abi_version: if g.chance(1, 2) { 1 } else { r_u32(g) },
            status: if g.chance(1, 2) { -(g.range(0, 7) as i32) } else { r_i32(g) },
            payload: r_frame_payload(g),
        }
        .encode_to_vec(),
        "InvocationContextV1" => r_ctx(g).encode_to_vec(),
        "GuestHandleV1" => GuestHandleV1 {
            ctx: r_ctx(g),
            rpc_envelope: if g.chance(1, 2) { r_rpc_envelope(g).encode_to_vec() } else { r_bytes(g) },
            bridge_token: r_bridge_token(g),
        }
        .encode_to_vec(),
        "GuestDataStreamV1" => {
            GuestDataStreamV1 { chunk: r_data_stream(g), sender: r_actr_id(g), bridge_token: r_bridge_token(g) }
                .encode_to_vec()
        }
        "GuestLifecycleV1" => {
            GuestLifecycleV1 { ctx: r_ctx(g), hook: r_hook_id(g, 4), bridge_token: r_bridge_token(g) }
                .encode_to_vec()
        }
        "TimestampV1" => r_timestamp(g).encode_to_vec(),
        "PeerEventV1" => r_peer_event(g).encode_to_vec(),
        "CredentialEventV1" => CredentialEventV1 { new_expiry: r_timestamp(g) }.encode_to_vec(),
        "BackpressureEventV1" => {
            BackpressureEventV1 { queue_len: r_u64(g), threshold: r_u64(g) }.encode_to_vec()
        }
        "GuestHookV1" => GuestHookV1 {
            ctx: r_ctx(g),
            hook: r_hook_id(g, 13),
            peer: r_opt(g, r_peer_event),
            credential: r_opt(g, |g| CredentialEventV1 { new_expiry: r_timestamp(g) }),
            backpressure: r_opt(g, |g| BackpressureEventV1 { queue_len: r_u64(g), threshold: r_u64(g) }),
            bridge_token: r_bridge_token(g),
        }
        .encode_to_vec(),
        "DestV1" => r_dest(g).encode_to_vec(),
        "HostCallV1" => {
            HostCallV1 { route_key: r_string(g), dest: r_dest(g), payload: r_bytes(g) }.encode_to_vec()
        }
        "HostTellV1" => {
            HostTellV1 { route_key: r_string(g), dest: r_dest(g), payload: r_bytes(g) }.encode_to_vec()
        }
        "HostCallRawV1" => {
            HostCallRawV1 { route_key: r_string(g), target: r_actr_id(g), payload: r_bytes(g) }
                .encode_to_vec()
        }
        "HostDiscoverV1" => HostDiscoverV1 { target_type: r_actr_type(g) }.encode_to_vec(),
        "HostRegisterStreamV1" => HostRegisterStreamV1 { stream_id: r_string(g) }.encode_to_vec(),
        "HostUnregisterStreamV1" => HostUnregisterStreamV1 { stream_id: r_string(g) }.encode_to_vec(),
        "HostSendDataStreamV1" => HostSendDataStreamV1 {
            dest: r_dest(g),
            chunk: r_data_stream(g),
            payload_type: r_payload_type(g),
        }
        .encode_to_vec(),
        "Realm" => r_realm(g).encode_to_vec(),
        "ActrType" => r_actr_type(g).encode_to_vec(),
        "ActrId" => r_actr_id(g).encode_to_vec(),
        "MetadataEntry" => r_meta(g).encode_to_vec(),
        "DataStream" => r_data_stream(g).encode_to_vec(),
        "ErrorResponse" => r_error_response(g).encode_to_vec(),
        "RpcEnvelope" => r_rpc_envelope(g).encode_to_vec(),
        other => panic!("random_valid: unknown message {other}"),
    }
}

// ---------------------------------------------------------------------------
// Raw records
// ---------------------------------------------------------------------------

/// Wrap `inner` (the body of the innermost message) into the message fields
/// of `chain`, outermost first; returns a record for the outermost message.
pub fn wrap_chain(chain: &[Field], inner: Vec<u8>) -> Vec<u8> {
    let mut body = inner;
    for fld in chain.iter().rev() {
        body = lfield(fld.tag, &body);
    }
    body
}

/// A well-formed record with a random valid value for a known field.
fn random_record(g: &mut Rng, fld: &Field) -> Vec<u8> {
    match fld.ty {
        Ty::U32 => vfield(fld.tag, r_u32(g) as u64),
        Ty::I32 | Ty::Enum => vfield(fld.tag, r_i32(g) as i64 as u64),
        Ty::U64 => vfield(fld.tag, r_u64(g)),
        Ty::I64 => vfield(fld.tag, r_i64(g) as u64),
        Ty::Bool => vfield(fld.tag, if g.chance(1, 5) { r_u64(g) } else { g.below(2) }),
        Ty::Str => lfield(fld.tag, r_string(g).as_bytes()),
        Ty::Bytes => lfield(fld.tag, &r_bytes(g)),
        Ty::Msg(child) => lfield(fld.tag, &random_valid(child, g)),
    }
}

fn unknown_tag(name: &str, g: &mut Rng) -> u32 {
    loop {
        let t = match g.below(6) {
            0 => g.range(1, 15) as u32,
            1 => g.range(16, 2047) as u32,
            2 => *g.pick(&[15u32, 16, 99, 100, 101, 102, 103, 104, 105, 1000, 16383, 16384, (1 << 29) - 1]),
            3 => g.range(1, (1 << 29) - 1) as u32,
            _ => g.range(6, 30) as u32,
        };
        if !is_known_tag(name, t) {
            return t;
        }
    }
}

/// A well-formed record of any wire type (groups properly nested).
fn random_any_record(g: &mut Rng, tag: u32, depth: u32) -> Vec<u8> {
    let wts: &[u8] = if depth >= 4 {
        &[WT_VARINT, WT_I64, WT_LEN, WT_I32]
    } else {
        &[WT_VARINT, WT_I64, WT_LEN, WT_SGROUP, WT_I32]
    };
    let wt = *g.pick(wts);
    let mut out = key(tag, wt);
    match wt {
        WT_VARINT => {
            let v = r_u64(g);
            if g.chance(1, 6) {
                let w = g.range(1, 10) as usize;
                out.extend(padded_varint(v, w));
            } else {
                put_varint(&mut out, v);
            }
        }
        WT_I64 => out.extend(g.bytes(8)),
        WT_I32 => out.extend(g.bytes(4)),
        WT_LEN => {
            let n = g.range(0, 24) as usize;
            put_varint(&mut out, n as u64);
            out.extend(g.bytes(n));
        }
        _ => {
            for _ in 0..g.below(4) {
                let inner_tag = g.range(1, (1 << 29) - 1) as u32;
                let inner_tag = if g.chance(1, 2) { inner_tag % 40 + 1 } else { inner_tag };
                out.extend(random_any_record(g, inner_tag, depth + 1));
            }
            put_key(&mut out, tag, WT_EGROUP);
        }
    }
    out
}

/// A record for `fld` sent with a wire type other than its own (the record is
/// otherwise well formed for the wire type used).
fn wrong_wire_type_record(g: &mut Rng, fld: &Field) -> Vec<u8> {
    let own = fld.ty.wire_type();
    let wt = loop {
        let wt = *g.pick(&[WT_VARINT, WT_I64, WT_LEN, WT_SGROUP, WT_EGROUP, WT_I32]);
        if wt != own {
            break wt;
        }
    };
    let mut out = key(fld.tag, wt);
    match wt {
        WT_VARINT => put_varint(&mut out, r_u64(g)),
        WT_I64 => out.extend(g.bytes(8)),
        WT_I32 => out.extend(g.bytes(4)),
        WT_LEN => {
            let body = if g.chance(1, 2) { varint(r_u64(g)) } else { g.bytes_in(0, 8) };
            put_varint(&mut out, body.len() as u64);
            out.extend(body);
        }
        WT_SGROUP => {
            if g.chance(1, 2) {
                out.extend(random_any_record(g, 7, 3));
            }
            put_key(&mut out, fld.tag, WT_EGROUP);
        }
        _ => {}
    }
    out
}

const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe6\x97",
    b"\x80",
    b"\xe0\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"abc\xfe",
    b"\xe6\x97\xa5\xe6",
    b"ok\xc3",
];

fn invalid_varint_body(g: &mut Rng) -> Vec<u8> {
    match g.below(3) {
        // 11 bytes: ten continuation bytes then a terminator
        0 => {
            let mut v: Vec<u8> = (0..10).map(|_| 0x80 | g.below(128) as u8).collect();
            v.push(g.below(128) as u8);
            v
        }
        // 10 bytes whose last byte is above 1
        1 => {
            let mut v: Vec<u8> = (0..9).map(|_| 0x80 | g.below(128) as u8).collect();
            v.push(g.range(2, 0x7f) as u8);
            v
        }
        // more than 10 continuation bytes running to the end of the input
        _ => (0..g.range(10, 14)).map(|_| 0x80 | g.below(128) as u8).collect(),
    }
}

// ---------------------------------------------------------------------------
// Damage
// ---------------------------------------------------------------------------

fn place(g: &mut Rng, base: &mut Vec<u8>, rec: Vec<u8>) {
    if g.chance(1, 3) {
        let mut out = rec;
        out.extend_from_slice(base);
        *base = out;
    } else {
        base.extend(rec);
    }
}

fn fields_where(name: &str, pred: impl Fn(&Field) -> bool) -> Vec<Field> {
    schema(name).iter().copied().filter(|f| pred(f)).collect()
}

const DAMAGE_KINDS: u64 = 24;

/// A random valid encoding of `name` with one kind of damage applied.
pub fn damaged(name: &str, g: &mut Rng, depth: u32) -> Vec<u8> {
    let mut b = random_valid(name, g);
    let kind = g.below(DAMAGE_KINDS);
    match kind {
        // bit flips
        0 => {
            if b.is_empty() {
                b.push(g.below(256) as u8);
            }
            for _ in 0..g.range(1, 3) {
                let i = g.idx(b.len());
                b[i] ^= 1 << g.below(8);
            }
        }
        // truncation
        1 => {
            if b.is_empty() {
                b = vec![*g.pick(&[0x08u8, 0x0a, 0x12, 0x88])];
            } else {
                let cut = g.idx(b.len());
                b.truncate(cut);
            }
        }
        // inserted random bytes
        2 => {
            let at = g.idx(b.len() + 1);
            let ins = g.bytes_in(1, 4);
            b.splice(at..at, ins);
        }
        // deleted bytes
        3 => {
            if b.is_empty() {
                b.push(0x80);
            } else {
                let at = g.idx(b.len());
                let n = (g.range(1, 4) as usize).min(b.len() - at);
                b.drain(at..at + n);
            }
        }
        // duplicated slice
        4 => {
            if !b.is_empty() {
                let a = g.idx(b.len());
                let e = a + 1 + g.idx((b.len() - a).min(16));
                let slice = b[a..e].to_vec();
                let at = g.idx(b.len() + 1);
                b.splice(at..at, slice);
            }
        }
        // two valid encodings concatenated: merge / last-wins
        5 => {
            let other = random_valid(name, g);
            b.extend(other);
        }
        // unknown field of any wire type (dropped)
        6 => {
            for _ in 0..g.range(1, 3) {
                let t = unknown_tag(name, g);
                let rec = random_any_record(g, t, 0);
                place(g, &mut b, rec);
            }
        }
        // known field with another wire type
        7 => {
            let fields = schema(name);
            let fld = *g.pick(fields);
            let rec = wrong_wire_type_record(g, &fld);
            place(g, &mut b, rec);
        }
        // overlong / overflowing varints (key, value or length)
        8 => {
            let varints = fields_where(name, |f| f.ty.wire_type() == WT_VARINT);
            let lens = fields_where(name, |f| f.ty.wire_type() == WT_LEN);
            let mut rec = Vec::new();
            match g.below(4) {
                0 if !varints.is_empty() => {
                    put_key(&mut rec, g.pick(&varints).tag, WT_VARINT);
                    rec.extend(invalid_varint_body(g));
                }
                1 if !lens.is_empty() => {
                    put_key(&mut rec, g.pick(&lens).tag, WT_LEN);
                    rec.extend(invalid_varint_body(g));
                }
                2 => rec.extend(invalid_varint_body(g)),
                _ => {
                    // the accepted neighbour: ten bytes with a final 0x01
                    let t = if varints.is_empty() { unknown_tag(name, g) } else { g.pick(&varints).tag };
                    put_key(&mut rec, t, WT_VARINT);
                    let mut v: Vec<u8> = (0..9).map(|_| 0x80 | g.below(128) as u8).collect();
                    v.push(1);
                    rec.extend(v);
                }
            }
            place(g, &mut b, rec);
        }
        // field number 0
        9 => {
            let wt = *g.pick(&[WT_VARINT, WT_I64, WT_LEN, WT_SGROUP, WT_I32]);
            let mut rec = vec![wt];
            rec.extend(g.bytes_in(0, 8));
            let at = g.idx(b.len() + 1);
            if g.chance(1, 2) {
                place(g, &mut b, rec);
            } else {
                b.splice(at..at, rec);
            }
        }
        // wire type 6 or 7
        10 => {
            let t = if g.chance(1, 2) { g.pick(schema(name)).tag } else { unknown_tag(name, g) };
            let mut rec = key(t, *g.pick(&[6u8, 7]));
            rec.extend(g.bytes_in(0, 4));
            place(g, &mut b, rec);
        }
        // deep group nesting, at top level or inside nested messages
        11 => {
            let depth_n = match g.below(6) {
                0 => 99,
                1 => 100,
                2 => 101,
                3 => 150,
                _ => g.range(94, 106) as usize,
            };
            let inner = if g.chance(1, 2) { Vec::new() } else { vfield(g.range(1, 30) as u32, r_u64(g)) };
            let chain = deepest_chain(name);
            let take = g.idx(chain.len() + 1);
            let chain = &chain[..take];
            let owner = chain.last().map(|f| match f.ty {
                Ty::Msg(c) => c,
                _ => name,
            });
            let t = unknown_tag(owner.unwrap_or(name), g);
            let groups = nested_groups(t, depth_n, &inner);
            let rec = wrap_chain(chain, groups);
            place(g, &mut b, rec);
        }
        // mismatched end group / stray end group
        12 => {
            let t = unknown_tag(name, g);
            let mut rec = key(t, WT_SGROUP);
            if g.chance(1, 2) {
                rec.extend(random_any_record(g, t + 1, 2));
            }
            match g.below(3) {
                0 => {}
                _ => {
                    let other = if t == (1 << 29) - 1 { t - 1 } else { t + 1 };
                    put_key(&mut rec, other, WT_EGROUP);
                }
            }
            if g.chance(1, 4) {
                rec = key(t, WT_EGROUP);
            }
            place(g, &mut b, rec);
        }
        // length prefix 0xFFFFFFFF (or just past the end) in a short input
        13 => {
            let lens = fields_where(name, |f| f.ty.wire_type() == WT_LEN);
            let t = if !lens.is_empty() && g.chance(2, 3) { g.pick(&lens).tag } else { unknown_tag(name, g) };
            let mut rec = key(t, WT_LEN);
            if g.chance(1, 2) {
                rec.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
            } else {
                put_varint(&mut rec, g.range(1, 40));
            }
            rec.extend(g.bytes_in(0, 3));
            b.extend(rec);
        }
        // invalid UTF-8 in a string field (directly or in a nested message)
        14 => {
            let bad = g.pick(INVALID_UTF8).to_vec();
            match chain_to(name, &|f| f.ty == Ty::Str) {
                Some(chain) => {
                    let last = chain[chain.len() - 1];
                    let rec = wrap_chain(&chain[..chain.len() - 1], lfield(last.tag, &bad));
                    place(g, &mut b, rec);
                }
                None => {
                    // nowhere to put a string: the bytes go to an unknown field (accepted)
                    let t = unknown_tag(name, g);
                    place(g, &mut b, lfield(t, &bad));
                }
            }
        }
        // a known field repeated (scalar last-wins, message merge, oneof switch)
        15 | 16 => {
            for _ in 0..g.range(1, 3) {
                let fld = *g.pick(schema(name));
                let rec = random_record(g, &fld);
                place(g, &mut b, rec);
            }
        }
        // a 64-bit varint into a 32-bit (or bool) field: accepted, truncated
        17 => {
            let narrow = |f: &Field| matches!(f.ty, Ty::U32 | Ty::I32 | Ty::Enum | Ty::Bool);
            if let Some(chain) = chain_to(name, &narrow) {
                let last = chain[chain.len() - 1];
                let v = if g.chance(1, 3) { u64::MAX } else { g.next_u64() | (1 << 32) };
                let rec = wrap_chain(&chain[..chain.len() - 1], vfield(last.tag, v));
                place(g, &mut b, rec);
            } else {
                let t = unknown_tag(name, g);
                place(g, &mut b, vfield(t, u64::MAX));
            }
        }
        // damage inside a nested message field
        18 | 19 => {
            let msgs = fields_where(name, |f| matches!(f.ty, Ty::Msg(_)));
            if msgs.is_empty() || depth > 4 {
                let t = unknown_tag(name, g);
                let rec = random_any_record(g, t, 0);
                place(g, &mut b, rec);
            } else {
                let fld = *g.pick(&msgs);
                let child = match fld.ty {
                    Ty::Msg(c) => c,
                    _ => unreachable!(),
                };
                let inner = damaged(child, g, depth + 1);
                place(g, &mut b, lfield(fld.tag, &inner));
            }
        }
        // non-minimal (padded) varints in keys and values: accepted
        20 => {
            let fld = *g.pick(schema(name));
            let mut rec = padded_varint(((fld.tag as u64) << 3) | fld.ty.wire_type() as u64, g.range(1, 5) as usize);
            match fld.ty {
                Ty::Str | Ty::Bytes | Ty::Msg(_) => {
                    let body = match fld.ty {
                        Ty::Msg(c) => random_valid(c, g),
                        Ty::Str => r_string(g).into_bytes(),
                        _ => r_bytes(g),
                    };
                    rec.extend(padded_varint(body.len() as u64, g.range(1, 10) as usize));
                    rec.extend(body);
                }
                _ => rec.extend(padded_varint(r_u64(g), g.range(1, 10) as usize)),
            }
            place(g, &mut b, rec);
        }
        // key wider than 32 bits, or a varint key cut short
        21 => {
            let rec = if g.chance(1, 2) {
                varint((g.range(1, 0xff) << 32) | (1 << 3))
            } else {
                vec![0x80 | g.below(128) as u8]
            };
            b.extend(rec);
        }
        // a length-delimited field whose body is shorter than its content
        22 => {
            let msgs = fields_where(name, |f| matches!(f.ty, Ty::Msg(_)));
            let t = if msgs.is_empty() { unknown_tag(name, g) } else { g.pick(&msgs).tag };
            let body = vfield(g.range(1, 20) as u32, r_u64(g) | 0x80);
            let cut = g.range(1, body.len() as u64 - 1) as usize;
            let mut rec = key(t, WT_LEN);
            put_varint(&mut rec, cut as u64);
            rec.extend(&body);
            place(g, &mut b, rec);
        }
        // several unknown records at once (accepted)
        _ => {
            for _ in 0..g.range(2, 6) {
                let t = unknown_tag(name, g);
                let rec = random_any_record(g, t, 1);
                let at = if g.chance(1, 2) { 0 } else { b.len() };
                b.splice(at..at, rec);
            }
        }
    }
    b
}

/// Write `count` lines `<MessageName> <hex>` for `seed`.
pub fn run(seed: u64, count: u64) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut g = Rng::new(seed);
    let mut line = Vec::with_capacity(1024);
    for i in 0..count {
        let name = NAMES[(i % NAMES.len() as u64) as usize];
        let bytes = if g.chance(1, 2) { random_valid(name, &mut g) } else { damaged(name, &mut g, 0) };
        line.clear();
        line.extend_from_slice(name.as_bytes());
        line.push(b' ');
        to_hex_into(&bytes, &mut line);
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

//! `vectors`: a curated, deterministic list of inputs meant to become
//! committed golden vectors. Output lines: `<MessageName> <hex>\t<description>`.
//! The expected answer of each line is what `check` prints for it.

use std::io::{self, Write};

use prost::Message;

use crate::gen::wrap_chain;
use crate::messages::*;
use crate::wire::*;

/// A field number no message of the contract uses.
const UNK: u32 = 15;

struct Out {
    lines: Vec<(String, Vec<u8>, String)>,
}

impl Out {
    fn add(&mut self, name: &str, bytes: Vec<u8>, desc: impl Into<String>) {
        let desc: String = desc.into();
        debug_assert!(!desc.contains('\t') && !desc.contains('\n'));
        self.lines.push((name.to_string(), bytes, desc));
    }
}

// ---------------------------------------------------------------------------
// Fully populated values
// ---------------------------------------------------------------------------

fn pattern(n: usize, salt: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(37).wrapping_add(salt)).collect()
}

fn id_a() -> ActrId {
    ActrId {
        realm: Realm { realm_id: 7 },
        serial_number: u64::MAX,
        r#type: ActrType { manufacturer: "acmé".into(), name: "日本-echo".into(), version: "🦀1.0".into() },
    }
}

fn id_b() -> ActrId {
    ActrId {
        realm: Realm { realm_id: u32::MAX },
        serial_number: 300,
        r#type: ActrType { manufacturer: "acme".into(), name: "client".into(), version: "2.0.0".into() },
    }
}

fn ctx_full() -> InvocationContextV1 {
    InvocationContextV1 { self_id: id_a(), caller_id: Some(id_b()), request_id: "req-é-0001".into() }
}

fn meta(k: &str, v: &str) -> MetadataEntry {
    MetadataEntry { key: k.into(), value: v.into() }
}

fn data_stream_full() -> DataStream {
    DataStream {
        stream_id: "stream-日本".into(),
        sequence: u64::MAX,
        payload: pattern(200, 1),
        metadata: vec![meta("content-type", "application/x-🦀"), meta("", "")],
        timestamp_ms: Some(i64::MIN),
    }
}

fn error_full() -> ErrorResponse {
    ErrorResponse { code: 10011, message: "connection not ready: retry_after_ms=Some(250)".into() }
}

fn envelope_full() -> RpcEnvelope {
    RpcEnvelope {
        route_key: "echo.EchoService.Echo".into(),
        payload: Some(pattern(40, 2)),
        error: Some(error_full()),
        traceparent: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into()),
        tracestate: Some("vendor=é".into()),
        request_id: "req-42".into(),
        metadata: vec![meta("k", "v"), meta("é", "日本")],
        timeout_ms: -1,
        direction: None,
    }
}

fn peer_full() -> PeerEventV1 {
    PeerEventV1 { peer: id_b(), relayed: Some(true), status: Some(3) }
}

fn ts_full() -> TimestampV1 {
    TimestampV1 { seconds: u64::MAX, nanoseconds: 999_999_999 }
}

fn full(name: &str) -> Vec<u8> {
    match name {
        "InitPayloadV1" => InitPayloadV1 {
            version: 1,
            actr_type: "acme:日本-echo:🦀1.0".into(),
            credential: pattern(32, 3),
            actor_id: id_a().encode_to_vec(),
            realm_id: u32::MAX,
        }
        .encode_to_vec(),
        "AbiFrame" => AbiFrame { abi_version: 1, op: 101, payload: full("GuestHandleV1") }.encode_to_vec(),
        "AbiReply" => AbiReply { abi_version: 1, status: -3, payload: "internal error: boom 🦀".into() }
            .encode_to_vec(),
        "InvocationContextV1" => ctx_full().encode_to_vec(),
        "GuestHandleV1" => {
            GuestHandleV1 { ctx: ctx_full(), rpc_envelope: envelope_full().encode_to_vec(), bridge_token: 0 }.encode_to_vec()
        }
        "GuestDataStreamV1" => {
            GuestDataStreamV1 { chunk: data_stream_full(), sender: id_b(), bridge_token: 0 }.encode_to_vec()
        }
        "GuestLifecycleV1" => GuestLifecycleV1 { ctx: ctx_full(), hook: 3, bridge_token: 0 }.encode_to_vec(),
        "TimestampV1" => ts_full().encode_to_vec(),
        "PeerEventV1" => peer_full().encode_to_vec(),
        "CredentialEventV1" => CredentialEventV1 { new_expiry: ts_full() }.encode_to_vec(),
        "BackpressureEventV1" => BackpressureEventV1 { queue_len: 1 << 40, threshold: u64::MAX }.encode_to_vec(),
        "GuestHookV1" => GuestHookV1 {
            ctx: ctx_full(),
            hook: 12,
            peer: Some(peer_full()),
            credential: Some(CredentialEventV1 { new_expiry: ts_full() }),
            backpressure: Some(BackpressureEventV1 { queue_len: 1 << 40, threshold: u64::MAX }),
            bridge_token: 0,
        }
        .encode_to_vec(),
        "DestV1" => DestV1 { kind: Some(DestKind::Actor(id_a())) }.encode_to_vec(),
        "HostCallV1" => HostCallV1 {
            route_key: "echo.EchoService.Echo".into(),
            dest: DestV1 { kind: Some(DestKind::Actor(id_b())) },
            payload: pattern(300, 4),
        }
        .encode_to_vec(),
        "HostTellV1" => HostTellV1 {
            route_key: "日本.Notify.Tell🦀".into(),
            dest: DestV1 { kind: Some(DestKind::Local(true)) },
            payload: pattern(5, 5),
        }
        .encode_to_vec(),
        "HostCallRawV1" => {
            HostCallRawV1 { route_key: "raw.Svc.Call".into(), target: id_a(), payload: pattern(130, 6) }
                .encode_to_vec()
        }
        "HostDiscoverV1" => HostDiscoverV1 { target_type: id_a().r#type }.encode_to_vec(),
        "HostRegisterStreamV1" => HostRegisterStreamV1 { stream_id: "stream-🦀".into() }.encode_to_vec(),
        "HostUnregisterStreamV1" => HostUnregisterStreamV1 { stream_id: "stream-é".into() }.encode_to_vec(),
        "HostSendDataStreamV1" => HostSendDataStreamV1 {
            dest: DestV1 { kind: Some(DestKind::Shell(true)) },
            chunk: data_stream_full(),
            payload_type: PayloadType::StreamLatencyFirst as i32,
        }
        .encode_to_vec(),
        "Realm" => Realm { realm_id: u32::MAX }.encode_to_vec(),
        "ActrType" => id_a().r#type.encode_to_vec(),
        "ActrId" => id_a().encode_to_vec(),
        "MetadataEntry" => meta("k-é", "v-日本").encode_to_vec(),
        "DataStream" => data_stream_full().encode_to_vec(),
        "ErrorResponse" => error_full().encode_to_vec(),
        "RpcEnvelope" => envelope_full().encode_to_vec(),
        other => panic!("full: unknown message {other}"),
    }
}

// ---------------------------------------------------------------------------
// Sample records built from the wire schema
// ---------------------------------------------------------------------------

/// A well-formed, non-zero record for `fld` (variant k = 1 or 2; for bool,
/// k = 2 is `false` so that "true then false" shows last-wins).
fn sample_record(fld: &Field, k: u32) -> Vec<u8> {
    let t = fld.tag;
    match fld.ty {
        Ty::U32 => vfield(t, if k == 1 { 1 } else { 300 }),
        Ty::I32 | Ty::Enum => vfield(t, if k == 1 { 2 } else { -5i64 as u64 }),
        Ty::U64 => vfield(t, if k == 1 { 1 } else { 1 << 40 }),
        Ty::I64 => vfield(t, if k == 1 { -1i64 as u64 } else { 1 << 40 }),
        Ty::Bool => vfield(t, if k == 1 { 1 } else { 0 }),
        Ty::Str => lfield(t, if k == 1 { "a".as_bytes() } else { "日本".as_bytes() }),
        Ty::Bytes => lfield(t, if k == 1 { &[0x01][..] } else { &[0xff, 0x00][..] }),
        Ty::Msg(child) => {
            let fields = schema_gen1(child);
            let inner = if k == 1 { &fields[0] } else { &fields[fields.len() - 1] };
            lfield(t, &sample_record(inner, k))
        }
    }
}

fn zero_record(fld: &Field) -> Vec<u8> {
    let mut out = key(fld.tag, fld.ty.wire_type());
    out.push(0);
    out
}

fn ty_text(ty: Ty) -> String {
    match ty {
        Ty::U32 => "uint32".into(),
        Ty::I32 => "int32".into(),
        Ty::U64 => "uint64".into(),
        Ty::I64 => "int64".into(),
        Ty::Bool => "bool".into(),
        Ty::Enum => "enum PayloadType".into(),
        Ty::Str => "string".into(),
        Ty::Bytes => "bytes".into(),
        Ty::Msg(c) => c.into(),
    }
}

fn path_text(name: &str, chain: &[Field]) -> String {
    let mut s = name.to_string();
    for f in chain {
        s.push('.');
        s.push_str(f.name);
    }
    s
}

// ---------------------------------------------------------------------------
// The vectors
// ---------------------------------------------------------------------------

fn per_message(o: &mut Out, name: &str) {
    // Generation 1's fields only: these vectors predate generation 2 and stay
    // byte for byte; the generation-2 fields have their own (`generation_2`).
    let fields = &schema_gen1(name)[..];
    let p = default_encoding(name).expect("known message");
    let with = |extra: &[u8]| cat(&[&p, extra]);

    // --- zero value and full value ---
    o.add(name, Vec::new(), "empty input: every field absent (required fields read as defaults and written back)");
    o.add(name, p.clone(), "zero value (Default) as prost encodes it");
    o.add(name, full(name), "fully populated value");
    o.add(name, cat(&[&full(name), &full(name)]), "fully populated value sent twice: scalars last-wins, messages merge, repeated fields append");

    // --- presence, per field ---
    for fld in fields {
        let fname = fld.name;
        let ty = ty_text(fld.ty);
        let is_msg = matches!(fld.ty, Ty::Msg(_));
        let zero_desc = match (fld.presence, is_msg) {
            (Presence::Implicit, _) => format!("{fname} ({ty}, implicit) zero on the wire: omitted on re-encode"),
            (Presence::Explicit, false) => format!("{fname} ({ty}, explicit) set to zero: kept"),
            (Presence::Explicit, true) => {
                format!("{fname} ({ty}, explicit) set to an empty message: kept, written with its required fields")
            }
            (Presence::Required, false) => format!("{fname} ({ty}, required) zero: always written"),
            (Presence::Required, true) => {
                format!("{fname} ({ty}, required) empty message: written with its required fields")
            }
            (Presence::Oneof, false) => format!("{fname} ({ty}, oneof member) false/zero: kept, it is the chosen case"),
            (Presence::Oneof, true) => format!("{fname} ({ty}, oneof member) empty message: kept"),
            (Presence::Repeated, _) => format!("{fname} (repeated {ty}) one empty entry"),
        };
        o.add(name, with(&zero_record(fld)), zero_desc);
        o.add(name, with(&sample_record(fld, 1)), format!("{fname} ({ty}) set"));
        let twice = cat(&[&sample_record(fld, 1), &sample_record(fld, 2)]);
        let twice_desc = match (fld.presence, is_msg) {
            (Presence::Repeated, _) => format!("{fname} two entries: both kept, in order"),
            (_, true) => format!("{fname} sent twice: the two messages merge"),
            (Presence::Oneof, false) => format!("{fname} sent twice: last value wins"),
            _ => format!("{fname} sent twice: last value wins"),
        };
        o.add(name, with(&twice), twice_desc);
    }
    if fields.len() > 1 {
        let mut rev = Vec::new();
        for fld in fields.iter().rev() {
            rev.extend(sample_record(fld, 1));
        }
        o.add(name, rev, "every field set, in reverse tag order: re-encoded in tag order");
    }

    // --- accepted but normalised ---
    for fld in fields {
        let t = fld.tag;
        let f = fld.name;
        match fld.ty {
            Ty::U32 => {
                o.add(name, with(&vfield(t, (1 << 32) | 5)), format!("{f} (uint32) given the 64-bit varint 0x100000005: truncated to 5"));
                o.add(name, with(&vfield(t, u64::MAX)), format!("{f} (uint32) given a 10-byte varint u64::MAX: truncated to 0xffffffff"));
                o.add(name, with(&vfield(t, 1 << 32)), format!("{f} (uint32) given 2^32: truncated to 0"));
            }
            Ty::I32 | Ty::Enum => {
                o.add(name, with(&vfield(t, 0xffff_ffff)), format!("{f} (int32) -1 as a 5-byte varint: accepted, re-encoded in 10 bytes"));
                o.add(name, with(&vfield(t, i32::MIN as i64 as u64)), format!("{f} (int32) i32::MIN: 10 bytes"));
                o.add(name, with(&vfield(t, 0xffff_ffff_0000_0000)), format!("{f} (int32) 64-bit varint with low 32 bits zero: truncated to 0"));
                o.add(name, with(&vfield(t, (1 << 32) | 7)), format!("{f} (int32) 64-bit varint 0x100000007: truncated to 7"));
            }
            Ty::Bool => {
                o.add(name, with(&vfield(t, 2)), format!("{f} (bool) varint 2: read as true, re-encoded as 1"));
                o.add(name, with(&vfield(t, 1 << 32)), format!("{f} (bool) varint 2^32: true (any non-zero 64-bit value, not truncated first)"));
                o.add(name, with(&vfield(t, u64::MAX)), format!("{f} (bool) 10-byte varint u64::MAX: true"));
            }
            Ty::U64 => {
                o.add(name, with(&vfield(t, u64::MAX)), format!("{f} (uint64) u64::MAX: 10 bytes"));
            }
            Ty::I64 => {
                o.add(name, with(&vfield(t, i64::MIN as u64)), format!("{f} (int64) i64::MIN: 10 bytes"));
            }
            _ => {}
        }
    }
    {
        let fld = &fields[0];
        let mut rec = padded_varint(((fld.tag as u64) << 3) | fld.ty.wire_type() as u64, 3);
        let desc = if fld.ty.wire_type() == WT_VARINT {
            rec.extend(padded_varint(1, 10));
            format!("{} with non-minimal varints (3-byte key, 10-byte value 1): accepted, re-encoded minimally", fld.name)
        } else {
            let body = if matches!(fld.ty, Ty::Msg(_)) { vfield(UNK, 1) } else { b"a".to_vec() };
            rec.extend(padded_varint(body.len() as u64, 4));
            rec.extend(body);
            format!("{} with non-minimal varints (3-byte key, 4-byte length): accepted, re-encoded minimally", fld.name)
        };
        o.add(name, with(&rec), desc);
    }
    o.add(name, with(&vfield(UNK, 150)), "unknown field 15, varint: dropped");
    o.add(name, with(&cat(&[&key(UNK, WT_I64), &pattern(8, 9)])), "unknown field 15, 64-bit: dropped");
    o.add(name, with(&lfield(UNK, b"abc")), "unknown field 15, length-delimited: dropped");
    o.add(name, with(&lfield(UNK, b"\xff\xfe")), "unknown field 15, length-delimited with invalid UTF-8: dropped (not checked)");
    o.add(name, with(&cat(&[&key(UNK, WT_I32), &pattern(4, 9)])), "unknown field 15, 32-bit: dropped");
    o.add(
        name,
        with(&cat(&[&key(UNK, WT_SGROUP), &vfield(1, 1), &lfield(2, b"\xff"), &nested_groups(3, 2, &[]), &key(UNK, WT_EGROUP)])),
        "unknown group 15 holding records and nested groups: dropped",
    );
    o.add(name, with(&vfield((1 << 29) - 1, 1)), "unknown field 536870911 (highest field number): dropped");
    o.add(name, cat(&[&vfield(UNK, 1), &full(name), &lfield(UNK + 1, b"x")]), "fully populated value between unknown fields: unknown fields dropped");
    o.add(name, with(&nested_groups(UNK, 100, &[])), "100 nested empty unknown groups: accepted (prost recursion limit is 100)");
    o.add(name, with(&nested_groups(UNK, 99, &vfield(1, 1))), "99 nested unknown groups with a varint inside: accepted");

    // --- rejected ---
    let vf = fields.iter().find(|f| f.ty.wire_type() == WT_VARINT).map(|f| (f.tag, f.name)).unwrap_or((UNK, "unknown field 15"));
    let lf = fields.iter().find(|f| f.ty.wire_type() == WT_LEN).map(|f| (f.tag, f.name)).unwrap_or((UNK, "unknown field 15"));
    o.add(name, with(&[0x00, 0x01]), "reject: field number 0 (key 0x00)");
    o.add(name, with(&[0x02, 0x00]), "reject: field number 0 with wire type 2 (key 0x02)");
    o.add(name, with(&cat(&[&key(1, 6), &[0x00]])), "reject: field 1 with wire type 6");
    o.add(name, with(&cat(&[&key(1, 7), &[0x00]])), "reject: field 1 with wire type 7");
    o.add(name, with(&cat(&[&key(UNK, 6), &[0x00]])), "reject: unknown field 15 with wire type 6");
    o.add(name, with(&cat(&[&key(UNK, 7), &[0x00]])), "reject: unknown field 15 with wire type 7");
    o.add(name, with(&cat(&[&key(vf.0, WT_VARINT), &[0x80]])), format!("reject: truncated varint value ({})", vf.1));
    o.add(name, with(&key(vf.0, WT_VARINT)), format!("reject: key without its varint value ({})", vf.1));
    o.add(name, with(&[0x80]), "reject: truncated key varint");
    o.add(name, with(&cat(&[&key(lf.0, WT_LEN), &[0x80]])), format!("reject: truncated length varint ({})", lf.1));
    o.add(name, with(&key(lf.0, WT_LEN)), format!("reject: key without its length ({})", lf.1));
    o.add(name, with(&cat(&[&key(lf.0, WT_LEN), &[0x05, b'a', b'b']])), format!("reject: length 5 runs past the end of the buffer ({})", lf.1));
    o.add(name, with(&cat(&[&key(lf.0, WT_LEN), &[0xff, 0xff, 0xff, 0xff, 0x0f, b'a']])), format!("reject: length 0xFFFFFFFF in a short input ({})", lf.1));
    o.add(name, with(&cat(&[&key(UNK, WT_I64), &[1, 2, 3]])), "reject: unknown 64-bit field with 3 bytes left");
    o.add(name, with(&cat(&[&key(UNK, WT_I32), &[1, 2, 3]])), "reject: unknown 32-bit field with 3 bytes left");
    o.add(name, with(&cat(&[&key(vf.0, WT_VARINT), &[0x80; 10], &[0x01]])), format!("reject: 11-byte varint ({})", vf.1));
    o.add(name, with(&cat(&[&key(vf.0, WT_VARINT), &[0xff; 9], &[0x02]])), format!("reject: 10-byte varint whose 10th byte is 0x02 ({})", vf.1));
    o.add(name, with(&cat(&[&key(vf.0, WT_VARINT), &[0x80; 9], &[0x7f]])), format!("reject: 10-byte varint whose 10th byte is 0x7f ({})", vf.1));
    o.add(name, with(&cat(&[&key(vf.0, WT_VARINT), &[0xff; 9], &[0x01]])), format!("accept: 10-byte varint whose 10th byte is 0x01, u64::MAX ({})", vf.1));
    o.add(name, with(&cat(&[&[0x80; 10], &[0x01]])), "reject: 11-byte key varint");
    o.add(name, with(&varint((1 << 32) | 8)), "reject: key varint above u32::MAX (4294967304)");

    for fld in fields {
        let own = fld.ty.wire_type();
        let t = fld.tag;
        let f = fld.name;
        let mut cases: Vec<(Vec<u8>, &str)> = Vec::new();
        if own != WT_VARINT {
            cases.push((vfield(t, 1), "varint"));
        }
        if own != WT_LEN {
            cases.push((lfield(t, &[0x01]), "length-delimited"));
        }
        cases.push((cat(&[&key(t, WT_I64), &pattern(8, 1)]), "64-bit"));
        cases.push((cat(&[&key(t, WT_I32), &pattern(4, 1)]), "32-bit"));
        cases.push((cat(&[&key(t, WT_SGROUP), &key(t, WT_EGROUP)]), "start group (with matching end)"));
        cases.push((key(t, WT_EGROUP), "end group"));
        for (rec, wt) in cases {
            o.add(name, with(&rec), format!("reject: known field {f} ({}) sent as {wt}", ty_text(fld.ty)));
        }
    }

    if let Some(chain) = chain_to(name, &|f| f.ty == Ty::Str) {
        let last = chain[chain.len() - 1];
        let path = path_text(name, &chain);
        let bad: &[(&[u8], &str)] = if chain.len() == 1 {
            &[
                (b"\xff", "0xff"),
                (b"\xc0\x80", "overlong NUL c0 80"),
                (b"\xed\xa0\x80", "UTF-16 surrogate ed a0 80"),
                (b"\xf4\x90\x80\x80", "above U+10FFFF f4 90 80 80"),
                (b"\xe6\x97", "truncated sequence e6 97"),
                (b"ok\x80", "lone continuation byte"),
            ]
        } else {
            &[(b"\xff", "0xff")]
        };
        for (bytes, what) in bad {
            let rec = wrap_chain(&chain[..chain.len() - 1], lfield(last.tag, bytes));
            o.add(name, with(&rec), format!("reject: invalid UTF-8 ({what}) in string {path}"));
        }
    }
    if let Some(chain) = chain_to(name, &|f| f.ty == Ty::Bytes) {
        if chain.len() == 1 {
            o.add(name, with(&lfield(chain[0].tag, b"\xff\xc0\x80")), format!("accept: invalid UTF-8 in bytes field {}", chain[0].name));
        }
    }

    o.add(name, with(&nested_groups(UNK, 101, &[])), "reject: 101 nested unknown groups (recursion limit reached)");
    o.add(name, with(&nested_groups(UNK, 150, &[])), "reject: 150 nested unknown groups");
    o.add(name, with(&nested_groups(UNK, 100, &vfield(1, 1))), "reject: 100 nested unknown groups with a varint inside (skipping any field at depth 101 hits the limit)");
    o.add(name, with(&cat(&[&key(UNK, WT_SGROUP), &key(UNK + 1, WT_EGROUP)])), "reject: group 15 closed by end group 16 (mismatched end-group tag)");
    o.add(
        name,
        with(&cat(&[&key(UNK, WT_SGROUP), &key(UNK + 1, WT_SGROUP), &key(UNK, WT_EGROUP), &key(UNK + 1, WT_EGROUP)])),
        "reject: crossed nested groups 15/16 (mismatched end-group tag)",
    );
    o.add(name, with(&key(UNK, WT_EGROUP)), "reject: end group 15 with no start group");
    o.add(name, with(&key(UNK, WT_SGROUP)), "reject: start group 15 never closed");
    o.add(name, with(&cat(&[&key(UNK, WT_SGROUP), &vfield(1, 1)])), "reject: start group 15 holding a record, never closed");

    // --- nested messages ---
    if let Some(mf) = fields.iter().find(|f| matches!(f.ty, Ty::Msg(_))) {
        let f = mf.name;
        let t = mf.tag;
        o.add(name, with(&cat(&[&key(t, WT_LEN), &[0x01, 0x78, 0x00]])), format!("reject: {f} body of length 1 whose varint record runs past it (delimited length exceeded)"));
        o.add(name, with(&cat(&[&key(t, WT_LEN), &[0x05, 0x78]])), format!("reject: {f} length 5 runs past the end of the buffer"));
        o.add(name, with(&lfield(t, &[0x0e, 0x00])), format!("reject: wire type 6 inside {f} (error names the nesting)"));
        o.add(name, with(&lfield(t, &[0x00])), format!("reject: field number 0 inside {f}"));
        o.add(name, with(&lfield(t, &nested_groups(UNK, 99, &[]))), format!("accept: 99 nested unknown groups inside {f}"));
        o.add(name, with(&lfield(t, &nested_groups(UNK, 100, &[]))), format!("reject: 100 nested unknown groups inside {f} (the message level counts toward the limit)"));
    }
    let chain = deepest_chain(name);
    if chain.len() > 1 {
        let d = chain.len();
        let path = path_text(name, &chain);
        let ok_n = 100 - d;
        o.add(name, with(&wrap_chain(&chain, nested_groups(UNK, ok_n, &[]))), format!("accept: {ok_n} nested unknown groups inside {path} (message depth {d}): depth {} in total", d + ok_n));
        o.add(name, with(&wrap_chain(&chain, nested_groups(UNK, ok_n + 1, &[]))), format!("reject: {} nested unknown groups inside {path} (message depth {d}): recursion limit", ok_n + 1));
    }
}

fn specials(o: &mut Out) {
    // DestV1: every oneof case, and switching between them.
    let d = "DestV1";
    o.add(d, vec![], "kind absent (destination kind is missing)");
    o.add(d, DestV1 { kind: Some(DestKind::Shell(false)) }.encode_to_vec(), "shell = false: written because it is the chosen case");
    o.add(d, DestV1 { kind: Some(DestKind::Shell(true)) }.encode_to_vec(), "shell = true");
    o.add(d, DestV1 { kind: Some(DestKind::Local(false)) }.encode_to_vec(), "local = false: written");
    o.add(d, DestV1 { kind: Some(DestKind::Local(true)) }.encode_to_vec(), "local = true");
    o.add(d, DestV1 { kind: Some(DestKind::Actor(ActrId::default())) }.encode_to_vec(), "actor = default ActrId");
    o.add(d, DestV1 { kind: Some(DestKind::Actor(id_a())) }.encode_to_vec(), "actor = populated ActrId");
    o.add(d, cat(&[&vfield(1, 1), &vfield(2, 1)]), "shell then local: last member wins (local)");
    o.add(d, cat(&[&vfield(2, 1), &lfield(3, &[])]), "local then actor: last member wins (actor)");
    o.add(d, cat(&[&lfield(3, &id_a().encode_to_vec()), &vfield(1, 0)]), "actor then shell=false: last member wins (shell false)");
    o.add(
        d,
        cat(&[&lfield(3, &lfield(1, &vfield(1, 9))), &lfield(3, &vfield(2, 77))]),
        "actor twice: the two ActrIds merge (realm from the first, serial from the second)",
    );
    o.add(d, cat(&[&vfield(1, 1), &lfield(3, &vfield(2, 5)), &vfield(1, 1), &lfield(3, &lfield(3, &lfield(2, b"n")))]), "actor, shell, actor: the second actor starts from a default ActrId, no merge with the first");

    // PeerEventV1 explicit presence.
    let p = "PeerEventV1";
    o.add(p, PeerEventV1 { peer: ActrId::default(), relayed: Some(false), status: None }.encode_to_vec(), "relayed = Some(false): written as 1000");
    o.add(p, PeerEventV1 { peer: ActrId::default(), relayed: None, status: Some(0) }.encode_to_vec(), "status = Some(0) (IDLE): written as 1800");
    o.add(p, PeerEventV1 { peer: id_a(), relayed: Some(false), status: Some(0) }.encode_to_vec(), "relayed Some(false), status Some(IDLE)");
    o.add(p, PeerEventV1 { peer: id_a(), relayed: None, status: Some(99) }.encode_to_vec(), "status = 99 (unknown WebRTC status survives the codec)");

    // GuestHookV1 explicit message presence.
    let h = "GuestHookV1";
    o.add(h, GuestHookV1 { peer: Some(PeerEventV1::default()), ..Default::default() }.encode_to_vec(), "peer = Some(default): written with its required peer id");
    o.add(h, GuestHookV1 { credential: Some(CredentialEventV1::default()), ..Default::default() }.encode_to_vec(), "credential = Some(default)");
    o.add(h, GuestHookV1 { backpressure: Some(BackpressureEventV1::default()), ..Default::default() }.encode_to_vec(), "backpressure = Some(default): an empty submessage 2a00");
    for hook in 1..=12u32 {
        o.add(h, GuestHookV1 { ctx: ctx_full(), hook, ..Default::default() }.encode_to_vec(), format!("hook = {hook}"));
    }

    // InvocationContextV1
    let c = "InvocationContextV1";
    o.add(c, InvocationContextV1 { caller_id: Some(ActrId::default()), ..Default::default() }.encode_to_vec(), "caller_id = Some(default ActrId): written");
    for rid in ["lifecycle:on_start", "lifecycle:on_ready", "lifecycle:on_stop", "data-stream:s1:18446744073709551615"] {
        o.add(c, InvocationContextV1 { self_id: id_a(), caller_id: None, request_id: rid.into() }.encode_to_vec(), format!("request_id = {rid}"));
    }

    // AbiFrame ops and payload sizes.
    let fr = "AbiFrame";
    for op in [1u32, 2, 3, 4, 5, 6, 7, 101, 102, 103, 104] {
        o.add(fr, AbiFrame { abi_version: 1, op, payload: vec![] }.encode_to_vec(), format!("abi_version 1, op {op}, empty payload"));
    }
    o.add(fr, AbiFrame { abi_version: 2, op: 0, payload: pattern(127, 7) }.encode_to_vec(), "payload of 127 bytes (1-byte length)");
    o.add(fr, AbiFrame { abi_version: 1, op: 1, payload: pattern(128, 7) }.encode_to_vec(), "payload of 128 bytes (2-byte length)");
    o.add(fr, AbiFrame { abi_version: 1, op: 1, payload: pattern(16384, 7) }.encode_to_vec(), "payload of 16384 bytes (3-byte length)");

    // AbiReply status codes.
    let r = "AbiReply";
    for status in [0i32, -1, -2, -3, -4, -5, -6, -7, i32::MIN, i32::MAX] {
        o.add(r, AbiReply { abi_version: 1, status, payload: vec![] }.encode_to_vec(), format!("status {status}, empty payload"));
    }
    o.add(r, AbiReply { abi_version: 1, status: -5, payload: b"decode failure: \xff".to_vec() }.encode_to_vec(), "status PROTOCOL_ERROR with a payload that is not UTF-8 (bytes, accepted)");

    // HostSendDataStreamV1 payload types (open enum).
    let s = "HostSendDataStreamV1";
    for pt in [0i32, 1, 2, 3, 4, 5, 99, -1, i32::MIN, i32::MAX] {
        o.add(s, HostSendDataStreamV1 { dest: DestV1 { kind: Some(DestKind::Local(true)) }, chunk: DataStream::default(), payload_type: pt }.encode_to_vec(), format!("payload_type {pt}"));
    }
    o.add(s, HostSendDataStreamV1 { dest: DestV1::default(), chunk: DataStream::default(), payload_type: 2 }.encode_to_vec(), "dest with kind absent: written as 0a00");

    // DataStream / RpcEnvelope optional and repeated fields.
    let ds = "DataStream";
    o.add(ds, DataStream { timestamp_ms: Some(0), ..Default::default() }.encode_to_vec(), "timestamp_ms = Some(0): written");
    o.add(ds, DataStream { metadata: vec![meta("a", "1"), meta("", ""), meta("🦀", "日本")], ..Default::default() }.encode_to_vec(), "three metadata entries, one of them empty");
    let env = "RpcEnvelope";
    o.add(env, RpcEnvelope { payload: Some(vec![]), ..Default::default() }.encode_to_vec(), "payload = Some(empty): written as 1200");
    o.add(env, RpcEnvelope { traceparent: Some(String::new()), tracestate: Some(String::new()), ..Default::default() }.encode_to_vec(), "traceparent and tracestate = Some(\"\"): written");
    o.add(env, RpcEnvelope { error: Some(ErrorResponse::default()), ..Default::default() }.encode_to_vec(), "error = Some(default): written with its required fields");
    o.add(env, RpcEnvelope { timeout_ms: i64::MIN, ..Default::default() }.encode_to_vec(), "timeout_ms = i64::MIN");
    o.add(env, cat(&[&lfield(103, &lfield(1, b"a")), &lfield(103, &lfield(2, b"b"))]), "metadata twice: two entries, not merged");

    // Realm / ErrorResponse required scalars.
    o.add("Realm", vfield(1, 0), "realm_id = 0: required, written as 0800");
    for code in [10001u32, 10007, 10011, 0, u32::MAX] {
        o.add("ErrorResponse", ErrorResponse { code, message: "m".into() }.encode_to_vec(), format!("code {code}"));
    }
}

/// Edges of the wire format that a codec is easy to get subtly wrong at.
fn edges(o: &mut Out) {
    // Varint sizes: the last value of each byte count and the first of the next.
    let bp = "BackpressureEventV1";
    for bits in [7u32, 14, 21, 28, 32, 35, 42, 49, 56, 63] {
        let edge = 1u64 << bits;
        for v in [edge - 1, edge] {
            o.add(bp, BackpressureEventV1 { queue_len: v, threshold: v }.encode_to_vec(), format!("queue_len = threshold = {v} (2^{bits}{})", if v < edge { " - 1" } else { "" }));
        }
    }
    o.add(bp, BackpressureEventV1 { queue_len: u64::MAX, threshold: 1 }.encode_to_vec(), "queue_len = u64::MAX (ten bytes)");
    let ds = "DataStream";
    for v in [-1i64, -(1 << 31), -(1 << 35), i64::MIN, (1 << 53) - 1, 1 << 53, i64::MAX] {
        o.add(ds, DataStream { timestamp_ms: Some(v), ..Default::default() }.encode_to_vec(), format!("timestamp_ms = {v}"));
    }
    // Truncations and lengths beyond 32 bits.
    let rs = "HostRegisterStreamV1";
    o.add(rs, vec![0x08, 0xff, 0xff, 0xff, 0xff, 0xff], "reject: an unknown varint cut off after its 5th byte");
    o.add(rs, vec![0x0a, 0x81, 0x80, 0x80, 0x80, 0x10, 0x61], "reject: a length of 2^32 + 1 (read modulo 2^32 it would be 1)");
    o.add(rs, vec![0x0a, 0x80, 0x80, 0x80, 0x80, 0x10], "reject: a length of 2^32 with nothing after it");
    o.add("AbiFrame", vec![0x10, 0xff, 0xff, 0xff, 0xff, 0xff], "reject: op's varint cut off after its 5th byte");
    // UTF-8 edges: the first 2-, 3- and 4-byte characters, the last of each, a BOM.
    for (text, what) in [
        ("\u{7f}", "U+007F (last 1-byte)"),
        ("\u{80}", "U+0080 (first 2-byte)"),
        ("\u{7ff}", "U+07FF (last 2-byte)"),
        ("\u{800}", "U+0800 (first 3-byte)"),
        ("\u{d7ff}", "U+D7FF (before the surrogates)"),
        ("\u{e000}", "U+E000 (after the surrogates)"),
        ("\u{ffff}", "U+FFFF (last 3-byte)"),
        ("\u{10000}", "U+10000 (first 4-byte, a surrogate pair in UTF-16)"),
        ("\u{10ffff}", "U+10FFFF (U+DBFF U+DFFF in UTF-16)"),
        ("\u{feff}x", "a leading BOM, kept"),
    ] {
        o.add(rs, lfield(1, text.as_bytes()), format!("stream_id = {what}"));
    }
    for (bytes, what) in [
        (vec![0xed, 0xa0, 0x80], "an encoded high surrogate U+D800"),
        (vec![0xed, 0xbf, 0xbf], "an encoded low surrogate U+DFFF"),
        (vec![0xed, 0xb0, 0x80, 0xed, 0xb0, 0x80], "two encoded low surrogates"),
        (vec![0xf4, 0x90, 0x80, 0x80], "U+110000, beyond Unicode"),
        (vec![0xc0, 0x80], "an overlong NUL"),
        (vec![0xe2, 0x82], "a 3-byte character cut short"),
    ] {
        o.add(rs, lfield(1, &bytes), format!("reject: stream_id holds {what}"));
    }
}

/// Lengths at the edges of one-, two- and three-byte length prefixes, at
/// every level of nesting, for strings of one- to four-byte characters and
/// for bytes: an encoder that writes a nested message before it knows its
/// length, or copies long bytes apart from the rest, gets these wrong first.
fn lengths(o: &mut Out) {
    let texts: [(String, &str); 13] = [
        ("a".repeat(42), "42 ASCII characters"),
        ("a".repeat(43), "43 ASCII characters"),
        ("a".repeat(127), "127 ASCII characters"),
        ("a".repeat(128), "128 ASCII characters"),
        ("日".repeat(42), "42 three-byte characters (126 bytes)"),
        ("日".repeat(43), "43 three-byte characters (129 bytes)"),
        (format!("{}a", "é".repeat(63)), "63 two-byte characters and one ASCII (127 bytes)"),
        ("é".repeat(64), "64 two-byte characters (128 bytes)"),
        ("🦀".repeat(21), "21 four-byte characters (84 bytes, 42 UTF-16 units)"),
        ("🦀".repeat(22), "22 four-byte characters (88 bytes, 44 UTF-16 units)"),
        (format!("{}a", "🦀".repeat(31)), "31 four-byte characters and one ASCII (125 bytes)"),
        ("a".repeat(16383), "16383 ASCII characters"),
        ("é".repeat(8192), "8192 two-byte characters (16384 bytes)"),
    ];
    for (text, what) in &texts {
        o.add("HostRegisterStreamV1", HostRegisterStreamV1 { stream_id: text.clone() }.encode_to_vec(), format!("stream_id of {what}"));
        let self_id = ActrId { r#type: ActrType { name: text.clone(), ..id_b().r#type }, ..id_a() };
        let ctx = InvocationContextV1 { self_id, caller_id: Some(id_b()), request_id: "r".into() };
        o.add("GuestHandleV1", GuestHandleV1 { ctx, rpc_envelope: pattern(3, 1), bridge_token: 0 }.encode_to_vec(), format!("ctx.self_id.type.name of {what}: three nested lengths"));
    }
    for n in [31usize, 32, 127, 128, 129, 16383, 16384] {
        let chunk = DataStream { stream_id: "s".into(), sequence: 1, payload: pattern(n, 5), metadata: vec![meta("k", &"v".repeat(130))], timestamp_ms: Some(5) };
        o.add(
            "HostSendDataStreamV1",
            HostSendDataStreamV1 { dest: DestV1 { kind: Some(DestKind::Actor(id_a())) }, chunk: chunk.clone(), payload_type: 1 }.encode_to_vec(),
            format!("chunk.payload of {n} bytes between a string and a 130-byte metadata entry"),
        );
        let sender = ActrId { r#type: ActrType { name: "n".repeat(200), ..id_b().r#type }, ..id_b() };
        o.add("GuestDataStreamV1", GuestDataStreamV1 { chunk, sender, bridge_token: 0 }.encode_to_vec(), format!("chunk.payload of {n} bytes, then a sender of over 200 bytes"));
        o.add("GuestHandleV1", GuestHandleV1 { ctx: ctx_full(), rpc_envelope: pattern(n, 6), bridge_token: 0 }.encode_to_vec(), format!("rpc_envelope of {n} bytes"));
        o.add(
            "RpcEnvelope",
            RpcEnvelope { payload: Some(pattern(n, 7)), error: Some(ErrorResponse { code: 1, message: "e".repeat(200) }), ..envelope_full() }.encode_to_vec(),
            format!("payload of {n} bytes, then an error of over 200 bytes"),
        );
    }
    for (edge, what) in [("\u{7f}", "U+007F"), ("\u{80}", "U+0080"), ("\u{7ff}", "U+07FF"), ("\u{800}", "U+0800"), ("\u{ffff}", "U+FFFF"), ("\u{10000}", "U+10000"), ("\u{10ffff}", "U+10FFFF")] {
        o.add("HostRegisterStreamV1", HostRegisterStreamV1 { stream_id: format!("{}{edge}", "a".repeat(50)) }.encode_to_vec(), format!("stream_id of 50 ASCII characters and {what} (measured before it is written)"));
    }
    // A nested message of exactly 127, 128, 16383 and 16384 bytes: stream_id (3 bytes), sequence (2), payload key (1) and length (1 or 2).
    for (len, n) in [(127usize, 120usize), (128, 121), (16383, 16375), (16384, 16376)] {
        let chunk = DataStream { stream_id: "s".into(), sequence: 1, payload: pattern(n, 4), ..Default::default() };
        assert_eq!(chunk.encoded_len(), len);
        o.add(
            "GuestDataStreamV1",
            GuestDataStreamV1 { chunk, sender: id_b(), bridge_token: 0 }.encode_to_vec(),
            format!("a chunk of exactly {len} bytes"),
        );
    }
    let long = "日".repeat(42);
    o.add(
        "RpcEnvelope",
        RpcEnvelope { route_key: long.clone(), traceparent: Some(long.clone()), tracestate: Some(long.clone()), request_id: long, ..Default::default() }.encode_to_vec(),
        "four strings of 126 bytes (42 three-byte characters) in a row",
    );
    o.add(
        "InitPayloadV1",
        InitPayloadV1 { version: 1, actr_type: "t".into(), credential: pattern(200, 8), actor_id: pattern(300, 9), realm_id: 3 }.encode_to_vec(),
        "credential of 200 bytes and actor_id of 300 bytes",
    );
}

// ---------------------------------------------------------------------------
// Generation 2 (docs/abi.md section 9): bridge tokens and RpcEnvelope.direction
// ---------------------------------------------------------------------------

/// The guest request payloads that gained a `bridge_token`, with their op.
const GUEST_REQUESTS: [(&str, u32, &str); 4] = [
    ("GuestHandleV1", 101, "GUEST_HANDLE"),
    ("GuestDataStreamV1", 102, "GUEST_DATA_STREAM"),
    ("GuestLifecycleV1", 103, "GUEST_LIFECYCLE"),
    ("GuestHookV1", 104, "GUEST_HOOK"),
];

/// The fully populated value of a guest request (as `full`) with `bridge_token`.
fn full_with_token(name: &str, bridge_token: u64) -> Vec<u8> {
    match name {
        "GuestHandleV1" => {
            GuestHandleV1 { ctx: ctx_full(), rpc_envelope: envelope_full().encode_to_vec(), bridge_token }.encode_to_vec()
        }
        "GuestDataStreamV1" => GuestDataStreamV1 { chunk: data_stream_full(), sender: id_b(), bridge_token }.encode_to_vec(),
        "GuestLifecycleV1" => GuestLifecycleV1 { ctx: ctx_full(), hook: 3, bridge_token }.encode_to_vec(),
        "GuestHookV1" => GuestHookV1 {
            ctx: ctx_full(),
            hook: 12,
            peer: Some(peer_full()),
            credential: Some(CredentialEventV1 { new_expiry: ts_full() }),
            backpressure: Some(BackpressureEventV1 { queue_len: 1 << 40, threshold: u64::MAX }),
            bridge_token,
        }
        .encode_to_vec(),
        other => panic!("full_with_token: {other} has no bridge_token"),
    }
}

/// The generation-2 field `tag` of `name`.
fn gen2_field(name: &str, tag: u32) -> Field {
    *schema(name).iter().find(|f| f.tag == tag).expect("a generation-2 field")
}

/// The wire cases every varint field gets (as `per_message` gives the
/// generation-1 fields): zero, set, twice, non-minimal, too long, wrong wire types.
fn varint_field_cases(o: &mut Out, name: &str, fld: &Field, what: &str) {
    let p = default_encoding(name).expect("known message");
    let with = |extra: &[u8]| cat(&[&p, extra]);
    let (t, f) = (fld.tag, fld.name);
    let pre = "generation 2:";
    match fld.presence {
        Presence::Implicit => o.add(name, with(&zero_record(fld)), format!("{pre} {f} ({what}, implicit) zero on the wire: omitted on re-encode")),
        _ => o.add(name, with(&zero_record(fld)), format!("{pre} {f} ({what}, explicit) set to zero: kept")),
    }
    o.add(name, with(&sample_record(fld, 1)), format!("{pre} {f} ({what}) set"));
    o.add(name, with(&cat(&[&sample_record(fld, 1), &sample_record(fld, 2)])), format!("{pre} {f} sent twice: last value wins"));
    o.add(name, with(&cat(&[&sample_record(fld, 2), &zero_record(fld)])), format!("{pre} {f} set, then zero: last value wins"));
    o.add(name, with(&cat(&[&padded_varint(((t as u64) << 3) | WT_VARINT as u64, 3), &padded_varint(1, 10)])), format!("{pre} {f} with non-minimal varints (3-byte key, 10-byte value 1): accepted, re-encoded minimally"));
    o.add(name, with(&cat(&[&key(t, WT_VARINT), &[0xff; 9], &[0x01]])), format!("{pre} {f}: 10-byte varint whose 10th byte is 0x01 (u64::MAX): accepted"));
    o.add(name, with(&cat(&[&key(t, WT_VARINT), &[0x80; 10], &[0x01]])), format!("{pre} reject: 11-byte varint ({f})"));
    o.add(name, with(&cat(&[&key(t, WT_VARINT), &[0xff; 9], &[0x02]])), format!("{pre} reject: 10-byte varint whose 10th byte is 0x02 ({f})"));
    o.add(name, with(&cat(&[&key(t, WT_VARINT), &[0x80]])), format!("{pre} reject: truncated varint value ({f})"));
    o.add(name, with(&key(t, WT_VARINT)), format!("{pre} reject: key without its varint value ({f})"));
    for (rec, wt) in [
        (lfield(t, &[0x01]), "length-delimited"),
        (cat(&[&key(t, WT_I64), &pattern(8, 1)]), "64-bit"),
        (cat(&[&key(t, WT_I32), &pattern(4, 1)]), "32-bit"),
        (cat(&[&key(t, WT_SGROUP), &key(t, WT_EGROUP)]), "start group (with matching end)"),
        (key(t, WT_EGROUP), "end group"),
    ] {
        o.add(name, with(&rec), format!("{pre} reject: known field {f} ({what}) sent as {wt}"));
    }
}

fn generation_2(o: &mut Out) {
    let pre = "generation 2:";
    let tokens: [(u64, &str); 8] = [
        (1, "1"),
        (127, "127 (last 1-byte varint)"),
        (128, "128 (first 2-byte varint)"),
        (u32::MAX as u64, "2^32 - 1"),
        (1 << 32, "2^32"),
        (0x0123_4567_89ab_cdef, "0x0123456789abcdef (a large token)"),
        (1 << 63, "2^63 (above i64::MAX)"),
        (u64::MAX, "u64::MAX (ten bytes)"),
    ];
    for (name, op, op_name) in GUEST_REQUESTS {
        let fld = gen2_field(name, if name == "GuestHookV1" { 6 } else { 3 });
        let f = fld.name;
        // bridge_token 0: not on the wire, so generation 1's bytes exactly.
        let gen1 = full_with_token(name, 0);
        assert_eq!(gen1, full(name), "bridge_token 0 must leave {name} as generation 1 wrote it");
        o.add(name, gen1.clone(), format!("{pre} fully populated value, {f} = 0: the generation-1 bytes (field absent)"));
        o.add("AbiFrame", AbiFrame { abi_version: 1, op, payload: gen1 }.encode_to_vec(), format!("{pre} {op_name} frame (op {op}), fully populated {name} with {f} = 0: the generation-1 bytes"));
        for (v, what) in tokens {
            o.add(name, full_with_token(name, v), format!("{pre} fully populated value, {f} = {what}"));
        }
        o.add("AbiFrame", AbiFrame { abi_version: 1, op, payload: full_with_token(name, u64::MAX) }.encode_to_vec(), format!("{pre} {op_name} frame (op {op}), {f} = u64::MAX"));
        o.add("AbiFrame", AbiFrame { abi_version: 1, op, payload: full_with_token(name, 1) }.encode_to_vec(), format!("{pre} {op_name} frame (op {op}), {f} = 1"));
        varint_field_cases(o, name, &fld, "uint64");
        o.add(name, cat(&[&vfield(fld.tag, 7), &full(name)]), format!("{pre} {f} = 7 before every other field: re-encoded in tag order"));
        o.add(name, cat(&[&full(name), &vfield(fld.tag, 7), &full(name)]), format!("{pre} {f} = 7 between two fully populated values: kept (the second value carries none)"));
        o.add(name, cat(&[&full_with_token(name, 5), &full_with_token(name, 0)]), format!("{pre} {f} = 5, then a value without it: 5 stays"));
        o.add(name, with_unknown_after(&full_with_token(name, u64::MAX)), format!("{pre} {f} = u64::MAX followed by unknown field 15: the unknown field dropped"));
    }
    // The frames a host builds for each guest request, bridge_token 0, as generation 1 wrote them.
    let h = "GuestHookV1";
    for hook in [1u32, 4, 7, 10, 12] {
        let bytes = GuestHookV1 { ctx: ctx_full(), hook, bridge_token: 0, ..Default::default() }.encode_to_vec();
        o.add(h, bytes, format!("{pre} hook = {hook}, bridge_token = 0: the generation-1 bytes of hook = {hook}"));
    }
    o.add(h, GuestHookV1 { ctx: ctx_full(), hook: 7, peer: Some(peer_full()), bridge_token: 42, ..Default::default() }.encode_to_vec(), format!("{pre} hook = 7 with a peer event and bridge_token = 42 after it"));
    o.add(h, GuestHookV1 { backpressure: Some(BackpressureEventV1::default()), bridge_token: 1, ..Default::default() }.encode_to_vec(), format!("{pre} backpressure = Some(default) and bridge_token = 1: 2a00 then 3001"));
    o.add("GuestLifecycleV1", GuestLifecycleV1 { bridge_token: u64::MAX, ..Default::default() }.encode_to_vec(), format!("{pre} only bridge_token = u64::MAX: the required ctx written first"));
    o.add("GuestDataStreamV1", GuestDataStreamV1 { bridge_token: 1, ..Default::default() }.encode_to_vec(), format!("{pre} only bridge_token = 1: chunk and sender written first"));
    o.add("GuestHandleV1", GuestHandleV1 { bridge_token: 1, ..Default::default() }.encode_to_vec(), format!("{pre} only bridge_token = 1: the required ctx written first"));

    // Every guest request frame in the shapes a host builds (one event per
    // hook), bridge_token 0 and then 1: the token is absent at 0, appended at 1.
    let mut host_frames: Vec<(&str, u32, String, Vec<u8>, Vec<u8>)> = Vec::new();
    for hook in 1..=3u32 {
        let at = |bridge_token| GuestLifecycleV1 { ctx: ctx_full(), hook, bridge_token }.encode_to_vec();
        host_frames.push(("GuestLifecycleV1", 103, format!("GUEST_LIFECYCLE hook {hook}"), at(0), at(1)));
    }
    let hook_shapes: [(u32, &str, GuestHookV1); 5] = [
        (1, "signaling connecting, no event", GuestHookV1::default()),
        (5, "websocket connected, peer with relayed", GuestHookV1 { peer: Some(PeerEventV1 { status: None, ..peer_full() }), ..Default::default() }),
        (8, "webrtc connected, peer with relayed and status", GuestHookV1 { peer: Some(peer_full()), ..Default::default() }),
        (10, "credential renewed", GuestHookV1 { credential: Some(CredentialEventV1 { new_expiry: ts_full() }), ..Default::default() }),
        (12, "mailbox backpressure", GuestHookV1 { backpressure: Some(BackpressureEventV1 { queue_len: 1 << 40, threshold: u64::MAX }), ..Default::default() }),
    ];
    for (hook, what, shape) in hook_shapes {
        let at = |bridge_token| GuestHookV1 { ctx: ctx_full(), hook, bridge_token, ..shape.clone() }.encode_to_vec();
        host_frames.push(("GuestHookV1", 104, format!("GUEST_HOOK hook {hook} ({what})"), at(0), at(1)));
    }
    {
        let at = |bridge_token| GuestDataStreamV1 { chunk: data_stream_full(), sender: id_b(), bridge_token }.encode_to_vec();
        host_frames.push(("GuestDataStreamV1", 102, "GUEST_DATA_STREAM".to_string(), at(0), at(1)));
        let at = |bridge_token| GuestHandleV1 { ctx: ctx_full(), rpc_envelope: envelope_full().encode_to_vec(), bridge_token }.encode_to_vec();
        host_frames.push(("GuestHandleV1", 101, "GUEST_HANDLE".to_string(), at(0), at(1)));
    }
    for (name, op, what, zero, one) in host_frames {
        o.add(name, zero.clone(), format!("{pre} host request {what}, bridge_token = 0: payload"));
        o.add("AbiFrame", AbiFrame { abi_version: 1, op, payload: zero }.encode_to_vec(), format!("{pre} host request {what}, bridge_token = 0: frame"));
        o.add(name, one.clone(), format!("{pre} host request {what}, bridge_token = 1: payload"));
        o.add("AbiFrame", AbiFrame { abi_version: 1, op, payload: one }.encode_to_vec(), format!("{pre} host request {what}, bridge_token = 1: frame"));
    }

    // RpcEnvelope.direction: explicit presence, open enum actr.Direction.
    let env = "RpcEnvelope";
    let fld = gen2_field(env, 4);
    let gen1 = RpcEnvelope { direction: None, ..envelope_full() }.encode_to_vec();
    assert_eq!(gen1, full(env));
    o.add(env, gen1, format!("{pre} fully populated value, direction absent: the generation-1 bytes"));
    let directions: [(i32, &str); 9] = [
        (0, "0 (DIRECTION_UNSPECIFIED): written, explicit presence"),
        (1, "1 (DIRECTION_REQUEST)"),
        (2, "2 (DIRECTION_RESPONSE)"),
        (3, "3 (DIRECTION_TELL)"),
        (4, "4 (unknown value of an open enum: survives)"),
        (99, "99 (unknown)"),
        (-1, "-1 (negative, ten bytes)"),
        (i32::MIN, "i32::MIN"),
        (i32::MAX, "i32::MAX"),
    ];
    for (d, what) in directions {
        o.add(env, RpcEnvelope { direction: Some(d), ..envelope_full() }.encode_to_vec(), format!("{pre} fully populated value, direction = {what}"));
        o.add(env, RpcEnvelope { direction: Some(d), ..Default::default() }.encode_to_vec(), format!("{pre} only direction = {d}: the required fields written around it"));
    }
    varint_field_cases(o, env, &fld, "enum Direction");
    o.add(env, cat(&[&full(env), &vfield(4, 1)]), format!("{pre} direction = 1 after timeout_ms (field 104): re-encoded between error (3) and traceparent (100)"));
    o.add(env, cat(&[&vfield(4, 2), &full(env)]), format!("{pre} direction = 2 first: re-encoded after error (3)"));
    o.add(env, cat(&[&vfield(4, 2), &full(env), &vfield(4, 3)]), format!("{pre} direction 2 then 3 around a fully populated value: last value wins"));
    let p = default_encoding(env).expect("known message");
    for (v, what) in [
        (0xffff_ffffu64, "-1 as a 5-byte varint: accepted, re-encoded in 10 bytes"),
        (0xffff_fffe, "-2 as a 5-byte varint"),
        ((1 << 32) | 3, "the 64-bit varint 0x100000003: truncated to 3 (DIRECTION_TELL)"),
        (0xffff_ffff_0000_0000, "a 64-bit varint with low 32 bits zero: truncated to 0, still present"),
        (u64::MAX, "u64::MAX (ten bytes): -1"),
        (0x8000_0000, "2^31 as a 5-byte varint: i32::MIN"),
    ] {
        o.add(env, cat(&[&p, &vfield(4, v)]), format!("{pre} direction (int32) given {what}"));
    }

    // A generation-2 GUEST_HANDLE: an envelope with a direction inside, a token outside.
    for (d, token) in [(Some(1), 1u64), (Some(3), u64::MAX), (None, 0x0123_4567_89ab_cdef), (Some(7), 0)] {
        let envelope = RpcEnvelope { direction: d, ..envelope_full() }.encode_to_vec();
        let payload = GuestHandleV1 { ctx: ctx_full(), rpc_envelope: envelope, bridge_token: token }.encode_to_vec();
        let dtext = d.map_or("absent".to_string(), |d| d.to_string());
        o.add("GuestHandleV1", payload.clone(), format!("{pre} rpc_envelope with direction {dtext}, bridge_token = {token}"));
        o.add("AbiFrame", AbiFrame { abi_version: 1, op: 101, payload }.encode_to_vec(), format!("{pre} GUEST_HANDLE frame: rpc_envelope with direction {dtext}, bridge_token = {token}"));
    }
}

fn with_unknown_after(bytes: &[u8]) -> Vec<u8> {
    cat(&[bytes, &vfield(UNK, 1)])
}

pub fn build() -> Vec<(String, Vec<u8>, String)> {
    let mut o = Out { lines: Vec::new() };
    for name in NAMES {
        per_message(&mut o, name);
    }
    specials(&mut o);
    edges(&mut o);
    lengths(&mut o);
    generation_2(&mut o);
    o.lines
}

pub fn run() -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    for (name, bytes, desc) in build() {
        line.clear();
        line.extend_from_slice(name.as_bytes());
        line.push(b' ');
        to_hex_into(&bytes, &mut line);
        line.push(b'\t');
        line.extend_from_slice(desc.as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

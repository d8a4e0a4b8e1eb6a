//! The 27 messages of the DynClib ABI contract, declared by hand with
//! `#[derive(prost::Message)]` (spec sections 3 and 5). Nothing here is
//! generated from a `.proto`, so the oracle does not share a schema with the
//! TypeScript package it checks.
//!
//! Field names follow what prost-build would emit (notably `ActrId.r#type`),
//! because prost puts `Struct.field` pairs into its DecodeError text.

use prost::{DecodeError, Message};

// ---------------------------------------------------------------------------
// package actr (proto2): required => always written, optional => Option<T>
// ---------------------------------------------------------------------------

#[derive(Clone, PartialEq, Message)]
pub struct Realm {
    #[prost(uint32, required, tag = "1")]
    pub realm_id: u32,
}

#[derive(Clone, PartialEq, Message)]
pub struct ActrType {
    #[prost(string, required, tag = "1")]
    pub manufacturer: String,
    #[prost(string, required, tag = "2")]
    pub name: String,
    #[prost(string, required, tag = "3")]
    pub version: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct ActrId {
    #[prost(message, required, tag = "1")]
    pub realm: Realm,
    #[prost(uint64, required, tag = "2")]
    pub serial_number: u64,
    #[prost(message, required, tag = "3")]
    pub r#type: ActrType,
}

#[derive(Clone, PartialEq, Message)]
pub struct MetadataEntry {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, required, tag = "2")]
    pub value: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct DataStream {
    #[prost(string, required, tag = "1")]
    pub stream_id: String,
    #[prost(uint64, required, tag = "2")]
    pub sequence: u64,
    #[prost(bytes = "vec", required, tag = "3")]
    pub payload: Vec<u8>,
    #[prost(message, repeated, tag = "4")]
    pub metadata: Vec<MetadataEntry>,
    #[prost(int64, optional, tag = "5")]
    pub timestamp_ms: Option<i64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct ErrorResponse {
    #[prost(uint32, required, tag = "1")]
    pub code: u32,
    #[prost(string, required, tag = "2")]
    pub message: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct RpcEnvelope {
    #[prost(string, required, tag = "1")]
    pub route_key: String,
    #[prost(bytes = "vec", optional, tag = "2")]
    pub payload: Option<Vec<u8>>,
    #[prost(message, optional, tag = "3")]
    pub error: Option<ErrorResponse>,
    #[prost(string, optional, tag = "100")]
    pub traceparent: Option<String>,
    #[prost(string, optional, tag = "101")]
    pub tracestate: Option<String>,
    #[prost(string, required, tag = "102")]
    pub request_id: String,
    #[prost(message, repeated, tag = "103")]
    pub metadata: Vec<MetadataEntry>,
    #[prost(int64, required, tag = "104")]
    pub timeout_ms: i64,
    /// `actr.Direction` (released actr 0.5.4 and later), as a raw i32 (open enum).
    #[prost(int32, optional, tag = "4")]
    pub direction: Option<i32>,
}

/// `actr.PayloadType`; carried as a raw i32 (open enum: every i32 survives).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum PayloadType {
    RpcReliable = 0,
    RpcSignal = 1,
    StreamReliable = 2,
    StreamLatencyFirst = 3,
    MediaRtp = 4,
}

// ---------------------------------------------------------------------------
// ABI messages (section 3)
// ---------------------------------------------------------------------------

#[derive(Clone, PartialEq, Message)]
pub struct InitPayloadV1 {
    #[prost(uint32, tag = "1")]
    pub version: u32,
    #[prost(string, tag = "2")]
    pub actr_type: String,
    #[prost(bytes = "vec", tag = "3")]
    pub credential: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub actor_id: Vec<u8>,
    #[prost(uint32, tag = "5")]
    pub realm_id: u32,
}

#[derive(Clone, PartialEq, Message)]
pub struct AbiFrame {
    #[prost(uint32, tag = "1")]
    pub abi_version: u32,
    #[prost(uint32, tag = "2")]
    pub op: u32,
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct AbiReply {
    #[prost(uint32, tag = "1")]
    pub abi_version: u32,
    #[prost(int32, tag = "2")]
    pub status: i32,
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct InvocationContextV1 {
    #[prost(message, required, tag = "1")]
    pub self_id: ActrId,
    #[prost(message, optional, tag = "2")]
    pub caller_id: Option<ActrId>,
    #[prost(string, tag = "3")]
    pub request_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct GuestHandleV1 {
    #[prost(message, required, tag = "1")]
    pub ctx: InvocationContextV1,
    #[prost(bytes = "vec", tag = "2")]
    pub rpc_envelope: Vec<u8>,
    /// Generation 2: the call's bridge token (0, absent, for generation 1).
    #[prost(uint64, tag = "3")]
    pub bridge_token: u64,
}

#[derive(Clone, PartialEq, Message)]
pub struct GuestDataStreamV1 {
    #[prost(message, required, tag = "1")]
    pub chunk: DataStream,
    #[prost(message, required, tag = "2")]
    pub sender: ActrId,
    /// Generation 2: the call's bridge token (0, absent, for generation 1).
    #[prost(uint64, tag = "3")]
    pub bridge_token: u64,
}

#[derive(Clone, PartialEq, Message)]
pub struct GuestLifecycleV1 {
    #[prost(message, required, tag = "1")]
    pub ctx: InvocationContextV1,
    #[prost(uint32, tag = "2")]
    pub hook: u32,
    /// Generation 2: the call's bridge token (0, absent, for generation 1).
    #[prost(uint64, tag = "3")]
    pub bridge_token: u64,
}

#[derive(Clone, PartialEq, Message)]
pub struct TimestampV1 {
    #[prost(uint64, tag = "1")]
    pub seconds: u64,
    #[prost(uint32, tag = "2")]
    pub nanoseconds: u32,
}

#[derive(Clone, PartialEq, Message)]
pub struct PeerEventV1 {
    #[prost(message, required, tag = "1")]
    pub peer: ActrId,
    #[prost(bool, optional, tag = "2")]
    pub relayed: Option<bool>,
    #[prost(uint32, optional, tag = "3")]
    pub status: Option<u32>,
}

#[derive(Clone, PartialEq, Message)]
pub struct CredentialEventV1 {
    #[prost(message, required, tag = "1")]
    pub new_expiry: TimestampV1,
}

#[derive(Clone, PartialEq, Message)]
pub struct BackpressureEventV1 {
    #[prost(uint64, tag = "1")]
    pub queue_len: u64,
    #[prost(uint64, tag = "2")]
    pub threshold: u64,
}

#[derive(Clone, PartialEq, Message)]
pub struct GuestHookV1 {
    #[prost(message, required, tag = "1")]
    pub ctx: InvocationContextV1,
    #[prost(uint32, tag = "2")]
    pub hook: u32,
    #[prost(message, optional, tag = "3")]
    pub peer: Option<PeerEventV1>,
    #[prost(message, optional, tag = "4")]
    pub credential: Option<CredentialEventV1>,
    #[prost(message, optional, tag = "5")]
    pub backpressure: Option<BackpressureEventV1>,
    /// Generation 2: the call's bridge token (0, absent, for generation 1).
    #[prost(uint64, tag = "6")]
    pub bridge_token: u64,
}

#[derive(Clone, PartialEq, Message)]
pub struct DestV1 {
    #[prost(oneof = "DestKind", tags = "1, 2, 3")]
    pub kind: Option<DestKind>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub enum DestKind {
    #[prost(bool, tag = "1")]
    Shell(bool),
    #[prost(bool, tag = "2")]
    Local(bool),
    #[prost(message, tag = "3")]
    Actor(ActrId),
}

#[derive(Clone, PartialEq, Message)]
pub struct HostCallV1 {
    #[prost(string, tag = "1")]
    pub route_key: String,
    #[prost(message, required, tag = "2")]
    pub dest: DestV1,
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostTellV1 {
    #[prost(string, tag = "1")]
    pub route_key: String,
    #[prost(message, required, tag = "2")]
    pub dest: DestV1,
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostCallRawV1 {
    #[prost(string, tag = "1")]
    pub route_key: String,
    #[prost(message, required, tag = "2")]
    pub target: ActrId,
    #[prost(bytes = "vec", tag = "3")]
    pub payload: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostDiscoverV1 {
    #[prost(message, required, tag = "1")]
    pub target_type: ActrType,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostRegisterStreamV1 {
    #[prost(string, tag = "1")]
    pub stream_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostUnregisterStreamV1 {
    #[prost(string, tag = "1")]
    pub stream_id: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct HostSendDataStreamV1 {
    #[prost(message, required, tag = "1")]
    pub dest: DestV1,
    #[prost(message, required, tag = "2")]
    pub chunk: DataStream,
    #[prost(enumeration = "PayloadType", tag = "3")]
    pub payload_type: i32,
}

// ---------------------------------------------------------------------------
// Name-based dispatch
// ---------------------------------------------------------------------------

macro_rules! message_table {
    ($($ty:ident),* $(,)?) => {
        /// Every message name the line protocol knows, in spec order.
        pub const NAMES: &[&str] = &[$(stringify!($ty)),*];

        /// Decode `bytes` as message `name` with prost and encode it again.
        /// `None` when the name is unknown.
        pub fn reencode(name: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, DecodeError>> {
            match name {
                $(stringify!($ty) => Some($ty::decode(bytes).map(|m| m.encode_to_vec())),)*
                _ => None,
            }
        }

        /// The encoding of the message's zero value (`Default`).
        pub fn default_encoding(name: &str) -> Option<Vec<u8>> {
            match name {
                $(stringify!($ty) => Some($ty::default().encode_to_vec()),)*
                _ => None,
            }
        }
    };
}

message_table!(
    InitPayloadV1,
    AbiFrame,
    AbiReply,
    InvocationContextV1,
    GuestHandleV1,
    GuestDataStreamV1,
    GuestLifecycleV1,
    TimestampV1,
    PeerEventV1,
    CredentialEventV1,
    BackpressureEventV1,
    GuestHookV1,
    DestV1,
    HostCallV1,
    HostTellV1,
    HostCallRawV1,
    HostDiscoverV1,
    HostRegisterStreamV1,
    HostUnregisterStreamV1,
    HostSendDataStreamV1,
    Realm,
    ActrType,
    ActrId,
    MetadataEntry,
    DataStream,
    ErrorResponse,
    RpcEnvelope,
);

// ---------------------------------------------------------------------------
// A wire-level schema of the same messages, used by `gen` and `vectors` to
// build raw (possibly damaged) records. Kept next to the structs above so the
// two are easy to compare.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    U32,
    I32,
    U64,
    I64,
    Bool,
    Enum,
    Str,
    Bytes,
    Msg(&'static str),
}

impl Ty {
    /// The wire type prost uses for the field.
    pub fn wire_type(self) -> u8 {
        match self {
            Ty::U32 | Ty::I32 | Ty::U64 | Ty::I64 | Ty::Bool | Ty::Enum => 0,
            Ty::Str | Ty::Bytes | Ty::Msg(_) => 2,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Implicit,
    Explicit,
    Required,
    Repeated,
    Oneof,
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub tag: u32,
    pub name: &'static str,
    pub ty: Ty,
    pub presence: Presence,
}

const fn f(tag: u32, name: &'static str, ty: Ty, presence: Presence) -> Field {
    Field { tag, name, ty, presence }
}

use Presence::{Explicit as E, Implicit as I, Oneof as O, Repeated as R, Required as Q};

/// A `&'static [Field]` built in a const context.
macro_rules! sch {
    ([$($e:expr),* $(,)?]) => {{
        const S: &[Field] = &[$($e),*];
        S
    }};
}

pub fn schema(name: &str) -> &'static [Field] {
    match name {
        "InitPayloadV1" => sch!([
            f(1, "version", Ty::U32, I),
            f(2, "actr_type", Ty::Str, I),
            f(3, "credential", Ty::Bytes, I),
            f(4, "actor_id", Ty::Bytes, I),
            f(5, "realm_id", Ty::U32, I),
        ]),
        "AbiFrame" => sch!([
            f(1, "abi_version", Ty::U32, I),
            f(2, "op", Ty::U32, I),
            f(3, "payload", Ty::Bytes, I),
        ]),
        "AbiReply" => sch!([
            f(1, "abi_version", Ty::U32, I),
            f(2, "status", Ty::I32, I),
            f(3, "payload", Ty::Bytes, I),
        ]),
        "InvocationContextV1" => sch!([
            f(1, "self_id", Ty::Msg("ActrId"), Q),
            f(2, "caller_id", Ty::Msg("ActrId"), E),
            f(3, "request_id", Ty::Str, I),
        ]),
        "GuestHandleV1" => sch!([
            f(1, "ctx", Ty::Msg("InvocationContextV1"), Q),
            f(2, "rpc_envelope", Ty::Bytes, I),
            f(3, "bridge_token", Ty::U64, I),
        ]),
        "GuestDataStreamV1" => sch!([
            f(1, "chunk", Ty::Msg("DataStream"), Q),
            f(2, "sender", Ty::Msg("ActrId"), Q),
            f(3, "bridge_token", Ty::U64, I),
        ]),
        "GuestLifecycleV1" => sch!([
            f(1, "ctx", Ty::Msg("InvocationContextV1"), Q),
            f(2, "hook", Ty::U32, I),
            f(3, "bridge_token", Ty::U64, I),
        ]),
        "TimestampV1" => sch!([f(1, "seconds", Ty::U64, I), f(2, "nanoseconds", Ty::U32, I)]),
        "PeerEventV1" => sch!([
            f(1, "peer", Ty::Msg("ActrId"), Q),
            f(2, "relayed", Ty::Bool, E),
            f(3, "status", Ty::U32, E),
        ]),
        "CredentialEventV1" => sch!([f(1, "new_expiry", Ty::Msg("TimestampV1"), Q)]),
        "BackpressureEventV1" => sch!([f(1, "queue_len", Ty::U64, I), f(2, "threshold", Ty::U64, I)]),
        "GuestHookV1" => sch!([
            f(1, "ctx", Ty::Msg("InvocationContextV1"), Q),
            f(2, "hook", Ty::U32, I),
            f(3, "peer", Ty::Msg("PeerEventV1"), E),
            f(4, "credential", Ty::Msg("CredentialEventV1"), E),
            f(5, "backpressure", Ty::Msg("BackpressureEventV1"), E),
            f(6, "bridge_token", Ty::U64, I),
        ]),
        "DestV1" => sch!([
            f(1, "shell", Ty::Bool, O),
            f(2, "local", Ty::Bool, O),
            f(3, "actor", Ty::Msg("ActrId"), O),
        ]),
        "HostCallV1" | "HostTellV1" => sch!([
            f(1, "route_key", Ty::Str, I),
            f(2, "dest", Ty::Msg("DestV1"), Q),
            f(3, "payload", Ty::Bytes, I),
        ]),
        "HostCallRawV1" => sch!([
            f(1, "route_key", Ty::Str, I),
            f(2, "target", Ty::Msg("ActrId"), Q),
            f(3, "payload", Ty::Bytes, I),
        ]),
        "HostDiscoverV1" => sch!([f(1, "target_type", Ty::Msg("ActrType"), Q)]),
        "HostRegisterStreamV1" | "HostUnregisterStreamV1" => sch!([f(1, "stream_id", Ty::Str, I)]),
        "HostSendDataStreamV1" => sch!([
            f(1, "dest", Ty::Msg("DestV1"), Q),
            f(2, "chunk", Ty::Msg("DataStream"), Q),
            f(3, "payload_type", Ty::Enum, I),
        ]),
        "Realm" => sch!([f(1, "realm_id", Ty::U32, Q)]),
        "ActrType" => sch!([
            f(1, "manufacturer", Ty::Str, Q),
            f(2, "name", Ty::Str, Q),
            f(3, "version", Ty::Str, Q),
        ]),
        "ActrId" => sch!([
            f(1, "realm", Ty::Msg("Realm"), Q),
            f(2, "serial_number", Ty::U64, Q),
            f(3, "type", Ty::Msg("ActrType"), Q),
        ]),
        "MetadataEntry" => sch!([f(1, "key", Ty::Str, Q), f(2, "value", Ty::Str, Q)]),
        "DataStream" => sch!([
            f(1, "stream_id", Ty::Str, Q),
            f(2, "sequence", Ty::U64, Q),
            f(3, "payload", Ty::Bytes, Q),
            f(4, "metadata", Ty::Msg("MetadataEntry"), R),
            f(5, "timestamp_ms", Ty::I64, E),
        ]),
        "ErrorResponse" => sch!([f(1, "code", Ty::U32, Q), f(2, "message", Ty::Str, Q)]),
        "RpcEnvelope" => sch!([
            f(1, "route_key", Ty::Str, Q),
            f(2, "payload", Ty::Bytes, E),
            f(3, "error", Ty::Msg("ErrorResponse"), E),
            f(4, "direction", Ty::Enum, E),
            f(100, "traceparent", Ty::Str, E),
            f(101, "tracestate", Ty::Str, E),
            f(102, "request_id", Ty::Str, Q),
            f(103, "metadata", Ty::Msg("MetadataEntry"), R),
            f(104, "timeout_ms", Ty::I64, Q),
        ]),
        _ => &[],
    }
}

/// The fields added by generation 2 (docs/abi.md section 9), as
/// `(message, tag)`: the bridge tokens and `RpcEnvelope.direction`.
pub const GENERATION_2: &[(&str, u32)] = &[
    ("GuestHandleV1", 3),
    ("GuestDataStreamV1", 3),
    ("GuestLifecycleV1", 3),
    ("GuestHookV1", 6),
    ("RpcEnvelope", 4),
];

/// `schema(name)` without the generation-2 fields: the fields the golden
/// vectors of generation 1 were built from (so that those stay byte for byte).
pub fn schema_gen1(name: &str) -> Vec<Field> {
    schema(name).iter().copied().filter(|f| !GENERATION_2.contains(&(name, f.tag))).collect()
}

/// Whether `tag` is a field of message `name`.
pub fn is_known_tag(name: &str, tag: u32) -> bool {
    schema(name).iter().any(|f| f.tag == tag)
}

/// The longest chain of message-typed fields starting at `name`
/// (returned as the list of fields walked, outermost first).
pub fn deepest_chain(name: &str) -> Vec<Field> {
    let mut best: Vec<Field> = Vec::new();
    for fld in schema(name) {
        if let Ty::Msg(child) = fld.ty {
            let mut chain = vec![*fld];
            chain.extend(deepest_chain(child));
            if chain.len() > best.len() {
                best = chain;
            }
        }
    }
    best
}

/// A chain of fields from `name` down to the first field (searched own
/// fields first, then depth-first through message fields) that satisfies
/// `pred`. Every element but the last is a message-typed field; the last is
/// the match. `None` when no such field is reachable.
pub fn chain_to(name: &str, pred: &dyn Fn(&Field) -> bool) -> Option<Vec<Field>> {
    for fld in schema(name) {
        if pred(fld) {
            return Some(vec![*fld]);
        }
    }
    for fld in schema(name) {
        if let Ty::Msg(child) = fld.ty {
            if let Some(rest) = chain_to(child, pred) {
                let mut chain = vec![*fld];
                chain.extend(rest);
                return Some(chain);
            }
        }
    }
    None
}

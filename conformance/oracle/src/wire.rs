//! Raw protobuf wire helpers (for building inputs byte by byte), hex, and a
//! tiny seeded PRNG.

pub const WT_VARINT: u8 = 0;
pub const WT_I64: u8 = 1;
pub const WT_LEN: u8 = 2;
pub const WT_SGROUP: u8 = 3;
pub const WT_EGROUP: u8 = 4;
pub const WT_I32: u8 = 5;

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn varint(v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, v);
    out
}

/// A varint of `v` padded with continuation bytes to exactly `width` bytes
/// (non-minimal but valid when `width <= 10` and the value fits).
pub fn padded_varint(v: u64, width: usize) -> Vec<u8> {
    let mut out = varint(v);
    if out.len() >= width {
        return out;
    }
    let last = out.len() - 1;
    out[last] |= 0x80;
    while out.len() < width - 1 {
        out.push(0x80);
    }
    out.push(0x00);
    out
}

pub fn key(tag: u32, wt: u8) -> Vec<u8> {
    varint(((tag as u64) << 3) | wt as u64)
}

pub fn put_key(out: &mut Vec<u8>, tag: u32, wt: u8) {
    put_varint(out, ((tag as u64) << 3) | wt as u64);
}

/// A varint record `tag: v`.
pub fn vfield(tag: u32, v: u64) -> Vec<u8> {
    let mut out = key(tag, WT_VARINT);
    put_varint(&mut out, v);
    out
}

/// A length-delimited record `tag: body`.
pub fn lfield(tag: u32, body: &[u8]) -> Vec<u8> {
    let mut out = key(tag, WT_LEN);
    put_varint(&mut out, body.len() as u64);
    out.extend_from_slice(body);
    out
}

/// `depth` properly nested groups with field number `tag`, `inner` in the middle.
pub fn nested_groups(tag: u32, depth: usize, inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..depth {
        put_key(&mut out, tag, WT_SGROUP);
    }
    out.extend_from_slice(inner);
    for _ in 0..depth {
        put_key(&mut out, tag, WT_EGROUP);
    }
    out
}

pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn to_hex_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    to_hex_into(bytes, &mut out);
    String::from_utf8(out).expect("hex is ascii")
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decode hex (either case) into `out`; `false` on odd length or a bad digit.
pub fn from_hex_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    if s.len() & 1 == 1 {
        return false;
    }
    out.reserve(s.len() / 2);
    for pair in s.chunks_exact(2) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(h), Some(l)) => out.push((h << 4) | l),
            _ => return false,
        }
    }
    true
}

/// splitmix64: small, fast, and fully deterministic on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the tiny modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn idx(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// true with probability num/den.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.idx(items.len())]
    }

    /// Between `lo` and `hi` (inclusive) random bytes.
    pub fn bytes_in(&mut self, lo: u64, hi: u64) -> Vec<u8> {
        let n = self.range(lo, hi) as usize;
        self.bytes(n)
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let w = self.next_u64().to_le_bytes();
            let take = (n - out.len()).min(8);
            out.extend_from_slice(&w[..take]);
        }
        out
    }
}

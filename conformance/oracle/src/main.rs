//! actr-abi-oracle: a prost conformance oracle for the actr DynClib ABI.
//!
//! The 27 messages of the contract (docs: dynclib-abi.md sections 3 and 5)
//! are declared by hand with `#[derive(prost::Message)]` in `messages.rs`.
//! Message names are the bare names (`ActrId`, `AbiFrame`, ...).
//!
//! Commands and stream formats (all lines end with `\n`, hex is lowercase):
//!
//! * `actr-abi-oracle check`
//!   stdin, one line per input: `<MessageName> <hex>` (hex may be empty; the
//!   line may then be `Name ` or just `Name`). Anything from the first TAB on
//!   is ignored, so `vectors` output can be piped in as is; a trailing `\r`
//!   and trailing spaces are ignored too.
//!   stdout, one line per input line, in order, either
//!   `ok <hex>` (prost decoded the bytes; `<hex>` is its re-encoding, and the
//!   line is `ok ` with nothing after the space when that is empty), or
//!   `err <reason>` (prost's DecodeError Display text, or
//!   `unknown message <Name>`, or `invalid hex`).
//!   Output is flushed whenever no further input is already buffered, so a
//!   process driving it one line at a time does not deadlock.
//!
//! * `actr-abi-oracle gen --seed S --count N`
//!   stdout: N lines `<MessageName> <hex>`, deterministic for S; message names
//!   cycle through all 27; about half are valid values, half damaged ones.
//!
//! * `actr-abi-oracle vectors`
//!   stdout: curated, deterministic lines `<MessageName> <hex>\t<description>`
//!   (the description contains no TAB). Pipe them through `check` to get the
//!   expected answers.
//!
//! * `actr-abi-oracle hostile [--mib N] [--iters K]`
//!   stdout: `hostile <nsPerDecode> <bytesHeld>`: prost decoding a
//!   HOST_SEND_DATA_STREAM frame of N MiB (default 32) of empty
//!   `MetadataEntry` records, and the bytes the decoded value holds.
//!
//! * `actr-abi-oracle bench --case ID|all [--iters N]`
//!   stdout: lines `<case> <nsPerOp>` (nanoseconds per operation, one decimal).
//!   `actr-abi-oracle bench --dump-inputs [--case ID|all]`
//!   stdout: lines `<case> <hex>` with the exact bytes each case decodes (for
//!   `guest-handle-encode`: the bytes it produces).

mod bench;
mod gen;
mod messages;
mod vectors;
mod wire;

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

fn usage() -> &'static str {
    "usage:\n  actr-abi-oracle check                       < lines '<MessageName> <hex>'\n  actr-abi-oracle gen --seed S --count N\n  actr-abi-oracle vectors\n  actr-abi-oracle bench --case ID|all [--iters N]\n  actr-abi-oracle bench --dump-inputs [--case ID|all]\n  bench cases: guest-handle-encode guest-handle-decode host-call-decode reply-roundtrip\n               data-stream-decode-64B data-stream-decode-64KiB data-stream-decode-1MiB\n"
}

/// Answer one input line (without its newline) into `out`.
fn answer(line: &[u8], scratch: &mut Vec<u8>, out: &mut Vec<u8>) {
    let line = match line.iter().position(|&c| c == b'\t') {
        Some(i) => &line[..i],
        None => line,
    };
    let mut end = line.len();
    while end > 0 && (line[end - 1] == b'\r' || line[end - 1] == b' ') {
        end -= 1;
    }
    let line = &line[..end];
    let (name, hex) = match line.iter().position(|&c| c == b' ') {
        Some(i) => (&line[..i], &line[i + 1..]),
        None => (line, &line[line.len()..]),
    };
    let name = String::from_utf8_lossy(name);
    if !messages::NAMES.contains(&name.as_ref()) {
        out.extend_from_slice(b"err unknown message ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        return;
    }
    if !wire::from_hex_into(hex, scratch) {
        out.extend_from_slice(b"err invalid hex\n");
        return;
    }
    match messages::reencode(&name, scratch).expect("name checked above") {
        Ok(bytes) => {
            out.extend_from_slice(b"ok ");
            wire::to_hex_into(&bytes, out);
        }
        Err(e) => {
            out.extend_from_slice(b"err ");
            // DecodeError text is a single line; make sure of it anyway.
            let text = e.to_string().replace(['\n', '\r'], " ");
            out.extend_from_slice(text.as_bytes());
        }
    }
    out.push(b'\n');
}

fn check() -> io::Result<()> {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut reader = io::BufReader::with_capacity(1 << 16, stdin.lock());
    let stdout = io::stdout();
    let mut writer = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = Vec::with_capacity(1 << 12);
    let mut scratch = Vec::with_capacity(1 << 12);
    let mut out = Vec::with_capacity(1 << 12);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        out.clear();
        answer(&line, &mut scratch, &mut out);
        writer.write_all(&out)?;
        // Flush when nothing more is pending in our input buffer: the peer
        // may be waiting for this answer before it sends the next line.
        if interactive || reader.buffer().is_empty() {
            writer.flush()?;
        }
    }
    writer.flush()
}

fn parse_u64(s: Option<&String>, flag: &str) -> Result<u64, String> {
    let s = s.ok_or_else(|| format!("{flag} needs a value"))?;
    let t = s.trim();
    let r = if let Some(h) = t.strip_prefix("0x") { u64::from_str_radix(h, 16) } else { t.parse::<u64>() };
    r.map_err(|_| format!("{flag}: not an unsigned integer: {s}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let cmd = args.first().map(String::as_str).unwrap_or("");
    let rest = &args[args.len().min(1)..];
    match cmd {
        "check" => check().map_err(|e| e.to_string()),
        "gen" => {
            let (mut seed, mut count) = (None, None);
            let mut i = 0;
            while i < rest.len() {
                match rest[i].as_str() {
                    "--seed" => seed = Some(parse_u64(rest.get(i + 1), "--seed")?),
                    "--count" => count = Some(parse_u64(rest.get(i + 1), "--count")?),
                    other => return Err(format!("gen: unknown argument {other}")),
                }
                i += 2;
            }
            let seed = seed.ok_or("gen: --seed is required")?;
            let count = count.ok_or("gen: --count is required")?;
            gen::run(seed, count).map_err(|e| e.to_string())
        }
        "vectors" => {
            if !rest.is_empty() {
                return Err("vectors takes no arguments".into());
            }
            vectors::run().map_err(|e| e.to_string())
        }
        "bench" => {
            let (mut case, mut iters, mut dump) = (None, None, false);
            let mut i = 0;
            while i < rest.len() {
                match rest[i].as_str() {
                    "--case" => {
                        case = Some(rest.get(i + 1).ok_or("--case needs a value")?.clone());
                        i += 2;
                    }
                    "--iters" => {
                        iters = Some(parse_u64(rest.get(i + 1), "--iters")?);
                        i += 2;
                    }
                    "--dump-inputs" => {
                        dump = true;
                        i += 1;
                    }
                    other => return Err(format!("bench: unknown argument {other}")),
                }
            }
            let case = case.unwrap_or_else(|| if dump { "all".into() } else { String::new() });
            if case.is_empty() {
                return Err("bench: --case is required".into());
            }
            bench::run(&case, iters, dump)
        }
        "hostile" => {
            let (mut mib, mut iters) = (32, 3);
            let mut i = 0;
            while i < rest.len() {
                match rest[i].as_str() {
                    "--mib" => mib = parse_u64(rest.get(i + 1), "--mib")? as usize,
                    "--iters" => iters = parse_u64(rest.get(i + 1), "--iters")?,
                    other => return Err(format!("hostile: unknown argument {other}")),
                }
                i += 2;
            }
            bench::hostile(mib, iters)
        }
        "" | "-h" | "--help" | "help" => {
            print!("{}", usage());
            Ok(())
        }
        other => Err(format!("unknown command {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed stdout (e.g. `| head`) is not worth a complaint.
            if !e.contains("Broken pipe") {
                eprintln!("actr-abi-oracle: {e}");
                if e.starts_with("unknown") || e.contains("required") || e.contains("argument") {
                    eprint!("{}", usage());
                }
            }
            ExitCode::from(2)
        }
    }
}

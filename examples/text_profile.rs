//! Runs one operation on one benchmark corpus, for instruction counts under callgrind:
//!
//! ```text
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release --example text_profile
//! valgrind --tool=callgrind --toggle-collect='text_profile::lex' \
//!     target/release/examples/text_profile lex mixed
//! valgrind --tool=callgrind --toggle-collect='text_profile::parse' \
//!     target/release/examples/text_profile parse mixed
//! valgrind --tool=callgrind --toggle-collect='text_profile::proto_decode' \
//!     target/release/examples/text_profile proto-decode mixed
//! ```
//!
//! Modes, each counted under the function of the same name (`-` becomes `_`):
//! - `lex`, `parse`: the text lexer and `text::parse` on the page.
//! - `parse-in`: `text::parse_in` on the page, into an arena that starts empty and is reset
//!   after each parse (so that repeats reuse its memory, as a gateway would).
//! - `encode`: `text::encode_into` of the parsed page (parsing is not counted).
//! - `typed-encode` and `peer-encode`: `text::encode_into` and the `prometheus` crate's
//!   `TextEncoder` on the page's families other than untyped ones (the peer panics on those),
//!   read into each crate's types as `benches/peers.rs` reads them; counted under `encode` and
//!   `peer_encode`.
//! - `proto-decode`, `proto-encode`: `proto::decode` of the page encoded as protobuf, and
//!   `proto::encode_into` of its families.
//! - `peer-parse`: the `prometheus-parse` crate on the page as `benches/peers.rs` runs it
//!   (lines copied into owned strings); `peer-proto-decode` and `peer-proto-encode`: the
//!   `prometheus` crate's rust-protobuf types read from and written to the same protobuf bytes.
//!   Load does not move instruction counts, so their ratios to ours are repeatable.
//!
//! Corpora: `node`, `labels`, `histograms`, `escapes`, `mixed` (see `benches/corpus.rs`).
//!
//! A third argument repeats the operation that many times, for a sampling profiler:
//! `perf record -e cpu-clock -g target/release/examples/text_profile parse node 2000`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../benches/corpus.rs"]
mod corpus;
#[path = "../benches/peer.rs"]
mod peer;

use std::hint::black_box;

use expfmt::{proto, text, Arena, Limits, MetricFamily};

/// Lexes the whole input; returns the number of sample lines.
#[inline(never)]
fn lex(input: &str) -> usize {
    text::Lexer::new(input)
        .filter(|r| matches!(r.as_ref().unwrap().line, text::Line::Sample(_)))
        .count()
}

/// Parses the whole input; returns the number of families.
#[inline(never)]
fn parse(input: &str) -> usize {
    text::parse(input).unwrap().len()
}

/// [`text::parse_in`] into `arena` (empty on the first call), then resets it; returns the
/// number of families.
#[inline(never)]
fn parse_in(input: &str, arena: &mut Arena) -> usize {
    let n = text::parse_in(input, &Limits::unlimited(), arena)
        .unwrap()
        .len();
    arena.reset();
    n
}

/// `prometheus_parse::Scrape::parse` on the page; returns the samples it returned.
#[inline(never)]
fn peer_parse(input: &str) -> usize {
    peer::parse(input)
}

/// Writes the families as text once; returns the length written.
#[inline(never)]
fn encode(families: &[MetricFamily<'_>], out: &mut String) -> usize {
    text::encode_into(out, families).unwrap();
    out.len()
}

/// Decodes the protobuf body; returns the number of families.
#[inline(never)]
fn proto_decode(bytes: &[u8]) -> usize {
    proto::decode(bytes).unwrap().len()
}

/// Writes the families as protobuf once; returns the length written.
#[inline(never)]
fn proto_encode(families: &[MetricFamily<'_>], out: &mut Vec<u8>) -> usize {
    proto::encode_into(out, families).unwrap();
    out.len()
}

/// Reads the body into the `prometheus` crate's families; returns their number.
#[inline(never)]
fn peer_proto_decode(bytes: &[u8]) -> usize {
    peer::read_families(bytes).len()
}

/// The `prometheus` crate's `TextEncoder` on its families; returns the length written.
#[inline(never)]
fn peer_encode(families: &[prometheus::proto::MetricFamily], out: &mut String) -> usize {
    prometheus::TextEncoder::new()
        .encode_utf8(families, out)
        .unwrap();
    out.len()
}

/// The `prometheus` crate's `ProtobufEncoder` on its families; returns the length written.
#[inline(never)]
fn peer_proto_encode(families: &[prometheus::proto::MetricFamily], out: &mut Vec<u8>) -> usize {
    use prometheus::Encoder as _;
    prometheus::ProtobufEncoder::new()
        .encode(families, out)
        .unwrap();
    out.len()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "parse".into());
    let name = args.next().unwrap_or_else(|| "mixed".into());
    let page = match name.as_str() {
        "node" => corpus::node_like(),
        "labels" => corpus::labels_heavy(),
        "histograms" => corpus::histogram_heavy(),
        "escapes" => corpus::escape_heavy(),
        "mixed" => corpus::mixed_page(),
        other => panic!("unknown corpus {other}"),
    };
    let times: usize = args
        .next()
        .map_or(1, |n| n.parse().expect("a repeat count"));
    let input = black_box(page.text.as_str());
    // Only what the mode reads is built (and kept alive) beside it, so that the operation
    // runs on a heap that holds nothing else.
    let text_mode = matches!(mode.as_str(), "lex" | "parse" | "parse-in" | "peer-parse");
    let mut families = if text_mode {
        Vec::new()
    } else {
        text::parse(input).unwrap()
    };
    if mode == "typed-encode" || mode == "peer-encode" {
        // What the peers bench's `text_encode` group writes: the peer panics on untyped.
        families.retain(|f| f.metric_type != expfmt::MetricType::Untyped);
    }
    let bytes = if mode.contains("proto") || mode == "peer-encode" {
        proto::encode(&families).unwrap()
    } else {
        Vec::new()
    };
    let peer_families = if mode == "peer-proto-encode" || mode == "peer-encode" {
        peer::read_families(&bytes)
    } else {
        Vec::new()
    };
    let mut arena = Arena::new();
    let mut n = 0;
    for _ in 0..times {
        n = match mode.as_str() {
            "lex" => lex(input),
            "parse" => parse(input),
            "parse-in" => parse_in(input, &mut arena),
            "peer-parse" => peer_parse(input),
            "encode" | "typed-encode" => {
                encode(&families, &mut String::with_capacity(input.len() * 2))
            }
            "peer-encode" => {
                peer_encode(&peer_families, &mut String::with_capacity(input.len() * 2))
            }
            "proto-decode" => proto_decode(&bytes),
            "proto-encode" => proto_encode(&families, &mut Vec::with_capacity(bytes.len())),
            "peer-proto-decode" => peer_proto_decode(&bytes),
            "peer-proto-encode" => {
                peer_proto_encode(&peer_families, &mut Vec::with_capacity(bytes.len()))
            }
            other => panic!("unknown mode {other}"),
        };
    }
    println!("{name} {mode}: {} bytes, {n}", input.len());
}

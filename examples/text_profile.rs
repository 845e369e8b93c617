//! Parses one benchmark corpus once, for instruction counts under callgrind:
//!
//! ```text
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release --example text_profile
//! valgrind --tool=callgrind --toggle-collect='text_profile::lex' \
//!     target/release/examples/text_profile lex mixed
//! valgrind --tool=callgrind --toggle-collect='text_profile::parse' \
//!     target/release/examples/text_profile parse mixed
//! valgrind --tool=callgrind --toggle-collect='text_profile::encode' \
//!     target/release/examples/text_profile encode mixed
//! ```
//!
//! `encode` parses the page first (not counted), then writes it back once. `peer-parse` runs
//! the `prometheus-parse` crate on the page as `benches/peers.rs` does (lines copied into owned
//! strings), under `text_profile::peer_parse`, for instruction ratios that load does not move.
//!
//! Corpora: `node`, `labels`, `histograms`, `escapes`, `mixed` (see `benches/corpus.rs`).
//!
//! A third argument repeats the operation that many times, for a sampling profiler:
//! `perf record -e cpu-clock -g target/release/examples/text_profile parse node 2000`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../benches/corpus.rs"]
mod corpus;

use std::hint::black_box;

use expfmt::text;

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

/// `prometheus_parse::Scrape::parse` on the page; returns the samples it returned.
#[inline(never)]
fn peer_parse(input: &str) -> usize {
    let lines = input.lines().map(|l| Ok(l.to_owned()));
    prometheus_parse::Scrape::parse(lines)
        .unwrap()
        .samples
        .len()
}

/// Writes the families as text once; returns the length written.
#[inline(never)]
fn encode(families: &[expfmt::MetricFamily<'_>], out: &mut String) -> usize {
    text::encode_into(out, families).unwrap();
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
    let input = black_box(page.text.as_str());
    let times: usize = args
        .next()
        .map_or(1, |n| n.parse().expect("a repeat count"));
    let mut n = 0;
    for _ in 0..times {
        n = run(&mode, input);
    }
    println!("{name} {mode}: {} bytes, {n}", input.len());
}

/// Runs `mode` once on `input`.
fn run(mode: &str, input: &str) -> usize {
    match mode {
        "lex" => lex(input),
        "parse" => parse(input),
        "peer-parse" => peer_parse(input),
        "encode" => {
            let families = text::parse(input).unwrap();
            let mut out = String::with_capacity(input.len() * 2);
            encode(&families, &mut out)
        }
        other => panic!("unknown mode {other}"),
    }
}

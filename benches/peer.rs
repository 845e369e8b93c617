//! The peers as the benchmarks run them, shared by `benches/peers.rs`, `benches/ratios.rs` and
//! `examples/text_profile.rs`, so that every figure times the same code.
#![allow(dead_code)]

/// `prometheus_parse::Scrape::parse` on `input`; returns the samples it returned. It reads an
/// iterator of owned `String` lines: the copies are part of its cost, as they are for its users.
pub fn parse(input: &str) -> usize {
    let lines = input.lines().map(|l| Ok(l.to_owned()));
    prometheus_parse::Scrape::parse(lines)
        .unwrap()
        .samples
        .len()
}

/// The `prometheus` crate's families, read from varint-delimited protobuf bytes with
/// rust-protobuf's `CodedInputStream`.
pub fn read_families(bytes: &[u8]) -> Vec<prometheus::proto::MetricFamily> {
    let mut is = protobuf::CodedInputStream::from_bytes(bytes);
    let mut out = Vec::new();
    while !is.eof().unwrap() {
        out.push(is.read_message().unwrap());
    }
    out
}

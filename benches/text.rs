//! Text format 0.0.4 throughput: the lexer alone, parsing to families, and encoding.
//!
//! Corpus: `corpus::mixed(4000)` (described in benches/corpus.rs): 4 000 families, about 30 000
//! sample lines, about 1.6 MB. Every timed closure asserts what it produced, so a parser that
//! stops early cannot look fast. A memchr newline count plus UTF-8 validation over the same
//! bytes marks the floor of any line-based parser.
//!
//! Run: `cargo bench --bench text` (add `-- --quick` for a short run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod corpus;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use expfmt::text::{self, Line};

fn bench(c: &mut Criterion) {
    let (input, samples) = corpus::mixed(4000);
    let families = text::parse(&input).unwrap();
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(input.len() as u64));

    g.bench_function("floor: utf8 + memchr lines", |b| {
        b.iter(|| {
            let s = std::str::from_utf8(black_box(input.as_bytes())).unwrap();
            let lines = memchr::memchr_iter(b'\n', s.as_bytes()).count();
            assert!(lines > samples);
        })
    });
    g.bench_function("lexer", |b| {
        b.iter(|| {
            let mut n = 0;
            for r in text::Lexer::new(black_box(&input)) {
                if let Line::Sample(_) = r.unwrap().line {
                    n += 1;
                }
            }
            assert_eq!(n, samples);
        })
    });
    g.bench_function("parse", |b| {
        b.iter(|| {
            let fs = text::parse(black_box(&input)).unwrap();
            assert_eq!(fs.len(), 4000);
        })
    });
    g.bench_function("families (streaming)", |b| {
        b.iter(|| {
            let n: usize = text::families(black_box(&input))
                .map(|f| f.unwrap().metrics.len())
                .sum();
            assert_eq!(n, series);
        })
    });
    g.bench_function("encode", |b| {
        let mut out = String::with_capacity(input.len());
        b.iter(|| {
            out.clear();
            text::encode_into(&mut out, black_box(&families)).unwrap();
            assert!(out.len() > input.len() / 2);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

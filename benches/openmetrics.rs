//! OpenMetrics parse throughput beside the text 0.0.4 parser, on the same content.
//!
//! Corpus: `corpus::mixed(4000)` (described in benches/corpus.rs), parsed as text 0.0.4, with
//! label sets repeated within a family dropped (OpenMetrics forbids a split series), then
//! written as text 0.0.4 and as OpenMetrics through the model, so both parsers read the same
//! 4 000 families, 11 010 series and 39 810 sample lines (3.43 MB of text 0.0.4, 3.44 MB of
//! OpenMetrics: `# EOF`, `1.0`-style floats, `unknown` for `untyped`; the run prints these). Every timed closure asserts what it produced, so a parser
//! that stops early cannot look fast. Throughput is reported per input byte of each format.
//!
//! Run: `cargo bench --bench openmetrics` (add `-- --quick` for a short run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod corpus;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use expfmt::{openmetrics, text};

fn bench(c: &mut Criterion) {
    let (page, _) = corpus::mixed(4000);
    let mut families = text::parse(&page).unwrap();
    corpus::distinct_series(&mut families);
    let text_input = text::encode(&families).unwrap();
    let om_input = openmetrics::encode(&families).unwrap();
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    let samples = text::Lexer::new(&text_input)
        .filter(|r| matches!(r.as_ref().unwrap().line, text::Line::Sample(_)))
        .count();
    assert_eq!(openmetrics::parse(&om_input).unwrap().len(), 4000);
    println!(
        "same content: {} families, {series} series, {samples} samples; text 0.0.4 {} bytes, \
         OpenMetrics {} bytes",
        families.len(),
        text_input.len(),
        om_input.len()
    );

    for (format, input) in [("text 0.0.4", &text_input), ("openmetrics", &om_input)] {
        let mut g = c.benchmark_group(format!("same content/{format}"));
        g.throughput(Throughput::Bytes(input.len() as u64));
        let om = format == "openmetrics";
        g.bench_function("lexer", |b| {
            b.iter(|| {
                let n = if om {
                    openmetrics::Lexer::new(black_box(input))
                        .filter(|r| {
                            matches!(r.as_ref().unwrap().line, openmetrics::Line::Sample(_))
                        })
                        .count()
                } else {
                    text::Lexer::new(black_box(input))
                        .filter(|r| matches!(r.as_ref().unwrap().line, text::Line::Sample(_)))
                        .count()
                };
                assert_eq!(n, samples);
            })
        });
        g.bench_function("parse", |b| {
            b.iter(|| {
                let n = if om {
                    openmetrics::parse(black_box(input)).unwrap().len()
                } else {
                    text::parse(black_box(input)).unwrap().len()
                };
                assert_eq!(n, 4000);
            })
        });
        g.bench_function("families (streaming)", |b| {
            b.iter(|| {
                let n: usize = if om {
                    openmetrics::families(black_box(input))
                        .map(|f| f.unwrap().metrics.len())
                        .sum()
                } else {
                    text::families(black_box(input))
                        .map(|f| f.unwrap().metrics.len())
                        .sum()
                };
                assert_eq!(n, series);
            })
        });
        g.bench_function("encode", |b| {
            let mut out = String::with_capacity(input.len());
            b.iter(|| {
                out.clear();
                if om {
                    openmetrics::encode_into(&mut out, black_box(&families)).unwrap();
                } else {
                    text::encode_into(&mut out, black_box(&families)).unwrap();
                }
                assert!(out.len() > input.len() / 2);
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

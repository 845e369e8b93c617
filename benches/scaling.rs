//! Linearity of the worst shapes: each shape at n, 10n and 100n elements in one group, with
//! `Throughput::Elements(n)`, so a linear parser shows the same elements/s at every size and a
//! quadratic one falls by 10x per step. Shapes (text unless named):
//! - `label_value_bytes`: one label value of n bytes;
//! - `labels_per_line`: one series with n labels (Go's parser is quadratic here);
//! - `tiny_families`: n one-line families `mN 1`;
//! - `buckets`: one histogram series with n `_bucket` lines;
//! - `escapes`: one label value of n `\"` escapes;
//! - `om_labels_per_line`, `om_escapes`, `om_lines_of_labels`: OpenMetrics, one series with n
//!   labels, one label value of n `\"` escapes, n/10 lines of ten labels;
//! - `proto_empty_metrics`: one protobuf family of n empty-labelled gauges;
//! - `proto_unknown_fields`: one protobuf family carrying n unknown varint fields.
//!
//! Run: `cargo bench --bench scaling -- --quick`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// A text-format parser under test: the number of families it read from the input.
type Parse = fn(&str) -> usize;

fn text(input: &str) -> usize {
    expfmt::text::parse(input).unwrap().len()
}

fn openmetrics(input: &str) -> usize {
    expfmt::openmetrics::parse(input).unwrap().len()
}

fn text_shape(c: &mut Criterion, name: &str, make: fn(usize) -> String) {
    parsed_shape(c, name, make, text);
}

fn openmetrics_shape(c: &mut Criterion, name: &str, make: fn(usize) -> String) {
    parsed_shape(c, name, make, openmetrics);
}

fn parsed_shape(c: &mut Criterion, name: &str, make: fn(usize) -> String, parse: Parse) {
    let mut g = c.benchmark_group(format!("scaling/{name}"));
    for n in SIZES {
        let input = make(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| assert!(parse(black_box(input)) > 0))
        });
    }
    g.finish();
}

/// Appends a protobuf varint.
fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One delimited family named "m" of type GAUGE with the given extra body bytes.
fn proto_family(body: &[u8]) -> Vec<u8> {
    let mut msg = vec![0x0a, 1, b'm', 0x18, 1];
    msg.extend_from_slice(body);
    let mut out = Vec::new();
    varint(&mut out, msg.len() as u64);
    out.extend(msg);
    out
}

fn proto_shape(c: &mut Criterion, name: &str, make: fn(usize) -> Vec<u8>) {
    let mut g = c.benchmark_group(format!("scaling/{name}"));
    for n in SIZES {
        let input = make(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| {
                let fs = expfmt::proto::decode(black_box(input)).unwrap();
                assert_eq!(fs.len(), 1);
            })
        });
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    text_shape(c, "label_value_bytes", |n| {
        format!("m{{l=\"{}\"}} 1\n", "v".repeat(n))
    });
    text_shape(c, "labels_per_line", |n| {
        let labels: Vec<String> = (0..n).map(|i| format!("l{i}=\"v\"")).collect();
        format!("m{{{}}} 1\n", labels.join(","))
    });
    text_shape(c, "tiny_families", |n| {
        (0..n).map(|i| format!("m{i} 1\n")).collect()
    });
    text_shape(c, "buckets", |n| {
        let mut s = String::from("# TYPE h histogram\n");
        for i in 0..n {
            s.push_str(&format!("h_bucket{{job=\"x\",le=\"{i}\"}} {i}\n"));
        }
        s
    });
    text_shape(c, "escapes", |n| {
        format!("m{{l=\"{}\"}} 1\n", "\\\"".repeat(n))
    });
    openmetrics_shape(c, "om_labels_per_line", |n| {
        let labels: Vec<String> = (0..n).map(|i| format!("l{i}=\"v\"")).collect();
        format!("m{{{}}} 1\n# EOF\n", labels.join(","))
    });
    openmetrics_shape(c, "om_escapes", |n| {
        format!("m{{l=\"{}\"}} 1\n# EOF\n", "\\\"".repeat(n))
    });
    openmetrics_shape(c, "om_lines_of_labels", |n| {
        let mut s = String::from("# TYPE m gauge\n");
        for i in 0..n / 10 {
            let l: Vec<String> = (0..10).map(|j| format!("l{j}=\"{i}\"")).collect();
            s.push_str(&format!("m{{{}}} 1\n", l.join(",")));
        }
        s + "# EOF\n"
    });
    proto_shape(c, "proto_empty_metrics", |n| {
        // metric { gauge { value: 1 } }: field 4, len 11: field 2 (gauge), len 9: field 1 double.
        let one = [0x22, 11, 0x12, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
        proto_family(&one.repeat(n))
    });
    proto_shape(c, "proto_unknown_fields", |n| {
        // One gauge metric, then n unknown varint fields (number 100) in the family.
        let mut body = vec![0x22, 11, 0x12, 9, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
        for i in 0..n {
            varint(&mut body, (100 << 3) as u64);
            varint(&mut body, i as u64);
        }
        proto_family(&body)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

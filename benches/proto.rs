//! Protobuf decode and encode throughput on a deterministic corpus.
//!
//! The corpus (built by [`corpus`], fixed seed, no randomness from the environment) is shaped like
//! a busy exporter's page: 200 families of 50 series each (10 000 series), every family with a
//! HELP text of about 60 bytes and every series with 3 to 5 labels (names of 4 to 12 characters,
//! values of 6 to 20). Family types cycle through 8 counters (half with an exemplar), 6 gauges,
//! 2 summaries (5 quantiles, count and sum), 3 classic histograms (12 buckets, count and sum) and
//! 1 native histogram (schema 3, zero bucket, 2 spans and 20 deltas per side, plus its classic
//! buckets), so every 20 families hold 8 + 6 + 2 + 3 + 1. About 1.5 MB encoded.
//!
//! Each timed closure asserts the family and series counts (decode) or the byte count (encode),
//! so a codec that stops early cannot look fast. Groups `proto_bytes/*` report MB/s,
//! `proto_families/*` families/s.
//!
//! ```text
//! cargo bench --bench proto
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use expfmt::{
    proto, Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};

const FAMILIES: usize = 200;
const SERIES_PER_FAMILY: usize = 50;

/// A small deterministic generator (xorshift64*), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self, min: u64, max: u64) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz_0123456789";
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|i| {
                let n = if i == 0 { 26 } else { CHARS.len() as u64 };
                CHARS[self.below(n) as usize] as char
            })
            .collect()
    }
    fn float(&mut self) -> f64 {
        (self.below(1 << 40) as f64) / 1024.0
    }
}

fn exemplar(rng: &mut Rng) -> Exemplar<'static> {
    Exemplar {
        labels: vec![Label::new("trace_id", format!("{:016x}", rng.next()))],
        value: rng.float(),
        timestamp: Some(Timestamp {
            seconds: 1_700_000_000 + rng.below(1_000_000) as i64,
            nanos: rng.below(1_000_000_000) as i32,
        }),
    }
}

fn classic_buckets(rng: &mut Rng) -> Vec<Bucket<'static>> {
    let mut count = 0;
    (0..12)
        .map(|i| {
            count += rng.below(1000);
            let upper_bound = if i == 11 {
                f64::INFINITY
            } else {
                0.005 * f64::from(1u32 << i)
            };
            Bucket::new(upper_bound, count)
        })
        .collect()
}

fn value(rng: &mut Rng, t: MetricType) -> Value<'static> {
    match t {
        MetricType::Counter => Value::Counter(Counter {
            value: rng.float(),
            created: None,
            exemplar: (rng.below(2) == 0).then(|| Box::new(exemplar(rng))),
        }),
        MetricType::Gauge => Value::Gauge(rng.float() - 1e8),
        MetricType::Summary => Value::Summary(Box::new(Summary {
            count: Some(rng.below(1 << 30)),
            sum: Some(rng.float()),
            quantiles: [0.5, 0.9, 0.95, 0.99, 0.999]
                .iter()
                .map(|&quantile| Quantile {
                    quantile,
                    value: rng.float(),
                })
                .collect(),
            created: None,
        })),
        _ => {
            let buckets = classic_buckets(rng);
            let count = buckets.last().map(|b| b.count);
            let native = (t == MetricType::GaugeHistogram).then(|| {
                let side = |rng: &mut Rng| {
                    let deltas = (0..20)
                        .map(|_| rng.below(200) as i64 - 100)
                        .collect::<Vec<_>>();
                    // Keep counts non-negative: start high enough.
                    let mut deltas = deltas;
                    deltas[0] = 2000;
                    NativeBuckets::Deltas(deltas)
                };
                let spans = vec![
                    BucketSpan {
                        offset: -3,
                        length: 12,
                    },
                    BucketSpan {
                        offset: 2,
                        length: 8,
                    },
                ];
                NativeHistogram {
                    schema: 3,
                    zero_threshold: 1e-128,
                    zero_count: Count::Int(rng.below(100)),
                    negative_spans: spans.clone(),
                    negative: side(rng),
                    positive_spans: spans,
                    positive: side(rng),
                }
            });
            Value::Histogram(Box::new(Histogram {
                count,
                sum: Some(rng.float()),
                buckets,
                created: None,
                native: native.map(Box::new),
                exemplars: Vec::new(),
            }))
        }
    }
}

/// The corpus described in the module docs. The native histogram family is typed
/// `GaugeHistogram` so it is told apart from the classic ones.
fn corpus() -> Vec<MetricFamily<'static>> {
    const CYCLE: [MetricType; 20] = {
        use MetricType::*;
        [
            Counter,
            Counter,
            Counter,
            Counter,
            Counter,
            Counter,
            Counter,
            Counter,
            Gauge,
            Gauge,
            Gauge,
            Gauge,
            Gauge,
            Gauge,
            Summary,
            Summary,
            Histogram,
            Histogram,
            Histogram,
            GaugeHistogram,
        ]
    };
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    (0..FAMILIES)
        .map(|i| {
            let t = CYCLE[i % CYCLE.len()];
            let mut family = MetricFamily::new(format!("{}_{i}", rng.word(8, 24)), t)
                .with_help(format!("{} {}.", rng.word(20, 30), rng.word(20, 30)));
            let label_names: Vec<String> = (0..3 + rng.below(3)).map(|_| rng.word(4, 12)).collect();
            for s in 0..SERIES_PER_FAMILY {
                let labels = label_names
                    .iter()
                    .map(|n| Label::new(n.clone(), format!("{}{s}", rng.word(5, 18))))
                    .collect();
                family.metrics.push(Metric::new(labels, value(&mut rng, t)));
            }
            family
        })
        .collect()
}

fn series(families: &[MetricFamily<'_>]) -> usize {
    families.iter().map(|f| f.metrics.len()).sum()
}

fn benches(c: &mut Criterion) {
    let families = corpus();
    let bytes = proto::encode(&families).unwrap();
    assert_eq!(series(&families), FAMILIES * SERIES_PER_FAMILY);
    assert_eq!(proto::decode(&bytes).unwrap(), families);
    eprintln!(
        "corpus: {} families, {} series, {} bytes",
        families.len(),
        series(&families),
        bytes.len()
    );

    let decode = |input: &[u8]| {
        let decoded = proto::decode(black_box(input)).unwrap();
        assert_eq!(decoded.len(), FAMILIES);
        assert_eq!(series(&decoded), FAMILIES * SERIES_PER_FAMILY);
    };
    let decode_reader = |input: &[u8]| {
        let mut n = 0;
        let mut s = 0;
        for f in proto::Decoder::from_reader(black_box(input)) {
            let f = f.unwrap();
            n += 1;
            s += f.metrics.len();
        }
        assert_eq!((n, s), (FAMILIES, FAMILIES * SERIES_PER_FAMILY));
    };
    let encode = |families: &[MetricFamily<'_>]| {
        let out = proto::encode(black_box(families)).unwrap();
        assert_eq!(out.len(), bytes.len());
        out
    };

    for (group, throughput) in [
        ("proto_bytes", Throughput::Bytes(bytes.len() as u64)),
        ("proto_families", Throughput::Elements(FAMILIES as u64)),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(throughput);
        g.bench_function("decode", |b| b.iter(|| decode(&bytes)));
        g.bench_function("decode_reader", |b| b.iter(|| decode_reader(&bytes)));
        g.bench_function("encode", |b| b.iter(|| encode(&families)));
        g.finish();
    }
}

criterion_group!(proto_benches, benches);
criterion_main!(proto_benches);

//! Our codecs and their peers in the same criterion groups, on the same bytes, so every figure
//! can be read as a ratio measured in one run.
//!
//! Corpora (generated in `benches/corpus.rs`, described there): `node` (node-exporter-like),
//! `labels` (kube-state-metrics-like, 12 labels per series), `histograms` (20 buckets per
//! histogram), `escapes` (escape-heavy HELP and label values), `mixed` (every type) and `large`
//! (the mixed shape over 50 MB; parse, streaming and conversion only).
//!
//! Groups, each with bytes and sample lines as throughput:
//! - `text_parse/<corpus>`: the floor (UTF-8 check + memchr newline count), our lexer, our
//!   `text::parse`, our `text::parse_in` (into an arena reset after each parse), and
//!   `prometheus_parse::Scrape::parse` (which needs owned `String` lines: the
//!   copies are part of its cost, as they are for its users).
//! - `text_encode/<corpus>`: our `text::encode_into` and the `prometheus` crate's `TextEncoder`
//!   on the same families, decoded from the same protobuf bytes. `TextEncoder` panics on untyped
//!   families (`unimplemented!`), so this group leaves them out for both.
//! - `openmetrics_encode/<corpus>`: our `openmetrics::encode_into` and `prometheus-client`'s
//!   text encoder (it writes OpenMetrics) driven by a `Collector` over prepared families with the
//!   same content. prometheus-client has no summary and no untyped type: those families are left
//!   out for both.
//! - `proto_decode/<corpus>` and `proto_encode/<corpus>`: our `proto::decode` (strings borrowed
//!   from the input), our `Decoder` iterator (every string copied into an owned family, as the
//!   peer does) / `encode_into`, and the `prometheus` crate's `MetricFamily` (rust-protobuf 3)
//!   read with `CodedInputStream` / written with `ProtobufEncoder`, on the same varint-delimited
//!   bytes.
//! - `convert/<corpus>`: text -> protobuf streaming family by family, and protobuf -> text.
//!
//! Every timed closure checks what it produced, so a codec that stops early cannot look fast.
//! Run: `cargo bench --bench peers` (add `-- --quick` for a short run, or a group name to
//! filter, e.g. `-- text_parse/node`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod corpus;
mod peer;

use std::hint::black_box;
use std::time::Duration;

use corpus::Page;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use expfmt::{text, Count, MetricFamily, MetricType, Value};

fn throughput(bytes: usize, samples: usize) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: samples as u64,
        bytes: bytes as u64,
    }
}

fn configure<M: criterion::measurement::Measurement>(g: &mut BenchmarkGroup<'_, M>, page: &Page) {
    if page.text.len() > 10_000_000 {
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(20));
    }
}

fn text_parse(c: &mut Criterion, page: &Page) {
    let input = &page.text;
    let families = text::parse(input).unwrap();
    let mut g = c.benchmark_group(format!("text_parse/{}", page.name));
    g.throughput(throughput(input.len(), page.samples));
    configure(&mut g, page);
    g.bench_function("floor: utf8 + memchr lines", |b| {
        b.iter(|| {
            let s = std::str::from_utf8(black_box(input.as_bytes())).unwrap();
            assert!(memchr::memchr_iter(b'\n', s.as_bytes()).count() > page.samples);
        })
    });
    g.bench_function("expfmt lexer", |b| {
        b.iter(|| {
            let n = text::Lexer::new(black_box(input))
                .filter(|r| matches!(r.as_ref().unwrap().line, text::Line::Sample(_)))
                .count();
            assert_eq!(n, page.samples);
        })
    });
    g.bench_function("expfmt parse", |b| {
        b.iter(|| {
            let fs = text::parse(black_box(input)).unwrap();
            assert_eq!(fs.len(), families.len());
        })
    });
    // Into an arena reset after each parse, as a gateway parsing body after body would.
    let mut arena = expfmt::Arena::new();
    let limits = expfmt::Limits::unlimited();
    g.bench_function("expfmt parse_in (arena)", |b| {
        b.iter(|| {
            let fs = text::parse_in(black_box(input), &limits, &arena).unwrap();
            assert_eq!(fs.len(), families.len());
            drop(fs);
            arena.reset();
        })
    });
    let peer_samples = peer::parse(input);
    g.bench_function("prometheus-parse", |b| {
        b.iter(|| assert_eq!(peer::parse(black_box(input)), peer_samples))
    });
    g.finish();
    println!(
        "corpus {}: {} bytes, {} families, {} sample lines; prometheus-parse returned {} samples",
        page.name,
        input.len(),
        families.len(),
        page.samples,
        peer_samples
    );
}

fn text_encode(c: &mut Criterion, page: &Page) {
    let families: Vec<MetricFamily<'_>> = text::parse(&page.text)
        .unwrap()
        .into_iter()
        .filter(|f| f.metric_type != MetricType::Untyped)
        .collect();
    let ours = text::encode(&families).unwrap();
    let peer_families = peer::read_families(&expfmt::proto::encode(&families).unwrap());
    let samples = ours.lines().filter(|l| !l.starts_with('#')).count();
    let mut g = c.benchmark_group(format!("text_encode/{}", page.name));
    g.throughput(throughput(ours.len(), samples));
    configure(&mut g, page);
    let mut out = String::with_capacity(ours.len());
    g.bench_function("expfmt", |b| {
        b.iter(|| {
            out.clear();
            text::encode_into(&mut out, black_box(&families)).unwrap();
            assert_eq!(out.len(), ours.len());
        })
    });
    let encoder = prometheus::TextEncoder::new();
    let mut out = String::with_capacity(ours.len());
    g.bench_function("prometheus TextEncoder", |b| {
        b.iter(|| {
            out.clear();
            encoder
                .encode_utf8(black_box(&peer_families), &mut out)
                .unwrap();
            assert!(out.len() > ours.len() / 2);
        })
    });
    g.finish();
}

/// prometheus-client's input: prepared families, with the content of ours.
#[derive(Debug)]
struct PcFamilies(Vec<PcFamily>);

#[derive(Debug)]
struct PcFamily {
    name: String,
    help: String,
    kind: prometheus_client::metrics::MetricType,
    series: Vec<(Vec<(String, String)>, PcValue)>,
}

#[derive(Debug)]
enum PcValue {
    Counter(f64),
    Gauge(f64),
    Histogram {
        sum: f64,
        count: u64,
        buckets: Vec<(f64, u64)>,
    },
}

impl prometheus_client::collector::Collector for PcFamilies {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::DescriptorEncoder<'_>,
    ) -> Result<(), std::fmt::Error> {
        use prometheus_client::encoding::NoLabelSet;
        for f in &self.0 {
            let mut metric = encoder.encode_descriptor(&f.name, &f.help, None, f.kind)?;
            for (labels, value) in &f.series {
                let mut m = metric.encode_family(labels)?;
                match value {
                    PcValue::Counter(v) => m.encode_counter::<NoLabelSet, f64, f64>(v, None)?,
                    PcValue::Gauge(v) => m.encode_gauge(v)?,
                    PcValue::Histogram {
                        sum,
                        count,
                        buckets,
                    } => m.encode_histogram::<NoLabelSet>(*sum, *count, buckets, None)?,
                }
            }
        }
        Ok(())
    }
}

fn to_prometheus_client(families: &[MetricFamily<'_>]) -> PcFamilies {
    use prometheus_client::metrics::MetricType as T;
    let count = |c: &Count| match *c {
        Count::Int(n) => n,
        Count::Float(f) => f as u64,
    };
    PcFamilies(
        families
            .iter()
            .map(|f| PcFamily {
                name: match f.metric_type {
                    MetricType::Counter => f.name.strip_suffix("_total").unwrap_or(&f.name),
                    _ => &f.name,
                }
                .to_owned(),
                help: f.help.as_deref().unwrap_or("").to_owned(),
                kind: match f.metric_type {
                    MetricType::Counter => T::Counter,
                    MetricType::Gauge => T::Gauge,
                    MetricType::Histogram => T::Histogram,
                    t => panic!("prometheus-client cannot write {t:?}"),
                },
                series: f
                    .metrics
                    .iter()
                    .map(|m| {
                        let labels = m
                            .labels
                            .iter()
                            .map(|l| (l.name.to_string(), l.value.to_string()))
                            .collect();
                        let value = match &m.value {
                            Value::Counter(c) => PcValue::Counter(c.value),
                            Value::Gauge(v) => PcValue::Gauge(*v),
                            Value::Histogram(h) => {
                                let mut prev = 0;
                                let buckets = h
                                    .buckets
                                    .iter()
                                    .map(|b| {
                                        let c = count(&b.count);
                                        let delta = c - prev;
                                        prev = c;
                                        (b.upper_bound, delta)
                                    })
                                    .collect();
                                PcValue::Histogram {
                                    sum: h.sum.unwrap_or(0.0),
                                    count: h.count.as_ref().map_or(0, count),
                                    buckets,
                                }
                            }
                            v => panic!("prometheus-client cannot write {v:?}"),
                        };
                        (labels, value)
                    })
                    .collect(),
            })
            .collect(),
    )
}

fn openmetrics_encode(c: &mut Criterion, page: &Page) {
    let mut families: Vec<MetricFamily<'_>> = text::parse(&page.text)
        .unwrap()
        .into_iter()
        .filter(|f| {
            matches!(
                f.metric_type,
                MetricType::Counter | MetricType::Gauge | MetricType::Histogram
            )
        })
        .collect();
    // OpenMetrics cannot repeat a series (`mixed` does): both encoders get the first of each.
    corpus::distinct_series(&mut families);
    let ours = expfmt::openmetrics::encode(&families).unwrap();
    let samples = ours.lines().filter(|l| !l.starts_with('#')).count();
    let mut registry = prometheus_client::registry::Registry::default();
    registry.register_collector(Box::new(to_prometheus_client(&families)));
    let mut peer = String::new();
    prometheus_client::encoding::text::encode(&mut peer, &registry).unwrap();
    // prometheus-client writes HELP texts and label values without escaping them: on the
    // escapes page its output is not valid OpenMetrics (a `\n` in a value breaks the line). It
    // is timed all the same, on the same families; the table says so.
    let check = match expfmt::openmetrics::parse(&peer) {
        Ok(p) if p.len() == families.len() => "parses back".to_owned(),
        Ok(p) => format!("parses back to {} families of {}", p.len(), families.len()),
        Err(e) => format!("does not parse back: {e}"),
    };
    println!(
        "openmetrics_encode/{}: expfmt {} bytes, prometheus-client {} bytes, its output {check}",
        page.name,
        ours.len(),
        peer.len(),
    );

    let mut g = c.benchmark_group(format!("openmetrics_encode/{}", page.name));
    g.throughput(throughput(ours.len(), samples));
    configure(&mut g, page);
    let mut out = String::with_capacity(ours.len());
    g.bench_function("expfmt", |b| {
        b.iter(|| {
            out.clear();
            expfmt::openmetrics::encode_into(&mut out, black_box(&families)).unwrap();
            assert_eq!(out.len(), ours.len());
        })
    });
    let mut out = String::with_capacity(peer.len());
    g.bench_function("prometheus-client", |b| {
        b.iter(|| {
            out.clear();
            prometheus_client::encoding::text::encode(&mut out, black_box(&registry)).unwrap();
            assert_eq!(out.len(), peer.len());
        })
    });
    g.finish();
}

fn proto(c: &mut Criterion, page: &Page) {
    let families = text::parse(&page.text).unwrap();
    let bytes = expfmt::proto::encode(&families).unwrap();
    let peer_families = peer::read_families(&bytes);
    assert_eq!(peer_families.len(), families.len());

    let mut g = c.benchmark_group(format!("proto_decode/{}", page.name));
    g.throughput(throughput(bytes.len(), page.samples));
    configure(&mut g, page);
    g.bench_function("expfmt", |b| {
        b.iter(|| {
            let fs = expfmt::proto::decode(black_box(&bytes)).unwrap();
            assert_eq!(fs.len(), families.len());
        })
    });
    g.bench_function("expfmt, owned (Decoder iterator)", |b| {
        b.iter(|| {
            let fs: Vec<MetricFamily<'static>> = expfmt::proto::Decoder::new(black_box(&bytes))
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(fs.len(), families.len());
        })
    });
    g.bench_function("prometheus (rust-protobuf)", |b| {
        b.iter(|| {
            let fs = peer::read_families(black_box(&bytes));
            assert_eq!(fs.len(), families.len());
        })
    });
    g.finish();

    let mut g = c.benchmark_group(format!("proto_encode/{}", page.name));
    g.throughput(throughput(bytes.len(), page.samples));
    configure(&mut g, page);
    let mut out = Vec::with_capacity(bytes.len());
    g.bench_function("expfmt", |b| {
        b.iter(|| {
            out.clear();
            expfmt::proto::encode_into(&mut out, black_box(&families)).unwrap();
            assert_eq!(out.len(), bytes.len());
        })
    });
    let encoder = prometheus::ProtobufEncoder::new();
    let mut out = Vec::with_capacity(bytes.len());
    g.bench_function("prometheus ProtobufEncoder", |b| {
        use prometheus::Encoder as _;
        b.iter(|| {
            out.clear();
            encoder.encode(black_box(&peer_families), &mut out).unwrap();
            assert_eq!(out.len(), bytes.len());
        })
    });
    g.finish();
}

fn convert(c: &mut Criterion, page: &Page) {
    let input = &page.text;
    let families = text::parse(input).unwrap();
    let bytes = expfmt::proto::encode(&families).unwrap();
    let text_out = text::encode(&families).unwrap();
    let mut g = c.benchmark_group(format!("convert/{}", page.name));
    g.throughput(throughput(input.len(), page.samples));
    configure(&mut g, page);
    let mut out = Vec::with_capacity(bytes.len());
    g.bench_function("text -> proto (streaming)", |b| {
        b.iter(|| {
            out.clear();
            for f in text::families(black_box(input)) {
                expfmt::proto::encode_into(&mut out, std::slice::from_ref(&f.unwrap())).unwrap();
            }
            assert_eq!(out.len(), bytes.len());
        })
    });
    let mut out = String::with_capacity(text_out.len());
    g.bench_function("proto -> text (streaming)", |b| {
        b.iter(|| {
            out.clear();
            let mut decoder = expfmt::proto::Decoder::new(black_box(&bytes));
            while let Some(f) = decoder.next_borrowed().unwrap() {
                text::encode_into(&mut out, std::slice::from_ref(&f)).unwrap();
            }
            assert_eq!(out.len(), text_out.len());
        })
    });
    g.finish();
}

fn peers(c: &mut Criterion) {
    for page in corpus::peer_pages() {
        text_parse(c, &page);
        text_encode(c, &page);
        openmetrics_encode(c, &page);
        proto(c, &page);
        convert(c, &page);
    }
}

fn large(c: &mut Criterion) {
    let page = corpus::large();
    assert!(page.text.len() >= 50_000_000, "{} bytes", page.text.len());
    text_parse(c, &page);
    convert(c, &page);
}

criterion_group!(benches, peers, large);
criterion_main!(benches);

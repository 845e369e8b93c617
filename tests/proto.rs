//! The protobuf codec: framing, limits, every entry point agreeing, packed and unpacked repeated
//! fields, unknown fields, the hostile inputs of `shared/spec/hostile-inputs.md` (protobuf items
//! 16–24 and 25–36) as a table, and a round-trip property over random families.
//!
//! Every decoding case runs through four entry points (a slice, a contiguous `Bytes`, a `Buf`
//! of 3-byte chunks, an `io::Read` returning one byte per call) and they must give the same
//! families, or the same error at the same offset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;
use std::io::{self, Read};

use bytes::Buf;
use expfmt::{
    proto, Bucket, BucketSpan, Count, Counter, Error, ErrorKind, Exemplar, Histogram, Label, Limit,
    Limits, Metric, MetricFamily, MetricType, NativeBuckets, NativeHistogram, Timestamp, Value,
};
use proptest::prelude::*;

// ----- building wire data by hand -----

mod wire {
    pub fn varint(mut v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
        out
    }
    pub fn key(field: u32, wire_type: u8) -> Vec<u8> {
        varint((u64::from(field) << 3) | u64::from(wire_type))
    }
    pub fn len(field: u32, body: &[u8]) -> Vec<u8> {
        [key(field, 2), varint(body.len() as u64), body.to_vec()].concat()
    }
    pub fn int(field: u32, v: u64) -> Vec<u8> {
        [key(field, 0), varint(v)].concat()
    }
    pub fn sint(field: u32, v: i64) -> Vec<u8> {
        int(field, ((v << 1) ^ (v >> 63)) as u64)
    }
    pub fn double(field: u32, v: f64) -> Vec<u8> {
        [key(field, 1), v.to_le_bytes().to_vec()].concat()
    }
    pub fn fixed32(field: u32, v: u32) -> Vec<u8> {
        [key(field, 5), v.to_le_bytes().to_vec()].concat()
    }
    pub fn frame(body: &[u8]) -> Vec<u8> {
        [varint(body.len() as u64), body.to_vec()].concat()
    }
    /// A family frame: name, type, metrics.
    pub fn family(name: &str, metric_type: u64, metrics: &[Vec<u8>]) -> Vec<u8> {
        let mut body = [len(1, name.as_bytes()), int(3, metric_type)].concat();
        for m in metrics {
            body.extend(len(4, m));
        }
        frame(&body)
    }
    /// A `Metric` with a gauge value.
    pub fn gauge(v: f64) -> Vec<u8> {
        len(2, &double(1, v))
    }
    /// A `LabelPair`.
    pub fn label(name: &[u8], value: &[u8]) -> Vec<u8> {
        len(1, &[len(1, name), len(2, value)].concat())
    }
}

// ----- running every entry point -----

/// `Buf` over a slice in chunks of `size` bytes, so frames straddle chunks.
struct Chunked<'a> {
    data: &'a [u8],
    pos: usize,
    size: usize,
}

impl Buf for Chunked<'_> {
    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
    fn chunk(&self) -> &[u8] {
        &self.data[self.pos..(self.pos + self.size).min(self.data.len())]
    }
    fn advance(&mut self, n: usize) {
        assert!(n <= self.remaining());
        self.pos += n;
    }
}

/// `io::Read` that returns one byte per call.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// What an entry point made of an input: the families before any error, and the error as
/// (message, offset).
type Outcome = (Vec<MetricFamily<'static>>, Option<(String, Option<usize>)>);

fn drain<I: proto::Input>(decoder: proto::Decoder<I>) -> (Outcome, Option<Error>) {
    let mut families = Vec::new();
    let mut decoder = decoder;
    let mut error = None;
    for item in decoder.by_ref() {
        match item {
            Ok(f) => families.push(f),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    assert!(decoder.next().is_none(), "the decoder must be fused");
    let shown = error.as_ref().map(|e| (e.to_string(), e.offset()));
    ((families, shown), error)
}

/// Decodes `input` through every entry point, asserts they agree, and returns the outcome.
fn decode_everywhere(input: &[u8], limits: Limits) -> (Vec<MetricFamily<'static>>, Option<Error>) {
    let (slice, error) = drain(proto::Decoder::new(input).with_limits(limits));
    let (bytes, _) =
        drain(proto::Decoder::from_buf(bytes::Bytes::copy_from_slice(input)).with_limits(limits));
    let chunked = Chunked {
        data: input,
        pos: 0,
        size: 3,
    };
    let (chunks, _) = drain(proto::Decoder::from_buf(chunked).with_limits(limits));
    let (reader, _) = drain(proto::Decoder::from_reader(OneByte(input)).with_limits(limits));
    // Compared as Debug text, so a NaN decoded from mutated input equals itself.
    let shown = format!("{slice:?}");
    assert_eq!(shown, format!("{bytes:?}"), "slice vs Bytes");
    assert_eq!(shown, format!("{chunks:?}"), "slice vs chunked Buf");
    assert_eq!(shown, format!("{reader:?}"), "slice vs one-byte Read");
    (slice.0, error)
}

fn default_decoder_limits() -> Limits {
    let mut limits = Limits::unlimited();
    limits.max_message = proto::DEFAULT_MAX_MESSAGE;
    limits
}

fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits::unlimited();
    f(&mut l);
    l
}

fn gauge_family(name: &str, values: &[f64]) -> MetricFamily<'static> {
    let mut f = MetricFamily::new(name.to_owned(), MetricType::Gauge);
    for &v in values {
        f.metrics.push(Metric::new(vec![], Value::Gauge(v)));
    }
    f
}

// ----- framing -----

#[test]
fn empty_input_is_no_families() {
    let (families, error) = decode_everywhere(&[], default_decoder_limits());
    assert!(families.is_empty() && error.is_none());
}

#[test]
fn frames_follow_each_other() {
    let fams = vec![gauge_family("a", &[1.0]), gauge_family("b", &[2.0, 3.0])];
    let bytes = proto::encode(&fams).unwrap();
    let (families, error) = decode_everywhere(&bytes, default_decoder_limits());
    assert!(error.is_none());
    assert_eq!(families, fams);

    let mut decoder = proto::Decoder::new(&bytes);
    decoder.next().unwrap().unwrap();
    let first_len = usize::from(bytes[0]) + 1;
    assert_eq!(decoder.offset(), first_len);
}

#[test]
fn readers_stop_at_the_frame_they_decode() {
    let bytes = proto::encode(&[gauge_family("a", &[1.0]), gauge_family("b", &[2.0])]).unwrap();
    let mut decoder = proto::Decoder::from_reader(io::Cursor::new(&bytes));
    decoder.next().unwrap().unwrap();
    let cursor = decoder.into_inner();
    assert_eq!(cursor.position(), u64::from(bytes[0]) + 1);

    let mut decoder = proto::Decoder::from_buf(&bytes[..]);
    decoder.next().unwrap().unwrap();
    assert_eq!(
        decoder.into_inner().len(),
        bytes.len() - usize::from(bytes[0]) - 1
    );
}

#[test]
fn framing_errors_point_at_the_frame() {
    let good = proto::encode(&[gauge_family("a", &[1.0])]).unwrap();
    let n = good.len();
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            [&good[..], &[0x80]].concat(),
            format!("byte {n}: unexpected end of input stream"),
        ),
        (
            [&good[..], &[0x05, 0x0a]].concat(),
            format!("byte {n}: unexpected end of input stream"),
        ),
        (
            [&good[..], &[0x80; 11]].concat(),
            format!("byte {n}: invalid varint"),
        ),
        (
            [&good[..], &[0x80, 0x80, 0x80, 0x04]].concat(), // 8 MiB
            format!("byte {n}: message size limit of 4194304 exceeded"),
        ),
    ];
    for (input, message) in cases {
        let (families, error) = decode_everywhere(&input, default_decoder_limits());
        assert_eq!(families.len(), 1);
        assert_eq!(error.map(|e| e.to_string()), Some(message));
    }
}

#[test]
fn a_lying_prefix_costs_no_memory() {
    // 2^35 - 1 claimed, nothing there: with no cap at all, still a clean EOF error.
    let input = [0xff, 0xff, 0xff, 0xff, 0x7f];
    let (_, error) = decode_everywhere(&input, Limits::unlimited());
    let error = error.unwrap();
    assert!(error.is_eof(), "{error}");
    assert_eq!(error.offset(), Some(0));
}

#[test]
fn read_errors_carry_the_frame_offset() {
    struct Failing(usize);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::other("boom"));
            }
            self.0 -= 1;
            buf[0] = 0x02;
            Ok(1)
        }
    }
    let error = proto::Decoder::from_reader(Failing(1))
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Io(_)));
    assert_eq!(error.offset(), Some(0));
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn interrupted_reads_are_retried() {
    struct Interrupting<'a>(&'a [u8], bool);
    impl Read for Interrupting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }
    let bytes = proto::encode(&[gauge_family("a", &[1.0])]).unwrap();
    let families: Vec<_> = proto::Decoder::from_reader(Interrupting(&bytes, false))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(families, vec![gauge_family("a", &[1.0])]);
}

// ----- limits, each at, below and above its bound -----

/// Decodes `input` with `set(limit)` for limit = n - 1, n, n + 1: the first must fail with
/// `which` at `offset`, the others succeed.
fn check_limit(input: &[u8], n: usize, which: Limit, offset: usize, set: fn(&mut Limits, usize)) {
    for (limit, ok) in [(n - 1, false), (n, true), (n + 1, true)] {
        let mut l = Limits::unlimited();
        set(&mut l, limit);
        let (_, error) = decode_everywhere(input, l);
        match error {
            None => assert!(ok, "{which:?} = {limit} should fail"),
            Some(e) => {
                assert!(!ok, "{which:?} = {limit}: {e}");
                assert!(
                    matches!(e.kind(), ErrorKind::LimitExceeded { which: w, limit: l } if *w == which && *l == limit),
                    "{e}"
                );
                assert_eq!(e.offset(), Some(offset), "{e}");
            }
        }
    }
}

#[test]
fn limit_on_message_size() {
    let input = proto::encode(&[gauge_family("a", &[1.0])]).unwrap();
    let len = input.len() - 1;
    check_limit(&input, len, Limit::Message, 0, |l, v| l.max_message = v);
}

#[test]
fn limit_on_body_size() {
    let first = proto::encode(&[gauge_family("a", &[1.0])]).unwrap();
    let input = proto::encode(&[gauge_family("a", &[1.0]), gauge_family("b", &[1.0])]).unwrap();
    check_limit(&input, input.len(), Limit::Body, first.len(), |l, v| {
        l.max_body = v
    });
}

#[test]
fn limit_on_families() {
    let fams: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| gauge_family(n, &[1.0]))
        .collect();
    let input = proto::encode(&fams).unwrap();
    let third = input.len() - proto::encode(&fams[2..]).unwrap().len();
    check_limit(&input, 3, Limit::Families, third, |l, v| l.max_families = v);
}

#[test]
fn limit_on_series_runs_over_the_stream() {
    let input = [
        wire::family("a", 1, &[wire::gauge(1.0), wire::gauge(2.0)]),
        wire::family("b", 1, &[wire::gauge(3.0), wire::gauge(4.0)]),
    ]
    .concat();
    // The 4th metric: second frame, after its prefix, name (3), type (2) and one metric (13).
    let first = input[0] as usize + 1;
    let offset = first + 1 + 3 + 2 + 13;
    check_limit(&input, 4, Limit::Series, offset, |l, v| l.max_series = v);
}

#[test]
fn limit_on_labels() {
    let metric = [
        wire::label(b"a", b"1"),
        wire::label(b"b", b"2"),
        wire::label(b"c", b"3"),
        wire::gauge(1.0),
    ]
    .concat();
    let input = wire::family("m", 1, &[metric]);
    // Third label: prefix 1, name 3, type 2, metric key+len 2, two labels of 8.
    check_limit(&input, 3, Limit::Labels, 1 + 3 + 2 + 2 + 16, |l, v| {
        l.max_labels = v
    });
}

#[test]
fn limit_on_exemplar_labels() {
    let exemplar = [wire::label(b"a", b"1"), wire::label(b"b", b"2")].concat();
    let counter = [wire::double(1, 1.0), wire::len(2, &exemplar)].concat();
    let input = wire::family("m", 0, &[wire::len(3, &counter)]);
    // Second exemplar label: prefix 1, name 3, type 2, metric 2, counter 2, value 9,
    // exemplar 2, first label 8.
    check_limit(
        &input,
        2,
        Limit::Labels,
        1 + 3 + 2 + 2 + 2 + 9 + 2 + 8,
        |l, v| l.max_labels = v,
    );
}

#[test]
fn limit_on_name_length() {
    let input = wire::family("abcde", 1, &[wire::gauge(1.0)]);
    check_limit(&input, 5, Limit::NameLength, 1, |l, v| l.max_name_len = v);
    let metric = [wire::label(b"abcde", b"v"), wire::gauge(1.0)].concat();
    let input = wire::family("m", 1, &[metric]);
    // The label's name field: prefix 1, name 3, type 2, metric 2, label key+len 2.
    check_limit(&input, 5, Limit::NameLength, 1 + 3 + 2 + 2 + 2, |l, v| {
        l.max_name_len = v
    });
}

#[test]
fn limit_on_label_value_length() {
    let metric = [wire::label(b"n", b"abcde"), wire::gauge(1.0)].concat();
    let input = wire::family("m", 1, &[metric]);
    // The label's value field: … label 2, its name field 3.
    let at = 1 + 3 + 2 + 2 + 2 + 3;
    check_limit(&input, 5, Limit::LabelValueLength, at, |l, v| {
        l.max_label_value_len = v
    });
}

/// A histogram metric with the given fields, and the offset of the histogram's first field.
fn histogram_metric(fields: &[Vec<u8>]) -> (Vec<u8>, usize) {
    let h = fields.concat();
    let metric = wire::len(7, &h);
    let head = metric.len() - h.len();
    // prefix 1 (small frames), name 3, type 2, metric key+len 2 (small metrics).
    (metric, 1 + 3 + 2 + 2 + head)
}

#[test]
fn limit_on_buckets() {
    let bucket = wire::len(3, &[wire::int(1, 1), wire::double(2, 1.0)].concat()); // 13 bytes
    let (metric, at) = histogram_metric(&[bucket.clone(), bucket.clone(), bucket]);
    let input = wire::family("h", 4, &[metric]);
    check_limit(&input, 3, Limit::Buckets, at + 26, |l, v| l.max_buckets = v);
}

#[test]
fn limit_on_native_spans_and_counts() {
    let span = wire::len(12, &[wire::sint(1, 0), wire::int(2, 1)].concat()); // 6 bytes
    let deltas = [wire::sint(13, 1), wire::sint(13, 0), wire::sint(13, 0)]; // 2 bytes each
    let (metric, at) = histogram_metric(&[
        wire::sint(5, 0),
        span.clone(),
        span.clone(),
        span,
        deltas.concat(),
    ]);
    let input = wire::family("h", 4, &[metric]);
    check_limit(&input, 3, Limit::Buckets, at + 2 + 12, |l, v| {
        l.max_buckets = v
    });

    // Packed: all three deltas in one field count as three.
    let spans = wire::len(12, &[wire::sint(1, 0), wire::int(2, 3)].concat());
    let packed = wire::len(13, &[2, 0, 0]);
    let (metric, at) = histogram_metric(&[wire::sint(5, 0), spans, packed]);
    let input = wire::family("h", 4, &[metric]);
    check_limit(&input, 3, Limit::Buckets, at + 2 + 6, |l, v| {
        l.max_buckets = v
    });
}

#[test]
fn limit_on_quantiles_and_exemplars() {
    let q = wire::len(3, &[wire::double(1, 0.5), wire::double(2, 1.0)].concat()); // 20 bytes
    let summary = [q.clone(), q].concat();
    let metric = wire::len(4, &summary);
    let input = wire::family("s", 2, &[metric]);
    check_limit(&input, 2, Limit::Buckets, 1 + 3 + 2 + 2 + 2 + 20, |l, v| {
        l.max_buckets = v
    });

    let e = wire::len(16, &wire::double(2, 1.0)); // 12 bytes
    let (metric, at) = histogram_metric(&[e.clone(), e]);
    let input = wire::family("h", 4, &[metric]);
    check_limit(&input, 2, Limit::Buckets, at + 12, |l, v| l.max_buckets = v);
}

// ----- packed and unpacked, unknown fields, last one wins -----

fn native_family(positive: NativeBuckets, spans: Vec<BucketSpan>) -> MetricFamily<'static> {
    let float = matches!(positive, NativeBuckets::Counts(_));
    let h = Histogram {
        native: Some(Box::new(NativeHistogram {
            positive_spans: spans,
            positive,
            negative: if float {
                NativeBuckets::Counts(vec![])
            } else {
                NativeBuckets::Deltas(vec![])
            },
            ..NativeHistogram::default()
        })),
        ..Histogram::default()
    };
    MetricFamily::new("h", MetricType::Histogram)
        .with_metric(Metric::new(vec![], Value::Histogram(Box::new(h))))
}

#[test]
fn packed_and_unpacked_repeated_fields_decode_alike() {
    let span = wire::len(12, &[wire::sint(1, -2), wire::int(2, 3)].concat());
    let expected_deltas = native_family(
        NativeBuckets::Deltas(vec![5, -2, 1]),
        vec![BucketSpan {
            offset: -2,
            length: 3,
        }],
    );
    let unpacked = [wire::sint(13, 5), wire::sint(13, -2), wire::sint(13, 1)].concat();
    let packed = wire::len(13, &[10, 3, 2]);
    let mixed = [wire::sint(13, 5), wire::len(13, &[3, 2])].concat();
    for deltas in [unpacked, packed, mixed] {
        let (metric, _) = histogram_metric(&[wire::sint(5, 0), span.clone(), deltas]);
        let (families, error) =
            decode_everywhere(&wire::family("h", 4, &[metric]), Limits::default());
        assert!(error.is_none(), "{error:?}");
        assert_eq!(families, vec![expected_deltas.clone()]);
    }

    let expected_counts = native_family(
        NativeBuckets::Counts(vec![1.5, 0.0, 2.0]),
        vec![BucketSpan {
            offset: -2,
            length: 3,
        }],
    );
    let unpacked = [
        wire::double(14, 1.5),
        wire::double(14, 0.0),
        wire::double(14, 2.0),
    ]
    .concat();
    let packed_body = [1.5f64, 0.0, 2.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect::<Vec<_>>();
    let packed = wire::len(14, &packed_body);
    for counts in [unpacked, packed] {
        let (metric, _) = histogram_metric(&[wire::sint(5, 0), span.clone(), counts]);
        let (families, error) =
            decode_everywhere(&wire::family("h", 4, &[metric]), Limits::default());
        assert!(error.is_none(), "{error:?}");
        assert_eq!(families, vec![expected_counts.clone()]);
    }

    // We write them unpacked, as Go does: one key per delta.
    let bytes = proto::encode(&[expected_deltas]).unwrap();
    let unpacked = [wire::sint(13, 5), wire::sint(13, -2), wire::sint(13, 1)].concat();
    assert!(bytes.windows(unpacked.len()).any(|w| w == unpacked));
}

/// One unknown field of each wire type, with field number 100.
fn unknowns() -> Vec<u8> {
    [
        wire::int(100, 7),
        wire::double(100, 1.0),
        wire::len(100, b"skip me"),
        wire::fixed32(100, 9),
    ]
    .concat()
}

#[test]
fn unknown_fields_of_every_wire_type_are_skipped_at_every_level() {
    let u = unknowns();
    let with = |parts: &[&[u8]]| [parts.concat(), u.clone()].concat();
    let ts = with(&[&wire::int(1, 5), &wire::int(2, 6)]);
    let exemplar = with(&[
        &wire::len(1, &with(&[&wire::len(1, b"trace"), &wire::len(2, b"x")])),
        &wire::double(2, 2.0),
        &wire::len(3, &ts),
    ]);
    let bucket = with(&[
        &wire::int(1, 1),
        &wire::double(2, 0.5),
        &wire::len(3, &exemplar),
    ]);
    let span = with(&[&wire::sint(1, 1), &wire::int(2, 1)]);
    let histogram = with(&[
        &wire::int(1, 2),
        &wire::double(2, 3.0),
        &wire::len(3, &bucket),
        &wire::sint(5, 3),
        &wire::len(12, &span),
        &wire::sint(13, 2),
        &wire::len(15, &ts),
    ]);
    let metric = with(&[
        &wire::len(1, &with(&[&wire::len(1, b"l"), &wire::len(2, b"v")])),
        &wire::len(7, &histogram),
        &wire::int(6, 99),
    ]);
    let family = with(&[
        &wire::len(1, b"h"),
        &wire::len(2, b"help"),
        &wire::int(3, 4),
        &wire::len(4, &metric),
        &wire::len(5, b"seconds"),
    ]);
    let (families, error) = decode_everywhere(&wire::frame(&family), Limits::default());
    assert!(error.is_none(), "{error:?}");

    let ts = Some(Timestamp {
        seconds: 5,
        nanos: 6,
    });
    let expected = MetricFamily {
        name: "h".into(),
        help: Some("help".into()),
        unit: Some("seconds".into()),
        metric_type: MetricType::Histogram,
        metrics: vec![Metric {
            labels: vec![Label::new("l", "v")],
            value: Value::Histogram(Box::new(Histogram {
                count: Some(Count::Int(2)),
                sum: Some(3.0),
                buckets: vec![Bucket {
                    upper_bound: 0.5,
                    count: Count::Int(1),
                    exemplar: Some(Box::new(Exemplar {
                        labels: vec![Label::new("trace", "x")],
                        value: 2.0,
                        timestamp: ts,
                    })),
                }],
                created: ts,
                native: Some(Box::new(NativeHistogram {
                    schema: 3,
                    positive_spans: vec![BucketSpan {
                        offset: 1,
                        length: 1,
                    }],
                    positive: NativeBuckets::Deltas(vec![2]),
                    ..NativeHistogram::default()
                })),
                exemplars: vec![],
            })),
            timestamp_ms: Some(99),
        }],
    };
    assert_eq!(families, vec![expected]);
}

#[test]
fn the_last_of_a_repeated_optional_field_wins() {
    let metric = [
        wire::len(2, &[wire::double(1, 1.0), wire::double(1, 2.0)].concat()),
        wire::len(2, &wire::double(1, 3.0)),
    ]
    .concat();
    let body = [
        wire::len(1, b"first"),
        wire::int(3, 0),
        wire::len(1, b"second"),
        wire::int(3, 1),
        wire::len(4, &metric),
    ]
    .concat();
    let (families, error) = decode_everywhere(&wire::frame(&body), Limits::default());
    assert!(error.is_none(), "{error:?}");
    assert_eq!(families, vec![gauge_family("second", &[3.0])]);
}

#[test]
fn absent_scalar_values_decode_as_zero_and_are_written_back() {
    // A GAUGE whose Gauge message is empty, and a family without a type (COUNTER).
    let input = [
        wire::family("g", 1, &[wire::len(2, &[])]),
        wire::frame(&[wire::len(1, b"c"), wire::len(4, &wire::len(3, &[]))].concat()),
    ]
    .concat();
    let families = proto::decode(&input).unwrap();
    assert_eq!(families[0], gauge_family("g", &[0.0]));
    assert_eq!(families[1].metric_type, MetricType::Counter);
    assert_eq!(
        families[1].metrics[0].value,
        Value::Counter(Counter::new(0.0))
    );
    let again = proto::encode(&families).unwrap();
    assert!(
        again.len() > input.len(),
        "the zero value and the type are written explicitly"
    );
    assert_eq!(proto::decode(&again).unwrap(), families);
}

#[test]
fn names_follow_gos_legacy_rule_unless_utf8_is_allowed() {
    let input = wire::family(
        "my.metric",
        1,
        &[[wire::label(b"a.b", b"v"), wire::gauge(1.0)].concat()],
    );
    let (_, error) = decode_everywhere(&input, Limits::default());
    assert_eq!(
        error.unwrap().to_string(),
        "byte 1: invalid name \"my.metric\" for metric"
    );

    let input = wire::family(
        "m",
        1,
        &[[wire::label(b"a.b", b"v"), wire::gauge(1.0)].concat()],
    );
    let (_, error) = decode_everywhere(&input, Limits::default());
    assert_eq!(
        error.unwrap().to_string(),
        "byte 10: invalid name \"a.b\" for label"
    );

    let input = wire::family(
        "my.metric",
        1,
        &[[wire::label(b"a.b", b"v"), wire::gauge(1.0)].concat()],
    );
    let f = proto::Decoder::new(&input)
        .allow_utf8_names(true)
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(f.name, "my.metric");
    assert_eq!(f.metrics[0].label("a.b"), Some("v"));
}

#[test]
fn decode_borrows_strings_and_the_iterator_owns_them() {
    let body = wire::family(
        "m",
        1,
        &[[wire::label(b"a", b"b"), wire::gauge(1.0)].concat()],
    );
    let borrowed = proto::decode(&body).unwrap().remove(0);
    assert!(matches!(borrowed.name, Cow::Borrowed("m")));
    assert!(matches!(
        borrowed.metrics[0].labels[0].value,
        Cow::Borrowed("b")
    ));
    let owned: MetricFamily<'static> = proto::Decoder::new(&body).next().unwrap().unwrap();
    assert!(matches!(owned.metrics[0].labels[0].value, Cow::Owned(_)));
    assert_eq!(owned, borrowed);
}

// ----- encoding -----

#[test]
fn every_way_of_encoding_writes_the_same_bytes() {
    let fams = vec![gauge_family("a", &[1.0, 2.0]), gauge_family("b", &[3.0])];
    let bytes = proto::encode(&fams).unwrap();

    let mut buf = bytes::BytesMut::new();
    proto::encode_into(&mut buf, &fams).unwrap();
    assert_eq!(buf, bytes);

    let mut out = Vec::new();
    proto::write(&mut out, &fams).unwrap();
    assert_eq!(out, bytes);

    let mut encoder = proto::Encoder::new(Vec::new());
    for f in &fams {
        encoder.encode(f).unwrap();
    }
    encoder.flush().unwrap();
    assert_eq!(encoder.into_inner(), bytes);
}

#[test]
fn encoding_refuses_what_decoding_would() {
    let bad_value = MetricFamily::new("c", MetricType::Counter)
        .with_metric(Metric::new(vec![], Value::Gauge(1.0)));
    let no_name = gauge_family("", &[1.0]);
    let bad_native = native_family(
        NativeBuckets::Deltas(vec![1]),
        vec![BucketSpan {
            offset: 0,
            length: 2,
        }],
    );
    let cases: [(MetricFamily<'_>, &str); 3] = [
        (
            bad_value,
            "metric of family \"c\" holds a gauge value but the family is a counter",
        ),
        (no_name, "metric family has no name"),
        (
            bad_native,
            "native histogram positive spans cover 2 buckets but 1 counts are given",
        ),
    ];
    for (family, message) in cases {
        let good = gauge_family("good", &[1.0]);
        let mut out = Vec::new();
        let err = proto::encode_into(&mut out, &[good.clone(), family]).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert_eq!(out, proto::encode(&[good]).unwrap(), "whole families only");
    }
}

#[test]
fn a_full_buffer_is_an_error_not_a_panic() {
    let mut storage = [0u8; 8];
    let mut slice = &mut storage[..];
    let err = proto::encode_into(&mut slice, &[gauge_family("abc", &[1.0])]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::BufferTooSmall { remaining: 8, .. }),
        "{err}"
    );
}

// ----- the hostile inputs, one row each -----

enum Expect {
    /// Decodes to this many families.
    Families(usize),
    /// Fails with this message (offset included) and a kind this predicate accepts.
    Error(&'static str, fn(&ErrorKind) -> bool),
}

struct Case {
    item: &'static str,
    input: Vec<u8>,
    limits: Limits,
    expect: Expect,
}

fn case(item: &'static str, input: Vec<u8>, expect: Expect) -> Case {
    Case {
        item,
        input,
        limits: default_decoder_limits(),
        expect,
    }
}

fn with_limits(mut c: Case, limits: Limits) -> Case {
    c.limits = limits;
    c
}

/// A frame holding a `Metric` with a histogram made of `fields`.
fn histogram_frame(fields: &[Vec<u8>]) -> Vec<u8> {
    wire::family("h", 4, &[histogram_metric(fields).0])
}

fn span(offset: i64, length: u64) -> Vec<u8> {
    wire::len(12, &[wire::sint(1, offset), wire::int(2, length)].concat())
}

fn many(part: &[u8], n: usize) -> Vec<u8> {
    part.repeat(n)
}

#[allow(clippy::too_many_lines)]
fn hostile_cases() -> Vec<Case> {
    use ErrorKind as K;
    let gauge = wire::family("g", 1, &[wire::gauge(1.0)]);
    let empty_metrics = wire::frame(
        &[
            wire::len(1, b"m"),
            wire::int(3, 1),
            many(&[0x22, 0x00], 1_000_000),
        ]
        .concat(),
    );
    let unknown_everything = wire::frame(
        &[
            wire::len(1, b"m"),
            wire::int(3, 1),
            many(&unknowns(), 250_000),
        ]
        .concat(),
    );
    let max_spans = many(&span(0, u64::from(u32::MAX)), 1_000_000);
    vec![
        // 16: lengths beyond the input, the cap, 2^63.
        case("16 prefix 2^63", wire::varint(1 << 63), Expect::Error("byte 0: message size limit of 4194304 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Message, .. }))),
        case("16 length past the input", vec![0x05, 0x0a, 0x01, b'a'], Expect::Error("byte 0: unexpected end of input stream", |k| matches!(k, K::UnexpectedEof))),
        with_limits(case("16 length past the cap", gauge.clone(), Expect::Error("byte 0: message size limit of 10 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Message, .. }))), limits(|l| l.max_message = 10)),
        // 17: 11-byte varint, truncated varint, 10^6 zero-length frames.
        case("17 11-byte varint", [vec![0x80; 10], vec![0x01]].concat(), Expect::Error("byte 0: invalid varint", |k| matches!(k, K::InvalidVarint))),
        case("17 truncated varint", vec![0x80, 0x80], Expect::Error("byte 0: unexpected end of input stream", |k| matches!(k, K::UnexpectedEof))),
        case("17 10^6 empty frames", vec![0; 1_000_000], Expect::Error("byte 0: metric family has no name", |k| matches!(k, K::MissingFamilyName))),
        // 18: truncated message; inner lengths past the end.
        case("18 truncated message", [vec![0x0a], gauge[1..5].to_vec()].concat(), Expect::Error("byte 0: unexpected end of input stream", |k| matches!(k, K::UnexpectedEof))),
        case("18 metric length past the family", wire::frame(&[wire::len(1, b"m"), vec![0x22, 0x05, 0x0a]].concat()), Expect::Error("byte 4: truncated MetricFamily: a field runs past its end", |k| matches!(k, K::Truncated { message: "MetricFamily" }))),
        case("18 label length past the metric", wire::frame(&[wire::len(1, b"m"), wire::len(4, &[0x0a, 0x09, 0x0a])].concat()), Expect::Error("byte 6: truncated Metric: a field runs past its end", |k| matches!(k, K::Truncated { message: "Metric" }))),
        case("18 double cut short", wire::frame(&[wire::len(1, b"m"), wire::int(3, 1), wire::len(4, &wire::len(2, &[0x09, 0, 0]))].concat()), Expect::Error("byte 10: truncated Gauge: a field runs past its end", |k| matches!(k, K::Truncated { message: "Gauge" }))),
        // 19: unknown fields skipped; groups and wire types 6/7 refused.
        case("19 unknown fields", wire::frame(&[wire::len(1, b"m"), unknowns(), wire::int(3, 1), wire::len(4, &[unknowns(), wire::gauge(1.0)].concat())].concat()), Expect::Families(1)),
        case("19 start group", wire::frame(&[wire::len(1, b"m"), vec![0x0b, 0x0c]].concat()), Expect::Error("byte 4: invalid wire type 3 for field 1 of MetricFamily", |k| matches!(k, K::InvalidWireType { wire_type: 3, .. }))),
        case("19 end group", wire::frame(&[wire::len(1, b"m"), vec![0x0c]].concat()), Expect::Error("byte 4: invalid wire type 4 for field 1 of MetricFamily", |k| matches!(k, K::InvalidWireType { wire_type: 4, .. }))),
        case("19 wire type 6 in a Metric", wire::frame(&[wire::len(1, b"m"), wire::len(4, &[0x0e])].concat()), Expect::Error("byte 6: invalid wire type 6 for field 1 of Metric", |k| matches!(k, K::InvalidWireType { wire_type: 6, .. }))),
        case("19 wire type 7 in a label", wire::frame(&[wire::len(1, b"m"), wire::len(4, &wire::len(1, &[0x0f]))].concat()), Expect::Error("byte 8: invalid wire type 7 for field 1 of LabelPair", |k| matches!(k, K::InvalidWireType { wire_type: 7, .. }))),
        case("19 known field, wrong wire type", wire::frame(&[wire::len(1, b"m"), wire::len(3, b"x")].concat()), Expect::Error("byte 4: invalid wire type 2 for field 3 of MetricFamily", |k| matches!(k, K::InvalidWireType { field: 3, wire_type: 2, .. }))),
        case("19 field number 0", wire::frame(&[wire::len(1, b"m"), vec![0x02, 0x00]].concat()), Expect::Error("byte 4: invalid field number 0 in MetricFamily", |k| matches!(k, K::InvalidFieldNumber { number: 0, .. }))),
        // 20: invalid UTF-8, at the bad byte.
        case("20 name", wire::frame(&[wire::len(1, b"ab\xff"), wire::int(3, 1)].concat()), Expect::Error("byte 5: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("20 help", wire::frame(&[wire::len(1, b"m"), wire::len(2, b"ok\xc3")].concat()), Expect::Error("byte 8: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("20 label name", wire::family("m", 1, &[[wire::label(b"\xed\xa0\x80", b"v"), wire::gauge(1.0)].concat()]), Expect::Error("byte 12: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("20 label value", wire::family("m", 1, &[[wire::label(b"n", b"v\xc0\xaf"), wire::gauge(1.0)].concat()]), Expect::Error("byte 16: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case(
            "20 exemplar label value",
            wire::family(
                "m",
                0,
                &[wire::len(
                    3,
                    &[wire::double(1, 1.0), wire::len(2, &wire::label(b"t", b"\xff"))].concat(),
                )],
            ),
            Expect::Error("byte 28: invalid UTF-8", |k| matches!(k, K::InvalidUtf8)),
        ),
        // 21: amplification.
        with_limits(case("21 10^6 empty metrics", empty_metrics.clone(), Expect::Error("byte 200008: series count limit of 100000 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Series, .. }))), Limits::default()),
        with_limits(case("21 10^6 spans of 2^32-1, default limits", histogram_frame(&[wire::sint(5, 0), max_spans.clone()]), Expect::Error("byte 40981: buckets-per-histogram limit of 4096 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Buckets, .. }))), Limits::default()),
        with_limits(case("21 10^6 spans of 2^32-1, no limits", histogram_frame(&[wire::sint(5, 0), max_spans]), Expect::Error("byte 9: native histogram positive spans cover 4294967295000000 buckets but 0 counts are given", |k| matches!(k, K::SpanMismatch { .. }))), Limits::unlimited()),
        // 22: packed and unpacked (see the dedicated test); the same optional field twice.
        case("22 packed deltas", histogram_frame(&[wire::sint(5, 0), span(0, 2), wire::len(13, &[2, 1])]), Expect::Families(1)),
        case("22 name twice", wire::frame(&[wire::len(1, b"a"), wire::len(1, b"b"), wire::int(3, 1)].concat()), Expect::Families(1)),
        // 23: type out of range, wrong value field, no value field.
        case("23 type 6", wire::family("m", 6, &[]), Expect::Error("byte 4: unknown metric type value 6", |k| matches!(k, K::UnknownTypeValue { value: 6 }))),
        case("23 type -1", wire::family("m", u64::MAX, &[]), Expect::Error("byte 4: unknown metric type value -1", |k| matches!(k, K::UnknownTypeValue { value: -1 }))),
        case("23 counter in a gauge family", wire::family("m", 1, &[wire::len(3, &wire::double(1, 1.0))]), Expect::Error("byte 6: metric of family \"m\" holds a counter value but the family is a gauge", |k| matches!(k, K::ValueTypeMismatch { .. }))),
        case("23 no value", wire::family("m", 4, &[wire::int(6, 5)]), Expect::Error("byte 6: metric of family \"m\" has no histogram value", |k| matches!(k, K::MissingValue { .. }))),
        // 24: native histogram consistency.
        case("24 spans disagree with deltas", histogram_frame(&[wire::sint(5, 0), span(0, 3), wire::sint(13, 1)]), Expect::Error("byte 6: native histogram positive spans cover 3 buckets but 1 counts are given", |k| matches!(k, K::SpanMismatch { spans: 3, buckets: 1, .. }))),
        case("24 deltas go negative", histogram_frame(&[wire::sint(5, 0), span(0, 2), wire::sint(13, 1), wire::sint(13, -2)]), Expect::Error("byte 6: native histogram positive bucket 1 has a negative count", |k| matches!(k, K::NegativeBucketCount { index: 1, .. }))),
        case("24 float count negative", histogram_frame(&[wire::sint(5, 0), span(0, 1), wire::double(14, -1.0)]), Expect::Error("byte 6: native histogram positive bucket 0 has a negative count", |k| matches!(k, K::NegativeBucketCount { index: 0, .. }))),
        case("24 deltas and counts on one side", histogram_frame(&[wire::sint(5, 0), span(0, 1), wire::sint(13, 1), wire::double(14, 1.0)]), Expect::Error("byte 6: native histogram positive buckets are given both as deltas and as float counts", |k| matches!(k, K::MixedNativeBuckets { .. }))),
        case("24 schema 9", histogram_frame(&[wire::sint(5, 9)]), Expect::Error("byte 6: native histogram schema 9 is outside -4..=8 and is not -53", |k| matches!(k, K::InvalidSchema { schema: 9 }))),
        case("24 schema -5", histogram_frame(&[wire::sint(5, -5)]), Expect::Error("byte 6: native histogram schema -5 is outside -4..=8 and is not -53", |k| matches!(k, K::InvalidSchema { schema: -5 }))),
        // 25-36: the measured cases.
        case("25 ff ff ff ff 7f", vec![0xff, 0xff, 0xff, 0xff, 0x7f], Expect::Error("byte 0: message size limit of 4194304 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Message, .. }))),
        with_limits(case("25 ff ff ff ff 7f, no cap", vec![0xff, 0xff, 0xff, 0xff, 0x7f], Expect::Error("byte 0: unexpected end of input stream", |k| matches!(k, K::UnexpectedEof))), Limits::unlimited()),
        with_limits(case("26 prefix >= 2^63, no cap", [vec![0xff; 9], vec![0x01]].concat(), Expect::Error("byte 0: unexpected end of input stream", |k| matches!(k, K::UnexpectedEof))), Limits::unlimited()),
        case("26 prefix >= 2^63", [vec![0xff; 9], vec![0x01]].concat(), Expect::Error("byte 0: message size limit of 4194304 exceeded", |k| matches!(k, K::LimitExceeded { .. }))),
        case("27 11-byte varint", [vec![0xff; 10], vec![0x01]].concat(), Expect::Error("byte 0: invalid varint", |k| matches!(k, K::InvalidVarint))),
        with_limits(case("28 5,000,000 empty metrics", wire::frame(&[wire::len(1, b"m"), wire::int(3, 1), many(&[0x22, 0x00], 5_000_000)].concat()), Expect::Error("byte 200009: series count limit of 100000 exceeded", |k| matches!(k, K::LimitExceeded { which: Limit::Series, .. }))), Limits::default()),
        case("29 name m\\xff", wire::frame(&[wire::len(1, b"m\xff"), wire::int(3, 1)].concat()), Expect::Error("byte 4: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("29 label value \\xff", wire::family("m", 1, &[[wire::label(b"n", b"\xff"), wire::gauge(1.0)].concat()]), Expect::Error("byte 15: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("29 HELP \\xff", wire::frame(&[wire::len(1, b"m"), wire::len(2, b"\xff"), wire::int(3, 1)].concat()), Expect::Error("byte 6: invalid UTF-8", |k| matches!(k, K::InvalidUtf8))),
        case("30 type 99", wire::family("m", 99, &[]), Expect::Error("byte 4: unknown metric type value 99", |k| matches!(k, K::UnknownTypeValue { value: 99 }))),
        case("31 spans sum != deltas", histogram_frame(&[wire::sint(5, 0), span(0, 1), span(2, 1), wire::sint(13, 1)]), Expect::Error("byte 6: native histogram positive spans cover 2 buckets but 1 counts are given", |k| matches!(k, K::SpanMismatch { .. }))),
        case("31 zero-length spans with deltas", histogram_frame(&[wire::sint(5, 0), span(0, 0), span(1, 0), wire::sint(13, 1), wire::sint(13, 1)]), Expect::Error("byte 6: native histogram positive spans cover 0 buckets but 2 counts are given", |k| matches!(k, K::SpanMismatch { spans: 0, buckets: 2, .. }))),
        case("31 one span of 2^32-1, one delta", histogram_frame(&[wire::sint(5, 0), span(0, u64::from(u32::MAX)), wire::sint(13, 1)]), Expect::Error("byte 6: native histogram positive spans cover 4294967295 buckets but 1 counts are given", |k| matches!(k, K::SpanMismatch { .. }))),
        case("32 schema 9", histogram_frame(&[wire::sint(5, 9)]), Expect::Error("byte 6: native histogram schema 9 is outside -4..=8 and is not -53", |k| matches!(k, K::InvalidSchema { .. }))),
        case("32 schema -5", histogram_frame(&[wire::sint(5, -5)]), Expect::Error("byte 6: native histogram schema -5 is outside -4..=8 and is not -53", |k| matches!(k, K::InvalidSchema { .. }))),
        case("32 schema -53 without bounds", histogram_frame(&[wire::sint(5, -53)]), Expect::Error("byte 6: custom-bucket native histogram needs increasing, non-NaN classic bucket bounds", |k| matches!(k, K::InvalidCustomBounds))),
        case("32 schema -53, NaN bound", histogram_frame(&[wire::len(3, &wire::double(2, f64::NAN)), wire::sint(5, -53)]), Expect::Error("byte 6: custom-bucket native histogram needs increasing, non-NaN classic bucket bounds", |k| matches!(k, K::InvalidCustomBounds))),
        case("32 schema -53, +Inf then 1", histogram_frame(&[wire::len(3, &wire::double(2, f64::INFINITY)), wire::len(3, &wire::double(2, 1.0)), wire::sint(5, -53)]), Expect::Error("byte 6: custom-bucket native histogram needs increasing, non-NaN classic bucket bounds", |k| matches!(k, K::InvalidCustomBounds))),
        case("32 schema -53, increasing bounds", histogram_frame(&[wire::len(3, &wire::double(2, 1.0)), wire::len(3, &wire::double(2, f64::INFINITY)), wire::sint(5, -53)]), Expect::Families(1)),
        case("33 100,000 nested groups", wire::frame(&[wire::len(1, b"m"), many(&[0x4b], 100_000)].concat()), Expect::Error("byte 6: invalid wire type 3 for field 9 of MetricFamily", |k| matches!(k, K::InvalidWireType { wire_type: 3, field: 9, .. }))),
        case("33 wire type 6", wire::frame(&[wire::len(1, b"m"), vec![0x4e]].concat()), Expect::Error("byte 4: invalid wire type 6 for field 9 of MetricFamily", |k| matches!(k, K::InvalidWireType { wire_type: 6, .. }))),
        case("33 wire type 7", wire::frame(&[wire::len(1, b"m"), vec![0x4f]].concat()), Expect::Error("byte 4: invalid wire type 7 for field 9 of MetricFamily", |k| matches!(k, K::InvalidWireType { wire_type: 7, .. }))),
        with_limits(case("34 10^6 unknown fields", unknown_everything, Expect::Families(1)), Limits::default()),
        case("35 two families named a", [wire::family("a", 1, &[wire::gauge(1.0)]), wire::family("a", 1, &[wire::gauge(2.0)])].concat(), Expect::Families(2)),
        case("35 00 00 00", vec![0, 0, 0], Expect::Error("byte 0: metric family has no name", |k| matches!(k, K::MissingFamilyName))),
        case("36 gauge family, no gauge field", wire::family("m", 1, &[wire::label(b"a", b"b")]), Expect::Error("byte 6: metric of family \"m\" has no gauge value", |k| matches!(k, K::MissingValue { expected: MetricType::Gauge, .. }))),
        case("36 gauge family, counter field", wire::family("m", 1, &[[wire::gauge(1.0), wire::len(3, &[])].concat()]), Expect::Error("byte 6: metric of family \"m\" holds a counter value but the family is a gauge", |k| matches!(k, K::ValueTypeMismatch { expected: MetricType::Gauge, found: MetricType::Counter, .. }))),
    ]
}

#[test]
fn hostile_inputs() {
    let mut failures = Vec::new();
    for c in hostile_cases() {
        let (families, error) = decode_everywhere(&c.input, c.limits);
        let outcome = match (&c.expect, error) {
            (Expect::Families(n), None) if families.len() == *n => continue,
            (Expect::Error(message, kind), Some(e))
                if e.to_string() == *message && kind(e.kind()) =>
            {
                let shown = e.to_string();
                assert!(
                    shown.len() <= 256,
                    "{}: message of {} bytes",
                    c.item,
                    shown.len()
                );
                continue;
            }
            (_, Some(e)) => format!("error {e:?}: {e}"),
            (_, None) => format!("{} families", families.len()),
        };
        failures.push(format!("item {}: got {outcome}", c.item));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn item_22_the_last_name_wins() {
    let input = wire::frame(&[wire::len(1, b"a"), wire::len(1, b"b"), wire::int(3, 1)].concat());
    assert_eq!(proto::decode(&input).unwrap()[0].name, "b");
}

#[test]
fn item_35_two_families_of_one_name_stay_two_as_in_go() {
    let input = [
        wire::family("a", 1, &[wire::gauge(1.0)]),
        wire::family("a", 1, &[wire::gauge(2.0)]),
    ]
    .concat();
    let families = proto::decode(&input).unwrap();
    assert_eq!(
        families,
        vec![gauge_family("a", &[1.0]), gauge_family("a", &[2.0])]
    );
}

// ----- round trips -----

proptest! {
    #[test]
    fn model_proto_model(families in common::strategies::families()) {
        let bytes = proto::encode(&families).unwrap();
        let (decoded, error) = decode_everywhere(&bytes, Limits::default());
        prop_assert!(error.is_none(), "{:?}", error);
        prop_assert_eq!(&decoded, &families);
        prop_assert_eq!(proto::encode(&decoded).unwrap(), bytes);
    }

    /// UTF-8 names go through protobuf as they are; the decoder reads them when allowed.
    #[test]
    fn model_proto_model_utf8_names(families in common::strategies::utf8_families()) {
        let bytes = proto::encode(&families).unwrap();
        let decoded: Vec<_> = proto::Decoder::new(&bytes[..])
            .allow_utf8_names(true)
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(&decoded, &families);
        prop_assert_eq!(proto::encode(&decoded).unwrap(), bytes);
    }

    #[test]
    fn nan_survives_bit_for_bit(v in any::<u64>()) {
        let value = f64::from_bits(v | 0x7ff0_0000_0000_0001);
        prop_assume!(value.is_nan());
        let fam = gauge_family("n", &[value]);
        let bytes = proto::encode(&[fam]).unwrap();
        let decoded = proto::decode(&bytes).unwrap();
        let Value::Gauge(back) = decoded[0].metrics[0].value else { panic!() };
        prop_assert_eq!(back.to_bits(), value.to_bits());
        prop_assert_eq!(proto::encode(&decoded).unwrap(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_everywhere(&input, Limits::default());
    }

    #[test]
    fn mutated_bodies_never_panic_and_agree_everywhere(
        families in common::strategies::some_families(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = proto::encode(&families).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        decode_everywhere(&bytes, Limits::default());
    }

    #[test]
    fn every_truncation_of_a_valid_body_is_an_error(families in common::strategies::some_families(), cut in any::<prop::sample::Index>()) {
        let bytes = proto::encode(&families).unwrap();
        let at = cut.index(bytes.len());
        let (_, error) = decode_everywhere(&bytes[..at], Limits::unlimited());
        // Cutting exactly between frames leaves valid input.
        let mut boundaries = vec![0];
        let mut d = proto::Decoder::new(&bytes);
        while d.next().is_some() {
            boundaries.push(d.offset());
        }
        prop_assert_eq!(error.is_none(), boundaries.contains(&at));
    }
}

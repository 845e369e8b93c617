//! Model -> delimited protobuf bytes, written directly (no intermediate generated structs).
//!
//! The bytes are the ones prost writes for the generated messages (`convert::family_to_proto`
//! followed by `encode_length_delimited`), which are Go's: fields in field-number order, proto2
//! presence (a `Some` is written even when zero), repeated scalars unpacked (proto2's default),
//! `google.protobuf.Timestamp` with proto3 rules (zero fields left out). A test compares the two
//! paths on random models.
//!
//! Writing a length-delimited message needs its length first. Lengths are pure arithmetic over
//! the model ([`Encode::len`]); computed naively, a nested message's length would be computed
//! again at each level above it (a histogram bucket's four times: family, metric, histogram,
//! bucket). Instead [`measure`] walks a family once, bottom-up, and keeps each metric's length
//! and its value message's in a [`Scratch`] on the stack, reused from family to family;
//! [`write_delimited`] then writes top-down reading them back. Lengths below the value message
//! (labels, buckets, quantiles, exemplars) are not kept: each is computed once for the metric's
//! length, then again when it is written and when each message between it and the value message
//! is written (a bucket's twice, its exemplar's three times). Nothing is allocated: the scratch
//! holds the first [`CACHED_METRICS`] metrics of a family, and a larger family's later metrics
//! are measured again when written.

use bytes::BufMut;
use prost::encoding::encoded_len_varint;

use crate::error::{ErrorKind, Snippet};
use crate::model::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};

use super::convert::check_native;

type Result<T> = std::result::Result<T, ErrorKind>;

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

/// The protobuf `MetricType` number of `t`; the OpenMetrics-only types have none.
fn type_number(t: MetricType) -> Result<u64> {
    Ok(match t {
        MetricType::Counter => 0,
        MetricType::Gauge => 1,
        MetricType::Summary => 2,
        MetricType::Untyped | MetricType::Unknown => 3,
        MetricType::Histogram => 4,
        MetricType::GaugeHistogram => 5,
        MetricType::Info | MetricType::StateSet => {
            return Err(ErrorKind::UnsupportedType {
                format: "protobuf",
                metric_type: t,
            })
        }
    })
}

/// The checks the decoder would make of what it reads back: a name, a protobuf type, values
/// of the family's type, consistent native histograms.
pub(crate) fn check(f: &MetricFamily<'_>) -> Result<()> {
    if f.name.is_empty() {
        return Err(ErrorKind::MissingFamilyName);
    }
    type_number(f.metric_type)?;
    // Any UTF-8 name is written (the decoder reads names outside the legacy charset with
    // `allow_utf8_names`), but not an empty label name, which no parser reads back.
    if f.metrics
        .iter()
        .flat_map(|m| &m.labels)
        .any(|l| l.name.is_empty())
    {
        return Err(ErrorKind::InvalidName {
            name: Snippet::new(""),
            what: "label",
        });
    }
    for m in &f.metrics {
        if !m.value.fits(f.metric_type) {
            return Err(ErrorKind::ValueTypeMismatch {
                family: Snippet::new(&f.name),
                expected: f.metric_type,
                found: m.value.metric_type(),
            });
        }
        if let Value::Histogram(h) = &m.value {
            if let Some(n) = &h.native {
                check_native(n, &h.buckets)?;
            }
        }
    }
    Ok(())
}

/// The two lengths written before a metric's fields and before its value message's.
#[derive(Debug, Clone, Copy)]
struct MetricLens {
    /// The `Metric` message's length.
    metric: usize,
    /// The length of its `Gauge`, `Counter`, `Summary`, `Untyped` or `Histogram` message.
    value: usize,
}

/// How many metrics of a family [`Scratch`] keeps the lengths of (1 KiB on the stack).
const CACHED_METRICS: usize = 64;

/// The lengths [`measure`] computed for the family [`write_delimited`] writes next, for its
/// first [`CACHED_METRICS`] metrics; reused from family to family.
#[derive(Debug)]
pub(crate) struct Scratch {
    metrics: [MetricLens; CACHED_METRICS],
}

impl Scratch {
    pub(crate) fn new() -> Self {
        Scratch {
            metrics: [MetricLens {
                metric: 0,
                value: 0,
            }; CACHED_METRICS],
        }
    }
}

/// Length of the `MetricFamily` message `f` (without its prefix), leaving in `scratch` the
/// lengths [`write_delimited`] needs to write `f`; `f` must have passed [`check`].
pub(crate) fn measure(f: &MetricFamily<'_>, scratch: &mut Scratch) -> usize {
    let mut metrics_len = 0;
    for (i, m) in f.metrics.iter().enumerate() {
        let lens = m.measure();
        if let Some(slot) = scratch.metrics.get_mut(i) {
            *slot = lens;
        }
        metrics_len += bytes_len(4, lens.metric);
    }
    let type_number = type_number(f.metric_type).unwrap_or(0);
    bytes_len(1, f.name.len())
        + f.help.as_ref().map_or(0, |h| bytes_len(2, h.len()))
        + varint_len(3, type_number)
        + metrics_len
        + f.unit.as_ref().map_or(0, |u| bytes_len(5, u.len()))
}

/// Length of the varint prefix of a message of `len` bytes.
pub(crate) fn prefix_len(len: usize) -> usize {
    encoded_len_varint(len as u64)
}

/// Appends `f` with its varint length prefix, `len` and `scratch` being what [`measure`] gave
/// and left for `f`.
pub(crate) fn write_delimited<B: BufMut>(
    buf: &mut B,
    f: &MetricFamily<'_>,
    len: usize,
    scratch: &Scratch,
) {
    encode_varint(len as u64, buf);
    put_str(buf, 1, &f.name);
    if let Some(help) = &f.help {
        put_str(buf, 2, help);
    }
    put_varint(buf, 3, type_number(f.metric_type).unwrap_or(0));
    for (i, m) in f.metrics.iter().enumerate() {
        let lens = scratch
            .metrics
            .get(i)
            .copied()
            .unwrap_or_else(|| m.measure());
        put_key(buf, 4, LEN);
        encode_varint(lens.metric as u64, buf);
        m.write(buf, lens.value);
    }
    if let Some(unit) = &f.unit {
        put_str(buf, 5, unit);
    }
}

// ----- field primitives -----

/// Writes `v` as a varint: one `put_u8` for the keys and short lengths that are most of what
/// is written, one `put_slice` otherwise (prost's `encode_varint` puts each byte on its own).
#[inline(always)]
fn encode_varint<B: BufMut>(v: u64, buf: &mut B) {
    if v < 0x80 {
        #[expect(clippy::cast_possible_truncation, reason = "v < 0x80")]
        buf.put_u8(v as u8);
    } else if v < 0x4000 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "v < 0x4000: two 7-bit groups"
        )]
        buf.put_slice(&[(v as u8) | 0x80, (v >> 7) as u8]);
    } else {
        encode_long_varint(v, buf);
    }
}

fn encode_long_varint<B: BufMut>(mut v: u64, buf: &mut B) {
    let mut bytes = [0u8; 10];
    let mut n = 0;
    for slot in &mut bytes {
        n += 1;
        if v < 0x80 {
            #[expect(clippy::cast_possible_truncation, reason = "v < 0x80")]
            let last = v as u8;
            *slot = last;
            break;
        }
        #[expect(clippy::cast_possible_truncation, reason = "the low seven bits")]
        let low = (v as u8) | 0x80;
        *slot = low;
        v >>= 7;
    }
    buf.put_slice(bytes.get(..n).unwrap_or_default());
}

#[inline]
fn key_len(field: u32) -> usize {
    encoded_len_varint(u64::from(field << 3))
}

#[inline(always)]
fn put_key<B: BufMut>(buf: &mut B, field: u32, wire: u32) {
    encode_varint(u64::from((field << 3) | wire), buf);
}

#[inline]
fn double_len(field: u32) -> usize {
    key_len(field) + 8
}

#[inline]
fn put_double<B: BufMut>(buf: &mut B, field: u32, v: f64) {
    put_key(buf, field, FIXED64);
    buf.put_f64_le(v);
}

#[inline]
fn varint_len(field: u32, v: u64) -> usize {
    key_len(field) + encoded_len_varint(v)
}

#[inline]
fn put_varint<B: BufMut>(buf: &mut B, field: u32, v: u64) {
    put_key(buf, field, VARINT);
    encode_varint(v, buf);
}

#[inline]
fn bytes_len(field: u32, len: usize) -> usize {
    key_len(field) + encoded_len_varint(len as u64) + len
}

#[inline]
fn put_str<B: BufMut>(buf: &mut B, field: u32, s: &str) {
    put_key(buf, field, LEN);
    encode_varint(s.len() as u64, buf);
    buf.put_slice(s.as_bytes());
}

fn zigzag32(n: i32) -> u64 {
    u64::from(((n << 1) ^ (n >> 31)) as u32)
}

fn zigzag64(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

/// An `int32` / `int64` field value: negative numbers are sign-extended to ten bytes.
fn int(n: i64) -> u64 {
    n as u64
}

/// A message that can say its encoded length and write itself (without key or length).
trait Encode {
    fn len(&self) -> usize;
    fn write<B: BufMut>(&self, buf: &mut B);
}

#[inline]
fn message_len<M: Encode>(field: u32, m: &M) -> usize {
    bytes_len(field, m.len())
}

#[inline]
fn put_message<B: BufMut, M: Encode>(buf: &mut B, field: u32, m: &M) {
    put_message_of_len(buf, field, m.len(), m);
}

/// [`put_message`] for a message whose length `len` is already known.
#[inline]
fn put_message_of_len<B: BufMut, M: Encode>(buf: &mut B, field: u32, len: usize, m: &M) {
    put_key(buf, field, LEN);
    encode_varint(len as u64, buf);
    m.write(buf);
}

// ----- messages -----

impl Metric<'_> {
    /// This metric's lengths, its value message's computed once for both.
    fn measure(&self) -> MetricLens {
        let m = self;
        let (field, value) = match &m.value {
            Value::Gauge(v) => (2, Scalar(*v).len()),
            Value::Counter(c) => (3, c.len()),
            Value::Summary(s) => (4, s.len()),
            Value::Untyped(v) => (5, Scalar(*v).len()),
            Value::Histogram(h) => (7, h.len()),
        };
        let metric = labels_len(1, &m.labels)
            + bytes_len(field, value)
            + m.timestamp_ms.map_or(0, |t| varint_len(6, int(t)));
        MetricLens { metric, value }
    }

    /// Writes the metric's fields, `value_len` being its value message's length (from
    /// [`Metric::measure`]).
    fn write<B: BufMut>(&self, buf: &mut B, value_len: usize) {
        let m = self;
        put_labels(buf, 1, &m.labels);
        match &m.value {
            Value::Gauge(v) => put_message_of_len(buf, 2, value_len, &Scalar(*v)),
            Value::Counter(c) => put_message_of_len(buf, 3, value_len, c),
            Value::Summary(s) => put_message_of_len(buf, 4, value_len, &**s),
            Value::Untyped(v) => put_message_of_len(buf, 5, value_len, &Scalar(*v)),
            Value::Histogram(_) => {}
        }
        if let Some(t) = m.timestamp_ms {
            put_varint(buf, 6, int(t));
        }
        if let Value::Histogram(h) = &m.value {
            put_message_of_len(buf, 7, value_len, &**h);
        }
    }
}

#[inline]
fn labels_len(field: u32, labels: &[Label<'_>]) -> usize {
    labels.iter().map(|l| message_len(field, l)).sum()
}

#[inline]
fn put_labels<B: BufMut>(buf: &mut B, field: u32, labels: &[Label<'_>]) {
    for l in labels {
        put_message(buf, field, l);
    }
}

impl Encode for Label<'_> {
    #[inline]
    fn len(&self) -> usize {
        bytes_len(1, self.name.len()) + bytes_len(2, self.value.len())
    }

    #[inline]
    fn write<B: BufMut>(&self, buf: &mut B) {
        put_str(buf, 1, &self.name);
        put_str(buf, 2, &self.value);
    }
}

/// `Gauge` and `Untyped`: one `double value = 1`.
struct Scalar(f64);

impl Encode for Scalar {
    #[inline]
    fn len(&self) -> usize {
        double_len(1)
    }

    #[inline]
    fn write<B: BufMut>(&self, buf: &mut B) {
        put_double(buf, 1, self.0);
    }
}

impl Encode for Timestamp {
    fn len(&self) -> usize {
        (if self.seconds != 0 {
            varint_len(1, int(self.seconds))
        } else {
            0
        }) + if self.nanos != 0 {
            varint_len(2, int(i64::from(self.nanos)))
        } else {
            0
        }
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        if self.seconds != 0 {
            put_varint(buf, 1, int(self.seconds));
        }
        if self.nanos != 0 {
            put_varint(buf, 2, int(i64::from(self.nanos)));
        }
    }
}

impl Encode for Exemplar<'_> {
    fn len(&self) -> usize {
        labels_len(1, &self.labels)
            + double_len(2)
            + self.timestamp.as_ref().map_or(0, |t| message_len(3, t))
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        put_labels(buf, 1, &self.labels);
        put_double(buf, 2, self.value);
        if let Some(t) = &self.timestamp {
            put_message(buf, 3, t);
        }
    }
}

impl Encode for Counter<'_> {
    fn len(&self) -> usize {
        double_len(1)
            + self.exemplar.as_deref().map_or(0, |e| message_len(2, e))
            + self.created.as_ref().map_or(0, |t| message_len(3, t))
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        put_double(buf, 1, self.value);
        if let Some(e) = self.exemplar.as_deref() {
            put_message(buf, 2, e);
        }
        if let Some(t) = &self.created {
            put_message(buf, 3, t);
        }
    }
}

impl Encode for Quantile {
    #[inline]
    fn len(&self) -> usize {
        2 * double_len(1)
    }

    #[inline]
    fn write<B: BufMut>(&self, buf: &mut B) {
        put_double(buf, 1, self.quantile);
        put_double(buf, 2, self.value);
    }
}

impl Encode for Summary {
    fn len(&self) -> usize {
        self.count.map_or(0, |c| varint_len(1, c))
            + self.sum.map_or(0, |_| double_len(2))
            + self
                .quantiles
                .iter()
                .map(|q| message_len(3, q))
                .sum::<usize>()
            + self.created.as_ref().map_or(0, |t| message_len(4, t))
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        if let Some(c) = self.count {
            put_varint(buf, 1, c);
        }
        if let Some(s) = self.sum {
            put_double(buf, 2, s);
        }
        for q in &self.quantiles {
            put_message(buf, 3, q);
        }
        if let Some(t) = &self.created {
            put_message(buf, 4, t);
        }
    }
}

/// A count as its integer field (`int_field`) or its float twin (`float_field`).
#[inline]
fn count_len(c: Count, int_field: u32, float_field: u32) -> usize {
    match c {
        Count::Int(n) => varint_len(int_field, n),
        Count::Float(_) => double_len(float_field),
    }
}

impl Encode for Bucket<'_> {
    #[inline]
    fn len(&self) -> usize {
        count_len(self.count, 1, 4)
            + double_len(2)
            + self.exemplar.as_deref().map_or(0, |e| message_len(3, e))
    }

    #[inline]
    fn write<B: BufMut>(&self, buf: &mut B) {
        if let Count::Int(n) = self.count {
            put_varint(buf, 1, n);
        }
        put_double(buf, 2, self.upper_bound);
        if let Some(e) = self.exemplar.as_deref() {
            put_message(buf, 3, e);
        }
        if let Count::Float(f) = self.count {
            put_double(buf, 4, f);
        }
    }
}

impl Encode for BucketSpan {
    fn len(&self) -> usize {
        varint_len(1, zigzag32(self.offset)) + varint_len(2, u64::from(self.length))
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        put_varint(buf, 1, zigzag32(self.offset));
        put_varint(buf, 2, u64::from(self.length));
    }
}

/// One side of a native histogram: spans, then deltas or counts (unpacked).
fn side_len(spans: &[BucketSpan], b: &NativeBuckets, fields: (u32, u32, u32)) -> usize {
    let (span_field, delta_field, count_field) = fields;
    spans
        .iter()
        .map(|s| message_len(span_field, s))
        .sum::<usize>()
        + match b {
            NativeBuckets::Deltas(d) => d
                .iter()
                .map(|&n| varint_len(delta_field, zigzag64(n)))
                .sum(),
            NativeBuckets::Counts(c) => c.len() * double_len(count_field),
        }
}

fn native_len(n: &NativeHistogram) -> usize {
    varint_len(5, zigzag32(n.schema))
        + double_len(6)
        + count_len(n.zero_count, 7, 8)
        + side_len(&n.negative_spans, &n.negative, (9, 10, 11))
        + side_len(&n.positive_spans, &n.positive, (12, 13, 14))
}

fn put_side<B: BufMut>(
    buf: &mut B,
    spans: &[BucketSpan],
    b: &NativeBuckets,
    (span_field, delta_field, count_field): (u32, u32, u32),
) {
    for s in spans {
        put_message(buf, span_field, s);
    }
    match b {
        NativeBuckets::Deltas(d) => {
            for &n in d {
                put_varint(buf, delta_field, zigzag64(n));
            }
        }
        NativeBuckets::Counts(c) => {
            for &f in c {
                put_double(buf, count_field, f);
            }
        }
    }
}

impl Encode for Histogram<'_> {
    fn len(&self) -> usize {
        self.count.map_or(0, |c| count_len(c, 1, 4))
            + self.sum.map_or(0, |_| double_len(2))
            + self
                .buckets
                .iter()
                .map(|b| message_len(3, b))
                .sum::<usize>()
            + self.native.as_deref().map_or(0, native_len)
            + self.created.as_ref().map_or(0, |t| message_len(15, t))
            + self
                .exemplars
                .iter()
                .map(|e| message_len(16, e))
                .sum::<usize>()
    }

    fn write<B: BufMut>(&self, buf: &mut B) {
        if let Some(Count::Int(n)) = self.count {
            put_varint(buf, 1, n);
        }
        if let Some(s) = self.sum {
            put_double(buf, 2, s);
        }
        for b in &self.buckets {
            put_message(buf, 3, b);
        }
        if let Some(Count::Float(f)) = self.count {
            put_double(buf, 4, f);
        }
        if let Some(n) = self.native.as_deref() {
            put_varint(buf, 5, zigzag32(n.schema));
            put_double(buf, 6, n.zero_threshold);
            match n.zero_count {
                Count::Int(c) => put_varint(buf, 7, c),
                Count::Float(f) => put_double(buf, 8, f),
            }
            put_side(buf, &n.negative_spans, &n.negative, (9, 10, 11));
            put_side(buf, &n.positive_spans, &n.positive, (12, 13, 14));
        }
        if let Some(t) = &self.created {
            put_message(buf, 15, t);
        }
        for e in &self.exemplars {
            put_message(buf, 16, e);
        }
    }
}

#[cfg(test)]
#[path = "../../tests/common/strategies.rs"]
mod strategies;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use prost::Message as _;

    use super::strategies;
    use super::*;
    use crate::proto::convert::family_to_proto;

    fn direct(f: &MetricFamily<'_>) -> Vec<u8> {
        check(f).unwrap();
        let mut out = Vec::new();
        let mut scratch = Scratch::new();
        let len = measure(f, &mut scratch);
        write_delimited(&mut out, f, len, &scratch);
        assert_eq!(out.len(), prefix_len(len) + len);
        out
    }

    fn via_prost(f: &MetricFamily<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        family_to_proto(f)
            .unwrap()
            .encode_length_delimited(&mut out)
            .unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The direct writer writes prost's bytes for every model the strategies make: native
        /// histograms, exemplars, float counts, created timestamps, negative times.
        #[test]
        fn writes_what_prost_writes(f in strategies::family(6)) {
            prop_assert_eq!(direct(&f), via_prost(&f));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Families with more metrics than [`Scratch`] keeps the lengths of: the later ones
        /// are measured again when written, to the same bytes.
        #[test]
        fn large_families_write_what_prost_writes(
            f in strategies::family(3 * CACHED_METRICS)
                .prop_filter("more metrics than the scratch keeps", |f| {
                    f.metrics.len() > CACHED_METRICS
                })
        ) {
            prop_assert_eq!(direct(&f), via_prost(&f));
        }
    }

    #[test]
    fn edge_values_match_prost() {
        use crate::model::{Counter, Timestamp};
        let ts = |seconds, nanos| Some(Timestamp { seconds, nanos });
        for created in [
            None,
            ts(0, 0),
            ts(-1, -5),
            ts(i64::MIN, i32::MIN),
            ts(1, 0),
            ts(0, 1),
        ] {
            let f = MetricFamily::new("c", MetricType::Counter)
                .with_help("")
                .with_metric(Metric {
                    labels: vec![Label::new("a", "")],
                    value: Value::Counter(Counter {
                        value: -0.0,
                        created,
                        exemplar: None,
                    }),
                    timestamp_ms: Some(i64::MIN),
                });
            assert_eq!(direct(&f), via_prost(&f), "{created:?}");
        }
    }

    #[test]
    fn refuses_what_prost_path_refused() {
        let f = MetricFamily::new("", MetricType::Gauge);
        assert!(matches!(check(&f), Err(ErrorKind::MissingFamilyName)));
        let f = MetricFamily::new("i", MetricType::Info);
        assert!(matches!(check(&f), Err(ErrorKind::UnsupportedType { .. })));
        let f = MetricFamily::new("g", MetricType::Gauge)
            .with_metric(Metric::new(vec![], Value::Untyped(1.0)));
        assert!(matches!(
            check(&f),
            Err(ErrorKind::ValueTypeMismatch { .. })
        ));
    }
}

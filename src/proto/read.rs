//! The decoder's fast path: one pass over a `MetricFamily` frame that makes every check the
//! careful path makes (the pre-scan in `scan.rs`, then prost and the conversion in
//! `convert.rs`) and builds the model as it goes, borrowing every string from the frame.
//!
//! It only answers *whether* a frame is good. When it is not, the decoder walks the frame again
//! with the careful path, which finds the first problem in its documented order and reports it
//! at its byte offset. Errors are the rare case, so they pay for the precision and valid input
//! does not: the careful path walks each byte twice and allocates every string, this one walks
//! each byte once and allocates only the vectors of the model.
//!
//! The two paths must accept exactly the same frames and build the same families from them; the
//! tests at the end of this file check that on generated and mutated frames. In the decoder, a
//! frame this path refuses gets the careful path's answer (a debug assertion checks that it is an
//! error too); a frame this path accepts is checked against the careful path only under `cargo
//! fuzz`.
//!
//! What protobuf's merge rules ask for, and how this path meets them: a scalar field given twice
//! keeps the last value; a repeated field appends; an optional message given twice is merged
//! into the first (so each such message is decoded into one accumulator, updated in place).
//! Every limit of [`Limits`] is checked before the element it counts is pushed, so memory stays
//! bounded by the limits and the frame, as on the careful path.

use std::borrow::Cow;

use crate::error::ErrorKind;
use crate::limits::Limits;
use crate::model::{
    Bucket, BucketSpan, Counter, Exemplar, Histogram, Label, Metric, MetricFamily, NativeBuckets,
    NativeHistogram, Quantile, Summary, Timestamp, Value,
};

use super::convert;
use super::delimited::{read_varint, Varint};

/// The frame is not good; the careful path says why.
#[derive(Debug)]
pub(crate) struct Bad;

type R<T> = Result<T, Bad>;

/// What decoding a frame needs besides the frame; `series` runs over the whole stream.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'l> {
    pub(crate) limits: &'l Limits,
    pub(crate) utf8_names: bool,
    pub(crate) series: usize,
}

// The value field a metric carries, one bit each, so a family can check all its metrics at once.
const GAUGE: u8 = 1;
const COUNTER: u8 = 2;
const SUMMARY: u8 = 4;
const UNTYPED: u8 = 8;
const HISTOGRAM: u8 = 16;

// Wire types.
const VARINT: u8 = 0;
const I64: u8 = 1;
const LEN: u8 = 2;

/// The unread rest of one message.
struct Msg<'b> {
    buf: &'b [u8],
}

impl<'b> Msg<'b> {
    fn new(buf: &'b [u8]) -> Self {
        Msg { buf }
    }

    #[inline(always)]
    fn more(&self) -> bool {
        !self.buf.is_empty()
    }

    #[inline(always)]
    fn varint(&mut self) -> R<u64> {
        match *self.buf {
            [b, ref rest @ ..] if b < 0x80 => {
                self.buf = rest;
                Ok(u64::from(b))
            }
            [b0, b1, ref rest @ ..] if b1 < 0x80 => {
                self.buf = rest;
                Ok(u64::from(b0 & 0x7f) | (u64::from(b1) << 7))
            }
            _ => {
                let (v, rest) = long_varint(self.buf)?;
                self.buf = rest;
                Ok(v)
            }
        }
    }

    /// The next key: field number and wire type. Field number 0 and numbers past 2^29 - 1 are
    /// refused, as are groups and the undefined wire types, whatever the field.
    #[inline(always)]
    fn key(&mut self) -> R<(u32, u8)> {
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 || number > u64::from(u32::MAX >> 3) {
            return Err(Bad);
        }
        #[expect(clippy::cast_possible_truncation, reason = "checked: number < 2^29")]
        let number = number as u32;
        let wire = (key & 7) as u8;
        if matches!(wire, 3 | 4 | 6 | 7) {
            return Err(Bad);
        }
        Ok((number, wire))
    }

    #[inline(always)]
    fn bytes(&mut self) -> R<&'b [u8]> {
        let len = usize::try_from(self.varint()?).map_err(|_| Bad)?;
        if len > self.buf.len() {
            return Err(Bad);
        }
        let (bytes, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(bytes)
    }

    #[inline(always)]
    fn double(&mut self) -> R<f64> {
        let (bytes, rest) = self.buf.split_first_chunk::<8>().ok_or(Bad)?;
        self.buf = rest;
        Ok(f64::from_le_bytes(*bytes))
    }

    fn fixed(&mut self, width: usize) -> R<()> {
        self.buf = self.buf.get(width..).ok_or(Bad)?;
        Ok(())
    }

    /// Skips an unknown field; the wire type is one [`Msg::key`] let through.
    fn skip(&mut self, wire: u8) -> R<()> {
        match wire {
            VARINT => self.varint().map(drop),
            I64 => self.fixed(8),
            LEN => self.bytes().map(drop),
            _ => self.fixed(4),
        }
    }
}

/// A varint of three bytes or more (or a bad one) at the start of `buf`, and the rest of `buf`.
/// A function of the slice rather than a method of [`Msg`]: called out of line with `&mut
/// self`, it would make every `Msg` live in memory instead of in registers.
#[inline(never)]
fn long_varint(buf: &[u8]) -> R<(u64, &[u8])> {
    match read_varint(buf) {
        Varint::Ok(v, n) => Ok((v, buf.get(n..).ok_or(Bad)?)),
        Varint::Truncated | Varint::Invalid => Err(Bad),
    }
}

/// A field the schema knows (every message numbers its fields 1 to `last`), sent with another
/// wire type, or an unknown one to skip.
#[inline(always)]
fn other(m: &mut Msg<'_>, number: u32, wire: u8, last: u32) -> R<()> {
    if number <= last {
        return Err(Bad);
    }
    m.skip(wire)
}

/// Whether `v` may take one more element under the cap `max` (checked before the element is
/// decoded, so what a frame claims never outgrows the limits).
#[inline(always)]
fn room<T>(v: &[T], max: usize) -> R<()> {
    if v.len() >= max {
        return Err(Bad);
    }
    Ok(())
}

#[inline(always)]
fn utf8(bytes: &[u8]) -> R<&str> {
    crate::utf8::to_str(bytes).ok_or(Bad)
}

/// The smallest bucket field [`capacity_guess`] assumes: a classic bucket with a one-byte count
/// (key, length, `count`, `upper_bound`).
const MIN_BUCKET_FIELD: usize = 13;

/// A capacity for a histogram's buckets, guessed when the first one is pushed: its field took
/// `first` bytes with key and length, and `rest` bytes of the histogram are left. The guess is
/// that the rest holds more buckets of the same size (never smaller than [`MIN_BUCKET_FIELD`]),
/// rounded up so that slightly smaller ones still fit, and capped by `max`, the room the limits
/// leave. So it stays within what `rest` bytes of such buckets would make anyway, and a classic
/// histogram gets its buckets in one allocation, not one per doubling (4, 8, 16, 32).
///
/// A family's metrics are not sized this way: it saved instructions on some corpora and cost
/// them on others, and its exact-size vectors made glibc return the heap to the system after
/// each decode of the node-like corpus (190 page faults per decode instead of 5, +40% wall
/// clock).
#[inline]
fn capacity_guess(first: usize, rest: usize, max: usize) -> usize {
    (1 + rest.div_ceil(first.max(MIN_BUCKET_FIELD))).min(max)
}

/// protobuf's `sint32`: the low 32 bits, zigzag-decoded.
fn sint32(v: u64) -> i32 {
    #[expect(clippy::cast_possible_truncation, reason = "sint32 is the low 32 bits")]
    let v = v as u32;
    #[expect(clippy::cast_possible_wrap, reason = "zigzag decoding")]
    let v = (v >> 1) as i32 ^ -((v & 1) as i32);
    v
}

/// protobuf's `sint64`: zigzag-decoded.
fn sint64(v: u64) -> i64 {
    #[expect(clippy::cast_possible_wrap, reason = "zigzag decoding")]
    let v = (v >> 1) as i64 ^ -((v & 1) as i64);
    v
}

#[expect(clippy::cast_possible_wrap, reason = "int64 on the wire")]
fn int64(v: u64) -> i64 {
    v as i64
}

/// One `MetricFamily` message.
pub(crate) fn family<'b>(body: &'b [u8], ctx: &mut Ctx<'_>) -> R<MetricFamily<'b>> {
    let limits = ctx.limits;
    let mut name: Option<&'b str> = None;
    let mut help = None;
    let mut unit = None;
    let mut raw_type: i64 = 0;
    let mut metrics = Vec::new();
    let mut kinds = 0;
    let mut m = Msg::new(body);
    while m.more() {
        match m.key()? {
            (4, LEN) => {
                ctx.series += 1;
                if ctx.series > limits.max_series {
                    return Err(Bad);
                }
                let (metric, kind) = metric(m.bytes()?, ctx)?;
                kinds |= kind;
                metrics.push(metric);
            }
            (1, LEN) => {
                let s = utf8(m.bytes()?)?;
                if s.len() > limits.max_name_len
                    || (!s.is_empty() && !super::valid_name(s.as_bytes(), true, ctx.utf8_names))
                {
                    return Err(Bad);
                }
                name = Some(s);
            }
            (2, LEN) => help = Some(utf8(m.bytes()?)?),
            (3, VARINT) => raw_type = int64(m.varint()?),
            (5, LEN) => unit = Some(utf8(m.bytes()?)?),
            (number, wire) => other(&mut m, number, wire, 5)?,
        }
    }
    let name = name.filter(|n| !n.is_empty()).ok_or(Bad)?;
    let metric_type = convert::metric_type_from_proto(raw_type).ok_or(Bad)?;
    let expected = match metric_type {
        crate::MetricType::Gauge => GAUGE,
        crate::MetricType::Counter => COUNTER,
        crate::MetricType::Summary => SUMMARY,
        crate::MetricType::Untyped => UNTYPED,
        _ => HISTOGRAM,
    };
    if kinds & !expected != 0 {
        return Err(Bad);
    }
    Ok(MetricFamily {
        name: Cow::Borrowed(name),
        help: help.map(Cow::Borrowed),
        unit: unit.map(Cow::Borrowed),
        metric_type,
        metrics,
    })
}

/// The run of labels a `Metric` starts with, where every encoder puts them: how many, and where
/// the run ends. Only labels whose key and length are one byte each count, so the walk is a few
/// instructions per label; it sizes the label vector once and bounds [`label_run`].
fn leading_labels(buf: &[u8]) -> (usize, usize) {
    let mut n = 0;
    let mut at = 0;
    while let Some(&[0x0a, len]) = buf.get(at..at + 2) {
        let end = at + 2 + usize::from(len);
        if len >= 0x80 || end > buf.len() {
            break;
        }
        at = end;
        n += 1;
    }
    (n, at)
}

/// The labels a `Metric` starts with (where every encoder puts them), as one `str` when they
/// are all valid UTF-8: one check for all of them instead of two per label. Keys and lengths
/// under 128 are ASCII, so UTF-8 over the run means UTF-8 in each string.
fn label_run(buf: &[u8], run_end: usize) -> Option<&str> {
    crate::utf8::to_str(buf.get(..run_end)?)
}

/// One `Metric`, and the bit of the one value field it carries.
fn metric<'b>(buf: &'b [u8], ctx: &Ctx<'_>) -> R<(Metric<'b>, u8)> {
    let limits = ctx.limits;
    let (label_count, run_end) = leading_labels(buf);
    let mut labels = Vec::with_capacity(label_count.min(limits.max_labels));
    let run = label_run(buf, run_end);
    // The value fields seen (bits as `kind`): exactly one must be, checked without moving the
    // accumulators around (a histogram's is a few hundred bytes).
    let mut seen = 0;
    let mut gauge = 0.0;
    let mut untyped = 0.0;
    let mut counter: Option<Counter<'b>> = None;
    let mut summary: Option<Summary> = None;
    let mut histogram: Option<HistogramAcc<'b>> = None;
    let mut timestamp_ms = None;
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, LEN) => {
                room(&labels, limits.max_labels)?;
                let bytes = m.bytes()?;
                let end = buf.len() - m.buf.len();
                let text = run.and_then(|t| crate::text::scan::sub(t, end - bytes.len(), end));
                labels.push(label(bytes, text, ctx, true)?);
            }
            (2, LEN) => {
                seen |= GAUGE;
                single_double(m.bytes()?, &mut gauge)?;
            }
            (3, LEN) => {
                seen |= COUNTER;
                counter_msg(m.bytes()?, counter.get_or_insert(Counter::new(0.0)), ctx)?;
            }
            (4, LEN) => {
                seen |= SUMMARY;
                let s = summary.get_or_insert_with(Summary::default);
                summary_msg(m.bytes()?, s, ctx)?;
            }
            (5, LEN) => {
                seen |= UNTYPED;
                single_double(m.bytes()?, &mut untyped)?;
            }
            (6, VARINT) => timestamp_ms = Some(int64(m.varint()?)),
            (7, LEN) => {
                seen |= HISTOGRAM;
                let h = histogram.get_or_insert_with(HistogramAcc::default);
                histogram_msg(m.bytes()?, h, ctx)?;
            }
            (number, wire) => other(&mut m, number, wire, 7)?,
        }
    }
    // The native sides must add up whatever the family's type (the pre-scan checks every
    // metric), so this comes before the value is chosen.
    if let Some(h) = &histogram {
        h.check_sides()?;
    }
    let value = match seen {
        GAUGE => Value::Gauge(gauge),
        COUNTER => Value::Counter(counter.ok_or(Bad)?),
        SUMMARY => Value::Summary(Box::new(summary.ok_or(Bad)?)),
        UNTYPED => Value::Untyped(untyped),
        HISTOGRAM => Value::Histogram(Box::new(histogram.ok_or(Bad)?.finish().map_err(|_| Bad)?)),
        _ => return Err(Bad),
    };
    Ok((
        Metric {
            labels,
            value,
            timestamp_ms,
        },
        seen,
    ))
}

/// A `LabelPair`; the name is checked against the naming rule for metric labels only (as Go
/// does: exemplar label names are free). `text` is the same bytes as a `str` when the caller
/// has already checked them as UTF-8 (see [`label_run`]). Inlined for the pair as encoders
/// write it; any other encoding goes to [`label_fields`].
#[inline(always)]
fn label<'b>(
    buf: &'b [u8],
    text: Option<&'b str>,
    ctx: &Ctx<'_>,
    metric_label: bool,
) -> R<Label<'b>> {
    // What every encoder writes: the name (field 1), then the value (field 2), each shorter
    // than 128 bytes, so each length is one byte.
    if let [0x0a, n, rest @ ..] = buf {
        if let Some((name, [0x12, m, value @ ..])) = rest.split_at_checked(usize::from(*n)) {
            if *n < 0x80 && *m < 0x80 && usize::from(*m) == value.len() {
                let (name, value) = match text {
                    // Both strings sit between one-byte keys and lengths (ASCII), so a `str`
                    // over the whole pair splits into two `str`s there.
                    Some(t) => {
                        let n = usize::from(*n);
                        (
                            crate::text::scan::sub(t, 2, 2 + n).ok_or(Bad)?,
                            t.get(4 + n..).ok_or(Bad)?,
                        )
                    }
                    None => (utf8(name)?, utf8(value)?),
                };
                return finish_label(name, value, ctx, metric_label);
            }
        }
    }
    label_fields(buf, ctx, metric_label)
}

/// [`label`] for any encoding of the pair: fields in any order, repeated or unknown.
#[inline(never)]
fn label_fields<'b>(buf: &'b [u8], ctx: &Ctx<'_>, metric_label: bool) -> R<Label<'b>> {
    let mut name = "";
    let mut value = "";
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, LEN) => name = utf8(m.bytes()?)?,
            (2, LEN) => value = utf8(m.bytes()?)?,
            (number, wire) => other(&mut m, number, wire, 2)?,
        }
        // Every occurrence must be within the limits, not only the last.
        if name.len() > ctx.limits.max_name_len || value.len() > ctx.limits.max_label_value_len {
            return Err(Bad);
        }
    }
    finish_label(name, value, ctx, metric_label)
}

#[inline(always)]
fn finish_label<'b>(
    name: &'b str,
    value: &'b str,
    ctx: &Ctx<'_>,
    metric_label: bool,
) -> R<Label<'b>> {
    let limits = ctx.limits;
    if name.len() > limits.max_name_len || value.len() > limits.max_label_value_len {
        return Err(Bad);
    }
    if metric_label && !super::valid_name(name.as_bytes(), false, ctx.utf8_names) {
        return Err(Bad);
    }
    Ok(Label {
        name: Cow::Borrowed(name),
        value: Cow::Borrowed(value),
    })
}

/// `Gauge` and `Untyped`: one `double value = 1`, merged into `value`.
#[inline(always)]
fn single_double(buf: &[u8], value: &mut f64) -> R<()> {
    // What every encoder writes: the one field, once.
    if let [0x09, ref bytes @ ..] = *buf {
        if let Ok(bytes) = <[u8; 8]>::try_from(bytes) {
            *value = f64::from_le_bytes(bytes);
            return Ok(());
        }
    }
    single_double_fields(buf, value)
}

/// [`single_double`] for any encoding: the field repeated (the last one counts), unknown ones.
#[inline(never)]
fn single_double_fields(buf: &[u8], value: &mut f64) -> R<()> {
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, I64) => *value = m.double()?,
            (number, wire) => other(&mut m, number, wire, 1)?,
        }
    }
    Ok(())
}

fn timestamp_msg(buf: &[u8], t: &mut Timestamp) -> R<()> {
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, VARINT) => t.seconds = int64(m.varint()?),
            #[expect(clippy::cast_possible_truncation, reason = "int32 is the low 32 bits")]
            (2, VARINT) => t.nanos = m.varint()? as i32,
            (number, wire) => other(&mut m, number, wire, 2)?,
        }
    }
    Ok(())
}

fn exemplar_msg<'b>(buf: &'b [u8], e: &mut Exemplar<'b>, ctx: &Ctx<'_>) -> R<()> {
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, LEN) => {
                room(&e.labels, ctx.limits.max_labels)?;
                e.labels.push(label(m.bytes()?, None, ctx, false)?);
            }
            (2, I64) => e.value = m.double()?,
            (3, LEN) => timestamp_msg(
                m.bytes()?,
                e.timestamp.get_or_insert_with(Timestamp::default),
            )?,
            (number, wire) => other(&mut m, number, wire, 3)?,
        }
    }
    Ok(())
}

fn new_exemplar<'b>() -> Exemplar<'b> {
    Exemplar {
        labels: Vec::new(),
        value: 0.0,
        timestamp: None,
    }
}

fn counter_msg<'b>(buf: &'b [u8], c: &mut Counter<'b>, ctx: &Ctx<'_>) -> R<()> {
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, I64) => c.value = m.double()?,
            (2, LEN) => {
                let e = c.exemplar.get_or_insert_with(|| Box::new(new_exemplar()));
                exemplar_msg(m.bytes()?, e, ctx)?;
            }
            (3, LEN) => {
                timestamp_msg(m.bytes()?, c.created.get_or_insert_with(Timestamp::default))?
            }
            (number, wire) => other(&mut m, number, wire, 3)?,
        }
    }
    Ok(())
}

fn summary_msg(buf: &[u8], s: &mut Summary, ctx: &Ctx<'_>) -> R<()> {
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, VARINT) => s.count = Some(m.varint()?),
            (2, I64) => s.sum = Some(m.double()?),
            (3, LEN) => {
                room(&s.quantiles, ctx.limits.max_buckets)?;
                let mut q = Quantile {
                    quantile: 0.0,
                    value: 0.0,
                };
                let mut qm = Msg::new(m.bytes()?);
                while qm.more() {
                    match qm.key()? {
                        (1, I64) => q.quantile = qm.double()?,
                        (2, I64) => q.value = qm.double()?,
                        (number, wire) => other(&mut qm, number, wire, 2)?,
                    }
                }
                s.quantiles.push(q);
            }
            (4, LEN) => {
                timestamp_msg(m.bytes()?, s.created.get_or_insert_with(Timestamp::default))?
            }
            (number, wire) => other(&mut m, number, wire, 4)?,
        }
    }
    Ok(())
}

/// A histogram's fields as protobuf gives them, merged over every occurrence in one metric;
/// [`HistogramAcc::finish`] turns them into the model as `convert.rs` does.
#[derive(Default)]
pub(crate) struct HistogramAcc<'b> {
    pub(crate) count: Option<u64>,
    pub(crate) count_float: Option<f64>,
    pub(crate) sum: Option<f64>,
    pub(crate) buckets: Vec<Bucket<'b>>,
    pub(crate) created: Option<Timestamp>,
    pub(crate) schema: Option<i32>,
    pub(crate) zero_threshold: Option<f64>,
    pub(crate) zero_count: Option<u64>,
    pub(crate) zero_count_float: Option<f64>,
    /// Negative, then positive.
    pub(crate) spans: [Vec<BucketSpan>; 2],
    pub(crate) deltas: [Vec<i64>; 2],
    pub(crate) counts: [Vec<f64>; 2],
    pub(crate) exemplars: Vec<Exemplar<'b>>,
}

/// Out of line: inlined, its size made the register allocation of [`family`] worse for
/// every metric type (about 2% more instructions on each corpus).
#[inline(never)]
fn histogram_msg<'b>(buf: &'b [u8], h: &mut HistogramAcc<'b>, ctx: &Ctx<'_>) -> R<()> {
    let max = ctx.limits.max_buckets;
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (3, LEN) => {
                room(&h.buckets, max)?;
                let before = m.buf.len();
                let bytes = m.bytes()?;
                if h.buckets.capacity() == 0 {
                    let first = 1 + before - m.buf.len();
                    h.buckets
                        .reserve_exact(capacity_guess(first, m.buf.len(), max));
                }
                h.buckets.push(bucket_msg(bytes, ctx)?);
                plain_bucket_run(&mut m, &mut h.buckets, max);
            }
            (1, VARINT) => h.count = Some(m.varint()?),
            (2, I64) => h.sum = Some(m.double()?),
            (4, I64) => h.count_float = Some(m.double()?),
            (5, VARINT) => h.schema = Some(sint32(m.varint()?)),
            (6, I64) => h.zero_threshold = Some(m.double()?),
            (7, VARINT) => h.zero_count = Some(m.varint()?),
            (8, I64) => h.zero_count_float = Some(m.double()?),
            (n @ (9 | 12), LEN) => {
                let spans = &mut h.spans[usize::from(n == 12)];
                room(spans, max)?;
                spans.push(span_msg(m.bytes()?)?);
            }
            (n @ (10 | 13), VARINT) => {
                let deltas = &mut h.deltas[usize::from(n == 13)];
                room(deltas, max)?;
                deltas.push(sint64(m.varint()?));
            }
            (n @ (10 | 13), LEN) => {
                let deltas = &mut h.deltas[usize::from(n == 13)];
                let mut packed = Msg::new(m.bytes()?);
                while packed.more() {
                    room(deltas, max)?;
                    deltas.push(sint64(packed.varint()?));
                }
            }
            (n @ (11 | 14), I64) => {
                let counts = &mut h.counts[usize::from(n == 14)];
                room(counts, max)?;
                counts.push(m.double()?);
            }
            (n @ (11 | 14), LEN) => {
                let counts = &mut h.counts[usize::from(n == 14)];
                let bytes = m.bytes()?;
                let (chunks, rest) = bytes.as_chunks::<8>();
                if !rest.is_empty() || chunks.len() > max.saturating_sub(counts.len()) {
                    return Err(Bad);
                }
                counts.extend(chunks.iter().map(|c| f64::from_le_bytes(*c)));
            }
            (15, LEN) => {
                timestamp_msg(m.bytes()?, h.created.get_or_insert_with(Timestamp::default))?
            }
            (16, LEN) => {
                room(&h.exemplars, max)?;
                let mut e = new_exemplar();
                exemplar_msg(m.bytes()?, &mut e, ctx)?;
                h.exemplars.push(e);
            }
            (number, wire) => other(&mut m, number, wire, 16)?,
        }
    }
    Ok(())
}

/// A classic bucket as every encoder writes it, the integer count then the bound and nothing
/// else; `None` for any other bucket message, which [`bucket_msg`] reads in full.
#[inline(always)]
fn plain_bucket<'b>(buf: &[u8]) -> Option<Bucket<'b>> {
    let [0x08, rest @ ..] = buf else {
        return None;
    };
    let mut m = Msg::new(rest);
    let count = m.varint().ok()?;
    let [0x11, bound @ ..] = m.buf else {
        return None;
    };
    Some(Bucket {
        upper_bound: f64::from_le_bytes(<[u8; 8]>::try_from(bound).ok()?),
        count: crate::Count::Int(count),
        exemplar: None,
    })
}

/// Reads the run of plain buckets (see [`plain_bucket`]) that follows a histogram's first
/// bucket, as encoders write them, each `0x1a`, a one-byte length and the bucket: no key
/// dispatch, one check of each length. Stops before anything else, including a bucket the
/// limits have no room for, and leaves it to [`histogram_msg`]'s general loop.
#[inline(always)]
fn plain_bucket_run<'b>(m: &mut Msg<'b>, buckets: &mut Vec<Bucket<'b>>, max: usize) {
    while let [0x1a, len @ 0..0x80, ref rest @ ..] = *m.buf {
        let Some((body, rest)) = rest.split_at_checked(usize::from(len)) else {
            return;
        };
        let Some(bucket) = plain_bucket(body) else {
            return;
        };
        if buckets.len() >= max {
            return;
        }
        buckets.push(bucket);
        m.buf = rest;
    }
}

fn bucket_msg<'b>(buf: &'b [u8], ctx: &Ctx<'_>) -> R<Bucket<'b>> {
    if let Some(bucket) = plain_bucket(buf) {
        return Ok(bucket);
    }
    let mut count = None;
    let mut count_float = None;
    let mut upper_bound = 0.0;
    let mut exemplar: Option<Box<Exemplar<'b>>> = None;
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, VARINT) => count = Some(m.varint()?),
            (2, I64) => upper_bound = m.double()?,
            (3, LEN) => {
                let e = exemplar.get_or_insert_with(|| Box::new(new_exemplar()));
                exemplar_msg(m.bytes()?, e, ctx)?;
            }
            (4, I64) => count_float = Some(m.double()?),
            (number, wire) => other(&mut m, number, wire, 4)?,
        }
    }
    Ok(Bucket {
        upper_bound,
        count: convert::count_from_proto(count, count_float).unwrap_or_default(),
        exemplar,
    })
}

fn span_msg(buf: &[u8]) -> R<BucketSpan> {
    let mut span = BucketSpan::default();
    let mut m = Msg::new(buf);
    while m.more() {
        match m.key()? {
            (1, VARINT) => span.offset = sint32(m.varint()?),
            #[expect(clippy::cast_possible_truncation, reason = "uint32 is the low 32 bits")]
            (2, VARINT) => span.length = m.varint()? as u32,
            (number, wire) => other(&mut m, number, wire, 2)?,
        }
    }
    Ok(span)
}

impl<'b> HistogramAcc<'b> {
    /// Each side gives deltas or counts, not both, as many as its spans cover.
    fn check_sides(&self) -> R<()> {
        for side in 0..2 {
            let (deltas, counts) = (self.deltas[side].len(), self.counts[side].len());
            if deltas > 0 && counts > 0 {
                return Err(Bad);
            }
            let covered = self.spans[side]
                .iter()
                .fold(0u64, |sum, s| sum.saturating_add(u64::from(s.length)));
            if u64::try_from(deltas.max(counts)).ok() != Some(covered) {
                return Err(Bad);
            }
        }
        Ok(())
    }

    /// The model's histogram. The careful path's conversion (`convert.rs`) builds one of these
    /// from prost's struct and calls this too, so both paths apply the same rules:
    ///
    /// - a count given both as integer and float keeps the float when it is > 0;
    /// - the histogram is native when it has a schema, a zero threshold or count, or spans;
    /// - a native side with no buckets is float counts for a float histogram, else deltas;
    /// - a side with both deltas and counts, and what [`convert::check_native`] refuses, are
    ///   errors.
    pub(crate) fn finish(self) -> std::result::Result<Histogram<'b>, ErrorKind> {
        let count = convert::count_from_proto(self.count, self.count_float);
        let is_native = self.schema.is_some()
            || self.zero_threshold.is_some()
            || self.zero_count.is_some()
            || self.zero_count_float.is_some()
            || !self.spans[0].is_empty()
            || !self.spans[1].is_empty();
        let native = if is_native {
            let zero_count = convert::count_from_proto(self.zero_count, self.zero_count_float)
                .unwrap_or_default();
            let is_float = matches!(count, Some(crate::Count::Float(_)))
                || matches!(zero_count, crate::Count::Float(_))
                || !self.counts[0].is_empty()
                || !self.counts[1].is_empty();
            let [neg_spans, pos_spans] = self.spans;
            let [neg_deltas, pos_deltas] = self.deltas;
            let [neg_counts, pos_counts] = self.counts;
            let side = |side, deltas: Vec<i64>, counts: Vec<f64>| match (
                deltas.is_empty(),
                counts.is_empty(),
            ) {
                (false, false) => Err(ErrorKind::MixedNativeBuckets { side }),
                (true, false) => Ok(NativeBuckets::Counts(counts)),
                (true, true) if is_float => Ok(NativeBuckets::Counts(counts)),
                _ => Ok(NativeBuckets::Deltas(deltas)),
            };
            let native = NativeHistogram {
                schema: self.schema.unwrap_or_default(),
                zero_threshold: self.zero_threshold.unwrap_or_default(),
                zero_count,
                negative_spans: neg_spans,
                negative: side("negative", neg_deltas, neg_counts)?,
                positive_spans: pos_spans,
                positive: side("positive", pos_deltas, pos_counts)?,
            };
            convert::check_native(&native, &self.buckets)?;
            Some(Box::new(native))
        } else {
            None
        };
        Ok(Histogram {
            count,
            sum: self.sum,
            buckets: self.buckets,
            created: self.created,
            native,
            exemplars: self.exemplars,
        })
    }
}

/// The fast path against the careful one, on frames generated from the schema (every field,
/// repeated, merged, unknown, with the wrong wire type) and on byte-level mutations of them,
/// under tight and loose limits: both must accept the same frames and build the same family.
#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so a failure names its seed.
    struct Rng(u64, bool);

    impl Rng {
        /// A deliberate fault, one time in `n`; never in a clean case.
        fn bad(&mut self, n: u64) -> bool {
            !self.1 && self.one_in(n)
        }
        fn string(&mut self) -> &'static [u8] {
            if self.1 {
                self.pick(&STRINGS[..8])
            } else {
                self.pick(STRINGS)
            }
        }
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn one_in(&mut self, n: u64) -> bool {
            self.below(n) == 0
        }
        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[usize::try_from(self.below(items.len() as u64)).unwrap()]
        }
    }

    #[derive(Clone, Copy, Debug)]
    enum Kind {
        Varint,
        Double,
        Str,
        PackedVarint,
        PackedDouble,
        Msg(Message),
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Message {
        Family,
        Metric,
        Label,
        Single,
        Counter,
        Summary,
        Quantile,
        Histogram,
        Bucket,
        Span,
        Exemplar,
        Timestamp,
    }

    fn schema(m: Message) -> &'static [(u32, Kind)] {
        use Kind::*;
        use Message as M;
        match m {
            M::Family => &[
                (1, Str),
                (2, Str),
                (3, Varint),
                (4, Msg(M::Metric)),
                (5, Str),
            ],
            M::Metric => &[
                (1, Msg(M::Label)),
                (2, Msg(M::Single)),
                (3, Msg(M::Counter)),
                (4, Msg(M::Summary)),
                (5, Msg(M::Single)),
                (6, Varint),
                (7, Msg(M::Histogram)),
            ],
            M::Label => &[(1, Str), (2, Str)],
            M::Single => &[(1, Double)],
            M::Counter => &[(1, Double), (2, Msg(M::Exemplar)), (3, Msg(M::Timestamp))],
            M::Summary => &[
                (1, Varint),
                (2, Double),
                (3, Msg(M::Quantile)),
                (4, Msg(M::Timestamp)),
            ],
            M::Quantile => &[(1, Double), (2, Double)],
            M::Histogram => &[
                (1, Varint),
                (2, Double),
                (3, Msg(M::Bucket)),
                (4, Double),
                (5, Varint),
                (6, Double),
                (7, Varint),
                (8, Double),
                (9, Msg(M::Span)),
                (10, PackedVarint),
                (11, PackedDouble),
                (12, Msg(M::Span)),
                (13, PackedVarint),
                (14, PackedDouble),
                (15, Msg(M::Timestamp)),
                (16, Msg(M::Exemplar)),
            ],
            M::Bucket => &[(1, Varint), (2, Double), (3, Msg(M::Exemplar)), (4, Double)],
            M::Span => &[(1, Varint), (2, Varint)],
            M::Exemplar => &[(1, Msg(M::Label)), (2, Double), (3, Msg(M::Timestamp))],
            M::Timestamp => &[(1, Varint), (2, Varint)],
        }
    }

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn key(out: &mut Vec<u8>, number: u32, wire: u8) {
        varint(out, (u64::from(number) << 3) | u64::from(wire));
    }

    fn len_field(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
        key(out, number, LEN);
        varint(out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }

    const STRINGS: &[&[u8]] = &[
        b"",
        b"a",
        b"up",
        b"le",
        b"quantile",
        b"http_requests_total",
        b"job",
        b"a:b",
        b"instance",
        b"1bad",
        b"my.metric",
        "\u{e9}t\u{e9}".as_bytes(),
        b"bad\xff",
        b"\xc3",
        b"a_very_long_label_value_with_many_bytes",
    ];

    fn small_varint(rng: &mut Rng) -> u64 {
        rng.pick(&[
            0,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            20,
            127,
            128,
            300,
            u64::from(u32::MAX),
            u64::MAX,
        ])
    }

    fn double(rng: &mut Rng) -> f64 {
        rng.pick(&[0.0, -0.0, 1.0, 2.5, -1.0, f64::NAN, f64::INFINITY, 1e300])
    }

    /// A message of type `m`; `depth` stops runaway nesting. A family's metrics carry the value
    /// field of its type most of the time (see [`metric`]).
    fn message(rng: &mut Rng, m: Message, depth: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let fields = schema(m);
        let count = match m {
            Message::Family => 2 + rng.below(6),
            Message::Label => 2,
            _ => rng.below(5),
        };
        let mut family_type = None;
        if m == Message::Family {
            // A name and a type first, most of the time, so that metrics can match.
            if !rng.bad(10) {
                len_field(&mut out, 1, rng.string());
                if rng.one_in(2) {
                    len_field(&mut out, 1, b"fam");
                }
            }
            if !rng.bad(10) {
                let t = if rng.bad(5) {
                    rng.pick(&[6, u64::MAX])
                } else {
                    rng.below(6)
                };
                key(&mut out, 3, VARINT);
                varint(&mut out, t);
                family_type = Some(t);
            }
        }
        for i in 0..count {
            if rng.one_in(12) {
                // An unknown field of a valid wire type, or a bad wire type.
                let number = 17 + u32::try_from(rng.below(5)).unwrap();
                match rng.below(6) {
                    0 => {
                        key(&mut out, number, VARINT);
                        varint(&mut out, small_varint(rng));
                    }
                    1 => {
                        key(&mut out, number, I64);
                        out.extend_from_slice(&[1; 8]);
                    }
                    2 => len_field(&mut out, number, b"xyz"),
                    3 => {
                        key(&mut out, number, 5);
                        out.extend_from_slice(&[1; 4]);
                    }
                    _ if rng.1 => len_field(&mut out, number, b""),
                    _ => key(&mut out, number, rng.pick(&[3, 4, 6, 7])),
                }
                continue;
            }
            let (number, kind) = if m == Message::Family {
                // Mostly metrics.
                if rng.one_in(4) {
                    rng.pick(fields)
                } else {
                    (4, Kind::Msg(Message::Metric))
                }
            } else if m == Message::Label {
                fields[usize::try_from(i).unwrap() % 2]
            } else {
                rng.pick(fields)
            };
            if rng.bad(25) {
                // A known field with the wrong wire type.
                let wire = rng.pick(&[VARINT, I64, LEN, 5]);
                key(&mut out, number, wire);
                match wire {
                    VARINT => varint(&mut out, 1),
                    I64 => out.extend_from_slice(&[0; 8]),
                    LEN => varint(&mut out, 0),
                    _ => out.extend_from_slice(&[0; 4]),
                }
                continue;
            }
            match kind {
                Kind::Varint => {
                    key(&mut out, number, VARINT);
                    varint(&mut out, small_varint(rng));
                }
                Kind::Double => {
                    key(&mut out, number, I64);
                    out.extend_from_slice(&double(rng).to_le_bytes());
                }
                Kind::Str => {
                    let s = rng.string();
                    len_field(&mut out, number, s);
                }
                Kind::PackedVarint => {
                    if rng.one_in(2) {
                        key(&mut out, number, VARINT);
                        varint(&mut out, small_varint(rng));
                    } else {
                        let mut packed = Vec::new();
                        for _ in 0..rng.below(4) {
                            varint(&mut packed, small_varint(rng));
                        }
                        len_field(&mut out, number, &packed);
                    }
                }
                Kind::PackedDouble => {
                    if rng.one_in(2) {
                        key(&mut out, number, I64);
                        out.extend_from_slice(&double(rng).to_le_bytes());
                    } else {
                        let mut packed = Vec::new();
                        for _ in 0..rng.below(4) {
                            packed.extend_from_slice(&double(rng).abs().to_le_bytes());
                        }
                        if rng.bad(8) {
                            packed.push(0);
                        }
                        len_field(&mut out, number, &packed);
                    }
                }
                Kind::Msg(Message::Metric) => {
                    let body = metric(rng, family_type, depth + 1);
                    len_field(&mut out, number, &body);
                }
                Kind::Msg(sub) => {
                    let body = if depth > 5 {
                        Vec::new()
                    } else {
                        message(rng, sub, depth + 1)
                    };
                    len_field(&mut out, number, &body);
                }
            }
        }
        out
    }

    /// A metric: labels, then usually the value field of the family's type.
    fn metric(rng: &mut Rng, family_type: Option<u64>, depth: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..rng.below(4) {
            let mut label = Vec::new();
            let name: &[u8] = if rng.bad(6) {
                rng.string()
            } else {
                rng.pick(&[&b"a"[..], &b"job"[..], &b"instance"[..], &b"le"[..]])
            };
            len_field(&mut label, 1, name);
            let value = rng.string();
            len_field(&mut label, 2, value);
            len_field(&mut out, 1, &label);
        }
        let value_field = match family_type.unwrap_or(0) {
            0 => 3,
            1 => 2,
            2 => 4,
            3 => 5,
            _ => 7,
        };
        if !rng.bad(8) {
            let sub = match value_field {
                3 => Message::Counter,
                4 => Message::Summary,
                7 => Message::Histogram,
                _ => Message::Single,
            };
            let body = if sub == Message::Histogram && rng.one_in(2) {
                native_histogram(rng)
            } else if sub == Message::Histogram && rng.one_in(2) {
                classic_histogram(rng)
            } else {
                message(rng, sub, depth + 1)
            };
            len_field(&mut out, value_field, &body);
        }
        if rng.one_in(3) {
            key(&mut out, 6, VARINT);
            varint(&mut out, small_varint(rng));
        }
        if rng.bad(3) {
            // More fields: a second value (merged or mismatched), labels, anything.
            out.extend(message(rng, Message::Metric, depth + 1));
        }
        out
    }

    /// A classic histogram as encoders write it: count, sum, buckets of count and bound.
    fn classic_histogram(rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        key(&mut out, 1, VARINT);
        varint(&mut out, small_varint(rng));
        key(&mut out, 2, I64);
        out.extend_from_slice(&double(rng).to_le_bytes());
        for _ in 0..rng.below(5) {
            let mut bucket = Vec::new();
            key(&mut bucket, 1, VARINT);
            varint(&mut bucket, small_varint(rng));
            key(&mut bucket, 2, I64);
            bucket.extend_from_slice(&double(rng).to_le_bytes());
            if rng.bad(4) {
                bucket.extend(message(rng, Message::Bucket, 3));
            }
            len_field(&mut out, 3, &bucket);
        }
        out
    }

    /// A native histogram whose spans usually match its buckets.
    fn native_histogram(rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        key(&mut out, 5, VARINT);
        varint(&mut out, rng.pick(&[0, 2, 16, 105, 200]));
        let n = rng.below(4);
        let mut span = Vec::new();
        key(&mut span, 1, VARINT);
        varint(&mut span, rng.below(4));
        key(&mut span, 2, VARINT);
        varint(&mut span, if rng.bad(6) { n + 1 } else { n });
        let span_field = rng.pick(&[9, 12]);
        len_field(&mut out, span_field, &span);
        let random_side = if rng.one_in(2) { 10 } else { 13 };
        let float = rng.one_in(3);
        let mut packed = Vec::new();
        for _ in 0..n {
            if float {
                packed.extend_from_slice(&double(rng).to_le_bytes());
            } else {
                varint(&mut packed, small_varint(rng) & 7);
            }
        }
        // Buckets on the spans' side (their deltas field follows the spans'), most of the time.
        let deltas = if rng.bad(5) {
            random_side
        } else {
            span_field + 1
        };
        len_field(&mut out, if float { deltas + 1 } else { deltas }, &packed);
        if rng.one_in(2) {
            key(&mut out, 1, VARINT);
            varint(&mut out, small_varint(rng));
        }
        out
    }

    fn limits(rng: &mut Rng) -> Limits {
        if !rng.bad(2) {
            return Limits::unlimited();
        }
        let mut l = Limits::unlimited();
        l.max_series = usize::try_from(rng.below(6)).unwrap();
        l.max_labels = usize::try_from(rng.below(4)).unwrap();
        l.max_buckets = usize::try_from(rng.below(4)).unwrap();
        l.max_name_len = usize::try_from(rng.below(12)).unwrap();
        l.max_label_value_len = usize::try_from(rng.below(12)).unwrap();
        l
    }

    fn compare(body: &[u8], limits: &Limits, utf8_names: bool, what: &str) -> bool {
        let mut ctx = Ctx {
            limits,
            utf8_names,
            series: 1,
        };
        let mut careful_ctx = ctx;
        let fast = family(body, &mut ctx);
        let at = super::super::delimited::FrameAt {
            start: 0,
            body: 0,
            end: body.len(),
        };
        let careful = super::super::careful_family(&mut careful_ctx, body, at);
        match (&fast, &careful) {
            (Ok(f), Ok(c)) => {
                assert_eq!(format!("{f:?}"), format!("{c:?}"), "{what}: {body:02x?}");
                assert_eq!(ctx.series, careful_ctx.series, "{what}: {body:02x?}");
                true
            }
            (Err(Bad), Err(_)) => false,
            _ => panic!(
                "{what}: fast {:?}, careful {:?}, limits {limits:?}, utf8 names {utf8_names}: {body:02x?}",
                fast.map(|_| ()),
                careful.map(|_| ())
            ),
        }
    }

    /// A label value whose length takes two bytes (0x85 0x01: 133) with one byte too few
    /// after it: the first length byte alone (0x85) equals what follows it, which the fast
    /// label path once took for a one-byte length and accepted.
    #[test]
    fn two_byte_label_value_length_is_not_read_as_one() {
        let mut label = vec![0x0a, 1, b'a', 0x12, 0x85, 0x01];
        label.extend([b'x'; 132]);
        let mut metric = Vec::new();
        len_field(&mut metric, 1, &label);
        len_field(
            &mut metric,
            2,
            &[[0x09].as_slice(), &1f64.to_le_bytes()].concat(),
        );
        let mut body = Vec::new();
        len_field(&mut body, 1, b"m");
        key(&mut body, 3, VARINT);
        varint(&mut body, 1);
        len_field(&mut body, 4, &metric);
        assert!(!compare(
            &body,
            &Limits::unlimited(),
            false,
            "two-byte length"
        ));
    }

    #[test]
    fn fast_and_careful_paths_agree() {
        let cases: u64 = if cfg!(debug_assertions) {
            6_000
        } else {
            60_000
        };
        let (mut accepted, mut mutated_accepted) = (0, 0);
        for seed in 1..=cases {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1, seed % 2 == 0);
            let body = message(&mut rng, Message::Family, 0);
            let limits = limits(&mut rng);
            let utf8_names = rng.bad(4);
            let what = format!("seed {seed}");
            accepted += u32::from(compare(&body, &limits, utf8_names, &what));
            // Mutations: a byte changed, a byte dropped, the frame cut short.
            for _ in 0..3 {
                let mut m = body.clone();
                if m.is_empty() {
                    break;
                }
                let at = usize::try_from(rng.below(m.len() as u64)).unwrap();
                match rng.below(3) {
                    0 => m[at] = rng.next() as u8,
                    1 => {
                        m.remove(at);
                    }
                    _ => m.truncate(at),
                }
                mutated_accepted += u32::from(compare(&m, &limits, utf8_names, &what));
            }
        }
        // The generator must reach both answers often, or the comparison says little.
        assert!(
            accepted > cases as u32 / 10,
            "accepted {accepted} of {cases}"
        );
        assert!(
            mutated_accepted > cases as u32 / 20,
            "mutated accepted {mutated_accepted}"
        );
        eprintln!("{accepted} of {cases} frames accepted, {mutated_accepted} mutations accepted");
    }
}

//! The pre-scan: one cheap pass over a `MetricFamily` frame before prost decodes any of it.
//!
//! prost decodes a whole message at once, so a message-size cap alone does not bound memory: an
//! empty `Metric` is 2 bytes on the wire, 576 as prost's struct and 288 in the model (x86-64),
//! an empty `Bucket` 2 bytes, 112 and 80. (The decoder hands prost one `Metric` at a time, so
//! what adds up is the model.) The scan walks every field of the frame with the schema in hand, allocating
//! nothing, and refuses the frame before prost sees it when:
//!
//! - the wire data is malformed: a bad varint, a field running past its message, a field number
//!   0, a group or undefined wire type (even in an unknown field), a known field with the wrong
//!   wire type, a packed `double` field whose length is not a multiple of 8;
//! - a string is not UTF-8 (reported at the first bad byte), or a name is not a valid metric or
//!   label name (as Go's `expfmt` decoder checks them);
//! - a count exceeds the [`Limits`]: series (over the whole stream), labels per series or per
//!   exemplar, name and label-value lengths, and [`Limits::max_buckets`] for classic buckets,
//!   each side's native spans and native bucket counts, quantiles and histogram exemplars;
//! - a native histogram's spans cover a different number of buckets than it gives deltas or
//!   counts (the span lengths are summed, never allocated: one span of length 2^32 - 1 costs
//!   nothing).
//!
//! Unknown fields of every wire type are skipped and never retained. The schema's nesting is
//! fixed (at most six messages deep), so the scan's stack depth is constant.
//!
//! Once the scan has passed, prost's decoding of each `Metric` cannot fail on the wire format; it
//! still runs its own checks (and its recursion limit) as a second line of defence.

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};

use super::delimited::{limit, Field, Fields, Payload};

/// What the scan learns about a family's own fields (the last occurrence of each wins).
#[derive(Debug, Default)]
pub(crate) struct FamilyInfo<'a> {
    /// The name and the offset of its field.
    pub(crate) name: Option<(&'a str, usize)>,
    pub(crate) help: Option<&'a str>,
    pub(crate) unit: Option<&'a str>,
    /// The raw `type` value and the offset of its field.
    pub(crate) metric_type: Option<(i64, usize)>,
    /// How many `Metric`s the frame holds.
    pub(crate) metrics: usize,
}

/// The state of a scan: the limits, and the series count that runs over the whole stream.
pub(crate) struct Scanner<'l> {
    pub(crate) limits: &'l Limits,
    pub(crate) utf8_names: bool,
    pub(crate) series: usize,
    /// Whether to check that the strings inside `Metric`s are UTF-8. prost checks them again
    /// when it decodes the metric (without saying where), so the decoder scans without this and
    /// rescans a metric with it only when prost refuses one, to find the offset.
    pub(crate) check_utf8: bool,
}

/// Counts within one `Metric`. Optional sub-messages that occur twice are merged by protobuf
/// rules, so counts of what they hold add up across occurrences.
#[derive(Debug, Default)]
struct MetricCounts {
    counter_exemplar_labels: usize,
    quantiles: usize,
    buckets: usize,
    exemplars: usize,
    /// Negative, then positive side.
    sides: [SideCounts; 2],
}

#[derive(Debug, Default)]
struct SideCounts {
    spans: usize,
    span_len: u64,
    deltas: usize,
    counts: usize,
}

const SIDES: [&str; 2] = ["negative", "positive"];

impl Scanner<'_> {
    /// Scans one `MetricFamily` message held in `buf`, which starts at absolute offset `base`.
    pub(crate) fn family<'a>(&mut self, buf: &'a [u8], base: usize) -> Result<FamilyInfo<'a>> {
        let mut info = FamilyInfo::default();
        let mut fields = Fields::new(buf, base, "MetricFamily");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    let name = string(&fields, &f)?;
                    self.check_len(name.len(), Limit::NameLength, self.limits.max_name_len, &f)?;
                    // Checked where it stands, so errors come in input order; an empty name is
                    // a MissingFamilyName once the frame is whole.
                    if !name.is_empty()
                        && !super::valid_name(name.as_bytes(), true, self.utf8_names)
                    {
                        return Err(invalid_name(name, "metric", f.offset));
                    }
                    info.name = Some((name, f.offset));
                }
                2 => info.help = Some(string(&fields, &f)?),
                3 => {
                    #[expect(
                        clippy::cast_possible_wrap,
                        reason = "an enum is an int32 on the wire; keep the sign of negative values"
                    )]
                    let v = varint(&fields, &f)? as i64;
                    info.metric_type = Some((v, f.offset));
                }
                4 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.series += 1;
                    if self.series > self.limits.max_series {
                        return Err(limit_at(Limit::Series, self.limits.max_series, f.offset));
                    }
                    info.metrics += 1;
                    self.metric(bytes, at, f.offset)?;
                }
                5 => info.unit = Some(string(&fields, &f)?),
                _ => {}
            }
        }
        Ok(info)
    }

    /// A `Metric` whose field key is at `offset`, where errors about the metric as a whole (its
    /// native buckets) are reported, as the conversion reports its own.
    pub(crate) fn metric(&self, buf: &[u8], base: usize, offset: usize) -> Result<()> {
        let mut counts = MetricCounts::default();
        let mut labels = 0;
        let mut fields = Fields::new(buf, base, "Metric");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    labels += 1;
                    self.check_count(labels, Limit::Labels, self.limits.max_labels, &f)?;
                    let (bytes, at) = len(&fields, &f)?;
                    self.label(bytes, at, true)?;
                }
                2 | 5 => {
                    let (bytes, at) = len(&fields, &f)?;
                    let name = if f.number == 2 { "Gauge" } else { "Untyped" };
                    self.single_double(bytes, at, name)?;
                }
                3 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.counter(bytes, at, &mut counts)?;
                }
                4 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.summary(bytes, at, &mut counts)?;
                }
                6 => {
                    varint(&fields, &f)?;
                }
                7 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.histogram(bytes, at, &mut counts)?;
                }
                _ => {}
            }
        }
        check_sides(&counts, offset)
    }

    fn label(&self, buf: &[u8], base: usize, metric_label: bool) -> Result<()> {
        // The last name: its bytes, the offset of its field and of its first byte.
        let mut name: (&[u8], usize, usize) = (&[], base, base);
        let mut fields = Fields::new(buf, base, "LabelPair");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    let s = self.label_string(&fields, &f)?;
                    self.check_len(s.len(), Limit::NameLength, self.limits.max_name_len, &f)?;
                    let (_, at) = len(&fields, &f)?;
                    name = (s, f.offset, at);
                }
                2 => {
                    let s = self.label_string(&fields, &f)?;
                    let max = self.limits.max_label_value_len;
                    self.check_len(s.len(), Limit::LabelValueLength, max, &f)?;
                }
                _ => {}
            }
        }
        if metric_label && !super::valid_name(name.0, false, self.utf8_names) {
            // Not UTF-8 at all is the more precise error, at the bad byte.
            return Err(match std::str::from_utf8(name.0) {
                Ok(shown) => invalid_name(shown, "label", name.1),
                Err(e) => Error::at_offset(ErrorKind::InvalidUtf8, name.2 + e.valid_up_to()),
            });
        }
        Ok(())
    }

    /// A label name or value: checked to be UTF-8 only when [`Scanner::check_utf8`] is set.
    fn label_string<'a>(&self, fields: &Fields<'_>, f: &Field<'a>) -> Result<&'a [u8]> {
        if self.check_utf8 {
            string(fields, f).map(str::as_bytes)
        } else {
            len(fields, f).map(|(bytes, _)| bytes)
        }
    }

    /// `Gauge` and `Untyped`: one `double value = 1`.
    fn single_double(&self, buf: &[u8], base: usize, message: &'static str) -> Result<()> {
        let mut fields = Fields::new(buf, base, message);
        while let Some(f) = fields.next_field()? {
            if f.number == 1 {
                fixed64(&fields, &f)?;
            }
        }
        Ok(())
    }

    fn counter(&self, buf: &[u8], base: usize, counts: &mut MetricCounts) -> Result<()> {
        let mut fields = Fields::new(buf, base, "Counter");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => fixed64(&fields, &f)?,
                2 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.exemplar(bytes, at, &mut counts.counter_exemplar_labels)?;
                }
                3 => timestamp(&fields, &f)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn summary(&self, buf: &[u8], base: usize, counts: &mut MetricCounts) -> Result<()> {
        let mut fields = Fields::new(buf, base, "Summary");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    varint(&fields, &f)?;
                }
                2 => fixed64(&fields, &f)?,
                3 => {
                    counts.quantiles += 1;
                    self.check_count(
                        counts.quantiles,
                        Limit::Buckets,
                        self.limits.max_buckets,
                        &f,
                    )?;
                    let (bytes, at) = len(&fields, &f)?;
                    let mut q = Fields::new(bytes, at, "Quantile");
                    while let Some(f) = q.next_field()? {
                        if f.number == 1 || f.number == 2 {
                            fixed64(&q, &f)?;
                        }
                    }
                }
                4 => timestamp(&fields, &f)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn histogram(&self, buf: &[u8], base: usize, counts: &mut MetricCounts) -> Result<()> {
        let max = self.limits.max_buckets;
        let mut fields = Fields::new(buf, base, "Histogram");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 | 5 | 7 => {
                    varint(&fields, &f)?;
                }
                2 | 4 | 6 | 8 => fixed64(&fields, &f)?,
                3 => {
                    counts.buckets += 1;
                    self.check_count(counts.buckets, Limit::Buckets, max, &f)?;
                    let (bytes, at) = len(&fields, &f)?;
                    self.bucket(bytes, at)?;
                }
                9 | 12 => {
                    let side = &mut counts.sides[usize::from(f.number == 12)];
                    side.spans += 1;
                    self.check_count(side.spans, Limit::Buckets, max, &f)?;
                    let (bytes, at) = len(&fields, &f)?;
                    side.span_len = side.span_len.saturating_add(span_length(bytes, at)?);
                }
                10 | 13 => {
                    let side = &mut counts.sides[usize::from(f.number == 13)];
                    side.deltas += match f.payload {
                        Payload::Varint(_) => 1,
                        Payload::Len(bytes, at) => packed_varints(bytes, at)?,
                        _ => return Err(fields.wrong_wire_type(&f)),
                    };
                    self.check_count(side.deltas, Limit::Buckets, max, &f)?;
                }
                11 | 14 => {
                    let side = &mut counts.sides[usize::from(f.number == 14)];
                    side.counts += match f.payload {
                        Payload::Fixed64 => 1,
                        Payload::Len(bytes, _) if bytes.len() % 8 == 0 => bytes.len() / 8,
                        Payload::Len(bytes, _) => {
                            return Err(Error::at_offset(
                                ErrorKind::InvalidPackedLength {
                                    message: fields.message(),
                                    field: f.number,
                                    len: bytes.len(),
                                },
                                f.offset,
                            ))
                        }
                        _ => return Err(fields.wrong_wire_type(&f)),
                    };
                    self.check_count(side.counts, Limit::Buckets, max, &f)?;
                }
                15 => timestamp(&fields, &f)?,
                16 => {
                    counts.exemplars += 1;
                    self.check_count(counts.exemplars, Limit::Buckets, max, &f)?;
                    let (bytes, at) = len(&fields, &f)?;
                    self.exemplar(bytes, at, &mut 0)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn bucket(&self, buf: &[u8], base: usize) -> Result<()> {
        let mut exemplar_labels = 0;
        let mut fields = Fields::new(buf, base, "Bucket");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    varint(&fields, &f)?;
                }
                2 | 4 => fixed64(&fields, &f)?,
                3 => {
                    let (bytes, at) = len(&fields, &f)?;
                    self.exemplar(bytes, at, &mut exemplar_labels)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// An exemplar; `labels` counts its labels, added up over merged occurrences.
    fn exemplar(&self, buf: &[u8], base: usize, labels: &mut usize) -> Result<()> {
        let mut fields = Fields::new(buf, base, "Exemplar");
        while let Some(f) = fields.next_field()? {
            match f.number {
                1 => {
                    *labels += 1;
                    self.check_count(*labels, Limit::Labels, self.limits.max_labels, &f)?;
                    let (bytes, at) = len(&fields, &f)?;
                    self.label(bytes, at, false)?;
                }
                2 => fixed64(&fields, &f)?,
                3 => timestamp(&fields, &f)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn check_len(&self, len: usize, which: Limit, max: usize, f: &Field<'_>) -> Result<()> {
        if len > max {
            return Err(limit_at(which, max, f.offset));
        }
        Ok(())
    }

    fn check_count(&self, count: usize, which: Limit, max: usize, f: &Field<'_>) -> Result<()> {
        if count > max {
            return Err(limit_at(which, max, f.offset));
        }
        Ok(())
    }
}

/// After a whole `Metric`: each native side gives either deltas or counts, as many as its spans
/// cover.
fn check_sides(counts: &MetricCounts, at: usize) -> Result<()> {
    for (side, name) in counts.sides.iter().zip(SIDES) {
        if side.deltas > 0 && side.counts > 0 {
            return Err(Error::at_offset(
                ErrorKind::MixedNativeBuckets { side: name },
                at,
            ));
        }
        let buckets = side.deltas.max(side.counts);
        if u64::try_from(buckets).ok() != Some(side.span_len) {
            return Err(Error::at_offset(
                ErrorKind::SpanMismatch {
                    side: name,
                    spans: side.span_len,
                    buckets,
                },
                at,
            ));
        }
    }
    Ok(())
}

/// A `BucketSpan`'s length (the last `length` field wins; prost and Go read a `uint32` from
/// the low 32 bits of the varint).
fn span_length(buf: &[u8], base: usize) -> Result<u64> {
    let mut length = 0;
    let mut fields = Fields::new(buf, base, "BucketSpan");
    while let Some(f) = fields.next_field()? {
        match f.number {
            1 => {
                varint(&fields, &f)?;
            }
            2 => length = varint(&fields, &f)? & u64::from(u32::MAX),
            _ => {}
        }
    }
    Ok(length)
}

/// How many varints a packed field holds; each must be well formed.
fn packed_varints(mut buf: &[u8], base: usize) -> Result<usize> {
    let mut n = 0;
    let mut pos = base;
    while !buf.is_empty() {
        match super::delimited::read_varint(buf) {
            super::delimited::Varint::Ok(_, used) => {
                buf = buf.get(used..).unwrap_or_default();
                pos += used;
                n += 1;
            }
            super::delimited::Varint::Truncated => {
                return Err(Error::at_offset(
                    ErrorKind::Truncated {
                        message: "Histogram",
                    },
                    pos,
                ))
            }
            super::delimited::Varint::Invalid => {
                return Err(Error::at_offset(ErrorKind::InvalidVarint, pos))
            }
        }
    }
    Ok(n)
}

fn timestamp(parent: &Fields<'_>, f: &Field<'_>) -> Result<()> {
    let (bytes, at) = len(parent, f)?;
    let mut fields = Fields::new(bytes, at, "Timestamp");
    while let Some(f) = fields.next_field()? {
        if f.number == 1 || f.number == 2 {
            varint(&fields, &f)?;
        }
    }
    Ok(())
}

fn varint(fields: &Fields<'_>, f: &Field<'_>) -> Result<u64> {
    match f.payload {
        Payload::Varint(v) => Ok(v),
        _ => Err(fields.wrong_wire_type(f)),
    }
}

fn fixed64(fields: &Fields<'_>, f: &Field<'_>) -> Result<()> {
    match f.payload {
        Payload::Fixed64 => Ok(()),
        _ => Err(fields.wrong_wire_type(f)),
    }
}

fn len<'a>(fields: &Fields<'_>, f: &Field<'a>) -> Result<(&'a [u8], usize)> {
    match f.payload {
        Payload::Len(bytes, at) => Ok((bytes, at)),
        _ => Err(fields.wrong_wire_type(f)),
    }
}

/// A string field, checked to be UTF-8; an error points at the first bad byte.
fn string<'a>(fields: &Fields<'_>, f: &Field<'a>) -> Result<&'a str> {
    let (bytes, at) = len(fields, f)?;
    std::str::from_utf8(bytes)
        .map_err(|e| Error::at_offset(ErrorKind::InvalidUtf8, at + e.valid_up_to()))
}

#[cold]
fn limit_at(which: Limit, max: usize, offset: usize) -> Error {
    Error::at_offset(limit(which, max), offset)
}

#[cold]
fn invalid_name(name: &str, what: &'static str, offset: usize) -> Error {
    Error::at_offset(
        ErrorKind::InvalidName {
            name: crate::error::Snippet::new(name),
            what,
        },
        offset,
    )
}

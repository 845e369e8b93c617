//! The model to and from prost's generated types.
//!
//! Decoding moves every `String` prost made into a `Cow::Owned`: no second copy. Encoding
//! borrows the model and copies its strings into the generated structs once.
//!
//! What is kept: every field with presence in proto2 that the model has an `Option` for (HELP,
//! unit, timestamps, created timestamps, exemplars, summary and histogram count and sum), every
//! repeated field in order, integer versus float counts. What is normalised, each written back
//! explicitly on encode (the model has a plain value where proto2 has an optional one):
//!
//! - a gauge, counter or untyped `value` that is absent decodes as `0.0`;
//! - an absent `type` decodes as `COUNTER` (proto2's default, as Go's `GetType()` reads it);
//! - absent label names and values, quantile ranks and values, bucket bounds, exemplar values,
//!   span offsets and lengths decode as zero or empty;
//! - a native histogram's absent `schema`, `zero_threshold` and `zero_count` decode as zero;
//! - a count given both as integer and float keeps the float when it is > 0 and the integer
//!   otherwise (the `*_float` fields "replace" the integer ones when > 0);
//! - a native side with no buckets decodes as deltas for an integer histogram and as float
//!   counts for a float one (a histogram whose count or zero count is a float, or whose other
//!   side has float counts).

use std::borrow::Cow;

use prost_types::Timestamp as PbTimestamp;

use crate::error::{ErrorKind, Snippet};
use crate::model::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricType,
    NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};

use super::generated as pb;

type Result<T> = std::result::Result<T, ErrorKind>;

// ----- decoding: generated -> model -----

/// The model's type for a raw `MetricFamily.type` value, `None` outside the enum.
pub(crate) fn metric_type_from_proto(value: i64) -> Option<MetricType> {
    Some(match value {
        0 => MetricType::Counter,
        1 => MetricType::Gauge,
        2 => MetricType::Summary,
        3 => MetricType::Untyped,
        4 => MetricType::Histogram,
        5 => MetricType::GaugeHistogram,
        _ => return None,
    })
}

/// A decoded `Metric` of a family called `family` of type `family_type`.
///
/// The metric must carry the value field of its family's type and no other: a gauge family's
/// metric with no `gauge`, or with a `counter` beside it, is an error (Go's decoder accepts both
/// and its text encoder then writes a zero or fails).
pub(crate) fn metric_from_proto(
    m: pb::Metric,
    family_type: MetricType,
    family: &str,
) -> Result<Metric<'static>> {
    let pb::Metric {
        label,
        gauge,
        counter,
        summary,
        untyped,
        histogram,
        timestamp_ms,
    } = m;
    let present = [
        (MetricType::Gauge, gauge.is_some()),
        (MetricType::Counter, counter.is_some()),
        (MetricType::Summary, summary.is_some()),
        (MetricType::Untyped, untyped.is_some()),
        (MetricType::Histogram, histogram.is_some()),
    ];
    // The protobuf value field that carries each type; the OpenMetrics-only types never come
    // out of a protobuf `type`, but the match stays total.
    let expected = match family_type {
        t if t.is_histogram() => MetricType::Histogram,
        MetricType::Info | MetricType::StateSet => MetricType::Gauge,
        MetricType::Unknown => MetricType::Untyped,
        t => t,
    };
    if let Some(&(found, _)) = present.iter().find(|&&(t, p)| p && t != expected) {
        return Err(ErrorKind::ValueTypeMismatch {
            family: Snippet::new(family),
            expected: family_type,
            found,
        });
    }
    let missing = || ErrorKind::MissingValue {
        family: Snippet::new(family),
        expected: family_type,
    };
    let value = match family_type {
        MetricType::Gauge | MetricType::Info | MetricType::StateSet => {
            Value::Gauge(gauge.ok_or_else(missing)?.value.unwrap_or_default())
        }
        MetricType::Untyped | MetricType::Unknown => {
            Value::Untyped(untyped.ok_or_else(missing)?.value.unwrap_or_default())
        }
        MetricType::Counter => Value::Counter(counter_from_proto(counter.ok_or_else(missing)?)),
        MetricType::Summary => {
            Value::Summary(Box::new(summary_from_proto(summary.ok_or_else(missing)?)))
        }
        MetricType::Histogram | MetricType::GaugeHistogram => Value::Histogram(Box::new(
            histogram_from_proto(histogram.ok_or_else(missing)?)?,
        )),
    };
    Ok(Metric {
        labels: labels_from_proto(label),
        value,
        timestamp_ms,
    })
}

fn labels_from_proto(labels: Vec<pb::LabelPair>) -> Vec<Label<'static>> {
    labels
        .into_iter()
        .map(|l| Label {
            name: Cow::Owned(l.name.unwrap_or_default()),
            value: Cow::Owned(l.value.unwrap_or_default()),
        })
        .collect()
}

fn timestamp_from_proto(t: PbTimestamp) -> Timestamp {
    Timestamp {
        seconds: t.seconds,
        nanos: t.nanos,
    }
}

fn exemplar_from_proto(e: pb::Exemplar) -> Exemplar<'static> {
    Exemplar {
        labels: labels_from_proto(e.label),
        value: e.value.unwrap_or_default(),
        timestamp: e.timestamp.map(timestamp_from_proto),
    }
}

fn counter_from_proto(c: pb::Counter) -> Counter<'static> {
    Counter {
        value: c.value.unwrap_or_default(),
        created: c.created_timestamp.map(timestamp_from_proto),
        exemplar: c.exemplar.map(|e| Box::new(exemplar_from_proto(e))),
    }
}

fn summary_from_proto(s: pb::Summary) -> Summary {
    Summary {
        count: s.sample_count,
        sum: s.sample_sum,
        quantiles: s
            .quantile
            .into_iter()
            .map(|q| Quantile {
                quantile: q.quantile.unwrap_or_default(),
                value: q.value.unwrap_or_default(),
            })
            .collect(),
        created: s.created_timestamp.map(timestamp_from_proto),
    }
}

/// An integer count and its float twin: the float when it is > 0 (the spec's "replaces"), else
/// the integer when present, else the float when present (so `Count::Float(0.0)` survives a
/// round trip).
pub(crate) fn count_from_proto(int: Option<u64>, float: Option<f64>) -> Option<Count> {
    match (int, float) {
        (_, Some(f)) if f > 0.0 => Some(Count::Float(f)),
        (Some(n), _) => Some(Count::Int(n)),
        (None, Some(f)) => Some(Count::Float(f)),
        (None, None) => None,
    }
}

fn span_from_proto(s: pb::BucketSpan) -> BucketSpan {
    BucketSpan {
        offset: s.offset.unwrap_or_default(),
        length: s.length.unwrap_or_default(),
    }
}

fn histogram_from_proto(h: pb::Histogram) -> Result<Histogram<'static>> {
    let buckets = h
        .bucket
        .into_iter()
        .map(|b| Bucket {
            upper_bound: b.upper_bound.unwrap_or_default(),
            count: count_from_proto(b.cumulative_count, b.cumulative_count_float)
                .unwrap_or_default(),
            exemplar: b.exemplar.map(|e| Box::new(exemplar_from_proto(e))),
        })
        .collect();
    let spans = |s: Vec<pb::BucketSpan>| s.into_iter().map(span_from_proto).collect();
    super::read::HistogramAcc {
        count: h.sample_count,
        count_float: h.sample_count_float,
        sum: h.sample_sum,
        buckets,
        created: h.created_timestamp.map(timestamp_from_proto),
        schema: h.schema,
        zero_threshold: h.zero_threshold,
        zero_count: h.zero_count,
        zero_count_float: h.zero_count_float,
        spans: [spans(h.negative_span), spans(h.positive_span)],
        deltas: [h.negative_delta, h.positive_delta],
        counts: [h.negative_count, h.positive_count],
        exemplars: h.exemplars.into_iter().map(exemplar_from_proto).collect(),
    }
    .finish()
}

/// The rules a native histogram must follow, on decode and on encode alike:
///
/// - the schema is in -4..=8, or -53 (custom buckets) with classic buckets whose upper bounds,
///   the only bounds this schema can carry, are increasing and not NaN;
/// - on each side the spans cover exactly as many buckets as there are deltas or counts;
/// - no bucket count is negative (deltas are summed with overflow checks).
pub(crate) fn check_native(n: &NativeHistogram, buckets: &[Bucket<'_>]) -> Result<()> {
    match n.schema {
        -4..=8 => {}
        -53 => {
            let increasing = buckets
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.upper_bound < b.upper_bound));
            if buckets.is_empty() || !increasing || buckets.iter().any(|b| b.upper_bound.is_nan()) {
                return Err(ErrorKind::InvalidCustomBounds);
            }
        }
        schema => return Err(ErrorKind::InvalidSchema { schema }),
    }
    check_side("negative", &n.negative_spans, &n.negative)?;
    check_side("positive", &n.positive_spans, &n.positive)
}

fn check_side(side: &'static str, spans: &[BucketSpan], buckets: &NativeBuckets) -> Result<()> {
    let covered: u64 = spans.iter().map(|s| u64::from(s.length)).sum();
    let given = match buckets {
        NativeBuckets::Deltas(d) => d.len(),
        NativeBuckets::Counts(c) => c.len(),
    };
    if u64::try_from(given).ok() != Some(covered) {
        return Err(ErrorKind::SpanMismatch {
            side,
            spans: covered,
            buckets: given,
        });
    }
    match buckets {
        NativeBuckets::Deltas(deltas) => {
            let mut count: i64 = 0;
            for (index, &d) in deltas.iter().enumerate() {
                count = match count.checked_add(d) {
                    Some(c) if c >= 0 => c,
                    _ => return Err(ErrorKind::NegativeBucketCount { side, index }),
                };
            }
        }
        NativeBuckets::Counts(counts) => {
            if let Some(index) = counts.iter().position(|&c| c < 0.0) {
                return Err(ErrorKind::NegativeBucketCount { side, index });
            }
        }
    }
    Ok(())
}

// ----- encoding: model -> generated (the reference for `write`, in tests) -----

#[cfg(test)]
pub(crate) use reference::family_to_proto;

/// The first encoder: model -> prost's generated messages. `super::write` writes the bytes
/// directly now; this stays as the reference its tests compare against.
#[cfg(test)]
mod reference {
    use super::*;
    use crate::model::MetricFamily;

    /// The generated `MetricFamily` for `f`, after the checks the decoder would make: a non-empty
    /// name, values that match the family type, native histograms that follow [`check_native`].
    pub(crate) fn family_to_proto(f: &MetricFamily<'_>) -> Result<pb::MetricFamily> {
        if f.name.is_empty() {
            return Err(ErrorKind::MissingFamilyName);
        }
        let metric = f
            .metrics
            .iter()
            .map(|m| metric_to_proto(m, f))
            .collect::<Result<Vec<_>>>()?;
        Ok(pb::MetricFamily {
            name: Some(f.name.to_string()),
            help: f.help.as_deref().map(str::to_owned),
            r#type: Some(metric_type_to_proto(f.metric_type)? as i32),
            metric,
            unit: f.unit.as_deref().map(str::to_owned),
        })
    }

    /// The protobuf `type` of a family. OpenMetrics' `unknown` is protobuf's `UNTYPED`; `info` and
    /// `stateset` have no protobuf type and are refused rather than silently turned into gauges.
    fn metric_type_to_proto(t: MetricType) -> Result<pb::MetricType> {
        Ok(match t {
            MetricType::Counter => pb::MetricType::Counter,
            MetricType::Gauge => pb::MetricType::Gauge,
            MetricType::Summary => pb::MetricType::Summary,
            MetricType::Untyped | MetricType::Unknown => pb::MetricType::Untyped,
            MetricType::Histogram => pb::MetricType::Histogram,
            MetricType::GaugeHistogram => pb::MetricType::GaugeHistogram,
            MetricType::Info | MetricType::StateSet => {
                return Err(ErrorKind::UnsupportedType {
                    format: "protobuf",
                    metric_type: t,
                })
            }
        })
    }

    fn metric_to_proto(m: &Metric<'_>, f: &MetricFamily<'_>) -> Result<pb::Metric> {
        if !m.value.fits(f.metric_type) {
            return Err(ErrorKind::ValueTypeMismatch {
                family: Snippet::new(&f.name),
                expected: f.metric_type,
                found: m.value.metric_type(),
            });
        }
        let mut out = pb::Metric {
            label: labels_to_proto(&m.labels),
            timestamp_ms: m.timestamp_ms,
            ..pb::Metric::default()
        };
        match &m.value {
            Value::Gauge(v) => out.gauge = Some(pb::Gauge { value: Some(*v) }),
            Value::Untyped(v) => out.untyped = Some(pb::Untyped { value: Some(*v) }),
            Value::Counter(c) => {
                out.counter = Some(pb::Counter {
                    value: Some(c.value),
                    exemplar: c.exemplar.as_deref().map(exemplar_to_proto),
                    created_timestamp: c.created.map(timestamp_to_proto),
                });
            }
            Value::Summary(s) => out.summary = Some(summary_to_proto(s)),
            Value::Histogram(h) => out.histogram = Some(histogram_to_proto(h)?),
        }
        Ok(out)
    }

    fn labels_to_proto(labels: &[Label<'_>]) -> Vec<pb::LabelPair> {
        labels
            .iter()
            .map(|l| pb::LabelPair {
                name: Some(l.name.to_string()),
                value: Some(l.value.to_string()),
            })
            .collect()
    }

    fn timestamp_to_proto(t: Timestamp) -> PbTimestamp {
        PbTimestamp {
            seconds: t.seconds,
            nanos: t.nanos,
        }
    }

    fn exemplar_to_proto(e: &Exemplar<'_>) -> pb::Exemplar {
        pb::Exemplar {
            label: labels_to_proto(&e.labels),
            value: Some(e.value),
            timestamp: e.timestamp.map(timestamp_to_proto),
        }
    }

    fn summary_to_proto(s: &Summary) -> pb::Summary {
        pb::Summary {
            sample_count: s.count,
            sample_sum: s.sum,
            quantile: s
                .quantiles
                .iter()
                .map(|q| pb::Quantile {
                    quantile: Some(q.quantile),
                    value: Some(q.value),
                })
                .collect(),
            created_timestamp: s.created.map(timestamp_to_proto),
        }
    }

    /// A count as its integer field or its float twin.
    fn count_to_proto(c: Count) -> (Option<u64>, Option<f64>) {
        match c {
            Count::Int(n) => (Some(n), None),
            Count::Float(f) => (None, Some(f)),
        }
    }

    fn span_to_proto(s: &BucketSpan) -> pb::BucketSpan {
        pb::BucketSpan {
            offset: Some(s.offset),
            length: Some(s.length),
        }
    }

    fn side_to_proto(b: &NativeBuckets) -> (Vec<i64>, Vec<f64>) {
        match b {
            NativeBuckets::Deltas(d) => (d.clone(), Vec::new()),
            NativeBuckets::Counts(c) => (Vec::new(), c.clone()),
        }
    }

    fn histogram_to_proto(h: &Histogram<'_>) -> Result<pb::Histogram> {
        let (sample_count, sample_count_float) = h.count.map(count_to_proto).unwrap_or_default();
        let mut out = pb::Histogram {
            sample_count,
            sample_count_float,
            sample_sum: h.sum,
            bucket: h
                .buckets
                .iter()
                .map(|b| {
                    let (cumulative_count, cumulative_count_float) = count_to_proto(b.count);
                    pb::Bucket {
                        cumulative_count,
                        cumulative_count_float,
                        upper_bound: Some(b.upper_bound),
                        exemplar: b.exemplar.as_deref().map(exemplar_to_proto),
                    }
                })
                .collect(),
            created_timestamp: h.created.map(timestamp_to_proto),
            exemplars: h.exemplars.iter().map(exemplar_to_proto).collect(),
            ..pb::Histogram::default()
        };
        if let Some(n) = &h.native {
            check_native(n, &h.buckets)?;
            let (zero_count, zero_count_float) = count_to_proto(n.zero_count);
            let (negative_delta, negative_count) = side_to_proto(&n.negative);
            let (positive_delta, positive_count) = side_to_proto(&n.positive);
            out.schema = Some(n.schema);
            out.zero_threshold = Some(n.zero_threshold);
            out.zero_count = zero_count;
            out.zero_count_float = zero_count_float;
            out.negative_span = n.negative_spans.iter().map(span_to_proto).collect();
            out.negative_delta = negative_delta;
            out.negative_count = negative_count;
            out.positive_span = n.positive_spans.iter().map(span_to_proto).collect();
            out.positive_delta = positive_delta;
            out.positive_count = positive_count;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_counts_replace_integer_ones_when_positive() {
        assert_eq!(
            count_from_proto(Some(3), Some(2.5)),
            Some(Count::Float(2.5))
        );
        assert_eq!(count_from_proto(Some(3), Some(0.0)), Some(Count::Int(3)));
        assert_eq!(count_from_proto(None, Some(0.0)), Some(Count::Float(0.0)));
        assert_eq!(count_from_proto(Some(0), None), Some(Count::Int(0)));
        assert_eq!(count_from_proto(None, None), None);
    }

    #[test]
    fn native_rules() {
        let mut n = NativeHistogram {
            positive_spans: vec![BucketSpan {
                offset: 0,
                length: 2,
            }],
            positive: NativeBuckets::Deltas(vec![2, -1]),
            ..NativeHistogram::default()
        };
        assert_eq!(check_native(&n, &[]).ok(), Some(()));
        n.positive = NativeBuckets::Deltas(vec![2, -3]);
        assert!(matches!(
            check_native(&n, &[]),
            Err(ErrorKind::NegativeBucketCount { index: 1, .. })
        ));
        n.positive = NativeBuckets::Deltas(vec![i64::MAX, 1]);
        assert!(matches!(
            check_native(&n, &[]),
            Err(ErrorKind::NegativeBucketCount { index: 1, .. })
        ));
        n.positive = NativeBuckets::Counts(vec![1.0]);
        assert!(matches!(
            check_native(&n, &[]),
            Err(ErrorKind::SpanMismatch {
                spans: 2,
                buckets: 1,
                ..
            })
        ));
        n.positive = NativeBuckets::Counts(vec![1.0, 0.5]);
        n.schema = 9;
        assert!(matches!(
            check_native(&n, &[]),
            Err(ErrorKind::InvalidSchema { schema: 9 })
        ));
        n.schema = -53;
        assert!(matches!(
            check_native(&n, &[]),
            Err(ErrorKind::InvalidCustomBounds)
        ));
        let bounds = [Bucket::new(1.0, 1), Bucket::new(2.0, 2)];
        assert_eq!(check_native(&n, &bounds).ok(), Some(()));
        let nan = [Bucket::new(f64::NAN, 1)];
        assert!(check_native(&n, &nan).is_err());
        let decreasing = [Bucket::new(2.0, 1), Bucket::new(1.0, 2)];
        assert!(check_native(&n, &decreasing).is_err());
    }
}

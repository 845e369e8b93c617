//! proptest strategies over the model.
//!
//! The name and label parts (`metric_name`, `label_name`, `label_value`, `labels`, `help`,
//! `sample_value`) suit every format; the value parts generate what each family type can hold,
//! including native histograms and exemplars (which only protobuf carries). Every generated
//! model is valid: names in Go's legacy charset (except from the `utf8_` strategies), values matching the family type, native
//! histograms whose spans cover their buckets and whose counts stay non-negative. Floats are
//! never NaN, so generated models compare equal to themselves.
#![allow(dead_code, reason = "each test crate uses a different part")]

use std::borrow::Cow;

use expfmt::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};
use proptest::prelude::*;

/// A metric name in Go's legacy charset, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn metric_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_:][a-zA-Z0-9_:]{0,20}"
}

/// A label name in Go's legacy charset, without the names the text format gives a meaning to
/// (`le`, `quantile`) and without the reserved `__` prefix.
pub fn label_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,15}".prop_filter("reserved label name", |n| {
        n != "le" && n != "quantile" && !n.starts_with("__")
    })
}

/// A metric name, sometimes outside the legacy charset (Prometheus 3 UTF-8 names): any
/// printable text, or one with the characters that need escaping when quoted. Not for the Go
/// 0.39 differential tests, which refuse such names.
pub fn utf8_metric_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => metric_name(),
        1 => "\\PC{1,12}",
        1 => prop::sample::select(vec![
            "my.metric".to_owned(),
            "0starts_with_digit".to_owned(),
            "q\"uo\\te\nnl".to_owned(),
            "ünï 🙂".to_owned(),
        ]),
    ]
}

/// A label name, sometimes outside the legacy label charset (`:` included); never empty,
/// `le`, `quantile` or `__`-prefixed.
pub fn utf8_label_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => label_name(),
        1 => "\\PC{1,10}",
        1 => prop::sample::select(vec!["a.b".to_owned(), "a:b".to_owned(), "x\"\n\\".to_owned()]),
    ]
    .prop_filter("reserved label name", |n| {
        n != "le" && n != "quantile" && !n.starts_with("__")
    })
}

/// A label set with distinct, possibly UTF-8, names.
pub fn utf8_labels(max: usize) -> impl Strategy<Value = Vec<Label<'static>>> {
    prop::collection::btree_map(utf8_label_name(), label_value(), 0..=max).prop_map(|m| {
        m.into_iter()
            .map(|(n, v)| Label::new(n, v))
            .collect::<Vec<_>>()
    })
}

/// A label value: any printable text, or one of the values that break careless encoders.
pub fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,12}",
        1 => prop::sample::select(vec![
            String::new(),
            "x\"} 1\nevil 1\n#".to_owned(),
            "\\".to_owned(),
            "a\\nb".to_owned(),
            "nul\0byte".to_owned(),
            "é€𝄞".to_owned(),
        ]),
    ]
}

/// HELP text, when present: printable text, or text with escapes and newlines.
pub fn help() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        3 => "\\PC{0,30}",
        1 => Just("a\nb\\c \"quoted\"".to_owned()),
    ])
}

/// A label set with distinct names, in generated order.
pub fn labels(max: usize) -> impl Strategy<Value = Vec<Label<'static>>> {
    prop::collection::btree_map(label_name(), label_value(), 0..=max).prop_map(|m| {
        m.into_iter()
            .map(|(n, v)| Label::new(n, v))
            .collect::<Vec<_>>()
    })
}

/// A sample value: any finite float, or one of the values with special spellings.
pub fn sample_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>().prop_filter("NaN", |v| !v.is_nan()),
        2 => (-1000i32..1000).prop_map(f64::from),
        1 => prop::sample::select(vec![
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e6,
            1e-7,
            f64::MIN_POSITIVE,
            f64::MAX,
        ]),
    ]
}

/// A non-negative float count.
fn float_count() -> impl Strategy<Value = f64> {
    prop_oneof![(0u32..1000).prop_map(f64::from), (0.0f64..1e9),]
}

/// A millisecond timestamp, when present.
pub fn timestamp_ms() -> impl Strategy<Value = Option<i64>> {
    prop::option::of(prop_oneof![any::<i64>(), 0i64..2_000_000_000_000])
}

/// A protobuf timestamp (normalised: nanos in 0..1e9).
pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    (any::<i64>(), 0i32..1_000_000_000).prop_map(|(seconds, nanos)| Timestamp { seconds, nanos })
}

/// An exemplar with a few labels, a value and maybe a timestamp.
pub fn exemplar() -> impl Strategy<Value = Exemplar<'static>> {
    (labels(2), sample_value(), prop::option::of(timestamp())).prop_map(
        |(labels, value, timestamp)| Exemplar {
            labels,
            value,
            timestamp,
        },
    )
}

fn counter() -> impl Strategy<Value = Value<'static>> {
    (
        sample_value(),
        prop::option::of(timestamp()),
        prop::option::of(exemplar()),
    )
        .prop_map(|(value, created, exemplar)| {
            Value::Counter(Counter {
                value,
                created,
                exemplar: exemplar.map(Box::new),
            })
        })
}

fn summary() -> impl Strategy<Value = Value<'static>> {
    (
        prop::option::of(any::<u64>()),
        prop::option::of(sample_value()),
        prop::collection::vec((0.0f64..=1.0, sample_value()), 0..4),
        prop::option::of(timestamp()),
    )
        .prop_map(|(count, sum, quantiles, created)| {
            Value::Summary(Box::new(Summary {
                count,
                sum,
                quantiles: quantiles
                    .into_iter()
                    .map(|(quantile, value)| Quantile { quantile, value })
                    .collect(),
                created,
            }))
        })
}

/// Spans and the bucket counts they cover: (spans, absolute counts).
fn spans_and_counts() -> impl Strategy<Value = (Vec<BucketSpan>, usize)> {
    prop::collection::vec((-5i32..5, 0u32..4), 0..3).prop_map(|spans| {
        let n = spans.iter().map(|&(_, l)| l as usize).sum();
        let spans = spans
            .into_iter()
            .map(|(offset, length)| BucketSpan { offset, length })
            .collect();
        (spans, n)
    })
}

/// One side of a native histogram: spans and matching deltas (integer) or counts (float).
fn native_side(float: bool) -> impl Strategy<Value = (Vec<BucketSpan>, NativeBuckets)> {
    spans_and_counts().prop_flat_map(move |(spans, n)| {
        if float {
            prop::collection::vec(float_count(), n)
                .prop_map(NativeBuckets::Counts)
                .prop_map({
                    let spans = spans.clone();
                    move |b| (spans.clone(), b)
                })
                .boxed()
        } else {
            prop::collection::vec(0i64..1000, n)
                .prop_map(|counts| {
                    let mut prev = 0;
                    NativeBuckets::Deltas(
                        counts
                            .into_iter()
                            .map(|c| {
                                let d = c - prev;
                                prev = c;
                                d
                            })
                            .collect(),
                    )
                })
                .prop_map({
                    let spans = spans.clone();
                    move |b| (spans.clone(), b)
                })
                .boxed()
        }
    })
}

fn count(float: bool) -> BoxedStrategy<Count> {
    if float {
        float_count().prop_map(Count::Float).boxed()
    } else {
        any::<u64>().prop_map(Count::Int).boxed()
    }
}

/// A native histogram part: exponential schema, or -53 when `custom_ok` (increasing bounds).
fn native(float: bool, custom_ok: bool) -> impl Strategy<Value = NativeHistogram> {
    let schema = if custom_ok {
        prop_oneof![4 => -4i32..=8, 1 => Just(-53)].boxed()
    } else {
        (-4i32..=8).boxed()
    };
    (
        schema,
        prop_oneof![Just(0.0), 0.0f64..1.0],
        count(float),
        native_side(float),
        native_side(float),
    )
        .prop_map(
            |(
                schema,
                zero_threshold,
                zero_count,
                (negative_spans, negative),
                (positive_spans, positive),
            )| {
                NativeHistogram {
                    schema,
                    zero_threshold,
                    zero_count,
                    negative_spans,
                    negative,
                    positive_spans,
                    positive,
                }
            },
        )
}

/// A histogram, classic and/or native, integer or float, with exemplars.
pub fn histogram() -> impl Strategy<Value = Value<'static>> {
    any::<bool>().prop_flat_map(|float| {
        (
            prop::option::of(count(float)),
            prop::option::of(sample_value()),
            prop::collection::btree_set(-1000i32..1000, 0..5),
            any::<bool>(),
            prop::collection::vec((count(float), prop::option::of(exemplar())), 5),
            prop::option::of(timestamp()),
            prop::collection::vec(exemplar(), 0..2),
        )
            .prop_flat_map(
                move |(count, sum, bounds, with_inf, bucket_parts, created, exemplars)| {
                    let mut buckets: Vec<Bucket<'static>> = bounds
                        .iter()
                        .zip(bucket_parts)
                        .map(|(&b, (count, exemplar))| Bucket {
                            upper_bound: f64::from(b) / 4.0,
                            count,
                            exemplar: exemplar.map(Box::new),
                        })
                        .collect();
                    if with_inf {
                        buckets.push(Bucket {
                            upper_bound: f64::INFINITY,
                            count: count.unwrap_or_default(),
                            exemplar: None,
                        });
                    }
                    let custom_ok = !buckets.is_empty();
                    prop::option::of(native(float, custom_ok)).prop_map(move |native| {
                        Value::Histogram(Box::new(Histogram {
                            count,
                            sum,
                            buckets: buckets.clone(),
                            created,
                            native: native.map(Box::new),
                            exemplars: exemplars.clone(),
                        }))
                    })
                },
            )
    })
}

/// A value of the given family type.
pub fn value(t: MetricType) -> BoxedStrategy<Value<'static>> {
    match t {
        MetricType::Counter => counter().boxed(),
        MetricType::Gauge => sample_value().prop_map(Value::Gauge).boxed(),
        MetricType::Untyped => sample_value().prop_map(Value::Untyped).boxed(),
        MetricType::Summary => summary().boxed(),
        _ => histogram().boxed(),
    }
}

/// Any family type the protobuf format has.
pub fn metric_type() -> impl Strategy<Value = MetricType> {
    prop::sample::select(vec![
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Summary,
        MetricType::Untyped,
        MetricType::Histogram,
        MetricType::GaugeHistogram,
    ])
}

/// A metric of a family of type `t`.
pub fn metric(t: MetricType) -> impl Strategy<Value = Metric<'static>> {
    metric_with(t, false)
}

/// A metric of a family of type `t`, its label names sometimes UTF-8 with `utf8`.
pub fn metric_with(t: MetricType, utf8: bool) -> impl Strategy<Value = Metric<'static>> {
    let labels = if utf8 {
        utf8_labels(4).boxed()
    } else {
        labels(4).boxed()
    };
    (labels, value(t), timestamp_ms()).prop_map(|(labels, value, timestamp_ms)| Metric {
        labels,
        value,
        timestamp_ms,
    })
}

/// A family of any protobuf type, with HELP, unit, and up to `max_metrics` metrics.
pub fn family(max_metrics: usize) -> impl Strategy<Value = MetricFamily<'static>> {
    family_with(max_metrics, false)
}

/// As [`family`], its names sometimes UTF-8 with `utf8`.
pub fn family_with(max_metrics: usize, utf8: bool) -> impl Strategy<Value = MetricFamily<'static>> {
    let name = if utf8 {
        utf8_metric_name().boxed()
    } else {
        metric_name().boxed()
    };
    (name, help(), prop::option::of("[a-z]{1,8}"), metric_type()).prop_flat_map(
        move |(name, help, unit, t)| {
            prop::collection::vec(metric_with(t, utf8), 0..=max_metrics).prop_map(move |metrics| {
                MetricFamily {
                    name: Cow::Owned(name.clone()),
                    help: help.clone().map(Cow::Owned),
                    unit: unit.clone().map(Cow::Owned),
                    metric_type: t,
                    metrics,
                }
            })
        },
    )
}

/// A few families, maybe none.
pub fn families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    prop::collection::vec(family(4), 0..4)
}

/// A few families whose names are sometimes UTF-8 (not for the Go 0.39 differential tests).
pub fn utf8_families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    prop::collection::vec(family_with(4, true), 0..4)
}

/// At least one family.
pub fn some_families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    prop::collection::vec(family(4), 1..4)
}

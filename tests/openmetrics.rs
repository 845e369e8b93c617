//! OpenMetrics integration tests: round trips through the model.
//!
//! - every valid case of the conformance suite is a parse -> encode -> parse fixed point;
//! - the same cases go OpenMetrics -> model -> text 0.0.4 -> model, for the types text 0.0.4
//!   carries, and come back equal up to what text 0.0.4 cannot hold;
//! - proptest: random valid models go model -> OpenMetrics -> model unchanged, and
//!   model -> OpenMetrics -> model -> text 0.0.4 -> model up to what text cannot hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::borrow::Cow;

use expfmt::{
    openmetrics, text, Bucket, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, Quantile, Summary, Timestamp, Value,
};
use proptest::prelude::*;

/// Compares through Debug, where NaN equals NaN.
fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// The valid text cases of the suite, or `None` when it is absent (the conformance test
/// reports that).
fn valid_cases() -> Option<Vec<(String, String)>> {
    let cases = common::conformance::cases()?;
    Some(
        cases
            .into_iter()
            .filter(|c| c.kind == "text" && c.should_parse)
            .map(|c| (c.name, String::from_utf8(c.input).unwrap()))
            .collect(),
    )
}

#[test]
fn suite_is_a_parse_encode_fixed_point() {
    let Some(cases) = valid_cases() else { return };
    assert!(cases.len() >= 40, "{} valid cases", cases.len());
    for (name, input) in &cases {
        let once = openmetrics::parse(input).unwrap();
        let text = openmetrics::encode(&once).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = openmetrics::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert!(same(&once, &again), "{name}:\n{text}");
        assert_eq!(openmetrics::encode(&again).unwrap(), text, "{name}");
    }
}

/// Whether text 0.0.4 carries a family: not info, stateset or gauge histogram, and not without
/// metrics (text has no such family).
fn text_carries(f: &MetricFamily<'_>) -> bool {
    !f.metrics.is_empty()
        && !matches!(
            f.metric_type,
            MetricType::Info | MetricType::StateSet | MetricType::GaugeHistogram
        )
}

/// A family as it comes back from text 0.0.4: no unit, created times or exemplars, `unknown`
/// called `untyped`, a summary's or histogram's missing sum and count written as zero, counts
/// through a float (as Go writes them), HELP without leading blanks.
fn as_text_keeps_it(mut f: MetricFamily<'static>) -> MetricFamily<'static> {
    f.unit = None;
    // Text 0.0.4 reads HELP from its first non-blank character; all blanks is no HELP.
    f.help = f
        .help
        .map(|h| h.trim_start_matches([' ', '\t']).to_owned())
        .filter(|h| !h.is_empty())
        .map(Cow::Owned);
    if f.metric_type == MetricType::Unknown {
        f.metric_type = MetricType::Untyped;
    }
    for m in &mut f.metrics {
        match &mut m.value {
            Value::Counter(c) => {
                c.created = None;
                c.exemplar = None;
            }
            Value::Untyped(_) | Value::Gauge(_) => {}
            Value::Summary(s) => {
                s.created = None;
                s.count = Some(through_float(s.count.unwrap_or(0)));
                s.sum.get_or_insert(0.0);
            }
            Value::Histogram(h) => {
                h.created = None;
                h.exemplars.clear();
                for b in &mut h.buckets {
                    b.exemplar = None;
                    b.count = Count::Int(through_float_count(b.count));
                }
                h.count = Some(Count::Int(through_float_count(
                    h.count.unwrap_or(Count::Int(0)),
                )));
                h.sum.get_or_insert(0.0);
            }
            _ => {}
        }
    }
    f
}

/// A count as text 0.0.4 carries it: written as a float, read back as Go's `uint64(f)`.
fn through_float(n: u64) -> u64 {
    expfmt::number::go_uint64(n as f64)
}

fn through_float_count(c: Count) -> u64 {
    expfmt::number::go_uint64(c.as_f64())
}

fn through_text(families: &[MetricFamily<'_>]) -> (Vec<MetricFamily<'static>>, String) {
    let carried: Vec<MetricFamily<'static>> = families
        .iter()
        .filter(|f| text_carries(f))
        .map(|f| f.clone().into_owned())
        .collect();
    let text = text::encode(&carried).unwrap_or_else(|e| panic!("{e}: {carried:?}"));
    let back = text::parse(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .into_iter()
        .map(MetricFamily::into_owned)
        .collect();
    (back, text)
}

#[test]
fn suite_converts_to_text_through_the_model() {
    let Some(cases) = valid_cases() else { return };
    let mut converted = 0;
    for (name, input) in &cases {
        let families = openmetrics::parse(input).unwrap();
        let (back, text) = through_text(&families);
        let want: Vec<_> = families
            .iter()
            .filter(|f| text_carries(f))
            .map(|f| as_text_keeps_it(f.clone().into_owned()))
            .collect();
        assert!(same(&back, &want), "{name}:\n{text}");
        converted += back.len();
    }
    assert!(converted >= 40, "{converted} families converted");
}

#[test]
fn text_converts_to_openmetrics_through_the_model() {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/node_exporter.prom"
    ))
    .unwrap();
    let families = text::parse(&page).unwrap();
    let om = openmetrics::encode(&families).unwrap();
    let back = openmetrics::parse(&om).unwrap_or_else(|e| panic!("{e}"));
    // Untyped becomes unknown, and so does a counter whose OpenMetrics name another family
    // has (the gauge go_memstats_alloc_bytes beside the counter go_memstats_alloc_bytes_total);
    // everything else comes back as it was.
    let names: Vec<String> = families.iter().map(|f| f.name.to_string()).collect();
    let want: Vec<_> = families
        .into_iter()
        .map(|mut f| {
            let clash = f.name.strip_suffix("_total").is_some_and(|base| {
                names
                    .iter()
                    .any(|n| n == base || *n == format!("{base}_created"))
            });
            if f.metric_type == MetricType::Counter && clash {
                f.metric_type = MetricType::Unknown;
                for m in &mut f.metrics {
                    if let Value::Counter(c) = &m.value {
                        m.value = Value::Untyped(c.value);
                    }
                }
            }
            if f.metric_type == MetricType::Untyped {
                f.metric_type = MetricType::Unknown;
            }
            f
        })
        .collect();
    assert!(
        want.iter()
            .any(|f| f.name == "go_memstats_alloc_bytes_total"
                && f.metric_type == MetricType::Unknown)
    );
    assert!(same(&back, &want), "{om}");
}

#[test]
fn write_matches_encode() {
    let Some(cases) = valid_cases() else { return };
    for (name, input) in &cases {
        let families = openmetrics::parse(input).unwrap();
        let mut out = Vec::new();
        openmetrics::write(&mut out, &families).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            openmetrics::encode(&families).unwrap(),
            "{name}"
        );
    }
}

// ----- random models -----

/// Label values, with everything that needs escaping.
fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,10}",
        Just(String::from("x\"} 1\n# EOF\n#")),
        Just(String::from("\\")),
        Just(String::from("\\z")),
        Just(String::from("a\0b")),
        Just(String::new()),
    ]
}

/// Up to three labels, none named `reserved`.
fn labels(reserved: &'static str) -> impl Strategy<Value = Vec<Label<'static>>> {
    proptest::collection::btree_map("[a-z][a-z0-9_]{0,6}", label_value(), 0..4).prop_map(move |m| {
        m.into_iter()
            .filter(|(k, _)| k != reserved)
            .map(|(k, v)| Label::new(k, v))
            .collect()
    })
}

/// Any float but negative zero (written `0.0`, as Go writes it).
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_map(|v| if v == 0.0 { 0.0 } else { v }),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        (-1000i64..1000).prop_map(|v| v as f64 / 8.0),
    ]
}

fn non_negative() -> impl Strategy<Value = f64> {
    float().prop_filter("non-negative", |v| *v >= 0.0)
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (any::<i64>(), 0i32..1_000_000_000).prop_map(|(seconds, nanos)| Timestamp { seconds, nanos })
}

fn exemplar() -> impl Strategy<Value = Exemplar<'static>> {
    (
        proptest::collection::btree_map("[a-z][a-z0-9_]{0,6}", "\\PC{0,12}", 0..4),
        float(),
        proptest::option::of(timestamp()),
    )
        .prop_map(|(labels, value, timestamp)| Exemplar {
            labels: labels.into_iter().map(|(k, v)| Label::new(k, v)).collect(),
            value,
            timestamp,
        })
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..1000, any::<u64>()]
}

fn value(t: MetricType) -> BoxedStrategy<Value<'static>> {
    match t {
        MetricType::Counter => (
            non_negative(),
            proptest::option::of(timestamp()),
            proptest::option::of(exemplar()),
        )
            .prop_map(|(value, created, exemplar)| {
                Value::Counter(Counter {
                    value,
                    created,
                    exemplar: exemplar.map(Box::new),
                })
            })
            .boxed(),
        MetricType::Gauge => float().prop_map(Value::Gauge).boxed(),
        MetricType::Unknown => float().prop_map(Value::Untyped).boxed(),
        MetricType::Info => Just(Value::Gauge(1.0)).boxed(),
        MetricType::Summary => (
            proptest::option::of(count()),
            proptest::option::of(non_negative()),
            proptest::collection::btree_map(0u32..=1000, non_negative(), 0..4),
            proptest::option::of(timestamp()),
        )
            .prop_map(|(count, sum, q, created)| {
                // A summary point needs a line: with no quantiles, a count.
                let count = if q.is_empty() && sum.is_none() {
                    count.or(Some(0))
                } else {
                    count
                };
                Value::Summary(Box::new(Summary {
                    count,
                    sum,
                    quantiles: q
                        .into_iter()
                        .map(|(q, value)| Quantile {
                            quantile: f64::from(q) / 1000.0,
                            value,
                        })
                        .collect(),
                    created,
                }))
            })
            .boxed(),
        _ => {
            let gauge = t == MetricType::GaugeHistogram;
            (
                proptest::collection::btree_map(-1000i32..1000, (0u64..100, any::<bool>()), 0..4),
                0u64..100,
                proptest::option::of(float()),
                proptest::option::of(timestamp()),
                proptest::option::of(exemplar()),
            )
                .prop_map(move |(bounds, extra, sum, created, exemplar)| {
                    // Cumulative counts over ascending bounds, then +Inf.
                    let mut total = 0;
                    let mut buckets: Vec<Bucket<'static>> = bounds
                        .into_iter()
                        .map(|(le, (n, with_exemplar))| {
                            total += n;
                            Bucket {
                                upper_bound: f64::from(le) / 4.0,
                                count: Count::Int(total),
                                exemplar: exemplar.clone().filter(|_| with_exemplar).map(Box::new),
                            }
                        })
                        .collect();
                    buckets.push(Bucket {
                        upper_bound: f64::INFINITY,
                        count: Count::Int(total + extra),
                        exemplar: None,
                    });
                    let negative = buckets[0].upper_bound < 0.0;
                    // The sum rules: none with negative buckets (histogram), a negative one
                    // only with them (gauge histogram), never NaN.
                    let sum = sum.filter(|s| {
                        !s.is_nan()
                            && if gauge {
                                *s >= 0.0 || negative
                            } else {
                                *s >= 0.0 && !negative
                            }
                    });
                    Value::Histogram(Box::new(Histogram {
                        count: sum.map(|_| Count::Int(total + extra)),
                        sum,
                        buckets,
                        created: created.filter(|_| !gauge),
                        ..Histogram::default()
                    }))
                })
                .boxed()
        }
    }
}

fn metric_type() -> impl Strategy<Value = MetricType> {
    prop_oneof![
        Just(MetricType::Counter),
        Just(MetricType::Gauge),
        Just(MetricType::Summary),
        Just(MetricType::Histogram),
        Just(MetricType::GaugeHistogram),
        Just(MetricType::Info),
        Just(MetricType::StateSet),
        Just(MetricType::Unknown),
    ]
}

/// A valid family number `i` (names are unique by their prefix, and have no `_` after it, so
/// no family's sample names meet another's).
fn family(i: usize) -> impl Strategy<Value = MetricFamily<'static>> {
    let help = proptest::option::of("\\PC{1,16}");
    let unit = proptest::option::of("[a-z]{1,6}");
    (metric_type(), "[a-zA-Z:]{0,6}", help, unit).prop_flat_map(move |(t, base, help, unit)| {
        let unit = unit.filter(|_| !matches!(t, MetricType::Info | MetricType::StateSet));
        let mut name = format!("f{i}{base}");
        if t == MetricType::StateSet {
            // Its state label is named like the family, and label names have no ':'.
            name = name.replace(':', "_");
        }
        if let Some(u) = &unit {
            name = format!("{name}_{u}");
        }
        let state_label = name.clone();
        let reserved = match t {
            MetricType::Summary => "quantile",
            MetricType::StateSet => "_none",
            _ => "le",
        };
        let metric = (
            labels(reserved),
            value(t),
            proptest::option::of(any::<i64>()),
        )
            .prop_map(|(labels, value, timestamp_ms)| Metric {
                labels,
                value,
                timestamp_ms,
            });
        let states = proptest::collection::btree_map("\\PC{0,6}", any::<bool>(), 1..4);
        (
            proptest::collection::vec(metric, 0..4),
            states,
            labels("_none"),
        )
            .prop_map(move |(mut metrics, states, common)| {
                // One metric per label set, so no series is split.
                let mut seen = Vec::new();
                metrics.retain(|m| {
                    let mut key = m.labels.clone();
                    key.sort();
                    let new = !seen.contains(&key);
                    seen.push(key);
                    new
                });
                if t == MetricType::StateSet {
                    // One series: the common labels, one metric per state.
                    let common: Vec<Label<'static>> = common
                        .into_iter()
                        .filter(|l| l.name != state_label)
                        .collect();
                    metrics = states
                        .into_iter()
                        .map(|(state, on)| {
                            let mut labels = common.clone();
                            labels.push(Label::new(state_label.clone(), state));
                            Metric::new(labels, Value::Gauge(if on { 1.0 } else { 0.0 }))
                        })
                        .collect();
                }
                let model_name = match t {
                    MetricType::Counter => format!("{name}_total"),
                    MetricType::Info => format!("{name}_info"),
                    _ => name.clone(),
                };
                MetricFamily {
                    name: Cow::Owned(model_name),
                    help: help.clone().map(Cow::Owned),
                    unit: unit.clone().map(Cow::Owned),
                    metric_type: t,
                    metrics,
                }
            })
    })
}

fn families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    (0usize..5).prop_flat_map(|n| (0..n).map(family).collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
    ))]

    /// Random valid model -> OpenMetrics -> model gives the model back (NaN as NaN).
    #[test]
    fn model_openmetrics_model(fs in families()) {
        let om = openmetrics::encode(&fs).unwrap();
        let back = openmetrics::parse(&om).unwrap_or_else(|e| panic!("{e}\n{om}"));
        prop_assert!(same(&back, &fs), "{}\n{:?}\n{:?}", om, back, fs);
    }

    /// Random valid model -> OpenMetrics -> model -> text 0.0.4 -> model keeps what text can.
    #[test]
    fn model_openmetrics_text_model(fs in families()) {
        let om = openmetrics::encode(&fs).unwrap();
        let parsed = openmetrics::parse(&om).unwrap_or_else(|e| panic!("{e}\n{om}"));
        // Text 0.0.4 merges metrics with equal labels in summaries and histograms, and cannot
        // tell a family `x_sum` from the sum of a summary `x`: the generator avoids both.
        let (back, text) = through_text(&parsed);
        let want: Vec<_> = parsed
            .into_iter()
            .filter(|f| text_carries(f))
            .map(|f| as_text_keeps_it(f.into_owned()))
            .collect();
        prop_assert!(same(&back, &want), "{}\n{:?}\n{:?}", text, back, want);
    }
}

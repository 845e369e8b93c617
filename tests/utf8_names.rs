//! Prometheus 3 UTF-8 names: the quoted syntax in the text parsers and encoders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use expfmt::{text, ErrorKind, Label, Limits, Metric, MetricFamily, MetricType, Value};
use proptest::prelude::*;

fn utf8(input: &str) -> expfmt::Result<Vec<MetricFamily<'_>>> {
    text::parse_utf8(input, &Limits::unlimited())
}

/// Kind text, line and column of the error `input` gives in UTF-8 mode.
fn err(input: &str) -> (String, Option<usize>, Option<usize>) {
    let e = utf8(input).unwrap_err();
    (e.kind().to_string(), e.line(), e.column())
}

#[test]
fn text_reads_quoted_metric_and_label_names() {
    let input = concat!(
        "# HELP \"my.metric\" Dotted.\n",
        "# TYPE \"my.metric\" counter\n",
        "{\"my.metric\", \"label.name\"=\"v\", plain=\"x\"} 1\n",
        "{plain=\"y\",\"my.metric\"} 2\n",
    );
    let fams = utf8(input).unwrap();
    assert_eq!(fams.len(), 1);
    let f = &fams[0];
    assert_eq!(
        (f.name.as_ref(), f.metric_type, f.help.as_deref()),
        ("my.metric", MetricType::Counter, Some("Dotted."))
    );
    assert_eq!(f.metrics.len(), 2);
    assert_eq!(f.metrics[0].label("label.name"), Some("v"));
    assert_eq!(f.metrics[0].label("plain"), Some("x"));
    assert_eq!(f.metrics[1].label("plain"), Some("y"));
    // Legacy names borrow, as before.
    let fams = utf8("up{job=\"a\"} 1\n").unwrap();
    assert!(matches!(fams[0].name, std::borrow::Cow::Borrowed(_)));
    assert!(matches!(
        fams[0].metrics[0].labels[0].name,
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn escapes_in_quoted_names_are_decoded() {
    let input = "# TYPE \"a\\\"b\\\\c\\nd\" gauge\n{\"a\\\"b\\\\c\\nd\",\"x\\ny\"=\"1\"} 5\n";
    let fams = utf8(input).unwrap();
    assert_eq!(fams.len(), 1, "{fams:?}");
    assert_eq!(fams[0].name, "a\"b\\c\nd");
    assert_eq!(fams[0].metric_type, MetricType::Gauge);
    assert_eq!(fams[0].metrics[0].label("x\ny"), Some("1"));
    // A quoted name that needs no quotes is the same name as the bare one.
    let fams = utf8("# TYPE m gauge\n{\"m\",\"le\"=\"1\"} 1\nm{le=\"2\"} 2\n").unwrap();
    assert_eq!(fams.len(), 1);
    assert_eq!(fams[0].metrics.len(), 2);
    assert_eq!(
        err("{\"m\",a=\"1\",\"a\"=\"2\"} 1\n"),
        ("duplicate label name \"a\"".into(), Some(1), Some(13))
    );
}

#[test]
fn suffixes_inside_the_quotes_join_their_family() {
    let input = concat!(
        "# TYPE \"my.hist\" histogram\n",
        "{\"my.hist_bucket\",le=\"1\"} 1\n",
        "{\"my.hist_bucket\",le=\"+Inf\"} 2\n",
        "{\"my.hist_sum\"} 3.5\n",
        "{\"my.hist_count\"} 2\n",
    );
    let fams = utf8(input).unwrap();
    assert_eq!(fams.len(), 1);
    let Value::Histogram(h) = &fams[0].metrics[0].value else {
        panic!("{fams:?}")
    };
    assert_eq!((h.buckets.len(), h.sum), (2, Some(3.5)));
    // Go's newer MetricFamilyToText: the same text back.
    assert_eq!(text::encode(&fams).unwrap(), input);
}

#[test]
fn errors_have_line_and_column() {
    assert_eq!(
        err("a 1\n{\"my.metric 1\n"),
        (
            "quoted name is not closed on its line".into(),
            Some(2),
            Some(2)
        )
    );
    assert_eq!(
        err("{\"a\",\"b\"} 1\n"),
        ("second metric name in one sample".into(), Some(1), Some(6))
    );
    assert_eq!(
        err("a{\"b\"} 1\n"),
        ("second metric name in one sample".into(), Some(1), Some(3))
    );
    assert_eq!(
        err("{\"a\\q\"} 1\n"),
        (
            "invalid escape sequence '\\q' in quoted name".into(),
            Some(1),
            Some(4)
        )
    );
    assert_eq!(
        err("# TYPE \"a counter\n"),
        (
            "quoted name is not closed on its line".into(),
            Some(1),
            Some(8)
        )
    );
    assert_eq!(
        err("{x=\"1\"} 1\n"),
        ("invalid metric name".into(), Some(1), Some(1))
    );
    // Without the option, the classic errors (Go 0.39 refuses the syntax).
    let e = text::parse("{\"a\"} 1\n").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidMetricName), "{e}");
}

fn family(name: &str, labels: &[(&str, &str)], t: MetricType) -> MetricFamily<'static> {
    let labels = labels
        .iter()
        .map(|&(n, v)| Label::new(n.to_owned(), v.to_owned()))
        .collect();
    MetricFamily::new(name.to_owned(), t).with_metric(Metric::new(labels, Value::empty(t)))
}

#[test]
fn text_encoder_quotes_only_what_needs_it() {
    let f = family("ok_name", &[("a", "1")], MetricType::Gauge);
    assert_eq!(
        text::encode(&[f]).unwrap(),
        "# TYPE ok_name gauge\nok_name{a=\"1\"} 0\n"
    );
    let mut f = family(
        "my.metric",
        &[("a.b", "1"), ("c", "2")],
        MetricType::Counter,
    );
    f.help = Some("x".into());
    assert_eq!(
        text::encode(&[f]).unwrap(),
        "# HELP \"my.metric\" x\n# TYPE \"my.metric\" counter\n{\"my.metric\",\"a.b\"=\"1\",c=\"2\"} 0\n"
    );
    let f = family("my.metric", &[], MetricType::Gauge);
    assert_eq!(
        text::encode(&[f]).unwrap(),
        "# TYPE \"my.metric\" gauge\n{\"my.metric\"} 0\n"
    );
    // A legacy metric name with a label name that is not a legacy label name (`:` is
    // allowed in metric names only).
    let f = family("m", &[("a:b", "1")], MetricType::Gauge);
    assert_eq!(
        text::encode(&[f]).unwrap(),
        "# TYPE m gauge\nm{\"a:b\"=\"1\"} 0\n"
    );
    let f = family("q\"\\\n", &[], MetricType::Summary);
    assert_eq!(
        text::encode(&[f]).unwrap(),
        "# TYPE \"q\\\"\\\\\\n\" summary\n{\"q\\\"\\\\\\n_sum\"} 0\n{\"q\\\"\\\\\\n_count\"} 0\n"
    );
    // Still refused: what no parser reads back.
    for (name, label) in [("m", ""), ("m", "__name__")] {
        let f = family(name, &[(label, "1")], MetricType::Gauge);
        let e = text::encode(&[f]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidName { .. }), "{e}");
    }
}

#[test]
fn text_round_trips_utf8_names() {
    let mut f = family(
        "ünïcödé 🙂",
        &[("lé", "1"), ("a\"b", "2"), ("9", "3")],
        MetricType::Histogram,
    );
    f.help = Some("h".into());
    let once = text::encode(std::slice::from_ref(&f)).unwrap();
    let back = utf8(&once).unwrap();
    assert_eq!(back.len(), 1, "{once}");
    assert_eq!(back[0].name, f.name);
    assert_eq!(back[0].metrics[0].labels, f.metrics[0].labels);
    assert_eq!(text::encode(&back).unwrap(), once);
}

fn om_utf8(input: &str) -> expfmt::Result<Vec<MetricFamily<'_>>> {
    expfmt::openmetrics::parse_utf8(input, &Limits::unlimited())
}

#[test]
fn openmetrics_reads_and_writes_quoted_names() {
    let input = concat!(
        "# TYPE \"my.c_seconds\" counter\n",
        "# UNIT \"my.c_seconds\" seconds\n",
        "# HELP \"my.c_seconds\" Help.\n",
        "{\"my.c_seconds_total\",\"a.b\"=\"x\"} 1 # {\"trace.id\"=\"abc\"} 1\n",
        "{\"my.c_seconds_created\",\"a.b\"=\"x\"} 12\n",
        "# TYPE \"my.hist\" histogram\n",
        "{\"my.hist_bucket\",le=\"+Inf\"} 2\n",
        "{\"my.hist_count\"} 2\n",
        "{\"my.hist_sum\"} 3\n",
        "# EOF\n",
    );
    assert!(expfmt::openmetrics::parse(input).is_err());
    let fams = om_utf8(input).unwrap();
    assert_eq!(fams.len(), 2);
    assert_eq!(fams[0].name, "my.c_seconds_total");
    assert_eq!(fams[0].unit.as_deref(), Some("seconds"));
    assert_eq!(fams[0].metrics[0].label("a.b"), Some("x"));
    let Value::Counter(c) = &fams[0].metrics[0].value else {
        panic!("{fams:?}")
    };
    let e = c.exemplar.as_ref().unwrap();
    assert_eq!(e.labels[0].name, "trace.id");
    assert_eq!(fams[1].name, "my.hist");
    // Our encoder writes what it read, in Go's newer layout; help goes first there.
    let out = expfmt::openmetrics::encode(&fams).unwrap();
    assert_eq!(om_utf8(&out).unwrap(), fams);
    assert!(
        out.starts_with("# HELP \"my.c_seconds\" Help.\n# TYPE \"my.c_seconds\" counter\n# UNIT \"my.c_seconds\" seconds\n{\"my.c_seconds_total\",\"a.b\"=\"x\"} 1.0 # {\"trace.id\"=\"abc\"} 1.0\n"),
        "{out}"
    );
}

#[test]
fn openmetrics_quoted_name_errors() {
    let err = |input: &str| {
        let e = om_utf8(input).unwrap_err();
        (e.kind().to_string(), e.line(), e.column())
    };
    assert_eq!(
        err("a 1\n{\"my.metric 1\n# EOF\n"),
        (
            "quoted name is not closed on its line".into(),
            Some(2),
            Some(2)
        )
    );
    assert_eq!(
        err("{\"a\",\"b\"} 1\n# EOF\n"),
        ("second metric name in one sample".into(), Some(1), Some(6))
    );
    assert_eq!(
        err("a{\"b\"} 1\n# EOF\n"),
        ("second metric name in one sample".into(), Some(1), Some(3))
    );
    assert_eq!(
        err("{\"a\\z\"} 1\n# EOF\n"),
        (
            "invalid escape sequence '\\z' in quoted name".into(),
            Some(1),
            Some(4)
        )
    );
    // An exemplar names no metric.
    let (kind, line, _) = err("{\"c_total\"} 1 # {\"x\"} 1\n# EOF\n");
    assert_eq!(
        (kind.starts_with("expected"), line),
        (true, Some(1)),
        "{kind}"
    );
    assert_eq!(
        err("# TYPE \"\" gauge\n# EOF\n"),
        ("invalid metric name in comment".into(), Some(1), Some(8))
    );
}

#[test]
fn formats_agree_on_utf8_names() {
    // text -> model -> OpenMetrics -> model -> protobuf -> model -> text.
    let text_in = concat!(
        "# HELP \"ü.gauge\" G.\n",
        "# TYPE \"ü.gauge\" gauge\n",
        "{\"ü.gauge\",\"lé\"=\"1\",\"a\\\"q\"=\"2\"} 1.5\n",
        "# TYPE \"s.sum\" summary\n",
        "{\"s.sum\",quantile=\"0.5\"} 1\n",
        "{\"s.sum_sum\"} 2\n",
        "{\"s.sum_count\"} 3\n",
    );
    let fams = utf8(text_in).unwrap();
    let om = expfmt::openmetrics::encode(&fams).unwrap();
    let from_om = om_utf8(&om).unwrap();
    let pb = expfmt::proto::encode(&from_om).unwrap();
    let from_pb: Vec<_> = expfmt::proto::Decoder::new(&pb[..])
        .allow_utf8_names(true)
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(expfmt::proto::decode(&pb).is_err());
    assert_eq!(from_pb, fams);
    assert_eq!(text::encode(&from_pb).unwrap(), text_in);
}

/// Gauge families with distinct names, UTF-8 sometimes, and names that no suffix rule of
/// either text format reads as another family's part.
fn gauge_families() -> impl Strategy<Value = Vec<MetricFamily<'static>>> {
    let metric = (
        common::strategies::utf8_labels(3),
        -1e6f64..1e6,
        proptest::option::of(0i64..2_000_000_000_000),
    );
    let family = (
        // Text cannot tell an empty HELP from none, nor keep leading blanks.
        proptest::option::of("[^ \t]\\PC{0,16}"),
        prop::collection::vec(metric, 1..3),
    );
    prop::collection::btree_map(common::strategies::utf8_metric_name(), family, 0..4).prop_map(
        |m: BTreeMap<String, _>| {
            m.into_iter()
                .filter(|(name, _)| {
                    [
                        "_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount",
                        "_gsum",
                    ]
                    .iter()
                    .all(|s| !name.ends_with(s))
                })
                .map(|(name, (help, metrics))| {
                    let mut f = MetricFamily::new(name, MetricType::Gauge);
                    f.help = help.map(Into::into);
                    // One metric per label set.
                    let mut seen = Vec::new();
                    for (labels, v, ts) in metrics {
                        let mut key: Vec<Label<'static>> = labels.clone();
                        key.sort();
                        if !seen.contains(&key) {
                            seen.push(key);
                            let mut m = Metric::new(labels, Value::Gauge(v));
                            m.timestamp_ms = ts;
                            f.metrics.push(m);
                        }
                    }
                    f
                })
                .collect()
        },
    )
}

proptest! {
    /// model -> text -> model -> OpenMetrics -> model -> protobuf -> model, with UTF-8 names.
    #[test]
    fn utf8_names_survive_every_format(fs in gauge_families()) {
        let txt = text::encode(&fs).unwrap();
        let from_text = utf8(&txt).unwrap_or_else(|e| panic!("{e}\n{txt}"));
        prop_assert_eq!(&from_text, &fs, "{}", txt);
        prop_assert_eq!(text::encode(&from_text).unwrap(), txt);
        let om = expfmt::openmetrics::encode(&fs).unwrap();
        let from_om = om_utf8(&om).unwrap_or_else(|e| panic!("{e}\n{om}"));
        prop_assert_eq!(&from_om, &fs, "{}", om);
        let pb = expfmt::proto::encode(&from_om).unwrap();
        let from_pb: Vec<_> = expfmt::proto::Decoder::new(&pb[..])
            .allow_utf8_names(true)
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(&from_pb, &fs);
    }
}

/// The fuzz seeds with quoted names parse in UTF-8 mode only (so they seed the new paths).
#[test]
fn fuzz_seeds_with_quoted_names_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut seen = 0;
    for (dir, om) in [
        ("text_parse", false),
        ("text_roundtrip", false),
        ("openmetrics_parse", true),
        ("openmetrics_roundtrip", true),
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("utf8-quoted") {
                continue;
            }
            let input = std::fs::read_to_string(&path).unwrap();
            let (legacy, quoted) = if om {
                (
                    expfmt::openmetrics::parse(&input).is_ok(),
                    om_utf8(&input).map_err(|e| e.to_string()),
                )
            } else {
                (
                    text::parse(&input).is_ok(),
                    utf8(&input).map_err(|e| e.to_string()),
                )
            };
            assert!(!legacy, "{name}");
            assert!(quoted.is_ok(), "{dir}/{name}: {quoted:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, 8);
}

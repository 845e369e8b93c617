//! decode's format and encoding choice, its caps, and every check rule.

use super::*;
use crate::model::{Bucket, Counter, Histogram, Metric, Quantile, Summary};
use crate::Limit;

const PROTO: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

fn gauge(name: &str, labels: &[(&str, &str)], v: f64) -> MetricFamily<'static> {
    let labels = labels
        .iter()
        .map(|(n, v)| Label::new(n.to_string(), v.to_string()))
        .collect();
    MetricFamily::new(name.to_owned(), MetricType::Gauge)
        .with_metric(Metric::new(labels, Value::Gauge(v)))
}

fn sample() -> Vec<MetricFamily<'static>> {
    vec![gauge("a", &[("x", "1")], 1.5), gauge("b", &[], -2.0)]
}

#[test]
fn content_type_picks_the_parser() {
    let fams = sample();
    let proto = crate::proto::encode(&fams).unwrap();
    let text = crate::text::encode(&fams).unwrap();
    let om = crate::openmetrics::encode(&fams).unwrap();
    let limits = Limits::default();
    for ct in [
        PROTO,
        "application/vnd.google.protobuf;encoding=delimited;proto=io.prometheus.client.MetricFamily",
        "Application/Vnd.Google.Protobuf; Proto=\"io.prometheus.client.MetricFamily\"; ENCODING=delimited",
    ] {
        assert_eq!(Format::from_content_type(ct), Format::ProtoDelimited, "{ct}");
        assert_eq!(decode(Some(ct), None, &proto, &limits).unwrap(), fams, "{ct}");
    }
    for ct in [
        None,
        Some(""),
        Some("text/plain; version=0.0.4"),
        Some("application/json"),
        Some("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily"),
        Some("application/vnd.google.protobuf; proto=other.Message; encoding=delimited"),
        Some("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text"),
        Some(";;;"),
    ] {
        assert_eq!(Format::from_content_type(ct.unwrap_or("")), Format::Text, "{ct:?}");
        assert_eq!(decode(ct, None, text.as_bytes(), &limits).unwrap(), fams, "{ct:?}");
    }
    let ct = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    assert_eq!(
        decode(Some(ct), None, om.as_bytes(), &limits).unwrap(),
        fams
    );
    // Protobuf sent as text is a text error at a position, not a panic.
    let err = decode(Some("text/plain"), None, &proto, &limits).unwrap_err();
    assert!(err.offset().is_some(), "{err:?}");
}

#[test]
fn errors_keep_their_position() {
    let body = b"a 1\nb{x=y} 2\n";
    let err = decode(None, None, body, &Limits::default()).unwrap_err();
    assert_eq!((err.line(), err.column()), (Some(2), Some(5)));
    let err = decode(None, None, b"a 1\n\xff\n", &Limits::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidUtf8));
    assert_eq!(err.offset(), Some(4));
}

#[test]
fn limits_apply_to_the_raw_body_and_the_parsers() {
    let fams = sample();
    let text = crate::text::encode(&fams).unwrap();
    let proto = crate::proto::encode(&fams).unwrap();
    let tight = Limits {
        max_body: text.len() - 1,
        ..Limits::default()
    };
    let err = decode(None, None, text.as_bytes(), &tight).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::LimitExceeded {
                which: Limit::Body,
                ..
            }
        ),
        "{err:?}"
    );
    let one_family = Limits {
        max_families: 1,
        ..Limits::default()
    };
    for (ct, body) in [(None, text.as_bytes()), (Some(PROTO), &proto[..])] {
        let err = decode(ct, None, body, &one_family).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::LimitExceeded {
                    which: Limit::Families,
                    ..
                }
            ),
            "{ct:?}: {err:?}"
        );
    }
}

#[test]
fn unknown_encodings_are_refused() {
    for enc in ["br", "deflate", "gzip, br"] {
        let err = decode(None, Some(enc), b"a 1\n", &Limits::default()).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::UnsupportedContentEncoding { .. }),
            "{enc}: {err:?}"
        );
    }
    for enc in ["", "identity", " Identity "] {
        assert!(
            decode(None, Some(enc), b"a 1\n", &Limits::default()).is_ok(),
            "{enc}"
        );
    }
}

#[cfg(not(feature = "gzip"))]
#[test]
fn gzip_needs_the_feature() {
    let err = decode(None, Some("gzip"), b"", &Limits::default()).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::UnsupportedContentEncoding { .. }
    ));
}

#[cfg(feature = "gzip")]
mod gzip {
    use std::io::Write;
    use std::time::{Duration, Instant};

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_bodies_inflate_in_any_format() {
        let fams = sample();
        let text = crate::text::encode(&fams).unwrap();
        let proto = crate::proto::encode(&fams).unwrap();
        for enc in ["gzip", "GZIP", "x-gzip"] {
            let got = decode(None, Some(enc), &gz(text.as_bytes()), &Limits::default());
            assert_eq!(got.unwrap(), fams, "{enc}");
        }
        let got = decode(Some(PROTO), Some("gzip"), &gz(&proto), &Limits::default());
        assert_eq!(got.unwrap(), fams);
        // Two gzip members are one body, as Go's reader reads them.
        let (first, second) = text.split_at(4);
        let mut two = gz(first.as_bytes());
        two.extend(gz(second.as_bytes()));
        assert_eq!(
            decode(None, Some("gzip"), &two, &Limits::default()).unwrap(),
            fams
        );
    }

    #[test]
    fn positions_are_in_the_inflated_body() {
        let err = decode(None, Some("gzip"), &gz(b"a 1\nb 2 x\n"), &Limits::default()).unwrap_err();
        assert_eq!((err.line(), err.column()), (Some(2), Some(5)));
    }

    #[test]
    fn broken_gzip_is_a_typed_error() {
        let mut body = gz(b"a 1\n");
        body.truncate(body.len() - 6);
        for bad in [&b"not gzip at all"[..], &body] {
            let err = decode(None, Some("gzip"), bad, &Limits::default()).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::InvalidGzip { .. }),
                "{err:?}"
            );
        }
    }

    #[test]
    fn inflation_stops_at_the_cap() {
        // One member inflating to 1 MiB of newlines (blank lines are valid text), repeated 1024
        // times: about 1 KiB compressed per MiB, 1 GiB inflated in all.
        let member = gz(&vec![b'\n'; 1 << 20]);
        let bomb: Vec<u8> = member
            .iter()
            .copied()
            .cycle()
            .take(member.len() * 1024)
            .collect();
        let limits = Limits {
            max_body: 3 << 20,
            ..Limits::default()
        };
        let start = Instant::now();
        let err = decode(None, Some("gzip"), &bomb, &limits).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::LimitExceeded { which: Limit::Body, limit } if *limit == 3 << 20),
            "{err:?}"
        );
        // Inflating all of it takes far longer than stopping after 3 MiB.
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
        // Exactly at the cap is fine.
        let at_cap = Limits {
            max_body: 3 << 20,
            ..Limits::default()
        };
        let three: Vec<u8> = member
            .iter()
            .copied()
            .cycle()
            .take(member.len() * 3)
            .collect();
        assert_eq!(decode(None, Some("gzip"), &three, &at_cap).unwrap(), []);
        // The compressed body counts against the cap too.
        let small = Limits {
            max_body: bomb.len() - 1,
            ..Limits::default()
        };
        assert!(decode(None, Some("gzip"), &bomb, &small)
            .unwrap_err()
            .is_limit());
    }
}

fn histogram(bounds: &[f64]) -> MetricFamily<'static> {
    let buckets = bounds
        .iter()
        .enumerate()
        .map(|(i, &b)| Bucket::new(b, i as u64))
        .collect();
    MetricFamily::new("h", MetricType::Histogram).with_metric(Metric::new(
        vec![Label::new("x", "1")],
        Value::Histogram(Box::new(Histogram {
            buckets,
            ..Histogram::default()
        })),
    ))
}

fn summary(quantiles: &[f64]) -> MetricFamily<'static> {
    let quantiles = quantiles
        .iter()
        .map(|&quantile| Quantile {
            quantile,
            value: 1.0,
        })
        .collect();
    MetricFamily::new("s", MetricType::Summary).with_metric(Metric::new(
        vec![],
        Value::Summary(Box::new(Summary {
            quantiles,
            ..Summary::default()
        })),
    ))
}

#[test]
fn consistent_families_pass() {
    let inf = f64::INFINITY;
    let mut empty = histogram(&[]);
    empty.name = "h_empty".into();
    let fams = vec![
        gauge("a", &[("x", "1")], 1.0),
        gauge("a", &[("x", "2")], 1.0),
        // The same label names in another order, with other values: another series.
        gauge("b", &[("x", "1"), ("y", "2")], 1.0),
        gauge("b", &[("y", "1"), ("x", "2")], 1.0),
        histogram(&[0.1, 1.0, inf]),
        // No classic buckets: no +Inf bucket needed.
        empty,
        summary(&[0.0, 0.5, 1.0]),
    ];
    check(&fams).unwrap();
    check(&[]).unwrap();
}

#[test]
fn every_rule_has_its_error() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    let counter = |name: &str| {
        MetricFamily::new(name.to_owned(), MetricType::Counter)
            .with_metric(Metric::new(vec![], Value::Counter(Counter::new(1.0))))
    };
    let cases: Vec<(Vec<MetricFamily<'static>>, &str)> = vec![
        (
            vec![gauge("1a", &[], 1.0)],
            "\"1a\" is not a valid metric name",
        ),
        (vec![gauge("", &[], 1.0)], "\"\" is not a valid metric name"),
        (
            vec![gauge("a", &[("x-y", "1")], 1.0)],
            "metric a{x-y=\"1\"} has a label with an invalid name: \"x-y\"",
        ),
        (
            vec![gauge("a", &[("__name__", "b")], 1.0)],
            "metric a{__name__=\"b\"} has a label with a reserved name: \"__name__\"",
        ),
        (
            vec![gauge("a", &[("x", "1"), ("y", "2"), ("x", "3")], 1.0)],
            "metric a{x=\"1\",y=\"2\",x=\"3\"} has two or more labels named \"x\"",
        ),
        (
            vec![
                gauge("a", &[("x", "1"), ("y", "2")], 1.0),
                gauge("a", &[("y", "2"), ("x", "1")], 3.0),
            ],
            // The repeat is reported, with its labels in its own order.
            "metric a{y=\"2\",x=\"1\"} was collected before with the same name and label values",
        ),
        (
            vec![gauge("a", &[], 1.0), counter("a")],
            "metric family a is given as gauge and as counter",
        ),
        (
            vec![
                gauge("a", &[], 1.0).with_help("one"),
                gauge("a", &[("x", "1")], 1.0),
            ],
            "metric family a has help \"\" but should have \"one\"",
        ),
        (
            vec![MetricFamily::new("a", MetricType::Counter)
                .with_metric(Metric::new(vec![], Value::Gauge(1.0)))],
            "metric a{} holds a gauge value but is in a counter family",
        ),
        (
            vec![histogram(&[1.0, 0.5, inf])],
            "histogram h{x=\"1\"} has bucket le=0.5 after le=1",
        ),
        (
            vec![histogram(&[1.0, 1.0, inf])],
            "histogram h{x=\"1\"} has bucket le=1 after le=1",
        ),
        (
            vec![histogram(&[nan, inf])],
            "histogram h{x=\"1\"} has bucket le=NaN after le=-inf",
        ),
        (
            vec![histogram(&[0.5, 1.0])],
            "histogram h{x=\"1\"} has no +Inf bucket",
        ),
        (
            vec![histogram(&[inf, inf])],
            "histogram h{x=\"1\"} has bucket le=inf after le=inf",
        ),
        (
            vec![summary(&[0.5, 1.5])],
            "summary s{} has quantile 1.5 outside [0, 1]",
        ),
        (
            vec![summary(&[-0.1])],
            "summary s{} has quantile -0.1 outside [0, 1]",
        ),
        (
            vec![summary(&[nan])],
            "summary s{} has quantile NaN outside [0, 1]",
        ),
    ];
    for (fams, message) in cases {
        let err = check(&fams).unwrap_err();
        assert_eq!(err.to_string(), message, "{err:?}");
    }
}

#[test]
fn variants_carry_family_and_labels() {
    let err = check(&[
        gauge("a", &[("x", "1")], 1.0),
        gauge("a", &[("x", "1")], 2.0),
    ])
    .unwrap_err();
    assert_eq!(
        err,
        CheckError::DuplicateSeries {
            family: "a".into(),
            labels: "{x=\"1\"}".into()
        }
    );
    let long = "v".repeat(1000);
    let err = check(&[gauge("a", &[("x", &long), ("__y", "1")], 1.0)]).unwrap_err();
    match err {
        CheckError::ReservedLabelName { labels, name, .. } => {
            assert_eq!(name, "__y");
            assert!(labels.len() < 260 && labels.ends_with("…}"), "{labels}");
        }
        other => panic!("{other:?}"),
    }
}

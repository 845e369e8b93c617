//! A real peer: Debian's prometheus-node-exporter on 127.0.0.1, scraped as text and as
//! delimited protobuf; both decode, and they agree family by family (names, types, help, label
//! sets; values exactly for info series, within drift for the rest).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::server;
use expfmt::{MetricFamily, MetricType, Value};

const PROTO: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/// Per family: its type, help, and label set (sorted "k=v" pairs) -> value.
type Index = BTreeMap<String, (MetricType, Option<String>, BTreeMap<String, f64>)>;

/// The families of a scrape, indexed for comparison.
fn index(families: &[MetricFamily<'_>]) -> Index {
    families
        .iter()
        .map(|f| {
            let series = f
                .metrics
                .iter()
                .map(|m| {
                    let mut labels: Vec<String> = m
                        .labels
                        .iter()
                        .map(|l| format!("{}={:?}", l.name, l.value))
                        .collect();
                    labels.sort();
                    let v = match &m.value {
                        Value::Counter(c) => c.value,
                        Value::Gauge(v) | Value::Untyped(v) => *v,
                        Value::Summary(s) => s.sum.unwrap_or(0.0),
                        Value::Histogram(h) => h.sum.unwrap_or(0.0),
                        _ => f64::NAN,
                    };
                    (labels.join(","), v)
                })
                .collect();
            (
                f.name.to_string(),
                (
                    f.metric_type,
                    f.help.as_ref().map(|h| h.to_string()),
                    series,
                ),
            )
        })
        .collect()
}

#[test]
fn text_and_protobuf_scrapes_agree() {
    let Some(exporter) = server::node_exporter() else {
        return;
    };

    let text = server::get(exporter.addr, "/metrics", "text/plain;version=0.0.4");
    assert_eq!(text.status, 200);
    assert!(
        text.header("content-type")
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        text.headers
    );
    let proto = server::get(exporter.addr, "/metrics", PROTO);
    assert_eq!(proto.status, 200);
    assert!(
        proto
            .header("content-type")
            .unwrap()
            .contains("encoding=delimited"),
        "{:?}",
        proto.headers
    );

    let from_text = expfmt::text::parse_bytes(&text.body).unwrap();
    let from_proto = expfmt::proto::decode(&proto.body).unwrap();
    assert!(from_text.len() > 50, "only {} families", from_text.len());

    let (a, b) = (index(&from_text), index(&from_proto));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "family names differ"
    );
    let mut compared = 0;
    for (name, (t1, h1, s1)) in &a {
        let (t2, h2, s2) = &b[name];
        assert_eq!(t1, t2, "{name}: type");
        assert_eq!(h1, h2, "{name}: help");
        assert_eq!(
            s1.keys().collect::<Vec<_>>(),
            s2.keys().collect::<Vec<_>>(),
            "{name}: label sets"
        );
        for (labels, v1) in s1 {
            let v2 = s2[labels];
            let same = v1 == &v2 || (v1.is_nan() && v2.is_nan());
            if name.ends_with("_info") {
                assert!(same, "{name}{{{labels}}}: {v1} vs {v2}");
            } else if *t1 == MetricType::Counter {
                // Scraped second, the protobuf counter can only be equal or larger.
                assert!(
                    v2 >= *v1 || same,
                    "{name}{{{labels}}}: counter went from {v1} to {v2}"
                );
            }
            compared += 1;
        }
    }
    // Re-encoding the protobuf scrape as text gives text Go's encoder would give: the text
    // scrape and the protobuf scrape differ only in drifting values, so compare the shapes.
    let reencoded = expfmt::text::encode(&from_proto).unwrap();
    let reparsed = expfmt::text::parse(&reencoded).unwrap();
    assert_eq!(index(&reparsed).keys().count(), a.len());
    println!(
        "{} families, {compared} series compared between text and protobuf",
        a.len()
    );
}

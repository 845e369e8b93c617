//! A real peer: Debian's prometheus-pushgateway on 127.0.0.1, one per test. We push with both
//! formats, add, delete, use grouping values that need escaping or base64, then read the
//! gateway back through `GET /metrics` (parsed with our own text parser) and
//! `GET /api/v1/metrics` (JSON). Without the binary the tests say SKIPPED; under `CI=true` they
//! fail.
#![cfg(feature = "push")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use common::server::{self, Server};
use expfmt::push::{Method, PushError, Pusher};
use expfmt::{
    Bucket, Counter, Format, Histogram, Label, Metric, MetricFamily, MetricType, Quantile, Summary,
    Value,
};

fn url(gw: &Server) -> String {
    // host:port without a scheme, as Go's client accepts it.
    gw.addr.to_string()
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn labels(pairs: &[(&str, &str)]) -> Vec<Label<'static>> {
    pairs
        .iter()
        .map(|(n, v)| Label::new(n.to_string(), v.to_string()))
        .collect()
}

fn gauge(name: &str, pairs: &[(&str, &str)], v: f64) -> MetricFamily<'static> {
    MetricFamily::new(name.to_owned(), MetricType::Gauge)
        .with_help(format!("Help of {name}."))
        .with_metric(Metric::new(labels(pairs), Value::Gauge(v)))
}

/// One family of each classic type.
fn sample_families() -> Vec<MetricFamily<'static>> {
    let counter = MetricFamily::new("jobs_done_total", MetricType::Counter)
        .with_help("Jobs done.")
        .with_metric(Metric::new(
            labels(&[("kind", "full")]),
            Value::Counter(Counter::new(3.0)),
        ))
        .with_metric(Metric::new(
            labels(&[("kind", "incr \"quoted\"\\")]),
            Value::Counter(Counter::new(17.0)),
        ));
    let histogram =
        MetricFamily::new("duration_seconds", MetricType::Histogram).with_metric(Metric::new(
            vec![],
            Value::Histogram(Box::new(Histogram {
                count: Some(expfmt::Count::Int(7)),
                sum: Some(12.5),
                buckets: vec![
                    Bucket::new(0.5, 1),
                    Bucket::new(1.0, 4),
                    Bucket::new(f64::INFINITY, 7),
                ],
                ..Histogram::default()
            })),
        ));
    let summary = MetricFamily::new("rpc_seconds", MetricType::Summary).with_metric(Metric::new(
        labels(&[("rpc", "get")]),
        Value::Summary(Box::new(Summary {
            count: Some(9),
            sum: Some(4.5),
            quantiles: vec![
                Quantile {
                    quantile: 0.5,
                    value: 0.25,
                },
                Quantile {
                    quantile: 0.99,
                    value: 1.75,
                },
            ],
            created: None,
        })),
    ));
    vec![
        counter,
        gauge("temperature_celsius", &[("room", "attic")], -3.25),
        histogram,
        summary,
    ]
}

/// A series: its sorted labels and its value as the text page gives it (for histograms and
/// summaries: the sum, with count and buckets or quantiles checked separately).
type Series = BTreeMap<String, f64>;

/// `GET /metrics`, parsed with our text parser, owned.
fn scrape(gw: &Server) -> Vec<MetricFamily<'static>> {
    let page = server::get(gw.addr, "/metrics", "text/plain;version=0.0.4");
    assert_eq!(page.status, 200);
    expfmt::text::parse_bytes(&page.body)
        .unwrap_or_else(|e| panic!("our parser on the gateway's page: {e}"))
        .into_iter()
        .map(MetricFamily::into_owned)
        .collect()
}

fn key(labels: &[Label<'_>]) -> String {
    let mut pairs: Vec<String> = labels
        .iter()
        .map(|l| format!("{}={:?}", l.name, l.value))
        .collect();
    pairs.sort();
    pairs.join(",")
}

/// The series of family `name` on the page whose labels include all of `group`.
fn series_of(page: &[MetricFamily<'_>], name: &str, group: &[(&str, &str)]) -> Series {
    let Some(family) = page.iter().find(|f| f.name == name) else {
        return Series::new();
    };
    family
        .metrics
        .iter()
        .filter(|m| group.iter().all(|(n, v)| m.label(n) == Some(v)))
        .map(|m| {
            let v = match &m.value {
                Value::Counter(c) => c.value,
                Value::Gauge(v) | Value::Untyped(v) => *v,
                Value::Summary(s) => s.sum.unwrap(),
                Value::Histogram(h) => h.sum.unwrap(),
                other => panic!("{other:?}"),
            };
            (key(&m.labels), v)
        })
        .collect()
}

/// The labels the gateway adds to every series of a group: the grouping key, and an empty
/// `instance` when the key has none.
fn with_group(own: &[(&str, &str)], group: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = own.iter().chain(group).copied().collect();
    if !all.iter().any(|(n, _)| *n == "instance") {
        all.push(("instance", ""));
    }
    key(&labels(&all))
}

/// Checks that every pushed family is on the page with the group's labels and its values.
fn assert_pushed(page: &[MetricFamily<'_>], pushed: &[MetricFamily<'_>], group: &[(&str, &str)]) {
    for family in pushed {
        let on_page = page
            .iter()
            .find(|f| f.name == family.name)
            .unwrap_or_else(|| panic!("{} not on the page", family.name));
        assert_eq!(on_page.metric_type, family.metric_type, "{}", family.name);
        assert_eq!(on_page.help, family.help, "{}", family.name);
        for metric in &family.metrics {
            let own: Vec<(&str, &str)> = metric
                .labels
                .iter()
                .map(|l| (l.name.as_ref(), l.value.as_ref()))
                .collect();
            let want = with_group(&own, group);
            let found = on_page
                .metrics
                .iter()
                .find(|m| key(&m.labels) == want)
                .unwrap_or_else(|| panic!("{}{{{want}}} not on the page", family.name));
            assert_eq!(found.value, metric.value, "{}{{{want}}}", family.name);
        }
    }
}

/// The group's `push_time_seconds` lies between `before` and `after` (whole seconds of slack
/// for clock granularity).
fn assert_push_time(page: &[MetricFamily<'_>], group: &[(&str, &str)], before: f64, after: f64) {
    let times = series_of(page, "push_time_seconds", group);
    let want = with_group(&[], group);
    let t = *times
        .get(&want)
        .unwrap_or_else(|| panic!("no push_time_seconds{{{want}}} in {times:?}"));
    assert!(
        before - 1.0 <= t && t <= after + 1.0,
        "push_time_seconds {t} outside [{before}, {after}]"
    );
}

/// `GET /api/v1/metrics`: the groups, each as its label set and JSON object.
fn api_groups(gw: &Server) -> Vec<(BTreeMap<String, String>, serde_json::Value)> {
    let answer = server::get(gw.addr, "/api/v1/metrics", "application/json");
    assert_eq!(answer.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["status"], "success");
    json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let labels = g["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            (labels, g.clone())
        })
        .collect()
}

fn api_group(gw: &Server, group: &[(&str, &str)]) -> Option<serde_json::Value> {
    let want: BTreeMap<String, String> = group
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    api_groups(gw)
        .into_iter()
        .find(|(labels, _)| *labels == want)
        .map(|(_, g)| g)
}

/// The value of the one metric of family `name` in an API group, parsed.
fn api_value(group: &serde_json::Value, name: &str) -> f64 {
    let metrics = group[name]["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 1, "{name}: {metrics:?}");
    metrics[0]["value"].as_str().unwrap().parse().unwrap()
}

#[test]
fn push_replaces_the_group_in_either_format() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let group = [("job", "nightly"), ("instance", "db-1")];
    let pusher = Pusher::new(url(&gw), "nightly").grouping("instance", "db-1");
    let pushed = sample_families();

    for format in [Format::ProtoDelimited, Format::Text] {
        let pusher = pusher.clone().format(format);
        let before = now();
        pusher.push(&pushed).unwrap();
        let after = now();
        let page = scrape(&gw);
        assert_pushed(&page, &pushed, &group);
        assert_push_time(&page, &group, before, after);

        let api = api_group(&gw, &group).expect("group in the API");
        assert_eq!(api["last_push_successful"], true);
        assert_eq!(api_value(&api, "temperature_celsius"), -3.25);
        assert_eq!(api["jobs_done_total"]["type"], "COUNTER");
        assert_eq!(
            api["temperature_celsius"]["help"],
            "Help of temperature_celsius."
        );
        let api_push_time = api_value(&api, "push_time_seconds");
        assert!(
            (before - 1.0..=after + 1.0).contains(&api_push_time),
            "{format}"
        );

        // PUT replaces the whole group: a push of one gauge leaves only that gauge.
        let only = [gauge("temperature_celsius", &[("room", "cellar")], 9.0)];
        pusher.push(&only).unwrap();
        let page = scrape(&gw);
        assert_pushed(&page, &only, &group);
        for gone in ["jobs_done_total", "duration_seconds", "rpc_seconds"] {
            assert!(
                series_of(&page, gone, &group).is_empty(),
                "{format}: {gone} kept"
            );
        }
        assert_eq!(
            series_of(&page, "temperature_celsius", &group).len(),
            1,
            "{format}: the attic series should be gone"
        );
    }

    // An empty push empties the group but keeps (and updates) its push time.
    let before = now();
    pusher.push(&[]).unwrap();
    let page = scrape(&gw);
    assert!(series_of(&page, "temperature_celsius", &group).is_empty());
    assert_push_time(&page, &group, before, now());
}

#[test]
fn add_replaces_only_families_of_the_same_name() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let group = [("job", "batch")];
    let pusher = Pusher::new(format!("http://{}/", gw.addr), "batch").format(Format::Text);
    pusher
        .push(&[gauge("a", &[("x", "1")], 1.0), gauge("b", &[], 2.0)])
        .unwrap();
    // POST with a new `a` (other labels) and a new `c`: `a` is replaced, `b` kept, `c` added.
    let added = [gauge("a", &[("x", "2")], 10.0), gauge("c", &[], 3.0)];
    pusher
        .clone()
        .format(Format::ProtoDelimited)
        .add(&added)
        .unwrap();
    let page = scrape(&gw);
    assert_pushed(&page, &added, &group);
    assert_pushed(&page, &[gauge("b", &[], 2.0)], &group);
    assert_eq!(
        series_of(&page, "a", &group).keys().collect::<Vec<_>>(),
        [&with_group(&[("x", "2")], &group)],
        "POST keeps no series of the replaced family"
    );
    // An empty POST changes nothing but the push time.
    let before = now();
    pusher.add(&[]).unwrap();
    let page = scrape(&gw);
    assert_eq!(series_of(&page, "b", &group).len(), 1);
    assert_push_time(&page, &group, before, now());
}

#[test]
fn delete_removes_only_its_group() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let keep = Pusher::new(url(&gw), "j").grouping("instance", "keep");
    let drop = Pusher::new(url(&gw), "j").grouping("instance", "drop");
    keep.push(&[gauge("g", &[], 1.0)]).unwrap();
    drop.push(&[gauge("g", &[], 2.0)]).unwrap();
    drop.delete().unwrap();
    let page = scrape(&gw);
    assert_eq!(
        series_of(&page, "g", &[("job", "j")])
            .into_values()
            .collect::<Vec<_>>(),
        [1.0]
    );
    assert!(series_of(&page, "push_time_seconds", &[("instance", "drop")]).is_empty());
    assert!(api_group(&gw, &[("job", "j"), ("instance", "drop")]).is_none());
    assert!(api_group(&gw, &[("job", "j"), ("instance", "keep")]).is_some());
    // Deleting a group that is not there is no error.
    drop.delete().unwrap();
}

#[test]
fn grouping_values_with_slashes_empties_and_escapes_arrive_intact() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let cases: [(&str, &[(&str, &str)]); 4] = [
        ("job/with/slashes", &[("path", "/var/lib/db")]),
        ("plain", &[("empty", ""), ("zone", "eu west")]),
        ("sym+bols%", &[("q", "a+b %2F?#&=é"), ("tail", "x/")]),
        ("..", &[("only_slash", "/"), ("dot", "."), ("dots", "..")]),
    ];
    for (i, (job, grouping)) in cases.iter().enumerate() {
        let mut pusher = Pusher::new(url(&gw), *job);
        for (n, v) in *grouping {
            pusher = pusher.grouping(*n, *v);
        }
        pusher.push(&[gauge("marker", &[], i as f64)]).unwrap();
        let mut group = vec![("job", *job)];
        group.extend_from_slice(grouping);
        let page = scrape(&gw);
        assert_eq!(
            series_of(&page, "marker", &group)
                .into_values()
                .collect::<Vec<_>>(),
            [i as f64],
            "{job} {grouping:?} via {}",
            pusher.url()
        );
        assert!(
            api_group(&gw, &group).is_some(),
            "{group:?} not an API group"
        );
    }
    // Each case made its own group.
    assert_eq!(series_of(&scrape(&gw), "marker", &[]).len(), cases.len());
}

#[test]
fn bad_pushes_get_the_gateways_400_and_message() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let counter = MetricFamily::new("clash", MetricType::Counter)
        .with_metric(Metric::new(vec![], Value::Counter(Counter::new(1.0))));
    Pusher::new(url(&gw), "a").push(&[counter]).unwrap();

    // The same name as a gauge in another group is inconsistent: the gateway refuses it.
    let b = Pusher::new(url(&gw), "b");
    let err = b.push(&[gauge("clash", &[], 1.0)]).unwrap_err();
    match &err {
        PushError::Status {
            method,
            status,
            url,
            body,
        } => {
            assert_eq!((*method, *status), (Method::Put, 400));
            assert_eq!(*url, b.url());
            assert!(body.contains("inconsistent"), "{body}");
            assert!(body.contains("clash"), "{body}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().starts_with(&format!(
            "unexpected status code 400 while pushing to {}: ",
            b.url()
        )),
        "{err}"
    );
    // The failure is recorded for the group b.
    let page = scrape(&gw);
    let failed = series_of(&page, "push_failure_time_seconds", &[("job", "b")]);
    assert!(
        failed.values().all(|&t| t > 0.0) && !failed.is_empty(),
        "{failed:?}"
    );

    // A body the gateway cannot parse: a sans-IO request whose body we spoil.
    let mut request = b.request(Method::Post, &[gauge("fine", &[], 1.0)]).unwrap();
    request.body = b"\x05not protobuf".to_vec();
    let err = request.send(&ureq::Agent::new_with_defaults()).unwrap_err();
    match &err {
        PushError::Status { status, body, .. } => {
            assert_eq!(*status, 400);
            assert!(!body.is_empty(), "the gateway says why");
        }
        other => panic!("{other:?}"),
    }
    // Nothing of either bad push arrived.
    assert!(series_of(&scrape(&gw), "fine", &[]).is_empty());
}

/// `ingest::check` beside the real gateway: each broken rule pushed (as delimited protobuf, so
/// the gateway's text parser cannot refuse it first), to a fresh group. Where the gateway
/// accepts what `check` refuses, the table says so; DIFFERENCES.md lists those rules.
#[test]
fn check_agrees_with_the_gateway() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    let histogram = |bounds: &[f64]| {
        MetricFamily::new("h_seconds", MetricType::Histogram).with_metric(Metric::new(
            vec![],
            Value::Histogram(Box::new(Histogram {
                count: Some(expfmt::Count::Int(bounds.len() as u64)),
                sum: Some(1.0),
                buckets: bounds
                    .iter()
                    .enumerate()
                    .map(|(i, &b)| Bucket::new(b, i as u64))
                    .collect(),
                ..Histogram::default()
            })),
        ))
    };
    let summary = |q: f64| {
        MetricFamily::new("s_seconds", MetricType::Summary).with_metric(Metric::new(
            vec![],
            Value::Summary(Box::new(Summary {
                count: Some(1),
                sum: Some(1.0),
                quantiles: vec![Quantile {
                    quantile: q,
                    value: 1.0,
                }],
                created: None,
            })),
        ))
    };
    let twice = gauge("g", &[("x", "1")], 1.0)
        .with_metric(Metric::new(labels(&[("x", "1")]), Value::Gauge(2.0)));
    let inf = f64::INFINITY;
    // (case, families, gateway refuses?)
    let cases: Vec<(&str, Vec<MetricFamily<'static>>, bool)> = vec![
        ("consistent", sample_families(), false),
        ("duplicate series", vec![twice], true),
        (
            "reserved label",
            vec![gauge("g", &[("__x", "1")], 1.0)],
            true,
        ),
        (
            "invalid label name",
            vec![gauge("g", &[("x-y", "1")], 1.0)],
            true,
        ),
        (
            "buckets descending",
            vec![histogram(&[1.0, 0.5, inf])],
            false,
        ),
        ("no +Inf bucket", vec![histogram(&[0.5, 1.0])], false),
        ("quantile above 1", vec![summary(1.5)], false),
    ];
    let mut report = Vec::new();
    for (i, (case, families, gateway_refuses)) in cases.iter().enumerate() {
        let ours = expfmt::ingest::check(families);
        let pusher = Pusher::new(url(&gw), format!("check{i}"));
        let mut request = pusher.request(Method::Put, &[]).unwrap();
        request.body = expfmt::proto::encode(families).unwrap();
        let theirs = request.send(&ureq::Agent::new_with_defaults());
        if let Err(e) = &theirs {
            assert!(
                matches!(e, PushError::Status { status: 400, .. }),
                "{case}: {e}"
            );
        }
        report.push(format!(
            "{case}: gateway {}, check {}",
            if theirs.is_err() {
                "refuses"
            } else {
                "accepts"
            },
            ours.as_ref()
                .map_or_else(|e| format!("refuses ({e})"), |()| "accepts".into()),
        ));
        assert_eq!(theirs.is_err(), *gateway_refuses, "{case}: {theirs:?}");
        // Whatever the gateway refuses, check refuses too; check is stricter on histograms and
        // summaries.
        assert_eq!(ours.is_err(), *case != "consistent", "{case}: {ours:?}");
    }
    println!("{}", report.join("\n"));
}

/// The gateway answers scrapes with Go's `expfmt.Negotiate`: for each Accept header, its
/// Content-Type is the one our `negotiate` picks, and the body decodes in that format.
#[test]
fn gateway_answers_scrapes_as_negotiate_predicts() {
    let Some(gw) = server::pushgateway() else {
        return;
    };
    Pusher::new(url(&gw), "n").push(&sample_families()).unwrap();
    let proto = Format::ProtoDelimited.content_type();
    let headers = [
        String::new(),
        "*/*".into(),
        proto.into(),
        format!("{proto};q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1"),
        format!("text/plain;q=0.5,{proto};q=0.4"),
        format!("text/plain;q=0.5,{proto};q=0.6"),
        format!("text/plain;version=0.0.5,{proto};q=0.1"),
        format!("{proto};q=0,text/plain;q=0"),
        format!("*/*;q=1,{proto};q=0.2"),
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5".into(),
        "application/json".into(),
        format!("Text/Plain,{proto};q=0.1"),
    ];
    let mut answered = std::collections::BTreeSet::new();
    for accept in &headers {
        let want = expfmt::ingest::negotiate(accept);
        let page = server::get(gw.addr, "/metrics", accept);
        assert_eq!(page.status, 200);
        assert_eq!(
            page.header("content-type"),
            Some(want.content_type()),
            "Accept: {accept}"
        );
        let families = expfmt::ingest::decode(
            Some(want.content_type()),
            None,
            &page.body,
            &Default::default(),
        )
        .unwrap();
        assert!(
            families.iter().any(|f| f.name == "jobs_done_total"),
            "{accept}"
        );
        answered.insert(want.content_type());
    }
    assert_eq!(answered.len(), 2, "both formats asked for");
}

/// The gateway takes gzip bodies; `ingest::decode` reads what we send it the same way.
#[cfg(feature = "gzip")]
#[test]
fn gzip_pushes_are_accepted_and_decode_alike() {
    use std::io::Write;

    let Some(gw) = server::pushgateway() else {
        return;
    };
    let pushed = sample_families();
    let pusher = Pusher::new(url(&gw), "zipped").header("Content-Encoding", "gzip");
    let mut request = pusher.request(Method::Put, &pushed).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&request.body).unwrap();
    request.body = gz.finish().unwrap();
    let decoded = expfmt::ingest::decode(
        request.header("content-type"),
        request.header("content-encoding"),
        &request.body,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(decoded, pushed);
    request.send(&ureq::Agent::new_with_defaults()).unwrap();
    assert_pushed(&scrape(&gw), &pushed, &[("job", "zipped")]);
}

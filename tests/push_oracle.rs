//! The push client against Go's (client_golang 1.14 `push`, tests/oracle/push/main.go): for
//! generated jobs and grouping values, the request URI, Content-Type and body bytes are the
//! same, except where DIFFERENCES.md says we differ on purpose (a space, which Go writes as `+`
//! and the gateway then reads as `+`; the dot segments `.` and `..`), checked to still differ.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::gen::Rng;
use common::oracle;
use expfmt::push::{Method, Pusher};
use expfmt::{Metric, MetricFamily, MetricType, Value};

const PIECES: &[&str] = &[
    "a", "job", "B9", "-", "_", ".", "~", "é", "日本", "%", "+", "?", "#", "&", "=", "/", ":", "@",
    "\"", "'", "\\", ";", ",", "!", "*", "(", "$", "base64", "x",
];

fn value(rng: &mut Rng) -> String {
    (0..rng.below(5)).map(|_| rng.pick(PIECES)).collect()
}

/// What we send for a case, as the oracle prints it: URI, Content-Type, body in hex.
fn ours(job: &str, grouping: Option<(&str, &str)>) -> String {
    let family = MetricFamily::new("g", MetricType::Gauge)
        .with_help("h")
        .with_metric(Metric::new(vec![], Value::Gauge(1.5)));
    let mut pusher = Pusher::new("127.0.0.1:1", job);
    if let Some((name, v)) = grouping {
        pusher = pusher.grouping(name, v);
    }
    let request = match pusher.request(Method::Put, &[family]) {
        Ok(r) => r,
        Err(e) => return format!("error\t{e}"),
    };
    let uri = request.url.strip_prefix("http://127.0.0.1:1").unwrap();
    let hex: String = request.body.iter().map(|b| format!("{b:02x}")).collect();
    format!("{uri}\t{}\t{hex}", request.header("content-type").unwrap())
}

fn go(cases: &[(String, Option<(String, String)>)]) -> Option<Vec<String>> {
    let oracle = oracle::push_oracle()?;
    let input: String = cases
        .iter()
        .map(|(job, g)| match g {
            Some((n, v)) => format!("{job}\t{n}\t{v}\n"),
            None => format!("{job}\n"),
        })
        .collect();
    Some(oracle::lines(oracle, "push", input.as_bytes()))
}

#[test]
fn requests_match_gos_push_client() {
    let mut rng = Rng(0x0070_7573_6821);
    let mut cases = Vec::new();
    while cases.len() < 1500 {
        let job = value(&mut rng);
        let grouping = (rng.below(4) > 0).then(|| {
            (
                rng.pick(&["instance", "a", "zone_1"]).to_owned(),
                value(&mut rng),
            )
        });
        // Where we differ on purpose (see documented_differences_still_differ), or where Go
        // refuses what we refuse too (an empty job: compared below), leave the case out.
        let differs = |v: &str| v.contains(' ') || v == "." || v == "..";
        if job.is_empty() || differs(&job) || grouping.as_ref().is_some_and(|(_, v)| differs(v)) {
            continue;
        }
        cases.push((job, grouping));
    }
    let Some(answers) = go(&cases) else { return };
    assert_eq!(answers.len(), cases.len());
    let mut base64 = 0;
    for ((job, grouping), theirs) in cases.iter().zip(&answers) {
        let mine = ours(
            job,
            grouping.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        assert_eq!(&mine, theirs, "job {job:?}, grouping {grouping:?}");
        base64 += usize::from(theirs.contains("@base64"));
    }
    assert!(base64 > 200, "only {base64} cases took the base64 path");
}

#[test]
fn refusals_match_go() {
    let cases: Vec<(String, Option<(String, String)>)> = vec![
        (String::new(), None),
        ("j".into(), Some(("bad-name".into(), "v".into()))),
        ("j".into(), Some(("9x".into(), "v".into()))),
    ];
    let Some(answers) = go(&cases) else { return };
    for ((job, grouping), theirs) in cases.iter().zip(&answers) {
        let mine = ours(
            job,
            grouping.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        assert!(theirs.starts_with("error\t"), "{theirs}");
        assert!(mine.starts_with("error\t"), "{mine}");
    }
}

#[test]
fn documented_differences_still_differ() {
    let cases: Vec<(String, Option<(String, String)>)> = vec![
        ("j".into(), Some(("v".into(), "a b".into()))),
        ("a b".into(), None),
        ("j".into(), Some(("v".into(), "..".into()))),
        ("j".into(), Some(("v".into(), ".".into()))),
        // Go takes a grouping label named job (and one starting with __); we refuse both.
        ("j".into(), Some(("job".into(), "x".into()))),
        ("j".into(), Some(("__x".into(), "x".into()))),
    ];
    let Some(answers) = go(&cases) else { return };
    for ((job, grouping), theirs) in cases.iter().zip(&answers) {
        let mine = ours(
            job,
            grouping.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        assert_ne!(
            &mine, theirs,
            "job {job:?}, grouping {grouping:?}: no longer differs"
        );
    }
    assert!(
        answers[0].starts_with("/metrics/job/j/v/a+b\t"),
        "{}",
        answers[0]
    );
    assert!(
        answers[2].starts_with("/metrics/job/j/v/..\t"),
        "{}",
        answers[2]
    );
}

//! The sans-IO core: URLs, headers, bodies and every refusal, no server needed.

use super::*;
use crate::model::{Label, Metric, MetricType, Value};

fn gauge(name: &str, labels: &[(&str, &str)], v: f64) -> MetricFamily<'static> {
    let labels = labels
        .iter()
        .map(|(n, v)| Label::new(n.to_string(), v.to_string()))
        .collect();
    MetricFamily::new(name.to_owned(), MetricType::Gauge)
        .with_metric(Metric::new(labels, Value::Gauge(v)))
}

#[test]
fn base_url_is_normalised_like_go() {
    for (base, want) in [
        ("localhost:9091", "http://localhost:9091/metrics/job/j"),
        ("localhost:9091/", "http://localhost:9091/metrics/job/j"),
        (
            "https://gw.example/prefix/",
            "https://gw.example/prefix/metrics/job/j",
        ),
        ("http://h:1//", "http://h:1//metrics/job/j"),
    ] {
        assert_eq!(Pusher::new(base, "j").url(), want, "{base}");
    }
}

#[test]
fn grouping_key_escapes_and_base64() {
    let p = Pusher::new("h:1", "a b+c%/d")
        .grouping("z", "x y")
        .grouping("a", "")
        .grouping("slash", "/")
        .grouping("utf8", "é~-._")
        .grouping("dot", ".")
        .grouping("dots", "..")
        .grouping("three", "...");
    assert_eq!(
        p.url(),
        "http://h:1/metrics/job@base64/YSBiK2MlL2Q/z/x%20y/a@base64/=/slash@base64/Lw\
         /utf8/%C3%A9~-._/dot@base64/Lg/dots@base64/Li4/three/..."
    );
}

#[test]
fn base64_matches_rfc_4648_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (input, want) in vectors {
        assert_eq!(base64(input.as_bytes(), STANDARD, true), want);
        assert_eq!(
            base64(input.as_bytes(), URL_SAFE, false),
            want.trim_end_matches('=')
        );
    }
    assert_eq!(base64(&[0xfb, 0xff], STANDARD, true), "+/8=");
    assert_eq!(base64(&[0xfb, 0xff], URL_SAFE, false), "-_8");
}

#[test]
fn builder_errors_are_kept_until_request() {
    let fams = [gauge("g", &[], 1.0)];
    type Expect = fn(&PushError) -> bool;
    let cases: [(Pusher, Expect); 7] = [
        (Pusher::new("h", ""), |e| matches!(e, PushError::EmptyJob)),
        (
            Pusher::new("h", "j").grouping("9x", "v"),
            |e| matches!(e, PushError::InvalidGroupingName { name } if name == "9x"),
        ),
        (Pusher::new("h", "j").grouping("a-b", "v"), |e| {
            matches!(e, PushError::InvalidGroupingName { .. })
        }),
        (
            Pusher::new("h", "j").grouping("job", "v"),
            |e| matches!(e, PushError::ReservedGroupingName { name } if name == "job"),
        ),
        (Pusher::new("h", "j").grouping("__x", "v"), |e| {
            matches!(e, PushError::ReservedGroupingName { .. })
        }),
        (
            Pusher::new("h", "j").grouping("a", "1").grouping("a", "2"),
            |e| matches!(e, PushError::DuplicateGroupingName { name } if name == "a"),
        ),
        (Pusher::new("h", "j").format(Format::OpenMetrics), |e| {
            matches!(
                e,
                PushError::UnsupportedFormat {
                    format: Format::OpenMetrics
                }
            )
        }),
    ];
    for (pusher, is_expected) in cases {
        let e = pusher.request(Method::Put, &fams).unwrap_err();
        assert!(is_expected(&e), "{e:?}");
        assert!(is_expected(&pusher.error().unwrap()));
        // The first mistake wins over later ones.
        let later = pusher.grouping("1", "x").request(Method::Delete, &[]);
        assert!(is_expected(&later.unwrap_err()));
    }
    assert!(Pusher::new("h", "j").grouping("ok", "v").error().is_none());
}

#[test]
fn invalid_headers_are_refused() {
    for (name, value) in [
        ("", "v"),
        ("a b", "v"),
        ("a:b", "v"),
        ("x", "a\r\nb"),
        ("x", "\0"),
    ] {
        let e = Pusher::new("h", "j")
            .header(name, value)
            .request(Method::Delete, &[]);
        assert!(
            matches!(e, Err(PushError::InvalidHeader { name: ref n }) if n == name),
            "{name:?}: {e:?}"
        );
    }
    assert!(Pusher::new("h", "j")
        .header("X-Tenant", "a\tb é")
        .error()
        .is_none());
}

#[test]
fn pushed_metrics_with_job_or_grouping_labels_are_refused() {
    let p = Pusher::new("h", "j").grouping("instance", "i1");
    let e = p
        .request(
            Method::Put,
            &[gauge("up", &[("a", "1"), ("job", "x")], 1.0)],
        )
        .unwrap_err();
    assert!(matches!(&e, PushError::JobLabelInMetric { family, .. } if family == "up"));
    assert_eq!(
        e.to_string(),
        "pushed metric up ({a=\"1\",job=\"x\"}) already contains a job label"
    );
    // Refused whatever the value, the grouping key's own value included, as Go does.
    for value in ["i1", "other"] {
        let e = p
            .request(Method::Post, &[gauge("up", &[("instance", value)], 1.0)])
            .unwrap_err();
        assert!(
            matches!(&e, PushError::GroupingLabelInMetric { label, family, .. }
                if label == "instance" && family == "up"),
            "{e:?}"
        );
    }
    // Without the grouping label, the same metric is fine.
    assert!(Pusher::new("h", "j")
        .request(Method::Put, &[gauge("up", &[("instance", "x")], 1.0)])
        .is_ok());
}

#[test]
fn duplicate_families_are_refused() {
    let fams = [
        gauge("a", &[], 1.0),
        gauge("b", &[], 1.0),
        gauge("a", &[("x", "y")], 2.0),
    ];
    let e = Pusher::new("h", "j")
        .request(Method::Put, &fams)
        .unwrap_err();
    assert!(
        matches!(&e, PushError::DuplicateFamily { name } if name == "a"),
        "{e:?}"
    );
}

#[test]
fn delete_has_no_body_and_takes_no_families() {
    let p = Pusher::new("h", "j")
        .header("content-type", "x/y")
        .header("X-A", "1");
    let r = p.request(Method::Delete, &[]).unwrap();
    assert_eq!(r.method, Method::Delete);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("x-a"), Some("1"));
    assert!(matches!(
        p.request(Method::Delete, &[gauge("a", &[], 1.0)]),
        Err(PushError::FamiliesWithDelete)
    ));
}

#[test]
fn bodies_are_the_encoders_output() {
    let fams = [gauge("a", &[("x", "y")], 1.5), gauge("b", &[], 2.0)];
    let proto = Pusher::new("h", "j").request(Method::Put, &fams).unwrap();
    assert_eq!(proto.body, crate::proto::encode(&fams).unwrap());
    assert_eq!(
        proto.header("Content-Type"),
        Some(Format::ProtoDelimited.content_type())
    );
    assert_eq!(crate::proto::decode(&proto.body).unwrap(), fams);

    let text = Pusher::new("h", "j")
        .format(Format::Text)
        .request(Method::Post, &fams)
        .unwrap();
    assert_eq!(text.method.as_str(), "POST");
    assert_eq!(text.body, crate::text::encode(&fams).unwrap().into_bytes());
    assert_eq!(
        text.header("content-type"),
        Some(Format::Text.content_type())
    );

    // An empty push is an empty body: the gateway empties the group.
    assert!(Pusher::new("h", "j")
        .request(Method::Put, &[])
        .unwrap()
        .body
        .is_empty());
}

#[test]
fn encoder_errors_surface() {
    // Text 0.0.4 has no `info` type: the encoder refuses the family.
    let bad = [MetricFamily::new("build", MetricType::Info)
        .with_metric(Metric::new(vec![], Value::Gauge(1.0)))];
    let e = Pusher::new("h", "j")
        .format(Format::Text)
        .request(Method::Put, &bad)
        .unwrap_err();
    assert!(matches!(e, PushError::Encode(_)), "{e:?}");
}

#[test]
fn auth_and_headers() {
    let r = Pusher::new("h", "j")
        .basic_auth("Aladdin", "open sesame")
        .header("Authorization", "Bearer x")
        .header("Content-Type", "x/y")
        .header("X-Scope", "t1")
        .timeout(Duration::from_secs(3))
        .request(Method::Put, &[])
        .unwrap();
    assert_eq!(
        r.headers,
        [
            (
                "Content-Type".to_owned(),
                Format::ProtoDelimited.content_type().to_owned()
            ),
            (
                "Authorization".to_owned(),
                "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_owned()
            ),
            ("X-Scope".to_owned(), "t1".to_owned()),
        ]
    );
    assert_eq!(r.timeout, Some(Duration::from_secs(3)));
}

#[test]
fn success_statuses_are_gos() {
    for (method, ok) in [
        (Method::Put, [200, 202].as_slice()),
        (Method::Post, &[200, 202]),
        (Method::Delete, &[202]),
    ] {
        for status in [100, 200, 201, 202, 204, 301, 400, 404, 500] {
            assert_eq!(
                method.is_success(status),
                ok.contains(&status),
                "{method} {status}"
            );
        }
    }
}

#[test]
fn status_error_reads_like_gos() {
    let e = PushError::Status {
        method: Method::Delete,
        status: 400,
        url: "http://h/metrics/job/j".into(),
        body: "bad".into(),
    };
    assert_eq!(
        e.to_string(),
        "unexpected status code 400 while deleting http://h/metrics/job/j: bad"
    );
}

#[test]
fn debug_output_hides_secrets() {
    let p = Pusher::new("h", "j")
        .basic_auth("user", "hunter2")
        .header("X-Api-Key", "k-secret");
    let r = p.request(Method::Put, &[]).unwrap();
    let credentials = r
        .header("authorization")
        .unwrap()
        .trim_start_matches("Basic ");
    assert_eq!(credentials, "dXNlcjpodW50ZXIy");
    for shown in [format!("{p:?}"), format!("{r:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains(credentials), "{shown}");
        assert!(shown.contains("http://h/metrics/job/j"), "{shown}");
    }
    assert!(!format!("{p:?}").contains("k-secret"));
    assert!(format!("{p:?}").contains("X-Api-Key"));
}

#[test]
fn a_header_given_twice_is_sent_twice() {
    let r = Pusher::new("h", "j")
        .header("X-Tag", "a")
        .header("x-tag", "b")
        .request(Method::Put, &[])
        .unwrap();
    let tags: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("x-tag"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(tags, ["a", "b"]);
}

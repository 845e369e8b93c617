//! What the blocking send puts on the wire and how it reads answers, against a one-shot fake
//! server on 127.0.0.1 (no gateway needed): method, path, headers, body; a non-success status
//! with its body; a timeout.
#![cfg(feature = "push")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use expfmt::push::{Method, PushError, Pusher};
use expfmt::{Format, Metric, MetricFamily, MetricType, Value};

/// What the fake server received.
struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one request with `status` and `answer` as the body and returns what it received.
fn one_shot(status: &'static str, answer: &'static str) -> (String, JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        Received {
            request_line: request_line.trim_end().to_owned(),
            headers,
            body,
        }
    });
    (addr.to_string(), handle)
}

fn family() -> MetricFamily<'static> {
    MetricFamily::new("g", MetricType::Gauge).with_metric(Metric::new(vec![], Value::Gauge(2.5)))
}

#[test]
fn push_sends_method_path_headers_and_body() {
    let (addr, server) = one_shot("200 OK", "");
    Pusher::new(&addr, "j")
        .grouping("instance", "a b")
        .format(Format::Text)
        .basic_auth("user", "pass")
        .header("X-Scope-OrgID", "tenant-1")
        .push(&[family()])
        .unwrap();
    let got = server.join().unwrap();
    assert_eq!(
        got.request_line,
        "PUT /metrics/job/j/instance/a%20b HTTP/1.1"
    );
    assert_eq!(
        got.header("content-type"),
        Some(Format::Text.content_type())
    );
    assert_eq!(got.header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(got.header("x-scope-orgid"), Some("tenant-1"));
    assert_eq!(got.body, b"# TYPE g gauge\ng 2.5\n");
}

#[test]
fn add_posts_protobuf_and_accepts_202() {
    let (addr, server) = one_shot("202 Accepted", "");
    Pusher::new(&addr, "j").add(&[family()]).unwrap();
    let got = server.join().unwrap();
    assert_eq!(got.request_line, "POST /metrics/job/j HTTP/1.1");
    assert_eq!(
        got.header("content-type"),
        Some(Format::ProtoDelimited.content_type())
    );
    assert_eq!(expfmt::proto::decode(&got.body).unwrap(), [family()]);
}

#[test]
fn delete_sends_no_body_and_wants_202() {
    let (addr, server) = one_shot("202 Accepted", "");
    Pusher::new(&addr, "j").delete().unwrap();
    let got = server.join().unwrap();
    assert_eq!(got.request_line, "DELETE /metrics/job/j HTTP/1.1");
    assert!(got.body.is_empty());
    assert_eq!(got.header("content-type"), None);

    // 200 is success for PUT and POST, not for DELETE (as in Go).
    let (addr, server) = one_shot("200 OK", "deleted?");
    let err = Pusher::new(&addr, "j").delete().unwrap_err();
    server.join().unwrap();
    assert!(
        matches!(&err, PushError::Status { status: 200, method: Method::Delete, body, .. } if body == "deleted?"),
        "{err:?}"
    );
}

#[test]
fn error_status_carries_status_url_and_body_even_with_a_strict_agent() {
    let (addr, server) = one_shot("500 Internal Server Error", "disk full\n");
    // An agent that would turn statuses into errors itself: the body must still arrive.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(true)
        .build()
        .into();
    let pusher = Pusher::new(format!("http://{addr}/"), "j").agent(agent);
    let err = pusher.push(&[family()]).unwrap_err();
    server.join().unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "unexpected status code 500 while pushing to http://{addr}/metrics/job/j: disk full"
        )
    );
}

#[test]
fn timeout_bounds_the_exchange() {
    // A listener that accepts but never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    let err = Pusher::new(addr.to_string(), "j")
        .timeout(Duration::from_millis(300))
        .push(&[family()])
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            &err,
            PushError::Transport {
                source: ureq::Error::Timeout(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    drop(listener);
}

#[test]
fn connection_refused_is_a_transport_error() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    // The listener is dropped: nothing listens there now.
    let err = Pusher::new(addr.to_string(), "j").delete().unwrap_err();
    assert!(
        matches!(
            &err,
            PushError::Transport {
                method: Method::Delete,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("DELETE http://"), "{err}");
}

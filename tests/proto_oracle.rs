//! Byte-for-byte comparison of `proto::encode` with Go's `expfmt` (Debian's prometheus/common
//! 0.39 with client_model 0.3.0), through the oracle in `tests/oracle/`.
//!
//! - Random families (native histograms and exemplars included) are encoded by us, decoded and
//!   re-encoded by Go (`proto2proto`), and Go's bytes must equal ours. Go's older schema lacks
//!   `unit`, the created timestamps and histogram exemplars; it keeps them as unknown fields and
//!   writes them back after its known ones, which is where field-number order puts them too, so
//!   the comparison covers them.
//! - Go parses text expositions and writes them as protobuf (`text2proto`); we decode Go's bytes
//!   and encode them again, and the bytes must be Go's.
//!
//! The oracle is built by `tests/common/oracle.rs` with `tests/oracle/build.sh`. Without Go the
//! tests print that they skipped; with `CI=true` they fail instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::oracle::{oracle, run, Answer};
use expfmt::proto;
use proptest::prelude::*;

/// The offset and both sides of the first difference, for a readable failure.
fn first_difference(ours: &[u8], go: &[u8]) -> String {
    let at = ours
        .iter()
        .zip(go)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(go.len()));
    let window = |b: &[u8]| format!("{:02x?}", &b[at.saturating_sub(8)..(at + 8).min(b.len())]);
    format!(
        "first difference at byte {at} (ours {} bytes, Go {} bytes)\nours: {}\ngo:   {}",
        ours.len(),
        go.len(),
        window(ours),
        window(go)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn go_reencodes_our_bytes_identically(families in common::strategies::families()) {
        let Some(oracle) = oracle() else { return Ok(()) };
        let ours = proto::encode(&families).unwrap();
        let go = match run(oracle, "proto2proto", &ours) {
            Answer::Ok(go) => go,
            Answer::Err(e) => return Err(TestCaseError::fail(format!("Go rejected our bytes: {e}"))),
        };
        prop_assert!(go == ours, "{}", first_difference(&ours, &go));
    }
}

/// Text expositions Go turns into protobuf; the shapes of a real exporter's page.
const TEXT: &str = r#"# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
# HELP http_requests_total Total "HTTP" requests\nmade, by code \\ method.
# TYPE http_requests_total counter
http_requests_total{code="200",method="get"} 1027 1395066363000
http_requests_total{code="400",method="post"} 3 1395066363000
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
# HELP request_seconds A histogram.
# TYPE request_seconds histogram
request_seconds_bucket{path="/a b",le="0.05"} 24054
request_seconds_bucket{path="/a b",le="0.1"} 33444
request_seconds_bucket{path="/a b",le="+Inf"} 144320
request_seconds_sum{path="/a b"} 53423
request_seconds_count{path="/a b"} 144320
# TYPE odd untyped
odd{v="quote \" backslash \\ newline \n é"} -Inf
odd{v="x"} NaN
odd 1e-300
"#;

#[test]
fn we_reencode_go_bytes_identically() {
    let Some(oracle) = oracle() else { return };
    let Answer::Ok(go) = run(oracle, "text2proto", TEXT.as_bytes()) else {
        panic!("Go refused the text");
    };
    let families = proto::decode(&go).unwrap();
    assert_eq!(families.len(), 5);
    let ours = proto::encode(&families).unwrap();
    assert!(ours == go, "{}", first_difference(&ours, &go));
}

/// The text expositions of `tests/data`: parsed by our text parser and encoded by us, they must
/// be the bytes Go's `text2proto` writes for them (Go sorts families by name; so do we here).
/// Then text -> model -> proto -> model -> text is a fixed point.
#[test]
fn text_to_proto_equals_go_on_the_sample_pages() {
    let Some(oracle) = oracle() else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for name in ["node_exporter.prom", "histograms.prom", "escapes.prom"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let mut families = expfmt::text::parse(&text).unwrap();
        families.sort_by(|a, b| a.name.cmp(&b.name));
        let ours = proto::encode(&families).unwrap();
        let Answer::Ok(go) = run(oracle, "text2proto", text.as_bytes()) else {
            panic!("Go refused {name}");
        };
        assert!(ours == go, "{name}: {}", first_difference(&ours, &go));

        let back = proto::decode(&ours).unwrap();
        // Debug text, so NaN compares equal to itself.
        assert_eq!(
            format!("{back:?}"),
            format!("{families:?}"),
            "{name}: text -> proto -> model"
        );
        let again = expfmt::text::encode(&back).unwrap();
        assert_eq!(again, expfmt::text::encode(&families).unwrap(), "{name}");
    }
}

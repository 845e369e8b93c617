//! Any bytes as a pushed body: the first byte picks the Content-Type and Content-Encoding, the
//! rest is the body. `ingest::decode` never panics, never lets an inflated body past the cap,
//! keeps its messages short; whatever it accepts goes through `ingest::check` without panic.
#![no_main]

use expfmt::{ingest, Limits};
use libfuzzer_sys::fuzz_target;

const TYPES: [Option<&str>; 4] = [
    None,
    Some("text/plain; version=0.0.4"),
    Some("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"),
    Some("application/openmetrics-text; version=1.0.0"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = TYPES[usize::from(selector & 3)];
    let encoding = (selector & 4 != 0).then_some("gzip");
    // A small cap, so a few bytes of gzip can try to pass it.
    let mut limits = Limits::default();
    limits.max_body = 64 << 10;
    match ingest::decode(content_type, encoding, body, &limits) {
        Ok(families) => {
            let _ = ingest::check(&families);
        }
        Err(e) => assert!(e.to_string().len() <= 256, "long error: {e}"),
    }
});

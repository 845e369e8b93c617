//! Whatever parses as OpenMetrics: its encoding is a fixed point
//! (encode(parse(encode(parse(x)))) == encode(parse(x))), and the model survives protobuf:
//! OpenMetrics -> model -> protobuf -> model -> OpenMetrics writes the same bytes, for every
//! family protobuf can carry (info and stateset cannot). UTF-8 names are on throughout.
#![no_main]

use expfmt::MetricType;
use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    let unlimited = expfmt::Limits::unlimited();
    let Ok(input) = std::str::from_utf8(data) else { return Corpus::Reject };
    let Ok(families) = expfmt::openmetrics::parse_utf8(input, &unlimited) else {
        return Corpus::Reject;
    };
    let Ok(once) = expfmt::openmetrics::encode(&families) else { return Corpus::Keep };
    let again = expfmt::openmetrics::parse_utf8(&once, &unlimited)
        .unwrap_or_else(|e| panic!("re-parse of {once:?}: {e}"));
    let twice = expfmt::openmetrics::encode(&again).expect("encodes again");
    assert_eq!(once, twice, "not a fixed point");

    if again.iter().any(|f| matches!(f.metric_type, MetricType::Info | MetricType::StateSet)) {
        return Corpus::Keep;
    }
    let pb = expfmt::proto::encode(&again).unwrap_or_else(|e| panic!("protobuf encode: {e}"));
    let back: Vec<_> = expfmt::proto::Decoder::new(&pb[..])
        .allow_utf8_names(true)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("protobuf decode: {e}"));
    let thrice = expfmt::openmetrics::encode(&back).expect("encodes after protobuf");
    assert_eq!(once, thrice, "changed by protobuf");
    Corpus::Keep
});

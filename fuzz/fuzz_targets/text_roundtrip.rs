//! Whatever parses, encodes (when Go's encoder would) and parses back to the same text:
//! encode(parse(encode(parse(x)))) == encode(parse(x)), with UTF-8 names on (a superset of the
//! legacy syntax), so quoted names round-trip too.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

/// Counts are integers written as floats: from 2^53 on, the written float can round to a
/// different integer, so such counts do not round-trip (in Go's expfmt neither; see
/// tests/regressions/text_roundtrip_count_above_2_53.prom).
fn has_inexact_count(f: &expfmt::MetricFamily<'_>) -> bool {
    const EXACT: u64 = 1 << 53;
    f.metrics.iter().any(|m| match &m.value {
        expfmt::Value::Summary(s) => s.count.is_some_and(|c| c > EXACT),
        expfmt::Value::Histogram(h) => {
            matches!(h.count, Some(expfmt::Count::Int(c)) if c > EXACT)
                || h.buckets.iter().any(|b| matches!(b.count, expfmt::Count::Int(c) if c > EXACT))
        }
        _ => false,
    })
}

fuzz_target!(|data: &[u8]| -> Corpus {
    let Ok(input) = std::str::from_utf8(data) else { return Corpus::Reject };
    let Ok(families) = expfmt::text::parse_utf8(input, &expfmt::Limits::unlimited()) else {
        return Corpus::Reject;
    };
    // Families named like another's _sum/_count/_bucket lines cannot round-trip in this
    // format (Go's neither): their lines are read back into the other family.
    let collide = families.iter().any(|f| {
        ["_sum", "_count", "_bucket"].iter().any(|s| {
            f.name.strip_suffix(s).is_some_and(|base| families.iter().any(|g| g.name == base))
        })
    });
    if collide || families.iter().any(has_inexact_count) {
        return Corpus::Reject;
    }
    let Ok(once) = expfmt::text::encode(&families) else { return Corpus::Keep };
    let again = expfmt::text::parse_utf8(&once, &expfmt::Limits::unlimited())
        .unwrap_or_else(|e| panic!("re-parse of {once:?}: {e}"));
    let twice = expfmt::text::encode(&again).expect("encodes again");
    assert_eq!(once, twice);
    Corpus::Keep
});

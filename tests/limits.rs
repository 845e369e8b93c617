//! Every text-side `Limits` field at, below and above its bound: at the bound parses, one over
//! is `LimitExceeded` naming the limit, at the line where it was passed. (The protobuf side is
//! in tests/proto.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use expfmt::{text, ErrorKind, Limit, Limits};

fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits::unlimited();
    f(&mut l);
    l
}

/// `make(n)` builds an input of size `n` in the limit's unit; `set(limits, n)` sets the bound.
fn at_below_above(
    which: Limit,
    set: fn(&mut Limits, usize),
    make: fn(usize) -> String,
    bound: usize,
    line: usize,
) {
    for n in [bound - 1, bound] {
        let input = make(n);
        let l = limits(|l| set(l, bound));
        assert!(
            text::parse_with_limits(&input, &l).is_ok(),
            "{which:?}: {n} within {bound}"
        );
        let streamed: Result<Vec<_>, _> = text::Families::new(&input, l).collect();
        assert!(streamed.is_ok(), "{which:?} streaming: {n} within {bound}");
    }
    let input = make(bound + 1);
    let l = limits(|l| set(l, bound));
    for e in [
        text::parse_with_limits(&input, &l).unwrap_err(),
        text::Families::new(&input, l)
            .find_map(Result::err)
            .unwrap(),
    ] {
        match e.kind() {
            ErrorKind::LimitExceeded { which: w, limit } => {
                assert_eq!((*w, *limit), (which, bound), "{e}");
            }
            other => panic!("{which:?}: expected LimitExceeded, got {other:?}"),
        }
        assert_eq!(e.line(), Some(line), "{which:?}: {e}");
        assert!(e.is_limit());
    }
}

#[test]
fn max_body() {
    // The body limit is checked first, at the byte where the body passes it.
    at_below_above(
        Limit::Body,
        |l, n| l.max_body = n,
        |n| format!("{}\n", "#".repeat(n - 1)),
        64,
        1,
    );
}

#[test]
fn max_families() {
    at_below_above(
        Limit::Families,
        |l, n| l.max_families = n,
        |n| (0..n).map(|i| format!("m{i} 1\n")).collect(),
        10,
        11,
    );
}

#[test]
fn max_series() {
    at_below_above(
        Limit::Series,
        |l, n| l.max_series = n,
        |n| (0..n).map(|i| format!("m{{i=\"{i}\"}} 1\n")).collect(),
        10,
        11,
    );
}

#[test]
fn max_series_counts_summary_series_not_lines() {
    let input =
        "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 2\ns_sum 3\ns_count 4\n";
    assert!(text::parse_with_limits(input, &limits(|l| l.max_series = 1)).is_ok());
}

#[test]
fn max_labels() {
    at_below_above(
        Limit::Labels,
        |l, n| l.max_labels = n,
        |n| {
            let labels: Vec<String> = (0..n).map(|i| format!("l{i}=\"v\"")).collect();
            format!("m{{{}}} 1\n", labels.join(","))
        },
        8,
        1,
    );
}

#[test]
fn max_name_len() {
    at_below_above(
        Limit::NameLength,
        |l, n| l.max_name_len = n,
        |n| format!("{} 1\n", "m".repeat(n)),
        32,
        1,
    );
    at_below_above(
        Limit::NameLength,
        |l, n| l.max_name_len = n,
        |n| format!("m{{{}=\"v\"}} 1\n", "l".repeat(n)),
        32,
        1,
    );
}

#[test]
fn max_label_value_len_counts_unescaped_bytes() {
    at_below_above(
        Limit::LabelValueLength,
        |l, n| l.max_label_value_len = n,
        |n| format!("m{{l=\"{}\"}} 1\n", "v".repeat(n)),
        16,
        1,
    );
    // 16 escaped quotes are 32 bytes raw but 16 unescaped: within a bound of 16.
    let input = format!("m{{l=\"{}\"}} 1\n", "\\\"".repeat(16));
    assert!(text::parse_with_limits(&input, &limits(|l| l.max_label_value_len = 16)).is_ok());
}

#[test]
fn default_limits_are_usable_directly() {
    // hostile-inputs item 41: Limits::default() used as is.
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/node_exporter.prom"
    ))
    .unwrap();
    assert!(text::parse_with_limits(&page, &Limits::default()).is_ok());
}

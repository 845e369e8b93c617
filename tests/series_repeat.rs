//! Summary and histogram lines that repeat the previous line's labels (the usual bucket and
//! quantile runs) take a shorter path in the family builder: it matches the text of the labels
//! before the last `le` / `quantile` against the previous line's instead of collecting and
//! comparing the labels. A comment line between two lines turns that path off, so the same
//! input with `#` lines between all its lines must give the same families, or the same error
//! on the corresponding line and column.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use expfmt::{text, Limits};
use proptest::prelude::*;

/// `input` with a comment line after every line: line `n` becomes line `2n - 1`.
fn spaced(input: &str) -> String {
    input.lines().map(|l| format!("{l}\n#\n")).collect()
}

/// The same error kind, on the line that became line `2n - 1`, at the same column.
fn same_error(a: &expfmt::Error, b: &expfmt::Error, input: &str) {
    assert_eq!(
        format!("{:?}", a.kind()),
        format!("{:?}", b.kind()),
        "input:\n{input}"
    );
    assert_eq!(a.line().map(|l| 2 * l - 1), b.line(), "input:\n{input}");
    assert_eq!(a.column(), b.column(), "input:\n{input}");
}

/// Parses `input` and its [`spaced`] copy, collecting and streaming, with quoted names read
/// or not, and checks they agree.
fn check(input: &str, limits: &Limits, utf8: bool) {
    let parse = |s| {
        if utf8 {
            text::parse_utf8(s, limits)
        } else {
            text::parse_with_limits(s, limits)
        }
    };
    let stream = |s| text::Families::new(s, *limits).utf8_names(utf8);
    let plain = parse(input);
    let other = spaced(input);
    let slow = parse(&other);
    match (&plain, &slow) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "input:\n{input}"),
        (Err(a), Err(b)) => {
            same_error(a, b, input);
        }
        _ => panic!("input:\n{input}\nrepeat path: {plain:?}\nwithout: {slow:?}"),
    }
    let streamed: Result<Vec<_>, _> = stream(input).collect();
    let streamed_slow: Result<Vec<_>, _> = stream(&other).collect();
    match (&streamed, &streamed_slow) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "input:\n{input}"),
        (Err(a), Err(b)) => same_error(a, b, input),
        _ => panic!("input:\n{input}\nstreamed: {streamed:?}\nwithout: {streamed_slow:?}"),
    }
}

#[test]
fn bucket_runs_group_as_without_the_shortcut() {
    let input = "# TYPE h histogram\n\
        h_bucket{a=\"1\",le=\"0.5\"} 1\n\
        h_bucket{a=\"1\",le=\"+Inf\"} 2\n\
        h_bucket{a=\"2\",le=\"0.5\"} 3\n\
        h_bucket{a=\"1\",le=\"1\"} 4\n\
        h_bucket{ a=\"2\",le=\"+Inf\"} 5 17\n\
        h_bucket{\"a\"=\"2\",le=\"2\"} 6\n\
        h_sum{a=\"1\"} 3\n\
        h_count{a=\"1\"} 2\n\
        h_bucket{le=\"1\"} 1\n\
        h_bucket{le=\"2\"} 1\n\
        h_bucket{le=\"x\"} 1\n";
    check(input, &Limits::unlimited(), true);
    check(input, &Limits::unlimited(), false);
    let err = text::parse_utf8(input, &Limits::unlimited()).unwrap_err();
    assert_eq!(err.line(), Some(12));
}

/// A run of lines of one summary or histogram family with one label set and name (the shape
/// the shortcut is for), from a few label sets, names and bounds, with the mistakes the
/// shortcut must still catch: duplicate labels, bad or long bounds, a line that breaks the run.
fn run(kind: &'static str) -> BoxedStrategy<String> {
    let special = if kind == "summary" { "quantile" } else { "le" };
    let name = prop_oneof![
        8 => Just(if kind == "summary" { "m" } else { "m_bucket" }),
        1 => Just("m_sum"),
        1 => Just("m_count"),
        1 => Just("m_other"),
    ];
    let label = prop_oneof![
        Just("a=\"1\""),
        Just("a=\"2\""),
        Just("b=\"x\\\\y\""),
        Just("\"a\"=\"1\""),
        Just("a=\"1\",b=\"2\""),
        Just("b=\"2\",a=\"1\""),
        Just("a=\"0123456789\""),
    ];
    let labels = proptest::collection::vec(label, 0..3);
    // Bounds of one length that read differently, and ones that do not read at all.
    let bound = prop_oneof![
        Just("0.5"),
        Just("0.7"),
        Just("1e3"),
        Just("NaN"),
        Just("1"),
        Just("2"),
        Just("x"),
        Just("+Inf"),
        Just("0\\n5"),
        Just("0.123456789"),
    ];
    let last = prop_oneof![
        12 => bound.prop_map(move |b| format!("{special}=\"{b}\"")),
        1 => Just(String::new()),
        1 => Just(format!("a=\"1\",{special}=\"1\"")),
        1 => Just("a=\"3\"".to_owned()),
    ];
    let space = prop_oneof![4 => Just(""), 1 => Just(" ")];
    let stamp = prop_oneof![4 => Just(""), 1 => Just(" 1700000000000")];
    let tail = (last, 0u32..10, stamp);
    (name, labels, space, proptest::collection::vec(tail, 1..8))
        .prop_map(|(name, labels, space, tails)| {
            let mut lines = String::new();
            for (last, value, stamp) in tails {
                let mut all = labels.iter().map(|s| s.to_string()).collect::<Vec<_>>();
                if !last.is_empty() {
                    all.push(last);
                }
                let all = all.join(",");
                lines.push_str(&format!("{name}{{{space}{all}}} {value}{stamp}\n"));
            }
            lines
        })
        .boxed()
}

fn page() -> impl Strategy<Value = String> {
    prop_oneof![Just("histogram"), Just("summary")].prop_flat_map(|kind| {
        let body = prop_oneof![
            12 => run(kind),
            1 => Just("# HELP m_bucket text\n".to_owned()),
            1 => Just("\n".to_owned()),
            1 => Just("other 1\n".to_owned()),
        ];
        proptest::collection::vec(body, 1..12)
            .prop_map(move |runs| format!("# TYPE m {kind}\n{}", runs.concat()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn repeated_lines_parse_as_without_the_shortcut(
        input in page(),
        short in any::<bool>(),
        utf8 in any::<bool>(),
    ) {
        let mut limits = Limits::unlimited();
        if short {
            // Some bounds are longer than this, some label values too.
            limits.max_label_value_len = 9;
        }
        check(&input, &limits, utf8);
    }
}

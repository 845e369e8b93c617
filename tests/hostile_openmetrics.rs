//! Hostile inputs from ../shared/spec/hostile-inputs.md, through the OpenMetrics parser: each
//! ends in a typed error at a pinned position, or in the right parse, never a panic. Rows are
//! named after the spec's items ("T" = the first list's text items, "H" = the "more hostile
//! inputs" list), as in tests/hostile.rs for text 0.0.4.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use expfmt::openmetrics;
use expfmt::{ErrorKind, Limit, Limits, MetricFamily, MetricType, Value};

/// What a case must give.
enum Want {
    /// Parses into this many families and series.
    Ok(usize, usize),
    /// Fails with a kind matching the predicate, at this line and column.
    Err(fn(&ErrorKind) -> bool, usize, usize),
}

fn check(id: &str, input: &[u8], want: Want) {
    let got = openmetrics::parse_bytes(input);
    match (want, got) {
        (Want::Ok(fams, series), Ok(fs)) => {
            let n: usize = fs.iter().map(|f| f.metrics.len()).sum();
            assert_eq!((fs.len(), n), (fams, series), "{id}");
        }
        (Want::Err(kind, line, col), Err(e)) => {
            assert!(kind(e.kind()), "{id}: wrong kind {:?} ({e})", e.kind());
            assert_eq!((e.line(), e.column()), (Some(line), Some(col)), "{id}: {e}");
            assert!(e.to_string().len() <= 256, "{id}: message too long");
        }
        (Want::Ok(..), Err(e)) => panic!("{id}: expected a parse, got {e}"),
        (Want::Err(..), Ok(fs)) => panic!("{id}: expected an error, got {fs:?}"),
    }
}

fn parse(input: &str) -> Vec<MetricFamily<'_>> {
    openmetrics::parse(input).unwrap_or_else(|e| panic!("{e}"))
}

fn missing_eof(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::MissingEof)
}
fn after_eof(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::TextAfterEof)
}
fn syntax(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::Syntax { .. })
}
fn bad_value(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidValue { .. })
}
fn bad_ts(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidTimestampSeconds { .. })
}
fn bad_name(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidMetricName)
}
fn bad_label_name(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidLabelName)
}
fn utf8(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidUtf8)
}
fn clash(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::NameClash { .. })
}
fn sample_value(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidSampleValue { .. })
}
fn point(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidMetricPoint { .. })
}

#[test]
fn t1_empty_and_comment_only_inputs() {
    check("T1 empty", b"", Want::Err(missing_eof, 1, 1));
    check("T1 newline", b"\n", Want::Err(syntax, 1, 1));
    check("T1 comments", b"# a\n# EOF\n", Want::Err(syntax, 1, 3));
    check("T1 only # EOF", b"# EOF\n", Want::Ok(0, 0));
    check("T1 only # EOF, no newline", b"# EOF", Want::Ok(0, 0));
}

#[test]
fn t2_giant_lines() {
    let n = 10 << 20;
    let name = format!("{} 1\n# EOF\n", "a".repeat(n));
    check("T2 10 MB name", name.as_bytes(), Want::Ok(1, 1));
    let value = format!("m{{l=\"{}\"}} 1\n# EOF\n", "v".repeat(n));
    check("T2 10 MB label value", value.as_bytes(), Want::Ok(1, 1));
    let help = format!("# HELP m {}\nm 1\n# EOF\n", "h".repeat(n));
    check("T2 10 MB HELP", help.as_bytes(), Want::Ok(1, 1));
    let unterminated = "a".repeat(n);
    check(
        "T2 10 MB, no newline",
        unterminated.as_bytes(),
        Want::Err(syntax, 1, n + 1),
    );
}

#[test]
fn t3_many_labels_and_families() {
    let labels: Vec<String> = (0..100_000).map(|i| format!("l{i}=\"v\"")).collect();
    let line = format!("m{{{}}} 1\n# EOF\n", labels.join(","));
    check("T3 100k labels", line.as_bytes(), Want::Ok(1, 1));
    let mut many = String::new();
    for i in 0..100_000 {
        many.push_str(&format!("m{i} 1\n"));
    }
    many.push_str("# EOF\n");
    check(
        "T3 100k families",
        many.as_bytes(),
        Want::Ok(100_000, 100_000),
    );
}

#[test]
fn t4_escape_heavy_values() {
    let n = 1 << 20;
    let backslashes = format!("m{{l=\"{}\"}} 1\n# EOF\n", "\\\\".repeat(n));
    let fs = parse(&backslashes);
    assert_eq!(fs[0].metrics[0].label("l").map(str::len), Some(n));
    let quotes = format!("m{{l=\"{}\"}} 1\n# EOF\n", "\\\"".repeat(n));
    let fs = parse(&quotes);
    assert_eq!(fs[0].metrics[0].label("l").map(str::len), Some(n));
    check(
        "T4 escape at end of input",
        b"m{l=\"\\",
        Want::Err(syntax, 1, 7),
    );
}

#[test]
fn t5_unterminated_structures() {
    check("T5 value", b"a{b=\"c 1\n# EOF\n", Want::Err(syntax, 1, 9));
    check(
        "T5 label set",
        b"a{b=\"c\"\n# EOF\n",
        Want::Err(syntax, 1, 8),
    );
    check("T5 } without {", b"a} 1\n# EOF\n", Want::Err(syntax, 1, 2));
}

#[test]
fn t6_other_escapes_stand_for_themselves() {
    // The ABNF allows a backslash before any character; only \\ \" \n are decoded.
    for (escape, decoded) in [("\\t", "\\t"), ("\\x41", "\\x41"), ("\\u0041", "\\u0041")] {
        let input = format!("# HELP m h{escape}\nm{{l=\"{escape}\"}} 1\n# EOF\n");
        let fs = parse(&input);
        assert_eq!(fs[0].metrics[0].label("l"), Some(decoded));
        assert_eq!(fs[0].help.as_deref(), Some(format!("h{decoded}").as_str()));
    }
}

#[test]
fn t7_h17_nul_and_control_characters() {
    let fs = parse("# HELP m x\0y\nm{l=\"a\0b\"} 1\n# EOF\n");
    assert_eq!(fs[0].help.as_deref(), Some("x\0y"));
    assert_eq!(fs[0].metrics[0].label("l"), Some("a\0b"));
    check(
        "H17 NUL in a name",
        b"a\0b 1\n# EOF\n",
        Want::Err(syntax, 1, 2),
    );
    check(
        "T7 tab in a name",
        b"a\tb 1\n# EOF\n",
        Want::Err(syntax, 1, 2),
    );
}

#[test]
fn t8_h15_invalid_utf8() {
    for (id, bytes, col) in [
        ("lone continuation", &b"m{l=\"\x80\"} 1\n# EOF\n"[..], 6),
        ("overlong", b"m{l=\"\xc0\xaf\"} 1\n# EOF\n", 6),
        ("surrogate", b"m{l=\"\xed\xa0\x80\"} 1\n# EOF\n", 6),
        ("truncated at end", b"# HELP m \xe2\x82", 10),
        ("HELP", b"# HELP m \xff\n# EOF\n", 10),
    ] {
        check(id, bytes, Want::Err(utf8, 1, col));
    }
}

#[test]
fn t9_numbers_and_timestamps() {
    for ok in [
        "-0", ".5", "5.", "Infinity", "+Inf", "inf", "NaN", "1e-400", "0001.5e1",
    ] {
        check(ok, format!("a {ok}\n# EOF\n").as_bytes(), Want::Ok(1, 1));
    }
    for bad in [
        "1e999999999",
        "0x1p3",
        "0x10",
        "1_000",
        "NaNx",
        "+",
        "-",
        "e5",
        "+nan",
    ] {
        check(
            bad,
            format!("a {bad}\n# EOF\n").as_bytes(),
            Want::Err(bad_value, 1, 3),
        );
    }
    // 10 000 digits: beyond the f64 range as an integer (an error, as a finite spelling that
    // overflows is), fine as a fraction.
    let digits = "1".repeat(10_000);
    check(
        "10 000 digits",
        format!("a {digits}\n# EOF\n").as_bytes(),
        Want::Err(bad_value, 1, 3),
    );
    check(
        "10 000 fraction digits",
        format!("a 0.{digits}\n# EOF\n").as_bytes(),
        Want::Ok(1, 1),
    );
    check(
        "10 000 digit timestamp",
        format!("a 1 0.{digits}\n# EOF\n").as_bytes(),
        Want::Ok(1, 1),
    );
    for ok in ["1.5", "1e3", "9223372036854775808", "-9223372036854775809"] {
        check(ok, format!("a 1 {ok}\n# EOF\n").as_bytes(), Want::Ok(1, 1));
    }
    let fs = parse("a 1 9223372036854775808\n# EOF\n");
    assert_eq!(fs[0].metrics[0].timestamp_ms, Some(i64::MAX), "saturates");
    for bad in ["NaN", "Inf", "-inf", "0x1p3", "1_0", "1e400"] {
        check(
            bad,
            format!("a 1 {bad}\n# EOF\n").as_bytes(),
            Want::Err(bad_ts, 1, 5),
        );
    }
}

#[test]
fn t10_series_rules() {
    check(
        "T10 same series twice, no timestamps",
        b"# TYPE a gauge\na 1\na 2\n# EOF\n",
        Want::Ok(1, 2),
    );
    check(
        "T10 same label twice",
        b"a{b=\"1\",b=\"2\"} 1\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::DuplicateLabel { .. }), 1, 9),
    );
    let mut unsorted = String::from("# TYPE h histogram\n");
    for i in (0..10_000).rev() {
        unsorted.push_str(&format!("h_bucket{{le=\"{i}\"}} 0\n"));
    }
    unsorted.push_str("# EOF\n");
    check(
        "T10 unsorted le",
        unsorted.as_bytes(),
        Want::Err(point, 3, 1),
    );
    check(
        "T10 le not a number",
        b"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::InvalidBucketBound { .. }), 2, 14),
    );
    check(
        "T10 quantile outside [0, 1]",
        b"# TYPE s summary\ns{quantile=\"2\"} 1\n# EOF\n",
        Want::Err(sample_value, 2, 13),
    );
}

#[test]
fn t11_type_and_help_lines() {
    check(
        "T11 TYPE twice",
        b"# TYPE a gauge\n# TYPE a gauge\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::DuplicateType { .. }), 2, 8),
    );
    check(
        "T11 TYPE after samples",
        b"a 1\n# TYPE a gauge\n# EOF\n",
        Want::Err(
            |k| matches!(k, ErrorKind::MetadataAfterSamples { .. }),
            2,
            8,
        ),
    );
    check(
        "T11 HELP twice",
        b"# HELP a x\n# HELP a y\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::DuplicateHelp { .. }), 2, 8),
    );
    check(
        "T11 unknown type",
        b"# TYPE a bogus\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::UnknownType { .. }), 1, 10),
    );
    check(
        "T11 TYPE without a name",
        b"# TYPE\n# EOF\n",
        Want::Err(syntax, 1, 7),
    );
    check(
        "T11 HELP without a name",
        b"# HELP \n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::InvalidMetricNameInComment), 1, 8),
    );
}

#[test]
fn t12_interleaved_families_are_an_error() {
    check(
        "T12 a, b, a",
        b"a 1\nb 1\na 2\n# EOF\n",
        Want::Err(clash, 3, 1),
    );
}

#[test]
fn t13_h18_whitespace_and_line_ends() {
    check("T13 CRLF", b"a 1\r\n# EOF\r\n", Want::Err(bad_value, 1, 3));
    check("T13 lone CR", b"a 1\r# EOF\n", Want::Err(bad_value, 1, 3));
    check("T13 tab", b"a\t1\n# EOF\n", Want::Err(syntax, 1, 2));
    check(
        "T13 two spaces",
        b"a  1\n# EOF\n",
        Want::Err(bad_value, 1, 3),
    );
    check(
        "T13 trailing space",
        b"a 1 \n# EOF\n",
        Want::Err(bad_ts, 1, 5),
    );
    check(
        "T13 space in labels",
        b"a{b=\"1\", c=\"2\"} 1\n# EOF\n",
        Want::Err(bad_label_name, 1, 9),
    );
}

#[test]
fn t14_quoted_names_are_not_openmetrics_1_0() {
    check(
        "T14 quoted name",
        b"{\"my.metric\", \"a.b\"=\"c\"} 1\n# EOF\n",
        Want::Err(bad_name, 1, 1),
    );
    check(
        "T14 unterminated",
        b"{\"my.metric 1\n# EOF\n",
        Want::Err(bad_name, 1, 1),
    );
}

#[test]
fn t15_openmetrics_rules() {
    check("T15 missing # EOF", b"a 1\n", Want::Err(missing_eof, 2, 1));
    check(
        "T15 data after # EOF",
        b"# EOF\na 1\n",
        Want::Err(after_eof, 2, 1),
    );
    let long = format!(
        "# TYPE c counter\nc_total 1 # {{l=\"{}\"}} 1\n# EOF\n",
        "x".repeat(10_000)
    );
    check(
        "T15 exemplar of 10 000 characters",
        long.as_bytes(),
        Want::Err(
            |k| matches!(k, ErrorKind::ExemplarTooLong { length: 10_001 }),
            2,
            13,
        ),
    );
    check(
        "T15 exemplar on a gauge",
        b"# TYPE g gauge\ng 1 # {a=\"b\"} 1\n# EOF\n",
        Want::Err(|k| matches!(k, ErrorKind::ExemplarNotAllowed), 2, 5),
    );
    check(
        "T15 _created before its family",
        b"a_created 1\n# TYPE a counter\na_total 1\n# EOF\n",
        Want::Err(clash, 3, 1),
    );
    check(
        "T15 stateset value 2",
        b"# TYPE s stateset\ns{s=\"x\"} 2\n# EOF\n",
        Want::Err(sample_value, 2, 10),
    );
}

#[test]
fn h1_h2_h3_h4_braces_and_hashes() {
    check("H1 {}", b"{}\n# EOF\n", Want::Err(bad_name, 1, 1));
    check("H1 {} 1", b"{} 1\n# EOF\n", Want::Err(bad_name, 1, 1));
    check("H2 {A}0", b"a{A}0\n# EOF\n", Want::Err(syntax, 1, 4));
    check(
        "H2 {A,b=\"c\"} 1",
        b"a{A,b=\"c\"} 1\n# EOF\n",
        Want::Err(syntax, 1, 4),
    );
    check(
        "H3 labels, no name",
        b"{host=\"local\"} 1\n# EOF\n",
        Want::Err(bad_name, 1, 1),
    );
    check("H4 #", b"#", Want::Err(syntax, 1, 2));
    check("H4 # tab", b"#\t\n# EOF\n", Want::Err(syntax, 1, 2));
    check("H4 # 1 tab", b"# 1 \t \n# EOF\n", Want::Err(syntax, 1, 3));
}

/// The shapes that are quadratic in some parsers (many labels on one line, a value of escapes,
/// many lines of labels) parse completely at 100 000 elements. Their linearity is measured by
/// `benches/scaling.rs` (`om_*` groups), not timed here: a timed test fails on a loaded machine.
#[test]
fn h5_h6_h7_labels_and_escapes_parse_whole() {
    let n = 100_000;
    let labels: Vec<String> = (0..n).map(|i| format!("l{i}=\"v\"")).collect();
    let input = format!("m{{{}}} 1\n# EOF\n", labels.join(","));
    let fs = openmetrics::parse(&input).unwrap();
    assert_eq!(fs[0].metrics[0].labels.len(), n);
    let input = format!("m{{l=\"{}\"}} 1\n# EOF\n", "\\\"".repeat(n));
    let fs = openmetrics::parse(&input).unwrap();
    assert_eq!(fs[0].metrics[0].labels[0].value, "\"".repeat(n));
    let mut s = String::from("# TYPE m gauge\n");
    for i in 0..n / 10 {
        let l: Vec<String> = (0..10).map(|j| format!("l{j}=\"{i}\"")).collect();
        s.push_str(&format!("m{{{}}} 1\n", l.join(",")));
    }
    s.push_str("# EOF\n");
    let fs = openmetrics::parse(&s).unwrap();
    assert_eq!(fs[0].metrics.len(), n / 10);
}

#[test]
fn h21_error_at_the_end_of_a_huge_line() {
    let n = 10 << 20;
    let input = format!("{} x\n# EOF\n", "a".repeat(n));
    let e = openmetrics::parse(&input).unwrap_err();
    assert_eq!((e.line(), e.column()), (Some(1), Some(n + 2)));
    assert!(e.to_string().len() <= 256);
}

#[test]
fn h23_exemplar_of_128_code_points() {
    let ex = |n: usize| {
        format!(
            "# TYPE h histogram\nh_bucket{{le=\"+Inf\"}} 1 # {{a=\"{}\"}} 1\n# EOF\n",
            "é".repeat(n)
        )
    };
    check("H23 128 code points", ex(127).as_bytes(), Want::Ok(1, 1));
    check(
        "H23 129 code points",
        ex(128).as_bytes(),
        Want::Err(
            |k| matches!(k, ErrorKind::ExemplarTooLong { length: 129 }),
            2,
            25,
        ),
    );
}

#[test]
fn h24_empty_names_and_blank_lines() {
    check(
        "H24 \"\" {\"\"}",
        b"# TYPE h histogram\n\"\" {\"\"}\n# EOF\n",
        Want::Err(bad_name, 2, 1),
    );
    check("H24 blank line", b"a 1\n\n# EOF\n", Want::Err(syntax, 2, 1));
    check(
        "H24 data after # EOF",
        b"# EOF\n\n",
        Want::Err(after_eof, 2, 1),
    );
}

#[test]
fn limits_apply() {
    let mut limits = Limits::unlimited();
    limits.max_labels = 2;
    let e = openmetrics::parse_with_limits("a{x=\"1\",y=\"2\",z=\"3\"} 1\n# EOF\n", &limits)
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::LimitExceeded {
            which: Limit::Labels,
            ..
        }
    ));
    assert_eq!((e.line(), e.column()), (Some(1), Some(15)));
    limits = Limits::unlimited();
    limits.max_label_value_len = 3;
    let e = openmetrics::parse_with_limits("a{x=\"1234\"} 1\n# EOF\n", &limits).unwrap_err();
    assert!(e.is_limit());
    limits = Limits::unlimited();
    limits.max_name_len = 3;
    let e = openmetrics::parse_with_limits("abcd 1\n# EOF\n", &limits).unwrap_err();
    assert!(e.is_limit());
}

#[test]
fn h40_encoder_escapes_hostile_values() {
    let family = MetricFamily::new("m", MetricType::Gauge)
        .with_help("a\nb\\ \"c\"")
        .with_metric(expfmt::Metric::new(
            vec![expfmt::Label::new("l", "x\"} 1\n# EOF\n#")],
            Value::Gauge(1.0),
        ));
    let text = openmetrics::encode(std::slice::from_ref(&family)).unwrap();
    assert_eq!(
        text,
        "# HELP m a\\nb\\\\ \\\"c\\\"\n# TYPE m gauge\nm{l=\"x\\\"} 1\\n# EOF\\n#\"} 1.0\n# EOF\n"
    );
    let back = parse(&text);
    assert_eq!(back, [family]);
}

/// Found by the `openmetrics_parse` fuzz target: quoted names of control characters, each
/// escaped to six bytes in the message, made a name-clash error over 256 bytes. The message now
/// stays short for two worst-case names at a large line and column.
#[test]
fn regression_long_clash_message() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/regressions/openmetrics_long_clash_message.om"
    ))
    .unwrap();
    let input = std::str::from_utf8(&input).unwrap();
    let e = openmetrics::parse_utf8(input, &Limits::unlimited()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NameClash { .. }), "{e}");
    assert!(
        e.to_string().len() <= 256,
        "{} bytes: {e}",
        e.to_string().len()
    );

    // The same clash with the longest escapes there are, far into a big input.
    let name: String = std::iter::repeat_n('\u{10ffff}', 100).collect();
    let filler: String = (0..200_000).map(|i| format!("g{i} 1\n")).collect();
    let page = format!("{filler}{{\"{name}\"}} 1\nx 1\n{{\"{name}\"}} 2\n# EOF\n");
    let e = openmetrics::parse_utf8(&page, &Limits::unlimited()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::NameClash { .. }), "{e}");
    assert!(e.line() > Some(200_000));
    assert!(
        e.to_string().len() <= 256,
        "{} bytes: {e}",
        e.to_string().len()
    );
}

//! Hostile text inputs from ../shared/spec/hostile-inputs.md, one row per item: each ends in a
//! typed error at a pinned position, or in the right parse, never a panic. Rows are named after
//! the spec's items ("T" = the first list's text items, "H" = the "more hostile inputs" list).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use expfmt::text;
use expfmt::{ErrorKind, Limit, Limits, MetricType, Value};

/// What a case must give.
enum Want {
    /// Parses into this many families and series.
    Ok(usize, usize),
    /// Fails with a kind matching the predicate, at this line and column.
    Err(fn(&ErrorKind) -> bool, usize, usize),
}

fn check(id: &str, input: &[u8], want: Want) {
    let got = text::parse_bytes(input);
    match (want, got) {
        (Want::Ok(fams, series), Ok(fs)) => {
            let n: usize = fs.iter().map(|f| f.metrics.len()).sum();
            assert_eq!((fs.len(), n), (fams, series), "{id}");
        }
        (Want::Err(kind, line, col), Err(e)) => {
            assert!(kind(e.kind()), "{id}: wrong kind {:?}", e.kind());
            assert_eq!((e.line(), e.column()), (Some(line), Some(col)), "{id}: {e}");
            assert!(e.to_string().len() <= 256, "{id}: message too long");
        }
        (Want::Ok(..), Err(e)) => panic!("{id}: expected a parse, got {e}"),
        (Want::Err(..), Ok(fs)) => panic!("{id}: expected an error, got {fs:?}"),
    }
}

fn eof(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::UnexpectedEof)
}
fn bad_value(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidValue { .. })
}
fn bad_ts(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidTimestamp { .. })
}
fn bad_escape(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidEscape { .. })
}
fn bad_name(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidMetricName)
}
fn utf8(k: &ErrorKind) -> bool {
    matches!(k, ErrorKind::InvalidUtf8)
}

#[test]
fn t1_empty_and_comment_only_inputs() {
    check("T1 empty", b"", Want::Ok(0, 0));
    check("T1 newline", b"\n", Want::Ok(0, 0));
    check("T1 comments", b"# a\n# b\n", Want::Ok(0, 0));
    check("T1 # EOF is a comment", b"# EOF\n", Want::Ok(0, 0));
}

#[test]
fn t2_giant_lines() {
    let n = 10 << 20;
    let name = format!("{} 1\n", "a".repeat(n));
    check("T2 10 MB name", name.as_bytes(), Want::Ok(1, 1));
    let value = format!("m{{l=\"{}\"}} 1\n", "v".repeat(n));
    check("T2 10 MB label value", value.as_bytes(), Want::Ok(1, 1));
    let help = format!("# HELP m {}\nm 1\n", "h".repeat(n));
    check("T2 10 MB HELP", help.as_bytes(), Want::Ok(1, 1));
    let unterminated = "a".repeat(n);
    check(
        "T2 10 MB, no newline",
        unterminated.as_bytes(),
        Want::Err(eof, 1, n + 1),
    );
}

#[test]
fn t3_many_labels_and_families() {
    let labels: Vec<String> = (0..100_000).map(|i| format!("l{i}=\"v\"")).collect();
    let line = format!("m{{{}}} 1\n", labels.join(","));
    let fs = text::parse(&line).unwrap();
    assert_eq!(fs[0].metrics[0].labels.len(), 100_000);
    let mut many = String::new();
    for i in 0..200_000 {
        many.push_str(&format!("m{i} 1\n"));
    }
    check(
        "T3 200k families",
        many.as_bytes(),
        Want::Ok(200_000, 200_000),
    );
}

#[test]
fn t4_escape_heavy_values() {
    let slashes = format!("m{{l=\"{}\"}} 1\n", "\\\\".repeat(1 << 20));
    let fs = text::parse(&slashes).unwrap();
    assert_eq!(fs[0].metrics[0].labels[0].value.len(), 1 << 20);
    let quotes = format!("m{{l=\"{}\"}} 1\n", "\\\"".repeat(1 << 20));
    let fs = text::parse(&quotes).unwrap();
    assert!(fs[0].metrics[0].labels[0].value.bytes().all(|b| b == b'"'));
    check("T4 escape at end", b"m{l=\"\\", Want::Err(eof, 1, 7));
}

#[test]
fn t5_unterminated_structures() {
    check(
        "T5 value",
        b"a{b=\"c 1\n",
        Want::Err(|k| matches!(k, ErrorKind::NewlineInLabelValue), 1, 6),
    );
    check(
        "T5 set",
        b"a{b=\"c\"\n",
        Want::Err(
            |k| matches!(k, ErrorKind::ExpectedLabelSeparator { found: '\n' }),
            1,
            8,
        ),
    );
    check("T5 } alone", b"a} 1\n", Want::Err(bad_value, 1, 2));
}

#[test]
fn t6_invalid_escapes() {
    check("T6 \\t", b"a{b=\"\\t\"} 1\n", Want::Err(bad_escape, 1, 6));
    check(
        "T6 \\x41",
        b"a{b=\"\\x41\"} 1\n",
        Want::Err(bad_escape, 1, 6),
    );
    check(
        "T6 \\u0041",
        b"a{b=\"\\u0041\"} 1\n",
        Want::Err(bad_escape, 1, 6),
    );
    check(
        "T6 HELP \\t",
        b"# HELP a x\\ty\n",
        Want::Err(bad_escape, 1, 11),
    );
    check(
        "T6 HELP \\\"",
        b"# HELP a \\\"\n",
        Want::Err(bad_escape, 1, 10),
    );
}

#[test]
fn t7_h17_nul_and_control_characters() {
    let fs = text::parse_bytes(b"a{b=\"x\0y\x01\"} 1\n# HELP a x\0y\n").unwrap();
    assert_eq!(fs[0].metrics[0].label("b"), Some("x\0y\u{1}"));
    assert_eq!(fs[0].help.as_deref(), Some("x\0y"));
    check("H17 NUL in name", b"a\0b 1\n", Want::Err(bad_value, 1, 2));
}

#[test]
fn t8_h15_h16_invalid_utf8() {
    check(
        "T8 continuation byte",
        b"a{b=\"\x80\"} 1\n",
        Want::Err(utf8, 1, 6),
    );
    check(
        "T8 overlong",
        b"a{b=\"\xc0\xaf\"} 1\n",
        Want::Err(utf8, 1, 6),
    );
    check(
        "T8 surrogate",
        b"a{b=\"\xed\xa0\x80\"} 1\n",
        Want::Err(utf8, 1, 6),
    );
    check(
        "T8 truncated at end",
        b"a 1\n# \xe2\x82",
        Want::Err(utf8, 2, 3),
    );
    check("H15", b"a{b=\"\xff\"} 1\n", Want::Err(utf8, 1, 6));
    check("H16 HELP", b"# HELP a \xff\n", Want::Err(utf8, 1, 10));
    check("H16 comment", b"# \xff\xfe\n", Want::Err(utf8, 1, 3));
}

#[test]
fn t9_h10_h11_numbers_and_timestamps() {
    for ok in ["-0", ".5", "5.", "Infinity", "+Inf", "inf"] {
        check(ok, format!("a {ok}\n").as_bytes(), Want::Ok(1, 1));
    }
    let mantissa = format!("a 1{}\n", "0".repeat(10_000));
    check(
        "T9 10k digits",
        mantissa.as_bytes(),
        Want::Err(bad_value, 1, 3),
    );
    for bad in [
        "1e999999999",
        "0x1p3",
        "0x10",
        "1_000",
        "+",
        "-",
        "e5",
        "NaNx",
    ] {
        check(
            bad,
            format!("a {bad}\n").as_bytes(),
            Want::Err(bad_value, 1, 3),
        );
    }
    for bad in ["9223372036854775808", "-9223372036854775809", "1.5", "1e3"] {
        check(
            bad,
            format!("a 1 {bad}\n").as_bytes(),
            Want::Err(bad_ts, 1, 5),
        );
    }
}

#[test]
fn t10_h12_h13_h14_series_rules() {
    check("T10 same series twice", b"a 1\na 1\n", Want::Ok(1, 2));
    check(
        "T10 label twice",
        b"a{b=\"1\",b=\"1\"} 1\n",
        Want::Err(|k| matches!(k, ErrorKind::DuplicateLabel { .. }), 1, 9),
    );
    let mut unsorted = String::from("# TYPE h histogram\n");
    for i in (0..10_000).rev() {
        unsorted.push_str(&format!("h_bucket{{le=\"{i}\"}} {i}\n"));
    }
    let fs = text::parse(&unsorted).unwrap();
    let Value::Histogram(h) = &fs[0].metrics[0].value else {
        panic!()
    };
    assert_eq!(h.buckets.len(), 10_000);
    check(
        "H14 le not a number",
        b"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
        Want::Err(|k| matches!(k, ErrorKind::InvalidBucketBound { .. }), 2, 14),
    );
    check(
        "T10 quantile out of range (accepted, as Go)",
        b"# TYPE s summary\ns{quantile=\"2\"} 1\n",
        Want::Ok(1, 1),
    );
    check(
        "H12 negative bucket (accepted, as Go)",
        b"# TYPE h histogram\nh_bucket{le=\"1\"} -5\n",
        Want::Ok(1, 1),
    );
    check(
        "H13 summary of sum and count",
        b"# TYPE s summary\ns_sum 1\ns_count 2\n",
        Want::Ok(1, 1),
    );
}

#[test]
fn t11_type_and_help_lines() {
    let dup_type = |k: &ErrorKind| matches!(k, ErrorKind::DuplicateType { .. });
    check(
        "T11 TYPE twice",
        b"# TYPE a gauge\n# TYPE a gauge\n",
        Want::Err(dup_type, 2, 8),
    );
    check(
        "T11 TYPE after samples",
        b"a 1\n# TYPE a gauge\n",
        Want::Err(dup_type, 2, 8),
    );
    check(
        "T11 HELP twice",
        b"# HELP a x\n# HELP a y\n",
        Want::Err(|k| matches!(k, ErrorKind::DuplicateHelp { .. }), 2, 8),
    );
    check(
        "T11 unknown type",
        b"# TYPE a info\n",
        Want::Err(|k| matches!(k, ErrorKind::UnknownType { .. }), 1, 10),
    );
    check("T11 TYPE without name", b"# TYPE\n", Want::Ok(0, 0));
    check("T11 HELP without name", b"# HELP \n", Want::Ok(0, 0));
}

#[test]
fn t12_interleaved_families_merge() {
    let fs = text::parse("a 1\nb 1\na 2\n").unwrap();
    assert_eq!((fs.len(), fs[0].metrics.len()), (2, 2));
}

#[test]
fn t13_h18_whitespace_and_line_ends() {
    check("T13 CRLF", b"a 1\r\n", Want::Err(bad_value, 1, 3));
    check("T13 lone CR", b"a 1\rb 2\n", Want::Err(bad_value, 1, 3));
    check(
        "T13 tabs and spaces",
        b"a\t \t{ b = \"c\" }\t 1\n",
        Want::Ok(1, 1),
    );
    check("T13 trailing space", b"a 1 \n", Want::Err(bad_ts, 1, 5));
}

#[test]
fn t14_quoted_names_are_not_the_classic_syntax() {
    check(
        "T14",
        b"{\"my.metric\", \"a.b\"=\"c\"} 1\n",
        Want::Err(bad_name, 1, 1),
    );
}

#[test]
fn h1_h2_h3_h4_braces_and_hashes() {
    check("H1 {}", b"{}\n", Want::Err(bad_name, 1, 1));
    check("H1 {} 1", b"{} 1\n", Want::Err(bad_name, 1, 1));
    let eq = |k: &ErrorKind| matches!(k, ErrorKind::ExpectedEquals { .. });
    check("H2 {A}0", b"a{A}0\n", Want::Err(eq, 1, 4));
    check("H2 {A,b}", b"a{A,b=\"c\"} 1\n", Want::Err(eq, 1, 4));
    check(
        "H3 labels without a name",
        b"{host=\"local\"} 1\n",
        Want::Err(bad_name, 1, 1),
    );
    check("H4 #", b"#\n", Want::Ok(0, 0));
    check("H4 #\\t", b"#\t\n", Want::Ok(0, 0));
    check("H4 # 1 \\t ", b"# 1 \t \n", Want::Ok(0, 0));
}

#[test]
fn h8_h9_values_with_separators_inside() {
    let fs = text::parse("a{b=\"x,y=z\"} 1\na{b=\"q\\\"}\"} 2\n").unwrap();
    assert_eq!(fs[0].metrics[0].labels.len(), 1);
    assert_eq!(fs[0].metrics[0].label("b"), Some("x,y=z"));
    assert_eq!(fs[0].metrics[1].label("b"), Some("q\"}"));
}

#[test]
fn h19_missing_final_newline() {
    check("H19", b"a 1", Want::Err(eof, 1, 4));
    check("H19 comment", b"a 1\n# x", Want::Err(eof, 2, 4));
}

#[test]
fn h20_many_families_under_limits() {
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!("m{i} 1\n"));
    }
    let e = text::parse_with_limits(&many, &Limits::default()).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::LimitExceeded {
            which: Limit::Families,
            limit: 10_000
        }
    ));
    assert_eq!(e.line(), Some(10_001));
}

#[test]
fn h21_error_at_the_end_of_a_huge_line() {
    let n = 10 << 20;
    let input = format!("{} x\n", "a".repeat(n));
    let e = text::parse(&input).unwrap_err();
    assert_eq!((e.line(), e.column()), (Some(1), Some(n + 2)));
    assert!(e.to_string().len() <= 256);
}

#[test]
fn h22_a_million_comment_lines() {
    let mut input = "# c\n\n".repeat(500_000);
    input.push_str("a 1\n");
    check("H22", input.as_bytes(), Want::Ok(1, 1));
}

#[test]
fn h40_encoder_escapes_hostile_values() {
    use expfmt::{Label, Metric, MetricFamily};
    let family = MetricFamily::new("m", MetricType::Gauge)
        .with_help("a\nb\\")
        .with_metric(Metric::new(
            vec![Label::new("l", "x\"} 1\nevil 1\n#")],
            Value::Gauge(1.0),
        ));
    let out = text::encode(std::slice::from_ref(&family)).unwrap();
    assert_eq!(
        out,
        "# HELP m a\\nb\\\\\n# TYPE m gauge\nm{l=\"x\\\"} 1\\nevil 1\\n#\"} 1\n"
    );
    assert_eq!(text::parse(&out).unwrap(), vec![family]);
}

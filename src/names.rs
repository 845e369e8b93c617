//! Metric and label names: the classic (pre-UTF-8) naming rules, and the escaping schemes that
//! turn any UTF-8 name into a classic one for a reader that asked for it.
//!
//! ```text
//! metric_name = [a-zA-Z_:] [a-zA-Z0-9_:]*
//! label_name  = [a-zA-Z_]  [a-zA-Z0-9_]*
//! ```
//!
//! Since Prometheus 3 any non-empty UTF-8 string is a valid name; the text encoders write the
//! others quoted (`{"my.metric"}`). A scraper that cannot read them says so with the
//! `escaping` parameter of its `Accept` header, and the producer applies that
//! [`EscapingScheme`] to every family before encoding ([`escape_family`]):
//!
//! ```
//! use expfmt::names::{self, EscapingScheme};
//! use expfmt::{Label, Metric, MetricFamily, MetricType, Value};
//!
//! let scheme: EscapingScheme = "underscores".parse()?;
//! let mut family = MetricFamily::new("http.requests", MetricType::Gauge).with_metric(
//!     Metric::new(vec![Label::new("url.path", "/")], Value::Gauge(1.0)),
//! );
//! names::escape_family(&mut family, scheme);
//! assert_eq!(
//!     expfmt::text::encode(&[family])?,
//!     "# TYPE http_requests gauge\nhttp_requests{url_path=\"/\"} 1\n",
//! );
//! assert_eq!(names::escape_metric_name("a.b", EscapingScheme::Values), "U__a_2e_b");
//! assert_eq!(names::unescape_name("U__a_2e_b", EscapingScheme::Values), "a.b");
//! # Ok::<(), expfmt::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Snippet};
use crate::model::{Exemplar, Label, MetricFamily, Value};

/// The label name reserved for the metric name; no exposition may use it as a label.
pub const RESERVED_LABEL: &str = "__name__";

/// Whether `b` may start a metric name.
#[inline]
pub const fn is_metric_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':'
}

/// Whether `b` may continue a metric name.
#[inline]
pub const fn is_metric_name_continue(b: u8) -> bool {
    is_metric_name_start(b) || b.is_ascii_digit()
}

/// Whether `b` may start a label name.
#[inline]
pub const fn is_label_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether `b` may continue a label name.
#[inline]
pub const fn is_label_name_continue(b: u8) -> bool {
    is_label_name_start(b) || b.is_ascii_digit()
}

/// Whether `name` is a valid metric name.
pub fn is_valid_metric_name(name: &str) -> bool {
    is_legacy_name(name.as_bytes(), true)
}

/// Whether `name` is a valid label name (`__name__` included: reserved is not invalid).
pub fn is_valid_label_name(name: &str) -> bool {
    is_legacy_name(name.as_bytes(), false)
}

// The four rules above as bits of one byte class, for the parsers' per-byte tables.
pub(crate) const METRIC_START: u8 = 1;
pub(crate) const METRIC_CONTINUE: u8 = 2;
pub(crate) const LABEL_START: u8 = 4;
pub(crate) const LABEL_CONTINUE: u8 = 8;

/// The name-rule bits of `b` (a parser's byte-class table is built from this).
pub(crate) const fn name_class(b: u8) -> u8 {
    (if is_metric_name_start(b) {
        METRIC_START
    } else {
        0
    }) | (if is_metric_name_continue(b) {
        METRIC_CONTINUE
    } else {
        0
    }) | (if is_label_name_start(b) {
        LABEL_START
    } else {
        0
    }) | (if is_label_name_continue(b) {
        LABEL_CONTINUE
    } else {
        0
    })
}

static NAME_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "b < 256")]
        let class = name_class(b as u8);
        table[b] = class;
        b += 1;
    }
    table
};

/// Whether the bytes `name` are a legacy metric name (`metric`) or label name: a table
/// lookup per byte. Bytes, so a protobuf decoder can check a name before it is known UTF-8
/// (a valid name is ASCII).
#[inline]
pub(crate) fn is_legacy_name(name: &[u8], metric: bool) -> bool {
    let (start, rest) = if metric {
        (METRIC_START, METRIC_CONTINUE)
    } else {
        (LABEL_START, LABEL_CONTINUE)
    };
    let class = |b: u8| NAME_CLASS[usize::from(b)];
    match name.split_first() {
        Some((&first, tail)) => {
            // Four bytes a step: one test of the four classes and-ed together.
            let mut quads = tail.chunks_exact(4);
            class(first) & start != 0
                && quads.by_ref().all(|q| match *q {
                    [a, b, c, d] => class(a) & class(b) & class(c) & class(d) & rest != 0,
                    _ => false,
                })
                && quads.remainder().iter().all(|&b| class(b) & rest != 0)
        }
        None => false,
    }
}

/// How names outside the legacy charset are written for a reader: the values of the
/// `escaping` parameter of the `Accept` and `Content-Type` headers (Prometheus, "UTF-8 metric
/// and label name escaping schemes").
///
/// Every scheme leaves a name that is already valid unchanged (as Go's
/// `model.EscapeMetricFamily` does), and gives a valid name for any other non-empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EscapingScheme {
    /// `allow-utf-8`: no escaping; names outside the legacy charset are written quoted.
    AllowUtf8,
    /// `underscores`: every character outside the legacy charset becomes `_`
    /// (`metric.name/with/slashes` → `metric_name_with_slashes`). Cannot be undone. The
    /// default when a scraper names no scheme.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, any other character outside the legacy
    /// charset `__` (as Go writes it; the specification's prose says `_`)
    /// (`metric.name.with.dots` → `metric_dot_name_dot_with_dot_dots`).
    Dots,
    /// `values`: the name gets the prefix `U__`, `_` becomes `__`, any other character
    /// outside the legacy charset becomes its code point in lower-case hexadecimal between
    /// underscores (`metric.name` → `U__metric_2e_name`). Undone exactly by [`unescape_name`].
    Values,
}

impl EscapingScheme {
    /// The parameter value: `allow-utf-8`, `underscores`, `dots` or `values`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EscapingScheme::AllowUtf8 => "allow-utf-8",
            EscapingScheme::Underscores => "underscores",
            EscapingScheme::Dots => "dots",
            EscapingScheme::Values => "values",
        }
    }
}

impl fmt::Display for EscapingScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EscapingScheme {
    type Err = Error;

    /// Reads the value of an `escaping` parameter, exactly as written (as Go's
    /// `model.ToEscapingScheme` does: no other spelling, case or blank).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "allow-utf-8" => Ok(EscapingScheme::AllowUtf8),
            "underscores" => Ok(EscapingScheme::Underscores),
            "dots" => Ok(EscapingScheme::Dots),
            "values" => Ok(EscapingScheme::Values),
            _ => Err(Error::new(ErrorKind::UnknownEscapingScheme {
                found: Snippet::new(s),
            })),
        }
    }
}

/// Whether the character at char index `i` of a name is in the legacy charset (digits not
/// first; `:` only in metric names).
fn is_legacy_char(c: char, first: bool, metric: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (metric && c == ':') || (!first && c.is_ascii_digit())
}

fn escape(name: &str, scheme: EscapingScheme, metric: bool) -> Cow<'_, str> {
    let valid = if metric {
        is_valid_metric_name(name)
    } else {
        is_valid_label_name(name)
    };
    if valid || name.is_empty() || scheme == EscapingScheme::AllowUtf8 {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    if scheme == EscapingScheme::Values {
        out.push_str("U__");
    }
    for (i, c) in name.chars().enumerate() {
        let legacy = is_legacy_char(c, i == 0, metric);
        match scheme {
            EscapingScheme::Underscores => out.push(if legacy { c } else { '_' }),
            EscapingScheme::Dots => match c {
                '_' => out.push_str("__"),
                '.' => out.push_str("_dot_"),
                c if legacy => out.push(c),
                _ => out.push_str("__"),
            },
            EscapingScheme::Values => match c {
                '_' => out.push_str("__"),
                c if legacy => out.push(c),
                c => {
                    let _ = write!(out, "_{:x}_", u32::from(c));
                }
            },
            EscapingScheme::AllowUtf8 => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A metric name escaped for `scheme`: unchanged (borrowed) when it is a valid legacy metric
/// name or the scheme is [`EscapingScheme::AllowUtf8`]; an empty name stays empty.
pub fn escape_metric_name(name: &str, scheme: EscapingScheme) -> Cow<'_, str> {
    escape(name, scheme, true)
}

/// A label name escaped for `scheme`, as [`escape_metric_name`] with the label charset: `:`
/// is escaped too, since a label name cannot hold it (Go's `EscapeName` keeps it, giving a
/// name a legacy reader refuses).
pub fn escape_label_name(name: &str, scheme: EscapingScheme) -> Cow<'_, str> {
    escape(name, scheme, false)
}

/// Undoes [`EscapingScheme::Values`] and [`EscapingScheme::Dots`], as Go's
/// `model.UnescapeName`: for `values`, a name starting `U__` whose escapes are all well formed
/// (`__`, or `_` then one to six hexadecimal digits of a code point then `_`) is decoded, and
/// any other name is returned as it is; for `dots`, `_dot_` becomes `.` and then `__` becomes
/// `_` (a best effort: `dots` loses the other characters). `underscores` cannot be undone and
/// `allow-utf-8` did nothing: the name is returned as it is. A valid name is never escaped,
/// so one that merely looks escaped (`U__a_2e_b`) is decoded too: the schemes cannot tell.
pub fn unescape_name(name: &str, scheme: EscapingScheme) -> Cow<'_, str> {
    match scheme {
        EscapingScheme::AllowUtf8 | EscapingScheme::Underscores => Cow::Borrowed(name),
        EscapingScheme::Dots => {
            if !name.contains("__") && !name.contains("_dot_") {
                return Cow::Borrowed(name);
            }
            Cow::Owned(name.replace("_dot_", ".").replace("__", "_"))
        }
        EscapingScheme::Values => match unescape_values(name) {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(name),
        },
    }
}

fn unescape_values(name: &str) -> Option<String> {
    let rest = name.strip_prefix("U__")?;
    let mut out = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '_' => out.push('_'),
            first => {
                let mut code = first.to_digit(16)?;
                let mut digits = 1;
                loop {
                    match chars.next()? {
                        '_' => break,
                        d => {
                            digits += 1;
                            if digits > 6 {
                                return None;
                            }
                            code = code * 16 + d.to_digit(16)?;
                        }
                    }
                }
                out.push(char::from_u32(code)?);
            }
        }
    }
    Some(out)
}

/// Applies `scheme` to every name of `family`: the family name, metric label names, the
/// value of a `__name__` label (a metric name), and exemplar label names (Go's
/// `EscapeMetricFamily` leaves exemplars alone; a legacy reader would refuse their quoted
/// names). Names that need no escaping are left as they are, borrowed.
pub fn escape_family(family: &mut MetricFamily<'_>, scheme: EscapingScheme) {
    if scheme == EscapingScheme::AllowUtf8 {
        return;
    }
    escape_in_place(&mut family.name, |n| escape_metric_name(n, scheme));
    for metric in &mut family.metrics {
        escape_labels(&mut metric.labels, scheme);
        match &mut metric.value {
            Value::Counter(c) => escape_exemplar(c.exemplar.as_deref_mut(), scheme),
            Value::Histogram(h) => {
                for b in &mut h.buckets {
                    escape_exemplar(b.exemplar.as_deref_mut(), scheme);
                }
                for e in &mut h.exemplars {
                    escape_exemplar(Some(e), scheme);
                }
            }
            _ => {}
        }
    }
}

fn escape_labels(labels: &mut [Label<'_>], scheme: EscapingScheme) {
    for label in labels {
        if label.name == RESERVED_LABEL {
            escape_in_place(&mut label.value, |v| escape_metric_name(v, scheme));
        } else {
            escape_in_place(&mut label.name, |n| escape_label_name(n, scheme));
        }
    }
}

fn escape_exemplar(e: Option<&mut Exemplar<'_>>, scheme: EscapingScheme) {
    if let Some(e) = e {
        escape_labels(&mut e.labels, scheme);
    }
}

fn escape_in_place<'a>(s: &mut Cow<'a, str>, f: impl Fn(&str) -> Cow<'_, str>) {
    if let Cow::Owned(escaped) = f(s) {
        *s = Cow::Owned(escaped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        for ok in ["a", "_", ":", "a:b_c9", "http_requests_total"] {
            assert!(is_valid_metric_name(ok), "{ok}");
        }
        for bad in ["", "9a", "a-b", "a.b", "é", "a b"] {
            assert!(!is_valid_metric_name(bad), "{bad}");
        }
    }

    #[test]
    fn label_names() {
        for ok in ["a", "_", "le", "__name__", "a9"] {
            assert!(is_valid_label_name(ok), "{ok}");
        }
        for bad in ["", "9", "a:b", ":", "a.b"] {
            assert!(!is_valid_label_name(bad), "{bad}");
        }
    }

    /// The byte table against the grammar at the top of this file, written out again here
    /// with character ranges: every byte as a first and as a later byte, both kinds of name.
    #[test]
    fn byte_table_is_the_grammar() {
        let word = |c: u8| c.is_ascii_uppercase() || c.is_ascii_lowercase() || c == b'_';
        for b in 0..=255u8 {
            let metric_start = word(b) || b == b':';
            let metric_rest = metric_start || b.is_ascii_digit();
            let label_rest = word(b) || b.is_ascii_digit();
            assert_eq!(is_legacy_name(&[b], true), metric_start, "{b}");
            assert_eq!(is_legacy_name(&[b'a', b], true), metric_rest, "{b}");
            assert_eq!(is_legacy_name(&[b], false), word(b), "{b}");
            assert_eq!(is_legacy_name(&[b'a', b], false), label_rest, "{b}");
        }
        assert!(!is_legacy_name(b"", true) && !is_legacy_name(b"", false));
        assert!(!is_legacy_name("\u{e9}".as_bytes(), false));
    }

    /// The check reads four bytes a step, then the rest one by one: a bad byte at every place
    /// of names of every length up to past three steps is seen, and names with none pass.
    #[test]
    fn a_bad_byte_is_seen_at_every_place() {
        for len in 1..=14 {
            let good = vec![b'a'; len];
            assert!(
                is_legacy_name(&good, true) && is_legacy_name(&good, false),
                "{len}"
            );
            for at in 0..len {
                for bad in [b'-', b'.', b' ', 0xc3] {
                    let mut name = good.clone();
                    name[at] = bad;
                    assert!(!is_legacy_name(&name, true), "{len} {at} {bad}");
                    assert!(!is_legacy_name(&name, false), "{len} {at} {bad}");
                }
                let mut colon = good.clone();
                colon[at] = b':';
                assert!(is_legacy_name(&colon, true), "{len} {at}");
                assert!(!is_legacy_name(&colon, false), "{len} {at}");
            }
        }
    }

    /// The examples of the specification, written from its stated rules.
    #[test]
    fn spec_examples() {
        use EscapingScheme::*;
        assert_eq!(
            escape_metric_name("metric.name/with/slashes", Underscores),
            "metric_name_with_slashes"
        );
        assert_eq!(
            escape_metric_name("metric.name.with.dots", Dots),
            "metric_dot_name_dot_with_dot_dots"
        );
        // The specification writes the hex digits in upper case; Go (and we) write lower case,
        // and both read back.
        let v = escape_metric_name("metric.name", Values);
        assert!(v.eq_ignore_ascii_case("U__metric_2E_name"), "{v}");
        assert_eq!(v, "U__metric_2e_name");
        assert_eq!(unescape_name("U__metric_2E_name", Values), "metric.name");
        assert_eq!(unescape_name("U__metric_2e_name", Values), "metric.name");
        assert_eq!(
            unescape_name("metric_dot_name_dot_with_dot_dots", Dots),
            "metric.name.with.dots"
        );
    }

    #[test]
    fn escaping_rules() {
        use EscapingScheme::*;
        // `_` doubles in dots and values; digits may not come first; each char is one unit.
        assert_eq!(escape_metric_name("a_b.c", Dots), "a__b_dot_c");
        assert_eq!(escape_metric_name("a_b.c", Values), "U__a__b_2e_c");
        assert_eq!(escape_metric_name("0é", Underscores), "__");
        assert_eq!(escape_metric_name("0é", Dots), "____");
        assert_eq!(escape_metric_name("0é", Values), "U___30__e9_");
        assert_eq!(escape_metric_name("🙂", Values), "U___1f642_");
        // Valid names stay borrowed, in every scheme; `:` is valid in metric names only.
        for scheme in [AllowUtf8, Underscores, Dots, Values] {
            assert!(matches!(
                escape_metric_name("a_b:c", scheme),
                Cow::Borrowed("a_b:c")
            ));
            assert!(matches!(escape_metric_name("", scheme), Cow::Borrowed("")));
            let escaped = escape_metric_name("x.y", scheme);
            assert_eq!(
                is_valid_metric_name(&escaped),
                scheme != AllowUtf8,
                "{escaped}"
            );
            let escaped = escape_label_name("a:b", scheme);
            assert_eq!(
                is_valid_label_name(&escaped),
                scheme != AllowUtf8,
                "{escaped}"
            );
        }
        assert_eq!(escape_label_name("a:b", Underscores), "a_b");
        assert_eq!(escape_label_name("a:b", Values), "U__a_3a_b");
        assert!(matches!(
            escape_metric_name("x.y", AllowUtf8),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn values_unescape_is_exact_and_strict() {
        use EscapingScheme::*;
        for name in ["a.b", "ü_ber 🙂", "_x", "0", "a__b.", "U__a_2e_b."] {
            let escaped = escape_metric_name(name, Values);
            assert_eq!(unescape_name(&escaped, Values), name, "{escaped}");
        }
        // Malformed escapes leave the name as it is.
        for bad in [
            "U__a_",
            "U__a_2e",
            "U__a_zz_",
            "U__a_1234567_",
            "U__a_d800_",
            "U__a_110000_",
        ] {
            assert!(
                matches!(unescape_name(bad, Values), Cow::Borrowed(_)),
                "{bad}"
            );
        }
        assert_eq!(unescape_name("no_prefix", Values), "no_prefix");
        // A valid name that looks escaped is not escaped again, so it reads back decoded:
        // the scheme cannot tell them apart (Go's neither).
        assert_eq!(escape_metric_name("U__a_2e_b", Values), "U__a_2e_b");
        assert_eq!(unescape_name("U__a_2e_b", Values), "a.b");
        assert_eq!(unescape_name("a_b", Underscores), "a_b");
        assert_eq!(unescape_name("a__b", Dots), "a_b");
    }

    #[test]
    fn scheme_words() {
        use EscapingScheme::*;
        for scheme in [AllowUtf8, Underscores, Dots, Values] {
            assert_eq!(scheme.as_str().parse::<EscapingScheme>().unwrap(), scheme);
            assert_eq!(scheme.to_string(), scheme.as_str());
        }
        assert_eq!(EscapingScheme::default(), Underscores);
        for bad in ["", "Dots", " dots", "utf-8", "allow-utf8"] {
            let e = bad.parse::<EscapingScheme>().unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::UnknownEscapingScheme { .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn families_are_escaped_throughout() {
        use crate::model::{Counter, Metric};
        let exemplar = Exemplar {
            labels: vec![Label::new("trace.id", "t")],
            value: 1.0,
            timestamp: None,
        };
        let counter = Counter {
            exemplar: Some(Box::new(exemplar)),
            ..Counter::new(1.0)
        };
        let mut f =
            MetricFamily::new("req.total", crate::MetricType::Counter).with_metric(Metric::new(
                vec![
                    Label::new("ok", "v.1"),
                    Label::new("a.b", "v"),
                    Label::new(RESERVED_LABEL, "x.y"),
                ],
                Value::Counter(counter),
            ));
        let before = f.clone();
        escape_family(&mut f, EscapingScheme::AllowUtf8);
        assert_eq!(f, before);
        escape_family(&mut f, EscapingScheme::Underscores);
        assert_eq!(f.name, "req_total");
        let m = &f.metrics[0];
        let names: Vec<&str> = m.labels.iter().map(|l| l.name.as_ref()).collect();
        assert_eq!(names, ["ok", "a_b", RESERVED_LABEL]);
        assert_eq!(m.label("ok"), Some("v.1"), "values are not names");
        assert_eq!(m.label(RESERVED_LABEL), Some("x_y"));
        let Value::Counter(c) = &m.value else {
            panic!()
        };
        let e = c.exemplar.as_ref().map(|e| e.labels[0].name.as_ref());
        assert_eq!(e, Some("trace_id"));
        assert!(matches!(m.labels[0].name, Cow::Borrowed(_)));
    }
}

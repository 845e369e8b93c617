//! The rules of OpenMetrics 1.0 text, one nom parser per ABNF production.
//!
//! Every parser here takes one line *without* its `\n` (the lexer splits lines and checks the
//! `# EOF` framing), so running out of line where a character is needed is a failure at the
//! end of the line.
//!
//! ```text
//! exposition = metricset HASH SP eof [ LF ]
//! metricset = *metricfamily
//! metricfamily = *metric-descriptor *metric
//! metric-descriptor = HASH SP type SP metricname SP metric-type LF
//! metric-descriptor =/ HASH SP help SP metricname SP escaped-string LF
//! metric-descriptor =/ HASH SP unit SP metricname SP *metricname-char LF
//! sample = metricname [labels] SP number [SP timestamp] [exemplar] LF
//! exemplar = SP HASH SP labels SP number [SP timestamp]
//! labels = "{" [label *(COMMA label)] "}"
//! label = label-name EQ DQUOTE escaped-string DQUOTE
//! ```
//!
//! With UTF-8 names on (Prometheus 3, OpenMetrics 2.0 drafts), `metricname` in a descriptor
//! may be a `quoted-name`, a label may be `quoted-name EQ DQUOTE escaped-string DQUOTE`, and a
//! sample may name its metric with a `quoted-name` standing alone inside its labels instead
//! of before them (`{"my.metric","a.b"="v"} 1`), once; exemplar labels take quoted label names
//! but no metric name:
//!
//! ```text
//! quoted-name = DQUOTE 1*( %x00-09 / %x0B-21 / %x23-5B / %x5D-10FFFF / BS ("n" / DQUOTE / BS) ) DQUOTE
//! ```
//!
//! Names are returned raw (for a quoted name, the text between the quotes, escapes not yet
//! decoded). Only the three escapes are allowed in names, so each name has one spelling.
//!
//! Unlike text 0.0.4, separators are exactly one space: no tabs, no runs of blanks, no blanks
//! inside a label set, no trailing comma. The parsers keep no state and allocate nothing;
//! errors are a [`Fail`] pointing into the line.

use nom::error::{ErrorKind as NomKind, ParseError};
use nom::{IResult, Offset};

use crate::model::MetricType;
use crate::names;
use crate::number;

/// A grammar failure: where (`at` is a suffix of the line) and what.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fail<'a> {
    pub at: &'a str,
    pub kind: FailKind,
}

/// What a grammar rule found wrong. Converted to the public `ErrorKind` by the lexer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FailKind {
    /// The grammar needed this (a short phrase) at `at`.
    Expected(&'static str),
    /// An empty line.
    BlankLine,
    InvalidMetricName,
    InvalidMetricNameInComment,
    InvalidLabelName,
    ReservedLabelName,
    /// The token at `at` is not a `number`.
    InvalidValue,
    /// The token at `at` is not a `realnumber`.
    InvalidTimestamp,
    /// The `# TYPE` word at `at` is not a type.
    UnknownType,
    /// The exemplar label set at `at` is this many code points long.
    ExemplarTooLong(usize),
    /// An invalid escape in a quoted name.
    InvalidNameEscape(char),
    /// A quoted name is not closed on its line (`at` is its opening quote).
    UnterminatedName,
    /// A second metric name in one sample.
    DuplicateMetricName,
    /// A nom combinator failed (never expected; kept so no failure is lost).
    Nom(NomKind),
}

impl<'a> ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(input: &'a str, kind: NomKind) -> Self {
        Fail {
            at: input,
            kind: FailKind::Nom(kind),
        }
    }

    fn append(_: &'a str, _: NomKind, other: Self) -> Self {
        other
    }
}

pub(crate) type Res<'a, T> = IResult<&'a str, T, Fail<'a>>;

#[cold]
fn fail<T>(at: &str, kind: FailKind) -> Res<'_, T> {
    Err(nom::Err::Failure(Fail { at, kind }))
}

/// Splits `i` after the first `n` bytes (a char boundary the caller found by scanning ASCII).
fn split(i: &str, n: usize) -> (&str, &str) {
    (
        i.get(n..).unwrap_or_default(),
        i.get(..n).unwrap_or_default(),
    )
}

/// The end of `i`, as an empty suffix (where "found end of line" failures point).
fn end(i: &str) -> &str {
    i.get(i.len()..).unwrap_or_default()
}

/// Consumes the single character `c`, or fails expecting `what`.
fn expect<'a>(i: &'a str, c: char, what: &'static str) -> Res<'a, ()> {
    match i.strip_prefix(c) {
        Some(rest) => Ok((rest, ())),
        None => fail(i, FailKind::Expected(what)),
    }
}

/// A run of bytes matching `start` then `cont`; empty when the first byte does not match.
fn name_token(i: &str, start: fn(u8) -> bool, cont: fn(u8) -> bool) -> (&str, &str) {
    let bytes = i.as_bytes();
    let n = match bytes.first() {
        Some(&b) if start(b) => bytes
            .iter()
            .skip(1)
            .position(|&b| !cont(b))
            .map_or(bytes.len(), |p| p + 1),
        _ => 0,
    };
    split(i, n)
}

/// ```text
/// metricname = metricname-initial-char 0*metricname-char
/// metricname-char = metricname-initial-char / DIGIT
/// metricname-initial-char = ALPHA / "_" / ":"
/// ```
pub(crate) fn metric_name(i: &str) -> Res<'_, &str> {
    let (rest, name) = name_token(
        i,
        names::is_metric_name_start,
        names::is_metric_name_continue,
    );
    if name.is_empty() {
        return fail(i, FailKind::InvalidMetricName);
    }
    Ok((rest, name))
}

/// ```text
/// label-name = label-name-initial-char *label-name-char
/// label-name-char = label-name-initial-char / DIGIT
/// label-name-initial-char = ALPHA / "_"
/// ```
/// `__name__` is refused as in text 0.0.4: label names starting with `_` are reserved, and
/// this one would clash with the metric name in every ingestor.
pub(crate) fn label_name(i: &str) -> Res<'_, &str> {
    let (rest, name) = name_token(i, names::is_label_name_start, names::is_label_name_continue);
    if name.is_empty() {
        return fail(i, FailKind::InvalidLabelName);
    }
    if name == names::RESERVED_LABEL {
        return fail(i, FailKind::ReservedLabelName);
    }
    Ok((rest, name))
}

/// ```text
/// escaped-string = *escaped-char
/// escaped-char = normal-char / BS ("n" / DQUOTE / BS) / BS normal-char
/// normal-char = %x00-09 / %x0B-21 / %x23-5B / %x5D-D7FF / %xE000-10FFFF
/// ```
/// Takes the input after an opening `"`; returns the raw (still escaped) string and the rest
/// after the closing `"`. Any character may follow a backslash (the line holds no `\n`).
pub(crate) fn escaped_string(i: &str) -> Res<'_, &str> {
    let bytes = i.as_bytes();
    let mut pos = 0;
    loop {
        let Some(found) = bytes
            .get(pos..)
            .and_then(|b| memchr::memchr2(b'"', b'\\', b))
        else {
            return fail(end(i), FailKind::Expected("'\"' to end the label value"));
        };
        let at = pos + found;
        if bytes.get(at) == Some(&b'"') {
            let (rest, raw) = split(i, at);
            return Ok((rest.get(1..).unwrap_or_default(), raw));
        }
        // A backslash: the next byte is escaped (a multi-byte character's other bytes are
        // never '"' or '\\', so skipping one byte is enough).
        if at + 1 >= bytes.len() {
            return fail(end(i), FailKind::Expected("'\"' to end the label value"));
        }
        pos = at + 2;
    }
}

/// ```text
/// quoted-name = DQUOTE 1*( normal-char / BS ("n" / DQUOTE / BS) ) DQUOTE
/// ```
/// Takes the input at the opening quote; returns the raw name between the quotes (possibly
/// empty: the caller says what that is) and the rest after the closing quote.
pub(crate) fn quoted_name(i: &str) -> Res<'_, &str> {
    let inner = i.get(1..).unwrap_or_default();
    let bytes = inner.as_bytes();
    let mut pos = 0;
    loop {
        let Some(found) = bytes
            .get(pos..)
            .and_then(|b| memchr::memchr2(b'"', b'\\', b))
        else {
            return fail(i, FailKind::UnterminatedName);
        };
        let at = pos + found;
        if bytes.get(at) == Some(&b'"') {
            let (rest, raw) = split(inner, at);
            return Ok((rest.get(1..).unwrap_or_default(), raw));
        }
        match bytes.get(at + 1) {
            None => return fail(i, FailKind::UnterminatedName),
            Some(b'\\' | b'"' | b'n') => pos = at + 2,
            Some(_) => {
                let c = inner.get(at + 1..).and_then(|s| s.chars().next());
                let at_str = inner.get(at..).unwrap_or_default();
                return fail(at_str, FailKind::InvalidNameEscape(c.unwrap_or('\\')));
            }
        }
    }
}

/// One item of a label set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Item<'a> {
    /// `name="value"`: raw name and raw value.
    Label(&'a str, &'a str),
    /// A quoted name standing alone: the metric name, raw.
    MetricName(&'a str),
}

/// ```text
/// label = ( label-name / quoted-name ) EQ DQUOTE escaped-string DQUOTE
/// ```
/// Or, with `utf8`, a quoted metric name alone.
pub(crate) fn item(i: &str, utf8: bool) -> Res<'_, Item<'_>> {
    let (i, name) = if utf8 && i.starts_with('"') {
        let (rest, raw) = quoted_name(i)?;
        if matches!(rest.as_bytes().first(), Some(b',' | b'}')) {
            if raw.is_empty() {
                return fail(i, FailKind::InvalidMetricName);
            }
            return Ok((rest, Item::MetricName(raw)));
        }
        if raw.is_empty() {
            return fail(i, FailKind::InvalidLabelName);
        }
        if raw == names::RESERVED_LABEL {
            return fail(i, FailKind::ReservedLabelName);
        }
        (rest, raw)
    } else {
        label_name(i)?
    };
    let (i, ()) = expect(i, '=', "'=' after the label name")?;
    let (i, ()) = expect(i, '"', "'\"' to start the label value")?;
    let (i, value) = escaped_string(i)?;
    Ok((i, Item::Label(name, value)))
}

/// ```text
/// labels = "{" [label *(COMMA label)] "}"
/// ```
/// Takes the input after `{`; returns the raw text between the braces, the metric name quoted
/// inside them (with `utf8`), and the rest after `}`. `exemplar` refuses a metric name.
pub(crate) fn labels(i: &str, utf8: bool, exemplar: bool) -> Res<'_, (&str, Option<&str>)> {
    let start = i;
    if let Some(rest) = i.strip_prefix('}') {
        // An empty slice *of the input*: the lexer computes offsets from it.
        return Ok((rest, (i.get(..0).unwrap_or_default(), None)));
    }
    let mut i = i;
    let mut metric_name = None;
    loop {
        let (rest, item) = item(i, utf8)?;
        if let Item::MetricName(name) = item {
            if exemplar {
                return fail(rest, FailKind::Expected("'=' after the label name"));
            }
            if metric_name.is_some() {
                return fail(i, FailKind::DuplicateMetricName);
            }
            metric_name = Some(name);
        }
        match rest.as_bytes().first() {
            Some(b',') => i = rest.get(1..).unwrap_or_default(),
            Some(b'}') => {
                let raw_len = start.len() - rest.len();
                return Ok((
                    rest.get(1..).unwrap_or_default(),
                    (start.get(..raw_len).unwrap_or_default(), metric_name),
                ));
            }
            _ => return fail(rest, FailKind::Expected("',' or '}' after the label value")),
        }
    }
}

/// Iterates the labels of a raw label set that [`labels`] accepted, skipping a metric name.
pub(crate) fn next_label(mut i: &str) -> Option<(&str, (&str, &str))> {
    loop {
        if i.is_empty() {
            return None;
        }
        let (rest, item) = item(i, true).ok()?;
        i = rest.strip_prefix(',').unwrap_or(rest);
        if let Item::Label(name, value) = item {
            return Some((i, (name, value)));
        }
    }
}

/// A number or timestamp token: everything up to a space or the end of the line.
fn token(i: &str) -> (&str, &str) {
    split(i, memchr::memchr(b' ', i.as_bytes()).unwrap_or(i.len()))
}

/// ```text
/// number = realnumber / [SIGN] ("inf" / "infinity") / "nan"     ; letters in any case
/// ```
/// As [`number::parse_float`]: the same language, a finite spelling beyond f64 refused.
/// Yields the token as written and its value.
pub(crate) fn number(i: &str) -> Res<'_, (&str, f64)> {
    let (rest, tok) = token(i);
    match number::parse_float(tok) {
        Some(v) => Ok((rest, (tok, v))),
        None => fail(i, FailKind::InvalidValue),
    }
}

/// ```text
/// timestamp = realnumber
/// ```
/// Seconds; yields the token and its value in milliseconds ([`number::parse_seconds_ms`]).
pub(crate) fn timestamp(i: &str) -> Res<'_, (&str, i64)> {
    let (rest, tok) = token(i);
    match number::parse_seconds_ms(tok) {
        Some(ms) => Ok((rest, (tok, ms))),
        None => fail(i, FailKind::InvalidTimestamp),
    }
}

/// The parts of an exemplar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ExemplarParts<'a> {
    /// Raw text between `{` and `}`.
    pub labels: &'a str,
    pub value: f64,
    /// The timestamp token, checked.
    pub timestamp: Option<&'a str>,
}

/// The number of code points of a raw label set's names and unescaped values.
fn label_set_code_points(raw: &str) -> usize {
    let mut n = 0;
    let mut rest = raw;
    while let Some((r, (name, value))) = next_label(rest) {
        rest = r;
        n += code_points(name) + code_points(value);
    }
    n
}

/// The number of code points of a raw string once `\\`, `\"` and `\n` are decoded.
fn code_points(raw: &str) -> usize {
    let mut n = raw.chars().count();
    // Each decoded escape is two characters written, one read.
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(p) = bytes.get(i..).and_then(|b| memchr::memchr(b'\\', b)) {
        let at = i + p;
        if matches!(bytes.get(at + 1), Some(b'\\' | b'"' | b'n')) {
            n -= 1;
        }
        i = at + 2;
    }
    n
}

/// ```text
/// exemplar = SP HASH SP labels SP number [SP timestamp]
/// ```
/// The label names and values may hold at most 128 code points together (OpenMetrics,
/// "Exemplars").
/// Quoted label names only with `utf8`.
pub(crate) fn exemplar(i: &str, utf8: bool) -> Res<'_, ExemplarParts<'_>> {
    const MAX_CODE_POINTS: usize = 128;
    let (i, ()) = expect(i, ' ', "' ' before the exemplar")?;
    let (i, ()) = expect(i, '#', "'#' to start an exemplar")?;
    let (i, ()) = expect(i, ' ', "' ' after '#'")?;
    let labels_at = i;
    let (i, ()) = expect(i, '{', "'{' to start the exemplar labels")?;
    let (i, (raw, _)) = labels(i, utf8, true)?;
    let length = label_set_code_points(raw);
    if length > MAX_CODE_POINTS {
        return fail(labels_at, FailKind::ExemplarTooLong(length));
    }
    let (i, ()) = expect(i, ' ', "' ' before the exemplar value")?;
    let (i, (_, value)) = number(i)?;
    if i.is_empty() {
        return Ok((
            i,
            ExemplarParts {
                labels: raw,
                value,
                timestamp: None,
            },
        ));
    }
    let (i, ()) = expect(i, ' ', "' ' or end of line after the exemplar value")?;
    let (i, (ts, _)) = timestamp(i)?;
    if !i.is_empty() {
        return fail(
            i,
            FailKind::Expected("end of line after the exemplar timestamp"),
        );
    }
    Ok((
        i,
        ExemplarParts {
            labels: raw,
            value,
            timestamp: Some(ts),
        },
    ))
}

/// The parts of a sample line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SampleParts<'a> {
    pub name: &'a str,
    /// Raw text between `{` and `}`; `None` without braces.
    pub labels: Option<&'a str>,
    pub value: f64,
    /// The value token as written.
    pub raw_value: &'a str,
    /// The timestamp in milliseconds.
    pub timestamp: Option<i64>,
    /// The exemplar as written, from the space before its `#` (checked by [`exemplar`]).
    pub exemplar: Option<&'a str>,
}

/// ```text
/// sample = metricname [labels] SP number [SP timestamp] [exemplar] LF
/// ```
/// Takes the whole line (without `\n`). Quoted names only with `utf8`.
pub(crate) fn sample(i: &str, utf8: bool) -> Res<'_, SampleParts<'_>> {
    let line = i;
    let (i, name) = if utf8 && i.starts_with('{') {
        (i, "")
    } else {
        metric_name(i)?
    };
    let (i, name, labels) = match i.strip_prefix('{') {
        Some(after) => {
            let (i, (raw, quoted)) = labels(after, utf8, false)?;
            let name = match (name.is_empty(), quoted) {
                (false, None) => name,
                (true, Some(quoted)) => quoted,
                (true, None) => return fail(line, FailKind::InvalidMetricName),
                (false, Some(quoted)) => {
                    let at = after.get(after.offset(quoted).saturating_sub(1)..);
                    return fail(at.unwrap_or(after), FailKind::DuplicateMetricName);
                }
            };
            (i, name, Some(raw))
        }
        None => (i, name, None),
    };
    let (i, ()) = expect(i, ' ', "' ' before the value")?;
    let (i, (raw_value, value)) = number(i)?;
    let mut parts = SampleParts {
        name,
        labels,
        value,
        raw_value,
        timestamp: None,
        exemplar: None,
    };
    if i.is_empty() {
        return Ok((i, parts));
    }
    let i = if i.starts_with(" #") {
        i
    } else {
        let (i, ()) = expect(i, ' ', "' ' or end of line after the value")?;
        let (i, (_, ms)) = timestamp(i)?;
        parts.timestamp = Some(ms);
        if i.is_empty() {
            return Ok((i, parts));
        }
        i
    };
    let (rest, _) = exemplar(i, utf8)?;
    parts.exemplar = Some(i);
    Ok((rest, parts))
}

/// ```text
/// metric-type = counter / gauge / histogram / gaugehistogram / stateset
/// metric-type =/ info / summary / unknown
/// ```
/// Exactly these lower-case words (`untyped` is text 0.0.4's, not OpenMetrics').
pub(crate) fn metric_type(word: &str) -> Option<MetricType> {
    Some(match word {
        "counter" => MetricType::Counter,
        "gauge" => MetricType::Gauge,
        "histogram" => MetricType::Histogram,
        "gaugehistogram" => MetricType::GaugeHistogram,
        "stateset" => MetricType::StateSet,
        "info" => MetricType::Info,
        "summary" => MetricType::Summary,
        "unknown" => MetricType::Unknown,
        _ => return None,
    })
}

/// A metadata line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DescriptorParts<'a> {
    /// `# HELP name text`: the raw (escaped) text.
    Help(&'a str, &'a str),
    /// `# TYPE name type`.
    Type(&'a str, MetricType),
    /// `# UNIT name unit`.
    Unit(&'a str, &'a str),
}

/// ```text
/// metric-descriptor = HASH SP type SP metricname SP metric-type LF
/// metric-descriptor =/ HASH SP help SP metricname SP escaped-string LF
/// metric-descriptor =/ HASH SP unit SP metricname SP *metricname-char LF
/// ```
/// Takes the line after `# `. HELP text is taken as it stands: the ABNF's `escaped-string`
/// excludes a bare `"`, but HELP ends at the end of the line, so (as Prometheus and the Python
/// reference parser do) a `"` there is read as itself.
/// Quoted names only with `utf8`.
pub(crate) fn descriptor(i: &str, utf8: bool) -> Res<'_, DescriptorParts<'_>> {
    let (rest, keyword) = token(i);
    if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
        return fail(i, FailKind::Expected("HELP, TYPE, UNIT or EOF after '# '"));
    }
    let (rest, ()) = expect(rest, ' ', "' ' after the keyword")?;
    let (rest, name) = if utf8 && rest.starts_with('"') {
        let (after, raw) = quoted_name(rest)?;
        if raw.is_empty() {
            return fail(rest, FailKind::InvalidMetricNameInComment);
        }
        (after, raw)
    } else {
        match metric_name(rest) {
            Ok(ok) => ok,
            Err(_) => return fail(rest, FailKind::InvalidMetricNameInComment),
        }
    };
    let (rest, ()) = expect(rest, ' ', "' ' after the metric name")?;
    let parts = match keyword {
        "HELP" => DescriptorParts::Help(name, rest),
        "TYPE" => match metric_type(rest) {
            Some(t) => DescriptorParts::Type(name, t),
            None => return fail(rest, FailKind::UnknownType),
        },
        _ => {
            if let Some(bad) = rest
                .bytes()
                .position(|b| !names::is_metric_name_continue(b))
            {
                let at = rest.get(bad..).unwrap_or_default();
                return fail(
                    at,
                    FailKind::Expected("a unit of letters, digits, '_' and ':'"),
                );
            }
            DescriptorParts::Unit(name, rest)
        }
    };
    Ok((end(rest), parts))
}

/// ```text
/// eof = HASH SP %d69.79.70     ; "# EOF", the last line; its LF is optional
/// ```
pub(crate) fn is_eof(line: &str) -> bool {
    line == "# EOF"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_legacy(i: &str) -> Res<'_, &str> {
        labels(i, false, false).map(|(rest, (raw, _))| (rest, raw))
    }

    fn sample_legacy(i: &str) -> Res<'_, SampleParts<'_>> {
        sample(i, false)
    }

    fn exemplar_legacy(i: &str) -> Res<'_, ExemplarParts<'_>> {
        exemplar(i, false)
    }

    fn descriptor_legacy(i: &str) -> Res<'_, DescriptorParts<'_>> {
        descriptor(i, false)
    }

    fn run<'a, T>(rule: fn(&'a str) -> Res<'a, T>, i: &'a str) -> Result<(&'a str, T), Fail<'a>> {
        rule(i).map_err(|e| match e {
            nom::Err::Error(f) | nom::Err::Failure(f) => f,
            nom::Err::Incomplete(_) => Fail {
                at: i,
                kind: FailKind::Nom(NomKind::Eof),
            },
        })
    }

    /// Asserts that `rule` fails on `input` with `kind` at byte `col` (0-based).
    fn fails<'a, T: std::fmt::Debug>(
        rule: fn(&'a str) -> Res<'a, T>,
        input: &'a str,
        kind: FailKind,
        col: usize,
    ) {
        let f = run(rule, input).expect_err(input);
        assert_eq!(f.kind, kind, "{input:?}");
        assert_eq!(input.len() - f.at.len(), col, "{input:?}");
    }

    #[test]
    fn names_leave_the_tail() {
        assert_eq!(run(metric_name, "a:b_1{x").unwrap(), ("{x", "a:b_1"));
        fails(metric_name, "1a", FailKind::InvalidMetricName, 0);
        assert_eq!(run(metric_name, "a.b 1").unwrap(), (".b 1", "a"));
        assert_eq!(run(label_name, "le=").unwrap(), ("=", "le"));
        fails(label_name, "1=", FailKind::InvalidLabelName, 0);
        fails(label_name, "__name__=", FailKind::ReservedLabelName, 0);
    }

    #[test]
    fn escaped_strings() {
        assert_eq!(
            run(escaped_string, r#"a\"b" x"#).unwrap(),
            (" x", r#"a\"b"#)
        );
        assert_eq!(
            run(escaped_string, r#"b\\a\z"}"#).unwrap(),
            ("}", r"b\\a\z")
        );
        assert_eq!(
            run(escaped_string, r#"} foo # bar # "} 1"#).unwrap(),
            ("} 1", "} foo # bar # ")
        );
        let unterminated = FailKind::Expected("'\"' to end the label value");
        fails(escaped_string, "abc", unterminated, 3);
        fails(escaped_string, r#"ab\""#, unterminated, 4);
        fails(escaped_string, "ab\\", unterminated, 3);
    }

    #[test]
    fn label_sets() {
        assert_eq!(run(labels_legacy, "} 1").unwrap(), (" 1", ""));
        assert_eq!(
            run(labels_legacy, r#"a="1",b="x,y=z"} 1"#).unwrap(),
            (" 1", r#"a="1",b="x,y=z""#)
        );
        let sep = FailKind::Expected("',' or '}' after the label value");
        fails(labels_legacy, r#"a="1"b="2"} 1"#, sep, 5);
        fails(
            labels_legacy,
            r#"a="1",,b="2"} 1"#,
            FailKind::InvalidLabelName,
            6,
        );
        fails(labels_legacy, r#"a="1",} 1"#, FailKind::InvalidLabelName, 6);
        fails(labels_legacy, r#" a="1"} 1"#, FailKind::InvalidLabelName, 0);
        fails(
            labels_legacy,
            r#"a ="1"} 1"#,
            FailKind::Expected("'=' after the label name"),
            1,
        );
        fails(
            labels_legacy,
            "a} 1",
            FailKind::Expected("'=' after the label name"),
            1,
        );
        fails(
            labels_legacy,
            "a=1} 1",
            FailKind::Expected("'\"' to start the label value"),
            2,
        );
        fails(
            labels_legacy,
            "a='1'} 1",
            FailKind::Expected("'\"' to start the label value"),
            2,
        );
    }

    #[test]
    fn samples() {
        let (rest, s) = run(
            sample_legacy,
            r#"a_total{b="c"} 1.5 -7.25 # {t="x"} 0.5 123"#,
        )
        .unwrap();
        assert_eq!(rest, "");
        assert_eq!(
            (s.name, s.labels, s.value, s.raw_value, s.timestamp),
            ("a_total", Some("b=\"c\""), 1.5, "1.5", Some(-7250))
        );
        let (_, ex) = run(exemplar_legacy, s.exemplar.unwrap()).unwrap();
        assert_eq!(
            (ex.labels, ex.value, ex.timestamp),
            ("t=\"x\"", 0.5, Some("123"))
        );
        let (_, s) = run(sample_legacy, "a 1 # {} 2").unwrap();
        assert_eq!((s.timestamp, s.exemplar), (None, Some(" # {} 2")));
        let (_, s) = run(sample_legacy, "a{} +Inf").unwrap();
        assert_eq!(s.value, f64::INFINITY);

        fails(sample_legacy, "a  1", FailKind::InvalidValue, 2);
        fails(sample_legacy, "a 1 ", FailKind::InvalidTimestamp, 4);
        fails(sample_legacy, "a 1\t", FailKind::InvalidValue, 2);
        fails(
            sample_legacy,
            "a",
            FailKind::Expected("' ' before the value"),
            1,
        );
        fails(sample_legacy, "a 1_2", FailKind::InvalidValue, 2);
        fails(sample_legacy, "a 0x1p-3", FailKind::InvalidValue, 2);
        fails(sample_legacy, "a 1 NaN", FailKind::InvalidTimestamp, 4);
        fails(sample_legacy, "a 1 1.1.1", FailKind::InvalidTimestamp, 4);
        fails(
            sample_legacy,
            "a{a=\"1\"}1",
            FailKind::Expected("' ' before the value"),
            8,
        );
        fails(
            sample_legacy,
            "a 1 1 1",
            FailKind::Expected("'#' to start an exemplar"),
            6,
        );
        fails(
            sample_legacy,
            "a 1 #",
            FailKind::Expected("' ' after '#'"),
            5,
        );
        fails(sample_legacy, "a 1 # {} 1 ", FailKind::InvalidTimestamp, 11);
        fails(
            sample_legacy,
            "a 1 # {} 1 1 ",
            FailKind::Expected("end of line after the exemplar timestamp"),
            12,
        );
        fails(
            sample_legacy,
            "a 1 #{} 1",
            FailKind::Expected("' ' after '#'"),
            5,
        );
        fails(
            sample_legacy,
            "a 1 # {}1",
            FailKind::Expected("' ' before the exemplar value"),
            8,
        );
        fails(sample_legacy, "a 1 # {} 0x1p-3", FailKind::InvalidValue, 9);
        fails(sample_legacy, "a 1 # {}  ", FailKind::InvalidValue, 9);
        fails(sample_legacy, "{} 1", FailKind::InvalidMetricName, 0);
        fails(
            sample_legacy,
            "a\0b 1",
            FailKind::Expected("' ' before the value"),
            1,
        );
    }

    #[test]
    fn exemplar_length_counts_code_points() {
        let value = |n: usize| format!("a 1 # {{a=\"{}\"}} 1", "é".repeat(n));
        let ok = value(127);
        assert!(run(sample_legacy, &ok).is_ok());
        let long = value(128);
        fails(sample_legacy, &long, FailKind::ExemplarTooLong(129), 6);
        // Escapes count once: `\"` is one code point.
        let escaped = format!("a 1 # {{a=\"{}\"}} 1", "\\\"".repeat(127));
        assert!(run(sample_legacy, &escaped).is_ok());
    }

    #[test]
    fn descriptors() {
        assert_eq!(
            run(descriptor_legacy, "HELP a x \\\" y").unwrap().1,
            DescriptorParts::Help("a", "x \\\" y")
        );
        assert_eq!(
            run(descriptor_legacy, "HELP a ").unwrap().1,
            DescriptorParts::Help("a", "")
        );
        assert_eq!(
            run(descriptor_legacy, "TYPE a gaugehistogram").unwrap().1,
            DescriptorParts::Type("a", MetricType::GaugeHistogram)
        );
        assert_eq!(
            run(descriptor_legacy, "UNIT a_s s").unwrap().1,
            DescriptorParts::Unit("a_s", "s")
        );
        assert_eq!(
            run(descriptor_legacy, "UNIT a ").unwrap().1,
            DescriptorParts::Unit("a", "")
        );
        let kw = FailKind::Expected("HELP, TYPE, UNIT or EOF after '# '");
        fails(descriptor_legacy, "FOO a x", kw, 0);
        fails(
            descriptor_legacy,
            "HELP",
            FailKind::Expected("' ' after the keyword"),
            4,
        );
        fails(
            descriptor_legacy,
            "HELP ",
            FailKind::InvalidMetricNameInComment,
            5,
        );
        fails(
            descriptor_legacy,
            "HELP a",
            FailKind::Expected("' ' after the metric name"),
            6,
        );
        fails(
            descriptor_legacy,
            "HELP a\t",
            FailKind::Expected("' ' after the metric name"),
            6,
        );
        fails(descriptor_legacy, "TYPE a meh", FailKind::UnknownType, 7);
        fails(descriptor_legacy, "TYPE a gauge ", FailKind::UnknownType, 7);
        fails(
            descriptor_legacy,
            "TYPE a untyped",
            FailKind::UnknownType,
            7,
        );
        fails(descriptor_legacy, "TYPE a Gauge", FailKind::UnknownType, 7);
        fails(
            descriptor_legacy,
            "UNIT a_s s ",
            FailKind::Expected("a unit of letters, digits, '_' and ':'"),
            10,
        );
    }

    #[test]
    fn quoted_names() {
        let utf8 = |i| sample(i, true);
        let (_, s) = run(utf8, r#"{"a.b_total","x.y"="1",z="2"} 1 # {"t.id"="q"} 1"#).unwrap();
        assert_eq!(
            (s.name, s.labels),
            ("a.b_total", Some(r#""a.b_total","x.y"="1",z="2""#))
        );
        let labels: Vec<_> =
            std::iter::successors(next_label(s.labels.unwrap()), |(rest, _)| next_label(rest))
                .map(|(_, l)| l)
                .collect();
        assert_eq!(labels, [("x.y", "1"), ("z", "2")]);
        let (_, s) = run(utf8, r#"{z="2","q\"\\\n"} 1"#).unwrap();
        assert_eq!(s.name, r#"q\"\\\n"#);
        fails(utf8, r#"{"a","b"} 1"#, FailKind::DuplicateMetricName, 5);
        fails(utf8, r#"m{"b"} 1"#, FailKind::DuplicateMetricName, 2);
        fails(utf8, r#"{"a 1"#, FailKind::UnterminatedName, 1);
        fails(utf8, r#"{"a\z"} 1"#, FailKind::InvalidNameEscape('z'), 3);
        fails(utf8, r#"{""} 1"#, FailKind::InvalidMetricName, 1);
        fails(utf8, r#"{x="1"} 1"#, FailKind::InvalidMetricName, 0);
        fails(utf8, r#"{"a",""="1"} 1"#, FailKind::InvalidLabelName, 5);
        fails(
            utf8,
            r#"{"a","__name__"="1"} 1"#,
            FailKind::ReservedLabelName,
            5,
        );
        fails(sample_legacy, r#"{"a"} 1"#, FailKind::InvalidMetricName, 0);
        assert_eq!(
            run(|i| descriptor(i, true), r#"UNIT "a.b_s" s"#).unwrap().1,
            DescriptorParts::Unit("a.b_s", "s")
        );
        fails(
            descriptor_legacy,
            r#"TYPE "a" gauge"#,
            FailKind::InvalidMetricNameInComment,
            5,
        );
    }
}

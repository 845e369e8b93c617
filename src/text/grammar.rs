//! The rules of text format 0.0.4, one nom parser per rule.
//!
//! Every parser here takes the rest of one line *including* its `\n` (the last line of an input
//! may lack it). Running out of input where a character is needed is therefore always
//! [`FailKind::Eof`], which is exactly when Go's `TextParser` reports "unexpected end of input
//! stream": every line, the last included, must end with `\n`.
//!
//! ```text
//! line     = *blank ( sample | "#" comment | "" ) "\n"
//! sample   = metric_name *blank [ "{" label_set ] *blank value [ 1*blank timestamp ]
//! sample   =/ "{" label_set *blank value [ 1*blank timestamp ]  ; label_set names the metric
//! label_set = *blank ( "}" | item *( "," *blank item ) [ "," *blank ] "}" ) *blank
//! item     = label | quoted_name *blank     ; a quoted name alone is the metric name
//! label    = ( label_name | quoted_name ) *blank "=" *blank '"' label_value '"' *blank
//! comment  = *blank ( ("HELP" | "TYPE") 1*blank name [ 1*blank text ] | anything )
//! name     = metric_name | quoted_name
//! quoted_name = '"' 1*( [^"\\\n] | "\\" ( "\\" | '"' | "n" ) ) '"'
//! blank    = " " | "\t"
//! ```
//!
//! `quoted_name` is the Prometheus 3 syntax for names outside the legacy charset
//! (`{"my.metric", "a.b"="v"} 1`, `# TYPE "my.metric" counter`); a sample names its metric
//! exactly once, before the braces or quoted inside them. Names are returned raw: for a quoted
//! name, the text between the quotes with its escapes not yet decoded. Each character has one
//! spelling there, so equal raw names are equal names.
//!
//! The parsers keep no state and allocate nothing; errors are a [`Fail`] pointing into the line.

use nom::error::{ErrorKind as NomKind, ParseError};
#[cfg(test)]
use nom::Parser;
use nom::{IResult, Offset};

use crate::escape::{find_invalid_escape, Escapes};
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
    Eof,
    InvalidMetricName,
    InvalidMetricNameInComment,
    InvalidLabelName,
    ReservedLabelName,
    ExpectedEquals(char),
    ExpectedQuote(char),
    ExpectedLabelSeparator(char),
    InvalidEscape(char, Escapes),
    /// An invalid escape in a quoted name.
    InvalidNameEscape(char),
    NewlineInLabelValue,
    /// A quoted name runs into the end of the line (`at` is its opening quote).
    UnterminatedName,
    /// A second metric name in one sample.
    DuplicateMetricName,
    /// The token at `at` is not a float.
    InvalidValue,
    /// The token at `at` is not an int64.
    InvalidTimestamp,
    /// Text from `at` to the end of the line follows the timestamp.
    TrailingText,
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

type Res<'a, T> = IResult<&'a str, T, Fail<'a>>;

#[cold]
fn fail<T>(at: &str, kind: FailKind) -> Res<'_, T> {
    Err(nom::Err::Failure(Fail { at, kind }))
}

/// The character at the start of `i`, or an [`FailKind::Eof`] failure.
fn peek(i: &str) -> Result<char, nom::Err<Fail<'_>>> {
    i.chars().next().ok_or(nom::Err::Failure(Fail {
        at: i,
        kind: FailKind::Eof,
    }))
}

/// Splits `i` after the first `n` bytes (a char boundary the caller found by scanning ASCII).
fn split(i: &str, n: usize) -> (&str, &str) {
    (
        i.get(n..).unwrap_or_default(),
        i.get(..n).unwrap_or_default(),
    )
}

/// ```text
/// blank = " " | "\t"      ; any number, possibly none
/// ```
pub(crate) fn blanks(i: &str) -> Res<'_, &str> {
    let n = i
        .bytes()
        .position(|b| b != b' ' && b != b'\t')
        .unwrap_or(i.len());
    Ok(split(i, n))
}

/// A run of bytes matching `start` then `cont`; empty when the first byte does not match.
fn name_token(i: &str, start: fn(u8) -> bool, cont: fn(u8) -> bool) -> Res<'_, &str> {
    let bytes = i.as_bytes();
    let n = match bytes.first() {
        Some(&b) if start(b) => bytes
            .iter()
            .skip(1)
            .position(|&b| !cont(b))
            .map_or(bytes.len(), |p| p + 1),
        _ => 0,
    };
    Ok(split(i, n))
}

/// ```text
/// metric_name = [a-zA-Z_:] [a-zA-Z0-9_:]*
/// ```
/// Returns an empty name (not a failure) when none starts here; the caller decides.
pub(crate) fn metric_name(i: &str) -> Res<'_, &str> {
    name_token(
        i,
        names::is_metric_name_start,
        names::is_metric_name_continue,
    )
}

/// ```text
/// label_name = [a-zA-Z_] [a-zA-Z0-9_]*     ; "__name__" is reserved
/// ```
pub(crate) fn label_name(i: &str) -> Res<'_, &str> {
    let (rest, name) = name_token(i, names::is_label_name_start, names::is_label_name_continue)?;
    if name.is_empty() {
        return fail(i, FailKind::InvalidLabelName);
    }
    if name == names::RESERVED_LABEL {
        return fail(i, FailKind::ReservedLabelName);
    }
    Ok((rest, name))
}

/// ```text
/// label_value = *( [^"\\\n] | "\\" ( "\\" | '"' | "n" ) )     ; after the opening quote
/// ```
/// Returns the raw (still escaped) value and the rest after the closing quote. Go reads the
/// same escapes; a raw newline is an error.
#[inline]
pub(crate) fn label_value(i: &str) -> Res<'_, &str> {
    let bytes = i.as_bytes();
    let mut pos = 0;
    loop {
        let Some(found) = bytes
            .get(pos..)
            .and_then(|b| memchr::memchr3(b'"', b'\\', b'\n', b))
        else {
            return fail(i.get(i.len()..).unwrap_or_default(), FailKind::Eof);
        };
        let at = pos + found;
        match bytes.get(at) {
            Some(b'"') => {
                let (rest, raw) = split(i, at);
                return Ok((rest.get(1..).unwrap_or_default(), raw));
            }
            Some(b'\\') => match bytes.get(at + 1) {
                None => return fail(i.get(i.len()..).unwrap_or_default(), FailKind::Eof),
                Some(&c) if Escapes::LabelValue.decode(c).is_some() => pos = at + 2,
                Some(_) => {
                    let found = i
                        .get(at + 1..)
                        .and_then(|s| s.chars().next())
                        .unwrap_or('\\');
                    let at_str = i.get(at..).unwrap_or_default();
                    return fail(at_str, FailKind::InvalidEscape(found, Escapes::LabelValue));
                }
            },
            _ => return fail(i, FailKind::NewlineInLabelValue),
        }
    }
}

/// ```text
/// quoted_name = '"' 1*( [^"\\\n] | "\\" ( "\\" | '"' | "n" ) ) '"'
/// ```
/// Takes the input at the opening quote; returns the raw (still escaped) name between the
/// quotes, possibly empty (the caller says what an empty name is). The escapes are those of
/// label values. Kept out of line: the legacy path never calls it.
#[inline(never)]
pub(crate) fn quoted_name(i: &str) -> Res<'_, &str> {
    match label_value(i.get(1..).unwrap_or_default()) {
        Ok(ok) => Ok(ok),
        Err(nom::Err::Failure(Fail { kind, at })) => match kind {
            FailKind::NewlineInLabelValue => fail(i, FailKind::UnterminatedName),
            FailKind::InvalidEscape(c, _) => fail(at, FailKind::InvalidNameEscape(c)),
            kind => fail(at, kind),
        },
        Err(e) => Err(e),
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

/// One `name="value"` pair of the legacy syntax and the blanks after it: the path every
/// legacy input takes. Yields name and raw value.
#[inline]
pub(crate) fn label(i: &str) -> Res<'_, (&str, &str)> {
    let (i, name) = label_name(i)?;
    let (i, value) = equals_value(i)?;
    Ok((i, (name, value)))
}

/// What follows a label name: blanks, `=`, blanks, the quoted value and the blanks after it.
/// Yields the raw value. Always inlined: it is the hot path of every legacy label, and an
/// out-of-line call cost 2.7% of `text::parse` on a labels-heavy page (callgrind).
#[inline(always)]
fn equals_value(i: &str) -> Res<'_, &str> {
    let (i, _) = blanks(i)?;
    match peek(i)? {
        '=' => {}
        c => return fail(i, FailKind::ExpectedEquals(c)),
    }
    let (i, _) = blanks(i.get(1..).unwrap_or_default())?;
    match peek(i)? {
        '"' => {}
        c => return fail(i, FailKind::ExpectedQuote(c)),
    }
    let (i, value) = label_value(i.get(1..).unwrap_or_default())?;
    blanks(i).map(|(i, _)| (i, value))
}

/// One label set item and the blanks after it; quoted names only with `utf8`.
pub(crate) fn item(i: &str, utf8: bool) -> Res<'_, Item<'_>> {
    let (rest, name) = if utf8 && i.starts_with('"') {
        let (rest, raw) = quoted_name(i)?;
        let (after, _) = blanks(rest)?;
        match peek(after)? {
            '=' => {}
            ',' | '}' if raw.is_empty() => return fail(i, FailKind::InvalidMetricName),
            ',' | '}' => return Ok((after, Item::MetricName(raw))),
            c => return fail(after, FailKind::ExpectedEquals(c)),
        }
        if raw.is_empty() {
            return fail(i, FailKind::InvalidLabelName);
        }
        if raw == names::RESERVED_LABEL {
            return fail(i, FailKind::ReservedLabelName);
        }
        (after, raw)
    } else {
        label_name(i)?
    };
    let (i, value) = equals_value(rest)?;
    Ok((i, Item::Label(name, value)))
}

/// ```text
/// label_set = *blank ( "}" | item *( "," *blank item ) [ "," *blank ] "}" )
/// ```
/// Takes the input after `{`; returns the raw text between the braces, the raw metric name
/// quoted inside them if any, and the rest after `}`. A trailing comma is allowed, as in Go.
pub(crate) fn label_set(i: &str, utf8: bool) -> Res<'_, (&str, Option<&str>)> {
    let start = i;
    let mut i = i;
    let mut metric_name = None;
    loop {
        let (rest, _) = blanks(i)?;
        if peek(rest)? == '}' {
            let raw_len = start.len() - rest.len();
            return Ok((
                rest.get(1..).unwrap_or_default(),
                (start.get(..raw_len).unwrap_or_default(), metric_name),
            ));
        }
        let after = if utf8 {
            let (after, item) = item(rest, true)?;
            if let Item::MetricName(name) = item {
                if metric_name.is_some() {
                    return fail(rest, FailKind::DuplicateMetricName);
                }
                metric_name = Some(name);
            }
            after
        } else {
            label(rest)?.0
        };
        match peek(after)? {
            ',' => i = after.get(1..).unwrap_or_default(),
            '}' => i = after,
            c => return fail(after, FailKind::ExpectedLabelSeparator(c)),
        }
    }
}

/// Iterates the labels of a raw label set that [`label_set`] accepted, skipping a quoted
/// metric name.
#[inline]
pub(crate) fn next_label(mut i: &str, utf8: bool) -> Option<(&str, (&str, &str))> {
    if !utf8 {
        let (i, _) = blanks(i).ok()?;
        let (i, pair) = label(i).ok()?;
        return Some((i.strip_prefix(',').unwrap_or(i), pair));
    }
    loop {
        let (rest, _) = blanks(i).ok()?;
        let (rest, item) = item(rest, true).ok()?;
        i = rest.strip_prefix(',').unwrap_or(rest);
        if let Item::Label(name, value) = item {
            return Some((i, (name, value)));
        }
    }
}

/// A value or timestamp token: everything up to a blank or the end of the line.
fn token(i: &str) -> Res<'_, &str> {
    match i
        .bytes()
        .position(|b| b == b' ' || b == b'\t' || b == b'\n')
    {
        Some(n) => Ok(split(i, n)),
        None => fail(i.get(i.len()..).unwrap_or_default(), FailKind::Eof),
    }
}

/// ```text
/// value = float       ; as number::parse_float
/// ```
pub(crate) fn value(i: &str) -> Res<'_, f64> {
    let (rest, tok) = token(i)?;
    match number::parse_float(tok) {
        Some(v) => Ok((rest, v)),
        None => fail(i, FailKind::InvalidValue),
    }
}

/// ```text
/// timestamp_part = [ 1*blank int64 ] "\n"
/// ```
/// Takes the rest after the value; consumes the `\n`.
pub(crate) fn timestamp(i: &str) -> Res<'_, Option<i64>> {
    if let Some(rest) = i.strip_prefix('\n') {
        return Ok((rest, None));
    }
    let (i, _) = blanks(i)?;
    let (rest, tok) = token(i)?;
    let Some(ts) = number::parse_timestamp(tok) else {
        return fail(i, FailKind::InvalidTimestamp);
    };
    match rest.find('\n') {
        Some(0) => Ok((rest.get(1..).unwrap_or_default(), Some(ts))),
        Some(_) => fail(rest, FailKind::TrailingText),
        None => fail(rest.get(rest.len()..).unwrap_or_default(), FailKind::Eof),
    }
}

/// The parts of a sample line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SampleParts<'a> {
    pub name: &'a str,
    /// Raw text between `{` and `}`; `None` without braces.
    pub labels: Option<&'a str>,
    pub value: f64,
    pub timestamp: Option<i64>,
}

/// ```text
/// sample = ( metric_name | "{" ) ... ; see the module docs
/// ```
/// Takes the line after its leading blanks. The name is raw (see the module docs); quoted
/// names only with `utf8`.
pub(crate) fn sample(i: &str, utf8: bool) -> Res<'_, SampleParts<'_>> {
    let (rest, name) = metric_name(i)?;
    if name.is_empty() && !(utf8 && rest.starts_with('{')) {
        return fail(i, FailKind::InvalidMetricName);
    }
    let (rest, _) = blanks(rest)?;
    let (rest, name, labels) = match rest.strip_prefix('{') {
        Some(after) => {
            let (rest, (raw, quoted)) = label_set(after, utf8)?;
            let name = match (name.is_empty(), quoted) {
                (false, None) => name,
                (true, Some(quoted)) => quoted,
                (true, None) => return fail(i, FailKind::InvalidMetricName),
                (false, Some(quoted)) => {
                    // Point at the quoted name: its opening quote is just before it.
                    let at = after.get(after.offset(quoted).saturating_sub(1)..);
                    return fail(at.unwrap_or(after), FailKind::DuplicateMetricName);
                }
            };
            let (rest, _) = blanks(rest)?;
            (rest, name, Some(raw))
        }
        None => (rest, name, None),
    };
    let (rest, value) = value(rest)?;
    let (rest, timestamp) = timestamp(rest)?;
    Ok((
        rest,
        SampleParts {
            name,
            labels,
            value,
            timestamp,
        },
    ))
}

/// A comment line, classified as Go's `TextParser` classifies it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CommentParts<'a> {
    /// Any other comment; the text after `#`.
    Plain(&'a str),
    /// `# HELP name text`; raw (escaped) text, empty when the line ends after the name's blanks.
    Help(&'a str, &'a str),
    /// `# TYPE name word`; the raw word, empty when the line ends after the name's blanks.
    Type(&'a str, &'a str),
}

/// ```text
/// comment = "#" *blank ( keyword 1*blank name [ 1*blank text ] | other ) "\n"
/// keyword = "HELP" | "TYPE"
/// ```
/// Takes the line after `#`. `# HELP` or `# TYPE` followed by the end of the line, or by a name
/// and the end of the line, is a plain comment, as in Go.
/// Quoted names only with `utf8`.
pub(crate) fn comment<'a>(i: &'a str, utf8: bool) -> Res<'a, CommentParts<'a>> {
    let line_end = |i: &'a str| match memchr::memchr(b'\n', i.as_bytes()) {
        Some(n) => Ok(split(i, n + 1)),
        None => fail(i.get(i.len()..).unwrap_or_default(), FailKind::Eof),
    };
    let (rest, _) = blanks(i)?;
    let (after_kw, keyword) = token(rest)?;
    if after_kw.starts_with('\n') || (keyword != "HELP" && keyword != "TYPE") {
        let (rest, _) = line_end(i)?;
        return Ok((rest, CommentParts::Plain(i.strip_suffix('\n').unwrap_or(i))));
    }
    let (r, _) = blanks(after_kw)?;
    let (r, name) = if utf8 && r.starts_with('"') {
        let (rest, raw) = quoted_name(r)?;
        if raw.is_empty() {
            return fail(r, FailKind::InvalidMetricNameInComment);
        }
        (rest, raw)
    } else {
        metric_name(r)?
    };
    match peek(r)? {
        '\n' => {
            let plain = i.strip_suffix('\n').unwrap_or(i);
            return Ok((r.get(1..).unwrap_or_default(), CommentParts::Plain(plain)));
        }
        ' ' | '\t' => {}
        _ => return fail(r, FailKind::InvalidMetricNameInComment),
    }
    let (r, _) = blanks(r)?;
    let (rest, text) = line_end(r)?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    if keyword == "HELP" {
        if let Some((at, found)) = find_invalid_escape(text, Escapes::Help) {
            let at_str = r.get(at..).unwrap_or_default();
            return fail(
                at_str,
                FailKind::InvalidEscape(found.unwrap_or('\n'), Escapes::Help),
            );
        }
        Ok((rest, CommentParts::Help(name, text)))
    } else {
        Ok((rest, CommentParts::Type(name, text)))
    }
}

/// Wraps a rule for use where nom's `Parser` is wanted (kept for composition in tests).
#[cfg(test)]
fn run<'a, T>(
    mut p: impl Parser<&'a str, Output = T, Error = Fail<'a>>,
    i: &'a str,
) -> Result<(&'a str, T), Fail<'a>> {
    p.parse(i).map_err(|e| match e {
        nom::Err::Error(f) | nom::Err::Failure(f) => f,
        nom::Err::Incomplete(_) => Fail {
            at: i,
            kind: FailKind::Eof,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(run(metric_name, "1a").unwrap(), ("1a", ""));
        assert_eq!(run(label_name, "le=").unwrap(), ("=", "le"));
        fails(label_name, "9=", FailKind::InvalidLabelName, 0);
        fails(label_name, "__name__=", FailKind::ReservedLabelName, 0);
        fails(label_name, ":a", FailKind::InvalidLabelName, 0);
    }

    #[test]
    fn label_values_and_escapes() {
        assert_eq!(run(label_value, r#"a\"b" x"#).unwrap(), (" x", r#"a\"b"#));
        assert_eq!(run(label_value, r#"q\"}"} 1"#).unwrap(), ("} 1", r#"q\"}"#));
        fails(
            label_value,
            r"a\tb",
            FailKind::InvalidEscape('t', Escapes::LabelValue),
            1,
        );
        fails(label_value, "ab\nc\"", FailKind::NewlineInLabelValue, 0);
        fails(label_value, "abc", FailKind::Eof, 3);
        fails(label_value, "ab\\", FailKind::Eof, 3);
    }

    #[test]
    fn label_sets() {
        assert_eq!(
            run(|i| label_set(i, false), "} 1\n").unwrap(),
            (" 1\n", ("", None))
        );
        assert_eq!(
            run(|i| label_set(i, false), r#" a = "1" , b="x,y=z",} 1"#).unwrap(),
            (" 1", (r#" a = "1" , b="x,y=z","#, None))
        );
        fails(
            |i| label_set(i, false),
            r#"a="1" b="2"} 1"#,
            FailKind::ExpectedLabelSeparator('b'),
            6,
        );
        fails(
            |i| label_set(i, false),
            "A} 0",
            FailKind::ExpectedEquals('}'),
            1,
        );
        fails(
            |i| label_set(i, false),
            r#"a=1} 0"#,
            FailKind::ExpectedQuote('1'),
            2,
        );
        fails(
            |i| label_set(i, false),
            ",} 1",
            FailKind::InvalidLabelName,
            0,
        );
        fails(|i| label_set(i, false), r#"a="1""#, FailKind::Eof, 5);
    }

    #[test]
    fn samples() {
        let (rest, s) = run(|i| sample(i, false), "a{b=\"c\"} 1.5 -7\nnext").unwrap();
        assert_eq!(rest, "next");
        assert_eq!(
            (s.name, s.labels, s.value, s.timestamp),
            ("a", Some("b=\"c\""), 1.5, Some(-7))
        );
        let (_, s) = run(|i| sample(i, false), "a {}1\n").unwrap();
        assert_eq!((s.labels, s.value), (Some(""), 1.0));
        fails(|i| sample(i, false), "a 1\r\n", FailKind::InvalidValue, 2);
        fails(|i| sample(i, false), "a 1", FailKind::Eof, 3);
        fails(|i| sample(i, false), "a 1 ", FailKind::Eof, 4);
        fails(
            |i| sample(i, false),
            "a 1 \n",
            FailKind::InvalidTimestamp,
            4,
        );
        fails(|i| sample(i, false), "a 1 2 \n", FailKind::TrailingText, 5);
        fails(
            |i| sample(i, false),
            "a 1 1.5\n",
            FailKind::InvalidTimestamp,
            4,
        );
        fails(|i| sample(i, false), "a\n", FailKind::InvalidValue, 1);
        fails(
            |i| sample(i, false),
            "{} 1\n",
            FailKind::InvalidMetricName,
            0,
        );
        fails(|i| sample(i, false), "a\0b 1\n", FailKind::InvalidValue, 1);
    }

    #[test]
    fn comments() {
        assert_eq!(
            run(|i| comment(i, false), " HELP a x\\ny \n").unwrap().1,
            CommentParts::Help("a", "x\\ny ")
        );
        assert_eq!(
            run(|i| comment(i, false), " TYPE a counter\n").unwrap().1,
            CommentParts::Type("a", "counter")
        );
        assert_eq!(
            run(|i| comment(i, false), " TYPE a \n").unwrap().1,
            CommentParts::Type("a", "")
        );
        assert_eq!(
            run(|i| comment(i, false), " HELP a\n").unwrap().1,
            CommentParts::Plain(" HELP a")
        );
        assert_eq!(
            run(|i| comment(i, false), " HELP\n").unwrap().1,
            CommentParts::Plain(" HELP")
        );
        assert_eq!(
            run(|i| comment(i, false), "\n").unwrap().1,
            CommentParts::Plain("")
        );
        assert_eq!(
            run(|i| comment(i, false), " other words\n").unwrap().1,
            CommentParts::Plain(" other words")
        );
        fails(
            |i| comment(i, false),
            " HELP 1a x\n",
            FailKind::InvalidMetricNameInComment,
            6,
        );
        fails(
            |i| comment(i, false),
            " HELP a x\\t\n",
            FailKind::InvalidEscape('t', Escapes::Help),
            9,
        );
        fails(
            |i| comment(i, false),
            " HELP a x\\\n",
            FailKind::InvalidEscape('\n', Escapes::Help),
            9,
        );
        fails(|i| comment(i, false), " HELP a x", FailKind::Eof, 9);
        fails(|i| comment(i, false), "", FailKind::Eof, 0);
    }

    #[test]
    fn quoted_names() {
        let utf8 = |i| sample(i, true);
        let (_, s) = run(utf8, "{\"my.metric\", \"a.b\"=\"v\", plain=\"x\"} 1\n").unwrap();
        assert_eq!(s.name, "my.metric");
        assert_eq!(s.labels, Some(r#""my.metric", "a.b"="v", plain="x""#));
        let labels: Vec<_> =
            std::iter::successors(next_label(s.labels.unwrap(), true), |(rest, _)| {
                next_label(rest, true)
            })
            .map(|(_, l)| l)
            .collect();
        assert_eq!(labels, [("a.b", "v"), ("plain", "x")]);
        // Anywhere in the braces, once; escapes stay raw.
        let (_, s) = run(utf8, "{a=\"1\",\"q\\\"x\\\\\"} 2\n").unwrap();
        assert_eq!(s.name, r#"q\"x\\"#);
        let (_, s) = run(utf8, "m{\"é\"=\"1\"} 2\n").unwrap();
        assert_eq!((s.name, s.labels), ("m", Some(r#""é"="1""#)));
        fails(utf8, "{\"a\",\"b\"} 1\n", FailKind::DuplicateMetricName, 5);
        fails(utf8, "m{\"b\"} 1\n", FailKind::DuplicateMetricName, 2);
        fails(utf8, "{\"my.metric 1\n", FailKind::UnterminatedName, 1);
        fails(utf8, "{\"a\\tb\"} 1\n", FailKind::InvalidNameEscape('t'), 3);
        fails(utf8, "{\"\"} 1\n", FailKind::InvalidMetricName, 1);
        fails(
            utf8,
            "{\"a\",\"\"=\"v\"} 1\n",
            FailKind::InvalidLabelName,
            5,
        );
        fails(
            utf8,
            "{\"a\",\"__name__\"=\"v\"} 1\n",
            FailKind::ReservedLabelName,
            5,
        );
        fails(utf8, "{\"a\" x} 1\n", FailKind::ExpectedEquals('x'), 5);
        fails(utf8, "{a=\"b\"} 1\n", FailKind::InvalidMetricName, 0);
        fails(utf8, "\"a\" 1\n", FailKind::InvalidMetricName, 0);
        // Without the option, the classic errors.
        fails(
            |i| sample(i, false),
            "{\"a\"} 1\n",
            FailKind::InvalidMetricName,
            0,
        );
        fails(
            |i| sample(i, false),
            "m{\"a\"=\"b\"} 1\n",
            FailKind::InvalidLabelName,
            2,
        );
    }

    #[test]
    fn quoted_names_in_comments() {
        assert_eq!(
            run(|i| comment(i, true), " TYPE \"my.metric\" counter\n")
                .unwrap()
                .1,
            CommentParts::Type("my.metric", "counter")
        );
        assert_eq!(
            run(|i| comment(i, true), " HELP \"a\\nb\" x y\n")
                .unwrap()
                .1,
            CommentParts::Help(r"a\nb", "x y")
        );
        fails(
            |i| comment(i, true),
            " HELP \"a\"b x\n",
            FailKind::InvalidMetricNameInComment,
            9,
        );
        fails(
            |i| comment(i, true),
            " TYPE \"a counter\n",
            FailKind::UnterminatedName,
            6,
        );
        fails(
            |i| comment(i, false),
            " TYPE \"a\" counter\n",
            FailKind::InvalidMetricNameInComment,
            6,
        );
    }
}

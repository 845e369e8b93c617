//! The line lexer: one borrowed record per line, no allocation.

use std::borrow::Cow;

use nom::Offset;

use super::grammar::{self, DescriptorParts, Fail, FailKind};
use crate::error::{Error, ErrorKind, EscapeContext, Result, Snippet};
use crate::escape::{self, Escapes};
use crate::model::{MetricType, Timestamp};
use crate::number;

/// Splits an OpenMetrics exposition into [`Record`]s, one per line.
///
/// The lexer checks the syntax of every line (names, label sets, numbers, timestamps,
/// exemplars and their 128-code-point limit) and the framing of the whole: no blank lines,
/// `# EOF` last, nothing after it. What needs more than one line (metadata order, which
/// samples a type allows, histogram rules, family contiguity) is
/// [`parse`](super::parse)'s job. It allocates nothing: names, label sets and HELP text
/// are slices of the input, and label values are unescaped only when asked.
///
/// After an error the iterator is fused: it returns `None`.
///
/// ```
/// use expfmt::openmetrics::{Lexer, Line};
///
/// let input = "# TYPE up gauge\nup{job=\"node\"} 1\n# EOF\n";
/// let mut samples = 0;
/// for record in Lexer::new(input) {
///     if let Line::Sample(s) = record?.line {
///         assert_eq!(s.name, "up");
///         assert_eq!(s.labels.iter().next().map(|l| l.name), Some("job"));
///         samples += 1;
///     }
/// }
/// assert_eq!(samples, 1);
///
/// // `# EOF` is required.
/// let err = Lexer::new("up 1\n").find_map(|r| r.err()).unwrap();
/// assert_eq!(err.to_string(), "line 2, column 1: missing \"# EOF\" at end of input");
/// # Ok::<(), expfmt::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    state: State,
    utf8_names: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Lines,
    AfterEof,
    Done,
}

/// One line of input and where it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    /// Byte offset of the line's first character in the input.
    pub offset: usize,
    /// What the line holds.
    pub line: Line<'a>,
}

/// What one line of OpenMetrics text holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Line<'a> {
    /// `# HELP name text`.
    Help(HelpLine<'a>),
    /// `# TYPE name type`.
    Type(TypeLine<'a>),
    /// `# UNIT name unit`.
    Unit(UnitLine<'a>),
    /// A sample.
    Sample(Sample<'a>),
    /// `# EOF`, the last line.
    Eof,
}

/// A `# HELP` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HelpLine<'a> {
    /// The metric family name as written: for a quoted name, the text between the quotes
    /// with its escapes not yet decoded ([`escape::unescape_name`] decodes them).
    pub name: &'a str,
    /// The help text as written (escapes not yet decoded); may be empty.
    pub raw: &'a str,
    /// Byte offset of the name.
    pub name_offset: usize,
}

impl<'a> HelpLine<'a> {
    /// The help text with `\\`, `\"` and `\n` decoded (any other backslash stays); borrowed
    /// when there is no backslash.
    pub fn text(&self) -> Cow<'a, str> {
        escape::unescape(self.raw, Escapes::OpenMetrics)
    }
}

/// A `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeLine<'a> {
    /// The metric family name as written: for a quoted name, the text between the quotes
    /// with its escapes not yet decoded ([`escape::unescape_name`] decodes them).
    pub name: &'a str,
    /// The declared type (never [`MetricType::Untyped`]: OpenMetrics says `unknown`).
    pub metric_type: MetricType,
    /// Byte offset of the name.
    pub name_offset: usize,
}

/// A `# UNIT` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitLine<'a> {
    /// The metric family name as written: for a quoted name, the text between the quotes
    /// with its escapes not yet decoded ([`escape::unescape_name`] decodes them).
    pub name: &'a str,
    /// The unit; may be empty.
    pub unit: &'a str,
    /// Byte offset of the name.
    pub name_offset: usize,
}

/// A sample line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample<'a> {
    /// The sample name as written (with any `_total`, `_bucket`, … suffix): for a quoted
    /// name, the text between the quotes with its escapes not yet decoded
    /// ([`escape::unescape_name`] decodes them).
    pub name: &'a str,
    /// The labels, still raw.
    pub labels: RawLabels<'a>,
    /// The value.
    pub value: f64,
    /// The value as written (a `_created` value is read from it exactly, as a timestamp).
    pub raw_value: &'a str,
    /// The timestamp in milliseconds, read exactly from the seconds given and rounded to the
    /// nearest millisecond (see [`number::parse_seconds_ms`]).
    pub timestamp_ms: Option<i64>,
    /// The exemplar, if the line has one.
    pub exemplar: Option<RawExemplar<'a>>,
}

/// An exemplar as written after the value (or timestamp) of a sample line, checked once and
/// parsed again when its parts are asked for (each accessor re-reads the few bytes; exemplars
/// are rare and short).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawExemplar<'a> {
    /// From the space before `#` to the end of the line.
    raw: &'a str,
    offset: usize,
}

impl<'a> RawExemplar<'a> {
    /// The exemplar as written, from its `#`.
    pub fn as_str(&self) -> &'a str {
        self.raw.get(1..).unwrap_or_default()
    }

    /// Byte offset in the input of its `#`.
    pub fn offset(&self) -> usize {
        self.offset + 1
    }

    fn parts(&self) -> Option<grammar::ExemplarParts<'a>> {
        grammar::exemplar(self.raw, true)
            .ok()
            .map(|(_, parts)| parts)
    }

    /// The exemplar's labels, still raw.
    pub fn labels(&self) -> RawLabels<'a> {
        self.parts().map_or_else(RawLabels::default, |p| RawLabels {
            raw: p.labels,
            offset: self.offset + self.raw.offset(p.labels),
        })
    }

    /// The exemplar's value.
    pub fn value(&self) -> f64 {
        self.parts().map_or(f64::NAN, |p| p.value)
    }

    /// The exemplar's timestamp, to the nanosecond (see [`number::parse_seconds`]).
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.parts()?.timestamp.and_then(number::parse_seconds)
    }
}

/// A label set as written, parsed again when iterated (it was checked once).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RawLabels<'a> {
    raw: &'a str,
    offset: usize,
}

impl<'a> RawLabels<'a> {
    /// The text between `{` and `}`; empty when there were no braces.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Byte offset in the input of the text between the braces.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The labels in input order.
    pub fn iter(&self) -> RawLabelIter<'a> {
        RawLabelIter {
            raw: self.raw,
            rest: self.raw,
            base: self.offset,
        }
    }
}

impl<'a> IntoIterator for RawLabels<'a> {
    type Item = RawLabel<'a>;
    type IntoIter = RawLabelIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over [`RawLabels`].
#[derive(Debug, Clone)]
pub struct RawLabelIter<'a> {
    raw: &'a str,
    rest: &'a str,
    base: usize,
}

impl<'a> Iterator for RawLabelIter<'a> {
    type Item = RawLabel<'a>;

    fn next(&mut self) -> Option<RawLabel<'a>> {
        let (rest, (name, raw_value)) = grammar::next_label(self.rest)?;
        self.rest = rest;
        let at = self.raw.offset(name);
        // A bare name follows `{`, `,` or a blank; a quoted one its opening quote.
        let quoted = at > 0 && self.raw.as_bytes().get(at - 1) == Some(&b'"');
        Some(RawLabel {
            name,
            raw_value,
            name_offset: self.base + at,
            value_offset: self.base + self.raw.offset(raw_value),
            quoted,
        })
    }
}

impl std::iter::FusedIterator for RawLabelIter<'_> {}

/// One label, its value still escaped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawLabel<'a> {
    /// The label name as written: for a quoted name, the text between the quotes with its
    /// escapes not yet decoded ([`RawLabel::decoded_name`] decodes them).
    pub name: &'a str,
    /// The value as written between the quotes.
    pub raw_value: &'a str,
    /// Byte offset of the name in the input.
    pub name_offset: usize,
    /// Byte offset of the value (after the opening quote) in the input.
    pub value_offset: usize,
    /// Whether the name was written quoted (`"a.b"="v"`); only then may it hold escapes.
    pub quoted: bool,
}

impl<'a> RawLabel<'a> {
    /// The label name with the escapes of a quoted name decoded; borrowed when there is none.
    #[inline]
    pub fn decoded_name(&self) -> Cow<'a, str> {
        escape::label_name(self.name, self.quoted)
    }

    /// The value with `\\`, `\"` and `\n` decoded (any other backslash stays); borrowed when
    /// there is no backslash.
    pub fn value(&self) -> Cow<'a, str> {
        escape::unescape(self.raw_value, Escapes::OpenMetrics)
    }
}

impl<'a> Lexer<'a> {
    /// A lexer over `input`.
    pub fn new(input: &'a str) -> Self {
        Lexer {
            input,
            pos: 0,
            state: State::Lines,
            utf8_names: false,
        }
    }

    /// Whether to read the Prometheus 3 quoted names (`{"my.metric","a.b"="v"} 1`,
    /// `# TYPE "my.metric" counter`), which OpenMetrics 1.0 does not have; off by default.
    /// Legacy input lexes the same either way.
    #[must_use]
    pub fn utf8_names(mut self, on: bool) -> Self {
        self.utf8_names = on;
        self
    }

    /// The input the lexer reads.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// Byte offset of the next line.
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn lex_line(&self, line: &'a str, offset: usize) -> Result<Line<'a>> {
        let at = |sub: &str| offset + line.offset(sub);
        let labels = |raw: Option<&'a str>| {
            raw.map_or_else(RawLabels::default, |raw| RawLabels {
                raw,
                offset: at(raw),
            })
        };
        let parsed = match line.as_bytes().first() {
            None => Err(nom::Err::Failure(Fail {
                at: line,
                kind: FailKind::BlankLine,
            })),
            Some(b'#') => match line.strip_prefix("# ") {
                Some(after) => grammar::descriptor(after, self.utf8_names).map(|(_, d)| match d {
                    DescriptorParts::Help(name, raw) => Line::Help(HelpLine {
                        name,
                        raw,
                        name_offset: at(name),
                    }),
                    DescriptorParts::Type(name, metric_type) => Line::Type(TypeLine {
                        name,
                        metric_type,
                        name_offset: at(name),
                    }),
                    DescriptorParts::Unit(name, unit) => Line::Unit(UnitLine {
                        name,
                        unit,
                        name_offset: at(name),
                    }),
                }),
                None => Err(nom::Err::Failure(Fail {
                    at: line.get(1..).unwrap_or_default(),
                    kind: FailKind::Expected("' ' after '#'"),
                })),
            },
            Some(_) => grammar::sample(line, self.utf8_names).map(|(_, s)| {
                Line::Sample(Sample {
                    name: s.name,
                    labels: labels(s.labels),
                    value: s.value,
                    raw_value: s.raw_value,
                    timestamp_ms: s.timestamp,
                    exemplar: s.exemplar.map(|raw| RawExemplar {
                        raw,
                        offset: at(raw),
                    }),
                })
            }),
        };
        parsed.map_err(|e| self.convert(e, line, offset))
    }

    #[cold]
    fn convert(&self, e: nom::Err<Fail<'a>>, line: &'a str, offset: usize) -> Error {
        let fail = match e {
            nom::Err::Error(f) | nom::Err::Failure(f) => f,
            nom::Err::Incomplete(_) => Fail {
                at: "",
                kind: FailKind::Nom(nom::error::ErrorKind::Eof),
            },
        };
        let pos = offset + line.len().saturating_sub(fail.at.len());
        let token = || {
            let end = fail.at.find(' ').unwrap_or(fail.at.len());
            Snippet::new(fail.at.get(..end).unwrap_or_default())
        };
        // What stood there: the token, or the single character (a space) that ends it.
        let found = || {
            let end = match fail.at.find(' ') {
                Some(0) => 1,
                Some(n) => n,
                None => fail.at.len(),
            };
            (!fail.at.is_empty()).then(|| Snippet::new(fail.at.get(..end).unwrap_or_default()))
        };
        let kind = match fail.kind {
            FailKind::Expected(expected) => ErrorKind::Syntax {
                expected,
                found: found(),
            },
            FailKind::BlankLine => ErrorKind::Syntax {
                expected: "a sample or a '#' line (blank lines are not allowed)",
                found: None,
            },
            FailKind::InvalidMetricName => ErrorKind::InvalidMetricName,
            FailKind::InvalidMetricNameInComment => ErrorKind::InvalidMetricNameInComment,
            FailKind::InvalidLabelName => ErrorKind::InvalidLabelName,
            FailKind::ReservedLabelName => ErrorKind::ReservedLabelName,
            FailKind::InvalidValue => ErrorKind::InvalidValue { found: token() },
            FailKind::InvalidTimestamp => ErrorKind::InvalidTimestampSeconds { found: token() },
            FailKind::UnknownType => ErrorKind::UnknownType {
                found: Snippet::new(fail.at),
            },
            FailKind::ExemplarTooLong(length) => ErrorKind::ExemplarTooLong { length },
            FailKind::InvalidNameEscape(found) => ErrorKind::InvalidEscape {
                found,
                context: EscapeContext::Name,
            },
            FailKind::UnterminatedName => ErrorKind::UnterminatedQuotedName,
            FailKind::DuplicateMetricName => ErrorKind::DuplicateMetricName,
            FailKind::Nom(_) => ErrorKind::Syntax {
                expected: "a valid line",
                found: found(),
            },
        };
        Error::in_text(kind, self.input.as_bytes(), pos)
    }

    #[cold]
    fn error_here(&mut self, kind: ErrorKind) -> Option<Result<Record<'a>>> {
        self.state = State::Done;
        Some(Err(Error::in_text(kind, self.input.as_bytes(), self.pos)))
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.state {
            State::Done => None,
            State::AfterEof => {
                if self.pos < self.input.len() {
                    return self.error_here(ErrorKind::TextAfterEof);
                }
                self.state = State::Done;
                None
            }
            State::Lines => {
                let offset = self.pos;
                let rest = self.input.get(offset..).unwrap_or_default();
                if rest.is_empty() {
                    return self.error_here(ErrorKind::MissingEof);
                }
                let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
                    Some(n) => (rest.get(..n).unwrap_or_default(), offset + n + 1),
                    None => (rest, self.input.len()),
                };
                self.pos = next;
                if grammar::is_eof(line) {
                    self.state = State::AfterEof;
                    return Some(Ok(Record {
                        offset,
                        line: Line::Eof,
                    }));
                }
                match self.lex_line(line, offset) {
                    Ok(line) => Some(Ok(Record { offset, line })),
                    Err(e) => {
                        self.state = State::Done;
                        Some(Err(e))
                    }
                }
            }
        }
    }
}

impl std::iter::FusedIterator for Lexer<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str) -> Vec<Line<'_>> {
        Lexer::new(input)
            .map(|r| r.map(|r| r.line))
            .collect::<Result<_>>()
            .unwrap()
    }

    fn err(input: &str) -> (String, Option<usize>, Option<usize>) {
        let e = Lexer::new(input).find_map(|r| r.err()).expect(input);
        (e.kind().to_string(), e.line(), e.column())
    }

    #[test]
    fn classifies_lines() {
        let l = lines(concat!(
            "# HELP a x\\\"y\n",
            "# TYPE a counter\n",
            "# UNIT a \n",
            "a_total{b=\"c\"} 1 2.5 # {t=\"\\q\"} 3 4.000000001\n",
            "# EOF"
        ));
        let Line::Help(h) = l[0] else { panic!() };
        assert_eq!((h.name, h.raw, h.text()), ("a", "x\\\"y", "x\"y".into()));
        assert!(matches!(
            l[1],
            Line::Type(TypeLine {
                metric_type: MetricType::Counter,
                ..
            })
        ));
        assert!(matches!(l[2], Line::Unit(UnitLine { unit: "", .. })));
        let Line::Sample(s) = l[3] else { panic!() };
        assert_eq!(
            (s.name, s.value, s.timestamp_ms),
            ("a_total", 1.0, Some(2500))
        );
        let ex = s.exemplar.unwrap();
        let label = ex.labels().iter().next().unwrap();
        assert_eq!((label.name, label.value()), ("t", "\\q".into()));
        assert_eq!(ex.as_str(), "# {t=\"\\q\"} 3 4.000000001");
        assert_eq!(ex.value(), 3.0);
        assert_eq!(
            ex.timestamp(),
            Some(Timestamp {
                seconds: 4,
                nanos: 1
            })
        );
        assert_eq!(l[4], Line::Eof);
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn label_offsets_point_into_the_input() {
        let input = "m{a=\"x\",b=\"y\\\"z\"} 1\n# EOF\n";
        let Line::Sample(s) = lines(input)[0] else {
            panic!()
        };
        let labels: Vec<_> = s.labels.iter().collect();
        assert_eq!(labels.len(), 2);
        assert_eq!(&input[labels[0].name_offset..][..1], "a");
        assert_eq!(&input[labels[0].value_offset..][..1], "x");
        assert_eq!(&input[labels[1].name_offset..][..1], "b");
        assert_eq!(labels[1].value(), "y\"z");
        assert!(matches!(labels[0].value(), Cow::Borrowed("x")));
    }

    #[test]
    fn framing() {
        assert_eq!(lines("# EOF"), [Line::Eof]);
        assert_eq!(lines("# EOF\n"), [Line::Eof]);
        let missing = "missing \"# EOF\" at end of input".to_owned();
        assert_eq!(err(""), (missing.clone(), Some(1), Some(1)));
        assert_eq!(err("a 1\n"), (missing.clone(), Some(2), Some(1)));
        assert_eq!(err("a 1"), (missing, Some(1), Some(4)));
        let after = "text after \"# EOF\"".to_owned();
        assert_eq!(err("# EOF\n\n"), (after.clone(), Some(2), Some(1)));
        assert_eq!(err("a 1\n# EOF\nblah"), (after, Some(3), Some(1)));
        assert_eq!(
            err("a 1\n\n# EOF\n"),
            (
                "expected a sample or a '#' line (blank lines are not allowed), found end of line"
                    .into(),
                Some(2),
                Some(1)
            )
        );
        assert_eq!(
            err("# EOF \n"),
            (
                "expected HELP, TYPE, UNIT or EOF after '# ', found \"EOF\"".into(),
                Some(1),
                Some(3)
            )
        );
        assert_eq!(
            err("#a_sum 0\n# EOF\n"),
            (
                "expected ' ' after '#', found \"a_sum\"".into(),
                Some(1),
                Some(2)
            )
        );
        assert_eq!(
            err("a 1\r\n# EOF\n"),
            (
                "expected float as value, got \"1\\r\"".into(),
                Some(1),
                Some(3)
            )
        );
        assert_eq!(
            err("a 1 1.5.1\n# EOF\n"),
            (
                "expected seconds as timestamp, got \"1.5.1\"".into(),
                Some(1),
                Some(5)
            )
        );
        assert_eq!(
            err("# TYPE a gauge \n# EOF\n"),
            ("unknown metric type \"gauge \"".into(), Some(1), Some(10))
        );
    }

    #[test]
    fn fused_after_error() {
        let mut lx = Lexer::new("a{ 1\nb 1\n# EOF\n");
        assert!(lx.next().is_some_and(|r| r.is_err()));
        assert!(lx.next().is_none());
        let mut lx = Lexer::new("# EOF\nx");
        assert!(lx.next().is_some_and(|r| r.is_ok()));
        assert!(lx.next().is_some_and(|r| r.is_err()));
        assert!(lx.next().is_none());
    }
}

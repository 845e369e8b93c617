//! The line lexer: one borrowed record per line, no allocation.

use std::borrow::Cow;

use nom::Offset;

use super::grammar::{self, CommentParts, Fail, FailKind, SampleParts};
use super::scan::{self, LabelSink};
use crate::error::{Error, ErrorKind, EscapeContext, Result, Snippet};
use crate::escape::{self, Escapes};
use crate::model::MetricType;

/// Splits a text-format exposition into [`Record`]s, one per line.
///
/// The lexer checks the syntax of every line (names, label sets, escapes, value and timestamp)
/// but nothing that needs more than the line (TYPE/HELP order, histogram grouping): that is
/// [`families`](super::families)' job. It allocates nothing: names, label sets and HELP text
/// are slices of the input, and label values are unescaped only when asked.
///
/// After an error the iterator is fused: it returns `None`.
///
/// ```
/// use expfmt::text::{Lexer, Line};
///
/// let input = "# TYPE up gauge\nup{job=\"node\"} 1\n";
/// let mut samples = 0;
/// for record in Lexer::new(input) {
///     if let Line::Sample(s) = record?.line {
///         assert_eq!(s.name, "up");
///         assert_eq!(s.labels.iter().next().map(|l| l.name), Some("job"));
///         samples += 1;
///     }
/// }
/// assert_eq!(samples, 1);
/// # Ok::<(), expfmt::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    done: bool,
    utf8_names: bool,
    /// The metric name of the last sample, HELP or TYPE line the fast path read; empty
    /// before the first and after one the slow path read.
    last_name: &'a str,
    /// Whether the last record was a sample line whose name the fast path found to be
    /// `last_name` ([`Lexer::name_repeated`]).
    name_repeated: bool,
}

/// One line of input and where it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record<'a> {
    /// Byte offset of the line's first character in the input.
    pub offset: usize,
    /// What the line holds.
    pub line: Line<'a>,
}

/// What one line of text format holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Line<'a> {
    /// A line of nothing but blanks.
    Blank,
    /// A comment that is neither HELP nor TYPE (also `# HELP name` without text); the text
    /// after `#`.
    Comment(&'a str),
    /// `# HELP name text`.
    Help(HelpLine<'a>),
    /// `# TYPE name type`.
    Type(TypeLine<'a>),
    /// A sample.
    Sample(Sample<'a>),
}

/// A `# HELP` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HelpLine<'a> {
    /// The metric name as written: for a quoted name (`"my.metric"`), the text between the
    /// quotes with its escapes not yet decoded ([`HelpLine::decoded_name`] decodes them).
    pub name: &'a str,
    /// The help text as written (escapes not yet decoded). Empty when the line ended after
    /// the name and its blanks: Go then declares the name but sets no help.
    pub raw: &'a str,
    /// Byte offset of the name.
    pub name_offset: usize,
}

impl<'a> HelpLine<'a> {
    /// The metric name with the escapes of a quoted name decoded; borrowed when there is none.
    pub fn decoded_name(&self) -> Cow<'a, str> {
        escape::unescape_name(self.name)
    }

    /// The help text with `\\` and `\n` decoded; borrowed when there is no escape.
    pub fn text(&self) -> Cow<'a, str> {
        escape::unescape(self.raw, Escapes::Help)
    }
}

/// A `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeLine<'a> {
    /// The metric name as written: for a quoted name (`"my.metric"`), the text between the
    /// quotes with its escapes not yet decoded ([`TypeLine::decoded_name`] decodes them).
    pub name: &'a str,
    /// The type word as written (may be invalid; empty when the line ended after the name).
    pub word: &'a str,
    /// Byte offset of the name.
    pub name_offset: usize,
}

impl<'a> TypeLine<'a> {
    /// The metric name with the escapes of a quoted name decoded; borrowed when there is none.
    pub fn decoded_name(&self) -> Cow<'a, str> {
        escape::unescape_name(self.name)
    }

    /// The declared type, if the word is one Go's text parser knows: `counter`, `gauge`,
    /// `summary`, `untyped`, `histogram` or `gauge_histogram`, in any case.
    pub fn metric_type(&self) -> Option<MetricType> {
        // Go looks the upper-cased word up among the protobuf enum names, so the OpenMetrics
        // words that `MetricType::from_str` also reads (`gaugehistogram`, `info`, `stateset`,
        // `unknown`) are unknown here.
        // The usual lower-case spellings first, without the case-insensitive search.
        let usual = match self.word {
            "counter" => Some(MetricType::Counter),
            "gauge" => Some(MetricType::Gauge),
            "histogram" => Some(MetricType::Histogram),
            "summary" => Some(MetricType::Summary),
            "untyped" => Some(MetricType::Untyped),
            _ => None,
        };
        if usual.is_some() {
            return usual;
        }
        match self.word.parse().ok()? {
            t @ (MetricType::Counter
            | MetricType::Gauge
            | MetricType::Summary
            | MetricType::Untyped
            | MetricType::Histogram) => Some(t),
            MetricType::GaugeHistogram if self.word.eq_ignore_ascii_case("gauge_histogram") => {
                Some(MetricType::GaugeHistogram)
            }
            _ => None,
        }
    }
}

/// A sample line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample<'a> {
    /// The metric name as written, with any `_bucket`, `_sum`, `_count` suffix: for a quoted
    /// name (`{"my.metric"}`), the text between the quotes with its escapes not yet decoded
    /// ([`Sample::decoded_name`] decodes them).
    pub name: &'a str,
    /// The labels, still raw.
    pub labels: RawLabels<'a>,
    /// The value.
    pub value: f64,
    /// The timestamp in milliseconds, if given.
    pub timestamp_ms: Option<i64>,
}

impl<'a> Sample<'a> {
    /// The metric name with the escapes of a quoted name decoded; borrowed when there is none.
    pub fn decoded_name(&self) -> Cow<'a, str> {
        escape::unescape_name(self.name)
    }
}

/// The label set of a sample as written, parsed again when iterated (it was checked once).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RawLabels<'a> {
    raw: &'a str,
    offset: usize,
    /// Whether the set was read with UTF-8 names on (it may hold quoted names).
    utf8: bool,
}

impl<'a> RawLabels<'a> {
    /// The text between `{` and `}`; empty when the sample had no braces.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The labels in input order.
    pub fn iter(&self) -> RawLabelIter<'a> {
        RawLabelIter {
            raw: self.raw,
            rest: self.raw,
            base: self.offset,
            utf8: self.utf8,
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
    utf8: bool,
}

impl<'a> Iterator for RawLabelIter<'a> {
    type Item = RawLabel<'a>;

    fn next(&mut self) -> Option<RawLabel<'a>> {
        let (rest, (name, raw_value)) = grammar::next_label(self.rest, self.utf8)?;
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

/// One label of a sample, its value still escaped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawLabel<'a> {
    /// The label name as written: for a quoted name (`"a.b"="v"`), the text between the
    /// quotes with its escapes not yet decoded ([`RawLabel::decoded_name`] decodes them).
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

    /// The value with escapes decoded; borrowed when there is no backslash.
    pub fn value(&self) -> Cow<'a, str> {
        escape::unescape(self.raw_value, Escapes::LabelValue)
    }
}

impl<'a> Lexer<'a> {
    /// A lexer over `input`.
    pub fn new(input: &'a str) -> Self {
        Lexer {
            input,
            pos: 0,
            done: false,
            utf8_names: false,
            last_name: "",
            name_repeated: false,
        }
    }

    /// Whether to read the Prometheus 3 quoted names (`{"my.metric", "a.b"="v"} 1`,
    /// `# TYPE "my.metric" counter`); off by default, as in Go's `expfmt` 0.39, which refuses
    /// them. Legacy input lexes the same either way.
    ///
    /// ```
    /// use expfmt::text::{Lexer, Line};
    ///
    /// let input = "{\"my.metric\",\"a.b\"=\"x\"} 1\n";
    /// assert!(Lexer::new(input).next().is_some_and(|r| r.is_err()));
    /// let Some(Ok(record)) = Lexer::new(input).utf8_names(true).next() else { panic!() };
    /// let Line::Sample(s) = record.line else { panic!() };
    /// assert_eq!(s.name, "my.metric");
    /// assert_eq!(s.labels.iter().next().map(|l| l.name), Some("a.b"));
    /// ```
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

    pub(super) fn lex_line(&self, line: &'a str, offset: usize) -> Result<Option<Line<'a>>> {
        let at = |sub: &str| offset + line.offset(sub);
        let (body, _) = grammar::blanks(line).map_err(|e| self.convert(e, line, offset))?;
        let parsed = match body.as_bytes().first() {
            None => return Ok(None),
            Some(b'\n') => Ok(Line::Blank),
            Some(b'#') => {
                let after = body.get(1..).unwrap_or_default();
                grammar::comment(after, self.utf8_names).map(|(_, c)| match c {
                    CommentParts::Plain(text) => Line::Comment(text),
                    CommentParts::Help(name, raw) => Line::Help(HelpLine {
                        name,
                        raw,
                        name_offset: at(name),
                    }),
                    CommentParts::Type(name, word) => Line::Type(TypeLine {
                        name,
                        word,
                        name_offset: at(name),
                    }),
                })
            }
            Some(_) => grammar::sample(body, self.utf8_names)
                .map(|(_, s)| Line::Sample(self.sample(s, line, offset))),
        };
        parsed.map(Some).map_err(|e| self.convert(e, line, offset))
    }

    /// The record of a sample line starting at `offset`; `line` starts there too.
    #[inline]
    fn sample(&self, s: SampleParts<'a>, line: &'a str, offset: usize) -> Sample<'a> {
        let labels = s.labels.map_or_else(RawLabels::default, |raw| RawLabels {
            raw,
            offset: offset + line.offset(raw),
            utf8: self.utf8_names,
        });
        Sample {
            name: s.name,
            labels,
            value: s.value,
            timestamp_ms: s.timestamp,
        }
    }

    #[cold]
    fn convert(&self, e: nom::Err<Fail<'a>>, line: &'a str, offset: usize) -> Error {
        let fail = match e {
            nom::Err::Error(f) | nom::Err::Failure(f) => f,
            nom::Err::Incomplete(_) => Fail {
                at: "",
                kind: FailKind::Eof,
            },
        };
        let pos = offset + line.len().saturating_sub(fail.at.len());
        let token = || {
            let end = fail.at.find([' ', '\t', '\n']).unwrap_or(fail.at.len());
            Snippet::new(fail.at.get(..end).unwrap_or_default())
        };
        let kind = match fail.kind {
            FailKind::Eof => ErrorKind::UnexpectedEof,
            FailKind::InvalidMetricName => ErrorKind::InvalidMetricName,
            FailKind::InvalidMetricNameInComment => ErrorKind::InvalidMetricNameInComment,
            FailKind::InvalidLabelName => ErrorKind::InvalidLabelName,
            FailKind::ReservedLabelName => ErrorKind::ReservedLabelName,
            FailKind::ExpectedEquals(found) => ErrorKind::ExpectedEquals { found },
            FailKind::ExpectedQuote(found) => ErrorKind::ExpectedQuote { found },
            FailKind::ExpectedLabelSeparator(found) => ErrorKind::ExpectedLabelSeparator { found },
            FailKind::InvalidEscape(found, esc) => ErrorKind::InvalidEscape {
                found,
                context: match esc {
                    // The text grammar never reports OpenMetrics escapes (they have no
                    // invalid ones); they would stand in label values or HELP alike.
                    Escapes::LabelValue | Escapes::OpenMetrics => EscapeContext::LabelValue,
                    Escapes::Help => EscapeContext::Help,
                },
            },
            FailKind::InvalidNameEscape(found) => ErrorKind::InvalidEscape {
                found,
                context: EscapeContext::Name,
            },
            FailKind::NewlineInLabelValue => ErrorKind::NewlineInLabelValue,
            FailKind::UnterminatedName => ErrorKind::UnterminatedQuotedName,
            FailKind::DuplicateMetricName => ErrorKind::DuplicateMetricName,
            FailKind::InvalidValue => ErrorKind::InvalidValue { found: token() },
            FailKind::InvalidTimestamp => ErrorKind::InvalidTimestamp { found: token() },
            FailKind::TrailingText => {
                let end = fail.at.find('\n').unwrap_or(fail.at.len());
                ErrorKind::TrailingText {
                    found: Snippet::new(fail.at.get(..end).unwrap_or_default()),
                }
            }
            FailKind::Nom(_) => ErrorKind::InvalidMetricName,
        };
        Error::in_text(kind, self.input.as_bytes(), pos)
    }
}

impl<'a> Lexer<'a> {
    /// Whether the record [`Lexer::next_with`] returned last is a sample line with the same
    /// name as the sample, HELP or TYPE line before it; `false` says nothing. The family
    /// builder skips its own name check when it is true.
    #[inline(always)]
    pub(crate) fn name_repeated(&self) -> bool {
        self.name_repeated
    }

    /// The next record, handing the labels of a sample line to `sink` as they are read (the
    /// family builder collects them there instead of walking the label set again).
    #[inline]
    pub(crate) fn next_with<S: LabelSink<'a>>(
        &mut self,
        sink: &mut S,
    ) -> Option<Result<Record<'a>>> {
        sink.clear();
        self.name_repeated = false;
        while !self.done {
            let offset = self.pos;
            let rest = self.input.get(offset..)?;
            let Some(&first) = rest.as_bytes().first() else {
                self.done = true;
                return None;
            };
            if scan::starts_sample(first) {
                let name_len = scan::same_name(rest, self.last_name);
                if let Some((s, len)) = scan::sample(rest, name_len, sink) {
                    self.pos = offset + len;
                    self.last_name = s.name;
                    self.name_repeated = name_len != 0;
                    let line = Line::Sample(self.sample(s, rest, offset));
                    return Some(Ok(Record { offset, line }));
                }
                sink.clear();
            } else if first == b'#' {
                if let Some((line, len)) = scan::comment(rest, offset, self.last_name) {
                    self.pos = offset + len;
                    if let Line::Help(HelpLine { name, .. }) | Line::Type(TypeLine { name, .. }) =
                        line
                    {
                        self.last_name = name;
                    }
                    return Some(Ok(Record { offset, line }));
                }
            }
            let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |n| n + 1);
            let line = rest.get(..end).unwrap_or_default();
            self.pos = offset + end;
            match self.lex_line(line, offset) {
                Ok(Some(line)) => {
                    if let Line::Sample(s) = line {
                        for label in s.labels.iter() {
                            sink.label(label.into());
                        }
                    }
                    if matches!(line, Line::Sample(_) | Line::Help(_) | Line::Type(_)) {
                        // The name as this path gives it may be quoted: let the next
                        // line's name be compared with none, so `name_repeated` stays true
                        // only for a name the same as the last named record's.
                        self.last_name = "";
                    }
                    return Some(Ok(Record { offset, line }));
                }
                // Blanks up to the end of the input: Go's parser ends there without error.
                Ok(None) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_with(&mut ())
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

    /// `(name, name_repeated)` of every sample line, lexed as the family builder lexes.
    fn repeats(input: &str, utf8: bool) -> Vec<(String, bool)> {
        let mut lexer = Lexer::new(input).utf8_names(utf8);
        let mut out = Vec::new();
        while let Some(r) = lexer.next_with(&mut ()) {
            if let Line::Sample(s) = r.unwrap().line {
                out.push((s.name.to_owned(), lexer.name_repeated()));
            }
        }
        out
    }

    #[test]
    fn name_repeated_only_after_a_line_of_the_same_name() {
        let got = repeats(
            "# HELP a x\n# TYPE a counter\na 1\na{l=\"1\"} 2\nb 3\n  a 4\nb 5\nb 6\n",
            false,
        );
        let want = [
            ("a", true), // after the TYPE line of `a`
            ("a", true),
            ("b", false),
            ("a", false), // read by the general path (the leading blanks)
            ("b", false), // the fast path's last name is `b`, but the line before is `a`
            ("b", true),
        ];
        let want: Vec<_> = want.iter().map(|&(n, r)| (n.to_owned(), r)).collect();
        assert_eq!(got, want);
        // A quoted name (the general path) leaves nothing for the next line to match, even
        // the same text unquoted.
        let got = repeats("a 1\n{\"a\"} 2\na 3\n", true);
        assert_eq!(
            got.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
            [false, false, false]
        );
    }

    fn err(input: &str) -> (String, Option<usize>, Option<usize>) {
        let e = Lexer::new(input).find_map(|r| r.err()).expect(input);
        (e.kind().to_string(), e.line(), e.column())
    }

    #[test]
    fn classifies_lines() {
        let l = lines("# HELP a x\n\n  \t\n# TYPE a counter\n# plain\na{b=\"c\"} 1 2\n  ");
        assert!(matches!(
            l[0],
            Line::Help(HelpLine {
                name: "a",
                raw: "x",
                ..
            })
        ));
        assert_eq!(l[1], Line::Blank);
        assert_eq!(l[2], Line::Blank);
        let Line::Type(t) = l[3] else { panic!() };
        assert_eq!(t.metric_type(), Some(MetricType::Counter));
        for (word, want) in [
            ("GAUGE_histogram", Some(MetricType::GaugeHistogram)),
            ("Untyped", Some(MetricType::Untyped)),
            ("gaugehistogram", None),
            ("info", None),
            ("stateset", None),
            ("unknown", None),
            ("UNKNOWN", None),
        ] {
            let t = TypeLine { word, ..t };
            assert_eq!(t.metric_type(), want, "{word}");
        }
        assert_eq!(l[4], Line::Comment(" plain"));
        let Line::Sample(s) = l[5] else { panic!() };
        assert_eq!((s.name, s.value, s.timestamp_ms), ("a", 1.0, Some(2)));
        assert_eq!(l.len(), 6);
    }

    #[test]
    fn label_offsets_point_into_the_input() {
        let input = "m{ a = \"x\" ,b=\"y\\\"z\"} 1\n";
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
    fn errors_have_line_and_column() {
        assert_eq!(
            err("a 1\nb{c=\"\\q\"} 1\n"),
            (
                "invalid escape sequence '\\q' in label value".into(),
                Some(2),
                Some(6)
            )
        );
        assert_eq!(
            err("a 1"),
            ("unexpected end of input stream".into(), Some(1), Some(4))
        );
        assert_eq!(
            err("#"),
            ("unexpected end of input stream".into(), Some(1), Some(2))
        );
        assert_eq!(
            err("a 1\r\n"),
            (
                "expected float as value, got \"1\\r\"".into(),
                Some(1),
                Some(3)
            )
        );
    }

    #[test]
    fn fused_after_error() {
        let mut lx = Lexer::new("a{ 1\nb 1\n");
        assert!(lx.next().is_some_and(|r| r.is_err()));
        assert!(lx.next().is_none());
    }
}

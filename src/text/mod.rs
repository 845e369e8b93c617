//! Text exposition format 0.0.4: parse and encode.
//!
//! Two layers, as in the design: [`Lexer`] yields one borrowed [`Record`] per line with no
//! allocation, for programs that only forward samples; [`parse`] and [`families`] group the
//! lines into [`MetricFamily`]s the way Go's `expfmt.TextParser` does. [`encode`] writes them
//! back as Go's `expfmt.MetricFamilyToText` does.
//!
//! ```
//! let input = concat!(
//!     "# HELP http_requests_total Requests served.\n",
//!     "# TYPE http_requests_total counter\n",
//!     "http_requests_total{method=\"get\",code=\"200\"} 1027 1395066363000\n",
//! );
//! let families = expfmt::text::parse(input)?;
//! assert_eq!(families[0].name, "http_requests_total");
//! assert_eq!(families[0].metrics[0].label("code"), Some("200"));
//! assert_eq!(expfmt::text::encode(&families)?, input);
//! # Ok::<(), expfmt::Error>(())
//! ```
//!
//! # What is accepted
//!
//! Exactly what Go's `expfmt` 0.39 accepts (its grammar is written out in the parsers' docs, the
//! grouping rules in [`parse`]), with these deliberate differences:
//! - Input must be UTF-8 throughout. Go accepts invalid UTF-8 in `# HELP` text and in plain
//!   comments; [`parse_bytes`] rejects it at the first bad byte.
//! - Time is linear in the input. Go re-checks every earlier label for each new one (quadratic).
//! - A sample for a family declared `gauge_histogram` is an error at that line. Go records a
//!   series with no value and fails later, when encoding it.
//!
//! # UTF-8 names
//!
//! Prometheus 3 writes names outside the legacy charset quoted: `# HELP "my.metric" text`,
//! `# TYPE "my.metric" counter`, `{"my.metric", "a.b"="v", plain="x"} 1`. The quoted metric
//! name stands alone inside the braces (anywhere in them, once; Go's newer encoder puts it
//! first), a quoted label name is followed by `=` as a bare one is, and quoted names take the
//! escapes of label values (`\\`, `\"`, `\n`). A sample's `_bucket`, `_sum` or `_count`
//! suffix sits inside the quotes: `{"my.metric_bucket",le="1"} 3`. The parsers read this
//! syntax only when asked ([`parse_utf8`], [`Lexer::utf8_names`], [`Families::utf8_names`]),
//! since Go's `expfmt` 0.39 refuses it; [`encode`] writes it for any name that needs it.
//!
//! Like Go, and perhaps surprisingly: every line, the last included, must end with `\n`; CR
//! before the `\n` is not stripped (so CRLF input fails on its first value); blanks after the
//! value or the timestamp are errors; `.5`, `5.`, `Infinity` and `nan` are numbers while
//! `0x10`, `1_000` and `+nan` are not; interleaved lines of one family are merged.

mod encode;
mod families;
#[cfg(test)]
mod fast_path_tests;
mod grammar;
mod lexer;
pub(crate) mod scan;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};
use crate::model::MetricFamily;

pub use encode::encode_into;
pub use lexer::{
    HelpLine, Lexer, Line, RawLabel, RawLabelIter, RawLabels, Record, Sample, TypeLine,
};

/// The content type of text format 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Parses a whole exposition into families, borrowing from `input`.
///
/// Families come in the order of their first sample; families with no samples (only HELP or
/// TYPE lines) are dropped, as Go drops them. Lines of one family that are interleaved with
/// other families' lines are merged into it.
///
/// Grouping follows Go's `TextParser`:
/// - a name seen before (in HELP, TYPE or a sample) names its own family; otherwise `x_count`
///   and `x_sum` join a family `x` typed `summary`, and `x_count`, `x_sum`, `x_bucket` join a
///   family `x` typed `histogram`;
/// - in a summary, lines with equal labels (in any order, `quantile` aside) form one series:
///   `quantile` lines add quantiles, `_sum` and `_count` set the sum and count; histograms
///   likewise with `le` and buckets;
/// - a family sampled before its TYPE is `untyped`, and a later TYPE is an error.
///
/// # Errors
///
/// The first syntax or grouping error, with its line and column.
pub fn parse(input: &str) -> Result<Vec<MetricFamily<'_>>> {
    families::collect(input, Limits::unlimited(), false, None)
}

/// Like [`parse`], refusing input beyond `limits` (body size, families, series, labels per
/// series, name and label value lengths) before allocating for it.
///
/// ```
/// use expfmt::{Limits, Limit, ErrorKind};
///
/// let mut limits = Limits::default();
/// limits.max_series = 1;
/// let err = expfmt::text::parse_with_limits("a 1\nb 2\n", &limits).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::LimitExceeded { which: Limit::Series, .. }));
/// assert_eq!(err.line(), Some(2));
/// ```
///
/// # Errors
///
/// As [`parse`], and [`ErrorKind::LimitExceeded`] naming the limit.
pub fn parse_with_limits<'a>(input: &'a str, limits: &Limits) -> Result<Vec<MetricFamily<'a>>> {
    families::collect(input, *limits, false, None)
}

/// Like [`parse_with_limits`], putting the strings that need unescaping into `arena` instead of
/// a `String` each; they are borrowed from it, so the families borrow from both `input` and
/// `arena`.
///
/// The families are the same as [`parse_with_limits`] gives, but every string in them is
/// `Cow::Borrowed`. On text with many escapes this saves an allocation and a free per
/// escaped string; on text without escapes it is [`parse_with_limits`].
/// [`Arena::reset`](crate::Arena::reset) keeps the arena's memory for the next body.
///
/// ```
/// use std::borrow::Cow;
/// use expfmt::{text, Arena, Limits};
///
/// let input = concat!(
///     r"# HELP up Is it up?\nYes.", "\n",
///     r#"up{path="C:\\srv"} 1"#, "\n",
/// );
/// let arena = Arena::new();
/// let families = text::parse_in(input, &Limits::default(), &arena)?;
/// assert_eq!(families, text::parse(input)?);
/// let label = &families[0].metrics[0].labels[0];
/// assert_eq!(label.value, r"C:\srv");
/// assert_eq!(families[0].help.as_deref(), Some("Is it up?\nYes."));
/// assert!(matches!(label.value, Cow::Borrowed(_)));
/// # Ok::<(), expfmt::Error>(())
/// ```
///
/// # Errors
///
/// As [`parse_with_limits`].
pub fn parse_in<'a>(
    input: &'a str,
    limits: &Limits,
    arena: &'a crate::Arena,
) -> Result<Vec<MetricFamily<'a>>> {
    families::collect(input, *limits, false, Some(arena))
}

/// Like [`parse_with_limits`], also reading the Prometheus 3 quoted names (`{"my.metric"} 1`,
/// `"a.b"="v"`, `# TYPE "my.metric" counter`; see the [module docs](self#utf-8-names)).
///
/// ```
/// use expfmt::Limits;
///
/// let input = "# TYPE \"my.metric\" counter\n{\"my.metric\",\"a.b\"=\"x\"} 1\n";
/// assert!(expfmt::text::parse(input).is_err());
/// let families = expfmt::text::parse_utf8(input, &Limits::unlimited())?;
/// assert_eq!(families[0].name, "my.metric");
/// assert_eq!(families[0].metrics[0].label("a.b"), Some("x"));
/// assert_eq!(expfmt::text::encode(&families)?, "# TYPE \"my.metric\" counter\n{\"my.metric\",\"a.b\"=\"x\"} 1\n");
/// # Ok::<(), expfmt::Error>(())
/// ```
///
/// # Errors
///
/// As [`parse_with_limits`]; an unclosed quoted name is [`ErrorKind::UnterminatedQuotedName`]
/// at its opening quote, a sample naming its metric twice [`ErrorKind::DuplicateMetricName`].
pub fn parse_utf8<'a>(input: &'a str, limits: &Limits) -> Result<Vec<MetricFamily<'a>>> {
    families::collect(input, *limits, true, None)
}

/// Checks that `input` is UTF-8, then [`parse`]s it.
///
/// # Errors
///
/// [`ErrorKind::InvalidUtf8`] at the first invalid byte, or any error of [`parse`].
pub fn parse_bytes(input: &[u8]) -> Result<Vec<MetricFamily<'_>>> {
    parse(from_utf8(input)?)
}

/// Validates UTF-8 once, reporting the first bad byte's line and column.
pub(crate) fn from_utf8(input: &[u8]) -> Result<&str> {
    std::str::from_utf8(input)
        .map_err(|e| Error::in_text(ErrorKind::InvalidUtf8, input, e.valid_up_to()))
}

/// Streams the families of `input` one at a time.
///
/// A family is yielded when a line of another family (or the end of the input) shows it is
/// complete, so memory holds one family at a time, plus a small record per family name (its
/// type and help, needed to apply Go's rules to later lines). A family whose lines are
/// interleaved with another's comes out in several pieces, each a valid family with the same
/// name and type; [`parse`] merges them. A `# HELP` line that comes after its family was
/// yielded (another family in between) reaches only later pieces of that family. After an
/// error the iterator ends.
///
/// ```
/// let input = "a 1\nb 2\na 3\n";
/// let names: Vec<String> = expfmt::text::families(input)
///     .map(|f| f.map(|f| f.name.into_owned()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(names, ["a", "b", "a"]);
/// # Ok::<(), expfmt::Error>(())
/// ```
pub fn families(input: &str) -> Families<'_> {
    Families::new(input, Limits::unlimited())
}

/// The iterator of [`families`].
#[derive(Debug)]
pub struct Families<'a> {
    lexer: Lexer<'a>,
    builder: families::Builder<'a>,
    /// The labels of the line being folded, reused across lines.
    labels: Vec<scan::ScannedLabel<'a>>,
    state: State,
    /// An error found before reading (the body limit).
    pending: Option<Error>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    Draining,
    Done,
}

impl<'a> Families<'a> {
    /// Streams the families of `input`, refusing what exceeds `limits`.
    pub fn new(input: &'a str, limits: Limits) -> Self {
        let too_large = (input.len() > limits.max_body).then(|| {
            let kind = ErrorKind::LimitExceeded {
                which: Limit::Body,
                limit: limits.max_body,
            };
            Error::in_text(kind, input.as_bytes(), limits.max_body)
        });
        Families {
            lexer: Lexer::new(input),
            builder: families::Builder::new(input, limits, true),
            labels: Vec::new(),
            state: State::Reading,
            pending: too_large,
        }
    }

    /// Whether to read the Prometheus 3 quoted names, as [`Lexer::utf8_names`]; off by default.
    #[must_use]
    pub fn utf8_names(mut self, on: bool) -> Self {
        self.lexer = self.lexer.utf8_names(on);
        self
    }
}

impl<'a> Iterator for Families<'a> {
    type Item = Result<MetricFamily<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            self.state = State::Done;
            return Some(Err(e));
        }
        loop {
            if let Some(f) = self.builder.pop_ready() {
                return Some(Ok(f));
            }
            match self.state {
                State::Done => return None,
                State::Draining => {
                    self.state = State::Done;
                    return None;
                }
                State::Reading => {}
            }
            match self.lexer.next_with(&mut self.labels) {
                Some(Ok(record)) => {
                    let repeated = self.lexer.name_repeated();
                    if let Err(e) = self.builder.push(record, &self.labels, repeated) {
                        self.state = State::Done;
                        return Some(Err(e));
                    }
                }
                Some(Err(e)) => {
                    self.state = State::Done;
                    return Some(Err(e));
                }
                None => {
                    self.builder.finish();
                    self.state = State::Draining;
                }
            }
        }
    }
}

impl std::iter::FusedIterator for Families<'_> {}

/// Writes families as text format 0.0.4, byte for byte as Go's `expfmt.MetricFamilyToText`.
///
/// See [`encode_into`] for the rules.
///
/// # Errors
///
/// A family Go would refuse (no metrics, no name, `gauge_histogram`, a value of the wrong type)
/// or one whose names could not be read back.
pub fn encode(families: &[MetricFamily<'_>]) -> Result<String> {
    let mut out = String::new();
    encode_into(&mut out, families)?;
    Ok(out)
}

/// Writes families to `w` as text format 0.0.4, one family per `write_all`.
///
/// # Errors
///
/// As [`encode`], or [`ErrorKind::Io`] when writing fails.
pub fn write<W: std::io::Write>(mut w: W, families: &[MetricFamily<'_>]) -> Result<()> {
    let mut buf = String::new();
    for family in families {
        buf.clear();
        encode_into(&mut buf, std::slice::from_ref(family))?;
        w.write_all(buf.as_bytes())?;
    }
    Ok(())
}

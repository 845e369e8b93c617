//! OpenMetrics 1.0 text: parse and encode.
//!
//! Two layers, as for text 0.0.4: [`Lexer`] yields one borrowed [`Record`] per line with no
//! allocation, for programs that only forward samples; [`parse`] and [`families`] group the
//! lines into [`MetricFamily`]s, checking OpenMetrics' rules. [`encode`] writes them back.
//!
//! ```
//! use expfmt::{MetricType, Value};
//!
//! let input = concat!(
//!     "# HELP http_requests Requests served.\n",
//!     "# TYPE http_requests counter\n",
//!     "http_requests_total{code=\"200\"} 1027.0 1395066363.5 # {trace_id=\"abc\"} 1.0\n",
//!     "http_requests_created{code=\"200\"} 1395060000 1395066363.5\n",
//!     "# EOF\n",
//! );
//! let families = expfmt::openmetrics::parse(input)?;
//! let requests = &families[0];
//! // The model names a counter after its samples, as text 0.0.4 and protobuf do.
//! assert_eq!(requests.name, "http_requests_total");
//! assert_eq!(requests.metric_type, MetricType::Counter);
//! let metric = &requests.metrics[0];
//! assert_eq!(metric.timestamp_ms, Some(1_395_066_363_500));
//! let Value::Counter(c) = &metric.value else { unreachable!() };
//! assert_eq!(c.value, 1027.0);
//! assert_eq!(c.created.map(|t| t.seconds), Some(1_395_060_000));
//! assert_eq!(c.exemplar.as_ref().map(|e| e.labels[0].value.as_ref()), Some("abc"));
//!
//! // Back to OpenMetrics, or on to text 0.0.4 through the same model.
//! assert_eq!(expfmt::openmetrics::encode(&families)?, input);
//! assert_eq!(
//!     expfmt::text::encode(&families)?,
//!     concat!(
//!         "# HELP http_requests_total Requests served.\n",
//!         "# TYPE http_requests_total counter\n",
//!         "http_requests_total{code=\"200\"} 1027 1395066363500\n",
//!     )
//! );
//! # Ok::<(), expfmt::Error>(())
//! ```
//!
//! # What is accepted
//!
//! The OpenMetrics 1.0.0 text format, strictly: every line ends with `\n` (the final `# EOF`
//! may omit it), tokens are separated by exactly one space, there are no blank lines and no
//! comments other than `# HELP`, `# TYPE`, `# UNIT` and the final `# EOF`, which must be the
//! last line. Numbers follow the ABNF's `number` (the same language as
//! [`number::parse_float`](crate::number::parse_float): `1`, `-1.5e3`, `.5`, `Inf`, `NaN`, no
//! hex, no `_`); timestamps are seconds as `realnumber` (no `NaN`, no infinities). The rules
//! that span lines (metadata before samples, family and series contiguity, which samples and
//! values each type allows, histogram structure, exemplar placement) are listed in
//! [`parse`]. This is what the official conformance suite asks for: all of its 211 text cases
//! are run by `tests/openmetrics_conformance.rs`.
//!
//! Where the specification leaves room, we read:
//! - HELP text to the end of its line: a bare `"` in it is itself (Prometheus and the Python
//!   reference parser agree); `\\`, `\"` and `\n` are escapes, and a backslash before any other
//!   character stays, in HELP and label values alike (the ABNF's `BS normal-char`).
//! - `__name__` as a label name: refused, as in text 0.0.4.
//!
//! # How OpenMetrics maps to the model
//!
//! - A family without `# TYPE` is [`MetricType::Unknown`](crate::MetricType::Unknown); `unknown` metrics hold
//!   [`Value::Untyped`](crate::Value::Untyped), `info` and `stateset` metrics
//!   [`Value::Gauge`](crate::Value::Gauge) (one metric per state, the state in the label named
//!   like the family).
//! - Counter and info families are named after their samples, `a_total` and `a_info`, as text
//!   0.0.4 and protobuf name them; [`encode`] strips the suffix again.
//! - Each metric point (a series at one timestamp) is one [`Metric`](crate::Metric); a series
//!   with several timestamps is several metrics with the same labels.
//! - Timestamps are read exactly from their decimal text, in milliseconds
//!   ([`Metric::timestamp_ms`](crate::Metric::timestamp_ms)), rounding finer digits to the
//!   nearest millisecond and saturating beyond ±2^63 ms; `_created` values and exemplar
//!   timestamps keep nanoseconds ([`Timestamp`](crate::Timestamp)).
//! - Counts and bucket values are integers: `Count::Int` below 2^64.
//! - An empty HELP or UNIT is no HELP or UNIT (`None`), as the specification says.

mod encode;
mod families;
mod grammar;
mod lexer;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};
use crate::model::MetricFamily;

pub use encode::encode_into;
pub use lexer::{
    HelpLine, Lexer, Line, RawExemplar, RawLabel, RawLabelIter, RawLabels, Record, Sample,
    TypeLine, UnitLine,
};

/// The content type of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Parses a whole exposition into families, borrowing from `input`.
///
/// Families come in input order, including those with metadata and no samples (OpenMetrics
/// allows them). The rules checked, beyond each line's syntax:
/// - A family's lines are contiguous; its HELP, TYPE and UNIT lines (at most one of each)
///   come before its samples. A sample whose name the current family's type does not allow
///   (`_total`/`_created` for counters, `_bucket`/`_count`/`_sum`/`_created` for histograms,
///   …) starts a new family of type `unknown`.
/// - No two families share a name, or a sample name their types imply (a gauge `a_created`
///   clashes with a counter `a`).
/// - A unit is a suffix of its family name (after `_`); info and stateset have none.
/// - A series' lines are contiguous, with timestamps on all or none, never going backwards.
/// - Values fit their samples: counters, buckets, counts and sums are not negative or NaN,
///   counts are integers, stateset values 0 or 1, info values 1, quantile ranks in [0, 1],
///   `le` not NaN and `+Inf` spelled so, `_created` finite.
/// - Histogram points: buckets ascending by `le`, counts not decreasing, the last `le="+Inf"`;
///   `_count` with `_sum` and equal to the `+Inf` bucket; no `_sum` with negative buckets
///   (a gauge histogram's `_gsum` may be negative only then). Counter points have `_total`.
/// - Exemplars only on counter `_total` and histogram `_bucket` samples.
///
/// # Errors
///
/// The first syntax or rule error, with its line and column; [`ErrorKind::MissingEof`] when
/// the input does not end with `# EOF`.
pub fn parse(input: &str) -> Result<Vec<MetricFamily<'_>>> {
    families(input).collect()
}

/// Like [`parse`], refusing input beyond `limits` (body size, families, series, labels per
/// series, name and label value lengths) before allocating for it.
///
/// # Errors
///
/// As [`parse`], and [`ErrorKind::LimitExceeded`] naming the limit.
pub fn parse_with_limits<'a>(input: &'a str, limits: &Limits) -> Result<Vec<MetricFamily<'a>>> {
    Families::new(input, *limits).collect()
}

/// Like [`parse_with_limits`], also reading the Prometheus 3 quoted names, which
/// OpenMetrics 1.0 does not have: `# TYPE "my.metric" counter`, `{"my.metric_total","a.b"="v"}
/// 1` (the quoted metric name alone inside the braces, once), quoted label names in samples
/// and exemplars. Quoted names allow the escapes `\\`, `\"` and `\n` only.
///
/// ```
/// use expfmt::Limits;
///
/// let input = "# TYPE \"my.metric\" counter\n{\"my.metric_total\",\"a.b\"=\"x\"} 1.0\n# EOF\n";
/// assert!(expfmt::openmetrics::parse(input).is_err());
/// let families = expfmt::openmetrics::parse_utf8(input, &Limits::unlimited())?;
/// assert_eq!(families[0].name, "my.metric_total");
/// assert_eq!(families[0].metrics[0].label("a.b"), Some("x"));
/// assert_eq!(expfmt::openmetrics::encode(&families)?, input);
/// # Ok::<(), expfmt::Error>(())
/// ```
///
/// # Errors
///
/// As [`parse_with_limits`]; an unclosed quoted name is [`ErrorKind::UnterminatedQuotedName`]
/// at its opening quote, a sample naming its metric twice [`ErrorKind::DuplicateMetricName`].
pub fn parse_utf8<'a>(input: &'a str, limits: &Limits) -> Result<Vec<MetricFamily<'a>>> {
    Families::new(input, *limits).utf8_names(true).collect()
}

/// Checks that `input` is UTF-8, then [`parse`]s it.
///
/// # Errors
///
/// [`ErrorKind::InvalidUtf8`] at the first invalid byte, or any error of [`parse`].
pub fn parse_bytes(input: &[u8]) -> Result<Vec<MetricFamily<'_>>> {
    let input = std::str::from_utf8(input)
        .map_err(|e| Error::in_text(ErrorKind::InvalidUtf8, input, e.valid_up_to()))?;
    parse(input)
}

/// Streams the families of `input` one at a time.
///
/// OpenMetrics families are contiguous, so each is complete when the next begins: memory holds
/// one family at a time, plus the names of earlier families (for the clash rule). The rules
/// are those of [`parse`], but a family is yielded before the end of the input is seen: an
/// exposition that turns out to be invalid later (no `# EOF`, a clash) ends with an error
/// after some families, and OpenMetrics says the whole exposition is then invalid. After an
/// error the iterator ends.
///
/// ```
/// let input = "a 1\nb 2\n# EOF\n";
/// let names: Vec<String> = expfmt::openmetrics::families(input)
///     .map(|f| f.map(|f| f.name.into_owned()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(names, ["a", "b"]);
///
/// let mut truncated = expfmt::openmetrics::families("a 1\nb 2\n");
/// assert!(truncated.next().is_some_and(|f| f.is_ok()));
/// assert!(truncated.next().is_some_and(|f| f.is_err_and(|e| e.line() == Some(3))));
/// assert!(truncated.next().is_none());
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
    state: State,
    /// An error found before reading (the body limit).
    pending: Option<Error>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    /// The input is read; queued families remain.
    Draining,
    /// Everything was yielded, or an error was.
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
            builder: families::Builder::new(input, limits),
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
            if self.state == State::Done {
                return None;
            }
            if let Some(f) = self.builder.pop_ready() {
                return Some(Ok(f));
            }
            if self.state == State::Draining {
                self.state = State::Done;
                return None;
            }
            let step = match self.lexer.next() {
                Some(Ok(record)) => self.builder.push(record),
                Some(Err(e)) => Err(e),
                None => {
                    self.state = State::Draining;
                    Ok(())
                }
            };
            if let Err(e) = step {
                self.state = State::Done;
                return Some(Err(e));
            }
        }
    }
}

impl std::iter::FusedIterator for Families<'_> {}

/// Writes families as an OpenMetrics 1.0 exposition, `# EOF` included.
///
/// See [`encode_into`] for the rules.
///
/// ```
/// use expfmt::{Label, Metric, MetricFamily, MetricType, Value};
///
/// let family = MetricFamily::new("build_info", MetricType::Info).with_metric(Metric::new(
///     vec![Label::new("version", "1.2.3")],
///     Value::Gauge(1.0),
/// ));
/// assert_eq!(
///     expfmt::openmetrics::encode(&[family])?,
///     "# TYPE build info\nbuild_info{version=\"1.2.3\"} 1.0\n# EOF\n"
/// );
/// # Ok::<(), expfmt::Error>(())
/// ```
///
/// # Errors
///
/// A family whose text would not read back: no name, invalid names, a value of the wrong type,
/// a misplaced unit, an exemplar over 128 code points (see [`encode_into`]).
pub fn encode(families: &[MetricFamily<'_>]) -> Result<String> {
    let mut out = String::new();
    encode_into(&mut out, families)?;
    Ok(out)
}

/// Writes families to `w` as an OpenMetrics 1.0 exposition, one `write_all` per family, then
/// `# EOF`.
///
/// # Errors
///
/// As [`encode`], or [`ErrorKind::Io`] when writing fails. Families written before an error
/// stay written, without `# EOF`, so the reader sees an invalid exposition.
pub fn write<W: std::io::Write>(mut w: W, families: &[MetricFamily<'_>]) -> Result<()> {
    let (mut buf, mut labels) = (String::new(), String::new());
    let names = encode::Names::of(families);
    for family in families {
        buf.clear();
        encode::encode_family_into(&mut buf, &mut labels, family, &names)?;
        w.write_all(buf.as_bytes())?;
    }
    w.write_all(b"# EOF\n")?;
    Ok(())
}

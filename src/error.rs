//! The crate's error type: a kind a program can match on, a position a person can find.

use std::fmt;

use crate::limits::Limit;
use crate::model::MetricType;

/// A specialised `Result` for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from parsing or encoding an exposition.
///
/// It is one pointer wide, so the hot paths that return `Result` stay cheap. It carries an
/// [`ErrorKind`] and, for parse errors, where in the input the problem is: a byte offset always,
/// and for the text formats a 1-based line and column as well.
///
/// `Display` reads `line 7, column 23: invalid escape sequence '\q' in label value` (text),
/// `byte 1042: truncated message` (protobuf), or just the message when there is no position.
/// Whatever the input, the message stays short: quoted input is cut to a few dozen characters.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    offset: Option<usize>,
    line_col: Option<(usize, usize)>,
}

impl Error {
    /// An error without a position.
    #[cold]
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error(Box::new(Inner {
            kind,
            offset: None,
            line_col: None,
        }))
    }

    /// An error at a byte offset of a binary input (protobuf).
    #[cold]
    pub(crate) fn at_offset(kind: ErrorKind, offset: usize) -> Self {
        Error(Box::new(Inner {
            kind,
            offset: Some(offset),
            line_col: None,
        }))
    }

    /// An error at byte `offset` of the text `input`; line and column are computed here, so the
    /// parsers track nothing but offsets.
    #[cold]
    pub(crate) fn in_text(kind: ErrorKind, input: &[u8], offset: usize) -> Self {
        let offset = offset.min(input.len());
        let before = input.get(..offset).unwrap_or_default();
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let prefix = before.get(line_start..).unwrap_or_default();
        // Columns count characters, so a caret lines up under UTF-8 text; a prefix cut inside a
        // character (an invalid UTF-8 error) counts the bytes that start a character.
        let column = prefix.iter().filter(|&&b| (b as i8) >= -0x40).count() + 1;
        Error(Box::new(Inner {
            kind,
            offset: Some(offset),
            line_col: Some((line, column)),
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    /// The byte offset in the input where the problem is, if the error came from parsing.
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }

    /// The 1-based line of a text-format error.
    pub fn line(&self) -> Option<usize> {
        self.0.line_col.map(|(l, _)| l)
    }

    /// The 1-based column of a text-format error, counted in characters (not bytes).
    pub fn column(&self) -> Option<usize> {
        self.0.line_col.map(|(_, c)| c)
    }

    /// Whether the input was refused because it exceeded one of the [`Limits`](crate::Limits).
    pub fn is_limit(&self) -> bool {
        matches!(self.0.kind, ErrorKind::LimitExceeded { .. })
    }

    /// Whether the input ended in the middle of something (a line without its newline, a
    /// truncated protobuf message).
    pub fn is_eof(&self) -> bool {
        matches!(self.0.kind, ErrorKind::UnexpectedEof)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.line_col, self.0.offset) {
            (Some((line, column)), _) => write!(f, "line {line}, column {column}: {}", self.0.kind),
            (None, Some(offset)) => write!(f, "byte {offset}: {}", self.0.kind),
            (None, None) => fmt::Display::fmt(&self.0.kind, f),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("offset", &self.0.offset)
            .field("line", &self.line())
            .field("column", &self.column())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io(e))
    }
}

/// A short, printable excerpt of the input, quoted, for error messages.
///
/// Hostile input can put megabytes into a token; the excerpt keeps the first characters (escaped
/// as Rust's `{:?}` escapes them) and marks the cut with `…`, so no message exceeds a few hundred
/// bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Snippet(String);

impl Snippet {
    const MAX: usize = 48;

    pub(crate) fn new(s: &str) -> Self {
        let mut out = String::with_capacity(s.len().min(Self::MAX) + 8);
        out.push('"');
        for c in s.chars() {
            if out.len() >= Self::MAX {
                out.push('…');
                break;
            }
            out.extend(c.escape_debug());
        }
        out.push('"');
        Snippet(out)
    }

    /// The quoted, escaped excerpt.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Snippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an escape sequence stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeContext {
    /// In a quoted label value.
    LabelValue,
    /// In `# HELP` text.
    Help,
    /// In a quoted metric or label name (Prometheus 3 syntax: `{"my.metric"}`).
    Name,
}

impl fmt::Display for EscapeContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EscapeContext::LabelValue => "label value",
            EscapeContext::Help => "HELP text",
            EscapeContext::Name => "quoted name",
        })
    }
}

/// What went wrong. Match on it; new kinds may be added in minor releases.
///
/// Messages follow Go's `expfmt` wording where Go has one, so logs from either read alike.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    // ----- input in general -----
    /// The input is not valid UTF-8 (the offset is that of the first bad byte).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The input ended in the middle of a line or message. In text, every line, the last
    /// included, must end with `\n`.
    #[error("unexpected end of input stream")]
    UnexpectedEof,
    /// The input exceeded one of the configured [`Limits`](crate::Limits).
    #[error("{which} limit of {limit} exceeded")]
    LimitExceeded {
        /// Which limit.
        which: Limit,
        /// Its configured value.
        limit: usize,
    },

    // ----- text syntax -----
    /// A sample line does not start with a valid metric name.
    #[error("invalid metric name")]
    InvalidMetricName,
    /// A `# HELP` or `# TYPE` line names no valid metric.
    #[error("invalid metric name in comment")]
    InvalidMetricNameInComment,
    /// A label set holds something that is not a label name.
    #[error("invalid label name")]
    InvalidLabelName,
    /// A label called `__name__`.
    #[error("label name \"__name__\" is reserved")]
    ReservedLabelName,
    /// A label name is not followed by `=`.
    #[error("expected '=' after label name, found {found:?}")]
    ExpectedEquals {
        /// The character found instead.
        found: char,
    },
    /// A label value does not start with `"`.
    #[error("expected '\"' at start of label value, found {found:?}")]
    ExpectedQuote {
        /// The character found instead.
        found: char,
    },
    /// A label value is followed by something other than `,` or `}`.
    #[error("expected ',' or '}}' after label value, found {found:?}")]
    ExpectedLabelSeparator {
        /// The character found instead.
        found: char,
    },
    /// A backslash followed by a character that is not an escape here.
    #[error("invalid escape sequence '\\{}' in {context}", found.escape_debug())]
    InvalidEscape {
        /// The character after the backslash.
        found: char,
        /// Where the escape stood.
        context: EscapeContext,
    },
    /// A label value runs into the end of the line.
    #[error("label value contains unescaped new-line")]
    NewlineInLabelValue,
    /// A quoted name (`"my.metric"`) is not closed before the end of its line; the position
    /// is that of the opening quote.
    #[error("quoted name is not closed on its line")]
    UnterminatedQuotedName,
    /// A sample names its metric twice: a quoted name inside the braces beside another one,
    /// or beside a name before the braces.
    #[error("second metric name in one sample")]
    DuplicateMetricName,
    /// The same label name twice in one series.
    #[error("duplicate label name {name}")]
    DuplicateLabel {
        /// The repeated name.
        name: Snippet,
    },
    /// The sample value is not a float.
    #[error("expected float as value, got {found}")]
    InvalidValue {
        /// The token found.
        found: Snippet,
    },
    /// The timestamp is not an int64.
    #[error("expected integer as timestamp, got {found}")]
    InvalidTimestamp {
        /// The token found.
        found: Snippet,
    },
    /// Something follows the timestamp on a sample line.
    #[error("spurious string after timestamp: {found}")]
    TrailingText {
        /// The text found.
        found: Snippet,
    },
    /// A histogram bucket's `le` label is not a float.
    #[error("expected float as value for 'le' label, got {found}")]
    InvalidBucketBound {
        /// The label value.
        found: Snippet,
    },
    /// A summary's `quantile` label is not a float.
    #[error("expected float as value for 'quantile' label, got {found}")]
    InvalidQuantile {
        /// The label value.
        found: Snippet,
    },
    /// A second `# HELP` line for one family.
    #[error("second HELP line for metric name {name}")]
    DuplicateHelp {
        /// The family name.
        name: Snippet,
    },
    /// A second `# TYPE` line for one family, or one after its samples.
    #[error("second TYPE line for metric name {name}, or TYPE reported after samples")]
    DuplicateType {
        /// The family name.
        name: Snippet,
    },
    /// A `# TYPE` line with a type word no format knows.
    #[error("unknown metric type {found}")]
    UnknownType {
        /// The word found.
        found: Snippet,
    },

    // ----- OpenMetrics -----
    /// The input does not end with the `# EOF` line OpenMetrics requires.
    #[error("missing \"# EOF\" at end of input")]
    MissingEof,
    /// Something follows the `# EOF` line.
    #[error("text after \"# EOF\"")]
    TextAfterEof,
    /// A line that does not follow the grammar: what it needed and what stood there.
    #[error("expected {expected}, found {}", found.as_ref().map_or("end of line", Snippet::as_str))]
    Syntax {
        /// What the grammar needed here.
        expected: &'static str,
        /// The text found instead; `None` at the end of the line.
        found: Option<Snippet>,
    },
    /// An OpenMetrics timestamp that is not a number of seconds (`realnumber`).
    #[error("expected seconds as timestamp, got {found}")]
    InvalidTimestampSeconds {
        /// The token found.
        found: Snippet,
    },
    /// A second `# UNIT` line for one family.
    #[error("second UNIT line for metric name {name}")]
    DuplicateUnit {
        /// The family name.
        name: Snippet,
    },
    /// A `# HELP`, `# TYPE` or `# UNIT` line after samples of its family.
    #[error("{keyword} line for metric name {name} after its samples")]
    MetadataAfterSamples {
        /// `HELP`, `TYPE` or `UNIT`.
        keyword: &'static str,
        /// The family name.
        name: Snippet,
    },
    /// A unit that is not a suffix (after `_`) of the family name.
    #[error("unit {unit} is not a suffix of metric name {name}")]
    UnitMismatch {
        /// The family name.
        name: Snippet,
        /// The unit.
        unit: Snippet,
    },
    /// A unit on a family whose type has none (`info`, `stateset`).
    #[error("{metric_type} family {name} cannot have a unit")]
    UnitNotAllowed {
        /// The family name.
        name: Snippet,
        /// Its type.
        metric_type: MetricType,
    },
    /// A family whose name, or a sample name its type implies, is taken by an earlier family:
    /// a family split by another (`a`, `b`, `a`), the same name twice, or names that could
    /// collide (a gauge `a_created` and a counter `a`).
    #[error(
        "metric name {name} clashes with {metric_type} family {family}: families must be \
         contiguous, sample names unique"
    )]
    NameClash {
        /// The name that clashes.
        name: Snippet,
        /// The earlier family.
        family: Snippet,
        /// Its type.
        metric_type: MetricType,
    },
    /// A series that comes back after another series of its family (when parsing
    /// OpenMetrics, or encoding it from a model whose metrics repeat a label set apart).
    #[error("series of family {family} is interleaved with another series")]
    SeriesNotContiguous {
        /// The family name.
        family: Snippet,
    },
    /// Timestamps of one series going backwards, or given on some of its lines only.
    #[error("{reason}")]
    TimestampOrder {
        /// Which rule was broken.
        reason: &'static str,
    },
    /// A value its sample does not allow (a negative counter, a stateset value of 2, …).
    #[error("invalid value {value} for {what}: {rule}")]
    InvalidSampleValue {
        /// The value.
        value: f64,
        /// Which sample: `counter total`, `histogram bucket`, ….
        what: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// A metric point breaking a rule of its type (histogram buckets out of order, a `_count`
    /// that does not match the `+Inf` bucket, a counter without `_total`, …).
    #[error("{reason}")]
    InvalidMetricPoint {
        /// Which rule was broken.
        reason: &'static str,
    },
    /// A label its sample needs is missing (`le` on a bucket, `quantile` on a quantile, the
    /// state label on a stateset sample).
    #[error("missing label {name}")]
    MissingLabel {
        /// The label name.
        name: Snippet,
    },
    /// A label not allowed on this sample (`le` outside histogram buckets, `quantile` outside
    /// summary quantiles).
    #[error("label {name} is not allowed here")]
    UnexpectedLabel {
        /// The label name.
        name: Snippet,
    },
    /// An exemplar on a sample that cannot have one.
    #[error("exemplars are allowed only on counter _total and histogram _bucket samples")]
    ExemplarNotAllowed,
    /// An exemplar whose label names and values are longer than 128 code points together.
    #[error("exemplar labels are {length} code points long, over the limit of 128")]
    ExemplarTooLong {
        /// Their length in code points.
        length: usize,
    },

    // ----- encoding a model -----
    /// A family with an empty name.
    #[error("metric family has no name")]
    MissingFamilyName,
    /// A family without metrics (Go's encoder refuses these too).
    #[error("metric family {family} has no metrics")]
    NoMetrics {
        /// The family name.
        family: Snippet,
    },
    /// A metric whose value does not match its family's type.
    #[error("metric of family {family} holds a {found} value but the family is a {expected}")]
    ValueTypeMismatch {
        /// The family name.
        family: Snippet,
        /// The family's type.
        expected: MetricType,
        /// The type of the value found.
        found: MetricType,
    },
    /// A metric or label name the target format cannot write.
    #[error("invalid name {name} for {what}")]
    InvalidName {
        /// The name.
        name: Snippet,
        /// `metric` or `label`.
        what: &'static str,
    },
    /// A value of the `escaping` content-type parameter that names no
    /// [`EscapingScheme`](crate::names::EscapingScheme).
    #[error("unknown escaping scheme {found}")]
    UnknownEscapingScheme {
        /// The value as given.
        found: Snippet,
    },
    /// A metric type the target format cannot express.
    #[error("the {format} format cannot express metric type {metric_type}")]
    UnsupportedType {
        /// The format.
        format: &'static str,
        /// The type.
        metric_type: MetricType,
    },
    /// Writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[source] std::io::Error),

    // ----- ingest -----
    /// A `Content-Encoding` that [`ingest::decode`](crate::ingest::decode) does not inflate
    /// (anything but `identity` and, with the feature `gzip`, `gzip`).
    #[error("unsupported Content-Encoding {encoding}")]
    UnsupportedContentEncoding {
        /// The encoding given.
        encoding: Snippet,
    },
    /// A gzip body that does not inflate.
    #[error("invalid gzip body: {reason}")]
    InvalidGzip {
        /// What the inflater reported.
        reason: Snippet,
    },

    // ----- protobuf -----
    /// A varint longer than ten bytes, or one whose tenth byte overflows 64 bits.
    #[error("invalid varint")]
    InvalidVarint,
    /// A field key whose field number is 0 or above 2^29 - 1.
    #[error("invalid field number {number} in {message}")]
    InvalidFieldNumber {
        /// The message being read (`MetricFamily`, `Metric`, …).
        message: &'static str,
        /// The field number found.
        number: u64,
    },
    /// A field with a wire type that is not allowed there: the group wire types 3 and 4 and the
    /// undefined 6 and 7 anywhere, or a known field sent with a wire type its type cannot have.
    #[error("invalid wire type {wire_type} for field {field} of {message}")]
    InvalidWireType {
        /// The message being read.
        message: &'static str,
        /// The field number.
        field: u32,
        /// The wire type found.
        wire_type: u8,
    },
    /// A field inside a message runs past the end of that message (the frame itself was
    /// complete; a frame cut short by the end of input is [`ErrorKind::UnexpectedEof`]).
    #[error("truncated {message}: a field runs past its end")]
    Truncated {
        /// The message being read.
        message: &'static str,
    },
    /// A packed `double` field whose length is not a multiple of 8.
    #[error("packed field {field} of {message} is {len} bytes long, not a multiple of 8")]
    InvalidPackedLength {
        /// The message being read.
        message: &'static str,
        /// The field number.
        field: u32,
        /// Its length in bytes.
        len: usize,
    },
    /// A `MetricFamily.type` outside the `MetricType` enum (0 to 5).
    #[error("unknown metric type value {value}")]
    UnknownTypeValue {
        /// The value found.
        value: i64,
    },
    /// A metric with no value field at all.
    #[error("metric of family {family} has no {expected} value")]
    MissingValue {
        /// The family name.
        family: Snippet,
        /// The family's type.
        expected: MetricType,
    },
    /// A native histogram whose spans cover a different number of buckets than it gives counts.
    #[error("native histogram {side} spans cover {spans} buckets but {buckets} counts are given")]
    SpanMismatch {
        /// `positive` or `negative`.
        side: &'static str,
        /// The sum of the span lengths.
        spans: u64,
        /// The number of deltas or counts.
        buckets: usize,
    },
    /// A native histogram side with both integer deltas and float counts.
    #[error("native histogram {side} buckets are given both as deltas and as float counts")]
    MixedNativeBuckets {
        /// `positive` or `negative`.
        side: &'static str,
    },
    /// A native bucket whose count is negative (or overflows, summing the deltas).
    #[error("native histogram {side} bucket {index} has a negative count")]
    NegativeBucketCount {
        /// `positive` or `negative`.
        side: &'static str,
        /// The bucket's 0-based position among that side's buckets.
        index: usize,
    },
    /// A native histogram schema outside -4..=8 that is not -53 (custom buckets).
    #[error("native histogram schema {schema} is outside -4..=8 and is not -53")]
    InvalidSchema {
        /// The schema found.
        schema: i32,
    },
    /// A custom-bucket native histogram (schema -53) whose bounds, the classic buckets' upper
    /// bounds, are missing, NaN or not increasing.
    #[error("custom-bucket native histogram needs increasing, non-NaN classic bucket bounds")]
    InvalidCustomBounds,
    /// The output buffer cannot hold the encoded family.
    #[error("output buffer too small: {required} bytes needed, {remaining} left")]
    BufferTooSmall {
        /// Bytes the family needs.
        required: usize,
        /// Bytes left in the buffer.
        remaining: usize,
    },
    /// A message prost could not decode although the pre-scan accepted it (a bug: please
    /// report it with the input).
    #[error("malformed protobuf message: {reason}")]
    MalformedMessage {
        /// prost's description, cut short.
        reason: Snippet,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn line_and_column_from_offset() {
        let input = "a 1\nbé{c 1\n";
        // offset of 'c' on line 2: "bé{" is 4 bytes, 3 chars.
        let e = Error::in_text(ErrorKind::InvalidLabelName, input.as_bytes(), 4 + 4);
        assert_eq!((e.line(), e.column()), (Some(2), Some(4)));
        assert_eq!(e.to_string(), "line 2, column 4: invalid label name");
    }

    #[test]
    fn snippets_are_bounded() {
        let huge = "\u{1}".repeat(1_000_000);
        let e = Error::new(ErrorKind::InvalidValue {
            found: Snippet::new(&huge),
        });
        let msg = e.to_string();
        assert!(msg.len() <= 256, "{} bytes", msg.len());
        assert!(msg.ends_with("…\""), "{msg}");
    }

    #[test]
    fn escape_message_reads_well() {
        let e = ErrorKind::InvalidEscape {
            found: 'q',
            context: EscapeContext::LabelValue,
        };
        assert_eq!(
            e.to_string(),
            "invalid escape sequence '\\q' in label value"
        );
    }
}

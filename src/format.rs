//! The exposition formats as a value: their HTTP content types.

use std::fmt;

/// An exposition format this crate reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Varint-delimited protobuf `io.prometheus.client.MetricFamily` messages ([`crate::proto`]).
    ProtoDelimited,
    /// Text format 0.0.4 ([`crate::text`]).
    Text,
    /// OpenMetrics 1.0 text ([`crate::openmetrics`]).
    OpenMetrics,
}

/// `Content-Type` of delimited protobuf, as Go's `expfmt.FmtProtoDelim` spells it.
const PROTO_DELIMITED: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
/// `Content-Type` of text 0.0.4, as Go's `expfmt.FmtText` spells it.
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics 1.0.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

impl Format {
    /// The `Content-Type` header value for a body in this format.
    ///
    /// ```
    /// use expfmt::Format;
    /// assert_eq!(Format::Text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub fn content_type(self) -> &'static str {
        match self {
            Format::ProtoDelimited => PROTO_DELIMITED,
            Format::Text => TEXT,
            Format::OpenMetrics => OPENMETRICS,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::ProtoDelimited => "delimited protobuf",
            Format::Text => "text 0.0.4",
            Format::OpenMetrics => "OpenMetrics 1.0",
        })
    }
}

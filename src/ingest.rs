//! The gateway side of a push: read a pushed body, check it, and pick the format to answer a
//! scraper with. No HTTP server here: give these functions the headers and body your server
//! received.
//!
//! - [`decode`] picks the parser from `Content-Type` the way the Pushgateway does (delimited
//!   protobuf when the type says so, text 0.0.4 otherwise; OpenMetrics too, which the gateway
//!   does not read), inflates `Content-Encoding: gzip` with a cap (cargo feature `gzip`), and
//!   applies [`Limits`] throughout.
//! - [`check`] applies the consistency rules a gateway applies before accepting a push, each
//!   broken rule a [`CheckError`] variant naming the family and series.
//! - [`negotiate`] and [`negotiate_including_openmetrics`] choose the answer's format from an
//!   `Accept` header, as Go's `expfmt.Negotiate` and `NegotiateIncludingOpenMetrics` do.
//!
//! ```
//! use expfmt::{ingest, Limits};
//!
//! let body = b"# TYPE jobs_total counter\njobs_total{kind=\"full\"} 3\n";
//! let families = ingest::decode(Some("text/plain; version=0.0.4"), None, body, &Limits::default())?;
//! ingest::check(&families).expect("consistent");
//! assert_eq!(families[0].name, "jobs_total");
//!
//! // The text parser (like Go's) takes a series twice; the gateway's checks do not.
//! let twice = ingest::decode(None, None, b"a{x=\"1\"} 1\na{x=\"1\"} 2\n", &Limits::default())?;
//! let err = ingest::check(&twice).unwrap_err();
//! assert!(matches!(err, ingest::CheckError::DuplicateSeries { .. }));
//! assert_eq!(
//!     err.to_string(),
//!     "metric a{x=\"1\"} was collected before with the same name and label values"
//! );
//! # Ok::<(), expfmt::Error>(())
//! ```

use std::collections::{HashMap, HashSet};

use crate::error::{ErrorKind, Snippet};
use crate::format::Format;
use crate::model::{label_set, Label, MetricFamily, MetricType, Value};
use crate::names;
use crate::{Error, Limits, Result};

pub use crate::format::{negotiate, negotiate_including_openmetrics};

/// Decodes a pushed body into owned families.
///
/// - `content_type`: the request's `Content-Type`; [`Format::from_content_type`] picks the
///   parser (delimited protobuf, OpenMetrics, or text 0.0.4 for anything else, as the gateway
///   falls back to text).
/// - `content_encoding`: `None`, `identity` or `gzip` (`x-gzip` too), case-insensitive. Gzip
///   needs the cargo feature `gzip`; without it, and for any other encoding, the answer is
///   [`ErrorKind::UnsupportedContentEncoding`].
/// - `limits`: applied to the body as received and, for gzip, to the inflated body: inflation
///   stops as soon as it passes [`Limits::max_body`], so a small "zip bomb" never grows past
///   the cap. The parsers then apply every other limit.
///
/// # Errors
///
/// The parser's error, with its byte offset (and line and column for text), counted in the
/// inflated body when the body was gzipped; [`ErrorKind::LimitExceeded`] for a body over the
/// cap, compressed or not; [`ErrorKind::InvalidGzip`] for a broken gzip stream.
pub fn decode(
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    body: &[u8],
    limits: &Limits,
) -> Result<Vec<MetricFamily<'static>>> {
    if body.len() > limits.max_body {
        return Err(body_too_large(limits.max_body));
    }
    let format = Format::from_content_type(content_type.unwrap_or(""));
    let encoding = content_encoding.map_or("", str::trim);
    if encoding.is_empty() || encoding.eq_ignore_ascii_case("identity") {
        return parse(format, body, limits);
    }
    if encoding.eq_ignore_ascii_case("gzip") || encoding.eq_ignore_ascii_case("x-gzip") {
        #[cfg(feature = "gzip")]
        return parse(format, &gunzip(body, limits.max_body)?, limits);
    }
    Err(Error::new(ErrorKind::UnsupportedContentEncoding {
        encoding: Snippet::new(encoding),
    }))
}

/// The error for a body past `max` bytes, at offset `max`.
fn body_too_large(max: usize) -> Error {
    let kind = ErrorKind::LimitExceeded {
        which: crate::Limit::Body,
        limit: max,
    };
    Error::at_offset(kind, max)
}

fn parse(format: Format, body: &[u8], limits: &Limits) -> Result<Vec<MetricFamily<'static>>> {
    let owned = |families: Vec<MetricFamily<'_>>| {
        families.into_iter().map(MetricFamily::into_owned).collect()
    };
    match format {
        Format::ProtoDelimited => crate::proto::decode_with_limits(body, limits).map(owned),
        Format::OpenMetrics => {
            crate::openmetrics::parse_with_limits(crate::text::from_utf8(body)?, limits).map(owned)
        }
        _ => crate::text::parse_with_limits(crate::text::from_utf8(body)?, limits).map(owned),
    }
}

/// Inflates a gzip body (all its members, as Go's reader does), stopping at `max` + 1 bytes.
#[cfg(feature = "gzip")]
fn gunzip(body: &[u8], max: usize) -> Result<Vec<u8>> {
    use std::io::Read;

    let mut out = Vec::with_capacity(body.len().saturating_mul(4).min(max).min(1 << 20));
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::MultiGzDecoder::new(body)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| {
            Error::new(ErrorKind::InvalidGzip {
                reason: Snippet::new(&e.to_string()),
            })
        })?;
    if out.len() > max {
        return Err(body_too_large(max));
    }
    Ok(out)
}

/// A broken consistency rule, found by [`check`]. Each names the family and, where one series
/// is at fault, its labels as `{name="value",…}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A family name that is not a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    #[error("{family:?} is not a valid metric name")]
    InvalidMetricName {
        /// The family name.
        family: String,
    },
    /// A label name that is not a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    #[error("metric {family}{labels} has a label with an invalid name: {name:?}")]
    InvalidLabelName {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The label name.
        name: String,
    },
    /// A label name starting with `__`, reserved for Prometheus' own use.
    #[error("metric {family}{labels} has a label with a reserved name: {name:?}")]
    ReservedLabelName {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The label name.
        name: String,
    },
    /// The same label name twice on one series.
    #[error("metric {family}{labels} has two or more labels named {name:?}")]
    DuplicateLabel {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The label name.
        name: String,
    },
    /// Two series of one name with the same label set (in any order).
    #[error("metric {family}{labels} was collected before with the same name and label values")]
    DuplicateSeries {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
    },
    /// Two families of one name with different types.
    #[error("metric family {family} is given as {first} and as {second}")]
    TypeConflict {
        /// The family name.
        family: String,
        /// The first family's type.
        first: MetricType,
        /// The later family's type.
        second: MetricType,
    },
    /// Two families of one name with different help texts.
    #[error("metric family {family} has help {second:?} but should have {first:?}")]
    HelpConflict {
        /// The family name.
        family: String,
        /// The first family's help (empty when it had none).
        first: String,
        /// The later family's help (empty when it has none).
        second: String,
    },
    /// A series whose value is not of its family's type.
    #[error("metric {family}{labels} holds a {found} value but is in a {expected} family")]
    ValueTypeMismatch {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The family's type.
        expected: MetricType,
        /// The value's type.
        found: MetricType,
    },
    /// Histogram bucket bounds that are not strictly ascending (or are NaN).
    #[error("histogram {family}{labels} has bucket le={bound} after le={previous}")]
    BucketsNotAscending {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The bound before.
        previous: f64,
        /// The bound that is not above it.
        bound: f64,
    },
    /// A histogram with buckets whose last bound is not `+Inf`.
    #[error("histogram {family}{labels} has no +Inf bucket")]
    MissingInfBucket {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
    },
    /// A summary quantile outside `[0, 1]` (or NaN).
    #[error("summary {family}{labels} has quantile {quantile} outside [0, 1]")]
    QuantileOutOfRange {
        /// The family name.
        family: String,
        /// The series' labels.
        labels: String,
        /// The quantile.
        quantile: f64,
    },
}

/// Checks `families` as a whole, as a gateway does before accepting them (and before mixing
/// them with what it holds): every rule of [`CheckError`]. Returns the first problem found,
/// in input order.
///
/// Families may repeat a name (as when pieces of one exposition, or several sources, are
/// gathered): then their types and help must agree, and their series are checked for
/// duplicates together. Histograms without classic buckets (only a count and sum, or native
/// buckets) need no `+Inf` bucket.
///
/// # Errors
///
/// The first [`CheckError`].
pub fn check(families: &[MetricFamily<'_>]) -> std::result::Result<(), CheckError> {
    let mut seen: HashMap<&str, Seen<'_>> = HashMap::with_capacity(families.len());
    for family in families {
        let name = family.name.as_ref();
        if !names::is_valid_metric_name(name) {
            return Err(CheckError::InvalidMetricName {
                family: name.to_owned(),
            });
        }
        let help = family.help.as_deref().unwrap_or("");
        let entry = seen
            .entry(name)
            .or_insert_with(|| (family.metric_type, help, HashSet::new()));
        if entry.0 != family.metric_type {
            return Err(CheckError::TypeConflict {
                family: name.to_owned(),
                first: entry.0,
                second: family.metric_type,
            });
        }
        if entry.1 != help {
            return Err(CheckError::HelpConflict {
                family: name.to_owned(),
                first: entry.1.to_owned(),
                second: help.to_owned(),
            });
        }
        for metric in &family.metrics {
            let series = || (name.to_owned(), label_set(&metric.labels));
            check_labels(&metric.labels).map_err(|(rule, label)| {
                let (family, labels) = series();
                let name = label.to_owned();
                match rule {
                    LabelRule::Invalid => CheckError::InvalidLabelName {
                        family,
                        labels,
                        name,
                    },
                    LabelRule::Reserved => CheckError::ReservedLabelName {
                        family,
                        labels,
                        name,
                    },
                    LabelRule::Duplicate => CheckError::DuplicateLabel {
                        family,
                        labels,
                        name,
                    },
                }
            })?;
            if !metric.value.fits(family.metric_type) {
                let (family_name, labels) = series();
                return Err(CheckError::ValueTypeMismatch {
                    family: family_name,
                    labels,
                    expected: family.metric_type,
                    found: metric.value.metric_type(),
                });
            }
            check_value(&metric.value).map_err(|rule| {
                let (family, labels) = series();
                match rule {
                    ValueRule::NotAscending(previous, bound) => CheckError::BucketsNotAscending {
                        family,
                        labels,
                        previous,
                        bound,
                    },
                    ValueRule::NoInf => CheckError::MissingInfBucket { family, labels },
                    ValueRule::Quantile(quantile) => CheckError::QuantileOutOfRange {
                        family,
                        labels,
                        quantile,
                    },
                }
            })?;
            let mut key: Vec<(&str, &str)> = metric
                .labels
                .iter()
                .map(|l| (l.name.as_ref(), l.value.as_ref()))
                .collect();
            key.sort_unstable();
            if !entry.2.insert(key) {
                let (family, labels) = series();
                return Err(CheckError::DuplicateSeries { family, labels });
            }
        }
    }
    Ok(())
}

/// What [`check`] keeps per family name: its type, its help, the label sets of its series
/// (each sorted by name).
type Seen<'a> = (MetricType, &'a str, HashSet<Vec<(&'a str, &'a str)>>);

enum LabelRule {
    Invalid,
    Reserved,
    Duplicate,
}

fn check_labels<'l>(labels: &'l [Label<'_>]) -> std::result::Result<(), (LabelRule, &'l str)> {
    for label in labels {
        let name = label.name.as_ref();
        if !names::is_valid_label_name(name) {
            return Err((LabelRule::Invalid, name));
        }
        if name.starts_with("__") {
            return Err((LabelRule::Reserved, name));
        }
    }
    let mut sorted: Vec<&str> = labels.iter().map(|l| l.name.as_ref()).collect();
    sorted.sort_unstable();
    match sorted.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err((LabelRule::Duplicate, w[0])),
        None => Ok(()),
    }
}

enum ValueRule {
    NotAscending(f64, f64),
    NoInf,
    Quantile(f64),
}

fn check_value(value: &Value<'_>) -> std::result::Result<(), ValueRule> {
    match value {
        Value::Histogram(h) => {
            let mut previous: Option<f64> = None;
            for bucket in &h.buckets {
                let bound = bucket.upper_bound;
                match previous {
                    Some(p) if bound.is_nan() || bound <= p => {
                        return Err(ValueRule::NotAscending(p, bound))
                    }
                    None if bound.is_nan() => {
                        return Err(ValueRule::NotAscending(f64::NEG_INFINITY, bound))
                    }
                    _ => previous = Some(bound),
                }
            }
            match previous {
                Some(last) if last != f64::INFINITY => Err(ValueRule::NoInf),
                _ => Ok(()),
            }
        }
        Value::Summary(s) => match s
            .quantiles
            .iter()
            .find(|q| !(0.0..=1.0).contains(&q.quantile))
        {
            Some(q) => Err(ValueRule::Quantile(q.quantile)),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;

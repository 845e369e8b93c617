//! Read and write the Prometheus exposition formats through one model.
//!
//! Every format reads into, and writes from, [`MetricFamily<'a>`](MetricFamily): a name, help,
//! type and [`Metric`]s with [`Label`]s, a [`Value`] and an optional timestamp. Strings borrow
//! from the input unless an escape forced a copy; [`MetricFamily::into_owned`] detaches them.
//!
//! - [`text`]: text format 0.0.4. [`text::Lexer`] yields one borrowed record per line;
//!   [`text::parse`] and [`text::families`] group lines into families exactly as Go's
//!   `expfmt.TextParser` does; [`text::encode`] writes Go's `MetricFamilyToText` output.
//! - [`openmetrics`]: OpenMetrics 1.0 text, with the same parts ([`openmetrics::Lexer`],
//!   [`openmetrics::parse`], [`openmetrics::families`], [`openmetrics::encode`]) and the
//!   specification's rules; all of the official conformance suite passes.
//!
//! - [`proto`]: varint-delimited protobuf, decoded and encoded as Go's `expfmt` does.
//! - [`push`]: a Pushgateway client ([`push::Pusher`]), sans-IO at its core, with a blocking
//!   send over `ureq` behind the cargo feature `push`.
//! - [`ingest`]: the gateway side: decode a pushed body by its `Content-Type` (gzip behind the
//!   feature `gzip`), check it as a gateway does, negotiate the scrape answer's [`Format`].
//!
//! Formats convert through the model: `openmetrics::encode(&text::parse(page)?)`.
//!
//! Prometheus 3 UTF-8 names (`my.metric`) are written quoted by the text encoders
//! (`{"my.metric"} 1`) and read by the parsers when asked ([`text::parse_utf8`],
//! [`openmetrics::parse_utf8`]); [`names::EscapingScheme`] turns them into legacy names for
//! readers that ask for `escaping=underscores`, `dots` or `values`.
//!
//! ```
//! use expfmt::{MetricType, Value};
//!
//! let input = concat!(
//!     "# HELP temp_celsius Temperature.\n",
//!     "# TYPE temp_celsius gauge\n",
//!     "temp_celsius{room=\"kitchen\"} 21.5\n",
//!     "temp_celsius{room=\"attic\"} 30 1700000000000\n",
//! );
//! let families = expfmt::text::parse(input)?;
//! let temp = &families[0];
//! assert_eq!(temp.metric_type, MetricType::Gauge);
//! assert_eq!(temp.help.as_deref(), Some("Temperature."));
//! assert_eq!(temp.metrics[1].label("room"), Some("attic"));
//! assert_eq!(temp.metrics[1].value, Value::Gauge(30.0));
//! assert_eq!(temp.metrics[1].timestamp_ms, Some(1_700_000_000_000));
//!
//! // Bad input is a typed error with a line and column, never a panic.
//! let err = expfmt::text::parse("temp_celsius{room=kitchen} 1\n").unwrap_err();
//! assert_eq!(err.to_string(), "line 1, column 19: expected '\"' at start of label value, found 'k'");
//! # Ok::<(), expfmt::Error>(())
//! ```
// Denied, not forbidden: `utf8::to_str` and `utf8::into_string` hold the two `unsafe` blocks,
// allowed there, each with its proof in a `SAFETY` comment (clippy's `undocumented_unsafe_blocks` is denied in Cargo.toml).
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Unit tests share the integration tests' proptest strategies, which name the crate.
#[cfg(test)]
extern crate self as expfmt;

mod arena;
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
mod block;
pub mod error;
pub mod escape;
pub mod format;
mod hash;
pub mod ingest;
mod labels;
pub mod limits;
pub mod model;
pub mod names;
pub mod number;
pub mod openmetrics;
pub mod proto;
pub mod push;
pub mod text;
mod utf8;

pub use arena::Arena;
pub use error::{Error, ErrorKind, Result};
pub use format::Format;
pub use limits::{Limit, Limits};
pub use model::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};

/// The README's examples, run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

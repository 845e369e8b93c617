//! Caps on what a decoder accepts from untrusted input.

use std::fmt;

/// Caps on the size of what a decoder accepts, checked before anything sized by the input is
/// allocated. Exceeding one is an [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// error that names the limit.
///
/// The plain parsers ([`text::parse`](crate::text::parse) and friends) apply no limits; use
/// [`text::parse_with_limits`](crate::text::parse_with_limits) for untrusted input.
/// [`Limits::default()`] gives safe values for a gateway; [`Limits::unlimited()`] turns every
/// check off. Lengths are in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest body, in bytes (the body may be exactly this long).
    pub max_body: usize,
    /// Most families in one exposition (a family interleaved with others counts once).
    pub max_families: usize,
    /// Most series (metrics) in one exposition, over all families.
    pub max_series: usize,
    /// Most labels on one series (histogram `le` and summary `quantile` not counted).
    pub max_labels: usize,
    /// Longest metric or label name.
    pub max_name_len: usize,
    /// Longest label value (after unescaping).
    pub max_label_value_len: usize,
    /// Largest protobuf message.
    pub max_message: usize,
    /// Most buckets of one histogram, counted separately for the classic buckets, each side's
    /// native spans and each side's native bucket counts; also the most quantiles of one
    /// summary and exemplars of one histogram.
    pub max_buckets: usize,
}

impl Limits {
    /// No limits at all: every field is `usize::MAX`.
    pub const fn unlimited() -> Self {
        Limits {
            max_body: usize::MAX,
            max_families: usize::MAX,
            max_series: usize::MAX,
            max_labels: usize::MAX,
            max_name_len: usize::MAX,
            max_label_value_len: usize::MAX,
            max_message: usize::MAX,
            max_buckets: usize::MAX,
        }
    }
}

impl Default for Limits {
    /// Values for a gateway taking pushes from the network: 16 MiB bodies and messages, 10 000
    /// families, 100 000 series, 64 labels per series, 1 KiB names, 16 KiB label values, 4 096
    /// buckets per histogram.
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_families: 10_000,
            max_series: 100_000,
            max_labels: 64,
            max_name_len: 1 << 10,
            max_label_value_len: 16 << 10,
            max_message: 16 << 20,
            max_buckets: 4096,
        }
    }
}

/// Which of the [`Limits`] was exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_body`].
    Body,
    /// [`Limits::max_families`].
    Families,
    /// [`Limits::max_series`].
    Series,
    /// [`Limits::max_labels`].
    Labels,
    /// [`Limits::max_name_len`].
    NameLength,
    /// [`Limits::max_label_value_len`].
    LabelValueLength,
    /// [`Limits::max_message`].
    Message,
    /// [`Limits::max_buckets`].
    Buckets,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Body => "body size",
            Limit::Families => "family count",
            Limit::Series => "series count",
            Limit::Labels => "labels-per-series",
            Limit::NameLength => "name length",
            Limit::LabelValueLength => "label value length",
            Limit::Message => "message size",
            Limit::Buckets => "buckets-per-histogram",
        })
    }
}

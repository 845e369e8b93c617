//! Read and write the Prometheus exposition formats through one model.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod error;
pub mod limits;
pub mod model;

pub use error::{Error, ErrorKind, Result};
pub use limits::{Limit, Limits};
pub use model::{
    Bucket, BucketSpan, Count, Counter, Exemplar, Histogram, Label, Metric, MetricFamily,
    MetricType, NativeBuckets, NativeHistogram, Quantile, Summary, Timestamp, Value,
};
pub mod escape;
pub mod names;
pub mod number;
pub mod text;

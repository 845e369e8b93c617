//! The one model every format reads into and writes from.
//!
//! A [`MetricFamily`] is a name, optional help and unit, a [`MetricType`] and its [`Metric`]s.
//! Each metric has [`Label`]s, a [`Value`] whose variant matches the family's type, and an
//! optional timestamp in milliseconds.
//!
//! Strings are [`Cow<'a, str>`]: the text parsers borrow them from the input unless an escape
//! sequence forced a copy; the protobuf decoder moves its owned strings in. Every type has an
//! `into_owned()` that detaches it from the input.
//!
//! Fields follow the protobuf schema of `io.prometheus.client` (proto2), so presence is kept where
//! the wire format has it: an absent `help` differs from an empty one, an absent summary count from
//! a zero one.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A named group of metrics of one type: the unit of every exposition format.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily<'a> {
    /// The metric name, e.g. `http_requests_total`.
    ///
    /// This is the name text 0.0.4 and protobuf give the family, which for an OpenMetrics
    /// counter or info family is the name of its samples: OpenMetrics' counter family `a`
    /// (samples `a_total`, `a_created`) is named `a_total` here, its info family `b` (samples
    /// `b_info`) `b_info`. The OpenMetrics encoder strips the suffix again.
    pub name: Cow<'a, str>,
    /// The `# HELP` text, unescaped. `None` when the input had no HELP line.
    pub help: Option<Cow<'a, str>>,
    /// The unit (OpenMetrics `# UNIT`, protobuf field 5). Text 0.0.4 has no unit.
    pub unit: Option<Cow<'a, str>>,
    /// The declared type; [`MetricType::Untyped`] when nothing was declared.
    pub metric_type: MetricType,
    /// The metrics (series) of the family, in input order.
    pub metrics: Vec<Metric<'a>>,
}

/// One series of a family: its labels, its value and an optional timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric<'a> {
    /// Label pairs in input order. Histogram `le` and summary `quantile` labels are not here:
    /// they are part of the [`Bucket`]s and [`Quantile`]s.
    pub labels: Vec<Label<'a>>,
    /// The value; its variant matches the family's [`MetricType`].
    pub value: Value<'a>,
    /// Milliseconds since the Unix epoch, when the exposition gave one.
    pub timestamp_ms: Option<i64>,
}

// The size the doc of `Value::Summary` states (on 64-bit targets).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Metric<'static>>() == 80);

/// A label pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label<'a> {
    /// The label name, e.g. `method`.
    pub name: Cow<'a, str>,
    /// The label value, unescaped.
    pub value: Cow<'a, str>,
}

/// The type of a metric family, as declared by `# TYPE` or the protobuf `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetricType {
    /// A monotonically increasing value.
    Counter,
    /// A value that can go up and down.
    Gauge,
    /// Quantiles with a sum and a count.
    Summary,
    /// A value of unknown type (the default in text 0.0.4).
    Untyped,
    /// Cumulative buckets with a sum and a count (classic and/or native).
    Histogram,
    /// A histogram whose buckets may go down (protobuf `GAUGE_HISTOGRAM`).
    GaugeHistogram,
    /// OpenMetrics `info`: textual information in labels, value always 1. Its metrics hold a
    /// [`Value::Gauge`] of `1.0`; the family is named after its `_info` sample, as Prometheus
    /// stores the series.
    Info,
    /// OpenMetrics `stateset`: one boolean per state. Each state is a metric of its own holding
    /// a [`Value::Gauge`] of `0.0` or `1.0`, with a label named like the family giving the state.
    StateSet,
    /// OpenMetrics `unknown`: the type could not be determined (OpenMetrics' counterpart of
    /// [`Untyped`](MetricType::Untyped)). Its metrics hold a [`Value::Untyped`].
    Unknown,
}

/// A [`MetricType`] name that no format knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric type")]
pub struct UnknownMetricType;

impl MetricType {
    /// The spelling used by `# TYPE` lines: `counter`, `gauge`, `summary`, `untyped`,
    /// `histogram`, `gaugehistogram`, and OpenMetrics' `info`, `stateset`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// Whether metrics of this type carry a [`Value::Histogram`].
    pub fn is_histogram(self) -> bool {
        matches!(self, MetricType::Histogram | MetricType::GaugeHistogram)
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MetricType {
    type Err = UnknownMetricType;

    /// Parses a type word case-insensitively: every [`as_str`](MetricType::as_str) spelling,
    /// and the protobuf enum name `GAUGE_HISTOGRAM` beside `gaugehistogram`.
    ///
    /// This is wider than either text format: text 0.0.4 knows only Go's six words (its lexer
    /// refuses `gaugehistogram`, `info`, `stateset` and `unknown`), and OpenMetrics takes its
    /// eight words in lower case only.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const TYPES: [(&str, MetricType); 10] = [
            ("counter", MetricType::Counter),
            ("gauge", MetricType::Gauge),
            ("summary", MetricType::Summary),
            ("untyped", MetricType::Untyped),
            ("histogram", MetricType::Histogram),
            ("gauge_histogram", MetricType::GaugeHistogram),
            ("gaugehistogram", MetricType::GaugeHistogram),
            ("info", MetricType::Info),
            ("stateset", MetricType::StateSet),
            ("unknown", MetricType::Unknown),
        ];
        TYPES
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(s))
            .map(|&(_, t)| t)
            .ok_or(UnknownMetricType)
    }
}

/// The value of one metric. The variant matches the family type: `Histogram` serves both
/// [`MetricType::Histogram`] and [`MetricType::GaugeHistogram`]; `Gauge` serves
/// [`MetricType::Gauge`], [`MetricType::Info`] (value `1.0`) and [`MetricType::StateSet`]
/// (`0.0` or `1.0`); `Untyped` serves [`MetricType::Untyped`] and [`MetricType::Unknown`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// A counter value, with its created timestamp and exemplar when the format carries them.
    Counter(Counter<'a>),
    /// A gauge value.
    Gauge(f64),
    /// An untyped value.
    Untyped(f64),
    /// A summary. Boxed, as is a histogram: every metric of a page pays for the largest
    /// variant inline, and most metrics are counters and gauges (a [`Metric`] is 80 bytes,
    /// 152 with both inline).
    Summary(Box<Summary>),
    /// A histogram or gauge histogram. Boxed (see [`Value::Summary`]).
    Histogram(Box<Histogram<'a>>),
}

impl Value<'_> {
    /// The family type this value belongs to: the first of the types it [`fits`](Value::fits)
    /// (`Histogram`, `Gauge` or `Untyped` for the variants that serve several types).
    pub fn metric_type(&self) -> MetricType {
        match self {
            Value::Counter(_) => MetricType::Counter,
            Value::Gauge(_) => MetricType::Gauge,
            Value::Untyped(_) => MetricType::Untyped,
            Value::Summary(_) => MetricType::Summary,
            Value::Histogram(_) => MetricType::Histogram,
        }
    }

    /// Whether this value may stand in a family of type `t`.
    pub fn fits(&self, t: MetricType) -> bool {
        match self {
            Value::Histogram(_) => t.is_histogram(),
            Value::Gauge(_) => matches!(
                t,
                MetricType::Gauge | MetricType::Info | MetricType::StateSet
            ),
            Value::Untyped(_) => matches!(t, MetricType::Untyped | MetricType::Unknown),
            v => v.metric_type() == t,
        }
    }

    /// An empty value of the given type: zero for counters, gauges, state sets, untyped and
    /// unknown, one for info (its only valid value), no quantiles or buckets, and no count or
    /// sum.
    pub fn empty(t: MetricType) -> Value<'static> {
        match t {
            MetricType::Counter => Value::Counter(Counter::new(0.0)),
            MetricType::Gauge | MetricType::StateSet => Value::Gauge(0.0),
            MetricType::Info => Value::Gauge(1.0),
            MetricType::Untyped | MetricType::Unknown => Value::Untyped(0.0),
            MetricType::Summary => Value::Summary(Box::default()),
            MetricType::Histogram | MetricType::GaugeHistogram => Value::Histogram(Box::default()),
        }
    }

    /// Detaches the value from the input.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Counter(c) => Value::Counter(c.into_owned()),
            Value::Gauge(v) => Value::Gauge(v),
            Value::Untyped(v) => Value::Untyped(v),
            Value::Summary(s) => Value::Summary(s),
            Value::Histogram(h) => Value::Histogram(Box::new(h.into_owned())),
        }
    }
}

/// A counter value.
#[derive(Debug, Clone, PartialEq)]
pub struct Counter<'a> {
    /// The value.
    pub value: f64,
    /// When the counter was created (protobuf, OpenMetrics `_created`).
    pub created: Option<Timestamp>,
    /// An exemplar (protobuf, OpenMetrics). Boxed: exemplars are rare, and a counter is part of
    /// every metric's inline size.
    pub exemplar: Option<Box<Exemplar<'a>>>,
}

impl Counter<'_> {
    /// A counter with just a value.
    pub fn new(value: f64) -> Counter<'static> {
        Counter {
            value,
            created: None,
            exemplar: None,
        }
    }

    /// Detaches the counter from the input.
    pub fn into_owned(self) -> Counter<'static> {
        Counter {
            value: self.value,
            created: self.created,
            exemplar: self.exemplar.map(|e| Box::new(e.into_owned())),
        }
    }
}

/// A summary: quantiles, a sum and a count.
///
/// `count` and `sum` are `None` when the exposition did not give them (a text summary without
/// `_count` / `_sum` lines, a protobuf summary without the fields); encoders write them as zero
/// in text and leave them out of protobuf, as Go does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Number of observations.
    pub count: Option<u64>,
    /// Sum of observations.
    pub sum: Option<f64>,
    /// The quantiles, in input order.
    pub quantiles: Vec<Quantile>,
    /// When the summary was created.
    pub created: Option<Timestamp>,
}

/// One quantile of a summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    /// The quantile rank, e.g. `0.99`.
    pub quantile: f64,
    /// The observed value at that rank.
    pub value: f64,
}

/// A count that is either an integer or, for float histograms, a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Count {
    /// An integer count (protobuf `sample_count`, `cumulative_count`, `zero_count`).
    Int(u64),
    /// A float count (protobuf `*_float` twins).
    Float(f64),
}

impl Count {
    /// The count as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            // Precision loss above 2^53 is inherent: Go does the same `float64(uint64)`.
            #[expect(
                clippy::cast_precision_loss,
                reason = "same conversion as Go's float64()"
            )]
            Count::Int(n) => n as f64,
            Count::Float(f) => f,
        }
    }
}

impl Default for Count {
    fn default() -> Self {
        Count::Int(0)
    }
}

/// A histogram: classic cumulative buckets, and/or native (sparse) buckets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram<'a> {
    /// Number of observations; `None` when the exposition did not give it.
    pub count: Option<Count>,
    /// Sum of observations; `None` when the exposition did not give it.
    pub sum: Option<f64>,
    /// Classic buckets, cumulative, in input order (ascending upper bound in a valid histogram).
    pub buckets: Vec<Bucket<'a>>,
    /// When the histogram was created.
    pub created: Option<Timestamp>,
    /// Native histogram buckets (protobuf only). Boxed: most histograms have none, and every
    /// metric of a page pays for the largest [`Value`] inline.
    pub native: Option<Box<NativeHistogram>>,
    /// Exemplars of a native histogram (protobuf field 16).
    pub exemplars: Vec<Exemplar<'a>>,
}

impl Histogram<'_> {
    /// Detaches the histogram from the input.
    pub fn into_owned(self) -> Histogram<'static> {
        Histogram {
            count: self.count,
            sum: self.sum,
            buckets: self.buckets.into_iter().map(Bucket::into_owned).collect(),
            created: self.created,
            native: self.native,
            exemplars: self
                .exemplars
                .into_iter()
                .map(Exemplar::into_owned)
                .collect(),
        }
    }
}

/// One classic histogram bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket<'a> {
    /// The inclusive upper bound (`le`).
    pub upper_bound: f64,
    /// Observations less than or equal to the bound.
    pub count: Count,
    /// An exemplar for this bucket. Boxed: exemplars are rare, and a histogram holds many
    /// buckets (32 bytes each instead of 80).
    pub exemplar: Option<Box<Exemplar<'a>>>,
}

impl Bucket<'_> {
    /// A bucket with an integer count and no exemplar.
    pub fn new(upper_bound: f64, count: u64) -> Bucket<'static> {
        Bucket {
            upper_bound,
            count: Count::Int(count),
            exemplar: None,
        }
    }

    /// Detaches the bucket from the input.
    pub fn into_owned(self) -> Bucket<'static> {
        Bucket {
            upper_bound: self.upper_bound,
            count: self.count,
            exemplar: self.exemplar.map(|e| Box::new(e.into_owned())),
        }
    }
}

/// The sparse buckets of a native histogram (protobuf fields 5 to 14).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NativeHistogram {
    /// The resolution: -4..=8 for exponential buckets, -53 for custom bounds.
    pub schema: i32,
    /// Width of the zero bucket.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: Count,
    /// Spans of populated negative buckets.
    pub negative_spans: Vec<BucketSpan>,
    /// Counts of the negative buckets.
    pub negative: NativeBuckets,
    /// Spans of populated positive buckets.
    pub positive_spans: Vec<BucketSpan>,
    /// Counts of the positive buckets.
    pub positive: NativeBuckets,
}

/// A run of consecutive native buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BucketSpan {
    /// Gap to the previous span (for the first span: the index of its first bucket).
    pub offset: i32,
    /// Number of consecutive buckets.
    pub length: u32,
}

/// Native bucket counts: deltas for integer histograms, absolute counts for float ones.
#[derive(Debug, Clone, PartialEq)]
pub enum NativeBuckets {
    /// Each bucket's count as a delta to the previous bucket's.
    Deltas(Vec<i64>),
    /// Each bucket's absolute count.
    Counts(Vec<f64>),
}

impl Default for NativeBuckets {
    fn default() -> Self {
        NativeBuckets::Deltas(Vec::new())
    }
}

/// An exemplar: a sample with labels (usually a trace id) attached to a counter or bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar<'a> {
    /// The exemplar's labels.
    pub labels: Vec<Label<'a>>,
    /// The exemplar's value.
    pub value: f64,
    /// When the exemplar was observed.
    pub timestamp: Option<Timestamp>,
}

impl Exemplar<'_> {
    /// Detaches the exemplar from the input.
    pub fn into_owned(self) -> Exemplar<'static> {
        Exemplar {
            labels: self.labels.into_iter().map(Label::into_owned).collect(),
            value: self.value,
            timestamp: self.timestamp,
        }
    }
}

/// A point in time as protobuf's `google.protobuf.Timestamp` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// Nanoseconds within the second, 0..=999_999_999.
    pub nanos: i32,
}

impl<'a> Label<'a> {
    /// A label pair.
    pub fn new(name: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        Label {
            name: name.into(),
            value: value.into(),
        }
    }

    /// Detaches the label from the input.
    pub fn into_owned(self) -> Label<'static> {
        Label {
            name: Cow::Owned(self.name.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

impl<'a> Metric<'a> {
    /// A metric with the given labels and value and no timestamp.
    pub fn new(labels: Vec<Label<'a>>, value: Value<'a>) -> Self {
        Metric {
            labels,
            value,
            timestamp_ms: None,
        }
    }

    /// Sets the timestamp in milliseconds.
    #[must_use]
    pub fn with_timestamp_ms(mut self, timestamp_ms: i64) -> Self {
        self.timestamp_ms = Some(timestamp_ms);
        self
    }

    /// The value of the label called `name`, if the metric has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.value.as_ref())
    }

    /// Detaches the metric from the input.
    pub fn into_owned(self) -> Metric<'static> {
        Metric {
            labels: self.labels.into_iter().map(Label::into_owned).collect(),
            value: self.value.into_owned(),
            timestamp_ms: self.timestamp_ms,
        }
    }
}

impl<'a> MetricFamily<'a> {
    /// An empty family of the given name and type, without help or unit.
    pub fn new(name: impl Into<Cow<'a, str>>, metric_type: MetricType) -> Self {
        MetricFamily {
            name: name.into(),
            help: None,
            unit: None,
            metric_type,
            metrics: Vec::new(),
        }
    }

    /// Sets the help text.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<Cow<'a, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Appends a metric.
    #[must_use]
    pub fn with_metric(mut self, metric: Metric<'a>) -> Self {
        self.metrics.push(metric);
        self
    }

    /// Detaches the family from the input, so it can outlive it.
    pub fn into_owned(self) -> MetricFamily<'static> {
        MetricFamily {
            name: Cow::Owned(self.name.into_owned()),
            help: self.help.map(|h| Cow::Owned(h.into_owned())),
            unit: self.unit.map(|u| Cow::Owned(u.into_owned())),
            metric_type: self.metric_type,
            metrics: self.metrics.into_iter().map(Metric::into_owned).collect(),
        }
    }
}

/// `{a="1",b="2"}` (values quoted and escaped as Rust's `{:?}` does), cut at about 200
/// bytes: a series as error messages name it.
pub(crate) fn label_set(labels: &[Label<'_>]) -> String {
    struct Set<'a, 'b>(&'a [Label<'b>]);
    impl fmt::Display for Set<'_, '_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("{")?;
            for (i, l) in self.0.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{}={:?}", l.name, l.value)?;
            }
            f.write_str("}")
        }
    }
    let mut s = Set(labels).to_string();
    if s.len() > 200 {
        let mut cut = 200;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("…}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_TYPES: [MetricType; 9] = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Summary,
        MetricType::Untyped,
        MetricType::Histogram,
        MetricType::GaugeHistogram,
        MetricType::Info,
        MetricType::StateSet,
        MetricType::Unknown,
    ];

    #[test]
    fn type_words_parse_like_go() {
        assert_eq!("Counter".parse(), Ok(MetricType::Counter));
        assert_eq!("GAUGE_HISTOGRAM".parse(), Ok(MetricType::GaugeHistogram));
        assert_eq!("gaugehistogram".parse(), Ok(MetricType::GaugeHistogram));
        assert_eq!("StateSet".parse(), Ok(MetricType::StateSet));
        assert_eq!("state_set".parse::<MetricType>(), Err(UnknownMetricType));
        assert_eq!("counter ".parse::<MetricType>(), Err(UnknownMetricType));
        assert_eq!("".parse::<MetricType>(), Err(UnknownMetricType));
    }

    #[test]
    fn into_owned_keeps_everything() {
        let name = String::from("m");
        let fam = MetricFamily::new(name.as_str(), MetricType::Gauge)
            .with_help("h")
            .with_metric(
                Metric::new(vec![Label::new("a", "b")], Value::Gauge(1.5)).with_timestamp_ms(7),
            );
        let owned: MetricFamily<'static> = fam.clone().into_owned();
        drop(name);
        assert_eq!(owned.metrics[0].label("a"), Some("b"));
        assert_eq!(owned.metrics[0].timestamp_ms, Some(7));
        assert!(matches!(owned.name, Cow::Owned(_)));
    }

    #[test]
    fn values_fit_their_types() {
        assert!(Value::Histogram(Box::new(Histogram::default())).fits(MetricType::GaugeHistogram));
        assert!(!Value::Gauge(1.0).fits(MetricType::Counter));
        assert!(Value::Gauge(1.0).fits(MetricType::Info));
        assert!(Value::Gauge(0.0).fits(MetricType::StateSet));
        assert!(Value::Untyped(1.0).fits(MetricType::Unknown));
        assert!(!Value::Untyped(1.0).fits(MetricType::Gauge));
        for t in ALL_TYPES {
            assert!(Value::empty(t).fits(t), "{t}");
            assert_eq!(t.as_str().parse(), Ok(t), "{t}");
        }
    }
}

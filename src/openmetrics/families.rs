//! Grouping lines into families, with OpenMetrics' rules.
//!
//! - A family starts with its first line: a `# HELP`, `# TYPE` or `# UNIT` line naming it, or a
//!   sample its predecessor cannot take. Its lines are contiguous. A sample belongs to the
//!   current family when its name is the family name plus a suffix the family's type allows
//!   (`_total`/`_created` for counters; none, `_count`, `_sum`, `_created` for summaries;
//!   `_bucket`, `_count`, `_sum`, `_created` for histograms; `_bucket`, `_gcount`, `_gsum` for
//!   gauge histograms; `_info` for info; none for gauges, statesets and unknown); any other
//!   sample starts a new family of type `unknown` named like the sample.
//! - Metadata comes before the family's samples, at most one line of each kind. An empty HELP
//!   or UNIT is as if absent. A unit must be a suffix of the family name after `_`, and info and
//!   stateset families have none.
//! - No family name, and no sample name a family's type implies, may be used by two families
//!   (`a`, `b`, `a` is an error; so are a gauge `a_created` and a counter `a`).
//! - Within a family, a series (labels other than `le`, `quantile` and a stateset's state
//!   label) is contiguous; its samples have timestamps all or none, never going backwards.
//!   Consecutive samples of a series with the same timestamp form one metric point, which
//!   becomes one [`Metric`]; a gauge, unknown, stateset or info sample is always one metric.
//! - Values: counter totals, histogram buckets, counts and sums, summary counts and sums are
//!   not NaN or negative (a gauge histogram's `_gsum` may be negative, but only with a
//!   negative bucket); counts and buckets are integers; quantile values are not negative;
//!   quantile ranks lie in [0, 1]; `le` is a number other than NaN and `+Inf` is spelled
//!   `+Inf`; stateset values are 0 or 1, info values 1; `_created` is finite.
//! - A histogram point has buckets in increasing `le` order, counts not decreasing, ending at
//!   `+Inf`; `_count` (`_gcount`) comes with `_sum` (`_gsum`) and equals the `+Inf` bucket; a
//!   histogram with a negative bucket has no `_sum`. A counter point has a `_total`.
//! - Exemplars stand only on counter `_total` and histogram `_bucket` samples.
//!
//! Timestamps are compared at the model's millisecond resolution: two samples within the same
//! millisecond have equal timestamps.

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::hash::{Map, RandomState, Set};
use crate::labels;

use nom::Offset;

use super::lexer::{Line, RawExemplar, Record, Sample};
use crate::error::{Error, ErrorKind, Result, Snippet};
use crate::escape;
use crate::limits::{Limit, Limits};
use crate::model::{
    Bucket, Count, Exemplar, Histogram, Label, Metric, MetricFamily, MetricType, Quantile, Value,
};
use crate::number;

/// What a sample is in its family, from its name's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The one value of a gauge, unknown, stateset or info sample.
    Value,
    Total,
    Created,
    Count,
    Sum,
    Bucket,
    Quantile,
}

/// The role of a sample named family name + `suffix` in a family of type `t`.
fn role(t: MetricType, suffix: &str) -> Option<Role> {
    use MetricType as T;
    Some(match (t, suffix) {
        (T::Gauge | T::Unknown | T::StateSet | T::Untyped, "") | (T::Info, "_info") => Role::Value,
        (T::Counter, "_total") => Role::Total,
        (T::Counter | T::Summary | T::Histogram, "_created") => Role::Created,
        (T::Summary, "") => Role::Quantile,
        (T::Summary | T::Histogram, "_count") | (T::GaugeHistogram, "_gcount") => Role::Count,
        (T::Summary | T::Histogram, "_sum") | (T::GaugeHistogram, "_gsum") => Role::Sum,
        (T::Histogram | T::GaugeHistogram, "_bucket") => Role::Bucket,
        _ => return None,
    })
}

/// The sample-name suffixes a family of type `t` may use, besides its bare name.
fn suffixes(t: MetricType) -> &'static [&'static str] {
    match t {
        MetricType::Counter => &["_total", "_created"],
        MetricType::Summary => &["_count", "_sum", "_created"],
        MetricType::Histogram => &["_count", "_sum", "_bucket", "_created"],
        MetricType::GaugeHistogram => &["_gcount", "_gsum", "_bucket"],
        MetricType::Info => &["_info"],
        _ => &[],
    }
}

/// Every suffix any type uses, and the bare name.
const ALL_SUFFIXES: [&str; 9] = [
    "", "_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info",
];

/// Metadata lines seen for the current family.
const SEEN_HELP: u8 = 1;
const SEEN_TYPE: u8 = 2;
const SEEN_UNIT: u8 = 4;

/// Samples seen in the current metric point.
const HAS_TOTAL: u8 = 1;
const HAS_CREATED: u8 = 2;
const HAS_COUNT: u8 = 4;
const HAS_SUM: u8 = 8;

/// The series being read.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Index of its first metric (which holds its labels).
    first: usize,
    /// Its order-independent label-set hash.
    hash: u64,
    /// Whether its samples have timestamps.
    has_ts: bool,
    /// The latest timestamp.
    last_ts: Option<i64>,
}

/// The metric point being read (counters, summaries, histograms).
#[derive(Debug, Clone, Copy)]
struct Point {
    metric: usize,
    ts: Option<i64>,
    filled: u8,
    /// Offset of its first line, where rules about the whole point are reported.
    offset: usize,
}

/// The family being read.
#[derive(Debug)]
struct Current<'a> {
    name: &'a str,
    /// Offset of its first line.
    offset: usize,
    metric_type: MetricType,
    help: Option<Cow<'a, str>>,
    unit: Option<&'a str>,
    seen: u8,
    /// Whether its names were checked against earlier families (done at its first sample,
    /// when its type can no longer change, or at its end).
    claimed: bool,
    metrics: Vec<Metric<'a>>,
    /// A `_total` or `_info` sample name, to name the model family without allocating.
    sample_name: Option<&'a str>,
    group: Option<Group>,
    /// Order-independent label-set hash -> first metric of the first series with that hash.
    groups: Map<u64, usize>,
    /// (hash, first metric) of later series whose hash was taken (rare: no allocation per
    /// series in the common case).
    group_collisions: Vec<(u64, usize)>,
    point: Option<Point>,
}

impl<'a> Current<'a> {
    fn new(name: &'a str, offset: usize) -> Self {
        Current {
            name,
            offset,
            metric_type: MetricType::Unknown,
            help: None,
            unit: None,
            seen: 0,
            claimed: false,
            metrics: Vec::new(),
            sample_name: None,
            group: None,
            groups: Map::default(),
            group_collisions: Vec::new(),
            point: None,
        }
    }

    /// Whether a sample of the family was read.
    fn sampled(&self) -> bool {
        self.group.is_some()
    }
}

/// Folds lexed lines into families, one family at a time.
#[derive(Debug)]
pub(crate) struct Builder<'a> {
    input: &'a str,
    limits: Limits,
    current: Option<Current<'a>>,
    /// Families whose names are taken, by name, with their types.
    claimed: Map<&'a str, MetricType>,
    families: usize,
    series: usize,
    ready: VecDeque<MetricFamily<'a>>,
    hasher: RandomState,
    /// Labels of the line being folded, reused across lines.
    scratch: Vec<Label<'a>>,
    /// Raw names of `scratch` (one spelling per name), for the duplicate check.
    scratch_names: Vec<&'a str>,
    /// Names in `scratch`, filled only for lines with many labels; reused across lines.
    seen: Set<&'a str>,
    /// A name with a suffix, for the clash checks; reused.
    name_buf: String,
}

/// An error at `offset` of `input`.
#[cold]
fn error(input: &str, kind: ErrorKind, offset: usize) -> Error {
    Error::in_text(kind, input.as_bytes(), offset)
}

impl<'a> Builder<'a> {
    pub(crate) fn new(input: &'a str, limits: Limits) -> Self {
        Builder {
            input,
            limits,
            current: None,
            claimed: Map::default(),
            families: 0,
            series: 0,
            ready: VecDeque::new(),
            hasher: RandomState::default(),
            scratch: Vec::new(),
            scratch_names: Vec::new(),
            seen: Set::default(),
            name_buf: String::new(),
        }
    }

    #[cold]
    fn error(&self, kind: ErrorKind, offset: usize) -> Error {
        error(self.input, kind, offset)
    }

    #[cold]
    fn limit(&self, which: Limit, limit: usize, offset: usize) -> Error {
        self.error(ErrorKind::LimitExceeded { which, limit }, offset)
    }

    /// The offset of `part`, a slice of the input.
    fn offset_of(&self, part: &str) -> usize {
        self.input.offset(part)
    }

    /// Takes the next finished family.
    pub(crate) fn pop_ready(&mut self) -> Option<MetricFamily<'a>> {
        self.ready.pop_front()
    }

    /// Folds one lexed line.
    pub(crate) fn push(&mut self, record: Record<'a>) -> Result<()> {
        match record.line {
            Line::Help(h) => {
                let mut cur = self.metadata_family(h.name, "HELP", h.name_offset)?;
                if cur.seen & SEEN_HELP != 0 {
                    return Err(self.error(
                        ErrorKind::DuplicateHelp {
                            name: Snippet::new(h.name),
                        },
                        h.name_offset,
                    ));
                }
                cur.seen |= SEEN_HELP;
                cur.help = (!h.raw.is_empty()).then(|| h.text());
                self.current = Some(cur);
                Ok(())
            }
            Line::Type(t) => {
                let mut cur = self.metadata_family(t.name, "TYPE", t.name_offset)?;
                if cur.seen & SEEN_TYPE != 0 {
                    return Err(self.error(
                        ErrorKind::DuplicateType {
                            name: Snippet::new(t.name),
                        },
                        t.name_offset,
                    ));
                }
                cur.seen |= SEEN_TYPE;
                cur.metric_type = t.metric_type;
                self.check_unit_type(&cur, t.name_offset)?;
                self.current = Some(cur);
                Ok(())
            }
            Line::Unit(u) => {
                let mut cur = self.metadata_family(u.name, "UNIT", u.name_offset)?;
                if cur.seen & SEEN_UNIT != 0 {
                    return Err(self.error(
                        ErrorKind::DuplicateUnit {
                            name: Snippet::new(u.name),
                        },
                        u.name_offset,
                    ));
                }
                cur.seen |= SEEN_UNIT;
                if !u.unit.is_empty() {
                    let is_suffix = u
                        .name
                        .strip_suffix(u.unit)
                        .is_some_and(|rest| rest.ends_with('_'));
                    if !is_suffix {
                        return Err(self.error(
                            ErrorKind::UnitMismatch {
                                name: Snippet::new(u.name),
                                unit: Snippet::new(u.unit),
                            },
                            self.offset_of(u.unit),
                        ));
                    }
                    cur.unit = Some(u.unit);
                }
                self.check_unit_type(&cur, u.name_offset)?;
                self.current = Some(cur);
                Ok(())
            }
            Line::Sample(s) => self.push_sample(&s, record.offset),
            Line::Eof => self.finish_family(),
        }
    }

    /// The family a metadata line for `name` belongs to, taken out of `self.current`: the
    /// current one if it has that name and no samples yet, else a new one.
    fn metadata_family(
        &mut self,
        name: &'a str,
        keyword: &'static str,
        offset: usize,
    ) -> Result<Current<'a>> {
        match self.current.take() {
            Some(cur) if cur.name == name => {
                if cur.sampled() {
                    return Err(self.error(
                        ErrorKind::MetadataAfterSamples {
                            keyword,
                            name: Snippet::new(name),
                        },
                        offset,
                    ));
                }
                Ok(cur)
            }
            other => {
                self.current = other;
                self.finish_family()?;
                self.start_family(name, offset)
            }
        }
    }

    fn start_family(&mut self, name: &'a str, offset: usize) -> Result<Current<'a>> {
        if self.families >= self.limits.max_families {
            return Err(self.limit(Limit::Families, self.limits.max_families, offset));
        }
        if name.len() > self.limits.max_name_len {
            return Err(self.limit(Limit::NameLength, self.limits.max_name_len, offset));
        }
        self.families += 1;
        Ok(Current::new(name, offset))
    }

    /// Info and stateset families have no unit.
    fn check_unit_type(&self, cur: &Current<'a>, offset: usize) -> Result<()> {
        if cur.unit.is_some() && matches!(cur.metric_type, MetricType::Info | MetricType::StateSet)
        {
            return Err(self.error(
                ErrorKind::UnitNotAllowed {
                    name: Snippet::new(cur.name),
                    metric_type: cur.metric_type,
                },
                offset,
            ));
        }
        Ok(())
    }

    /// Checks that no name `cur` may use is used by an earlier family, then takes its names.
    fn claim(&mut self, cur: &mut Current<'a>, offset: usize) -> Result<()> {
        cur.claimed = true;
        for own in std::iter::once("").chain(suffixes(cur.metric_type).iter().copied()) {
            self.name_buf.clear();
            self.name_buf.push_str(cur.name);
            self.name_buf.push_str(own);
            let full = self.name_buf.as_str();
            for other in ALL_SUFFIXES {
                let Some(base) = full.strip_suffix(other) else {
                    continue;
                };
                let Some(&t) = self.claimed.get(base) else {
                    continue;
                };
                if other.is_empty() || suffixes(t).contains(&other) {
                    return Err(error(
                        self.input,
                        ErrorKind::NameClash {
                            name: Snippet::new(full),
                            family: Snippet::new(base),
                            metric_type: t,
                        },
                        offset,
                    ));
                }
            }
        }
        self.claimed.insert(cur.name, cur.metric_type);
        Ok(())
    }

    /// Ends the current family, if any, and queues it.
    pub(crate) fn finish_family(&mut self) -> Result<()> {
        let Some(mut cur) = self.current.take() else {
            return Ok(());
        };
        self.finish_point(&mut cur)?;
        if !cur.claimed {
            let offset = cur.offset;
            self.claim(&mut cur, offset)?;
        }
        // Names are raw (a quoted name's escapes undecoded) until here.
        let suffixed = |suffix: &str| match cur.sample_name {
            Some(name) => escape::unescape_name(name),
            None => Cow::Owned(format!("{}{suffix}", escape::unescape_name(cur.name))),
        };
        let name = match cur.metric_type {
            MetricType::Counter => suffixed("_total"),
            MetricType::Info => suffixed("_info"),
            _ => escape::unescape_name(cur.name),
        };
        self.ready.push_back(MetricFamily {
            name,
            help: cur.help,
            unit: cur.unit.map(Cow::Borrowed),
            metric_type: cur.metric_type,
            metrics: cur.metrics,
        });
        Ok(())
    }

    fn push_sample(&mut self, s: &Sample<'a>, line_offset: usize) -> Result<()> {
        let current = self.current.take();
        let (mut cur, role) = match current {
            Some(cur) => {
                let role = s
                    .name
                    .strip_prefix(cur.name)
                    .and_then(|suffix| role(cur.metric_type, suffix));
                match role {
                    Some(role) => (cur, role),
                    None if s.name == cur.name => {
                        // A counter `a` followed by a sample `a`: the new family would clash.
                        return Err(self.error(
                            ErrorKind::NameClash {
                                name: Snippet::new(s.name),
                                family: Snippet::new(cur.name),
                                metric_type: cur.metric_type,
                            },
                            line_offset,
                        ));
                    }
                    None => {
                        self.current = Some(cur);
                        self.finish_family()?;
                        (self.start_family(s.name, line_offset)?, Role::Value)
                    }
                }
            }
            None => (self.start_family(s.name, line_offset)?, Role::Value),
        };
        if !cur.claimed {
            self.claim(&mut cur, line_offset)?;
        }
        self.fold_sample(&mut cur, s, role, line_offset)?;
        self.current = Some(cur);
        Ok(())
    }

    fn fold_sample(
        &mut self,
        cur: &mut Current<'a>,
        s: &Sample<'a>,
        role: Role,
        line_offset: usize,
    ) -> Result<()> {
        let t = cur.metric_type;
        if let Some(ex) = &s.exemplar {
            if !matches!(role, Role::Total | Role::Bucket) {
                return Err(self.error(ErrorKind::ExemplarNotAllowed, ex.offset()));
            }
        }
        let special = self.collect_labels(s, cur, role, line_offset)?;
        let value_offset = self.offset_of(s.raw_value);
        let input = self.input;
        let bad_value = |what: &'static str, rule: &'static str| {
            error(
                input,
                ErrorKind::InvalidSampleValue {
                    value: s.value,
                    what,
                    rule,
                },
                value_offset,
            )
        };

        // The series: new, or the current one continued. Consecutive lines of one series
        // usually write their labels in the same order, which needs no hashing.
        let family_name = (t == MetricType::StateSet).then(|| escape::unescape_name(cur.name));
        let skip = family_name.as_deref();
        let group_labels = |g: Group| cur.metrics.get(g.first).map(|m| m.labels.as_slice());
        let mut hash = None;
        let same_group = match cur.group {
            None => false,
            Some(g) if skip.is_none() && group_labels(g) == Some(self.scratch.as_slice()) => true,
            Some(g) => {
                let h = self.group_hash(skip);
                hash = Some(h);
                g.hash == h
                    && group_labels(g).is_some_and(|l| labels::same_set(l, &self.scratch, skip))
            }
        };
        if same_group {
            let Some(g) = cur.group.as_mut() else {
                return Ok(());
            };
            if g.has_ts != s.timestamp_ms.is_some() {
                return Err(self.error(
                    ErrorKind::TimestampOrder {
                        reason: "the samples of a series must all have timestamps, or none",
                    },
                    line_offset,
                ));
            }
            if let (Some(last), Some(ts)) = (g.last_ts, s.timestamp_ms) {
                if ts < last {
                    return Err(self.error(
                        ErrorKind::TimestampOrder {
                            reason: "the timestamps of a series must not go backwards",
                        },
                        line_offset,
                    ));
                }
            }
            g.last_ts = s.timestamp_ms;
            if cur.point.is_some_and(|p| p.ts != s.timestamp_ms) {
                self.finish_point(cur)?;
            }
        } else {
            self.finish_point(cur)?;
            let hash = hash.unwrap_or_else(|| self.group_hash(skip));
            let first = cur.metrics.len();
            let seen_before = |ix: usize| {
                cur.metrics
                    .get(ix)
                    .is_some_and(|m| labels::same_set(&m.labels, &self.scratch, skip))
            };
            let mut collision = false;
            let repeated = match cur.groups.get(&hash) {
                Some(&ix) => {
                    collision = true;
                    seen_before(ix)
                        || cur
                            .group_collisions
                            .iter()
                            .any(|&(h, ix)| h == hash && seen_before(ix))
                }
                None => false,
            };
            if repeated {
                return Err(self.error(
                    ErrorKind::SeriesNotContiguous {
                        family: Snippet::new(cur.name),
                    },
                    line_offset,
                ));
            }
            if collision {
                cur.group_collisions.push((hash, first));
            } else {
                cur.groups.insert(hash, first);
            }
            cur.group = Some(Group {
                first,
                hash,
                has_ts: s.timestamp_ms.is_some(),
                last_ts: s.timestamp_ms,
            });
        }

        match role {
            Role::Value => {
                let value = match t {
                    MetricType::StateSet if s.value != 0.0 && s.value != 1.0 => {
                        return Err(bad_value("stateset", "must be 0 or 1"));
                    }
                    MetricType::Info if s.value != 1.0 => {
                        return Err(bad_value("info", "must be 1"));
                    }
                    MetricType::Unknown | MetricType::Untyped => Value::Untyped(s.value),
                    _ => Value::Gauge(s.value),
                };
                if t == MetricType::Info && cur.sample_name.is_none() {
                    cur.sample_name = Some(s.name);
                }
                self.new_metric(cur, value, s.timestamp_ms, line_offset)?;
            }
            Role::Total => {
                if s.value.is_nan() || s.value < 0.0 {
                    return Err(bad_value("counter total", "must not be negative or NaN"));
                }
                if cur.sample_name.is_none() {
                    cur.sample_name = Some(s.name);
                }
                let exemplar = s.exemplar.as_ref().map(|e| self.exemplar(e)).transpose()?;
                let ix = self.point_for(cur, HAS_TOTAL, s, line_offset, t)?;
                if let Some(Value::Counter(c)) = cur.metrics.get_mut(ix).map(|m| &mut m.value) {
                    c.value = s.value;
                    c.exemplar = exemplar.map(Box::new);
                }
            }
            Role::Created => {
                let Some(created) = number::parse_seconds(s.raw_value) else {
                    return Err(bad_value("_created", "must be a finite number of seconds"));
                };
                let ix = self.point_for(cur, HAS_CREATED, s, line_offset, t)?;
                match cur.metrics.get_mut(ix).map(|m| &mut m.value) {
                    Some(Value::Counter(c)) => c.created = Some(created),
                    Some(Value::Summary(v)) => v.created = Some(created),
                    Some(Value::Histogram(h)) => h.created = Some(created),
                    _ => {}
                }
            }
            Role::Count => {
                let count = count_value(s.value, s.raw_value)
                    .ok_or_else(|| bad_value(count_name(t), "must be a non-negative integer"))?;
                let ix = self.point_for(cur, HAS_COUNT, s, line_offset, t)?;
                match cur.metrics.get_mut(ix).map(|m| &mut m.value) {
                    Some(Value::Summary(v)) => match count {
                        Count::Int(n) => v.count = Some(n),
                        Count::Float(_) => {
                            return Err(bad_value("summary count", "must be below 2^64"));
                        }
                    },
                    Some(Value::Histogram(h)) => h.count = Some(count),
                    _ => {}
                }
            }
            Role::Sum => {
                let gauge = t == MetricType::GaugeHistogram;
                if s.value.is_nan() || (!gauge && s.value < 0.0) {
                    let rule = if gauge {
                        "must not be NaN"
                    } else {
                        "must not be negative or NaN"
                    };
                    return Err(bad_value(sum_name(t), rule));
                }
                let ix = self.point_for(cur, HAS_SUM, s, line_offset, t)?;
                match cur.metrics.get_mut(ix).map(|m| &mut m.value) {
                    Some(Value::Summary(v)) => v.sum = Some(s.value),
                    Some(Value::Histogram(h)) => h.sum = Some(s.value),
                    _ => {}
                }
            }
            Role::Quantile => {
                if s.value < 0.0 {
                    return Err(bad_value("summary quantile", "must not be negative"));
                }
                let ix = self.point_for(cur, 0, s, line_offset, t)?;
                if let Some(Value::Summary(v)) = cur.metrics.get_mut(ix).map(|m| &mut m.value) {
                    v.quantiles.push(Quantile {
                        quantile: special,
                        value: s.value,
                    });
                }
            }
            Role::Bucket => {
                let count = count_value(s.value, s.raw_value).ok_or_else(|| {
                    bad_value("histogram bucket", "must be a non-negative integer")
                })?;
                let exemplar = s.exemplar.as_ref().map(|e| self.exemplar(e)).transpose()?;
                let ix = self.point_for(cur, 0, s, line_offset, t)?;
                let Some(Value::Histogram(h)) = cur.metrics.get_mut(ix).map(|m| &mut m.value)
                else {
                    return Ok(());
                };
                if let Some(last) = h.buckets.last() {
                    let reason = if special <= last.upper_bound {
                        Some("histogram buckets must be in increasing order of le")
                    } else if count_lt(count, last.count) {
                        Some("histogram bucket counts must not decrease")
                    } else {
                        None
                    };
                    if let Some(reason) = reason {
                        return Err(error(
                            self.input,
                            ErrorKind::InvalidMetricPoint { reason },
                            line_offset,
                        ));
                    }
                }
                h.buckets.push(Bucket {
                    upper_bound: special,
                    count,
                    exemplar: exemplar.map(Box::new),
                });
            }
        }
        Ok(())
    }

    /// The metric of the current point, after checking `flag` is not yet filled in it; a new
    /// point (and metric) when there is none.
    fn point_for(
        &mut self,
        cur: &mut Current<'a>,
        flag: u8,
        s: &Sample<'a>,
        line_offset: usize,
        t: MetricType,
    ) -> Result<usize> {
        if let Some(p) = cur.point.as_mut() {
            if p.filled & flag == 0 {
                p.filled |= flag;
                return Ok(p.metric);
            }
            if t == MetricType::Counter {
                // A second `_total` (or `_created`) at the same time starts a new point.
                self.finish_point(cur)?;
            } else {
                return Err(self.error(
                    ErrorKind::InvalidMetricPoint {
                        reason: "a metric point has at most one _count, _sum and _created",
                    },
                    line_offset,
                ));
            }
        }
        let value = Value::empty(t);
        let metric = self.new_metric(cur, value, s.timestamp_ms, line_offset)?;
        cur.point = Some(Point {
            metric,
            ts: s.timestamp_ms,
            filled: flag,
            offset: line_offset,
        });
        Ok(metric)
    }

    /// Adds a metric with the labels in `scratch`.
    fn new_metric(
        &mut self,
        cur: &mut Current<'a>,
        value: Value<'a>,
        timestamp_ms: Option<i64>,
        line_offset: usize,
    ) -> Result<usize> {
        if self.series >= self.limits.max_series {
            return Err(self.limit(Limit::Series, self.limits.max_series, line_offset));
        }
        self.series += 1;
        cur.metrics.push(Metric {
            labels: labels::take(&mut self.scratch),
            value,
            timestamp_ms,
        });
        Ok(cur.metrics.len() - 1)
    }

    /// Checks the rules about a whole metric point, then closes it.
    fn finish_point(&self, cur: &mut Current<'a>) -> Result<()> {
        let Some(p) = cur.point.take() else {
            return Ok(());
        };
        let reason = match cur.metrics.get(p.metric).map(|m| &m.value) {
            Some(Value::Counter(_)) if p.filled & HAS_TOTAL == 0 => {
                Some("a counter metric point needs a _total sample")
            }
            Some(Value::Histogram(h)) => histogram_rule(h, cur.metric_type),
            _ => None,
        };
        match reason {
            Some(reason) => Err(self.error(ErrorKind::InvalidMetricPoint { reason }, p.offset)),
            None => Ok(()),
        }
    }

    /// Collects the sample's labels into `scratch` (without `le` or `quantile`), checking names,
    /// duplicates and limits; returns the `le` or `quantile` value (NaN when there is none).
    fn collect_labels(
        &mut self,
        s: &Sample<'a>,
        cur: &Current<'a>,
        role: Role,
        line_offset: usize,
    ) -> Result<f64> {
        self.scratch.clear();
        self.scratch_names.clear();
        self.seen.clear();
        let t = cur.metric_type;
        let special_name = match t {
            MetricType::Histogram | MetricType::GaugeHistogram => Some("le"),
            MetricType::Summary => Some("quantile"),
            _ => None,
        };
        let wants_special = matches!(role, Role::Bucket | Role::Quantile);
        let mut special = None;
        for label in s.labels.iter() {
            if label.name.len() > self.limits.max_name_len {
                return Err(self.limit(
                    Limit::NameLength,
                    self.limits.max_name_len,
                    label.name_offset,
                ));
            }
            if label.raw_value.len() > self.limits.max_label_value_len
                && label.value().len() > self.limits.max_label_value_len
            {
                return Err(self.limit(
                    Limit::LabelValueLength,
                    self.limits.max_label_value_len,
                    label.value_offset,
                ));
            }
            if Some(label.name) == special_name {
                if !wants_special {
                    return Err(self.error(
                        ErrorKind::UnexpectedLabel {
                            name: Snippet::new(label.name),
                        },
                        label.name_offset,
                    ));
                }
                if special.is_some() {
                    return Err(self.error(
                        ErrorKind::DuplicateLabel {
                            name: Snippet::new(label.name),
                        },
                        label.name_offset,
                    ));
                }
                special = Some(self.special_value(&label.value(), t, label.value_offset)?);
                continue;
            }
            if self.is_duplicate(label.name) {
                return Err(self.error(
                    ErrorKind::DuplicateLabel {
                        name: Snippet::new(label.name),
                    },
                    label.name_offset,
                ));
            }
            if self.scratch.len() >= self.limits.max_labels {
                return Err(self.limit(Limit::Labels, self.limits.max_labels, label.name_offset));
            }
            self.scratch.push(Label {
                name: label.decoded_name(),
                value: label.value(),
            });
            self.scratch_names.push(label.name);
        }
        if wants_special && special.is_none() {
            let name = special_name.unwrap_or_default();
            return Err(self.error(
                ErrorKind::MissingLabel {
                    name: Snippet::new(name),
                },
                line_offset,
            ));
        }
        if t == MetricType::StateSet
            && !self
                .scratch
                .iter()
                .any(|l| l.name == escape::unescape_name(cur.name))
        {
            return Err(self.error(
                ErrorKind::MissingLabel {
                    name: Snippet::new(cur.name),
                },
                line_offset,
            ));
        }
        Ok(special.unwrap_or(f64::NAN))
    }

    /// Reads an `le` bound or a `quantile` rank.
    fn special_value(&self, value: &str, t: MetricType, offset: usize) -> Result<f64> {
        let v = number::parse_float(value).filter(|v| !v.is_nan());
        let found = || Snippet::new(value);
        if t == MetricType::Summary {
            let q =
                v.ok_or_else(|| self.error(ErrorKind::InvalidQuantile { found: found() }, offset))?;
            if !(0.0..=1.0).contains(&q) {
                return Err(self.error(
                    ErrorKind::InvalidSampleValue {
                        value: q,
                        what: "quantile label",
                        rule: "must be between 0 and 1",
                    },
                    offset,
                ));
            }
            return Ok(q);
        }
        let le =
            v.ok_or_else(|| self.error(ErrorKind::InvalidBucketBound { found: found() }, offset))?;
        if le == f64::INFINITY && value != "+Inf" {
            return Err(self.error(
                ErrorKind::Syntax {
                    expected: "\"+Inf\", the only spelling of an infinite le",
                    found: Some(found()),
                },
                offset,
            ));
        }
        Ok(le)
    }

    /// Whether `name` is already in `scratch`; linear for few labels, hashed beyond.
    fn is_duplicate(&mut self, name: &'a str) -> bool {
        const LINEAR: usize = 16;
        if self.scratch_names.len() < LINEAR {
            return self.scratch_names.contains(&name);
        }
        if self.seen.is_empty() {
            self.seen.extend(self.scratch_names.iter().copied());
        }
        !self.seen.insert(name)
    }

    /// An order-independent hash of the labels in `scratch`, leaving out `skip`.
    fn group_hash(&self, skip: Option<&str>) -> u64 {
        labels::set_hash(&self.hasher, &self.scratch, skip)
    }

    fn exemplar(&self, e: &RawExemplar<'a>) -> Result<Exemplar<'a>> {
        let mut labels: Vec<Label<'a>> = Vec::new();
        for label in e.labels().iter() {
            if labels.iter().any(|l| l.name == label.decoded_name()) {
                return Err(self.error(
                    ErrorKind::DuplicateLabel {
                        name: Snippet::new(label.name),
                    },
                    label.name_offset,
                ));
            }
            labels.push(Label {
                name: label.decoded_name(),
                value: label.value(),
            });
        }
        Ok(Exemplar {
            labels,
            value: e.value(),
            timestamp: e.timestamp(),
        })
    }
}

/// The rule a finished histogram point breaks, if any.
fn histogram_rule(h: &Histogram<'_>, t: MetricType) -> Option<&'static str> {
    let gauge = t == MetricType::GaugeHistogram;
    let Some(inf) = h.buckets.last().filter(|b| b.upper_bound == f64::INFINITY) else {
        return Some("a histogram metric point needs a le=\"+Inf\" bucket, last");
    };
    let negative = h.buckets.first().is_some_and(|b| b.upper_bound < 0.0);
    match (h.count, h.sum) {
        (Some(c), _) if count_lt(c, inf.count) || count_lt(inf.count, c) => Some(if gauge {
            "_gcount must equal the +Inf bucket"
        } else {
            "_count must equal the +Inf bucket"
        }),
        (Some(_), None) => Some(if gauge {
            "_gcount needs _gsum"
        } else {
            "_count needs _sum"
        }),
        (None, Some(_)) => Some(if gauge {
            "_gsum needs _gcount"
        } else {
            "_sum needs _count"
        }),
        (_, Some(_)) if negative && !gauge => {
            Some("a histogram with negative buckets cannot have _sum")
        }
        (_, Some(sum)) if gauge && sum < 0.0 && !negative => {
            Some("a negative _gsum needs negative buckets")
        }
        _ => None,
    }
}

fn count_name(t: MetricType) -> &'static str {
    match t {
        MetricType::Summary => "summary count",
        MetricType::GaugeHistogram => "gauge histogram gcount",
        _ => "histogram count",
    }
}

fn sum_name(t: MetricType) -> &'static str {
    match t {
        MetricType::Summary => "summary sum",
        MetricType::GaugeHistogram => "gauge histogram gsum",
        _ => "histogram sum",
    }
}

/// Whether count `a` is below count `b`, exactly for integers.
fn count_lt(a: Count, b: Count) -> bool {
    match (a, b) {
        (Count::Int(a), Count::Int(b)) => a < b,
        (a, b) => a.as_f64() < b.as_f64(),
    }
}

/// A count or bucket value: a non-negative integer, `Int` below 2^64 and `Float` beyond. An
/// integer written with digits only is read exactly (beyond 2^53 a float would round it).
fn count_value(v: f64, raw: &str) -> Option<Count> {
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if let Ok(n) = raw.parse::<u64>() {
        return Some(Count::Int(n));
    }
    if v.is_nan() || v < 0.0 || v.fract() != 0.0 {
        return None;
    }
    if v < TWO_64 {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "an integer in [0, 2^64)"
        )]
        return Some(Count::Int(v as u64));
    }
    Some(Count::Float(v))
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::limits::{Limit, Limits};
    use crate::model::{Count, MetricType, Timestamp, Value};
    use crate::openmetrics::{families, parse, parse_with_limits};

    fn err(input: &str) -> (String, Option<usize>, Option<usize>) {
        let e = parse(input).expect_err(input);
        (e.kind().to_string(), e.line(), e.column())
    }

    #[test]
    fn counters_and_info_are_named_after_their_samples() {
        let fs = parse(concat!(
            "# TYPE a counter\n",
            "a_total 1\n",
            "# TYPE b counter\n",
            "# TYPE c info\n",
            "c_info{v=\"1\"} 1\n",
            "# TYPE d info\n",
            "# EOF\n"
        ))
        .unwrap();
        let names: Vec<&str> = fs.iter().map(|f| f.name.as_ref()).collect();
        assert_eq!(names, ["a_total", "b_total", "c_info", "d_info"]);
        assert!(matches!(fs[0].name, std::borrow::Cow::Borrowed(_)));
        assert_eq!(fs[2].metrics[0].label("v"), Some("1"));
    }

    #[test]
    fn metric_points_of_one_series() {
        let fs = parse(concat!(
            "# TYPE s summary\n",
            "s_count{a=\"bb\"} 0 123\n",
            "s_sum{a=\"bb\"} 0 123\n",
            "s_count{a=\"bb\"} 1 456\n",
            "s_sum{a=\"bb\"} 2 456\n",
            "s_created{a=\"bb\"} 1.5 456\n",
            "# EOF\n"
        ))
        .unwrap();
        let ms = &fs[0].metrics;
        assert_eq!(ms.len(), 2);
        assert_eq!(
            (ms[0].timestamp_ms, ms[1].timestamp_ms),
            (Some(123_000), Some(456_000))
        );
        let Value::Summary(s) = &ms[1].value else {
            panic!()
        };
        assert_eq!((s.count, s.sum), (Some(1), Some(2.0)));
        assert_eq!(
            s.created,
            Some(Timestamp {
                seconds: 1,
                nanos: 500_000_000
            })
        );
    }

    #[test]
    fn histograms() {
        let fs = parse(concat!(
            "# TYPE h histogram\n",
            "h_bucket{le=\"1\",x=\"y\"} 0\n",
            "h_bucket{x=\"y\",le=\"+Inf\"} 2 # {t=\"1\"} 0.5\n",
            "h_count{x=\"y\"} 2\n",
            "h_sum{x=\"y\"} 3.5\n",
            "h_created{x=\"y\"} 0\n",
            "# EOF\n"
        ))
        .unwrap();
        assert_eq!(fs[0].metric_type, MetricType::Histogram);
        let Value::Histogram(h) = &fs[0].metrics[0].value else {
            panic!()
        };
        assert_eq!(fs[0].metrics[0].label("x"), Some("y"));
        assert_eq!(fs[0].metrics[0].labels.len(), 1);
        assert_eq!(h.count, Some(Count::Int(2)));
        assert_eq!(h.sum, Some(3.5));
        assert_eq!(h.buckets.len(), 2);
        assert!(h.buckets[1].exemplar.is_some());
        assert!(h.created.is_some());
    }

    #[test]
    fn rules_pin_kind_and_position() {
        for (input, want) in [
            (
                "a 1\nb 1\na 1\n# EOF\n",
                (
                    "metric name \"a\" clashes with unknown family \"a\": families must be \
                     contiguous, sample names unique",
                    3,
                    1,
                ),
            ),
            (
                "# TYPE a counter\na 1\n# EOF\n",
                (
                    "metric name \"a\" clashes with counter family \"a\": families must be \
                     contiguous, sample names unique",
                    2,
                    1,
                ),
            ),
            (
                "a{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 1\n# EOF\n",
                (
                    "series of family \"a\" is interleaved with another series",
                    3,
                    1,
                ),
            ),
            (
                "# TYPE a counter\na_created 1\n# EOF\n",
                ("a counter metric point needs a _total sample", 2, 1),
            ),
            (
                "# TYPE h histogram\nh_count{le=\"1\"} 1\n# EOF\n",
                ("label \"le\" is not allowed here", 2, 9),
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"1\",le=\"+Inf\"} 1\n# EOF\n",
                ("duplicate label name \"le\"", 2, 17),
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1.5\n# EOF\n",
                (
                    "invalid value 1.5 for histogram bucket: must be a non-negative integer",
                    2,
                    21,
                ),
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_count 1\n# EOF\n",
                (
                    "a metric point has at most one _count, _sum and _created",
                    4,
                    1,
                ),
            ),
            (
                "# TYPE a counter\na_total 1 # {a=\"1\",a=\"2\"} 1\n# EOF\n",
                ("duplicate label name \"a\"", 2, 20),
            ),
            (
                "# TYPE a counter\na_total 1\na_created NaN\n# EOF\n",
                (
                    "invalid value NaN for _created: must be a finite number of seconds",
                    3,
                    11,
                ),
            ),
        ] {
            assert_eq!(
                err(input),
                (want.0.to_owned(), Some(want.1), Some(want.2)),
                "{input}"
            );
        }
    }

    #[test]
    fn streaming_is_fused_after_an_error() {
        // The error comes as soon as it is found, before `b`, which was complete.
        let mut it = families("a 1\nb 1\na 1\n# EOF\n");
        assert!(it.next().is_some_and(|f| f.is_ok()));
        assert!(it.next().is_some_and(|f| f.is_err()));
        assert!(it.next().is_none());
        // An error found while starting a family does not leak the finished one.
        let mut limits = Limits::unlimited();
        limits.max_families = 1;
        let mut it = crate::openmetrics::Families::new("a 1\nb 1\n# EOF\n", limits);
        let e = it.next().unwrap().unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::LimitExceeded {
                which: Limit::Families,
                ..
            }
        ));
        assert!(it.next().is_none());
    }

    #[test]
    fn limits() {
        let mut limits = Limits::unlimited();
        limits.max_series = 2;
        let input = "# TYPE h histogram\nh_bucket{le=\"+Inf\",a=\"1\"} 1\nh_bucket{le=\"+Inf\",a=\"2\"} 1\nh_bucket{le=\"+Inf\",a=\"3\"} 1\n# EOF\n";
        let e = parse_with_limits(input, &limits).unwrap_err();
        assert!(e.is_limit());
        assert_eq!(e.line(), Some(4));
        limits.max_series = 3;
        assert!(parse_with_limits(input, &limits).is_ok());
        limits.max_body = input.len() - 1;
        assert!(parse_with_limits(input, &limits).unwrap_err().is_limit());
    }
}

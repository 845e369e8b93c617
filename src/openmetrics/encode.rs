//! Writing families as OpenMetrics 1.0 text.
//!
//! Per family: `# HELP` when there is help, `# TYPE`, `# UNIT` when there is a unit (the order
//! Go's `MetricFamilyToOpenMetrics` writes), then one line per sample in model order, and
//! `# EOF` after the last family. Samples are written as Go writes them where Go writes
//! OpenMetrics at all: values as [`number::write_openmetrics_float`] (`1.0`, `1e+06`, `NaN`,
//! `+Inf`), integer counts as integers, `le` and `quantile` in the same canonical form, label
//! values and HELP with `\\`, `\"` and `\n` escaped.
//!
//! By type:
//! - counter: the model names a counter after its `_total` samples; `# TYPE` and `# HELP` use
//!   the name without it, and each metric is a `_total` line (with its exemplar) and a
//!   `_created` line when it has a created time. A counter whose name does not end in `_total`
//!   is written, as Go writes it, with type `unknown` and its own name (so the name survives);
//!   its created time and exemplar have no place there and are left out. So is a counter
//!   `x_total` when another family being written is named `x` or `x_created` (Go's
//!   `go_memstats_alloc_bytes` gauge beside its `go_memstats_alloc_bytes_total` counter): as a
//!   counter it would clash with that family, which OpenMetrics forbids (Go writes the clash);
//! - gauge, unknown (and untyped, written `unknown`): one line per metric;
//! - stateset: one line per metric, the state in its label named like the family;
//! - info: the model names an info family after its `_info` samples; metadata uses the name
//!   without it (a name without `_info` is used as it is, and its samples get `_info`);
//! - summary: a `quantile` line per quantile, then `_sum`, `_count` and `_created` when
//!   present (a summary with none of them has no line, and does not come back);
//! - histogram and gauge histogram: a `_bucket` line per bucket (with its exemplar), plus a
//!   `le="+Inf"` bucket when the buckets lack one (holding the count, or the last bucket's
//!   count); then, when there is a sum, `_count` and `_sum` (`_gcount` and `_gsum`), as
//!   OpenMetrics wants a count exactly when there is a sum; then `_created` (histograms only:
//!   gauge histograms have none in OpenMetrics 1.0). Native buckets are left out.
//!
//! Timestamps are written exactly, as seconds with up to three (sample) or nine (created,
//! exemplar) decimals: `1395066363.5`, never `1.3950663635e+09`. This is where we differ from
//! Go, which converts through a float and loses precision.
//!
//! Names outside the legacy charset are written in the Prometheus 3 quoted syntax, as Go's
//! newer `MetricFamilyToOpenMetrics` writes them: `# TYPE "my.metric" counter`, the sample
//! name (suffix included) quoted first inside the braces (`{"my.metric_total",a="b"} 1`), label
//! names quoted in place (`"a.b"="v"`); legacy names are written as before. Such output is not
//! OpenMetrics 1.0: [`parse_utf8`](super::parse_utf8) reads it, and an
//! [`EscapingScheme`](crate::names::EscapingScheme) turns the names legacy for 1.0 readers.
//!
//! Refused, so that the output always reads back: a family with no name, an empty or
//! reserved (`__name__`) label name, a label called like the `le` or `quantile`
//! the type adds, a value that does not fit the family type, a unit that is not a suffix of
//! the name or stands on an info or stateset family, a stateset metric without its state
//! label, an exemplar over 128 code points, a label set that comes back after another one in its
//! family (`SeriesNotContiguous`; text 0.0.4 and protobuf carry that). Not checked: the rules that span
//! several families or points (two families of one name, decreasing bucket counts,
//! negative counters); a model that breaks them gives text that [`parse`](super::parse)
//! refuses.

use std::cell::RefCell;
use std::collections::HashSet;

use crate::error::{ErrorKind, Result, Snippet};
use crate::escape::{escape_into, quote_name_into, Escapes};
use crate::hash::RandomState;
use crate::labels;
use crate::model::{Count, Exemplar, Label, Metric, MetricFamily, MetricType, Value};
use crate::names;
use crate::number::{write_int, write_openmetrics_float, write_seconds, write_seconds_ms};

/// Appends an exposition of every family to `out`, ending with `# EOF`.
///
/// On error, `out` keeps the families written before the failing one, without `# EOF`.
pub fn encode_into(out: &mut String, families: &[MetricFamily<'_>]) -> Result<()> {
    let mut labels = String::new();
    let names = Names::of(families);
    for family in families {
        encode_family_into(out, &mut labels, family, &names)?;
    }
    out.push_str("# EOF\n");
    Ok(())
}

/// The names of the families being written, so that a counter can avoid clashing with them:
/// every name, and the bases of the names that end in `_created`. Built with one allocation
/// per set, looked up without any.
#[derive(Default)]
pub(crate) struct Names<'f> {
    names: HashSet<&'f str>,
    created_bases: HashSet<&'f str>,
    /// Label-set hashes of the family being written, reused from family to family.
    series: RefCell<Vec<(u64, usize)>>,
    hasher: RandomState,
}

impl<'f> Names<'f> {
    /// Collects the names, when there is a counter to check against them.
    pub(crate) fn of(families: &'f [MetricFamily<'_>]) -> Self {
        let mut out = Names::default();
        if families
            .iter()
            .any(|f| f.metric_type == MetricType::Counter)
        {
            out.names = families.iter().map(|f| f.name.as_ref()).collect();
            let created = families
                .iter()
                .filter_map(|f| f.name.strip_suffix("_created"));
            out.created_bases.reserve(created.clone().count());
            out.created_bases.extend(created);
        }
        out
    }

    /// Whether a label set of `metrics` comes back after another label set (in any order of
    /// its labels): OpenMetrics wants the points of a series together, text 0.0.4 and
    /// protobuf do not, and a parser refuses the split. Sorts label-set hashes in a reused
    /// buffer, so it allocates only when a family has more metrics than any before it.
    fn splits_a_series(&self, metrics: &[Metric<'_>]) -> bool {
        if metrics.len() < 3 {
            return false;
        }
        let mut series = self.series.borrow_mut();
        series.clear();
        series.extend(
            metrics
                .iter()
                .enumerate()
                .map(|(i, m)| (labels::set_hash(&self.hasher, &m.labels, None), i)),
        );
        series.sort_unstable();
        // Within a run of equal hashes (in input order), each metric's nearest earlier metric
        // with the same labels must be the one just before it.
        series.chunk_by(|a, b| a.0 == b.0).any(|run| {
            run.iter().enumerate().any(|(k, &(_, i))| {
                run[..k]
                    .iter()
                    .rev()
                    .find(|&&(_, j)| labels::same_set(&metrics[j].labels, &metrics[i].labels, None))
                    .is_some_and(|&(_, j)| j + 1 != i)
            })
        })
    }

    /// Whether a counter family named `base` + `_total` would clash with another family.
    fn clash(&self, base: &str) -> bool {
        self.names.contains(base) || self.created_bases.contains(base)
    }
}

/// Appends one family (no `# EOF`); on error `out` is left as it was.
pub(crate) fn encode_family_into(
    out: &mut String,
    labels: &mut String,
    family: &MetricFamily<'_>,
    names: &Names<'_>,
) -> Result<()> {
    let start = out.len();
    let result = encode_family(out, labels, family, names);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// How a family is written: its OpenMetrics name and type word, and the name of its value
/// samples.
struct Shape<'f> {
    /// The family name in metadata lines.
    name: &'f str,
    /// The `# TYPE` word.
    type_word: &'static str,
    /// The sample name of plain values (`x_total`, `x_info`, `x`).
    sample: &'f str,
    /// Whether a counter is written as such (else as `unknown`, without created or exemplar).
    counter: bool,
}

fn shape<'f>(family: &'f MetricFamily<'_>, names: &Names<'_>) -> Shape<'f> {
    let name = family.name.as_ref();
    let strip = |suffix: &str| name.strip_suffix(suffix).filter(|base| !base.is_empty());
    match family.metric_type {
        MetricType::Counter => match strip("_total").filter(|base| !names.clash(base)) {
            Some(base) => Shape {
                name: base,
                type_word: "counter",
                sample: name,
                counter: true,
            },
            None => Shape {
                name,
                type_word: "unknown",
                sample: name,
                counter: false,
            },
        },
        MetricType::Info => Shape {
            name: strip("_info").unwrap_or(name),
            type_word: "info",
            sample: name,
            counter: false,
        },
        MetricType::Untyped | MetricType::Unknown => Shape {
            name,
            type_word: "unknown",
            sample: name,
            counter: false,
        },
        t => Shape {
            name,
            type_word: t.as_str(),
            sample: name,
            counter: false,
        },
    }
}

/// Writes a name bare, or quoted with the escapes `\\`, `\"`, `\n` (Prometheus 3 syntax).
fn write_name(out: &mut String, name: &str, quoted: bool) {
    if quoted {
        quote_name_into(out, name);
    } else {
        out.push_str(name);
    }
}

fn invalid_name(name: &str, what: &'static str) -> crate::Error {
    ErrorKind::InvalidName {
        name: Snippet::new(name),
        what,
    }
    .into()
}

fn encode_family(
    out: &mut String,
    labels: &mut String,
    family: &MetricFamily<'_>,
    names: &Names<'_>,
) -> Result<()> {
    if family.name.is_empty() {
        return Err(ErrorKind::MissingFamilyName.into());
    }
    // A name outside the legacy charset goes quoted (Prometheus 3); with or without its
    // `_total` / `_info`, a name is legacy exactly when the family name is.
    let quoted = !names::is_valid_metric_name(&family.name);
    let shape = shape(family, names);
    if let Some(help) = &family.help {
        out.push_str("# HELP ");
        write_name(out, shape.name, quoted);
        out.push(' ');
        escape_into(out, help, Escapes::OpenMetrics);
        out.push('\n');
    }
    out.push_str("# TYPE ");
    write_name(out, shape.name, quoted);
    out.push(' ');
    out.push_str(shape.type_word);
    out.push('\n');
    if let Some(unit) = family.unit.as_deref().filter(|u| !u.is_empty()) {
        check_unit(&shape, unit, family.metric_type)?;
        out.push_str("# UNIT ");
        write_name(out, shape.name, quoted);
        out.push(' ');
        out.push_str(unit);
        out.push('\n');
    }
    let info_sample;
    let sample = if family.metric_type == MetricType::Info && shape.sample == shape.name {
        info_sample = format!("{}_info", shape.name);
        info_sample.as_str()
    } else {
        shape.sample
    };
    if names.splits_a_series(&family.metrics) {
        return Err(ErrorKind::SeriesNotContiguous {
            family: Snippet::new(&family.name),
        }
        .into());
    }
    for metric in &family.metrics {
        if !metric.value.fits(family.metric_type) {
            return Err(ErrorKind::ValueTypeMismatch {
                family: Snippet::new(&family.name),
                expected: family.metric_type,
                found: metric.value.metric_type(),
            }
            .into());
        }
        let reserved = match family.metric_type {
            MetricType::Histogram | MetricType::GaugeHistogram => Some("le"),
            MetricType::Summary => Some("quantile"),
            _ => None,
        };
        write_labels(labels, &metric.labels, reserved)?;
        if family.metric_type == MetricType::StateSet
            && !metric.labels.iter().any(|l| l.name == shape.name)
        {
            return Err(ErrorKind::MissingLabel {
                name: Snippet::new(shape.name),
            }
            .into());
        }
        let line = Line {
            quoted,
            labels,
            timestamp_ms: metric.timestamp_ms,
        };
        encode_metric(out, &line, &shape, sample, family.metric_type, metric)?;
    }
    Ok(())
}

fn check_unit(shape: &Shape<'_>, unit: &str, t: MetricType) -> Result<()> {
    if matches!(t, MetricType::Info | MetricType::StateSet) {
        return Err(ErrorKind::UnitNotAllowed {
            name: Snippet::new(shape.name),
            metric_type: t,
        }
        .into());
    }
    let fits = unit.bytes().all(names::is_metric_name_continue)
        && shape
            .name
            .strip_suffix(unit)
            .is_some_and(|rest| rest.ends_with('_'));
    if !fits {
        return Err(ErrorKind::UnitMismatch {
            name: Snippet::new(shape.name),
            unit: Snippet::new(unit),
        }
        .into());
    }
    Ok(())
}

/// Writes `a="b",c="d"` into `out` (cleared first), checking names.
fn write_labels(out: &mut String, labels: &[Label<'_>], reserved: Option<&str>) -> Result<()> {
    out.clear();
    for label in labels {
        if label.name.is_empty() || label.name == names::RESERVED_LABEL {
            return Err(invalid_name(&label.name, "label"));
        }
        if Some(label.name.as_ref()) == reserved {
            return Err(ErrorKind::UnexpectedLabel {
                name: Snippet::new(&label.name),
            }
            .into());
        }
        if !out.is_empty() {
            out.push(',');
        }
        write_name(out, &label.name, !names::is_valid_label_name(&label.name));
        out.push_str("=\"");
        escape_into(out, &label.value, Escapes::OpenMetrics);
        out.push('"');
    }
    Ok(())
}

fn encode_metric(
    out: &mut String,
    line: &Line<'_>,
    shape: &Shape<'_>,
    sample: &str,
    t: MetricType,
    metric: &Metric<'_>,
) -> Result<()> {
    let name = shape.name;
    match &metric.value {
        Value::Counter(c) if shape.counter => {
            line.write(
                out,
                sample,
                None,
                Num::Float(c.value),
                c.exemplar.as_deref(),
            )?;
            if let Some(created) = c.created {
                line.write(out, name, Some("_created"), Num::Seconds(created), None)?;
            }
        }
        Value::Counter(c) => line.write(out, sample, None, Num::Float(c.value), None)?,
        Value::Gauge(v) | Value::Untyped(v) => {
            line.write(out, sample, None, Num::Float(*v), None)?
        }
        Value::Summary(s) => {
            for q in &s.quantiles {
                let extra = Some(("quantile", q.quantile));
                line.with(extra)
                    .write(out, name, None, Num::Float(q.value), None)?;
            }
            if let Some(sum) = s.sum {
                line.write(out, name, Some("_sum"), Num::Float(sum), None)?;
            }
            if let Some(count) = s.count {
                line.write(
                    out,
                    name,
                    Some("_count"),
                    Num::Count(Count::Int(count)),
                    None,
                )?;
            }
            if let Some(created) = s.created {
                line.write(out, name, Some("_created"), Num::Seconds(created), None)?;
            }
        }
        Value::Histogram(h) => {
            let gauge = t == MetricType::GaugeHistogram;
            let mut inf = None;
            for b in &h.buckets {
                let extra = Some(("le", b.upper_bound));
                line.with(extra).write(
                    out,
                    name,
                    Some("_bucket"),
                    Num::Count(b.count),
                    b.exemplar.as_deref(),
                )?;
                if b.upper_bound == f64::INFINITY {
                    inf = Some(b.count);
                }
            }
            let inf = match inf {
                Some(c) => c,
                None => {
                    let c = h
                        .count
                        .or_else(|| h.buckets.last().map(|b| b.count))
                        .unwrap_or_default();
                    let extra = Some(("le", f64::INFINITY));
                    line.with(extra)
                        .write(out, name, Some("_bucket"), Num::Count(c), None)?;
                    c
                }
            };
            if let Some(sum) = h.sum {
                let (count_suffix, sum_suffix) = if gauge {
                    ("_gcount", "_gsum")
                } else {
                    ("_count", "_sum")
                };
                let count = h.count.unwrap_or(inf);
                line.write(out, name, Some(count_suffix), Num::Count(count), None)?;
                line.write(out, name, Some(sum_suffix), Num::Float(sum), None)?;
            }
            if let (Some(created), false) = (h.created, gauge) {
                line.write(out, name, Some("_created"), Num::Seconds(created), None)?;
            }
        }
    }
    Ok(())
}

/// A sample value as written.
#[derive(Clone, Copy)]
enum Num {
    Float(f64),
    Count(Count),
    Seconds(crate::model::Timestamp),
}

/// The parts every sample line of one metric shares.
struct Line<'m> {
    /// Whether the sample name goes quoted inside the braces.
    quoted: bool,
    /// `a="b",c="d"`, already escaped.
    labels: &'m str,
    timestamp_ms: Option<i64>,
}

/// A [`Line`] with the `le` or `quantile` label of one bucket or quantile added.
struct LineWith<'m, 'l> {
    line: &'l Line<'m>,
    extra: Option<(&'static str, f64)>,
}

impl<'m> Line<'m> {
    fn with<'l>(&'l self, extra: Option<(&'static str, f64)>) -> LineWith<'m, 'l> {
        LineWith { line: self, extra }
    }

    fn write(
        &self,
        out: &mut String,
        name: &str,
        suffix: Option<&str>,
        value: Num,
        exemplar: Option<&Exemplar<'_>>,
    ) -> Result<()> {
        self.with(None).write(out, name, suffix, value, exemplar)
    }
}

impl LineWith<'_, '_> {
    fn write(
        &self,
        out: &mut String,
        name: &str,
        suffix: Option<&str>,
        value: Num,
        exemplar: Option<&Exemplar<'_>>,
    ) -> Result<()> {
        let quoted = self.line.quoted;
        if quoted {
            out.push_str("{\"");
            escape_into(out, name, Escapes::LabelValue);
            out.push_str(suffix.unwrap_or_default());
            out.push('"');
        } else {
            out.push_str(name);
            out.push_str(suffix.unwrap_or_default());
        }
        let labels = self.line.labels;
        if quoted || !labels.is_empty() || self.extra.is_some() {
            if !quoted {
                out.push('{');
            } else if !labels.is_empty() {
                out.push(',');
            }
            out.push_str(labels);
            if let Some((label, v)) = self.extra {
                if quoted || !labels.is_empty() {
                    out.push(',');
                }
                out.push_str(label);
                out.push_str("=\"");
                write_openmetrics_float(out, v);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        write_num(out, value);
        if let Some(ts) = self.line.timestamp_ms {
            out.push(' ');
            write_seconds_ms(out, ts);
        }
        if let Some(e) = exemplar {
            write_exemplar(out, e)?;
        }
        out.push('\n');
        Ok(())
    }
}

fn write_num(out: &mut String, value: Num) {
    match value {
        Num::Float(v) | Num::Count(Count::Float(v)) => write_openmetrics_float(out, v),
        Num::Count(Count::Int(n)) => write_int(out, n),
        Num::Seconds(ts) => write_seconds(out, ts),
    }
}

/// Writes ` # {labels} value [timestamp]`.
fn write_exemplar(out: &mut String, e: &Exemplar<'_>) -> Result<()> {
    const MAX_CODE_POINTS: usize = 128;
    let length: usize = e
        .labels
        .iter()
        .map(|l| l.name.chars().count() + l.value.chars().count())
        .sum();
    if length > MAX_CODE_POINTS {
        return Err(ErrorKind::ExemplarTooLong { length }.into());
    }
    out.push_str(" # {");
    for (i, label) in e.labels.iter().enumerate() {
        if label.name.is_empty() || label.name == names::RESERVED_LABEL {
            return Err(invalid_name(&label.name, "label"));
        }
        if e.labels.iter().take(i).any(|l| l.name == label.name) {
            return Err(ErrorKind::DuplicateLabel {
                name: Snippet::new(&label.name),
            }
            .into());
        }
        if i > 0 {
            out.push(',');
        }
        write_name(out, &label.name, !names::is_valid_label_name(&label.name));
        out.push_str("=\"");
        escape_into(out, &label.value, Escapes::OpenMetrics);
        out.push('"');
    }
    out.push_str("} ");
    write_openmetrics_float(out, e.value);
    if let Some(ts) = e.timestamp {
        out.push(' ');
        write_seconds(out, ts);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bucket, Counter, Histogram, Quantile, Summary, Timestamp};

    fn enc(families: &[MetricFamily<'_>]) -> Result<String> {
        let mut out = String::new();
        encode_into(&mut out, families).map(|()| out)
    }

    fn one(name: &str, t: MetricType, metric: Metric<'static>) -> MetricFamily<'static> {
        MetricFamily::new(name.to_owned(), t).with_metric(metric)
    }

    #[test]
    fn every_type() {
        let created = Some(Timestamp {
            seconds: 10,
            nanos: 5,
        });
        let exemplar = Some(Exemplar {
            labels: vec![Label::new("t", "x\"y")],
            value: 0.5,
            timestamp: Some(Timestamp {
                seconds: 1,
                nanos: 0,
            }),
        });
        let families = [
            one(
                "c_total",
                MetricType::Counter,
                Metric::new(
                    vec![Label::new("a", "1")],
                    Value::Counter(Counter {
                        value: 3.0,
                        created,
                        exemplar: exemplar.clone().map(Box::new),
                    }),
                )
                .with_timestamp_ms(1500),
            )
            .with_help("h \"q\"\n"),
            one(
                "n",
                MetricType::Counter,
                Metric::new(
                    vec![],
                    Value::Counter(Counter {
                        value: 1.0,
                        created,
                        exemplar: exemplar.clone().map(Box::new),
                    }),
                ),
            ),
            one(
                "g",
                MetricType::Gauge,
                Metric::new(vec![], Value::Gauge(1e6)),
            ),
            one(
                "u",
                MetricType::Untyped,
                Metric::new(vec![], Value::Untyped(-0.5)),
            ),
            one(
                "s",
                MetricType::StateSet,
                Metric::new(vec![Label::new("s", "on")], Value::Gauge(1.0)),
            ),
            one(
                "i_info",
                MetricType::Info,
                Metric::new(vec![Label::new("v", "1")], Value::Gauge(1.0)),
            ),
            one(
                "q",
                MetricType::Summary,
                Metric::new(
                    vec![],
                    Value::Summary(Box::new(Summary {
                        count: Some(2),
                        sum: Some(3.0),
                        quantiles: vec![Quantile {
                            quantile: 0.5,
                            value: 1.0,
                        }],
                        created,
                    })),
                ),
            ),
            one(
                "h_seconds",
                MetricType::Histogram,
                Metric::new(
                    vec![Label::new("a", "b")],
                    Value::Histogram(Box::new(Histogram {
                        count: Some(Count::Int(4)),
                        sum: Some(2.5),
                        buckets: vec![Bucket {
                            upper_bound: 1.0,
                            count: Count::Int(1),
                            exemplar: exemplar.map(Box::new),
                        }],
                        created,
                        ..Histogram::default()
                    })),
                ),
            ),
            one(
                "gh",
                MetricType::GaugeHistogram,
                Metric::new(
                    vec![],
                    Value::Histogram(Box::new(Histogram {
                        buckets: vec![Bucket::new(f64::INFINITY, 3)],
                        created,
                        ..Histogram::default()
                    })),
                ),
            ),
        ];
        let mut families = families;
        families[7].unit = Some("seconds".into());
        let want = concat!(
            "# HELP c h \\\"q\\\"\\n\n",
            "# TYPE c counter\n",
            "c_total{a=\"1\"} 3.0 1.5 # {t=\"x\\\"y\"} 0.5 1\n",
            "c_created{a=\"1\"} 10.000000005 1.5\n",
            "# TYPE n unknown\n",
            "n 1.0\n",
            "# TYPE g gauge\n",
            "g 1e+06\n",
            "# TYPE u unknown\n",
            "u -0.5\n",
            "# TYPE s stateset\n",
            "s{s=\"on\"} 1.0\n",
            "# TYPE i info\n",
            "i_info{v=\"1\"} 1.0\n",
            "# TYPE q summary\n",
            "q{quantile=\"0.5\"} 1.0\n",
            "q_sum 3.0\n",
            "q_count 2\n",
            "q_created 10.000000005\n",
            "# TYPE h_seconds histogram\n",
            "# UNIT h_seconds seconds\n",
            "h_seconds_bucket{a=\"b\",le=\"1.0\"} 1 # {t=\"x\\\"y\"} 0.5 1\n",
            "h_seconds_bucket{a=\"b\",le=\"+Inf\"} 4\n",
            "h_seconds_count{a=\"b\"} 4\n",
            "h_seconds_sum{a=\"b\"} 2.5\n",
            "h_seconds_created{a=\"b\"} 10.000000005\n",
            "# TYPE gh gaugehistogram\n",
            "gh_bucket{le=\"+Inf\"} 3\n",
            "# EOF\n",
        );
        assert_eq!(enc(&families).unwrap(), want);
    }

    #[test]
    fn a_counter_that_would_clash_is_written_unknown() {
        let counter = |name: &str| {
            one(
                name,
                MetricType::Counter,
                Metric::new(
                    vec![],
                    Value::Counter(Counter {
                        created: Some(Timestamp::default()),
                        ..Counter::new(1.0)
                    }),
                ),
            )
        };
        let gauge = |name: &str| {
            one(
                name,
                MetricType::Gauge,
                Metric::new(vec![], Value::Gauge(2.0)),
            )
        };
        assert_eq!(
            enc(&[gauge("a"), counter("a_total")]).unwrap(),
            "# TYPE a gauge\na 2.0\n# TYPE a_total unknown\na_total 1.0\n# EOF\n"
        );
        assert_eq!(
            enc(&[counter("a_total"), gauge("a_created")]).unwrap(),
            "# TYPE a_total unknown\na_total 1.0\n# TYPE a_created gauge\na_created 2.0\n# EOF\n"
        );
        assert_eq!(
            enc(&[counter("a_total"), gauge("b")]).unwrap(),
            "# TYPE a counter\na_total 1.0\na_created 0\n# TYPE b gauge\nb 2.0\n# EOF\n"
        );
    }

    #[test]
    fn refusals() {
        let gauge = |labels| Metric::new(labels, Value::Gauge(1.0));
        let cases: Vec<(MetricFamily<'static>, &str)> = vec![
            (
                one("", MetricType::Gauge, gauge(vec![])),
                "metric family has no name",
            ),
            (
                one("a", MetricType::Gauge, gauge(vec![Label::new("", "x")])),
                "invalid name \"\" for label",
            ),
            (
                one(
                    "a",
                    MetricType::Gauge,
                    gauge(vec![Label::new("__name__", "x")]),
                ),
                "invalid name \"__name__\" for label",
            ),
            (
                one("a", MetricType::Counter, gauge(vec![])),
                "metric of family \"a\" holds a gauge value but the family is a counter",
            ),
            (
                one("a", MetricType::StateSet, gauge(vec![Label::new("b", "x")])),
                "missing label \"a\"",
            ),
            (
                one(
                    "h",
                    MetricType::Histogram,
                    Metric::new(
                        vec![Label::new("le", "1")],
                        Value::Histogram(Box::new(Histogram::default())),
                    ),
                ),
                "label \"le\" is not allowed here",
            ),
            (
                MetricFamily {
                    unit: Some("seconds".into()),
                    ..one("a", MetricType::Gauge, gauge(vec![]))
                },
                "unit \"seconds\" is not a suffix of metric name \"a\"",
            ),
            (
                MetricFamily {
                    unit: Some("s".into()),
                    ..one(
                        "a_s",
                        MetricType::StateSet,
                        gauge(vec![Label::new("a_s", "x")]),
                    )
                },
                "stateset family \"a_s\" cannot have a unit",
            ),
        ];
        for (family, want) in cases {
            let mut out = String::from("kept");
            let e = encode_into(&mut out, std::slice::from_ref(&family)).unwrap_err();
            assert_eq!(e.to_string(), want);
            assert_eq!(out, "kept");
        }
        let long = Exemplar {
            labels: vec![Label::new("a", "é".repeat(128))],
            value: 1.0,
            timestamp: None,
        };
        let family = one(
            "c_total",
            MetricType::Counter,
            Metric::new(
                vec![],
                Value::Counter(Counter {
                    exemplar: Some(Box::new(long)),
                    ..Counter::new(1.0)
                }),
            ),
        );
        assert_eq!(
            enc(&[family]).unwrap_err().to_string(),
            "exemplar labels are 129 code points long, over the limit of 128"
        );
    }

    #[test]
    fn a_series_split_by_another_is_refused() {
        let g = |labels: &[(&'static str, &'static str)], v| {
            Metric::new(
                labels.iter().map(|&(n, v)| Label::new(n, v)).collect(),
                Value::Gauge(v),
            )
        };
        let family = |metrics: Vec<Metric<'static>>| {
            metrics.into_iter().fold(
                MetricFamily::new("g", MetricType::Gauge),
                MetricFamily::with_metric,
            )
        };
        let mut out = String::new();
        for twice in [
            vec![g(&[], 1.0), g(&[("x", "y")], 0.0), g(&[], 2.0)],
            vec![
                g(&[("a", "1"), ("b", "2")], 1.0),
                g(&[("x", "y")], 0.0),
                g(&[("b", "2"), ("a", "1")], 2.0),
            ],
        ] {
            let err = encode_into(&mut out, &[family(twice)]).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::SeriesNotContiguous { .. }),
                "{err}"
            );
        }
        // The points of one series together are fine: several lines of one series.
        let together = family(vec![
            g(&[("a", "1")], 1.0),
            g(&[("a", "1")], 2.0),
            g(&[], 3.0),
        ]);
        out.clear();
        encode_into(&mut out, &[together]).unwrap();
        let distinct = family(vec![
            g(&[("a", "1")], 1.0),
            g(&[("a", "2")], 2.0),
            g(&[], 3.0),
        ]);
        out.clear();
        encode_into(&mut out, &[distinct]).unwrap();
        assert_eq!(super::super::parse(&out).unwrap()[0].metrics.len(), 3);
    }
}

//! Writing families as text format 0.0.4, byte for byte as Go's `expfmt.MetricFamilyToText`.
//!
//! Per family: `# HELP name text` when there is help (`\\` and `\n` escaped), `# TYPE name type`,
//! then one line per sample in model order: counters, gauges and untyped as `name{labels} value`;
//! summaries as one `quantile` line per quantile then `_sum` and `_count`; histograms as one
//! `_bucket` line per bucket (plus a `le="+Inf"` bucket holding the count when the buckets lack
//! one), then `_sum` and `_count`. Label values escape `\\`, `\"` and `\n`; floats are written
//! as [`number::write_float`](crate::number::write_float); a timestamp follows the value when
//! the metric has one. A missing summary or histogram sum or count is written as `0`.
//!
//! Counts are written as floats, as Go writes them, so a count above 2^53 may come back as a
//! neighbouring integer (`2^64 - 1` is written `1.8446744073709552e+19` and reads back as
//! `2^63` under Go's conversion): text does not round-trip such counts, in Go neither.
//!
//! What text 0.0.4 cannot carry is left out: units, created timestamps, exemplars, native
//! buckets (a native-only histogram is written as its `+Inf` bucket, sum and count).
//!
//! Names outside the legacy charset (`my.metric`, `é`) are written in the Prometheus 3
//! quoted syntax, as Go's newer `MetricFamilyToText` writes them: `# HELP "my.metric" ...`,
//! `# TYPE "my.metric" counter`, and on sample lines the quoted name moves first inside the
//! braces with any suffix inside its quotes (`{"my.metric_bucket",le="1"} 3`); a label name
//! that is not a legacy label name is quoted in place (`"a.b"="v"`). Quotes are written only
//! where needed, so names valid before Prometheus 3 come out exactly as before. A reader that
//! predates the syntax (Go's `expfmt` 0.39) refuses quoted names: apply an
//! [`EscapingScheme`](crate::names::EscapingScheme) first to write legacy names for it.
//!
//! Refused, as in Go: a family with no metrics or no name, a `gauge_histogram` family (text
//! 0.0.4 has no such type), a metric whose value does not match the family type. Refused here
//! but written by Go: an empty label name, or a `__name__` label: output that no parser would
//! read back.
//!
//! The OpenMetrics-only types: `unknown` is written as `untyped` (the same thing under its text
//! 0.0.4 name), while `info` and `stateset` are refused with
//! [`ErrorKind::UnsupportedType`], as `gauge_histogram` is: text 0.0.4 has no way to mark them,
//! and writing them as gauges would lose the type on the way back.

use crate::error::{ErrorKind, Result, Snippet};
use crate::escape::{escape_into, quote_name_into, Escapes};
use crate::model::{Count, MetricFamily, MetricType, Value};
use crate::names;
use crate::number::{write_float, write_int};

/// Appends the text of every family to `out`.
///
/// On error, `out` keeps the families written before the failing one.
pub fn encode_into(out: &mut String, families: &[MetricFamily<'_>]) -> Result<()> {
    let mut labels = String::new();
    let mut bounds = FloatCache::new();
    for family in families {
        let start = out.len();
        if let Err(e) = encode_family(out, &mut labels, &mut bounds, family) {
            out.truncate(start);
            return Err(e);
        }
    }
    Ok(())
}

fn encode_family(
    out: &mut String,
    labels: &mut String,
    bounds: &mut FloatCache,
    family: &MetricFamily<'_>,
) -> Result<()> {
    let name = family.name.as_ref();
    if name.is_empty() {
        return Err(ErrorKind::MissingFamilyName.into());
    }
    if family.metrics.is_empty() {
        return Err(ErrorKind::NoMetrics {
            family: Snippet::new(name),
        }
        .into());
    }
    let quoted = !names::is_valid_metric_name(name);
    let type_word = match family.metric_type {
        // OpenMetrics' name for an undeclared type; text 0.0.4 calls it `untyped`.
        MetricType::Unknown => MetricType::Untyped.as_str(),
        // No text 0.0.4 type carries these (Go has no such proto enum values either).
        MetricType::GaugeHistogram | MetricType::Info | MetricType::StateSet => {
            return Err(ErrorKind::UnsupportedType {
                format: "text 0.0.4",
                metric_type: family.metric_type,
            }
            .into());
        }
        t => t.as_str(),
    };
    if let Some(help) = &family.help {
        out.push_str("# HELP ");
        write_name(out, name, quoted);
        out.push(' ');
        escape_into(out, help, Escapes::Help);
        out.push('\n');
    }
    out.push_str("# TYPE ");
    write_name(out, name, quoted);
    out.push(' ');
    out.push_str(type_word);
    out.push('\n');

    for metric in &family.metrics {
        if !metric.value.fits(family.metric_type) {
            return Err(ErrorKind::ValueTypeMismatch {
                family: Snippet::new(name),
                expected: family.metric_type,
                found: metric.value.metric_type(),
            }
            .into());
        }
        labels.clear();
        for label in &metric.labels {
            if label.name.is_empty() || label.name == names::RESERVED_LABEL {
                return Err(ErrorKind::InvalidName {
                    name: Snippet::new(&label.name),
                    what: "label",
                }
                .into());
            }
            if !labels.is_empty() {
                labels.push(',');
            }
            write_name(
                labels,
                &label.name,
                !names::is_valid_label_name(&label.name),
            );
            labels.push_str("=\"");
            escape_into(labels, &label.value, Escapes::LabelValue);
            labels.push('"');
        }
        let line = Line {
            name,
            quoted,
            labels,
            timestamp_ms: metric.timestamp_ms,
        };
        match &metric.value {
            Value::Counter(c) => line.write(out, bounds, "", None, c.value),
            Value::Gauge(v) | Value::Untyped(v) => line.write(out, bounds, "", None, *v),
            Value::Summary(s) => {
                for q in &s.quantiles {
                    line.write(out, bounds, "", Some(("quantile", q.quantile)), q.value);
                }
                line.write(out, bounds, "_sum", None, s.sum.unwrap_or(0.0));
                let count = s.count.map_or(0.0, |c| Count::Int(c).as_f64());
                line.write(out, bounds, "_count", None, count);
            }
            Value::Histogram(h) => {
                let count = h.count.map_or(0.0, Count::as_f64);
                let mut inf_seen = false;
                for b in &h.buckets {
                    line.write(
                        out,
                        bounds,
                        "_bucket",
                        Some(("le", b.upper_bound)),
                        b.count.as_f64(),
                    );
                    inf_seen |= b.upper_bound == f64::INFINITY;
                }
                if !inf_seen {
                    line.write(out, bounds, "_bucket", Some(("le", f64::INFINITY)), count);
                }
                line.write(out, bounds, "_sum", None, h.sum.unwrap_or(0.0));
                line.write(out, bounds, "_count", None, count);
            }
        }
    }
    Ok(())
}

/// Writes a name bare, or quoted with the escapes of label values.
fn write_name(out: &mut String, name: &str, quoted: bool) {
    if quoted {
        quote_name_into(out, name);
    } else {
        out.push_str(name);
    }
}

/// The parts every sample line of one metric shares.
struct Line<'m> {
    name: &'m str,
    /// Whether the name goes quoted inside the braces.
    quoted: bool,
    /// `a="b",c="d"`, already escaped.
    labels: &'m str,
    timestamp_ms: Option<i64>,
}

/// The text of recently written `le` and `quantile` values: a histogram's bounds (a
/// summary's quantiles) repeat in every series, and across families of one layout, and
/// writing a float is most of the cost of a bucket line. 32 slots picked by the value's bits,
/// on the stack (no allocation).
struct FloatCache {
    slots: [CachedFloat; 32],
}

#[derive(Clone, Copy)]
struct CachedFloat {
    bits: u64,
    /// 0 for an empty slot; `write_float` writes at most 24 bytes.
    len: u8,
    text: [u8; 24],
}

impl FloatCache {
    fn new() -> Self {
        FloatCache {
            slots: [CachedFloat {
                bits: 0,
                len: 0,
                text: [0; 24],
            }; 32],
        }
    }

    /// Appends `v` as [`write_float`] writes it.
    fn write(&mut self, out: &mut String, v: f64) {
        let bits = v.to_bits();
        // The top 5 bits of a multiplicative hash pick the slot.
        let ix = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) as usize;
        let Some(slot) = self.slots.get_mut(ix) else {
            write_float(out, v);
            return;
        };
        let cached = slot.text.get(..usize::from(slot.len)).unwrap_or_default();
        if slot.len != 0 && slot.bits == bits {
            if let Ok(text) = std::str::from_utf8(cached) {
                out.push_str(text);
                return;
            }
        }
        let start = out.len();
        write_float(out, v);
        let written = out.as_bytes().get(start..).unwrap_or_default();
        if let (Some(dst), Ok(len)) = (
            slot.text.get_mut(..written.len()),
            u8::try_from(written.len()),
        ) {
            dst.copy_from_slice(written);
            slot.len = len;
            slot.bits = bits;
        }
    }
}

impl Line<'_> {
    fn write(
        &self,
        out: &mut String,
        bounds: &mut FloatCache,
        suffix: &str,
        extra: Option<(&str, f64)>,
        value: f64,
    ) {
        if self.quoted {
            out.push_str("{\"");
            escape_into(out, self.name, Escapes::LabelValue);
            out.push_str(suffix);
            out.push('"');
        } else {
            out.push_str(self.name);
            out.push_str(suffix);
        }
        if self.quoted || !self.labels.is_empty() || extra.is_some() {
            if !self.quoted {
                out.push('{');
            }
            if self.quoted && !self.labels.is_empty() {
                out.push(',');
            }
            out.push_str(self.labels);
            if let Some((name, v)) = extra {
                if self.quoted || !self.labels.is_empty() {
                    out.push(',');
                }
                out.push_str(name);
                out.push_str("=\"");
                bounds.write(out, v);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        write_float(out, value);
        if let Some(ts) = self.timestamp_ms {
            out.push(' ');
            write_int(out, ts);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metric;

    fn one(t: MetricType) -> Result<String> {
        let family = MetricFamily::new("m", t).with_metric(Metric::new(vec![], Value::empty(t)));
        let mut out = String::new();
        encode_into(&mut out, &[family]).map(|()| out)
    }

    #[test]
    fn openmetrics_types() {
        assert_eq!(one(MetricType::Unknown).unwrap(), "# TYPE m untyped\nm 0\n");
        for t in [
            MetricType::Info,
            MetricType::StateSet,
            MetricType::GaugeHistogram,
        ] {
            let e = one(t).unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::UnsupportedType { metric_type, .. } if *metric_type == t),
                "{e}"
            );
        }
    }
}

//! `expfmt stats`: how big an exposition is, and where its series come from.

use std::collections::{HashMap, HashSet};

use expfmt::MetricType;

use crate::input::{Failure, Format, Input};
use crate::report::Style;

/// Figures gathered one family at a time; memory grows with the number of family names and
/// distinct label values, not with the input.
#[derive(Default)]
pub struct Stats {
    /// Per family name: its type and series (a family in several runs is added up).
    families: HashMap<String, (MetricType, usize)>,
    /// Family names in the order first seen.
    order: Vec<String>,
    /// Distinct values per label name, over the whole input.
    labels: HashMap<String, HashSet<String>>,
    series: usize,
    /// The input's format and size.
    format: &'static str,
    bytes: u64,
}

impl Stats {
    /// Counts one family.
    pub fn add(&mut self, family: &expfmt::MetricFamily<'_>) {
        self.series += family.metrics.len();
        let entry = self
            .families
            .entry(family.name.to_string())
            .or_insert_with(|| {
                self.order.push(family.name.to_string());
                (family.metric_type, 0)
            });
        entry.1 += family.metrics.len();
        for metric in &family.metrics {
            for label in &metric.labels {
                let values = self.labels.entry(label.name.to_string()).or_default();
                if !values.contains(label.value.as_ref()) {
                    values.insert(label.value.to_string());
                }
            }
        }
    }

    /// The report: totals, families per type, the `top` label names by distinct values and
    /// the `top` largest families.
    pub fn render(&self, source: &str, style: Style, top: usize) -> String {
        let mut out = format!("{}\n", style.bold(source));
        out.push_str(&format!("format: {}, {} bytes\n", self.format, self.bytes));
        out.push_str(&format!("families: {}\n", self.families.len()));
        let mut by_type: Vec<(&'static str, usize)> = Vec::new();
        for name in &self.order {
            let Some((t, _)) = self.families.get(name) else {
                continue;
            };
            match by_type.iter_mut().find(|(n, _)| *n == t.as_str()) {
                Some((_, count)) => *count += 1,
                None => by_type.push((t.as_str(), 1)),
            }
        }
        for (t, count) in by_type {
            out.push_str(&format!("  {t:<16} {count}\n"));
        }
        out.push_str(&format!("series: {}\n", self.series));

        let mut labels: Vec<(&String, usize)> =
            self.labels.iter().map(|(k, v)| (k, v.len())).collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let names = labels.len();
        labels.truncate(top);
        out.push_str(&format!(
            "label names: {names} (top {}, by distinct values)\n",
            labels.len()
        ));
        let width = labels.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (name, count) in labels {
            out.push_str(&format!("  {name:<width$} {count}\n"));
        }

        let mut largest: Vec<(&String, MetricType, usize)> = self
            .order
            .iter()
            .filter_map(|n| self.families.get(n).map(|(t, s)| (n, *t, *s)))
            .collect();
        // Stable: families with as many series keep their input order.
        largest.sort_by_key(|f| std::cmp::Reverse(f.2));
        largest.truncate(top);
        out.push_str(&format!(
            "largest families (top {}, by series):\n",
            largest.len()
        ));
        let width = largest.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
        for (name, t, series) in largest {
            out.push_str(&format!("  {name:<width$} {:<9} {series}\n", t.as_str()));
        }
        out
    }
}

/// Reads `input` in `format` and counts it.
pub fn collect(input: &mut Input, format: Format) -> Result<Stats, Failure> {
    let mut stats = Stats::default();
    input.families(format, |_, family| {
        stats.add(&family);
        Ok(())
    })?;
    stats.format = format.describe();
    stats.bytes = input.bytes();
    Ok(stats)
}

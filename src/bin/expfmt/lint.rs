//! Naming and usage rules for a family, after `promtool check metrics` (Go's `promlint`):
//! the same rules and messages, checked on the model so they apply to every format.

use std::collections::{HashMap, HashSet};

use expfmt::{MetricFamily, MetricType};

/// Units and the base unit each should be expressed in.
const UNITS: [(&str, &str); 24] = [
    ("amperes", "amperes"),
    ("bytes", "bytes"),
    ("celsius", "celsius"),
    ("grams", "grams"),
    ("joules", "joules"),
    ("kelvin", "kelvin"),
    ("meters", "meters"),
    ("metres", "metres"),
    ("seconds", "seconds"),
    ("volts", "volts"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("kelvins", "kelvin"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("inches", "meters"),
    ("yards", "meters"),
    ("miles", "meters"),
    ("bits", "bytes"),
    ("calories", "joules"),
    ("pounds", "grams"),
    ("ounces", "grams"),
];

/// Prefixes that scale a unit (`milliseconds`, `kilobytes`).
const PREFIXES: [&str; 18] = [
    "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega",
    "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
];

/// Abbreviated units a name should spell out.
const ABBREVIATIONS: [&str; 14] = [
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

/// Type names a metric name should not contain.
const TYPE_WORDS: [&str; 5] = [
    "counter",
    "gauge",
    "summary",
    "histogram",
    "gauge_histogram",
];

/// The first unit found in `name`'s `_`-separated words, and its base unit.
fn unit(name: &str) -> Option<(&str, &'static str)> {
    name.split('_').find_map(|word| {
        let base = |w: &str| UNITS.iter().find(|(u, _)| *u == w).map(|(_, b)| *b);
        base(word)
            .or_else(|| {
                PREFIXES
                    .iter()
                    .find_map(|p| word.strip_prefix(p).and_then(base))
            })
            .map(|b| (word, b))
    })
}

/// Whether `name` has `_word_` in it or ends with `_word`.
fn has_word(name: &str, word: &str) -> bool {
    name.ends_with(&format!("_{word}")) || name.contains(&format!("_{word}_"))
}

/// Whether `name` has a lower-case letter followed by an upper-case one.
fn camel_case(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// The problems of one family, as messages. `max_label_values` is the number of distinct
/// values of one label name above which the family is said to have high cardinality.
pub fn lint(family: &MetricFamily<'_>, max_label_values: usize) -> Vec<String> {
    let mut problems = Vec::new();
    let name = family.name.as_ref();
    let t = family.metric_type;
    let untyped = matches!(t, MetricType::Untyped | MetricType::Unknown);
    let histogram = matches!(t, MetricType::Histogram | MetricType::GaugeHistogram);
    let summary = t == MetricType::Summary;

    if family.help.as_deref().is_none_or(str::is_empty) {
        problems.push("no help text".to_owned());
    }
    if let Some((unit, base)) = unit(name) {
        if unit != base {
            problems.push(format!("use base unit \"{base}\" instead of \"{unit}\""));
        }
    }
    let total = name.ends_with("_total");
    if t == MetricType::Counter && !total {
        problems.push("counter metrics should have \"_total\" suffix".to_owned());
    } else if t != MetricType::Counter && !untyped && total {
        problems.push("non-counter metrics should not have \"_total\" suffix".to_owned());
    }
    if !untyped {
        if !histogram && name.ends_with("_bucket") {
            problems.push("non-histogram metrics should not have \"_bucket\" suffix".to_owned());
        }
        for suffix in ["_count", "_sum"] {
            if !histogram && !summary && name.ends_with(suffix) {
                problems.push(format!(
                    "non-histogram and non-summary metrics should not have \"{suffix}\" suffix"
                ));
            }
        }
    }
    let lower = name.to_ascii_lowercase();
    for word in TYPE_WORDS {
        if has_word(&lower, word) {
            problems.push(format!("metric name should not include type '{word}'"));
        }
    }
    if name.contains(':') {
        problems.push("metric names should not contain ':'".to_owned());
    }
    if camel_case(name) {
        problems.push("metric names should be written in 'snake_case' not 'camelCase'".to_owned());
    }
    if ABBREVIATIONS.iter().any(|a| has_word(&lower, a)) {
        problems.push("metric names should not contain abbreviated units".to_owned());
    }

    let mut values: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for metric in &family.metrics {
        for label in &metric.labels {
            let name = label.name.as_ref();
            let set = values.entry(name).or_insert_with(|| {
                order.push(name);
                HashSet::new()
            });
            set.insert(label.value.as_ref());
        }
    }
    let label_names = || order.iter().copied();
    if label_names().any(camel_case) {
        problems.push("label names should be written in 'snake_case' not 'camelCase'".to_owned());
    }
    if !untyped && !histogram && label_names().any(|l| l == "le") {
        problems.push("non-histogram metrics should not have \"le\" label".to_owned());
    }
    if !untyped && !summary && label_names().any(|l| l == "quantile") {
        problems.push("non-summary metrics should not have \"quantile\" label".to_owned());
    }
    for label in order {
        let n = values.get(label).map_or(0, HashSet::len);
        if n > max_label_values {
            problems.push(format!(
                "label \"{label}\" has {n} distinct values (more than {max_label_values}): \
                 high cardinality"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lints(text: &str) -> Vec<String> {
        let families = expfmt::text::parse(text).unwrap();
        lint(&families[0], 3)
    }

    #[test]
    fn each_rule() {
        assert_eq!(
            lints("# HELP a_total x\n# TYPE a_total counter\na_total 1\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            lints("# TYPE requests counter\nrequests 1\n"),
            [
                "no help text",
                "counter metrics should have \"_total\" suffix"
            ]
        );
        assert_eq!(
            lints("# HELP latency_milliseconds h\n# TYPE latency_milliseconds gauge\nlatency_milliseconds 1\n"),
            ["use base unit \"seconds\" instead of \"milliseconds\""]
        );
        assert_eq!(
            lints("# HELP up_total h\n# TYPE up_total gauge\nup_total 1\n"),
            ["non-counter metrics should not have \"_total\" suffix"]
        );
        assert_eq!(
            lints("# HELP q_count h\n# TYPE q_count gauge\nq_count{quantile=\"1\"} 1\n"),
            [
                "non-histogram and non-summary metrics should not have \"_count\" suffix",
                "non-summary metrics should not have \"quantile\" label"
            ]
        );
        assert_eq!(
            lints("# HELP fooBar_gauge h\n# TYPE fooBar_gauge gauge\nfooBar_gauge{aB=\"1\"} 1\n"),
            [
                "metric name should not include type 'gauge'",
                "metric names should be written in 'snake_case' not 'camelCase'",
                "label names should be written in 'snake_case' not 'camelCase'"
            ]
        );
        assert_eq!(
            lints("# HELP a:b_ms h\n# TYPE a:b_ms gauge\na:b_ms 1\n"),
            [
                "metric names should not contain ':'",
                "metric names should not contain abbreviated units"
            ]
        );
        assert_eq!(
            lints("# HELP a h\n# TYPE a gauge\na{i=\"1\"} 1\na{i=\"2\"} 1\na{i=\"3\"} 1\na{i=\"4\"} 1\n"),
            ["label \"i\" has 4 distinct values (more than 3): high cardinality"]
        );
        // Untyped families are spared the type rules, as in promtool.
        assert_eq!(lints("# HELP x_total h\nx_total 1\n"), Vec::<String>::new());
    }
}

//! Deterministic corpora for the benchmarks (no downloads, no randomness between runs).
//!
//! `mixed(families)`: a synthetic scrape page shaped like a busy exporter. Per family, in turn:
//! counters (4 series), gauges (4 series), histograms (2 series of 11 buckets + sum + count),
//! summaries (2 series of 5 quantiles + sum + count) and untyped (2 series); every family has
//! HELP and TYPE; series carry 0 to 6 labels with short values; one label value in 16 has an
//! escape; one sample in 8 has a timestamp; values mix integers, decimals and exponents.
//!
//! The shapes of the peer comparison (`benches/peers.rs`), each a [`Page`]:
//! - [`node_like`]: shaped like a node exporter page: 1 000 families (45% counters, 45% gauges,
//!   5% histograms of 12 buckets, 5% summaries), 1 to 8 series each, 0 to 3 short labels.
//! - [`labels_heavy`]: shaped like kube-state-metrics: 300 gauge and counter families of 40
//!   series, 12 labels per series with realistic values (names, UIDs, IPs).
//! - [`histogram_heavy`]: 400 histogram families of 5 series, 20 buckets each plus sum and count.
//! - [`escape_heavy`]: 1 000 gauge families whose HELP texts and label values are full of
//!   `\\`, `\"` and `\n` escapes.
//! - [`large`]: the mixed page with 64 000 families, over 50 MB, for streaming.
#![allow(dead_code)]

use std::fmt::Write as _;

/// A small xorshift generator with a fixed seed.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        Rng(0x2545_f491_4f6c_dd1d)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

fn value(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng.below(100_000).to_string(),
        1 => format!("{}.{}", rng.below(1000), rng.below(1000)),
        2 => format!("{}e+0{}", rng.below(9) + 1, rng.below(9) + 1),
        _ => format!("0.{:03}", rng.below(1000)),
    }
}

fn labels(rng: &mut Rng, extra: Option<(&str, &str)>) -> String {
    const NAMES: [&str; 6] = ["instance", "job", "method", "code", "handler", "zone"];
    let n = rng.below(7) as usize;
    let mut parts: Vec<String> = NAMES[..n]
        .iter()
        .map(|k| {
            if rng.below(16) == 0 {
                format!("{k}=\"v\\\"{}\\n\"", rng.below(100))
            } else {
                format!("{k}=\"value-{}\"", rng.below(1000))
            }
        })
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn ts(rng: &mut Rng) -> String {
    if rng.below(8) == 0 {
        format!(" {}", 1_700_000_000_000 + rng.below(1_000_000))
    } else {
        String::new()
    }
}

/// The mixed page with `families` families; returns the text and its sample-line count.
pub fn mixed(families: usize) -> (String, usize) {
    let mut rng = Rng::new();
    let mut out = String::new();
    let mut samples = 0;
    for i in 0..families {
        let kind = i % 5;
        let (t, name) = match kind {
            0 => ("counter", format!("app_requests_{i}_total")),
            1 => ("gauge", format!("app_temperature_{i}_celsius")),
            2 => ("histogram", format!("app_latency_{i}_seconds")),
            3 => ("summary", format!("app_size_{i}_bytes")),
            _ => ("untyped", format!("app_misc_{i}")),
        };
        let _ = writeln!(
            out,
            "# HELP {name} Family number {i} of the benchmark corpus."
        );
        let _ = writeln!(out, "# TYPE {name} {t}");
        match kind {
            0 | 1 => {
                for _ in 0..4 {
                    let _ = writeln!(
                        out,
                        "{name}{} {}{}",
                        labels(&mut rng, None),
                        value(&mut rng),
                        ts(&mut rng)
                    );
                    samples += 1;
                }
            }
            2 => {
                for s in 0..2 {
                    let l = format!("series{s}");
                    let mut count = 0;
                    for le in [
                        "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
                        "+Inf",
                    ] {
                        count += rng.below(100);
                        let _ = writeln!(
                            out,
                            "{name}_bucket{} {count}",
                            labels_fixed(&l, Some(("le", le)))
                        );
                    }
                    let _ = writeln!(
                        out,
                        "{name}_sum{} {}",
                        labels_fixed(&l, None),
                        value(&mut rng)
                    );
                    let _ = writeln!(out, "{name}_count{} {count}", labels_fixed(&l, None));
                    samples += 13;
                }
            }
            3 => {
                for s in 0..2 {
                    let l = format!("series{s}");
                    for q in ["0.5", "0.9", "0.95", "0.99", "0.999"] {
                        let _ = writeln!(
                            out,
                            "{name}{} {}",
                            labels_fixed(&l, Some(("quantile", q))),
                            value(&mut rng)
                        );
                    }
                    let _ = writeln!(
                        out,
                        "{name}_sum{} {}",
                        labels_fixed(&l, None),
                        value(&mut rng)
                    );
                    let _ = writeln!(
                        out,
                        "{name}_count{} {}",
                        labels_fixed(&l, None),
                        rng.below(100_000)
                    );
                    samples += 7;
                }
            }
            _ => {
                for _ in 0..2 {
                    let _ = writeln!(out, "{name}{} {}", labels(&mut rng, None), value(&mut rng));
                    samples += 1;
                }
            }
        }
    }
    (out, samples)
}

fn labels_fixed(series: &str, extra: Option<(&str, &str)>) -> String {
    match extra {
        Some((k, v)) => format!("{{job=\"bench\",series=\"{series}\",{k}=\"{v}\"}}"),
        None => format!("{{job=\"bench\",series=\"{series}\"}}"),
    }
}

/// A generated page: its name in bench ids, the text, and its number of sample lines.
pub struct Page {
    /// The bench id part.
    pub name: &'static str,
    /// Text format 0.0.4.
    pub text: String,
    /// Sample lines in `text`.
    pub samples: usize,
}

fn help_type(out: &mut String, name: &str, t: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {t}");
}

fn histogram_series(
    out: &mut String,
    rng: &mut Rng,
    name: &str,
    labels: &str,
    bounds: &[f64],
) -> usize {
    let sep = if labels.is_empty() { "" } else { "," };
    let mut count = 0;
    for b in bounds {
        count += rng.below(50);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {count}");
    }
    count += rng.below(5);
    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
    let braces = if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    };
    let _ = writeln!(out, "{name}_sum{braces} {}", value(rng));
    let _ = writeln!(out, "{name}_count{braces} {count}");
    bounds.len() + 3
}

/// See the module docs.
pub fn node_like() -> Page {
    const LABELS: [&str; 5] = ["cpu", "mode", "device", "fstype", "mountpoint"];
    const BOUNDS: [f64; 11] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ];
    let mut rng = Rng::new();
    let mut out = String::new();
    let mut samples = 0;
    for i in 0..1000 {
        let series = 1 + rng.below(8) as usize;
        let nlabels = rng.below(4) as usize;
        // The first label value carries the series number, so no two series are the same.
        let labels_of = |rng: &mut Rng, s: usize| {
            LABELS[..nlabels]
                .iter()
                .map(|k| format!("{k}=\"{k}{s}-{}\"", rng.below(64)))
                .collect::<Vec<_>>()
                .join(",")
        };
        match i % 20 {
            0 => {
                let name = format!("node_subsystem_{i}_duration_seconds");
                help_type(&mut out, &name, "histogram", "Time spent in one subsystem.");
                for s in 0..series.min(2) {
                    let l = format!(
                        "{}{}instance=\"{s}\"",
                        labels_of(&mut rng, s),
                        if nlabels > 0 { "," } else { "" }
                    );
                    samples += histogram_series(&mut out, &mut rng, &name, &l, &BOUNDS);
                }
            }
            1 => {
                let name = format!("go_gc_{i}_duration_seconds");
                help_type(
                    &mut out,
                    &name,
                    "summary",
                    "A summary of the pause duration.",
                );
                for q in ["0", "0.25", "0.5", "0.75", "1"] {
                    let _ = writeln!(out, "{name}{{quantile=\"{q}\"}} {}", value(&mut rng));
                }
                let _ = writeln!(out, "{name}_sum {}", value(&mut rng));
                let _ = writeln!(out, "{name}_count {}", rng.below(100_000));
                samples += 7;
            }
            k => {
                let (t, name) = if k % 2 == 0 {
                    ("counter", format!("node_network_{i}_bytes_total"))
                } else {
                    ("gauge", format!("node_filesystem_{i}_avail_bytes"))
                };
                help_type(&mut out, &name, t, "Network device statistic, in bytes.");
                for s in 0..series {
                    let l = labels_of(&mut rng, s);
                    let l = if l.is_empty() && series > 1 {
                        format!("device=\"eth{s}\"")
                    } else {
                        l
                    };
                    let braces = if l.is_empty() {
                        String::new()
                    } else {
                        format!("{{{l}}}")
                    };
                    let _ = writeln!(out, "{name}{braces} {}", value(&mut rng));
                    samples += 1;
                }
            }
        }
    }
    Page {
        name: "node",
        text: out,
        samples,
    }
}

/// See the module docs.
pub fn labels_heavy() -> Page {
    let mut rng = Rng::new();
    let mut out = String::new();
    let mut samples = 0;
    for i in 0..300 {
        let (t, name) = if i % 3 == 0 {
            (
                "counter",
                format!("kube_pod_container_status_restarts_{i}_total"),
            )
        } else {
            ("gauge", format!("kube_pod_status_{i}_info"))
        };
        help_type(
            &mut out,
            &name,
            t,
            "Information about a pod, one series per pod.",
        );
        for s in 0..40 {
            let ns = rng.below(20);
            let _ = writeln!(
                out,
                "{name}{{namespace=\"team-{ns}-prod\",pod=\"web-{s}-7d9f8b6c5-x{:04x}\",\
                 container=\"app-{}\",node=\"ip-10-0-{}-{}.eu-west-1.compute.internal\",\
                 uid=\"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}\",created_by_kind=\"ReplicaSet\",\
                 created_by_name=\"web-{s}-7d9f8b6c5\",host_ip=\"10.0.{}.{}\",\
                 pod_ip=\"100.64.{}.{}\",priority_class=\"standard\",phase=\"Running\",\
                 qos_class=\"Burstable\"}} {}",
                rng.below(0xffff),
                rng.below(4),
                rng.below(256),
                rng.below(256),
                rng.next_u64() & 0xffff_ffff,
                rng.below(0xffff),
                rng.below(0xfff),
                rng.below(0xfff),
                rng.next_u64() & 0xffff_ffff_ffff,
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(10),
            );
            samples += 1;
        }
    }
    Page {
        name: "labels",
        text: out,
        samples,
    }
}

/// See the module docs.
pub fn histogram_heavy() -> Page {
    let bounds: Vec<f64> = (0..19).map(|i| 0.0001 * f64::powi(2.0, i)).collect();
    let mut rng = Rng::new();
    let mut out = String::new();
    let mut samples = 0;
    for i in 0..400 {
        let name = format!("http_request_{i}_duration_seconds");
        help_type(&mut out, &name, "histogram", "Request latency by handler.");
        for s in 0..5 {
            let l = format!(
                "handler=\"/api/v1/h{i}\",method=\"GET\",code=\"{}\"",
                200 + s
            );
            samples += histogram_series(&mut out, &mut rng, &name, &l, &bounds);
        }
    }
    Page {
        name: "histograms",
        text: out,
        samples,
    }
}

/// See the module docs.
pub fn escape_heavy() -> Page {
    let mut rng = Rng::new();
    let mut out = String::new();
    let mut samples = 0;
    for i in 0..1000 {
        let name = format!("app_config_{i}_info");
        help_type(
            &mut out,
            &name,
            "gauge",
            r"Config of C:\\srv\\app, first line\nsecond line\nthird line with a \\ backslash.",
        );
        for s in 0..4 {
            let _ = writeln!(
                out,
                r#"{name}{{path="C:\\Program Files\\app{s}\\bin",query="a=\"{}\" and b=\"{}\"",text="line one\nline two\n\"quoted\"\n"}} {}"#,
                rng.below(1000),
                rng.below(1000),
                value(&mut rng)
            );
            samples += 1;
        }
    }
    Page {
        name: "escapes",
        text: out,
        samples,
    }
}

/// See the module docs.
pub fn large() -> Page {
    let (text, samples) = mixed(64_000);
    Page {
        name: "large",
        text,
        samples,
    }
}

/// The mixed page of [`mixed`] with 4 000 families, as a [`Page`].
pub fn mixed_page() -> Page {
    let (text, samples) = mixed(4000);
    Page {
        name: "mixed",
        text,
        samples,
    }
}

/// The five pages of the peer comparison, in the order the benches report them (`large` is
/// left to the groups that take it).
pub fn peer_pages() -> [Page; 5] {
    [
        node_like(),
        labels_heavy(),
        histogram_heavy(),
        escape_heavy(),
        mixed_page(),
    ]
}

/// Keeps the first metric of each label set in every family: the generators may repeat a
/// counter's or gauge's label set further down its family, which text 0.0.4 allows and
/// OpenMetrics does not (its encoder refuses such a family).
pub fn distinct_series(families: &mut [expfmt::MetricFamily<'_>]) {
    for f in families {
        let mut seen = std::collections::HashSet::new();
        f.metrics.retain(|m| {
            let mut key: Vec<_> = m
                .labels
                .iter()
                .map(|l| (l.name.to_string(), l.value.to_string()))
                .collect();
            key.sort();
            seen.insert(key)
        });
    }
}

//! Deterministic corpora for the benchmarks (no downloads, no randomness between runs).
//!
//! `mixed(families)`: a synthetic scrape page shaped like a busy exporter. Per family, in turn:
//! counters (4 series), gauges (4 series), histograms (2 series of 11 buckets + sum + count),
//! summaries (2 series of 5 quantiles + sum + count) and untyped (2 series); every family has
//! HELP and TYPE; series carry 0 to 6 labels with short values; one label value in 16 has an
//! escape; one sample in 8 has a timestamp; values mix integers, decimals and exponents.

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

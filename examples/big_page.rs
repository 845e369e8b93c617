//! Writes a large text 0.0.4 page to standard output, for measuring the `expfmt` tool's
//! memory and time on it (the README's peak-memory table):
//!
//! ```text
//! cargo run --release --example big_page -- 200 > big.prom
//! /usr/bin/time -v target/release/expfmt convert --to proto big.prom > /dev/null
//! ```
//!
//! The argument is the size in MiB (200 when absent). Families come in turn as a counter and
//! a gauge of 40 series with 2 or 3 labels, and a histogram of 8 series with 4 buckets, each
//! with a HELP and a TYPE line; the values come from a fixed generator, so the page is the
//! same on every run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mib: usize = std::env::args()
        .nth(1)
        .map_or(200, |n| n.parse().expect("a size in MiB"));
    let limit = mib << 20;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut page = String::new();
    let mut written = 0;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        // xorshift64: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut i = 0u64;
    while written < limit {
        page.clear();
        let name = match i % 3 {
            0 => format!("app_requests_{i}_total"),
            1 => format!("app_queue_{i}_length"),
            _ => format!("app_request_{i}_duration_seconds"),
        };
        let kind = ["counter", "gauge", "histogram"][(i % 3) as usize];
        page.push_str(&format!(
            "# HELP {name} Requests of one kind.\n# TYPE {name} {kind}\n"
        ));
        if i % 3 < 2 {
            for s in 0..40 {
                let zone = if next(2) == 0 {
                    ",zone=\"eu-west-1a\""
                } else {
                    ""
                };
                page.push_str(&format!(
                    "{name}{{instance=\"10.0.0.{s}:9100\",job=\"node\"{zone}}} {}\n",
                    next(1_000_000)
                ));
            }
        } else {
            for s in 0..8 {
                let labels = format!("instance=\"10.0.0.{s}:9100\",job=\"node\"");
                let mut count = 0;
                for le in ["0.1", "0.5", "1", "+Inf"] {
                    count += next(100);
                    page.push_str(&format!("{name}_bucket{{{labels},le=\"{le}\"}} {count}\n"));
                }
                page.push_str(&format!(
                    "{name}_sum{{{labels}}} {}.{}\n",
                    next(1000),
                    next(1000)
                ));
                page.push_str(&format!("{name}_count{{{labels}}} {count}\n"));
            }
        }
        out.write_all(page.as_bytes())?;
        written += page.len();
        i += 1;
    }
    out.flush()?;
    eprintln!("{written} bytes, {i} families");
    Ok(())
}

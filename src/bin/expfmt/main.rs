//! `expfmt`: check and convert Prometheus expositions.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Check and convert Prometheus exposition files.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse files (or `-` for stdin) and report each problem as FILE:LINE:COL.
    ///
    /// Exit status: 0 when every input parses, 1 when one has a problem, 2 when one cannot
    /// be read.
    ///
    /// Example: expfmt check tests/data/node_exporter.prom
    Check {
        /// Files to check; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// The input format; `auto` reads text when the input starts like text, else protobuf.
        #[arg(long, value_enum, default_value = "auto")]
        from: From,
    },
    /// Convert an exposition to another format, writing to standard output.
    ///
    /// Examples: expfmt convert --to proto tests/data/histograms.prom > h.pb;
    /// expfmt convert --to text h.pb
    Convert {
        /// The output format.
        #[arg(long, value_enum)]
        to: Format,
        /// The input format; `auto` reads text when the input starts like text, else protobuf.
        #[arg(long, value_enum, default_value = "auto")]
        from: From,
        /// The input file; `-` reads standard input.
        #[arg(default_value = "-")]
        file: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Text format 0.0.4.
    Text,
    /// Varint-delimited protobuf (io.prometheus.client.MetricFamily).
    Proto,
}

#[derive(Clone, Copy, ValueEnum)]
enum From {
    /// Guess from the first bytes.
    Auto,
    /// Text format 0.0.4.
    Text,
    /// Varint-delimited protobuf.
    Proto,
}

/// Whether the input starts like text (a blank, `#`, a newline or a metric name character).
fn looks_like_text(input: &[u8]) -> bool {
    input.first().is_none_or(|&b| {
        matches!(b, b'#' | b' ' | b'\t' | b'\n' | b'_' | b':') || b.is_ascii_alphabetic()
    })
}

/// Decodes in the given format; `auto` tries the format the first byte suggests, then the
/// other, and reports the first format's error when both fail.
fn decode(input: &[u8], from: From) -> expfmt::Result<Vec<expfmt::MetricFamily<'_>>> {
    let text = || expfmt::text::parse_bytes(input);
    let proto = || expfmt::proto::decode(input);
    match from {
        From::Text => text(),
        From::Proto => proto(),
        From::Auto if looks_like_text(input) => text().or_else(|e| proto().map_err(|_| e)),
        From::Auto => proto().or_else(|e| text().map_err(|_| e)),
    }
}

fn read_input(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(path)
    }
}

/// Prints `FILE:LINE:COL: error: message`, the offending line and a caret under the column.
fn report(path: &str, input: &[u8], err: &expfmt::Error) {
    let (Some(line), Some(col)) = (err.line(), err.column()) else {
        eprintln!("{path}: error: {err}");
        return;
    };
    eprintln!("{path}:{line}:{col}: error: {}", err.kind());
    let text = String::from_utf8_lossy(input);
    if let Some(src) = text.split('\n').nth(line - 1) {
        let shown: String = src.chars().take(200).collect();
        eprintln!("    {shown}");
        if col <= 200 {
            eprintln!("    {}^", " ".repeat(col - 1));
        }
    }
}

fn check(files: &[String], from: From) -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in files {
        let input = match read_input(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: cannot read: {e}");
                return ExitCode::from(2);
            }
        };
        match decode(&input, from) {
            Ok(families) => {
                let series: usize = families.iter().map(|f| f.metrics.len()).sum();
                println!("{path}: ok: {} families, {series} series", families.len());
            }
            Err(e) => {
                report(path, &input, &e);
                status = ExitCode::from(1);
            }
        }
    }
    status
}

fn convert(to: Format, from: From, path: &str) -> ExitCode {
    let input = match read_input(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: cannot read: {e}");
            return ExitCode::from(2);
        }
    };
    let families = match decode(&input, from) {
        Ok(f) => f,
        Err(e) => {
            report(path, &input, &e);
            return ExitCode::from(1);
        }
    };
    let out = std::io::stdout().lock();
    let written = match to {
        Format::Text => expfmt::text::write(out, &families),
        Format::Proto => expfmt::proto::write(out, &families),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{path}: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { files, from } => check(&files, from),
        Command::Convert { to, from, file } => convert(to, from, &file),
    }
}

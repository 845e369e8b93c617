//! `expfmt`: check, convert and inspect Prometheus expositions.

mod check;
mod convert;
mod input;
mod lint;
mod push;
mod report;
mod scrape;
mod stats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use input::{Failure, Format, FormatArg, Input};
use report::{ColorChoice, Diagnostic, Style};

/// Check, convert and inspect Prometheus expositions (text 0.0.4, OpenMetrics 1.0, protobuf).
#[derive(Parser)]
#[command(version, about, after_help = MAIN_HELP)]
struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, global = true, default_value = "auto")]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse files (or `-` for standard input) and report each problem as FILE:LINE:COL.
    #[command(after_help = check::AFTER_HELP)]
    Check(check::Args),
    /// Convert an exposition to another format, one family at a time, to standard output.
    #[command(after_help = CONVERT_HELP)]
    Convert {
        /// The output format.
        #[arg(long, value_enum)]
        to: Format,
        /// The input format.
        #[arg(long, value_enum, default_value = "auto")]
        from: FormatArg,
        /// The input file; `-` reads standard input.
        #[arg(default_value = "-")]
        file: String,
    },
    /// Fetch a /metrics page with content negotiation; print it or a summary.
    #[command(after_help = scrape::AFTER_HELP)]
    Scrape(scrape::Args),
    /// Push an exposition to a Pushgateway (PUT, or POST with --add), or delete a group.
    #[command(after_help = push::AFTER_HELP)]
    Push(push::Args),
    /// Count families, series and label values; list the largest families.
    #[command(after_help = STATS_HELP)]
    Stats {
        /// The input file; `-` reads standard input.
        #[arg(default_value = "-")]
        file: String,
        /// The input format.
        #[arg(long, visible_alias = "from", value_enum, default_value = "auto")]
        format: FormatArg,
        /// How many of the largest families to list.
        #[arg(long, value_name = "N", default_value_t = 10)]
        top: usize,
    },
}

const MAIN_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt check tests/data/node_exporter.prom\n",
    "  expfmt convert --to openmetrics tests/data/histograms.prom\n",
    "  expfmt scrape http://127.0.0.1:9100/metrics\n",
    "  expfmt stats tests/data/node_exporter.prom\n\n",
    "Colour: on when the stream is a terminal and NO_COLOR is unset; --color always|never \
     overrides both.",
);

const STATS_HELP: &str = concat!(
    "Example:\n",
    "  expfmt stats --top 5 tests/data/node_exporter.prom\n\n",
    "A series is one metric of a family (a histogram with its buckets is one series). Label \
     values are counted per label name over the whole input. Exit status: 0, 1 invalid input, \
     2 unreadable input.",
);

const CONVERT_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt convert --to proto tests/data/histograms.prom > h.pb\n",
    "  expfmt convert --to openmetrics h.pb\n",
    "  curl -s localhost:9100/metrics | expfmt convert --to openmetrics\n\n",
    "Memory stays bounded: protobuf is read frame by frame, text in windows of 4 MiB cut where a \
     family starts. Exit status: 0 converted, 1 invalid input or an output error, 2 unreadable \
     input.\n\n",
    detection!(),
);

/// Exit status for an input that cannot be read.
pub const UNREADABLE: u8 = 2;

/// Prints why reading or writing stopped, and returns the exit status it calls for.
pub fn fail(name: &str, failure: &Failure, style: Style) -> ExitCode {
    match failure {
        Failure::Read(e) => {
            eprint!(
                "{}",
                Diagnostic::without_position(report::Severity::Error, format!("cannot read: {e}"))
                    .render(name, style)
            );
            ExitCode::from(UNREADABLE)
        }
        Failure::Invalid(d) => {
            eprint!("{}", d.render(name, style));
            ExitCode::from(1)
        }
        Failure::Write(e) => {
            eprint!(
                "{}",
                Diagnostic::without_position(report::Severity::Error, e.clone())
                    .render(name, style)
            );
            ExitCode::from(1)
        }
        Failure::Closed => ExitCode::from(1),
    }
}

fn convert(file: &str, from: FormatArg, to: Format, style: Style) -> ExitCode {
    let mut input = match Input::open(file) {
        Ok(i) => i,
        Err(e) => return fail(file, &Failure::Read(e.to_string()), style),
    };
    let from = input.format(from.fixed());
    match convert::run(&mut input, from, to) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(file, &f, style),
    }
}

fn stats(file: &str, format: FormatArg, top: usize, out: Style, err: Style) -> ExitCode {
    let mut input = match Input::open(file) {
        Ok(i) => i,
        Err(e) => return fail(file, &Failure::Read(e.to_string()), err),
    };
    let format = input.format(format.fixed());
    match stats::collect(&mut input, format) {
        Ok(s) => {
            print!("{}", s.render(file, out, top));
            ExitCode::SUCCESS
        }
        Err(f) => fail(file, &f, err),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let err_style = Style::new(cli.color.stderr());
    let out_style = Style::new(cli.color.stdout());
    match cli.command {
        Command::Check(args) => check::run(&args, out_style, err_style),
        Command::Convert { to, from, file } => convert(&file, from, to, err_style),
        Command::Scrape(args) => scrape::run(&args, out_style, err_style),
        Command::Push(args) => push::run(&args, err_style),
        Command::Stats { file, format, top } => stats(&file, format, top, out_style, err_style),
    }
}

//! `expfmt check`: parse each input and report its problems.

use std::process::ExitCode;

use crate::input::{Failure, FormatArg, Input};
use crate::report::Style;

/// The arguments of `check`.
#[derive(clap::Args)]
pub struct Args {
    /// Files to check; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// The input format.
    #[arg(long, visible_alias = "from", value_enum, default_value = "auto")]
    format: FormatArg,
}

/// Examples and exit statuses.
pub const AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt check tests/data/node_exporter.prom\n",
    "  curl -s localhost:9100/metrics | expfmt check -\n\n",
    "Exit status: 0 when every input is clean, 1 when one has a problem, 2 when one cannot be \
     read.",
);

/// Checks every file; the exit status is the worst outcome.
pub fn run(args: &Args, out: Style, err: Style) -> ExitCode {
    let mut status = 0u8;
    for path in &args.files {
        let mut input = match Input::open(path) {
            Ok(i) => i,
            Err(e) => {
                crate::fail(path, &Failure::Read(e.to_string()), err);
                return ExitCode::from(crate::UNREADABLE);
            }
        };
        let format = input.format(args.format.fixed());
        let (mut families, mut series) = (0usize, 0usize);
        let result = input.families(format, |_, family| {
            families += 1;
            series += family.metrics.len();
            Ok(())
        });
        match result {
            Ok(()) => println!(
                "{path}: {}: {families} families, {series} series",
                out.green("ok")
            ),
            Err(f) => {
                let code = crate::fail(path, &f, err);
                if matches!(f, Failure::Read(_)) {
                    return code;
                }
                status = status.max(1);
            }
        }
    }
    ExitCode::from(status)
}

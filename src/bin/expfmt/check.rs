//! `expfmt check`: parse each input, lint each family, report every problem.

use std::collections::HashSet;
use std::process::ExitCode;

use crate::input::{Failure, FormatArg, Input};
use crate::report::{Severity, Style};

/// The arguments of `check`.
#[derive(clap::Args)]
pub struct Args {
    /// Files to check; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// The input format.
    #[arg(long, visible_alias = "from", value_enum, default_value = "auto")]
    format: FormatArg,
    /// Only parse: skip the naming and usage rules.
    #[arg(long)]
    no_lint: bool,
    /// Exit 0 when there are warnings but no errors.
    #[arg(long)]
    warnings_ok: bool,
    /// Warn when a label takes more distinct values than this within one family.
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_label_values: usize,
}

/// Examples, the rules and exit statuses.
pub const AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt check tests/data/node_exporter.prom\n",
    "  curl -s localhost:9100/metrics | expfmt check --warnings-ok -\n",
    "  expfmt check --no-lint --format proto page.pb\n\n",
    "A parse error is an error; the rules of `promtool check metrics` are warnings, each on the \
     family's first line: HELP present, counters end in _total and nothing else does, _count, \
     _sum, _bucket, le and quantile only on histograms and summaries, base units (seconds, not \
     milliseconds), no type name, ':' or abbreviated unit in the name, snake_case metric and \
     label names; and a label with more than --max-label-values values in one family. The \
     Pushgateway's consistency checks are not part of check.\n\n",
    "Exit status: 0 when every input is clean, 1 when one has a problem (warnings count, as \
     with promtool, unless --warnings-ok), 2 when one cannot be read.\n\n",
    crate::detection!(),
);

/// Checks every file, going on after one that fails; the exit status is the worst outcome
/// (2 when an input could not be read).
pub fn run(args: &Args, out: Style, err: Style) -> ExitCode {
    let mut status = 0u8;
    for path in &args.files {
        let mut input = match Input::open(path) {
            Ok(i) => i,
            Err(e) => {
                crate::fail(path, &Failure::Read(e.to_string()), err);
                status = crate::UNREADABLE;
                continue;
            }
        };
        let format = input.format(args.format.fixed());
        let (mut series, mut warnings) = (0usize, 0usize);
        // Family names seen: a text family interleaved with another comes in several runs,
        // counted once and linted on its first.
        let mut names = HashSet::new();
        let result = input.families(format, |window, family| {
            series += family.metrics.len();
            if !names.insert(family.name.to_string()) || args.no_lint {
                return Ok(());
            }
            for problem in crate::lint::lint(&family, args.max_label_values) {
                warnings += 1;
                let message = format!("{}: {problem}", family.name);
                let diag = window.family_diagnostic(&family.name, Severity::Warning, message);
                eprint!("{}", diag.render(path, err));
            }
            Ok(())
        });
        let families = names.len();
        match result {
            Ok(()) if warnings == 0 => println!(
                "{path}: {}: {families} families, {series} series",
                out.green("ok")
            ),
            Ok(()) => {
                println!(
                    "{path}: {}: {families} families, {series} series",
                    out.yellow(&plural(warnings, "warning"))
                );
                if !args.warnings_ok {
                    status = status.max(1);
                }
            }
            Err(f) => {
                crate::fail(path, &f, err);
                let code = if matches!(f, Failure::Read(_)) {
                    crate::UNREADABLE
                } else {
                    1
                };
                status = status.max(code);
            }
        }
    }
    ExitCode::from(status)
}

/// `1 warning`, `2 warnings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

//! `expfmt push`: send an exposition to a Pushgateway, as Go's push client does.

use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use expfmt::push::{PushError, Pusher};
use expfmt::MetricFamily;

use crate::input::{Failure, FormatArg, Input};
use crate::report::{Diagnostic, Severity, Style};

/// The body format sent to the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Body {
    /// Delimited protobuf (what Go's push client sends).
    Proto,
    /// Text format 0.0.4.
    Text,
}

/// The arguments of `push`.
#[derive(clap::Args)]
pub struct Args {
    /// The gateway's base URL (plain HTTP), e.g. http://127.0.0.1:9091 or 127.0.0.1:9091.
    url: String,
    /// The job of the grouping key.
    #[arg(long)]
    job: String,
    /// A further grouping label, NAME=VALUE (repeatable, kept in order; a value may be empty
    /// or contain `/`).
    #[arg(long, value_name = "NAME=VALUE", value_parser = grouping)]
    grouping: Vec<(String, String)>,
    /// POST: replace only the pushed families of the group (default: PUT, replace the group).
    #[arg(long, conflicts_with = "delete")]
    add: bool,
    /// DELETE the whole group; reads no input.
    #[arg(long)]
    delete: bool,
    /// The body format.
    #[arg(long, value_enum, default_value = "proto")]
    format: Body,
    /// The input format.
    #[arg(long, value_enum, default_value = "auto")]
    from: FormatArg,
    /// Basic authentication, USER:PASSWORD.
    #[arg(long, value_name = "USER:PASSWORD")]
    basic_auth: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// The input file; `-` reads standard input.
    #[arg(default_value = "-")]
    file: String,
}

fn grouping(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not NAME=VALUE"))
}

/// Examples and exit statuses.
pub const AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt push http://127.0.0.1:9091 --job backup tests/data/histograms.prom\n",
    "  some_exporter | expfmt push 127.0.0.1:9091 --job batch --grouping instance=db1 --add -\n",
    "  expfmt push http://127.0.0.1:9091 --job backup --delete\n\n",
    "Exit status: 0 accepted, 1 the input is invalid or the push is refused before sending \
     (e.g. a metric carrying the job label), 2 the input cannot be read, the gateway cannot \
     be reached, or it answers with an error status (its message is printed).",
);

/// Reads the input (unless deleting) and sends it.
pub fn run(args: &Args, err: Style) -> ExitCode {
    let mut pusher = Pusher::new(args.url.as_str(), args.job.as_str())
        .format(match args.format {
            Body::Proto => expfmt::Format::ProtoDelimited,
            Body::Text => expfmt::Format::Text,
        })
        .timeout(Duration::from_secs(args.timeout));
    for (name, value) in &args.grouping {
        pusher = pusher.grouping(name.as_str(), value.as_str());
    }
    if let Some(credentials) = &args.basic_auth {
        let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
        pusher = pusher.basic_auth(user, password);
    }
    if let Some(e) = pusher.error() {
        return refused(&args.url, &e, err);
    }
    let families = if args.delete {
        Vec::new()
    } else {
        match read(args) {
            Ok(f) => f,
            Err(f) => return crate::fail(&args.file, &f, err),
        }
    };
    let sent = if args.delete {
        pusher.delete()
    } else if args.add {
        pusher.add(&families)
    } else {
        pusher.push(&families)
    };
    match sent {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => refused(&args.url, &e, err),
    }
}

/// Prints a push error: exit 2 when the gateway could not be reached or answered with an
/// error, 1 when the push was refused before sending.
fn refused(url: &str, e: &PushError, style: Style) -> ExitCode {
    let d = Diagnostic::without_position(Severity::Error, e.to_string());
    eprint!("{}", d.render(url, style));
    match e {
        PushError::Status { .. } | PushError::Transport { .. } => ExitCode::from(crate::UNREADABLE),
        _ => ExitCode::from(1),
    }
}

fn read(args: &Args) -> Result<Vec<MetricFamily<'static>>, Failure> {
    let mut input = Input::open(&args.file).map_err(|e| Failure::Read(e.to_string()))?;
    let format = input.format(args.from.fixed());
    let mut families = Vec::new();
    input.families(format, |_, family| {
        families.push(family.into_owned());
        Ok(())
    })?;
    Ok(families)
}

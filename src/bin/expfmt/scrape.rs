//! `expfmt scrape`: fetch a `/metrics` page as Prometheus does, and show what came back.

use std::io::Read;
use std::time::Duration;

use clap::ValueEnum;

use crate::convert::Output;
use crate::input::{Failure, Format, Input};
use crate::report::Style;

/// The media types Prometheus asks for.
const PROTO: &str =
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
const OPENMETRICS: &str = "application/openmetrics-text;version=1.0.0";
const TEXT: &str = "text/plain;version=0.0.4";

/// The `Accept` header for a preferred format: the preferred media type first, then the
/// others with lower weights and anything at the lowest, as Prometheus builds it from its
/// scrape protocols.
pub fn accept_header(preferred: Format) -> String {
    let others: [&str; 2] = match preferred {
        Format::Proto => [OPENMETRICS, TEXT],
        Format::Openmetrics => [TEXT, PROTO],
        Format::Text => [OPENMETRICS, PROTO],
    };
    let first = match preferred {
        Format::Proto => PROTO,
        Format::Openmetrics => OPENMETRICS,
        Format::Text => TEXT,
    };
    format!("{first},{};q=0.5,{};q=0.4,*/*;q=0.1", others[0], others[1])
}

/// What to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Show {
    /// Text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.
    Openmetrics,
    /// Delimited protobuf.
    Proto,
    /// One line: status, content type and format, bytes, families, series.
    Summary,
}

/// The arguments of `scrape`.
#[derive(clap::Args)]
pub struct Args {
    /// The page to fetch (plain HTTP), e.g. http://127.0.0.1:9100/metrics.
    url: String,
    /// The format to ask for first.
    #[arg(long, value_enum, default_value = "proto")]
    accept: Format,
    /// What to print.
    #[arg(long, value_enum, default_value = "summary")]
    to: Show,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
}

/// Examples and exit statuses.
pub const AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  expfmt scrape http://127.0.0.1:9100/metrics\n",
    "  expfmt scrape --accept openmetrics --to openmetrics http://127.0.0.1:9100/metrics\n\n",
    "The body is decoded as its Content-Type says (detected from the content when the type is \
     not an exposition format) and streamed to the output. Exit status: 0, 1 an invalid body, \
     2 when the page cannot be fetched (connection error, a status other than 2xx).",
);

/// Fetches the page and prints it.
pub fn run(args: &Args, out: Style, err: Style) -> std::process::ExitCode {
    let name = args.url.as_str();
    match scrape(args, out) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(f) => crate::fail(name, &f, err),
    }
}

fn scrape(args: &Args, style: Style) -> Result<(), Failure> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let response = agent
        .get(&args.url)
        .header("Accept", accept_header(args.accept))
        .header("User-Agent", concat!("expfmt/", env!("CARGO_PKG_VERSION")))
        .call()
        .map_err(|e| Failure::Read(e.to_string()))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Box<dyn Read> = Box::new(response.into_body().into_reader());
    if !status.is_success() {
        let mut text = String::new();
        let _ = body.take(200).read_to_string(&mut text);
        return Err(Failure::Read(format!("HTTP {status}: {}", text.trim())));
    }
    let mut input = Input::from_reader(body)?;
    let declared = Format::from_content_type(&content_type);
    let format = declared.unwrap_or_else(|| input.format(None));
    let result = show(args, &mut input, format, &content_type, status, style);
    match result {
        // Say why the body was read as it was when the server did not name a format.
        Err(Failure::Invalid(mut d)) if declared.is_none() => {
            d.message = format!(
                "Content-Type {content_type:?} is no exposition format; read as {}: {}",
                format.describe(),
                d.message
            );
            Err(Failure::Invalid(d))
        }
        other => other,
    }
}

/// Prints the page, or its summary.
fn show(
    args: &Args,
    input: &mut Input,
    format: Format,
    content_type: &str,
    status: ureq::http::StatusCode,
    style: Style,
) -> Result<(), Failure> {
    if args.to == Show::Summary {
        let (mut families, mut series) = (0usize, 0usize);
        input.families(format, |_, f| {
            families += 1;
            series += f.metrics.len();
            Ok(())
        })?;
        let shown = if content_type.is_empty() {
            "no Content-Type"
        } else {
            content_type
        };
        println!(
            "{}: {} {}, {shown} ({}), {} bytes, {families} families, {series} series",
            style.bold(&args.url),
            style.green(status.as_str()),
            status.canonical_reason().unwrap_or(""),
            format.describe(),
            input.bytes(),
        );
        return Ok(());
    }
    let to = match args.to {
        Show::Text => Format::Text,
        Show::Openmetrics => Format::Openmetrics,
        Show::Proto | Show::Summary => Format::Proto,
    };
    let stdout = std::io::stdout().lock();
    let mut output = Output::new(to, std::io::BufWriter::new(stdout));
    input.families_in_windows(format, |_, family| output.family(family))?;
    output.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_the_preferred_format_first() {
        assert_eq!(
            accept_header(Format::Text),
            "text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.5,\
             application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
             encoding=delimited;q=0.4,*/*;q=0.1"
        );
        assert!(accept_header(Format::Proto).starts_with(PROTO));
        assert!(accept_header(Format::Openmetrics).starts_with(OPENMETRICS));
    }

    #[test]
    fn content_types_name_formats() {
        let f = Format::from_content_type;
        assert_eq!(
            f("text/plain; version=0.0.4; charset=utf-8"),
            Some(Format::Text)
        );
        assert_eq!(
            f("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            Some(Format::Openmetrics)
        );
        assert_eq!(f(PROTO), Some(Format::Proto));
        assert_eq!(f("text/html"), None);
    }
}

//! `expfmt convert`: any format to any other, one family (OpenMetrics: one window) at a time.

use std::collections::HashSet;
use std::io::{ErrorKind, Write};

use expfmt::{MetricFamily, MetricType, Value};

use crate::input::{Failure, Format, Input};

/// Writes families in one format as they arrive.
///
/// Text: a family whose name was written before (the text format lets a family's samples be
/// interleaved with another's, and the reader yields each run on its own) is written without
/// its `# HELP` and `# TYPE` lines, which may appear only once; reading the output merges the
/// runs again, as reading the input did.
///
/// OpenMetrics: the families of one input window are written together, so that the library
/// sees them all (the runs of an interleaved family are merged, and a counter `x_total`
/// beside a family `x` or `x_created` is written as `unknown` rather than clash). Across
/// windows, a counter after such a family is written as `unknown` too, and a family that
/// comes back in a later window is refused: OpenMetrics families are contiguous.
pub struct Output<W: Write> {
    to: Format,
    out: W,
    buf: String,
    /// Names written so far.
    seen: HashSet<String>,
    /// OpenMetrics: the families of the current window.
    pending: Vec<MetricFamily<'static>>,
    proto: Vec<u8>,
}

fn write_err(e: std::io::Error) -> Failure {
    if e.kind() == ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::Write(e.to_string())
    }
}

fn encode_err(e: expfmt::Error) -> Failure {
    match e.kind() {
        expfmt::ErrorKind::Io(_) => Failure::Write(e.to_string()),
        _ => Failure::Write(format!("cannot convert: {e}")),
    }
}

impl<W: Write> Output<W> {
    /// An output in format `to`.
    pub fn new(to: Format, out: W) -> Self {
        Output {
            to,
            out,
            buf: String::new(),
            seen: HashSet::new(),
            pending: Vec::new(),
            proto: Vec::new(),
        }
    }

    /// Writes one family, or for `None` (the end of an input window) what is pending.
    pub fn family(&mut self, family: Option<MetricFamily<'_>>) -> Result<(), Failure> {
        let Some(family) = family else {
            return self.flush_pending();
        };
        match self.to {
            Format::Proto => {
                self.proto.clear();
                expfmt::proto::encode_into(&mut self.proto, std::slice::from_ref(&family))
                    .map_err(encode_err)?;
                self.out.write_all(&self.proto).map_err(write_err)?;
            }
            Format::Text => {
                self.buf.clear();
                expfmt::text::encode_into(&mut self.buf, std::slice::from_ref(&family))
                    .map_err(encode_err)?;
                let mut body = self.buf.as_str();
                if !self.seen.insert(family.name.to_string()) {
                    while body.starts_with('#') {
                        body = body.split_once('\n').map_or("", |(_, rest)| rest);
                    }
                }
                self.out.write_all(body.as_bytes()).map_err(write_err)?;
            }
            Format::Openmetrics => {
                let run = self
                    .pending
                    .iter_mut()
                    .find(|f| f.name == family.name && f.metric_type == family.metric_type);
                match run {
                    Some(earlier) => earlier
                        .metrics
                        .extend(family.metrics.into_iter().map(|m| m.into_owned())),
                    None => self.pending.push(family.into_owned()),
                }
            }
        }
        Ok(())
    }

    /// Writes the pending OpenMetrics families.
    fn flush_pending(&mut self) -> Result<(), Failure> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut self.pending);
        for family in &mut pending {
            if self.seen.contains(family.name.as_ref()) {
                return Err(Failure::Write(format!(
                    "cannot convert: family {} comes back after other families; OpenMetrics \
                     needs each family in one piece",
                    family.name
                )));
            }
            self.avoid_clash(family);
        }
        self.buf.clear();
        expfmt::openmetrics::encode_into(&mut self.buf, &pending).map_err(encode_err)?;
        let body = self.buf.strip_suffix("# EOF\n").unwrap_or(&self.buf);
        self.out.write_all(body.as_bytes()).map_err(write_err)?;
        self.seen
            .extend(pending.into_iter().map(|f| f.name.into_owned()));
        Ok(())
    }

    /// A counter `x_total` written after a family `x` or `x_created` becomes `unknown`.
    fn avoid_clash(&self, family: &mut MetricFamily<'_>) {
        if family.metric_type != MetricType::Counter {
            return;
        }
        let Some(base) = family.name.strip_suffix("_total") else {
            return;
        };
        if !self.seen.contains(base) && !self.seen.contains(&format!("{base}_created")) {
            return;
        }
        family.metric_type = MetricType::Unknown;
        for metric in &mut family.metrics {
            if let Value::Counter(c) = &metric.value {
                metric.value = Value::Untyped(c.value);
            }
        }
    }

    /// Ends the output (`# EOF` for OpenMetrics) and flushes it.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.flush_pending()?;
        if self.to == Format::Openmetrics {
            self.out.write_all(b"# EOF\n").map_err(write_err)?;
        }
        self.out.flush().map_err(write_err)
    }
}

/// Converts `input` (in `from`) to `to` on standard output.
pub fn run(input: &mut Input, from: Format, to: Format) -> Result<(), Failure> {
    let stdout = std::io::stdout().lock();
    let mut output = Output::new(to, std::io::BufWriter::new(stdout));
    input.families_in_windows(from, |_, family| output.family(family))?;
    output.finish()
}

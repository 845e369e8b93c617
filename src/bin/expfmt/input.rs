//! Inputs: a file, standard input or a response body; which format it holds; and reading it
//! family by family in bounded memory.
//!
//! Protobuf is decoded frame by frame from the reader. The two text formats are read in
//! windows of about [`WINDOW`] bytes cut at a family boundary (a `# HELP`, `# TYPE` or
//! `# UNIT` line that follows a sample line), and each window is parsed on its own with the
//! streaming `families` iterator, so memory holds one window and one family, whatever the size
//! of the input. A window grows while it has no such boundary (a long run of lines without
//! metadata). An input that fits in one window is parsed exactly as `parse` would; across
//! windows, the rules that need the whole input are not applied (the text format's merging of
//! a family whose samples are interleaved with another's, OpenMetrics' rule that no two
//! families share a name).

use std::io::{self, Read};

use clap::ValueEnum;
use expfmt::MetricFamily;

use crate::report::{Diagnostic, Severity};

/// The size of a text window: large enough that typical pages are parsed whole, small enough
/// that converting a large file needs a few tens of megabytes.
pub const WINDOW: usize = 4 << 20;

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text format 0.0.4.
    Text,
    /// OpenMetrics 1.0 text.
    Openmetrics,
    /// Varint-delimited protobuf (io.prometheus.client.MetricFamily).
    Proto,
}

impl Format {
    /// How the format is called in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Text => "text 0.0.4",
            Format::Openmetrics => "OpenMetrics 1.0",
            Format::Proto => "delimited protobuf",
        }
    }

    /// The format a `Content-Type` header names, if any.
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        let media = content_type.split(';').next().unwrap_or("").trim();
        let media = media.to_ascii_lowercase();
        match media.as_str() {
            "text/plain" => Some(Format::Text),
            "application/openmetrics-text" => Some(Format::Openmetrics),
            "application/vnd.google.protobuf" => Some(Format::Proto),
            _ => None,
        }
    }
}

/// An input format, or `auto` to detect it from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Detect it from the content (see `expfmt help convert`).
    Auto,
    /// Text format 0.0.4.
    Text,
    /// OpenMetrics 1.0 text.
    Openmetrics,
    /// Varint-delimited protobuf.
    Proto,
}

impl FormatArg {
    /// The format asked for, or `None` for `auto`.
    pub fn fixed(self) -> Option<Format> {
        match self {
            FormatArg::Auto => None,
            FormatArg::Text => Some(Format::Text),
            FormatArg::Openmetrics => Some(Format::Openmetrics),
            FormatArg::Proto => Some(Format::Proto),
        }
    }
}

/// What `--help` says about detection.
#[macro_export]
macro_rules! detection {
    () => {
        "\
Format detection (--from/--format auto): protobuf when the input starts with a byte no text \
line starts with, or holds control characters other than tab and newline in its first 4 KiB; \
otherwise OpenMetrics when its last line is `# EOF` (looked at when the input fits in the first \
window, or is a file), or when its first window has a `# UNIT` line or a `# TYPE` naming an \
OpenMetrics-only type (info, stateset, gaugehistogram, unknown); otherwise text 0.0.4."
    };
}

/// Whether the input starts like text and has no control bytes a text exposition never has.
fn looks_like_text(head: &[u8]) -> bool {
    let Some(&first) = head.first() else {
        return true;
    };
    let starts =
        matches!(first, b'#' | b' ' | b'\t' | b'\n' | b'_' | b':') || first.is_ascii_alphabetic();
    let probe = head.get(..4096).unwrap_or(head);
    starts
        && !probe
            .iter()
            .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

/// Whether the last line of `tail` is `# EOF`.
fn ends_with_eof(tail: &[u8]) -> bool {
    let trimmed = tail.strip_suffix(b"\n").unwrap_or(tail);
    let last = trimmed
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(trimmed, |i| trimmed.get(i + 1..).unwrap_or_default());
    last == b"# EOF"
}

/// Whether `head` has a line only OpenMetrics has.
fn has_openmetrics_lines(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').any(|line| {
        if line.starts_with(b"# UNIT ") {
            return true;
        }
        let Some(rest) = line.strip_prefix(b"# TYPE ") else {
            return false;
        };
        let word = rest.rsplit(|&b| b == b' ').next().unwrap_or_default();
        matches!(word, b"info" | b"stateset" | b"gaugehistogram" | b"unknown")
    })
}

/// The format of an input from its first window, whether that window is all of it, and the
/// input's last bytes when known.
pub fn detect(head: &[u8], complete: bool, tail: Option<&[u8]>) -> Format {
    if !looks_like_text(head) {
        return Format::Proto;
    }
    let end = if complete { Some(head) } else { tail };
    if end.is_some_and(ends_with_eof) || has_openmetrics_lines(head) {
        Format::Openmetrics
    } else {
        Format::Text
    }
}

/// Why reading families stopped early.
#[derive(Debug)]
pub enum Failure {
    /// The input could not be read (exit status 2).
    Read(String),
    /// The input is not a valid exposition; the diagnostic says where (exit status 1).
    Invalid(Diagnostic),
    /// Writing the output failed (exit status 1).
    Write(String),
    /// Standard output was closed early (`| head`): stop quietly (exit status 1).
    Closed,
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Read(e.to_string())
    }
}

/// An open input with its first window read.
pub struct Input {
    reader: Counted,
    /// Bytes read and not yet parsed.
    buf: Vec<u8>,
    /// Whether the reader is exhausted.
    eof: bool,
    /// The input's last bytes, when it is a file larger than a window.
    tail: Option<Vec<u8>>,
}

/// A reader that counts the bytes it reads.
struct Counted {
    inner: Box<dyn Read>,
    count: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

impl Input {
    /// Opens a file, or standard input for `-`.
    pub fn open(path: &str) -> io::Result<Input> {
        if path == "-" {
            return Input::from_reader(Box::new(io::stdin().lock()));
        }
        let file = std::fs::File::open(path)?;
        let mut input = Input::from_reader(Box::new(file))?;
        if !input.eof {
            input.tail = Some(read_tail(path)?);
        }
        Ok(input)
    }

    /// Wraps any reader (a response body), reading its first window.
    pub fn from_reader(reader: Box<dyn Read>) -> io::Result<Input> {
        let mut input = Input {
            reader: Counted {
                inner: reader,
                count: 0,
            },
            buf: Vec::new(),
            eof: false,
            tail: None,
        };
        input.fill(WINDOW)?;
        Ok(input)
    }

    /// The bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.reader.count
    }

    /// The format, `fixed` or detected.
    pub fn format(&self, fixed: Option<Format>) -> Format {
        fixed.unwrap_or_else(|| detect(&self.buf, self.eof, self.tail.as_deref()))
    }

    /// Reads until `buf` holds `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while !self.eof && self.buf.len() < want {
            let before = self.buf.len();
            let n = (&mut self.reader)
                .take((want - before) as u64)
                .read_to_end(&mut self.buf)?;
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// The next window of a text input: a whole number of families, with its first line's
    /// number. `None` at the end.
    fn next_window(&mut self, openmetrics: bool) -> io::Result<Option<Vec<u8>>> {
        let mut want = WINDOW.max(self.buf.len());
        loop {
            self.fill(want)?;
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(std::mem::take(&mut self.buf)));
            }
            if let Some(cut) = boundary(&self.buf, openmetrics) {
                let rest = self.buf.split_off(cut);
                return Ok(Some(std::mem::replace(&mut self.buf, rest)));
            }
            want = want.saturating_mul(2);
        }
    }

    /// Reads every family in `format`, handing each to `each` with the window it came from.
    pub fn families(
        &mut self,
        format: Format,
        mut each: impl FnMut(&Window<'_>, MetricFamily<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.families_in_windows(format, |window, family| match family {
            Some(f) => each(window, f),
            None => Ok(()),
        })
    }

    /// As [`Input::families`], and `each` gets `None` after the last family of each window
    /// (protobuf: of each [`PROTO_BATCH`] families).
    pub fn families_in_windows(
        &mut self,
        format: Format,
        mut each: impl FnMut(&Window<'_>, Option<MetricFamily<'_>>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        if format == Format::Proto {
            let head = io::Cursor::new(std::mem::take(&mut self.buf));
            let reader = io::BufReader::new(head.chain(&mut self.reader));
            let window = Window {
                text: None,
                first_line: 1,
            };
            for (i, family) in expfmt::proto::Decoder::from_reader(reader).enumerate() {
                match family {
                    Ok(f) => each(&window, Some(f))?,
                    Err(e) => return Err(Failure::Invalid(Diagnostic::from_error(&e, None, 1))),
                }
                if (i + 1) % PROTO_BATCH == 0 {
                    each(&window, None)?;
                }
            }
            return each(&window, None);
        }
        let openmetrics = format == Format::Openmetrics;
        let mut first_line = 1;
        while let Some(mut bytes) = self.next_window(openmetrics)? {
            let lines = memchr::memchr_iter(b'\n', &bytes).count();
            let len = bytes.len();
            let last = self.buf.is_empty() && self.eof;
            if openmetrics && !last {
                // The window is a whole number of families; the exposition's end is further on.
                bytes.extend_from_slice(b"# EOF\n");
            }
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    let diag = Diagnostic::at_offset(
                        Severity::Error,
                        "invalid UTF-8".to_owned(),
                        &bytes,
                        e.valid_up_to(),
                        first_line,
                    );
                    return Err(Failure::Invalid(diag));
                }
            };
            let window = Window {
                text: Some(text.get(..len).unwrap_or(text)),
                first_line,
            };
            let mut run = |f: Result<MetricFamily<'_>, expfmt::Error>| match f {
                Ok(f) => each(&window, Some(f)),
                Err(e) => Err(Failure::Invalid(Diagnostic::from_error(
                    &e,
                    window.text,
                    first_line,
                ))),
            };
            if openmetrics {
                expfmt::openmetrics::families(text).try_for_each(&mut run)?;
            } else {
                expfmt::text::families(text).try_for_each(&mut run)?;
            }
            each(&window, None)?;
            first_line += lines;
        }
        Ok(())
    }
}

/// How many protobuf families make a batch (see [`Input::families_in_windows`]).
pub const PROTO_BATCH: usize = 1024;

/// The last bytes of a file.
fn read_tail(path: &str) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(len.saturating_sub(64)))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)?;
    Ok(tail)
}

/// The offset of the last line of `buf` (before its last, possibly partial, line) that starts
/// a family: a metadata line right after a line that is not a comment.
fn boundary(buf: &[u8], openmetrics: bool) -> Option<usize> {
    let complete = buf.iter().rposition(|&b| b == b'\n')?;
    let scan = buf.get(..complete)?;
    for nl in memchr::memmem::rfind_iter(scan, b"\n# ") {
        let start = nl + 1;
        let line = buf.get(start..).unwrap_or_default();
        let metadata = line.starts_with(b"# HELP ")
            || line.starts_with(b"# TYPE ")
            || (openmetrics && line.starts_with(b"# UNIT "));
        if !metadata {
            continue;
        }
        let before = buf.get(..nl).unwrap_or_default();
        let prev_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if before.get(prev_start) != Some(&b'#') {
            return Some(start);
        }
    }
    None
}

/// The text a family was read from, to find its lines.
pub struct Window<'a> {
    /// The window's text (`None` for protobuf).
    pub text: Option<&'a str>,
    /// The number of the window's first line in the whole input.
    pub first_line: usize,
}

impl Window<'_> {
    /// The byte offset, in the window, of a family's name on its first line. Where the
    /// family's name is borrowed from the window, that is a line of the family, and the
    /// metadata lines right above it that name the family (OpenMetrics names a counter after
    /// its samples) are its first; otherwise the first line that declares the family or has
    /// a sample of it.
    pub fn family_offset(&self, name: &str) -> Option<usize> {
        let text = self.text?;
        let base = ["_total", "_info"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        // Where `line` names the family: the offset of the name in it.
        let names = |line: &str| -> Option<usize> {
            let named = ["# HELP ", "# TYPE ", "# UNIT ", ""]
                .iter()
                .find_map(|p| line.strip_prefix(p))
                .unwrap_or(line);
            [name, base].iter().find_map(|candidate| {
                let rest = named.strip_prefix(candidate)?;
                let next = rest.bytes().next().unwrap_or(b' ');
                let more = next.is_ascii_alphanumeric() || next == b'_' || next == b':';
                (!more).then_some(line.len() - named.len())
            })
        };
        let start = text.as_ptr() as usize;
        let at = name.as_ptr() as usize;
        if at >= start && at + name.len() <= start + text.len() && !name.is_empty() {
            let mut offset = at - start;
            let mut line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
            while line_start > 0 {
                let before = text.get(..line_start - 1)?;
                let prev = before.rfind('\n').map_or(0, |i| i + 1);
                let line = before.get(prev..)?;
                match names(line) {
                    Some(at) if line.starts_with("# ") => offset = prev + at,
                    _ => break,
                }
                line_start = prev;
            }
            return Some(offset);
        }
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(at) = names(line) {
                return Some(offset + at);
            }
            offset += line.len();
        }
        None
    }

    /// A diagnostic about a family, pointing at its first line.
    pub fn family_diagnostic(&self, name: &str, severity: Severity, message: String) -> Diagnostic {
        match (self.text, self.family_offset(name)) {
            (Some(text), Some(offset)) => {
                Diagnostic::at_offset(severity, message, text.as_bytes(), offset, self.first_line)
            }
            _ => Diagnostic::without_position(severity, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let proto = expfmt::proto::encode(&expfmt::text::parse("a 1\n").unwrap()).unwrap();
        assert_eq!(detect(&proto, true, None), Format::Proto);
        assert_eq!(detect(b"a 1\n", true, None), Format::Text);
        assert_eq!(detect(b"#\na 1\n", true, None), Format::Text);
        assert_eq!(detect(b"a 1\n# EOF\n", true, None), Format::Openmetrics);
        assert_eq!(detect(b"a 1\n", false, Some(b"# EOF")), Format::Openmetrics);
        assert_eq!(detect(b"# TYPE a info\n", false, None), Format::Openmetrics);
        assert_eq!(detect(b"", true, None), Format::Text);
    }

    #[test]
    fn cuts_before_metadata_that_follows_a_sample() {
        let buf = b"# HELP a x\n# TYPE a gauge\na 1\n# HELP b y\n# TYPE b gauge\nb 2\npartial";
        let cut = boundary(buf, false).unwrap();
        assert!(buf[cut..].starts_with(b"# HELP b"));
        assert_eq!(boundary(b"# HELP a x\n# TYPE a gauge\na 1\n", false), None);
        assert_eq!(boundary(b"a 1\n# UNIT a s\n", false), None);
        assert!(boundary(b"a 1\n# UNIT a s\nx", true).is_some());
    }
}

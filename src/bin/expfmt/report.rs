//! Problems as `FILE:LINE:COL: error|warning: message`, the offending line and a caret under
//! the column; coloured only when asked or when the stream is a terminal.

use std::fmt::Write as _;
use std::io::IsTerminal;

use clap::ValueEnum;

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When the stream is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }

    /// Whether to colour standard error.
    pub fn stderr(self) -> bool {
        self.enabled(std::io::stderr().is_terminal())
    }

    /// Whether to colour standard output.
    pub fn stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }
}

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Styles that colour when `on`.
    pub fn new(on: bool) -> Self {
        Style { on }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Bold red, for errors.
    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Bold yellow, for warnings.
    pub fn yellow(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Bold green, for success.
    pub fn green(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Bold blue, for the caret and line markers.
    pub fn blue(self, text: &str) -> String {
        self.paint("1;34", text)
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The input is invalid.
    Error,
    /// The input is valid but breaks a naming or usage convention.
    Warning,
}

/// The longest part of a line shown under a diagnostic, in characters.
const SHOWN: usize = 200;

/// A problem and where it is.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// 1-based line and column (characters), when the input is text.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// The offending line, when known.
    pub source: Option<String>,
}

impl Diagnostic {
    /// A problem at byte `offset` of a window of text whose first line is `first_line`.
    pub fn at_offset(
        severity: Severity,
        message: String,
        window: &[u8],
        offset: usize,
        first_line: usize,
    ) -> Self {
        let offset = offset.min(window.len());
        let before = window.get(..offset).unwrap_or_default();
        let line = memchr::memchr_iter(b'\n', before).count() + first_line;
        let start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let prefix = window.get(start..offset).unwrap_or_default();
        // Columns count characters, as the library's errors do.
        let column = prefix.iter().filter(|&&b| (b as i8) >= -0x40).count() + 1;
        let rest = window.get(start..).unwrap_or_default();
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let source = String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned();
        Diagnostic {
            severity,
            position: Some((line, column)),
            message,
            source: Some(source),
        }
    }

    /// A problem with no position (protobuf, or a family not found in the text).
    pub fn without_position(severity: Severity, message: String) -> Self {
        Diagnostic {
            severity,
            position: None,
            message,
            source: None,
        }
    }

    /// A parse error from the library; `window` is the text it came from, if any.
    pub fn from_error(err: &expfmt::Error, window: Option<&str>, first_line: usize) -> Self {
        match (window, err.offset(), err.line()) {
            (Some(text), Some(offset), Some(_)) => Diagnostic::at_offset(
                Severity::Error,
                err.kind().to_string(),
                text.as_bytes(),
                offset,
                first_line,
            ),
            _ => Diagnostic::without_position(Severity::Error, err.to_string()),
        }
    }

    /// The diagnostic as printed for the input `file`.
    pub fn render(&self, file: &str, style: Style) -> String {
        let severity = match self.severity {
            Severity::Error => style.red("error"),
            Severity::Warning => style.yellow("warning"),
        };
        let mut out = String::new();
        let Some((line, column)) = self.position else {
            let _ = writeln!(out, "{}: {severity}: {}", style.bold(file), self.message);
            return out;
        };
        let place = style.bold(&format!("{file}:{line}:{column}:"));
        let _ = writeln!(out, "{place} {severity}: {}", self.message);
        if let Some(source) = &self.source {
            let shown: String = source.chars().take(SHOWN).collect();
            let _ = writeln!(out, "    {shown}");
            if column <= SHOWN {
                let caret = style.blue("^");
                let _ = writeln!(out, "    {}{caret}", " ".repeat(column - 1));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_and_a_caret() {
        let window = b"a 1\nb{c=\"\xc3\xa9\" 2\n";
        let d = Diagnostic::at_offset(Severity::Error, "bad".into(), window, 11, 10);
        assert_eq!(d.position, Some((11, 7)));
        assert_eq!(
            d.render("f", Style::new(false)),
            "f:11:7: error: bad\n    b{c=\"é\" 2\n          ^\n"
        );
        let coloured = d.render("f", Style::new(true));
        assert!(coloured.contains("\x1b[1;31merror\x1b[0m"));
    }

    #[test]
    fn colour_follows_the_choice() {
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Never.enabled(true));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}

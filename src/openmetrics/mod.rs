//! OpenMetrics 1.0 text: parse and encode.
//!
//! Two layers, as for text 0.0.4: [`Lexer`] yields one borrowed [`Record`] per line with no
//! allocation, for programs that only forward samples.
//!
//! # What is accepted
//!
//! The OpenMetrics 1.0.0 text format, strictly: every line ends with `\n` (the final `# EOF`
//! may omit it), tokens are separated by exactly one space, there are no blank lines and no
//! comments other than `# HELP`, `# TYPE`, `# UNIT` and the final `# EOF`, which must be the
//! last line. Numbers follow the ABNF's `number` (the same language as
//! [`number::parse_float`](crate::number::parse_float): `1`, `-1.5e3`, `.5`, `Inf`, `NaN`, no
//! hex, no `_`); timestamps are seconds as `realnumber` (no `NaN`, no infinities).

mod grammar;
mod lexer;

pub use lexer::{
    HelpLine, Lexer, Line, RawExemplar, RawLabel, RawLabelIter, RawLabels, Record, Sample,
    TypeLine, UnitLine,
};

/// The content type of OpenMetrics 1.0.0 text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

//! The fast path of a sample line: one pass over its bytes, a byte-class table in place of a
//! search per token.
//!
//! [`sample`] reads the common shape `name{a="b",...} value[ timestamp]\n` of the legacy
//! syntax, blanks included, and hands every label to a [`LabelSink`] as it validates it. It
//! accepts a subset of what [`grammar::sample`](super::grammar::sample) accepts and returns the
//! same parts for it; anything else (quoted names, every error) makes it return `None`, and the
//! caller runs the general grammar on the line, which reports the error with its kind, line and
//! column. `fast_path_tests.rs` checks the two agree on generated lines.

use std::borrow::Cow;

use super::grammar::SampleParts;
use super::lexer::{HelpLine, Line, RawLabel, TypeLine};
use crate::escape::{self, Escapes};
use crate::names;
use crate::number;

// The name bits are those of `names::name_class`; the others follow them.
use names::{
    LABEL_CONTINUE as LABEL_CONT, LABEL_START, METRIC_CONTINUE as METRIC_CONT, METRIC_START,
};
/// Ends a value or timestamp token: a blank or a newline.
const TOKEN_END: u8 = 32;
const BLANK: u8 = 64;

/// The classes of every byte (see `names` for the name charsets).
static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut k = names::name_class(c);
        if c == b' ' || c == b'\t' || c == b'\n' {
            k |= TOKEN_END;
        }
        if c == b' ' || c == b'\t' {
            k |= BLANK;
        }
        t[b] = k;
        b += 1;
    }
    t
}

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASS[usize::from(b)]
}

/// Whether `b` may start a metric name: where [`sample`] can start.
#[inline]
pub(crate) fn starts_sample(b: u8) -> bool {
    class(b) & METRIC_START != 0
}

/// A label as the lexer read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScannedLabel<'a> {
    /// The raw name (for a quoted name, the text between the quotes, escapes undecoded).
    pub name: &'a str,
    /// The raw value, escapes undecoded.
    pub raw_value: &'a str,
    /// Whether the name was quoted (only then may it hold escapes).
    pub quoted: bool,
    /// Whether the value holds an escape (a backslash).
    pub escaped: bool,
}

impl<'a> ScannedLabel<'a> {
    /// The label name with the escapes of a quoted name decoded; borrowed when there is none.
    #[inline]
    pub fn decoded_name(&self) -> Cow<'a, str> {
        escape::label_name(self.name, self.quoted)
    }

    /// The value with escapes decoded; borrowed, without a search, when there is none.
    #[inline]
    pub fn value(&self) -> Cow<'a, str> {
        if self.escaped {
            escape::unescape(self.raw_value, escape::Escapes::LabelValue)
        } else {
            Cow::Borrowed(self.raw_value)
        }
    }
}

/// A label the general grammar read (a line the fast path gave up on).
impl<'a> From<RawLabel<'a>> for ScannedLabel<'a> {
    fn from(label: RawLabel<'a>) -> Self {
        ScannedLabel {
            name: label.name,
            raw_value: label.raw_value,
            quoted: label.quoted,
            escaped: label.raw_value.contains('\\'),
        }
    }
}

/// Receives the labels of a sample line as the lexer validates them.
pub(crate) trait LabelSink<'a> {
    /// One label, in input order.
    fn label(&mut self, label: ScannedLabel<'a>);
    /// Forgets the labels of a line the fast path gave up on.
    fn clear(&mut self);
}

/// Drops the labels (the public lexer: the labels stay in the record's raw slice).
impl<'a> LabelSink<'a> for () {
    #[inline(always)]
    fn label(&mut self, _: ScannedLabel<'a>) {}
    #[inline(always)]
    fn clear(&mut self) {}
}

/// Collects the labels of the line (the family builder).
impl<'a> LabelSink<'a> for Vec<ScannedLabel<'a>> {
    #[inline(always)]
    fn label(&mut self, label: ScannedLabel<'a>) {
        self.push(label);
    }
    #[inline(always)]
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// The index of the first byte at or after `i` that is not of class `k` (or `b.len()`).
#[inline(always)]
fn skip(b: &[u8], mut i: usize, k: u8) -> usize {
    while let Some(&c) = b.get(i) {
        if class(c) & k == 0 {
            break;
        }
        i += 1;
    }
    i
}

/// The first byte at or after `i` that is not a blank, and its index: the byte a caller then
/// tests for the punctuation it expects, read once (the usual line has no blank there).
#[inline(always)]
fn next_non_blank(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let c = *b.get(i)?;
    if class(c) & BLANK == 0 {
        return Some((c, i));
    }
    let i = skip(b, i + 1, BLANK);
    Some((*b.get(i)?, i))
}

/// As [`skip`] for the name classes, four bytes a step while all four are of class `k`.
#[inline(always)]
fn skip_name(b: &[u8], mut i: usize, k: u8) -> usize {
    while let Some(chunk) = b.get(i..i + 4) {
        let Ok([c0, c1, c2, c3]) = <[u8; 4]>::try_from(chunk) else {
            break;
        };
        if class(c0) & class(c1) & class(c2) & class(c3) & k == 0 {
            break;
        }
        i += 4;
    }
    skip(b, i, k)
}

/// The length of the metric name at the start of `rest` when it is `previous` (a name this
/// path read before, so known valid): one comparison instead of a scan, for the runs of lines
/// of one series or family that make up most pages. 0 when it is not.
#[inline]
pub(crate) fn same_name(rest: &str, previous: &str) -> usize {
    let n = previous.len();
    match rest.as_bytes().get(n) {
        Some(&c) if class(c) & METRIC_CONT == 0 && rest.starts_with(previous) => n,
        _ => 0,
    }
}

/// Reads one sample line at the start of `rest` (the input from the line's first byte on,
/// which must not be a blank); returns its parts and the length of the line with its `\n`.
/// `None` when the line is not of the shape this path reads, or has any error. `name_len`, when
/// not 0, is the length of the metric name at the start of `rest`, already known valid
/// ([`same_name`]).
#[inline]
pub(crate) fn sample<'a, S: LabelSink<'a>>(
    rest: &'a str,
    name_len: usize,
    sink: &mut S,
) -> Option<(SampleParts<'a>, usize)> {
    let b = rest.as_bytes();
    let mut i = if name_len > 0 {
        name_len
    } else if class(*b.first()?) & METRIC_START == 0 {
        return None;
    } else {
        skip_name(b, 1, METRIC_CONT)
    };
    let name = rest.get(..i)?;
    i = skip(b, i, BLANK);
    let mut labels = None;
    if b.get(i) == Some(&b'{') {
        i += 1;
        let start = i;
        loop {
            let (c, at) = next_non_blank(b, i)?;
            i = at;
            if c == b'}' {
                break;
            }
            if class(c) & LABEL_START == 0 {
                return None;
            }
            let name_start = i;
            i = skip_name(b, i + 1, LABEL_CONT);
            let label = sub(rest, name_start, i)?;
            if label == names::RESERVED_LABEL {
                return None;
            }
            let (b'=', at) = next_non_blank(b, i)? else {
                return None;
            };
            let (b'"', at) = next_non_blank(b, at + 1)? else {
                return None;
            };
            i = at + 1;
            let value_start = i;
            let mut escaped = false;
            loop {
                i = skip_plain(b, i);
                match *b.get(i)? {
                    b'"' => break,
                    b'\\' if valid_escape(b, i, Escapes::LabelValue) => {
                        escaped = true;
                        i += 2;
                    }
                    _ => return None,
                }
            }
            sink.label(ScannedLabel {
                name: label,
                raw_value: sub(rest, value_start, i)?,
                quoted: false,
                escaped,
            });
            match next_non_blank(b, i + 1)? {
                (b',', at) => i = at + 1,
                (b'}', at) => i = at,
                _ => return None,
            }
        }
        labels = Some(sub(rest, start, i)?);
        i = skip(b, i + 1, BLANK);
    }
    let value_start = i;
    i = skip_token(b, i);
    let value = number::parse_float(sub(rest, value_start, i)?)?;
    let timestamp = if *b.get(i)? == b'\n' {
        None
    } else {
        i = skip(b, i, BLANK);
        let ts_start = i;
        i = skip_token(b, i);
        if *b.get(i)? != b'\n' {
            return None;
        }
        Some(number::parse_timestamp(sub(rest, ts_start, i)?)?)
    };
    Some((
        SampleParts {
            name,
            labels,
            value,
            timestamp,
        },
        i + 1,
    ))
}

/// Reads a `# HELP name text` or `# TYPE name word` line at the start of `rest` (which starts
/// at byte `offset` of the input) in its usual spelling: one space on each side of the
/// keyword and a bare metric name. Returns the line and its length with its `\n`; `None` for
/// any other line (other comments, quoted names, every error), which the grammar reads.
/// `previous` is a metric name this path read before, so known valid: the TYPE line after a
/// HELP line of the same name compares it instead of scanning it ([`same_name`]).
#[inline]
pub(crate) fn comment<'a>(
    rest: &'a str,
    offset: usize,
    previous: &str,
) -> Option<(Line<'a>, usize)> {
    const NAME: usize = "# HELP ".len();
    let b = rest.as_bytes();
    let help = match b.get(..NAME)? {
        b"# HELP " => true,
        b"# TYPE " => false,
        _ => return None,
    };
    let name_end = match same_name(rest.get(NAME..)?, previous) {
        0 if class(*b.get(NAME)?) & METRIC_START == 0 => return None,
        0 => skip_name(b, NAME + 1, METRIC_CONT),
        n => NAME + n,
    };
    // A name that ends the line makes a plain comment; anything else but a blank, an error.
    if class(*b.get(name_end)?) & BLANK == 0 {
        return None;
    }
    let text_start = skip(b, name_end, BLANK);
    // To the newline, checking HELP escapes (`\\`, `\n`) on the way.
    let mut end = text_start;
    loop {
        end = skip_plain(b, end);
        match *b.get(end)? {
            b'\n' => break,
            b'"' => end += 1,
            b'\\' if !help => end += 1,
            b'\\' if valid_escape(b, end, Escapes::Help) => end += 2,
            _ => return None,
        }
    }
    let name = sub(rest, NAME, name_end)?;
    let text = sub(rest, text_start, end)?;
    let name_offset = offset + NAME;
    let line = if help {
        Line::Help(HelpLine {
            name,
            raw: text,
            name_offset,
        })
    } else {
        Line::Type(TypeLine {
            name,
            word: text,
            name_offset,
        })
    };
    Some((line, end + 1))
}

/// `s.get(start..end)`, which the compiler called out of line (about 20 instructions a call,
/// 4% of parsing the mixed bench page); the two half-open slicings inline.
#[inline(always)]
pub(crate) fn sub(s: &str, start: usize, end: usize) -> Option<&str> {
    s.get(..end)?.get(start..)
}

/// The index of the first `"`, `\` or newline at or after `i` (or `b.len()`).
#[inline(always)]
fn skip_plain(b: &[u8], i: usize) -> usize {
    escape::find_quote_backslash_newline(b, i)
}

/// Whether the backslash at `b[i]` starts an escape `escapes` allows.
#[inline(always)]
fn valid_escape(b: &[u8], i: usize, escapes: Escapes) -> bool {
    b.get(i + 1)
        .is_some_and(|&c| escapes.decode_byte(c).is_some())
}

/// The index of the first blank or newline at or after `i` (or `b.len()`).
#[inline(always)]
fn skip_token(b: &[u8], i: usize) -> usize {
    let mut i = i;
    while let Some(&c) = b.get(i) {
        if class(c) & TOKEN_END != 0 {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_shape() {
        let mut labels = Vec::new();
        let input = "a_b:c { x = \"1\" ,y=\"q\\\"\",} -1.5 42\nnext 1\n";
        let (s, len) = sample(input, 0, &mut labels).unwrap();
        assert_eq!(&input[..len], "a_b:c { x = \"1\" ,y=\"q\\\"\",} -1.5 42\n");
        assert_eq!(s.name, "a_b:c");
        assert_eq!(s.labels, Some(" x = \"1\" ,y=\"q\\\"\","));
        assert_eq!((s.value, s.timestamp), (-1.5, Some(42)));
        let labels: Vec<_> = labels
            .iter()
            .map(|l| (l.name, l.raw_value, l.quoted, l.escaped))
            .collect();
        assert_eq!(
            labels,
            [("x", "1", false, false), ("y", "q\\\"", false, true)]
        );
        let (s, len) = sample("m 1\n", 0, &mut ()).unwrap();
        assert_eq!(
            (s.name, s.labels, s.value, s.timestamp, len),
            ("m", None, 1.0, None, 4)
        );
    }

    #[test]
    fn leaves_the_rest_to_the_grammar() {
        for line in [
            "m 1",
            "m 1 ",
            "m 1 \n",
            "m\n",
            "m{} 1 2 \n",
            "m{a=\"1\"b=\"2\"} 1\n",
            "m{__name__=\"x\"} 1\n",
            "m{a=\"\\t\"} 1\n",
            "m{a=\"x\ny\"} 1\n",
            "m{\"a.b\"=\"x\"} 1\n",
            "{\"m\"} 1\n",
            "m{a=\"1\"} 1.5.5\n",
            "m 1 1.5\n",
            "1m 1\n",
        ] {
            assert!(sample(line, 0, &mut ()).is_none(), "{line:?}");
        }
    }
}

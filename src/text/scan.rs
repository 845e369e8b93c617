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

/// As [`skip`] for the name classes, sixteen bytes a step where SSE2 is there: the first
/// byte of a block that is not of class `k` ([`Block::name_bytes`](crate::block::Block)),
/// found without a branch per byte, so that where a name ends does not decide how many
/// branches run (a byte loop's exit, at a different place for every name, was the lexer's most
/// mispredicted branch). The last 15 bytes of the input take the byte loop.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn skip_name(b: &[u8], mut i: usize, k: u8) -> usize {
    use crate::block::Block;
    let metric = k == METRIC_CONT;
    while let Some(Ok(bytes)) = b.get(i..i + 16).map(<[u8; 16]>::try_from) {
        let other = !Block::new(bytes).name_bytes(metric) & 0xffff;
        if other != 0 {
            return i + other.trailing_zeros() as usize;
        }
        i += 16;
    }
    skip(b, i, k)
}

/// [`skip_name`] where SSE2 is not there: four bytes a step while all four are of class `k`.
#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
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
        Some(&c)
            if class(c) & METRIC_CONT == 0
                && rest
                    .as_bytes()
                    .get(..n)
                    .is_some_and(|head| crate::labels::same_bytes(head, previous.as_bytes())) =>
        {
            n
        }
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
            // `="` right after the name on nearly every line: one two-byte comparison.
            i = if b.get(i..i + 2) == Some(b"=\"") {
                i + 2
            } else {
                let (b'=', at) = next_non_blank(b, i)? else {
                    return None;
                };
                let (b'"', at) = next_non_blank(b, at + 1)? else {
                    return None;
                };
                at + 1
            };
            let value_start = i;
            let (end, escaped) = escaped_text(b, i, Escapes::LabelValue)?;
            i = end;
            sink.label(ScannedLabel {
                name: label,
                raw_value: sub(rest, value_start, i)?,
                quoted: false,
                escaped,
            });
            match next_non_blank(b, i + 1)? {
                (b',', at) => i = at + 1,
                (b'}', at) => {
                    i = at;
                    break;
                }
                _ => return None,
            }
        }
        labels = Some(sub(rest, start, i)?);
        i = skip(b, i + 1, BLANK);
    }
    let (value, end) = value_token(rest, i)?;
    i = end;
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

/// The sample value at `rest[i..]`, to the first blank or newline: the value and where it
/// ends. Where SSE2 is there and the value is shorter than the block at it (nearly always),
/// the block's masks find its end and [`number::parse_block`] reads the usual spellings;
/// anything else is [`number::parse_float`]'s.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn value_token(rest: &str, i: usize) -> Option<(f64, usize)> {
    use crate::block::Block;
    let b = rest.as_bytes();
    let mut plain_to = i;
    if let Some(Ok(bytes)) = b.get(i..i + 16).map(<[u8; 16]>::try_from) {
        let block = Block::new(bytes);
        let ends = token_ends(block);
        if ends != 0 {
            let n = ends.trailing_zeros() as usize;
            let value = match number::parse_block(bytes, block, n) {
                Some(v) => v,
                None => number::parse_float(sub(rest, i, i + n)?)?,
            };
            return Some((value, i + n));
        }
        // Longer than the block, which holds no end: the search goes on after it.
        plain_to = i + 16;
    }
    let end = skip_token(b, plain_to);
    Some((number::parse_float(sub(rest, i, end)?)?, end))
}

/// The mask of a block's blanks and newlines: what ends a value or timestamp token.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn token_ends(block: crate::block::Block) -> u32 {
    block.eq(b' ') | block.eq(b'\t') | block.eq(b'\n')
}

/// [`value_token`] where SSE2 is not there.
#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
#[inline(always)]
fn value_token(rest: &str, i: usize) -> Option<(f64, usize)> {
    let end = skip_token(rest.as_bytes(), i);
    Some((number::parse_float(sub(rest, i, end)?)?, end))
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
    let end = if help {
        escaped_text(b, text_start, Escapes::Help)?.0
    } else {
        // A TYPE word has no escapes: to the newline.
        let mut end = text_start;
        loop {
            end = skip_plain(b, end);
            match *b.get(end)? {
                b'\n' => break,
                _ => end += 1,
            }
        }
        end
    };
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

/// Reads text with escapes from `b[i]` on: a label value (`Escapes::LabelValue`) to its
/// closing quote, or HELP text (`Escapes::Help`, where a quote is plain) to the newline.
/// Returns the index of that quote or newline and whether the text holds an escape; `None` for
/// a newline in a label value, a backslash that does not start an escape `escapes` allows, or
/// the end of the input.
///
/// Sixteen bytes a step where SSE2 is there ([`Block`]): the masks of the backslashes, quotes
/// and newlines of a block, the escapes in it found from the backslash mask alone (a bit
/// operation per escape, no search), and the first quote or newline that is not an escaped
/// character ends the text. The last 15 bytes of the input, and every target without SSE2,
/// take [`escaped_text_words`].
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn escaped_text(b: &[u8], mut i: usize, escapes: Escapes) -> Option<(usize, bool)> {
    use crate::block::Block;
    let help = escapes == Escapes::Help;
    let mut escaped = false;
    // Bit 0 set: the first byte of this block is the character of an escape begun in the
    // last one.
    let mut carry = 0u32;
    while let Some(Ok(bytes)) = b.get(i..i + 16).map(<[u8; 16]>::try_from) {
        let block = Block::new(bytes);
        let backslashes = block.eq(b'\\') & !carry;
        let mut ends = block.eq(b'\n');
        if !help {
            ends |= block.eq(b'"');
        }
        if backslashes | carry == 0 {
            // No escape here (most blocks): the first quote or newline, if any, ends it.
            if ends == 0 {
                i += 16;
                continue;
            }
            let at = i + ends.trailing_zeros() as usize;
            return match *b.get(at)? {
                b'"' => Some((at, escaped)),
                _ if help => Some((at, escaped)),
                _ => None,
            };
        }
        // `chars`: the escaped characters that are not backslashes, the byte after each run
        // of an odd number of backslashes (bit 16: the first byte of the next block), and
        // the one carried in. Every backslash is part of an escape (or the text is refused),
        // so a backslash before the end is what makes the text escaped.
        let chars = escaped_after_runs(backslashes) | carry;
        ends &= !chars;
        // Escaped characters that `escapes` does not allow (bit 16 is checked in the next
        // block; bit 0, when carried in, may be a backslash).
        let bad = if chars & 0xffff == 0 {
            0
        } else {
            let mut allowed = block.eq(b'\\') | block.eq(b'n');
            if !help {
                allowed |= block.eq(b'"');
            }
            chars & 0xffff & !allowed
        };
        if ends != 0 {
            let f = ends.trailing_zeros();
            let before = (1u32 << f) - 1;
            if bad & before != 0 {
                return None;
            }
            // (With `carry` set, the last block already found the text escaped.)
            escaped |= backslashes & before != 0;
            let at = i + f as usize;
            return match *b.get(at)? {
                b'"' => Some((at, escaped)),
                _ if help => Some((at, escaped)),
                _ => None,
            };
        }
        if bad != 0 {
            return None;
        }
        escaped = true;
        carry = chars >> 16;
        i += 16;
    }
    if carry != 0 {
        // The character of an escape begun in the last block.
        escapes.decode_byte(*b.get(i)?)?;
        i += 1;
    }
    let (end, tail_escaped) = escaped_text_words(b, i, escapes)?;
    Some((end, escaped || tail_escaped))
}

/// The bytes that the last backslash of a run of an odd number of backslashes escapes, in a
/// block whose unescaped backslashes are `backslashes` (16 bits): bit `e + 1` for such a run
/// ending at `e` (bit 16 for the byte after the block). The backslashes inside runs escape one
/// another and need no check. Branch-free, where a loop over the escapes had its exit
/// mispredicted at a different count in every block.
///
/// A run from `s` to `e` has odd length when `s` and `e` have the same parity, that is when
/// `e + 1` and `s` differ in parity. Adding a run's lowest bit to the mask carries through the
/// run: its bits clear and bit `e + 1` sets. Done for the runs that start at even places, the
/// odd places among the bits it sets are their odd runs' ends; done for the odd-start runs,
/// the even places.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn escaped_after_runs(backslashes: u32) -> u32 {
    const EVEN: u32 = 0x5555_5555;
    let starts = backslashes & !(backslashes << 1);
    let after_even = (backslashes + (starts & EVEN)) & !backslashes;
    let after_odd = (backslashes + (starts & !EVEN)) & !backslashes;
    (after_even & !EVEN) | (after_odd & EVEN)
}

/// [`escaped_text`] where SSE2 is not there: the word-at-a-time version.
#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
#[inline(always)]
fn escaped_text(b: &[u8], i: usize, escapes: Escapes) -> Option<(usize, bool)> {
    escaped_text_words(b, i, escapes)
}

/// [`escaped_text`] eight bytes a step: the plain runs searched a word at a time
/// ([`skip_plain`]), each escape checked where the search stops at it.
#[inline(always)]
fn escaped_text_words(b: &[u8], mut i: usize, escapes: Escapes) -> Option<(usize, bool)> {
    let help = escapes == Escapes::Help;
    let mut escaped = false;
    loop {
        i = skip_plain(b, i);
        match *b.get(i)? {
            b'"' if help => i += 1,
            b'"' => return Some((i, escaped)),
            b'\n' if help => return Some((i, escaped)),
            b'\\' if valid_escape(b, i, escapes) => {
                escaped = true;
                i += 2;
            }
            _ => return None,
        }
    }
}

/// Whether the backslash at `b[i]` starts an escape `escapes` allows.
#[inline(always)]
fn valid_escape(b: &[u8], i: usize, escapes: Escapes) -> bool {
    b.get(i + 1)
        .is_some_and(|&c| escapes.decode_byte(c).is_some())
}

/// The index of the first blank or newline at or after `i` (or `b.len()`): sixteen bytes a
/// step where SSE2 is there, as [`skip_name`] (a value's length differs from line to line),
/// the byte loop for the last 15 bytes of the input.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn skip_token(b: &[u8], mut i: usize) -> usize {
    use crate::block::Block;
    while let Some(Ok(bytes)) = b.get(i..i + 16).map(<[u8; 16]>::try_from) {
        let ends = token_ends(Block::new(bytes));
        if ends != 0 {
            return i + ends.trailing_zeros() as usize;
        }
        i += 16;
    }
    skip_token_bytes(b, i)
}

/// [`skip_token`] where SSE2 is not there.
#[cfg(not(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
)))]
#[inline(always)]
fn skip_token(b: &[u8], i: usize) -> usize {
    skip_token_bytes(b, i)
}

/// [`skip_token`] a byte a step.
#[inline(always)]
fn skip_token_bytes(b: &[u8], i: usize) -> usize {
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

    /// The 16-byte reader against the 8-byte one on text made of the bytes that matter to it,
    /// at every length and alignment up to past three blocks: the same end, the same
    /// escaped flag, the same refusals.
    #[test]
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    fn escaped_after_runs_of_every_block() {
        // Each escape from the lowest backslash up takes the byte after it, which starts
        // nothing even when it is a backslash; the bytes wanted are those escaped that are
        // not backslashes.
        for backslashes in 0..=0xffffu32 {
            let mut chars = 0;
            let mut rest = backslashes;
            while rest != 0 {
                let p = rest.trailing_zeros();
                chars |= 2 << p;
                rest &= !(3 << p);
            }
            assert_eq!(
                escaped_after_runs(backslashes),
                chars & !backslashes,
                "{backslashes:#06x}"
            );
        }
    }

    #[test]
    fn blocks_read_as_words_do() {
        use proptest::prelude::*;
        let piece = proptest::sample::select(vec![
            "a", "a", "a", "a", "\\\\", "\\\"", "\\n", "\\", "\"", "\n", "n", "\\x", "\u{e9}",
        ]);
        let text = proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat());
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(20_000));
        runner
            .run(&(text, 0usize..16), |(text, lead)| {
                let input = format!("{}{text}", "b".repeat(lead));
                let b = input.as_bytes();
                for escapes in [Escapes::LabelValue, Escapes::Help] {
                    prop_assert_eq!(
                        escaped_text(b, lead, escapes),
                        escaped_text_words(b, lead, escapes),
                        "{:?} {:?}",
                        input,
                        escapes
                    );
                }
                Ok(())
            })
            .unwrap();
    }
}

//! Escaping shared by the text formats.
//!
//! ```text
//! label value escapes:                  \\  \"  \n
//! HELP text escapes:                    \\  \n
//! OpenMetrics (label values and HELP):  \\  \"  \n, and any other `\c` kept as written
//! ```
//!
//! Unescaping borrows when the text has no backslash, so escape-free input is never copied.

use std::borrow::Cow;

/// Which escapes a piece of text allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// Label values: `\\`, `\"`, `\n`.
    LabelValue,
    /// HELP text: `\\`, `\n`.
    Help,
    /// OpenMetrics label values and HELP text: `\\`, `\"`, `\n`. The ABNF's
    /// `escaped-char = BS normal-char` makes a backslash before any other character valid too;
    /// it stands for itself (`\z` reads as the two characters `\z`), as in the reference
    /// parsers, and so does a backslash that ends HELP text.
    OpenMetrics,
}

impl Escapes {
    /// What the escape `\c` stands for, if it is one, as a byte (every decoded character is
    /// ASCII).
    #[inline]
    pub(crate) fn decode_byte(self, c: u8) -> Option<u8> {
        match (c, self) {
            (b'\\', _) => Some(b'\\'),
            (b'n', _) => Some(b'\n'),
            (b'"', Escapes::LabelValue | Escapes::OpenMetrics) => Some(b'"'),
            _ => None,
        }
    }

    /// What the escape `\c` stands for, if it is one.
    #[inline]
    pub fn decode(self, c: u8) -> Option<char> {
        self.decode_byte(c).map(char::from)
    }
}

/// Finds the first invalid escape in `raw`: its byte offset (of the backslash) and the
/// character after it, or `None` for a trailing lone backslash at `raw.len() - 1`.
///
/// [`Escapes::OpenMetrics`] has no invalid escapes.
pub fn find_invalid_escape(raw: &str, escapes: Escapes) -> Option<(usize, Option<char>)> {
    if escapes == Escapes::OpenMetrics {
        return None;
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(pos) = memchr::memchr(b'\\', bytes.get(i..)?) {
        let at = i + pos;
        match bytes.get(at + 1) {
            None => return Some((at, None)),
            Some(&c) if escapes.decode(c).is_none() => {
                let next = raw.get(at + 1..).and_then(|s| s.chars().next());
                return Some((at, next));
            }
            Some(_) => i = at + 2,
        }
    }
    None
}

/// Unescapes text that [`find_invalid_escape`] found valid; borrows when there is nothing to
/// do. An invalid escape (impossible after validation) keeps its character; with
/// [`Escapes::OpenMetrics`], an escape it does not decode keeps its backslash too.
pub fn unescape(raw: &str, escapes: Escapes) -> Cow<'_, str> {
    let bytes = raw.as_bytes();
    let Some(first) = first_backslash(bytes) else {
        return Cow::Borrowed(raw);
    };
    let mut out = Vec::with_capacity(raw.len());
    unescape_rest(bytes, first, &mut out, escapes);
    match crate::utf8::into_string(out) {
        Ok(s) => Cow::Owned(s),
        // Unreachable: see `unescape_rest`. Kept panic-free all the same.
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Appends `bytes` to `out` with their escapes decoded, given `first`, an index with no
/// backslash before it (the first backslash's, from [`first_backslash`], or 0).
#[inline(always)]
pub(crate) fn unescape_rest(bytes: &[u8], first: usize, out: &mut Vec<u8>, escapes: Escapes) {
    // The plain runs between escapes are copied 8 bytes a step: a word is appended whole, then
    // cut back to the first backslash in it (the lowest mark of `backslash_marks` is exact).
    // The output never outgrows the input (an escape of two bytes becomes one or two), so
    // appending a word to the output as long as the input read so far stays within
    // `bytes.len()` more bytes. Only ASCII bytes are dropped or replaced (a backslash and the
    // ASCII character after it), so multi-byte characters are copied whole.
    out.extend_from_slice(bytes.get(..first).unwrap_or_default());
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            let Some(&c) = bytes.get(i + 1) else {
                out.push(b'\\');
                break;
            };
            i += 2;
            match escapes.decode_byte(c) {
                Some(decoded) => out.push(decoded),
                None => {
                    if escapes == Escapes::OpenMetrics {
                        out.push(b'\\');
                    }
                    out.push(c);
                }
            }
        } else if let Some(Ok(word)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
            out.extend_from_slice(&word);
            let marks = backslash_marks(u64::from_le_bytes(word));
            if marks == 0 {
                i += 8;
            } else {
                // The first backslash is `plain` bytes into the word (0 to 7; not 0, as the
                // byte at `i` is none).
                let plain = (marks.trailing_zeros() / 8) as usize;
                out.truncate(out.len() - (8 - plain));
                i += plain;
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
}

/// Unescapes the first `len` bytes of `text` into `out`, 16 bytes a step with SSE2; returns
/// the unescaped bytes (a prefix of `out`).
///
/// `text` is the escaped text followed by whatever comes after it (the rest of the input), so
/// that a block may be read whole past `len`; its lanes from `len` on are neither decoded nor
/// kept. Each block is stored whole at the output's end, which then moves past the block's
/// bytes before its first backslash (or its last byte within `len`); the escape there is
/// decoded and the next block starts after it. `out` is a scratch buffer, grown to `len + 16`
/// bytes and never shrunk, so that a block's store always fits (the output is never ahead of
/// the input read). Where fewer than 16 bytes of `text` are left, a byte at a time.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
pub(crate) fn unescape_blocks<'o>(
    text: &[u8],
    len: usize,
    out: &'o mut Vec<u8>,
    escapes: Escapes,
) -> &'o [u8] {
    if out.len() < len + 16 {
        out.resize(len + 16, 0);
    }
    let raw = text.get(..len).unwrap_or_default();
    let (mut i, mut j) = (0, 0);
    // Blocks within the text.
    while let Some(Ok(block)) = raw.get(i..i + 16).map(<[u8; 16]>::try_from) {
        if let Some(dst) = out.get_mut(j..j + 16) {
            dst.copy_from_slice(&block);
        }
        let marks = crate::block::Block::new(block).eq(b'\\');
        if marks == 0 {
            i += 16;
            j += 16;
        } else {
            let plain = marks.trailing_zeros() as usize;
            (i, j) = decode_escape(raw, i + plain, out, j + plain, escapes);
        }
    }
    // Its last bytes (fewer than 16), in blocks that read on past it.
    while i < len {
        let Some(Ok(block)) = text.get(i..i + 16).map(<[u8; 16]>::try_from) else {
            break;
        };
        if let Some(dst) = out.get_mut(j..j + 16) {
            dst.copy_from_slice(&block);
        }
        // Fewer than 16 lanes are the text's, as the loop above ended.
        let left = len - i;
        let marks = crate::block::Block::new(block).eq(b'\\') & ((1 << left) - 1);
        if marks == 0 {
            i += left;
            j += left;
            break;
        }
        let plain = marks.trailing_zeros() as usize;
        (i, j) = decode_escape(raw, i + plain, out, j + plain, escapes);
    }
    // Fewer than 16 bytes of `text` from `i` on (the input's end is near).
    while let Some(&b) = raw.get(i) {
        if b == b'\\' {
            (i, j) = decode_escape(raw, i, out, j, escapes);
        } else {
            put(out, j, b);
            (i, j) = (i + 1, j + 1);
        }
    }
    out.get(..j).unwrap_or_default()
}

/// Decodes the escape at `raw[i]` (a backslash) into `out[j..]`; returns where input and
/// output go on.
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn decode_escape(
    raw: &[u8],
    i: usize,
    out: &mut [u8],
    j: usize,
    escapes: Escapes,
) -> (usize, usize) {
    let Some(&c) = raw.get(i + 1) else {
        // A backslash that ends the text (OpenMetrics HELP) stands for itself.
        put(out, j, b'\\');
        return (i + 1, j + 1);
    };
    match escapes.decode_byte(c) {
        Some(decoded) => {
            put(out, j, decoded);
            (i + 2, j + 1)
        }
        None if escapes == Escapes::OpenMetrics => {
            put(out, j, b'\\');
            put(out, j + 1, c);
            (i + 2, j + 2)
        }
        None => {
            put(out, j, c);
            (i + 2, j + 1)
        }
    }
}

/// Stores `b` at `out[j]` (within the room [`unescape_blocks`] made).
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn put(out: &mut [u8], j: usize, b: u8) {
    if let Some(slot) = out.get_mut(j) {
        *slot = b;
    }
}

/// The index of the first backslash in `b`. Names and HELP texts are mostly short and have
/// none, and for them a few words read inline cost less than a call to `memchr` (which
/// chooses its search at run time); longer text takes `memchr`.
#[inline(always)]
pub(crate) fn first_backslash(b: &[u8]) -> Option<usize> {
    if b.len() > 32 {
        return memchr::memchr(b'\\', b);
    }
    let mut i = 0;
    while let Some(Ok(word)) = b.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let marks = backslash_marks(u64::from_le_bytes(word));
        if marks != 0 {
            return Some(i + (marks.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i == b.len() {
        return None;
    }
    // Fewer than 8 bytes left. With 8 or more in all, the last 8 start within bytes the words
    // above found clean, so their lowest mark (exact) is the first backslash at or after `i`.
    let n = b.len();
    if let Some(Ok(word)) = n
        .checked_sub(8)
        .and_then(|at| b.get(at..))
        .map(<[u8; 8]>::try_from)
    {
        let marks = backslash_marks(u64::from_le_bytes(word));
        return (marks != 0).then(|| n - 8 + (marks.trailing_zeros() / 8) as usize);
    }
    b.iter().position(|&c| c == b'\\')
}

/// The high bit of each lane of `x` (eight bytes, little-endian) that may be a backslash:
/// every backslash lane is marked and the lowest mark is one (see
/// [`find_quote_backslash_newline`]).
#[inline(always)]
fn backslash_marks(x: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let v = x ^ (ONES * u64::from(b'\\'));
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// Decodes a raw name from a parser: the text between the quotes of a quoted name (the
/// escapes of label values) or a bare name (which has no backslash); borrows when there is
/// nothing to decode.
#[inline]
pub fn unescape_name(raw: &str) -> Cow<'_, str> {
    unescape(raw, Escapes::LabelValue)
}

/// A label name as a parser read it: decoded when it was `quoted` (only a quoted name may hold
/// escapes), borrowed without a search otherwise.
#[inline]
pub(crate) fn label_name(raw: &str, quoted: bool) -> Cow<'_, str> {
    if quoted {
        unescape_name(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// Appends `name` as a quoted name (`"my.metric"`), escaping `\\`, `\"` and `\n`.
pub fn quote_name_into(out: &mut String, name: &str) {
    out.push('"');
    escape_into(out, name, Escapes::LabelValue);
    out.push('"');
}

/// Appends `s` with the escapes of `escapes` applied.
#[inline(always)]
pub fn escape_into(out: &mut String, s: &str, escapes: Escapes) {
    // Most label values and HELP texts have nothing to escape: one search, one copy, inline.
    let b = s.as_bytes();
    let first = match b.len() {
        #[cfg(all(
            any(target_arch = "x86", target_arch = "x86_64"),
            target_feature = "sse2"
        ))]
        16.. => find_quote_backslash_newline_blocks(b),
        8.. => find_quote_backslash_newline(b, 0),
        _ if short_has_quote_backslash_newline(b) => 0,
        n => n,
    };
    if first == b.len() {
        out.push_str(s);
    } else {
        escape_runs_into(out, s, escapes, first);
    }
}

/// [`find_quote_backslash_newline`] from 0 for text of 16 bytes or more, 16 bytes a step with
/// SSE2; the last block overlaps the one before it (its lanes before `i` are clean).
#[cfg(all(
    any(target_arch = "x86", target_arch = "x86_64"),
    target_feature = "sse2"
))]
#[inline(always)]
fn find_quote_backslash_newline_blocks(b: &[u8]) -> usize {
    let marks = |at: usize| -> Option<u32> {
        let block: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
        let block = crate::block::Block::new(block);
        Some(block.eq(b'"') | block.eq(b'\\') | block.eq(b'\n'))
    };
    let mut i = 0;
    while let Some(m) = marks(i) {
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    let n = b.len();
    if i >= n {
        return n;
    }
    // Fewer than 16 bytes left, and at least 16 in all: the last 16 start within clean bytes.
    match n.checked_sub(16).and_then(|at| marks(at).map(|m| (at, m))) {
        Some((_, 0)) => n,
        Some((at, m)) => at + m.trailing_zeros() as usize,
        None => find_quote_backslash_newline(b, i),
    }
}

/// [`escape_into`] for text with something to escape, the first at `first`: copies the runs
/// between the escapes.
#[inline(never)]
fn escape_runs_into(out: &mut String, s: &str, escapes: Escapes, first: usize) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = first;
    // Sixteen bytes a step where SSE2 is there: every byte to escape in a block from its mask,
    // without a search for each.
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    while let Some(Ok(block)) = bytes.get(i..i + 16).map(<[u8; 16]>::try_from) {
        let block = crate::block::Block::new(block);
        let mut marks = block.eq(b'\\') | block.eq(b'\n');
        if escapes != Escapes::Help {
            marks |= block.eq(b'"');
        }
        while marks != 0 {
            let at = i + marks.trailing_zeros() as usize;
            let escaped = match bytes.get(at) {
                Some(b'\n') => "\\n",
                Some(b'\\') => "\\\\",
                _ => "\\\"",
            };
            // `start..at` lies between ASCII bytes (or the ends): on character boundaries.
            out.push_str(s.get(start..at).unwrap_or_default());
            out.push_str(escaped);
            start = at + 1;
            marks &= marks - 1;
        }
        i += 16;
    }
    loop {
        i = find_quote_backslash_newline(bytes, i);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let escaped = match b {
            b'\n' => "\\n",
            b'\\' => "\\\\",
            // HELP text keeps its quotes.
            _ if escapes == Escapes::Help => {
                i += 1;
                continue;
            }
            _ => "\\\"",
        };
        // `start..i` lies between ASCII bytes (or the ends): on character boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        out.push_str(escaped);
        i += 1;
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

/// Whether `b` holds a `"`, `\\` or newline, for text shorter than 8 bytes: two overlapping
/// reads of four or two bytes, as one word whose other lanes are zero (none of the three). With
/// no such byte in a word no lane is marked (a false mark needs a true one below it). Longer
/// text (which [`escape_into`] searches itself) takes the word search.
#[inline(always)]
fn short_has_quote_backslash_newline(b: &[u8]) -> bool {
    // A read that cannot fail (the lengths are checked) falls back to a marked value.
    let w4 = |c: &[u8]| u64::from(u32::from_le_bytes(c.try_into().unwrap_or([b'"'; 4])));
    let w2 = |c: &[u8]| u64::from(u16::from_le_bytes(c.try_into().unwrap_or([b'"'; 2])));
    let n = b.len();
    let x = match n {
        0 => return false,
        1 => u64::from(b.first().copied().unwrap_or(b'"')),
        2..4 => w2(b.get(..2).unwrap_or_default()) | w2(b.get(n - 2..).unwrap_or_default()) << 16,
        4..8 => w4(b.get(..4).unwrap_or_default()) | w4(b.get(n - 4..).unwrap_or_default()) << 32,
        _ => return find_quote_backslash_newline(b, 0) < n,
    };
    quote_backslash_newline_marks(x) != 0
}

/// The high bit of each lane of `x` (eight bytes, little-endian) that may be a `"`, `\\` or
/// newline: every such lane is marked, and the lowest mark is one; a lane above a marked one
/// may be marked falsely (see [`find_quote_backslash_newline`]).
#[inline(always)]
fn quote_backslash_newline_marks(x: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    (zero(x ^ (ONES * u64::from(b'"')))
        | zero(x ^ (ONES * u64::from(b'\\')))
        | zero(x ^ (ONES * u64::from(b'\n'))))
        & HIGHS
}

/// The index of the first `"`, `\\` or newline in `b` at or after `i` (or `b.len()`): the
/// bytes that end the plain run of a label value, for readers and writers alike. Eight bytes
/// at a time: a byte equal to one of the three zeroes its lane of `x ^ splat(c)`, and
/// `(v - 0x01..) & !v & 0x80..` marks the lowest zero lane exactly (lanes above it may be
/// marked falsely, but only the lowest mark is used).
#[inline(always)]
pub(crate) fn find_quote_backslash_newline(b: &[u8], mut i: usize) -> usize {
    let from = i;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let found = quote_backslash_newline_marks(u64::from_le_bytes(bytes));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // Fewer than 8 bytes left. When the words above read from `from` to `i`, the last 8 bytes
    // of `b` start within what they found clean, so one more word, overlapping, ends the
    // search: its lowest mark (exact) is the first byte at or after `i`.
    if i < b.len() && from + 8 <= b.len() {
        if let Some(Ok(bytes)) = b.get(b.len() - 8..).map(<[u8; 8]>::try_from) {
            let found = quote_backslash_newline_marks(u64::from_le_bytes(bytes));
            return if found == 0 {
                b.len()
            } else {
                b.len() - 8 + (found.trailing_zeros() / 8) as usize
            };
        }
    }
    while let Some(&c) = b.get(i) {
        if matches!(c, b'"' | b'\\' | b'\n') {
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
    fn the_searches_see_each_byte() {
        for len in 0..=40 {
            let plain = vec![b'a'; len];
            assert!(
                !short_has_quote_backslash_newline(&plain[..len.min(7)]),
                "len {len}"
            );
            assert_eq!(find_quote_backslash_newline(&plain, 0), len);
            for at in 0..len {
                // The bytes one above the three (a false mark needs a true one below it).
                for (c, found) in [
                    (b'"', true),
                    (b'\\', true),
                    (b'\n', true),
                    (b'#', false),
                    (b']', false),
                    (0x0b, false),
                    (0, false),
                ] {
                    let mut bytes = plain.clone();
                    bytes[at] = c;
                    let expected = if found { at } else { len };
                    for from in 0..=at {
                        let got = find_quote_backslash_newline(&bytes, from);
                        assert_eq!(got, expected, "len {len}, {c:#x} at {at}, from {from}");
                    }
                    if len < 8 {
                        let got = short_has_quote_backslash_newline(&bytes);
                        assert_eq!(got, found, "len {len}, {c:#x} at {at}");
                    }
                    let mut out = String::new();
                    let text = std::str::from_utf8(&bytes).unwrap_or_default();
                    escape_into(&mut out, text, Escapes::LabelValue);
                    let grown = usize::from(found);
                    assert_eq!(out.len(), len + grown, "len {len}, {c:#x} at {at}");
                }
            }
        }
    }

    /// The 16-byte search against the 8-byte one: a quote, backslash or newline (or a byte
    /// near them that is none) at every place of text from one block to past three.
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    #[test]
    fn the_block_search_sees_each_byte() {
        for len in 16..=50 {
            let plain = vec![b'a'; len];
            assert_eq!(
                find_quote_backslash_newline_blocks(&plain),
                len,
                "len {len}"
            );
            for at in 0..len {
                for c in [b'"', b'\\', b'\n', b'#', b']', 0x0b, 0xff] {
                    let mut bytes = plain.clone();
                    bytes[at] = c;
                    assert_eq!(
                        find_quote_backslash_newline_blocks(&bytes),
                        find_quote_backslash_newline(&bytes, 0),
                        "len {len}, {c:#x} at {at}"
                    );
                }
            }
        }
    }

    /// `unescape_blocks` of `raw` followed by `after`, into a scratch buffer left full of
    /// other bytes, against `unescape`.
    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    fn blocks_agree(raw: &str, after: &str, escapes: Escapes, scratch: &mut Vec<u8>) {
        let text = format!("{raw}{after}");
        scratch.iter_mut().for_each(|b| *b = 0xff);
        let out = unescape_blocks(text.as_bytes(), raw.len(), scratch, escapes);
        assert_eq!(
            std::str::from_utf8(out),
            Ok(&*unescape(raw, escapes)),
            "{raw:?} then {after:?}, {escapes:?}"
        );
    }

    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    #[test]
    fn block_unescape_decodes_each_escape_at_each_place() {
        // An escape at every place of text up to past three blocks, with every length of text
        // after it (the input's end near or far; backslashes there must not be decoded).
        let mut scratch = Vec::new();
        for len in 2..=50usize {
            for at in 0..len - 1 {
                for (esc, modes) in [
                    (
                        r"\\",
                        &[Escapes::LabelValue, Escapes::Help, Escapes::OpenMetrics][..],
                    ),
                    (
                        r"\n",
                        &[Escapes::LabelValue, Escapes::Help, Escapes::OpenMetrics],
                    ),
                    (r#"\""#, &[Escapes::LabelValue, Escapes::OpenMetrics]),
                    (r"\z", &[Escapes::OpenMetrics]),
                ] {
                    let raw = format!("{}{esc}{}", "a".repeat(at), "é".repeat((len - at - 2) / 2));
                    for after in 0..=18 {
                        let after: String = r"\n".chars().cycle().take(after).collect();
                        for &mode in modes {
                            blocks_agree(&raw, &after, mode, &mut scratch);
                        }
                    }
                }
            }
        }
        // A backslash that ends OpenMetrics HELP text stands for itself.
        blocks_agree("a\\", "", Escapes::OpenMetrics, &mut scratch);
        blocks_agree(
            &format!("{}\\", "a".repeat(20)),
            "\n#",
            Escapes::OpenMetrics,
            &mut scratch,
        );
    }

    #[cfg(all(
        any(target_arch = "x86", target_arch = "x86_64"),
        target_feature = "sse2"
    ))]
    proptest::proptest! {
        #[test]
        fn block_unescape_agrees_with_unescape(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z ]{1,20}",
                    "[é€😀]{1,4}",
                    proptest::strategy::Just(r"\\".to_owned()),
                    proptest::strategy::Just(r"\n".to_owned()),
                    proptest::strategy::Just(r#"\""#.to_owned()),
                ],
                0..24,
            ),
            after in r#"[a\\"\n]{0,20}"#,
        ) {
            let raw: String = pieces.concat();
            blocks_agree(&raw, &after, Escapes::LabelValue, &mut Vec::new());
            blocks_agree(&raw, &after, Escapes::OpenMetrics, &mut Vec::new());
        }
    }

    #[test]
    fn first_backslash_sees_each_byte() {
        // Past the 32 bytes below which words are read inline; a `]` (one above a backslash)
        // before and after the backslash, which a false mark would stop at.
        for len in 0..=40 {
            let plain = vec![b'a'; len];
            assert_eq!(first_backslash(&plain), None, "len {len}");
            for at in 0..len {
                let mut bytes = plain.clone();
                bytes[at] = b'\\';
                for near in [at.wrapping_sub(1), at + 1] {
                    if let Some(b) = bytes.get_mut(near) {
                        *b = b']';
                    }
                }
                assert_eq!(first_backslash(&bytes), Some(at), "len {len}, at {at}");
                let mut only = plain.clone();
                only[at] = b']';
                assert_eq!(first_backslash(&only), None, "len {len}, ']' at {at}");
            }
        }
    }

    #[test]
    fn unescape_borrows_clean_text() {
        assert!(matches!(
            unescape("abc", Escapes::LabelValue),
            Cow::Borrowed("abc")
        ));
        assert_eq!(unescape(r#"a\\b\"c\nd"#, Escapes::LabelValue), "a\\b\"c\nd");
        assert_eq!(unescape(r"a\\b\nc", Escapes::Help), "a\\b\nc");
        // An escape it does not decode keeps its character (a multi-byte one whole).
        assert_eq!(unescape("a\\€", Escapes::LabelValue), "a€");
    }

    #[test]
    fn unescape_sees_each_escape_in_a_word() {
        // Two escapes with plain runs of every length up to past two words around and between
        // them (a multi-byte character among the plain ones), against the text built from the
        // pieces.
        let plain = |n: usize| {
            "ab€defghijklmnopqrstuvwxyz"
                .chars()
                .take(n)
                .collect::<String>()
        };
        for (escape, decoded) in [(r"\n", "\n"), (r"\\", "\\"), (r#"\"\n"#, "\"\n")] {
            for before in 0..=10 {
                for between in 0..=18 {
                    for after in 0..=10 {
                        let (a, b, c) = (plain(before), plain(between), plain(after));
                        let raw = format!("{a}{escape}{b}{escape}{c}");
                        let want = format!("{a}{decoded}{b}{decoded}{c}");
                        assert_eq!(unescape(&raw, Escapes::LabelValue), want, "{raw:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn openmetrics_keeps_unknown_escapes() {
        let om = Escapes::OpenMetrics;
        assert_eq!(unescape(r#"b\"a\nr"#, om), "b\"a\nr");
        assert_eq!(unescape(r"b\\a\z", om), "b\\a\\z");
        assert_eq!(unescape(r"\foo", om), "\\foo");
        assert_eq!(unescape(r"x\", om), "x\\");
        assert_eq!(unescape("\\é", om), "\\é");
        assert_eq!(find_invalid_escape(r"a\tb\", om), None);
        let mut out = String::new();
        escape_into(&mut out, "a\"b\\c\nd", om);
        assert_eq!(out, r#"a\"b\\c\nd"#);
    }

    #[test]
    fn invalid_escapes_are_found() {
        assert_eq!(
            find_invalid_escape(r"ab\tc", Escapes::LabelValue),
            Some((2, Some('t')))
        );
        assert_eq!(
            find_invalid_escape(r#"a\"b"#, Escapes::Help),
            Some((1, Some('"')))
        );
        assert_eq!(find_invalid_escape(r"ab\", Escapes::Help), Some((2, None)));
        assert_eq!(find_invalid_escape(r"a\\\\b\n", Escapes::Help), None);
        assert_eq!(
            find_invalid_escape("a\\é", Escapes::Help),
            Some((1, Some('é')))
        );
    }

    proptest::proptest! {
        /// Escaping and unescaping against the rule written per character, on strings long
        /// enough for the 8-byte search and with multi-byte characters.
        #[test]
        fn escaping_follows_the_rule(s in "[a-z\"\\\\\n é€]{0,40}") {
            for e in [Escapes::LabelValue, Escapes::Help, Escapes::OpenMetrics] {
                let want: String = s
                    .chars()
                    .map(|c| match c {
                        '\\' => "\\\\".to_string(),
                        '\n' => "\\n".to_string(),
                        '"' if e != Escapes::Help => "\\\"".to_string(),
                        c => c.to_string(),
                    })
                    .collect();
                let mut out = String::from("x");
                escape_into(&mut out, &s, e);
                proptest::prop_assert_eq!(&out[1..], &want[..]);
                proptest::prop_assert_eq!(unescape(&want, e), &s[..]);
            }
        }
    }

    proptest::proptest! {
        /// Unescaping any text, invalid escapes and a backslash before a multi-byte character
        /// or at the end included, against the rule written per character.
        #[test]
        fn unescaping_follows_the_rule(s in "[a-z\"\\\\\n é€tz]{0,40}") {
            for e in [Escapes::LabelValue, Escapes::Help, Escapes::OpenMetrics] {
                let mut want = String::new();
                let mut chars = s.chars();
                while let Some(c) = chars.next() {
                    if c != '\\' {
                        want.push(c);
                        continue;
                    }
                    let Some(next) = chars.next() else {
                        want.push('\\');
                        break;
                    };
                    match u8::try_from(next).ok().and_then(|b| e.decode_byte(b)) {
                        Some(decoded) => want.push(char::from(decoded)),
                        None => {
                            if e == Escapes::OpenMetrics {
                                want.push('\\');
                            }
                            want.push(next);
                        }
                    }
                }
                proptest::prop_assert_eq!(unescape(&s, e), &want[..]);
            }
        }
    }

    #[test]
    fn escape_round_trips() {
        for s in ["", "plain", "x\"} 1\nevil 1\n#", "a\\nb", "\\", "é\"\n"] {
            for e in [Escapes::LabelValue, Escapes::Help, Escapes::OpenMetrics] {
                let mut out = String::new();
                escape_into(&mut out, s, e);
                assert_eq!(find_invalid_escape(&out, e), None, "{out}");
                if e == Escapes::Help {
                    // HELP keeps '"' as is.
                    assert!(!out.contains('\n'));
                }
                assert_eq!(unescape(&out, e), s);
            }
        }
    }
}

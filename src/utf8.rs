//! UTF-8 checks for short strings, and the crate's two `unsafe` blocks.
//!
//! `std::str::from_utf8` steps byte by byte until its input is word-aligned, so on the short
//! names, HELP texts and label runs of a body it costs about 127 instructions a call
//! (callgrind, `proto::decode` of the bench's node-like page: 6 203 calls, 11% of the decode).
//! Most such strings are ASCII, which [`is_ascii`] tells from unaligned 8-byte words; an ASCII
//! string is then a `str` without a second pass. That took the decode of the same page from
//! 7.04 M to 6.49 M instructions (`benches/HISTORY.md`, "Instruction counts", 9e066ae).
//! Safe Rust has no way to make a `&str` from bytes without re-checking them, hence the
//! `unsafe` below.
//!
//! [`into_string`] does the same for the `String` that `escape::unescape` builds: its check
//! at the end was 87 instructions a call on the values of the bench's escape-heavy page (about
//! 30 bytes each), and without it `text::parse` of that page went from 22.43 M to 21.66 M
//! instructions.

/// Whether every byte is below 0x80, read 8 bytes at a time (the last word overlaps the one
/// before it instead of ending in a byte loop).
#[inline(always)]
pub(crate) fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0x80; 8]));
    if bytes.len() < 8 {
        return bytes.iter().fold(0, |acc, &b| acc | b) < 0x80;
    }
    // `len >= 8`, so the last 8 bytes exist; the fallback value fails the check.
    let mut acc = bytes.get(bytes.len() - 8..).map_or(HIGH, word);
    for w in bytes.chunks_exact(8) {
        acc |= word(w);
    }
    // Every byte is in a word: the chunks cover `len - len % 8` bytes from the start, the last
    // word the final 8, and `len % 8 < 8` bytes lie between.
    acc & HIGH == 0
}

/// `bytes` as a `str` when they are UTF-8: ASCII by [`is_ascii`], anything else by
/// `std::str::from_utf8`.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn to_str(bytes: &[u8]) -> Option<&str> {
    if is_ascii(bytes) {
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: `from_utf8_unchecked` requires valid UTF-8. `is_ascii` returned true, so
        // every byte is below 0x80 (each is ORed into `acc`, whose high bits are then clear),
        // and a sequence of bytes below 0x80 is valid UTF-8: each byte is a one-byte code
        // point. The tests below check `is_ascii` against `<[u8]>::is_ascii` on every length
        // up to 40 with a high byte at every position, and on generated ASCII with at most one
        // high byte at any start offset; debug builds (the tests, and the fuzz targets, which
        // CI builds with debug assertions) re-check each call with the `debug_assert` above.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

/// `bytes` as a `String` when they are UTF-8, without copying: ASCII by [`is_ascii`], anything
/// else by `String::from_utf8` (see the module docs).
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn into_string(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if is_ascii(&bytes) {
        debug_assert!(std::str::from_utf8(&bytes).is_ok());
        // SAFETY: `from_utf8_unchecked` requires valid UTF-8, and `is_ascii` returned true:
        // every byte is below 0x80, each a one-byte code point, as in `to_str` above (whose
        // tests check `is_ascii`).
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        String::from_utf8(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::{into_string, is_ascii, to_str};
    use proptest::prelude::*;

    #[test]
    fn a_high_bit_anywhere_is_seen() {
        for len in 0..=40 {
            let ascii = vec![b'a'; len];
            assert!(is_ascii(&ascii), "len {len}");
            for at in 0..len {
                for high in [0x80, 0xc3, 0xff] {
                    let mut bytes = ascii.clone();
                    bytes[at] = high;
                    assert!(!is_ascii(&bytes), "len {len}, 0x{high:x} at {at}");
                }
            }
        }
    }

    #[test]
    fn non_ascii_utf8_still_converts() {
        assert_eq!(to_str("grüße".as_bytes()), Some("grüße"));
        assert_eq!(to_str(b"caf\xc3"), None);
        assert_eq!(to_str(b""), Some(""));
        assert_eq!(into_string("grüße".into()).ok().as_deref(), Some("grüße"));
        assert!(into_string(b"caf\xc3".to_vec()).is_err());
    }

    proptest! {
        #[test]
        fn agrees_with_std(
            ascii in proptest::collection::vec(0u8..0x80, 0..80),
            other in proptest::option::of((any::<prop::sample::Index>(), 0x80u8..)),
            skip in 0usize..8,
        ) {
            // ASCII with at most one byte from above 0x7f, at any start offset, so that
            // alignment cannot matter.
            let mut bytes = ascii;
            if let (Some((at, b)), false) = (other, bytes.is_empty()) {
                let at = at.index(bytes.len());
                bytes[at] = b;
            }
            let bytes = bytes.get(skip.min(bytes.len())..).unwrap_or_default();
            prop_assert_eq!(is_ascii(bytes), bytes.is_ascii());
            prop_assert_eq!(to_str(bytes), std::str::from_utf8(bytes).ok());
            let want = String::from_utf8(bytes.to_vec()).ok();
            prop_assert_eq!(into_string(bytes.to_vec()).ok(), want);
        }
    }
}

//! Sixteen bytes classified at once: the bit mask of the lanes equal to a byte (bit `k` for
//! byte `k`), in a range of bytes, or of a name's charset. On x86 and x86-64 with SSE2 (every
//! x86-64 target) a mask is a few compares and one `pmovmskb`, through `safe_arch`, which
//! exposes the SSE2 intrinsics as safe functions exactly when the target enables SSE2;
//! elsewhere the crate reads a byte or eight bytes at a time instead, and this module is not
//! built.
//!
//! Used where text with escapes is read or written: the text lexer's label values and HELP
//! texts (`text::scan`), and `escape::escape_into` for text with something to escape; and by
//! the lexer's fast path for names and sample values (`text::scan`, `number::parse_block`),
//! where a byte loop's exit, at a different place for every token, cost a mispredicted branch.

use safe_arch::{
    add_i8_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_lt_mask_i8_m128i, m128i,
    move_mask_i8_m128i, set_splat_i8_m128i,
};

/// `c` as the `i8` lane value the intrinsics take: the same bits.
#[inline(always)]
#[expect(
    clippy::cast_possible_wrap,
    reason = "the same bits, as the intrinsics take them"
)]
const fn lane(c: u8) -> i8 {
    c as i8
}

/// The lanes' 16-bit mask, as a `u32`.
#[inline(always)]
#[expect(
    clippy::cast_sign_loss,
    reason = "a 16-bit mask in an i32: never negative"
)]
fn mask(v: m128i) -> u32 {
    move_mask_i8_m128i(v) as u32
}

/// The lanes of `v` in `lo..=hi` (unsigned): shifted so that the range starts at `i8::MIN`, a
/// lane is in it when it is below `i8::MIN + (hi - lo + 1)`, one add and one signed compare.
#[inline(always)]
fn in_range(v: m128i, lo: u8, hi: u8) -> m128i {
    let shifted = add_i8_m128i(v, set_splat_i8_m128i(lane(0x80u8.wrapping_sub(lo))));
    let bound = set_splat_i8_m128i(lane(0x80u8.wrapping_add(hi - lo + 1)));
    cmp_lt_mask_i8_m128i(shifted, bound)
}

/// Sixteen bytes, loaded once, compared with any number of bytes.
#[derive(Clone, Copy)]
pub(crate) struct Block(m128i);

impl Block {
    #[inline(always)]
    pub(crate) fn new(bytes: [u8; 16]) -> Self {
        Block(m128i::from(bytes))
    }

    /// Bit `k` set when byte `k` is `c`.
    #[inline(always)]
    pub(crate) fn eq(self, c: u8) -> u32 {
        mask(cmp_eq_mask_i8_m128i(self.0, set_splat_i8_m128i(lane(c))))
    }

    /// Bit `k` set when byte `k` is in `lo..=hi`.
    #[inline(always)]
    pub(crate) fn in_range(self, lo: u8, hi: u8) -> u32 {
        mask(in_range(self.0, lo, hi))
    }

    /// Bit `k` set when byte `k` may continue a metric name (`[a-zA-Z0-9_:]`), or with
    /// `metric` false a label name (`[a-zA-Z0-9_]`): the letters as one range once case is
    /// folded (`| 0x20`), the digits (and `:`, the byte after `9`) as another, and `_`.
    #[inline(always)]
    pub(crate) fn name_bytes(self, metric: bool) -> u32 {
        let folded = bitor_m128i(self.0, set_splat_i8_m128i(0x20));
        let letters = in_range(folded, b'a', b'z');
        let digits = in_range(self.0, b'0', if metric { b':' } else { b'9' });
        let underscores = cmp_eq_mask_i8_m128i(self.0, set_splat_i8_m128i(lane(b'_')));
        mask(bitor_m128i(bitor_m128i(letters, digits), underscores))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_every_lane_that_matches() {
        for at in 0..16 {
            let mut bytes = [b'a'; 16];
            bytes[at] = b'\\';
            bytes[15 - at] = 0xff;
            let block = Block::new(bytes);
            let expected_ff = if 15 - at == at { 0 } else { 1 << (15 - at) };
            assert_eq!(block.eq(b'\\'), 1 << at, "{at}");
            assert_eq!(block.eq(0xff), expected_ff, "{at}");
            assert_eq!(block.eq(b'a'), 0xffff & !(1 << at) & !expected_ff, "{at}");
            assert_eq!(block.eq(b'"'), 0, "{at}");
        }
    }

    #[test]
    fn name_bytes_are_the_name_rules() {
        for metric in [true, false] {
            for c in 0..=255u8 {
                for at in 0..16 {
                    let mut bytes = [b'a'; 16];
                    bytes[at] = c;
                    let allowed = if metric {
                        crate::names::is_metric_name_continue(c)
                    } else {
                        crate::names::is_label_name_continue(c)
                    };
                    let expected = if allowed { 0xffff } else { 0xffff & !(1 << at) };
                    assert_eq!(
                        Block::new(bytes).name_bytes(metric),
                        expected,
                        "{c:#x} at {at}, metric {metric}"
                    );
                }
            }
        }
    }
}

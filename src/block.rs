//! Sixteen bytes compared with one byte at once: the bit mask of the lanes equal to it (bit `k`
//! for byte `k`). On x86 and x86-64 with SSE2 (every x86-64 target) this is one compare and one
//! `pmovmskb`, through `safe_arch`, which exposes the SSE2 intrinsics as safe functions exactly
//! when the target enables SSE2; elsewhere the crate reads eight bytes at a time instead, and
//! this module is not built.
//!
//! Used where text with escapes is read or written: the text lexer's label values and HELP
//! texts (`text::scan`), and `escape::escape_into` for text with something to escape.

use safe_arch::{cmp_eq_mask_i8_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i};

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
        #[expect(
            clippy::cast_possible_wrap,
            reason = "the same bits, as the intrinsic takes them"
        )]
        let splat = set_splat_i8_m128i(c as i8);
        #[expect(
            clippy::cast_sign_loss,
            reason = "a 16-bit mask in an i32: never negative"
        )]
        let mask = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(self.0, splat)) as u32;
        mask
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
}

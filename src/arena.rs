//! [`Arena`]: where a parse puts the strings it had to unescape.

use std::borrow::Cow;
use std::fmt;

use crate::escape::{self, Escapes};

/// Memory for the unescaped strings of a parse ([`text::parse_in`](crate::text::parse_in)).
///
/// Strings borrow from the input unless they held an escape; [`text::parse`](crate::text::parse)
/// gives each such string its own heap allocation, freed with the families. A parse into an
/// arena writes them into the arena instead, each by a pointer bump, and they are borrowed
/// from it (`Cow::Borrowed`) for the same lifetime as the input. The arena's memory is freed
/// when it is dropped, or kept for the next parse by [`Arena::reset`], which a gateway that
/// parses body after body can call between bodies.
///
/// A parse puts at most as many bytes into the arena as the escaped strings take in the input
/// (an escape of two bytes decodes to one or two), so its growth is bounded by the body size.
///
/// ```
/// use expfmt::{text, Arena, Limits};
///
/// let mut arena = Arena::new();
/// for body in ["a{path=\"C:\\\\tmp\"} 1\n", "b{text=\"x\\ny\"} 2\n"] {
///     let families = text::parse_in(body, &Limits::default(), &arena)?;
///     assert_eq!(families.len(), 1);
///     // `families` borrows from `arena` and must go before the reset.
///     drop(families);
///     arena.reset();
/// }
/// # Ok::<(), expfmt::Error>(())
/// ```
#[derive(Default)]
pub struct Arena {
    bump: bumpalo::Bump,
}

impl Arena {
    /// An empty arena; it allocates when the first string goes in.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An arena with room for `bytes` bytes before it allocates again.
    #[must_use]
    pub fn with_capacity(bytes: usize) -> Self {
        Arena {
            bump: bumpalo::Bump::with_capacity(bytes),
        }
    }

    /// Forgets every string in the arena and keeps its largest block of memory for the next
    /// parse (the others are freed). Nothing may borrow from the arena, which `&mut self`
    /// makes sure of.
    pub fn reset(&mut self) {
        self.bump.reset();
    }

    /// The bytes of memory the arena holds, in use or not.
    #[must_use]
    pub fn allocated_bytes(&self) -> usize {
        self.bump.allocated_bytes()
    }

    /// A copy of `s` in the arena (the builder's SSE2 decode copies its output here).
    #[cfg_attr(
        not(all(
            any(target_arch = "x86", target_arch = "x86_64"),
            target_feature = "sse2"
        )),
        allow(dead_code)
    )]
    #[inline]
    pub(crate) fn alloc_str(&self, s: &str) -> &str {
        self.bump.alloc_str(s)
    }

    /// `raw` with its escapes decoded, borrowed from `raw` when it has no backslash and from
    /// the arena otherwise.
    #[inline]
    pub(crate) fn unescape<'a>(&'a self, raw: &'a str, escapes: Escapes) -> Cow<'a, str> {
        let bytes = raw.as_bytes();
        let Some(first) = escape::first_backslash(bytes) else {
            return Cow::Borrowed(raw);
        };
        // Room for the whole of `raw`, which bounds its unescaped length; the rest is unused.
        let mut out = Filling {
            buf: self.bump.alloc_slice_fill_copy(bytes.len(), 0),
            len: 0,
        };
        escape::unescape_rest(bytes, first, &mut out, escapes);
        let Filling { buf, len } = out;
        let out: &'a [u8] = buf.get(..len).unwrap_or_default();
        match crate::utf8::to_str(out) {
            Some(s) => Cow::Borrowed(s),
            // Unreachable: `unescape_rest` keeps UTF-8 valid. Kept panic-free all the same.
            None => Cow::Owned(String::from_utf8_lossy(out).into_owned()),
        }
    }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.allocated_bytes())
            .finish()
    }
}

/// A slice being filled from its start: the first `len` bytes of `buf` are written. Writes
/// past its end are dropped (`unescape_rest` makes none; see [`escape::Bytes`]).
struct Filling<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl escape::Bytes for Filling<'_> {
    #[inline(always)]
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }
    #[inline(always)]
    fn extend_from_slice(&mut self, b: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + b.len()) {
            dst.copy_from_slice(b);
            self.len += b.len();
        }
    }
    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }
    #[inline(always)]
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

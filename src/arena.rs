//! [`Arena`]: where a parse puts the strings it had to unescape.

use std::fmt;

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

    /// A copy of `s` in the arena.
    #[inline]
    pub(crate) fn alloc_str(&self, s: &str) -> &str {
        self.bump.alloc_str(s)
    }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.allocated_bytes())
            .finish()
    }
}

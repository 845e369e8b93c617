//! Label sets as keys: the order-independent comparisons and hashes the family builders (text
//! and OpenMetrics) and the OpenMetrics encoder share.

use std::hash::BuildHasher;

use crate::hash::RandomState;
use crate::model::Label;

/// Whether two duplicate-free label lists hold the same pairs in any order, leaving out the
/// label named `skip` on both sides. Linear scans up to 16 labels, sorted copies beyond.
#[inline]
pub(crate) fn same_set(a: &[Label<'_>], b: &[Label<'_>], skip: Option<&str>) -> bool {
    let keep = |l: &&Label<'_>| Some(l.name.as_ref()) != skip;
    if skip.is_none() {
        if a.len() != b.len() {
            return false;
        }
        if a.iter().zip(b).all(|(x, y)| same_label(x, y)) {
            return true;
        }
    }
    let count = a.iter().filter(keep).count();
    if count != b.iter().filter(keep).count() {
        return false;
    }
    if count <= 16 {
        return a
            .iter()
            .filter(keep)
            .all(|x| b.iter().any(|y| same_label(x, y)));
    }
    let mut x: Vec<&Label<'_>> = a.iter().filter(keep).collect();
    let mut y: Vec<&Label<'_>> = b.iter().filter(keep).collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// `x == y`, comparing short strings inline: label names and values are mostly under 16
/// bytes, where a call to `memcmp` per string was most of the cost of grouping histogram and
/// summary lines into series.
#[inline]
fn same_label(x: &Label<'_>, y: &Label<'_>) -> bool {
    same_str(&x.name, &y.name) && same_str(&x.value, &y.value)
}

/// `a == b`, inline for strings up to 64 bytes (see [`same_label`]); also the family
/// builder's comparison of a bound with the one read before at its place.
#[inline(always)]
pub(crate) fn same_str(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_str`] on bytes; also the lexer's comparison of a metric name with the one before.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two words that cover the string between them (overlapping when shorter than two).
    fn words<const W: usize>(s: &[u8], n: usize) -> Option<([u8; W], [u8; W])> {
        let head = s.get(..W)?.try_into().ok()?;
        let tail = s.get(n - W..)?.try_into().ok()?;
        Some((head, tail))
    }
    match n {
        0 => true,
        // The first, middle and last bytes are all of them.
        1..=3 => a.first() == b.first() && a.get(n / 2) == b.get(n / 2) && a.last() == b.last(),
        4..=7 => words::<4>(a, n) == words::<4>(b, n),
        8..=16 => words::<8>(a, n) == words::<8>(b, n),
        17..=32 => words::<16>(a, n) == words::<16>(b, n),
        33..=64 => words::<32>(a, n) == words::<32>(b, n),
        _ => a == b,
    }
}

/// An order-independent hash of `labels` (the sum of the pairs' hashes), leaving out the label
/// named `skip`: equal for label sets that [`same_set`] finds equal.
#[inline]
pub(crate) fn set_hash(hasher: &RandomState, labels: &[Label<'_>], skip: Option<&str>) -> u64 {
    labels
        .iter()
        .filter(|l| Some(l.name.as_ref()) != skip)
        .map(|l| hasher.hash_one((l.name.as_ref(), l.value.as_ref())))
        .fold(0u64, u64::wrapping_add)
}

/// Moves the elements (labels, or metrics) out of `scratch` into an exactly sized `Vec`,
/// keeping `scratch`'s capacity for the next use (`mem::take` would drop it and reallocate
/// every time). `append` moves them with one copy; `drain(..).collect()` moved them one by
/// one.
pub(crate) fn take<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let mut labels = Vec::with_capacity(scratch.len());
    labels.append(scratch);
    labels
}

#[cfg(test)]
mod tests {
    use super::same_str;

    #[test]
    fn same_str_sees_each_byte() {
        // Every length through the inline cases to past them, a difference at every place.
        for len in 0..=72 {
            let a: String = ('a'..='z')
                .chain('A'..='Z')
                .chain('0'..='9')
                .cycle()
                .take(len)
                .collect();
            assert!(same_str(&a, &a.clone()), "len {len}");
            assert!(!same_str(&a, &format!("{a}x")), "len {len}");
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] = b'.';
                let b = String::from_utf8(b).unwrap_or_default();
                assert!(!same_str(&a, &b), "len {len}, at {at}");
            }
        }
    }
}

//! The hash maps of the parsers: `foldhash`, seeded per map.
//!
//! The family builders hash every sample's name and label set; with std's SipHash that was about
//! a tenth of parse time. foldhash is several times faster on short keys and keeps a random
//! per-instance seed, so an input cannot be crafted to collide in every process (the keys are
//! names and label sets from untrusted bodies); the maps' sizes are bounded by `Limits` anyway.

/// The seeded hasher builder.
pub(crate) type RandomState = foldhash::fast::RandomState;
/// A map with [`RandomState`].
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, RandomState>;
/// A set with [`RandomState`].
pub(crate) type Set<K> = std::collections::HashSet<K, RandomState>;

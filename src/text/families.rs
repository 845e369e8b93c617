//! Grouping lines into families, the way Go's `expfmt.TextParser` groups them.
//!
//! The rules, in Go's order:
//! - A line names a family by its metric name. An exact match with a family seen before wins;
//!   otherwise `x_count` / `x_sum` belong to a family `x` declared `summary`, and `x_count` /
//!   `x_sum` / `x_bucket` to a family `x` declared `histogram`; otherwise the name starts a new
//!   family. A family is "seen" from its first HELP, TYPE or sample line.
//! - `# TYPE` may come once per family, before its samples; a family sampled before any TYPE is
//!   `untyped`. `# HELP` may come once, anywhere.
//! - Counter, gauge and untyped lines are one series each (the same labels twice make two).
//! - Summary and histogram lines with the same label set (order aside, `quantile` / `le` not
//!   counted) are one series: `quantile="q"` lines add quantiles, `le="b"` lines add buckets,
//!   `_sum` and `_count` lines set the sum and count. A line with none of these (or with a NaN
//!   rank or bound) adds nothing to the series, as in Go.
//! - Counts are converted to integers as Go converts a float64 to uint64 on amd64 (truncation;
//!   negative, NaN and out-of-range values wrap as Go's do).
//! - The last timestamp given on any line of a series is the series' timestamp.
//! - Families without samples are dropped.
//!
//! One difference from Go: a sample line for a family declared `gauge_histogram` is an error
//! here. Go records the series with no value and fails later when encoding it.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::hash::{RandomState, Set};
use crate::labels;

use nom::Offset;

use super::lexer::{Lexer, Line, Record, Sample};
use super::scan::ScannedLabel;
use crate::arena::Arena;
use crate::error::{Error, ErrorKind, Result, Snippet};
use crate::escape::{self, Escapes};
use crate::limits::{Limit, Limits};
use crate::model::{
    Bucket, Count, Counter, Histogram, Label, Metric, MetricFamily, MetricType, Quantile, Summary,
    Value,
};
use crate::number;

/// What a line's name says about its role in a summary or histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Count,
    Sum,
}

/// What is known about a family name for the whole input; kept small (24 bytes), as a
/// page of a million one-line families has a million of them.
#[derive(Debug)]
struct NameState<'a> {
    /// The HELP text as written (escapes undecoded).
    help: Option<&'a str>,
    /// Index into `Builder::open` while a family of this name is being built, else
    /// [`CLOSED`].
    open: u32,
    metric_type: Option<MetricType>,
}

// The size the doc of `NameState` states.
const _: () = assert!(std::mem::size_of::<NameState<'static>>() == 24);
// The size the doc of `NameEntry` states.
const _: () = assert!(std::mem::size_of::<NameEntry<'static>>() == 24);

/// [`NameState::open`] of a name with no family being built.
const CLOSED: u32 = u32::MAX;

/// Which family a line's name belongs to and its role there.
#[derive(Debug, Clone, Copy)]
struct Resolved<'a> {
    /// Index into `Builder::states`.
    st: usize,
    /// The family's name as written (escapes of a quoted name undecoded; one spelling per
    /// name, so raw names compare as names do).
    key: &'a str,
    role: Role,
}

/// A family name in [`Builder::names`]: 24 bytes, as a pair of the name and an index was in
/// a std map (a page of a million one-line families has a million of them).
#[derive(Debug)]
struct NameEntry<'a> {
    name: &'a str,
    /// Half of the name's hash ([`Builder::name_hash`]); [`spread`] gives the table's hash.
    hash: u32,
    /// Index into `states`.
    st: u32,
}

/// The table's hash of a name from the half [`NameEntry`] keeps: the multiplication carries
/// its bits into the top ones, which hashbrown's tags are made of.
#[inline]
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A series of an open summary or histogram family in [`Builder::series`]: one table for
/// every family, so that a family's series cost no table of their own, nor a series a vector
/// of the indices that share its hash.
#[derive(Debug, Clone, Copy)]
struct SeriesEntry {
    /// The label set's order-independent hash ([`labels::set_hash`]) moved by its family's
    /// index ([`series_hash`]); the table's hash.
    hash: u64,
    /// Index into the family's metrics. Which family is not kept: a lookup compares the
    /// labels of this index in the family looked in, so an entry of another family that
    /// shares the hash can only ever name the series that was asked for, or none.
    metric: usize,
}

/// The table's hash of a series: its label set's hash moved by an odd multiple of its
/// family's index (which keeps it as evenly spread as the set's hash), so that one label set
/// in two families makes two hashes.
#[inline]
fn series_hash(set_hash: u64, family: usize) -> u64 {
    set_hash.wrapping_add((family as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// The most entries [`Builder::series`] may have room for and still be cleared for the next
/// family; a larger table is dropped instead, as clearing costs its whole room (streaming
/// clears it at every family, and a family of many series before many small ones would make
/// that quadratic).
const SERIES_KEPT: usize = 64;

/// Folds lexed lines into families.
///
/// In collecting mode every family stays open to the end, so interleaved lines merge as in Go.
/// In streaming mode only the current family is open: when a line belongs to another family the
/// current one is finished and queued, and a family that comes back later is a new piece.
#[derive(Debug)]
pub(crate) struct Builder<'a> {
    input: &'a str,
    limits: Limits,
    streaming: bool,
    /// Family names, each with its index into `states` and (half) its hash, so that growing
    /// the table does not hash the names again, and a new name is hashed once.
    names: HashTable<NameEntry<'a>>,
    /// Which of `_count`, `_sum` and `_bucket` (bits 0, 1, 2) ends a name in `names`: a line
    /// named `x_sum` is no family of its own while bit 1 is clear, without a lookup.
    suffixed: u8,
    states: Vec<NameState<'a>>,
    /// The last name [`Builder::resolve`] resolved and what to: a family's HELP, TYPE and
    /// sample lines name it one after the other, so they hash the name once. A resolution
    /// never changes once made: types are fixed once a family has samples, and a name that
    /// made a family of its own stays one.
    recent: Option<(&'a str, Resolved<'a>)>,
    /// Families being built, in order of creation.
    open: Vec<MetricFamily<'a>>,
    /// For each of `open`: sequence number of its first sample (`u64::MAX` while none).
    first_sample: Vec<u64>,
    /// For each of `open`: its index in `states`.
    open_keys: Vec<usize>,
    /// The series of the open summaries and histograms, of all families in one table.
    series: HashTable<SeriesEntry>,
    ready: VecDeque<MetricFamily<'a>>,
    series_count: usize,
    seq: u64,
    hasher: RandomState,
    /// The summary series and the histogram series added last (in that order), each as its
    /// family's index in `open` and its index there ([`Builder::room_of_last_series`]).
    last_series: [Option<(usize, usize)>; 2],
    /// Labels of the line being folded, reused across lines.
    scratch: Vec<Label<'a>>,
    /// The metrics of `open[ix]` while `first_run == Some(ix)`: the family's first run of
    /// lines grows this reused vector, and the family gets an exactly sized copy when the run
    /// ends ([`Builder::end_run`]), one allocation where growing its own vector from empty
    /// took several. A family that comes back later grows its own vector (copying it here
    /// again could make interleaved input quadratic).
    run: Vec<Metric<'a>>,
    first_run: Option<usize>,
    /// Names of the line's labels read so far, filled only for lines with many labels;
    /// reused across lines.
    seen: Set<&'a str>,
    /// A 64-bit filter of the names of the line's labels read so far ([`name_bit`]): a name
    /// whose bit is clear is not among them, without comparing strings.
    seen_bits: u64,
    /// The previous line, when it was a summary or histogram line whose last label was its
    /// `quantile` / `le` ([`Repeat`]); cleared by every other line.
    repeat: Option<Repeat<'a>>,
    /// `quantile` / `le` values as written and as read, by their place in a series (the
    /// first [`BOUNDS`]): series of a page mostly have the same buckets, so a value is read
    /// once per page instead of once per series.
    bounds: Vec<Option<(&'a str, f64)>>,
    /// Where unescaped strings go: their own `String`s when `None`.
    arena: Option<&'a Arena>,
    /// Where escaped text is decoded before it is copied to its string; reused.
    unescaped: Vec<u8>,
}

/// How many `quantile` / `le` places [`Builder::bounds`] keeps.
const BOUNDS: usize = 64;

/// A summary or histogram line whose last label is its `quantile` / `le`, as the next line
/// needs it: a next line of the same name whose labels before its last `quantile` / `le` are
/// the same text is the same series, so it skips collecting and matching its labels.
///
/// The same text means the same labels: the lexer reads the span from the same state (the
/// first name quoted or not) to the end of the same number of labels. And the previous line
/// passed every check on those labels: duplicates (the `quantile` / `le` among them too, as
/// it is not in the span), the limits on their count, names and values.
#[derive(Debug, Clone, Copy)]
struct Repeat<'a> {
    /// The line's name (all lines of this name resolve alike, and no line came between).
    name: &'a str,
    /// The text from the first label's name to the end of the value before the last label
    /// (empty when the last label is the only one).
    prefix: &'a str,
    /// Whether the first label's name was quoted (the state the span starts in).
    first_quoted: bool,
    /// The number of labels.
    count: usize,
    /// The family, in `open`, and the series in its metrics.
    ix: usize,
    metric_ix: usize,
    metric_type: MetricType,
    role: Role,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(input: &'a str, limits: Limits, streaming: bool) -> Self {
        // Collecting, room for a family per 512 bytes of input, up to 4 096 families (at most
        // about 700 KB of reserved room): growing these vectors from empty cost about 2% of
        // parsing a 500 KB page of 1 000 families. Streaming reserves nothing, so that its
        // memory does not grow with the input.
        let families = if streaming {
            0
        } else {
            (input.len() / 512).min(4096).min(limits.max_families)
        };
        Builder {
            input,
            limits,
            streaming,
            names: HashTable::with_capacity(families),
            suffixed: 0,
            states: Vec::with_capacity(families),
            recent: None,
            open: Vec::with_capacity(families),
            first_sample: Vec::with_capacity(families),
            open_keys: Vec::with_capacity(families),
            series: HashTable::new(),
            ready: VecDeque::new(),
            series_count: 0,
            seq: 0,
            hasher: RandomState::default(),
            last_series: [None; 2],
            scratch: Vec::new(),
            run: Vec::new(),
            first_run: None,
            seen: Set::default(),
            seen_bits: 0,
            repeat: None,
            bounds: Vec::new(),
            arena: None,
            unescaped: Vec::new(),
        }
    }

    /// Puts the strings that need unescaping into `arena` (collecting mode).
    pub(crate) fn with_arena(mut self, arena: &'a Arena) -> Self {
        self.arena = Some(arena);
        self
    }

    /// `raw` (a part of the input) with its escapes decoded, in the arena when there is one;
    /// borrowed from the input when it has no backslash.
    #[inline]
    fn unescape(&mut self, raw: &'a str, escapes: Escapes) -> Cow<'a, str> {
        if escape::first_backslash(raw.as_bytes()).is_none() {
            return Cow::Borrowed(raw);
        }
        self.unescape_escaped(raw, escapes)
    }

    /// [`Builder::unescape`] for `raw` known to hold a backslash: decoded into `unescaped`,
    /// then copied once to its string, in the arena or a `String` of its own.
    #[inline]
    fn unescape_escaped(&mut self, raw: &'a str, escapes: Escapes) -> Cow<'a, str> {
        let arena = self.arena;
        let decoded = self.decode(raw, escapes);
        // The output is UTF-8 as the input is (only ASCII escapes are replaced), so the
        // fallback is unreachable; it keeps the parse panic-free all the same.
        let Some(s) = crate::utf8::to_str(decoded) else {
            return escape::unescape(raw, escapes);
        };
        match arena {
            Some(arena) => Cow::Borrowed(arena.alloc_str(s)),
            None => Cow::Owned(s.to_owned()),
        }
    }

    /// `raw` with its escapes decoded, in `unescaped`.
    #[inline(always)]
    fn decode(&mut self, raw: &'a str, escapes: Escapes) -> &[u8] {
        // Where SSE2 is there, 16 bytes a step, the text's last block reading on into the
        // input after it; `raw` is a part of the input (the lexer's slices are), checked all
        // the same.
        #[cfg(all(
            any(target_arch = "x86", target_arch = "x86_64"),
            target_feature = "sse2"
        ))]
        {
            let at = (raw.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
            if let Some(text) = self
                .input
                .as_bytes()
                .get(at..)
                .filter(|text| std::ptr::eq(text.as_ptr(), raw.as_ptr()))
            {
                return escape::unescape_blocks(text, raw.len(), &mut self.unescaped, escapes);
            }
        }
        self.decode_words(raw, escapes)
    }

    /// [`Builder::decode`] 8 bytes a step, without reading past `raw`: targets without SSE2.
    #[inline(never)]
    fn decode_words(&mut self, raw: &str, escapes: Escapes) -> &[u8] {
        self.unescaped.clear();
        escape::unescape_rest(raw.as_bytes(), 0, &mut self.unescaped, escapes);
        &self.unescaped
    }

    #[cold]
    fn error(&self, kind: ErrorKind, offset: usize) -> Error {
        Error::in_text(kind, self.input.as_bytes(), offset)
    }

    /// Takes the next finished family (streaming mode).
    pub(crate) fn pop_ready(&mut self) -> Option<MetricFamily<'a>> {
        self.ready.pop_front()
    }

    /// Folds one lexed line; `labels` are those of a sample line, as the lexer read them
    /// ([`Lexer::next_with`]), and `name_repeated` is [`Lexer::name_repeated`] after it
    /// (`true` only for a sample line named as the line with a name before it, which this
    /// builder was given last).
    pub(crate) fn push(
        &mut self,
        record: Record<'a>,
        labels: &[ScannedLabel<'a>],
        name_repeated: bool,
    ) -> Result<()> {
        if !matches!(record.line, Line::Sample(_)) {
            self.repeat = None;
        }
        match record.line {
            Line::Blank | Line::Comment(_) => Ok(()),
            Line::Help(h) => {
                let r = self.resolve(h.name, h.name_offset, false)?;
                let ix = self.open_family(r);
                if h.raw.is_empty() {
                    // Go stops at the end of the line before its duplicate check.
                    return Ok(());
                }
                let state = &mut self.states[r.st];
                if state.help.is_some() {
                    let name = Snippet::new(r.key);
                    return Err(self.error(ErrorKind::DuplicateHelp { name }, h.name_offset));
                }
                state.help = Some(h.raw);
                let text = self.unescape(h.raw, Escapes::Help);
                self.family_mut(ix).help = Some(text);
                Ok(())
            }
            Line::Type(t) => {
                let r = self.resolve(t.name, t.name_offset, false)?;
                let st = r.st;
                let ix = self.open_family(r);
                if t.word.is_empty() {
                    // Go stops at the end of the line before its duplicate check.
                    return Ok(());
                }
                if self.states[st].metric_type.is_some() {
                    let name = Snippet::new(r.key);
                    return Err(self.error(ErrorKind::DuplicateType { name }, t.name_offset));
                }
                let Some(metric_type) = t.metric_type() else {
                    let word_offset = self.input.offset(t.word);
                    return Err(self.error(
                        ErrorKind::UnknownType {
                            found: Snippet::new(t.word),
                        },
                        word_offset,
                    ));
                };
                self.states[st].metric_type = Some(metric_type);
                self.family_mut(ix).metric_type = metric_type;
                Ok(())
            }
            Line::Sample(s) => {
                if self.repeat.is_some() {
                    if let Some(done) = self.push_repeat(&s, labels, name_repeated) {
                        return done;
                    }
                    self.repeat = None;
                }
                self.push_sample(&s, labels, record.offset, name_repeated)
            }
        }
    }

    /// Ends the input: every open family with samples is finished and queued, in order of
    /// its first sample.
    pub(crate) fn finish(&mut self) {
        let done = self.take_open();
        self.ready.extend(done);
    }

    /// Finishes the input and takes every family (collecting mode).
    pub(crate) fn into_families(mut self) -> Vec<MetricFamily<'a>> {
        let done = self.take_open();
        if self.ready.is_empty() {
            return done;
        }
        self.ready.extend(done);
        self.ready.into()
    }

    /// Takes the open families that have samples, ordered by their first sample, without
    /// copying them when they are in that order already (the usual case).
    fn take_open(&mut self) -> Vec<MetricFamily<'a>> {
        self.end_run();
        self.last_series = [None; 2];
        if self.series.capacity() > SERIES_KEPT {
            self.series = HashTable::new();
        } else {
            self.series.clear();
        }
        let mut families = std::mem::take(&mut self.open);
        let firsts = std::mem::take(&mut self.first_sample);
        for st in self.open_keys.drain(..) {
            if let Some(state) = self.states.get_mut(st) {
                state.open = CLOSED;
            }
        }
        let sampled = firsts.iter().filter(|&&f| f != u64::MAX);
        if sampled.clone().zip(sampled.skip(1)).all(|(a, b)| a <= b) {
            families.retain(|f| !f.metrics.is_empty());
            return families;
        }
        let mut pairs: Vec<(u64, MetricFamily<'a>)> = firsts
            .into_iter()
            .zip(families)
            .filter(|(_, f)| !f.metrics.is_empty())
            .collect();
        pairs.sort_by_key(|&(first, _)| first);
        pairs.into_iter().map(|(_, f)| f).collect()
    }

    fn family_mut(&mut self, ix: usize) -> &mut MetricFamily<'a> {
        // `ix` always comes from `open_family`, which keeps it in bounds.
        &mut self.open[ix]
    }

    /// Which family a line named `name` belongs to, and its role there; records the name as
    /// a family if it is new. `repeated`: the lexer found `name` to be the last line's.
    #[inline(always)]
    fn resolve(&mut self, name: &'a str, offset: usize, repeated: bool) -> Result<Resolved<'a>> {
        if let Some((recent, r)) = self.recent {
            if repeated || labels::same_str(recent, name) {
                return Ok(r);
            }
        }
        // A line whose name fails here leaves no recent name for the next to match.
        self.recent = None;
        let r = self.resolve_new(name, offset)?;
        self.recent = Some((name, r));
        Ok(r)
    }

    /// [`Builder::resolve`] for a name other than the last one; out of line, so that the
    /// usual case (the same name again) inlines and hands its result over in registers.
    #[inline(never)]
    fn resolve_new(&mut self, name: &'a str, offset: usize) -> Result<Resolved<'a>> {
        const BOTH: &[MetricType] = &[MetricType::Summary, MetricType::Histogram];
        const SUFFIXES: [(&str, Role, &[MetricType]); 3] = [
            ("_count", Role::Count, BOTH),
            ("_sum", Role::Sum, BOTH),
            ("_bucket", Role::Plain, &[MetricType::Histogram]),
        ];
        // A name ends in one of the suffixes at most.
        let suffix = SUFFIXES.iter().zip(0..).find_map(|(&(s, role, types), i)| {
            Some((1u8 << i, name.strip_suffix(s)?, role, types))
        });
        // An exact match wins; there is none when no family name has this suffix.
        let mut hash = None;
        if suffix.is_none_or(|(bit, ..)| self.suffixed & bit != 0) {
            let h = self.name_hash(name);
            if let Some(st) = self.find_name(h, name) {
                return Ok(Resolved {
                    st,
                    key: name,
                    role: Role::Plain,
                });
            }
            hash = Some(h);
        }
        if let Some((_, base, role, types)) = suffix {
            if let Some(st) = self.find_name(self.name_hash(base), base) {
                let t = self.states.get(st).and_then(|s| s.metric_type);
                if t.is_some_and(|t| types.contains(&t)) {
                    return Ok(Resolved {
                        st,
                        key: base,
                        role,
                    });
                }
            }
        }
        // More than u32::MAX families cannot be: the input would be over 16 GiB.
        let max_families = self.limits.max_families.min(u32::MAX as usize);
        let st = self.states.len();
        if st >= max_families {
            return Err(self.limit(Limit::Families, max_families, offset));
        }
        // Below `max_families`, so it fits.
        let index = u32::try_from(st).unwrap_or(u32::MAX);
        if name.len() > self.limits.max_name_len {
            return Err(self.limit(Limit::NameLength, self.limits.max_name_len, offset));
        }
        self.states.push(NameState {
            help: None,
            open: CLOSED,
            metric_type: None,
        });
        let hash = hash.unwrap_or_else(|| self.name_hash(name));
        let entry = NameEntry {
            name,
            hash,
            st: index,
        };
        self.names
            .insert_unique(spread(hash), entry, |e| spread(e.hash));
        if let Some((bit, ..)) = suffix {
            self.suffixed |= bit;
        }
        Ok(Resolved {
            st,
            key: name,
            role: Role::Plain,
        })
    }

    /// The index in `states` of the family name `name`, whose [`Builder::name_hash`] is
    /// `hash`.
    #[inline]
    fn find_name(&self, hash: u32, name: &str) -> Option<usize> {
        self.names
            .find(spread(hash), |e| e.name == name)
            .map(|e| e.st as usize)
    }

    /// The half of a name's hash that [`NameEntry`] keeps (the high one).
    #[inline]
    fn name_hash(&self, name: &str) -> u32 {
        // Truncation is the point: the high half of the hash.
        #[allow(clippy::cast_possible_truncation)]
        let half = (self.hasher.hash_one(name) >> 32) as u32;
        half
    }

    #[cold]
    fn limit(&self, which: Limit, limit: usize, offset: usize) -> Error {
        self.error(ErrorKind::LimitExceeded { which, limit }, offset)
    }

    /// The index in `open` of the family `r` resolved to, opening it (and, when streaming,
    /// finishing the current one) if needed. Inline for the usual case, a family already open.
    #[inline]
    fn open_family(&mut self, r: Resolved<'a>) -> usize {
        match self.states[r.st].open {
            CLOSED => self.open_new_family(r),
            ix => ix as usize,
        }
    }

    fn open_new_family(&mut self, r: Resolved<'a>) -> usize {
        let st = r.st;
        if self.streaming {
            let done = self.take_open();
            self.ready.extend(done);
        }
        let ix = self.open.len();
        let state = &mut self.states[st];
        // More than u32::MAX - 1 families cannot be open: the input would be over 16 GiB.
        state.open = u32::try_from(ix).unwrap_or(CLOSED);
        let metric_type = state.metric_type.unwrap_or(MetricType::Untyped);
        let help = state.help;
        let mut family = MetricFamily::new(self.unescape(r.key, Escapes::LabelValue), metric_type);
        // A family that comes back (streaming, or after `take_open`) gets its HELP again.
        family.help = help.map(|raw| self.unescape(raw, Escapes::Help));
        self.open.push(family);
        self.first_sample.push(u64::MAX);
        self.open_keys.push(st);
        ix
    }

    fn push_sample(
        &mut self,
        s: &Sample<'a>,
        labels: &[ScannedLabel<'a>],
        line_offset: usize,
        name_repeated: bool,
    ) -> Result<()> {
        let r = self.resolve(s.name, line_offset, name_repeated)?;
        let role = r.role;
        let ix = self.open_family(r);
        let metric_type = match self.states[r.st].metric_type {
            Some(t) => t,
            None => {
                self.states[r.st].metric_type = Some(MetricType::Untyped);
                self.family_mut(ix).metric_type = MetricType::Untyped;
                MetricType::Untyped
            }
        };
        if metric_type == MetricType::GaugeHistogram {
            return Err(self.error(
                ErrorKind::UnsupportedType {
                    format: "text 0.0.4",
                    metric_type,
                },
                line_offset,
            ));
        }
        let special = self.collect_labels(labels, metric_type)?;
        let seq = self.seq;
        self.seq += 1;
        // `ix` comes from `open_family`: in bounds.
        if self.first_sample[ix] == u64::MAX {
            self.first_sample[ix] = seq;
        }
        if self.first_run != Some(ix) {
            self.end_run();
            // `ix` comes from `open_family`: in bounds.
            if self.open[ix].metrics.is_empty() {
                self.first_run = Some(ix);
            }
        }
        let room = match metric_type {
            MetricType::Summary | MetricType::Histogram => self.room_of_last_series(metric_type),
            _ => 0,
        };
        let metrics = if self.first_run == Some(ix) {
            &mut self.run
        } else {
            &mut self.open[ix].metrics
        };
        let metric_ix = match metric_type {
            // Consecutive lines of one series are the common case: try the last series first,
            // before finding the family's series index.
            MetricType::Summary | MetricType::Histogram
                if metrics
                    .last()
                    .is_some_and(|last| labels::same_set(&last.labels, &self.scratch, None)) =>
            {
                Some(metrics.len() - 1)
            }
            MetricType::Summary | MetricType::Histogram => {
                let before = metrics.len();
                let found = find_or_add_series(
                    metrics,
                    &mut self.series,
                    series_hash(labels::set_hash(&self.hasher, &self.scratch, None), ix),
                    &mut self.scratch,
                    value_with_room(metric_type, room),
                    &mut self.series_count,
                    self.limits.max_series,
                );
                if metrics.len() > before {
                    self.last_series[usize::from(metric_type == MetricType::Histogram)] =
                        found.map(|m| (ix, m));
                }
                found
            }
            _ if self.series_count >= self.limits.max_series => None,
            _ => {
                self.series_count += 1;
                // Exactly sized by `collect_labels`.
                push_plain(metrics, std::mem::take(&mut self.scratch), metric_type, s);
                return Ok(());
            }
        };
        let Some(metric_ix) = metric_ix else {
            return Err(self.limit(Limit::Series, self.limits.max_series, line_offset));
        };
        apply(metrics, metric_ix, role, special, s);
        if matches!(metric_type, MetricType::Summary | MetricType::Histogram) {
            self.repeat = self.repeat_of(s.name, labels, ix, metric_ix, metric_type, role);
        }
        Ok(())
    }

    /// The [`Repeat`] of a summary or histogram line just folded into series `metric_ix` of
    /// `open[ix]`; `None` unless its last label is its `quantile` / `le`.
    #[inline]
    fn repeat_of(
        &self,
        name: &'a str,
        labels: &[ScannedLabel<'a>],
        ix: usize,
        metric_ix: usize,
        metric_type: MetricType,
        role: Role,
    ) -> Option<Repeat<'a>> {
        let (last, others) = labels.split_last()?;
        if !is_special_name(last.name, metric_type) {
            return None;
        }
        Some(Repeat {
            name,
            prefix: self.span(others)?,
            first_quoted: others.first().is_some_and(|l| l.quoted),
            count: labels.len(),
            ix,
            metric_ix,
            metric_type,
            role,
        })
    }

    /// The input from the first label's name to the end of the last label's value (empty
    /// for no labels).
    #[inline]
    fn span(&self, labels: &[ScannedLabel<'a>]) -> Option<&'a str> {
        let (Some(first), Some(last)) = (labels.first(), labels.last()) else {
            return Some("");
        };
        let start = self.input.offset(first.name);
        let end = self.input.offset(last.raw_value) + last.raw_value.len();
        super::scan::sub(self.input, start, end)
    }

    /// Folds a sample line into the series of the previous line, as [`Builder::push_sample`]
    /// would, when [`Repeat`] says it belongs there; `None` (having changed nothing) when it
    /// may not.
    #[inline]
    fn push_repeat(
        &mut self,
        s: &Sample<'a>,
        labels: &[ScannedLabel<'a>],
        name_repeated: bool,
    ) -> Option<Result<()>> {
        let repeat = self.repeat?;
        let (last, others) = labels.split_last()?;
        // `repeat` is of the line before (any other line clears it), so the lexer's
        // `name_repeated` says the names are the same, without a comparison.
        if labels.len() != repeat.count
            || !is_special_name(last.name, repeat.metric_type)
            || !(name_repeated || labels::same_str(s.name, repeat.name))
            || others.first().is_some_and(|l| l.quoted) != repeat.first_quoted
            || self.span(others)? != repeat.prefix
        {
            return None;
        }
        let place = match &self.metrics(repeat.ix)?.get(repeat.metric_ix)?.value {
            Value::Histogram(h) => h.buckets.len(),
            Value::Summary(s) => s.quantiles.len(),
            _ => usize::MAX,
        };
        let special = match self.bounds.get(place) {
            // The same text passed the checks below before, and reads the same.
            Some(&Some((raw, value))) if labels::same_str(raw, last.raw_value) => value,
            _ => {
                // The checks `collect_labels` makes on the last label, in its order (its name
                // passed them on the previous line).
                let value = match self.special_value(last, repeat.metric_type) {
                    Ok(value) => value,
                    Err(e) => return Some(Err(e)),
                };
                if place < BOUNDS {
                    if place >= self.bounds.len() {
                        self.bounds.resize(place + 1, None);
                    }
                    if let Some(slot) = self.bounds.get_mut(place) {
                        *slot = Some((last.raw_value, value));
                    }
                }
                value
            }
        };
        self.seq += 1;
        let metrics = if self.first_run == Some(repeat.ix) {
            &mut self.run
        } else {
            &mut self.open.get_mut(repeat.ix)?.metrics
        };
        apply(metrics, repeat.metric_ix, repeat.role, special, s);
        Some(Ok(()))
    }

    /// The quantiles or buckets of the series of type `metric_type` (a summary or a
    /// histogram) added last ([`Builder::last_series`]): the room a new series' vector starts
    /// with. Series of a page mostly have the same buckets; and each series sizes at most one
    /// other this way, so the room reserved is at most the count of buckets and quantiles
    /// read.
    #[inline]
    fn room_of_last_series(&self, metric_type: MetricType) -> usize {
        let last = self.last_series[usize::from(metric_type == MetricType::Histogram)];
        let Some((family, metric)) = last else {
            return 0;
        };
        match self
            .metrics(family)
            .and_then(|m| m.get(metric))
            .map(|m| &m.value)
        {
            Some(Value::Histogram(h)) => h.buckets.len(),
            Some(Value::Summary(s)) => s.quantiles.len(),
            _ => 0,
        }
    }

    /// The metrics of `open[ix]` as they are being built (in `run` during its first run).
    #[inline]
    fn metrics(&self, ix: usize) -> Option<&Vec<Metric<'a>>> {
        if self.first_run == Some(ix) {
            Some(&self.run)
        } else {
            self.open.get(ix).map(|f| &f.metrics)
        }
    }

    /// Checks a label's value against the value length limit.
    #[inline]
    fn check_value_len(&self, label: &ScannedLabel<'a>) -> Result<()> {
        if label.raw_value.len() > self.limits.max_label_value_len {
            // The raw length bounds the unescaped one from above; check exactly below.
            let len = label.value().len();
            if len > self.limits.max_label_value_len {
                return Err(self.limit(
                    Limit::LabelValueLength,
                    self.limits.max_label_value_len,
                    self.input.offset(label.raw_value),
                ));
            }
        }
        Ok(())
    }

    /// The value of a `quantile` / `le` label, checked against the value length limit.
    fn special_value(&self, label: &ScannedLabel<'a>, metric_type: MetricType) -> Result<f64> {
        self.check_value_len(label)?;
        let value = label.value();
        number::parse_float(&value).ok_or_else(|| {
            let found = Snippet::new(&value);
            let kind = if metric_type == MetricType::Summary {
                ErrorKind::InvalidQuantile { found }
            } else {
                ErrorKind::InvalidBucketBound { found }
            };
            self.error(kind, self.input.offset(label.raw_value))
        })
    }

    /// Ends the first run of lines of the family in `first_run`: moves its metrics from `run`
    /// into an exactly sized vector of its own, or, for a long run, gives it `run` itself (a
    /// copy would briefly hold the metrics twice; `run` starts again from empty).
    fn end_run(&mut self) {
        const COPY_UP_TO: usize = 64;
        if let Some(ix) = self.first_run.take() {
            if let Some(family) = self.open.get_mut(ix) {
                family.metrics = if self.run.len() <= COPY_UP_TO {
                    labels::take(&mut self.run)
                } else {
                    std::mem::take(&mut self.run)
                };
            }
            self.run.clear();
        }
    }

    /// Collects the line's labels into `scratch`, in Go's order of checks: per label, the
    /// duplicate check, then the `quantile` / `le` value. Returns the last `quantile` (summary)
    /// or `le` (histogram) value; NaN when there is none, as in Go.
    ///
    /// A summary or histogram line reuses `scratch` (most lines add to a series already
    /// there, and only a new series takes a copy); any other line is a new series, so
    /// `scratch` is its exactly sized label vector, taken whole afterwards.
    fn collect_labels(
        &mut self,
        labels: &[ScannedLabel<'a>],
        metric_type: MetricType,
    ) -> Result<f64> {
        let special_name = special_name(metric_type);
        if special_name.is_some() {
            self.scratch.clear();
        } else {
            // Bounded by the labels the lexer read, and by the limit.
            self.scratch = Vec::with_capacity(labels.len().min(self.limits.max_labels));
        }
        let mut special = f64::NAN;
        self.seen.clear();
        self.seen_bits = 0;
        for (i, label) in labels.iter().enumerate() {
            if label.name.len() > self.limits.max_name_len {
                return Err(self.limit(
                    Limit::NameLength,
                    self.limits.max_name_len,
                    self.input.offset(label.name),
                ));
            }
            if Some(label.name) == special_name {
                special = self.special_value(label, metric_type)?;
                continue;
            }
            self.check_value_len(label)?;
            // `labels[..i]` are the names before this one (a `quantile` / `le` among them
            // cannot be this name, which is not one).
            if self.is_duplicate(labels.get(..i).unwrap_or_default(), label.name) {
                return Err(self.error(
                    ErrorKind::DuplicateLabel {
                        name: Snippet::new(label.name),
                    },
                    self.input.offset(label.name),
                ));
            }
            if self.scratch.len() >= self.limits.max_labels {
                return Err(self.limit(
                    Limit::Labels,
                    self.limits.max_labels,
                    self.input.offset(label.name),
                ));
            }
            // Two pushes, so that the usual one (nothing to decode) writes its pairs straight
            // into the vector: one push of either Cow was built on the stack and read back
            // before its stores had landed, which stalled every label.
            if label.quoted || label.escaped {
                let name = if label.quoted {
                    self.unescape(label.name, Escapes::LabelValue)
                } else {
                    Cow::Borrowed(label.name)
                };
                let value = if label.escaped {
                    self.unescape_escaped(label.raw_value, Escapes::LabelValue)
                } else {
                    Cow::Borrowed(label.raw_value)
                };
                self.scratch.push(Label { name, value });
            } else {
                // `once_with` is a trusted-length iterator: `extend` makes room, then builds
                // the label in place.
                self.scratch.extend(std::iter::once_with(|| Label {
                    name: Cow::Borrowed(label.name),
                    value: Cow::Borrowed(label.raw_value),
                }));
            }
        }
        Ok(special)
    }

    /// Whether `name` is among the names of `before` (the line's labels read so far): no when
    /// its filter bit is clear (the usual case), else a linear search for few labels, hashed
    /// beyond (the set is filled from `before` the first time a line needs it).
    #[inline]
    fn is_duplicate(&mut self, before: &[ScannedLabel<'a>], name: &'a str) -> bool {
        const LINEAR: usize = 16;
        let bit = name_bit(name);
        let maybe = self.seen_bits & bit != 0;
        self.seen_bits |= bit;
        if !maybe {
            if !self.seen.is_empty() {
                self.seen.insert(name);
            }
            return false;
        }
        if before.len() < LINEAR {
            return before.iter().any(|l| l.name == name);
        }
        if self.seen.is_empty() {
            self.seen.extend(before.iter().map(|l| l.name));
        }
        !self.seen.insert(name)
    }
}

/// The label that places a line of a family of this type: `quantile` or `le`.
#[inline]
fn special_name(metric_type: MetricType) -> Option<&'static str> {
    match metric_type {
        MetricType::Summary => Some("quantile"),
        MetricType::Histogram => Some("le"),
        _ => None,
    }
}

/// Whether `name` is the label that places a line of a `metric_type` family: `quantile` in a
/// summary, `le` in a histogram. Against each literal, which compiles to a compare of two or
/// eight bytes, where a compare with [`special_name`]'s `Option<&str>` called `memcmp` (the label
/// loop of `collect_labels` keeps that compare: for it the literals counted more).
#[inline(always)]
fn is_special_name(name: &str, metric_type: MetricType) -> bool {
    match metric_type {
        MetricType::Summary => name == "quantile",
        MetricType::Histogram => name == "le",
        _ => false,
    }
}

/// Folds sample `s` into series `metric_ix` of `metrics` (a summary or histogram line adds to
/// its value), and sets the series' timestamp if the line has one.
#[inline]
fn apply<'a>(
    metrics: &mut [Metric<'a>],
    metric_ix: usize,
    role: Role,
    special: f64,
    s: &Sample<'a>,
) {
    let Some(metric) = metrics.get_mut(metric_ix) else {
        return;
    };
    match &mut metric.value {
        Value::Summary(summary) => apply_summary(summary, role, special, s.value),
        Value::Histogram(histogram) => apply_histogram(histogram, role, special, s.value),
        _ => {}
    }
    if s.timestamp_ms.is_some() {
        metric.timestamp_ms = s.timestamp_ms;
    }
}

/// One of 64 bits picked by a label name's length and first and last bytes (which tell apart
/// most names of one line).
#[inline]
fn name_bit(name: &str) -> u64 {
    let b = name.as_bytes();
    let first = u32::from(b.first().copied().unwrap_or(0));
    let last = u32::from(b.last().copied().unwrap_or(0));
    // Truncating the length is fine: it only picks a bit.
    #[allow(clippy::cast_possible_truncation)]
    let len = b.len() as u32;
    let mixed = (len ^ (first << 8) ^ (last << 16)).wrapping_mul(0x9E37_79B1);
    1 << (mixed >> 26)
}

/// The series of a summary or histogram family with the label set in `scratch`, added if new.
/// `None` when adding would pass `max_series`.
fn find_or_add_series<'a>(
    metrics: &mut Vec<Metric<'a>>,
    series: &mut HashTable<SeriesEntry>,
    hash: u64,
    scratch: &mut Vec<Label<'a>>,
    value: Value<'a>,
    series_count: &mut usize,
    max_series: usize,
) -> Option<usize> {
    let found = series.find(hash, |e| {
        e.hash == hash
            && metrics
                .get(e.metric)
                .is_some_and(|m| labels::same_set(&m.labels, scratch, None))
    });
    if let Some(e) = found {
        return Some(e.metric);
    }
    if *series_count >= max_series {
        return None;
    }
    *series_count += 1;
    let metric = metrics.len();
    series.insert_unique(hash, SeriesEntry { hash, metric }, |e| e.hash);
    let labels = labels::take(scratch);
    push_metric(metrics, Metric::new(labels, value));
    Some(metric)
}

/// An empty summary or histogram value (or [`Value::empty`] of another type) whose quantiles
/// or buckets have room for `room` before they grow.
fn value_with_room(metric_type: MetricType, room: usize) -> Value<'static> {
    let mut value = Value::empty(metric_type);
    match &mut value {
        Value::Summary(s) => s.quantiles.reserve_exact(room),
        Value::Histogram(h) => h.buckets.reserve_exact(room),
        _ => {}
    }
    value
}

/// Appends a metric, doubling the capacity from one: `Vec` would reserve four at once, and
/// most families of a page (and every family of a million-family attack) have one or two
/// series; a metric is 80 bytes. Doubling keeps pushes amortized O(1).
fn push_metric<'a>(metrics: &mut Vec<Metric<'a>>, metric: Metric<'a>) {
    make_room(metrics);
    metrics.push(metric);
}

/// Room for one more metric, as [`push_metric`] grows a family's vector.
#[inline(always)]
fn make_room(metrics: &mut Vec<Metric<'_>>) {
    if metrics.len() == metrics.capacity() {
        metrics.reserve_exact(metrics.capacity().max(1));
    }
}

/// [`push_metric`] of a new counter, gauge or untyped series of the sample `s`, built in
/// its place in the vector, timestamp and all: a metric built on the stack and then copied
/// in was read back in 16-byte pieces that straddled the stores that had just written it,
/// which stalled each new series. Out of line, so that the summary and histogram lines'
/// path through [`Builder::push_sample`] keeps its code.
#[inline(never)]
fn push_plain<'a>(
    metrics: &mut Vec<Metric<'a>>,
    labels: Vec<Label<'a>>,
    metric_type: MetricType,
    s: &Sample<'a>,
) {
    make_room(metrics);
    // `once_with` is a trusted-length iterator: `extend` makes room, then writes the metric.
    metrics.extend(std::iter::once_with(|| Metric {
        labels,
        value: match metric_type {
            MetricType::Counter => Value::Counter(Counter::new(s.value)),
            MetricType::Gauge => Value::Gauge(s.value),
            _ => Value::Untyped(s.value),
        },
        timestamp_ms: s.timestamp_ms,
    }));
}

/// Folds one line into a summary.
fn apply_summary(summary: &mut Summary, role: Role, quantile: f64, value: f64) {
    match role {
        Role::Count => summary.count = Some(number::go_uint64(value)),
        Role::Sum => summary.sum = Some(value),
        Role::Plain if !quantile.is_nan() => {
            summary.quantiles.push(Quantile { quantile, value });
        }
        Role::Plain => {}
    }
}

/// Folds one line into a histogram.
fn apply_histogram(histogram: &mut Histogram<'_>, role: Role, bound: f64, value: f64) {
    match role {
        Role::Count => histogram.count = Some(Count::Int(number::go_uint64(value))),
        Role::Sum => histogram.sum = Some(value),
        Role::Plain if !bound.is_nan() => {
            histogram
                .buckets
                .push(Bucket::new(bound, number::go_uint64(value)));
        }
        Role::Plain => {}
    }
}

/// Parses a whole exposition into families, merging interleaved lines as Go does.
pub(crate) fn collect<'a>(
    input: &'a str,
    limits: Limits,
    utf8_names: bool,
    arena: Option<&'a Arena>,
) -> Result<Vec<MetricFamily<'a>>> {
    if input.len() > limits.max_body {
        return Err(Error::in_text(
            ErrorKind::LimitExceeded {
                which: Limit::Body,
                limit: limits.max_body,
            },
            input.as_bytes(),
            limits.max_body,
        ));
    }
    let mut builder = Builder::new(input, limits, false);
    if let Some(arena) = arena {
        builder = builder.with_arena(arena);
    }
    let mut lexer = Lexer::new(input).utf8_names(utf8_names);
    let mut labels = Vec::new();
    while let Some(record) = lexer.next_with(&mut labels) {
        builder.push(record?, &labels, lexer.name_repeated())?;
    }
    Ok(builder.into_families())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&'static str, &'static str)]) -> Vec<Label<'static>> {
        pairs.iter().map(|&(n, v)| Label::new(n, v)).collect()
    }

    /// Finds or adds the series of `pairs` under `hash`, as `push_sample` does.
    fn series_of(
        metrics: &mut Vec<Metric<'static>>,
        table: &mut HashTable<SeriesEntry>,
        hash: u64,
        pairs: &[(&'static str, &'static str)],
    ) -> Option<usize> {
        let mut scratch = labels(pairs);
        let mut count = metrics.len();
        find_or_add_series(
            metrics,
            table,
            hash,
            &mut scratch,
            Value::empty(MetricType::Histogram),
            &mut count,
            usize::MAX,
        )
    }

    #[test]
    fn series_that_share_a_hash_are_told_apart_by_their_labels() {
        // One hash for every label set, as if they all collided: only the labels decide.
        let mut table = HashTable::new();
        let mut metrics = Vec::new();
        let a = [("job", "a"), ("zone", "x")];
        let b = [("job", "b"), ("zone", "x")];
        assert_eq!(series_of(&mut metrics, &mut table, 7, &a), Some(0));
        assert_eq!(series_of(&mut metrics, &mut table, 7, &b), Some(1));
        // The same set in another order is the same series.
        assert_eq!(
            series_of(&mut metrics, &mut table, 7, &[("zone", "x"), ("job", "b")]),
            Some(1)
        );
        assert_eq!(series_of(&mut metrics, &mut table, 7, &a), Some(0));
        assert_eq!(metrics.len(), 2);
        assert_eq!(metrics[1].labels, labels(&b));
        // An entry of another family (its metrics elsewhere) that shares the hash is not
        // taken for a series of this family with other labels.
        let mut other = Vec::new();
        assert_eq!(
            series_of(&mut other, &mut table, 7, &[("job", "c")]),
            Some(0)
        );
        assert_eq!(other[0].labels, labels(&[("job", "c")]));
        assert_eq!(metrics.len(), 2);
    }

    #[test]
    fn series_past_the_limit_are_refused() {
        let mut table = HashTable::new();
        let mut metrics = Vec::new();
        let mut count = 0;
        for (i, value) in ["a", "b"].into_iter().enumerate() {
            let mut scratch = labels(&[("job", value)]);
            let found = find_or_add_series(
                &mut metrics,
                &mut table,
                1,
                &mut scratch,
                Value::empty(MetricType::Summary),
                &mut count,
                1,
            );
            assert_eq!(found, (i == 0).then_some(0));
        }
        assert_eq!(metrics.len(), 1);
    }

    #[test]
    fn streaming_drops_a_large_series_table_between_families() {
        // 200 series of one histogram, then another family: the table that held them is not
        // kept (clearing it at every later family would cost its whole room each time).
        let mut input = String::from("# TYPE h histogram\n");
        for i in 0..200 {
            input.push_str(&format!("h_bucket{{i=\"{i}\",le=\"+Inf\"}} 1\n"));
        }
        input.push_str("# TYPE s summary\ns_sum 1\n");
        let mut builder = Builder::new(&input, Limits::default(), true);
        let mut lexer = Lexer::new(&input);
        let mut scanned = Vec::new();
        let mut most = 0;
        while let Some(record) = lexer.next_with(&mut scanned) {
            builder
                .push(record.unwrap(), &scanned, lexer.name_repeated())
                .unwrap();
            most = most.max(builder.series.capacity());
        }
        assert!(most >= 200, "the table held the histogram's series: {most}");
        assert!(builder.series.capacity() <= SERIES_KEPT);
        builder.finish();
        let h = builder.pop_ready().unwrap();
        assert_eq!((h.name.as_ref(), h.metrics.len()), ("h", 200));
        assert_eq!(builder.pop_ready().unwrap().name, "s");
    }

    #[test]
    fn a_line_of_the_general_path_between_two_of_the_same_name() {
        // The fast path reads `a` twice with `b` between it never saw (its leading blanks
        // send it to the general path): the second `a` must not go into `b`.
        let input = "a{x=\"1\"} 1\n  b 2\na{x=\"2\"} 3\n";
        let families = super::super::parse(input).unwrap();
        let got: Vec<_> = families
            .iter()
            .map(|f| (f.name.as_ref(), f.metrics.len()))
            .collect();
        assert_eq!(got, [("a", 2), ("b", 1)]);
        let streamed: Vec<_> = super::super::families(input)
            .map(|f| {
                let f = f.unwrap();
                (f.name.into_owned(), f.metrics.len())
            })
            .collect();
        // Streaming hands each run of a family over when the next begins.
        let want = [("a", 1), ("b", 1), ("a", 1)];
        assert_eq!(streamed, want.map(|(n, m)| (n.to_owned(), m)));
    }

    fn capacities(families: &[MetricFamily<'_>]) -> Vec<(usize, usize)> {
        families
            .iter()
            .flat_map(|f| &f.metrics)
            .map(|m| match &m.value {
                Value::Histogram(h) => (h.buckets.len(), h.buckets.capacity()),
                Value::Summary(s) => (s.quantiles.len(), s.quantiles.capacity()),
                _ => (0, 0),
            })
            .collect()
    }

    #[test]
    fn a_new_series_has_room_for_as_many_as_the_last_of_its_type() {
        let mut input = String::from("# TYPE h histogram\n");
        for b in 0..20 {
            input.push_str(&format!("h_bucket{{le=\"{b}\"}} 1\n"));
        }
        input.push_str("# TYPE s summary\n");
        for q in ["0.5", "0.9", "1"] {
            input.push_str(&format!("s{{quantile=\"{q}\"}} 1\n"));
        }
        // The next histogram's first series is sized by `h`'s (not by the summary between),
        // though its `_sum` comes first; the next summary's by `s`.
        input.push_str("# TYPE g histogram\ng_sum 1\ng_bucket{le=\"1\"} 1\n");
        input.push_str("# TYPE t summary\nt{quantile=\"1\"} 1\n");
        let families = collect(&input, Limits::default(), false, None).unwrap();
        // The first of each type grows as a `Vec` grows.
        assert_eq!(
            capacities(&families),
            [(20, 32), (3, 4), (1, 20), (1, 3)][..]
        );
    }

    #[test]
    fn series_sized_by_others_reserve_at_most_what_was_read() {
        // One series of 40 buckets, then 100 families of one bucket: only the first of those
        // takes the 40; each sizes the next, so the room is bounded by the buckets read.
        let mut input = String::from("# TYPE h histogram\n");
        for b in 0..40 {
            input.push_str(&format!("h_bucket{{le=\"{b}\"}} 1\n"));
        }
        for f in 0..100 {
            input.push_str(&format!(
                "# TYPE g{f} histogram\ng{f}_bucket{{le=\"1\"}} 1\n"
            ));
        }
        let families = collect(&input, Limits::default(), false, None).unwrap();
        let caps = capacities(&families);
        let read: usize = caps.iter().map(|c| c.0).sum();
        let room: usize = caps.iter().map(|c| c.1).sum();
        assert_eq!(read, 140);
        assert!(room <= 2 * read, "room {room} for {read} buckets");
        assert_eq!(caps[1], (1, 40));
        assert_eq!(caps[2], (1, 1));
    }
}

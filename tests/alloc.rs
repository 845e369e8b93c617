//! Allocation discipline, counted with a global allocator: the lexers (text 0.0.4 and
//! OpenMetrics) allocate nothing on escape-free input, and parsing allocates per family and per
//! series, not per byte or label.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The library forbids unsafe code; this test needs it only for the counting allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread (tests run in parallel threads).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: defers every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

fn page() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/node_exporter.prom"
    ))
    .unwrap()
}

#[test]
fn lexer_allocates_nothing_on_escape_free_input() {
    let input = page();
    assert!(!input.contains('\\'), "the page is escape-free");
    let (samples, n) = allocations(|| {
        let mut samples = 0;
        for record in expfmt::text::Lexer::new(&input) {
            if let expfmt::text::Line::Sample(s) = record.unwrap().line {
                // Iterating labels and reading their values is free too.
                for label in s.labels.iter() {
                    assert!(matches!(label.value(), std::borrow::Cow::Borrowed(_)));
                }
                samples += 1;
            }
        }
        samples
    });
    assert_eq!(samples, 507);
    assert_eq!(n, 0, "the lexer allocated {n} times");
}

/// A gauge family `m` after `header`: 200 series of 20 labels, label `j` of series `i`
/// valued `value(i, j)` (as written, escapes and all).
fn page_of_200_series(header: &str, value: impl Fn(usize, usize) -> String) -> String {
    let mut page = format!("{header}# TYPE m gauge\n");
    for i in 0..200 {
        let labels: Vec<String> = (0..20)
            .map(|j| format!("l{j}=\"{}\"", value(i, j)))
            .collect();
        page.push_str(&format!("m{{{}}} {i}\n", labels.join(",")));
    }
    page
}

/// 200 series of 20 labels each: 4 000 labels, yet allocations must stay per series.
fn labels_heavy_page() -> String {
    page_of_200_series("", |i, j| format!("v{i}_{j}"))
}

#[test]
fn parse_allocates_per_series_not_per_label() {
    let input = page();
    let (families, n) = allocations(|| expfmt::text::parse(&input).unwrap());
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    assert!(
        n <= 4 * (families.len() + series),
        "{n} allocations for {} families, {series} series",
        families.len()
    );

    let heavy = labels_heavy_page();
    let (families, n) = allocations(|| expfmt::text::parse(&heavy).unwrap());
    assert_eq!(families[0].metrics.len(), 200);
    assert!(
        n <= 2 * 200 + 32,
        "{n} allocations for 200 series of 20 labels"
    );
}

/// 200 series of 20 labels, every value and the HELP text with escapes.
fn escape_heavy_page() -> String {
    page_of_200_series("# HELP m A \\\\ B\\nC.\n", |i, j| {
        format!(r#"C:\\v{i}\"{j}\"\nx"#)
    })
}

#[test]
fn parse_in_an_arena_allocates_per_series_not_per_escaped_value() {
    let input = escape_heavy_page();
    // `text::parse` gives each of the 4 000 escaped values its own `String`.
    let (families, n) = allocations(|| expfmt::text::parse(&input).unwrap());
    assert_eq!(families[0].metrics[0].labels[0].value, "C:\\v0\"0\"\nx");
    assert!(n >= 4000, "{n} allocations");

    // In an arena they are bump-allocated: the arena's own blocks come in doubling sizes.
    let mut arena = expfmt::Arena::new();
    let limits = expfmt::Limits::unlimited();
    let (in_arena, n) = allocations(|| expfmt::text::parse_in(&input, &limits, &arena).unwrap());
    assert_eq!(in_arena, families);
    assert!(
        n <= 2 * 200 + 32,
        "{n} allocations for 200 series in an arena"
    );
    drop(in_arena);

    // A reset keeps the arena's largest block; a block that held the whole parse's strings
    // (here from the second parse on) serves the next ones without a new block.
    for _ in 0..2 {
        arena.reset();
        drop(expfmt::text::parse_in(&input, &limits, &arena).unwrap());
    }
    arena.reset();
    let held = arena.allocated_bytes();
    let (again, n) = allocations(|| expfmt::text::parse_in(&input, &limits, &arena).unwrap());
    assert_eq!(again, families);
    assert_eq!(arena.allocated_bytes(), held, "the arena grew again");
    assert!(n <= 2 * 200 + 8, "{n} allocations after a reset");
}

/// The node exporter page as OpenMetrics (through the model), for the OpenMetrics tests.
fn openmetrics_page() -> String {
    let page = page();
    let families = expfmt::text::parse(&page).unwrap();
    expfmt::openmetrics::encode(&families).unwrap()
}

#[test]
fn openmetrics_lexer_allocates_nothing_on_escape_free_input() {
    let input = openmetrics_page();
    let (samples, n) = allocations(|| {
        let mut samples = 0;
        for record in expfmt::openmetrics::Lexer::new(&input) {
            if let expfmt::openmetrics::Line::Sample(s) = record.unwrap().line {
                for label in s.labels.iter() {
                    assert!(matches!(label.value(), std::borrow::Cow::Borrowed(_)));
                }
                samples += 1;
            }
        }
        samples
    });
    assert_eq!(samples, 507);
    assert_eq!(n, 0, "the OpenMetrics lexer allocated {n} times");
}

#[test]
fn openmetrics_parse_allocates_per_series_not_per_label() {
    let input = openmetrics_page();
    let (families, n) = allocations(|| expfmt::openmetrics::parse(&input).unwrap());
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    assert!(
        n <= 6 * (families.len() + series),
        "{n} allocations for {} families, {series} series",
        families.len()
    );

    let heavy = labels_heavy_page() + "# EOF\n";
    let (families, n) = allocations(|| expfmt::openmetrics::parse(&heavy).unwrap());
    assert_eq!(families[0].metrics.len(), 200);
    assert!(
        n <= 3 * 200 + 32,
        "{n} allocations for 200 series of 20 labels"
    );
}

/// Encoding into a caller's buffer: no allocation per sample. The text encoders write straight
/// into the `String` and reuse one scratch buffer for a series' labels (it grows a few times,
/// then never again), so four times the families cost the same allocations; protobuf writes
/// the model directly and allocates nothing.
#[test]
fn encoders_into_a_reserved_buffer_allocate_nothing_per_sample() {
    let input = page();
    let families = expfmt::text::parse(&input).unwrap();
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    assert!(series > 400, "{series} series");
    let four: Vec<_> = (0..4).flat_map(|_| families.iter().cloned()).collect();

    type Encode = fn(&mut String, &[expfmt::MetricFamily<'_>]) -> expfmt::Result<()>;
    let encoders: [(&str, Encode); 2] = [
        ("text::encode_into", expfmt::text::encode_into),
        ("openmetrics::encode_into", expfmt::openmetrics::encode_into),
    ];
    for (what, encode) in encoders {
        let mut out = String::with_capacity(8 * input.len());
        let ((), once) = allocations(|| encode(&mut out, &families).unwrap());
        assert!(out.len() > input.len() / 2);
        out.clear();
        let ((), fourfold) = allocations(|| encode(&mut out, &four).unwrap());
        assert!(once <= 16, "{what}: {once} allocations for {series} series");
        assert_eq!(once, fourfold, "{what}: allocations grow with the input");
    }

    let mut pb: Vec<u8> = Vec::with_capacity(2 * input.len());
    let ((), n) = allocations(|| expfmt::proto::encode_into(&mut pb, &families).unwrap());
    assert!(!pb.is_empty());
    assert_eq!(n, 0, "proto::encode_into allocated {n} times");
}

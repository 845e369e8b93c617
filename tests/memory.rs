//! Peak heap of parsing the worst shapes, measured with a tracking allocator, against the
//! bound `peak <= 2 x input + C x objects` of the reliability goals (G4), where objects are
//! families, series, labels, buckets and quantiles (each a thing the model must hold), with
//! C = 192 bytes here. Run with `--nocapture` to see each shape's figures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The library forbids unsafe code; this test needs it only for the tracking allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Tracking;

thread_local! {
    static CURRENT: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn add(n: usize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + n;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

fn sub(n: usize) {
    let _ = CURRENT.try_with(|c| c.set(c.get().saturating_sub(n)));
}

// SAFETY: defers every call to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size);
        sub(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// Peak heap above the starting point while `f` runs.
fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = CURRENT.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    (out, PEAK.with(Cell::get) - start)
}

const C: usize = 192;

fn measure(shape: &str, input: &str) {
    let (families, bytes) = peak(|| expfmt::text::parse(input).unwrap());
    let series: usize = families.iter().map(|f| f.metrics.len()).sum();
    let labels: usize = families
        .iter()
        .flat_map(|f| &f.metrics)
        .map(|m| m.labels.len())
        .sum();
    let points: usize = families
        .iter()
        .flat_map(|f| &f.metrics)
        .map(|m| match &m.value {
            expfmt::Value::Histogram(h) => h.buckets.len(),
            expfmt::Value::Summary(s) => s.quantiles.len(),
            _ => 0,
        })
        .sum();
    let objects = families.len() + series + labels + points;
    let bound = 2 * input.len() + C * objects;
    println!(
        "{shape}: input {} B, peak {bytes} B = {:.2}x input; {} families, {series} series, {labels} labels, {points} buckets/quantiles; {:.0} B per object beyond 2x input",
        input.len(),
        bytes as f64 / input.len() as f64,
        families.len(),
        bytes.saturating_sub(2 * input.len()) as f64 / objects.max(1) as f64,
    );
    assert!(
        bytes <= bound,
        "{shape}: peak {bytes} B over the bound {bound} B"
    );
}

#[test]
fn peak_heap_of_worst_shapes() {
    let families: String = (0..200_000).map(|i| format!("m{i} 1\n")).collect();
    measure("200k tiny families", &families);

    let labels: Vec<String> = (0..100_000).map(|i| format!("l{i}=\"v\"")).collect();
    measure(
        "100k labels on one line",
        &format!("m{{{}}} 1\n", labels.join(",")),
    );

    measure(
        "4 MB escaped label value",
        &format!("m{{l=\"{}\"}} 1\n", "\\\"".repeat(2 << 20)),
    );

    let mut buckets = String::from("# TYPE h histogram\n");
    for i in 0..100_000 {
        buckets.push_str(&format!("h_bucket{{job=\"x\",le=\"{i}\"}} {i}\n"));
    }
    measure("100k buckets of one histogram", &buckets);

    let series: String = (0..100_000)
        .map(|i| format!("m{{a=\"{i}\",b=\"x\",c=\"y\"}} {i}\n"))
        .collect();
    measure("100k series of 3 labels", &series);

    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/node_exporter.prom"
    ))
    .unwrap();
    measure("node exporter page", &page);
}

#[path = "../benches/corpus.rs"]
mod corpus;

/// The benchmarks' large page (the mixed shape, over 50 MB): `text::parse` peaks within twice
/// the input.
#[test]
fn large_page_parse_peaks_within_twice_the_input() {
    let page = corpus::large();
    assert!(page.text.len() >= 50_000_000);
    let (families, bytes) = peak(|| expfmt::text::parse(&page.text).unwrap());
    assert_eq!(families.len(), 64_000);
    println!(
        "large page: input {} B, parse peak {bytes} B = {:.2}x input",
        page.text.len(),
        bytes as f64 / page.text.len() as f64
    );
    assert!(bytes <= 2 * page.text.len(), "peak {bytes} B");
}

/// Streaming text -> protobuf, family by family into a writer (the input itself is the
/// caller's and not counted): the working memory is one family plus a table of the distinct
/// family names, which the parser keeps to refuse a second `TYPE` or `HELP` for a name as Go
/// does. So a hundred times the input with the same names peaks the same, and on the large
/// page the table stays under 256 bytes a name.
#[test]
fn streaming_text_to_proto_memory_is_independent_of_size() {
    fn convert(input: &str) -> (usize, usize) {
        let mut encoder = expfmt::proto::Encoder::new(std::io::sink());
        let mut n = 0;
        let ((), bytes) = peak(|| {
            for family in expfmt::text::families(input) {
                encoder.encode(&family.unwrap()).unwrap();
                n += 1;
            }
        });
        (bytes, n)
    }
    // Untyped families (no TYPE line to repeat), five series each; the block comes back 100
    // times, so each family streams out 100 times.
    let mut block = String::new();
    for f in 0..1000 {
        for s in 0..5 {
            block.push_str(&format!(
                "m{f}{{instance=\"host-{s}\",job=\"node\"}} {s}.5\n"
            ));
        }
    }
    let ((a, na), (b, nb)) = (convert(&block), convert(&block.repeat(100)));
    assert_eq!((na, nb), (1000, 100_000));
    println!(
        "streaming text -> proto: {} B input peaks at {a} B, 100 times that input at {b} B",
        block.len()
    );
    assert!(b <= a + a / 4, "{b} B for 100 times the input vs {a} B");

    let (mixed, _) = corpus::mixed(64_000);
    let (c, _) = convert(&mixed);
    println!(
        "streaming text -> proto, large page: {} B input, 64 000 families, peak {c} B = {:.0} B per family",
        mixed.len(),
        c as f64 / 64_000.0
    );
    assert!(c <= 256 * 64_000, "{c} B");
}

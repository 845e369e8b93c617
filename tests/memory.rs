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

//! Wall-clock ratios to the peers, measured interleaved: in each round every operation of a
//! group and its peer run one batch each, in an order that rotates from round to round, and the
//! round's ratio is the peer's time per run over ours. The figure is the median of the rounds'
//! ratios, with the lowest and highest beside it.
//!
//! Criterion (`benches/peers.rs`) times one function for seconds, then the next: on a shared
//! machine whose speed drifts, two runs of the same code there have differed by 40%. Here ours
//! and the peer's run within a few tens of milliseconds of each other, every round, so drift
//! moves both; the spread of the rounds shows what is left.
//!
//! Groups, on the corpora of `benches/corpus.rs` (the `large` page is left to criterion):
//! - `text_parse`: our lexer, `text::parse` and `text::parse_in` (into an arena reset after
//!   each parse), against `prometheus-parse` (with the line copies it needs).
//! - `text_encode`: `text::encode_into` against the `prometheus` crate's `TextEncoder` on the
//!   same families (untyped ones left out for both: the peer panics on them).
//! - `proto_decode`, `proto_encode`: ours against the `prometheus` crate's rust-protobuf types
//!   on the same varint-delimited bytes.
//!
//! Every run checks what it produced. Run: `cargo bench --bench ratios` (21 rounds of batches
//! of at least 20 ms: under three minutes here); `-- --quick` for 3 rounds of 2 ms batches (the
//! CI's smoke run; its figures are rough); any other argument keeps the groups whose name
//! (`text_parse/node`, ...) contains it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod corpus;
mod peer;

use std::hint::black_box;
use std::time::{Duration, Instant};

use corpus::Page;
use expfmt::{text, Arena, Limits, MetricFamily, MetricType};

/// One timed operation: a name and a closure that runs it once and checks its output.
struct Op<'a> {
    name: &'static str,
    run: Box<dyn FnMut() + 'a>,
}

impl<'a> Op<'a> {
    fn new(name: &'static str, run: impl FnMut() + 'a) -> Self {
        Op {
            name,
            run: Box::new(run),
        }
    }

    /// Seconds per run over a batch of `n` runs.
    fn time(&mut self, n: usize) -> f64 {
        let start = Instant::now();
        for _ in 0..n {
            (self.run)();
        }
        start.elapsed().as_secs_f64() / n as f64
    }

    /// Runs in a batch of at least `batch`, from one timed run (after a warm-up run).
    fn batch_len(&mut self, batch: Duration) -> usize {
        (self.run)();
        let once = self.time(1).max(1e-9);
        ((batch.as_secs_f64() / once).ceil() as usize).max(1)
    }
}

struct Settings {
    rounds: usize,
    batch: Duration,
    filters: Vec<String>,
}

/// Times `ours` against `peer` in interleaved rounds and prints a table row per op.
fn group(settings: &Settings, name: &str, bytes: usize, ours: Vec<Op<'_>>, peer: Op<'_>) {
    if !settings.filters.is_empty() && !settings.filters.iter().any(|f| name.contains(f)) {
        return;
    }
    // The peer runs last in the first round; the order rotates by one each round.
    let mut ops = ours;
    ops.push(peer);
    let batches: Vec<usize> = ops
        .iter_mut()
        .map(|o| o.batch_len(settings.batch))
        .collect();
    let mut times = vec![Vec::with_capacity(settings.rounds); ops.len()];
    for round in 0..settings.rounds {
        for k in 0..ops.len() {
            let i = (k + round) % ops.len();
            times[i].push(ops[i].time(batches[i]));
        }
    }
    let (peer_times, our_times) = times.split_last().expect("the peer's");
    let best = |t: &[f64]| t.iter().copied().fold(f64::INFINITY, f64::min);
    let mb_s = |t: f64| bytes as f64 / t / 1e6;
    for (op, ours) in ops.iter().zip(our_times) {
        let mut r: Vec<f64> = peer_times.iter().zip(ours).map(|(p, o)| p / o).collect();
        r.sort_by(f64::total_cmp);
        println!(
            "| {name} | {} | {:.0} MB/s | {} {:.0} MB/s | {:.1}x | {:.1}x to {:.1}x |",
            op.name,
            mb_s(best(ours)),
            ops[ops.len() - 1].name,
            mb_s(best(peer_times)),
            r[r.len() / 2],
            r[0],
            r[r.len() - 1],
        );
    }
}

fn text_parse(settings: &Settings, page: &Page) {
    let input = page.text.as_str();
    let families = text::parse(input).unwrap().len();
    let samples = page.samples;
    let peer_samples = peer::parse(input);
    let arena = std::cell::RefCell::new(Arena::new());
    let limits = Limits::unlimited();
    let ours = vec![
        Op::new("expfmt lexer", || {
            let n = text::Lexer::new(black_box(input))
                .filter(|r| matches!(r.as_ref().unwrap().line, text::Line::Sample(_)))
                .count();
            assert_eq!(n, samples);
        }),
        Op::new("expfmt parse", || {
            assert_eq!(text::parse(black_box(input)).unwrap().len(), families);
        }),
        Op::new("expfmt parse_in (arena)", || {
            let mut arena = arena.borrow_mut();
            let n = text::parse_in(black_box(input), &limits, &arena)
                .unwrap()
                .len();
            assert_eq!(n, families);
            arena.reset();
        }),
    ];
    let peer = Op::new("prometheus-parse", || {
        assert_eq!(peer::parse(black_box(input)), peer_samples);
    });
    let name = format!("text_parse/{}", page.name);
    group(settings, &name, input.len(), ours, peer);
}

fn text_encode(settings: &Settings, page: &Page) {
    let families: Vec<MetricFamily<'_>> = text::parse(&page.text)
        .unwrap()
        .into_iter()
        .filter(|f| f.metric_type != MetricType::Untyped)
        .collect();
    let len = text::encode(&families).unwrap().len();
    let peer_families = peer::read_families(&expfmt::proto::encode(&families).unwrap());
    let mut out = String::with_capacity(len);
    let ours = vec![Op::new("expfmt encode_into", || {
        out.clear();
        text::encode_into(&mut out, black_box(&families)).unwrap();
        assert_eq!(out.len(), len);
    })];
    let encoder = prometheus::TextEncoder::new();
    let mut peer_out = String::with_capacity(len);
    let peer = Op::new("prometheus TextEncoder", || {
        peer_out.clear();
        encoder
            .encode_utf8(black_box(&peer_families), &mut peer_out)
            .unwrap();
        assert!(peer_out.len() > len / 2);
    });
    let name = format!("text_encode/{}", page.name);
    group(settings, &name, len, ours, peer);
}

fn proto(settings: &Settings, page: &Page) {
    let families = text::parse(&page.text).unwrap();
    let bytes = expfmt::proto::encode(&families).unwrap();
    let n = families.len();
    let decode = vec![Op::new("expfmt proto::decode", || {
        assert_eq!(expfmt::proto::decode(black_box(&bytes)).unwrap().len(), n);
    })];
    let peer = Op::new("prometheus (rust-protobuf)", || {
        assert_eq!(peer::read_families(black_box(&bytes)).len(), n);
    });
    let name = format!("proto_decode/{}", page.name);
    group(settings, &name, bytes.len(), decode, peer);

    let peer_families = peer::read_families(&bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let encode = vec![Op::new("expfmt proto::encode_into", || {
        out.clear();
        expfmt::proto::encode_into(&mut out, black_box(&families)).unwrap();
        assert_eq!(out.len(), bytes.len());
    })];
    let encoder = prometheus::ProtobufEncoder::new();
    let mut peer_out = Vec::with_capacity(bytes.len());
    let peer = Op::new("prometheus ProtobufEncoder", || {
        use prometheus::Encoder as _;
        peer_out.clear();
        encoder
            .encode(black_box(&peer_families), &mut peer_out)
            .unwrap();
        assert_eq!(peer_out.len(), bytes.len());
    });
    let name = format!("proto_encode/{}", page.name);
    group(settings, &name, bytes.len(), encode, peer);
}

fn main() {
    // `cargo bench` passes `--bench`, and CI criterion's flags for every bench; of those only
    // `--quick` means something here (the values of the others are no filters).
    const WITH_VALUE: &[&str] = &["--warm-up-time", "--measurement-time", "--sample-size"];
    let mut quick = false;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--quick" {
            quick = true;
        } else if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let settings = Settings {
        rounds: if quick { 3 } else { 21 },
        batch: Duration::from_millis(if quick { 2 } else { 20 }),
        filters,
    };
    println!(
        "{} rounds, batches of at least {} ms; ratio: the peer's time per run over ours, the \
         median of the rounds, then the lowest and highest; MB/s from each side's fastest round\n",
        settings.rounds,
        settings.batch.as_millis()
    );
    println!("| group | ours | ours, fastest | peer, fastest | ratio | rounds' range |");
    println!("|---|---|---|---|---|---|");
    for page in corpus::peer_pages() {
        text_parse(&settings, &page);
        text_encode(&settings, &page);
        proto(&settings, &page);
    }
}

//! Differential tests against Go's expfmt 0.39, the reference implementation.
//!
//! Every input under tests/oracle/cases goes through Go (parse, then write each family sorted by
//! name) and through this crate (parse, sort by name, encode). Both must accept or both refuse,
//! and when both accept, the text and the delimited protobuf must be byte-identical. The few cases where we differ on
//! purpose are listed, with the reason, in tests/oracle/known_differences.txt; the test checks
//! that each listed case really does differ, so the list cannot go stale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::gen::{random_exposition, Rng};
use common::oracle::{self, Answer};

fn ours_text2text(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut families = expfmt::text::parse_bytes(input).map_err(|e| e.to_string())?;
    families.sort_by(|a, b| a.name.cmp(&b.name));
    expfmt::text::encode(&families)
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
}

fn ours_text2proto(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut families = expfmt::text::parse_bytes(input).map_err(|e| e.to_string())?;
    families.sort_by(|a, b| a.name.cmp(&b.name));
    expfmt::proto::encode(&families).map_err(|e| e.to_string())
}

fn known_differences() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/known_differences.txt");
    let text = std::fs::read_to_string(path).expect("known_differences.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (name.to_owned(), why.trim().to_owned())
        })
        .collect()
}

#[test]
fn text_cases_agree_with_go() {
    let Some(go) = oracle::oracle() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/cases");
    let known = known_differences();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases dir")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .collect();
    names.sort();
    assert!(names.len() > 200, "only {} cases", names.len());
    let mut disagreements = Vec::new();
    let mut agreed = 0;
    for name in &names {
        let input = std::fs::read(dir.join(name)).expect("case");
        let go_answer = oracle::run(go, "text2text", &input);
        let ours = ours_text2text(&input);
        let same = match (&go_answer, &ours) {
            (Answer::Ok(a), Ok(b)) => {
                // Accepted by both: the protobuf bytes must agree too.
                let go_proto = oracle::run(go, "text2proto", &input);
                a == b && go_proto == Answer::Ok(ours_text2proto(&input).unwrap_or_default())
            }
            (Answer::Err(_), Err(_)) => true,
            _ => false,
        };
        match (same, known.contains_key(name)) {
            (true, false) => agreed += 1,
            (false, true) => {}
            (true, true) => disagreements.push(format!(
                "{name}: listed as a known difference but now agrees with Go; remove it from the list"
            )),
            (false, false) => disagreements.push(format!(
                "{name}:\n  input: {:?}\n  go:    {}\n  ours:  {}",
                String::from_utf8_lossy(&input),
                match &go_answer {
                    Answer::Ok(b) => format!("ok {:?}", String::from_utf8_lossy(b)),
                    Answer::Err(e) => format!("error {e}"),
                },
                match &ours {
                    Ok(b) => format!("ok {:?}", String::from_utf8_lossy(b)),
                    Err(e) => format!("error {e}"),
                }
            )),
        }
    }
    for listed in known.keys() {
        assert!(
            names.contains(listed),
            "known difference {listed} names no case"
        );
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree with Go ({agreed} agree):\n{}",
        disagreements.len(),
        names.len(),
        disagreements.join("\n")
    );
    println!(
        "{agreed} cases agree with Go, {} known differences",
        known.len()
    );
}

#[test]
fn random_expositions_agree_with_go() {
    let Some(go) = oracle::oracle() else { return };
    let cases: usize = std::env::var("EXPFMT_ORACLE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases {
        let input = random_exposition(&mut rng);
        let go_answer = oracle::run(go, "text2text", &input);
        let ours = ours_text2text(&input);
        match (&go_answer, &ours) {
            (Answer::Ok(a), Ok(b)) if a == b => {
                let go_proto = oracle::run(go, "text2proto", &input);
                let ours_proto = ours_text2proto(&input);
                assert!(
                    matches!((&go_proto, &ours_proto), (Answer::Ok(g), Ok(o)) if g == o),
                    "case {case}: protobuf differs\n  input: {:?}",
                    String::from_utf8_lossy(&input)
                );
                accepted += 1;
            }
            (Answer::Err(_), Err(_)) => refused += 1,
            _ => panic!(
                "case {case} disagrees with Go\n  input: {:?}\n  go:    {:?}\n  ours:  {:?}",
                String::from_utf8_lossy(&input),
                match &go_answer {
                    Answer::Ok(b) => Ok(String::from_utf8_lossy(b).into_owned()),
                    Answer::Err(e) => Err(e.clone()),
                },
                ours.map(|b| String::from_utf8_lossy(&b).into_owned())
            ),
        }
    }
    println!("{cases} random expositions: {accepted} accepted by both, {refused} refused by both");
    assert!(
        accepted > cases / 20 && refused > cases / 20,
        "generator lost its balance: {accepted} / {refused}"
    );
}

/// Floats are written as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes them, on random
/// bits, on decimals (where shortest digits often tie: 2^50 + 0.25 is as near to `...0.2` as to
/// `...0.3`, and Go writes the even one) and on their neighbours: one family of gauges through
/// Go's proto2text and through our decoder and text encoder.
#[test]
fn floats_are_written_as_go_writes_them() {
    use expfmt::{Label, Metric, MetricFamily, MetricType, Value};
    let Some(go) = oracle::oracle() else { return };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut family = MetricFamily::new("m", MetricType::Gauge);
    for i in 0..30_000u32 {
        let v = match i % 3 {
            0 => f64::from_bits(rng.next()),
            1 => {
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
                let m = (rng.next() % 20_000_000) as i64 - 10_000_000;
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let k = rng.below(50) as i32 - 25;
                #[allow(clippy::cast_precision_loss)]
                let v = m as f64 * 10f64.powi(k);
                v
            }
            _ => {
                #[allow(clippy::cast_precision_loss)]
                let base = (rng.next() % 1_000_000_000) as f64 * 1e6;
                f64::from_bits(base.to_bits() + 1 + rng.next() % 3)
            }
        };
        family = family.with_metric(Metric::new(
            vec![Label::new("i", i.to_string())],
            Value::Gauge(v),
        ));
    }
    let body = expfmt::proto::encode(&[family]).unwrap();
    let Answer::Ok(want) = oracle::run(go, "proto2text", &body) else {
        panic!("Go refused the gauges");
    };
    let decoded = expfmt::proto::decode(&body).unwrap();
    let ours = expfmt::text::encode(&decoded).unwrap();
    let want = String::from_utf8(want).unwrap();
    let differ: Vec<_> = want
        .lines()
        .zip(ours.lines())
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert!(differ.is_empty(), "Go vs ours: {differ:?}");
    assert_eq!(want, ours);
}

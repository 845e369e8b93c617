//! Differential tests against Go's expfmt 0.39, the reference implementation.
//!
//! Every input under tests/oracle/cases goes through Go (parse, then write each family sorted by
//! name) and through this crate (parse, sort by name, encode). Both must accept or both refuse,
//! and when both accept, the text must be byte-identical. The few cases where we differ on
//! purpose are listed, with the reason, in tests/oracle/known_differences.txt; the test checks
//! that each listed case really does differ, so the list cannot go stale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::oracle::{self, Answer};

fn ours_text2text(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut families = expfmt::text::parse_bytes(input).map_err(|e| e.to_string())?;
    families.sort_by(|a, b| a.name.cmp(&b.name));
    expfmt::text::encode(&families)
        .map(String::into_bytes)
        .map_err(|e| e.to_string())
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
            (Answer::Ok(a), Ok(b)) => a == b,
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

/// A small deterministic generator (xorshift64*), so failures replay without a seed file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// Mostly from `good`, one time in `odds` from `bad`.
    fn mostly<'a>(&mut self, good: &[&'a str], bad: &[&'a str], odds: usize) -> &'a str {
        if self.below(odds) == 0 {
            self.pick(bad)
        } else {
            self.pick(good)
        }
    }
}

/// A random exposition built from the grammar's pieces, biased towards the places where
/// parsers disagree: suffixed names, TYPE/HELP order, odd numbers, blanks, escapes.
fn random_exposition(rng: &mut Rng) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "a", "a_count", "a_sum", "a_bucket", "b", "b_total", "h", "h_bucket", "h_count", "h_sum",
        "s", "s_count", "s_sum", ":x",
    ];
    const TYPES: &[&str] = &[
        "counter",
        "gauge",
        "summary",
        "histogram",
        "untyped",
        "Counter",
        "summary",
        "histogram",
        "gauge_histogram",
        "bogus",
        "",
    ];
    const VALUES: &[&str] = &[
        "0",
        "1",
        "-1",
        "1.5",
        ".5",
        "5.",
        "1e6",
        "1234567",
        "-0",
        "NaN",
        "+Inf",
        "-Inf",
        "inf",
        "Infinity",
        "1e-7",
        "123456.789",
        "1e308",
        "4.9e-324",
        "17",
        "0.25",
    ];
    const BAD_VALUES: &[&str] = &["0x10", "1_0", "+nan", "x", "", "1e999"];
    const LABEL_NAMES: &[&str] = &["le", "quantile", "x", "y", "_z", "le", "quantile"];
    const BAD_LABEL_NAMES: &[&str] = &["__name__", "9", ":"];
    const LABEL_VALUES: &[&str] = &[
        "", "0.5", "1", "+Inf", "NaN", "v", "a\\\"b", "a\\\\b", "a\\nb", "é", "x,y=z", "q\\\"}",
        "0.99", "10",
    ];
    const BAD_LABEL_VALUES: &[&str] = &["a\\tb", "x\n"];
    const TIMESTAMPS: &[&str] = &["", "", " 0", " -5", " +7", " 9223372036854775807"];
    const BAD_TIMESTAMPS: &[&str] = &[" 1.5", " 9223372036854775808", " 1 ", " x", " "];
    const BLANKS: &[&str] = &[" ", " ", " ", "\t", "  "];
    let mut out = String::new();
    for _ in 0..(1 + rng.below(8)) {
        match rng.below(12) {
            0 | 1 => {
                out.push_str("# TYPE ");
                out.push_str(rng.pick(NAMES));
                out.push(' ');
                out.push_str(rng.pick(TYPES));
            }
            2 => {
                out.push_str("# HELP ");
                out.push_str(rng.pick(NAMES));
                out.push(' ');
                out.push_str(rng.pick(&["help", "a\\\\b", "a\\nb", "x\\\"y", "", " trailing "]));
            }
            3 => out.push_str(rng.pick(&["# comment", "#", "", "  ", "#HELP a x", "# TYPE"])),
            _ => {
                if rng.below(10) == 0 {
                    out.push_str(rng.pick(BLANKS));
                }
                out.push_str(rng.pick(NAMES));
                if rng.below(3) > 0 {
                    out.push('{');
                    let n = rng.below(4);
                    for i in 0..n {
                        if i > 0 {
                            out.push(',');
                        }
                        if rng.below(8) == 0 {
                            out.push(' ');
                        }
                        out.push_str(rng.mostly(LABEL_NAMES, BAD_LABEL_NAMES, 40));
                        out.push_str("=\"");
                        out.push_str(rng.mostly(LABEL_VALUES, BAD_LABEL_VALUES, 40));
                        out.push('"');
                    }
                    if rng.below(8) == 0 {
                        out.push(',');
                    }
                    out.push('}');
                }
                out.push_str(rng.pick(BLANKS));
                out.push_str(rng.mostly(VALUES, BAD_VALUES, 40));
                out.push_str(rng.mostly(TIMESTAMPS, BAD_TIMESTAMPS, 40));
            }
        }
        out.push('\n');
    }
    let mut bytes = out.into_bytes();
    // Occasionally damage one byte, or drop the final newline.
    match rng.below(20) {
        0 if !bytes.is_empty() => {
            let i = rng.below(bytes.len());
            bytes[i] = b"{}\"=, \n\\#x\t\r"[rng.below(12)];
        }
        1 => {
            bytes.pop();
        }
        _ => {}
    }
    bytes
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
            (Answer::Ok(a), Ok(b)) if a == b => accepted += 1,
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

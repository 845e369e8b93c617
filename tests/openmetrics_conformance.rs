//! The official OpenMetrics parser conformance suite (OpenObservability/OpenMetrics,
//! `tests/testdata/parsers/`), read from `../shared/conformance/openmetrics`.
//!
//! Each case folder has a `test.json` naming its input file, its `type` (`text` or `protobuf`)
//! and whether it `shouldParse`. Text cases that should parse must parse (through every entry
//! point alike); those that should not must be refused with a typed error carrying a line and
//! column. Protobuf cases are counted and skipped (the OpenMetrics protobuf format is not
//! implemented). Cases we knowingly get wrong are listed, with the reason, in
//! `tests/openmetrics_known_failures.txt`; the test checks each listed case still fails, so the
//! list cannot go stale.
//!
//! When the suite is absent the test prints `SKIPPED: …` and passes, unless `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::conformance::{cases, Case, SUITE};
use expfmt::openmetrics;
use expfmt::MetricFamily;

fn skipped() {
    println!("SKIPPED: OpenMetrics conformance suite not found at {SUITE}");
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the OpenMetrics conformance suite is required in CI ({SUITE})"
    );
}

fn known_failures() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openmetrics_known_failures.txt");
    let text = std::fs::read_to_string(path).expect("tests/openmetrics_known_failures.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (name.to_owned(), why.trim().to_owned())
        })
        .collect()
}

/// The verdict on one text case: `Ok` when we agree with the suite, `Err(why)` otherwise.
fn check(case: &Case) -> Result<(), String> {
    let parsed = openmetrics::parse_bytes(&case.input);
    let input = std::str::from_utf8(&case.input).ok();
    // Every entry point must agree with `parse_bytes`.
    if let Some(input) = input {
        let streamed: Result<Vec<MetricFamily<'_>>, _> = openmetrics::families(input).collect();
        let lexed = openmetrics::Lexer::new(input).find_map(Result::err);
        // Compared through Debug, where NaN equals NaN.
        if format!("{parsed:?}") != format!("{streamed:?}") {
            return Err(format!("entry points disagree: {parsed:?} vs {streamed:?}"));
        }
        if let (Some(lex_err), Ok(_)) = (&lexed, &parsed) {
            return Err(format!("the lexer refused what parse accepted: {lex_err}"));
        }
    }
    match (case.should_parse, parsed) {
        (true, Ok(_)) => Ok(()),
        (true, Err(e)) => Err(format!("refused: {e}")),
        (false, Ok(families)) => Err(format!("accepted: {families:?}")),
        (false, Err(e)) => {
            if e.line().is_none() || e.column().is_none() {
                return Err(format!("error without a position: {e}"));
            }
            Ok(())
        }
    }
}

#[test]
fn conformance_suite() {
    let Some(cases) = cases() else {
        skipped();
        return;
    };
    assert!(cases.len() > 200, "only {} cases in {SUITE}", cases.len());
    let known = known_failures();
    let (mut passed, mut protobuf) = (0, 0);
    let mut unexpected = Vec::new();
    let mut still_failing = Vec::new();
    for case in &cases {
        if case.kind != "text" {
            protobuf += 1;
            continue;
        }
        match (check(case), known.get(&case.name)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => unexpected.push(format!(
                "{}: listed as a known failure but passes; remove it from the list",
                case.name
            )),
            (Err(why), None) => unexpected.push(format!("{}: {why}", case.name)),
            (Err(_), Some(_)) => still_failing.push(case.name.clone()),
        }
    }
    for name in known.keys() {
        if !cases.iter().any(|c| &c.name == name) {
            unexpected.push(format!(
                "{name}: listed as a known failure but not in the suite"
            ));
        }
    }
    let text = cases.len() - protobuf;
    println!(
        "OpenMetrics conformance: {passed}/{text} text cases pass, {} known failures, \
         {protobuf} protobuf cases skipped",
        still_failing.len()
    );
    for name in &still_failing {
        println!("  known failure: {name}: {}", known[name]);
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected results:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

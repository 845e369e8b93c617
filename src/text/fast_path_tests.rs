//! The fast paths of sample lines ([`scan::sample`]) and HELP / TYPE lines ([`scan::comment`])
//! against the general grammar, on generated lines close to the common shapes and on mutations
//! of them: the lexer must yield the same records, the same labels and the same errors (kind,
//! line and column) as the general path alone, so the fast paths cannot silently diverge.

use proptest::prelude::*;

use super::grammar;
use super::lexer::{Lexer, Line};
use super::scan::{self, ScannedLabel};
use crate::error::Result;

fn pick(choices: &'static [&'static str]) -> BoxedStrategy<String> {
    proptest::sample::select(choices)
        .prop_map(str::to_owned)
        .boxed()
}

/// Mostly one of `good`, sometimes one of `bad` (each bad choice breaks a line or sends it
/// to the general path; several per line would make valid lines rare).
fn pick2(good: &'static [&'static str], bad: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![30 => pick(good), 1 => pick(bad)].boxed()
}

fn blanks() -> BoxedStrategy<String> {
    pick(&["", "", "", "", " ", "\t", "  "])
}

fn metric_name() -> BoxedStrategy<String> {
    prop_oneof![
        20 => "[a-zA-Z_:][a-zA-Z0-9_:]{0,8}",
        10 => pick(&["a", "ab", "a_b", "a1", "a:"]),
        1 => pick(&["", "1a", "\"a.b\"", "é", "a.b", "#", " a"]),
    ]
    .boxed()
}

fn label_name() -> BoxedStrategy<String> {
    prop_oneof![
        30 => "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
        3 => pick(&["le", "quantile", "a"]),
        1 => pick(&["__name__", "\"a.b\"", "\"\"", "\"__name__\"", "1a", ":a", ""]),
    ]
    .boxed()
}

fn label_value() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        40 => "[a-zA-Z0-9 ,={}.+-]",
        4 => pick(&["\\\\", "\\\"", "\\n", "é"]),
        1 => pick(&["\\t", "\\", "\n", "\"", "\\x"]),
    ];
    proptest::collection::vec(piece, 0..24)
        .prop_map(|p| p.concat())
        .boxed()
}

fn label() -> BoxedStrategy<String> {
    (
        label_name(),
        blanks(),
        pick2(&["="], &["", ":"]),
        blanks(),
        pick2(&["\""], &["", "'"]),
        label_value(),
        pick2(&["\""], &[""]),
        blanks(),
    )
        .prop_map(|(n, b1, eq, b2, q1, v, q2, b3)| format!("{n}{b1}{eq}{b2}{q1}{v}{q2}{b3}"))
        .boxed()
}

fn label_set() -> BoxedStrategy<String> {
    let item = prop_oneof![30 => label(), 1 => pick(&["\"m\"", "\"m.x\" ", "\"\""])];
    (
        proptest::collection::vec((item, pick2(&[",", ", ", " ,"], &[""])), 0..5),
        blanks(),
        any::<bool>(),
        pick2(&["}"], &["", "}}", ","]),
    )
        .prop_map(|(items, b, comma, close)| {
            let mut s = String::from("{");
            for (i, (item, sep)) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(sep);
                }
                s.push_str(item);
            }
            if comma && !items.is_empty() {
                s.push(',');
            }
            s.push_str(&b);
            s.push_str(&close);
            s
        })
        .boxed()
}

fn value() -> BoxedStrategy<String> {
    pick2(
        &[
            "1",
            "0",
            "42",
            "-1.5",
            "0.25",
            "1e3",
            "1E-3",
            "2e+05",
            ".5",
            "5.",
            "NaN",
            "nan",
            "+Inf",
            "-inf",
            "Infinity",
            "+1",
            "-0",
            "0.1234567890123456789",
            "123456789012345678901",
        ],
        &["1_0", "0x1", "", "1.5.5", "-", "1é", "1e999", "+nan"],
    )
}

fn timestamp() -> BoxedStrategy<String> {
    prop_oneof![
        10 => Just(String::new()),
        10 => pick(&[" 123", " -5", "\t7", "  8", " +3", " 0"]),
        1 => pick(&[" 1.5", " ", " 99999999999999999999", " 1 ", " 1 2", " x"]),
    ]
    .boxed()
}

/// A sample line near the common shape, maybe broken, then maybe another line.
fn line() -> BoxedStrategy<String> {
    (
        pick2(&[""], &[" ", "\t"]),
        metric_name(),
        blanks(),
        proptest::option::weighted(0.8, label_set()),
        blanks(),
        value(),
        timestamp(),
        pick2(
            &["\n"],
            &["", " \n", "\r\n", "\nnext 1\n", "\n# x\n", "\n\n"],
        ),
    )
        .prop_map(|(lead, name, b1, set, b2, v, ts, end)| {
            let set = set.unwrap_or_default();
            let b2 = if set.is_empty() && b2.is_empty() {
                " ".into()
            } else {
                b2
            };
            format!("{lead}{name}{b1}{set}{b2}{v}{ts}{end}")
        })
        .boxed()
}

/// A HELP or TYPE line near the common shape, maybe broken, then maybe another line.
fn comment_line() -> BoxedStrategy<String> {
    let text = prop_oneof![
        3 => pick(&["counter", "gauge", "histogram", "summary", "untyped", ""]),
        1 => pick(&["bogus", "counter ", "gauge\t"]),
        4 => label_value(),
    ];
    (
        pick2(&["#"], &[" #", "##", "\t#"]),
        pick2(&[" "], &["", "\t", "  "]),
        pick2(&["HELP", "TYPE"], &["HELPX", "help", "EOF", "", "TYPE\n"]),
        pick2(&[" "], &["", "\t", "  ", " \t"]),
        metric_name(),
        pick2(&[" "], &["", "\t", "  ", "\n"]),
        text,
        pick2(&["\n"], &["", " \n", "\r\n", "\nm 1\n", "\n\n"]),
    )
        .prop_map(|(hash, b1, kw, b2, name, b3, text, end)| {
            format!("{hash}{b1}{kw}{b2}{name}{b3}{text}{end}")
        })
        .boxed()
}

/// A line of `base` with one byte range replaced by a piece that often matters to the grammar.
fn mutated() -> BoxedStrategy<String> {
    mutation_of(line())
}

fn mutation_of(base: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (
        base,
        any::<proptest::sample::Index>(),
        0usize..3,
        pick(&[
            "", "\"", "\\", "\n", " ", "{", "}", ",", "=", "a", "1", "é", "\t", "_",
        ]),
    )
        .prop_map(|(line, at, len, piece)| {
            let mut cut = at.index(line.len() + 1);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut end = (cut + len).min(line.len());
            while !line.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{piece}{}", &line[..cut], &line[end..])
        })
        .boxed()
}

/// The lexer's output with the general path alone: each line through `lex_line`.
fn general(input: &str, utf8: bool) -> Vec<Result<(usize, String, Vec<ScannedLabel<'_>>)>> {
    let lexer = Lexer::new(input).utf8_names(utf8);
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < input.len() {
        let rest = &input[pos..];
        let end = rest.find('\n').map_or(rest.len(), |n| n + 1);
        match lexer.lex_line(&rest[..end], pos) {
            Ok(Some(line)) => {
                let labels = match line {
                    Line::Sample(s) => s
                        .labels
                        .iter()
                        .map(|l| ScannedLabel {
                            name: l.name,
                            raw_value: l.raw_value,
                            quoted: l.quoted,
                            escaped: l.raw_value.contains('\\'),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                out.push(Ok((pos, show(&line), labels)));
            }
            Ok(None) => break,
            Err(e) => {
                out.push(Err(e));
                break;
            }
        }
        pos += end;
    }
    out
}

/// The lexer's output as the parsers see it: fast path first.
fn lexed(input: &str, utf8: bool) -> Vec<Result<(usize, String, Vec<ScannedLabel<'_>>)>> {
    let mut lexer = Lexer::new(input).utf8_names(utf8);
    let mut labels = Vec::new();
    let mut out = Vec::new();
    // The name of the last sample, HELP or TYPE line: a sample line the lexer says repeats
    // a name must have this one (the family builder then skips its own check).
    let mut previous = None;
    while let Some(r) = lexer.next_with(&mut labels) {
        match r.as_ref().map(|r| r.line) {
            Ok(Line::Sample(s)) => {
                assert!(
                    !lexer.name_repeated() || previous == Some(s.name),
                    "{input:?}: {:?} after {previous:?}",
                    s.name
                );
                previous = Some(s.name);
            }
            Ok(Line::Help(h)) => previous = Some(h.name),
            Ok(Line::Type(t)) => previous = Some(t.name),
            _ => {}
        }
        out.push(r.map(|r| (r.offset, show(&r.line), labels.clone())));
    }
    // The public iterator yields the same records.
    let public: Vec<_> = Lexer::new(input)
        .utf8_names(utf8)
        .map(|r| {
            r.map(|r| (r.offset, show(&r.line)))
                .map_err(|e| format!("{e:?}"))
        })
        .collect();
    let ours: Vec<_> = out
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|(o, l, _)| (*o, l.clone()))
                .map_err(|e| format!("{e:?}"))
        })
        .collect();
    assert_eq!(format!("{public:?}"), format!("{ours:?}"));
    out
}

/// A line as text, with floats by their bits (NaN compares equal to itself).
fn show(line: &Line<'_>) -> String {
    match line {
        Line::Sample(s) => format!(
            "{:?} {:?} {:#x} {:?}",
            s.name,
            s.labels,
            s.value.to_bits(),
            s.timestamp_ms
        ),
        other => format!("{other:?}"),
    }
}

fn same(input: &str, utf8: bool) -> std::result::Result<(), TestCaseError> {
    let want = general(input, utf8);
    let got = lexed(input, utf8);
    prop_assert_eq!(format!("{want:?}"), format!("{got:?}"), "{:?}", input);
    for (w, g) in want.iter().zip(&got) {
        if let (Err(w), Err(g)) = (w, g) {
            prop_assert_eq!(
                (w.line(), w.column(), w.offset()),
                (g.line(), g.column(), g.offset())
            );
            prop_assert_eq!(w.to_string(), g.to_string());
        }
    }
    Ok(())
}

/// Whether the fast path takes the line (and agrees with the grammar on its parts).
fn fast_agrees(input: &str, utf8: bool) -> std::result::Result<bool, TestCaseError> {
    let mut labels = Vec::new();
    let Some((parts, len)) = scan::sample(input, 0, &mut labels) else {
        return Ok(false);
    };
    let line = &input[..len];
    prop_assert_eq!(line.find('\n'), Some(len - 1), "{:?}", input);
    let general = grammar::sample(line, utf8);
    prop_assert!(general.is_ok(), "{:?}", input);
    if let Ok((rest, g)) = general {
        prop_assert_eq!(rest, "");
        prop_assert_eq!(
            (g.name, g.labels, g.value.to_bits(), g.timestamp),
            (
                parts.name,
                parts.labels,
                parts.value.to_bits(),
                parts.timestamp
            )
        );
    }
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn fast_path_lexes_as_the_grammar(input in line(), utf8: bool) {
        same(&input, utf8)?;
        fast_agrees(&input, utf8)?;
    }

    /// A line with 16 bytes or more after every token, so that the fast path reads its names
    /// and value in 16-byte blocks (the end of the input takes the byte loops).
    #[test]
    fn fast_path_lexes_padded_lines_as_the_grammar(input in line(), utf8: bool) {
        same(&format!("{input}\n# a comment longer than one block\n"), utf8)?;
    }

    /// Several lines, often of the same names (the lexer skips re-reading a repeated name).
    #[test]
    fn fast_path_lexes_pages_as_the_grammar(
        lines in proptest::collection::vec(
            prop_oneof![4 => line(), 1 => mutated(), 2 => comment_line()],
            1..6,
        ),
        utf8: bool,
    ) {
        same(&lines.concat(), utf8)?;
    }

    /// Lines of two names, some sent to the general path by a leading blank or a quoted
    /// name: the lexer's `name_repeated` must hold only for a name the line before had
    /// (`lexed` checks it).
    #[test]
    fn fast_path_repeats_only_the_last_name(
        lines in proptest::collection::vec(
            (
                pick(&["", "", "", " "]),
                pick(&["a 1\n", "b 1\n", "a{l=\"v\"} 1\n", "{\"a\"} 1\n", "# TYPE a gauge\n",
                    "# HELP b t\n", "# x\n", "\n"]),
            )
                .prop_map(|(blank, line)| blank + &line),
            1..10,
        ),
        utf8: bool,
    ) {
        same(&lines.concat(), utf8)?;
    }

    #[test]
    fn fast_path_lexes_comments_as_the_grammar(
        input in prop_oneof![comment_line(), mutation_of(comment_line())],
        utf8: bool,
    ) {
        same(&input, utf8)?;
    }

    #[test]
    fn fast_path_lexes_mutated_lines_as_the_grammar(input in mutated(), utf8: bool) {
        same(&input, utf8)?;
        fast_agrees(&input, utf8)?;
    }
}

/// Counts, over 2 000 inputs of `strategy`, those the fast path takes; it must take many and
/// leave many to the general path, or the tests above would exercise only one of them.
fn takes_both_paths(strategy: BoxedStrategy<String>, fast: impl Fn(&str) -> bool) {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut taken, mut left) = (0, 0);
    for _ in 0..2000 {
        let Ok(input) = strategy.new_tree(&mut runner).map(|t| t.current()) else {
            continue;
        };
        if fast(&input) {
            taken += 1;
        } else {
            left += 1;
        }
    }
    assert!(taken > 300 && left > 300, "fast {taken}, general {left}");
}

#[test]
fn generated_comments_take_both_paths() {
    takes_both_paths(comment_line(), |input| {
        scan::comment(input, 0, "").is_some()
    });
}

#[test]
fn generated_lines_take_both_paths() {
    takes_both_paths(line(), |input| {
        matches!(fast_agrees(input, false), Ok(true))
    });
}

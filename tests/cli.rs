//! Runs the `expfmt` binary as a user would, including the README's first command.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn expfmt(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_expfmt"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn readme_first_command_checks_the_bundled_page() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first = readme
        .lines()
        .find(|l| l.starts_with("cargo run"))
        .expect("README starts with a cargo run command");
    let args: Vec<&str> = first
        .split_once(" -- ")
        .expect("cargo run ... -- ARGS")
        .1
        .split_whitespace()
        .collect();
    let out = expfmt(&args, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "tests/data/node_exporter.prom: ok: 283 families, 501 series\n"
    );
}

#[test]
fn check_reports_file_line_column_and_a_caret() {
    let out = expfmt(&["check", "-"], b"a 1\nb{c=\"\\q\"} 2\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "-:2:6: error: invalid escape sequence '\\q' in label value\n    b{c=\"\\q\"} 2\n         ^\n"
    );
}

#[test]
fn check_exits_2_on_unreadable_input() {
    let out = expfmt(&["check", "does/not/exist.prom"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn convert_to_text_reproduces_a_canonical_file() {
    let path = "tests/data/histograms.prom";
    let out = expfmt(&["convert", "--to", "text", path], b"");
    assert!(out.status.success());
    let original = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/histograms.prom"
    ))
    .unwrap();
    assert_eq!(out.stdout, original);
}

#[test]
fn text_to_proto_and_back_through_the_cli() {
    let path = "tests/data/histograms.prom";
    let proto = expfmt(&["convert", "--to", "proto", path], b"");
    assert!(
        proto.status.success(),
        "{}",
        String::from_utf8_lossy(&proto.stderr)
    );
    let original = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/histograms.prom"
    ))
    .unwrap();
    let families = expfmt::text::parse(&original).unwrap();
    assert_eq!(proto.stdout, expfmt::proto::encode(&families).unwrap());
    let check = expfmt(&["check", "-"], &proto.stdout);
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "-: ok: 3 families, 5 series\n"
    );
    let text = expfmt(&["convert", "--to", "text", "-"], &proto.stdout);
    assert_eq!(text.stdout, original.as_bytes());
}

#[test]
fn auto_detection_reads_short_text_as_text() {
    // "#\n" starts like a protobuf frame of length 35 followed by a name tag; it is text.
    let out = expfmt(&["check", "-"], b"#\na 1\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "-: ok: 1 families, 1 series\n"
    );
    let out = expfmt(&["check", "-"], b"a\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("-:1:2: error: expected float as value")
    );
}

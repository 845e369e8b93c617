//! The OpenMetrics conformance suite's cases, read from `../shared/conformance/openmetrics`.

use std::path::{Path, PathBuf};

/// Where the suite lives, relative to the crate.
pub const SUITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/openmetrics"
);

/// One case of the suite.
pub struct Case {
    /// The folder name.
    pub name: String,
    /// `text` or `protobuf`.
    pub kind: String,
    /// Whether a conforming parser accepts the input.
    pub should_parse: bool,
    /// The input file's bytes.
    pub input: Vec<u8>,
}

/// A string field of the flat `test.json` object (the files hold nothing nested).
fn json_field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let at = json.find(&format!("\"{key}\""))?;
    let rest = json.get(at + key.len() + 2..)?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return s.split('"').next();
    }
    let end = rest.find([',', '}', '\n']).unwrap_or(rest.len());
    Some(rest.get(..end)?.trim())
}

/// Every case of the suite, sorted by name; `None` when the suite is absent.
pub fn cases() -> Option<Vec<Case>> {
    let dir = Path::new(SUITE);
    let entries = std::fs::read_dir(dir).ok()?;
    let mut cases: Vec<Case> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("test.json").is_file())
        .map(|p: PathBuf| {
            let json = std::fs::read_to_string(p.join("test.json")).unwrap();
            let file = json_field(&json, "file").unwrap_or("metrics");
            Case {
                name: p.file_name().unwrap().to_string_lossy().into_owned(),
                kind: json_field(&json, "type").unwrap_or("text").to_owned(),
                should_parse: json_field(&json, "shouldParse") == Some("true"),
                input: std::fs::read(p.join(file)).unwrap(),
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Some(cases)
}

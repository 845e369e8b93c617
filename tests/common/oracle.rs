//! Runs Go's expfmt (tests/oracle/main.go) as a reference implementation.
//!
//! The oracle is built once per test binary with tests/oracle/build.sh. Where Go or Debian's
//! prometheus/common sources are missing, tests that need it say plainly that they skipped;
//! under CI (`CI=true`) a missing oracle fails the test instead, since `.ci/run` installs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// What Go answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted; the bytes it wrote.
    Ok(Vec<u8>),
    /// Refused; its error message.
    Err(String),
}

/// The built oracle, or `None` (after printing why) where it cannot be built outside CI.
pub fn oracle() -> Option<&'static Path> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    built(
        &BUILT,
        "expfmt-oracle",
        "main.go",
        "golang-go and golang-github-prometheus-common-dev",
    )
}

/// The push client's oracle (tests/oracle/push/main.go: Go's client_golang push package), or
/// `None` as for [`oracle`].
pub fn push_oracle() -> Option<&'static Path> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    built(
        &BUILT,
        "push-oracle",
        "push/main.go",
        "golang-go and golang-github-prometheus-client-golang-dev",
    )
}

/// Builds `source` (relative to tests/oracle) once per test binary into target/go-oracle/`name`.
fn built(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    name: &str,
    source: &str,
    packages: &str,
) -> Option<&'static Path> {
    let built = cell.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root.join("target/go-oracle").join(name);
        let status = Command::new("sh")
            .arg(root.join("tests/oracle/build.sh"))
            .arg(&out)
            .arg(source)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        match status {
            Ok(o) if o.status.success() => Ok(out),
            Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
            Err(e) => Err(e.to_string()),
        }
    });
    match built {
        Ok(p) => Some(p),
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the Go oracle {name} must build in CI: {why}"
            );
            eprintln!("SKIPPED: Go oracle {name} unavailable (install {packages}): {why}");
            None
        }
    }
}

/// Runs the oracle in `mode` (text2text, text2proto, proto2text, proto2proto) on `input`.
pub fn run(oracle: &Path, mode: &str, input: &[u8]) -> Answer {
    let mut child = Command::new(oracle)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oracle starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("oracle runs");
    writer.join().expect("writer");
    match out.status.code() {
        Some(0) => Answer::Ok(out.stdout),
        Some(1) => Answer::Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        other => panic!(
            "oracle {mode} exited with {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Runs the oracle in `mode` on `input` and returns its answer's lines; the oracle refusing
/// the input fails the test.
pub fn lines(oracle: &Path, mode: &str, input: &[u8]) -> Vec<String> {
    match run(oracle, mode, input) {
        Answer::Ok(out) => String::from_utf8(out)
            .expect("the oracle writes UTF-8")
            .lines()
            .map(str::to_owned)
            .collect(),
        Answer::Err(e) => panic!("oracle {mode}: {e}"),
    }
}

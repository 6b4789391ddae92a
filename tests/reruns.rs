//! The gate on real reruns (`tests/fixtures/reruns`): outputs of Go, hyperfine, wrk, criterion,
//! oha and autocannon, five runs each of unchanged code and one after a real slowdown, recorded
//! byte for byte on a busy 2-core machine (see the README there). Every unchanged pair, every
//! run against the slowdown, and every run against a store holding the other four, through the
//! built binary as a user runs it. The whole table is a snapshot, so a change of rules shows
//! here pair by pair; the assertions hold what must never regress.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A tool's folder and the suffix of its result files (`""`: criterion's directories).
const TOOLS: &[(&str, &str, &str)] = &[
    ("go", "go", ".txt"),
    ("hyperfine", "hyperfine", ".json"),
    ("wrk", "wrk", ".txt"),
    ("oha", "oha", ".json"),
    ("autocannon", "autocannon", ".json"),
    ("criterion", "criterion", ""),
    ("criterion-text", "criterion", ".txt"),
];

const RUNS: usize = 5;

fn folder(tool_dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reruns")
        .join(tool_dir)
}

fn perfgate() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_perfgate"));
    c.env("NO_COLOR", "1")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("GITHUB_HEAD_REF");
    c
}

/// One gate decision: the exit code and the regressions the JSON report names.
struct Outcome {
    code: i32,
    regressions: Vec<String>,
}

impl Outcome {
    fn line(&self) -> String {
        let verdict = match self.code {
            0 => "pass",
            1 => "FAIL",
            _ => "ERROR",
        };
        if self.regressions.is_empty() {
            verdict.to_string()
        } else {
            format!("{verdict}: {}", self.regressions.join(", "))
        }
    }
}

/// `perfgate compare` with `args`, reading its JSON report.
fn compare(args: &[&std::ffi::OsStr]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = perfgate()
        .arg("compare")
        .args(args)
        .arg("--report-json")
        .arg(&json)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let regressions = std::fs::read_to_string(&json)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|r| {
            let mut names: Vec<String> = r["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|x| x["status"] == "regression")
                .map(|x| {
                    format!(
                        "{} {} {:+.1}%",
                        x["benchmark"].as_str().unwrap_or_default(),
                        x["metric"].as_str().unwrap_or_default(),
                        x["change"].as_f64().unwrap_or(f64::NAN) * 100.0
                    )
                })
                .collect();
            if r["suite"]["status"] == "regression" {
                names.push("the whole run".into());
            }
            names
        })
        .unwrap_or_default();
    assert!(
        code == 0 || code == 1,
        "perfgate compare {args:?} exited {code}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Outcome { code, regressions }
}

fn file(tool_dir: &str, name: &str, ext: &str) -> PathBuf {
    folder(tool_dir).join(format!("{name}{ext}"))
}

/// `current` against `baseline`, both result files.
fn pair(tool_dir: &str, ext: &str, baseline: &str, current: &str) -> Outcome {
    let (b, c) = (file(tool_dir, baseline, ext), file(tool_dir, current, ext));
    compare(&[
        "--baseline".as_ref(),
        b.as_os_str(),
        "--current".as_ref(),
        c.as_os_str(),
    ])
}

/// `current` against a store holding `history` (oldest first) on main.
fn against_store(tool_dir: &str, ext: &str, history: &[String], current: &str) -> Outcome {
    let store = tempfile::tempdir().unwrap();
    for (i, name) in history.iter().enumerate() {
        let out = perfgate()
            .arg("save")
            .arg("--store")
            .arg(store.path())
            .arg("--current")
            .arg(file(tool_dir, name, ext))
            .args(["--branch", "main", "--commit", &format!("c{i}")])
            .args(["--timestamp", &format!("2026-12-05T17:{:02}:00Z", 10 + i)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let c = file(tool_dir, current, ext);
    compare(&[
        "--store".as_ref(),
        store.path().as_os_str(),
        "--current".as_ref(),
        c.as_os_str(),
    ])
}

fn run(i: usize) -> String {
    format!("run{i}")
}

#[test]
fn unchanged_reruns_and_real_slowdowns_through_the_gate() {
    let mut table = String::new();
    let mut summary = String::new();
    for &(tool, dir, ext) in TOOLS {
        let (mut unchanged_failed, mut unchanged) = (0, 0);
        let (mut slow_failed, mut history_failed) = (0, 0);
        for a in 1..=RUNS {
            for b in a + 1..=RUNS {
                let o = pair(dir, ext, &run(a), &run(b));
                unchanged += 1;
                unchanged_failed += usize::from(o.code == 1);
                let _ = writeln!(table, "{tool} run{a} -> run{b}: {}", o.line());
            }
        }
        for a in 1..=RUNS {
            let o = pair(dir, ext, &run(a), "slow");
            slow_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} run{a} -> slow: {}", o.line());
        }
        for k in 1..=RUNS {
            let others: Vec<String> = (1..=RUNS).filter(|&i| i != k).map(run).collect();
            let o = against_store(dir, ext, &others, &run(k));
            history_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} store of the others -> run{k}: {}", o.line());
        }
        let all: Vec<String> = (1..=RUNS).map(run).collect();
        let slow_vs_history = against_store(dir, ext, &all, "slow");
        let _ = writeln!(
            table,
            "{tool} store of run1-run5 -> slow: {}",
            slow_vs_history.line()
        );
        let _ = writeln!(
            summary,
            "{tool}: unchanged pairs that fail {unchanged_failed}/{unchanged}, with the others as history {history_failed}/{RUNS}; slowdowns that fail {slow_failed}/{RUNS}, against the history {}",
            if slow_vs_history.code == 1 { "fails" } else { "passes" }
        );

        // What must hold whatever the machine's load did to the reruns: the load tests' unchanged
        // reruns pass (their statistics moved within the floor, the tail rules and large_change)
        // and every slowdown of a tool whose slowdown is far beyond the noise fails.
        if matches!(tool, "wrk" | "oha") {
            assert_eq!(unchanged_failed, 0, "{tool}:\n{table}");
        }
        if matches!(tool, "go" | "hyperfine" | "wrk" | "oha" | "autocannon") {
            assert_eq!(slow_failed, RUNS, "{tool}:\n{table}");
            assert_eq!(slow_vs_history.code, 1, "{tool}:\n{table}");
        }
    }
    insta::assert_snapshot!("reruns", format!("{summary}\n{table}"));
}

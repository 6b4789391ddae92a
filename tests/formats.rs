//! Every real fixture is detected as its own format and parses into a run with results; the
//! files that are not results (benchstat's output, Locust's failures and exceptions) are
//! recognised and refused with a message saying what to pass instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use perfgate::formats::{self, Format};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Which format each fixture folder holds.
fn expected(dir: &str, file: &str) -> Option<Format> {
    Some(match dir {
        "artillery" => Format::Artillery,
        "asv" => Format::Asv,
        "autocannon" => Format::Autocannon,
        "benchmarkjs" => Format::BenchmarkJs,
        "benchstat-output" => Format::Benchstat,
        "benchstat" if file.ends_with(".stdout") => Format::Benchstat,
        "benchstat" => Format::Go,
        "bmf" => Format::Bmf,
        "catch2" => Format::Catch2,
        "criterion-text" => Format::CriterionText,
        "criterion" => Format::Criterion,
        "criterion-csv" => Format::CriterionCsv,
        "custom" => Format::Custom,
        "dotnet" => Format::BenchmarkDotNet,
        "gab_history" => Format::GabHistory,
        "go" => Format::Go,
        "google" => Format::GoogleBenchmark,
        "hgrm" => Format::Hgrm,
        "hlog" => Format::Hlog,
        "hyperfine" => Format::Hyperfine,
        "iai" => Format::Iai,
        "jmh" => Format::Jmh,
        "julia" => Format::Julia,
        "k6" => Format::K6Summary,
        "k6-ndjson" => Format::K6Ndjson,
        "libtest" => Format::Libtest,
        "locust" => Format::Locust,
        "oha" => Format::Oha,
        "pytest" => Format::Pytest,
        "ruby" => Format::Ruby,
        "wrk" => Format::Wrk,
        _ => return None,
    })
}

/// Files that are recognised but are not results.
/// For a fixture that is recognised and refused, what the refusal must say to pass instead.
fn refused(dir: &str, file: &str) -> Option<&'static str> {
    if dir.starts_with("benchstat") && file.ends_with(".stdout") {
        Some("Pass the `go test -bench` output files that benchstat read instead")
    } else if dir == "locust" && (file.contains("failures") || file.contains("exceptions")) {
        Some("which holds no measurements: pass `<prefix>_stats.csv` instead")
    } else if file == "change-estimates.json" {
        Some("this looks like change/estimates.json (relative change against the baseline, only `mean` and `median`), not new/estimates.json")
    } else if file == "benchmark.json" {
        Some("pass the estimates.json or sample.json next to it, or the whole target/criterion directory")
    } else {
        None
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().unwrap() != "README.md" && !p.to_string_lossy().ends_with(".gz") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_is_detected_as_its_format_and_parses() {
    let mut checked = 0;
    let mut all = Vec::new();
    files(&fixtures(), &mut all);
    all.sort();
    for path in all {
        let rel = path.strip_prefix(fixtures()).unwrap();
        let dir = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(want) = expected(&dir, &file) else {
            continue;
        };
        let text = fs::read_to_string(&path).unwrap();
        let got = formats::detect(&text).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
        assert_eq!(got, want, "{} detected as {got}", rel.display());
        let parsed = formats::parse(got, &text);
        if let Some(says) = refused(&dir, &file) {
            let e = parsed.expect_err(&rel.display().to_string());
            assert!(e.to_string().contains(says), "{}: {e}", rel.display());
        } else {
            let run = parsed.unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            assert!(run.metric_count() > 0, "{}", rel.display());
            assert!(run.meta.tool.is_some(), "{}", rel.display());
        }
        checked += 1;
    }
    assert!(checked >= 85, "only {checked} fixtures were checked");
}

#[test]
fn benchstat_output_is_refused_with_what_to_pass_instead() {
    let text = fs::read_to_string(fixtures().join("benchstat-output/crcIgnore.stdout")).unwrap();
    let e = formats::parse(formats::detect(&text).unwrap(), &text).unwrap_err();
    assert!(e.to_string().contains("benchstat"), "{e}");
    assert!(e.to_string().contains("go test -bench"), "{e}");
}

#[test]
fn every_format_has_a_command_line_name_that_round_trips() {
    for (format, name, _, _) in formats::FORMATS {
        assert_eq!(Format::from_name(name), Some(*format), "{name}");
    }
    assert_eq!(Format::from_name("wrk2"), Some(Format::Wrk));
    assert_eq!(
        Format::from_name("googlecpp"),
        Some(Format::GoogleBenchmark)
    );
}

/// `perfgate show` (the built binary) reads every fixture, as a user would run it; the files that
/// are not results exit 2.
#[test]
fn the_binary_shows_every_fixture() {
    let mut seen = std::collections::HashSet::new();
    let mut all = Vec::new();
    files(&fixtures(), &mut all);
    all.sort();
    for path in all {
        let rel = path.strip_prefix(fixtures()).unwrap().to_path_buf();
        let dir = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(want) = expected(&dir, &file) else {
            continue;
        };
        seen.insert(want);
        let out = assert_cmd::Command::cargo_bin("perfgate")
            .unwrap()
            .arg("show")
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        if let Some(says) = refused(&dir, &file) {
            assert_eq!(code, Some(2), "{}", rel.display());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(says), "{}: {stderr}", rel.display());
            assert!(
                stderr.contains(&*file),
                "the error names the file: {stderr}"
            );
        } else {
            assert_eq!(
                code,
                Some(0),
                "{}: {}",
                rel.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(stdout.contains("benchmarks"), "{}: {stdout}", rel.display());
        }
    }
    assert_eq!(
        seen.len(),
        29,
        "every format but perfgate and the forced custom variants"
    );
}

fn perfgate() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("perfgate").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// Two load-test runs compare through their histograms' percentiles, each decided on its own:
/// the slow run (example2, p(50) 1.42 s) against the fast one (12Krps, p(50) 4.92 ms) is a
/// regression on every statistic, and the other way round an improvement on every statistic, but
/// `max` and `p(99.9)`, the slowest few requests, which one run per side does not gate.
#[test]
fn two_load_test_runs_compare_percentile_by_percentile() {
    let stats = ["avg", "p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)", "max"];
    for (base, cur, code, status) in [
        ("12Krps.hgrm", "example2.hgrm", 1, "regression"),
        ("example2.hgrm", "12Krps.hgrm", 0, "improvement"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("report.json");
        perfgate()
            .arg("compare")
            .arg("--baseline")
            .arg(fixtures().join("hgrm").join(base))
            .arg("--current")
            .arg(fixtures().join("hgrm").join(cur))
            .arg("--report-json")
            .arg(&json)
            .assert()
            .code(code);
        let report: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
        let got: Vec<(String, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["metric"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // `max` and `p(99.9)` rest on the slowest requests: with one run per side they are not
        // gated.
        let want: Vec<(String, String)> = stats
            .iter()
            .map(|m| {
                let s = if matches!(*m, "max" | "p(99.9)") {
                    "inconclusive"
                } else {
                    status
                };
                (m.to_string(), s.to_string())
            })
            .collect();
        let (mut got, mut want) = (got, want);
        got.sort();
        want.sort();
        assert_eq!(got, want, "{base} -> {cur}");
    }
}

/// Budgets work on load-test formats: a wrk run's p(99) and a Locust run's failure rate.
#[test]
fn budgets_apply_to_wrk_and_locust_runs() {
    perfgate()
        .arg("compare")
        .arg("--current")
        .arg(fixtures().join("wrk/wrk-get-latency.txt"))
        .args(["--budget", "* p(99) < 10s"])
        .assert()
        .code(0);
    perfgate()
        .arg("compare")
        .arg("--current")
        .arg(fixtures().join("wrk/wrk-get-latency.txt"))
        .args(["--budget", "* p(99) < 1us"])
        .assert()
        .code(1);
    perfgate()
        .arg("compare")
        .arg("--current")
        .arg(fixtures().join("locust/results_stats.csv"))
        .args(["--budget", "Aggregated error_rate < 100%"])
        .assert()
        .code(0);
}

/// Every parser refuses a blank input (also behind a byte-order mark) with an error about the
/// whole input that says it is empty (JSON formats) or that nothing was found and what was
/// expected (text formats), never a panic, an empty run or a JSON syntax error.
#[test]
fn every_parser_refuses_blank_input() {
    let mut wrong = Vec::new();
    for (format, ..) in formats::FORMATS {
        // A refusal: any input of it gets the message that says what to pass instead.
        if *format == Format::Benchstat {
            continue;
        }
        for blank in ["", "  \n\t\n", "\u{feff}", "\u{feff}\r\n  "] {
            match formats::parse(*format, blank) {
                Ok(r) => wrong.push(format!(
                    "{format:?} on {blank:?}: {} benchmarks",
                    r.benchmarks.len()
                )),
                Err(e)
                    if e.line.is_none()
                        && (e.to_string().contains("empty") || e.to_string().contains("found")) => {
                }
                Err(e) => wrong.push(format!("{format:?} on {blank:?}: {e}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

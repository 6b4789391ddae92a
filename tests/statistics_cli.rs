//! The statistics of issue 5 through the built binary: a store's history and its prediction
//! interval, cross-environment marking, deterministic metrics, several baseline files merging
//! into samples, and the adjusted p-values in the reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn perfgate() -> Command {
    let mut c = Command::cargo_bin("perfgate").unwrap();
    c.env("NO_COLOR", "1")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_HEAD_REF")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("CI_COMMIT_SHA")
        .env_remove("CI_COMMIT_REF_NAME");
    c
}

/// A perfgate run file with one benchmark `parse` and the given metrics
/// (`name`, `unit`, JSON data such as `"value": 100` or `"samples": [1, 2]`).
fn run_file(
    dir: &Path,
    name: &str,
    environment: &str,
    metrics: &[(&str, &str, String)],
) -> PathBuf {
    let metrics: Vec<String> = metrics
        .iter()
        .map(|(m, u, data)| format!(r#"{{"name": "{m}", "unit": "{u}", {data}}}"#))
        .collect();
    let text = format!(
        r#"{{"schema": "perfgate.run.v1", "meta": {{"tool": "test", "environment": {environment}}},
            "benchmarks": [{{"name": "parse", "metrics": [{}]}}]}}"#,
        metrics.join(", ")
    );
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// A run file of one `time` value in µs, with no environment.
fn time_file(dir: &Path, name: &str, us: f64) -> PathBuf {
    run_file(dir, name, "{}", &[("time", "us", value(us))])
}

/// A run file of `parse` with one value in µs for each metric `names[m]`: `value_of(m)`.
fn values_file(
    dir: &Path,
    name: &str,
    names: &[String],
    value_of: impl Fn(usize) -> f64,
) -> PathBuf {
    let metrics: Vec<(&str, &str, String)> = names
        .iter()
        .enumerate()
        .map(|(m, n)| (n.as_str(), "us", value(value_of(m))))
        .collect();
    run_file(dir, name, "{}", &metrics)
}

/// The exit code and standard output of a perfgate command.
fn code_and_stdout(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn value(v: f64) -> String {
    format!(r#""value": {v}"#)
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Saves `n` runs of `time` on `main`, values within ±2% of 100 µs.
fn store_with_history(dir: &Path, n: usize) -> PathBuf {
    let store = dir.join("store");
    save_runs(dir, &store, 0..n, 100.0);
    store
}

/// Saves runs `runs` (commits `c00`, `c01`, ..., one a day) of `time` on `main` into `store`,
/// values within ±2% of `level` µs.
fn save_runs(dir: &Path, store: &Path, runs: std::ops::Range<usize>, level: f64) {
    for i in runs {
        let wave = ((i * 7 % 11) as f64 - 5.0) / 5.0;
        let f = run_file(
            dir,
            &format!("run{i}.json"),
            "{}",
            &[("time", "us", value(level * (1.0 + 0.02 * wave)))],
        );
        save_on_main(store, i, &f);
    }
}

/// `perfgate save` of `file` as run `i` of `main` (commit `c{i}`, day `i + 1`) into `store`.
fn save_on_main(store: &Path, i: usize, file: &Path) {
    perfgate()
        .args(["save", "--branch", "main", "--commit"])
        .arg(format!("c{i:02}"))
        .arg("--timestamp")
        .arg(format!("2026-01-{:02}T00:00:00Z", i + 1))
        .arg("--current")
        .arg(file)
        .arg("--store")
        .arg(store)
        .assert()
        .code(0);
}

/// `perfgate compare` of `current` against the history in `store`, the JSON report to `json`,
/// with `options` (such as `--history-window 5`).
fn compare_with_store(
    current: &Path,
    store: &Path,
    json: &Path,
    options: &[&str],
) -> assert_cmd::assert::Assert {
    perfgate()
        .arg("compare")
        .args(options)
        .arg("--current")
        .arg(current)
        .arg("--store")
        .arg(store)
        .arg("--report-json")
        .arg(json)
        .assert()
}

#[test]
fn compare_with_a_store_judges_single_values_against_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_history(dir.path(), 12);
    let json = dir.path().join("report.json");
    let md = dir.path().join("report.md");

    // +12% is far outside a ±2% history: a regression, by the prediction interval.
    let slow = time_file(dir.path(), "slow.json", 112.0);
    perfgate()
        .args(["compare", "--current"])
        .arg(&slow)
        .arg("--store")
        .arg(&store)
        .arg("--report-json")
        .arg(&json)
        .arg("--report-md")
        .arg(&md)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("and the 11 runs before it"));
    let r = report(&json);
    assert_eq!(r["baseline_runs"], 12);
    assert_eq!(r["results"][0]["method"], "prediction_interval");
    assert_eq!(r["results"][0]["status"], "regression");
    assert_eq!(r["results"][0]["baseline"]["n"], 12);
    assert!(r["results"][0]["p_adjusted"].as_f64().unwrap() < 0.05);
    let note = r["results"][0]["note"].as_str().unwrap();
    assert!(
        note.contains("above the 98% prediction interval of the last 12 runs"),
        "{note}"
    );
    let md = fs::read_to_string(&md).unwrap();
    assert!(md.contains("vs the mean of 12 runs"), "{md}");

    // +3% is within the threshold: unchanged.
    let same = time_file(dir.path(), "same.json", 103.0);
    compare_with_store(&same, &store, &json, &[]).code(0);

    // With a window of 5 runs there is too little history: no noise estimate, so +14% (within
    // what reruns reach) is inconclusive against the latest run, and the note says why.
    compare_with_store(&slow, &store, &json, &["--history-window", "5"]).code(0);
    let r = report(&json);
    assert_eq!(r["baseline_runs"], 5);
    assert_eq!(r["results"][0]["method"], "threshold");
    assert_eq!(r["results"][0]["status"], "inconclusive");
    assert!(r["results"][0]["note"]
        .as_str()
        .unwrap()
        .contains("only 5 runs of history"));
}

/// A deliberate +30% landed on main 10 runs ago: a pull request on top of it is judged against
/// the level of the 10 runs since (with the noise of all 22), not failed against the 12 before.
#[test]
fn after_a_change_landed_on_main_the_runs_since_are_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_history(dir.path(), 12);
    save_runs(dir.path(), &store, 12..22, 130.0);
    let json = dir.path().join("report.json");
    let pr = time_file(dir.path(), "pr.json", 131.0);
    compare_with_store(&pr, &store, &json, &[])
        .code(0)
        .stdout(predicate::str::contains("unchanged"));
    let r = report(&json);
    assert_eq!(r["baseline_runs"], 22);
    let result = &r["results"][0];
    assert_eq!(result["status"], "unchanged");
    assert_eq!(result["method"], "prediction_interval");
    assert_eq!(result["baseline"]["n"], 10);
    let note = result["note"].as_str().unwrap();
    assert_eq!(
        note,
        "the baseline changed level (+30.5%): compared with the 10 runs since, with the noise of all 22"
    );
    // +12% on the new level is a regression.
    let slow = time_file(dir.path(), "slow.json", 146.0);
    compare_with_store(&slow, &store, &json, &[]).code(1);
}

/// The same history with one run 2x slower among the first 12 (a slow day on the runners): the
/// level shift is still found and the slow run left out. Before, the slow run hid the shift and
/// widened the band over both levels, so that +12% on the new level passed.
#[test]
fn a_slow_day_does_not_hide_a_change_that_landed_on_main() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save_runs(dir.path(), &store, 0..4, 100.0);
    save_on_main(&store, 4, &time_file(dir.path(), "slow-day.json", 200.0));
    save_runs(dir.path(), &store, 5..12, 100.0);
    save_runs(dir.path(), &store, 12..22, 130.0);
    let json = dir.path().join("report.json");
    let pr = time_file(dir.path(), "pr.json", 131.0);
    compare_with_store(&pr, &store, &json, &[]).code(0);
    let r = report(&json);
    let result = &r["results"][0];
    assert_eq!(result["status"], "unchanged");
    assert_eq!(result["baseline"]["n"], 10);
    let note = result["note"].as_str().unwrap();
    assert!(
        note.contains("the baseline changed level (+30.5%)"),
        "{note}"
    );
    let slow = time_file(dir.path(), "slow.json", 146.0);
    compare_with_store(&slow, &store, &json, &[]).code(1);
    assert_eq!(report(&json)["results"][0]["status"], "regression");
}

/// A +20% change stayed on main for 8 runs and was reverted 8 runs ago: the pull request is
/// judged against the level since the revert. Before, the three levels hid both shifts and the
/// band spanned them, so that +20% passed as unchanged.
#[test]
fn a_change_that_landed_and_was_reverted_leaves_the_level_since_as_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save_runs(dir.path(), &store, 0..8, 100.0);
    save_runs(dir.path(), &store, 8..16, 120.0);
    save_runs(dir.path(), &store, 16..24, 100.0);
    let json = dir.path().join("report.json");
    let slow = time_file(dir.path(), "slow.json", 120.0);
    compare_with_store(&slow, &store, &json, &[]).code(1);
    let result = &report(&json)["results"][0];
    assert_eq!(result["status"], "regression");
    assert_eq!(result["baseline"]["n"], 8);
    let note = result["note"].as_str().unwrap();
    assert!(note.contains("the baseline changed level (-16."), "{note}");
}

/// Main ran on two CPU models in turn (the Intel runs 20% slower): a pull request on an AMD
/// runner is compared with the AMD runs only, and gates.
#[test]
fn a_store_history_is_compared_on_the_current_kind_of_machine() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let amd = r#"{"os": "linux", "cpu": "AMD EPYC 7763", "cores": 4}"#;
    let intel = r#"{"os": "linux", "cpu": "Intel Xeon 8370C", "cores": 4}"#;
    for i in 0..24 {
        let wave = ((i * 7 % 11) as f64 - 5.0) / 5.0;
        let (env, f) = if i % 2 == 0 { (amd, 1.0) } else { (intel, 1.2) };
        let file = run_file(
            dir.path(),
            &format!("run{i}.json"),
            env,
            &[("time", "us", value(100.0 * f * (1.0 + 0.02 * wave)))],
        );
        save_on_main(&store, i, &file);
    }
    let json = dir.path().join("report.json");
    let slow = run_file(dir.path(), "pr.json", amd, &[("time", "us", value(112.0))]);
    compare_with_store(&slow, &store, &json, &[])
        .code(1)
        .stdout(predicate::str::contains(
            "and the 11 runs before it, on the same kind of machine (12 runs on others left out)",
        ));
    let r = report(&json);
    assert_eq!(r["baseline_runs"], 12);
    assert_eq!(r["other_environment_runs"], 12);
    assert_eq!(r["cross_environment"], false);
    assert_eq!(r["baseline_run"]["commit"], "c22");
    assert_eq!(r["results"][0]["status"], "regression");

    // A window of 8 is filled with 8 AMD runs, read from beyond the last 8 runs of the store
    // (8 runs are fewer than `min_points`: no interval, and +14% alone is inconclusive).
    compare_with_store(&slow, &store, &json, &["--history-window", "8"]).code(0);
    let r = report(&json);
    assert_eq!(
        (
            r["baseline_runs"].as_u64(),
            r["other_environment_runs"].as_u64()
        ),
        (Some(8), Some(12))
    );
}

#[test]
fn a_history_window_of_zero_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = time_file(dir.path(), "a.json", 1.0);
    perfgate()
        .args(["compare", "--history-window", "0", "--store"])
        .arg(dir.path())
        .arg("--current")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--history-window"));
}

const ENV_A: &str = r#"{"os": "linux", "cpu": "AMD EPYC 7763", "cores": 4}"#;
const ENV_B: &str = r#"{"os": "linux", "cpu": "Intel Xeon 8370C", "cores": 4}"#;

#[test]
fn a_baseline_from_another_environment_is_marked_and_cannot_fail_on_noisy_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let base = run_file(
        dir.path(),
        "base.json",
        ENV_A,
        &[
            ("time", "us", value(100.0)),
            ("instructions", "count", value(1e6)),
        ],
    );
    let slower = run_file(
        dir.path(),
        "slower.json",
        ENV_B,
        &[
            ("time", "us", value(150.0)),
            ("instructions", "count", value(1e6)),
        ],
    );
    let json = dir.path().join("report.json");
    let md = dir.path().join("report.md");
    perfgate()
        .args(["compare", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower)
        .arg("--report-json")
        .arg(&json)
        .arg("--report-md")
        .arg(&md)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "The baseline ran in a different environment (cpu: AMD EPYC 7763 → Intel Xeon 8370C)",
        ));
    let r = report(&json);
    assert_eq!(r["cross_environment"], true);
    assert_eq!(
        r["environment_differences"],
        serde_json::json!(["cpu: AMD EPYC 7763 → Intel Xeon 8370C"])
    );
    let time = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["metric"] == "time")
        .unwrap();
    assert_eq!(time["status"], "inconclusive");
    assert!(time["note"]
        .as_str()
        .unwrap()
        .contains("another environment"));
    assert!(fs::read_to_string(&md)
        .unwrap()
        .contains("The baseline ran in a different environment"));

    // The flag (or allow_cross_environment = true) gates anyway.
    perfgate()
        .args(["compare", "--allow-cross-environment", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&slower)
        .assert()
        .code(1);
}

#[test]
fn deterministic_metrics_still_gate_across_environments() {
    let dir = tempfile::tempdir().unwrap();
    let base = run_file(
        dir.path(),
        "base.json",
        ENV_A,
        &[("instructions", "count", value(1_000_000.0))],
    );
    let more = run_file(
        dir.path(),
        "more.json",
        ENV_B,
        &[("instructions", "count", value(1_080_000.0))],
    );
    let json = dir.path().join("report.json");
    perfgate()
        .args(["compare", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&more)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1);
    let r = report(&json);
    assert_eq!(r["results"][0]["method"], "exact");
    assert_eq!(r["results"][0]["deterministic"], true);
    assert_eq!(r["results"][0]["p_value"], serde_json::Value::Null);

    // A 0% rule on instructions fails on any increase; 1.001x is within 5% otherwise.
    let tiny = run_file(
        dir.path(),
        "tiny.json",
        ENV_A,
        &[("instructions", "count", value(1_001_000.0))],
    );
    perfgate()
        .args(["compare", "--baseline"])
        .arg(&base)
        .arg("--current")
        .arg(&tiny)
        .assert()
        .code(0);
    let cfg = dir.path().join("perfgate.toml");
    fs::write(
        &cfg,
        "[[rule]]\nmetric = \"instructions\"\nthreshold = \"0%\"\n",
    )
    .unwrap();
    perfgate()
        .args(["compare", "--config"])
        .arg(&cfg)
        .arg("--baseline")
        .arg(&base)
        .arg("--current")
        .arg(&tiny)
        .assert()
        .code(1);
}

/// Same-job A/B: one file per repeat on each side, merged into samples.
#[test]
fn several_baseline_files_merge_into_samples_for_a_real_test() {
    let dir = tempfile::tempdir().unwrap();
    let (mut base, mut head) = (Vec::new(), Vec::new());
    for i in 0..8 {
        let jitter = 1.0 + 0.003 * (i % 3) as f64;
        base.push(run_file(
            dir.path(),
            &format!("base{i}.json"),
            ENV_A,
            &[("time", "us", value(100.0 * jitter))],
        ));
        head.push(run_file(
            dir.path(),
            &format!("head{i}.json"),
            ENV_A,
            &[("time", "us", value(120.0 * jitter))],
        ));
    }
    let json = dir.path().join("report.json");
    perfgate()
        .arg("compare")
        .arg("--baseline")
        .args(&base)
        .arg("--current")
        .args(&head)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1);
    let r = report(&json);
    assert_eq!(r["results"][0]["method"], "mann_whitney");
    assert_eq!(r["results"][0]["baseline"]["n"], 8);
    assert_eq!(r["results"][0]["current"]["n"], 8);
    assert_eq!(r["results"][0]["status"], "regression");
    assert_eq!(r["cross_environment"], false);
}

/// `perfgate compare` of benchstat's CRC example, old against new.
fn compare_crc() -> Command {
    let mut c = perfgate();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "compare",
        "--baseline",
        "tests/fixtures/benchstat/crc-old.txt",
        "--current",
        "tests/fixtures/benchstat/crc-new.txt",
    ]);
    c
}

/// benchstat's own CRC example (36 benchmarks, time and throughput, 10 runs a side): 72 metrics
/// with samples, so `test = "auto"` decides them with the moderated t test. Reference values: a
/// NumPy/SciPy transcription of limma's fitFDist and eBayes over the same 72 metrics, each side
/// without its values beyond 4.5 interquartile ranges of the log values. With one baseline run
/// and 36 benchmarks, each metric is then judged against the rest of the suite, with the
/// run-to-run spread the suite shows.
#[test]
fn many_metrics_with_samples_are_tested_together_and_the_reports_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let md = dir.path().join("report.md");
    let out = compare_crc()
        .env("GITHUB_SHA", "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
        .env("GITHUB_HEAD_REF", "feature/crc")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .arg("--report-json")
        .arg(&json)
        .arg("--report-md")
        .arg(&md)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("72 metrics with samples were tested together (moderated t test on log values): their typical noise is 2.5% and each borrowed 6 degrees of freedom from the others."), "{out}");
    let r = report(&json);
    assert_eq!(r["settings"]["test"], "auto");
    assert_eq!(r["moderation"]["method"], "limma_ebayes");
    assert_eq!(r["moderation"]["metrics"], 72);
    let d0 = r["moderation"]["prior_df"].as_f64().unwrap();
    assert!((d0 - 5.684_467_588_331_389_5).abs() < 1e-6, "{d0}");
    let cv = r["moderation"]["prior_cv"].as_f64().unwrap();
    assert!((cv - 0.024_512_939_346_436_825).abs() < 1e-9, "{cv}");
    assert_eq!(r["moderation"]["pooled_df"], 1286.0);
    let results = r["results"].as_array().unwrap();
    assert!(results.iter().all(|x| x["method"] == "run_to_run"));
    assert_eq!(r["suite"]["metrics"], 72);
    assert_eq!(r["suite"]["benchmarks"], 36);
    assert_eq!(r["suite"]["status"], "unchanged");
    let shift = r["suite"]["change"].as_f64().unwrap();
    assert!((shift + 0.0115).abs() < 0.001, "{shift}");
    let time_of = |name: &str| result(&r, name, "time");
    let koopman = time_of("BenchmarkCRC32/poly=Koopman/size=1kB/align=1-8");
    assert_eq!(koopman["status"], "regression");
    // +9.4% against the baseline run, +10.6% against the rest of the suite, which ran 1.2%
    // faster.
    let change = koopman["change"].as_f64().unwrap();
    assert!((change - 0.106_378).abs() < 1e-5, "{change}");
    assert!(koopman["p_value"].as_f64().unwrap() < 0.001);
    // Koopman/size=32kB/align=1: the within-run t test finds +5.7% a regression (as the U test
    // does), but against the spread between runs that the suite shows it is not significant.
    let far_out = time_of("BenchmarkCRC32/poly=Koopman/size=32kB/align=1-8");
    assert_eq!(far_out["status"], "inconclusive");
    let note = far_out["note"].as_str().unwrap();
    assert!(note.contains("keep a history of runs"), "{note}");
    assert!(
        note.contains(
            "1 far-out value (beyond 4.5 interquartile ranges, log scale) left out of the t test"
        ),
        "{note}"
    );
    assert_eq!(r["counts"]["regression"], 2);
    let md = fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("72 metrics with samples were tested together"),
        "{md}"
    );
    insta::assert_snapshot!("moderated_markdown", md);

    // `test = "mann-whitney"`: the U test on each metric, as benchstat.
    let config = dir.path().join("perfgate.toml");
    fs::write(&config, "test = \"mann-whitney\"\n").unwrap();
    compare_crc()
        .arg("--config")
        .arg(&config)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("moderated").not());
    let r = report(&json);
    assert_eq!(r["settings"]["test"], "mann-whitney");
    // The flag overrides the config, both ways; a test that does not exist is a usage error.
    compare_crc()
        .args(["--test", "auto", "--config"])
        .arg(&config)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "72 metrics with samples were tested together",
        ));
    compare_crc()
        .args(["--test", "welch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("auto").and(predicate::str::contains("mann-whitney")));
    compare_crc()
        .args(["--test", "mann-whitney", "--report-json"])
        .arg(&json)
        .assert()
        .code(1);
    let r = report(&json);
    assert_eq!(r["settings"]["test"], "mann-whitney");
    assert!(r["moderation"].is_null());
    assert!(r["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["method"] == "mann_whitney"));
}

/// Twelve single-value metrics saved in twelve runs of `main`: their histories' spreads are
/// moderated together, and the reports say so.
#[test]
fn a_store_history_of_many_metrics_is_moderated_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let names: Vec<String> = (0..12).map(|m| format!("step{m:02}")).collect();
    let value_of = |m: usize, i: usize| {
        let wave = (((i + m) * 7 % 11) as f64 - 5.0) / 5.0;
        100.0 * (1.0 + (0.01 + 0.002 * m as f64) * wave)
    };
    for i in 0..12 {
        let f = values_file(dir.path(), &format!("run{i}.json"), &names, |m| {
            value_of(m, i)
        });
        perfgate()
            .args(["save", "--branch", "main", "--current"])
            .arg(&f)
            .arg("--store")
            .arg(&store)
            .assert()
            .code(0);
    }
    let cur = values_file(dir.path(), "cur.json", &names, |m| {
        if m == 0 {
            112.0
        } else {
            100.0
        }
    });
    let json = dir.path().join("report.json");
    compare_with_store(&cur, &store, &json, &[])
        .code(1)
        .stdout(predicate::str::contains(
            "12 metrics with one value per run were judged against their histories together (moderated prediction intervals)",
        ));
    let r = report(&json);
    assert_eq!(r["history_moderation"]["metrics"], 12);
    assert_eq!(r["history_moderation"]["pooled_df"], 132.0);
    assert!(r["moderation"].is_null());
    assert_eq!(r["counts"]["regression"], 1);
    let first = &r["results"][0];
    assert_eq!(first["metric"], "step00");
    assert_eq!(first["method"], "prediction_interval");

    // Each history alone with --test mann-whitney: no moderation sentence.
    perfgate()
        .args(["compare", "--test", "mann-whitney", "--current"])
        .arg(&cur)
        .arg("--store")
        .arg(&store)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("judged against their histories together").not());
    assert!(report(&json)["history_moderation"].is_null());
}

/// `perfgate compare` of `current` against `baseline` (it passes), its JSON report.
fn compare_go_reruns(dir: &Path, baseline: &[PathBuf], current: &[PathBuf]) -> serde_json::Value {
    let json = dir.join("report.json");
    perfgate()
        .arg("compare")
        .arg("--baseline")
        .args(baseline)
        .arg("--current")
        .args(current)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(0);
    report(&json)
}

/// A quiet Go rerun, `tests/fixtures/reruns/quiet/go/<name>.txt`.
fn go_rerun(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/reruns/quiet/go/{name}.txt"))
}

#[test]
fn files_of_the_same_benchmarks_are_runs_compared_by_one_value_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = compare_go_reruns(
        dir.path(),
        &[go_rerun("run1")],
        &[go_rerun("run2"), go_rerun("run3")],
    );
    assert_eq!(r["current_runs"], 2);
    assert_eq!(r["baseline_runs"], 1);
    assert_eq!(r["one_value_per_run"], true);
    assert_eq!(r["machine_taken_out"], true);
    let time = result(&r, "BenchmarkFib20-2", "time");
    assert_eq!(
        (&time["baseline"]["n"], &time["current"]["n"]),
        (&1.into(), &2.into())
    );
    // Against the rest of the suite: the whole run moved (the quiet run1 was slower).
    assert_eq!(time["method"], "run_to_run");
    assert!(r["suite"].is_object());
}

#[test]
fn files_of_other_benchmarks_are_parts_of_one_run() {
    // run2 split in two files by benchmark: one run of ten repeats, as the whole file is.
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(go_rerun("run2")).unwrap();
    let (sha, rest): (Vec<&str>, Vec<&str>) = text
        .lines()
        .filter(|l| l.starts_with("Benchmark"))
        .partition(|l| l.starts_with("BenchmarkSHA256"));
    let parts = [("sha.txt", sha), ("rest.txt", rest)].map(|(name, lines)| {
        let p = dir.path().join(name);
        fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    });
    let split = compare_go_reruns(dir.path(), &[go_rerun("run1")], &parts);
    let whole = compare_go_reruns(dir.path(), &[go_rerun("run1")], &[go_rerun("run2")]);
    assert_eq!(split["current_runs"], 1);
    assert_eq!(split["one_value_per_run"], false);
    assert_eq!(split["results"], whole["results"]);
    assert_eq!(split["counts"], whole["counts"]);
}

/// A quiet k6 rerun, `tests/fixtures/reruns/quiet/k6/<name>.json`.
fn k6_rerun(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/reruns/quiet/k6/{name}.json"))
}

/// `perfgate compare` of k6 runs: its exit code, JSON report and terminal output.
fn compare_k6_reruns(
    dir: &Path,
    baseline: &[&str],
    current: &[&str],
) -> (i32, serde_json::Value, String) {
    let json = dir.join("report.json");
    let out = perfgate()
        .arg("compare")
        .arg("--baseline")
        .args(baseline.iter().map(|n| k6_rerun(n)))
        .arg("--current")
        .args(current.iter().map(|n| k6_rerun(n)))
        .arg("--report-json")
        .arg(&json)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        report(&json),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn result<'a>(r: &'a serde_json::Value, benchmark: &str, metric: &str) -> &'a serde_json::Value {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["benchmark"] == benchmark && x["metric"] == metric)
        .unwrap()
}

#[test]
fn a_load_test_run_twice_is_one_workload_not_a_suite_of_benchmarks() {
    let dir = tempfile::tempdir().unwrap();
    // Unchanged: run4 was the quiet set's fastest run (p(95) 4.77 ms), run5 and run1 agreed on a
    // 14% slower one (5.64, 5.25 ms). Thirty statistics of one workload moved together; each is
    // tested on its own runs, not moderated as thirty noise estimates: beyond the threshold, but
    // not beyond the spread of three runs, so inconclusive, and the gate passes.
    let (code, r, out) = compare_k6_reruns(dir.path(), &["run4"], &["run5", "run1"]);
    assert_eq!(code, 0, "{r:#}");
    assert!(
        out.contains("1 baseline run against 2 current runs of the same benchmarks, so the noise between runs was measured, not assumed (a load test's statistics are one workload seen many ways: each was tested on its own runs, none against the others)"),
        "{out}"
    );
    assert_eq!(r["one_value_per_run"], true);
    assert!(r["moderation"].is_null() && r["suite"].is_null(), "{r:#}");
    assert_eq!(r["machine_taken_out"], false);
    let p95 = result(&r, "http_req_duration", "p(95)");
    assert_eq!(p95["method"], "moderated_t");
    assert_eq!(p95["status"], "inconclusive");
    // A sub-millisecond connection set-up time: 22 µs, then 72 and 25 µs (1-second SYN retries
    // among 50,000 requests): not gated by a few runs.
    let blocked = result(&r, "http_req_blocked", "avg");
    assert_eq!(blocked["method"], "threshold");
    assert_eq!(blocked["status"], "unchanged");

    // The slowdown against two baseline runs: the latencies themselves are the regressions, not
    // "the whole run" (no machine to take out of one load test).
    let (code, r, _) = compare_k6_reruns(dir.path(), &["run1", "run2"], &["slow"]);
    assert_eq!(code, 1);
    assert!(r["suite"].is_null(), "{r:#}");
    let p95 = result(&r, "http_req_duration", "p(95)");
    assert_eq!(p95["status"], "regression");
    assert_eq!(p95["method"], "moderated_t");
    let change = p95["change"].as_f64().unwrap();
    assert!((0.49..0.50).contains(&change), "{change}");
}

#[test]
fn a_runs_extremes_and_a_commands_kernel_time_are_shown_apart_and_never_gated_on_one_run() {
    let dir = tempfile::tempdir().unwrap();
    // quiet k6, run4 → run5, unchanged code: the request duration's max went 13.6 → 33.6 ms.
    let (code, r, out) = compare_k6_reruns(dir.path(), &["run4"], &["run5"]);
    assert_eq!(code, 0, "{r:#}");
    let max = result(&r, "http_req_duration", "max");
    assert_eq!(max["status"], "inconclusive");
    assert_eq!(max["context"], true);
    assert_eq!(max["fails_gate"], false);
    assert!(
        out.contains("\nnot gated without a history of runs: `max`, `min` and percentiles beyond 99.9 rest on a run's few slowest or fastest requests:\n  http_req_duration max 13.6 ms → 33.6 ms (+147.8%) · "),
        "{out}"
    );
    // Not an inconclusive row of its own, nor a note, nor the heading's news.
    assert!(!out.contains("max +147.8%"), "{out}");
    assert!(!out.contains("`max` rests on"), "{out}");
    // With a store of four runs, too short a history for single values: the line says so.
    let store = dir.path().join("store");
    for run in ["run1", "run2", "run3", "run4"] {
        let saved = perfgate()
            .args(["save", "--store"])
            .arg(&store)
            .arg("--current")
            .arg(k6_rerun(run))
            .output()
            .unwrap();
        assert!(saved.status.success(), "{saved:?}");
    }
    let json = dir.path().join("store-report.json");
    let (code, text) = code_and_stdout(
        perfgate()
            .args(["compare", "--store"])
            .arg(&store)
            .arg("--current")
            .arg(k6_rerun("run5"))
            .arg("--report-json")
            .arg(&json),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("\nnot gated with only 4 runs of history (10 needed: `min_points`): `max`, `min` and percentiles beyond 99.9 rest on a run's few slowest or fastest requests:\n  http_req_duration max 13.6 ms → 33.6 ms (+147.8%) · "),
        "{text}"
    );
    // The JSON's note says the same: a history there is, too short.
    let r = report(&json);
    assert_eq!(
        result(&r, "http_req_duration", "max")["note"],
        "one value per run and only 4 runs of history with this metric: no noise estimate; `max` rests on the run's few slowest or fastest requests: not gated with only 4 runs of history, fewer than `min_points` (+147.8% here)"
    );

    // hyperfine, quiet run1 → run2: `system` moved by up to -43.9% on unchanged code; shown
    // apart, the command's time decides.
    let rerun = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/reruns/quiet/hyperfine/{name}.json"))
    };
    let (code, text) = code_and_stdout(
        perfgate()
            .args(["compare", "--baseline"])
            .arg(rerun("run1"))
            .arg("--current")
            .arg(rerun("run2")),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("\nnot gated without a history of runs: a command's `system` time is a few milliseconds in the kernel, which reruns of unchanged code moved by up to 129% (the command's time decides):\n  sha256sum data.bin system 6.60 ms → 4.35 ms (-34.2%) · gzip -c text.txt system 2.89 ms → 1.62 ms (-43.9%) · sort words.txt system 15.2 ms → 16.5 ms (+8.3%)\n"),
        "{text}"
    );
}

/// The note of a change only one of the pull request's two runs shows, as the reports group it
/// (without the change it quotes).
const HELD_BACK: &str = "not every run of the pull request shows it: without the one of its 2 runs that moved most, the rest do not show it beyond the threshold; one run alone can be that run's noise (a busy neighbour on the machine), not the code: run it again to decide";

/// The pull request run twice against a store of twelve runs of twelve metrics: a change only
/// one of its runs shows (a noisy neighbour) is held back; one both runs show fails the gate.
#[test]
fn with_a_store_a_change_one_pull_request_run_alone_shows_does_not_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let names: Vec<String> = (0..12).map(|m| format!("step{m:02}")).collect();
    for i in 0..12 {
        let f = values_file(dir.path(), &format!("run{i}.json"), &names, |m| {
            100.0 * (1.0 + 0.02 * ((((i + m) * 7 % 11) as f64 - 5.0) / 5.0))
        });
        save_on_main(&store, i, &f);
    }
    // The first `slower` metrics 25% slower.
    let run = |name: &str, slower: usize| {
        values_file(dir.path(), name, &names, |m| {
            if m < slower {
                125.0
            } else {
                100.0
            }
        })
    };
    let (neighbour, calm, both) = (
        run("neighbour.json", 4),
        run("calm.json", 0),
        run("both.json", 4),
    );
    let (json, md) = (dir.path().join("report.json"), dir.path().join("report.md"));
    let (code, text) = code_and_stdout(
        perfgate()
            .args(["compare", "--store"])
            .arg(&store)
            .arg("--current")
            .arg(&neighbour)
            .arg(&calm)
            .arg("--report-json")
            .arg(&json)
            .arg("--report-md")
            .arg(&md),
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "notes:\n  {HELD_BACK}\n    parse (step00, step02, step01, step03)\n"
        )),
        "{text}"
    );
    let md = fs::read_to_string(&md).unwrap();
    assert!(
        md.contains(&format!(
            "- {HELD_BACK}: parse (step00, step02, step01, step03)."
        )),
        "{md}"
    );
    let r = report(&json);
    assert_eq!(r["current_runs"], 2);
    assert_eq!(r["counts"]["regression"], 0);
    assert_eq!(r["counts"]["inconclusive"], 4, "{r:#}");
    let first = &r["results"][0];
    assert_eq!(
        (&first["metric"], &first["status"], &first["method"]),
        (
            &"step00".into(),
            &"inconclusive".into(),
            &"prediction_interval".into()
        )
    );
    // The calm run's 100 µs against the history's 99.8 µs: +0.2%.
    assert_eq!(
        first["note"],
        HELD_BACK.replace("threshold;", "threshold (+0.2% here);")
    );
    // The neighbour's run alone fails against the history.
    compare_with_store(&neighbour, &store, &json, &[]).code(1);
    // Both runs 25% slower on them: a regression every run shows.
    perfgate()
        .args(["compare", "--store"])
        .arg(&store)
        .arg("--current")
        .arg(&neighbour)
        .arg(&both)
        .arg("--report-json")
        .arg(&json)
        .assert()
        .code(1);
    assert_eq!(report(&json)["counts"]["regression"], 4);
}

/// The normal quantiles of ten repeats' within-run noise.
const REPEATS: [f64; 10] = [0.3, -1.2, 0.8, -0.4, 1.5, -0.9, 0.1, -0.2, 1.1, -1.0];

/// Run `r` of 20 benchmarks `B00`... (`time`, 10 repeats in µs) on a machine that moves all of
/// them, each benchmark moving about 1% of its own and, in one run of about nineteen, 8% either
/// way (`far`); `moved` gives one benchmark's own move instead.
fn suite_file(dir: &Path, r: usize, far: bool, moved: Option<(usize, f64)>) -> PathBuf {
    let machine = 1.0 + 0.03 * REPEATS[(r * 7) % 10];
    let benchmarks: Vec<String> = (0..20)
        .map(|i| {
            let own = match moved {
                Some((b, m)) if b == i => m,
                _ => {
                    let core = 0.01 * REPEATS[(r * 3 + i * 7) % 10];
                    let sign = if (r + i) % 2 == 0 { 1.0 } else { -1.0 };
                    let far_out = far && (r * 7 + i * 11) % 19 == 0;
                    core + if far_out { 0.08 * sign } else { 0.0 }
                }
            };
            let level = 100.0 * (1.0 + i as f64) * machine * f64::exp(own);
            let samples: Vec<String> = REPEATS
                .iter()
                .map(|z| format!("{:.4}", level * (1.0 + 0.002 * z)))
                .collect();
            format!(
                r#"{{"name": "B{i:02}", "metrics": [{{"name": "time", "unit": "us", "samples": [{}]}}]}}"#,
                samples.join(", ")
            )
        })
        .collect();
    let text = format!(
        r#"{{"schema": "perfgate.run.v1", "meta": {{"tool": "test", "environment": {{}}}}, "benchmarks": [{}]}}"#,
        benchmarks.join(", ")
    );
    let path = dir.join(format!("suite{r}.json"));
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_store_whose_runs_lie_far_out_judges_the_current_run_as_they_lie() {
    for far in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        for r in 0..30 {
            save_on_main(&store, r, &suite_file(dir.path(), r, far, None));
        }
        // B05 9% slower than its history: as far out as the history's own far runs go.
        let current = suite_file(dir.path(), 30, far, Some((5, 0.09)));
        let json = dir.path().join("report.json");
        let done = compare_with_store(&current, &store, &json, &[]);
        let code = done.get_output().status.code();
        let out = String::from_utf8_lossy(&done.get_output().stdout).into_owned();
        let r = report(&json);
        let b05 = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["benchmark"] == "B05")
            .unwrap();
        assert_eq!(b05["method"], "prediction_interval");
        assert!(r["machine_taken_out"].as_bool().unwrap());
        if far {
            assert_eq!(code, Some(0), "{out}");
            assert_eq!(b05["status"], "inconclusive", "{out}");
            assert_eq!(r["history_tails"]["runs"], 583);
            assert_eq!(r["history_tails"]["metrics"], 20);
            assert!(r["history_tails"]["df"].as_f64().unwrap() <= 4.0);
            assert!(
                out.contains("The history's runs lie farther out than normal noise would: judged each against the others, its 583 runs of 20 metrics lie as Student's t with"),
                "{out}"
            );
            // Every history was judged by its tails: none by a moderated (normal) interval.
            assert!(!out.contains("moderated prediction intervals"), "{out}");
            assert!(r["history_moderation"].is_null());
        } else {
            // Without far runs in its history, the same value is a regression.
            assert_eq!(code, Some(1), "{out}");
            assert_eq!(b05["status"], "regression", "{out}");
            assert!(r["history_tails"].is_null());
            assert!(!out.contains("lie farther out"), "{out}");
            assert!(out.contains("moderated prediction intervals"), "{out}");
            assert_eq!(r["history_moderation"]["metrics"], 20);
        }
    }
}

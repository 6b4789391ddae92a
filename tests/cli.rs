//! The built binary, run as a user would: exit codes, messages, files written, stores.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn perfgate() -> Command {
    let mut c = Command::cargo_bin("perfgate").unwrap();
    // Deterministic metadata and no colours, whatever the machine running the tests.
    c.env("NO_COLOR", "1")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_HEAD_REF")
        .env_remove("GITHUB_REF_NAME")
        .env_remove("CI_COMMIT_SHA")
        .env_remove("CI_COMMIT_REF_NAME");
    c
}

/// `perfgate compare --baseline <base> --current <current>`, more arguments to follow.
fn compare(base: impl AsRef<std::ffi::OsStr>, current: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = perfgate();
    c.arg("compare")
        .arg("--baseline")
        .arg(base)
        .arg("--current")
        .arg(current);
    c
}

/// `perfgate save --current <current> --store <store>`, more arguments to follow.
fn save(current: impl AsRef<std::ffi::OsStr>, store: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = perfgate();
    c.arg("save")
        .arg("--current")
        .arg(current)
        .arg("--store")
        .arg(store);
    c
}

/// A store's index.json, parsed.
fn store_index(store: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(store.join("index.json")).unwrap()).unwrap()
}

/// Runs `cmd`, checks that it exits with `code`, and returns what it printed.
fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Runs `cmd`, checks that it exits with code 2 (an input error), and returns its message.
fn input_error(cmd: &mut Command) -> String {
    let out = cmd.assert().code(2).get_output().stderr.clone();
    String::from_utf8(out).unwrap()
}

fn example(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(p)
        .display()
        .to_string()
}

fn fixture(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
        .display()
        .to_string()
}

#[test]
fn example_go_pair_fails_the_gate_with_the_regression_first() {
    let text = stdout(
        &mut compare(example("go/base.txt"), example("go/head.txt")),
        1,
    );
    let first_row = text
        .lines()
        .find(|l| l.contains("BenchmarkEncode/"))
        .unwrap_or_default();
    assert!(first_row.contains("format=json"), "{text}");
    assert!(first_row.contains("regression"), "{text}");
    assert!(text.contains("+21.0%"), "{text}");
}

#[test]
fn comparing_a_run_with_itself_passes() {
    compare(example("go/base.txt"), example("go/base.txt"))
        .assert()
        .code(0);
}

#[test]
fn writes_json_and_markdown_reports() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out/report.json");
    let md = dir.path().join("report.md");
    compare(example("go/base.txt"), example("go/head.txt"))
        .arg("--report-json")
        .arg(&json)
        .arg("--report-md")
        .arg(&md)
        .assert()
        .code(1);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["schema"], "perfgate.report.v1");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["counts"]["regression"], 1);
    assert_eq!(report["counts"]["unchanged"], 1);
    let first = &report["results"][0];
    assert_eq!(first["benchmark"], "BenchmarkEncode/format=json-48");
    assert_eq!(first["metric"], "time");
    assert_eq!(first["unit"], "ns");
    assert_eq!(first["status"], "regression");
    assert_eq!(first["baseline"]["value"], 1422.5);
    assert_eq!(first["baseline"]["n"], 10);
    assert_eq!(first["current"]["value"], 1718.0);
    // The Hodges-Lehmann estimate: exp(median of the 100 pairwise log differences) - 1
    // (computed with NumPy), not the medians' ratio 1718 / 1422.5 - 1 = 0.2077.
    let change = first["change"].as_f64().unwrap();
    assert!((change - 0.209_763_030_063_315_3).abs() < 1e-12, "{change}");
    assert!(first["p_value"].as_f64().unwrap() < 0.001);
    let md = fs::read_to_string(&md).unwrap();
    assert!(md.contains("BenchmarkEncode/format=json-48"), "{md}");
    assert!(
        md.contains("perfgate compare"),
        "the reproduce command is shown: {md}"
    );
}

#[test]
fn a_quoted_glob_reads_the_files_it_matches() {
    // As the Action's reproduce line writes it: quoted, so the pattern reaches perfgate whole.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("bench/old")).unwrap();
    fs::copy(example("go/base.txt"), dir.path().join("bench/old/run.txt")).unwrap();
    fs::copy(example("go/head.txt"), dir.path().join("bench/pr.txt")).unwrap();
    // The time of the run pinned, so that two runs print the same report.
    let report = |baseline: &str, current: &str| {
        stdout(
            perfgate()
                .env("SOURCE_DATE_EPOCH", "1795000000")
                .current_dir(dir.path())
                .args(["compare", "--baseline", baseline, "--current", current]),
            1,
        )
    };
    let globbed = report("bench/old/*.txt", "bench/p?.txt");
    assert!(globbed.contains("+21.0%"), "{globbed}");
    assert_eq!(globbed, report("bench/old/run.txt", "bench/pr.txt"));
    perfgate()
        .current_dir(dir.path())
        .args([
            "compare",
            "--baseline",
            "bench/new/*.txt",
            "--current",
            "bench/pr.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no file matches `bench/new/*.txt`",
        ));
    // show too.
    let shown = stdout(
        perfgate()
            .current_dir(dir.path())
            .args(["show", "bench/**/*.txt"]),
        0,
    );
    assert!(shown.contains("bench/old/run.txt: go"), "{shown}");
    assert!(shown.contains("bench/pr.txt: go"), "{shown}");
}

#[test]
fn missing_current_file_is_an_input_error() {
    compare(example("go/base.txt"), "no/such/file.txt")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read `no/such/file.txt`"));
}

#[test]
fn a_benchmark_listed_twice_in_a_json_file_is_an_input_error() {
    // serde_json keeps the last of two equal keys: one result would be lost without a word.
    let dir = tempfile::tempdir().unwrap();
    let twice = dir.path().join("bmf.json");
    fs::write(
        &twice,
        "{\n  \"parse\": {\"latency\": {\"value\": 1.0}},\n  \"parse\": {\"latency\": {\"value\": 2.0}}\n}\n",
    )
    .unwrap();
    for format in [None, Some("bmf")] {
        let mut cmd = compare(&twice, &twice);
        if let Some(f) = format {
            cmd.args(["--format", f]);
        }
        let err = input_error(&mut cmd);
        assert!(
            err.contains("bmf.json")
                && err.contains("line 3: column 9: the key \"parse\" appears twice in one object"),
            "{err}"
        );
        // Valid JSON, refused: not called invalid.
        assert!(!err.contains("not valid"), "{err}");
    }
}

#[test]
fn a_size_budget_written_in_decimal_multiples_is_shown_in_them() {
    // 916 KiB of allocations against `900kB`: in binary multiples the report read
    // "916 KiB > 879 KiB", two numbers the user never wrote.
    let run = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reruns/quiet/go/run1.txt");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let text = stdout(
        compare(&run, &run)
            .args([
                "--budget",
                "BenchmarkSortInts_100K-2: alloc_bytes < 900kB",
                "--budget",
                "BenchmarkMapInsert_10K-2: alloc_bytes < 1MiB",
            ])
            .arg("--report-json")
            .arg(&json),
        1,
    );
    // The JSON report keeps it: a fork's comment is rendered from it.
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let budgets = report["budgets"].as_array().unwrap();
    assert_eq!(budgets[0]["expression"], "alloc_bytes < 900kB");
    assert_eq!(budgets[0]["decimal"], true);
    assert_eq!(budgets[1].get("decimal"), None);
    let back: perfgate::compare::BudgetResult = serde_json::from_value(budgets[0].clone()).unwrap();
    assert_eq!(back.format(back.limit), "900 kB");
    assert!(
        text.contains("budget broken: BenchmarkSortInts_100K-2 alloc_bytes 938 kB > 900 kB"),
        "{text}"
    );
    // Written in binary multiples, shown in them.
    assert!(text.contains("671 KiB  1.00 MiB  met"), "{text}");
}

#[test]
fn empty_current_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    fs::write(&empty, "").unwrap();
    compare(example("go/base.txt"), &empty)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("empty.txt")
                .and(predicate::str::contains("the input is empty")),
        );
}

#[test]
fn a_file_with_zero_benchmarks_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pass.txt");
    fs::write(&f, "PASS\nok  \texample.com/x\t0.01s\n").unwrap();
    perfgate()
        .args(["show", "--format", "go"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass.txt").and(predicate::str::contains("as go")));
    perfgate().arg("show").arg(&f).assert().code(2).stderr(
        predicate::str::contains("cannot recognise the format")
            .and(predicate::str::contains("tried:")),
    );
}

#[test]
fn truncated_json_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cut.json");
    let text = fs::read_to_string(example("k6/summary.json")).unwrap();
    fs::write(&f, &text[..text.len() / 2]).unwrap();
    perfgate()
        .args(["show", "--format", "k6"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut.json").and(predicate::str::contains("line ")));
}

#[test]
fn malformed_result_line_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.txt");
    fs::write(
        &f,
        "goos: linux\nBenchmarkA-8  100  12.5 ns/op\nBenchmarkB-8  100  abc ns/op\n",
    )
    .unwrap();
    perfgate()
        .arg("show")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.txt").and(predicate::str::contains("line 3")));
}

#[test]
fn binary_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bin.dat");
    fs::write(&f, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    perfgate()
        .arg("show")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not UTF-8"));
}

#[test]
fn unknown_config_key_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("perfgate.toml");
    fs::write(&cfg, "threshold = \"5%\"\nfail_on_mising = true\n").unwrap();
    compare(example("go/base.txt"), example("go/head.txt"))
        .args(["--config"])
        .arg(&cfg)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("perfgate.toml:2")
                .and(predicate::str::contains("fail_on_mising")),
        );
}

#[test]
fn a_higher_threshold_lets_the_example_pass() {
    compare(example("go/base.txt"), example("go/head.txt"))
        .args(["--threshold", "25%"])
        .assert()
        .code(0);
}

#[test]
fn k6_budgets_are_checked_without_a_baseline() {
    perfgate()
        .args([
            "compare",
            "--current",
            &example("k6/summary.json"),
            "--config",
            &example("k6/perfgate.toml"),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("rate < 1%"));
    perfgate()
        .args([
            "compare",
            "--current",
            &example("k6/summary.json"),
            "--budget",
            "http_req_duration p(95) < 200ms",
        ])
        .assert()
        .code(0);
    perfgate()
        .args([
            "compare",
            "--current",
            &example("k6/summary.json"),
            "--budget",
            "http_req_duration p(95) < 20ms",
        ])
        .assert()
        .code(1);
}

/// An `==` budget that fails by less than the display's three digits read "30.0 ms > 30.0 ms".
#[test]
fn a_budget_broken_by_less_than_the_display_shows_the_exact_values() {
    let text = stdout(
        perfgate().args([
            "compare",
            "--current",
            &example("k6/summary.json"),
            "--budget",
            "http_req_duration p(95) == 30.0ms",
        ]),
        1,
    );
    assert!(
        text.contains("30.0 ms > 30.0 ms (exactly 30025684.1 against 30000000 ns)"),
        "{text}"
    );
}

/// A budget in a unit its metric is not in was a broken budget with a made-up limit (`200
/// parsecs` shown as `200 ns`, exit 1): it is a mistake in the configuration (exit 2).
#[test]
fn a_budget_in_the_wrong_unit_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("perfgate.toml");
    fs::write(
        &config,
        "[budgets]\nhttp_req_duration = [\"p(95) < 200ms\", \"p(99) < 5%\", \"p(90) < 3parsecs\"]\n",
    )
    .unwrap();
    // Each names where the budget was written.
    let in_file = format!("{}:2: budget `http_req_duration p(99) < 5%`: the unit `%` does not fit this metric, whose unit is `ns` (and 1 more). Write the limit in the metric's unit", config.display());
    for (how, value, why) in [
        ("--budget", "http_req_duration p(95) < 200parsecs", "--budget: budget `http_req_duration p(95) < 200parsecs`: the unit `parsecs` does not fit"),
        ("--budget", "checks rate > 0,95", "the unit `,95` does not fit"),
        ("--config", config.to_str().unwrap(), in_file.as_str()),
    ] {
        let err = input_error(perfgate().args([
            "compare",
            "--current",
            &example("k6/summary.json"),
            how,
            value,
        ]));
        assert!(err.contains(why), "{value}: {err}");
    }
}

#[test]
fn compare_without_baseline_or_budgets_is_a_usage_error() {
    perfgate()
        .args(["compare", "--current", &example("go/head.txt")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to compare with"));
}

/// `perfgate save` of `examples/go/base.txt` as commit 1111111 of `main` into `store`.
fn save_example_base(store: &std::path::Path) {
    save(example("go/base.txt"), store)
        .args(["--commit", "1111111", "--branch", "main"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("saved run"));
}

/// A store as an earlier perfgate wrote it (`tests/fixtures/store`): a save adds its entry's line
/// and leaves every other byte of `index.json` as it was.
#[test]
fn saving_into_an_existing_store_leaves_its_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    fs::create_dir_all(&store).unwrap();
    let before = fs::read_to_string(fixture("store/seven-runs-index.json")).unwrap();
    fs::write(store.join("index.json"), &before).unwrap();
    save_example_base(&store);
    let after = fs::read_to_string(store.join("index.json")).unwrap();
    let (runs, end) = before.split_at(before.rfind("\n  ]").unwrap());
    let added = after
        .strip_prefix(runs)
        .and_then(|a| a.strip_suffix(end))
        .unwrap_or_else(|| panic!("the old entries changed:\n{after}"));
    assert!(added.starts_with(",\n    {\"id\":\""), "{added}");
    assert!(
        added.contains(r#""commit":"1111111","branch":"main""#),
        "{added}"
    );
    assert_eq!(added.lines().count(), 2, "{added}");
}

#[test]
fn save_then_compare_against_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save_example_base(&store);
    perfgate()
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(1);
    perfgate()
        .args(["compare", "--current", &example("go/base.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(0);
}

/// Issue 11: a typo in the store path turned the gate off (exit 0).
#[test]
fn a_store_that_does_not_exist_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    perfgate()
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(dir.path().join("perfgate-stroe"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

/// An empty store, a mistyped baseline branch, or a store of other branches only printed a
/// warning and passed (exit 0): each names what the store holds and exits 2.
#[test]
fn a_store_without_a_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let compare = |store: &Path, more: &[&str]| {
        input_error(
            perfgate()
                .args(["compare", "--current", &example("go/head.txt"), "--store"])
                .arg(store)
                .args(more),
        )
    };
    let empty = dir.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let err = compare(&empty, &[]);
    assert!(
        err.contains("holds no runs: record a baseline first"),
        "{err}"
    );

    let store = dir.path().join("store");
    save_example_base(&store);
    let err = compare(&store, &["--baseline-branch", "mian"]);
    assert!(
        err.contains("has no runs of branch `mian` (its runs are of `main`)"),
        "{err}"
    );

    let feature = dir.path().join("feature");
    for branch in ["feature", "topic"] {
        save(example("go/base.txt"), &feature)
            .args(["--branch", branch])
            .assert()
            .code(0);
    }
    let err = compare(&feature, &[]);
    assert!(
        err.contains("has no runs of `main` or `master`, the default baseline branches (its runs are of `topic`, `feature`): name the baseline branch with --baseline-branch"),
        "{err}"
    );
    // Named, such a branch is the baseline.
    perfgate()
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(&feature)
        .args(["--baseline-branch", "feature"])
        .assert()
        .code(1);
}

/// A store and a result file given for each other, and `go test` output that detection
/// refused, say what to do instead of "no known format".
#[test]
fn mistaken_paths_say_what_to_give_instead() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save_example_base(&store);
    let e = input_error(&mut compare(&store, example("go/head.txt")));
    assert!(
        e.contains(
            "as a perfgate store is: to compare with the runs of a store, give it as --store"
        ),
        "{e}"
    );
    let e = input_error(&mut compare(
        store.join("index.json"),
        example("go/head.txt"),
    ));
    assert!(
        e.contains(
            "is a perfgate store's index, not results: give the store's directory as --store"
        ),
        "{e}"
    );
    let e = input_error(perfgate().args([
        "compare",
        "--current",
        &example("go/head.txt"),
        "--store",
        &example("go/base.txt"),
    ]));
    assert!(e.contains("is a file, not a store's directory: to compare with a result file, give it as --baseline"), "{e}");
    let go = dir.path().join("go.txt");
    fs::write(
        &go,
        "goos: linux\ngoarch: amd64\nBenchmarkA-8 100 NaN ns/op\nPASS\n",
    )
    .unwrap();
    let e = input_error(perfgate().arg("show").arg(&go));
    assert!(
        e.contains("line 3: `BenchmarkA-8`: expected a number before `ns/op`, found `NaN`"),
        "{e}"
    );
}

/// Runs saved outside git name no branch: together they are the baseline.
#[test]
fn runs_saved_without_a_branch_are_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save(example("go/base.txt"), &store)
        .current_dir(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("branch unknown"));
    perfgate()
        .current_dir(dir.path())
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(1);
}

/// Issue 11: a baseline with no benchmark in common passed with 0 comparisons.
#[test]
fn a_baseline_with_nothing_in_common_is_an_error() {
    perfgate()
        .args(["compare", "--baseline", &example("go/base.txt")])
        .args(["--current", &fixture("reruns/quiet/hyperfine/run1.json")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was compared"))
        .stderr(predicate::str::contains("`sha256sum data.bin`"));
    // The same benchmark with other metrics: said so, not "no benchmark in the baseline".
    let dir = tempfile::tempdir().unwrap();
    let (base, current) = (dir.path().join("base.txt"), dir.path().join("current.txt"));
    fs::write(&base, "BenchmarkX-8 100 50 ns/op\n").unwrap();
    fs::write(&current, "BenchmarkX-8 100 50 widgets/op\n").unwrap();
    let err = input_error(&mut compare(&base, &current));
    assert!(
        err.contains("no metric of the current run is in the baseline, so nothing was compared: `BenchmarkX-8` has `widgets/op` in the current run and `time` in the baseline"),
        "{err}"
    );
}

/// A configuration that ignores every metric gates nothing: an error, not a pass.
#[test]
fn a_config_that_ignores_everything_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("perfgate.toml");
    fs::write(&config, "[[rule]]\nbenchmark = \"*\"\nignore = true\n").unwrap();
    let err = input_error(
        compare(example("go/base.txt"), example("go/head.txt"))
            .arg("--config")
            .arg(&config),
    );
    assert!(
        err.contains("every metric of the current run is ignored by the configuration"),
        "{err}"
    );
}

/// Issue 14, row 14: a stored run replaced by an empty one made a regression pass.
#[test]
fn an_empty_stored_run_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save_example_base(&store);
    let run = std::fs::read_dir(store.join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(
        &run,
        r#"{"schema":"perfgate.run.v1","meta":{},"benchmarks":[]}"#,
    )
    .unwrap();
    perfgate()
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no benchmarks"));
}

/// `--timestamp notatime` was stored as the run's time and named its id.
#[test]
fn a_timestamp_that_is_not_rfc_3339_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for bad in ["notatime", "9999-99-99T00:00:00Z", "2026-12-06"] {
        save(example("go/base.txt"), &store)
            .args(["--timestamp", bad, "--branch", "main"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not an RFC 3339 time"));
    }
    assert!(!store.exists());
    save(example("go/base.txt"), &store)
        .args([
            "--timestamp",
            "2026-12-06T20:19:44+01:00",
            "--branch",
            "main",
        ])
        .assert()
        .code(0);
}

#[test]
fn a_failed_save_leaves_the_store_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    save(example("go/base.txt"), &store)
        .args(["--branch", "main"])
        .assert()
        .code(0);
    let before = fs::read_to_string(store.join("index.json")).unwrap();
    let bad = dir.path().join("bad.txt");
    fs::write(&bad, "BenchmarkX-8 100 nope ns/op\n").unwrap();
    save(example("go/base.txt"), &store)
        .args(["--branch", "main", "--current"])
        .arg(&bad)
        .assert()
        .code(2);
    assert_eq!(
        fs::read_to_string(store.join("index.json")).unwrap(),
        before
    );
    assert_eq!(fs::read_dir(store.join("runs")).unwrap().count(), 1);
}

/// The label `show` gives a file was its tool's, not always a `--format` name (`criterion` for
/// a raw.csv read as `criterion-csv`).
#[test]
fn show_says_which_format_a_file_was_read_as() {
    let text = stdout(
        perfgate().args(["show", &fixture("criterion-csv/raw.csv")]),
        0,
    );
    assert!(
        text.contains("raw.csv: criterion, read as --format criterion-csv (1 benchmarks"),
        "{text}"
    );
}

#[test]
fn show_lists_what_was_understood() {
    perfgate()
        .args(["show", &example("go/base.txt")])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("BenchmarkEncode/format=json-48")
                .and(predicate::str::contains("2 benchmarks"))
                .and(predicate::str::contains("median 1.42 µs")),
        );
}

/// Names are the input's: `show` escapes what would drive the terminal, and on a runner frames
/// its JSON too, since the runner reads `##[` commands anywhere in a line.
#[test]
fn show_keeps_hostile_names_inert() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bench.txt");
    fs::write(
        &f,
        "BenchmarkA##[error]x\u{202e}\u{9b}2J-8 100 10 ns/op\nBenchmarkA##[error]x\u{202e}\u{9b}2J-8 100 11 ns/op\n",
    )
    .unwrap();
    let table = stdout(perfgate().arg("show").arg(&f), 0);
    assert!(
        table.contains("BenchmarkA##[error]x\\u{202e}\\u{9b}2J-8"),
        "{table}"
    );
    assert!(
        !table.contains('\u{9b}') && !table.contains('\u{202e}'),
        "{table}"
    );
    let json = stdout(
        perfgate()
            .env("GITHUB_ACTIONS", "true")
            .args(["show", "--json"])
            .arg(&f),
        0,
    );
    let first = json.lines().next().unwrap();
    assert!(first.starts_with("::stop-commands::"), "{json}");
    let token = first.trim_start_matches("::stop-commands::");
    assert_eq!(json.lines().last(), Some(format!("::{token}::").as_str()));
}

#[test]
fn show_json_round_trips_as_perfgate_input() {
    let out = perfgate()
        .args(["show", "--json", &example("go/base.txt")])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("run.json");
    fs::write(&f, &out).unwrap();
    perfgate()
        .args(["compare", "--baseline"])
        .arg(&f)
        .args(["--current", &example("go/head.txt")])
        .assert()
        .code(1);
}

#[test]
fn formats_lists_every_format_with_its_detection_rule() {
    perfgate().arg("formats").assert().code(0).stdout(
        predicate::str::contains("go test -bench")
            .and(predicate::str::contains("hyperfine"))
            .and(predicate::str::contains("k6"))
            .and(predicate::str::contains("criterion"))
            .and(predicate::str::contains("customBiggerIsBetter")),
    );
}

#[test]
fn unknown_format_name_is_a_usage_error() {
    perfgate()
        .args(["show", "--format", "nope", &example("go/base.txt")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `nope`"));
}

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    perfgate().arg("--help").assert().code(0).stdout(
        predicate::str::contains("compare")
            .and(predicate::str::contains("save"))
            .and(predicate::str::contains("show"))
            .and(predicate::str::contains("formats"))
            .and(predicate::str::contains("Exit codes")),
    );
}

#[test]
fn criterion_directory_is_read_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("criterion/parse/json/new");
    fs::create_dir_all(&new).unwrap();
    fs::write(
        new.join("estimates.json"),
        fs::read_to_string(fixture("criterion/old-layout/estimates.json")).unwrap(),
    )
    .unwrap();
    fs::write(
        new.join("sample.json"),
        fs::read_to_string(fixture("criterion/old-layout/sample.json")).unwrap(),
    )
    .unwrap();
    perfgate()
        .arg("show")
        .arg(dir.path().join("criterion"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("parse/json").and(predicate::str::contains("time")));
}

/// The reports of the example comparison, as a user receives them (the current run's commit,
/// branch and time pinned through the CI variables perfgate reads).
#[test]
fn example_reports_match_their_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let md = dir.path().join("report.md");
    let terminal = stdout(
        perfgate()
            .env("GITHUB_SHA", "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
            .env("GITHUB_HEAD_REF", "feature/encoder")
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "compare",
                "--baseline",
                "examples/go/base.txt",
                "--current",
                "examples/go/head.txt",
            ])
            .arg("--report-json")
            .arg(&json)
            .arg("--report-md")
            .arg(&md),
        1,
    );
    insta::assert_snapshot!("example_terminal", terminal);
    insta::assert_snapshot!("example_markdown", fs::read_to_string(&md).unwrap());
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    insta::assert_json_snapshot!("example_json", report, {
        ".current_run.environment" => "[this machine]",
    });
}

#[test]
fn imports_a_github_action_benchmark_history_into_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    perfgate()
        .args([
            "import",
            &fixture("gab_history/buildpacks-pack-go-history-data.js"),
            "--store",
        ])
        .arg(&store)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("imported 3 runs"));
    let index = store_index(&store);
    let runs = index["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs
        .iter()
        .all(|r| r["branch"] == "main" && r["commit"].is_string()));
    // Each run goes in commit order by the history's commit date.
    assert_eq!(runs[0]["commit_time"], "2023-05-04T14:45:29+03:00");
    // github-action-benchmark strips Go's GOMAXPROCS suffix; go test prints it. The imported
    // history still compares with go test's output (issue 11: it kept nothing comparable).
    let go = dir.path().join("bench.txt");
    let lines: String = [
        "BenchmarkBuild/with_Addtional_Buildpack",
        "BenchmarkBuild/with_Trusted_Builder",
        "BenchmarkBuild/with_Untrusted_Builder",
    ]
    .iter()
    .map(|n| format!("{n}-8 \t 1 \t 900000000 ns/op\n"))
    .collect();
    fs::write(&go, format!("goos: linux\ngoarch: amd64\n{lines}PASS\n")).unwrap();
    let out = perfgate()
        .args(["compare", "--report-json"])
        .arg(dir.path().join("r.json"))
        .arg("--current")
        .arg(&go)
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let compared = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "new" && r["status"] != "missing")
        .count();
    assert_eq!(compared, 3, "{report}");

    // The same history again: nothing new (it counted every run twice).
    let import = |store: &Path, more: &[&str]| {
        let mut c = perfgate();
        c.args([
            "import",
            &fixture("gab_history/buildpacks-pack-go-history-data.js"),
            "--store",
        ])
        .arg(store)
        .args(more);
        c
    };
    let first = fs::read_to_string(store.join("index.json")).unwrap();
    let again = stdout(&mut import(&store, &[]), 0);
    assert!(again.contains("nothing to import"), "{again}");
    assert_eq!(fs::read_to_string(store.join("index.json")).unwrap(), first);

    // Into a store with newer runs of the branch: refused (the old runs would have been read as
    // the newest, and pruning deleted the store's own runs).
    let newer = dir.path().join("newer");
    save(&go, &newer)
        .args(["--branch", "main", "--timestamp", "2024-06-01T00:00:00Z"])
        .assert()
        .code(0);
    let before = fs::read_to_string(newer.join("index.json")).unwrap();
    let e = input_error(&mut import(&newer, &["--keep", "3"]));
    assert!(
        e.contains("already has 1 run of branch `main` (the latest from 2024-06-01T00:00:00Z)"),
        "{e}"
    );
    assert_eq!(
        fs::read_to_string(newer.join("index.json")).unwrap(),
        before
    );
    // Under another branch it is fine; --keep 0 and an empty branch are refused.
    stdout(&mut import(&newer, &["--branch", "gab"]), 0);
    assert!(
        input_error(&mut import(&newer, &["--keep", "0"])).contains("--keep: expected at least 1")
    );
    assert!(input_error(&mut import(&newer, &["--branch", " "])).contains("--branch: expected"));

    // A commit dated after its run (a wrong clock) would keep every later run behind it: the
    // run is imported without the date.
    let future = dir.path().join("future.json");
    fs::write(
        &future,
        r#"{"lastUpdate": 1700000000000, "repoUrl": "https://github.com/o/r", "entries": {"Go": [
            {"commit": {"id": "abc1234", "message": "m", "timestamp": "2099-01-01T00:00:00Z", "url": "u"},
             "date": 1700000000000, "tool": "go", "benches": [{"name": "BenchmarkA", "value": 1, "unit": "ns/op"}]}]}}"#,
    )
    .unwrap();
    let later = dir.path().join("later");
    perfgate()
        .arg("import")
        .arg(&future)
        .arg("--store")
        .arg(&later)
        .assert()
        .code(0);
    let run = &store_index(&later)["runs"][0];
    assert_eq!(run["commit"], "abc1234");
    assert!(run.get("commit_time").is_none(), "{run}");
}

#[test]
fn a_gzipped_k6_stream_is_detected_and_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("k6.json.gz");
    let text = fs::read_to_string(fixture("k6-ndjson/joxtacy-k6-results.ndjson")).unwrap();
    let mut enc =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    // The gzipped stream reads into exactly the run the plain file gives.
    let json = |path: &str| {
        let out = perfgate().args(["show", "--json", path]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let plain = json(&fixture("k6-ndjson/joxtacy-k6-results.ndjson"));
    assert_eq!(json(gz.to_str().unwrap()), plain);
    assert_eq!(plain["meta"]["tool"], "k6");
    assert!(plain["benchmarks"].as_array().unwrap().len() > 10);
}

#[test]
fn the_store_baseline_is_main_even_when_master_ran_later() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for (file, branch) in [("go/head.txt", "main"), ("go/base.txt", "master")] {
        save(example(file), &store)
            .args(["--branch", branch])
            .assert()
            .code(0);
    }
    // Against main's run (the same results) nothing changed; against master's it would regress.
    perfgate()
        .args(["compare", "--current", &example("go/head.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(0);
    perfgate()
        .args([
            "compare",
            "--current",
            &example("go/head.txt"),
            "--baseline-branch",
            "master",
            "--store",
        ])
        .arg(&store)
        .assert()
        .code(1);
}

/// A `git` first on PATH that logs each call to `calls.log` beside it and answers as
/// `git rev-parse HEAD --abbrev-ref HEAD` does on a branch.
#[cfg(unix)]
struct FakeGit {
    dir: tempfile::TempDir,
}

#[cfg(unix)]
impl FakeGit {
    const COMMIT: &'static str = "fa4e5e0123456789abcdef0123456789abcdef01";

    fn new() -> FakeGit {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("calls.log");
        let script = dir.path().join("git");
        fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nprintf '{}\\nfeature/fake\\n'\n",
                log.display(),
                FakeGit::COMMIT
            ),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        FakeGit { dir }
    }

    /// perfgate with this git first on PATH.
    fn perfgate(&self) -> Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.dir.path().to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        let mut c = perfgate();
        c.env("PATH", std::env::join_paths(paths).unwrap());
        c
    }

    /// The calls so far, one line each.
    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

#[cfg(unix)]
#[test]
fn git_is_not_asked_when_flags_or_ci_variables_name_the_commit_and_branch() {
    let git = FakeGit::new();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    git.perfgate()
        .args(["save", "--current", &example("go/base.txt")])
        .args(["--commit", "1111111", "--branch", "main"])
        .args(["--commit-time", "2026-12-06T10:00:00Z", "--store"])
        .arg(&store)
        .assert()
        .code(0);
    git.perfgate()
        .env("GITHUB_SHA", "2222222")
        .env("GITHUB_HEAD_REF", "feature")
        .args(["compare", "--current", &example("go/base.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("current 2222222 on feature"));
    git.perfgate()
        .env("GITHUB_SHA", "2222222")
        .env("GITHUB_REF_NAME", "main")
        .args(["compare", "--baseline", &example("go/base.txt")])
        .args(["--current", &example("go/base.txt")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("current 2222222 on main"));
    assert_eq!(git.calls(), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn git_is_asked_once_when_nothing_else_names_the_commit_and_branch() {
    let git = FakeGit::new();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    git.perfgate()
        .args(["save", "--current", &example("go/base.txt"), "--store"])
        .arg(&store)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "commit fa4e5e0, branch feature/fake",
        ));
    // And, for where the run goes in the branch's history, the commit's date.
    assert_eq!(
        git.calls(),
        [
            "rev-parse HEAD --abbrev-ref HEAD".to_string(),
            format!("show -s --format=%cI {}", FakeGit::COMMIT)
        ]
    );
    git.perfgate()
        .args(["compare", "--current", &example("go/base.txt"), "--store"])
        .arg(&store)
        .args(["--baseline-branch", "feature/fake"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("current fa4e5e0 on feature/fake"));
    assert_eq!(git.calls().len(), 3);
    // Several result files on each side, and every report: still one call.
    let md = dir.path().join("report.md");
    git.perfgate()
        .args(["compare", "--baseline", &example("go/base.txt")])
        .args(["--baseline", &example("go/base.txt")])
        .args(["--current", &example("go/head.txt")])
        .args(["--current", &example("go/head.txt")])
        .arg("--report-md")
        .arg(&md)
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "current 2 runs of fa4e5e0 on feature/fake",
        ));
    assert_eq!(git.calls().len(), 4);
    assert!(fs::read_to_string(&md).unwrap().contains("fa4e5e0"));
}

/// Backfilling a store, as from a checkout of each older commit in turn, or saving runs whose
/// jobs finished out of order: each run goes in its branch's history by its commit's date (from
/// git, or `--commit-time`), so the latest commit stays the baseline.
#[test]
fn saves_keep_a_branch_in_commit_order_whatever_order_they_come_in() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    fs::create_dir(&repo).unwrap();
    let git = |args: &[&str], date: Option<&str>| {
        let mut c = std::process::Command::new("git");
        c.current_dir(&repo)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir.path());
        if let Some(d) = date {
            c.env("GIT_COMMITTER_DATE", d).env("GIT_AUTHOR_DATE", d);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "-b", "main"], None);
    git(&["config", "user.email", "dev@example.com"], None);
    git(&["config", "user.name", "dev"], None);
    let mut commits = Vec::new();
    for day in [
        "2026-01-01T10:00:00+01:00",
        "2026-01-02T10:00:00+01:00",
        "2026-01-03T10:00:00+01:00",
    ] {
        git(&["commit", "-q", "--allow-empty", "-m", day], Some(day));
        commits.push(git(&["rev-parse", "HEAD"], None));
    }
    let store = dir.path().join("store");
    let save_commit = |commit: &str, more: &[&str]| {
        stdout(
            save(example("go/base.txt"), &store)
                .current_dir(&repo)
                .args(["--branch", "main", "--commit", commit])
                .args(more),
            0,
        )
    };
    // The newest commit first, then the oldest, then the middle one: each says where it went.
    let said: Vec<String> = [&commits[2], &commits[0], &commits[1]]
        .iter()
        .map(|c| save_commit(c, &[]))
        .collect();
    assert!(said[0].trim_end().ends_with("/store"), "{}", said[0]);
    for s in &said[1..] {
        assert!(
            s.trim_end()
                .ends_with("/store, before 1 later run of its branch"),
            "{s}"
        );
    }
    // A run given its commit's time by hand, older than all.
    let s = save_commit("0000000", &["--commit-time", "2025-12-31T23:00:00Z"]);
    assert!(
        s.trim_end().ends_with("before 3 later runs of its branch"),
        "{s}"
    );
    // Older still, into a branch that keeps 4: pruned by its own save, and it says so.
    let s = save_commit(
        "1111111",
        &["--commit-time", "2025-01-01T00:00:00Z", "--keep", "4"],
    );
    assert!(
        s.trim_end().ends_with(
            ", and pruned at once: its commit is older than the 4 runs of its branch kept (--keep)"
        ),
        "{s}"
    );
    let index = store_index(&store);
    let order: Vec<&str> = index["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["commit"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["0000000", &commits[0], &commits[1], &commits[2]]);
    assert_eq!(index["runs"][1]["commit_time"], "2026-01-01T10:00:00+01:00");
    let out = stdout(
        perfgate()
            .current_dir(&repo)
            .args(["compare", "--current", &example("go/base.txt"), "--store"])
            .arg(&store),
        0,
    );
    assert!(
        out.contains(&format!("vs baseline {} on main", &commits[2][..7])),
        "{out}"
    );
    // Not a time: refused before the store is touched.
    let err =
        input_error(save(example("go/base.txt"), &store).args(["--commit-time", "yesterday"]));
    assert!(
        err.contains("--commit-time: `yesterday` is not an RFC 3339 time"),
        "{err}"
    );
    // A name git knows is the commit it names, with that commit's date.
    let s = save_commit("HEAD~1", &[]);
    assert!(
        s.contains(&format!("commit {}, branch main", &commits[1][..7]))
            && s.trim_end().ends_with("before 1 later run of its branch"),
        "{s}"
    );
    let runs = store_index(&store)["runs"].as_array().unwrap().clone();
    assert_eq!(runs[3]["commit"], commits[1].as_str());
    assert_eq!(runs[3]["commit_time"], "2026-01-02T10:00:00+01:00");
    // A name git does not know is kept as given, and the save says so.
    let out = save(example("go/base.txt"), &store)
        .current_dir(&repo)
        .args(["--branch", "main", "--commit", "HEAD~9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("warning: --commit: git cannot resolve `HEAD~9` here (not a repository, or no such name): saved as given"),
        "{err}"
    );
}

/// The commit date a result file gives is its commit's: kept when that commit is the one saved,
/// left out when a flag or CI variable names another; a commit dated after its run (a wrong
/// clock, which would keep every later run behind it) is refused when given and left out when
/// found; an empty `--commit` is a mistake.
#[test]
fn a_commit_date_places_only_its_own_commit_and_never_after_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let index = || store_index(&store);
    let pytest = fixture("pytest/pytest_output.json");
    // pytest-benchmark's own commit: its date is kept.
    save(&pytest, &store).assert().code(0);
    assert_eq!(
        index()["runs"][0]["commit_time"],
        "2019-11-16T12:10:30+09:00"
    );
    // Another commit named by CI: not that commit's date (and git does not know it).
    save(&pytest, &store)
        .env("GITHUB_SHA", "feedface")
        .assert()
        .code(0);
    assert_eq!(index()["runs"][1]["commit"], "feedface");
    assert!(
        index()["runs"][1].get("commit_time").is_none(),
        "{}",
        index()
    );

    // A date after the run's time: refused when given, left out with a warning when found.
    let err = input_error(
        save(example("go/base.txt"), &store)
            .args(["--branch", "main", "--commit", "abc1234"])
            .args(["--timestamp", "2026-12-06T10:00:00Z"])
            .args(["--commit-time", "2062-01-01T00:00:00Z"]),
    );
    assert!(
        err.contains("--commit-time: `2062-01-01T00:00:00Z` is later than the run's time (2026-12-06T10:00:00Z)"),
        "{err}"
    );
    let run = dir.path().join("future.json");
    fs::write(
        &run,
        r#"{"schema":"perfgate.run.v1","meta":{"commit":"abc1234","branch":"main","timestamp":"2026-12-06T10:00:00Z","commit_time":"2062-01-01T00:00:00Z"},"benchmarks":[{"name":"x","metrics":[{"name":"time","unit":"ms","samples":[1,2,3]}]}]}"#,
    )
    .unwrap();
    save(&run, &store)
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: the commit's date (2062-01-01T00:00:00Z) is later than the run's time (2026-12-06T10:00:00Z)",
        ));
    assert!(
        index()["runs"][2].get("commit_time").is_none(),
        "{}",
        index()
    );
    // Not a time at all, in a run file: an error naming the field.
    fs::write(
        &run,
        fs::read_to_string(&run)
            .unwrap()
            .replace("2062-01-01T00:00:00Z", "2026-02-30T00:00:00Z"),
    )
    .unwrap();
    let err = input_error(&mut save(&run, &store));
    assert!(
        err.contains("`meta.commit_time` is `2026-02-30T00:00:00Z`, not an RFC 3339 time"),
        "{err}"
    );
    let err = input_error(save(example("go/base.txt"), &store).args(["--commit", ""]));
    assert!(
        err.contains("--commit: expected a value, found an empty one"),
        "{err}"
    );
    assert_eq!(
        index()["runs"].as_array().unwrap().len(),
        3,
        "nothing else was saved"
    );
}

/// A standard output or error that cannot be written (`/dev/full`, a closed log) is no crash:
/// an error still exits 2, a save still saves (its line lost), and a report that cannot be
/// written is an error, not a pass.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_standard_output_or_error_is_no_crash() {
    let full = || {
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let run = |args: &[&std::ffi::OsStr], stdout: bool| {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("perfgate"));
        cmd.args(args).env("NO_COLOR", "1");
        if stdout {
            cmd.stdout(full());
        } else {
            cmd.stderr(full());
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    assert_eq!(run(&[os("show"), os("no-such-file")], false).0, Some(2));
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let base = example("go/base.txt");
    let save = [
        os("save"),
        os("--branch"),
        os("main"),
        os("--current"),
        base.as_ref(),
        os("--store"),
        store.as_os_str(),
    ];
    assert_eq!(run(&save, true).0, Some(0));
    assert_eq!(store_index(&store)["runs"].as_array().unwrap().len(), 1);
    let compare = [
        os("compare"),
        os("--baseline"),
        base.as_ref(),
        os("--current"),
        base.as_ref(),
    ];
    let (code, err) = run(&compare, true);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
}

/// A value no tool can mean is an error naming the file and what was expected: a negative count
/// (against which a regression read as an "improvement" of -10100%), or a latency that
/// overflows on conversion to nanoseconds (`1e308us`, saved as `null`, which broke every later
/// compare of the store). Nothing is saved.
#[test]
fn negative_and_overflowing_values_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let negative = dir.path().join("negative.txt");
    fs::write(&negative, "BenchmarkX-8 100 50 ns/op -5 allocs/op\n").unwrap();
    let err = input_error(&mut compare(&negative, example("go/base.txt")));
    assert!(
        err.contains("negative.txt")
            && err.contains(
                "benchmark `BenchmarkX-8`, metric `allocs`: negative value -5: expected a count of zero or more"
            ),
        "{err}"
    );
    let wrk = fs::read_to_string(fixture("wrk/wrk-get-latency.txt")).unwrap();
    let (head, tail) = wrk.split_once("     50%").unwrap();
    let (_, rest) = tail.split_once('\n').unwrap();
    let overflow = dir.path().join("overflow.txt");
    fs::write(&overflow, format!("{head}     50%   1e308us\n{rest}")).unwrap();
    let store = dir.path().join("store");
    let err = input_error(&mut save(&overflow, &store));
    assert!(
        err.contains("overflow.txt")
            && err.contains("metric `p(50)`: value inf is not a finite number (in ns"),
        "{err}"
    );
    assert!(!store.exists());
}

/// One benchmark with more metrics than any tool writes (a Go line of 10,001 units) is refused:
/// each metric was looked for among all before it, and 80,000 of them took 37 s.
#[test]
fn a_benchmark_with_too_many_metrics_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.txt");
    let units: String = (0..10_001).map(|i| format!(" 1 u{i}/op")).collect();
    fs::write(&file, format!("BenchmarkX 100 50 ns/op{units}\n")).unwrap();
    let err = input_error(perfgate().arg("show").arg(&file));
    assert!(
        err.contains("benchmark `BenchmarkX` has more than 10000 metrics"),
        "{err}"
    );
}

/// A criterion directory with a link to a parent (a loop) is read once: the walk gave `a`,
/// `a/loop/a`, `a/loop/a/loop/a`... as deep as it went.
#[cfg(unix)]
#[test]
fn a_criterion_directory_with_a_link_to_a_parent_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("criterion/fib/new");
    fs::create_dir_all(&new).unwrap();
    for f in ["benchmark.json", "estimates.json", "sample.json"] {
        fs::copy(fixture(&format!("criterion/old-layout/{f}")), new.join(f)).unwrap();
    }
    std::os::unix::fs::symlink("..", dir.path().join("criterion/fib/loop")).unwrap();
    let out = stdout(
        perfgate()
            .current_dir(dir.path())
            .args(["show", "criterion"]),
        0,
    );
    assert!(out.contains("(1 benchmarks, 1 metrics)"), "{out}");
}

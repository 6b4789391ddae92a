//! The gate on real reruns (`tests/fixtures/reruns`): outputs of Go, hyperfine, wrk, criterion,
//! oha, autocannon and k6, five runs each of unchanged code and one after a real slowdown, recorded
//! byte for byte on a 2-core machine twice: `quiet/` with the machine to itself (a hosted
//! runner), `busy/` while other builds loaded it to 3.5-9 (a shared runner; see the READMEs
//! there). Every unchanged pair, every run against the slowdown, and every run against a store
//! holding the other four, through the built binary as a user runs it. Each set's whole table is
//! a snapshot, so a change of rules shows here pair by pair; the assertions hold what must never
//! regress. And a longer history: a 42-benchmark Go suite run 30 times (`quiet/go-history`), each
//! run against a store of the runs before it.
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
    ("go-suite", "go-suite", ".txt"),
    ("hyperfine", "hyperfine", ".json"),
    ("wrk", "wrk", ".txt"),
    ("oha", "oha", ".json"),
    ("autocannon", "autocannon", ".json"),
    ("k6", "k6", ".json"),
    ("criterion", "criterion", ""),
    ("criterion-text", "criterion", ".txt"),
];

const RUNS: usize = 5;

fn folder(set: &str, tool_dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reruns")
        .join(set)
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

/// The regressions a JSON report names: `benchmark metric +12.3%`.
fn regressions(report: &serde_json::Value) -> Vec<String> {
    report["results"]
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
        .collect()
}

/// What a JSON report fails on: its regressions, and the whole run when its shift is one.
fn failing(report: &serde_json::Value) -> Vec<String> {
    let mut names = regressions(report);
    if report["suite"]["status"] == "regression" {
        names.push("the whole run".into());
    }
    names
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
        .map(|r| failing(&r))
        .unwrap_or_default();
    assert!(
        code == 0 || code == 1,
        "perfgate compare {args:?} exited {code}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Outcome { code, regressions }
}

fn file(set: &str, tool_dir: &str, name: &str, ext: &str) -> PathBuf {
    folder(set, tool_dir).join(format!("{name}{ext}"))
}

/// `current` against `baseline`, both result files.
fn pair(set: &str, tool_dir: &str, ext: &str, baseline: &str, current: &str) -> Outcome {
    runs(
        set,
        tool_dir,
        ext,
        &[baseline.to_string()],
        &[current.to_string()],
    )
}

/// The runs `current` against the runs `baseline`, each a result file: several of a side are
/// compared with one value per run.
fn runs(set: &str, tool_dir: &str, ext: &str, baseline: &[String], current: &[String]) -> Outcome {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for (flag, names) in [("--baseline", baseline), ("--current", current)] {
        for n in names {
            args.push(flag.into());
            args.push(file(set, tool_dir, n, ext).into_os_string());
        }
    }
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    compare(&args)
}

/// `current` against a store holding `history` (oldest first) on main.
fn against_store(
    set: &str,
    tool_dir: &str,
    ext: &str,
    history: &[String],
    current: &str,
) -> Outcome {
    let store = store_of(set, tool_dir, ext, history);
    let c = file(set, tool_dir, current, ext);
    compare(&[
        "--store".as_ref(),
        store.path().as_os_str(),
        "--current".as_ref(),
        c.as_os_str(),
    ])
}

/// A store holding `history` (oldest first) on main, one commit each.
fn store_of(set: &str, tool_dir: &str, ext: &str, history: &[String]) -> tempfile::TempDir {
    let store = tempfile::tempdir().unwrap();
    for (i, name) in history.iter().enumerate() {
        let out = perfgate()
            .arg("save")
            .arg("--store")
            .arg(store.path())
            .arg("--current")
            .arg(file(set, tool_dir, name, ext))
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
    store
}

fn run(i: usize) -> String {
    format!("run{i}")
}

/// What one tool's reruns did at the gate.
struct Tally {
    tool: &'static str,
    /// Unchanged pairs that failed, of `unchanged`.
    unchanged_failed: usize,
    unchanged: usize,
    /// Runs that failed against a store of the other four, of [`RUNS`].
    history_failed: usize,
    /// Runs against which the slowdown failed, of [`RUNS`].
    slow_failed: usize,
    /// Whether the slowdown failed against a store of all five runs.
    slow_vs_history_failed: bool,
    /// Runs against which two other unchanged runs (the pull request run twice) failed, of
    /// [`RUNS`].
    twice_failed: usize,
    /// Pairs of runs against which the slowdown failed, of [`RUNS`].
    slow_vs_two_failed: usize,
    /// Runs that failed against two other unchanged runs (the baseline run twice), of [`RUNS`].
    vs_two_failed: usize,
}

/// Every pair of one set through the gate: the table of outcomes and each tool's tally.
fn through_the_gate(set: &str) -> (String, Vec<Tally>) {
    let mut table = String::new();
    let mut summary = String::new();
    let mut tallies = Vec::new();
    for &(tool, dir, ext) in TOOLS {
        let (mut unchanged_failed, mut unchanged) = (0, 0);
        let (mut slow_failed, mut history_failed) = (0, 0);
        for a in 1..=RUNS {
            for b in a + 1..=RUNS {
                let o = pair(set, dir, ext, &run(a), &run(b));
                unchanged += 1;
                unchanged_failed += usize::from(o.code == 1);
                let _ = writeln!(table, "{tool} run{a} -> run{b}: {}", o.line());
            }
        }
        for a in 1..=RUNS {
            let o = pair(set, dir, ext, &run(a), "slow");
            slow_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} run{a} -> slow: {}", o.line());
        }
        for k in 1..=RUNS {
            let others: Vec<String> = (1..=RUNS).filter(|&i| i != k).map(run).collect();
            let o = against_store(set, dir, ext, &others, &run(k));
            history_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} store of the others -> run{k}: {}", o.line());
        }
        let next = |a: usize, k: usize| run((a - 1 + k) % RUNS + 1);
        let (mut twice_failed, mut slow_vs_two_failed) = (0, 0);
        for a in 1..=RUNS {
            let (b, c) = (next(a, 1), next(a, 2));
            let o = runs(set, dir, ext, &[run(a)], &[b.clone(), c.clone()]);
            twice_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} run{a} -> {b} and {c}: {}", o.line());
        }
        let mut vs_two_failed = 0;
        for a in 1..=RUNS {
            let (b, c) = (next(a, 1), next(a, 2));
            let o = runs(set, dir, ext, &[b.clone(), c.clone()], &[run(a)]);
            vs_two_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} {b} and {c} -> run{a}: {}", o.line());
        }
        for a in 1..=RUNS {
            let b = next(a, 1);
            let o = runs(set, dir, ext, &[run(a), b.clone()], &["slow".to_string()]);
            slow_vs_two_failed += usize::from(o.code == 1);
            let _ = writeln!(table, "{tool} run{a} and {b} -> slow: {}", o.line());
        }
        let all: Vec<String> = (1..=RUNS).map(run).collect();
        let slow_vs_history = against_store(set, dir, ext, &all, "slow");
        let _ = writeln!(
            table,
            "{tool} store of run1-run5 -> slow: {}",
            slow_vs_history.line()
        );
        let _ = writeln!(
            summary,
            "{tool}: unchanged pairs that fail {unchanged_failed}/{unchanged}, with the others as history {history_failed}/{RUNS}; slowdowns that fail {slow_failed}/{RUNS}, against the history {}; the pull request run twice, unchanged, fails {twice_failed}/{RUNS}; against two runs, unchanged, {vs_two_failed}/{RUNS}; the slowdown against two runs fails {slow_vs_two_failed}/{RUNS}",
            if slow_vs_history.code == 1 { "fails" } else { "passes" }
        );
        tallies.push(Tally {
            tool,
            unchanged_failed,
            unchanged,
            history_failed,
            slow_failed,
            slow_vs_history_failed: slow_vs_history.code == 1,
            twice_failed,
            slow_vs_two_failed,
            vs_two_failed,
        });
    }
    (format!("{summary}\n{table}"), tallies)
}

/// What a set of reruns must keep doing at the gate, tool by tool: at most so many unchanged pairs
/// (of 10) and runs against a history of the others (of 5) fail, at least so many slowdowns (of
/// 5) fail, whether the slowdown fails against a history of all five runs, at most so many runs
/// fail against two others (the pull request run twice, of 5), at least so many slowdowns
/// against two runs (of 5) fail, and at most so many runs fail against two others as the
/// baseline (the default branch run twice, of 5). Where a bound is
/// looser than the "one pair in ten", the fixtures' README says why; a change of rules
/// that does better tightens it here.
type Bounds = (&'static str, usize, usize, usize, bool, usize, usize, usize);

fn hold(set: &str, bounds: &[Bounds]) {
    let (table, tallies) = through_the_gate(set);
    for t in &tallies {
        let Some(&(_, unchanged, history, slow, slow_vs_history, twice, slow_vs_two, vs_two)) =
            bounds.iter().find(|b| b.0 == t.tool)
        else {
            panic!("no bounds for {}", t.tool);
        };
        assert!(
            t.unchanged_failed <= unchanged && t.unchanged == 10,
            "{set} {}: {} of {} unchanged pairs fail (at most {unchanged}):\n{table}",
            t.tool,
            t.unchanged_failed,
            t.unchanged
        );
        assert!(
            t.history_failed <= history,
            "{set} {}: {} runs fail against the others (at most {history}):\n{table}",
            t.tool,
            t.history_failed
        );
        assert!(
            t.slow_failed >= slow,
            "{set} {}: {} slowdowns fail (at least {slow}):\n{table}",
            t.tool,
            t.slow_failed
        );
        assert!(
            t.slow_vs_history_failed || !slow_vs_history,
            "{set} {}: the slowdown passes against the history:\n{table}",
            t.tool
        );
        assert!(
            t.twice_failed <= twice && t.slow_vs_two_failed >= slow_vs_two,
            "{set} {}: run twice, {} of 5 unchanged fail (at most {twice}); {} of 5 slowdowns against two runs fail (at least {slow_vs_two}):\n{table}",
            t.tool,
            t.twice_failed,
            t.slow_vs_two_failed
        );
        assert!(
            t.vs_two_failed <= vs_two,
            "{set} {}: {} of 5 unchanged runs fail against two others (at most {vs_two}):\n{table}",
            t.tool,
            t.vs_two_failed
        );
    }
    insta::assert_snapshot!(set, table);
}

/// The machine to itself, as on a hosted runner (a VM of its own on a shared host). hyperfine's
/// three commands are too few for the suite rule and moved up to +92% between unchanged runs
/// (the host: its own `user` time moved +79% for the same work); criterion's `fib_20` ran its
/// first 40 samples 15-40% slower in run5, which the Hodges-Lehmann shift of its 100 samples
/// barely sees, so no criterion pair fails; the load tests' slowdown cost a quarter of the rate, within what
/// reruns without a history may move (`large_change`), so some pairs call it inconclusive, never
/// a pass with a history. criterion's terminal output has one value per benchmark, but with
/// criterion's interval of it: its 8 benchmarks are a suite whose run-to-run spread (up to 3.6% per
/// metric) fnv1a's +35% stands far out of, in every pair and against the store of all five runs
/// (too short a history for single values, so compared with its latest run, as a pair).
/// k6 passes every unchanged pair and run twice, and fails every slowdown: its statistics are one
/// workload, so its runs keep their level (no machine, no suite-wide shift) and are not moderated
/// together. Against two baseline runs of one commit, every tool but hyperfine and oha fails the
/// slowdown every time: hyperfine's and criterion's 9 metrics merge their runs, and criterion's
/// terminal output keeps one value a side with the interval of the runs' mean, so its suite still
/// judges fnv1a's +35% (and the rebuild's `fib_20` +20%) against the run-to-run spread. oha's
/// unchanged run2 was itself 23% slower than the other runs: against two runs that include it,
/// the slowdown's +47% to +68% is within what those runs move (inconclusive, with how many runs
/// would decide it), not beyond `large_change` as a run's repeats would be. An unchanged run
/// against two others fails where the two agreed and it did not: hyperfine's `sha256sum` (75 ms
/// in three runs, 126-144 ms in two) and oha's run2 (every latency statistic +30%).
/// go-suite, 42 benchmarks recorded two days later on another host (an AMD EPYC VM whose
/// benchmarks' 10 repeats span 30-38%), fails 2 of 10 unchanged pairs on single benchmarks +7%
/// to +47% against the rest: its spread between runs shows in a few metrics far out (unchanged
/// benchmarks moved up to 48% against the rest), heavier tails than the normal model's. With
/// Cochran's Q at 1% a third pair failed (`BigMul_2000` +14%, no spread counted). The slowdown
/// fails every pair, on time and on allocs/op.
#[test]
fn quiet_reruns_pass_and_slowdowns_fail() {
    hold(
        "quiet",
        &[
            ("go", 0, 1, 5, true, 1, 5, 0),
            ("go-suite", 2, 1, 5, true, 1, 5, 1),
            ("hyperfine", 6, 2, 3, false, 2, 2, 3),
            ("wrk", 0, 0, 3, true, 1, 5, 0),
            ("oha", 0, 0, 4, true, 0, 3, 1),
            ("autocannon", 0, 0, 5, true, 0, 5, 0),
            ("k6", 0, 0, 5, true, 0, 5, 0),
            ("criterion", 0, 0, 5, true, 0, 5, 0),
            ("criterion-text", 0, 0, 5, true, 0, 5, 0),
        ],
    );
}

/// Two unchanged runs a side, merged (hyperfine's 9 metrics are too few to compare by run
/// values): `gzip`'s `system` time was 1.6-2.3 ms in run2 and run3 and 2.9-3.5 ms in run4 and
/// run1, and pooled, those two values a side were "every repeat beyond" +65%: the gate failed.
/// Not gated without a history of runs, it stays one value a side merged (the runs' median).
#[test]
fn merged_runs_keep_a_commands_system_time_ungated() {
    let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let o = runs(
        "quiet",
        "hyperfine",
        ".json",
        &names(&["run2", "run3"]),
        &names(&["run4", "run1"]),
    );
    assert_eq!(o.line(), "pass");
}

/// Other builds loading the machine to 3.5-9 on 2 cores, as on a shared self-hosted runner:
/// unchanged runs moved by up to 2x there, so the bounds are what the rules do today, not the
/// issue's one pair in ten: wrk and oha pass every unchanged pair, every tool but criterion fails
/// every slowdown pair, and hyperfine's slowdown (+40% among runs that moved by up to +338%)
/// passes against a history of those runs. criterion's terminal output is judged against its
/// suite, whose spread between these runs (up to 29% per metric beyond criterion's intervals)
/// hides fnv1a's +35% (against run2 it did not even show: 185 µs in both): the pairs it fails
/// are those where the whole run moved beyond `large_change` (one unchanged, one slowdown); run3
/// against the latest of the others (`sort_100k` +45% against a whole run 39% faster) failed
/// until the benchmarks' loadings on the machine were counted. The threshold alone failed 4 unchanged pairs on single benchmarks' +42%
/// to +83% and caught the slowdown in 2 (in one of them only through benchmarks it did not
/// touch). Run twice, or against two runs, it is judged the same way, on the runs' mean: the
/// runs' whole-run moves fail one case (run3 and run4 against the slowdown). The pull request
/// run twice failed on `sort_1k` and `sort_100k` +10% to +18% pooled, which run2 alone did not
/// show: its 9 metrics merge their runs, and a change must hold without the run that shows it
/// most, as with one value per run. Against two baseline runs, a run value beyond `large_change`
/// is decided only beyond 3 standard errors of what the runs move: Go's `SHA256_1KB` +43.5%
/// (its two baseline runs 24% apart), wrk's p(90), oha's and autocannon's p(99) no longer fail
/// unchanged runs; and every repeat of every run must show it: Go's `StrconvItoa` (+93%, 7 of
/// run3's 10 repeats in a slower mode, 3 as fast as the baseline's) and `SHA256_64KB` (+61%)
/// no longer do either. go-suite (42 benchmarks, another host, spread between runs 11-21% per
/// benchmark) fails 2 of 10 unchanged pairs: `BinarySearch_10K` +49% against a suite spread of
/// 10% (its tails are heavier than the normal model's), and `JSONUnmarshal_100` +58.5% with
/// every repeat beyond every baseline repeat, past `large_change`. Its slowdown fails every pair
/// on allocs/op (on time too in one: +58.6%): its time (+12% to +51%) is mostly within what this
/// machine moves.
#[test]
fn busy_reruns_keep_what_must_hold() {
    hold(
        "busy",
        &[
            ("go", 1, 0, 5, true, 1, 5, 0),
            ("go-suite", 2, 0, 5, true, 1, 5, 1),
            ("hyperfine", 4, 0, 5, false, 3, 5, 3),
            ("wrk", 0, 0, 5, true, 0, 5, 0),
            ("oha", 0, 2, 5, true, 1, 5, 0),
            ("autocannon", 3, 0, 5, true, 1, 5, 0),
            ("k6", 0, 0, 5, true, 0, 5, 0),
            ("criterion", 2, 1, 1, false, 0, 1, 1),
            ("criterion-text", 1, 0, 1, false, 0, 1, 1),
        ],
    );
}

/// What would decide a metric left inconclusive against its suite follows the spread the suite
/// shows: where its metrics move between runs beyond their repeats (quiet Go, run2 → run4: 2.3%
/// per metric), a history of runs; where they do not and only the whole run moved (busy Go,
/// run1 → run2: 0.0% per metric, the whole run 13.7% faster), more repeats. The rows said "the
/// runs differ by more than their repeats do" beside the suite's 0.0%. Against a store of two
/// runs, more of its runs (4 judge samples against a history), for a metric and the whole run.
#[test]
fn what_would_decide_follows_the_spread_the_suite_shows() {
    // What `compare` prints, with the baseline given by `baseline_args`.
    let printed = |baseline_args: &[&std::ffi::OsStr], set: &str, current: &str| {
        let out = perfgate()
            .arg("compare")
            .args(baseline_args)
            .arg("--current")
            .arg(file(set, "go", current, ".txt"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = |set: &str, baseline: &str, current: &str| {
        let b = file(set, "go", baseline, ".txt");
        printed(&["--baseline".as_ref(), b.as_os_str()], set, current)
    };
    let differ = "the runs differ by more than their repeats do: keep a history of runs";
    let quiet = text("quiet", "run2", "run4");
    assert!(
        quiet.contains("one metric moves by 2.3% between runs"),
        "{quiet}"
    );
    assert!(quiet.contains(differ), "{quiet}");
    let busy = text("busy", "run1", "run2");
    assert!(
        busy.contains("(0.0% per metric beyond its repeats' noise)"),
        "{busy}"
    );
    assert!(!busy.contains(differ), "{busy}");
    assert!(
        busy.contains("repeats per side would likely decide it"),
        "{busy}"
    );
    // Against a store of two runs, too short to judge samples by (4 runs), the report told a user
    // of `--store` to keep a history of runs (`--store`): what decides is more of its runs.
    let against_two = |set: &str, history: [&str; 2], current: &str| {
        let history: Vec<String> = history.iter().map(|h| h.to_string()).collect();
        let store = store_of(set, "go", ".txt", &history);
        printed(
            &["--store".as_ref(), store.path().as_os_str()],
            set,
            current,
        )
    };
    let short = against_two("quiet", ["run1", "run4"], "run2");
    assert!(
        short.contains(
            "the runs differ by more than their repeats do: let the history grow to 4 runs (it has 2) to decide"
        ),
        "{short}"
    );
    assert!(!short.contains(differ), "{short}");
    // So does the whole run's shift: the busy run3 is 18.0% slower than run5.
    let whole = against_two("busy", ["run4", "run5"], "run3");
    assert!(
        whole.contains("so it is inconclusive (a history of 4 runs will tell; it has 2)"),
        "{whole}"
    );
}

/// Several runs a side say so, and what they ask for is runs. Run twice against two baseline
/// files, the reports said "vs baseline (unknown commit) and the run before it" of two runs of
/// one commit; hyperfine's `user` time, one mean per run, pooled into two values a side, was
/// advised "about 98 repeats per side" (more repeats give it no more values: more runs do); and
/// a budget on Go's runs said "median of 2 samples" of two runs' values.
#[test]
fn several_runs_a_side_are_named_as_runs() {
    let text = |tool: &str, ext: &str, budget: &str| {
        let mut c = perfgate();
        c.arg("compare");
        for (flag, names) in [
            ("--baseline", ["run2", "run3"]),
            ("--current", ["run4", "run1"]),
        ] {
            for n in names {
                c.arg(flag).arg(file("quiet", tool, n, ext));
            }
        }
        let out = c.arg("--budget").arg(budget).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let hyperfine = text("hyperfine", ".json", "sha256sum* time < 10s");
    let header = hyperfine.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("current 2 runs of ")
            && header.ends_with(" vs baseline 2 runs of (unknown commit)"),
        "{hyperfine}"
    );
    assert!(
        hyperfine.contains("too few samples to decide (2 and 2): at least 4 per side are needed; about 98 runs per side would likely decide it (80% power at the observed change and the noise between runs)\n    sha256sum data.bin user"),
        "{hyperfine}"
    );
    assert!(!hyperfine.contains("repeats per side"), "{hyperfine}");
    assert!(hyperfine.contains("median of 40 samples"), "{hyperfine}");
    let go = text("go", ".txt", "BenchmarkFib20-2 time < 1ms");
    assert!(!go.contains("before it"), "{go}");
    assert!(
        go.contains("median of 2 runs' values\n    BenchmarkFib20-2 (time < 1ms)"),
        "{go}"
    );
}

/// How many runs of `quiet/go-history` there are: the 42-benchmark Go suite run 30 times back
/// to back, unchanged.
const HISTORY_RUNS: usize = 30;

/// The first run judged against the runs before it: a history of 6 runs is the fewest whose
/// tails are read.
const FIRST_JUDGED: usize = 7;

/// A history as the default branch grows it, on real runs: each unchanged run of the 42-benchmark
/// Go suite (recorded 30 times back to back, `quiet/go-history`) against a store of every run
/// before it, as `perfgate compare --store` judges a pull request, then saved. Each line says
/// the verdict, the tails the history's own runs showed (degrees of freedom of the Student's t
/// they lie as), and the regressions; the table is a snapshot, and at most a tenth of the runs
/// may fail.
#[test]
fn a_growing_history_of_real_runs_passes_unchanged_code() {
    let store = tempfile::tempdir().unwrap();
    let mut table = String::new();
    let mut failed = 0;
    for i in 1..=HISTORY_RUNS {
        let current = file("quiet", "go-history", &run(i), ".txt");
        if i >= FIRST_JUDGED {
            let dir = tempfile::tempdir().unwrap();
            let json = dir.path().join("report.json");
            let out = perfgate()
                .arg("compare")
                .arg("--store")
                .arg(store.path())
                .arg("--current")
                .arg(&current)
                .arg("--report-json")
                .arg(&json)
                .output()
                .unwrap();
            let code = out.status.code().unwrap_or(-1);
            assert!(
                code == 0 || code == 1,
                "run{i}: exit {code}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let r: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
            let regressions = regressions(&r);
            let tails = match r["history_tails"]["df"].as_f64() {
                Some(df) => format!("tails t({df})"),
                None => "normal".to_string(),
            };
            let verdict = if code == 0 { "pass" } else { "FAIL" };
            failed += usize::from(code == 1);
            let _ = writeln!(
                table,
                "run{i} against {} runs ({tails}): {verdict}{}{}",
                i - 1,
                if regressions.is_empty() { "" } else { ": " },
                regressions.join(", ")
            );
        }
        let saved = perfgate()
            .arg("save")
            .arg("--store")
            .arg(store.path())
            .arg("--current")
            .arg(&current)
            .args(["--branch", "main", "--commit", &format!("c{i:02}")])
            .args([
                "--timestamp",
                &format!("2026-12-07T{:02}:{:02}:00Z", 21 + i / 60, i % 60),
            ])
            .output()
            .unwrap();
        assert!(
            saved.status.success(),
            "{}",
            String::from_utf8_lossy(&saved.stderr)
        );
    }
    let judged = HISTORY_RUNS + 1 - FIRST_JUDGED;
    assert!(
        failed * 10 <= judged,
        "{failed} of {judged} unchanged runs fail against the runs before them:\n{table}"
    );
    // The real slowdown against all 30 runs fails.
    let slow = file("quiet", "go-history", "slow", ".txt");
    let outcome = compare(&[
        "--store".as_ref(),
        store.path().as_os_str(),
        "--current".as_ref(),
        slow.as_os_str(),
    ]);
    assert_eq!(outcome.code, 1, "{}", outcome.line());
    let _ = writeln!(
        table,
        "slow against {HISTORY_RUNS} runs: {}",
        outcome.line()
    );
    insta::assert_snapshot!(table);
}

/// The 30 real runs of the Go suite, parsed.
fn history_runs() -> Vec<perfgate::model::Run> {
    (1..=HISTORY_RUNS)
        .map(|i| {
            let path = file("quiet", "go-history", &run(i), ".txt");
            let text = std::fs::read_to_string(&path).unwrap();
            perfgate::formats::parse(perfgate::formats::Format::Go, &text).unwrap()
        })
        .collect()
}

/// `run` with the benchmarks at `slower` 15% slower: time samples multiplied, throughput divided.
fn slowed(run: &perfgate::model::Run, slower: &[usize]) -> perfgate::model::Run {
    let mut run = run.clone();
    for &k in slower {
        for m in &mut run.benchmarks[k].metrics {
            let factor = match m.name.as_str() {
                "time" => 1.15,
                "throughput" => 1.0 / 1.15,
                _ => continue,
            };
            if let perfgate::model::Data::Samples(v) = &mut m.data {
                v.iter_mut().for_each(|x| *x *= factor);
            }
        }
    }
    run
}

/// Every pair of the Go suite's 30 unchanged runs, the earlier as the one baseline run, as
/// `examples/simulate.rs` measures it: at most one pair in ten fails (the bound; 31 of
/// 435 since the benchmarks' loadings on the machine are counted, 45 before), each failing pair
/// in the snapshot. And 5 of the later run's 42 benchmarks made +15% slower, the same five for
/// a pair (a rotation through the suite, where the simulation draws them): 883 of 2,175 caught
/// (40.6%; held at 35%: the benchmarks move 2.1% to 6.4% between runs, and told each one's
/// spread exactly, the same test would catch about 54%).
#[test]
fn every_pair_of_a_real_suites_runs_as_one_baseline_run() {
    use perfgate::compare::{self, Status, Verdict};
    let runs = history_runs();
    let config = perfgate::config::Config::default();
    let benchmarks = runs[0].benchmarks.len();
    let (mut pairs, mut failed, mut real, mut caught) = (0, 0, 0, 0);
    let mut table = String::new();
    for i in 0..runs.len() {
        for j in i + 1..runs.len() {
            pairs += 1;
            let c = compare::compare(Some(&runs[i]), &runs[j], &config);
            if c.verdict == Verdict::Fail {
                failed += 1;
                // Named as the report a user reads names them.
                let report = perfgate::report::render_json(&c);
                let names = failing(&serde_json::from_str(&report).unwrap());
                let _ = writeln!(table, "run{} -> run{}: {}", i + 1, j + 1, names.join(", "));
            }
            let slower: Vec<usize> = (0..5).map(|k| (pairs * 5 + k) % benchmarks).collect();
            let c = compare::compare(Some(&runs[i]), &slowed(&runs[j], &slower), &config);
            for &k in &slower {
                real += 1;
                let name = &runs[j].benchmarks[k].name;
                caught += usize::from(c.results.iter().any(|r| {
                    &r.benchmark == name && r.metric == "time" && r.status == Status::Regression
                }));
            }
        }
    }
    let _ = writeln!(
        table,
        "unchanged pairs that fail: {failed} of {pairs}; +15% caught: {caught} of {real}"
    );
    assert!(failed * 10 <= pairs, "{table}");
    assert!(caught * 20 >= real * 7, "{table}");
    insta::assert_snapshot!(table);
}

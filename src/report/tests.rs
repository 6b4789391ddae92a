//! Snapshot tests of what users read: the Markdown comment, the terminal table and the JSON
//! report, over hand-built comparisons.

use super::*;
use crate::compare::{
    BudgetNote, BudgetResult, Comparison, Counts, HistoryTails, Method, MetricResult, Moderation,
    Notes, Reason, Settings, Side, Status, SuiteShift, Verdict,
};
use crate::model::{Direction, Environment, RunMeta, Unit};

const MARKER: &str = "<!-- perfgate -->";

fn meta(commit: &str, branch: &str, timestamp: &str) -> RunMeta {
    RunMeta {
        commit: Some(commit.into()),
        branch: Some(branch.into()),
        timestamp: Some(timestamp.into()),
        commit_time: None,
        tool: Some("go".into()),
        environment: Environment {
            os: Some("linux".into()),
            arch: Some("amd64".into()),
            cpu: Some("AMD EPYC 7763 64-Core Processor".into()),
            cores: Some(4),
            memory_gib: Some(16),
            runner: Some("ubuntu-24.04".into()),
            extra: [("pkg".to_string(), "example.com/codec".to_string())].into(),
        },
    }
}

fn settings() -> Settings {
    Settings {
        threshold: 0.05,
        alpha: 0.05,
        min_samples: 5,
        fail_on_regression: true,
        fail_on_missing: false,
        fail_on_new: false,
        fail_on_inconclusive: false,
        allow_cross_environment: false,
        history_window: 30,
        history_min_points: 10,
        history_pool: 1,
        history_confidence: 0.98,
        test: "auto".into(),
    }
}

/// A result with no data; tests fill in what they need.
fn result(benchmark: &str, metric: &str, unit: Unit, status: Status) -> MetricResult {
    let direction = Direction::infer(metric, &unit);
    MetricResult {
        benchmark: benchmark.into(),
        metric: metric.into(),
        unit,
        direction,
        baseline: None,
        current: None,
        change: None,
        ci: None,
        p_value: None,
        p_adjusted: None,
        status,
        method: Method::None,
        threshold: 0.05,
        alpha: 0.05,
        deterministic: false,
        fails_gate: status == Status::Regression,
        note: Notes::default(),
        trend: None,
        context: false,
    }
}

/// A result decided on samples (Mann-Whitney).
fn sampled(
    benchmark: &str,
    metric: &str,
    unit: Unit,
    (base, cur, n): (f64, f64, usize),
    ci: (f64, f64),
    p: f64,
    status: Status,
) -> MetricResult {
    MetricResult {
        baseline: Some(Side { value: base, n }),
        current: Some(Side { value: cur, n }),
        change: Some(cur / base - 1.0),
        ci: Some(ci),
        p_value: Some(p),
        // As if adjusted over a family: the tests only need a value that differs.
        p_adjusted: Some((p * 3.0).min(1.0)),
        method: Method::MannWhitney,
        ..result(benchmark, metric, unit, status)
    }
}

/// A result with one value per side and no noise estimate: within the threshold the engine says
/// nothing more.
fn single(
    benchmark: &str,
    metric: &str,
    unit: Unit,
    base: f64,
    cur: f64,
    status: Status,
) -> MetricResult {
    MetricResult {
        baseline: Some(Side { value: base, n: 1 }),
        current: Some(Side { value: cur, n: 1 }),
        change: Some(cur / base - 1.0),
        method: Method::Threshold,
        ..result(benchmark, metric, unit, status)
    }
}

fn budget(
    benchmark: &str,
    metric: &str,
    expression: &str,
    actual: Option<f64>,
    limit: f64,
    note: Option<BudgetNote>,
) -> BudgetResult {
    BudgetResult {
        benchmark: benchmark.into(),
        metric: metric.into(),
        expression: expression.into(),
        actual,
        limit,
        unit: Unit::Nanoseconds,
        passed: actual.is_some_and(|a| a < limit),
        note,
        source: None,
        decimal: false,
    }
}

/// A comparison with counts, reasons and verdict derived as the engine derives them.
fn comparison(
    results: Vec<MetricResult>,
    budgets: Vec<BudgetResult>,
    baseline: Option<RunMeta>,
) -> Comparison {
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let results_with_p = results.iter().filter(|r| r.p_value.is_some()).count();
    let counts = Counts {
        regression: count(Status::Regression),
        improvement: count(Status::Improvement),
        inconclusive: count(Status::Inconclusive),
        unchanged: count(Status::Unchanged),
        new: count(Status::New),
        missing: count(Status::Missing),
        budgets_passed: budgets.iter().filter(|b| b.passed).count(),
        budgets_broken: budgets.iter().filter(|b| !b.passed).count(),
    };
    let mut reasons = Vec::new();
    let failing = results.iter().filter(|r| r.fails_gate).count();
    if failing > 0 {
        reasons.push(Reason::Regressions(failing));
    }
    if counts.budgets_broken > 0 {
        reasons.push(Reason::BudgetsBroken(counts.budgets_broken));
    }
    Comparison {
        verdict: if reasons.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        counts,
        results,
        budgets,
        baseline,
        current: meta(
            "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
            "feature/faster-json",
            "2025-06-02T10:15:00Z",
        ),
        settings: settings(),
        reasons,
        corrected_over: results_with_p,
        environment_differences: Vec::new(),
        baseline_runs: 1,
        baseline_one_commit: false,
        other_environment_runs: 0,
        current_runs: 1,
        one_value_per_run: false,
        machine_taken_out: false,
        moderation: None,
        history_moderation: None,
        history_tails: None,
        suite: None,
    }
}

fn base_meta() -> Option<RunMeta> {
    Some(meta(
        "0123456789abcdef0123456789abcdef01234567",
        "main",
        "2025-06-01T08:00:00Z",
    ))
}

/// Every kind of result and budget, in the engine's order.
fn failing_run() -> Comparison {
    let results = vec![
        sampled(
            "BenchmarkParse/json",
            "time",
            Unit::Nanoseconds,
            (1_200_000.0, 1_348_000.0, 10),
            (0.098, 0.149),
            0.0012,
            Status::Regression,
        ),
        MetricResult {
            method: Method::Exact,
            deterministic: true,
            note: Notes::worded(
                "deterministic metric: any change beyond the threshold counts, no test needed"
                    .into(),
            ),
            ..single(
                "BenchmarkParse/json",
                "alloc_bytes",
                Unit::Bytes,
                4096.0,
                5120.0,
                Status::Regression,
            )
        },
        MetricResult {
            note: Notes::worded(
                "too few samples to decide (3 and 3): at least 5 per side are needed; run more repeats"
                    .into(),
            ),
            ..sampled(
                "BenchmarkDecode",
                "time",
                Unit::Nanoseconds,
                (850.0, 1020.0, 3),
                (-0.05, 0.41),
                0.1,
                Status::Inconclusive,
            )
        },
        MetricResult {
            note: Notes::default(),
            ..sampled(
                "BenchmarkDecode",
                "allocs",
                Unit::Count,
                (12.0, 15.0, 8),
                (-0.02, 0.5),
                0.21,
                Status::Inconclusive,
            )
        },
        sampled(
            "BenchmarkHash",
            "throughput",
            Unit::BytesPerSecond,
            (1.2e9, 1.5e9, 10),
            (0.2, 0.3),
            0.0002,
            Status::Improvement,
        ),
        MetricResult {
            baseline: Some(Side { value: 500.0, n: 10 }),
            ..result("BenchmarkLegacy", "time", Unit::Nanoseconds, Status::Missing)
        },
        MetricResult {
            current: Some(Side { value: 700.0, n: 10 }),
            ..result("BenchmarkStream", "time", Unit::Nanoseconds, Status::New)
        },
        sampled(
            "BenchmarkSort",
            "time",
            Unit::Nanoseconds,
            (2500.0, 2510.0, 10),
            (-0.01, 0.02),
            0.62,
            Status::Unchanged,
        ),
        single(
            "http_req_duration",
            "p(95)",
            Unit::Nanoseconds,
            180e6,
            182e6,
            Status::Unchanged,
        ),
    ];
    let budgets = vec![
        budget(
            "BenchmarkParse/json",
            "time",
            "time < 1ms",
            Some(1_348_000.0),
            1e6,
            Some(BudgetNote::MedianOf(10)),
        ),
        budget(
            "http_req_duration",
            "p(95)",
            "p(95) < 200ms",
            Some(182e6),
            200e6,
            None,
        ),
    ];
    comparison(results, budgets, base_meta())
}

fn passing_run() -> Comparison {
    let results = vec![
        sampled(
            "BenchmarkHash",
            "throughput",
            Unit::BytesPerSecond,
            (1.2e9, 1.5e9, 10),
            (0.2, 0.3),
            0.0002,
            Status::Improvement,
        ),
        sampled(
            "BenchmarkSort",
            "time",
            Unit::Nanoseconds,
            (2500.0, 2510.0, 10),
            (-0.01, 0.02),
            0.62,
            Status::Unchanged,
        ),
        sampled(
            "BenchmarkSort",
            "alloc_bytes",
            Unit::Bytes,
            (1024.0, 1024.0, 10),
            (0.0, 0.0),
            1.0,
            Status::Unchanged,
        ),
    ];
    comparison(results, Vec::new(), base_meta())
}

fn budgets_only_run() -> Comparison {
    let budgets = vec![
        budget(
            "http_req_duration{expected_response:true}",
            "p(95)",
            "p(95) < 200ms",
            Some(212e6),
            200e6,
            None,
        ),
        budget(
            "http_req_duration",
            "p(99)",
            "p(99) < 500ms",
            Some(310e6),
            500e6,
            None,
        ),
        budget(
            "checkout_*",
            "p(95)",
            "p(95) < 300ms",
            None,
            300e6,
            Some(BudgetNote::NoBenchmark {
                pattern: "checkout_*".into(),
            }),
        ),
    ];
    comparison(Vec::new(), budgets, None)
}

const HOSTILE: &[&str] = &[
    "a|b",
    "`x`",
    "<img src=x onerror=alert(1)>",
    "@octocat",
    "[link](http://x)",
    "# heading\nsecond line",
    "**bold** _it_ ~~gone~~ $x$",
    "\u{1b}[31mred\u{1b}[0m",
    "evil\u{202E}txt.exe",
];

fn hostile_run() -> Comparison {
    let results = HOSTILE
        .iter()
        .map(|name| MetricResult {
            note: Notes::worded(format!("see {name} <script>alert(1)</script> @admin")),
            ..single(
                name,
                "time|<b>",
                Unit::Nanoseconds,
                100.0,
                150.0,
                Status::Regression,
            )
        })
        .collect();
    let budgets = vec![BudgetResult {
        unit: Unit::Custom("<u>|x".into()),
        ..budget(
            "@octocat",
            "p(95)",
            "p(95) < 1ms | `rm -rf /`",
            Some(2e6),
            1e6,
            None,
        )
    }];
    let mut c = comparison(results, budgets, base_meta());
    c.current.branch = Some("feat/`rm -rf`|@team".into());
    c.current.commit = Some("deadbeef<b>".into());
    c
}

/// A history comparison across environments: a single value judged against a prediction
/// interval, a deterministic count decided exactly, and a timing whose regression cannot gate
/// because the baseline ran on another machine.
fn statistics_run() -> Comparison {
    let results = vec![
        MetricResult {
            baseline: Some(Side {
                value: 1_000_000.0,
                n: 1,
            }),
            current: Some(Side {
                value: 1_030_000.0,
                n: 1,
            }),
            change: Some(0.03),
            method: Method::Exact,
            deterministic: true,
            note: Notes::worded(
                "deterministic metric: any change beyond the threshold counts, no test needed"
                    .into(),
            ),
            threshold: 0.0,
            ..result(
                "parse_json",
                "instructions",
                Unit::Count,
                Status::Regression,
            )
        },
        MetricResult {
            baseline: Some(Side {
                value: 20e6,
                n: 30,
            }),
            current: Some(Side {
                value: 25e6,
                n: 1,
            }),
            change: Some(0.25),
            p_value: Some(0.0004),
            p_adjusted: Some(0.0012),
            method: Method::PredictionInterval,
            fails_gate: false,
            note: Notes::worded("would be a regression (+25.0%), but the baseline ran in another environment: noisy metrics do not fail the gate across environments; compare runs from the same runner (or base and head in the same job), or set allow_cross_environment = true; above the 98% prediction interval of the last 30 runs (18.1 ms to 22.0 ms)".into()),
            ..result(
                "http_req_duration",
                "p(95)",
                Unit::Nanoseconds,
                Status::Inconclusive,
            )
        },
        MetricResult {
            note: Notes::worded("a change of +8.0% is not statistically significant (p = 0.210 after correction over 3 metrics): too noisy to decide; about 14 repeats per side would likely decide it (80% power at the observed change and noise)".into()),
            ..sampled(
                "BenchmarkDecode",
                "time",
                Unit::Nanoseconds,
                (1000.0, 1080.0, 5),
                (-0.02, 0.2),
                0.07,
                Status::Inconclusive,
            )
        },
        MetricResult {
            baseline: Some(Side {
                value: 5e6,
                n: 30,
            }),
            current: Some(Side {
                value: 5.1e6,
                n: 1,
            }),
            change: Some(0.02),
            p_value: Some(0.4),
            p_adjusted: Some(0.6),
            method: Method::PredictionInterval,
            ..result("http_req_duration", "p(50)", Unit::Nanoseconds, Status::Unchanged)
        },
    ];
    let mut c = comparison(results, Vec::new(), base_meta());
    c.environment_differences = vec![
        "cpu: AMD EPYC 7763 64-Core Processor → Intel(R) Xeon(R) Platinum 8370C".into(),
        "cores: 4 → 2".into(),
    ];
    c.baseline_runs = 30;
    c
}

/// A benchmark missing and one new (neither failing the gate) were counted in "no change in 3
/// benchmarks".
#[test]
fn missing_and_new_benchmarks_are_not_no_change() {
    let c = comparison(
        vec![
            result("BenchmarkA", "time", Unit::Nanoseconds, Status::Unchanged),
            result("BenchmarkB", "time", Unit::Nanoseconds, Status::Missing),
            result("BenchmarkC", "time", Unit::Nanoseconds, Status::New),
        ],
        Vec::new(),
        base_meta(),
    );
    let text = render_terminal(&c, false);
    assert!(
        text.contains("PASS (no change in 1 benchmark, 1 missing, 1 new)"),
        "{text}"
    );
    assert!(markdown(&c).contains("no change in 1 benchmark, 1 missing, 1 new"));
}

/// Two baseline runs said "the 1 runs before it".
#[test]
fn one_run_before_the_baseline_is_the_run_before_it() {
    let mut c = statistics_run();
    c.baseline_runs = 2;
    let md = markdown(&c);
    assert!(md.contains("and the run before it"), "{md}");
    let text = render_terminal(&c, false);
    assert!(text.contains("and the run before it"), "{text}");
    assert!(!text.contains("1 runs") && !md.contains("1 runs"));
}

/// Runs of one commit given on each side are counted as runs of it, not a history ("the run
/// before it").
#[test]
fn runs_of_one_commit_are_counted_on_each_side() {
    let mut c = statistics_run();
    c.baseline_runs = 2;
    c.baseline_one_commit = true;
    c.current_runs = 3;
    let md = markdown(&c);
    assert!(
        md.contains("Compared 3 runs of `9f8e7d6` on `feature/faster-json` (2025-06-02T10:15:00Z) with 2 runs of the baseline `0123456` on `main` (2025-06-01T08:00:00Z)."),
        "{md}"
    );
    let text = render_terminal(&c, false);
    assert!(
        text.starts_with("current 3 runs of 9f8e7d6 on feature/faster-json (2025-06-02T10:15:00Z) vs baseline 2 runs of 0123456 on main (2025-06-01T08:00:00Z)\n"),
        "{text}"
    );
    assert!(!text.contains("before it") && !md.contains("before it"));
}

#[test]
fn statistics_run_markdown_says_it_in_plain_words() {
    let md = markdown(&statistics_run());
    assert!(md.contains("and the 29 runs before it"), "{md}");
    assert!(
        md.contains("The baseline ran in a different environment"),
        "{md}"
    );
    assert!(md.contains("| instructions +3.0% | "), "{md}");
    assert!(md.contains("| exact |"), "{md}");
    assert!(md.contains("about 14 repeats per side"), "{md}");
    assert!(
        md.contains("p-values adjusted for false discoveries over 3 metrics"),
        "{md}"
    );
    insta::assert_snapshot!("statistics_run_markdown", md);
}

#[test]
fn statistics_run_terminal_marks_the_environment_change() {
    let out = render_terminal(&statistics_run(), false);
    assert!(
        out.contains("The baseline ran in a different environment"),
        "{out}"
    );
    insta::assert_snapshot!("statistics_run_terminal", out);
    assert!(out.contains("noisy metrics such as times cannot fail the gate"));
    // Unless inconclusive results fail it: then they do, and the note says so.
    let mut c = statistics_run();
    c.settings.fail_on_inconclusive = true;
    let out = render_terminal(&c, false);
    assert!(!out.contains("cannot fail the gate"), "{out}");
    assert!(out.contains("the regressions of noisy metrics such as times are inconclusive, and fail the gate as inconclusive results (`fail_on_inconclusive` is set)"), "{out}");
}

#[test]
fn statistics_run_json_has_adjusted_p_values_and_the_environment() {
    let json = render_json(&statistics_run());
    let v: serde_json::Value = match serde_json::from_str(&json) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(v["cross_environment"], true);
    assert_eq!(v["baseline_runs"], 30);
    assert_eq!(v["multiple_comparisons"]["metrics"], 3);
    assert_eq!(v["results"][1]["method"], "prediction_interval");
    assert_eq!(v["results"][1]["p_adjusted"], 0.0012);
    assert_eq!(v["results"][0]["method"], "exact");
    assert_eq!(v["results"][0]["deterministic"], true);
    insta::assert_snapshot!("statistics_run_json", json);
}

/// One baseline run of a twenty-benchmark suite on a machine 8.1% slower: one benchmark slower
/// than the rest of the suite, one inconclusive against it, and the suite-wide shift on its own.
fn suite_run() -> Comparison {
    let against_suite =
        |name: &str, (base, cur): (f64, f64), change, ci, p, status, note| MetricResult {
            method: Method::RunToRun,
            change: Some(change),
            note: Notes::worded(note),
            ..sampled(
                name,
                "time",
                Unit::Nanoseconds,
                (base, cur, 10),
                ci,
                p,
                status,
            )
        };
    let mut c = comparison(
        vec![
            against_suite(
                "BenchmarkParse",
                (1000.0, 1405.0),
                0.30,
                (0.21, 0.40),
                0.0004,
                Status::Regression,
                "+40.5% against the baseline run, while the whole run is 8.1% slower".to_string(),
            ),
            against_suite(
                "BenchmarkEncode",
                (2000.0, 2330.0),
                0.078,
                (-0.01, 0.17),
                0.09,
                Status::Inconclusive,
                "a change of +7.8% is not statistically significant (p = 0.270 after correction over 20 metrics): too noisy to decide; the runs differ by more than their repeats do: keep a history of runs (`--store`, the Action's data branch) to decide; +16.5% against the baseline run, while the whole run is 8.1% slower".to_string(),
            ),
        ],
        Vec::new(),
        base_meta(),
    );
    c.suite = Some(SuiteShift {
        change: 0.081,
        metrics: 20,
        benchmarks: 20,
        between_cv: 0.021,
        status: Status::Inconclusive,
        fails_gate: false,
        history_runs: None,
    });
    c
}

#[test]
fn a_suite_wide_shift_is_said_on_its_own_in_every_report() {
    let c = suite_run();
    let said = "The whole run is 8.1% slower than the baseline run (the median of 20 speed metrics of 20 benchmarks), beyond the 5% threshold: the machine, or a change that makes everything slower";
    let out = render_terminal(&c, false);
    assert!(out.contains(said), "{out}");
    insta::assert_snapshot!("suite_run_terminal", out);
    let md = markdown(&c);
    assert!(md.contains(&format!("> ⚠️ {said}")), "{md}");
    assert!(
        md.contains("| time +30.0% | time 1.00 µs → 1.41 µs | against the suite, 95% CI"),
        "{md}"
    );
    insta::assert_snapshot!("suite_run_markdown", md);
    let v: serde_json::Value = match serde_json::from_str(&render_json(&c)) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(v["suite"]["status"], "inconclusive");
    assert_eq!(v["suite"]["change"], 0.081);
    assert_eq!(v["results"][0]["method"], "run_to_run");
    // Within the threshold the shift is said in passing, in the footnote.
    let mut quiet = suite_run();
    if let Some(s) = quiet.suite.as_mut() {
        s.change = 0.012;
        s.status = Status::Unchanged;
    }
    let out = render_terminal(&quiet, false);
    assert!(!out.contains("The whole run is"), "{out}");
    assert!(out.contains("the whole run is 1.2% slower than the baseline run, and one metric moves by 2.1% between runs beyond its repeats' noise."), "{out}");
}

#[test]
fn a_whole_run_that_fails_the_gate_is_what_the_heading_names() {
    // Every row regressed against the baseline run, none against the rest of the suite, and the
    // whole run beyond `large_change`: the gate fails on the whole run, not on its rows.
    let mut c = suite_run();
    for r in &mut c.results {
        r.status = Status::Inconclusive;
    }
    if let Some(s) = c.suite.as_mut() {
        (s.change, s.status, s.fails_gate) = (0.488, Status::Regression, true);
    }
    c.reasons = vec![Reason::WholeRun { change: 0.488 }];
    c.verdict = Verdict::Fail;
    let out = render_terminal(&c, false);
    assert!(
        out.ends_with("perfgate: FAIL (the whole run is slower than the baseline run (+48.8%))\n"),
        "{out}"
    );
    let md = markdown(&c);
    assert!(
        md.contains("❌ the whole run is slower than the baseline run (+48.8%)"),
        "{md}"
    );
    // The setting it names is a code span, not escaped backticks.
    assert!(
        md.contains("beyond `large_change`, a move reruns of unchanged code seldom make"),
        "{md}"
    );
}

/// `n` results of every status, with long names, sorted as the engine sorts them.
fn large_run(n: usize) -> Comparison {
    let status_of = |i: usize| match i % 10 {
        0..=2 => Status::Regression,
        3 => Status::Inconclusive,
        4 => Status::Improvement,
        _ => Status::Unchanged,
    };
    let mut results: Vec<MetricResult> = (0..n)
        .map(|i| {
            let name = format!("BenchmarkServer/handler=checkout/payload=large/case-{i:05}");
            let status = status_of(i);
            let mut r = sampled(
                &name,
                "time",
                Unit::Nanoseconds,
                (1000.0 + i as f64, 1100.0 + i as f64, 10),
                (0.05, 0.15),
                0.001,
                status,
            );
            if status == Status::Inconclusive {
                r.note = Notes::worded("a change of +10.0% is not statistically significant (p = 0.120): too noisy to decide; run more repeats or reduce noise".into());
            }
            r
        })
        .collect();
    results.sort_by_key(|r| r.status);
    comparison(results, Vec::new(), base_meta())
}

fn markdown(c: &Comparison) -> String {
    let opts = MarkdownOptions {
        marker: Some(MARKER.into()),
        reproduce: Some("perfgate compare --baseline base.txt --current head.txt".into()),
        ..MarkdownOptions::default()
    };
    match render_markdown(c, &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn failing_run_markdown_shows_regressions_first_and_the_rest_collapsed() {
    insta::assert_snapshot!("failing_run_markdown", markdown(&failing_run()));
}

#[test]
fn failing_run_terminal_is_an_aligned_table_with_a_verdict_line() {
    insta::assert_snapshot!(
        "failing_run_terminal",
        render_terminal(&failing_run(), false)
    );
}

#[test]
fn failing_run_json_follows_the_report_schema() {
    insta::assert_snapshot!("failing_run_json", render_json(&failing_run()));
}

#[test]
fn passing_run_markdown_says_no_regressions() {
    let md = markdown(&passing_run());
    assert!(
        md.starts_with("### ✅ 1 benchmark faster: BenchmarkHash throughput +25.0%\n"),
        "{md}"
    );
    insta::assert_snapshot!("passing_run_markdown", md);
}

#[test]
fn passing_run_terminal_ends_with_pass() {
    insta::assert_snapshot!(
        "passing_run_terminal",
        render_terminal(&passing_run(), false)
    );
}

#[test]
fn budgets_only_markdown_says_there_is_no_baseline() {
    let md = markdown(&budgets_only_run());
    assert!(md.contains("No baseline: budgets only."), "{md}");
    insta::assert_snapshot!("budgets_only_markdown", md);
}

#[test]
fn budgets_only_terminal_lists_the_budgets() {
    insta::assert_snapshot!(
        "budgets_only_terminal",
        render_terminal(&budgets_only_run(), false)
    );
}

#[test]
fn budgets_only_json_has_a_null_baseline_run() {
    let json = render_json(&budgets_only_run());
    insta::assert_snapshot!("budgets_only_json", json);
}

#[test]
fn hostile_names_render_harmlessly_in_markdown() {
    let md = markdown(&hostile_run());
    for bad in [
        "<img", "<script", "<b>", "<u>", "@octocat", "@admin", "@team", "[link]", "\u{1b}",
        "\u{202E}",
    ] {
        assert!(!md.contains(bad), "{bad:?} got through:\n{md}");
    }
    // The only code spans are plain words (a note's quoted `x`): no markup inside one.
    let mut fenced = false;
    let prose: String = md
        .lines()
        .filter(|l| {
            if l.starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\`", "");
    for span in prose.split('`').skip(1).step_by(2) {
        assert!(
            span.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._/:+-_*".contains(c)),
            "code span {span:?} in:\n{md}"
        );
    }
    assert!(md.contains("feat/\\`rm -rf\\`\\|@\u{200D}team"), "{md}");
    // Every table row keeps its column count: no `|` from a name splits a cell.
    let mut header_pipes = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header_pipes = None;
            continue;
        }
        let pipes = line.replace(r"\|", "").matches('|').count();
        let expected = *header_pipes.get_or_insert(pipes);
        assert_eq!(pipes, expected, "in {line}");
    }
    insta::assert_snapshot!("hostile_names_markdown", md);
}

#[test]
fn hostile_names_cannot_drive_the_terminal() {
    let out = render_terminal(&hostile_run(), false);
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(!out.contains('\u{202E}'), "{out}");
    insta::assert_snapshot!("hostile_names_terminal", out);
}

#[test]
fn hostile_names_stay_intact_in_json() {
    let json = render_json(&hostile_run());
    let parsed: serde_json::Value = match serde_json::from_str(&json) {
        Ok(v) => v,
        Err(e) => panic!("{e}\n{json}"),
    };
    let names: Vec<&str> = parsed["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["benchmark"].as_str())
        .collect();
    assert_eq!(names, HOSTILE);
}

#[test]
fn reports_say_when_runs_on_other_machines_were_left_out() {
    let mut c = passing_run();
    c.baseline_runs = 18;
    c.other_environment_runs = 12;
    let md = markdown(&c);
    assert!(
        md.contains(
            "and the 17 runs before it, on the same kind of machine (12 runs on others left out)."
        ),
        "{md}"
    );
    let term = render_terminal(&c, false);
    assert!(
        term.lines().next().unwrap().ends_with(
            "and the 17 runs before it, on the same kind of machine (12 runs on others left out)"
        ),
        "{term}"
    );
    let json: serde_json::Value = serde_json::from_str(&render_json(&c)).unwrap();
    assert_eq!(json["other_environment_runs"], 12);
    c.other_environment_runs = 1;
    assert!(markdown(&c).contains("(1 run on another left out)."));
}

#[test]
fn terminal_colors_only_when_asked() {
    let plain = render_terminal(&failing_run(), false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let colored = render_terminal(&failing_run(), true);
    assert!(
        colored.contains("\u{1b}[31mregression\u{1b}[0m"),
        "{colored}"
    );
    assert!(
        colored.contains("\u{1b}[32mimprovement\u{1b}[0m"),
        "{colored}"
    );
    assert!(
        colored.contains("\u{1b}[33minconclusive\u{1b}[0m"),
        "{colored}"
    );
}

#[test]
fn terminal_shortens_long_names_in_the_middle() {
    let long = format!("Benchmark{}End", "Middle".repeat(20));
    let c = comparison(
        vec![single(
            &long,
            "time",
            Unit::Nanoseconds,
            100.0,
            101.0,
            Status::Unchanged,
        )],
        Vec::new(),
        base_meta(),
    );
    let out = render_terminal(&c, false);
    assert!(
        out.contains("\nBenchmarkMiddleMiddleMid…leMiddleMiddleMiddleEnd "),
        "{out}"
    );
    assert!(render_json(&c).contains(&long));
    assert!(markdown(&c).contains(&long));
}

#[test]
fn json_results_have_exactly_the_contract_fields_in_order() {
    let json = render_json(&failing_run());
    let top: Vec<&str> = json
        .lines()
        .filter(|l| l.starts_with("  \"") && !l.starts_with("   "))
        .filter_map(|l| l.trim().split('"').nth(1))
        .collect();
    assert_eq!(
        top,
        [
            "schema",
            "verdict",
            "counts",
            "reasons",
            "settings",
            "multiple_comparisons",
            "moderation",
            "history_moderation",
            "history_tails",
            "suite",
            "cross_environment",
            "environment_differences",
            "baseline_runs",
            "baseline_one_commit",
            "current_runs",
            "one_value_per_run",
            "machine_taken_out",
            "other_environment_runs",
            "baseline_run",
            "current_run",
            "results",
            "budgets"
        ]
    );
    let parsed: serde_json::Value = match serde_json::from_str(&json) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let first = &parsed["results"][0];
    let keys: Vec<&String> = first
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys())
        .collect();
    let mut expected = vec![
        "benchmark",
        "metric",
        "unit",
        "direction",
        "baseline",
        "current",
        "change",
        "ci",
        "p_value",
        "p_adjusted",
        "status",
        "method",
        "threshold",
        "deterministic",
        "fails_gate",
        "note",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(first["ci"], serde_json::json!([0.098, 0.149]));
    assert_eq!(
        first["baseline"],
        serde_json::json!({"value": 1_200_000.0, "n": 10})
    );
    assert_eq!(parsed["results"][5]["current"], serde_json::Value::Null);
}

#[test]
fn a_custom_template_receives_the_view() {
    let opts = MarkdownOptions {
        template: Some(
            "{{ icon }} {{ headline }} ({{ counts.regression }})\n\
             {% for r in regressions.rows %}- {{ r.benchmark|md }}: {{ r.change }}\n{% endfor %}"
                .into(),
        ),
        marker: Some(MARKER.into()),
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&failing_run(), &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        md,
        "❌ 2 regressions, 1 budget broken (2)\n\
         - BenchmarkParse/json: +12.3%\n\
         - BenchmarkParse/json: +25.0%\n\
         \n<!-- perfgate -->\n"
    );
}

#[test]
fn a_custom_template_can_use_the_built_in_macros() {
    let opts = MarkdownOptions {
        template: Some(
            "{% import \"macros.md\" as m %}{{ m.results_table(regressions, \"regressions\") }}"
                .into(),
        ),
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&failing_run(), &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert!(md.starts_with("| Benchmark | Metric |"), "{md}");
}

#[test]
fn a_template_syntax_error_names_its_line() {
    let opts = MarkdownOptions {
        template: Some("line one\n{% if passed %}\nunclosed".into()),
        ..MarkdownOptions::default()
    };
    match render_markdown(&failing_run(), &opts) {
        Err(e @ ReportError::TemplateSyntax { line: Some(_), .. }) => {
            let text = e.to_string();
            assert!(text.contains("syntax error at line"), "{text}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn a_template_using_an_unknown_variable_fails_with_its_line() {
    let opts = MarkdownOptions {
        template: Some("ok\n{{ regresions.total }}".into()),
        ..MarkdownOptions::default()
    };
    match render_markdown(&failing_run(), &opts) {
        Err(e @ ReportError::TemplateRender { line: Some(2), .. }) => {
            assert!(
                e.to_string()
                    .contains("at line 2: undefined value (unknown variables: `regresions`)"),
                "{e}"
            );
        }
        other => panic!("expected a render error at line 2, got {other:?}"),
    }
}

#[test]
fn title_option_replaces_perfgate_in_the_heading() {
    let opts = MarkdownOptions {
        title: Some("perf (linux)".into()),
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&passing_run(), &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert!(
        md.starts_with("### ✅ 1 benchmark faster: BenchmarkHash throughput +25.0%\n\nperf (linux): 1 improvement"),
        "{md}"
    );
    assert!(!md.contains("#### Reproduce"), "{md}");
}

/// The Action's title names the baseline branch in backticks: a code span, not the `\``
/// GitHub shows literally; a quoted part that is not plain stays escaped text.
#[test]
fn the_title_quotes_the_baseline_branch_as_code() {
    let title = |t: &str| {
        let opts = MarkdownOptions {
            title: Some(t.into()),
            ..MarkdownOptions::default()
        };
        match render_markdown(&passing_run(), &opts) {
            Ok(md) => md,
            Err(e) => panic!("{e}"),
        }
    };
    let md =
        title("perfgate (api) · baseline abc1234 (2026-12-06T21:56:25Z), the latest run of `main`");
    assert!(
        md.contains("\n\nperfgate (api) · baseline abc1234 (2026-12-06T21:56:25Z), the latest run of `main`: 1 improvement"),
        "{md}"
    );
    let md = title("perfgate · baseline abc1234, the latest run of `<b>x`");
    assert!(
        md.contains(r"the latest run of \`&lt;b&gt;x\`: 1 improvement"),
        "{md}"
    );
}

fn assert_fits(md: &str, max: usize) {
    let n = md.chars().count();
    assert!(n <= max, "{n} characters, more than {max}");
    assert_eq!(md.lines().last(), Some(MARKER));
}

#[test]
fn a_thousand_benchmarks_fit_in_a_comment_with_the_marker_last() {
    let md = markdown(&large_run(1000));
    assert!(md.chars().count() < 65_000, "{}", md.chars().count());
    assert_fits(&md, 65_000);
    assert!(
        md.starts_with("### ❌ 300 benchmarks slower: BenchmarkServer/handler=checkout/payload=large/case-00000 time +10.0%\n"),
        "{}",
        &md[..200]
    );
    assert!(md.contains("BenchmarkServer/handler=checkout/payload=large/case-00000"));
}

#[test]
fn five_thousand_benchmarks_are_shortened_with_counts_of_what_is_left_out() {
    let md = markdown(&large_run(5000));
    assert_fits(&md, 65_000);
    assert!(md.contains("more regressions."), "{md}");
    assert!(
        md.contains("the terminal report (the job log) lists every result"),
        "{md}"
    );
    assert!(md.contains("Not shown: 2500 unchanged."), "{md}");
}

#[test]
fn a_small_limit_is_kept_even_if_the_report_must_be_cut() {
    for max in [100, 400, 1000, 3000] {
        let opts = MarkdownOptions {
            marker: Some(MARKER.into()),
            max_chars: max,
            ..MarkdownOptions::default()
        };
        let md = match render_markdown(&hostile_run(), &opts) {
            Ok(md) => md,
            Err(e) => panic!("{e}"),
        };
        assert_fits(&md, max);
    }
}

#[test]
fn a_custom_template_is_cut_to_the_limit_too() {
    let opts = MarkdownOptions {
        template: Some("{% for i in range(10000) %}line {{ i }}\n{% endfor %}".into()),
        marker: Some(MARKER.into()),
        max_chars: 5000,
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&failing_run(), &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert_fits(&md, 5000);
    assert!(md.contains("report cut to fit the size limit"), "{md}");
}

#[test]
fn the_moderation_sentence_says_how_much_each_test_borrowed() {
    let with = |prior_df: Option<f64>, pooled_df: f64| {
        let mut c = failing_run();
        c.moderation = Some(Moderation {
            metrics: 300,
            prior_df,
            prior_cv: 0.0498,
            pooled_df,
        });
        c
    };
    let md = markdown(&with(Some(36.2), 5400.0));
    assert!(
        md.contains("300 metrics with samples were tested together (moderated t test on log values): their typical noise is 5.0% and each borrowed 36 degrees of freedom from the others"),
        "{md}"
    );
    let out = render_terminal(&with(None, 5400.0), false);
    assert!(
        out.contains("they are about as noisy as each other, so each test uses the noise of all (5400 degrees of freedom)."),
        "{out}"
    );
    // A finite prior beyond the pooled degrees of freedom is capped by them.
    let out = render_terminal(&with(Some(1e6), 5400.0), false);
    assert!(
        out.contains("noise of all (5400 degrees of freedom)"),
        "{out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&render_json(&with(Some(36.2), 5400.0))).unwrap();
    assert_eq!(v["moderation"]["method"], "limma_ebayes");
    assert_eq!(v["moderation"]["metrics"], 300);
    assert_eq!(v["moderation"]["prior_df"], 36.2);
    assert_eq!(v["moderation"]["pooled_df"], 5400.0);
    let v: serde_json::Value = serde_json::from_str(&render_json(&with(None, 5400.0))).unwrap();
    assert!(v["moderation"]["prior_df"].is_null());
    assert!(v["history_moderation"].is_null());

    // Histories moderated too: both sentences, samples first.
    let mut both = with(Some(36.2), 5400.0);
    both.history_moderation = Some(Moderation {
        metrics: 12,
        prior_df: Some(7.39),
        prior_cv: 0.018,
        pooled_df: 108.0,
    });
    let out = render_terminal(&both, false);
    assert!(
        out.contains("from the others. 12 metrics with one value per run were judged against their histories together (moderated prediction intervals): their typical run-to-run noise is 1.8% and each borrowed 7 degrees of freedom from the others."),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_str(&render_json(&both)).unwrap();
    assert_eq!(v["history_moderation"]["metrics"], 12);
    assert_eq!(v["history_moderation"]["pooled_df"], 108.0);
}

#[test]
fn the_historys_tails_are_said_where_they_decided() {
    let mut c = failing_run();
    c.history_tails = Some(HistoryTails {
        df: 4.0,
        scale: 0.913,
        runs: 583,
        metrics: 20,
    });
    let out = render_terminal(&c, false);
    let said: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("history's runs"))
        .collect();
    insta::assert_snapshot!(said.join("\n"));
    let md = markdown(&c);
    assert!(
        md.contains("judged each against the others, its 583 runs of 20 metrics lie as Student's t with 4 degrees of freedom"),
        "{md}"
    );
    let v: serde_json::Value = serde_json::from_str(&render_json(&c)).unwrap();
    assert_eq!(v["history_tails"]["df"], 4.0);
    assert_eq!(v["history_tails"]["scale"], 0.913);
    assert_eq!(v["history_tails"]["runs"], 583);
    assert_eq!(v["history_tails"]["metrics"], 20);
    // Half a degree of freedom is written as such.
    c.history_tails = Some(HistoryTails {
        df: 3.5,
        ..c.history_tails.unwrap()
    });
    assert!(render_terminal(&c, false).contains("Student's t with 3.5 degrees of freedom"));
}

#[test]
fn a_hostile_name_in_the_heading_renders_as_text() {
    for name in HOSTILE.iter().chain(SNEAKY) {
        let worst = single(
            name,
            name,
            Unit::Nanoseconds,
            100.0,
            900.0,
            Status::Regression,
        );
        let other = single(
            "BenchmarkFine",
            "time",
            Unit::Nanoseconds,
            100.0,
            120.0,
            Status::Regression,
        );
        let budgets = vec![budget(name, name, "p(95) < 1ms", Some(2e6), 1e6, None)];
        for c in [
            comparison(vec![worst.clone(), other.clone()], Vec::new(), base_meta()),
            comparison(
                vec![worst.clone(), other.clone()],
                budgets.clone(),
                base_meta(),
            ),
        ] {
            let md = markdown(&c);
            let mut lines = md.lines();
            let heading = lines.next().unwrap_or_default();
            assert!(heading.starts_with("### ❌ "), "{heading}");
            assert_eq!(lines.next(), Some(""), "the heading is one line:\n{md}");
            for bad in [
                "<img", "<", ">", "@octocat", "[link]", "\u{1b}", "\u{202E}", "`x`", "**", "a|b",
            ] {
                assert!(
                    !heading.contains(bad),
                    "{bad:?} got into the heading: {heading}"
                );
            }
            assert!(heading.contains(&escape_markdown(name)), "{heading}");
        }
    }
}

// End to end on real tool output (fixtures under tests/fixtures, embedded at build time):
// parsed, compared with the default configuration, rendered.

fn run_of(text: &str, commit: &str, branch: &str) -> crate::model::Run {
    let format = match crate::formats::detect(text) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    let mut run = match crate::formats::parse(format, text) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    run.meta.commit = Some(commit.into());
    run.meta.branch = Some(branch.into());
    run.meta.timestamp = None;
    run
}

fn compared(base: &str, head: &str, budgets: &[&str]) -> Comparison {
    let base = run_of(base, "0123456789abcdef", "main");
    let head = run_of(head, "9f8e7d6c5b4a3210", "feature");
    let mut config = crate::config::Config::default();
    for b in budgets {
        match crate::config::Budget::parse_cli(b) {
            Ok(b) => config.budgets.push(b),
            Err(e) => panic!("{e}"),
        }
    }
    crate::compare::compare(Some(&base), &head, &config)
}

/// A real k6 run that got slower (the server hashing 200 KB more per request: p(95) 5.25 ms →
/// 8.06 ms) in a fixed-duration test, so it also made 47% fewer requests, against its baseline
/// run, with the p(95) budget users gate on (`tests/fixtures/reruns/quiet/k6`).
fn k6_slower() -> Comparison {
    compared(
        include_str!("../../tests/fixtures/reruns/quiet/k6/run1.json"),
        include_str!("../../tests/fixtures/reruns/quiet/k6/slow.json"),
        &["http_req_duration p(95) < 7ms"],
    )
}

/// One Go benchmark of 20 got slower (time +21%, one more allocation per op).
fn go_one_slower() -> Comparison {
    compared(
        include_str!("../../tests/fixtures/go/suffixarray-bits32.bench"),
        include_str!("../../tests/fixtures/go/suffixarray-bits32-rand1M-slower-derived.bench"),
        &[],
    )
}

/// criterion's terminal output, one benchmark 35% slower and one 25% faster: single values, so
/// inconclusive without a history.
fn criterion_one_slower() -> Comparison {
    compared(
        include_str!("../../tests/fixtures/criterion-text/criterion-many.txt"),
        include_str!(
            "../../tests/fixtures/criterion-text/criterion-many-tracing-35pct-slower-derived.txt"
        ),
        &[],
    )
}

#[test]
fn a_slower_k6_run_leads_with_the_broken_p95_budget_in_a_short_comment() {
    let c = k6_slower();
    let md = markdown(&c);
    let chars = md.chars().count();
    assert!(chars < 4_000, "{chars} characters:\n{md}");
    assert!(
        md.starts_with("### ❌ budget broken: http\\_req\\_duration p(95) 8.06 ms &gt; 7.00 ms · "),
        "{md}"
    );
    let p95 = md
        .lines()
        .position(|l| l.starts_with("| http\\_req\\_duration |") && l.contains("p(95)"))
        .unwrap_or(usize::MAX);
    assert!(p95 < 15, "the p(95) row is line {}:\n{md}", p95 + 1);
    // Counts that follow the test's duration are context, not regressions, nor in the heading.
    let heading = md.lines().next().unwrap_or_default();
    assert!(!heading.contains("checks"), "{heading}");
    let regressions = md
        .split("#### Regressions")
        .nth(1)
        .and_then(|s| s.split("\n\n").nth(1))
        .unwrap_or_default();
    assert!(!regressions.contains("passes"), "{regressions}");
    assert!(!regressions.contains("count"), "{regressions}");
    assert!(md.contains("checks passes 96.1k → 50.7k (-47.2%)"), "{md}");
    // The row of the latency users gate on leads with its p(95), whatever moved most.
    assert!(
        md.contains("| http\\_req\\_duration | p(95) +53.7% · med +122.6% · p(90) +62.2% · avg +93.8% | p(95) 5.25 ms → 8.06 ms |"),
        "{md}"
    );
    // The gate itself is unchanged: it still counts them.
    assert!(c.results.iter().any(|r| r.benchmark == "checks"
        && r.metric == "passes"
        && r.status == Status::Regression));
    insta::assert_snapshot!("k6_slower_markdown", md);
}

#[test]
fn a_slower_k6_run_reads_in_the_same_order_in_the_terminal() {
    let out = render_terminal(&k6_slower(), false);
    let budget = out.find("p(95) < 7ms").unwrap_or(usize::MAX);
    let first_row = out.find("\nhttp_req_duration ").unwrap_or(usize::MAX);
    let waiting = out.find("\nhttp_req_waiting ").unwrap_or(usize::MAX);
    assert!(budget < first_row && first_row < waiting, "{out}");
    insta::assert_snapshot!("k6_slower_terminal", out);
}

#[test]
fn a_slower_go_benchmark_is_one_row_with_its_metrics_folded_in() {
    let md = markdown(&go_one_slower());
    assert!(
        md.starts_with(
            "### ❌ 1 benchmark slower: BenchmarkNew/text=rand/size=1M/bits=32-8 time +21.0%\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| time +21.0% · throughput -17.4% · allocs +50.0% |"),
        "{md}"
    );
    assert!(md.contains("<summary>19 unchanged</summary>"), "{md}");
    insta::assert_snapshot!("go_one_slower_markdown", md);
}

#[test]
fn criterion_single_values_are_inconclusive_and_said_once() {
    let md = markdown(&criterion_one_slower());
    assert!(
        md.starts_with("### ⚠️ 2 inconclusive: tracing\\_file time +35.0%\n"),
        "{md}"
    );
    assert_eq!(md.matches("no noise estimate").count(), 1, "{md}");
    insta::assert_snapshot!("criterion_one_slower_markdown", md);
}

// Trends: the baseline branch's last runs, drawn beside each changed row.

/// One run of main: single values of three benchmarks, and of a fourth that is recorded only in
/// the last three runs.
fn main_run(i: usize, values: [f64; 4], with_new: bool) -> crate::model::Run {
    use crate::model::{Benchmark, Data, Metric, Run};
    let names = [
        "BenchmarkParse",
        "BenchmarkEncode",
        "BenchmarkHash",
        "BenchmarkDecode",
    ];
    let benchmarks = names
        .iter()
        .zip(values)
        .take(if with_new { 4 } else { 3 })
        .map(|(name, v)| {
            let mut b = Benchmark::new(*name);
            b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(v)));
            b
        })
        .collect();
    let mut meta = base_meta().unwrap_or_default();
    meta.commit = Some(format!("{:x}{}", 0xa1b2c00 + i, "0".repeat(33)));
    meta.timestamp = None;
    Run::new(meta, benchmarks)
}

/// Twelve runs of main with 2% noise, then a pull request: Parse 30% slower, Encode 25%
/// faster, Hash unchanged, and Decode (three runs of history: no interval) 20% slower.
fn trend_run() -> Comparison {
    let wave = |i: usize| 1.0 + 0.02 * ((i * 7 % 11) as f64 - 5.0) / 5.0;
    let history: Vec<crate::model::Run> = (0..12)
        .map(|i| {
            let w = wave(i);
            main_run(
                i + 1,
                [100_000.0 * w, 200_000.0 * w, 50_000.0 * w, 80_000.0 * w],
                i >= 9,
            )
        })
        .collect();
    let mut current = main_run(99, [130_000.0, 150_000.0, 50_500.0, 96_000.0], true);
    current.meta.branch = Some("feature/faster-encode".into());
    crate::compare::compare_history(&history, &current, &crate::config::Config::default())
}

#[test]
fn changed_rows_show_the_trend_of_the_baseline_branch_in_markdown() {
    let c = trend_run();
    let status = |b: &str| {
        c.results
            .iter()
            .find(|r| r.benchmark == b)
            .map(|r| r.status)
    };
    assert_eq!(
        [
            status("BenchmarkParse"),
            status("BenchmarkEncode"),
            status("BenchmarkHash"),
            status("BenchmarkDecode"),
        ],
        [
            Some(Status::Regression),
            Some(Status::Improvement),
            Some(Status::Unchanged),
            Some(Status::Inconclusive),
        ]
    );
    let md = markdown(&c);
    let parse = md
        .lines()
        .find(|l| l.starts_with("| BenchmarkParse |"))
        .unwrap_or_default();
    assert!(
        parse.ends_with("→█` | vs the mean of 12 runs, p &lt; 0.001 |"),
        "{parse}"
    );
    // Unchanged rows have no trend; a benchmark with three runs of history has one.
    assert!(!md
        .lines()
        .any(|l| l.contains("BenchmarkHash") && l.contains('→') && l.contains('▁')));
    assert!(md.contains("| BenchmarkDecode |"), "{md}");
    insta::assert_snapshot!("trend_run_markdown", md);
}

#[test]
fn changed_rows_show_the_trend_of_the_baseline_branch_in_the_terminal() {
    let out = render_terminal(&trend_run(), false);
    assert!(out.contains("  trend  "), "{out}");
    insta::assert_snapshot!("trend_run_terminal", out);
}

#[test]
fn without_a_history_there_is_no_trend_column() {
    assert!(!markdown(&failing_run()).contains(" Trend |"));
    assert!(!render_terminal(&failing_run(), false).contains(" trend "));
}

/// [`large_run`] with a history of `runs` values on every result.
fn large_run_with_trends(n: usize, runs: usize) -> Comparison {
    let mut c = large_run(n);
    for (i, r) in c.results.iter_mut().enumerate() {
        let base = r.baseline.map_or(1000.0, |s| s.value);
        r.trend = Some(
            (0..runs)
                .map(|k| base * (1.0 + 0.01 * ((i + k * 7) % 11) as f64))
                .collect(),
        );
    }
    c
}

fn trends_in(md: &str) -> usize {
    md.lines()
        .filter(|l| {
            l.split('`')
                .skip(1)
                .step_by(2)
                .any(|span| span.contains('→'))
        })
        .count()
}

#[test]
fn five_hundred_rows_with_trends_fit_in_a_comment() {
    let c = large_run_with_trends(500, 30);
    let md = markdown(&c);
    assert_fits(&md, 65_000);
    // 150 regressions, 50 inconclusive and 50 improvements with a trend of 30 runs each would
    // not fit beside the collapsed unchanged rows: the trends go, every row stays.
    let unlimited = MarkdownOptions {
        marker: Some(MARKER.into()),
        reproduce: Some("perfgate compare --baseline base.txt --current head.txt".into()),
        max_chars: usize::MAX,
        ..MarkdownOptions::default()
    };
    let all = match render_markdown(&c, &unlimited) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(trends_in(&all), 250);
    assert!(all.chars().count() > 65_000, "{}", all.chars().count());
    assert_eq!(trends_in(&md), 0);
    assert!(
        md.contains("_Trends are left out to keep this report short"),
        "{md}"
    );
    assert!(!md.contains("Some rows are left out"), "{md}");
    assert!(md.contains("<summary>250 unchanged</summary>"), "{md}");
    eprintln!(
        "500 rows: {} characters with every trend, {} as rendered (limit 65000)",
        all.chars().count(),
        md.chars().count()
    );
}

#[test]
fn trends_are_the_first_thing_left_out_when_the_comment_is_too_long() {
    let c = large_run_with_trends(100, 30);
    let md = markdown(&c);
    assert_eq!(trends_in(&md), 50, "{md}");
    let full = md.chars().count();
    let opts = MarkdownOptions {
        marker: Some(MARKER.into()),
        reproduce: Some("perfgate compare --baseline base.txt --current head.txt".into()),
        max_chars: full - 1,
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&c, &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert_fits(&md, full - 1);
    assert_eq!(trends_in(&md), 0, "{md}");
    // Every row and the collapsed details are still there.
    assert!(md.contains("<summary>50 unchanged</summary>"), "{md}");
    assert!(!md.contains("Some rows are left out"), "{md}");
    assert!(
        md.contains("_Trends are left out to keep this report short"),
        "{md}"
    );
    // And many rows with long histories still fit once their trends are gone.
    let c = large_run_with_trends(5000, 30);
    assert_fits(&markdown(&c), 65_000);
}

#[test]
fn a_push_slower_than_the_branchs_history_says_so_in_a_short_section() {
    let c = trend_run();
    let Some(md) = render_watch(&c, "main") else {
        panic!("no section for a regression the history confirmed")
    };
    assert!(
        md.starts_with("### ⚠️ `main` got slower at `a1b2c63`: BenchmarkParse time +30.2%\n"),
        "{md}"
    );
    // The inconclusive one (three runs of history, no interval) is not announced.
    assert!(!md.contains("BenchmarkDecode"), "{md}");
    insta::assert_snapshot!("trend_run_watch", md);
}

#[test]
fn a_regression_against_one_run_is_not_announced_on_the_branch() {
    // Decided on samples against the latest run, not against the history.
    assert_eq!(render_watch(&failing_run(), "main"), None);
    assert_eq!(render_watch(&passing_run(), "main"), None);
}

#[test]
fn the_branch_section_escapes_names() {
    let mut c = trend_run();
    for r in &mut c.results {
        r.benchmark = format!("{}<img src=x>@team|`", r.benchmark);
    }
    let md = render_watch(&c, "main`x").unwrap_or_default();
    assert!(
        md.contains("BenchmarkParse&lt;img src=x&gt;@\u{200D}team\\|\\`"),
        "{md}"
    );
    assert!(md.starts_with("### ⚠️ main\\`x got slower"), "{md}");
}

#[test]
fn rows_with_a_trend_link_to_their_chart_on_the_dashboard() {
    let mut c = trend_run();
    // A name from a pull request's code cannot break out of the link.
    for r in c
        .results
        .iter_mut()
        .filter(|r| r.benchmark == "BenchmarkParse")
    {
        r.benchmark = "BenchmarkParse](https://evil.example)<b> x".into();
    }
    let opts = MarkdownOptions {
        marker: Some(MARKER.into()),
        dashboard_url: Some("https://octo-org.github.io/perf-repo/".into()),
        dashboard_key: Some("go".into()),
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&c, &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    let links: Vec<&str> = md
        .match_indices("[chart](")
        .filter_map(|(i, _)| md.get(i + 8..).and_then(|rest| rest.split(')').next()))
        .collect();
    assert_eq!(
        links,
        [
            "https://octo-org.github.io/perf-repo/#b=BenchmarkParse%5D%28https%3A%2F%2Fevil.example%29%3Cb%3E%20x&m=time&k=go",
            "https://octo-org.github.io/perf-repo/#b=BenchmarkDecode&m=time&k=go",
            "https://octo-org.github.io/perf-repo/#b=BenchmarkEncode&m=time&k=go",
        ],
        "{md}"
    );
    // Without a dashboard, no link; and the links go with the trends when space runs out.
    assert!(!markdown(&c).contains("[chart]("));
    let big = large_run_with_trends(500, 30);
    let opts = MarkdownOptions {
        marker: Some(MARKER.into()),
        dashboard_url: Some("https://o.github.io/r/".into()),
        ..MarkdownOptions::default()
    };
    let md = match render_markdown(&big, &opts) {
        Ok(md) => md,
        Err(e) => panic!("{e}"),
    };
    assert_fits(&md, 65_000);
    assert!(!md.contains("[chart]("));
}

#[test]
fn the_terminal_view_is_the_full_view_without_its_per_metric_rows() {
    for c in [
        failing_run(),
        passing_run(),
        budgets_only_run(),
        hostile_run(),
        statistics_run(),
        suite_run(),
        large_run(40),
    ] {
        let full = super::view::view(&c);
        let mut want = full.clone();
        for section in [
            &mut want.regressions,
            &mut want.missing,
            &mut want.new,
            &mut want.inconclusive,
            &mut want.improvements,
            &mut want.others,
        ] {
            *section = super::rows::Section::new(Vec::new());
        }
        assert_eq!(super::view::benchmark_view(&c), want);
        // Every result has its row in the full view: the check above compares something.
        let shown = [
            &full.regressions,
            &full.missing,
            &full.new,
            &full.inconclusive,
            &full.improvements,
            &full.others,
        ];
        assert_eq!(
            shown.iter().map(|s| s.total).sum::<usize>(),
            c.results.len()
        );
    }
}

/// Real Go reruns of unchanged code on a quiet machine (`tests/fixtures/reruns/quiet/go`): run1
/// against a history of the other four, on a host 24% slower than theirs. Each run's machine is
/// taken out of the history and of run1; the whole run's shift is said on its own.
fn go_against_a_history_of_machines() -> Comparison {
    let history: Vec<crate::model::Run> = [
        include_str!("../../tests/fixtures/reruns/quiet/go/run2.txt"),
        include_str!("../../tests/fixtures/reruns/quiet/go/run3.txt"),
        include_str!("../../tests/fixtures/reruns/quiet/go/run4.txt"),
        include_str!("../../tests/fixtures/reruns/quiet/go/run5.txt"),
    ]
    .iter()
    .map(|t| run_of(t, "0123456789abcdef", "main"))
    .collect();
    let head = run_of(
        include_str!("../../tests/fixtures/reruns/quiet/go/run1.txt"),
        "9f8e7d6c5b4a3210",
        "feature",
    );
    crate::compare::compare_history(&history, &head, &crate::config::Config::default())
}

#[test]
fn a_whole_run_against_a_history_of_machines_is_said_on_its_own_in_every_report() {
    let c = go_against_a_history_of_machines();
    let said = "The whole run is 24.1% slower than the history's 4 runs (the median move of 15 speed metrics of 12 benchmarks), beyond the 5.5% threshold but not beyond what the history's machines do between runs: the machine, or a change that makes everything slower, so it is inconclusive (the next runs will tell).";
    let out = render_terminal(&c, false);
    assert!(out.contains(said), "{out}");
    insta::assert_snapshot!("go_history_of_machines_terminal", out);
    let md = markdown(&c);
    assert!(md.contains(&format!("> ⚠️ {said}")), "{md}");
    insta::assert_snapshot!("go_history_of_machines_markdown", md);
    let v: serde_json::Value = match serde_json::from_str(&render_json(&c)) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(v["suite"]["history_runs"], 4);
    assert_eq!(v["suite"]["status"], "inconclusive");
    // One baseline run says none.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&render_json(&suite_run())).unwrap()["suite"]
            ["history_runs"],
        serde_json::Value::Null
    );
}

/// Words that fit one value on a side and a short history (found by an audit of the reports).
#[test]
fn notes_fit_one_value_on_a_side_and_a_short_history() {
    use crate::compare::{Note, Unmeasured};
    let said = |n: Note| crate::report::words::note(&Notes::one(n)).unwrap_or_default();
    let every = |current, baseline| Note::EveryRepeat {
        current,
        baseline,
        change: Some(0.5),
        large_change: 0.4,
        of: crate::compare::Shown::Values,
    };
    // "all 1 current values are beyond all 2 baseline values" said nothing of one value.
    assert!(said(every(1, 2))
        .starts_with("the current value is beyond all 2 baseline values, and a change of +50.0%"));
    assert!(
        said(every(3, 1)).starts_with("all 3 current values are beyond the baseline value, and")
    );
    assert!(said(every(3, 2)).starts_with(
        "every repeat shows it: all 3 current values are beyond all 2 baseline values"
    ));
    // Runs: what was read, runs or every repeat of them, and the runs' spread beside it.
    let of_runs = |current, baseline, of| Note::EveryRepeat {
        current,
        baseline,
        change: Some(0.5),
        large_change: 0.4,
        of,
    };
    use crate::compare::Shown;
    for (note, words) in [
        (
            of_runs(2, 1, Shown::Runs),
            "all 2 current runs are beyond the baseline run",
        ),
        (
            of_runs(1, 3, Shown::Runs),
            "the current run is beyond all 3 baseline runs",
        ),
        (
            of_runs(2, 1, Shown::RunsRepeats),
            "every repeat of the 2 current runs is beyond every repeat of the baseline run",
        ),
    ] {
        assert_eq!(said(note), format!("{words}, and a change of +50.0% is beyond 40% (`large_change`), which reruns of unchanged code seldom reach and the runs' own spread does not explain"));
    }
    // A store of 4 runs was told to keep a history of runs.
    let unsure = |unmeasured| Note::UnsureChange {
        unmeasured,
        large_change: 0.4,
    };
    assert!(said(unsure(Unmeasured::ShortHistory(4))).ends_with("repeat the run several times per side, or let the history grow to `min_points` runs, to decide"));
    assert!(said(unsure(Unmeasured::NoHistory)).ends_with("repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide"));
    assert!(said(unsure(Unmeasured::Runs { baseline: 2, current: 2 })).ends_with("run each side more times, or keep a history of runs (`--store`, the Action's data branch), to decide"));
}

// Names a pull request chooses: very long ones, ones with characters that do not show, and
// words GitHub links or decorates (found by an audit of the reports).

/// A name of `len` characters that ends as parametrised names do, where they differ.
fn long_name(len: usize, end: &str) -> String {
    format!("BenchmarkLong/{}{end}", "x".repeat(len))
}

#[test]
fn a_name_of_100000_characters_leaves_the_rest_of_the_report_whole() {
    let long = long_name(100_000, "/size=1024");
    let mut results = vec![single(
        &long,
        "time",
        Unit::Nanoseconds,
        100.0,
        150.0,
        Status::Regression,
    )];
    results.extend((0..12).map(|i| {
        single(
            &format!("BenchmarkFine{i}"),
            "time",
            Unit::Nanoseconds,
            100.0,
            101.0,
            Status::Unchanged,
        )
    }));
    let budgets = vec![budget(&long, "time", "time < 1ms", Some(2e6), 1e6, None)];
    let c = comparison(results, budgets, base_meta());
    let md = markdown(&c);
    assert_fits(&md, 65_000);
    // Nothing left out: the heading, tables, notes and the collapsed details are all there.
    for part in [
        "#### Budgets broken",
        "#### Regressions",
        "#### Notes",
        "<summary>12 unchanged</summary>",
        "#### Reproduce",
    ] {
        assert!(md.contains(part), "{part} is missing:\n{md}");
    }
    assert!(!md.contains("left out"), "{md}");
    assert!(!md.contains("report cut"), "{md}");
    // The name is its start, `…` and its end, wherever it is shown.
    let shown = display_name(&long);
    assert_eq!(shown.chars().count(), NAME_SHOWN);
    assert!(shown.ends_with("xxx/size=1024"), "{shown}");
    assert!(!md.contains(&"x".repeat(NAME_SHOWN)));
    // The heading, the budget's row and the regression's.
    assert_eq!(md.matches(&escape_markdown(&shown)).count(), 3, "{md}");
    // A note's name is the benchmark's with its metric, shortened as one.
    let note = md.lines().find(|l| l.starts_with("- one value per side"));
    assert!(
        note.is_some_and(|l| l.contains('…') && l.ends_with("xxx/size=1024 time.")),
        "{md}"
    );
    let heading = md.lines().next().unwrap_or_default();
    assert!(heading.chars().count() < 2 * NAME_SHOWN, "{heading}");
    assert!(
        heading.contains("size=1024 time 2.00 ms &gt; 1.00 ms"),
        "{heading}"
    );
    // The terminal's verdict line too; its table is narrower still.
    let term = render_terminal(&c, false);
    let verdict = term.lines().last().unwrap_or_default();
    assert!(verdict.starts_with("perfgate: FAIL (budget broken: BenchmarkLong/xxx"));
    assert!(
        verdict.contains('…') && verdict.contains("xxx/size=1024 time 2.00 ms > 1.00 ms"),
        "{verdict}"
    );
    assert!(verdict.chars().count() < 2 * NAME_SHOWN, "{verdict}");
    assert!(term.chars().count() < 10_000, "{}", term.chars().count());
    // The JSON report keeps it exactly.
    let json: serde_json::Value = serde_json::from_str(&render_json(&c)).unwrap();
    assert_eq!(json["results"][0]["benchmark"], long.as_str());
    assert_eq!(json["budgets"][0]["benchmark"], long.as_str());
}

#[test]
fn twenty_names_of_10000_characters_fit_without_a_cut() {
    let results = (0..20)
        .map(|i| {
            single(
                &long_name(10_000, &format!("/case={i}")),
                "time",
                Unit::Nanoseconds,
                100.0,
                150.0 + i as f64,
                Status::Regression,
            )
        })
        .collect();
    let md = markdown(&comparison(results, Vec::new(), base_meta()));
    assert_fits(&md, 65_000);
    assert!(!md.contains("left out"), "{md}");
    for i in 0..20 {
        assert!(md.contains(&format!("xxx/case={i} |")), "case {i}:\n{md}");
    }
}

/// Rows shown in the tables of benchmarks.
fn benchmark_rows_in(md: &str) -> usize {
    md.lines()
        .filter(|l| l.starts_with("| BenchmarkServer/"))
        .count()
}

#[test]
fn the_rows_shown_are_as_many_as_the_size_limit_holds() {
    let c = large_run(5000);
    let at = |max: usize| {
        let opts = MarkdownOptions {
            marker: Some(MARKER.into()),
            max_chars: max,
            ..MarkdownOptions::default()
        };
        let md = render_markdown(&c, &opts).unwrap();
        assert_fits(&md, max);
        assert!(md.contains("Some rows are left out"), "{md}");
        md
    };
    let comment = at(65_000);
    let summary = at(250_000);
    // A job summary's limit holds about four times the rows of a comment's: more than the 200
    // a section once stopped at, whatever the limit.
    let (few, many) = (benchmark_rows_in(&comment), benchmark_rows_in(&summary));
    assert!(
        many > 3 * few,
        "{few} rows in a comment, {many} in a summary"
    );
    assert!(many > 1000, "{many}");
    // As many as fit: one more row each (a quarter of one in the minor sections) would not.
    for (md, max) in [(&comment, 65_000), (&summary, 250_000)] {
        let room = max - md.chars().count();
        assert!(room < 1_000, "{room} characters left unused");
    }
}

#[test]
fn a_shortened_report_says_where_every_result_is() {
    let c = large_run(5000);
    let md = markdown(&c);
    assert!(
        md.contains("; the terminal report (the job log) lists every result._"),
        "{md}"
    );
    let opts = MarkdownOptions {
        full_list: Some("the JSON report `out/report.json`".into()),
        ..MarkdownOptions::default()
    };
    let md = render_markdown(&c, &opts).unwrap();
    assert!(
        md.contains("; the JSON report `out/report.json` lists every result._"),
        "{md}"
    );
    assert!(!md.contains("terminal report"), "{md}");
    // Cut as a last resort, it says so too; a path that is not plain is escaped text.
    let opts = MarkdownOptions {
        template: Some("{% for i in range(10000) %}line {{ i }}\n{% endfor %}".into()),
        max_chars: 5000,
        full_list: Some("the JSON report `<b>|x.json`".into()),
        ..MarkdownOptions::default()
    };
    let md = render_markdown(&c, &opts).unwrap();
    assert!(
        md.trim_end().ends_with(
            r"report cut to fit the size limit; the JSON report \`&lt;b&gt;\|x.json\` lists every result._"
        ),
        "{md}"
    );
}

#[test]
fn a_hundred_thousand_character_name_with_a_trend_keeps_its_trend_without_a_link() {
    let mut c = trend_run();
    let long = long_name(100_000, "/size=1024");
    for r in &mut c.results {
        r.benchmark = long.clone();
    }
    let opts = MarkdownOptions {
        dashboard_url: Some("https://o.github.io/r/".into()),
        ..MarkdownOptions::default()
    };
    let md = render_markdown(&c, &opts).unwrap();
    assert!(!md.contains("[chart]("), "{md}");
    assert!(trends_in(&md) > 0, "{md}");
    assert!(!md.contains("left out"), "{md}");
}

/// Characters that do not show, and words GitHub turns into links, mentions or emoji.
const SNEAKY: &[&str] = &[
    "zero\u{200B}width\u{200D}joiner\u{FEFF}",
    "iso\u{2066}late\u{2069} soft\u{AD}hyphen tag\u{E0041}\u{E007F} fill\u{3164}",
    "fix GH-123 org/repo#45 #7",
    ":shipit: :+1: :100: at 10:15:00",
];

fn sneaky_run() -> Comparison {
    let mut results: Vec<MetricResult> = SNEAKY
        .iter()
        .enumerate()
        .map(|(i, name)| {
            single(
                name,
                "time",
                Unit::Nanoseconds,
                100.0,
                150.0 + 10.0 * i as f64,
                Status::Regression,
            )
        })
        .collect();
    // Two benchmarks that differ only by a zero-width space.
    for name in ["BenchmarkTwin", "Benchmark\u{200B}Twin"] {
        results.push(single(
            name,
            "time",
            Unit::Nanoseconds,
            100.0,
            101.0,
            Status::Unchanged,
        ));
    }
    results.push(single(
        &long_name(1_000, "/size=1024"),
        "time",
        Unit::Nanoseconds,
        100.0,
        120.0,
        Status::Regression,
    ));
    comparison(results, Vec::new(), base_meta())
}

#[test]
fn sneaky_names_read_as_they_are_in_markdown() {
    let md = markdown(&sneaky_run());
    // No character that does not show, but the joiners put after `@`, `#`, `GH-` and a
    // shortcode's `:` to break what GitHub would link or decorate.
    let chars: Vec<char> = md.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '\u{200D}' {
            let before = chars.get(i.wrapping_sub(1)).copied();
            assert!(
                matches!(before, Some('@' | '#' | '-' | ':')),
                "a joiner after {before:?} in:\n{md}"
            );
        } else {
            assert!(!crate::report::is_invisible(*c), "{c:?} in:\n{md}");
        }
    }
    for linked in ["GH-123", "#45", "#7", ":shipit:", ":+1:", ":100:"] {
        assert!(!md.contains(linked), "{linked} in:\n{md}");
    }
    assert!(
        md.contains(r"zero\\u{200b}width\\u{200d}joiner\\u{feff}"),
        "{md}"
    );
    assert!(md.contains(r"| Benchmark\\u{200b}Twin |"), "{md}");
    assert!(md.contains("| BenchmarkTwin |"), "{md}");
    // A time keeps its colons as they are.
    assert!(md.contains("at 10:15:00"), "{md}");
    insta::assert_snapshot!("sneaky_names_markdown", md);
}

#[test]
fn sneaky_names_read_as_they_are_in_the_terminal() {
    let out = render_terminal(&sneaky_run(), false);
    assert!(!out.chars().any(crate::report::is_invisible), "{out}");
    assert!(
        out.contains(r"zero\u{200b}width\u{200d}joiner\u{feff}"),
        "{out}"
    );
    assert!(out.contains(r"Benchmark\u{200b}Twin "), "{out}");
    insta::assert_snapshot!("sneaky_names_terminal", out);
}

#[test]
fn annotations_name_what_fails_the_gate_first_and_the_largest_changes_first() {
    let regression = |name: &str, cur: f64, gating: bool| MetricResult {
        fails_gate: gating,
        ..single(
            name,
            "time",
            Unit::Nanoseconds,
            100.0,
            cur,
            Status::Regression,
        )
    };
    let inconclusive = |name: &str, cur: f64| {
        single(
            name,
            "time",
            Unit::Nanoseconds,
            100.0,
            cur,
            Status::Inconclusive,
        )
    };
    let results = vec![
        regression("Small", 110.0, true),
        regression("NotGating", 400.0, false),
        inconclusive("UnsureSmall", 103.0),
        regression("Huge", 900.0, true),
        inconclusive("UnsureLarge", 130.0),
        regression("Middle", 150.0, true),
        single(
            "Same",
            "time",
            Unit::Nanoseconds,
            100.0,
            100.0,
            Status::Unchanged,
        ),
    ];
    let budgets = vec![
        budget("Near", "p(95)", "p(95) < 1ms", Some(1.1e6), 1e6, None),
        budget("Far", "p(95)", "p(95) < 1ms", Some(5e6), 1e6, None),
        budget("Met", "p(95)", "p(95) < 1ms", Some(0.5e6), 1e6, None),
    ];
    let a = annotations(&comparison(results, budgets, base_meta()));
    assert_eq!(
        a.errors,
        [
            "budget broken: Far p(95) < 1ms (actual 5.00 ms)",
            "budget broken: Near p(95) < 1ms (actual 1.10 ms)",
            "regression: Huge time: +800.0%",
            "regression: Middle time: +50.0%",
            "regression: Small time: +10.0%",
            "regression: NotGating time: +300.0%",
        ]
    );
    assert_eq!(
        a.warnings,
        [
            "inconclusive: UnsureLarge time: +30.0%",
            "inconclusive: UnsureSmall time: +3.0%",
        ]
    );
}

#[test]
fn annotations_show_names_shortened_and_what_does_not_show_escaped() {
    let long = long_name(100_000, "/size=1024");
    let names = [long.as_str(), "zero\u{200B}width\u{202E}", "\u{1b}[2Jclear"];
    let results = names
        .iter()
        .map(|n| {
            single(
                n,
                "time",
                Unit::Nanoseconds,
                100.0,
                150.0,
                Status::Regression,
            )
        })
        .collect();
    let a = annotations(&comparison(results, Vec::new(), base_meta()));
    let [long_one, zero, clear] = a.errors.as_slice() else {
        panic!("{:?}", a.errors)
    };
    assert_eq!(
        *long_one,
        format!(
            "regression: {} time: +50.0%",
            crate::report::display_name(&long)
        )
    );
    assert!(long_one.ends_with("xxx/size=1024 time: +50.0%"));
    assert_eq!(zero, r"regression: zero\u{200b}width\u{202e} time: +50.0%");
    assert_eq!(clear, r"regression: \u{1b}[2Jclear time: +50.0%");
}

/// The cap [`View::rows_uncapped`] names leaves every row in, and one less leaves some out: the
/// two walk the same sections with the same shares.
#[test]
fn the_uncapped_count_is_the_smallest_cap_that_keeps_every_row() {
    let c = large_run(200);
    let mut v = view::view(&c);
    let uncapped = v.rows_uncapped();
    // 60 regressions; 20 inconclusive and 20 improvements keep a quarter of the cap: 4 x 20.
    assert_eq!(uncapped, 80);
    let left_out = |v: &View| {
        [
            v.regressions.more,
            v.inconclusive.more,
            v.improvements.more,
            v.failing.more,
            v.unsure.more,
            v.better.more,
        ]
    };
    let mut all = v.clone();
    all.cap(uncapped);
    assert_eq!(left_out(&all), [0; 6]);
    assert_eq!(all.regressions.rows.len(), 60);
    assert_eq!(all.inconclusive.rows.len(), 20);
    let mut fewer = v.clone();
    fewer.cap(uncapped - 1);
    assert_eq!(left_out(&fewer), [0, 1, 1, 0, 1, 1]);
}

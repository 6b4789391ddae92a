//! The Action reads the baseline branch's history from the data branch's index: a pull request
//! whose metrics have samples is compared with a window of 30 runs in 2 API calls on the data
//! branch (the index and the base run), whatever the window; runs recorded before the index held
//! summaries are read from their files; each run's machine is taken out of a suite's history;
//! a pull request that runs its benchmarks twice does not fail on a change only one of its runs
//! shows. The built binary runs as a hosted runner runs the Action's
//! container (`support::runner`: no `ImageOS`, another runner name per job) against a fake GitHub
//! on loopback, every request checked against GitHub's OpenAPI description by
//! `FakeGitHub::verify`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::fs;
use std::process::Output;

use perfgate::formats::perfgate as run_format;
use perfgate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};
use perfgate::store::Index;
use support::fake::{FakeGitHub, OWNER, REPO};
use support::runner::{text, Job, DATA_BRANCH};
use support::runs::{go_run, main_meta, record_runs, sha, HEAD_SHA};

/// Records `n` runs of main on the data branch the way saves write them: one file per run and
/// the index with each run's summary. Returns the index.
fn record(fake: &FakeGitHub, n: usize) -> Index {
    record_on(fake, n, |_| None)
}

/// [`record`], run `i` made on runner `runner(i)`.
fn record_on(fake: &FakeGitHub, n: usize, runner: impl Fn(usize) -> Option<String>) -> Index {
    record_runs(
        fake,
        (1..=n).map(|i| {
            let mut meta = main_meta(i);
            meta.environment.runner = runner(i);
            go_run(1000.0 + i as f64, meta)
        }),
    )
}

fn pr_payload(base_sha: &str) -> String {
    format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
            "base":{{"ref":"main","sha":"{base_sha}","repo":{{"full_name":"{OWNER}/{REPO}"}}}},
            "head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    )
}

/// Runs `perfgate action` for a pull request on `base_sha` with results `pr.json`, as a hosted
/// runner runs the container; returns the process output and the JSON report.
fn pull_request(fake: &FakeGitHub, base_sha: &str) -> (Output, serde_json::Value) {
    pull_request_on(fake, base_sha, &[])
}

/// [`pull_request`] with some of the runner's variables replaced, such as
/// `RUNNER_ENVIRONMENT=self-hosted`.
fn pull_request_on(
    fake: &FakeGitHub,
    base_sha: &str,
    runner: &[(&str, &str)],
) -> (Output, serde_json::Value) {
    let job = Job::new(fake.api_url());
    let current = go_run(1000.0, RunMeta::default());
    fs::write(job.ws().join("pr.json"), run_format::to_string(&current)).unwrap();
    let out = job.run_on(
        "pull_request",
        "refs/pull/7/merge",
        HEAD_SHA,
        &pr_payload(base_sha),
        &[
            ("results", "pr.json"),
            ("comment", "false"),
            ("summary", "false"),
            ("data-branch", DATA_BRANCH),
        ],
        runner,
    );
    let report = if out.status.success() {
        job.report()
    } else {
        serde_json::Value::Null
    };
    (out, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_are_compared_with_a_history_of_thirty_runs_read_in_two_calls() {
    let fake = FakeGitHub::start().await;
    let index = record(&fake, 30);
    let (out, report) = tokio::task::block_in_place(|| pull_request(&fake, &sha(30)));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report["baseline_runs"], 30, "{report:#}");
    assert_eq!(report["baseline_run"]["commit"], sha(30));
    // The pull request's median against the run-to-run spread of the 30 runs' medians.
    let r = &report["results"][0];
    assert_eq!(r["method"], "prediction_interval", "{report:#}");
    assert_eq!(
        (r["baseline"]["n"].as_u64(), r["current"]["n"].as_u64()),
        (Some(30), Some(10))
    );
    assert_eq!(
        fake.data_reads(0),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", index.runs[29].id),
        ]
    );
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_recorded_before_summaries_are_read_from_their_files_within_the_window() {
    let fake = FakeGitHub::start().await;
    let mut index = record(&fake, 35);
    // The first 10 runs were recorded by a perfgate that wrote no summaries.
    for e in index.runs.iter_mut().take(10) {
        e.summary = None;
    }
    fake.state()
        .commit_files(DATA_BRANCH, &[("default/index.json", &index.to_json())]);
    let (out, report) = tokio::task::block_in_place(|| pull_request(&fake, &sha(35)));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report["baseline_runs"], 30, "{report:#}");
    // The window is runs 6 to 35: runs 6 to 10 come from their files, the others from the index.
    let mut expected = vec!["default/index.json".to_string()];
    expected.extend(
        index.runs[5..10]
            .iter()
            .map(|e| format!("default/runs/{}.json", e.id)),
    );
    expected.push(format!("default/runs/{}.json", index.runs[34].id));
    assert_eq!(fake.data_reads(0), expected);
    fake.verify().await;
}

/// Main ran on hosted and self-hosted runners in turn, and the base commit's run on a hosted one;
/// the pull request runs on a self-hosted runner. The latest self-hosted run is read from its file
/// (one more call), as the run whose samples a short history falls back to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_run_on_the_same_kind_of_machine_is_read_with_its_samples() {
    let fake = FakeGitHub::start().await;
    let kind = |i: usize| {
        if i % 2 == 0 {
            "github-hosted"
        } else {
            "self-hosted"
        }
    };
    let index = record_on(&fake, 30, |i| Some(kind(i).to_string()));
    let self_hosted = [("RUNNER_ENVIRONMENT", "self-hosted")];
    let (out, report) =
        tokio::task::block_in_place(|| pull_request_on(&fake, &sha(30), &self_hosted));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        fake.data_reads(0),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", index.runs[29].id),
            format!("default/runs/{}.json", index.runs[28].id),
        ]
    );
    assert_eq!(report["baseline_run"]["commit"], sha(29), "{report:#}");
    assert_eq!(report["other_environment_runs"], 15);
    // 15 self-hosted runs are history enough: the pull request's median is judged against
    // their run-to-run spread.
    let r = &report["results"][0];
    assert_eq!(r["method"], "prediction_interval", "{report:#}");
    assert_eq!(
        (r["baseline"]["n"].as_u64(), r["current"]["n"].as_u64()),
        (Some(15), Some(10))
    );
    fake.verify().await;
}

/// Only two self-hosted runs among 30: too few for a history, so the pull request's samples are
/// compared with the latest self-hosted run's samples, read from its file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_too_few_runs_on_the_same_kind_of_machine_the_latest_ones_samples_decide() {
    let fake = FakeGitHub::start().await;
    let kind = |i: usize| {
        if i == 25 || i == 27 {
            "self-hosted"
        } else {
            "github-hosted"
        }
    };
    let index = record_on(&fake, 30, |i| Some(kind(i).to_string()));
    let self_hosted = [("RUNNER_ENVIRONMENT", "self-hosted")];
    let (out, report) =
        tokio::task::block_in_place(|| pull_request_on(&fake, &sha(30), &self_hosted));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        fake.data_reads(0),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", index.runs[29].id),
            format!("default/runs/{}.json", index.runs[26].id),
        ]
    );
    assert_eq!(report["baseline_run"]["commit"], sha(27), "{report:#}");
    assert_eq!(report["baseline_runs"], 2);
    let r = &report["results"][0];
    assert_eq!(r["method"], "mann_whitney", "{report:#}");
    assert_eq!(
        (r["baseline"]["n"].as_u64(), r["current"]["n"].as_u64()),
        (Some(10), Some(10))
    );
    fake.verify().await;
}

/// Runs `perfgate action` for a push to main of commit `sha` whose results are `level` ns.
fn push_to_main(fake: &FakeGitHub, sha: &str, level: f64) -> (Output, String) {
    let job = Job::new(fake.api_url());
    let current = go_run(level, RunMeta::default());
    fs::write(job.ws().join("main.json"), run_format::to_string(&current)).unwrap();
    let payload = format!(
        r#"{{"ref":"refs/heads/main","after":"{sha}","repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    );
    let out = job.run(
        "push",
        "refs/heads/main",
        sha,
        &payload,
        &[
            ("results", "main.json"),
            ("comment", "false"),
            ("data-branch", DATA_BRANCH),
        ],
    );
    (out, job.summary())
}

/// Issue 12, part 4: a push that the branch's own history finds slower says so at the top of its
/// job summary, and is recorded and passes all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_to_main_slower_than_its_history_says_so_in_the_job_summary() {
    let fake = FakeGitHub::start().await;
    record(&fake, 12);
    let slow = sha(99);
    let (out, summary) = tokio::task::block_in_place(|| push_to_main(&fake, &slow, 1300.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("recorded run"), "{}", text(&out));
    assert!(
        summary.starts_with(&format!(
            "### ⚠️ `main` got slower at `{}`: BenchmarkParse-8 time +",
            &slow[..7]
        )),
        "{summary}"
    );
    assert!(
        summary.contains("The run is recorded all the same"),
        "{summary}"
    );
    // The trend of main's last runs is in the report below it.
    assert!(summary.contains("→█`"), "{summary}");

    // A push in line with the history: no section.
    let (out, summary) = tokio::task::block_in_place(|| push_to_main(&fake, &sha(100), 1006.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!summary.contains("got slower"), "{summary}");
    fake.verify().await;
}

/// Runs `perfgate action` for a pull request on the 12th run of main whose benchmarks ran once
/// per run of `runs` (`results: pr-*.json`), with the job summary on; returns the process
/// output, the JSON report and the job summary.
fn pull_request_of(fake: &FakeGitHub, runs: &[Run]) -> (Output, serde_json::Value, String) {
    let job = Job::new(fake.api_url());
    for (k, run) in runs.iter().enumerate() {
        fs::write(
            job.ws().join(format!("pr-{k}.json")),
            run_format::to_string(run),
        )
        .unwrap();
    }
    let out = job.run(
        "pull_request",
        "refs/pull/7/merge",
        HEAD_SHA,
        &pr_payload(&sha(12)),
        &[
            ("results", "pr-*.json"),
            ("comment", "false"),
            ("data-branch", DATA_BRANCH),
        ],
    );
    (out, job.report(), job.summary())
}

/// A run of twelve benchmarks `Step00`... of 10 repeats each, benchmark `b` at `level(b)` ns.
fn suite_run(level: impl Fn(usize) -> f64, meta: RunMeta) -> Run {
    let benchmarks = (0..12)
        .map(|b| {
            let mut bench = Benchmark::new(format!("Step{b:02}"));
            let samples = (0..10).map(|i| level(b) * (1.0 + f64::from(i) / 1000.0));
            bench.push(Metric::new(
                "time",
                Unit::Nanoseconds,
                Data::Samples(samples.collect()),
            ));
            bench
        })
        .collect();
    Run::new(meta, benchmarks)
}

/// The pull request runs its benchmarks twice (`results: pr-*.json`) against a history of 12 runs
/// on the data branch. A noisy neighbour slowed four benchmarks by 25% in one of the two runs:
/// the change is held back, in the report and the job summary, and the gate passes. Both runs
/// 25% slower on them: it fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_one_of_the_pull_requests_two_runs_alone_shows_does_not_fail_the_action() {
    let fake = FakeGitHub::start().await;
    // Each benchmark moves by up to 2% between runs of main.
    let wave = |i: usize, b: usize| 1000.0 * (1.0 + 0.02 * (((i + b) * 7 % 11) as f64 - 5.0) / 5.0);
    record_runs(
        &fake,
        (1..=12).map(|i| suite_run(|b| wave(i, b), main_meta(i))),
    );
    let pr = |runs: [f64; 2]| {
        let runs = runs.map(|slower| {
            suite_run(
                |b| if b < 4 { 1000.0 * slower } else { 1000.0 },
                RunMeta::default(),
            )
        });
        pull_request_of(&fake, &runs)
    };
    let (out, report, summary) = tokio::task::block_in_place(|| pr([1.25, 1.0]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report["current_runs"], 2, "{report:#}");
    assert_eq!(report["counts"]["regression"], 0, "{report:#}");
    assert_eq!(report["counts"]["inconclusive"], 4, "{report:#}");
    let step00 = &report["results"][0];
    assert_eq!(
        (&step00["benchmark"], &step00["method"], &step00["status"]),
        (
            &"Step00".into(),
            &"prediction_interval".into(),
            &"inconclusive".into()
        ),
        "{report:#}"
    );
    let held = "not every run of the pull request shows it: without the one of its 2 runs that moved most, the rest do not show it beyond the threshold; one run alone can be that run's noise (a busy neighbour on the machine), not the code: run it again to decide";
    // The calm run's Step00 against the history's level, which lies 0.07% above 1000 ns.
    assert_eq!(
        step00["note"],
        held.replace("threshold;", "threshold (-0.1% here);"),
        "{report:#}"
    );
    assert!(
        summary.contains(&format!(
            "- {held}: Step01 time, Step03 time, Step00 time, Step02 time."
        )),
        "{summary}"
    );

    let (out, report, _) = tokio::task::block_in_place(|| pr([1.25, 1.25]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(report["counts"]["regression"], 4, "{report:#}");
    fake.verify().await;
}

/// A data branch of 12 runs of main on machines up to 8% apart (every benchmark of a run
/// together), each benchmark moving 0.5% of its own; the pull request on a machine 12% slower
/// than theirs. Each run's machine is taken out: the one benchmark really 20% slower fails the
/// Action, the whole run's shift is said on its own, inconclusive; with no benchmark changed the
/// Action passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_runs_machine_is_taken_out_of_the_data_branchs_history() {
    let fake = FakeGitHub::start().await;
    const MACHINES: [f64; 12] = [
        1.0, 0.95, 1.06, 0.98, 1.03, 0.93, 1.05, 1.0, 0.97, 1.08, 0.96, 1.02,
    ];
    let own = |i: usize, b: usize| 1.0 + 0.005 * (((i * 7 + b * 3) % 5) as f64 - 2.0) / 2.0;
    record_runs(
        &fake,
        (1..=12).map(|i| {
            suite_run(
                |b| 1000.0 * (1.0 + b as f64) * MACHINES[i - 1] * own(i, b),
                main_meta(i),
            )
        }),
    );
    let pr = |slower: f64| {
        let run = suite_run(
            |b| {
                let f = if b == 11 { slower } else { 1.0 };
                1000.0 * (1.0 + b as f64) * 1.12 * own(13, b) * f
            },
            RunMeta::default(),
        );
        pull_request_of(&fake, &[run])
    };
    let (out, report, summary) = tokio::task::block_in_place(|| pr(1.20));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(report["current_runs"], 1, "{report:#}");
    let suite = &report["suite"];
    assert_eq!(suite["history_runs"], 12, "{report:#}");
    assert_eq!(suite["status"], "inconclusive", "{report:#}");
    assert_eq!(report["machine_taken_out"], true);
    let change = suite["change"].as_f64().unwrap();
    assert!((0.10..0.13).contains(&change), "{change}");
    assert_eq!(report["counts"]["regression"], 1, "{report:#}");
    let step11 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["benchmark"] == "Step11")
        .unwrap();
    assert_eq!(step11["status"], "regression", "{report:#}");
    assert_eq!(step11["method"], "prediction_interval", "{report:#}");
    let said = format!(
        "The whole run is {:.1}% slower than the history's 12 runs (the median move of 12 speed metrics of 12 benchmarks), beyond the 5.5% threshold but not beyond what the history's machines do between runs",
        change * 100.0
    );
    assert!(summary.contains(&said), "{summary}");

    let (out, report, _) = tokio::task::block_in_place(|| pr(1.0));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report["counts"]["regression"], 0, "{report:#}");
    assert_eq!(report["suite"]["history_runs"], 12, "{report:#}");
    fake.verify().await;
}

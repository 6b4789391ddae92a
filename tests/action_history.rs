//! The Action reads the baseline branch's history from the data branch's index: a pull request
//! whose metrics have samples is compared with a window of 30 runs in 2 API calls on the data
//! branch (the index and the base run), whatever the window; runs recorded before the index held
//! summaries are read from their files. The built binary runs against a fake GitHub on loopback,
//! every request checked against GitHub's OpenAPI description by `FakeGitHub::verify`.
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
use support::fake::{FakeGitHub, OWNER, REPO, TOKEN};

const BRANCH: &str = "perfgate-data";
const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

fn sha(i: usize) -> String {
    format!("{i:040x}")
}

/// A Go-like run: one benchmark with ten time samples around `level` ns.
fn run(level: f64, meta: RunMeta) -> Run {
    let samples = (0..10).map(|i| level * (1.0 + f64::from(i) / 1000.0));
    let mut b = Benchmark::new("BenchmarkParse-8");
    b.push(Metric::new(
        "time",
        Unit::Nanoseconds,
        Data::Samples(samples.collect()),
    ));
    Run::new(meta, vec![b])
}

/// Records `n` runs of main on the data branch the way saves write them: one file per run and
/// the index with each run's summary. Returns the index.
fn record(fake: &FakeGitHub, n: usize) -> Index {
    record_on(fake, n, |_| None)
}

/// [`record`], run `i` made on runner `runner(i)`.
fn record_on(fake: &FakeGitHub, n: usize, runner: impl Fn(usize) -> Option<String>) -> Index {
    let mut index = Index::default();
    let mut files = Vec::new();
    for i in 1..=n {
        let mut meta = RunMeta {
            commit: Some(sha(i)),
            branch: Some("main".into()),
            timestamp: Some(format!("2026-11-18T11:{i:02}:00Z")),
            tool: Some("perfgate".into()),
            ..RunMeta::default()
        };
        meta.environment.runner = runner(i);
        let r = run(1000.0 + i as f64, meta);
        let entry = index.entry_for(&r);
        files.push((
            format!("default/runs/{}.json", entry.id),
            run_format::to_string(&r),
        ));
        index.push_and_prune(entry, 100);
    }
    files.push(("default/index.json".into(), index.to_json()));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    fake.state().commit_files(BRANCH, &files);
    index
}

fn pr_payload(base_sha: &str) -> String {
    format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
            "base":{{"ref":"main","sha":"{base_sha}","repo":{{"full_name":"{OWNER}/{REPO}"}}}},
            "head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    )
}

/// Runs `perfgate action` for a pull request on `base_sha` with results `pr.json`; returns the
/// process output and the JSON report.
fn pull_request(fake: &FakeGitHub, base_sha: &str) -> (Output, serde_json::Value) {
    pull_request_on(fake, base_sha, &[])
}

/// [`pull_request`] with more of the runner's variables, such as `ImageOS`.
fn pull_request_on(
    fake: &FakeGitHub,
    base_sha: &str,
    runner: &[(&str, &str)],
) -> (Output, serde_json::Value) {
    let ws = tempfile::tempdir().unwrap();
    let current = run(1000.0, RunMeta::default());
    fs::write(ws.path().join("pr.json"), run_format::to_string(&current)).unwrap();
    fs::write(ws.path().join("event.json"), pr_payload(base_sha)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_perfgate"))
        .arg("action")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", ws.path().join("event.json"))
        .env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_SHA", HEAD_SHA)
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{REPO}"))
        .env("GITHUB_API_URL", fake.api_url())
        .env("GITHUB_WORKSPACE", ws.path())
        .env("INPUT_GITHUB-TOKEN", TOKEN)
        .env("INPUT_RESULTS", "pr.json")
        .env("INPUT_FORMAT", "auto")
        .env("INPUT_COMMENT", "false")
        .env("INPUT_SUMMARY", "false")
        .env("INPUT_MODE", "auto")
        .env("INPUT_DATA-BRANCH", BRANCH)
        .env("INPUT_KEY", "default")
        .envs(runner.iter().copied())
        .current_dir("/")
        .output()
        .unwrap();
    let report = fs::read_to_string(ws.path().join("perfgate-report/default/report.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(serde_json::Value::Null);
    (out, report)
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The data branch files the requests from `from` on read.
fn data_reads(fake: &FakeGitHub, from: usize) -> Vec<String> {
    fake.log()[from..]
        .iter()
        .filter(|e| e.method == "GET" && e.path.contains("/contents/default/"))
        .map(|e| e.path.rsplit("/contents/").next().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_are_compared_with_a_history_of_thirty_runs_read_in_two_calls() {
    let fake = FakeGitHub::start().await;
    let index = record(&fake, 30);
    let (out, report) = tokio::task::block_in_place(|| pull_request(&fake, &sha(30)));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report["baseline_runs"], 30, "{report:#}");
    assert_eq!(report["baseline_run"]["commit"], sha(30));
    assert_eq!(
        data_reads(&fake, 0),
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
        .commit_files(BRANCH, &[("default/index.json", &index.to_json())]);
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
    assert_eq!(data_reads(&fake, 0), expected);
    fake.verify().await;
}

/// Main ran on two runner images in turn and the base commit's run on the other one: the latest
/// run on the pull request's image is read from its file (one more call), since its samples are
/// what the pull request's samples are compared with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_run_on_the_same_kind_of_machine_is_read_with_its_samples() {
    let fake = FakeGitHub::start().await;
    let image = |i: usize| if i % 2 == 0 { "ubuntu24" } else { "ubuntu22" };
    let index = record_on(&fake, 30, |i| Some(format!("{}/20251112.1", image(i))));
    let (out, report) = tokio::task::block_in_place(|| {
        pull_request_on(
            &fake,
            &sha(30),
            &[("ImageOS", "ubuntu22"), ("ImageVersion", "20251119.1")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        data_reads(&fake, 0),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", index.runs[29].id),
            format!("default/runs/{}.json", index.runs[28].id),
        ]
    );
    assert_eq!(report["baseline_run"]["commit"], sha(29), "{report:#}");
    assert_eq!(report["other_environment_runs"], 15);
    // 15 runs on this image are history enough: the pull request's median is judged against
    // their run-to-run spread (the full run is what a shorter history would fall back to).
    assert_eq!(
        report["results"][0]["method"], "prediction_interval",
        "{report:#}"
    );
    assert_eq!(report["results"][0]["baseline"]["n"], 15, "{report:#}");
    assert_eq!(report["results"][0]["current"]["n"], 10, "{report:#}");
    fake.verify().await;
}

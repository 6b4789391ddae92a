//! Issue 12, part 2: with `dashboard: true`, each push to the default branch that records a run
//! also writes the dashboard (index.html, data.js, .nojekyll) at the root of the data branch, from
//! the index of every key there, in one Git Data commit whatever the number of series. The built
//! binary runs as a hosted runner runs the Action's container, against the fake GitHub, every
//! request checked against GitHub's OpenAPI description.
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
use serde_json::Value;
use support::fake::{FakeGitHub, FaultKind, OWNER, REPO};
use support::runner::{text, Job, DATA_BRANCH};
use support::runs::{sha, HEAD_SHA};

/// `series` benchmarks with ten time samples each around `level` ns.
fn run(series: usize, level: f64) -> Run {
    let benchmarks = (0..series)
        .map(|s| {
            let mut b = Benchmark::new(format!("BenchmarkParse/case={s}-8"));
            let samples = (0..10).map(|i| level * (1.0 + s as f64 / 100.0 + f64::from(i) / 1000.0));
            b.push(Metric::new(
                "time",
                Unit::Nanoseconds,
                Data::Samples(samples.collect()),
            ));
            b
        })
        .collect();
    Run::new(RunMeta::default(), benchmarks)
}

/// A push to main of commit `sha` recording `series` benchmarks at `level` ns under `key`.
fn push(
    fake: &FakeGitHub,
    sha: &str,
    key: &str,
    series: usize,
    level: f64,
    dashboard: bool,
) -> Output {
    let job = Job::new(fake.api_url());
    fs::write(
        job.ws().join("main.json"),
        run_format::to_string(&run(series, level)),
    )
    .unwrap();
    let payload = format!(
        r#"{{"ref":"refs/heads/main","after":"{sha}","repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    );
    job.run(
        "push",
        "refs/heads/main",
        sha,
        &payload,
        &[
            ("results", "main.json"),
            ("comment", "false"),
            ("data-branch", DATA_BRANCH),
            ("key", key),
            ("dashboard", if dashboard { "true" } else { "false" }),
        ],
    )
}

fn data_js(fake: &FakeGitHub) -> Value {
    let files = fake.state().files(DATA_BRANCH);
    let text = files.get("data.js").expect("data.js on the data branch");
    serde_json::from_str(
        text.strip_prefix("window.PERFGATE_DATA = ")
            .and_then(|t| t.strip_suffix(";\n"))
            .unwrap(),
    )
    .unwrap()
}

/// The Git Data writes of the log from position `from` on: (method, operation path end).
fn git_writes(fake: &FakeGitHub, from: usize) -> Vec<String> {
    fake.log()[from..]
        .iter()
        .filter(|e| e.path.contains("/git/") && e.method != "GET")
        .map(|e| format!("{} {}", e.method, e.path.rsplit("/git/").next().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_save_rewrites_the_dashboard_of_every_key_in_one_commit() {
    let fake = FakeGitHub::start().await;
    // The first save creates the branch: the site is in that commit.
    let out = tokio::task::block_in_place(|| push(&fake, &sha(1), "go", 50, 1000.0, true));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("dashboard updated on `perfgate-data`"),
        "{}",
        text(&out)
    );
    let files = fake.state().files(DATA_BRANCH);
    for f in ["index.html", "data.js", ".nojekyll", "go/index.json"] {
        assert!(files.contains_key(f), "{f}: {:?}", files.keys());
    }
    assert!(files["index.html"].contains(&format!("<title>{OWNER}/{REPO} · perfgate</title>")));
    let d = data_js(&fake);
    assert_eq!(d["series"].as_array().unwrap().len(), 50);
    assert_eq!(
        d["commit_url"],
        format!("https://github.com/{OWNER}/{REPO}/commit/")
    );

    // Another key saves without the dashboard; then pushes of the first key with it. Each save
    // with it adds one follow-up commit for the site: 2 or 3 blobs, a tree, a commit, a ref.
    let out = tokio::task::block_in_place(|| push(&fake, &sha(2), "k6", 3, 5e6, false));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for i in 3..=14 {
        let before = fake.log().len();
        let level = if i < 10 { 1000.0 } else { 1400.0 };
        let out = tokio::task::block_in_place(|| push(&fake, &sha(i), "go", 50, level, true));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            git_writes(&fake, before),
            [
                "POST blobs",
                "POST blobs",
                "POST trees",
                "POST commits",
                "PATCH refs/heads/perfgate-data"
            ],
            "push {i}"
        );
    }
    let d = data_js(&fake);
    let keys: Vec<&str> = d["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["go", "k6"], "every key on the branch");
    assert_eq!(d["keys"][0]["commits"].as_array().unwrap().len(), 13);
    assert_eq!(d["series"].as_array().unwrap().len(), 53);
    // The slowdown from push 10 on is a level shift started by that commit.
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 50, "{changes:?}");
    assert!(changes.iter().all(|c| c["worse"] == true
        && d["keys"][0]["commits"][c["run"].as_u64().unwrap() as usize] == sha(10)));
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_that_cannot_be_written_is_a_warning_and_the_run_is_saved() {
    let fake = FakeGitHub::start().await;
    let out = tokio::task::block_in_place(|| push(&fake, &sha(1), "default", 2, 1000.0, true));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Another job moves the branch between this save's index and its site commit.
    fake.fault(
        "PATCH",
        "/git/refs/heads/",
        1,
        FaultKind::Before(Box::new(|state| {
            state.commit_files(DATA_BRANCH, &[("other/index.json", "{}")]);
        })),
    );
    let out = tokio::task::block_in_place(|| push(&fake, &sha(2), "default", 2, 1000.0, true));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("::warning title=perfgate::the dashboard on `perfgate-data` was not updated"),
        "{t}"
    );
    assert!(t.contains("recorded run"), "{t}");
    let index = fake.state().files(DATA_BRANCH)["default/index.json"].clone();
    assert_eq!(
        index.lines().filter(|l| l.contains("\"id\"")).count(),
        2,
        "{index}"
    );
    fake.verify().await;
}

/// Issue 12, part 3: a pull request's comment links each row with a trend to its chart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pull_request_comment_links_its_trends_to_the_dashboard() {
    let fake = FakeGitHub::start().await;
    for i in 1..=12 {
        let level = 1000.0 * (1.0 + 0.01 * (i % 3) as f64);
        let out = tokio::task::block_in_place(|| push(&fake, &sha(i), "go", 2, level, true));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let head = HEAD_SHA;
    fake.state().pulls.insert(7, (head.into(), sha(12)));
    let before = fake.log().len();
    let job = Job::new(fake.api_url());
    fs::write(
        job.ws().join("pr.json"),
        run_format::to_string(&run(2, 1500.0)),
    )
    .unwrap();
    let payload = format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
            "base":{{"ref":"main","sha":"{}","repo":{{"full_name":"{OWNER}/{REPO}"}}}},
            "head":{{"ref":"feature","sha":"{head}","repo":{{"full_name":"{OWNER}/{REPO}"}}}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#,
        sha(12)
    );
    let out = tokio::task::block_in_place(|| {
        job.run(
            "pull_request",
            "refs/pull/7/merge",
            head,
            &payload,
            &[
                ("results", "pr.json"),
                ("data-branch", DATA_BRANCH),
                ("key", "go"),
                ("dashboard", "true"),
            ],
        )
    });
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let comment = fake
        .state()
        .comments
        .last()
        .expect("a comment")
        .body
        .clone();
    for b in ["BenchmarkParse%2Fcase%3D0-8", "BenchmarkParse%2Fcase%3D1-8"] {
        let link = format!("[chart](https://octo-org.github.io/perf-repo/#b={b}&m=time&k=go)");
        assert!(comment.contains(&link), "{link} in\n{comment}");
    }
    // A pull request never writes the data branch, site included: its only write is the comment.
    let writes: Vec<String> = fake.log()[before..]
        .iter()
        .filter(|e| e.method != "GET")
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert_eq!(
        writes,
        [format!("POST /repos/{OWNER}/{REPO}/issues/7/comments")],
        "{writes:?}"
    );
    fake.verify().await;
}

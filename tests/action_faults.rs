//! Issue 14: every API call type the Action makes, met once by each fault GitHub gives (500, 502,
//! 503, an answer lost after the request landed, 429 and a secondary rate limit with
//! `Retry-After`, a 409 on the index), run as a hosted runner runs the container against the
//! fake GitHub. Each case asserts the exit code, exactly one comment on the pull request, and
//! nothing lost on the data branch (every run in the index, its file there, the dashboard
//! naming them). Timeouts and a server that never answers are in tests/github_api.rs, with the
//! client's timeouts shortened. And whole jobs at once: pull request jobs on one pull request
//! converge on one comment, pushes at once record every run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::fs;
use std::sync::Arc;

use perfgate::formats::perfgate as run_format;
use perfgate::model::RunMeta;
use perfgate::store::Index;
use serde_json::json;
use support::fake::{FakeGitHub, FaultKind, OWNER, REPO};
use support::runner::{text, Job, DATA_BRANCH};
use support::runs::{go_run, sha, HEAD_SHA};

fn push(fake: &FakeGitHub, i: usize) -> std::process::Output {
    push_keeping(fake, i, 2)
}

/// A push of commit `i` to main, keeping `keep` runs.
fn push_keeping(fake: &FakeGitHub, i: usize, keep: usize) -> std::process::Output {
    let job = Job::new(fake.api_url());
    fs::write(
        job.ws().join("main.json"),
        run_format::to_string(&go_run(1000.0, RunMeta::default())),
    )
    .unwrap();
    let payload = format!(
        r#"{{"ref":"refs/heads/main","after":"{}","repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#,
        sha(i)
    );
    job.run(
        "push",
        "refs/heads/main",
        &sha(i),
        &payload,
        &[
            ("results", "main.json"),
            ("comment", "false"),
            ("data-branch", DATA_BRANCH),
            ("dashboard", "true"),
            ("keep", &keep.to_string()),
        ],
    )
}

/// A pull request whose results are `level` ns (another level, another comment).
fn pull_request(fake: &FakeGitHub, level: f64) -> std::process::Output {
    let job = Job::new(fake.api_url());
    fs::write(
        job.ws().join("pr.json"),
        run_format::to_string(&go_run(level, RunMeta::default())),
    )
    .unwrap();
    let payload = format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
            "base":{{"ref":"main","sha":"{}","repo":{{"full_name":"{OWNER}/{REPO}"}}}},
            "head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#,
        sha(2)
    );
    job.run(
        "pull_request",
        "refs/pull/7/merge",
        HEAD_SHA,
        &payload,
        &[("results", "pr.json"), ("data-branch", DATA_BRANCH)],
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// The first push: creates the data branch (Git Data API), the site in the same commit.
    FirstPush,
    /// A later push: run file, index, and the follow-up commit (site and pruning, keep 2).
    Push,
    /// A pull request's first comment.
    Comment,
    /// A pull request's comment updated.
    Update,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Status(u16),
    LostAnswer,
    TooManyRequests,
    SecondaryRateLimit,
    Conflict,
}

fn kind(f: Fault) -> FaultKind {
    let doc = "https://docs.github.com/rest";
    match f {
        Fault::Status(s) => FaultKind::Respond(
            s,
            json!({"message": "Server Error", "documentation_url": doc}),
            vec![],
        ),
        Fault::LostAnswer => FaultKind::LoseAnswer(502),
        Fault::TooManyRequests => FaultKind::Respond(
            429,
            json!({"message": "API rate limit exceeded for installation ID 1.", "documentation_url": doc}),
            vec![("retry-after".into(), "1".into())],
        ),
        Fault::SecondaryRateLimit => FaultKind::Respond(
            403,
            json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": doc}),
            vec![("retry-after".into(), "1".into())],
        ),
        Fault::Conflict => FaultKind::Respond(
            409,
            json!({"message": "default/index.json does not match", "documentation_url": doc}),
            vec![],
        ),
    }
}

/// The call types of each step: method and a part of the path.
fn calls(step: Step) -> &'static [(&'static str, &'static str)] {
    match step {
        Step::FirstPush => &[
            ("GET", "/git/ref/heads/"),
            ("POST", "/git/blobs"),
            ("POST", "/git/trees"),
            ("POST", "/git/commits"),
            ("POST", "/git/refs"),
        ],
        Step::Push => &[
            ("GET", "/git/ref/heads/"),
            ("GET", "/contents/default/index.json"),
            ("GET", "/contents/default/runs/"),
            ("PUT", "/contents/default/runs/"),
            ("PUT", "/contents/default/index.json"),
            ("GET", "/git/trees/"),
            ("POST", "/git/blobs"),
            ("POST", "/git/trees"),
            ("POST", "/git/commits"),
            ("PATCH", "/git/refs/heads/"),
        ],
        Step::Comment => &[
            ("GET", "/contents/default/index.json"),
            ("GET", "/contents/default/runs/"),
            ("GET", "/issues/7/comments"),
            ("POST", "/issues/7/comments"),
        ],
        Step::Update => &[
            ("GET", "/issues/7/comments"),
            ("PATCH", "/issues/comments/"),
        ],
    }
}

fn faults(method: &str, path: &str) -> Vec<Fault> {
    let mut out = vec![
        Fault::Status(500),
        Fault::Status(502),
        Fault::Status(503),
        Fault::TooManyRequests,
        Fault::SecondaryRateLimit,
    ];
    if method != "GET" {
        out.push(Fault::LostAnswer);
    }
    if method == "PUT" && path.ends_with("index.json") {
        out.push(Fault::Conflict);
    }
    out
}

/// Runs `step` with `fault` on its first `method path` call; returns what went wrong, if anything.
async fn case(
    step: Step,
    method: &'static str,
    path: &'static str,
    fault: Fault,
) -> Option<String> {
    let fake = Arc::new(FakeGitHub::start().await);
    let f = fake.clone();
    let problem = tokio::task::spawn_blocking(move || {
        let fake = f;
        let ok = |o: &std::process::Output, what: &str| {
            (o.status.code() != Some(0))
                .then(|| format!("{what}: exit {:?}\n{}", o.status.code(), text(o)))
        };
        let pushes = match step {
            Step::FirstPush => 0,
            _ => 2,
        };
        for i in 1..=pushes {
            if let Some(p) = ok(&push(&fake, i), "setup push") {
                return Some(p);
            }
        }
        if step == Step::Update {
            if let Some(p) = ok(&pull_request(&fake, 1001.0), "setup comment") {
                return Some(p);
            }
        }
        fake.fault(method, path, 1, kind(fault));
        let out = match step {
            Step::FirstPush => push(&fake, 1),
            Step::Push => push(&fake, 3),
            Step::Comment | Step::Update => pull_request(&fake, 1002.0),
        };
        if let Some(p) = ok(&out, "the step") {
            return Some(p);
        }
        let hit = fake
            .log()
            .iter()
            .any(|e| e.method == method && e.path.contains(path) && e.status >= 400);
        if !hit {
            return Some("the fault was never met: the step makes no such call".into());
        }
        let state = fake.state();
        let comments = state
            .comments
            .iter()
            .filter(|c| c.body.contains("<!-- perfgate"))
            .count();
        let expected_comments = usize::from(matches!(step, Step::Comment | Step::Update));
        if comments != expected_comments {
            return Some(format!("{comments} comments"));
        }
        let files = state.files(DATA_BRANCH);
        // A missing or damaged index is a loss, never a pass.
        let Some(text) = files.get("default/index.json") else {
            return Some("no index on the data branch".into());
        };
        let index = match Index::parse(text) {
            Ok(index) => index,
            Err(e) => return Some(format!("the index does not parse: {e}")),
        };
        let recorded = match step {
            Step::FirstPush => 1,
            Step::Push => 2, // keep 2: run 1 pruned
            _ => 2,
        };
        if index.runs.len() != recorded {
            return Some(format!("{} runs in the index", index.runs.len()));
        }
        for e in &index.runs {
            if !files.contains_key(&format!("default/runs/{}.json", e.id)) {
                return Some(format!("run {} has no file", e.id));
            }
        }
        let site = files.get("data.js").map(String::as_str).unwrap_or_default();
        let last = index
            .runs
            .last()
            .and_then(|e| e.meta.commit.clone())
            .unwrap_or_default();
        if matches!(step, Step::FirstPush | Step::Push) && !site.contains(&last) {
            // A site commit that lost a race is skipped with a warning; no fault here is a race.
            return Some("the dashboard does not name the latest run".into());
        }
        None
    })
    .await
    .unwrap();
    fake.verify().await;
    problem.map(|p| format!("{step:?} {method} {path} {fault:?}: {p}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_call_type_survives_each_fault_with_one_comment_and_nothing_lost() {
    let mut cases = Vec::new();
    for step in [Step::FirstPush, Step::Push, Step::Comment, Step::Update] {
        for &(method, path) in calls(step) {
            for fault in faults(method, path) {
                cases.push((step, method, path, fault));
            }
        }
    }
    let total = cases.len();
    // Four jobs at a time: each waits out its backoff or Retry-After, which costs no CPU.
    let gate = Arc::new(tokio::sync::Semaphore::new(4));
    let mut handles = Vec::new();
    for (step, method, path, fault) in cases {
        let gate = gate.clone();
        handles.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            case(step, method, path, fault).await
        }));
    }
    let mut problems = Vec::new();
    for h in handles {
        if let Some(p) = h.await.unwrap() {
            problems.push(p);
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {total} cases failed:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    assert!(total >= 100, "{total} cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_at_once_converge_on_one_comment_and_record_every_run() {
    let fake = Arc::new(FakeGitHub::start().await);
    for i in 1..=2 {
        let out = tokio::task::block_in_place(|| push_keeping(&fake, i, 100));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    // Four jobs of one pull request (re-runs, a matrix with one key) at the same moment; the
    // first listings of its comments are slowed so that every job looks before any posts.
    fake.fault(
        "GET",
        "/issues/7/comments",
        4,
        FaultKind::Delay(std::time::Duration::from_millis(500)),
    );
    let jobs: Vec<_> = (0..4)
        .map(|i| {
            let f = fake.clone();
            tokio::task::spawn_blocking(move || pull_request(&f, 1001.0 + f64::from(i)))
        })
        .collect();
    for j in jobs {
        let out = j.await.unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let comments = fake
        .state()
        .comments
        .iter()
        .filter(|c| c.body.contains("<!-- perfgate"))
        .count();
    assert_eq!(comments, 1, "the jobs converge on one comment");
    let posts = fake
        .log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/issues/7/comments"))
        .count();
    assert!(posts > 1, "the race happened: {posts} jobs posted");

    // Four pushes at the same moment: every run is recorded, none twice.
    let pushes: Vec<_> = (10..14)
        .map(|i| {
            let f = fake.clone();
            tokio::task::spawn_blocking(move || push_keeping(&f, i, 100))
        })
        .collect();
    for p in pushes {
        let out = p.await.unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let files = fake.state().files(DATA_BRANCH);
    let index = Index::parse(&files["default/index.json"]).unwrap();
    let mut commits: Vec<String> = index
        .runs
        .iter()
        .filter_map(|e| e.meta.commit.clone())
        .collect();
    commits.sort();
    let mut expected: Vec<String> = [1, 2, 10, 11, 12, 13].into_iter().map(sha).collect();
    expected.sort();
    assert_eq!(commits, expected);
    for e in &index.runs {
        assert!(files.contains_key(&format!("default/runs/{}.json", e.id)));
    }
    fake.verify().await;
}

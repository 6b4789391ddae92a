//! The built binary run the way the runner runs a container action on a GitHub-hosted runner —
//! exactly the variables the container gets (`INPUT_*`, `GITHUB_*`, `RUNNER_*` with a runner name
//! that changes from job to job, `HOME`, `CI`, `ACTIONS_*`; no `ImageOS`), an event payload file,
//! the file-command files, a workspace directory (see `support::runner` for where each comes from)
//! — against a fake GitHub on loopback: a push to main records the baseline, then a pull request
//! compares, comments and fails on the regression, and a re-run leaves the comment as it is. Every
//! request is checked against GitHub's OpenAPI description by `FakeGitHub::verify`. Set
//! `PERFGATE_BIN` to run these against another build (the static musl binary of the container
//! image).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::fake::{FakeGitHub, BOT, OWNER, REPO, TOKEN};
use support::runner::{output_value, text, Job};
use support::runs::HEAD_SHA;

const MAIN_SHA: &str = "1111111111111111111111111111111111111111";

fn example(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(p)
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn push_payload() -> String {
    format!(
        r#"{{"ref":"refs/heads/main","after":"{MAIN_SHA}","repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    )
}

fn pr_payload() -> String {
    format!(
        r#"{{"action":"synchronize","number":7,"pull_request":{{"number":7,
            "base":{{"ref":"main","sha":"{MAIN_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}}},
            "head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    )
}

/// [`pr_payload`] with its head in a fork, `someone/<repo>`.
fn fork_pr_payload() -> String {
    let payload = pr_payload().replacen(
        &format!(
            r#""head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}"#
        ),
        &format!(
            r#""head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"someone/{REPO}"}}"#
        ),
        1,
    );
    assert_ne!(payload, pr_payload(), "the head is a fork's");
    payload
}

/// The pull request job of the tests from a fork ([`fork_pr_payload`]), with `results`.
fn fork_pull_request(job: &Job, results: &str) -> Output {
    tokio::task::block_in_place(|| {
        job.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &fork_pr_payload(),
            &[("results", results)],
        )
    })
}

/// The `mode: comment` job of a workflow_run workflow (`payload`), posting the artifact
/// downloaded to `perfgate-report/default`.
fn comment_from_artifact(job: &Job, payload: &str) -> Output {
    tokio::task::block_in_place(|| {
        job.run(
            "workflow_run",
            "refs/heads/main",
            MAIN_SHA,
            payload,
            &[("mode", "comment"), ("results", "perfgate-report/default")],
        )
    })
}

/// The pull request job of the tests: pull request #7 (head `HEAD_SHA`, base `MAIN_SHA`) from
/// this repository, with `inputs`.
fn pull_request(job: &Job, inputs: &[(&str, &str)]) -> Output {
    tokio::task::block_in_place(|| {
        job.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &pr_payload(),
            inputs,
        )
    })
}

/// A job of `fake`'s repository with the Go example's runs in its workspace: main's as
/// `bench/main.txt`, the pull request's (one benchmark 21% slower) as `bench/pr.txt`.
fn go_job(fake: &FakeGitHub) -> Job {
    let job = Job::new(fake.api_url());
    fs::copy(example("go/base.txt"), job.ws().join("bench/main.txt")).unwrap();
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    job
}

/// The push job of the tests: a push of `MAIN_SHA` to main, with `results`.
fn push_to_main(job: &Job, results: &str) -> Output {
    push_commit(job, MAIN_SHA, &push_payload(), results)
}

/// A push of `sha` to main with `payload`, with `results`.
fn push_commit(job: &Job, sha: &str, payload: &str, results: &str) -> Output {
    tokio::task::block_in_place(|| {
        job.run(
            "push",
            "refs/heads/main",
            sha,
            payload,
            &[("results", results)],
        )
    })
}

/// A `workflow_run` payload: the triggering run was a pull request's, on `head_sha`, in
/// `<owner>/REPO`.
fn workflow_run_payload(head_sha: &str, owner: &str) -> String {
    format!(
        r#"{{"action":"completed","workflow_run":{{"event":"pull_request","head_sha":"{head_sha}",
            "head_branch":"feature","head_repository":{{"full_name":"{owner}/{REPO}"}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_records_then_pull_request_compares_comments_and_fails() {
    let fake = FakeGitHub::start().await;
    let job = go_job(&fake);

    // 1. A push to main records the run on the data branch (creating it).
    let job_ref = &job;
    let out = push_to_main(job_ref, "bench/main.txt");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("recorded run"), "{}", text(&out));
    // The first push records the first baseline, and says so (not "recorded by pushes to main").
    assert!(
        text(&out)
            .contains("no baseline on branch `perfgate-data` yet: this push records the first one"),
        "{}",
        text(&out)
    );
    assert!(
        job.summary()
            .contains("Recorded this run on `perfgate-data` as the latest baseline of `main`."),
        "{}",
        job.summary()
    );
    let files = fake.state().files("perfgate-data");
    assert!(files.contains_key("default/index.json"), "{files:?}");
    let index: serde_json::Value = serde_json::from_str(&files["default/index.json"]).unwrap();
    assert_eq!(index["runs"][0]["commit"], MAIN_SHA);
    assert_eq!(index["runs"][0]["branch"], "main");
    assert!(fake.state().comments.is_empty(), "a push never comments");

    // 2. A pull request compares with that run, comments, and fails on the regression.
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            "3333333333333333333333333333333333333333",
            &pr_payload(),
            &[("results", "bench/pr.txt")],
        )
    });
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains(
            "::error title=perfgate::regression: BenchmarkEncode/format=json-48 time: +21.0%25"
        ),
        "{stdout}"
    );
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].login, BOT);
    assert!(comments[0].body.contains("BenchmarkEncode/format=json-48"));
    assert!(
        comments[0].body.contains(MAIN_SHA.get(..7).unwrap()),
        "names the baseline commit"
    );
    assert!(comments[0]
        .body
        .trim_end()
        .ends_with("<!-- perfgate:comment key=default -->"));
    // How to reproduce locally: fetch the very baseline run, then compare.
    assert!(
        comments[0].body.contains(
            "git fetch origin perfgate-data && git show origin/perfgate-data:default/runs/"
        ),
        "{}",
        comments[0].body
    );
    assert!(comments[0]
        .body
        .contains("perfgate compare --baseline baseline.json --current 'bench/pr.txt'"));
    let outputs = job.outputs();
    assert_eq!(output_value(&outputs, "verdict"), "fail");
    assert_eq!(output_value(&outputs, "regressions"), "1");
    assert_eq!(output_value(&outputs, "improvements"), "0");
    assert!(
        output_value(&outputs, "comment-url").contains("issuecomment"),
        "{outputs}"
    );
    let report = job.report();
    assert_eq!(report["verdict"], "fail");
    let summary = job.summary();
    assert!(summary.contains("1 regression"), "{summary}");
    assert!(
        !summary.contains("perfgate:comment"),
        "the marker is for the comment only"
    );
    let files_before = fake.state().files("perfgate-data");

    // 3. The same pull request again, a little later: the comment is left as it is, nothing is
    //    recorded.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            "3333333333333333333333333333333333333333",
            &pr_payload(),
            &[("results", "bench/pr.txt")],
        )
    });
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("comment unchanged"),
        "{}",
        text(&out)
    );
    assert_eq!(fake.state().comments.len(), 1);
    assert_eq!(
        fake.state().files("perfgate-data"),
        files_before,
        "a pull request never writes a baseline"
    );

    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_pull_request_writes_the_report_for_upload_instead_of_commenting() {
    let fake = FakeGitHub::start().await;
    fake.state().read_only = true;
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let job_ref = &job;
    let out = fork_pull_request(job_ref, "bench/pr.txt");
    // No baseline yet and no budgets: nothing fails; the fork's report is left for upload.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("::notice title=perfgate::pull requests from forks"),
        "{}",
        text(&out)
    );
    assert!(job
        .ws()
        .join("perfgate-report/default/comment.md")
        .is_file());
    let pr: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(job.ws().join("perfgate-report/default/pr.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(pr["number"], 7);
    assert_eq!(pr["head_sha"], HEAD_SHA);
    assert!(fake.state().comments.is_empty());

    // The workflow_run side posts it after checking the pull request's head commit, rendering it
    // from the comparison data: Markdown planted in the artifact never reaches the comment.
    assert!(job
        .ws()
        .join("perfgate-report/default/comparison.json")
        .is_file());
    fs::write(
        job.ws().join("perfgate-report/default/comment.md"),
        "@everyone [click me](https://evil.example)",
    )
    .unwrap();
    fake.state().read_only = false;
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    fake.state().pull_heads.insert(7, format!("someone/{REPO}"));
    let comment_job = |payload: &str| comment_from_artifact(job_ref, payload);
    let out = comment_job(&workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The pull request's verdict (no baseline yet: a pass), for the steps after this one.
    let outputs = job.outputs();
    assert_eq!(output_value(&outputs, "verdict"), "pass", "{outputs}");
    assert_eq!(output_value(&outputs, "regressions"), "0", "{outputs}");
    assert!(
        output_value(&outputs, "comment-url").contains("issuecomment"),
        "{outputs}"
    );
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0].body.contains("perfgate:comment key=default"),
        "{}",
        comments[0].body
    );
    assert!(!comments[0].body.contains("evil.example"));

    // A forged artifact for another commit is refused.
    fs::write(
        job.ws().join("perfgate-report/default/pr.json"),
        format!(r#"{{"number":7,"head_sha":"{}"}}"#, "9".repeat(40)),
    )
    .unwrap();
    let out = comment_job(&workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not posting a forged report"),
        "{}",
        text(&out)
    );
    // An artifact edited to name another pull request and that pull request's public head
    // commit: the run that uploaded it ran on another commit, so nothing is posted (issue 14,
    // row 4: this rewrote pull request #8's comment).
    let other = "8".repeat(40);
    fake.state()
        .pulls
        .insert(8, (other.clone(), MAIN_SHA.into()));
    fs::write(
        job.ws().join("perfgate-report/default/pr.json"),
        format!(r#"{{"number":8,"head_sha":"{other}"}}"#),
    )
    .unwrap();
    let out = comment_job(&workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not posting a forged report"),
        "{}",
        text(&out)
    );
    // Nor when a fork's branch points at the other pull request's commit: its run is in the fork.
    let out = comment_job(&workflow_run_payload(&other, "attacker"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not posting a forged report"),
        "{}",
        text(&out)
    );
    // Without the triggering run in the payload, the artifact alone decides nothing.
    let out = comment_job("{}");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("workflow_run"), "{}", text(&out));
    assert_eq!(fake.state().comments.len(), 1, "only the genuine comment");

    // One commenting job for a matrix of keys: with its `key` input left alone, the artifact's
    // key names the comment (its own sticky comment, with its title).
    fs::write(
        job.ws().join("perfgate-report/default/pr.json"),
        format!(r#"{{"number":7,"head_sha":"{HEAD_SHA}","key":"api"}}"#),
    )
    .unwrap();
    let out = comment_job(&workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 2, "a comment of its own");
    assert!(
        comments[1].body.contains("perfgate (api)"),
        "{}",
        comments[1].body
    );
    assert!(comments[1]
        .body
        .trim_end()
        .ends_with("<!-- perfgate:comment key=api -->"));

    // The commenting workflow runs for a pull request of the repository itself too, whose run
    // commented and left its report without pr.json: nothing to post, and no red job.
    for name in ["pr.json", "comparison.json", "comment.md"] {
        fs::remove_file(job.ws().join("perfgate-report/default").join(name)).unwrap();
    }
    let out = comment_job(&workflow_run_payload(HEAD_SHA, OWNER));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("::notice title=perfgate::the artifact holds a report but no pr.json"),
        "{}",
        text(&out)
    );
    // No artifact downloaded: say so, not "cannot read pr.json".
    fs::remove_dir_all(job.ws().join("perfgate-report")).unwrap();
    let out = comment_job(&workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`perfgate-report/default` does not exist: download the pull request run's artifact there first"),
        "{}",
        text(&out)
    );
    assert_eq!(fake.state().comments.len(), 2);
    fake.verify().await;
}

/// A fork's report too long for one comment, posted by `mode: comment`: the rows left out are in
/// the pull request's own run (its job log, its artifact's `report.json`), not in the log of the
/// job that posts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_report_cut_to_fit_points_at_the_pull_requests_own_run() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    // 3,000 benchmarks, every one twice as slow in the pull request: far more rows than fit.
    let go = |ns: usize| {
        let mut go = String::from("goos: linux\ngoarch: amd64\npkg: example.com/big\n");
        for i in 0..3000 {
            go.push_str(&format!(
                "BenchmarkWorkload{i:04}-2   \t 1000\t {} ns/op\n",
                ns + i
            ));
        }
        go + "PASS\nok  \texample.com/big\t1.0s\n"
    };
    fs::write(job.ws().join("bench/main.txt"), go(1000)).unwrap();
    fs::write(job.ws().join("bench/pr.txt"), go(2000)).unwrap();
    let out = push_to_main(&job, "bench/main.txt");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    fake.state().read_only = true;
    let job_ref = &job;
    let out = fork_pull_request(job_ref, "bench/pr.txt");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(fake.state().comments.is_empty());

    fake.state().read_only = false;
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    fake.state().pull_heads.insert(7, format!("someone/{REPO}"));
    let out = comment_from_artifact(job_ref, &workflow_run_payload(HEAD_SHA, "someone"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(body.chars().count() <= 65_536, "{}", body.len());
    assert!(
        body.contains("; the terminal report in the pull request's own run (its job log; as does `report.json` in its artifact) lists every result._"),
        "{body}"
    );
    assert!(
        !body.contains("the terminal report (the job log)"),
        "{body}"
    );
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_results_fail_with_an_annotation_and_exit_2() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let job_ref = &job;
    let out = pull_request(job_ref, &[("results", "bench/*.json")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("::error title=perfgate::no file matches `bench/*.json`"),
        "{}",
        text(&out)
    );
    assert!(
        job.summary().contains("❌ perfgate failed"),
        "{}",
        job.summary()
    );
}

/// Issue 11: the job summary showed ✅ on a step that exited 2 (the report was written, then
/// posting the comment failed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_fails_after_its_report_says_so_in_the_summary() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fake.fault(
        "POST",
        "/comments",
        100,
        support::fake::FaultKind::Respond(
            500,
            serde_json::json!({"message": "Server Error"}),
            vec![],
        ),
    );
    let main = example("go/base.txt");
    let out = push_then_pull_request(&fake, &job, &main, &main);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let summary = job.summary();
    let failed = summary.find("❌ perfgate failed").expect(&summary);
    // After the report, so that it is the last word.
    assert!(summary[..failed].contains("BenchmarkEncode"), "{summary}");
    assert!(fake.state().comments.is_empty());
    // A verdict was reached: the summary says it stands, and the outputs carry it (they were
    // written only after the comment once, so a failed comment left later steps without them).
    assert!(
        summary[failed..]
            .contains("The gate's verdict above stands (pass); the step failed after it"),
        "{summary}"
    );
    let outputs = job.outputs();
    assert_eq!(output_value(&outputs, "verdict"), "pass", "{outputs}");
    assert_eq!(output_value(&outputs, "regressions"), "0", "{outputs}");
    assert!(
        !output_value(&outputs, "report-json").is_empty(),
        "{outputs}"
    );
}

/// Dependabot's pull requests (and a workflow without `pull-requests: write`) get a read-only
/// token although they are the repository's own: the comment is refused (403). The step failed
/// with exit code 2 and left nothing for `mode: comment`; it now leaves the report as a fork's
/// is and keeps the verdict's exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_token_on_the_repositorys_own_pull_request_leaves_the_report() {
    let fake = FakeGitHub::start().await;
    let job = go_job(&fake);
    let out = push_to_main(&job, "bench/main.txt");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    fake.state().read_only = true;
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let out = pull_request(&job, &[("results", "bench/pr.txt")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the regression's exit code: {}",
        text(&out)
    );
    assert!(
        text(&out).contains(
            "the token may not comment on this pull request (it needs `pull-requests: write`"
        ),
        "{}",
        text(&out)
    );
    for name in ["comment.md", "comparison.json", "pr.json"] {
        assert!(
            job.ws()
                .join("perfgate-report/default")
                .join(name)
                .is_file(),
            "{name}"
        );
    }
    assert!(fake.state().comments.is_empty());
}

/// A pull request whose comment showed a pass, then a commit whose results cannot be read: the
/// step fails (exit code 2), and the comment says so instead of keeping the earlier report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_fails_before_its_verdict_replaces_the_stale_comment() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let main = example("go/base.txt");
    let out = push_then_pull_request(&fake, &job, &main, &main);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(fake.state().comments.len(), 1);
    assert!(!fake.state().comments[0].body.contains("the check failed"));
    fs::write(
        job.ws().join("bench/pr.txt"),
        "BenchmarkA-8 100 nope ns/op\n",
    )
    .unwrap();
    let out = pull_request(&job, &[("results", "bench/pr.txt")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1, "the same comment, updated");
    let body = &comments[0].body;
    assert!(
        body.contains("### ❌ perfgate: the check failed on `2222222`"),
        "{body}"
    );
    // The error's quoted words are code, as in the log (an escaped backtick showed literally).
    assert!(body.contains("cannot read `bench/pr.txt` as go"), "{body}");
    assert!(body.contains("Nothing was gated for this commit"), "{body}");
    assert!(
        job.summary()
            .contains("line 1: `BenchmarkA-8`: expected a number before `ns/op`, found `nope`"),
        "{}",
        job.summary()
    );
    assert!(
        body.trim_end()
            .ends_with("<!-- perfgate:comment key=default -->"),
        "{body}"
    );
}

/// `summary: false` holds for a step that fails too; an error before any verdict says that
/// nothing was gated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_error_says_nothing_was_gated_and_keeps_summary_false() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let out = pull_request(&job, &[("results", "bench/pr.txt"), ("threshold", "abc")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let summary = job.summary();
    assert!(
        summary.contains("Nothing was gated: the step failed before a verdict."),
        "{summary}"
    );
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let out = pull_request(
        &job,
        &[
            ("results", "bench/pr.txt"),
            ("threshold", "abc"),
            ("summary", "false"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(job.summary(), "");
    // An empty token read a private repository's data branch as absent (404) and passed as if
    // there were no baseline yet.
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let out = pull_request(&job, &[("results", "bench/pr.txt"), ("github-token", "")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("the `github-token` input is empty"),
        "{}",
        text(&out)
    );
}

/// One value per run (no samples): the pull request is judged against a prediction interval over
/// the runs recorded on main, read from the data branch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_values_are_judged_against_the_recorded_history() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let job_ref = &job;
    let noise = [
        0.0, 1.2, -0.8, 0.5, -1.5, 0.9, -0.3, 1.4, -1.1, 0.2, 0.7, -0.6,
    ];
    for (i, n) in noise.iter().enumerate() {
        let value = 100.0 * (1.0 + n / 100.0);
        fs::write(
            job.ws().join("bench/out.json"),
            format!(r#"[{{"name":"parse","unit":"ms","value":{value}}}]"#),
        )
        .unwrap();
        let sha = format!("{:040x}", i + 1);
        let payload = push_payload().replace(MAIN_SHA, &sha);
        let out = tokio::task::block_in_place(|| {
            job_ref.run(
                "push",
                "refs/heads/main",
                &sha,
                &payload,
                &[("results", "bench/out.json")],
            )
        });
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    fs::write(
        job.ws().join("bench/out.json"),
        r#"[{"name":"parse","unit":"ms","value":120.0}]"#,
    )
    .unwrap();
    let payload = pr_payload().replace(MAIN_SHA, &format!("{:040x}", noise.len()));
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &payload,
            &[("results", "bench/out.json")],
        )
    });
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["baseline_runs"], 12, "{report:#}");
    assert_eq!(report["results"][0]["status"], "regression");
    assert_eq!(report["results"][0]["method"], "prediction_interval");
    fake.verify().await;
}

/// Main ran on a GitHub-hosted and then on a self-hosted runner; a pull request on a hosted runner
/// is compared with the latest run on a hosted one, not with the base commit's self-hosted run
/// (which would have been inconclusive), although every metric has samples (one run is read
/// otherwise). Hosted runners also change CPU model from job to job, the commoner case, which the
/// test cannot fake: the CPU and memory a run records are this machine's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_is_compared_with_a_run_on_its_kind_of_machine() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let job_ref = &job;
    fs::copy(example("go/base.txt"), job.ws().join("bench/main.txt")).unwrap();
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let shas = [format!("{:040x}", 1), format!("{:040x}", 2)];
    let push_on = |sha: &str, environment: &str| {
        let payload = push_payload().replace(MAIN_SHA, sha);
        let out = tokio::task::block_in_place(|| {
            job_ref.run_on(
                "push",
                "refs/heads/main",
                sha,
                &payload,
                &[("results", "bench/main.txt")],
                &[("RUNNER_ENVIRONMENT", environment)],
            )
        });
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    };
    let pull_request_on = |base: &str, environment: &str| {
        fake.state()
            .pulls
            .insert(7, (HEAD_SHA.into(), base.to_string()));
        let payload = pr_payload().replace(MAIN_SHA, base);
        tokio::task::block_in_place(|| {
            job_ref.run_on(
                "pull_request",
                "refs/pull/7/merge",
                HEAD_SHA,
                &payload,
                &[("results", "bench/pr.txt")],
                &[("RUNNER_ENVIRONMENT", environment)],
            )
        })
    };

    push_on(&shas[0], "github-hosted");
    // With no run on its kind of machine, the base commit's run decides: inconclusive, passing.
    let out = pull_request_on(&shas[0], "self-hosted");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["cross_environment"], true, "{report:#}");
    assert_eq!(
        report["environment_differences"][0], "runner: github-hosted → self-hosted",
        "{report:#}"
    );

    push_on(&shas[1], "self-hosted");
    let out = pull_request_on(&shas[1], "github-hosted");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["cross_environment"], false, "{report:#}");
    assert_eq!(report["other_environment_runs"], 1);
    assert_eq!(report["baseline_run"]["commit"], shas[0].as_str());
    assert_eq!(report["counts"]["regression"], 1);
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1, "one comment, updated");
    let body = &comments[0].body;
    assert!(
        body.contains(
            "· baseline 0000000 (" // the first 7 digits of the first run's commit
        ) && body.contains(
            "), the latest run on this kind of machine (the base commit's ran on another): 1 regression"
        ),
        "{body}"
    );
    assert!(body.contains("(1 run on another left out)"), "{body}");
    fake.verify().await;
}

/// The jobs of a repository whose benchmarks run on GitHub-hosted runners: each job's runner has
/// another name, and the container sees no `ImageOS`. The push on main records `main`, then a
/// pull request runs `pr`; returns the pull request's output.
fn push_then_pull_request(fake: &FakeGitHub, job: &Job, main: &Path, pr: &Path) -> Output {
    let ext = main.extension().unwrap().to_string_lossy().into_owned();
    let (main_file, pr_file) = (format!("bench/main.{ext}"), format!("bench/pr.{ext}"));
    fs::copy(main, job.ws().join(&main_file)).unwrap();
    fs::copy(pr, job.ws().join(&pr_file)).unwrap();
    let out = push_to_main(job, &main_file);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    pull_request(job, &[("results", &pr_file)])
}

/// The run recorded on the data branch (there is one).
fn recorded_run(fake: &FakeGitHub) -> serde_json::Value {
    let files = fake.state().files("perfgate-data");
    let runs: Vec<&String> = files
        .iter()
        .filter(|(path, _)| path.starts_with("default/runs/"))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(runs.len(), 1, "{:?}", files.keys());
    serde_json::from_str(runs[0]).unwrap()
}

/// The issue's case: the push on main ran on "GitHub Actions 3", the pull request on "GitHub
/// Actions 1000001", neither saw `ImageOS`. The machine is identified by what the container
/// sees (CPU, cores, memory, `RUNNER_ENVIRONMENT`), so the two runs are on the same kind of
/// machine and the 40% slower benchmark fails the gate instead of passing as inconclusive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_go_benchmark_40_percent_slower_fails_although_each_job_has_another_runner_name() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let out = push_then_pull_request(
        &fake,
        &job,
        &fixture("go/benchstat-testdata-old.txt"),
        &fixture("go/benchstat-testdata-old-json-40pct-slower-derived.txt"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains(
            "::error title=perfgate::regression: BenchmarkEncode/format=json-48 time: +40.0%25"
        ),
        "{stdout}"
    );
    let report = job.report();
    assert_eq!(report["cross_environment"], false, "{report:#}");
    assert_eq!(report["environment_differences"], serde_json::json!([]));
    assert_eq!(report["counts"]["regression"], 1, "{report:#}");
    assert_eq!(
        report["counts"]["unchanged"], 1,
        "format=gob-48 did not change"
    );

    // What identifies the machine, and never the runner's name.
    let run = recorded_run(&fake);
    let recorded = &run["meta"]["environment"];
    assert_eq!(recorded["runner"], "github-hosted", "{recorded:#}");
    assert!(recorded["cores"].as_u64().unwrap() > 0, "{recorded:#}");
    if Path::new("/proc/meminfo").exists() {
        assert!(recorded["memory_gib"].as_u64().is_some(), "{recorded:#}");
    }
    assert!(!run.to_string().contains("GitHub Actions"), "{run:#}");
}

/// A whole run that fails the gate on its own (busy criterion, run3 on main, run5 in the pull
/// request: every benchmark about 65% slower, none beyond the rest of the run) is an error
/// annotation and the comment's heading, as a regression is: no row shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_run_that_fails_the_gate_is_annotated_and_headed() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let out = push_then_pull_request(
        &fake,
        &job,
        &fixture("reruns/busy/criterion/run3.txt"),
        &fixture("reruns/busy/criterion/run5.txt"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = "the whole run is slower than the baseline run (+65.2%25)";
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains(&format!("::error title=perfgate::{said}")),
        "{stdout}"
    );
    let comment = fake
        .state()
        .comments
        .first()
        .map(|c| c.body.clone())
        .unwrap_or_default();
    assert!(
        comment.contains(&format!("❌ {}", said.replace("%25", "%"))),
        "{comment}"
    );
}

/// The benchmarks run twice in each job (two files of the same benchmarks in `results`): the
/// push records the two runs merged, and the pull request's two runs are compared by one value
/// per run with the run recorded on main.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_of_the_same_benchmarks_run_twice_are_two_runs() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    for (name, rerun) in [
        ("main-1", "run1"),
        ("main-2", "run2"),
        ("pr-1", "run3"),
        ("pr-2", "run4"),
    ] {
        fs::copy(
            fixture(&format!("reruns/quiet/go/{rerun}.txt")),
            job.ws().join(format!("bench/{name}.txt")),
        )
        .unwrap();
    }
    let out = push_to_main(&job, "bench/main-*.txt");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Recorded merged: the ten repeats of each run, twenty in all.
    let run = recorded_run(&fake);
    let fib = run["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "BenchmarkFib20-2")
        .unwrap();
    let time = fib["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "time")
        .unwrap();
    assert_eq!(time["samples"].as_array().unwrap().len(), 20, "{time}");

    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let out = pull_request(&job, &[("results", "bench/pr-*.txt")]);
    let report = job.report();
    assert_eq!(report["current_runs"], 2, "{report:#}");
    assert_eq!(report["one_value_per_run"], true, "{report:#}");
    let fib = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["benchmark"] == "BenchmarkFib20-2" && r["metric"] == "time")
        .unwrap();
    assert_eq!(
        (&fib["baseline"]["n"], &fib["current"]["n"]),
        (&1.into(), &2.into())
    );
    // Unchanged code: the gate passes.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        job.summary()
            .contains("Each metric was compared by one value per run"),
        "{}",
        job.summary()
    );
}

/// The same benchmarks again on another hosted runner (another name): nothing changed, nothing
/// fails, nothing is marked as run elsewhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_pull_request_on_another_hosted_runner_passes() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let same = fixture("go/benchstat-testdata-old.txt");
    let out = push_then_pull_request(&fake, &job, &same, &same);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["verdict"], "pass", "{report:#}");
    assert_eq!(report["cross_environment"], false, "{report:#}");
    assert_eq!(report["counts"]["regression"], 0, "{report:#}");
    assert_eq!(report["counts"]["inconclusive"], 0, "{report:#}");
    assert_eq!(report["counts"]["unchanged"], 2, "{report:#}");
    assert_eq!(output_value(&job.outputs(), "verdict"), "pass");
}

/// The issue's k6 case: the p(95) latency rose by 863% between the push on main and the pull
/// request, each on another hosted runner; the gate fails and names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_k6_p95_latency_863_percent_higher_fails_although_each_job_has_another_runner_name() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let out = push_then_pull_request(
        &fake,
        &job,
        &fixture("k6/k6-reporter-simple.json"),
        &fixture("k6/k6-reporter-simple-latency-863pct-derived.json"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["cross_environment"], false, "{report:#}");
    let p95 = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["benchmark"] == "http_req_duration" && r["metric"] == "p(95)")
        .unwrap_or_else(|| panic!("no http_req_duration p(95) in {report:#}"));
    assert_eq!(p95["status"], "regression", "{p95:#}");
    assert!(
        (p95["change"].as_f64().unwrap() - 8.63).abs() < 1e-6,
        "{p95:#}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("::error title=perfgate::regression: http_req_duration p(95): +863"),
        "{stdout}"
    );
}

/// Issue 14, row 5: `mode: save` from a `workflow_run` or `issue_comment` job (which can check
/// out a pull request's head) recorded that head as a main run. Only a push, a schedule or a
/// manual run on the default branch records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_records_only_runs_of_the_default_branch() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let job_ref = &job;
    let repo = format!(r#""repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}"#);
    for (event, git_ref, payload) in [
        (
            "workflow_run",
            "refs/heads/main",
            workflow_run_payload(HEAD_SHA, "someone"),
        ),
        (
            "issue_comment",
            "refs/heads/main",
            format!(r#"{{"action":"created",{repo}}}"#),
        ),
        ("push", "refs/heads/feature", format!(r#"{{{repo}}}"#)),
    ] {
        let out = tokio::task::block_in_place(|| {
            job_ref.run(
                event,
                git_ref,
                HEAD_SHA,
                &payload,
                &[("mode", "save"), ("results", "bench/pr.txt")],
            )
        });
        assert_eq!(out.status.code(), Some(2), "{event}: {}", text(&out));
        assert!(
            text(&out).contains("refusing to record a baseline"),
            "{event}: {}",
            text(&out)
        );
    }
    assert!(fake.state().files("perfgate-data").is_empty());
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "workflow_dispatch",
            "refs/heads/main",
            MAIN_SHA,
            &format!(r#"{{{repo}}}"#),
            &[("mode", "save"), ("results", "bench/pr.txt")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(fake
        .state()
        .files("perfgate-data")
        .contains_key("default/index.json"));
    fake.verify().await;
}

/// The data branch's run files, other than the index (path -> text).
fn stored_runs(fake: &FakeGitHub) -> Vec<(String, String)> {
    fake.state()
        .files("perfgate-data")
        .into_iter()
        .filter(|(p, _)| p.starts_with("default/") && p != "default/index.json")
        .collect()
}

/// Issue 14, rows 14 and 15: a stored run replaced by an empty one made a +40% pull request pass,
/// and a damaged one stopped every later save on main.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_baseline_fails_the_pull_request_closed_and_never_blocks_recording() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let slower = job.ws().join("slower.txt");
    let base = fs::read_to_string(example("go/base.txt")).unwrap();
    // Every ns/op 40% higher.
    let slow: String = base
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f.iter().position(|x| x.trim().ends_with("ns/op")) {
                Some(i) => {
                    let v: f64 = f[i]
                        .trim()
                        .trim_end_matches("ns/op")
                        .trim()
                        .parse()
                        .unwrap();
                    let mut g: Vec<String> = f.iter().map(|s| s.to_string()).collect();
                    g[i] = format!(" {:.2} ns/op", v * 1.4);
                    g.join("\t") + "\n"
                }
                None => format!("{l}\n"),
            }
        })
        .collect();
    fs::write(&slower, slow).unwrap();
    let out = push_then_pull_request(&fake, &job, &example("go/base.txt"), &slower);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // Replace the stored run by an empty one: the same pull request fails closed.
    let runs = stored_runs(&fake);
    assert_eq!(runs.len(), 1, "{runs:?}");
    let empty = r#"{"schema":"perfgate.run.v1","meta":{},"benchmarks":[]}"#;
    fake.state()
        .commit_files("perfgate-data", &[(runs[0].0.as_str(), empty)]);
    let job_ref = &job;
    let out = pull_request(job_ref, &[("results", "bench/pr.txt")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("holds no benchmarks"), "{}", text(&out));

    // Damage it beyond reading: the next push still records its run, with a warning.
    fake.state()
        .commit_files("perfgate-data", &[(runs[0].0.as_str(), "{not json")]);
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "push",
            "refs/heads/main",
            "4444444444444444444444444444444444444444",
            &push_payload(),
            &[("results", "bench/main.txt")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("recorded without a comparison"),
        "{}",
        text(&out)
    );
    assert_eq!(stored_runs(&fake).len(), 2);
    fake.verify().await;
}

/// Issue 11: k6 users gate on thresholds; the `budgets` input takes them in k6's form, without a
/// perfgate.toml and before any baseline exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k6_thresholds_in_the_budgets_input_gate_the_first_pull_request() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fs::copy(
        fixture("k6/k6-reporter-simple.json"),
        job.ws().join("bench/k6.json"),
    )
    .unwrap();
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let job_ref = &job;
    let run = |budgets: &str| {
        pull_request(
            job_ref,
            &[("results", "bench/k6.json"), ("budgets", budgets)],
        )
    };
    let out = run("# latency\nhttp_req_duration: p(95)<1\n\nhttp_req_failed: rate<0.5\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = job.report();
    let budgets = report["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 2, "{report:#}");
    assert!(text(&out).contains("p(95)"), "{}", text(&out));
    let out = run("http_req_duration: p(95)<60000");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run("http_req_duration: p(95) is fast");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("input `budgets`"), "{}", text(&out));
}

/// Issue 11's k6 case, on real runs (k6 v1.1.0, `tests/fixtures/reruns/quiet/k6`): the push on
/// main records a run, a pull request whose server hashes 200 KB more per request runs it again
/// with a `p(95) < 7ms` budget in k6's form. The comment leads with the broken budget, the p(95)
/// row comes within its first 15 lines, and it stays short; an unchanged rerun passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_slower_k6_run_breaks_its_p95_budget_in_a_short_comment() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let run = |name: &str| fixture(&format!("reruns/quiet/k6/{name}.json"));
    fs::copy(run("run1"), job.ws().join("bench/main.json")).unwrap();
    let out = push_to_main(&job, "bench/main.json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let inputs = [
        ("results", "bench/pr.json"),
        ("budgets", "http_req_duration: p(95)<7"),
    ];

    fs::copy(run("slow"), job.ws().join("bench/pr.json")).unwrap();
    let out = pull_request(&job, &inputs);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let body = fake.state().comments.last().unwrap().body.clone();
    assert!(
        body.starts_with(
            "### ❌ budget broken: http\\_req\\_duration p(95) 8.06 ms &gt; 7.00 ms · "
        ),
        "{body}"
    );
    let chars = body.chars().count();
    assert!(chars < 4_000, "{chars} characters:\n{body}");
    let p95 = body
        .lines()
        .position(|l| l.starts_with("| http\\_req\\_duration | p(95) +53.7%"))
        .unwrap_or(usize::MAX);
    assert!(p95 < 15, "the p(95) row is line {}:\n{body}", p95 + 1);

    // An unchanged rerun of the same test, in the same budget: passes, the comment updated. Its
    // rates moved 6.6%, beyond the threshold but within what reruns move with one run a side:
    // inconclusive, which does not fail the gate.
    fs::copy(run("run2"), job.ws().join("bench/pr.json")).unwrap();
    let out = pull_request(&job, &inputs);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .starts_with("### ⚠️ 4 inconclusive: data\\_sent rate -6.6%"),
        "{}",
        comments[0].body
    );
    assert!(
        comments[0].body.contains("1 budget met"),
        "{}",
        comments[0].body
    );
}

/// Issue 14, row 19: an API error whose body echoes the request (some proxies and GHES front ends
/// do) was printed verbatim, token included. It is redacted everywhere the step writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_error_that_echoes_the_token_never_prints_it() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let echo = format!("bad gateway for POST with Authorization: token {TOKEN}");
    fake.fault(
        "POST",
        "/comments",
        100,
        support::fake::FaultKind::Respond(400, serde_json::json!({"message": echo}), vec![]),
    );
    let main = example("go/base.txt");
    let out = push_then_pull_request(&fake, &job, &main, &main);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("bad gateway"), "{}", text(&out));
    assert!(!text(&out).contains(TOKEN), "{}", text(&out));
    assert!(text(&out).contains("***"), "{}", text(&out));
    assert!(!job.summary().contains(TOKEN));
}

/// Issue 14, row 20: a `comment-author` that is not the token's identity made a new comment on
/// every run, silently. The step now says which login GitHub posted as.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_author_that_is_not_the_token_is_named_in_a_warning() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), MAIN_SHA.into()));
    let job_ref = &job;
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &pr_payload(),
            &[
                ("results", "bench/pr.txt"),
                ("comment-author", "my-app[bot]"),
            ],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout
            .contains("::warning title=perfgate::the comment was posted as `github-actions[bot]`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("comment-author: github-actions[bot]"),
        "{stdout}"
    );
    fake.verify().await;
}

/// Pushes whose benchmark jobs finish out of order (two merges a minute apart, or a job
/// re-run on an older commit) keep main's history in commit order: the latest commit stays
/// the baseline of a pull request whose base has no run yet, whatever job finished last.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_of_pushes_that_finish_out_of_order_stay_in_commit_order() {
    let fake = FakeGitHub::start().await;
    let job = go_job(&fake);
    let [a, b, c] = ['a', 'b', 'c'].map(|x| x.to_string().repeat(40));
    let push = |sha: &str, committed: &str| {
        let payload = format!(
            r#"{{"ref":"refs/heads/main","after":"{sha}","head_commit":{{"id":"{sha}","timestamp":"{committed}","message":"m"}},
                "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
        );
        let out = push_commit(&job, sha, &payload, "bench/main.txt");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    };
    // Three merges; the middle one's job finishes last. Its run is compared with the run of the
    // commit before it, and goes before the later commit's.
    push(&a, "2026-12-06T10:00:00Z");
    push(&c, "2026-12-06T13:00:00+01:00");
    push(&b, "2026-12-06T11:00:00Z");
    assert!(
        job.summary()
            .contains("), the latest run of `main` committed before this one"),
        "{}",
        job.summary()
    );
    assert!(
        job.summary().contains("baseline aaaaaaa ("),
        "{}",
        job.summary()
    );
    assert!(
        job.summary().contains(
            "Recorded this run on `perfgate-data` in the history of `main`, before 1 later run, whose job finished first."
        ),
        "{}",
        job.summary()
    );
    let index: serde_json::Value =
        serde_json::from_str(&fake.state().files("perfgate-data")["default/index.json"]).unwrap();
    let order: Vec<&str> = index["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["commit"].as_str().unwrap())
        .collect();
    assert_eq!(order, [&a, &b, &c]);
    assert_eq!(index["runs"][1]["commit_time"], "2026-12-06T11:00:00Z");

    // Older than the three, with `keep: 3`: pruned by its own save, and the summary says so.
    let d = "d".repeat(40);
    let payload = format!(
        r#"{{"ref":"refs/heads/main","after":"{d}","head_commit":{{"id":"{d}","timestamp":"2026-12-06T09:00:00Z","message":"m"}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    );
    let out = tokio::task::block_in_place(|| {
        job.run(
            "push",
            "refs/heads/main",
            &d,
            &payload,
            &[("results", "bench/main.txt"), ("keep", "3")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        job.summary().contains("This run was not kept on `perfgate-data`: its commit is older than every run of `main` kept"),
        "{}",
        job.summary()
    );
    assert_eq!(stored_runs(&fake).len(), 3, "its file is gone too");

    // A pull request whose base has no run compares with the latest commit's run, not with
    // the run that finished last.
    let out = pull_request(&job, &[("results", "bench/pr.txt")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        job.summary().contains("perfgate · baseline ccccccc ("),
        "{}",
        job.summary()
    );

    // A commit dated in 2099 (a wrong clock) would keep every later run behind it: its run goes
    // at the end without a date, and the next push's run after it.
    let (e, f) = ("e".repeat(40), "f".repeat(40));
    push(&e, "2099-01-01T00:00:00Z");
    push(&f, "2026-12-06T14:00:00Z");
    assert!(
        job.summary().contains("as the latest baseline of `main`"),
        "{}",
        job.summary()
    );
    let index: serde_json::Value =
        serde_json::from_str(&fake.state().files("perfgate-data")["default/index.json"]).unwrap();
    let runs = index["runs"].as_array().unwrap();
    let last: Vec<(&str, Option<&str>)> = runs[runs.len() - 2..]
        .iter()
        .map(|r| (r["commit"].as_str().unwrap(), r["commit_time"].as_str()))
        .collect();
    assert_eq!(
        last,
        [
            (e.as_str(), None),
            (f.as_str(), Some("2026-12-06T14:00:00Z"))
        ]
    );
    fake.verify().await;
}

/// A `merge_group` job of a merge queue, on `base_sha` (main's tip, or the merge group ahead in
/// the queue), with `results`.
fn merge_group(job: &Job, base_sha: &str, results: &str) -> Output {
    let head = "4444444444444444444444444444444444444444";
    let queue_ref = format!("refs/heads/gh-readonly-queue/main/pr-7-{base_sha}");
    let payload = format!(
        r#"{{"action":"checks_requested","merge_group":{{"head_sha":"{head}","head_ref":"{queue_ref}",
            "base_sha":"{base_sha}","base_ref":"refs/heads/main","head_commit":{{"id":"{head}","message":"Merge pull request #7"}}}},
            "repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#
    );
    tokio::task::block_in_place(|| {
        job.run(
            "merge_group",
            &queue_ref,
            head,
            &payload,
            &[("results", results)],
        )
    })
}

/// A merge queue runs the required checks on `merge_group` events: the merged commit is
/// compared with the recorded run of the commit it was merged onto, fails the queue on the
/// regression, and neither comments (there is no pull request to comment on) nor records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_queue_compares_with_its_base_commit_and_fails_on_the_regression() {
    let fake = FakeGitHub::start().await;
    let job = go_job(&fake);
    let out = push_to_main(&job, "bench/main.txt");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let recorded = fake.state().files("perfgate-data");

    let out = merge_group(&job, MAIN_SHA, "bench/pr.txt");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("regression: BenchmarkEncode/format=json-48 time: +21.0%25"),
        "{}",
        text(&out)
    );
    let summary = job.summary();
    assert!(
        summary.contains("perfgate · baseline 1111111 ("),
        "{summary}"
    );
    assert!(
        summary.contains("), the base commit: 1 regression"),
        "{summary}"
    );
    assert_eq!(output_value(&job.outputs(), "verdict"), "fail");
    assert!(
        fake.state().comments.is_empty(),
        "no pull request to comment on"
    );
    assert_eq!(
        fake.state().files("perfgate-data"),
        recorded,
        "a merge group never records"
    );

    // Behind another merge group in the queue: its base has no recorded run, so main's latest
    // is the baseline, and the title says so with the branch as code.
    let ahead = "5555555555555555555555555555555555555555";
    let out = merge_group(&job, ahead, "bench/pr.txt");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let summary = job.summary();
    assert!(
        summary.contains("), the latest run of `main` (none for the base commit): 1 regression"),
        "{summary}"
    );
    assert!(fake.state().comments.is_empty());
    fake.verify().await;
}

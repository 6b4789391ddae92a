//! The built binary run the way the runner runs a container action — `INPUT_*` and `GITHUB_*`
//! variables, an event payload file, summary and output files, a workspace directory — against a
//! fake GitHub on loopback: a push to main records the baseline, then a pull request compares,
//! comments and fails on the regression, and a re-run leaves the comment as it is. Every request
//! is checked against GitHub's OpenAPI description by `FakeGitHub::verify`. Set `PERFGATE_BIN`
//! to run these against another build (the static musl binary of the container image).
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

const MAIN_SHA: &str = "1111111111111111111111111111111111111111";
const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

fn example(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(p)
}

struct Job {
    workspace: tempfile::TempDir,
    api_url: String,
}

impl Job {
    fn new(api_url: String) -> Job {
        let workspace = tempfile::tempdir().unwrap();
        fs::create_dir_all(workspace.path().join("bench")).unwrap();
        Job { workspace, api_url }
    }

    fn ws(&self) -> &Path {
        self.workspace.path()
    }

    /// Runs `perfgate action` with the runner's variables for `event` and `payload`.
    fn run(
        &self,
        event: &str,
        git_ref: &str,
        sha: &str,
        payload: &str,
        inputs: &[(&str, &str)],
    ) -> Output {
        self.run_on(event, git_ref, sha, payload, inputs, &[])
    }

    /// [`Job::run`] with more of the runner's variables, such as `ImageOS`.
    fn run_on(
        &self,
        event: &str,
        git_ref: &str,
        sha: &str,
        payload: &str,
        inputs: &[(&str, &str)],
        runner: &[(&str, &str)],
    ) -> Output {
        let event_path = self.ws().join("event.json");
        fs::write(&event_path, payload).unwrap();
        for f in ["summary.md", "output.txt"] {
            let _ = fs::remove_file(self.ws().join(f));
        }
        // PERFGATE_BIN runs another build, such as the static musl binary the image ships.
        let bin = std::env::var("PERFGATE_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_perfgate").to_string());
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("action")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_REF", git_ref)
            .env("GITHUB_SHA", sha)
            .env("GITHUB_REPOSITORY", format!("{OWNER}/{REPO}"))
            .env("GITHUB_API_URL", &self.api_url)
            .env("GITHUB_WORKSPACE", self.ws())
            .env("GITHUB_STEP_SUMMARY", self.ws().join("summary.md"))
            .env("GITHUB_OUTPUT", self.ws().join("output.txt"))
            .env("INPUT_GITHUB-TOKEN", TOKEN)
            .env("INPUT_FORMAT", "auto")
            .env("INPUT_FAIL-ON-REGRESSION", "true")
            .env("INPUT_COMMENT", "true")
            .env("INPUT_SUMMARY", "true")
            .env("INPUT_MODE", "auto")
            .env("INPUT_DATA-BRANCH", "perfgate-data")
            .env("INPUT_KEY", "default")
            .current_dir("/");
        for (k, v) in inputs {
            cmd.env(format!("INPUT_{}", k.to_uppercase()), v);
        }
        for (k, v) in runner {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(TOKEN), "the token was printed:\n{all}");
        out
    }

    fn outputs(&self) -> String {
        fs::read_to_string(self.ws().join("output.txt")).unwrap()
    }

    /// The JSON report of the last run, found through the step's `report-json` output.
    fn report(&self) -> serde_json::Value {
        let path = self.ws().join(output_value(&self.outputs(), "report-json"));
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    }
}

fn output_value(outputs: &str, name: &str) -> String {
    let mut lines = outputs.lines();
    while let Some(l) = lines.next() {
        if let Some(delim) = l.strip_prefix(&format!("{name}<<")) {
            let mut value = Vec::new();
            for v in lines.by_ref() {
                if v == delim {
                    return value.join("\n");
                }
                value.push(v);
            }
        }
    }
    panic!("no output {name} in {outputs}")
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

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_records_then_pull_request_compares_comments_and_fails() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    fs::copy(example("go/base.txt"), job.ws().join("bench/main.txt")).unwrap();
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();

    // 1. A push to main records the run on the data branch (creating it).
    let job_ref = &job;
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "push",
            "refs/heads/main",
            MAIN_SHA,
            &push_payload(),
            &[("results", "bench/main.txt")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("recorded run"), "{}", text(&out));
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
    let summary = fs::read_to_string(job.ws().join("summary.md")).unwrap();
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
    let payload = pr_payload().replacen(
        &format!(
            r#""head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"{OWNER}/{REPO}"}}"#
        ),
        &format!(
            r#""head":{{"ref":"feature","sha":"{HEAD_SHA}","repo":{{"full_name":"someone/{REPO}"}}"#
        ),
        1,
    );
    let job_ref = &job;
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &payload,
            &[("results", "bench/pr.txt")],
        )
    });
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
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "workflow_run",
            "refs/heads/main",
            MAIN_SHA,
            "{}",
            &[("mode", "comment"), ("results", "perfgate-report/default")],
        )
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
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
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "workflow_run",
            "refs/heads/main",
            MAIN_SHA,
            "{}",
            &[("mode", "comment"), ("results", "perfgate-report/default")],
        )
    });
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not posting a stale or forged report"),
        "{}",
        text(&out)
    );
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_results_fail_with_an_annotation_and_exit_2() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let job_ref = &job;
    let out = tokio::task::block_in_place(|| {
        job_ref.run(
            "pull_request",
            "refs/pull/7/merge",
            HEAD_SHA,
            &pr_payload(),
            &[("results", "bench/*.json")],
        )
    });
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("::error title=perfgate::no file matches `bench/*.json`"),
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

/// Main ran on two runner images in turn; a pull request on the first one is compared with the
/// latest run on it, not with the base commit's run on the other (which would have been
/// inconclusive), although every metric has samples (one run is read otherwise).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_is_compared_with_a_run_on_its_kind_of_machine() {
    let fake = FakeGitHub::start().await;
    let job = Job::new(fake.api_url());
    let job_ref = &job;
    fs::copy(example("go/base.txt"), job.ws().join("bench/main.txt")).unwrap();
    fs::copy(example("go/head.txt"), job.ws().join("bench/pr.txt")).unwrap();
    let shas = [format!("{:040x}", 1), format!("{:040x}", 2)];
    for (sha, image) in shas.iter().zip(["ubuntu24", "ubuntu22"]) {
        let payload = push_payload().replace(MAIN_SHA, sha);
        let out = tokio::task::block_in_place(|| {
            job_ref.run_on(
                "push",
                "refs/heads/main",
                sha,
                &payload,
                &[("results", "bench/main.txt")],
                &[("ImageOS", image), ("ImageVersion", "20251112.1")],
            )
        });
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    fake.state()
        .pulls
        .insert(7, (HEAD_SHA.into(), shas[1].clone()));
    let payload = pr_payload().replace(MAIN_SHA, &shas[1]);
    let pull_request_on = |image: &str| {
        tokio::task::block_in_place(|| {
            job_ref.run_on(
                "pull_request",
                "refs/pull/7/merge",
                HEAD_SHA,
                &payload,
                &[("results", "bench/pr.txt")],
                &[("ImageOS", image), ("ImageVersion", "20251119.1")],
            )
        })
    };
    let out = pull_request_on("ubuntu24");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = job.report();
    assert_eq!(report["cross_environment"], false, "{report:#}");
    assert_eq!(report["other_environment_runs"], 1);
    assert_eq!(report["baseline_run"]["commit"], shas[0].as_str());
    assert_eq!(report["counts"]["regression"], 1);
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
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
    // Without the choice of machine, the base commit's run decides: inconclusive, passing.
    let out = pull_request_on("ubuntu20");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    fake.verify().await;
}

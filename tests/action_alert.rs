//! Issue 12, part 4: the watch on the default branch. Pushes in a row run the built binary as a
//! hosted runner runs the Action's container against a fake GitHub on loopback whose data branch
//! they record to; when a push's run confirms a level shift for the worse, `alert:
//! commit-comment` comments once on the commit that started it, and `alert: issue` keeps one
//! issue per key, closed when a later shift undoes the first. Every request and answer is checked
//! against GitHub's OpenAPI description (`FakeGitHub::verify`).
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
use perfgate::model::{Data, Metric, Run, RunMeta, Unit};
use serde_json::json;
use support::fake::{FakeGitHub, FaultKind, OWNER, REPO, TOKEN};
use support::runner::{output_value, text, Job, DATA_BRANCH};
use support::runs::{go_run, main_meta, record_runs, sha};

/// [`go_run`] with its allocations too.
fn run(level: f64, meta: RunMeta) -> Run {
    let mut r = go_run(level, meta);
    r.benchmarks[0].push(Metric::new("B/op", Unit::Bytes, Data::Value(4096.0)));
    r
}

/// Records 12 runs of main at about 1 µs (commits 1 to 12), as saves write them.
fn record(fake: &FakeGitHub) {
    record_runs(fake, (1..=12).map(|i| run(1000.0 + i as f64, main_meta(i))));
}

/// What one push's job left.
struct Push {
    out: Output,
    summary: String,
    outputs: String,
}

/// Runs `perfgate action` for a push to main of commit `sha(i)` whose results are `level` ns.
fn push(fake: &FakeGitHub, i: usize, level: f64, inputs: &[(&str, &str)]) -> Push {
    let job = Job::new(fake.api_url());
    let current = run(level, RunMeta::default());
    fs::write(job.ws().join("main.json"), run_format::to_string(&current)).unwrap();
    let payload = format!(
        r#"{{"ref":"refs/heads/main","after":"{}","repository":{{"full_name":"{OWNER}/{REPO}","default_branch":"main"}}}}"#,
        sha(i)
    );
    let mut all = vec![
        ("results", "main.json"),
        ("comment", "false"),
        ("data-branch", DATA_BRANCH),
    ];
    all.extend_from_slice(inputs);
    let out =
        tokio::task::block_in_place(|| job.run("push", "refs/heads/main", &sha(i), &payload, &all));
    Push {
        summary: job.summary(),
        outputs: job.outputs(),
        out,
    }
}

/// The pushes after `SLOWER` that revert it at commit 18: back to about 1 µs, confirmed by 20.
const BACK: [(usize, f64); 4] = [(18, 1004.0), (19, 1010.0), (20, 998.0), (21, 1006.0)];

/// Pushes `runs` in a row with `inputs`, each job exiting 0; returns their logs together.
fn pushes(fake: &FakeGitHub, runs: &[(usize, f64)], inputs: &[(&str, &str)]) -> String {
    let mut logs = String::new();
    for &(i, level) in runs {
        let p = push(fake, i, level, inputs);
        assert_eq!(p.out.status.code(), Some(0), "push {i}: {}", text(&p.out));
        logs.push_str(&text(&p.out));
    }
    logs
}

/// The pushes of a change that makes `BenchmarkParse-8` 30% slower at commit 13.
const SLOWER: [(usize, f64); 5] = [
    (13, 1300.0),
    (14, 1312.0),
    (15, 1291.0),
    (16, 1305.0),
    (17, 1296.0),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_commit_comment_per_shift_on_the_commit_that_started_it_over_several_pushes() {
    let fake = FakeGitHub::start().await;
    record(&fake);
    let mut confirmed_by = Vec::new();
    for (i, level) in SLOWER {
        let p = push(&fake, i, level, &[("alert", "commit-comment")]);
        assert_eq!(p.out.status.code(), Some(0), "{}", text(&p.out));
        assert!(text(&p.out).contains("recorded run"), "{}", text(&p.out));
        if output_value(&p.outputs, "alerts") != "0" {
            confirmed_by.push(i);
            assert!(
                p.summary.contains(&format!(
                    "got slower at [`0000000`](https://github.com/{OWNER}/{REPO}/commit/{})",
                    sha(13)
                )),
                "{}",
                p.summary
            );
        }
    }
    // Commit 13 is one slow run, 14 a second one apart from the history, 15 the third: the new
    // level, started by commit 13.
    assert_eq!(confirmed_by, [15]);
    let posts: Vec<String> = fake
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("POST") && c.ends_with("/comments"))
        .collect();
    assert_eq!(
        posts,
        [format!(
            "POST /repos/{OWNER}/{REPO}/commits/{}/comments",
            sha(13)
        )]
    );
    let comments = fake.state().commit_comments.clone();
    assert_eq!(comments.len(), 1);
    let body = &comments[&sha(13)][0].body;
    assert!(body.ends_with(" -->"), "{body}");
    insta::assert_snapshot!("commit_comment_from_the_action", body);

    // Running the confirming push's job again (a re-run) finds the comment and posts none.
    let again = push(&fake, 15, 1299.0, &[("alert", "commit-comment")]);
    assert_eq!(again.out.status.code(), Some(0), "{}", text(&again.out));
    assert_eq!(fake.state().commit_comments[&sha(13)].len(), 1);
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_opens_on_a_slower_level_and_closes_when_a_later_shift_undoes_it() {
    let fake = FakeGitHub::start().await;
    record(&fake);
    let issue = [("alert", "issue")];
    for (i, level) in SLOWER {
        let p = push(&fake, i, level, &issue);
        assert_eq!(p.out.status.code(), Some(0), "{}", text(&p.out));
        // Opened by push 15, which confirms the level that commit 13 started.
        assert_eq!(fake.state().issues.len(), usize::from(i >= 15), "push {i}");
    }
    {
        let s = fake.state();
        let opened = &s.issues[0];
        assert_eq!(
            (opened.state.as_str(), opened.labels.as_slice()),
            ("open", ["perfgate".to_string()].as_slice())
        );
        assert_eq!(opened.title, "perfgate: main got slower");
        assert!(opened.body.contains(&sha(13)), "{}", opened.body);
        insta::assert_snapshot!("issue_opened_by_the_action", opened.body);
    }
    // The change is reverted at commit 18: back to about 1 µs.
    for (i, level) in BACK {
        let p = push(&fake, i, level, &issue);
        assert_eq!(p.out.status.code(), Some(0), "{}", text(&p.out));
        let closed = fake.state().issues[0].state == "closed";
        // 18 and 19 are apart from the slower level; 20 confirms the level back.
        assert_eq!(closed, i >= 20, "push {i}: {}", text(&p.out));
    }
    {
        let s = fake.state();
        assert_eq!(s.issues.len(), 1, "one issue per key");
        assert_eq!(s.issues[0].state_reason.as_deref(), Some("completed"));
        assert!(s.issues[0].body.contains("Every shift is undone"));
        let closing: Vec<&str> = s
            .comments
            .iter()
            .map(|c| c.body.as_str())
            .filter(|b| b.contains("this issue is closed"))
            .collect();
        assert_eq!(closing.len(), 1, "{:?}", s.comments);
        assert!(closing[0].contains(&sha(20)), "{}", closing[0]);
    }
    fake.verify().await;
}

/// Two pushes at once that confirm the same shift each list no issue and each open one: the key
/// had two open issues, and later pushes kept only the oldest up to date. The job that opened
/// the newer one sees the older, closes its own as a duplicate and carries its alert there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_at_once_that_each_open_the_issue_keep_the_oldest() {
    let issue = [("alert", "issue")];
    // The issue push 15 opens, as another job at the same moment would open it.
    let other = {
        let fake = FakeGitHub::start().await;
        record(&fake);
        pushes(&fake, &SLOWER[..3], &issue);
        let s = fake.state();
        assert_eq!(s.issues.len(), 1);
        s.issues[0].clone()
    };
    let fake = FakeGitHub::start().await;
    record(&fake);
    pushes(&fake, &SLOWER[..2], &issue);
    // Push 15's job listed no issue; the other job's lands just before its own.
    fake.fault(
        "POST",
        "/issues",
        1,
        FaultKind::Before(Box::new(move |s| s.issues.push(other.clone()))),
    );
    let p = push(&fake, 15, 1291.0, &issue);
    assert_eq!(p.out.status.code(), Some(0), "{}", text(&p.out));
    assert!(
        text(&p.out).contains("as a duplicate of https://github.com/octo-org/perf-repo/issues/1, opened at the same moment"),
        "{}",
        text(&p.out)
    );
    {
        let s = fake.state();
        let open: Vec<u64> = s
            .issues
            .iter()
            .filter(|i| i.state == "open")
            .map(|i| i.number)
            .collect();
        assert_eq!(open, [1], "{:?}", s.issues);
        let dup = &s.issues[1];
        assert_eq!(dup.state_reason.as_deref(), Some("duplicate"));
        assert!(dup.body.starts_with("Duplicate of #1: "), "{}", dup.body);
    }
    // Later pushes keep the one issue: reverted and confirmed back, it closes as completed.
    pushes(&fake, &SLOWER[3..], &issue);
    pushes(&fake, &BACK, &issue);
    {
        let s = fake.state();
        assert_eq!(s.issues.len(), 2);
        assert_eq!(s.issues[0].state_reason.as_deref(), Some("completed"));
    }
    fake.verify().await;
}

/// A 502 on the alert's POST, whether the request landed (its answer lost) or not: the alert is
/// written once all the same, with no warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_whose_post_fails_with_a_5xx_is_written_once() {
    let bad_gateway = || FaultKind::Respond(502, json!({"message": "Server Error"}), Vec::new());
    for (mode, path) in [("commit-comment", "/comments"), ("issue", "/issues")] {
        for landed in [true, false] {
            let fake = FakeGitHub::start().await;
            record(&fake);
            let kind = if landed {
                FaultKind::LoseAnswer(502)
            } else {
                bad_gateway()
            };
            fake.fault("POST", path, 1, kind);
            let logs = pushes(&fake, &SLOWER, &[("alert", mode)]);
            let case = format!("{mode}, landed {landed}");
            assert!(
                !logs.contains("the alert was not written"),
                "{case}: {logs}"
            );
            let failed_posts = fake
                .log()
                .iter()
                .filter(|e| e.method == "POST" && e.path.contains(path) && e.status == 502)
                .count();
            assert_eq!(failed_posts, 1, "{case}: the fault was met once");
            {
                let s = fake.state();
                if mode == "issue" {
                    assert_eq!(s.issues.len(), 1, "{case}");
                    assert!(logs.contains("perfgate: alert: opened "), "{case}: {logs}");
                } else {
                    assert_eq!(s.commit_comments.len(), 1, "{case}");
                    assert_eq!(s.commit_comments[&sha(13)].len(), 1, "{case}");
                    assert!(
                        logs.contains(&format!("perfgate: alert: commented on {}", sha(13))),
                        "{case}: {logs}"
                    );
                }
            }
            fake.verify().await;
        }
    }
}

/// The closing comment's POST answered 502 after it landed: the issue is closed with one closing
/// comment, not one per push until the body says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issue_comment_whose_answer_was_lost_is_not_posted_twice() {
    let fake = FakeGitHub::start().await;
    record(&fake);
    let issue = [("alert", "issue")];
    pushes(&fake, &SLOWER, &issue);
    let number = fake.state().issues[0].number;
    fake.fault(
        "POST",
        &format!("/issues/{number}/comments"),
        1,
        FaultKind::LoseAnswer(502),
    );
    let logs = pushes(&fake, &BACK, &issue);
    assert!(!logs.contains("the alert was not written"), "{logs}");
    {
        let s = fake.state();
        assert_eq!(s.issues[0].state, "closed");
        let closing = s
            .comments
            .iter()
            .filter(|c| c.body.contains("this issue is closed"))
            .count();
        assert_eq!(closing, 1, "{:?}", s.comments);
    }
    let lost = fake
        .log()
        .iter()
        .filter(|e| e.method == "POST" && e.status == 502)
        .count();
    assert_eq!(lost, 1, "the fault was met");
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_may_not_comment_on_commits_gets_a_warning_and_the_run_is_recorded() {
    let fake = FakeGitHub::start().await;
    record(&fake);
    fake.fault(
        "POST",
        "/comments",
        1,
        FaultKind::Respond(
            403,
            json!({"message": "Resource not accessible by integration",
                   "documentation_url": "https://docs.github.com/rest/commits/comments#create-a-commit-comment",
                   "status": "403"}),
            Vec::new(),
        ),
    );
    let mut last = None;
    for (i, level) in SLOWER.iter().take(3) {
        last = Some(push(&fake, *i, *level, &[("alert", "commit-comment")]));
    }
    let p = last.unwrap();
    let log = text(&p.out);
    assert_eq!(p.out.status.code(), Some(0), "{log}");
    assert!(log.contains("recorded run"), "{log}");
    assert!(
        log.lines().any(|l| l.starts_with("::warning")
            && l.contains("the alert was not written")
            && l.contains("`contents: write`")),
        "{log}"
    );
    assert!(!log.contains(TOKEN));
    assert!(fake.state().commit_comments.is_empty());
    fake.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_alert_fails_the_push_that_confirms_a_shift_and_no_other() {
    let fake = FakeGitHub::start().await;
    record(&fake);
    let mut codes = Vec::new();
    for (i, level) in SLOWER.iter().take(4) {
        let p = push(&fake, *i, *level, &[("fail-on-alert", "true")]);
        assert!(text(&p.out).contains("recorded run"), "{}", text(&p.out));
        codes.push(p.out.status.code());
        if *i == 15 {
            assert!(p.summary.contains("this job fails (`fail-on-alert: true`)"));
        }
    }
    assert_eq!(codes, [Some(0), Some(0), Some(1), Some(0)]);
    // `alert: none` (the default) writes nothing beyond the summary.
    assert!(!fake
        .calls()
        .iter()
        .any(|c| c.contains("/comments") || c.contains("/issues")));
    fake.verify().await;
}

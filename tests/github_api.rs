//! The GitHub API client, the sticky comment and the data-branch store against a fake GitHub on
//! loopback. Every request perfgate sends and every answer the fake gives is checked against
//! `tests/fixtures/github/rest-subset.json` (the operations perfgate may use) by
//! `FakeGitHub::verify`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use perfgate::compare;
use perfgate::config::{Config, HistoryConfig};
use perfgate::formats::perfgate as run_format;
use perfgate::github::api::{
    ApiError, Client, ClientConfig, GitHub, Repo, RetryPolicy, Timeouts, Token,
};
use perfgate::github::comment::{
    marker, upsert_comment, CommentAction, CommentError, COMMENT_LIMIT_CHARS,
};
use perfgate::github::datastore::{
    summaries_only, BaselineKind, BlockingDataBranch, DataBranch, DataError,
};
use perfgate::model::Run;
use perfgate::store::{BaselineStore, Index, IndexEntry};
use serde_json::json;
use support::fake::{FakeGitHub, FaultKind, BOT, OWNER, REPO, TOKEN};
use support::openapi::Spec;

const BRANCH: &str = "perfgate-data";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_rate_limit_wait: Duration::from_secs(60),
        max_rate_limit_retries: 3,
        secondary_rate_limit_wait: Duration::from_millis(10),
        rate_limit_margin: Duration::ZERO,
    }
}

fn config(api_url: &str) -> ClientConfig {
    ClientConfig {
        api_url: api_url.to_string(),
        token: Some(Token::new(TOKEN)),
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(5),
            request: Duration::from_secs(10),
        },
        retry: fast_retry(),
    }
}

fn client(fake: &FakeGitHub) -> Client {
    Client::new(config(&fake.api_url())).unwrap()
}

fn repo() -> Repo {
    Repo::parse(&format!("{OWNER}/{REPO}")).unwrap()
}

fn store(fake: &FakeGitHub) -> DataBranch {
    DataBranch::new(client(fake), repo(), BRANCH, "default")
}

/// The fixture run, with its commit, branch and time replaced.
fn run(commit: &str, branch: &str, minute: u32) -> Run {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/run.json"
    ))
    .unwrap();
    let mut run = run_format::parse(&text).unwrap();
    run.meta.commit = Some(commit.to_string());
    run.meta.branch = Some(branch.to_string());
    run.meta.timestamp = Some(format!("2026-11-18T11:{minute:02}:00Z"));
    run
}

/// A 40-digit commit id whose first digits tell commits apart.
fn sha(n: u32) -> String {
    format!("{n:06x}a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7")
}

fn index_on(fake: &FakeGitHub) -> Index {
    let files = fake.state().files(BRANCH);
    Index::parse(&files["default/index.json"]).unwrap()
}

fn run_files(fake: &FakeGitHub) -> Vec<String> {
    fake.state()
        .files(BRANCH)
        .into_keys()
        .filter(|p| p.starts_with("default/runs/"))
        .collect()
}

fn rate_limited(status: u16, headers: Vec<(&str, String)>) -> FaultKind {
    FaultKind::Respond(
        status,
        json!({"message": "API rate limit exceeded for installation ID 1.",
               "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}),
        headers
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn server_error(status: u16) -> FaultKind {
    FaultKind::Respond(
        status,
        json!({"message": "Server Error", "documentation_url": "https://docs.github.com/rest"}),
        vec![],
    )
}

// ---- the sticky comment ----

#[tokio::test]
async fn posts_the_first_comment_with_the_marker_as_its_last_line() {
    let fake = FakeGitHub::start().await;
    let out = upsert_comment(
        &client(&fake),
        &repo(),
        7,
        "default",
        "## perfgate\n\nPASS\n",
        BOT,
    )
    .await
    .unwrap();
    assert_eq!(out.action, CommentAction::Created);
    assert!(
        out.url
            .ends_with(&format!("/pull/7#issuecomment-{}", out.id)),
        "{}",
        out.url
    );
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    assert_eq!(
        comments[0].body,
        "## perfgate\n\nPASS\n\n<!-- perfgate:comment key=default -->"
    );
    assert_eq!(
        fake.calls(),
        [
            format!("GET /repos/{OWNER}/{REPO}/issues/7/comments"),
            format!("POST /repos/{OWNER}/{REPO}/issues/7/comments"),
            // Looks again for a comment another job made at the same time.
            format!("GET /repos/{OWNER}/{REPO}/issues/7/comments"),
        ]
    );
    fake.verify().await;
}

#[tokio::test]
async fn updates_existing_comment_instead_of_posting_twice() {
    let fake = FakeGitHub::start().await;
    let id = {
        let mut s = fake.state();
        s.add_comment("octocat", "LGTM");
        s.add_comment(BOT, &format!("old report\n\n{}", marker("default")))
    };
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "new report", BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Updated);
    assert_eq!(out.id, id);
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 2, "no second comment");
    assert_eq!(
        comments[1].body,
        format!("new report\n\n{}", marker("default"))
    );
    assert_eq!(comments[0].body, "LGTM");
    assert!(fake.calls()[1].starts_with("PATCH "), "{:?}", fake.calls());
    fake.verify().await;
}

#[tokio::test]
async fn leaves_an_identical_comment_alone() {
    let fake = FakeGitHub::start().await;
    let id = fake
        .state()
        .add_comment(BOT, &format!("same report\n\n{}", marker("default")));
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "same report\n", BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Unchanged);
    assert_eq!(out.id, id);
    assert_eq!(fake.calls().len(), 1, "only the list: {:?}", fake.calls());
    fake.verify().await;
}

#[tokio::test]
async fn finds_its_comment_on_the_third_page() {
    let fake = FakeGitHub::start().await;
    let id = {
        let mut s = fake.state();
        for i in 0..230 {
            s.add_comment("octocat", &format!("comment {i}"));
        }
        let id = s.add_comment(BOT, &format!("old\n\n{}", marker("default")));
        for i in 0..5 {
            s.add_comment("octocat", &format!("later {i}"));
        }
        id
    };
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "new", BOT)
        .await
        .unwrap();
    assert_eq!((out.action, out.id), (CommentAction::Updated, id));
    let pages: Vec<String> = fake
        .log()
        .iter()
        .filter(|e| e.method == "GET")
        .map(|e| e.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        pages,
        [
            "per_page=100&page=1",
            "per_page=100&page=2",
            "per_page=100&page=3"
        ]
    );
    // The Link header points at /repositories/{id}/..., which is not followed.
    assert!(fake.calls().iter().all(|c| c.contains("/repos/")));
    fake.verify().await;
}

#[tokio::test]
async fn ignores_a_marker_comment_written_by_someone_else() {
    let fake = FakeGitHub::start().await;
    let forged = format!("pwned\n\n{}", marker("default"));
    fake.state().add_comment("mallory", &forged);
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Created);
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments[0].body, forged,
        "the other user's comment is untouched"
    );
    fake.verify().await;
}

#[tokio::test]
async fn updates_the_most_recent_of_several_matching_comments_deletes_the_others_and_keeps_keys_apart(
) {
    let fake = FakeGitHub::start().await;
    let (_older, newer, other_key) = {
        let mut s = fake.state();
        (
            s.add_comment(BOT, &format!("a\n\n{}", marker("default"))),
            s.add_comment(BOT, &format!("b\n\n{}", marker("default"))),
            s.add_comment(BOT, &format!("c\n\n{}", marker("linux-x64"))),
        )
    };
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "d", BOT)
        .await
        .unwrap();
    assert_eq!((out.action, out.id), (CommentAction::Updated, newer));
    let c = fake.state().comments.clone();
    // The older duplicate of the key is deleted; the other key's comment stays.
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(c[0].body.starts_with("d\n"));
    assert!(c[1].body.starts_with("c\n"));
    assert_ne!(out.id, other_key);
    fake.verify().await;
}

/// `body` upserted as key `default` ends as the one comment of the key, updated (another job's).
async fn upserts_into_one_comment(fake: &FakeGitHub, body: &str) {
    let out = upsert_comment(&client(fake), &repo(), 7, "default", body, BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Updated);
    let c = fake.state().comments.clone();
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].id, out.id);
    assert_eq!(c[0].body, format!("{body}\n\n{}", marker("default")));
    fake.verify().await;
}

/// Jobs of one pull request at once (a matrix with one key, re-runs): the comment a job is
/// about to update can be deleted by another that saw a newer one. The update met a 404 and
/// the job failed; it looks again and the newer comment carries its report.
#[tokio::test]
async fn a_comment_deleted_by_another_job_before_the_update_moves_the_report_to_the_newer_one() {
    let fake = FakeGitHub::start().await;
    let older = fake
        .state()
        .add_comment(BOT, &format!("a\n\n{}", marker("default")));
    fake.fault(
        "PATCH",
        "/issues/comments/",
        1,
        FaultKind::Before(Box::new(move |s| {
            // Another job posted a comment, saw the older one and deleted it.
            s.add_comment(BOT, &format!("b\n\n{}", marker("default")));
            s.comments.retain(|c| c.id != older);
        })),
    );
    upserts_into_one_comment(&fake, "c").await;
}

/// The same after posting: a job that made a comment and saw a newer one carries its report
/// there; that one can be gone too by then (a third job saw a newer still).
#[tokio::test]
async fn a_posted_comment_follows_the_newest_one_even_when_it_goes_meanwhile() {
    let fake = FakeGitHub::start().await;
    fake.fault(
        "POST",
        "/issues/7/comments",
        1,
        FaultKind::Before(Box::new(|s| {
            s.add_comment(BOT, &format!("b\n\n{}", marker("default")));
        })),
    );
    // The job posts (its comment is newer than b), then a fourth comment appears before it looks
    // again, and is deleted with the one before it just as the job updates it.
    fake.fault(
        "GET",
        "/issues/7/comments",
        2,
        FaultKind::Before(Box::new(|s| {
            if s.comments.len() == 2 {
                s.add_comment(BOT, &format!("d\n\n{}", marker("default")));
            }
        })),
    );
    fake.fault(
        "PATCH",
        "/issues/comments/",
        1,
        FaultKind::Before(Box::new(|s| {
            let newest = s.add_comment(BOT, &format!("e\n\n{}", marker("default")));
            s.comments
                .retain(|c| c.id == newest || c.body.starts_with("c\n"));
        })),
    );
    upserts_into_one_comment(&fake, "c").await;
}

#[tokio::test]
async fn refuses_a_comment_over_the_length_limit_before_any_request() {
    let fake = FakeGitHub::start().await;
    let body = "x".repeat(COMMENT_LIMIT_CHARS);
    let e = upsert_comment(&client(&fake), &repo(), 7, "default", &body, BOT)
        .await
        .unwrap_err();
    assert!(matches!(e, CommentError::TooLong { .. }), "{e}");
    assert!(e.to_string().contains("65536"), "{e}");
    assert!(fake.calls().is_empty());
}

// ---- fork pull requests: read-only token ----

#[tokio::test]
async fn a_read_only_token_reads_the_baseline_but_cannot_write_and_says_which_permission() {
    let fake = FakeGitHub::start().await;
    store(&fake)
        .save(&run(&sha(1), "main", 1), 100)
        .await
        .unwrap();
    fake.state().read_only = true;

    let base = store(&fake)
        .baseline(Some(&sha(1)), "main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(base.kind, BaselineKind::BaseCommit);
    assert_eq!(base.run, run(&sha(1), "main", 1));

    let e = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("pull-requests: write"), "{text}");
    assert!(
        text.contains("Resource not accessible by integration"),
        "{text}"
    );
    assert!(text.contains("fork"), "{text}");

    let e = store(&fake)
        .save(&run(&sha(2), "main", 2), 100)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("contents: write"), "{e}");
    fake.verify().await;
}

// ---- baselines on the data branch ----

#[tokio::test]
async fn first_save_creates_the_data_branch_with_the_git_data_api() {
    let fake = FakeGitHub::start().await;
    let r = run(&sha(1), "main", 1);
    let out = store(&fake).save(&r, 100).await.unwrap();
    assert!(out.created_branch);
    let p = format!("/repos/{OWNER}/{REPO}");
    assert_eq!(
        fake.calls(),
        [
            format!("GET {p}/git/ref/heads/{BRANCH}"),
            format!("POST {p}/git/blobs"),
            format!("POST {p}/git/blobs"),
            format!("POST {p}/git/trees"),
            format!("POST {p}/git/commits"),
            format!("POST {p}/git/refs"),
        ]
    );
    let files = fake.state().files(BRANCH);
    let index = Index::parse(&files["default/index.json"]).unwrap();
    assert_eq!(index.runs, std::slice::from_ref(&out.entry));
    let saved = &files[&format!("default/runs/{}.json", out.entry.id)];
    assert_eq!(run_format::parse(saved).unwrap(), r);
    fake.verify().await;
}

#[tokio::test]
async fn a_later_save_puts_the_run_file_then_the_index_with_its_sha() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    let first = s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    let before = fake.log().len();
    let second = s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    assert!(!second.created_branch);
    let p = format!("/repos/{OWNER}/{REPO}");
    assert_eq!(
        fake.calls()[before..],
        [
            format!("GET {p}/git/ref/heads/{BRANCH}"),
            format!("GET {p}/contents/default/index.json"),
            format!("PUT {p}/contents/default/runs/{}.json", second.entry.id),
            format!("PUT {p}/contents/default/index.json"),
        ]
    );
    let log = fake.log();
    let index_put = log.last().unwrap().request_body.clone().unwrap();
    assert!(
        index_put["sha"].is_string(),
        "the index PUT names the sha it read"
    );
    assert_eq!(index_put["branch"], BRANCH);
    assert_eq!(index_on(&fake).runs, [first.entry, second.entry]);
    fake.verify().await;
}

#[tokio::test]
async fn a_concurrent_save_conflict_is_retried_and_no_run_is_lost() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();

    // Another job saves between our read of the index and our write of it.
    let rival = run(&sha(9), "main", 9);
    let mut rival_index = index_on(&fake);
    let rival_entry = rival_index.entry_for(&rival);
    rival_index.push_and_prune(rival_entry.clone(), 100);
    let rival_path = format!("default/runs/{}.json", rival_entry.id);
    let rival_text = run_format::to_string(&rival);
    let rival_json = rival_index.to_json();
    fake.fault(
        "PUT",
        "/contents/default/index.json",
        1,
        FaultKind::Before(Box::new(move |state| {
            state.commit_files(
                BRANCH,
                &[
                    (&rival_path, &rival_text),
                    ("default/index.json", &rival_json),
                ],
            );
        })),
    );

    let out = s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    assert_eq!(out.conflicts, 1);
    let statuses: Vec<u16> = fake
        .log()
        .iter()
        .filter(|e| e.method == "PUT" && e.path.ends_with("index.json"))
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses[statuses.len() - 2..], [409, 200]);
    let ids: Vec<String> = index_on(&fake).runs.into_iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&rival_entry.id) && ids.contains(&out.entry.id));
    assert_eq!(run_files(&fake).len(), 3);
    fake.verify().await;
}

#[tokio::test]
async fn an_index_write_that_landed_despite_a_server_error_is_not_applied_twice() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    fake.fault(
        "PUT",
        "/contents/default/index.json",
        1,
        FaultKind::LoseAnswer(502),
    );
    let out = s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    // The retry with the old sha met a 409; the re-read index already named the run.
    let statuses: Vec<u16> = fake
        .log()
        .iter()
        .filter(|e| e.method == "PUT" && e.path.ends_with("index.json"))
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses[statuses.len() - 2..], [502, 409]);
    assert_eq!(out.conflicts, 1);
    let ids: Vec<String> = index_on(&fake).runs.into_iter().map(|e| e.id).collect();
    assert_eq!(
        ids.iter().filter(|id| **id == out.entry.id).count(),
        1,
        "{ids:?}"
    );
    assert_eq!(ids.len(), 2);
    fake.verify().await;
}

#[tokio::test]
async fn prunes_runs_beyond_keep_and_deletes_their_files_in_one_commit() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    let mut saved = Vec::new();
    for i in 1..=3 {
        saved.push(s.save(&run(&sha(i), "main", i), 2).await.unwrap());
    }
    // Runs of another branch are counted apart.
    s.save(&run(&sha(50), "feature", 50), 2).await.unwrap();
    let last = &saved[2];
    assert_eq!(last.pruned, [saved[0].entry.id.clone()]);
    assert_eq!(last.prune_warning, None);
    let main: Vec<String> = index_on(&fake)
        .runs
        .iter()
        .filter(|e| e.meta.branch.as_deref() == Some("main"))
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(main, [saved[1].entry.id.clone(), saved[2].entry.id.clone()]);
    let files = run_files(&fake);
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(!files.iter().any(|f| f.contains(&saved[0].entry.id)));
    let log = fake.log();
    let tree = log
        .iter()
        .rev()
        .find(|e| e.path.ends_with("/git/trees"))
        .unwrap();
    let body = tree.request_body.clone().unwrap();
    assert!(body["base_tree"].is_string());
    assert_eq!(body["tree"][0]["sha"], serde_json::Value::Null);
    let patch = log.iter().rev().find(|e| e.method == "PATCH").unwrap();
    assert_eq!(patch.request_body.clone().unwrap()["force"], false);
    fake.verify().await;
}

#[tokio::test]
async fn a_prune_that_loses_a_race_keeps_the_run_and_says_so() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 1).await.unwrap();
    // Someone moves the branch between our index commit and the prune commit.
    fake.fault(
        "POST",
        "/git/commits",
        1,
        FaultKind::Before(Box::new(|state| {
            state.commit_files(BRANCH, &[("other/index.json", "{}")]);
        })),
    );
    let out = s.save(&run(&sha(2), "main", 2), 1).await.unwrap();
    assert_eq!(out.pruned.len(), 1);
    let warning = out.prune_warning.unwrap();
    assert!(warning.contains("not a fast forward"), "{warning}");
    assert_eq!(index_on(&fake).runs, [out.entry]);
    fake.verify().await;
}

#[tokio::test]
async fn reading_a_baseline_costs_two_calls_whatever_the_history_length() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    for i in 1..=25 {
        s.save(&run(&sha(i), "main", i), 100).await.unwrap();
    }
    let before = fake.log().len();
    let base = s.baseline(Some(&sha(7)), "main").await.unwrap().unwrap();
    assert_eq!(base.kind, BaselineKind::BaseCommit);
    assert_eq!(base.entry.meta.commit.as_deref(), Some(sha(7).as_str()));
    assert_eq!(fake.log().len() - before, 2);
    let raw = fake.log().last().unwrap().accept.clone();
    assert_eq!(raw, "application/vnd.github.raw+json");

    let before = fake.log().len();
    let base = s.baseline(Some(&sha(999)), "main").await.unwrap().unwrap();
    assert_eq!(base.kind, BaselineKind::LatestOfBranch("main".into()));
    assert_eq!(base.run, run(&sha(25), "main", 25));
    assert!(base.describe().contains("latest run of `main`"));
    assert_eq!(fake.log().len() - before, 2);

    let (entry, _) = s.run_for_commit(&sha(3)[..12]).await.unwrap().unwrap();
    assert_eq!(entry.meta.commit, Some(sha(3)));
    let (entry, _) = s.latest(Some("main")).await.unwrap().unwrap();
    assert_eq!(entry.meta.commit, Some(sha(25)));
    fake.verify().await;
}

#[tokio::test]
async fn no_data_branch_means_no_baseline() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    assert!(s.baseline(Some(&sha(1)), "main").await.unwrap().is_none());
    assert!(s.latest(None).await.unwrap().is_none());
    assert!(s.index().await.unwrap().runs.is_empty());
    fake.verify().await;
}

#[tokio::test]
async fn files_over_one_megabyte_are_read_with_the_raw_media_type() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    // Make every file "large": the JSON form comes without content.
    fake.state().large_file_bytes = 10;
    let before = fake.log().len();
    let out = s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    let log = fake.log();
    let reads: Vec<(String, String)> = log[before..]
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("index.json"))
        .map(|e| {
            (
                e.accept.clone(),
                e.body["encoding"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert_eq!(
        reads,
        [
            (
                "application/vnd.github+json".to_string(),
                "none".to_string()
            ),
            (
                "application/vnd.github.raw+json".to_string(),
                "-".to_string()
            ),
        ]
    );
    assert_eq!(index_on(&fake).runs.len(), 2);
    assert_eq!(index_on(&fake).runs[1], out.entry);
    fake.verify().await;
}

#[tokio::test]
async fn a_corrupt_index_is_an_error_naming_the_branch_and_file() {
    let fake = FakeGitHub::start().await;
    fake.state()
        .commit_files(BRANCH, &[("default/index.json", "{not json")]);
    let e = store(&fake).latest(None).await.unwrap_err();
    assert!(matches!(e, DataError::Corrupt { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("perfgate-data:default/index.json"),
        "{e}"
    );
    fake.verify().await;
}

// ---- histories from the index's run summaries ----

/// Records `n` runs of main, commits `sha(1)` to `sha(n)`.
async fn record(s: &DataBranch, n: u32) {
    for i in 1..=n {
        s.save(&run(&sha(i), "main", i), 100).await.unwrap();
    }
}

/// The samples of the fixture run's one metric, from a run read in full.
fn samples(r: &Run) -> Vec<f64> {
    match &r.benchmarks[0].metrics[0].data {
        perfgate::model::Data::Samples(s) => s.clone(),
        other => panic!("not samples: {other:?}"),
    }
}

#[tokio::test]
async fn a_save_writes_the_run_summary_into_the_index_it_puts() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    record(&s, 1).await;
    let r = run(&sha(2), "main", 2);
    let out = s.save(&r, 100).await.unwrap();
    let log = fake.log();
    let put = log
        .iter()
        .rev()
        .find(|e| e.method == "PUT" && e.path.ends_with("/contents/default/index.json"))
        .unwrap();
    let body = put.request_body.clone().unwrap();
    let content = body["content"].as_str().unwrap().replace('\n', "");
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD
        .decode(content)
        .unwrap();
    let put_index = Index::parse(std::str::from_utf8(&text).unwrap()).unwrap();
    let entry = put_index.runs.last().unwrap();
    assert_eq!(entry, &out.entry);
    // The fixture's ten samples, 1417 to 1431 ns: the log median of the middle two, 1421 and 1422.
    let summary = serde_json::to_value(&entry.summary).unwrap();
    let time = &summary["BenchmarkEncode/format=json-48"]["time"];
    assert_eq!(time[1], 10);
    assert_eq!(time[2], "ns");
    let expected = (1421.0_f64.ln() + 1422.0_f64.ln()) / 2.0;
    assert!(
        (time[0].as_f64().unwrap().ln() - expected).abs() < 1e-12,
        "{time}"
    );
    assert_eq!(entry.summary_run().unwrap().meta.commit, r.meta.commit);
    fake.verify().await;
}

#[tokio::test]
async fn a_history_of_thirty_runs_costs_the_index_and_the_base_run_alone() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    record(&s, 30).await;
    let before = fake.log().len();
    let base = s
        .baseline_with_history(Some(&sha(30)), "main", 30, &summaries_only, None)
        .await
        .unwrap()
        .unwrap();
    let base_entry = index_on(&fake).runs.last().unwrap().clone();
    assert_eq!(
        fake.data_reads(before),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", base_entry.id)
        ]
    );
    assert_eq!(fake.log().len() - before, 2);
    assert_eq!(
        base.run,
        run(&sha(30), "main", 30),
        "the base run with its samples"
    );
    assert_eq!(base.before.len(), 29);
    let commits: Vec<String> = base
        .before
        .iter()
        .filter_map(|r| r.meta.commit.clone())
        .collect();
    assert_eq!(
        commits,
        (1..30).map(sha).collect::<Vec<_>>(),
        "oldest first"
    );
    // Each earlier run is its summary: one value, the log median of its samples.
    let first = &base.before[0];
    assert_eq!(
        first.benchmarks[0].metrics[0].data,
        perfgate::model::Data::Value(
            perfgate::stats::log_median(&samples(&run(&sha(1), "main", 1))).unwrap()
        )
    );
    fake.verify().await;
}

#[tokio::test]
async fn runs_recorded_before_summaries_are_read_from_their_files() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    record(&s, 12).await;
    // An index as an older perfgate wrote it for the first 8 runs.
    let mut index = index_on(&fake);
    for e in index.runs.iter_mut().take(8) {
        e.summary = None;
        e.meta.environment = Default::default();
    }
    let old: Vec<String> = index.runs.iter().take(8).map(|e| e.id.clone()).collect();
    fake.state()
        .commit_files(BRANCH, &[("default/index.json", &index.to_json())]);

    let before = fake.log().len();
    let base = s
        .baseline_with_history(Some(&sha(12)), "main", 10, &summaries_only, None)
        .await
        .unwrap()
        .unwrap();
    // The window holds runs 3 to 11 before the base: 3 to 8 have no summary.
    let mut expected = vec!["default/index.json".to_string()];
    expected.extend(old[2..].iter().map(|id| format!("default/runs/{id}.json")));
    expected.push(format!("default/runs/{}.json", index.runs[11].id));
    assert_eq!(fake.data_reads(before), expected);
    assert_eq!(base.before.len(), 9);
    assert_eq!(base.before[0], run(&sha(3), "main", 3), "read in full");
    assert!(matches!(
        base.before[8].benchmarks[0].metrics[0].data,
        perfgate::model::Data::Value(_)
    ));
    fake.verify().await;
}

#[tokio::test]
async fn the_latest_run_on_the_current_kind_of_machine_is_read_with_its_samples() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    let image = |i: u32| if i % 3 == 0 { "ubuntu22" } else { "ubuntu24" };
    for i in 1..=6 {
        let mut r = run(&sha(i), "main", i);
        r.meta.environment.runner = Some(format!("{}/20251112.1", image(i)));
        s.save(&r, 100).await.unwrap();
    }
    // The engine's own rule picks the runs read in full: a pull request on ubuntu22 compares
    // with the latest run on ubuntu22.
    let mut current = run(&sha(9), "feature", 9);
    current.meta.environment.runner = Some("ubuntu22/20251119.1".into());
    let config = Config::default();
    let full = |runs: &[&Run]| compare::runs_with_samples(runs, &current, &config);
    let before = fake.log().len();
    let base = s
        .baseline_with_history(Some(&sha(5)), "main", 30, &full, None)
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<String> = index_on(&fake).runs.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        fake.data_reads(before),
        [
            "default/index.json".to_string(),
            format!("default/runs/{}.json", ids[4]),
            format!("default/runs/{}.json", ids[2]),
        ],
        "the base run (on ubuntu24), then run 3, the latest on ubuntu22"
    );
    assert_eq!(base.before.len(), 4);
    assert_eq!(samples(&base.before[2]).len(), 10);
    assert_eq!(base.before[2].meta.commit, Some(sha(3)));
    assert!(matches!(
        base.before[1].benchmarks[0].metrics[0].data,
        perfgate::model::Data::Value(_)
    ));

    // Runs whose samples are pooled are read in full too; no run on that machine: the last ones.
    current.meta.environment.runner = Some("windows2022/20251119.1".into());
    let pooling = Config {
        history: HistoryConfig {
            pool: 3,
            ..HistoryConfig::default()
        },
        ..Config::default()
    };
    let pooled = |runs: &[&Run]| compare::runs_with_samples(runs, &current, &pooling);
    let before = fake.log().len();
    let base = s
        .baseline_with_history(Some(&sha(5)), "main", 30, &pooled, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fake.data_reads(before).len(), 1 + 3);
    assert_eq!(samples(&base.before[3]).len(), 10);
    assert_eq!(samples(&base.before[2]).len(), 10);
    assert!(matches!(
        base.before[1].benchmarks[0].metrics[0].data,
        perfgate::model::Data::Value(_)
    ));
    fake.verify().await;
}

// ---- rate limits and retries ----

#[tokio::test]
async fn waits_for_the_rate_limit_reset_and_then_succeeds() {
    let fake = FakeGitHub::start().await;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let reset = now.as_secs() + 1;
    fake.fault(
        "GET",
        "/comments",
        1,
        rate_limited(
            403,
            vec![
                ("x-ratelimit-limit", "5000".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-used", "5000".into()),
                ("x-ratelimit-reset", reset.to_string()),
            ],
        ),
    );
    let started = Instant::now();
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    // It waited until the reset second (the test's margin is zero).
    let until_reset = Duration::from_secs(reset).saturating_sub(now);
    assert!(
        started.elapsed() + Duration::from_millis(20) >= until_reset,
        "{:?} < {until_reset:?}",
        started.elapsed()
    );
    assert_eq!(out.action, CommentAction::Created);
    let statuses: Vec<u16> = fake.log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [403, 200, 201, 200]);
    fake.verify().await;
}

#[tokio::test]
async fn honours_retry_after_on_429_even_for_a_post() {
    let fake = FakeGitHub::start().await;
    fake.fault(
        "POST",
        "/comments",
        1,
        rate_limited(429, vec![("retry-after", "1".into())]),
    );
    let started = Instant::now();
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(out.action, CommentAction::Created);
    assert_eq!(fake.state().comments.len(), 1, "refused, then posted once");
    fake.verify().await;
}

#[tokio::test]
async fn fails_with_the_reset_time_when_the_limit_resets_too_late() {
    let fake = FakeGitHub::start().await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    fake.fault(
        "GET",
        "/comments",
        1,
        rate_limited(
            403,
            vec![
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", (now + 3600).to_string()),
            ],
        ),
    );
    let started = Instant::now();
    let e = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = e.to_string();
    assert!(
        text.contains("rate limit") && text.contains("resets at"),
        "{text}"
    );
    assert!(matches!(e, CommentError::Api(ApiError::RateLimited { .. })));
    assert_eq!(fake.log().len(), 1);

    // A reset header no clock can reach is an error too, not a crash.
    fake.fault(
        "GET",
        "/comments",
        1,
        rate_limited(
            429,
            vec![
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", u64::MAX.to_string()),
            ],
        ),
    );
    let e = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("resets at"), "{e}");
    fake.verify().await;
}

#[tokio::test]
async fn retries_a_read_after_server_errors() {
    let fake = FakeGitHub::start().await;
    fake.fault("GET", "/comments", 2, server_error(502));
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Created);
    let statuses: Vec<u16> = fake.log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [502, 502, 200, 201, 200]);
    fake.verify().await;
}

#[tokio::test]
async fn posts_a_comment_again_only_after_checking_that_it_did_not_land() {
    let fake = FakeGitHub::start().await;
    fake.fault("POST", "/comments", 1, server_error(502));
    upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    let calls: Vec<(String, u16)> = fake
        .log()
        .iter()
        .map(|e| (e.method.clone(), e.status))
        .collect();
    // List, the lost post, list again (nothing there), post again, and the look after posting.
    assert_eq!(
        calls,
        [
            ("GET".to_string(), 200),
            ("POST".to_string(), 502),
            ("GET".to_string(), 200),
            ("POST".to_string(), 201),
            ("GET".to_string(), 200),
        ]
    );
    assert_eq!(
        fake.state().comments.len(),
        1,
        "a comment is never posted twice"
    );
    fake.verify().await;
}

#[tokio::test]
async fn retries_updating_the_comment_and_the_index_after_server_errors() {
    let fake = FakeGitHub::start().await;
    fake.state()
        .add_comment(BOT, &format!("old\n\n{}", marker("default")));
    fake.fault("PATCH", "/issues/comments/", 1, server_error(503));
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "new", BOT)
        .await
        .unwrap();
    assert_eq!(out.action, CommentAction::Updated);

    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    fake.fault("PUT", "/contents/default/index.json", 1, server_error(500));
    s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    assert_eq!(index_on(&fake).runs.len(), 2);
    fake.verify().await;
}

#[tokio::test]
async fn connection_errors_are_retried_for_reads_then_reported() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let c = Client::new(config("http://127.0.0.1:1")).unwrap();
    let e = c.get_pull(&repo(), 1).await.unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(e, ApiError::Connection { attempts: 3, .. }),
        "{text}"
    );
    assert!(text.contains("could not reach GitHub") && text.contains("after 3 attempts"));
}

// ---- GitHub Enterprise Server, pulls, secrets ----

#[tokio::test]
async fn works_under_a_github_enterprise_server_api_v3_base_url() {
    let fake = FakeGitHub::start_at("/api/v3").await;
    assert!(fake.api_url().ends_with("/api/v3"));
    let c = Client::new(config(&format!("{}/", fake.api_url()))).unwrap();
    upsert_comment(&c, &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    let s = DataBranch::new(c.clone(), repo(), BRANCH, "default");
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    assert!(s.baseline(None, "main").await.unwrap().is_some());
    let requests = fake.server.received_requests().await.unwrap();
    assert!(requests
        .iter()
        .all(|r| r.url.path().starts_with("/api/v3/repos/")));
    fake.verify().await;
}

#[tokio::test]
async fn reads_a_pull_request_head_and_base() {
    let fake = FakeGitHub::start().await;
    fake.state().pulls.insert(12, (sha(12), sha(11)));
    let pr = client(&fake).get_pull(&repo(), 12).await.unwrap().unwrap();
    assert_eq!(
        (pr.number, pr.head.sha, pr.base.sha),
        (12, sha(12), sha(11))
    );
    assert!(client(&fake).get_pull(&repo(), 13).await.unwrap().is_none());
    fake.verify().await;
}

#[tokio::test]
async fn the_token_never_appears_in_debug_output_or_errors() {
    let fake = FakeGitHub::start().await;
    let cfg = config(&fake.api_url());
    let c = Client::new(cfg.clone()).unwrap();
    let mut shown = vec![format!("{cfg:?}"), format!("{c:?}")];

    fake.state().read_only = true;
    let e = upsert_comment(&c, &repo(), 7, "default", "x", BOT)
        .await
        .unwrap_err();
    shown.push(format!("{e} {e:?}"));
    fake.fault("GET", "/pulls/", 3, server_error(500));
    let e = c.get_pull(&repo(), 1).await.unwrap_err();
    shown.push(format!("{e} {e:?}"));
    let wrong = Client::new(ClientConfig {
        token: Some(Token::new("ghs_wrongtoken")),
        ..cfg
    })
    .unwrap();
    let e = wrong.get_pull(&repo(), 1).await.unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e}");
    shown.push(format!("{e} {e:?} {wrong:?}"));
    let e = store(&fake)
        .save(&run(&sha(1), "main", 1), 1)
        .await
        .unwrap_err();
    shown.push(format!("{e} {e:?}"));
    for s in &shown {
        assert!(
            !s.contains(TOKEN) && !s.contains("wrongtoken"),
            "token shown: {s}"
        );
    }
}

#[test]
fn the_sync_facade_is_a_baseline_store() {
    // wiremock serves from a thread of its own; this runtime only starts and inspects it. The
    // facade owns its own current-thread runtime, as in the CLI.
    let server_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let fake = server_rt.block_on(FakeGitHub::start());
    let gh = GitHub::new(config(&fake.api_url())).unwrap();
    let store = BlockingDataBranch::new(&gh, repo(), BRANCH, "default");
    assert!(store.latest(None).unwrap().is_none());
    let a: IndexEntry = store.save(&run(&sha(1), "main", 1), 100).unwrap();
    let b = store.save(&run(&sha(2), "main", 2), 100).unwrap();
    assert_eq!(store.entries().unwrap(), [a.clone(), b.clone()]);
    let (entry, latest) = store.latest(Some("main")).unwrap().unwrap();
    assert_eq!((entry, latest), (b, run(&sha(2), "main", 2)));
    let base = store.baseline(Some(&sha(1)), "main").unwrap().unwrap();
    assert_eq!(base.entry, a);
    let comment = gh
        .block_on(upsert_comment(
            gh.client(),
            &repo(),
            3,
            "default",
            "hi",
            BOT,
        ))
        .unwrap();
    assert_eq!(comment.action, CommentAction::Created);
    server_rt.block_on(fake.verify());
}

// ---- the contract checker itself ----

#[test]
fn the_contract_checker_rejects_what_github_does_not_document() {
    let spec = Spec::load();
    let p = "/repos/o/r";
    let ok = |m: &str, path: &str, q: Option<&str>, body: &str| {
        spec.check_request(m, path, q, body.as_bytes())
    };
    assert_eq!(
        ok(
            "POST",
            &format!("{p}/issues/7/comments"),
            None,
            r#"{"body":"hi"}"#
        )
        .unwrap(),
        "issues/create-comment"
    );
    assert!(ok("DELETE", &format!("{p}/contents/a.json"), None, "").is_err());
    assert!(ok("GET", "/repositories/1/issues/7/comments", None, "").is_err());
    assert!(ok("GET", &format!("{p}/issues/seven/comments"), None, "").is_err());
    assert!(ok(
        "GET",
        &format!("{p}/issues/7/comments"),
        Some("per_page=100&page=2"),
        ""
    )
    .is_ok());
    assert!(ok(
        "GET",
        &format!("{p}/issues/7/comments"),
        Some("sort=asc"),
        ""
    )
    .is_err());
    assert!(ok(
        "POST",
        &format!("{p}/issues/7/comments"),
        None,
        r#"{"body":5}"#
    )
    .is_err());
    assert!(ok("POST", &format!("{p}/issues/7/comments"), None, "").is_err());
    assert!(ok("GET", &format!("{p}/pulls/1"), None, r#"{"x":1}"#).is_err());
    assert!(ok(
        "PUT",
        &format!("{p}/contents/k/runs/a.json"),
        None,
        r#"{"content":"eA=="}"#
    )
    .is_err());
    assert!(ok(
        "GET",
        &format!("{p}/contents/k/runs/a.json"),
        Some("ref=perfgate-data"),
        ""
    )
    .is_ok());
    assert!(ok("GET", &format!("{p}/git/ref/heads/feature/x"), None, "").is_ok());
    let tree = |entry: &str| format!(r#"{{"base_tree":"abc","tree":[{entry}]}}"#);
    assert!(ok(
        "POST",
        &format!("{p}/git/trees"),
        None,
        &tree(r#"{"path":"a","mode":"100644","type":"blob","sha":null}"#)
    )
    .is_ok());
    assert!(ok(
        "POST",
        &format!("{p}/git/trees"),
        None,
        &tree(r#"{"path":"a","mode":"644","type":"blob","sha":"x"}"#)
    )
    .is_err());
    assert!(ok(
        "PATCH",
        &format!("{p}/git/refs/heads/main"),
        None,
        r#"{"sha":"x","force":"no"}"#
    )
    .is_err());
}

#[test]
fn the_documented_examples_pass_the_contract_checker() {
    let spec = Spec::load();
    let doc = spec.doc().clone();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"]["application/json"].as_object() else {
                continue;
            };
            let path = template
                .replace("{owner}", "o")
                .replace("{repo}", "r")
                .replace("{issue_number}", "1")
                .replace("{comment_id}", "1")
                .replace("{path}", "a/b.json")
                .replace("{ref}", "heads/main");
            for example in content["examples"].as_object().unwrap().values() {
                let body = serde_json::to_vec(&example["value"]).unwrap();
                spec.check_request(&method.to_uppercase(), &path, None, &body)
                    .unwrap();
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "{checked}");
}

/// Issue 14, row 16: a stored file that is not UTF-8 was reported as "could not reach GitHub"
/// and asked for four times. It is an answer: a decode error, after one request.
#[tokio::test]
async fn a_file_that_is_not_utf8_is_a_decode_error_not_a_network_failure() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(
            vec![0x7b, 0xff, 0xfe, 0x7d],
            "application/vnd.github.raw+json",
        ))
        .mount(&server)
        .await;
    let c = Client::new(config(&server.uri())).unwrap();
    let e = c
        .get_raw_file(&repo(), "default/runs/x.json", BRANCH)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("not UTF-8"), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Issue 14, row 8: jobs that ran at once on one pull request each found no comment and each made
/// one, for good. Now each looks again after making its comment: the most recent stays (with the
/// report of the job that looked last), and the older goes.
#[tokio::test]
async fn comments_made_at_once_converge_on_one() {
    let fake = FakeGitHub::start().await;
    // Another job's comment lands between this job's listing and its own comment.
    let rival = format!("rival report\n\n{}", marker("default"));
    fake.fault(
        "POST",
        "/issues/7/comments",
        1,
        FaultKind::Before(Box::new(move |state| {
            state.add_comment(BOT, &rival);
        })),
    );
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "my report", BOT)
        .await
        .unwrap();
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1, "{comments:?}");
    // Ids grow: the rival's comment is older than this job's, so the rival's is deleted.
    assert!(comments[0].body.starts_with("my report"), "{comments:?}");
    assert_eq!(out.id, comments[0].id);
    // The rival job, looking again, finds one comment of its key, its own: nothing to do.
    let again = upsert_comment(&client(&fake), &repo(), 7, "default", "my report", BOT)
        .await
        .unwrap();
    assert_eq!(again.action, CommentAction::Unchanged);
    assert_eq!(fake.state().comments.len(), 1);
    fake.verify().await;
}

/// Issue 14, row 17: a single 5xx on a creation (a run file, the data branch's ref, a comment)
/// exited 2, since a creation is never sent again blindly. Each now looks whether it landed, and
/// sends it again only when it did not: one file, one ref, one comment either way.
#[tokio::test]
async fn creations_whose_answer_was_lost_are_checked_then_sent_again() {
    // A run file that landed although the answer was a 502.
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    fake.fault(
        "PUT",
        "/contents/default/runs/",
        1,
        FaultKind::LoseAnswer(502),
    );
    let out = s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    let runs: Vec<String> = fake
        .state()
        .files(BRANCH)
        .into_keys()
        .filter(|p| p.starts_with("default/runs/"))
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(index_on(&fake).runs.len(), 2);
    assert_eq!(index_on(&fake).runs[1], out.entry);

    // A run file that did not land: a 503 before any work, then sent again.
    fake.fault("PUT", "/contents/default/runs/", 1, server_error(503));
    s.save(&run(&sha(3), "main", 3), 100).await.unwrap();
    assert_eq!(index_on(&fake).runs.len(), 3);
    fake.verify().await;

    // The data branch's ref made although its answer was lost.
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    fake.fault("POST", "/git/refs", 1, FaultKind::LoseAnswer(502));
    let out = s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    assert!(out.created_branch);
    assert_eq!(index_on(&fake).runs.len(), 1);
    fake.verify().await;

    // A comment posted although its answer was lost: still one comment.
    let fake = FakeGitHub::start().await;
    fake.fault("POST", "/issues/7/comments", 1, FaultKind::LoseAnswer(502));
    let out = upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert_eq!(fake.state().comments.len(), 1);
    assert_eq!(out.id, fake.state().comments[0].id);
    // And one that was not posted: posted again, once.
    let fake = FakeGitHub::start().await;
    fake.fault("POST", "/issues/7/comments", 1, server_error(503));
    upsert_comment(&client(&fake), &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert_eq!(fake.state().comments.len(), 1);
    fake.verify().await;
}

/// Issue 14, row 22: a ref name GitHub refuses (422) was read as "the branch exists", and the
/// save then failed on a misleading 404. Only the branch being there means that.
#[tokio::test]
async fn a_refused_branch_name_is_an_error_not_a_branch_that_exists() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    fake.fault(
        "POST",
        "/git/refs",
        1,
        FaultKind::Respond(
            422,
            json!({"message": "Reference name is not valid", "documentation_url": "https://docs.github.com/rest", "errors": []}),
            vec![],
        ),
    );
    let e = s.save(&run(&sha(1), "main", 1), 100).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("422"), "{text}");
    assert!(text.contains("Reference name is not valid"), "{text}");
    assert!(!text.contains("404"), "{text}");
    fake.verify().await;
}

// ---- timeouts: a slow server, a hung server ----

/// [`config`] with a read timeout of 300 ms and one attempt capped at 1 s.
fn impatient(api_url: &str) -> ClientConfig {
    ClientConfig {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_millis(300),
            request: Duration::from_secs(1),
        },
        ..config(api_url)
    }
}

fn slow(ms: u64) -> FaultKind {
    FaultKind::Delay(Duration::from_millis(ms))
}

#[tokio::test]
async fn a_read_that_times_out_is_sent_again_and_succeeds() {
    let fake = FakeGitHub::start().await;
    let s = store(&fake);
    s.save(&run(&sha(1), "main", 1), 100).await.unwrap();
    fake.fault("GET", "/contents/default/index.json", 1, slow(3_000));
    let s = DataBranch::new(
        Client::new(impatient(&fake.api_url())).unwrap(),
        repo(),
        BRANCH,
        "default",
    );
    let (entry, _) = s.latest(Some("main")).await.unwrap().expect("the run");
    assert_eq!(entry.meta.commit.as_deref(), Some(sha(1).as_str()));
    let reads = fake
        .log()
        .iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/contents/default/index.json"))
        .count();
    assert_eq!(reads, 2, "timed out once, then read");
    fake.verify().await;
}

#[tokio::test]
async fn a_comment_whose_answer_comes_too_late_is_found_not_posted_twice() {
    let fake = FakeGitHub::start().await;
    fake.fault("POST", "/issues/7/comments", 1, slow(3_000));
    let c = Client::new(impatient(&fake.api_url())).unwrap();
    let out = upsert_comment(&c, &repo(), 7, "default", "report", BOT)
        .await
        .unwrap();
    assert_eq!(out.action.as_str(), "created");
    assert_eq!(fake.state().comments.len(), 1, "one comment");
    fake.verify().await;
}

#[tokio::test]
async fn a_save_whose_writes_time_out_loses_no_run_and_writes_none_twice() {
    let fake = FakeGitHub::start().await;
    store(&fake)
        .save(&run(&sha(1), "main", 1), 100)
        .await
        .unwrap();
    let s = DataBranch::new(
        Client::new(impatient(&fake.api_url())).unwrap(),
        repo(),
        BRANCH,
        "default",
    );
    // The run file's PUT lands, but its answer comes after the timeout; then the index's.
    fake.fault("PUT", "/contents/default/runs/", 1, slow(3_000));
    fake.fault("PUT", "/contents/default/index.json", 1, slow(3_000));
    s.save(&run(&sha(2), "main", 2), 100).await.unwrap();
    let ids: Vec<Option<String>> = index_on(&fake)
        .runs
        .into_iter()
        .map(|e| e.meta.commit)
        .collect();
    assert_eq!(ids, [Some(sha(1)), Some(sha(2))]);
    assert_eq!(run_files(&fake).len(), 2);
    fake.verify().await;
}

#[tokio::test]
async fn a_server_that_never_answers_is_an_error_within_the_attempts_timeouts() {
    let fake = FakeGitHub::start().await;
    fake.fault("GET", "/pulls/1", u32::MAX, slow(120_000));
    let c = Client::new(impatient(&fake.api_url())).unwrap();
    let started = Instant::now();
    let e = c.get_pull(&repo(), 1).await.unwrap_err();
    let took = started.elapsed();
    let text = e.to_string();
    assert!(
        matches!(e, ApiError::Connection { attempts: 3, .. }),
        "{text}"
    );
    assert!(
        text.contains("could not reach GitHub") && !text.contains(TOKEN),
        "{text}"
    );
    // Three attempts of at most 1 s each, and the backoffs between them.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

/// The book's way to seed a data branch (docs/src/data-branch.md): a local store, made by
/// `perfgate save` or `perfgate import`, committed as the key's folder, is read and extended by
/// the data branch store as its own.
#[tokio::test]
async fn a_local_store_committed_as_a_keys_folder_seeds_the_data_branch() {
    use perfgate::store::LocalStore;
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::new(dir.path().join("default"));
    for i in 1..=3 {
        local.save(&run(&sha(i), "main", i), 100).unwrap();
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in walk(&dir.path().join("default")) {
        let rel = entry
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        files.push((rel, std::fs::read_to_string(&entry).unwrap()));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let fake = FakeGitHub::start().await;
    fake.state().commit_files(BRANCH, &refs);

    let s = store(&fake);
    let (entry, latest) = s.latest(Some("main")).await.unwrap().unwrap();
    assert_eq!(entry.meta.commit.as_deref(), Some(sha(3).as_str()));
    assert_eq!(latest, run(&sha(3), "main", 3));
    s.save(&run(&sha(4), "main", 4), 100).await.unwrap();
    let commits: Vec<Option<String>> = index_on(&fake)
        .runs
        .into_iter()
        .map(|e| e.meta.commit)
        .collect();
    assert_eq!(commits, [1, 2, 3, 4].map(|i| Some(sha(i))));
    fake.verify().await;
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

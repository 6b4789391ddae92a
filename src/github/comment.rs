//! The sticky pull request comment: one comment per pull request and `key`, found again by a
//! hidden marker (`<!-- perfgate:comment key=<key> -->`, the body's last line) among the comments
//! written by the token's own identity, updated in place, left alone when unchanged.
//!
//! Only comments by `author_login` count: anyone can paste the marker into a comment of their
//! own, and perfgate must never edit (or be steered by) someone else's text.

use super::api::{ApiError, Client, CommentOn, IssueComment, Repo};

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT_CHARS: usize = 65_536;

/// The identity of the workflow's `GITHUB_TOKEN`.
pub const DEFAULT_AUTHOR: &str = "github-actions[bot]";

/// What [`upsert_comment`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    Created,
    Updated,
    Unchanged,
}

impl CommentAction {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentAction::Created => "created",
            CommentAction::Updated => "updated",
            CommentAction::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentOutcome {
    pub action: CommentAction,
    /// The comment's page (`html_url`).
    pub url: String,
    pub id: u64,
    /// The login GitHub posted a new comment as, when it is not the `author_login` perfgate
    /// looks for: the next run will not find this comment and will post another.
    pub posted_as_another: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    #[error("the comment is {chars} characters long, over GitHub's limit of {COMMENT_LIMIT_CHARS}: render a shorter report")]
    TooLong { chars: usize },
    /// The API's error, said as it is and kept as this one's source, so that a caller finds it
    /// in the error's chain (`transparent` hid it there: a refused permission went unseen).
    #[error("{0}")]
    Api(#[from] ApiError),
}

/// A key safe inside an HTML comment and a path: letters, digits, `-`, `_` and `.` (others become
/// `-`), not starting with `.`, at most 100 characters; `default` when nothing is left.
pub fn sanitize_key(key: &str) -> String {
    let cleaned: String = key
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "default".to_string()
    } else {
        cleaned.to_string()
    }
}

/// The hidden marker for `key` (sanitised).
pub fn marker(key: &str) -> String {
    format!("<!-- perfgate:comment key={} -->", sanitize_key(key))
}

/// `body` with the marker as its last line (added unless it is already there).
pub fn with_marker(body: &str, key: &str) -> String {
    let m = marker(key);
    let trimmed = body.trim_end();
    if trimmed.lines().last().map(str::trim) == Some(m.as_str()) {
        trimmed.to_string()
    } else if trimmed.is_empty() {
        m
    } else {
        format!("{trimmed}\n\n{m}")
    }
}

/// Creates or updates the pull request's perfgate comment for `key`.
///
/// Reads every page of the pull request's comments, keeps those written by `author_login`
/// (case-insensitively, as GitHub logins are) whose last line is the marker, and updates the
/// most recent of them when its body differs; creates a comment when there is none, then looks
/// again, so that jobs that ran at once converge on one comment: the latest carries the report,
/// and when another job deleted it meanwhile (it saw a newer one), this one looks again. Any
/// other comment of the key (a duplicate) is deleted. Bodies over
/// [`COMMENT_LIMIT_CHARS`] (marker included) are refused before any request.
pub async fn upsert_comment(
    client: &Client,
    repo: &Repo,
    pr_number: u64,
    key: &str,
    body: &str,
    author_login: &str,
) -> Result<CommentOutcome, CommentError> {
    let body = with_marker(body, key);
    let chars = body.chars().count();
    if chars > COMMENT_LIMIT_CHARS {
        return Err(CommentError::TooLong { chars });
    }
    let m = marker(key);
    let pr = CommentOn::PullRequest(pr_number);
    let ours = |comments: Vec<IssueComment>| -> Vec<IssueComment> {
        let mut v: Vec<IssueComment> = comments
            .into_iter()
            .filter(|c| is_ours(c, &m, author_login))
            .collect();
        // Comment ids grow with time: the last is the most recent, the sticky one.
        v.sort_by_key(|c| c.id);
        v
    };
    let mut now = ours(client.list_issue_comments(repo, pr_number).await?);
    // None found: this job posts one, then looks again, for a comment another job made at the
    // same time.
    let mut created: Option<IssueComment> = None;
    if now.is_empty() {
        let posted = match client.create_comment(repo, pr, &body).await {
            Ok(c) => Some(c),
            // The comment may have been posted although the answer was lost: look before
            // posting again, so that a 5xx never makes two comments.
            Err(e) if e.is_transient() => {
                now = ours(client.list_issue_comments(repo, pr_number).await?);
                match now.last() {
                    Some(c) if same_text(c.body.as_deref().unwrap_or_default(), &body) => {
                        Some(c.clone())
                    }
                    // Another job's comment appeared meanwhile: it carries this report (below).
                    Some(_) => None,
                    None => Some(client.create_comment(repo, pr, &body).await?),
                }
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(c) = posted {
            now = ours(client.list_issue_comments(repo, pr_number).await?);
            if !now.iter().any(|n| n.id == c.id) {
                now.push(c.clone());
                now.sort_by_key(|n| n.id);
            }
            created = Some(c);
        }
    }
    // The latest comment carries the report; the others of the key (duplicates, from jobs that
    // ran at once on one pull request or from older perfgates) go. Another job converging at the
    // same moment may delete the latest this job saw, when it saw a newer one: then this job
    // looks again and carries its report there.
    let mut looks = 0;
    let outcome = loop {
        let Some(latest) = now.last().cloned() else {
            // Every comment of the key went meanwhile (deleted by hand): post one.
            let c = client.create_comment(repo, pr, &body).await?;
            now.push(c.clone());
            break created_outcome(c, author_login);
        };
        if created.as_ref().is_some_and(|c| c.id == latest.id) {
            break created_outcome(latest, author_login);
        }
        let changed = created.is_some();
        if same_text(latest.body.as_deref().unwrap_or_default(), &body) {
            break CommentOutcome {
                action: if changed {
                    CommentAction::Updated
                } else {
                    CommentAction::Unchanged
                },
                url: latest.html_url,
                id: latest.id,
                posted_as_another: None,
            };
        }
        match client.update_comment(repo, pr, latest.id, &body).await {
            Ok(updated) => {
                break CommentOutcome {
                    action: CommentAction::Updated,
                    url: updated.html_url,
                    id: updated.id,
                    posted_as_another: None,
                }
            }
            Err(e) if e.status() == Some(404) && looks < CONVERGE_LOOKS => {
                looks += 1;
                now = ours(client.list_issue_comments(repo, pr_number).await?);
                // This job's own comment stays a candidate while the listing may not show it
                // yet; gone, deleting it again is a success.
                if let Some(c) = &created {
                    if !now.iter().any(|n| n.id == c.id) {
                        now.push(c.clone());
                        now.sort_by_key(|n| n.id);
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    for c in now.iter().filter(|c| c.id != outcome.id) {
        client.delete_issue_comment(repo, c.id).await?;
    }
    Ok(outcome)
}

/// How many times a job looks again for the latest comment when the one it was updating was
/// deleted meanwhile by another job: each look finds a newer comment, and jobs of one pull
/// request at once are few.
const CONVERGE_LOOKS: u32 = 5;

/// The outcome of keeping the comment this job posted.
fn created_outcome(c: IssueComment, author_login: &str) -> CommentOutcome {
    CommentOutcome {
        action: CommentAction::Created,
        posted_as_another: c
            .user
            .as_ref()
            .map(|u| u.login.clone())
            .filter(|login| !login.eq_ignore_ascii_case(author_login)),
        url: c.html_url,
        id: c.id,
    }
}

fn is_ours(c: &IssueComment, marker: &str, author_login: &str) -> bool {
    let by_author = c
        .user
        .as_ref()
        .is_some_and(|u| u.login.eq_ignore_ascii_case(author_login));
    // The marker is the last line of perfgate's comments (`with_marker`): the same text quoted
    // higher up in another comment of the same bot does not make that comment perfgate's.
    by_author
        && c.body
            .as_deref()
            .is_some_and(|b| b.trim_end().lines().last().map(str::trim) == Some(marker))
}

/// Equal up to line endings and trailing blanks, which GitHub may normalise.
pub(super) fn same_text(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sanitised() {
        assert_eq!(sanitize_key("linux-x64"), "linux-x64");
        assert_eq!(sanitize_key("a b-->c"), "a-b---c");
        assert_eq!(sanitize_key("..hidden"), "hidden");
        assert_eq!(sanitize_key("   "), "default");
        assert_eq!(sanitize_key(&"k".repeat(500)).len(), 100);
    }

    #[test]
    fn the_marker_is_the_last_line_once() {
        let b = with_marker("# perfgate\n\nall good\n", "default");
        assert_eq!(
            b,
            "# perfgate\n\nall good\n\n<!-- perfgate:comment key=default -->"
        );
        assert_eq!(with_marker(&b, "default"), b);
        assert!(with_marker(&b, "other").ends_with("key=other -->"));
    }

    #[test]
    fn one_key_is_not_a_prefix_of_another() {
        assert!(!marker("ab").contains(&marker("a")));
    }

    #[test]
    fn only_a_comment_ending_with_the_marker_is_ours() {
        let m = marker("default");
        let comment = |body: &str| IssueComment {
            id: 1,
            body: Some(body.to_string()),
            user: Some(crate::github::api::User {
                login: "github-actions[bot]".into(),
            }),
            html_url: String::new(),
        };
        assert!(is_ours(
            &comment(&with_marker("report", "default")),
            &m,
            "github-actions[bot]"
        ));
        assert!(is_ours(
            &comment(&format!("report\r\n{m}\r\n")),
            &m,
            "GitHub-Actions[bot]"
        ));
        // Another workflow's comment by the same bot that quotes the marker is left alone.
        let quoted = format!("See the perfgate comment:\n> {m}\n\nDeploy preview ready.");
        assert!(!is_ours(&comment(&quoted), &m, "github-actions[bot]"));
        assert!(!is_ours(
            &comment(&with_marker("r", "default")),
            &m,
            "someone"
        ));
    }

    #[test]
    fn comparison_ignores_line_endings() {
        assert!(same_text("a\r\nb\n", "a\nb"));
        assert!(!same_text("a\nb", "a\nc"));
    }
}

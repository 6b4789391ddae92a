//! Where the watch on the default branch says that a level shift for the worse was confirmed
//! (`alert` input): a comment on the commit that started it, or one issue per key kept up to
//! date. Only comments and issues written by the token's own identity (`comment-author`) and
//! ending with perfgate's marker count, as for the pull request comment.
//!
//! API calls per push: none without alerts for `commit-comment`; per commit that started a shift,
//! one list of its comments (a page per 100) and one POST (or PATCH, when a later run confirmed
//! more series of the same commit). For `issue`: one list of the open issues labelled
//! [`ISSUE_LABEL`] per push (the issue can be undone by any push), then a PATCH of its body and a
//! comment when shifts were added or undone, a POST when there was no issue and a list after it
//! (runs at once that each opened one keep the oldest and close the others as its duplicates).
//! A POST that fails
//! with a 5xx or a dropped connection may have landed: the list is read again before a second
//! POST ([`create_once`]), as for the pull request comment, so the alert is neither lost nor
//! written twice.

use super::api::{ApiError, Client, CommentOn, Issue, IssueClose, IssueComment, Repo};
use super::comment::same_text;
use crate::compare::alert::{Shift, ShiftGroup, Watch};
use crate::report::alert::{
    announced, extend_commit_comment, issue_marker, issue_title, render_commit_comment,
    render_issue, render_issue_added, render_issue_closed, render_issue_duplicate, series_id,
    AlertContext, IssueState, ISSUE_LABEL,
};

/// How the `alert` input asks to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertMode {
    /// The job summary only.
    #[default]
    None,
    CommitComment,
    Issue,
}

impl AlertMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertMode::None => "none",
            AlertMode::CommitComment => "commit-comment",
            AlertMode::Issue => "issue",
        }
    }

    pub fn from_name(name: &str) -> Option<AlertMode> {
        match name {
            "none" => Some(AlertMode::None),
            "commit-comment" => Some(AlertMode::CommitComment),
            "issue" => Some(AlertMode::Issue),
            _ => None,
        }
    }
}

/// What was written, one line each, for the log.
pub type Done = Vec<String>;

/// Comments on each commit that started a shift of `w`, once per series.
pub async fn comment_on_commits(
    client: &Client,
    repo: &Repo,
    w: &Watch,
    ctx: &AlertContext,
    author: &str,
) -> Result<Done, ApiError> {
    let mut done = Vec::new();
    for g in &w.alerts {
        done.push(comment_on_commit(client, repo, g, ctx, author).await?);
    }
    Ok(done)
}

async fn comment_on_commit(
    client: &Client,
    repo: &Repo,
    g: &ShiftGroup,
    ctx: &AlertContext,
    author: &str,
) -> Result<String, ApiError> {
    let ours = |comments: Vec<IssueComment>| {
        comments.into_iter().find_map(|c| {
            let ids = announced(c.body.as_deref()?, &ctx.key, &g.commit)?;
            by(&c, author).then_some((c, ids))
        })
    };
    let Some((existing, ids)) = ours(client.list_commit_comments(repo, &g.commit).await?) else {
        let body = render_commit_comment(g, ctx);
        let created = create_once(
            async || {
                client
                    .create_comment(repo, CommentOn::Commit(&g.commit), &body)
                    .await
            },
            async || {
                let comments = client.list_commit_comments(repo, &g.commit).await?;
                Ok(ours(comments).map(|(c, _)| c))
            },
        )
        .await?;
        return Ok(format!("commented on {}: {}", g.commit, created.html_url));
    };
    let later: Vec<&Shift> = g
        .shifts
        .iter()
        .filter(|s| !ids.contains(&series_id(&s.benchmark, &s.metric)))
        .collect();
    if later.is_empty() {
        return Ok(format!(
            "{} already has its comment: {}",
            g.commit, existing.html_url
        ));
    }
    let body = extend_commit_comment(
        existing.body.as_deref().unwrap_or_default(),
        &ids,
        &later,
        &g.commit,
        ctx,
    );
    let updated = client
        .update_comment(repo, CommentOn::Commit(&g.commit), existing.id, &body)
        .await?;
    Ok(format!(
        "added {} to the comment on {}: {}",
        later.len(),
        g.commit,
        updated.html_url
    ))
}

fn by(c: &IssueComment, author: &str) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.login.eq_ignore_ascii_case(author))
}

/// What [`keep_issue`] did, for the log and the warnings.
#[derive(Debug, Clone, Default)]
pub struct IssueOutcome {
    pub done: Done,
    /// GitHub dropped the label from a new issue (the token may not set labels): the next run
    /// will not find the issue.
    pub label_dropped: bool,
}

/// Opens, updates or closes the key's issue for `w`.
pub async fn keep_issue(
    client: &Client,
    repo: &Repo,
    w: &Watch,
    ctx: &AlertContext,
    author: &str,
) -> Result<IssueOutcome, ApiError> {
    let issues = client.list_open_issues(repo, ISSUE_LABEL).await?;
    match ours(issues, author, ctx) {
        Some(issue) => update_issue(client, repo, &issue, w, ctx, author).await,
        None => open_issue(client, repo, w, ctx, author).await,
    }
}

/// The key's open issue among `issues` (oldest first): the oldest written by `author` whose body
/// ends with the key's marker.
fn ours(issues: Vec<Issue>, author: &str, ctx: &AlertContext) -> Option<Issue> {
    let marker = issue_marker(&ctx.key);
    issues.into_iter().find(|i| {
        i.user
            .as_ref()
            .is_some_and(|u| u.login.eq_ignore_ascii_case(author))
            && i.body
                .as_deref()
                .is_some_and(|b| b.trim_end().lines().last().map(str::trim) == Some(&marker))
    })
}

async fn open_issue(
    client: &Client,
    repo: &Repo,
    w: &Watch,
    ctx: &AlertContext,
    author: &str,
) -> Result<IssueOutcome, ApiError> {
    let mut state = IssueState::default();
    let change = state.update(w, ctx.run_commit.as_deref());
    if change.added.is_empty() {
        return Ok(IssueOutcome::default());
    }
    let body = render_issue(&state, ctx);
    let title = issue_title(ctx);
    let issue = create_once(
        async || {
            client
                .create_issue(repo, &title, &body, &[ISSUE_LABEL])
                .await
        },
        async || {
            let issues = client.list_open_issues(repo, ISSUE_LABEL).await?;
            Ok(ours(issues, author, ctx))
        },
    )
    .await?;
    // Runs at once (pushes in a row) each found no issue and each opened one: the oldest is the
    // key's issue (the one every later run finds), the others are closed as its duplicates, and
    // this run's alert goes to it.
    let issues = client.list_open_issues(repo, ISSUE_LABEL).await?;
    if let Some(oldest) = ours(issues, author, ctx).filter(|o| o.number < issue.number) {
        let body = render_issue_duplicate(oldest.number);
        client
            .update_issue(repo, issue.number, &body, Some(IssueClose::Duplicate))
            .await?;
        let mut kept = update_issue(client, repo, &oldest, w, ctx, author).await?;
        kept.done.insert(
            0,
            format!(
                "closed {} as a duplicate of {}, opened at the same moment",
                issue.html_url, oldest.html_url
            ),
        );
        return Ok(kept);
    }
    Ok(IssueOutcome {
        done: vec![format!("opened {}", issue.html_url)],
        label_dropped: !issue.has_label(ISSUE_LABEL),
    })
}

async fn update_issue(
    client: &Client,
    repo: &Repo,
    issue: &Issue,
    w: &Watch,
    ctx: &AlertContext,
    author: &str,
) -> Result<IssueOutcome, ApiError> {
    let mut state = IssueState::parse(issue.body.as_deref().unwrap_or_default());
    let change = state.update(w, ctx.run_commit.as_deref());
    if change.is_empty() {
        return Ok(IssueOutcome::default());
    }
    let close = state.open().next().is_none();
    let mut done = Vec::new();
    if !change.added.is_empty() {
        let body = render_issue_added(&change.added, ctx);
        comment_on_issue_once(client, repo, issue.number, &body, author).await?;
        done.push(format!(
            "added {} to {}",
            change.added.len(),
            issue.html_url
        ));
    }
    if close {
        let body = render_issue_closed(&change.undone, ctx);
        comment_on_issue_once(client, repo, issue.number, &body, author).await?;
    }
    client
        .update_issue(
            repo,
            issue.number,
            &render_issue(&state, ctx),
            close.then_some(IssueClose::Completed),
        )
        .await?;
    done.push(if close {
        format!("closed {}: every shift is undone", issue.html_url)
    } else {
        format!("updated {}", issue.html_url)
    });
    Ok(IssueOutcome {
        done,
        label_dropped: false,
    })
}

/// Comments `body` on issue `number`, once (see [`create_once`]). The issue's body is updated
/// after its comments: a comment sent twice would otherwise come back at every later push.
async fn comment_on_issue_once(
    client: &Client,
    repo: &Repo,
    number: u64,
    body: &str,
    author: &str,
) -> Result<(), ApiError> {
    create_once(
        async || {
            client
                .create_comment(repo, CommentOn::Issue(number), body)
                .await
        },
        async || {
            let comments = client.list_issue_comments(repo, number).await?;
            Ok(comments
                .into_iter()
                .find(|c| by(c, author) && c.body.as_deref().is_some_and(|b| same_text(b, body))))
        },
    )
    .await
    .map(|_| ())
}

/// Sends a creation (`create`). A POST that fails with a 5xx or a dropped connection may have
/// landed: `find` looks for it first, and it is sent again only when not found, so that a flaky
/// API neither loses the write nor makes it twice.
async fn create_once<T>(
    create: impl AsyncFn() -> Result<T, ApiError>,
    find: impl AsyncFn() -> Result<Option<T>, ApiError>,
) -> Result<T, ApiError> {
    match create().await {
        Err(e) if e.is_transient() => match find().await? {
            Some(found) => Ok(found),
            None => create().await,
        },
        done => done,
    }
}

//! Issue comments, commit comments, issues and pull requests.

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
use super::*;

impl CommentOn<'_> {
    /// The permission writing its comments needs (named when GitHub answers 403).
    fn need(self) -> Need {
        match self {
            CommentOn::PullRequest(_) => Need::CommentsWrite,
            CommentOn::Issue(_) => Need::IssuesWrite,
            CommentOn::Commit(_) => Need::ContentsWrite,
        }
    }

    /// Where its comments are created.
    fn comments_path(self, repo: &Repo) -> String {
        match self {
            CommentOn::PullRequest(n) | CommentOn::Issue(n) => {
                format!("{}/issues/{n}/comments", repo.path())
            }
            CommentOn::Commit(sha) => format!("{}/commits/{}/comments", repo.path(), encode(sha)),
        }
    }

    /// One of its comments, by id.
    fn comment_path(self, repo: &Repo, id: u64) -> String {
        match self {
            CommentOn::PullRequest(_) | CommentOn::Issue(_) => {
                format!("{}/issues/comments/{id}", repo.path())
            }
            CommentOn::Commit(_) => format!("{}/comments/{id}", repo.path()),
        }
    }
}

impl Client {
    // ---- comments on pull requests, issues and commits ----

    /// Posts a comment on `on`. Never retried after a 5xx or a lost connection: it might have
    /// been posted.
    pub async fn create_comment(
        &self,
        repo: &Repo,
        on: CommentOn<'_>,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(Method::POST, on.comments_path(repo), on.need())
            .json(&CommentBody { body })?
            .repeatable(false);
        self.send_json(call).await
    }

    /// Replaces the body of comment `comment_id` on `on` (safe to send again).
    pub async fn update_comment(
        &self,
        repo: &Repo,
        on: CommentOn<'_>,
        comment_id: u64,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(Method::PATCH, on.comment_path(repo, comment_id), on.need())
            .json(&CommentBody { body })?
            .repeatable(true);
        self.send_json(call).await
    }

    // ---- issue comments ----

    /// Every comment of an issue or pull request, oldest first ([`Client::all_pages`]).
    pub async fn list_issue_comments(
        &self,
        repo: &Repo,
        issue: u64,
    ) -> Result<Vec<IssueComment>, ApiError> {
        self.all_pages(
            &format!("{}/issues/{issue}/comments", repo.path()),
            Need::PullRequestsRead,
        )
        .await
    }

    /// Deletes a comment; one already gone (404) is deleted as well, so a retry after a lost
    /// answer is harmless.
    pub async fn delete_issue_comment(&self, repo: &Repo, comment_id: u64) -> Result<(), ApiError> {
        let call = Call::new(
            Method::DELETE,
            format!("{}/issues/comments/{comment_id}", repo.path()),
            Need::CommentsWrite,
        )
        .repeatable(true);
        match self.send(&call).await {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ---- commit comments and issues (the watch on the default branch) ----

    /// Every item of a list endpoint (`path` without the page query), reading all pages (100 a
    /// page, at most `MAX_PAGES`). Pages are requested by number on the documented path rather
    /// than by following the `Link` URL, which GitHub writes as `/repositories/{id}/...`, a form
    /// outside perfgate's API subset.
    pub(super) async fn all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        need: Need,
    ) -> Result<Vec<T>, ApiError> {
        let mut all = Vec::new();
        let mut page: u32 = 1;
        let join = if path.contains('?') { '&' } else { '?' };
        loop {
            let call = Call::new(
                Method::GET,
                format!("{path}{join}per_page=100&page={page}"),
                need,
            );
            let reply = self.send(&call).await?;
            let items: Vec<T> = reply.json(&call.operation())?;
            let count = items.len();
            all.extend(items);
            let next = reply.header("link").is_some_and(has_next_page);
            if !next || count == 0 || page >= MAX_PAGES {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// Every comment on a commit, oldest first.
    pub async fn list_commit_comments(
        &self,
        repo: &Repo,
        commit: &str,
    ) -> Result<Vec<IssueComment>, ApiError> {
        self.all_pages(
            &format!("{}/commits/{}/comments", repo.path(), encode(commit)),
            Need::ContentsRead,
        )
        .await
    }

    /// The open issues carrying `label` (pull requests left out), oldest first.
    pub async fn list_open_issues(&self, repo: &Repo, label: &str) -> Result<Vec<Issue>, ApiError> {
        let issues: Vec<Issue> = self
            .all_pages(
                &format!(
                    "{}/issues?state=open&labels={}&sort=created&direction=asc",
                    repo.path(),
                    encode(label)
                ),
                Need::IssuesRead,
            )
            .await?;
        Ok(issues
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .collect())
    }

    /// Opens an issue. Never retried after a 5xx or a lost connection: it might have been opened.
    pub async fn create_issue(
        &self,
        repo: &Repo,
        title: &str,
        body: &str,
        labels: &[&str],
    ) -> Result<Issue, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/issues", repo.path()),
            Need::IssuesWrite,
        )
        .json(&CreateIssue {
            title,
            body,
            labels,
        })?
        .repeatable(false);
        self.send_json(call).await
    }

    /// Replaces an issue's body, and closes it with `close`'s reason.
    pub async fn update_issue(
        &self,
        repo: &Repo,
        number: u64,
        body: &str,
        close: Option<IssueClose>,
    ) -> Result<Issue, ApiError> {
        let call = Call::new(
            Method::PATCH,
            format!("{}/issues/{number}", repo.path()),
            Need::IssuesWrite,
        )
        .json(&UpdateIssue {
            body,
            state: close.map(|_| "closed"),
            state_reason: close.map(IssueClose::reason),
        })?
        .repeatable(true);
        self.send_json(call).await
    }

    // ---- pulls ----

    /// A pull request; `None` when there is no such pull request.
    pub async fn get_pull(
        &self,
        repo: &Repo,
        number: u64,
    ) -> Result<Option<PullRequest>, ApiError> {
        self.get_json(
            format!("{}/pulls/{number}", repo.path()),
            Need::PullRequestsRead,
        )
        .await
    }
}

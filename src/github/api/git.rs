//! The Git Data API: refs, blobs, trees and commits, for the data branch's own commits.

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
use super::*;

impl Client {
    // ---- git data ----

    /// The commit a branch points at; `None` when the branch does not exist.
    pub async fn get_branch_head(
        &self,
        repo: &Repo,
        branch: &str,
    ) -> Result<Option<String>, ApiError> {
        let reply: Option<GitRef> = self
            .get_json(
                format!("{}/git/ref/heads/{}", repo.path(), encode_path(branch)),
                Need::ContentsRead,
            )
            .await?;
        Ok(reply.map(|r| r.object.sha))
    }

    /// The entries directly under a tree (not recursive): `(name, type)` with type `blob`, `tree`
    /// or `commit`; `None` when the tree does not exist. A tree of more entries than GitHub
    /// lists in one answer says `truncated`; the entries it did list are returned.
    pub async fn get_tree(
        &self,
        repo: &Repo,
        tree_sha: &str,
    ) -> Result<Option<Vec<(String, String)>>, ApiError> {
        let reply: Option<TreeListing> = self
            .get_json(
                format!("{}/git/trees/{}", repo.path(), encode_path(tree_sha)),
                Need::ContentsRead,
            )
            .await?;
        Ok(reply.map(|t| t.tree.into_iter().map(|e| (e.path, e.kind)).collect()))
    }

    /// The root tree of a commit; `None` when the commit does not exist.
    pub async fn get_commit_tree(
        &self,
        repo: &Repo,
        commit_sha: &str,
    ) -> Result<Option<String>, ApiError> {
        let reply: Option<CommitTree> = self
            .get_json(
                format!("{}/git/commits/{}", repo.path(), encode_path(commit_sha)),
                Need::ContentsRead,
            )
            .await?;
        Ok(reply.map(|c| c.tree.sha))
    }

    /// Stores `text` as a blob; returns its sha.
    pub async fn create_blob(&self, repo: &Repo, text: &str) -> Result<String, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/git/blobs", repo.path()),
            Need::ContentsWrite,
        )
        .json(&CreateBlob {
            content: text,
            encoding: "utf-8",
        })?
        .repeatable(true);
        let reply: ShaOnly = self.send_json(call).await?;
        Ok(reply.sha)
    }

    /// Creates a tree: `base_tree` plus `entries` (an entry with `sha: None` deletes the path).
    pub async fn create_tree(
        &self,
        repo: &Repo,
        base_tree: Option<&str>,
        entries: &[TreeEntry],
    ) -> Result<String, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/git/trees", repo.path()),
            Need::ContentsWrite,
        )
        .json(&CreateTree {
            base_tree,
            tree: entries,
        })?
        .repeatable(true);
        let reply: ShaOnly = self.send_json(call).await?;
        Ok(reply.sha)
    }

    /// Creates a commit (a root commit when `parents` is empty); returns its sha.
    pub async fn create_commit(
        &self,
        repo: &Repo,
        message: &str,
        tree: &str,
        parents: &[&str],
    ) -> Result<String, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/git/commits", repo.path()),
            Need::ContentsWrite,
        )
        .json(&CreateCommit {
            message,
            tree,
            parents,
        })?
        .repeatable(true);
        let reply: ShaOnly = self.send_json(call).await?;
        Ok(reply.sha)
    }

    /// Creates `refs/heads/<branch>` at `sha`. A 422 means it exists already.
    pub async fn create_branch(
        &self,
        repo: &Repo,
        branch: &str,
        sha: &str,
    ) -> Result<(), ApiError> {
        let full = format!("refs/heads/{branch}");
        let call = Call::new(
            Method::POST,
            format!("{}/git/refs", repo.path()),
            Need::ContentsWrite,
        )
        .json(&CreateRef { r#ref: &full, sha })?
        .repeatable(false);
        self.send(&call).await.map(|_| ())
    }

    /// Moves a branch to `sha`, only as a fast-forward: a 422 means someone else moved it first.
    pub async fn update_branch(
        &self,
        repo: &Repo,
        branch: &str,
        sha: &str,
    ) -> Result<(), ApiError> {
        let call = Call::new(
            Method::PATCH,
            format!("{}/git/refs/heads/{}", repo.path(), encode_path(branch)),
            Need::ContentsWrite,
        )
        .json(&UpdateRef { sha, force: false })?
        .repeatable(true);
        self.send(&call).await.map(|_| ())
    }
}

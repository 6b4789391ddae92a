//! The typed requests and answers: only the fields perfgate sends or reads.

use serde::{Deserialize, Serialize};

/// Why an issue is closed (its `state_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueClose {
    /// What it tracked is done.
    Completed,
    /// Another issue tracks the same.
    Duplicate,
}

impl IssueClose {
    pub fn reason(self) -> &'static str {
        match self {
            IssueClose::Completed => "completed",
            IssueClose::Duplicate => "duplicate",
        }
    }
}

/// What a comment is written on, which decides its endpoints and the permission writing it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentOn<'a> {
    /// A pull request's conversation, by number (the sticky report comment):
    /// `pull-requests: write`.
    PullRequest(u64),
    /// An issue, by number (the watch's issue on the default branch): `issues: write`.
    Issue(u64),
    /// A commit, by sha (the watch's comment on the commit that started a shift):
    /// `contents: write`.
    Commit(&'a str),
}

#[derive(Serialize)]
pub(super) struct CommentBody<'a> {
    pub(super) body: &'a str,
}

#[derive(Serialize)]
pub(super) struct CreateIssue<'a> {
    pub(super) title: &'a str,
    pub(super) body: &'a str,
    pub(super) labels: &'a [&'a str],
}

#[derive(Serialize)]
pub(super) struct UpdateIssue<'a> {
    pub(super) body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) state_reason: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct PutFile<'a> {
    pub(super) message: &'a str,
    pub(super) content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sha: Option<&'a str>,
    pub(super) branch: &'a str,
}

#[derive(Serialize)]
pub(super) struct CreateBlob<'a> {
    pub(super) content: &'a str,
    pub(super) encoding: &'a str,
}

#[derive(Serialize)]
pub(super) struct CreateTree<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) base_tree: Option<&'a str>,
    pub(super) tree: &'a [TreeEntry],
}

#[derive(Serialize)]
pub(super) struct CreateCommit<'a> {
    pub(super) message: &'a str,
    pub(super) tree: &'a str,
    pub(super) parents: &'a [&'a str],
}

#[derive(Serialize)]
pub(super) struct CreateRef<'a> {
    pub(super) r#ref: &'a str,
    pub(super) sha: &'a str,
}

#[derive(Serialize)]
pub(super) struct UpdateRef<'a> {
    pub(super) sha: &'a str,
    pub(super) force: bool,
}

/// One entry of a tree to create. `sha: None` is sent as `null`: delete the path.
#[derive(Debug, Clone, Serialize)]
pub struct TreeEntry {
    pub path: String,
    pub mode: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub sha: Option<String>,
}

impl TreeEntry {
    /// A regular file with the blob `sha`.
    pub fn file(path: impl Into<String>, sha: impl Into<String>) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            mode: "100644",
            kind: "blob",
            sha: Some(sha.into()),
        }
    }

    /// Removes `path` from the base tree.
    pub fn delete(path: impl Into<String>) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            mode: "100644",
            kind: "blob",
            sha: None,
        }
    }
}

/// An issue or pull request comment.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueComment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
    pub html_url: String,
}

/// The parts of an issue perfgate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub state: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
    pub html_url: String,
    /// Names or label objects, as GitHub sends them.
    #[serde(default)]
    pub labels: Vec<serde_json::Value>,
    /// Present on pull requests, which the issues list includes.
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

impl Issue {
    /// Whether the issue carries the label `name`.
    pub fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|l| {
            l.as_str()
                .or_else(|| l.get("name").and_then(serde_json::Value::as_str))
                == Some(name)
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
}

/// The parts of a pull request perfgate checks.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub state: String,
    pub head: GitPointer,
    pub base: GitPointer,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitPointer {
    pub sha: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The repository of the branch; null once a fork is deleted.
    #[serde(default)]
    pub repo: Option<RepoName>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RepoName {
    pub full_name: String,
}

/// A file's text and its blob sha (what a replacing PUT must name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContent {
    pub path: String,
    pub sha: String,
    pub text: String,
}

/// What a contents PUT created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCommit {
    /// The new blob sha of the file.
    pub content_sha: String,
    pub commit_sha: String,
    /// The root tree of the new commit: the base for a follow-up git-data commit.
    pub tree_sha: String,
}

#[derive(Deserialize)]
pub(super) struct ContentEntry {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) path: String,
    pub(super) sha: String,
    #[serde(default)]
    pub(super) encoding: Option<String>,
    #[serde(default)]
    pub(super) content: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PutFileReply {
    pub(super) content: Option<ShaOnly>,
    pub(super) commit: PutFileCommit,
}

#[derive(Deserialize)]
pub(super) struct PutFileCommit {
    pub(super) sha: String,
    pub(super) tree: Option<ShaOnly>,
}

#[derive(Deserialize)]
pub(super) struct ShaOnly {
    pub(super) sha: String,
}

#[derive(Deserialize)]
pub(super) struct CommitTree {
    pub(super) tree: ShaOnly,
}

#[derive(Deserialize)]
pub(super) struct TreeListing {
    pub(super) tree: Vec<TreeListingEntry>,
}

#[derive(Deserialize)]
pub(super) struct TreeListingEntry {
    pub(super) path: String,
    #[serde(rename = "type")]
    pub(super) kind: String,
}

#[derive(Deserialize)]
pub(super) struct GitRef {
    pub(super) object: ShaOnly,
}

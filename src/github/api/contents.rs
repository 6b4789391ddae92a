//! The contents API: reading a file (JSON or raw) and writing one as a commit.

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
use super::*;

impl Client {
    // ---- contents ----

    /// A file of `git_ref` (a branch, tag or commit) with its blob sha; `None` when the file or
    /// the ref does not exist. Files over 1 MB, which the JSON form does not carry, are fetched
    /// again with the raw media type (two requests instead of one).
    pub async fn get_file(
        &self,
        repo: &Repo,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<FileContent>, ApiError> {
        let url = contents_path(repo, path, Some(git_ref));
        let call = Call::new(Method::GET, url, Need::ContentsRead);
        let operation = call.operation();
        let reply = match self.send(&call).await {
            Ok(reply) => reply,
            Err(e) if e.status() == Some(404) => return Ok(None),
            Err(ApiError::TooLarge { .. }) => {
                // The documented answer for 1-100 MB files without a custom media type; the
                // raw form carries no sha, so such a file cannot be updated with a sha check.
                return Err(ApiError::Decode {
                    operation,
                    message: format!("`{path}` is over 1 MB and GitHub gave no sha for it"),
                });
            }
            Err(e) => return Err(e),
        };
        let value: serde_json::Value = reply.json(&operation)?;
        if value.is_array() {
            return Err(ApiError::Decode {
                operation,
                message: format!("`{path}` is a directory, not a file"),
            });
        }
        let entry: ContentEntry = serde_json::from_value(value).map_err(|e| ApiError::Decode {
            operation: operation.clone(),
            message: e.to_string(),
        })?;
        if entry.kind != "file" {
            return Err(ApiError::Decode {
                operation,
                message: format!("`{path}` is a {}, not a file", entry.kind),
            });
        }
        let text = match (entry.encoding.as_deref(), entry.content.as_deref()) {
            (Some("base64"), Some(content)) => decode_base64(content, &operation)?,
            // Over 1 MB: GitHub sends `encoding: none` and no content; read the raw bytes.
            _ => match self.get_raw_file(repo, path, git_ref).await? {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        Ok(Some(FileContent {
            path: entry.path,
            sha: entry.sha,
            text,
        }))
    }

    /// A file's text through the raw media type (any size up to 100 MB, one request, no sha);
    /// `None` when the file or the ref does not exist.
    pub async fn get_raw_file(
        &self,
        repo: &Repo,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<String>, ApiError> {
        let call = Call::new(
            Method::GET,
            contents_path(repo, path, Some(git_ref)),
            Need::ContentsRead,
        )
        .accept(MEDIA_RAW);
        match self.send(&call).await {
            Ok(reply) if reply.not_utf8 => Err(ApiError::Decode {
                operation: call.operation(),
                message: format!("`{path}` is not UTF-8 text: the file is damaged"),
            }),
            Ok(reply) => Ok(Some(reply.body)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates (`sha` None) or replaces (`sha` of the current blob) a file on `branch`, as one
    /// commit. A stale `sha` is a 409 (see [`ApiError::is_conflict`]). Only a replacement is
    /// retried after a 5xx: a repeated creation would fail on the file it created.
    pub async fn put_file(
        &self,
        repo: &Repo,
        path: &str,
        branch: &str,
        message: &str,
        text: &str,
        sha: Option<&str>,
    ) -> Result<FileCommit, ApiError> {
        let body = PutFile {
            message,
            content: base64::engine::general_purpose::STANDARD.encode(text),
            sha,
            branch,
        };
        let call = Call::new(
            Method::PUT,
            contents_path(repo, path, None),
            Need::ContentsWrite,
        )
        .json(&body)?
        .repeatable(sha.is_some());
        let operation = call.operation();
        let reply: PutFileReply = self.send_json(call).await?;
        let decode = |what: &str| ApiError::Decode {
            operation: operation.clone(),
            message: format!("the answer has no {what}"),
        };
        let content_sha = reply
            .content
            .map(|c| c.sha)
            .ok_or_else(|| decode("content.sha"))?;
        Ok(FileCommit {
            content_sha,
            commit_sha: reply.commit.sha,
            tree_sha: reply
                .commit
                .tree
                .map(|t| t.sha)
                .ok_or_else(|| decode("commit.tree.sha"))?,
        })
    }
}

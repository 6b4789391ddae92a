//! What can go wrong with a request, in words a user can act on: the operation, the status,
//! GitHub's message cut short and redacted, the permission a 403 needs.

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
use super::*;

/// A GitHub API failure, saying what was attempted and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the GitHub API URL `{url}` is not usable: {reason} (expected e.g. `https://api.github.com` or `https://HOST/api/v3`)")]
    BadUrl { url: String, reason: String },
    #[error("`{given}` is not a repository name of the form `owner/name`")]
    BadRepo { given: String },
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
    #[error("{operation}: could not reach GitHub: {message}{}", attempts_note(*attempts))]
    Connection {
        operation: String,
        message: String,
        attempts: u32,
    },
    #[error("{operation}: GitHub failed with HTTP {status}: {message}{}", attempts_note(*attempts))]
    Server {
        operation: String,
        status: u16,
        message: String,
        attempts: u32,
    },
    #[error("{operation}: the GitHub API rate limit is exhausted and resets at {resets_at} (in {wait_secs} s); perfgate waits at most {cap_secs} s for a reset (it waited {waits} time(s) already): re-run the job after that time")]
    RateLimited {
        operation: String,
        resets_at: String,
        wait_secs: u64,
        cap_secs: u64,
        waits: u32,
    },
    #[error("{operation}: the token may not do this (HTTP 403: {message}). Give the workflow job `permissions:` with `{permission}`. Pull requests from forks always get a read-only token, whatever the workflow asks for: see the README's fork section")]
    Forbidden {
        operation: String,
        message: String,
        permission: &'static str,
    },
    #[error("{operation}: GitHub rejected the token (HTTP 401: {message}); check the `github-token` input")]
    Unauthorized { operation: String, message: String },
    #[error("{operation}: the file is too large for the JSON contents API (HTTP 403: {message})")]
    TooLarge { operation: String, message: String },
    #[error("{operation}: HTTP {status}: {message}")]
    Status {
        operation: String,
        status: u16,
        message: String,
    },
    #[error("{operation}: unexpected answer from GitHub: {message}")]
    Decode { operation: String, message: String },
}

pub(super) fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

impl ApiError {
    /// The HTTP status GitHub answered, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } | ApiError::Status { status, .. } => Some(*status),
            ApiError::Forbidden { .. } | ApiError::TooLarge { .. } => Some(403),
            ApiError::Unauthorized { .. } => Some(401),
            _ => None,
        }
    }

    /// 409 or 422: the state changed under us (a file's sha, a ref that is not a fast-forward,
    /// something that already exists). Callers re-read and try again.
    pub fn is_conflict(&self) -> bool {
        matches!(self.status(), Some(409 | 422))
    }

    /// A 5xx or a lost connection: the request may or may not have landed. A creation that ends
    /// so is checked before it is sent again (it is not retried blindly, which could do it twice).
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Connection { .. })
            || matches!(self, ApiError::Server { status, .. } if *status >= 500)
    }
}

/// Builds the error for a final non-2xx answer.
pub(super) fn error_for(call: &Call, operation: String, reply: &Reply, attempts: u32) -> ApiError {
    let message = error_message(&reply.body);
    let status = reply.status.as_u16();
    match status {
        401 => ApiError::Unauthorized { operation, message },
        403 if reply.body.contains("too_large") || message.contains("too large") => {
            ApiError::TooLarge { operation, message }
        }
        403 => ApiError::Forbidden {
            operation,
            message,
            permission: call.need.permission(),
        },
        500..=599 => ApiError::Server {
            operation,
            status,
            message,
            attempts,
        },
        _ => ApiError::Status {
            operation,
            status,
            message,
        },
    }
}

/// GitHub's `message` (and the `errors` details of a 422), or the start of a non-JSON body.
pub(super) fn error_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct GitHubError {
        message: Option<String>,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
    }
    let text = match serde_json::from_str::<GitHubError>(body) {
        Ok(GitHubError {
            message: Some(m),
            errors,
        }) => {
            let details: Vec<String> = errors
                .iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other
                        .get("message")
                        .or_else(|| other.get("code"))
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string()),
                })
                .collect();
            if details.is_empty() {
                m
            } else {
                format!("{m} ({})", details.join("; "))
            }
        }
        _ if body.trim().is_empty() => "no message".to_string(),
        _ => body.trim().to_string(),
    };
    truncate_chars(&text, 300)
}

pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// octocrab's error and its sources, on one line.
pub(super) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

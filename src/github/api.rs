//! The GitHub REST client: octocrab used as a plain HTTP transport (rustls with ring, explicit
//! connect/read timeouts, no octocrab retry layer) under perfgate's own typed requests, responses
//! and retry policy, so that every request perfgate sends is one we chose and can reason about.
//!
//! Only the operations of GitHub's REST description that perfgate needs are used (see
//! `tests/fixtures/github/rest-subset.json`): issue comments (list, create, update), contents
//! (get, put), git refs, blobs, trees and commits, pulls (get), and for the watch on the default
//! branch commit comments (list, create, update) and issues (list, create, update).
//!
//! Retry policy ([`RetryPolicy`]):
//! - 5xx answers and connection errors (including timeouts) are retried with exponential backoff
//!   only for requests that are safe to repeat: GETs, a contents PUT that names the file's `sha`,
//!   comment and ref PATCHes, and blob/tree/commit creation (git objects are content-addressed or
//!   unreferenced until a ref points at them, so a duplicate is invisible). Creating a comment, a
//!   ref, or a file without `sha` is never retried: the first attempt may have succeeded and a
//!   comment must never be posted twice.
//! - Rate limits (403/429 with `retry-after`, or `x-ratelimit-remaining: 0` with
//!   `x-ratelimit-reset`) mean GitHub refused the request without acting on it, so every request,
//!   POST included, waits and tries again when the wait is under a cap (60 s by default);
//!   otherwise the error says when the limit resets.
//! - A 403 "Resource not accessible by integration" names the `permissions:` the workflow needs.
//! - A 404 on a read is a normal `None`.
//!
//! The runtime: octocrab must be built inside a tokio runtime (it spawns a worker task).
//! [`Client`] is async, for tests and callers that already run tokio; [`GitHub`] is the small
//! sync facade the CLI uses: it owns a current-thread runtime and the client, and runs futures
//! with [`GitHub::block_on`].
//!
//! The token lives only inside octocrab (a `secrecy` string): it is never printed, never part of
//! an error and not shown by any `Debug` output here.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use http::{Method, StatusCode};
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The JSON media type GitHub recommends.
const MEDIA_JSON: &str = "application/vnd.github+json";
/// The file's bytes as they are: works for files up to 100 MB, where the JSON form stops at 1 MB.
const MEDIA_RAW: &str = "application/vnd.github.raw+json";

/// The most pages of a list perfgate reads (100 items each): a guard against a server that keeps
/// announcing a next page.
const MAX_PAGES: u32 = 200;

/// A GitHub token. Its `Debug` shows nothing of it and it has no `Display`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// How long to wait for the network.
#[derive(Debug, Clone)]
pub struct Timeouts {
    /// Establishing the TCP and TLS connection.
    pub connect: Duration,
    /// Between two reads of an answer.
    pub read: Duration,
    /// One whole attempt, request and answer; a hung server cannot stall a CI job longer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            request: Duration::from_secs(60),
        }
    }
}

/// When and how long to wait before trying a request again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all for a request that is safe to repeat and met a 5xx or connection error.
    pub max_attempts: u32,
    /// The first backoff; each next one doubles, up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest perfgate waits for a rate limit to reset; a longer wait is an error.
    pub max_rate_limit_wait: Duration,
    /// How many rate-limit waits one request may take.
    pub max_rate_limit_retries: u32,
    /// The wait for a secondary rate limit that names no time (GitHub says "at least a minute").
    pub secondary_rate_limit_wait: Duration,
    /// Added to a `x-ratelimit-reset` wait: the reset second is rounded down by GitHub.
    pub rate_limit_margin: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_rate_limit_wait: Duration::from_secs(60),
            max_rate_limit_retries: 3,
            secondary_rate_limit_wait: Duration::from_secs(60),
            rate_limit_margin: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1` (the first retry is `attempt == 1`).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Everything needed to talk to GitHub.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://api.github.com`, or `https://HOST/api/v3` on GitHub Enterprise Server.
    pub api_url: String,
    /// Without a token only public data can be read, at a low rate limit.
    pub token: Option<Token>,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    pub fn new(api_url: impl Into<String>, token: Option<Token>) -> ClientConfig {
        ClientConfig {
            api_url: api_url.into(),
            token,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }

    /// The API URL from `GITHUB_API_URL` (set by the Actions runner), else the public API.
    pub fn from_env(token: Option<Token>) -> ClientConfig {
        let url = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        ClientConfig::new(url, token)
    }
}

/// `owner/name` of a repository (`GITHUB_REPOSITORY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl Repo {
    pub fn parse(text: &str) -> Result<Repo, ApiError> {
        let bad = || ApiError::BadRepo {
            given: text.to_string(),
        };
        let (owner, name) = text.trim().split_once('/').ok_or_else(bad)?;
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !ok(owner) || !ok(name) {
            return Err(bad());
        }
        Ok(Repo {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// `/repos/{owner}/{repo}`, for building request paths.
    fn path(&self) -> String {
        format!("/repos/{}/{}", encode(&self.owner), encode(&self.name))
    }
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

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

fn attempts_note(attempts: u32) -> String {
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

/// The permission a request needs, named in errors as the workflow spells it.
#[derive(Debug, Clone, Copy)]
enum Need {
    CommentsWrite,
    ContentsWrite,
    ContentsRead,
    PullRequestsRead,
    IssuesRead,
    IssuesWrite,
}

impl Need {
    fn permission(self) -> &'static str {
        match self {
            Need::CommentsWrite => "pull-requests: write",
            Need::ContentsWrite => "contents: write",
            Need::ContentsRead => "contents: read",
            Need::PullRequestsRead => "pull-requests: read",
            Need::IssuesRead => "issues: read",
            Need::IssuesWrite => "issues: write",
        }
    }
}

/// One request as perfgate means it.
struct Call {
    method: Method,
    /// Path and query below the API URL, already percent-encoded.
    path: String,
    body: Option<serde_json::Value>,
    accept: &'static str,
    /// Safe to send again after a 5xx or a connection error.
    repeatable: bool,
    need: Need,
}

impl Call {
    fn new(method: Method, path: String, need: Need) -> Call {
        let repeatable = method == Method::GET;
        Call {
            method,
            path,
            body: None,
            accept: MEDIA_JSON,
            repeatable,
            need,
        }
    }

    fn json<B: Serialize>(mut self, body: &B) -> Result<Call, ApiError> {
        let value = serde_json::to_value(body).map_err(|e| ApiError::Decode {
            operation: self.operation(),
            message: format!("cannot encode the request: {e}"),
        })?;
        self.body = Some(value);
        Ok(self)
    }

    fn repeatable(mut self, yes: bool) -> Call {
        self.repeatable = yes;
        self
    }

    fn accept(mut self, media: &'static str) -> Call {
        self.accept = media;
        self
    }

    /// `GET /repos/o/r/...` without the query: what errors call the request.
    fn operation(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        format!("{} {path}", self.method)
    }
}

/// An answer, read whole.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    /// The body as text, with any bytes that are not UTF-8 replaced (see `not_utf8`).
    body: String,
    /// The body was not UTF-8: an answer, not a transport failure, so never retried.
    not_utf8: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json<T: DeserializeOwned>(&self, operation: &str) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Decode {
            operation: operation.to_string(),
            message: e.to_string(),
        })
    }
}

/// The async GitHub client. Cheap to clone. Build it inside a tokio runtime.
#[derive(Clone)]
pub struct Client {
    octo: Octocrab,
    /// The API URL without a trailing slash.
    base: String,
    retry: RetryPolicy,
    request_timeout: Duration,
    has_token: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.base)
            .field(
                "token",
                &if self.has_token {
                    "<redacted>"
                } else {
                    "<none>"
                },
            )
            .finish()
    }
}

impl Client {
    /// Builds the client. Must run inside a tokio runtime (octocrab spawns its worker there);
    /// outside one it is an error, not tokio's panic. The CLI uses [`GitHub::new`].
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let base = config.api_url.trim().trim_end_matches('/').to_string();
        let bad = |reason: &str| ApiError::BadUrl {
            url: config.api_url.clone(),
            reason: reason.to_string(),
        };
        let uri: http::Uri = base.parse().map_err(|_| bad("not a URL"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(bad("the scheme must be https (or http for a local server)"));
        }
        if uri.authority().is_none() {
            return Err(bad("it names no host"));
        }
        if uri.query().is_some() {
            return Err(bad("it must not hold a query"));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(ApiError::Setup(
                "the API client must be built inside a tokio runtime (use GitHub::new)".into(),
            ));
        }
        let mut builder = Octocrab::builder()
            .base_uri(base.as_str())
            .map_err(|e| ApiError::Setup(e.to_string()))?
            .add_header(
                HeaderName::from_static("user-agent"),
                concat!("perfgate/", env!("CARGO_PKG_VERSION")).to_string(),
            )
            .set_connect_timeout(Some(config.timeouts.connect))
            .set_read_timeout(Some(config.timeouts.read))
            .set_write_timeout(Some(config.timeouts.read));
        let has_token = config.token.is_some();
        if let Some(Token(token)) = config.token {
            builder = builder.personal_token(token);
        }
        let octo = builder
            .build()
            .map_err(|e| ApiError::Setup(e.to_string()))?;
        Ok(Client {
            octo,
            base,
            retry: config.retry,
            request_timeout: config.timeouts.request,
            has_token,
        })
    }

    pub fn api_url(&self) -> &str {
        &self.base
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sends `call` under the retry policy. Every non-2xx answer becomes an error.
    async fn send(&self, call: &Call) -> Result<Reply, ApiError> {
        let operation = call.operation();
        let mut attempt: u32 = 0;
        let mut rate_waits: u32 = 0;
        loop {
            attempt += 1;
            let reply = match self.attempt(call).await {
                Ok(reply) => reply,
                Err(message) => {
                    if call.repeatable && attempt < self.retry.max_attempts {
                        tokio::time::sleep(self.retry.backoff(attempt)).await;
                        continue;
                    }
                    return Err(ApiError::Connection {
                        operation,
                        message,
                        attempts: attempt,
                    });
                }
            };
            if reply.status.is_success() {
                return Ok(reply);
            }
            if let Some(wait) = rate_limit_wait(&self.retry, &reply) {
                if wait <= self.retry.max_rate_limit_wait
                    && rate_waits < self.retry.max_rate_limit_retries
                {
                    rate_waits += 1;
                    // A refused request does not count as a failed attempt.
                    attempt -= 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                // Clamped: the header is outside input, and humantime stops at year 9999.
                let shown = wait.min(Duration::from_secs(100 * 365 * 86_400));
                let now = SystemTime::now();
                let resets = now.checked_add(shown).unwrap_or(now);
                return Err(ApiError::RateLimited {
                    operation,
                    resets_at: humantime::format_rfc3339_seconds(resets).to_string(),
                    wait_secs: wait.as_secs(),
                    cap_secs: self.retry.max_rate_limit_wait.as_secs(),
                    waits: rate_waits,
                });
            }
            if reply.status.is_server_error()
                && call.repeatable
                && attempt < self.retry.max_attempts
            {
                tokio::time::sleep(self.retry.backoff(attempt)).await;
                continue;
            }
            return Err(error_for(call, operation, &reply, attempt));
        }
    }

    /// One request and its whole answer; `Err` is a transport failure (connection, timeout,
    /// broken body), which is what may be retried.
    async fn attempt(&self, call: &Call) -> Result<Reply, String> {
        let url = format!("{}{}", self.base, call.path);
        let mut request = http::Request::builder()
            .method(call.method.clone())
            .uri(url.as_str());
        request = request.header(ACCEPT, HeaderValue::from_static(call.accept));
        let built = self
            .octo
            .build_request(request, call.body.as_ref())
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let exchange = async {
            let response = self.octo.execute(built).await.map_err(|e| describe(&e))?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .map_err(|e| describe(&e))?
                .to_bytes();
            // A body that is not UTF-8 is an answer (a stored file damaged, say), not a reason
            // to call GitHub unreachable and ask again.
            let (body, not_utf8) = match String::from_utf8(bytes.to_vec()) {
                Ok(text) => (text, false),
                Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
            };
            Ok::<Reply, String>(Reply {
                status,
                headers,
                body,
                not_utf8,
            })
        };
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "no complete answer within {} s",
                self.request_timeout.as_secs()
            )),
        }
    }

    /// `GET path` decoded as `T`; a 404 is `None`.
    async fn get_json<T: DeserializeOwned>(
        &self,
        path: String,
        need: Need,
    ) -> Result<Option<T>, ApiError> {
        let call = Call::new(Method::GET, path, need);
        match self.send(&call).await {
            Ok(reply) => reply.json(&call.operation()).map(Some),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn send_json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let reply = self.send(&call).await?;
        reply.json(&call.operation())
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

    /// Posts a comment. Never retried after a 5xx or a lost connection: it might have been
    /// posted.
    pub async fn create_issue_comment(
        &self,
        repo: &Repo,
        issue: u64,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/issues/{issue}/comments", repo.path()),
            Need::CommentsWrite,
        )
        .json(&CommentBody { body })?
        .repeatable(false);
        self.send_json(call).await
    }

    pub async fn update_issue_comment(
        &self,
        repo: &Repo,
        comment_id: u64,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(
            Method::PATCH,
            format!("{}/issues/comments/{comment_id}", repo.path()),
            Need::CommentsWrite,
        )
        .json(&CommentBody { body })?
        .repeatable(true);
        self.send_json(call).await
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
    async fn all_pages<T: DeserializeOwned>(
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

    /// Comments on a commit. Never retried after a 5xx or a lost connection: it might have been
    /// posted.
    pub async fn create_commit_comment(
        &self,
        repo: &Repo,
        commit: &str,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/commits/{}/comments", repo.path(), encode(commit)),
            Need::ContentsWrite,
        )
        .json(&CommentBody { body })?
        .repeatable(false);
        self.send_json(call).await
    }

    pub async fn update_commit_comment(
        &self,
        repo: &Repo,
        comment_id: u64,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(
            Method::PATCH,
            format!("{}/comments/{comment_id}", repo.path()),
            Need::ContentsWrite,
        )
        .json(&CommentBody { body })?
        .repeatable(true);
        self.send_json(call).await
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

    /// Replaces an issue's body, and closes it as completed with `close`.
    pub async fn update_issue(
        &self,
        repo: &Repo,
        number: u64,
        body: &str,
        close: bool,
    ) -> Result<Issue, ApiError> {
        let call = Call::new(
            Method::PATCH,
            format!("{}/issues/{number}", repo.path()),
            Need::IssuesWrite,
        )
        .json(&UpdateIssue {
            body,
            state: close.then_some("closed"),
            state_reason: close.then_some("completed"),
        })?
        .repeatable(true);
        self.send_json(call).await
    }

    /// Comments on an issue (the issue comments endpoint, with the permission issues need).
    pub async fn comment_on_issue(
        &self,
        repo: &Repo,
        number: u64,
        body: &str,
    ) -> Result<IssueComment, ApiError> {
        let call = Call::new(
            Method::POST,
            format!("{}/issues/{number}/comments", repo.path()),
            Need::IssuesWrite,
        )
        .json(&CommentBody { body })?
        .repeatable(false);
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

/// How long to wait when `reply` is a rate-limit refusal; None when it is not one.
fn rate_limit_wait(policy: &RetryPolicy, reply: &Reply) -> Option<Duration> {
    if !matches!(reply.status.as_u16(), 403 | 429) {
        return None;
    }
    if let Some(secs) = reply
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(secs));
    }
    let exhausted = reply.header("x-ratelimit-remaining").map(str::trim) == Some("0");
    if exhausted {
        if let Some(reset) = reply
            .header("x-ratelimit-reset")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let wait = Duration::from_secs(reset).saturating_sub(now);
            return Some(wait.saturating_add(policy.rate_limit_margin));
        }
    }
    let secondary = reply.body.to_ascii_lowercase().contains("rate limit");
    if reply.status == StatusCode::TOO_MANY_REQUESTS || exhausted || secondary {
        return Some(policy.secondary_rate_limit_wait);
    }
    None
}

/// Builds the error for a final non-2xx answer.
fn error_for(call: &Call, operation: String, reply: &Reply, attempts: u32) -> ApiError {
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
fn error_message(body: &str) -> String {
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

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// octocrab's error and its sources, on one line.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
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

/// Whether a `Link` header announces a next page.
fn has_next_page(link: &str) -> bool {
    link.split(',').any(|part| {
        part.split(';')
            .skip(1)
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
    })
}

fn decode_base64(content: &str, operation: &str) -> Result<String, ApiError> {
    // GitHub wraps base64 at 60 columns.
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| ApiError::Decode {
            operation: operation.to_string(),
            message: format!("bad base64 content: {e}"),
        })?;
    String::from_utf8(bytes).map_err(|_| ApiError::Decode {
        operation: operation.to_string(),
        message: "the file is not UTF-8 text".to_string(),
    })
}

/// `/repos/o/r/contents/<path>[?ref=<ref>]`.
fn contents_path(repo: &Repo, path: &str, git_ref: Option<&str>) -> String {
    let mut url = format!("{}/contents/{}", repo.path(), encode_path(path));
    if let Some(r) = git_ref {
        url.push_str("?ref=");
        url.push_str(&encode(r));
    }
    url
}

/// Percent-encodes one path segment or query value (everything but RFC 3986 unreserved).
pub(crate) fn encode(text: &str) -> String {
    crate::report::percent_encode(text)
}

/// Percent-encodes a `/`-separated path, keeping the slashes.
fn encode_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// `base` scaled by a random factor in [0.5, 1.0]: concurrent writers that collided do not
/// collide again in lockstep.
pub(crate) fn jitter(base: Duration) -> Duration {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let r = h.finish() % 1000;
    let factor = 0.5 + (r as f64) / 2000.0;
    base.mul_f64(factor)
}

// ---- typed requests and answers (only the fields perfgate reads) ----

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct CreateIssue<'a> {
    title: &'a str,
    body: &'a str,
    labels: &'a [&'a str],
}

#[derive(Serialize)]
struct UpdateIssue<'a> {
    body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct PutFile<'a> {
    message: &'a str,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha: Option<&'a str>,
    branch: &'a str,
}

#[derive(Serialize)]
struct CreateBlob<'a> {
    content: &'a str,
    encoding: &'a str,
}

#[derive(Serialize)]
struct CreateTree<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    base_tree: Option<&'a str>,
    tree: &'a [TreeEntry],
}

#[derive(Serialize)]
struct CreateCommit<'a> {
    message: &'a str,
    tree: &'a str,
    parents: &'a [&'a str],
}

#[derive(Serialize)]
struct CreateRef<'a> {
    r#ref: &'a str,
    sha: &'a str,
}

#[derive(Serialize)]
struct UpdateRef<'a> {
    sha: &'a str,
    force: bool,
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
struct ContentEntry {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    sha: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct PutFileReply {
    content: Option<ShaOnly>,
    commit: PutFileCommit,
}

#[derive(Deserialize)]
struct PutFileCommit {
    sha: String,
    tree: Option<ShaOnly>,
}

#[derive(Deserialize)]
struct ShaOnly {
    sha: String,
}

#[derive(Deserialize)]
struct CommitTree {
    tree: ShaOnly,
}

#[derive(Deserialize)]
struct TreeListing {
    tree: Vec<TreeListingEntry>,
}

#[derive(Deserialize)]
struct TreeListingEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct GitRef {
    object: ShaOnly,
}

/// The sync facade: a current-thread tokio runtime and the client built on it. The CLI is sync;
/// it makes one of these and runs the async operations with [`GitHub::block_on`]. Cheap to clone
/// (the runtime is shared).
#[derive(Clone)]
pub struct GitHub {
    runtime: Arc<tokio::runtime::Runtime>,
    client: Client,
}

impl fmt::Debug for GitHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHub")
            .field("client", &self.client)
            .finish()
    }
}

impl GitHub {
    /// Creates the runtime and the client. Must not be called from inside a tokio runtime.
    pub fn new(config: ClientConfig) -> Result<GitHub, ApiError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot start the async runtime: {e}")))?;
        let client = {
            // octocrab spawns its request worker on the runtime it is built in.
            let _guard = runtime.enter();
            Client::new(config)?
        };
        Ok(GitHub {
            runtime: Arc::new(runtime),
            client,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs `future` to completion on the facade's runtime. Panics (tokio's rule) when called
    /// from inside another runtime: the CLI never is.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
        assert_eq!(p.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_between_half_and_whole() {
        for _ in 0..100 {
            let j = jitter(Duration::from_millis(1000));
            assert!(j >= Duration::from_millis(500) && j <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn reads_next_links() {
        assert!(has_next_page(
            r#"<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?page=3>; rel="last""#
        ));
        assert!(!has_next_page(
            r#"<https://api.github.com/repositories/1/issues/2/comments?page=1>; rel="prev", <https://api.github.com/repositories/1/issues/2/comments?page=1>; rel="first""#
        ));
    }

    #[test]
    fn encodes_paths_and_refs() {
        assert_eq!(encode_path("a b/runs/x+y.json"), "a%20b/runs/x%2By.json");
        assert_eq!(encode("feature/x"), "feature%2Fx");
    }

    #[test]
    fn parses_repository_names() {
        let r = Repo::parse("octo-org/perf.gate").unwrap();
        assert_eq!(r.to_string(), "octo-org/perf.gate");
        assert!(Repo::parse("nope").is_err());
        assert!(Repo::parse("a/b/c").is_err());
        assert!(Repo::parse("/b").is_err());
    }

    #[test]
    fn error_messages_carry_github_details() {
        let m = error_message(
            r#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"custom","message":"body is too long"}]}"#,
        );
        assert_eq!(m, "Validation Failed (body is too long)");
        assert_eq!(error_message(""), "no message");
        assert_eq!(
            error_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
    }

    fn reply(status: u16, headers: &[(&'static str, &str)], body: &str) -> Reply {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.to_string(),
            not_utf8: false,
        }
    }

    #[test]
    fn recognises_rate_limits_and_only_them() {
        let p = RetryPolicy::default();
        let wait = |r: &Reply| rate_limit_wait(&p, r);
        assert_eq!(
            wait(&reply(429, &[("retry-after", "7")], "")),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            wait(&reply(
                403,
                &[],
                r#"{"message":"You have exceeded a secondary rate limit"}"#
            )),
            Some(p.secondary_rate_limit_wait)
        );
        let far = reply(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "18446744073709551615"),
            ],
            "",
        );
        assert!(wait(&far).is_some_and(|w| w > Duration::from_secs(1 << 40)));
        let denied = r#"{"message":"Resource not accessible by integration"}"#;
        assert_eq!(
            wait(&reply(403, &[("x-ratelimit-remaining", "4999")], denied)),
            None
        );
        assert_eq!(wait(&reply(500, &[("retry-after", "1")], "")), None);
    }

    #[test]
    fn refuses_unusable_api_urls() {
        for url in [
            "",
            "api.github.com",
            "ftp://host/api/v3",
            "https://host/api?x=1",
        ] {
            let e = Client::new(ClientConfig::new(url, None)).unwrap_err();
            assert!(matches!(e, ApiError::BadUrl { .. }), "{url}: {e}");
        }
    }

    #[test]
    fn building_the_client_outside_a_runtime_is_an_error_not_a_panic() {
        let e = Client::new(ClientConfig::new(DEFAULT_API_URL, None)).unwrap_err();
        assert!(e.to_string().contains("tokio runtime"), "{e}");
        assert!(GitHub::new(ClientConfig::new(DEFAULT_API_URL, None)).is_ok());
    }

    #[test]
    fn token_debug_is_redacted() {
        let c = ClientConfig::new(DEFAULT_API_URL, Some(Token::new("ghs_verysecret")));
        assert!(!format!("{c:?}").contains("verysecret"));
    }
}

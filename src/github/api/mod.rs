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

mod client;
mod contents;
mod endpoints;
mod error;
mod git;
mod types;

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

pub use client::Client;
use client::*;
pub(crate) use client::{encode, jitter};
pub use error::ApiError;
use error::*;
pub use types::*;

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
mod tests;

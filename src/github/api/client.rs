//! The request loop: one typed [`Call`] sent through octocrab with timeouts, retried as the
//! policy allows (5xx and connection errors for repeatable calls, rate limits for all), its
//! answer read whole ([`Reply`]); pages of list endpoints; path encoding.

/// The public GitHub API; GitHub Enterprise Server uses `https://HOST/api/v3` (`GITHUB_API_URL`).
use super::*;

/// The permission a request needs, named in errors as the workflow spells it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Need {
    CommentsWrite,
    ContentsWrite,
    ContentsRead,
    PullRequestsRead,
    IssuesRead,
    IssuesWrite,
}

impl Need {
    pub(super) fn permission(self) -> &'static str {
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
pub(super) struct Call {
    pub(super) method: Method,
    /// Path and query below the API URL, already percent-encoded.
    pub(super) path: String,
    pub(super) body: Option<serde_json::Value>,
    pub(super) accept: &'static str,
    /// Safe to send again after a 5xx or a connection error.
    pub(super) repeatable: bool,
    pub(super) need: Need,
}

impl Call {
    pub(super) fn new(method: Method, path: String, need: Need) -> Call {
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

    pub(super) fn json<B: Serialize>(mut self, body: &B) -> Result<Call, ApiError> {
        let value = serde_json::to_value(body).map_err(|e| ApiError::Decode {
            operation: self.operation(),
            message: format!("cannot encode the request: {e}"),
        })?;
        self.body = Some(value);
        Ok(self)
    }

    pub(super) fn repeatable(mut self, yes: bool) -> Call {
        self.repeatable = yes;
        self
    }

    pub(super) fn accept(mut self, media: &'static str) -> Call {
        self.accept = media;
        self
    }

    /// `GET /repos/o/r/...` without the query: what errors call the request.
    pub(super) fn operation(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        format!("{} {path}", self.method)
    }
}

/// An answer, read whole.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    /// The body as text, with any bytes that are not UTF-8 replaced (see `not_utf8`).
    pub(super) body: String,
    /// The body was not UTF-8: an answer, not a transport failure, so never retried.
    pub(super) not_utf8: bool,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(super) fn json<T: DeserializeOwned>(&self, operation: &str) -> Result<T, ApiError> {
        serde_json::from_str(&self.body).map_err(|e| ApiError::Decode {
            operation: operation.to_string(),
            message: e.to_string(),
        })
    }
}

/// The async GitHub client. Cheap to clone. Build it inside a tokio runtime.
#[derive(Clone)]
pub struct Client {
    pub(super) octo: Octocrab,
    /// The API URL without a trailing slash.
    pub(super) base: String,
    pub(super) retry: RetryPolicy,
    pub(super) request_timeout: Duration,
    pub(super) has_token: bool,
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
    pub(super) async fn send(&self, call: &Call) -> Result<Reply, ApiError> {
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
    pub(super) async fn attempt(&self, call: &Call) -> Result<Reply, String> {
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
    pub(super) async fn get_json<T: DeserializeOwned>(
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

    pub(super) async fn send_json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let reply = self.send(&call).await?;
        reply.json(&call.operation())
    }
}

/// How long to wait when `reply` is a rate-limit refusal; None when it is not one.
pub(super) fn rate_limit_wait(policy: &RetryPolicy, reply: &Reply) -> Option<Duration> {
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

/// Whether a `Link` header announces a next page.
pub(super) fn has_next_page(link: &str) -> bool {
    link.split(',').any(|part| {
        part.split(';')
            .skip(1)
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
    })
}

pub(super) fn decode_base64(content: &str, operation: &str) -> Result<String, ApiError> {
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
pub(super) fn contents_path(repo: &Repo, path: &str, git_ref: Option<&str>) -> String {
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
pub(super) fn encode_path(path: &str) -> String {
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

use super::*;
use http::header::{HeaderMap, HeaderValue};
use http::StatusCode;

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

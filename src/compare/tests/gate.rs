//! What fails the gate: a load test's counts that follow its duration never do.

use super::*;

#[test]
fn k6_counts_that_follow_the_duration_never_fail_the_gate() {
    let k6 = || RunMeta {
        tool: Some("k6".into()),
        ..RunMeta::default()
    };
    let run = |reqs: f64, iterations: f64, errors: f64, p95: f64| {
        run_of(
            k6(),
            &[
                ("http_reqs", "count", Unit::Count, vec![reqs]),
                ("iterations", "count", Unit::Count, vec![iterations]),
                ("errors", "count", Unit::Count, vec![errors]),
                ("http_req_duration", "p(95)", Unit::Nanoseconds, vec![p95]),
            ],
        )
    };
    let config = Config::default();
    // Half the requests in the same fixed duration, latency unchanged: nothing to fail on.
    let c = compare(
        Some(&run(10_000.0, 5_000.0, 0.0, 30e6)),
        &run(5_000.0, 2_500.0, 0.0, 30e6),
        &config,
    );
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
    let reqs = c
        .results
        .iter()
        .find(|r| r.benchmark == "http_reqs")
        .unwrap();
    assert!(reqs.context && !reqs.fails_gate);
    let p95 = c
        .results
        .iter()
        .find(|r| r.benchmark == "http_req_duration")
        .unwrap();
    assert!(!p95.context);
    // More errors is worse whatever the duration; and the latency still gates.
    let c = compare(
        Some(&run(10_000.0, 5_000.0, 10.0, 30e6)),
        &run(10_000.0, 5_000.0, 100.0, 300e6),
        &config,
    );
    let failing: Vec<&str> = c
        .results
        .iter()
        .filter(|r| r.fails_gate)
        .map(|r| r.benchmark.as_str())
        .collect();
    assert_eq!(failing, ["errors", "http_req_duration"]);
    // Only k6's counts: other tools' counts keep their own rules.
    assert!(is_k6(Some("k6-ndjson")) && !is_k6(Some("wrk")) && !is_k6(None));
}

//! What fails the gate: a load test's counts that follow its duration never do.

use super::*;
use crate::compare::gate::not_gated;

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

#[test]
fn statistics_one_value_cannot_gate_are_context_even_when_inconclusive_fails() {
    let k6 = || RunMeta {
        tool: Some("k6".into()),
        ..RunMeta::default()
    };
    // quiet k6 reruns, run4 → run5: unchanged code, max +148%, p(95) within the latency floor.
    let run = |max: f64, p95: f64| {
        run_of(
            k6(),
            &[
                ("http_req_duration", "max", Unit::Nanoseconds, vec![max]),
                ("http_req_duration", "p(95)", Unit::Nanoseconds, vec![p95]),
            ],
        )
    };
    let config = Config {
        fail_on_inconclusive: true,
        ..Config::default()
    };
    let c = compare(Some(&run(13.6e6, 4.77e6)), &run(33.6e6, 5.64e6), &config);
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
    let max = &c.results.iter().find(|r| r.metric == "max").unwrap();
    assert_eq!(max.status, Status::Inconclusive);
    assert!(not_gated(max) && max.context && !max.fails_gate);
    // A command's `system` time (hyperfine, not a load test): the same.
    let cmd = |system: f64| {
        run_of(
            RunMeta {
                tool: Some("hyperfine".into()),
                ..RunMeta::default()
            },
            &[("gzip", "system", Unit::Nanoseconds, vec![system])],
        )
    };
    let c = compare(Some(&cmd(2.89e6)), &cmd(1.62e6), &config);
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
    assert!(c.results[0].context && c.results[0].status == Status::Inconclusive);
    // With a history of runs the max is gated as any value: not context.
    let history: Vec<Run> = (0..12)
        .map(|i| run(14e6 + f64::from(i % 3) * 0.5e6, 4.8e6))
        .collect();
    let c = compare_history(&history, &run(33.6e6, 4.8e6), &config);
    let max = &c.results.iter().find(|r| r.metric == "max").unwrap();
    assert_eq!(max.status, Status::Regression, "{:?}", max.note);
    assert!(!max.context && max.fails_gate);
}

//! Budgets on the current run.

use super::*;

fn k6_like() -> Run {
    let mut d = Benchmark::new("http_req_duration");
    d.push(Metric::new("p(95)", Unit::Nanoseconds, Data::Value(30e6)));
    d.push(Metric::new("med", Unit::Nanoseconds, Data::Value(20e6)));
    let mut f = Benchmark::new("http_req_failed");
    f.push(Metric::new("rate", Unit::Ratio, Data::Value(0.02)));
    Run::new(RunMeta::default(), vec![d, f])
}

#[test]
fn budgets_pass_and_break_with_actual_and_limit() {
    let cfg = Config::parse(
        "t.toml",
        "[budgets]\nhttp_req_duration = [\"p(95) < 200ms\", \"p(50) < 10\"]\nhttp_req_failed = \"rate < 1%\"\n",
    )
    .unwrap();
    let c = compare(None, &k6_like(), &cfg);
    assert!(c.results.is_empty());
    let got: Vec<_> = c
        .budgets
        .iter()
        .map(|b| (b.metric.as_str(), b.actual, b.limit, b.passed))
        .collect();
    assert_eq!(
        got,
        [
            ("p(95)", Some(30e6), 200e6, true),
            ("med", Some(20e6), 10e6, false),
            ("rate", Some(0.02), 0.01, false),
        ]
    );
    assert_eq!(c.counts.budgets_broken, 2);
    assert_eq!(reasons(&c.reasons), ["2 budgets broken"]);
    assert_eq!(c.verdict, Verdict::Fail);
}

#[test]
fn a_budget_on_something_absent_is_broken_not_skipped() {
    let cfg = Config::parse(
        "t.toml",
        "[budgets]\nhttp_req_duraton = \"p(95) < 200ms\"\nhttp_req_duration = \"p(96) < 5%\"\n",
    )
    .unwrap();
    let c = compare(None, &k6_like(), &cfg);
    let notes: Vec<_> = c
        .budgets
        .iter()
        .map(|b| b.note.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        notes,
        [
            "`http_req_duration` has no metric `p(96)`; it has: p(95), med",
            "no benchmark matches `http_req_duraton`",
        ]
    );
    assert!(c.budgets.iter().all(|b| !b.passed));
    // With nothing to check it on, a limit keeps the unit it was written in (`5%`, `200ms`).
    let limits: Vec<(f64, Unit)> = c
        .budgets
        .iter()
        .map(|b| (b.limit, b.unit.clone()))
        .collect();
    assert_eq!(limits, [(0.05, Unit::Ratio), (200e6, Unit::Nanoseconds)]);
}

//! Deterministic metrics: by name and unit, decided exactly.

use super::*;

#[test]
fn detects_deterministic_metrics_from_name_and_unit() {
    for (name, unit) in [
        ("instructions", Unit::Count),
        ("Instructions", Unit::Count),
        ("Ir", Unit::Count),
        ("Estimated Cycles", Unit::Count),
        ("L1 Hits", Unit::Count),
        ("RAM Hits", Unit::Count),
        ("Total read+write", Unit::Count),
        ("allocs", Unit::Count),
        ("alloc_bytes", Unit::Bytes),
        ("Allocated", Unit::Bytes),
        ("binary_size", Unit::Bytes),
        ("size", Unit::Bytes),
    ] {
        assert!(is_deterministic(name, &unit), "{name}");
    }
    for (name, unit) in [
        ("time", Unit::Nanoseconds),
        ("allocs_time", Unit::Nanoseconds),
        ("memory", Unit::Bytes),
        ("max_rss", Unit::Bytes),
        ("cycles", Unit::Count),
        ("throughput", Unit::BytesPerSecond),
        ("iterations", Unit::Count),
        ("size", Unit::Count),
    ] {
        assert!(!is_deterministic(name, &unit), "{name}");
    }
}

#[test]
fn deterministic_metrics_are_decided_exactly_without_a_test() {
    let base = run_of(
        RunMeta::default(),
        &[
            ("A", "allocs", Unit::Count, vec![10.0; 10]),
            ("I", "instructions", Unit::Count, vec![1_000_000.0]),
        ],
    );
    let cur = run_of(
        RunMeta::default(),
        &[
            ("A", "allocs", Unit::Count, vec![11.0; 10]),
            ("I", "instructions", Unit::Count, vec![1_010_000.0]),
        ],
    );
    let c = compare(Some(&base), &cur, &Config::default());
    let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
    assert_eq!((a.status, a.method), (Status::Regression, Method::Exact));
    assert!(a.deterministic && a.p_value.is_none());
    let i = c.results.iter().find(|r| r.benchmark == "I").unwrap();
    assert_eq!((i.status, i.method), (Status::Unchanged, Method::Exact));
    assert_eq!(
        c.corrected_over, 0,
        "exact metrics have no p-value to correct"
    );

    // A 0% rule makes any increase count; `deterministic = false` brings the test back.
    let cfg = Config::parse(
        "t.toml",
        "[[rule]]\nmetric = \"instructions\"\nthreshold = \"0%\"\n[[rule]]\nmetric = \"allocs\"\ndeterministic = false\n",
    )
    .unwrap();
    let c = compare(Some(&base), &cur, &cfg);
    let i = c.results.iter().find(|r| r.benchmark == "I").unwrap();
    assert_eq!(i.status, Status::Regression);
    let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
    assert_eq!(a.method, Method::MannWhitney);
    assert!(!a.deterministic);
}

//! Runs from other kinds of machine.

use super::*;

pub(super) fn on(cpu: &str, cores: Option<u32>) -> RunMeta {
    RunMeta {
        environment: crate::model::Environment {
            os: Some("linux".into()),
            cpu: Some(cpu.into()),
            cores,
            ..Default::default()
        },
        ..RunMeta::default()
    }
}

#[test]
fn across_environments_noisy_regressions_are_inconclusive_but_deterministic_ones_gate() {
    let benches = |f: f64| {
        vec![
            ("T", "time", Unit::Nanoseconds, vec![100.0 * f]),
            ("A", "allocs", Unit::Count, vec![10.0 * f]),
        ]
    };
    let base = run_of(on("AMD EPYC 7763", Some(4)), &benches(1.0));
    let cur = run_of(on("Intel Xeon 8370C", Some(4)), &benches(1.5));
    let c = compare(Some(&base), &cur, &Config::default());
    assert_eq!(
        c.environment_differences,
        ["cpu: AMD EPYC 7763 → Intel Xeon 8370C"]
    );
    assert!(c.cross_environment());
    let t = c.results.iter().find(|r| r.benchmark == "T").unwrap();
    assert_eq!(t.status, Status::Inconclusive);
    assert!(words(&t.note)
        .as_deref()
        .unwrap()
        .contains("another environment"));
    let a = c.results.iter().find(|r| r.benchmark == "A").unwrap();
    assert_eq!(a.status, Status::Regression);
    assert_eq!(reasons(&c.reasons), ["1 regression"]);

    let cfg = Config {
        allow_cross_environment: true,
        ..Config::default()
    };
    assert_eq!(compare(Some(&base), &cur, &cfg).counts.regression, 2);

    // A hosted runner's image version is not a difference; its image is.
    let runner = |r: &str| RunMeta {
        environment: crate::model::Environment {
            runner: Some(r.into()),
            ..Default::default()
        },
        ..RunMeta::default()
    };
    let base = run_of(runner("ubuntu24/20251112.1"), &benches(1.0));
    let cur = run_of(runner("ubuntu24/20251119.1"), &benches(1.0));
    assert!(!compare(Some(&base), &cur, &Config::default()).cross_environment());
    let cur = run_of(runner("ubuntu22/20251119.1"), &benches(1.0));
    assert_eq!(
        compare(Some(&base), &cur, &Config::default()).environment_differences,
        ["runner: ubuntu24 → ubuntu22"]
    );

    // Fields known on one side only do not count as a difference.
    let base = run_of(on("AMD EPYC 7763", None), &benches(1.0));
    let cur = run_of(on("AMD EPYC 7763", Some(8)), &benches(1.5));
    let c = compare(Some(&base), &cur, &Config::default());
    assert!(!c.cross_environment());
    assert_eq!(c.counts.regression, 2);
}

/// `suite::suite_run` on a 4-core machine with `cpu`.
fn suite_on(cpu: &str, k: usize, machine: f64, slower: f64) -> Run {
    let mut run = super::suite::suite_run(k, machine, slower, 10);
    run.meta = on(cpu, Some(4));
    run
}

#[test]
fn a_regression_across_environments_is_not_said_to_be_decided() {
    // Three benchmarks, the last 30% slower: decided on the repeats, and said so, on one machine;
    // inconclusive across two, with no word of a decision.
    let repeats = |c: &Comparison| {
        c.results
            .iter()
            .filter_map(|r| words(&r.note))
            .filter(|w| w.contains("decided on each run's repeats"))
            .count()
    };
    let side = |cpu: &str, slower: f64| suite_on(cpu, 3, 1.0, slower);
    let base = side("AMD EPYC 7763", 1.0);
    let c = compare(Some(&base), &side("AMD EPYC 7763", 1.3), &Config::default());
    assert_eq!((c.counts.regression, repeats(&c)), (1, 1));
    let c = compare(
        Some(&base),
        &side("Intel Xeon 8370C", 1.3),
        &Config::default(),
    );
    assert_eq!((c.counts.regression, c.counts.inconclusive), (0, 1));
    assert_eq!(repeats(&c), 0, "{:#?}", c.results);
}

#[test]
fn a_whole_run_slower_on_another_kind_of_machine_does_not_fail_the_gate() {
    // Every benchmark 60% slower: beyond `large_change` on one machine, a regression of the
    // whole run; against a baseline from another CPU, the machine is what moves a whole run.
    let side = |cpu: &str, machine: f64| suite_on(cpu, 20, machine, 1.0);
    let base = side("AMD EPYC 7763", 1.0);
    let c = compare(Some(&base), &side("AMD EPYC 7763", 1.6), &Config::default());
    whole_run(&c, Status::Regression, true);
    assert_eq!(c.verdict, Verdict::Fail);
    let c = compare(
        Some(&base),
        &side("Intel Xeon 8370C", 1.6),
        &Config::default(),
    );
    whole_run(&c, Status::Inconclusive, false);
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.reasons);
}

#[test]
fn a_history_from_several_kinds_of_machine_is_compared_on_the_current_one() {
    // Main ran on two CPU models in turn; the Intel runs are 20% slower.
    let amd = "AMD EPYC 7763";
    let intel = "Intel Xeon 8370C";
    let history: Vec<Run> = level(40, 100.0)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let (cpu, f) = if i % 2 == 0 { (amd, 1.0) } else { (intel, 1.2) };
            run_of(
                on(cpu, Some(4)),
                &[("T", "time", Unit::Nanoseconds, vec![v * f])],
            )
        })
        .collect();
    let at = |cpu: &str, v: f64| {
        run_of(
            on(cpu, Some(4)),
            &[("T", "time", Unit::Nanoseconds, vec![v])],
        )
    };
    // A pull request on an AMD runner is judged against the 20 AMD runs only: the latest
    // run (Intel) and the other Intel runs are left out, so nothing is cross-environment.
    let c = compare_history(&history, &at(amd, 101.0), &Config::default());
    assert_eq!((c.baseline_runs, c.other_environment_runs), (20, 20));
    assert!(!c.cross_environment());
    assert_eq!(c.results[0].status, Status::Unchanged);
    assert_eq!(c.results[0].baseline.unwrap().n, 20);
    // ... where +12% is a regression that gates.
    let c = compare_history(&history, &at(amd, 112.0), &Config::default());
    assert_eq!(c.results[0].status, Status::Regression);
    // The same on an Intel runner, at its own level.
    let c = compare_history(&history, &at(intel, 120.0 * 1.12), &Config::default());
    assert_eq!(c.results[0].status, Status::Regression);
    assert_eq!(c.other_environment_runs, 20);

    // A kind of machine the history never saw: the whole history, across environments.
    // There, a regression beyond the whole mixed history cannot fail the gate.
    let c = compare_history(&history, &at("Apple M2", 150.0), &Config::default());
    assert_eq!((c.baseline_runs, c.other_environment_runs), (30, 0));
    assert!(c.cross_environment());
    assert_eq!(c.results[0].status, Status::Inconclusive);
    assert!(words(&c.results[0].note)
        .as_deref()
        .unwrap()
        .contains("another environment"));

    // Allowing cross-environment comparisons, the same-machine runs are still preferred when
    // they are enough for an interval (10), else the whole history is used.
    let allow = Config {
        allow_cross_environment: true,
        ..Config::default()
    };
    let c = compare_history(&history, &at(amd, 101.0), &allow);
    assert_eq!(c.other_environment_runs, 20);
    let few = history.get(30..).unwrap();
    let c = compare_history(few, &at(amd, 101.0), &allow);
    assert_eq!((c.baseline_runs, c.other_environment_runs), (10, 0));
    let c = compare_history(few, &at(amd, 101.0), &Config::default());
    assert_eq!((c.baseline_runs, c.other_environment_runs), (5, 5));
}

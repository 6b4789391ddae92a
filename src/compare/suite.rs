//! Suite: with one baseline run, metrics with samples (or one value a side with the tool's
//! interval of it, as criterion prints) judged against the run-to-run spread their suite shows,
//! and the suite-wide shift (a slower machine, or a change that slows everything) reported on its
//! own.

use crate::config::Config;
use crate::model::Direction;
use crate::stats;

use super::change::{beyond_large, judged, worse_sign, CONFIDENCE};
use super::draft::Draft;
use super::pairing::is_speed;
use super::types::*;

/// Fewest distinct benchmarks whose speed metrics can tell a suite's run-to-run spread.
pub const SUITE_MIN_BENCHMARKS: usize = 8;

/// How many distinct benchmark names there are among `names`: a suite counts benchmarks, not
/// their metrics.
pub(super) fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// How many of the suite's run-to-run standard deviations a change beyond `large_change` must
/// also be, for every repeat showing it to decide it without the test: 3, which a normal move
/// exceeds 0.3% of the time. Below a spread of 11% per metric (all of the quiet reruns, every
/// simulated noise model), `large_change` (40%) is the farther bound and this changes nothing.
pub(super) const OBVIOUS_SPREADS: f64 = 3.0;

/// Compared with one baseline run, metrics with samples see only the noise within the runs, and in
/// CI most noise is between runs: the machine (every benchmark of a run moves together) and each
/// benchmark's own run-to-run move. With speed metrics with samples (decided by the U test, or by
/// the moderated t test with its moderated spread), or with one value a side whose tool gave an
/// interval of it (criterion's terminal output: its within-run error, see `assess`), of at
/// least [`SUITE_MIN_BENCHMARKS`] benchmarks, the suite shows both: its median shift is the
/// suite-wide one, and the spread of the metrics' shifts around it, beyond their within-run
/// error, is the run-to-run noise of one metric (`stats::suite_shift`). Each metric is then
/// judged by its change against the rest of the suite, tested against that spread. The suite-wide
/// shift itself is reported on its own: within the threshold it is nothing; beyond it, the
/// machine and a change that slows everything look the same in one pair of runs, so it is
/// inconclusive; beyond `large_change` it is decided. A suite that shows neither spread between
/// runs nor a suite-wide shift leaves its metrics to their own tests: judging them against it
/// would only add the noise of its median (on independent noise, 86% of +10% regressions caught
/// among 300 metrics would drop to 84%). A value a side keeps the threshold then: criterion's
/// intervals (±0.25% in the median on the quiet reruns) are far narrower than what its estimates
/// move between unchanged runs (up to 5.0%).
pub(super) fn judge_against_suite(drafts: &mut [Draft], config: &Config) -> Option<SuiteShift> {
    let members: Vec<(usize, stats::SuiteMember)> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            let tested = matches!(d.result.method, Method::MannWhitney | Method::ModeratedT);
            // Decided by the threshold until now, for want of a suite.
            let intervals = d.result.method == Method::Threshold && d.from_intervals;
            (tested || intervals) && is_speed(&d.result.unit)
        })
        .filter_map(|(i, d)| d.within.map(|w| (i, w)))
        .collect();
    let benchmark_count = distinct(
        members
            .iter()
            .filter_map(|(i, _)| drafts.get(*i).map(|d| d.result.benchmark.as_str())),
    );
    if benchmark_count < SUITE_MIN_BENCHMARKS {
        // Each is decided on its repeats, as before the suite rule: the report says what that
        // rests on. Runs given as one value each measured the noise between runs already.
        for (i, _) in &members {
            if let Some(d) = drafts.get_mut(*i).filter(|d| !d.runs && !d.from_intervals) {
                d.repeats_only = Some(benchmark_count);
            }
        }
        return None;
    }
    let fit = stats::suite_shift(&members.iter().map(|(_, m)| *m).collect::<Vec<_>>())
        .filter(stats::SuiteShift::shows_run_to_run_noise)?;
    for (i, m) in &members {
        let Some(d) = drafts.get_mut(*i) else {
            continue;
        };
        let Some(t) = stats::against_suite(m, &fit, CONFIDENCE) else {
            continue;
        };
        let sign = worse_sign(d.result.direction);
        let (lo, hi) = ((sign * t.lo).exp_m1(), (sign * t.hi).exp_m1());
        let relative = (sign * t.relative).exp_m1();
        d.result.method = Method::RunToRun;
        d.runs_differ = fit.tau2 > 0.0;
        // A value a side is now tested like samples: the threshold's decision is void.
        d.no_noise = None;
        d.result.p_value = Some(t.p);
        d.raw_change = d.result.change;
        d.result.change = Some(relative);
        d.result.ci = Some((lo.min(hi), lo.max(hi)));
        // A change every repeat shows, but that the whole run shares, is the suite's to decide;
        // so is one within what the suite shows a benchmark moves between runs. `large_change`
        // stands for a move reruns of unchanged code do not make, and on a machine whose
        // benchmarks move by 47% between runs (Go's busy reruns, run4 → run5: RegexpEmails
        // +84% against the rest, every repeat agreeing, unchanged code), they make it.
        let m = judged(Some(relative), relative > 0.0, d.result.direction, 0.0);
        let far = t.relative.abs() > OBVIOUS_SPREADS * fit.tau2.sqrt();
        if !(beyond_large(Some(relative), config.large_change) && d.obvious == Some(m.moved) && far)
        {
            d.obvious = None;
        }
    }
    let change = fit.shift.exp_m1();
    let mv = judged(
        Some(change),
        change > 0.0,
        Direction::LowerIsBetter,
        config.threshold,
    );
    let status = if !mv.beyond {
        Status::Unchanged
    } else if beyond_large(Some(change), config.large_change) {
        mv.moved
    } else {
        Status::Inconclusive
    };
    Some(SuiteShift {
        change,
        metrics: members.len(),
        benchmarks: benchmark_count,
        between_cv: fit.tau2.exp_m1().max(0.0).sqrt(),
        status,
        fails_gate: false,
        history_runs: None,
    })
}

/// Says that a metric decided (as its status finally is: after the environments' rule) rests on
/// the repeats of one run each, in a suite of `benchmarks` too few to show how far one moves
/// between runs (`Draft::repeats_only`).
pub(super) fn rests_on_repeats(r: &mut MetricResult, benchmarks: Option<usize>) {
    if let (Some(benchmarks), Status::Regression | Status::Improvement) = (benchmarks, r.status) {
        r.note.push(Note::RepeatsOnly {
            benchmarks,
            needed: SUITE_MIN_BENCHMARKS,
            history: super::assess::SHORT_HISTORY_RUNS,
        });
    }
}

/// Says what a metric judged against its suite changed against the baseline run itself
/// (`raw_change`), when the whole run moved.
pub(super) fn against_suite(
    r: &mut MetricResult,
    raw_change: Option<f64>,
    suite: Option<&SuiteShift>,
) {
    if let (Method::RunToRun, Some(raw), Some(s)) = (r.method, raw_change, suite) {
        if r.status != Status::Unchanged && s.change.abs() >= 0.01 {
            r.note.push(Note::AgainstBaselineRun {
                change: raw,
                whole_run: s.change,
            });
        }
    }
}

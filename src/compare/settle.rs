//! Settling: the p-values of every assessed metric adjusted together (Benjamini-Hochberg), and
//! each assessment turned into a status with its adjusted p-value and the note that explains it.

use crate::model::Direction;
use crate::stats;

use super::change::{judged, movement};
use super::draft::{Draft, NoNoise};
use super::history::{HistoryShape, FAR_OUT};
use super::rules::{statistic, Rules};
use super::suite::OBVIOUS_SPREADS;
use super::types::*;

/// The power the "repeats per side" estimate of an inconclusive result aims for.
pub const TARGET_POWER: f64 = 0.8;

/// The multiple-comparison context of a comparison: how many metrics had a p-value and how many
/// of them the adjusted p-values flag.
#[derive(Debug, Clone, Copy)]
pub(super) struct Family {
    pub(super) size: usize,
    pub(super) discoveries: usize,
}

/// Turns an assessment into a status, using the adjusted p-value, and writes the note.
pub(super) fn settle(d: Draft, family: Family) -> MetricResult {
    let rules = &d.rules;
    let mut out = d.result;
    match out.method {
        Method::MannWhitney | Method::ModeratedT | Method::RunToRun => {
            // The tools' intervals stand for their own repeats (criterion's 100 samples a
            // side): no repeats here for `min_samples` to count.
            // Nor are runs repeats: the t test on one value per run needs three of them.
            let min_samples = if d.from_intervals || d.runs {
                1
            } else {
                rules.min_samples
            };
            // Against a suite whose metrics move between runs beyond their repeats, more
            // repeats would not decide it: a history would, or more of its runs.
            let to_history = match d.short_history {
                Some(runs) => Advice::GrowHistory {
                    runs,
                    needed: super::assess::SHORT_HISTORY_RUNS,
                },
                None => Advice::KeepHistory,
            };
            let history_advice =
                (out.method == Method::RunToRun && !d.runs && d.runs_differ).then_some(to_history);
            settle_samples(
                &mut out,
                d.log_sd,
                min_samples,
                d.runs,
                history_advice,
                family,
            );
            if let (Some(moved), Status::Inconclusive, true) = (
                d.obvious,
                out.status,
                beyond_the_runs_spread(d.runs, d.log_two, d.log_sd, out.change),
            ) {
                if let (Some(b), Some(c)) = (out.baseline, out.current) {
                    out.status = moved;
                    out.note = Notes::one(Note::EveryRepeat {
                        current: c.n,
                        baseline: b.n,
                        change: out.change,
                        large_change: rules.large_change,
                        of: d.obvious_of,
                    });
                }
            }
        }
        Method::PredictionInterval => {
            if let Some(p) = d.prediction {
                settle_prediction(&mut out, &p, family);
                let held = d
                    .shape
                    .far_latest
                    .is_some_and(|v| hold_for_a_far_latest_run(&mut out, &p, v));
                note_shape(&mut out, &d.shape, held);
                note_like_far_out_runs(&mut out, &p, &d.shape, rules);
            }
        }
        Method::Threshold => {
            let runs = |s: Option<Side>| s.map_or(0, |s| s.n);
            let unmeasured = match (d.short_history, out.note.is_empty()) {
                _ if d.runs => Unmeasured::Runs {
                    baseline: runs(out.baseline),
                    current: runs(out.current),
                },
                (Some(k), _) => Unmeasured::ShortHistory(k),
                (None, false) => Unmeasured::Plainly,
                (None, true) => Unmeasured::NoHistory,
            };
            if let Some(n) = d
                .no_noise
                .and_then(|n| no_noise(n, &out, rules, unmeasured))
            {
                out.note.push(n);
            }
            note_shape(&mut out, &d.shape, false);
        }
        Method::Exact | Method::None => {}
    }
    // Judged against the suite, the change is relative to the whole run's shift: so is what the
    // other runs show. Without the two changes that give it, nothing is held.
    let whole_run = match (out.method, d.raw_change, out.change) {
        (Method::RunToRun, Some(raw), Some(relative)) => Some((1.0 + raw) / (1.0 + relative)),
        (Method::RunToRun, ..) => None,
        _ => Some(1.0),
    };
    if let Some(whole_run) = whole_run {
        hold_for_one_run(&mut out, &d.current_runs, whole_run);
    }
    out
}

/// Whether a change every value shows, beyond `large_change`, is also beyond what the runs show
/// a metric moves between them, when its values are one per run: [`OBVIOUS_SPREADS`] standard
/// errors of the change, from the (moderated) spread of the runs' values. `large_change` stands
/// for a move reruns of unchanged code do not make; where the runs on either side show they make
/// it, the test decides (busy Go, run1 against run2 and run3: `SHA256_1KB` +43.5%, p = 0.71,
/// whose two baseline runs were 24% apart). Repeats within one run do not see the runs' noise:
/// for them the rule stands as it was (true).
fn beyond_the_runs_spread(
    runs: bool,
    log_two: Option<stats::LogTwoSample>,
    log_sd: Option<f64>,
    change: Option<f64>,
) -> bool {
    if !runs {
        return true;
    }
    match (log_two, log_sd, change) {
        (Some(s), Some(sd), Some(change)) if sd > 0.0 => {
            change.ln_1p().abs() > OBVIOUS_SPREADS * sd * s.scale.sqrt()
        }
        _ => true,
    }
}

/// With the pull request run several times (each run one value), a regression or improvement
/// must hold without the run that shows it most: a noisy neighbour slows one run, a change in the
/// code every run. The run values without that one (their median, as for all of them) are
/// compared with the baseline's; not beyond the threshold the same way, the change is
/// inconclusive. With two runs this asks both to show it; with more, it costs a change every run
/// shows almost nothing. `whole_run` is the suite-wide shift (a ratio) the change was judged
/// beyond, 1 when it was not judged against its suite. True when it held the verdict back.
pub(super) fn hold_for_one_run(out: &mut MetricResult, runs: &[f64], whole_run: f64) -> bool {
    let (Some(base), true) = (out.baseline, runs.len() > 1) else {
        return false;
    };
    if !(whole_run.is_finite() && whole_run > 0.0) {
        return false;
    }
    if !matches!(out.status, Status::Regression | Status::Improvement) {
        return false;
    }
    // The verdict's way up: a regression of a time, an improvement of a rate.
    let up = (out.status == Status::Regression) == (out.direction == Direction::LowerIsBetter);
    let mut rest: Vec<f64> = runs.to_vec();
    rest.sort_by(f64::total_cmp);
    if up {
        rest.pop();
    } else {
        rest.remove(0);
    }
    let Some(value) = stats::log_median(&rest) else {
        return false;
    };
    let mv = movement(base.value * whole_run, value, out.direction, out.threshold);
    if mv.beyond && mv.moved == out.status {
        return false;
    }
    out.note = Notes::one(Note::HeldForOneRun {
        runs: runs.len(),
        change: mv.change,
    });
    out.status = Status::Inconclusive;
    true
}

/// Settles a tested metric: its status from the adjusted p-value and the threshold, and, when
/// inconclusive, what would decide it (`history_advice` when more repeats would not).
pub(super) fn settle_samples(
    out: &mut MetricResult,
    log_sd: Option<f64>,
    min_samples: usize,
    runs: bool,
    history_advice: Option<Advice>,
    family: Family,
) {
    let (Some(base), Some(cur)) = (out.baseline, out.current) else {
        return;
    };
    let mv = match out.change {
        Some(ch) => judged(Some(ch), ch > 0.0, out.direction, out.threshold),
        None => movement(base.value, cur.value, out.direction, out.threshold),
    };
    let p = out.p_adjusted.or(out.p_value);
    let (n1, n2) = (base.n, cur.n);
    let alpha = out.alpha;
    // The exact U test cannot go below a p-value that depends on the sample sizes; the t test can.
    let u_test = out.method == Method::MannWhitney;
    let reachable = |a: f64| !u_test || stats::min_achievable_p(n1, n2) < a;
    let smallest = |a: f64| {
        if u_test {
            min_samples.max(smallest_n(a))
        } else {
            min_samples
        }
    };
    let enough = n1 >= min_samples && n2 >= min_samples && reachable(alpha);
    // How many repeats per side would likely decide it, at the observed change and spread.
    let level = next_discovery_level(alpha, family);
    let floor = smallest(level);
    // Noether's formula for the U test; the t formula with the moderated spread for the t test.
    let formula = if u_test {
        stats::repeats_per_side
    } else {
        stats::repeats_per_side_t
    };
    // Worked out only for the notes that give it: most metrics are decided without (the power
    // formula's normal quantiles were 7.5% of a 10,000-benchmark comparison).
    let advice = || {
        if let Some(advice) = history_advice {
            return advice;
        }
        let needed = match (mv.change, log_sd) {
            (Some(ch), Some(sd)) if ch > -1.0 => {
                formula((1.0 + ch).ln(), sd, level, TARGET_POWER).map(|n| n.max(floor))
            }
            _ => None,
        };
        match (needed, runs) {
            (Some(n), true) => Advice::Runs(n.max(n1.max(n2) + 1)),
            (Some(n), false) => Advice::Repeats(n),
            (None, true) => Advice::Runs(n1.max(n2) + 1),
            (None, false) => Advice::AtLeast(floor),
        }
    };
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if !enough {
        out.status = Status::Inconclusive;
        out.note = Notes::one(Note::TooFewSamples {
            baseline: n1,
            current: n2,
            needed: smallest(alpha),
            advice: advice(),
        });
    } else if p.is_some_and(|p| p < alpha) {
        out.status = mv.moved;
    } else {
        out.status = Status::Inconclusive;
        out.note = Notes::one(Note::NotSignificant {
            change: mv.change,
            p: p.map(|p| significance(p, family)),
            advice: advice(),
        });
    }
}

pub(super) fn settle_prediction(out: &mut MetricResult, p: &stats::Prediction, family: Family) {
    let Some(cur) = out.current else {
        return;
    };
    let mv = movement(p.center, cur.value, out.direction, out.threshold);
    let interval = Interval {
        confidence: p.confidence,
        runs: p.n,
        lo: p.lo,
        hi: p.hi,
        unit: out.unit.clone(),
        this_machine: false,
    };
    let outside = cur.value > p.hi || cur.value < p.lo;
    let q = out.p_adjusted.or(out.p_value);
    let significant = q.is_some_and(|q| q < out.alpha);
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if outside && significant {
        out.status = mv.moved;
        out.note = Notes::one(Note::OutsideInterval {
            above: cur.value > p.hi,
            interval,
        });
    } else {
        out.status = Status::Inconclusive;
        let why = if outside {
            Note::OutsideNotSignificant {
                interval,
                p: q.map(|q| significance(q, family)),
            }
        } else {
            Note::WithinInterval {
                interval,
                change: mv.change,
            }
        };
        let next = if cur.n > 1 {
            Note::NextRunsWillTell
        } else {
            Note::RecordRepeats
        };
        out.note = Notes(vec![why, next]);
    }
}

/// Fewest far-out runs on one side of a history for them to be runs that recur (a slow mode of
/// the benchmark), not one slow day.
const RECURRING_FAR_RUNS: usize = 2;

/// A regression or improvement against a history that left out far-out runs on the same side,
/// at least [`RECURRING_FAR_RUNS`] of them, and as far out as they were (from the nearest of them,
/// less the threshold, to the farthest, plus `large_change`): the note says so, and that running
/// it again tells a change from one more such run. The verdict stands: in the simulation, a
/// benchmark with slow modes (M5) fails the gate as a change would, and making such values
/// inconclusive cost the regressions that neighbours' far-out runs overlap (M3: 90.6% caught
/// fell to 58.7%).
fn note_like_far_out_runs(
    out: &mut MetricResult,
    p: &stats::Prediction,
    shape: &HistoryShape,
    rules: &Rules,
) {
    let Some(cur) = out.current else {
        return;
    };
    if !matches!(out.status, Status::Regression | Status::Improvement)
        || shape.shift.is_some()
        || p.center.is_nan()
        || p.center <= 0.0
    {
        return;
    }
    let above = cur.value > p.hi;
    let span = if above {
        shape.far_above
    } else {
        shape.far_below
    };
    let Some(span) = span.filter(|s| s.runs >= RECURRING_FAR_RUNS) else {
        return;
    };
    let (near, far) = (1.0 + rules.threshold, 1.0 + rules.large_change);
    let like = if above {
        cur.value >= span.lo / near && cur.value <= span.hi * far
    } else {
        cur.value <= span.hi * near && cur.value >= span.lo / far
    };
    if like {
        out.note.push(Note::LikeFarOutRuns {
            runs: span.runs,
            lo: span.lo / p.center - 1.0,
            hi: span.hi / p.center - 1.0,
        });
    }
}

/// The latest baseline run lies far from the runs before it: a one-off, or the first run of a
/// new level, which only the next runs can tell apart. A change against the history (`p`) is then
/// believed only when it is one against the new level too: outside the same interval centred on
/// the latest run, with the history's noise (a level of one run). Otherwise it is inconclusive:
/// a pull request made on top of a deliberate slowdown must not fail for it. True when it held
/// the verdict back.
pub(super) fn hold_for_a_far_latest_run(
    out: &mut MetricResult,
    p: &stats::Prediction,
    latest: f64,
) -> bool {
    let Some(cur) = out.current else {
        return false;
    };
    if !matches!(out.status, Status::Regression | Status::Improvement) || latest <= 0.0 {
        return false;
    }
    let mv = movement(latest, cur.value, out.direction, out.threshold);
    // A flat history has no noise to centre on the latest run: nothing is beyond it then.
    let beyond_it = p.log_sd > 0.0 && {
        let l = stats::Prediction::from_log(1, latest.ln(), p.log_sd, p.df, p.confidence);
        cur.value > l.hi || cur.value < l.lo
    };
    if beyond_it && mv.beyond && mv.moved == out.status {
        return false;
    }
    out.note = Notes::one(Note::HeldForLatestRun {
        better: out.status == Status::Improvement,
        latest,
        unit: out.unit.clone(),
        change: mv.change,
    });
    out.status = Status::Inconclusive;
    true
}

/// A p-value with the family it was corrected over.
fn significance(p: f64, family: Family) -> Significance {
    Significance {
        p,
        over: family.size,
    }
}

/// The level one more metric must reach to be flagged, given the others: Benjamini-Hochberg's
/// critical value for the next discovery, `alpha (R + 1) / m`.
pub(super) fn next_discovery_level(alpha: f64, family: Family) -> f64 {
    if family.size <= 1 {
        return alpha;
    }
    (alpha * (family.discoveries + 1) as f64 / family.size as f64).min(alpha)
}

/// The smallest equal sample size whose exact test can reach `alpha`.
pub(super) fn smallest_n(alpha: f64) -> usize {
    (2..100)
        .find(|&n| stats::min_achievable_p(n, n) < alpha)
        .unwrap_or(100)
}

/// What a decision without a noise estimate says (`unmeasured`: where the estimate is missing).
fn no_noise(n: NoNoise, out: &MetricResult, rules: &Rules, unmeasured: Unmeasured) -> Option<Note> {
    let (change, large_change) = (out.change, rules.large_change);
    match n {
        NoNoise::Within => None,
        NoNoise::UnderFloor(delta) => Some(Note::UnderLatencyFloor {
            change,
            delta,
            unit: out.unit.clone(),
            floor: rules.latency_floor,
        }),
        NoNoise::Ungated(why) => Some(Note::NotGated {
            unmeasured,
            statistic: statistic(&out.metric).to_string(),
            change,
            why,
        }),
        NoNoise::Large => Some(Note::LargeChange {
            unmeasured,
            change,
            large_change,
        }),
        NoNoise::Unsure => Some(Note::UnsureChange {
            unmeasured,
            large_change,
        }),
    }
}

/// Says what was done with the history (`held`: the latest run's own note is already there).
fn note_shape(out: &mut MetricResult, shape: &HistoryShape, held: bool) {
    if let Some(s) = shape.shift {
        out.note.push(Note::LevelShift {
            change: s.change,
            runs: s.runs,
            of: s.of,
        });
    }
    if shape.far_out > 0 {
        out.note.push(Note::FarOutRuns {
            count: shape.far_out,
            fences: FAR_OUT,
        });
    }
    if let (Some(value), false) = (shape.far_latest, held) {
        out.note.push(Note::LatestRunApart {
            value,
            unit: out.unit.clone(),
        });
    }
}

/// Adjusts the p-values of every draft that has one together (Benjamini-Hochberg), and says how
/// many there were and how many the adjusted p-values flag.
pub(super) fn adjust(drafts: &mut [Draft]) -> Family {
    let members: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| d.result.p_value.is_some())
        .map(|(i, _)| i)
        .collect();
    let raw: Vec<f64> = members
        .iter()
        .filter_map(|&i| drafts.get(i).and_then(|d| d.result.p_value))
        .collect();
    let adjusted = stats::benjamini_hochberg(&raw);
    for (&i, q) in members.iter().zip(&adjusted) {
        if let Some(d) = drafts.get_mut(i) {
            d.result.p_adjusted = Some(*q);
        }
    }
    Family {
        size: raw.len(),
        discoveries: drafts
            .iter()
            .filter(|d| d.result.p_adjusted.is_some_and(|q| q < d.result.alpha))
            .count(),
    }
}

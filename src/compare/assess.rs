//! Assessment: what the data say about one metric present on both sides (its change, interval
//! and raw p-value), against the latest run's samples, the pooled samples of the last runs, the
//! prediction interval of the history, or the threshold alone. Statuses that need a p-value wait
//! for [`super::settle`], once every metric is assessed.

use crate::config::Config;
use crate::model::{Direction, Unit};
use crate::stats;

use super::change::{beyond_large, movement, worse_sign, CONFIDENCE};
use super::draft::{Draft, NoNoise};
use super::history::{
    history_model, usable_history, without_far_out, HistoryShape, LevelShiftSeen,
};
use super::pairing::{run_value, summary, Series};
use super::rules::{is_latency_stat, ungated_without_history, Rules};
use super::types::*;

pub(super) fn only_one_side(
    s: &Series,
    direction: Direction,
    rules: &Rules,
    status: Status,
) -> MetricResult {
    let side = Some(Side {
        value: summary(&s.values),
        n: s.values.len(),
    });
    let (baseline, current) = if status == Status::New {
        (None, side)
    } else {
        (side, None)
    };
    MetricResult {
        status,
        method: Method::None,
        ..skeleton(s, direction, rules, baseline, current)
    }
}

/// Fewest runs of history with which a metric with samples is judged by its run value against
/// the history's run values (the prediction interval), not by the latest run's repeats alone.
pub const SHORT_HISTORY_RUNS: usize = 4;

/// Whether a history of `runs` runs is too short to judge samples by, though a history (a store
/// of 2 or 3 runs): what decides then is more of its runs.
pub fn is_short_history(runs: usize) -> bool {
    (2..SHORT_HISTORY_RUNS).contains(&runs)
}

/// Whether a metric with `current` values in the current run is judged against the prediction
/// interval of `runs` runs of history: one value needs `min_points` runs; several (repeats, or the
/// pull request's runs) already bring the run-to-run spread those few runs show, which the
/// latest run's repeats do not, from [`SHORT_HISTORY_RUNS`] on (the interval is wide with few
/// runs, but honest). With less, it is compared with the latest run, as a pair.
pub(super) fn against_history_interval(current: usize, runs: usize, config: &Config) -> bool {
    runs >= config.history.min_points || (current > 1 && runs >= SHORT_HISTORY_RUNS)
}

/// Picks the baseline data for one metric from the history (`past`, oldest first, the latest
/// run's series last, only runs that have the metric) and assesses it.
pub(super) fn assess_with_history(
    latest: &Series,
    past: &[&Series],
    c: &Series,
    direction: Direction,
    rules: &Rules,
    runs: bool,
    config: &Config,
) -> Draft {
    let compare = |b: &Series| {
        if runs {
            assess_runs(b, c, direction, rules)
        } else {
            assess(b, c, direction, rules)
        }
    };
    let comparable: Vec<&&Series> = past.iter().filter(|s| s.unit == c.unit).collect();
    if !rules.deterministic && past.len() > 1 && latest.unit == c.unit {
        // One value per run: a run's samples count through their summary, so that the history's
        // spread is the run-to-run noise, which repeats within one run do not show.
        let values: Vec<f64> = comparable.iter().map(|s| run_value(&s.values)).collect();
        let (kept, mut shape) = usable_history(&values, rules, config);
        let enough = against_history_interval(c.values.len(), kept.len(), config);
        if enough {
            if let Some((p, shift)) = history_model(&kept, rules, config) {
                shape.shift = shift.map(|s| LevelShiftSeen {
                    runs: p.n,
                    of: kept.len(),
                    change: s.change,
                });
                let mut d = assess_prediction(p, c, direction, rules);
                if shape.shift.is_none() {
                    let logs: Vec<f64> = kept.iter().map(|v| v.ln()).collect();
                    d.leave_one_out = stats::leave_one_out(&logs);
                }
                d.shape = shape;
                return d;
            }
        }
        // Samples fall back to the latest run's (or the pooled runs') samples below; a single
        // value to the latest run's value, with no noise estimate.
        if c.values.len() == 1 {
            let mut d = compare(latest);
            if enough {
                // Runs enough, but a value is zero, negative or not a number: no log-scale
                // interval.
                if d.result.method == Method::Threshold {
                    d.result.note = Notes::one(Note::HistoryNotPositive);
                }
            } else {
                d.short_history = Some(kept.len());
            }
            // The latest run is the baseline here, far out or not.
            d.shape = HistoryShape {
                far_latest: None,
                ..shape
            };
            return d;
        }
    }
    if runs && !rules.deterministic && comparable.len() > 1 {
        // Run values: every run of a short history is one more value of the baseline side.
        let base = Series {
            values: comparable
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .collect(),
            repeats: comparable
                .iter()
                .flat_map(|s| s.repeats.iter().copied())
                .collect(),
            interval: None,
            ..latest.clone()
        };
        return compare(&base);
    }
    if !rules.deterministic && config.history.pool > 1 && latest.values.len() > 1 {
        let pooled: Vec<f64> = comparable
            .iter()
            .rev()
            .take(config.history.pool)
            .flat_map(|s| s.values.iter().copied())
            .collect();
        let base = Series {
            values: pooled,
            interval: None,
            repeats: Vec::new(),
            ..latest.clone()
        };
        return compare(&base);
    }
    let mut d = compare(latest);
    if is_short_history(past.len()) && c.values.len() > 1 && d.result.method != Method::Threshold {
        // Samples against a history too short to judge them by (a store of 2 or 3 runs): what
        // would decide them is more of its runs.
        d.short_history = Some(past.len());
    }
    d
}

pub(super) fn skeleton(
    c: &Series,
    direction: Direction,
    rules: &Rules,
    baseline: Option<Side>,
    current: Option<Side>,
) -> MetricResult {
    MetricResult {
        benchmark: c.benchmark.clone(),
        metric: c.metric.clone(),
        unit: c.unit.clone(),
        direction,
        baseline,
        current,
        change: None,
        ci: None,
        p_value: None,
        p_adjusted: None,
        status: Status::Unchanged,
        method: Method::Threshold,
        threshold: rules.threshold,
        alpha: rules.alpha,
        deterministic: rules.deterministic,
        fails_gate: false,
        note: Notes::default(),
        trend: None,
        context: false,
    }
}

/// What the data say about one metric with `b` as its baseline: change, interval, raw p-value.
/// Statuses that need no p-value are final; the others wait for [`settle`].
pub(super) fn assess(b: &Series, c: &Series, direction: Direction, rules: &Rules) -> Draft {
    let base_v = summary(&b.values);
    let cur_v = summary(&c.values);
    let mut out = skeleton(
        c,
        direction,
        rules,
        Some(Side {
            value: base_v,
            n: b.values.len(),
        }),
        Some(Side {
            value: cur_v,
            n: c.values.len(),
        }),
    );
    if b.unit != c.unit {
        out.status = Status::Inconclusive;
        out.method = Method::None;
        out.note = Notes::one(Note::UnitsDiffer {
            baseline: b.unit.clone(),
            current: c.unit.clone(),
        });
        return Draft::plain(out, *rules);
    }
    // The change is a ratio of log medians: with an even count of values the plain median
    // averages the middle two, and a time and its throughput would then disagree.
    let log_median = |v: &[f64]| stats::log_median(v).unwrap_or(f64::NAN);
    let mv = movement(
        log_median(&b.values),
        log_median(&c.values),
        direction,
        rules.threshold,
    );
    out.change = mv.change;
    if mv.change.is_some_and(f64::is_nan) {
        out.status = Status::Inconclusive;
        out.method = Method::None;
        out.note = Notes::one(Note::NotANumber);
        return Draft::plain(out, *rules);
    }
    let zero_baseline = mv.change.is_none();
    let zero_note = || {
        if zero_baseline {
            Notes::one(Note::ZeroBaseline)
        } else {
            Notes::default()
        }
    };

    if rules.deterministic {
        out.method = Method::Exact;
        out.status = if mv.beyond {
            mv.moved
        } else {
            Status::Unchanged
        };
        if mv.beyond {
            out.note = Notes::one(Note::Deterministic { zero_baseline });
        }
        return Draft::plain(out, *rules);
    }

    if b.values.len() >= 2 && c.values.len() >= 2 {
        out.method = Method::MannWhitney;
        out.p_value = match stats::mann_whitney_u(&b.values, &c.values) {
            Ok(t) => Some(t.p),
            Err(stats::StatsError::SamplesEqual) => Some(1.0),
            Err(_) => None,
        };
        // The change is the Hodges-Lehmann estimate, the center of the interval shown with it
        // (the medians' ratio when the values are not all positive).
        let hodges_lehmann = stats::ratio_change(&b.values, &c.values, CONFIDENCE);
        if let Some(s) = hodges_lehmann {
            out.change = Some(s.estimate);
            out.ci = Some((s.lo, s.hi));
        }
        out.note = zero_note();
        let obvious = (mv.beyond
            && beyond_large(mv.change, rules.large_change)
            && separated(&b.values, &c.values, rules.threshold))
        .then_some(mv.moved);
        // Many repeats: the Hodges-Lehmann shift with the error of the trimmed means, which a
        // stretch of slow repeats moves little. Few: the plain means without their far-out
        // values, which keeps the power of every repeat.
        let (log_two, outliers) = if b.values.len().min(c.values.len()) >= TRIM_MIN_VALUES {
            let robust = stats::trimmed_log_two_sample(&b.values, &c.values).map(|t| {
                match hodges_lehmann.map(|s| s.estimate.ln_1p()) {
                    Some(shift) if shift.is_finite() => stats::LogTwoSample { shift, ..t },
                    _ => t,
                }
            });
            (robust, 0)
        } else {
            let (b_kept, c_kept) = (without_far_out(&b.values), without_far_out(&c.values));
            let left_out = (b.values.len() - b_kept.len()) + (c.values.len() - c_kept.len());
            (stats::log_two_sample(&b_kept, &c_kept), left_out)
        };
        // Its own noise, as the suite step reads it; the moderated t test refines it.
        let within = log_two.filter(|s| s.var > 0.0).map(|s| stats::SuiteMember {
            shift: worse_sign(direction) * s.shift,
            se2: s.var * s.scale,
            df: s.df,
        });
        return Draft {
            log_sd: stats::pooled_log_sd(&b.values, &c.values),
            log_two,
            outliers,
            within,
            obvious,
            ..Draft::plain(out, *rules)
        };
    }

    // One value a side, each with the tool's interval of it (criterion's): their within-run
    // error, for the suite to judge the change against the run-to-run spread. Until it does (and
    // when it cannot), the threshold decides below.
    let within = interval_member(b, c, direction);
    let obvious = within
        .and(b.interval.zip(c.interval))
        .filter(|(bi, ci)| {
            mv.beyond
                && beyond_large(mv.change, rules.large_change)
                && separated(&[bi.lo, bi.hi], &[ci.lo, ci.hi], rules.threshold)
        })
        .map(|_| mv.moved);
    out.method = Method::Threshold;
    let decision = if !mv.beyond {
        NoNoise::Within
    } else if let Some(delta) = under_latency_floor(c, base_v, cur_v, rules) {
        NoNoise::UnderFloor(delta)
    } else if let Some(why) = ungated_without_history(&c.metric, &c.unit) {
        NoNoise::Ungated(why)
    } else if beyond_large(mv.change, rules.large_change) {
        NoNoise::Large
    } else {
        NoNoise::Unsure
    };
    out.status = match decision {
        NoNoise::Within | NoNoise::UnderFloor(_) => Status::Unchanged,
        NoNoise::Ungated(_) | NoNoise::Unsure => Status::Inconclusive,
        NoNoise::Large => mv.moved,
    };
    out.note = zero_note();
    Draft {
        no_noise: Some(decision),
        from_intervals: within.is_some(),
        within,
        obvious,
        ..Draft::plain(out, *rules)
    }
}

/// What the data say about one metric whose values are one per run on each side (see
/// `compare_runs`): the t test on the log run values, which holds the noise between
/// runs, with as few as one run on a side when the other has two (the spread of the side with
/// several runs is the noise, as a pooled variance). The moderation refines it with the other
/// metrics' spreads when there are enough of them. Deterministic metrics, values that are not
/// all positive and one run a side are assessed as repeats are; statistics not gated without a
/// history (`max`, a command's `system` time: `ungated_without_history`) are compared by the
/// runs' median values and not gated, as one value a side is; so are load-test latency
/// statistics whose runs all stayed within `latency_floor` (a sub-millisecond time such as k6's
/// connection set-up or sending of a request). A history long enough for a prediction interval
/// never comes here (`assess_with_history`): the baseline side is a few runs, whose spread is no
/// better a noise estimate for a run's few connection set-ups (k6's `http_req_blocked` `avg`:
/// 25 µs in one unchanged run, 72 and 85 µs in the next two, from one and three 1-second SYN
/// retries among 50,000 requests) than one run is. Latencies above the floor keep the t test:
/// wrk's and oha's `p(50)`, 1.4 ms, rose 0.55 ms in the quiet reruns' slowdown.
pub(super) fn assess_runs(b: &Series, c: &Series, direction: Direction, rules: &Rules) -> Draft {
    // Every run within the floor: the highest run value is, as a move up from zero.
    let sub_floor = || {
        let highest = b
            .values
            .iter()
            .chain(&c.values)
            .fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        under_latency_floor(c, 0.0, highest, rules).is_some()
    };
    if ungated_without_history(&c.metric, &c.unit).is_some() || sub_floor() {
        // The spread of a few runs does not show how far a run's few slowest requests (or a
        // command's kernel time) move either: the runs' median values, without a gate.
        let median = |s: &Series| Series {
            values: vec![summary(&s.values)],
            interval: None,
            ..s.clone()
        };
        let mut d = assess(&median(b), &median(c), direction, rules);
        if let (Some(bs), Some(cs)) = (d.result.baseline.as_mut(), d.result.current.as_mut()) {
            (bs.n, cs.n) = (b.values.len(), c.values.len());
        }
        d.runs = true;
        return d;
    }
    let log_two = stats::log_two_sample(&b.values, &c.values);
    let tested = !rules.deterministic && b.unit == c.unit;
    let (Some(s), true) = (log_two, tested) else {
        return assess(b, c, direction, rules);
    };
    let mut d = assess(b, c, direction, rules);
    // A prior of no weight: the ordinary t test on the pooled variance.
    let plain = stats::VariancePrior {
        df: 0.0,
        var: 0.0,
        df_pooled: f64::INFINITY,
    };
    let Some(t) = stats::moderated_t(&s, &plain, CONFIDENCE) else {
        // No spread at all (every run gave the same value): the threshold decides, unless the
        // moderation lends the metric the others' noise.
        d.runs = true;
        d.log_two = Some(s);
        (d.obvious, d.obvious_of) = every_repeat_of_every_run(b, c, direction, rules);
        return d;
    };
    d.result.method = Method::ModeratedT;
    d.result.p_value = Some(t.p);
    d.result.change = Some(t.shift.exp_m1());
    d.result.ci = Some((t.lo.exp_m1(), t.hi.exp_m1()));
    d.result.status = Status::Unchanged;
    d.result.note = Notes::default();
    d.log_two = Some(s);
    d.log_sd = Some(s.var.sqrt());
    d.outliers = 0;
    d.within = Some(stats::SuiteMember {
        shift: worse_sign(direction) * t.shift,
        se2: t.var * s.scale,
        df: t.df,
    });
    (d.obvious, d.obvious_of) = every_repeat_of_every_run(b, c, direction, rules);
    d.no_noise = None;
    d.runs = true;
    d
}

/// Whether every repeat of every run shows a change beyond `large_change` (the change of the
/// runs' median values), and what that read: each run's lowest and highest repeat stand for its
/// repeats, where both sides kept them (a run value is its repeats' median, which a run half of
/// whose repeats a neighbour slowed moves as far as a change in the code would); otherwise each
/// run's value (a load test's statistic).
fn every_repeat_of_every_run(
    b: &Series,
    c: &Series,
    direction: Direction,
    rules: &Rules,
) -> (Option<Status>, Shown) {
    let mv = movement(
        stats::log_median(&b.values).unwrap_or(f64::NAN),
        stats::log_median(&c.values).unwrap_or(f64::NAN),
        direction,
        rules.threshold,
    );
    let kept = |s: &Series| s.repeats.len() == s.values.len();
    let (every_b, every_c, of) = if kept(b) && kept(c) {
        let every =
            |s: &Series| -> Vec<f64> { s.repeats.iter().flat_map(|&(lo, hi)| [lo, hi]).collect() };
        (every(b), every(c), Shown::RunsRepeats)
    } else {
        (b.values.clone(), c.values.clone(), Shown::Runs)
    };
    let obvious = (mv.beyond
        && beyond_large(mv.change, rules.large_change)
        && separated(&every_b, &every_c, rules.threshold))
    .then_some(mv.moved);
    (obvious, of)
}

/// Degrees of freedom of the within-run error of a value a tool gave with its interval. The
/// interval does not say how many observations are behind it; criterion's, the one tool perfgate
/// reads one from, has 100 samples by default, so its estimate (the slope through the origin of
/// the samples' times, or their mean) has 99, and the two sides' errors together at least that
/// many (Welch-Satterthwaite: 99 to 198). A bench that sets a smaller `sample_size` (10 at
/// least) has fewer, which its output does not show: its error is then trusted a little more
/// than it should be, next to the run-to-run spread of the suite that decides the test.
pub(super) const INTERVAL_DF: f64 = 99.0;

/// The log shift of one value a side, worse-positive, with the within-run error that the tools'
/// intervals of the two values give (`se^2` of each from [`stats::log_se_from_interval`],
/// added): a member of the suite, as samples are. None unless each side is one positive value
/// with an interval.
fn interval_member(b: &Series, c: &Series, direction: Direction) -> Option<stats::SuiteMember> {
    let ([bv], [cv]) = (b.values.as_slice(), c.values.as_slice()) else {
        return None;
    };
    if !(*bv > 0.0 && *cv > 0.0 && bv.is_finite() && cv.is_finite()) {
        return None;
    }
    let se = |s: &Series| {
        s.interval
            .and_then(|i| stats::log_se_from_interval(i.lo, i.hi, i.confidence))
    };
    let (se_b, se_c) = (se(b)?, se(c)?);
    let se2 = se_b * se_b + se_c * se_c;
    (se2 > 0.0).then(|| stats::SuiteMember {
        shift: worse_sign(direction) * (cv / bv).ln(),
        se2,
        df: INTERVAL_DF,
    })
}

/// Fewest values on each side for the t test to take the Hodges-Lehmann shift with the error of
/// the 20%-trimmed means (Yuen's test) instead of means. A burst of load in one run slows a
/// stretch of its repeats: criterion's `fib_20` on an idle machine
/// (`tests/fixtures/reruns/quiet/criterion` run5) had the first 40 of its 100 samples 15-40%
/// slower, a mean 11% above the other runs', a trimmed mean 7% and a median 2%. The t test on
/// means called it a regression in 4 of 10 unchanged pairs, on trimmed means in 2, on the
/// Hodges-Lehmann shift (+1.5%, +2.5%) in none. With 20 values a side still keeps 12 after
/// trimming; below that the trimming costs too much power (issue 5's n = 10 tables).
pub(super) const TRIM_MIN_VALUES: usize = 20;

/// A single current value against the prediction interval of the history.
pub(super) fn assess_prediction(
    p: stats::Prediction,
    c: &Series,
    direction: Direction,
    rules: &Rules,
) -> Draft {
    let cur_v = run_value(&c.values);
    let mut out = skeleton(
        c,
        direction,
        rules,
        Some(Side {
            value: p.center,
            n: p.n,
        }),
        Some(Side {
            value: cur_v,
            n: c.values.len(),
        }),
    );
    out.method = Method::PredictionInterval;
    out.change = movement(p.center, cur_v, direction, rules.threshold).change;
    out.p_value = p.p_value(cur_v);
    if out.p_value.is_none() {
        out.status = Status::Inconclusive;
        out.note = Notes::one(Note::NotOnLogScale {
            value: cur_v,
            unit: c.unit.clone(),
        });
        return Draft::plain(out, *rules);
    }
    Draft {
        prediction: Some(p),
        ..Draft::plain(out, *rules)
    }
}

/// Whether every value of `c` lies beyond every value of `b` on the same side, with the closest
/// two more than the threshold apart (as a ratio): every repeat shows the change.
pub(super) fn separated(b: &[f64], c: &[f64], threshold: f64) -> bool {
    let range = |v: &[f64]| {
        v.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(*x), hi.max(*x))
            })
    };
    let ((b_lo, b_hi), (c_lo, c_hi)) = (range(b), range(c));
    let positive = b_lo > 0.0 && c_lo > 0.0 && b_hi.is_finite() && c_hi.is_finite();
    let ratio = threshold.ln_1p();
    positive && ((c_lo / b_hi).ln() > ratio || (b_lo / c_hi).ln() > ratio)
}

/// The absolute change of a latency statistic when it is within the latency floor.
pub(super) fn under_latency_floor(
    c: &Series,
    base_v: f64,
    cur_v: f64,
    rules: &Rules,
) -> Option<f64> {
    let delta = (cur_v - base_v).abs();
    (c.unit == Unit::Nanoseconds && is_latency_stat(&c.metric) && delta <= rules.latency_floor)
        .then_some(delta)
}

//! Settling: the p-values of every assessed metric adjusted together (Benjamini-Hochberg), and
//! each assessment turned into a status with its adjusted p-value and the note that explains it.

use crate::model::Unit;
use crate::stats;

use super::change::{judged, movement};
use super::draft::{Draft, NoNoise};
use super::history::{HistoryShape, FAR_OUT};
use super::rules::{statistic, Rules};
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
            settle_samples(&mut out, d.log_sd, rules.min_samples, family);
            if let (Some(moved), Status::Inconclusive) = (d.obvious, out.status) {
                if let (Some(b), Some(c)) = (out.baseline, out.current) {
                    out.status = moved;
                    out.note = Some(format!(
                        "every repeat shows it: all {} current values are beyond all {} baseline values, and a change of {} is beyond {} (`large_change`), which reruns of unchanged code do not reach",
                        c.n,
                        b.n,
                        pct(out.change),
                        pct_plain(rules.large_change)
                    ));
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
                let words = shape_words(&d.shape, held, &out.unit);
                add_note(&mut out, words);
            }
        }
        Method::Threshold => {
            let why = match (d.short_history, out.note.is_some()) {
                (Some(k), _) => format!(
                    "one value per run and only {} of history with this metric: no noise estimate",
                    count(k, "run")
                ),
                (None, true) => "no noise estimate".to_string(),
                (None, false) => "one value per side and no history: no noise estimate".to_string(),
            };
            let words = d
                .no_noise
                .and_then(|n| no_noise_words(n, &out, rules, &why));
            add_note(&mut out, words);
            let words = shape_words(&d.shape, false, &out.unit);
            add_note(&mut out, words);
        }
        Method::Exact | Method::None => {}
    }
    out
}

pub(super) fn settle_samples(
    out: &mut MetricResult,
    log_sd: Option<f64>,
    min_samples: usize,
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
        if out.method == Method::RunToRun {
            // More repeats do not shrink the noise between runs.
            return "the runs differ by more than their repeats do: keep a history of runs (`--store`, the Action's data branch) to decide".to_string();
        }
        let needed = match (mv.change, log_sd) {
            (Some(ch), Some(sd)) if ch > -1.0 => {
                formula((1.0 + ch).ln(), sd, level, TARGET_POWER).map(|n| n.max(floor))
            }
            _ => None,
        };
        match needed {
            Some(n) => format!(
                "about {n} repeats per side would likely decide it (80% power at the observed change and noise)"
            ),
            None => format!("run more repeats (at least {floor} per side)"),
        }
    };
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if !enough {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "too few samples to decide ({n1} and {n2}): at least {} per side are needed; {}",
            smallest(alpha),
            advice()
        ));
    } else if p.is_some_and(|p| p < alpha) {
        out.status = mv.moved;
    } else {
        out.status = Status::Inconclusive;
        out.note = Some(format!(
            "a change of {} is not statistically significant ({}): too noisy to decide; {}",
            pct(mv.change),
            p.map(|p| p_words(p, family))
                .unwrap_or_else(|| "no p-value".into()),
            advice()
        ));
    }
}

pub(super) fn settle_prediction(out: &mut MetricResult, p: &stats::Prediction, family: Family) {
    let Some(cur) = out.current else {
        return;
    };
    let mv = movement(p.center, cur.value, out.direction, out.threshold);
    let level = pct_plain(p.confidence);
    let range = format!("{} to {}", out.unit.format(p.lo), out.unit.format(p.hi));
    let outside = cur.value > p.hi || cur.value < p.lo;
    let q = out.p_adjusted.or(out.p_value);
    let significant = q.is_some_and(|q| q < out.alpha);
    if !mv.beyond {
        out.status = Status::Unchanged;
    } else if outside && significant {
        out.status = mv.moved;
        out.note = Some(format!(
            "{} the {level} prediction interval of the last {} runs ({range})",
            if cur.value > p.hi { "above" } else { "below" },
            p.n
        ));
    } else {
        out.status = Status::Inconclusive;
        let why = if outside {
            format!(
                "outside the {level} prediction interval of the last {} runs ({range}) but not significant ({})",
                p.n,
                q.map(|q| p_words(q, family)).unwrap_or_default()
            )
        } else {
            format!(
                "within the {level} prediction interval of the last {} runs ({range}): the run-to-run noise is too large to confirm a change of {}",
                p.n,
                pct(mv.change)
            )
        };
        out.note = Some(if cur.n > 1 {
            format!("{why}; the next runs on the baseline branch will tell whether it stays")
        } else {
            format!("{why}; record several repeats per run (samples) to decide")
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
    let way = if out.status == Status::Improvement {
        "better"
    } else {
        "worse"
    };
    out.status = Status::Inconclusive;
    out.note = Some(format!(
        "{way} than the history, but the latest baseline run ({}) is far from the runs before it and this value is within its noise ({}): a one-off or a new level, which the next runs on the baseline branch will tell: run this check again after them",
        out.unit.format(latest),
        pct(mv.change)
    ));
    true
}

/// "p = 0.012 after correction over 312 metrics", or "p = 0.012" alone.
pub(super) fn p_words(p: f64, family: Family) -> String {
    let v = if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    };
    if family.size > 1 {
        format!("{v} after correction over {} metrics", family.size)
    } else {
        v
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

/// What a decision without a noise estimate says (`why`: where the estimate is missing).
pub(super) fn no_noise_words(
    n: NoNoise,
    out: &MetricResult,
    rules: &Rules,
    why: &str,
) -> Option<String> {
    let large = pct_plain(rules.large_change);
    match n {
        NoNoise::Within => None,
        NoNoise::UnderFloor(delta) => Some(format!(
            "{} ({}) is within the {} latency floor (`latency_floor`): no change worth a red build without a noise estimate",
            pct(out.change),
            out.unit.format(delta),
            Unit::Nanoseconds.format(rules.latency_floor)
        )),
        NoNoise::Extreme => Some(format!(
            "{why}; `{}` rests on the run's few slowest or fastest requests: not gated without a history of runs ({} here)",
            statistic(&out.metric),
            pct(out.change)
        )),
        NoNoise::Large => Some(format!(
            "{why}, but a change of {} is beyond {large} (`large_change`), which reruns of unchanged code do not reach",
            pct(out.change)
        )),
        NoNoise::Unsure => Some(format!(
            "{why}: reruns of unchanged code move such a value by up to {large} (`large_change`); repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch), to decide"
        )),
    }
}

/// What was done with the history, in words (`held`: the latest run's own note is already
/// there).
pub(super) fn shape_words(shape: &HistoryShape, held: bool, unit: &Unit) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(s) = shape.shift {
        parts.push(format!(
            "the baseline changed level ({}): compared with the {} since, with the noise of all {}",
            pct(Some(s.change)),
            count(s.runs, "run"),
            s.of
        ));
    }
    if shape.far_out > 0 {
        parts.push(format!(
            "{} of the history (beyond {FAR_OUT} interquartile ranges, log scale) left out",
            count(shape.far_out, "far-out run")
        ));
    }
    if let (Some(v), false) = (shape.far_latest, held) {
        parts.push(format!(
            "the latest baseline run ({}) is far from the runs before it: left out",
            unit.format(v)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Appends `more` to the result's note.
pub(super) fn add_note(out: &mut MetricResult, more: Option<String>) {
    if let Some(more) = more {
        out.note = Some(match out.note.take() {
            Some(n) => format!("{n}; {more}"),
            None => more,
        });
    }
}

pub(super) fn pct(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1}%", c * 100.0),
        None => "n/a".into(),
    }
}

/// "40%": a ratio as a percentage, without a sign.
pub(super) fn pct_plain(v: f64) -> String {
    format!("{}%", trim(v * 100.0))
}

/// "1 run", "12 runs": `k` of `what`, plural when it is not one.
pub(super) fn count(k: usize, what: &str) -> String {
    if k == 1 {
        format!("1 {what}")
    } else {
        format!("{k} {what}s")
    }
}

/// A number with at most two decimals and no trailing zeros.
pub(super) fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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

//! Moderation: with many metrics, each metric's noise is shrunk toward what all of them show
//! (limma's empirical Bayes), for samples (the moderated t test) and for the spreads of
//! histories (moderated prediction intervals).

use crate::config::MODERATION_MIN_METRICS;
use crate::stats;

use super::change::{worse_sign, CONFIDENCE};
use super::draft::Draft;
use super::history::FAR_OUT;
use super::types::*;

/// What a report says of a moderation that decided `decided` metrics (none: nothing to say).
pub(super) fn moderation_of(decided: usize, prior: &stats::VariancePrior) -> Option<Moderation> {
    (decided > 0).then(|| Moderation {
        metrics: decided,
        prior_df: prior.df.is_finite().then_some(prior.df),
        prior_cv: prior.var.exp_m1().max(0.0).sqrt(),
        pooled_df: prior.df_pooled,
    })
}

/// With at least [`MODERATION_MIN_METRICS`] metrics that have positive samples on both sides,
/// decides them with the moderated t test on log values instead of the U test: their log
/// variances are fitted a common prior (limma's empirical Bayes), each metric's variance is
/// shrunk toward it, and the test gains the degrees of freedom of that prior. The change becomes
/// the geometric-mean ratio with its t interval, so change, interval and p-value agree.
pub(super) fn moderate(drafts: &mut [Draft]) -> Option<Moderation> {
    let members: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            // Constant samples (a count that never varies) say nothing about noise and would
            // drag the prior toward zero: they keep the U test.
            let tested = d.result.method == Method::MannWhitney
                || (d.runs && d.result.method == Method::ModeratedT);
            tested && d.result.p_value.is_some() && d.log_two.is_some_and(|s| s.var > 0.0)
        })
        .map(|(i, _)| i)
        .collect();
    if members.len() < MODERATION_MIN_METRICS {
        return None;
    }
    let samples: Vec<stats::LogTwoSample> = members
        .iter()
        .filter_map(|&i| drafts.get(i).and_then(|d| d.log_two))
        .collect();
    let prior = stats::fit_variance_prior(&samples)?;
    // Runs that all gave the same value say nothing of the noise, but are tested with the
    // others' (a time that Go rounded to the same nanoseconds in both runs).
    let flat: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.runs
                && d.result.method == Method::Threshold
                && d.log_two.is_some_and(|s| s.var == 0.0)
        })
        .map(|(i, _)| i)
        .collect();
    let mut decided = 0;
    for &i in members.iter().chain(&flat) {
        let Some(d) = drafts.get_mut(i) else { continue };
        let Some(t) = d
            .log_two
            .and_then(|s| stats::moderated_t(&s, &prior, CONFIDENCE))
        else {
            continue;
        };
        if d.result.method == Method::Threshold {
            // Until now decided by the threshold alone.
            d.result.status = Status::Unchanged;
            d.result.note = Notes::default();
            d.no_noise = None;
        }
        d.result.method = Method::ModeratedT;
        d.result.p_value = Some(t.p);
        d.result.change = Some(t.shift.exp_m1());
        d.result.ci = Some((t.lo.exp_m1(), t.hi.exp_m1()));
        d.log_sd = Some(t.var.sqrt());
        let sign = worse_sign(d.result.direction);
        d.within = d.log_two.map(|s| stats::SuiteMember {
            shift: sign * t.shift,
            se2: t.var * s.scale,
            df: t.df,
        });
        decided += 1;
    }
    moderation_of(decided, &prior)
}

/// With at least [`MODERATION_MIN_METRICS`] single values judged against prediction intervals,
/// moderates the spreads of their histories the same way as [`moderate`] does samples: the log
/// variances of all the histories get a common prior, each is shrunk toward it, and the
/// interval and its p-value use the posterior spread with the added degrees of freedom. Flat
/// histories (a value that never moved) keep their own.
pub(super) fn moderate_histories(drafts: &mut [Draft]) -> Option<Moderation> {
    let spread = |d: &Draft| {
        d.prediction.and_then(|p| {
            (d.result.method == Method::PredictionInterval && p.log_sd > 0.0 && p.df > 0.0)
                .then_some(stats::LogTwoSample {
                    shift: 0.0,
                    var: p.log_sd * p.log_sd,
                    df: p.df,
                    scale: 1.0,
                })
        })
    };
    let members: Vec<(usize, stats::LogTwoSample)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| spread(d).map(|s| (i, s)))
        .collect();
    if members.len() < MODERATION_MIN_METRICS {
        return None;
    }
    let spreads: Vec<stats::LogTwoSample> = members.iter().map(|(_, s)| *s).collect();
    let prior = stats::fit_variance_prior(&spreads)?;
    let mut decided = 0;
    for (i, s) in &members {
        // Judged by the tails their history's runs showed: their spreads still inform the
        // prior, but their intervals are not the normal model's.
        let Some(d) = drafts.get_mut(*i).filter(|d| !d.by_tails) else {
            continue;
        };
        let Some(m) = stats::moderated_t(s, &prior, CONFIDENCE) else {
            continue;
        };
        let (Some(p), Some(cur)) = (d.prediction, d.result.current) else {
            continue;
        };
        let Some(moderated) = p.moderated(m.var, m.df) else {
            continue;
        };
        d.result.p_value = moderated.p_value(cur.value);
        d.prediction = Some(moderated);
        decided += 1;
    }
    moderation_of(decided, &prior)
}

/// Says how many far-out values a t test left out (`outliers`).
pub(super) fn far_out_left_out(r: &mut MetricResult, outliers: usize) {
    if outliers > 0 && matches!(r.method, Method::ModeratedT | Method::RunToRun) {
        r.note.push(Note::FarOutValues {
            count: outliers,
            fences: FAR_OUT,
        });
    }
}

/// With a history of at least [`stats::TAILS_MIN_RUNS`] runs for enough metrics (at least
/// [`stats::TAILS_MIN_VALUES`] of their runs), learns the tails of the runs' noise from the
/// history's own runs, each judged against the others as the current value is against all of them
/// (`stats::fit_tails`). Where those lie farther out than a normal history's would, marks every
/// metric judged against its history's interval (a history without a level shift) to be judged
/// as they lie ([`judge_by_history_tails`]), which [`moderate_histories`] then leaves be: a
/// moderated spread is a normal model's, and the fit already pools the metrics. Their spreads
/// still inform its prior, as each history gives them. Histories whose runs lie as the normal
/// model says keep their intervals.
pub(super) fn learn_history_tails(drafts: &mut [Draft]) -> Option<HistoryTails> {
    let judged =
        |d: &Draft| d.result.method == Method::PredictionInterval && !d.leave_one_out.is_empty();
    let values: Vec<(f64, f64)> = drafts
        .iter()
        .filter(|d| judged(d))
        .flat_map(|d| d.leave_one_out.iter().copied())
        .collect();
    let metrics = drafts.iter().filter(|d| judged(d)).count();
    let tails = stats::fit_tails(&values, metrics)?;
    for d in drafts.iter_mut().filter(|d| judged(d)) {
        d.by_tails = true;
    }
    Some(HistoryTails {
        df: tails.df,
        scale: tails.scale,
        runs: tails.values,
        metrics: tails.metrics,
    })
}

/// Judges the metrics [`learn_history_tails`] marked by the tails it learnt: each one's p-value
/// and interval from the fitted Student's t, on its own history's spread.
pub(super) fn judge_by_history_tails(drafts: &mut [Draft], tails: &HistoryTails) {
    for d in drafts.iter_mut().filter(|d| d.by_tails) {
        let (Some(own), Some(cur)) = (d.prediction, d.result.current) else {
            continue;
        };
        let p = stats::Prediction::from_log(
            own.n,
            own.log_mean,
            own.log_sd * tails.scale,
            tails.df,
            own.confidence,
        );
        d.result.p_value = p.p_value(cur.value);
        d.prediction = Some(p);
    }
}

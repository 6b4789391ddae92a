//! How the comparison was made, in sentences for the report's notes: the p-values' correction
//! over many metrics, the moderated tests, the suite-wide shift against one baseline run, a
//! baseline from another environment, and history runs left out for another kind of machine.

use super::words::{percent_plain, plural, trim_number};
use crate::compare::{Comparison, HistoryTails, Moderation, Status, SuiteShift};

/// `p-values adjusted for false discoveries over 312 metrics (Benjamini-Hochberg)`, when more
/// than one metric had a p-value.
pub(super) fn correction(c: &Comparison) -> Option<String> {
    (c.corrected_over > 1).then(|| {
        format!(
            "p-values adjusted for false discoveries over {} metrics (Benjamini-Hochberg)",
            c.corrected_over
        )
    })
}

/// How the moderated tests learnt the noise and how the suite was read, in passing, when they
/// decided metrics.
pub(super) fn moderation(c: &Comparison) -> Option<String> {
    let runs = c.one_value_per_run.then(|| runs_words(c));
    let samples = c.moderation.map(|m| {
        if c.one_value_per_run {
            moderation_words(
                &m,
                "with a value in several runs were tested together (moderated t test on the logs of their run values)",
                "noise between runs",
            )
        } else {
            moderation_words(
                &m,
                "with samples were tested together (moderated t test on log values)",
                "noise",
            )
        }
    });
    let histories = c.history_moderation.map(|m| {
            moderation_words(
                &m,
                "with one value per run were judged against their histories together (moderated prediction intervals)",
                "run-to-run noise",
            )
        });
    let tails = c.history_tails.as_ref().map(tails_words);
    let suite = c
        .suite
        .as_ref()
        .filter(|s| s.status == Status::Unchanged)
        .map(|s| suite_words(s, c.one_value_per_run));
    let parts: Vec<String> = [runs, samples, histories, tails, suite]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(". "))
}

/// The suite-wide shift (against one baseline run, or the current run's machine against a
/// history's), when it is beyond the threshold (within it, [`moderation`] says it in passing).
pub(super) fn suite_note(c: &Comparison) -> Option<String> {
    c.suite
        .as_ref()
        .filter(|s| s.status != Status::Unchanged)
        .map(|s| {
            suite_shift_note(
                s,
                c.settings.threshold,
                c.one_value_per_run,
                short_history(c),
            )
        })
}

/// What the history's own runs showed of their tails, and what was done with it.
fn tails_words(t: &HistoryTails) -> String {
    format!(
        "The history's runs lie farther out than normal noise would: judged each against the others, its {} of {} lie as Student's t with {} degrees of freedom, and those metrics' prediction intervals and p-values were read from it (far-out values are less rare than a normal spread would say)",
        plural(t.runs, "run", "runs"),
        plural(t.metrics, "metric", "metrics"),
        trim_number(t.df, 1)
    )
}

/// How a comparison of several runs a side was made.
fn runs_words(c: &Comparison) -> String {
    let machine = if c.machine_taken_out {
        " (each run's machine, which moves all its benchmarks together, was taken out of that noise)"
    } else if super::digest::is_load_test(c) {
        " (a load test's statistics are one workload seen many ways: each was tested on its own runs, none against the others)"
    } else {
        ""
    };
    format!(
        "Each metric was compared by one value per run (the median of its repeats): {} against {} of the same benchmarks, so the noise between runs was measured, not assumed{machine}",
        plural(c.baseline_runs, "baseline run", "baseline runs"),
        plural(c.current_runs, "current run", "current runs")
    )
}

/// `on the same kind of machine (12 runs on others left out)`, when some were.
pub(super) fn same_machine(c: &Comparison) -> Option<String> {
    (c.other_environment_runs > 0).then(|| {
        format!(
            "on the same kind of machine ({} left out)",
            plural(c.other_environment_runs, "run on another", "runs on others")
        )
    })
}

/// What a comparison across environments means for the gate, when it was one.
pub(super) fn environment_note(c: &Comparison) -> Option<String> {
    c.cross_environment().then(|| across_environments(c))
}

fn across_environments(c: &Comparison) -> String {
    let what = format!(
        "The baseline ran in a different environment ({})",
        c.environment_differences.join(", ")
    );
    if c.settings.allow_cross_environment {
        format!("{what}; every metric gates anyway (allow_cross_environment is set), so machine differences can show as changes.")
    } else if c.settings.fail_on_inconclusive {
        format!("{what}: the regressions of noisy metrics such as times are inconclusive, and fail the gate as inconclusive results (`fail_on_inconclusive` is set); deterministic metrics such as instruction counts and sizes gate as regressions.")
    } else {
        format!("{what}: noisy metrics such as times cannot fail the gate (their regressions are inconclusive); deterministic metrics such as instruction counts and sizes still gate.")
    }
}

/// How metrics were judged against their suite, in passing.
fn suite_words(s: &SuiteShift, per_run: bool) -> String {
    if let Some(runs) = s.history_runs {
        return format!(
            "Against the history's {runs} runs, each run's machine (the median move of its speed metrics, which a slower machine moves together: {} metrics of {} benchmarks) was taken out of those metrics, the history's and this run's: the whole run is {} {} than the history's runs, and one metric moves by {} between runs beyond its machine",
            s.metrics,
            s.benchmarks,
            one_decimal(s.change.abs()),
            if s.change > 0.0 { "slower" } else { "faster" },
            one_decimal(s.between_cv)
        );
    }
    let (how, noise) = if per_run {
        ("Against the baseline", "beyond the noise its runs show")
    } else {
        ("With one baseline run", "beyond its repeats' noise")
    };
    format!(
        "{how}, the {} speed metrics of {} benchmarks were judged against the rest of the suite: the whole run is {} {} than the baseline run, and one metric moves by {} between runs {noise}",
        s.metrics,
        s.benchmarks,
        one_decimal(s.change.abs()),
        if s.change > 0.0 { "slower" } else { "faster" },
        one_decimal(s.between_cv)
    )
}

/// The runs of a history too short to judge samples by (a store of 2 or 3 runs, compared with
/// its latest run), if that is the baseline.
fn short_history(c: &Comparison) -> Option<usize> {
    let runs = c.baseline_runs;
    (!c.baseline_one_commit && crate::compare::is_short_history(runs)).then_some(runs)
}

/// A suite-wide shift beyond the threshold, on its own. `short`: the baseline is the latest of
/// a history of so many runs, too few to judge samples by.
fn suite_shift_note(s: &SuiteShift, threshold: f64, per_run: bool, short: Option<usize>) -> String {
    let way = if s.change > 0.0 { "slower" } else { "faster" };
    if let Some(runs) = s.history_runs {
        let what = match s.status {
            Status::Regression | Status::Improvement => format!(
                "beyond what the history's machines do between runs: everything got {way}, or this run's machine is unlike the history's"
            ),
            _ => format!(
                "beyond the {} threshold but not beyond what the history's machines do between runs: the machine, or a change that makes everything {way}, so it is inconclusive (the next runs will tell)",
                percent_plain(threshold)
            ),
        };
        return format!(
            "The whole run is {} {way} than the history's {runs} runs (the median move of {} speed metrics of {} benchmarks), {what}. Each run's machine was taken out of those metrics, the history's and this run's, so that a slower machine does not fail the gate and a benchmark that got slower than the rest does (one metric moves by {} between runs beyond its machine).",
            one_decimal(s.change.abs()),
            s.metrics,
            s.benchmarks,
            one_decimal(s.between_cv)
        );
    }
    let grow = short.map(|k| {
        format!(
            "a history of {} runs will tell; it has {k}",
            crate::compare::SHORT_HISTORY_RUNS
        )
    });
    let (runs, to_tell, noise) = if per_run {
        (
            "these runs",
            "keep a history of runs to tell".to_string(),
            "the runs' spread",
        )
    } else {
        (
            "one pair of runs",
            grow.unwrap_or_else(|| {
                "run the job again, or keep a history of runs, to tell".to_string()
            }),
            "its repeats' noise",
        )
    };
    let what = match s.status {
        Status::Regression | Status::Improvement => format!(
            "beyond `large_change`, a move reruns of unchanged code seldom make: the whole run is {way}"
        ),
        _ => format!(
            "beyond the {} threshold: the machine, or a change that makes everything {way}; {runs} cannot tell them apart, so it is inconclusive ({to_tell})",
            percent_plain(threshold)
        ),
    };
    format!(
        "The whole run is {} {way} than the baseline run (the median of {} speed metrics of {} benchmarks), {what}. Each metric was judged by its change against the rest of the suite, with the run-to-run spread the suite shows ({} per metric beyond {noise}), so a slower machine does not fail the gate and a benchmark that got slower than the rest does.",
        one_decimal(s.change.abs()),
        s.metrics,
        s.benchmarks,
        one_decimal(s.between_cv)
    )
}

/// "1 degree of freedom", "36 degrees of freedom": of a whole number.
fn degrees(d: f64) -> String {
    if d == 1.0 {
        "1 degree of freedom".to_string()
    } else {
        format!("{d:.0} degrees of freedom")
    }
}

/// "3.1%": a ratio as a percentage with one decimal.
fn one_decimal(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// "48 metrics with samples were tested together (moderated t test on log values): their
/// typical noise is 4.9% and each borrowed 36 degrees of freedom from the others".
fn moderation_words(m: &Moderation, what: &str, noise: &str) -> String {
    // A test never gets more than the pooled degrees of freedom of all the metrics.
    let borrowed = match m.prior_df {
        Some(df) if m.pooled_df <= 0.0 || df < m.pooled_df => match df.round() {
            // Their noises differ so much that the others' tell each little.
            d if d < 1.0 => {
                "each borrowed less than one degree of freedom from the others".to_string()
            }
            d => format!("each borrowed {} from the others", degrees(d)),
        },
        _ if m.pooled_df > 0.0 => format!(
            "they are about as noisy as each other, so each test uses the noise of all ({})",
            degrees(m.pooled_df.round())
        ),
        _ => {
            "they are about as noisy as each other, so each test uses the noise of all".to_string()
        }
    };
    format!(
        "{} {what}: their typical {noise} is {:.1}% and {borrowed}",
        plural(m.metrics, "metric", "metrics"),
        m.prior_cv * 100.0
    )
}

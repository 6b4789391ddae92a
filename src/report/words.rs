//! Words: the one place numbers and decisions become English. Percentages, plurals, and the
//! notes a comparison attaches to its decisions ([`Note`], [`BudgetNote`]) and the reasons of a
//! failing verdict ([`Reason`]) are worded here, for every report (and for a comparison's JSON,
//! where a note or a reason is its words).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::compare::{
    Advice, BudgetNote, Interval, Note, Notes, Reason, Shown, Significance, Ungated, Unmeasured,
};
use crate::model::Unit;

/// `count` followed by the singular or plural noun.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A relative change with its sign, as tables show it: `+12.3%`, `-4.0%`, `0.0%`, `+1250%`.
pub fn percent_signed(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "n/a".to_string();
    }
    let p = ratio * 100.0;
    if p.abs() >= 1000.0 {
        format!("{p:+.0}%")
    } else if p.abs() < 0.05 {
        "0.0%".to_string()
    } else {
        format!("{p:+.1}%")
    }
}

/// A relative change as a note quotes it: always signed, always one decimal (`+939.0%`,
/// `+0.0%`), `n/a` when undefined. Unlike [`percent_signed`], notes keep every digit of a
/// large change: the rows beside them round it.
pub fn percent_quoted(change: Option<f64>) -> String {
    match change {
        Some(c) => format!("{:+.1}%", c * 100.0),
        None => "n/a".into(),
    }
}

/// A confidence interval of a change: `+9.8% to +14.9%`.
pub(crate) fn percent_range(lo: f64, hi: f64) -> String {
    format!("{} to {}", percent_signed(lo), percent_signed(hi))
}

/// A p-value as a report quotes it: `p = 0.004`, `p < 0.001`; "no p-value" for one that is not
/// a number, as the tables show `—`.
pub(crate) fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "no p-value".to_string()
    } else if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// A commit id as reports show it: the first 7 characters of a hexadecimal id longer than that,
/// any other id (a tag, a short or odd one) as it is.
pub fn short_commit(commit: &str) -> &str {
    if commit.len() > 7 && commit.chars().all(|c| c.is_ascii_hexdigit()) {
        commit.get(..7).unwrap_or(commit)
    } else {
        commit
    }
}

/// A ratio as a percentage without needless digits: `5%`, `2.5%`.
/// When a statistic shown apart as not gated would be: `without a history of runs`, `with only
/// 4 runs of history (10 needed: `min_points`)` (or `..., fewer than `min_points``), `by a few
/// runs a side`.
/// One wording for a statistic's note and for the reports' line of them.
pub(crate) fn not_gated_when(unmeasured: &Unmeasured, min_points: Option<usize>) -> String {
    match unmeasured {
        Unmeasured::ShortHistory(n) => match min_points {
            Some(needed) => {
                format!("with only {n} runs of history ({needed} needed: `min_points`)")
            }
            None => format!("with only {n} runs of history, fewer than `min_points`"),
        },
        Unmeasured::Runs { .. } => "by a few runs a side".to_string(),
        Unmeasured::NoHistory | Unmeasured::Plainly => "without a history of runs".to_string(),
    }
}

pub(crate) fn percent_plain(ratio: f64) -> String {
    format!("{}%", trim_number(ratio * 100.0, 2))
}

/// A number with at most `decimals` decimals and no trailing zeros.
pub(crate) fn trim_number(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// "1 run", "12 runs": a count of `what`, plural by adding an `s`.
fn count(k: usize, what: &str) -> String {
    plural(k, what, &format!("{what}s"))
}

/// A note's parts in words, joined with `; `; None when there is none.
pub fn note(notes: &Notes) -> Option<String> {
    (!notes.is_empty()).then(|| notes.to_string())
}

impl fmt::Display for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl Serialize for Notes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        note(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Notes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(d)?
            .map(|w| Notes::one(Note::Worded(w)))
            .unwrap_or_default())
    }
}

/// The reasons of a failing verdict, in words: `2 regressions`, `1 budget broken`.
pub fn reasons(reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(Reason::to_string).collect()
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, one, many) = match self {
            Reason::Regressions(n) => (*n, "regression", "regressions"),
            Reason::MissingResults(n) => (*n, "missing result", "missing results"),
            Reason::NewResults(n) => (*n, "new result", "new results"),
            Reason::InconclusiveResults(n) => (*n, "inconclusive result", "inconclusive results"),
            Reason::BudgetsBroken(n) => (*n, "budget broken", "budgets broken"),
            Reason::WholeRun { change } => {
                return write!(
                    f,
                    "the whole run is {} than the baseline run ({})",
                    if *change > 0.0 { "slower" } else { "faster" },
                    percent_quoted(Some(*change))
                )
            }
            Reason::WholeRunAgainstHistory { change } => {
                return write!(
                    f,
                    "the whole run is {} than the history's runs ({})",
                    if *change > 0.0 { "slower" } else { "faster" },
                    percent_quoted(Some(*change))
                )
            }
            Reason::Worded(w) => return f.write_str(w),
        };
        f.write_str(&plural(n, one, many))
    }
}

/// A budget check's note in words, when it has one.
pub fn budget_note(note: &Option<BudgetNote>) -> Option<String> {
    note.as_ref().map(BudgetNote::to_string)
}

impl fmt::Display for BudgetNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BudgetNote::NoBenchmark { pattern } => write!(f, "no benchmark matches `{pattern}`"),
            BudgetNote::NoMetric {
                benchmark,
                metric,
                has,
            } => write!(
                f,
                "`{benchmark}` has no metric `{metric}`; it has: {}",
                has.join(", ")
            ),
            // The configuration's words: it knows what a budget's unit may be.
            BudgetNote::UnitMismatch(e) => write!(f, "{e}"),
            BudgetNote::MedianOf(n) => write!(f, "median of {n} samples"),
            BudgetNote::MedianOfRuns(n) => write!(f, "median of {n} runs' values"),
            BudgetNote::Worded(w) => f.write_str(w),
        }
    }
}

/// Typed values that a comparison file stores as their words (a string) and reads back as
/// `Worded`, so that a comparison read from a file says what the report said.
macro_rules! stored_as_words {
    ($($t:ident),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($t::Worded)
            }
        }
    )*};
}

stored_as_words!(Reason, BudgetNote);

impl fmt::Display for Unmeasured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmeasured::NoHistory => {
                f.write_str("one value per side and no history: no noise estimate")
            }
            Unmeasured::ShortHistory(k) => write!(
                f,
                "one value per run and only {} of history with this metric: no noise estimate",
                count(*k, "run")
            ),
            Unmeasured::Plainly => f.write_str("no noise estimate"),
            Unmeasured::Runs { baseline, current } => write!(
                f,
                "one value per run, {} against {}",
                count(*baseline, "baseline run"),
                count(*current, "current run")
            ),
        }
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::KeepHistory => f.write_str("the runs differ by more than their repeats do: keep a history of runs (`--store`, the Action's data branch) to decide"),
            Advice::GrowHistory { runs, needed } => write!(f, "the runs differ by more than their repeats do: let the history grow to {needed} runs (it has {runs}) to decide"),
            Advice::Repeats(n) => write!(f, "about {n} repeats per side would likely decide it (80% power at the observed change and noise)"),
            Advice::AtLeast(n) => write!(f, "run more repeats (at least {n} per side)"),
            Advice::Runs(n) => write!(f, "about {n} runs per side would likely decide it (80% power at the observed change and the noise between runs)"),
        }
    }
}

/// "p = 0.012 after correction over 312 metrics", or "p = 0.012" alone.
impl fmt::Display for Significance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&p_value(self.p))?;
        if self.over > 1 {
            write!(f, " after correction over {} metrics", self.over)?;
        }
        Ok(())
    }
}

/// "the 99% prediction interval of the last 30 runs (18.1 ms to 22.0 ms)".
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} prediction interval of the last {} runs{} ({} to {})",
            percent_plain(self.confidence),
            self.runs,
            if self.this_machine {
                ", on this run's machine"
            } else {
                ""
            },
            self.unit.format(self.lo),
            self.unit.format(self.hi)
        )
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |c: &Option<f64>| percent_quoted(*c);
        // From zero (no ratio), a note says so instead of quoting "n/a".
        let a_change = |c: &Option<f64>| match c {
            Some(_) => format!("a change of {}", pct(c)),
            None => "a change from zero".to_string(),
        };
        // `large_change` is a ratio, the same both ways: a fall says where it lies downwards.
        let large = |c: &Option<f64>, bound: f64| match c {
            Some(x) if *x < 0.0 => format!(
                "{} (`large_change`, a ratio: a fall of {}%)",
                percent_plain(bound),
                trim_number((1.0 - 1.0 / (1.0 + bound)) * 100.0, 1)
            ),
            _ => format!("{} (`large_change`)", percent_plain(bound)),
        };
        let here = |c: &Option<f64>| match c {
            Some(_) => format!("{} here", pct(c)),
            None => "from zero here".to_string(),
        };
        match self {
            Note::UnitsDiffer { baseline, current } => write!(
                f,
                "units differ (baseline `{baseline}`, current `{current}`): not comparable"
            ),
            Note::NotANumber => f.write_str("a value is not a number: not comparable"),
            Note::ZeroBaseline => f.write_str("the baseline is zero, so the change has no ratio"),
            Note::Deterministic { zero_baseline: true } => write!(
                f,
                "{}; deterministic metric: any change beyond the threshold counts",
                Note::ZeroBaseline
            ),
            Note::Deterministic { zero_baseline: false } => f.write_str(
                "deterministic metric: any change beyond the threshold counts, no test needed",
            ),
            Note::HistoryNotPositive => f.write_str("the history has values that are not positive numbers: no prediction interval, compared with the latest run"),
            Note::NotOnLogScale { value, unit } => write!(
                f,
                "the value {} cannot be compared on a log scale",
                unit.format(*value)
            ),
            Note::EveryRepeat { current, baseline, change, large_change, of: of @ (Shown::Runs | Shown::RunsRepeats) } => {
                // "the current run", "the 2 baseline runs"; each run, or all of them.
                let the = |n: usize, side: &str| match n {
                    1 => format!("the {side} run"),
                    n => format!("the {n} {side} runs"),
                };
                let all = |n: usize, side: &str| match n {
                    1 => format!("the {side} run"),
                    n => format!("all {n} {side} runs"),
                };
                match (of, current) {
                    (Shown::RunsRepeats, _) => write!(f, "every repeat of {} is beyond every repeat of {}", the(*current, "current"), the(*baseline, "baseline")),
                    (_, 1) => write!(f, "the current run is beyond {}", all(*baseline, "baseline")),
                    _ => write!(f, "{} are beyond {}", all(*current, "current"), all(*baseline, "baseline")),
                }?;
                write!(
                    f,
                    ", and {} is beyond {}, which reruns of unchanged code seldom reach and the runs' own spread does not explain",
                    a_change(change),
                    large(change, *large_change)
                )
            }
            Note::EveryRepeat { current: 1, baseline: 1, change, large_change, .. } => write!(
                f,
                "the tool's confidence intervals of the two values are further apart than the threshold, and {} is beyond {}, which reruns of unchanged code seldom reach",
                a_change(change),
                large(change, *large_change)
            ),
            Note::EveryRepeat { current: 1, baseline, change, large_change, .. } => write!(
                f,
                "the current value is beyond all {baseline} baseline values, and {} is beyond {}, which reruns of unchanged code seldom reach",
                a_change(change),
                large(change, *large_change)
            ),
            Note::EveryRepeat { current, baseline: 1, change, large_change, .. } => write!(
                f,
                "all {current} current values are beyond the baseline value, and {} is beyond {}, which reruns of unchanged code seldom reach",
                a_change(change),
                large(change, *large_change)
            ),
            Note::EveryRepeat { current, baseline, change, large_change, .. } => write!(
                f,
                "every repeat shows it: all {current} current values are beyond all {baseline} baseline values, and {} is beyond {}, which reruns of unchanged code seldom reach",
                a_change(change),
                large(change, *large_change)
            ),
            Note::UnderLatencyFloor { change, delta, unit, floor } => write!(
                f,
                "{} is within the {} latency floor (`latency_floor`): no change worth a red build without a noise estimate",
                match change {
                    Some(_) => format!("{} ({})", pct(change), unit.format(*delta)),
                    None => format!("{} up from zero", unit.format(*delta)),
                },
                Unit::Nanoseconds.format(*floor)
            ),
            Note::NotGated { unmeasured, statistic, change, why } => {
                let (what, after) = match why {
                    Ungated::FewRequests => (
                        "rests on the run's few slowest or fastest requests".to_string(),
                        "",
                    ),
                    Ungated::KernelTime { rerun_move } => (
                        format!(
                            "is the command's CPU time in the kernel, one mean per run, which reruns of unchanged code moved by up to {}",
                            percent_plain(*rerun_move)
                        ),
                        "; the command's time decides",
                    ),
                };
                write!(
                    f,
                    "{unmeasured}; `{statistic}` {what}: not gated {} ({}){after}",
                    not_gated_when(unmeasured, None),
                    here(change)
                )
            }
            Note::LargeChange { unmeasured, change, large_change } => write!(
                f,
                "{unmeasured}, but {} is beyond {}, which reruns of unchanged code seldom reach",
                a_change(change),
                large(change, *large_change)
            ),
            Note::UnsureChange { unmeasured, large_change } => write!(
                f,
                "{unmeasured}: reruns of unchanged code can move such a value this far, and only a change beyond {} (`large_change`) is decided without a noise estimate; {}, to decide",
                percent_plain(*large_change),
                match unmeasured {
                    Unmeasured::ShortHistory(_) => "repeat the run several times per side, or let the history grow to `min_points` runs",
                    Unmeasured::Runs { .. } => "run each side more times, or keep a history of runs (`--store`, the Action's data branch)",
                    Unmeasured::NoHistory | Unmeasured::Plainly => "repeat the run several times per side, or keep a history of runs (`--store`, the Action's data branch)",
                }
            ),
            Note::LevelShift { change, runs, of } => write!(
                f,
                "the baseline changed level ({}): compared with the {} since, with the noise of all {of}",
                percent_quoted(Some(*change)),
                count(*runs, "run")
            ),
            Note::FarOutRuns { count: k, fences } => write!(
                f,
                "{} of the history (beyond {fences} interquartile ranges, log scale) left out",
                count(*k, "far-out run")
            ),
            Note::LikeFarOutRuns { runs, lo, hi } => write!(
                f,
                "as far out as {runs} runs the history left out ({} to {} from its level): runs this far out recur for this benchmark; run it again to tell a change from one more of them",
                pct(&Some(*lo)),
                pct(&Some(*hi))
            ),
            Note::LatestRunApart { value, unit } => write!(
                f,
                "the latest baseline run ({}) is far from the runs before it: left out",
                unit.format(*value)
            ),
            Note::HeldForLatestRun { better, latest, unit, change } => write!(
                f,
                "{} than the history, but the latest baseline run ({}) is far from the runs before it and this value is within its noise ({}): a one-off or a new level, which the next runs on the baseline branch will tell: run this check again after them",
                if *better { "better" } else { "worse" },
                unit.format(*latest),
                pct(change)
            ),
            Note::HeldForOneRun { runs, change } => write!(
                f,
                "not every run of the pull request shows it: without the one of its {runs} runs that moved most, the rest do not show it beyond the threshold ({}); one run alone can be that run's noise (a busy neighbour on the machine), not the code: run it again to decide",
                here(change)
            ),
            Note::TooFewSamples { baseline, current, needed, advice } => write!(
                f,
                "too few samples to decide ({baseline} and {current}): at least {needed} per side are needed; {advice}"
            ),
            Note::NotSignificant { change, p, advice } => {
                let p = p.map_or_else(|| "no p-value".to_string(), |p| p.to_string());
                write!(
                    f,
                    "{} is not statistically significant ({p}): too noisy to decide; {advice}",
                    a_change(change)
                )
            }
            Note::OutsideInterval { above, interval } => write!(
                f,
                "{} {interval}",
                if *above { "above" } else { "below" }
            ),
            Note::OutsideNotSignificant { interval, p } => write!(
                f,
                "outside {interval} but not significant ({})",
                p.map(|p| p.to_string()).unwrap_or_default()
            ),
            Note::WithinInterval { interval, change } => write!(
                f,
                "within {interval}: the run-to-run noise is too large to confirm {}",
                a_change(change)
            ),
            Note::NextRunsWillTell => {
                f.write_str("the next runs on the baseline branch will tell whether it stays")
            }
            Note::RecordRepeats => f.write_str("record several repeats per run (samples) to decide"),
            Note::AgainstHistory { change, whole_run } => write!(
                f,
                "{} against the history's runs as they ran, while the whole run is {:.1}% {} than theirs",
                percent_quoted(Some(*change)),
                whole_run.abs() * 100.0,
                if *whole_run > 0.0 { "slower" } else { "faster" }
            ),
            Note::AgainstBaselineRun { change, whole_run } => write!(
                f,
                "{} against the baseline run, while the whole run is {:.1}% {}",
                percent_quoted(Some(*change)),
                whole_run.abs() * 100.0,
                if *whole_run > 0.0 { "slower" } else { "faster" }
            ),
            Note::RepeatsOnly { benchmarks, needed, history } => write!(
                f,
                "decided on each run's repeats, which do not see another machine or another moment: {} {} too few for the suite to show how far a benchmark moves between runs ({needed} would); a history of {history} runs or more (`--store`, the Action's data branch) would confirm it",
                plural(*benchmarks, "benchmark", "benchmarks"),
                if *benchmarks == 1 { "is" } else { "are" }
            ),
            Note::FarOutValues { count: k, fences } => write!(
                f,
                "{} (beyond {fences} interquartile ranges, log scale) left out of the t test",
                count(*k, "far-out value")
            ),
            Note::AcrossEnvironments { change } => write!(
                f,
                "would be a regression ({}), but the baseline ran in another environment, where a noisy metric is inconclusive; compare runs from the same runner (or base and head in the same job), or set allow_cross_environment = true",
                pct(change)
            ),
            Note::Worded(w) => f.write_str(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_signed_percentages() {
        assert_eq!(percent_signed(0.123), "+12.3%");
        assert_eq!(percent_signed(-0.04), "-4.0%");
        assert_eq!(percent_signed(0.0001), "0.0%");
        assert_eq!(percent_signed(-0.0001), "0.0%");
        assert_eq!(percent_signed(12.5), "+1250%");
        assert_eq!(percent_signed(f64::NAN), "n/a");
    }

    #[test]
    fn settings_drop_needless_digits() {
        assert_eq!(percent_plain(0.05), "5%");
        assert_eq!(percent_plain(0.025), "2.5%");
        assert_eq!(trim_number(0.05, 4), "0.05");
        assert_eq!(trim_number(0.1, 4), "0.1");
    }

    #[test]
    fn reasons_and_budget_notes_are_stored_as_their_words_and_read_back_as_words() {
        let reasons = vec![
            Reason::Regressions(2),
            Reason::MissingResults(1),
            Reason::WholeRun { change: 0.604 },
        ];
        let json = serde_json::to_string(&reasons).unwrap();
        assert_eq!(
            json,
            r#"["2 regressions","1 missing result","the whole run is slower than the baseline run (+60.4%)"]"#
        );
        let back: Vec<Reason> = serde_json::from_str(&json).unwrap();
        assert_eq!(super::reasons(&back), super::reasons(&reasons));

        let note = Some(BudgetNote::NoMetric {
            benchmark: "http_req_duration".into(),
            metric: "p(96)".into(),
            has: vec!["p(95)".into(), "med".into()],
        });
        let json = serde_json::to_string(&note).unwrap();
        assert_eq!(
            json,
            r#""`http_req_duration` has no metric `p(96)`; it has: p(95), med""#
        );
        let back: Option<BudgetNote> = serde_json::from_str(&json).unwrap();
        assert_eq!(budget_note(&back), budget_note(&note));
        assert_eq!(serde_json::to_string(&None::<BudgetNote>).unwrap(), "null");
    }

    #[test]
    fn only_hexadecimal_commits_are_shortened() {
        assert_eq!(short_commit("0123456789abcdef"), "0123456");
        assert_eq!(short_commit("v1.2.3-rc"), "v1.2.3-rc");
        assert_eq!(short_commit("abc"), "abc");
        assert_eq!(p_value(0.0123), "p = 0.012");
        assert_eq!(p_value(0.0004), "p < 0.001");
        assert_eq!(p_value(f64::NAN), "no p-value");
    }
}

//! The report in a line: the verdict's headline (`2 regressions, 1 budget broken`), the heading
//! that names what changed, worst first (`1 benchmark slower: BenchmarkJoin time +3605%`), and
//! the counts in words (`2 regressions · 1 improvement · 3 unchanged`). The heading is prose
//! that every report shows, so the names in it are as [`display_name`] shows them: shortened
//! when long.

use std::cmp::Ordering;

use super::benchmark_rows::{BenchmarkRow, ContextRow};
use super::names::display_name;
use super::words::{self, plural};
use crate::compare::{BudgetResult, Comparison, Counts, Status, Verdict};
use crate::model::Unit;

/// The verdict in words: the reasons of a failing gate, or `no regressions`, `1 regression (not
/// gating), 2 improvements`.
pub(super) fn headline(c: &Comparison) -> String {
    if c.verdict == Verdict::Fail {
        return why_failed(c);
    }
    if c.results.is_empty() {
        return budgets_only(c.budgets.len());
    }
    let mut text = match c.counts.regression {
        0 => "no regressions".to_string(),
        n => format!("{} (not gating)", plural(n, "regression", "regressions")),
    };
    if c.counts.improvement > 0 {
        text.push_str(", ");
        text.push_str(&plural(c.counts.improvement, "improvement", "improvements"));
    }
    text
}

/// Why the gate failed: its reasons, `2 regressions, 1 budget broken`.
fn why_failed(c: &Comparison) -> String {
    if c.reasons.is_empty() {
        "failed".to_string()
    } else {
        words::reasons(&c.reasons).join(", ")
    }
}

/// A comparison of budgets alone, all met: `the budget is met`, `all 3 budgets met`.
fn budgets_only(budgets: usize) -> String {
    match budgets {
        0 => "nothing to compare".to_string(),
        1 => "the budget is met".to_string(),
        n => format!("all {n} budgets met"),
    }
}

/// The non-zero counts, each with its noun (`(2, "regression", "regressions")` is
/// `2 regressions`), joined with `separator`.
fn counted(counts: &[(usize, &str, &str)], separator: &str) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|&(n, one, many)| plural(n, one, many))
        .collect();
    parts.join(separator)
}

/// The non-zero counts on one line, `2 regressions · 1 improvement`, or `nothing compared`.
fn count_line(counts: &[(usize, &str, &str)]) -> String {
    let line = counted(counts, " · ");
    if line.is_empty() {
        "nothing compared".to_string()
    } else {
        line
    }
}

/// The non-zero counts: `2 regressions · 1 improvement · 3 unchanged`.
pub(super) fn summary(c: &Counts) -> String {
    count_line(&[
        (c.regression, "regression", "regressions"),
        (c.budgets_broken, "budget broken", "budgets broken"),
        (c.missing, "missing", "missing"),
        (c.new, "new", "new"),
        (c.inconclusive, "inconclusive", "inconclusive"),
        (c.improvement, "improvement", "improvements"),
        (c.unchanged, "unchanged", "unchanged"),
        (c.budgets_passed, "budget met", "budgets met"),
    ])
}

/// What a collapsed part holds, from the statuses of its rows (the results without a change or
/// the benchmarks without one): `3 unchanged, 1 new, 2 budgets met`.
pub(super) fn details_summary<'a>(
    statuses: impl Iterator<Item = &'a str> + Clone,
    budgets_passed: usize,
) -> String {
    let count = |s: Status| statuses.clone().filter(|&r| r == s.as_str()).count();
    counted(
        &[
            (count(Status::Unchanged), "unchanged", "unchanged"),
            (count(Status::New), "new", "new"),
            (count(Status::Missing), "missing", "missing"),
            (budgets_passed, "budget met", "budgets met"),
        ],
        ", ",
    )
}

/// `http_req_duration p(95) 312 ms > 200 ms`, or `… not found`.
fn budget_words(b: &BudgetResult) -> String {
    match b.actual {
        Some(a) => {
            let op = match a.partial_cmp(&b.limit) {
                Some(Ordering::Greater) => ">",
                Some(Ordering::Less) => "<",
                _ => "=",
            };
            let (actual, limit) = (b.format(a), b.format(b.limit));
            // An `==` or `!=` budget can fail by less than three digits show.
            let exactly = if actual == limit && a != b.limit {
                format!(
                    " (exactly {} against {} {})",
                    exact(a),
                    exact(b.limit),
                    b.unit.as_str()
                )
            } else {
                String::new()
            };
            format!(
                "{} {} {actual} {op} {limit}{exactly}",
                display_name(&b.benchmark),
                display_name(&b.metric)
            )
        }
        None => format!(
            "{} {}: not found",
            display_name(&b.benchmark),
            display_name(&b.metric)
        ),
    }
}

/// A value in its canonical unit with the digits a display rounds away (`30025684.1`), and no
/// float noise (`30025684.099999998`).
fn exact(v: f64) -> String {
    let text = if v.abs() >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.9}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `BenchmarkJoin time +3605%`.
fn named_change(row: &BenchmarkRow) -> String {
    let name = display_name(&row.benchmark);
    match row.status {
        "missing" | "new" => format!("{name} ({})", row.status),
        _ => format!(
            "{name} {} {}",
            display_name(&row.lead.metric),
            row.lead.change
        ),
    }
}

fn noun_count(n: usize, noun: &str) -> String {
    plural(n, noun, &format!("{noun}s"))
}

/// What changed, in a few words, worst first: `1 benchmark slower: BenchmarkJoin time +3605%`,
/// `budget broken: http_req_duration p(95) 312 ms > 200 ms · 9 metrics worse`,
/// `2 inconclusive: …`, `no change in 14 benchmarks`.
#[allow(clippy::too_many_arguments)]
pub(super) fn heading(
    c: &Comparison,
    load: bool,
    noun: &str,
    failing: &[BenchmarkRow],
    unsure: &[BenchmarkRow],
    better: &[BenchmarkRow],
    same: &[BenchmarkRow],
    context: &[ContextRow],
    budgets_broken: &[BudgetResult],
) -> (&'static str, String) {
    let fail = c.verdict == Verdict::Fail;
    let mut parts: Vec<String> = Vec::new();
    if let Some(worst) = budgets_broken.first() {
        parts.push(match budgets_broken.len() {
            1 => format!("budget broken: {}", budget_words(worst)),
            n => format!("{n} budgets broken: {}", budget_words(worst)),
        });
    }
    let regressions: Vec<&BenchmarkRow> = failing
        .iter()
        .filter(|r| r.status == "regression")
        .collect();
    if let Some(worst) = regressions.first() {
        let speed = |r: &&BenchmarkRow| {
            c.results
                .iter()
                .find(|m| m.benchmark == r.benchmark && m.metric == r.lead.metric)
                .is_some_and(|m| {
                    matches!(
                        m.unit,
                        Unit::Nanoseconds | Unit::PerSecond | Unit::BytesPerSecond
                    )
                })
        };
        let verb = if !load && regressions.iter().all(speed) {
            "slower"
        } else {
            "worse"
        };
        let count = noun_count(regressions.len(), noun);
        let gating = if regressions.iter().any(|r| r.fails_gate) {
            ""
        } else {
            " (not gating)"
        };
        parts.push(if parts.is_empty() {
            format!("{count} {verb}: {}{gating}", named_change(worst))
        } else {
            format!("{count} {verb}{gating}")
        });
    }
    for status in ["missing", "new"] {
        let rows: Vec<&BenchmarkRow> = failing.iter().filter(|r| r.status == status).collect();
        if let Some(first) = rows.first() {
            parts.push(if parts.is_empty() {
                format!(
                    "{} {status}: {}",
                    noun_count(rows.len(), noun),
                    display_name(&first.benchmark)
                )
            } else {
                format!("{} {status}", noun_count(rows.len(), noun))
            });
        }
    }
    // The whole run's shift fails the gate on its own: the rows do not show it.
    if let Some(reason) = c.suite.as_ref().and_then(|s| s.failing_reason()) {
        parts.push(words::reasons(&[reason]).join(", "));
    }
    if parts.is_empty() {
        if let Some(worst) = unsure.first() {
            let lead = unsure
                .iter()
                .find(|r| {
                    r.changes
                        .first()
                        .is_some_and(|ch| ch.status == "inconclusive")
                })
                .unwrap_or(worst);
            parts.push(format!(
                "{} inconclusive: {}",
                unsure.len(),
                named_change(lead)
            ));
        }
    }
    if parts.is_empty() && fail {
        // The gate failed on something the rows do not show as failing: counts that follow the
        // test's duration, or the whole suite's shift.
        let counted: Vec<&ContextRow> = context.iter().filter(|r| r.fails_gate).collect();
        parts.push(match counted.first() {
            Some(first) => format!(
                "the gate failed on counts that follow the test's duration: {} {} {}",
                display_name(&first.benchmark),
                display_name(&first.metric),
                first.change
            ),
            None => why_failed(c),
        });
    }
    if parts.is_empty() {
        if let Some(best) = better.first() {
            let verb = if load { "better" } else { "faster" };
            parts.push(format!(
                "{} {verb}: {}",
                noun_count(better.len(), noun),
                named_change(best)
            ));
        } else if !same.is_empty() {
            // Missing and new benchmarks that do not fail the gate are not "no change".
            let count = |s: &str| same.iter().filter(|r| r.status == s).count();
            let mut words = Vec::new();
            if count("unchanged") > 0 {
                words.push(format!(
                    "no change in {}",
                    noun_count(count("unchanged"), noun)
                ));
            }
            for status in ["missing", "new"] {
                if count(status) > 0 {
                    words.push(format!("{} {status}", count(status)));
                }
            }
            parts.push(words.join(", "));
        } else {
            parts.push(budgets_only(c.budgets.len()));
        }
    }
    let icon = if fail {
        "❌"
    } else if !failing.is_empty() || !unsure.is_empty() || !budgets_broken.is_empty() {
        "⚠️"
    } else {
        "✅"
    };
    (icon, parts.join(" · "))
}

/// The rows counted: `1 budget broken · 1 regression · 2 inconclusive · 14 unchanged`.
pub(super) fn benchmark_summary(
    failing: &[BenchmarkRow],
    unsure: &[BenchmarkRow],
    better: &[BenchmarkRow],
    same: &[BenchmarkRow],
    c: &Comparison,
) -> String {
    let count = |rows: &[BenchmarkRow], s: &str| rows.iter().filter(|r| r.status == s).count();
    count_line(&[
        (c.counts.budgets_broken, "budget broken", "budgets broken"),
        (count(failing, "regression"), "regression", "regressions"),
        (count(failing, "missing"), "missing", "missing"),
        (count(failing, "new"), "new", "new"),
        (unsure.len(), "inconclusive", "inconclusive"),
        (better.len(), "improvement", "improvements"),
        (count(same, "unchanged"), "unchanged", "unchanged"),
        (count(same, "new"), "new", "new"),
        (count(same, "missing"), "missing", "missing"),
        (c.counts.budgets_passed, "budget met", "budgets met"),
    ])
}

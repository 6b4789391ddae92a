//! The words of the annotations a CI run puts on its job (GitHub shows 10 a level): errors for
//! what fails the gate or regressed, warnings for inconclusive results, in the report's order,
//! so that the worst are among those shown. The CLI writes them as workflow commands.
//!
//! Names are shown as the reports show them ([`display_name`]: shortened when long) and as the
//! terminal does ([`clean`]: control and invisible characters as visible escapes).

use std::cmp::Ordering;

use super::benchmark_rows::{benchmark_class, magnitude};
use super::digest::{is_load_test, worst_budget_first};
use super::names::display_name;
use super::terminal::clean;
use super::words;
use crate::compare::{BudgetResult, Comparison, MetricResult, Status};

/// The messages of a run's annotations, each list worst first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    /// Broken budgets (furthest over their limit first), the whole run's shift when it fails the
    /// gate, then regressions: those failing the gate, then the others, each by the size of
    /// their change. Each of the first two fails the gate on its own in one line, so a list of
    /// hundreds of regressions does not push them out of sight.
    pub errors: Vec<String>,
    /// Inconclusive results, largest change first.
    pub warnings: Vec<String>,
}

/// The annotations of `c`: `budget broken: http_req_duration p(95) < 200ms (actual 212 ms)`,
/// `regression: BenchmarkJoin time: +21.0%`, `inconclusive: BenchmarkX time: +7.0% (note)`. A load
/// test's counts that follow its duration are context, not annotations.
pub fn annotations(c: &Comparison) -> Annotations {
    let line = |r: &MetricResult| {
        let change = r
            .change
            .map(|x| format!("{:+.1}%", x * 100.0))
            .unwrap_or_else(|| "changed".into());
        format!(
            "{} {}: {change}",
            display_name(&r.benchmark),
            display_name(&r.metric)
        )
    };
    let load = is_load_test(c);
    let worst_first = |status: Status| {
        let mut rs: Vec<&MetricResult> = c
            .results
            .iter()
            .filter(|r| !r.context && r.status == status)
            .collect();
        // As the report orders its rows (a load test's latencies, failures and checks lead);
        // stable: results of the same weight keep the comparison's order.
        rs.sort_by(|a, b| {
            b.fails_gate
                .cmp(&a.fails_gate)
                .then(benchmark_class(load, &a.benchmark).cmp(&benchmark_class(load, &b.benchmark)))
                .then(
                    magnitude(b.change)
                        .partial_cmp(&magnitude(a.change))
                        .unwrap_or(Ordering::Equal),
                )
        });
        rs
    };

    let mut broken: Vec<&BudgetResult> = c.budgets.iter().filter(|b| !b.passed).collect();
    broken.sort_by(|a, b| worst_budget_first(a, b));
    let mut errors: Vec<String> = broken
        .iter()
        .map(|b| {
            format!(
                "budget broken: {} {}{}",
                display_name(&b.benchmark),
                display_name(&b.expression),
                b.actual
                    .map(|a| format!(" (actual {})", b.format(a)))
                    .unwrap_or_default()
            )
        })
        .collect();
    // The whole run's shift, when it fails the gate on its own: no row shows it.
    if let Some(reason) = c.suite.as_ref().and_then(|s| s.failing_reason()) {
        errors.extend(words::reasons(&[reason]));
    }
    errors.extend(
        worst_first(Status::Regression)
            .into_iter()
            .map(|r| format!("regression: {}", line(r))),
    );
    let warnings = worst_first(Status::Inconclusive).into_iter().map(|r| {
        format!(
            "inconclusive: {}{}",
            line(r),
            words::note(&r.note)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )
    });
    Annotations {
        errors: errors.iter().map(|e| clean(e)).collect(),
        warnings: warnings.map(|w| clean(&w)).collect(),
    }
}

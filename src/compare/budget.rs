//! Budgets: absolute limits (`p(95) < 200ms`) checked against the current run alone.

use crate::config::{glob_matches, Budget};
use crate::model::Unit;

use super::pairing::{summary, Series};
use super::types::*;

/// Equivalent spellings of common statistics.
pub(super) fn same_stat(a: &str, b: &str) -> bool {
    fn canon(s: &str) -> String {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        match s.as_str() {
            "med" | "median" | "p50" | "p(50)" => "p(50)".into(),
            "avg" | "mean" => "avg".into(),
            _ => s,
        }
    }
    canon(a) == canon(b)
}

/// Checks one budget against the current run's series; `runs`: each series is one value per run
/// of a current side given as several runs.
pub fn check_budget(budget: &Budget, current: &[Series], runs: bool) -> Vec<BudgetResult> {
    let matching: Vec<&Series> = current
        .iter()
        .filter(|s| glob_matches(&budget.benchmark, &s.benchmark))
        .collect();
    let broken = |benchmark: &str, unit: Unit, note: BudgetNote| BudgetResult {
        benchmark: benchmark.to_string(),
        metric: budget.metric.clone(),
        expression: budget.expression.clone(),
        actual: None,
        limit: budget.value,
        unit,
        passed: false,
        note: Some(note),
        source: budget.source.clone(),
        decimal: budget.decimal_size(),
    };
    // With nothing to check it on, the limit is shown in the unit it was written in (`2ms`,
    // not `2`).
    let not_found = |benchmark: &str, note: BudgetNote| {
        let (unit, factor) = budget
            .unit
            .as_deref()
            .map_or((Unit::Count, 1.0), Unit::parse);
        BudgetResult {
            limit: budget.value * factor,
            ..broken(benchmark, unit, note)
        }
    };
    if matching.is_empty() {
        return vec![not_found(
            &budget.benchmark,
            BudgetNote::NoBenchmark {
                pattern: budget.benchmark.clone(),
            },
        )];
    }
    let mut names: Vec<&str> = matching.iter().map(|s| s.benchmark.as_str()).collect();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let of_bench: Vec<&&Series> = matching.iter().filter(|s| s.benchmark == name).collect();
        let Some(s) = of_bench
            .iter()
            .find(|s| same_stat(&s.metric, &budget.metric))
        else {
            out.push(not_found(
                name,
                BudgetNote::NoMetric {
                    benchmark: name.to_string(),
                    metric: budget.metric.clone(),
                    has: of_bench.iter().map(|s| s.metric.clone()).collect(),
                },
            ));
            continue;
        };
        let actual = summary(&s.values);
        match budget.limit_in(&s.unit) {
            Ok(limit) => out.push(BudgetResult {
                benchmark: name.to_string(),
                metric: s.metric.clone(),
                expression: budget.expression.clone(),
                actual: Some(actual),
                limit,
                unit: s.unit.clone(),
                passed: budget.op.holds(actual, limit),
                note: (s.values.len() > 1).then_some(match runs {
                    true => BudgetNote::MedianOfRuns(s.values.len()),
                    false => BudgetNote::MedianOf(s.values.len()),
                }),
                source: budget.source.clone(),
                decimal: budget.decimal_size(),
            }),
            Err(e) => out.push(BudgetResult {
                actual: Some(actual),
                ..broken(name, s.unit.clone(), BudgetNote::UnitMismatch(e))
            }),
        }
    }
    out
}

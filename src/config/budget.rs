//! Absolute budgets: `p(95) < 200ms`, `rate < 0.1%`, `time < 2ms`. The grammar is k6's threshold
//! syntax (`<statistic> <operator> <number>`) with an optional unit glued to or after the number.

use std::fmt;

use serde::Serialize;

use crate::model::Unit;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    pub fn holds(self, actual: f64, limit: f64) -> bool {
        match self {
            Op::Lt => actual < limit,
            Op::Le => actual <= limit,
            Op::Gt => actual > limit,
            Op::Ge => actual >= limit,
            Op::Eq => actual == limit,
            Op::Ne => actual != limit,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// One budget: on benchmarks matching `benchmark` (a glob), `metric <op> value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub benchmark: String,
    pub metric: String,
    pub op: Op,
    /// The number as written.
    pub value: f64,
    /// The unit as written, if any (`ms`, `%`).
    pub unit: Option<String>,
    /// The whole expression as written, for reports.
    pub expression: String,
    /// Where it was written (`perfgate.toml:12`, `--budget`, input `budgets`), for errors.
    #[serde(skip)]
    pub source: Option<String>,
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.benchmark, self.expression)
    }
}

impl Budget {
    /// Parses `<metric> <op> <number>[unit]` for the benchmarks matching `benchmark`.
    pub fn parse(benchmark: &str, expression: &str) -> Result<Budget, String> {
        let expression = expression.trim();
        let (left, op, right) = split_op(expression)?;
        let metric = left.trim();
        if metric.is_empty() {
            return Err(format!(
                "budget `{expression}` has no statistic before `{}`: expected e.g. `p(95) < 200ms`",
                op.as_str()
            ));
        }
        if metric.contains(char::is_whitespace) {
            return Err(format!(
                "budget `{expression}`: `{metric}` is not one statistic name: expected e.g. `p(95) < 200ms`"
            ));
        }
        if let Some(q) = metric.strip_prefix("p(").and_then(|m| m.strip_suffix(')')) {
            if !q.parse::<f64>().is_ok_and(|q| (0.0..=100.0).contains(&q)) {
                return Err(format!(
                    "budget `{expression}`: `{metric}` is not a percentile: expected `p(N)` with N from 0 to 100, such as `p(95)`"
                ));
            }
        }
        let (value, unit) = split_number(right.trim()).ok_or_else(|| {
            format!("budget `{expression}`: `{}` is not a number with an optional unit, such as `200ms` or `0.1%`", right.trim())
        })?;
        if value < 0.0 {
            return Err(format!(
                "budget `{expression}`: the limit is below zero, and no measured value is: expected a limit of zero or more"
            ));
        }
        Ok(Budget {
            benchmark: benchmark.trim().to_string(),
            metric: metric.to_string(),
            op,
            value,
            unit,
            expression: format!("{metric} {} {}", op.as_str(), right.trim()),
            source: None,
        })
    }

    /// Parses the command-line form `<benchmark> <metric> <op> <value>`, where the benchmark may
    /// hold spaces (the statistic is the last word before the operator).
    pub fn parse_cli(text: &str) -> Result<Budget, String> {
        let (left, _, _) = split_op(text)?;
        let left = left.trim_end();
        let split = left.rfind(char::is_whitespace).ok_or_else(|| {
            format!("budget `{text}`: expected `<benchmark> <statistic> <op> <value>`, such as `http_req_duration p(95) < 200ms`")
        })?;
        let benchmark = left.get(..split).unwrap_or_default().trim();
        let rest = text.get(split..).unwrap_or_default();
        Budget::parse(benchmark, rest)
    }

    /// Parses one line of the Action's `budgets` input: k6's threshold form
    /// `<metric>: <statistic> <op> <value>` (`http_req_duration: p(95)<200`, the metric may carry
    /// k6 tags in braces, `http_req_duration{scenario:api}: p(95)<200`), or the command line's
    /// `<benchmark> <statistic> <op> <value>`.
    pub fn parse_line(line: &str) -> Result<Budget, String> {
        let line = line.trim();
        let mut depth = 0i32;
        let colon = line.char_indices().find(|&(_, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            c == ':' && depth == 0
        });
        if let Some((i, _)) = colon {
            let (name, rest) = (line.get(..i).unwrap_or_default(), line.get(i + 1..));
            // `http://host/` is a benchmark name, not a k6 metric followed by a threshold.
            let k6_name = !name.is_empty() && !name.contains(char::is_whitespace);
            if let (true, Some(rest)) = (k6_name && !rest.unwrap_or("").starts_with("//"), rest) {
                // A benchmark name with a colon (`BenchmarkX/key:v time < 1ms`) is the
                // command line's form; k6's error is the one to show when neither reads it.
                let k6 = Budget::parse(name, rest);
                return k6.or_else(|e| Budget::parse_cli(line).map_err(|_| e));
            }
        }
        Budget::parse_cli(line)
    }

    /// The limit in `unit`'s canonical scale, or why the written unit does not fit. A bare number
    /// on a time metric is milliseconds and on a ratio a fraction, as in k6 thresholds.
    pub fn limit_in(&self, unit: &Unit) -> Result<f64, UnitMismatch> {
        let Some(written) = &self.unit else {
            return Ok(match unit {
                Unit::Nanoseconds => self.value * 1e6,
                _ => self.value,
            });
        };
        let (u, factor) = Unit::parse(written);
        if &u == unit {
            Ok(self.value * factor)
        } else {
            Err(UnitMismatch {
                written: written.clone(),
                unit: unit.clone(),
            })
        }
    }

    /// Whether the limit is a size written in decimal multiples (`1MB`, `500kB`), whose report
    /// shows sizes in them too.
    pub fn decimal_size(&self) -> bool {
        self.unit.as_deref().is_some_and(|u| {
            let (unit, factor) = Unit::parse(u);
            unit == Unit::Bytes && [1e3, 1e6, 1e9, 1e12].contains(&factor)
        })
    }
}

/// A budget's unit that does not fit the metric it is checked on (`time < 2MB`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the unit `{written}` does not fit this metric, whose unit is `{unit}`")]
pub struct UnitMismatch {
    /// The unit as written in the budget.
    pub written: String,
    /// The metric's unit.
    pub unit: Unit,
}

fn split_op(text: &str) -> Result<(&str, Op, &str), String> {
    for (tok, op) in [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("===", Op::Eq),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ] {
        if let Some(i) = text.find(tok) {
            let left = text.get(..i).unwrap_or_default();
            let right = text.get(i + tok.len()..).unwrap_or_default();
            return Ok((left, op, right));
        }
    }
    Err(format!(
        "budget `{text}` has no comparison operator: expected e.g. `p(95) < 200ms` (operators: < <= > >= == !=)"
    ))
}

pub(super) fn split_number(text: &str) -> Option<(f64, Option<String>)> {
    let end = text
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || ((c == '-' || c == '+') && i == 0)
                || ((c == 'e' || c == 'E')
                    && text
                        .get(i + 1..)
                        .and_then(|r| r.chars().next())
                        .is_some_and(|n| n.is_ascii_digit() || n == '-' || n == '+')))
        })
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let number: f64 = text.get(..end)?.parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    let unit = text.get(end..)?.trim();
    if unit.contains(char::is_whitespace) {
        return None;
    }
    Some((number, (!unit.is_empty()).then(|| unit.to_string())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_percentile_out_of_range_or_a_limit_below_zero_is_refused() {
        for (expr, why) in [
            ("p(150) < 5ms", "`p(150)` is not a percentile"),
            ("p(-5) < 5ms", "`p(-5)` is not a percentile"),
            ("p(abc) < 5ms", "`p(abc)` is not a percentile"),
            ("time < -5ms", "the limit is below zero"),
        ] {
            let e = Budget::parse("b", expr).unwrap_err();
            assert!(e.contains(why), "{expr}: {e}");
        }
        for ok in ["p(99.9) < 5ms", "p(0) >= 0", "p(100) < 1s"] {
            assert!(Budget::parse("b", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn budget_lines_read_the_k6_threshold_form_and_the_command_line_form() {
        let b = Budget::parse_line("http_req_duration: p(95)<200").unwrap();
        assert_eq!(
            (b.benchmark.as_str(), b.metric.as_str()),
            ("http_req_duration", "p(95)")
        );
        assert_eq!((b.op, b.value, b.unit.as_deref()), (Op::Lt, 200.0, None));
        let b = Budget::parse_line("  http_req_duration{scenario:api}: p(99) < 1.5s ").unwrap();
        assert_eq!(b.benchmark, "http_req_duration{scenario:api}");
        assert_eq!((b.value, b.unit.as_deref()), (1.5, Some("s")));
        let b = Budget::parse_line("http_req_failed: rate<0.01").unwrap();
        assert_eq!((b.metric.as_str(), b.value), ("rate", 0.01));
        let b = Budget::parse_line("http://127.0.0.1:8080/ p(99) < 20ms").unwrap();
        assert_eq!(b.benchmark, "http://127.0.0.1:8080/");
        let b = Budget::parse_line("BenchmarkJoin-8 time <= 2us").unwrap();
        assert_eq!((b.benchmark.as_str(), b.op), ("BenchmarkJoin-8", Op::Le));
        assert!(Budget::parse_line("http_req_duration: fast").is_err());
        let b = Budget::parse_line("BenchmarkX/key:v-8 time < 1ms").unwrap();
        assert_eq!(
            (b.benchmark.as_str(), b.metric.as_str()),
            ("BenchmarkX/key:v-8", "time")
        );
        assert!(Budget::parse_line("p(95)<200").is_err());
    }

    use super::*;

    #[test]
    fn parses_k6_threshold_expressions_as_written() {
        let b = Budget::parse("http_req_duration", "p(95)<200").unwrap();
        assert_eq!(b.metric, "p(95)");
        assert_eq!(b.op, Op::Lt);
        assert_eq!(b.value, 200.0);
        assert_eq!(b.unit, None);
        assert_eq!(b.limit_in(&Unit::Nanoseconds).unwrap(), 200e6);
        assert_eq!(b.expression, "p(95) < 200");
    }

    #[test]
    fn parses_units_glued_or_spaced() {
        let b = Budget::parse("x", "time <= 2ms").unwrap();
        assert_eq!(
            (b.op, b.value, b.unit.as_deref()),
            (Op::Le, 2.0, Some("ms"))
        );
        assert_eq!(b.limit_in(&Unit::Nanoseconds).unwrap(), 2e6);
        let b = Budget::parse("http_req_failed", "rate < 0.1 %").unwrap();
        assert!((b.limit_in(&Unit::Ratio).unwrap() - 0.001).abs() < 1e-12);
        let b = Budget::parse("x", "count >= 1e3").unwrap();
        assert_eq!((b.op, b.value), (Op::Ge, 1000.0));
    }

    #[test]
    fn parses_command_line_budgets_with_spaces_in_the_benchmark() {
        let b = Budget::parse_cli("sleep 0.1 time < 150ms").unwrap();
        assert_eq!(b.benchmark, "sleep 0.1");
        assert_eq!(b.metric, "time");
        let b = Budget::parse_cli("http_req_duration{expected_response:true} p(99) < 1s").unwrap();
        assert_eq!(b.benchmark, "http_req_duration{expected_response:true}");
        assert_eq!(b.metric, "p(99)");
    }

    #[test]
    fn rejects_malformed_expressions_with_a_reason() {
        assert!(Budget::parse("x", "p(95) 200")
            .unwrap_err()
            .contains("no comparison operator"));
        assert!(Budget::parse("x", "< 200")
            .unwrap_err()
            .contains("no statistic"));
        assert!(Budget::parse("x", "p(95) < fast")
            .unwrap_err()
            .contains("not a number"));
        assert!(Budget::parse_cli("p(95)<200")
            .unwrap_err()
            .contains("<benchmark> <statistic>"));
    }

    #[test]
    fn refuses_a_unit_of_another_dimension() {
        let b = Budget::parse("x", "time < 2MB").unwrap();
        assert!(b
            .limit_in(&Unit::Nanoseconds)
            .unwrap_err()
            .to_string()
            .contains("does not fit"));
    }
}

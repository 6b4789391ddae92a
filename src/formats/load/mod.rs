//! What the load-test parsers (wrk, oha, autocannon, artillery, locust) share: the metric names
//! and directions for request counts, rates, errors and latencies, and the lenient reading of
//! the numbers their JSON holds. HdrHistogram percentile tables, printed by wrk2 and stored as
//! `.hgrm` files, are read in [`percentile_table`].

pub(crate) mod percentile_table;

use super::common::json::{kind_name, kind_of};
use super::spec::ParseError;
use crate::model::{Data, Direction, Metric, Unit};

/// `requests`: a count where more is better (the load test got more work done).
pub(crate) fn requests_metric(n: f64) -> Metric {
    Metric::new("requests", Unit::Count, Data::Value(n)).with_direction(Direction::HigherIsBetter)
}

/// `errors`: a count, lower is better.
pub(crate) fn errors_metric(n: f64) -> Metric {
    Metric::new("errors", Unit::Count, Data::Value(n))
}

/// `error_rate`: a ratio, lower is better.
pub(crate) fn error_rate_metric(r: f64) -> Metric {
    Metric::new("error_rate", Unit::Ratio, Data::Value(r))
}

/// `rate`: requests per second, higher is better.
pub(crate) fn rate_metric(r: f64) -> Metric {
    Metric::new("rate", Unit::PerSecond, Data::Value(r))
}

/// A latency statistic in nanoseconds, rounded to the picosecond so that unit conversion noise
/// (4.1 ms * 1e6 = 4099999.9999999995 ns) does not show up in reports.
pub(crate) fn ns_metric(name: &str, v: f64) -> Metric {
    Metric::new(
        name,
        Unit::Nanoseconds,
        Data::Value((v * 1e3).round() / 1e3),
    )
}

/// `p(50)`, `p(99.9)`, `p(99.999)`: the percent without trailing zeros.
pub(crate) fn percentile_name(p: f64) -> String {
    let s = format!("{p:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("p({s})")
}

/// A JSON statistic: a finite number, or a string holding one (autocannon writes counts as
/// strings). Absent, `null`, non-finite numbers and `"NaN"`-like strings are "no value"; anything
/// else is an error naming `path`.
pub(crate) fn json_number(
    v: Option<&serde_json::Value>,
    path: &str,
) -> Result<Option<f64>, ParseError> {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|x| x.is_finite())),
        Some(Value::String(s)) => {
            let t = s.trim();
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                Ok(_) => Ok(None),
                Err(_) if is_nan(t) || t.is_empty() || t.eq_ignore_ascii_case("n/a") => Ok(None),
                Err(_) => Err(ParseError::whole(format!(
                    "`{path}` must be a number, found the string `{s}`"
                ))),
            }
        }
        Some(other) => Err(ParseError::whole(format!(
            "`{path}` must be a number, found {}",
            kind_name(other)
        ))),
    }
}

/// A statistic the tool always writes as a number when it writes it at all: [`json_number`], but a
/// value that holds none (`null`, which is also how `JSON.stringify` and the lenient reader write
/// NaN, or a `"NaN"`-like string) is an error naming `path` instead of a metric silently left out.
/// Absent is still `None`: the fields differ between the tools' versions.
pub(crate) fn required_number(
    v: Option<&serde_json::Value>,
    path: &str,
) -> Result<Option<f64>, ParseError> {
    use serde_json::Value;
    match (v, json_number(v, path)?) {
        (Some(Value::Null), None) => Err(ParseError::whole(format!(
            "`{path}` is null or NaN: expected a number"
        ))),
        (Some(raw), None) => Err(ParseError::whole(format!(
            "`{path}` is {}: expected a number",
            kind_of(raw)
        ))),
        (_, n) => Ok(n),
    }
}

/// [`json_number`] for a tool that writes its numbers as JSON numbers only (oha): a string is an
/// error naming `path`, even one that holds a number.
pub(crate) fn json_number_only(
    v: Option<&serde_json::Value>,
    path: &str,
) -> Result<Option<f64>, ParseError> {
    match v {
        Some(serde_json::Value::String(s)) => Err(ParseError::whole(format!(
            "`{path}` must be a number, found the string `{s}`"
        ))),
        _ => json_number(v, path),
    }
}

/// A latency that must not be negative.
pub(crate) fn non_negative(v: f64, path: &str) -> Result<f64, ParseError> {
    if v < 0.0 {
        return Err(ParseError::whole(format!(
            "`{path}` is {v}, but a time cannot be negative"
        )));
    }
    Ok(v)
}

/// A rate that must be a fraction between 0 and 1: `what` names the field (`` `summary.successRate` ``)
/// and `noun` the kind of rate (`a success rate`).
pub(crate) fn fraction(v: f64, what: &str, noun: &str) -> Result<f64, ParseError> {
    if !(0.0..=1.0).contains(&v) {
        return Err(ParseError::whole(format!(
            "{what} is {v}, but {noun} is a fraction between 0 and 1"
        )));
    }
    Ok(v)
}

/// `nan`, `-nan`, `NaN%`: how the tools print "no value".
pub(crate) fn is_nan(token: &str) -> bool {
    let t = token.trim_end_matches('%').trim_start_matches(['-', '+']);
    t.eq_ignore_ascii_case("nan")
}

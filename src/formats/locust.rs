//! Locust CSV statistics: `locust --headless --csv=<prefix>` writes `<prefix>_stats.csv` (totals for
//! the whole run) and `<prefix>_stats_history.csv` (one row per second, more with
//! `--csv-full-history`), plus `_failures.csv` and `_exceptions.csv`, which hold no measurements and
//! are refused with a pointer to `_stats.csv`.
//!
//! Columns are found by their header, never by position: the percentile columns follow
//! `PERCENTILES_TO_REPORT` and vary between projects. One benchmark per row, named `<Type> <Name>`
//! (`GET /api/items`), the total row (empty Type, Name `Aggregated`) named `Aggregated`. Metrics
//! (times in ms -> ns): `requests` (Request Count, higher is better), `errors` (Failure Count),
//! `error_rate` (failures / requests), `med`, `avg`, `min`, `max`, the percentile columns as `p(50)`,
//! `p(66)`, ... (the `100%` column is the maximum, already given exactly by Max Response Time, so it
//! is only used when that column is missing), and `rate` (Requests/s, higher is better). `N/A` and
//! empty cells are "no value". Locust buckets medians and percentiles to about two significant
//! digits above 100 ms; averages, minimums and maximums are exact.
//!
//! `_stats_history.csv`: only the **last** row of each (Type, Name) is read, and only its cumulative
//! `Total ...` columns (requests, failures, median, average, min, max): the percentile and rate
//! columns of a history row describe a rolling window of the last seconds, not the run. The last
//! row's `Timestamp` is the run's timestamp.
//!
//! Pre-1.0 headers (`"Method","Name","# requests","# failures","Median response time",...`) are
//! read through the same column names, matched without regard to case.
//!
//! Detection: the first non-blank line is one of the four headers: `Type,Name,Request Count,...`,
//! `Timestamp,User Count,...`, `Method,Name,Error,Occurrences`, `Count,Message,Traceback,Nodes`
//! (or the pre-1.0 `"Method","Name","# requests",...`).

use super::common::time::rfc3339;
use super::common::MS_TO_NS;
use super::load::{
    error_rate_metric, errors_metric, ns_metric, percentile_name, rate_metric, requests_metric,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Run, RunMeta};

/// How `locust` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "locust",
    aliases: &[],
    reads: "Locust --csv _stats.csv and _stats_history.csv",
    detected_by: "first line is a Locust CSV header (`Type,Name,Request Count,...` or `Timestamp,User Count,...`)",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// What the first line says the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stats,
    History,
    Failures,
    Exceptions,
}

fn kind_of_header(fields: &[String]) -> Option<Kind> {
    let f = |i: usize| {
        fields
            .get(i)
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    match (f(0).as_str(), f(1).as_str(), f(2).as_str()) {
        ("type" | "method", "name", "request count" | "# requests") => Some(Kind::Stats),
        ("timestamp", "user count", _) => Some(Kind::History),
        ("method", "name", "error") => Some(Kind::Failures),
        ("count", "message", "traceback") => Some(Kind::Exceptions),
        _ => None,
    }
}

/// True when the first non-blank line is a Locust CSV header.
pub fn looks_like(text: &str) -> bool {
    let Some(first) = text
        .trim_start_matches('\u{feff}')
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .find(|l| !l.trim().is_empty())
    else {
        return false;
    };
    match split_record(first) {
        Ok(fields) => kind_of_header(&fields).is_some(),
        Err(_) => false,
    }
}

/// Splits one CSV record: commas separate fields, double quotes enclose fields that hold commas or
/// quotes, and `""` inside quotes is a quote. Records never span lines in Locust's files (names and
/// errors are single-line), so a line is a record.
fn split_record(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            ',' => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            '"' => return Err("a quote in the middle of an unquoted field".to_string()),
            _ if was_quoted => {
                return Err(format!(
                    "unexpected `{c}` after a closing quote; expected `,`"
                ))
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed on this line".to_string());
    }
    fields.push(field);
    Ok(fields)
}

/// The records of the file with their line numbers: trailing `\r`s (Locust on Windows writes
/// CR CR LF) and blank lines removed.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, ParseError> {
    let mut out = Vec::new();
    for (i, line) in text.trim_start_matches('\u{feff}').split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_record(line).map_err(|e| ParseError::at(i + 1, e))?;
        out.push((i + 1, fields));
    }
    Ok(out)
}

/// Column positions, found by header name (case-insensitive).
struct Columns {
    names: Vec<String>,
}

impl Columns {
    fn find(&self, candidates: &[&str]) -> Option<usize> {
        self.names
            .iter()
            .position(|n| candidates.iter().any(|c| n.eq_ignore_ascii_case(c)))
    }
}

/// One row's cells, read by column.
struct Row<'a> {
    line: usize,
    fields: &'a [String],
    header: &'a [String],
}

impl Row<'_> {
    fn text(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.fields.get(c))
            .map_or("", |s| s.trim())
    }

    /// A number, `None` for `N/A`, empty or missing cells.
    fn number(&self, col: Option<usize>) -> Result<Option<f64>, ParseError> {
        let Some(c) = col else {
            return Ok(None);
        };
        let cell = self.text(Some(c));
        if cell.is_empty() || cell.eq_ignore_ascii_case("N/A") || cell.eq_ignore_ascii_case("nan") {
            return Ok(None);
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ParseError::at(
                self.line,
                format!(
                    "column `{}`: expected a number, found `{cell}`",
                    self.header.get(c).map_or("?", |s| s.as_str())
                ),
            )),
        }
    }

    fn time(&self, col: Option<usize>) -> Result<Option<f64>, ParseError> {
        match self.number(col)? {
            Some(v) if v < 0.0 => Err(ParseError::at(
                self.line,
                format!(
                    "column `{}`: {v} ms is negative; a response time cannot be",
                    col.and_then(|c| self.header.get(c))
                        .map_or("?", |s| s.as_str())
                ),
            )),
            other => Ok(other.map(|v| v * MS_TO_NS)),
        }
    }
}

/// Parses a Locust `_stats.csv` or `_stats_history.csv`; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let records = records(text)?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(ParseError::whole(
            "the Locust CSV is empty: expected `<prefix>_stats.csv` written by `locust --csv=<prefix>`",
        ));
    };
    let kind = kind_of_header(header).ok_or_else(|| {
        ParseError::at(
            1,
            "not a Locust CSV header: expected `Type,Name,Request Count,...` (_stats.csv) or \
             `Timestamp,User Count,...` (_stats_history.csv)",
        )
    })?;
    let cols = Columns {
        names: header.iter().map(|s| s.trim().to_string()).collect(),
    };
    let mut meta = RunMeta {
        tool: Some("locust".to_string()),
        ..RunMeta::default()
    };
    let benchmarks = match kind {
        Kind::Failures => {
            return Err(ParseError::whole(
                "this is Locust's `_failures.csv` (Method,Name,Error,Occurrences), which holds no \
                 measurements: pass `<prefix>_stats.csv` instead",
            ))
        }
        Kind::Exceptions => return Err(ParseError::whole(
            "this is Locust's `_exceptions.csv` (Count,Message,Traceback,Nodes), which holds no \
                 measurements: pass `<prefix>_stats.csv` instead",
        )),
        Kind::Stats => read_stats(&cols, header, rows)?,
        Kind::History => read_history(&cols, header, rows, &mut meta)?,
    };
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "the Locust CSV has a header but no rows: expected one row per request name and an `Aggregated` row",
        ));
    }
    Ok(Run::new(meta, benchmarks))
}

/// `<Type> <Name>`, or `Aggregated` for the total row (pre-1.0: `None Total`).
fn row_name(
    row: &Row<'_>,
    type_col: Option<usize>,
    name_col: Option<usize>,
) -> Result<String, ParseError> {
    let kind = row.text(type_col);
    let name = row.text(name_col);
    if name.is_empty() {
        return Err(ParseError::at(
            row.line,
            "the `Name` column is empty: expected a request name or `Aggregated`",
        ));
    }
    let total_row = matches!(kind, "" | "None") && matches!(name, "Aggregated" | "Total");
    Ok(if total_row {
        "Aggregated".to_string()
    } else if kind.is_empty() {
        name.to_string()
    } else {
        format!("{kind} {name}")
    })
}

fn check_width(row: &Row<'_>) -> Result<(), ParseError> {
    if row.fields.len() != row.header.len() {
        return Err(ParseError::at(
            row.line,
            format!(
                "expected {} columns as in the header, found {}: the file looks truncated or mixed",
                row.header.len(),
                row.fields.len()
            ),
        ));
    }
    Ok(())
}

/// Adds the counts: `requests`, `errors`, and `error_rate` when anything was requested.
fn push_counts(b: &mut Benchmark, requests: Option<f64>, failures: Option<f64>) {
    if let Some(r) = requests {
        b.push(requests_metric(r));
    }
    if let Some(f) = failures {
        b.push(errors_metric(f));
    }
    if let (Some(r), Some(f)) = (requests, failures) {
        if r > 0.0 {
            b.push(error_rate_metric((f / r).clamp(0.0, 1.0)));
        }
    }
}

/// The percentile columns (`50%`, `99.9%`, ...) and their levels.
fn percentile_columns(cols: &Columns) -> Vec<(usize, f64)> {
    cols.names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let p: f64 = n.strip_suffix('%')?.trim().parse().ok()?;
            (0.0..=100.0).contains(&p).then_some((i, p))
        })
        .collect()
}

fn read_stats(
    cols: &Columns,
    header: &[String],
    rows: &[(usize, Vec<String>)],
) -> Result<Vec<Benchmark>, ParseError> {
    let type_col = cols.find(&["Type", "Method"]);
    let name_col = cols.find(&["Name"]);
    let requests_col = cols.find(&["Request Count", "# requests"]);
    let failures_col = cols.find(&["Failure Count", "# failures"]);
    let median_col = cols.find(&["Median Response Time"]);
    let avg_col = cols.find(&["Average Response Time"]);
    let min_col = cols.find(&["Min Response Time"]);
    let max_col = cols.find(&["Max Response Time"]);
    let rate_col = cols.find(&["Requests/s"]);
    let percentiles = percentile_columns(cols);
    let mut out = Vec::new();
    for (line, fields) in rows {
        let row = Row {
            line: *line,
            fields,
            header,
        };
        check_width(&row)?;
        let mut b = Benchmark::new(row_name(&row, type_col, name_col)?);
        let requests = row.number(requests_col)?;
        push_counts(&mut b, requests, row.number(failures_col)?);
        let max = match row.time(max_col)? {
            Some(v) => Some(v),
            None => match percentiles.iter().find(|(_, p)| *p >= 100.0) {
                Some((c, _)) => row.time(Some(*c))?,
                None => None,
            },
        };
        for (name, v) in [
            ("med", row.time(median_col)?),
            ("avg", row.time(avg_col)?),
            ("min", row.time(min_col)?),
            ("max", max),
        ] {
            if let Some(v) = v {
                b.push(ns_metric(name, v));
            }
        }
        for (c, p) in &percentiles {
            if *p >= 100.0 {
                continue;
            }
            if let Some(v) = row.time(Some(*c))? {
                b.push(ns_metric(&percentile_name(*p), v));
            }
        }
        if let Some(r) = row.number(rate_col)? {
            b.push(rate_metric(r));
        }
        out.push(b);
    }
    Ok(out)
}

fn read_history(
    cols: &Columns,
    header: &[String],
    rows: &[(usize, Vec<String>)],
    meta: &mut RunMeta,
) -> Result<Vec<Benchmark>, ParseError> {
    let type_col = cols.find(&["Type"]);
    let name_col = cols.find(&["Name"]);
    let ts_col = cols.find(&["Timestamp"]);
    // The last row of each series, in order of first appearance.
    let mut last: Vec<(String, Row<'_>)> = Vec::new();
    // Where each series is in `last`: a search per row took minutes for 100,000 series.
    let mut slot_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut latest: Option<f64> = None;
    for (line, fields) in rows {
        let row = Row {
            line: *line,
            fields,
            header,
        };
        check_width(&row)?;
        let name = row_name(&row, type_col, name_col)?;
        if let Some(ts) = row.number(ts_col)? {
            latest = Some(latest.map_or(ts, |l: f64| l.max(ts)));
        }
        match slot_of.get(&name).and_then(|&i| last.get_mut(i)) {
            Some(slot) => slot.1 = row,
            None => {
                slot_of.insert(name.clone(), last.len());
                last.push((name, row));
            }
        }
    }
    meta.timestamp = latest.and_then(rfc3339);
    let requests_col = cols.find(&["Total Request Count"]);
    let failures_col = cols.find(&["Total Failure Count"]);
    let median_col = cols.find(&["Total Median Response Time"]);
    let avg_col = cols.find(&["Total Average Response Time"]);
    let min_col = cols.find(&["Total Min Response Time"]);
    let max_col = cols.find(&["Total Max Response Time"]);
    if requests_col.is_none() {
        return Err(ParseError::at(
            1,
            "the history header has no `Total Request Count` column: expected Locust 1.0 or later",
        ));
    }
    let mut out = Vec::new();
    for (name, row) in last {
        let mut b = Benchmark::new(name);
        let requests = row.number(requests_col)?;
        push_counts(&mut b, requests, row.number(failures_col)?);
        // Before the first response Locust writes 0 for these times; they are not measurements.
        if requests.is_some_and(|r| r > 0.0) {
            for (n, col) in [
                ("med", median_col),
                ("avg", avg_col),
                ("min", min_col),
                ("max", max_col),
            ] {
                if let Some(v) = row.time(col)? {
                    b.push(ns_metric(n, v));
                }
            }
        }
        out.push(b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::{metric, value};
    use crate::model::{Direction, Unit};

    const STATS: &str = include_str!("../../tests/fixtures/locust/results_stats.csv");
    const HISTORY: &str = include_str!("../../tests/fixtures/locust/results_stats_history.csv");
    const FAILURES: &str = include_str!("../../tests/fixtures/locust/results_failures.csv");
    const EXCEPTIONS: &str = include_str!("../../tests/fixtures/locust/results_exceptions.csv");

    fn names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    /// Equal up to the picosecond rounding of times.
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-3
    }

    #[test]
    fn reads_one_benchmark_per_stats_row_with_cr_cr_lf_endings() {
        assert!(STATS.contains("\r\r\n"));
        let run = parse(STATS).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("locust"));
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "GET /api/v1/blocks/latest",
                "GET /api/v1/fees/6",
                "GET /api/v1/fees/recommended",
                "GET /api/v1/health",
                "GET /api/v1/mempool",
                "GET /api/v1/mempool/info",
                "GET /api/v1/mining",
                "GET /api/v1/network",
                "Aggregated"
            ]
        );
        assert_eq!(
            names(&run, "Aggregated"),
            [
                "requests",
                "errors",
                "error_rate",
                "med",
                "avg",
                "min",
                "max",
                "p(50)",
                "p(66)",
                "p(75)",
                "p(80)",
                "p(90)",
                "p(95)",
                "p(98)",
                "p(99)",
                "p(99.9)",
                "p(99.99)",
                "rate"
            ]
        );
        let agg = "Aggregated";
        assert_eq!(value(&run, agg, "requests"), 2210.0);
        assert_eq!(value(&run, agg, "errors"), 1607.0);
        assert_eq!(value(&run, agg, "error_rate"), 1607.0 / 2210.0);
        assert_eq!(value(&run, agg, "med"), 3e6);
        assert!(close(value(&run, agg, "avg"), 50.184648958923994 * 1e6));
        assert!(close(value(&run, agg, "min"), 2.5905000511556864 * 1e6));
        assert!(close(value(&run, agg, "max"), 2160.2996999863535 * 1e6));
        assert_eq!(value(&run, agg, "p(98)"), 2000e6);
        assert_eq!(value(&run, agg, "p(99.99)"), 2200e6);
        assert_eq!(value(&run, agg, "rate"), 37.30488469320527);
        let health = "GET /api/v1/health";
        assert_eq!(value(&run, health, "errors"), 0.0);
        assert_eq!(value(&run, health, "error_rate"), 0.0);
        assert_eq!(value(&run, health, "p(75)"), 6e6);
        assert_eq!(
            metric(&run, agg, "requests").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(metric(&run, agg, "rate").unit, Unit::PerSecond);
        assert_eq!(
            metric(&run, agg, "rate").direction,
            Direction::HigherIsBetter
        );
        assert_eq!(metric(&run, agg, "error_rate").unit, Unit::Ratio);
        assert_eq!(
            metric(&run, agg, "error_rate").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(metric(&run, agg, "p(95)").unit, Unit::Nanoseconds);
        insta::assert_json_snapshot!("locust_stats", run);
    }

    #[test]
    fn reads_the_last_cumulative_history_row() {
        let run = parse(HISTORY).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["Aggregated"]);
        assert_eq!(
            names(&run, "Aggregated"),
            [
                "requests",
                "errors",
                "error_rate",
                "med",
                "avg",
                "min",
                "max"
            ]
        );
        assert_eq!(value(&run, "Aggregated", "requests"), 2050.0);
        assert_eq!(value(&run, "Aggregated", "errors"), 1496.0);
        assert_eq!(value(&run, "Aggregated", "med"), 3e6);
        assert!(close(
            value(&run, "Aggregated", "avg"),
            53.77800819475385 * 1e6
        ));
        assert!(close(
            value(&run, "Aggregated", "max"),
            2160.2996999863535 * 1e6
        ));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2026-03-07T02:14:28.000Z")
        );
    }

    #[test]
    fn skips_times_of_history_rows_before_the_first_response() {
        let first_rows: String = HISTORY.split('\n').take(3).collect::<Vec<_>>().join("\n");
        let run = parse(&first_rows).unwrap();
        assert_eq!(names(&run, "Aggregated"), ["requests", "errors"]);
        assert_eq!(value(&run, "Aggregated", "requests"), 0.0);
    }

    #[test]
    fn reads_quoted_fields_custom_percentiles_and_old_headers() {
        let text =
            "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,60%,99.999%,100%\n\
grpc,\"Greeter/Say, \"\"hello\"\"\",10,1,5,5.5,1.0,,12,2.0,0.2,6,N/A,9\n";
        let run = parse(text).unwrap();
        let b = "grpc Greeter/Say, \"hello\"";
        assert_eq!(
            names(&run, b),
            [
                "requests",
                "errors",
                "error_rate",
                "med",
                "avg",
                "min",
                "max",
                "p(60)",
                "rate"
            ]
        );
        // Max Response Time is empty, so the 100% column stands in.
        assert_eq!(value(&run, b, "max"), 9e6);
        assert_eq!(value(&run, b, "error_rate"), 0.1);
        let old = "\"Method\",\"Name\",\"# requests\",\"# failures\",\"Median response time\",\
\"Average response time\",\"Min response time\",\"Max response time\",\"Average Content Size\",\"Requests/s\"\n\
\"GET\",\"/\",100,2,20,21.5,3,90,512,9.5\n\"None\",\"Total\",100,2,20,21.5,3,90,512,9.5\n";
        assert!(looks_like(old));
        let run = parse(old).unwrap();
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(all, ["GET /", "Aggregated"]);
        assert_eq!(value(&run, "Aggregated", "med"), 20e6);
        assert_eq!(value(&run, "GET /", "rate"), 9.5);
    }

    #[test]
    fn refuses_failures_and_exceptions_files_pointing_at_stats() {
        for text in [FAILURES, EXCEPTIONS] {
            assert!(looks_like(text));
            let e = err(text);
            assert!(
                e.message.contains("pass `<prefix>_stats.csv` instead"),
                "{e}"
            );
        }
        assert!(err(FAILURES).message.contains("_failures.csv"));
        assert!(err(EXCEPTIONS).message.contains("_exceptions.csv"));
    }

    #[test]
    fn fails_on_empty_headers_only_and_unknown_headers() {
        let e = err("");
        assert!(e.message.contains("empty"), "{e}");
        let e = err("\r\r\n\r\r\n");
        assert!(e.message.contains("empty"), "{e}");
        let header = STATS.split('\n').next().unwrap();
        let e = err(header);
        assert!(e.message.contains("no rows"), "{e}");
        let e = err("a,b,c\n1,2,3\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("not a Locust CSV header"), "{e}");
    }

    #[test]
    fn fails_on_truncated_rows_and_bad_cells_naming_the_line() {
        let cut = STATS.get(..STATS.len() - 40).unwrap();
        let e = err(cut);
        assert_eq!(e.line, Some(10));
        assert!(e.message.contains("expected 22 columns"), "{e}");
        let bad = STATS.replacen("240,236", "240,lots", 1);
        let e = err(&bad);
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("column `Failure Count`: expected a number, found `lots`"),
            "{e}"
        );
        let neg = STATS.replacen(",2.6827999390661716,", ",-2.5,", 1);
        let e = err(&neg);
        assert!(
            e.message
                .contains("`Min Response Time`: -2.5 ms is negative"),
            "{e}"
        );
        let e = err("Type,Name,Request Count\nGET,\"/a,1\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("not closed"), "{e}");
        let e = err("Type,Name,Request Count\nGET,/a\"b,1\n");
        assert!(e.message.contains("quote in the middle"), "{e}");
        let e = err("Type,Name,Request Count\nGET,,1\n");
        assert!(e.message.contains("`Name` column is empty"), "{e}");
    }

    #[test]
    fn detects_locust_csv_but_not_other_formats() {
        for text in [STATS, HISTORY, FAILURES, EXCEPTIONS] {
            assert!(looks_like(text));
        }
        assert!(!looks_like(""));
        assert!(!looks_like("group,function,value,throughput_num\n"));
        assert!(!looks_like("BenchmarkX-8 100 5 ns/op\n"));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/hlog/jHiccup-2.0.7S.logV2.hlog"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/wrk/wrk-get-latency.txt"
        )));
    }
}

//! HdrHistogram percentile distribution tables, as `outputPercentileDistribution` (Java),
//! `hdr_percentiles_print` (C) and wrk2's `Detailed Percentile spectrum` print them: finding the
//! header, reading the rows and footer, and turning the rows back into a histogram. Shared by the
//! `.hgrm` reader ([`crate::formats::hgrm`]) and the wrk2 reader ([`crate::formats::wrk`]).

use crate::formats::spec::ParseError;
use crate::model::Histogram;

/// The header `Value Percentile TotalCount 1/(1-Percentile)`, space- or comma-separated.
pub(crate) fn is_header(line: &str) -> bool {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches('"'))
        .filter(|w| !w.is_empty())
        .collect();
    words == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"]
}

/// One row of the table, as printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    /// 1-based line number.
    pub line: usize,
    /// The value in the table's unit.
    pub value: f64,
    /// A fraction between 0 and 1.
    pub percentile: f64,
    /// Cumulative count up to and including `value`.
    pub total: u64,
}

/// A table read from text.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub rows: Vec<Row>,
    /// Index (into the lines given to [`read_table`]) of the first line after the table and footer.
    pub end: usize,
}

/// Points over which the part of a row's rise that lies below its value is spread.
const SPREAD: u64 = 16;

/// Rebuilds a distribution from table rows; values are multiplied by `factor` (the conversion into
/// the histogram's unit).
///
/// A row `(v, p, total)` says that `total` values are at most `v` and, because the percentile
/// iterator stopped at `v` for level `p`, that fewer than `ceil(p * N)` are below `v`. So at least
/// `total - ceil(p * N) + 1` of the row's rise sit at `v` itself (a plateau of repeated rows is such
/// a spike), and the rest lie between the previous row's value and `v`, where they are spread evenly
/// over up to [`SPREAD`] points. Every printed percentile stays exact, spikes stay spikes, and the
/// mean comes out close to the footer's (putting each whole rise at its row's value would bias it
/// upwards by a few per cent). The first row's count sits at its own value, the minimum.
pub(crate) fn histogram_from_rows(rows: &[Row], factor: f64) -> Result<Histogram, ParseError> {
    let n = rows.last().map_or(0, |r| r.total);
    let mut h = Histogram::new();
    let mut previous: Option<&Row> = None;
    for row in rows {
        let below = previous.map_or(0, |p| p.total);
        let delta = row.total.saturating_sub(below);
        let from = previous.map(|p| p.value).filter(|v| *v < row.value);
        previous = Some(row);
        if delta == 0 {
            continue;
        }
        let record = |h: &mut Histogram, value: f64, count: u64| {
            h.record_n(value * factor, count)
                .map_err(|e| ParseError::at(row.line, e))
        };
        let Some(from) = from else {
            record(&mut h, row.value, delta)?;
            continue;
        };
        // Fewer than `needed` values lie below `v`.
        let needed = (row.percentile * n as f64).ceil() as u64;
        let at_most_below = needed.saturating_sub(1).max(below);
        let spike = row.total.saturating_sub(at_most_below).clamp(1, delta);
        let spread = delta - spike;
        record(&mut h, row.value, spike)?;
        if spread == 0 {
            continue;
        }
        let points = spread.min(SPREAD);
        let (each, extra) = (spread / points, spread % points);
        for j in 0..points {
            let count = each + u64::from(j < extra);
            let at = from + (row.value - from) * (j as f64 + 0.5) / points as f64;
            record(&mut h, at, count)?;
        }
    }
    if h.is_empty() {
        let line = rows.first().map(|r| r.line);
        return Err(ParseError::new(
            line,
            "the percentile table counts no values (every TotalCount is 0)",
        ));
    }
    Ok(h)
}

/// Reads the table whose header is `lines[header]`: blank lines, then rows, then an optional
/// `#[...]` footer. Checks that rows rise, that percentiles are fractions, that the table reaches the
/// 100th percentile, and that the footer's `Total count` (when present) matches the last row.
pub(crate) fn read_table(lines: &[(usize, String)], header: usize) -> Result<Table, ParseError> {
    let header_line = lines.get(header).map_or(0, |(no, _)| *no);
    let mut rows: Vec<Row> = Vec::new();
    let mut footer_total: Option<(usize, u64)> = None;
    let mut i = header + 1;
    while let Some((no, line)) = lines.get(i) {
        let t = line.trim();
        if t.is_empty() {
            if rows.is_empty() {
                i += 1;
                continue;
            }
            break;
        }
        if let Some(inner) = t.strip_prefix("#[") {
            if rows.is_empty() {
                break;
            }
            if let Some(total) = footer_count(inner) {
                footer_total = Some((*no, total));
            }
            i += 1;
            continue;
        }
        if footer_total.is_some() || !starts_numeric(t) {
            break;
        }
        let row = read_row(*no, t)?;
        if let Some(prev) = rows.last() {
            if row.total < prev.total {
                return Err(ParseError::at(
                    *no,
                    format!(
                        "TotalCount falls from {} to {}: the rows of a percentile table must rise",
                        prev.total, row.total
                    ),
                ));
            }
            if row.value < prev.value {
                return Err(ParseError::at(
                    *no,
                    format!(
                        "Value falls from {} to {}: the rows of a percentile table must rise",
                        prev.value, row.value
                    ),
                ));
            }
        }
        rows.push(row);
        i += 1;
    }
    let Some(last) = rows.last() else {
        return Err(ParseError::at(
            header_line,
            "the percentile table has no rows: expected `<value> <percentile> <total count> <1/(1-percentile)>` lines after the header",
        ));
    };
    if last.percentile < 1.0 {
        return Err(ParseError::at(
            last.line,
            format!(
                "the percentile table stops at percentile {} before the final `1.000000 ... inf` row: the output looks truncated",
                last.percentile
            ),
        ));
    }
    if let Some((no, total)) = footer_total {
        if total != last.total {
            return Err(ParseError::at(
                no,
                format!(
                    "the footer says `Total count = {total}` but the table's last row counts {}",
                    last.total
                ),
            ));
        }
    }
    Ok(Table { rows, end: i })
}

fn starts_numeric(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
}

/// `Max     =       16.528, Total count    =         9991]` -> 9991.
fn footer_count(inner: &str) -> Option<u64> {
    let inner = inner.trim_end_matches(']');
    inner.split(',').find_map(|part| {
        let (key, value) = part.split_once('=')?;
        if key.trim() == "Total count" {
            value.trim().parse().ok()
        } else {
            None
        }
    })
}

fn read_row(no: usize, t: &str) -> Result<Row, ParseError> {
    let fields: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let (value, percentile, total) = match fields.as_slice() {
        [v, p, n] | [v, p, n, _] => (*v, *p, *n),
        _ => {
            return Err(ParseError::at(
                no,
                format!(
                    "expected a percentile row `<value> <percentile> <total count> <1/(1-percentile)>`, found {} fields in `{t}`",
                    fields.len()
                ),
            ))
        }
    };
    let number = |s: &str, what: &str| -> Result<f64, ParseError> {
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(ParseError::at(
                no,
                format!("expected a number for the {what}, found `{s}`"),
            )),
        }
    };
    let value = number(value, "value")?;
    if value < 0.0 {
        return Err(ParseError::at(
            no,
            format!("the value {value} is negative; a latency cannot be"),
        ));
    }
    let percentile = number(percentile, "percentile")?;
    if !(0.0..=1.0).contains(&percentile) {
        return Err(ParseError::at(
            no,
            format!("the percentile {percentile} is not a fraction between 0 and 1"),
        ));
    }
    let total: u64 = total.parse().map_err(|_| {
        ParseError::at(
            no,
            format!("expected a whole number for TotalCount, found `{total}`"),
        )
    })?;
    Ok(Row {
        line: no,
        value,
        percentile,
        total,
    })
}

//! HdrHistogram percentile distribution text (`.hgrm`): what `outputPercentileDistribution` (Java),
//! `hdr_percentiles_print` (C) and wrk2's `Detailed Percentile spectrum` print. A header
//! `Value Percentile TotalCount 1/(1-Percentile)`, rows `<value> <fraction 0..1> <cumulative count>
//! <1/(1-p)>` ending with the 100th-percentile row (`inf`), and an optional `#[Mean = ...]`,
//! `#[Max = ..., Total count = ...]`, `#[Buckets = ...]` footer. The CSV variant
//! (`"Value","Percentile",...`) is read too.
//!
//! The table is turned back into a distribution: each row contributes the rise of its cumulative
//! count at its value, which is exact at the printed percentile steps and coarser between them.
//! The value unit is not written anywhere; it is assumed to be **milliseconds**, what wrk2 and the
//! HdrHistogram examples print (`outputValueUnitScalingRatio` 1e6 over nanosecond recordings), and
//! converted to nanoseconds. The result is one benchmark named `hgrm` holding a `latency`
//! histogram; further tables in the same text become `hgrm#2`, `hgrm#3`...
//!
//! Detection: a header line whose words are exactly `Value Percentile TotalCount 1/(1-Percentile)`,
//! in a text without a wrk banner (`Running ... test @ ...`), which [`super::wrk`] reads instead.

use super::{clean_lines, ParseError};
use crate::model::{Benchmark, Data, Histogram, Metric, Run, RunMeta, Unit};

/// Nanoseconds per millisecond: the assumed unit of `.hgrm` values.
pub(crate) const MS_TO_NS: f64 = 1e6;

/// True when some line is the percentile table header and no line is a wrk banner.
pub fn looks_like(text: &str) -> bool {
    let mut header = false;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if super::wrk::is_banner(line) {
            return false;
        }
        header = header || is_header(line);
    }
    header
}

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

/// Parses `.hgrm` text; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    let lines: Vec<(usize, String)> = clean_lines(text).collect();
    let mut benchmarks: Vec<Benchmark> = Vec::new();
    let mut i = 0;
    while let Some((_, line)) = lines.get(i) {
        if !is_header(line) {
            i += 1;
            continue;
        }
        let table = read_table(&lines, i)?;
        let histogram = histogram_from_rows(&table.rows, MS_TO_NS)?;
        let name = match benchmarks.len() {
            0 => "hgrm".to_string(),
            n => format!("hgrm#{}", n + 1),
        };
        let mut b = Benchmark::new(name);
        b.push(Metric::new(
            "latency",
            Unit::Nanoseconds,
            Data::Histogram(histogram),
        ));
        benchmarks.push(b);
        i = table.end.max(i + 1);
    }
    if benchmarks.is_empty() {
        return Err(ParseError::whole(
            "no HdrHistogram percentile table found: expected a header line \
             `Value   Percentile   TotalCount 1/(1-Percentile)` followed by rows",
        ));
    }
    let meta = RunMeta {
        tool: Some("hgrm".to_string()),
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::latency;

    const KRPS: &str = include_str!("../../tests/fixtures/hgrm/12Krps.hgrm");
    const EXAMPLE2: &str = include_str!("../../tests/fixtures/hgrm/example2.hgrm");

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    /// Equal within the histogram's 3 significant digits.
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 1e-3
    }

    #[test]
    fn rebuilds_the_distribution_of_a_table_with_footer() {
        let run = parse(KRPS).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("hgrm"));
        assert_eq!(run.benchmarks.len(), 1);
        let b = run.benchmark("hgrm").unwrap();
        assert_eq!(b.metrics.len(), 1);
        let h = latency(&run, "hgrm");
        assert_eq!(h.len(), 3_477_000);
        // Values are milliseconds in the table and nanoseconds in the histogram.
        assert!(close(h.min(), 0.189e6), "{}", h.min());
        assert!(close(h.max(), 64.767e6), "{}", h.max());
        assert!(close(h.quantile(0.5), 4.919e6), "{}", h.quantile(0.5));
        assert!(close(h.quantile(0.9), 6.591e6), "{}", h.quantile(0.9));
        // The footer's mean is 4.881 ms; the rebuilt distribution gives 4.81 ms (putting each
        // row's whole rise at its value would give 5.09 ms).
        assert!((h.mean() - 4.881e6).abs() < 0.02 * 4.881e6, "{}", h.mean());
    }

    #[test]
    fn reads_a_table_without_footer_and_with_plateaus() {
        let run = parse(EXAMPLE2).unwrap();
        let h = latency(&run, "hgrm");
        assert_eq!(h.len(), 1_104_769);
        assert!(close(h.min(), 0.017e6), "{}", h.min());
        assert!(close(h.max(), 1511.423e6), "{}", h.max());
        // 813215 of 1104769 values (73.6%) lie at or below 1418.239 ms.
        assert!(close(h.quantile(0.5), 1418.239e6), "{}", h.quantile(0.5));
        assert!(close(h.quantile(0.7), 1418.239e6), "{}", h.quantile(0.7));
        assert!(close(h.quantile(0.75), 1477.631e6), "{}", h.quantile(0.75));
        assert!(close(h.quantile(0.1), 4.747e6), "{}", h.quantile(0.1));
        insta::assert_json_snapshot!("hgrm_example2", run);
    }

    #[test]
    fn exposes_rows_for_reuse() {
        let lines: Vec<(usize, String)> = clean_lines(EXAMPLE2).collect();
        let table = read_table(&lines, 0).unwrap();
        assert_eq!(table.rows.len(), 27);
        assert_eq!(
            table.rows.first(),
            Some(&Row {
                line: 3,
                value: 0.017,
                percentile: 0.0,
                total: 7
            })
        );
        assert_eq!(table.rows.last().map(|r| r.total), Some(1_104_769));
        let h = histogram_from_rows(&table.rows, 1.0).unwrap();
        assert_eq!(h.len(), 1_104_769);
    }

    #[test]
    fn reads_the_csv_variant_and_names_further_tables() {
        let text = "\"Value\",\"Percentile\",\"TotalCount\",\"1/(1-Percentile)\"\n\
                    1.000,0.000000000000,4,1.00\n\
                    2.000,0.500000000000,8,2.00\n\
                    3.000,1.000000000000,10,Infinity\n\
                    \n\
                    Value Percentile TotalCount 1/(1-Percentile)\n\
                    5.000 1.000000 2\n";
        let run = parse(text).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["hgrm", "hgrm#2"]);
        let h = latency(&run, "hgrm");
        assert_eq!(h.len(), 10);
        // The last row's rise of 2: one at its value (the maximum), one halfway down the step.
        assert_eq!(
            h.buckets(),
            [
                (1_000_447, 4),
                (2_000_895, 4),
                (2_500_607, 1),
                (3_000_319, 1)
            ]
        );
        assert_eq!(latency(&run, "hgrm#2").len(), 2);
    }

    #[test]
    fn fails_when_there_is_no_table() {
        for text in ["", "\n", "hello\n", "Value Percentile\n1 0.5 3 2\n"] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(
                e.message.contains("no HdrHistogram percentile table"),
                "{e}"
            );
        }
    }

    #[test]
    fn fails_on_a_truncated_table_naming_the_line() {
        let cut: String = KRPS.lines().take(12).collect::<Vec<_>>().join("\n");
        let e = err(&cut);
        assert_eq!(e.line, Some(12));
        assert!(e.message.contains("looks truncated"), "{e}");
        let e = err("Value Percentile TotalCount 1/(1-Percentile)\n\n");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("has no rows"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers_and_shapes() {
        let head = "Value Percentile TotalCount 1/(1-Percentile)\n\n";
        let e = err(&format!("{head}1.0 0.5 abc 2.0\n"));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("whole number for TotalCount"), "{e}");
        let e = err(&format!("{head}1.0 50.0 3 2.0\n"));
        assert!(e.message.contains("not a fraction between 0 and 1"), "{e}");
        let e = err(&format!("{head}-1.0 0.5 3 2.0\n"));
        assert!(e.message.contains("negative"), "{e}");
        let e = err(&format!("{head}1.0 0.5\n"));
        assert!(e.message.contains("found 2 fields"), "{e}");
        let e = err(&format!("{head}1.0x 0.5 3 2\n"));
        assert!(
            e.message.contains("number for the value, found `1.0x`"),
            "{e}"
        );
        let e = err(&format!("{head}1.0 half 3 2\n"));
        assert!(
            e.message
                .contains("number for the percentile, found `half`"),
            "{e}"
        );
        let e = err(&format!("{head}1.0 0.5 3 2\n0.5 1.0 4 inf\n"));
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("Value falls"), "{e}");
        let e = err(&format!("{head}1.0 0.5 3 2\n2.0 1.0 2 inf\n"));
        assert!(e.message.contains("TotalCount falls"), "{e}");
        let e = err(&format!(
            "{head}1.0 1.0 3 inf\n#[Max     =        1.000, Total count    =         5]\n"
        ));
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("`Total count = 5`"), "{e}");
        let e = err(&format!("{head}1.0 1.0 0 inf\n"));
        assert!(e.message.contains("counts no values"), "{e}");
    }

    #[test]
    fn detects_tables_but_not_wrk_output_or_other_formats() {
        assert!(looks_like(KRPS));
        assert!(looks_like(EXAMPLE2));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/wrk/wrk2-recorded-and-uncorrected.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/wrk/wrk-get-latency.txt"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/hlog/jHiccup-2.0.7S.logV2.hlog"
        )));
        assert!(!looks_like("BenchmarkX-8 100 5 ns/op\n"));
        assert!(!looks_like(""));
    }
}

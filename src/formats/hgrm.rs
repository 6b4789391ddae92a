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

use super::common::text::{clean_lines, contains, raw_lines};
use super::common::MS_TO_NS;
use super::load::percentile_table::{histogram_from_rows, is_header, read_table};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};

/// How `hgrm` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "hgrm",
    aliases: &[],
    reads: "HdrHistogram percentile distribution text (.hgrm)",
    detected_by: "the `Value Percentile TotalCount 1/(1-Percentile)` header",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True when some line is the percentile table header and no line is a wrk banner.
pub fn looks_like(text: &str) -> bool {
    if !contains(text, "TotalCount") {
        return false;
    }
    let mut header = false;
    for line in raw_lines(text) {
        if super::wrk::is_banner(line) {
            return false;
        }
        header = header || is_header(line);
    }
    header
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
    use crate::formats::load::percentile_table::Row;
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

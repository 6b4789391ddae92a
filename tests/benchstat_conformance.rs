//! Conformance with benchstat v2: perfgate parses the inputs of benchstat's own golden tests with
//! its Go parser (`perfgate::formats::go::parse`), computes every number benchstat printed with
//! `perfgate::stats`, and must agree with benchstat's output to the digits benchstat printed.
//!
//! The golden files are copied unchanged from golang/perf @ 712aea8b (`cmd/benchstat/testdata/`)
//! into `tests/fixtures/benchstat/` (see its README). The expected numbers are read out of the
//! golden `.stdout` files by this test, not transcribed, so every row of every table is compared:
//!
//! - `crcOldNew` (`benchstat crc-old.txt crc-new.txt`): the two files carry different `note:`
//!   lines, so benchstat prints each as its own table and compares nothing: 4 tables (sec/op and
//!   B/s per file) of 36 rows plus geomean, checked for the median and its `± x%` interval.
//! - `csvOldNew` (`benchstat -format csv old.txt new.txt`): full-precision medians (relative
//!   error 1e-12), the CI percentages, the delta, the p-value and the sample counts.
//! - `units`, `zero`, `smallSample`, `issue19565`, `issue19634` (`benchstat -col note FILE`): the
//!   file is split at its `note:` lines into the columns (`before`, `after`); lines before the
//!   first `note:` are shared by all columns, and benchstat's `Unit NAME assume=exact` directives
//!   are taken out of the text perfgate parses and remembered.
//!
//! For each row (benchmark), the test checks, in every column where benchstat printed a cell, that
//! the benchmark exists with that many samples, that the median rounds to the printed summary
//! (after benchstat's SI or binary prefix scaling: `46.55n` seconds, `307.3Mi` bytes per second),
//! that `± x%` is `stats::median_ci` as a percentage of the median (and `± ∞` exactly when
//! `median_ci` gives `None`), and where a row is absent from a column that perfgate has no such
//! benchmark there. In every comparison column it checks the p-value of `stats::mann_whitney_u`
//! (3 decimals; benchstat reports p = 1 when the test fails, e.g. on all-equal samples), the
//! sample counts `n=`, `~` exactly when p > 0.05, and otherwise the delta of the medians (2
//! decimals, sign included). Footnotes are checked against the condition their text states
//! (too few samples for an interval or a test via `stats::min_achievable_p`, all samples equal,
//! non-positive summaries, differing benchmark sets). The geomean rows are checked too: the
//! geometric mean of the row medians, and for the delta the geometric mean of the per-row ratios
//! (0/0 counts as 1; x/0 gives `?`).
//!
//! Units benchstat assumes exact (`units`, `zero`) have no test and no median interval: the
//! summary is the value, `±` is the range from the smallest to the largest value, and the delta is
//! always shown. perfgate has no such assumption; for them the test checks the median (equal to
//! benchstat's mode on these inputs), the range and the delta.

// A test crate: a panic is a failing test, and helpers outside #[test] functions index and unwrap
// golden files that are part of the repository.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeMap, BTreeSet};

use perfgate::formats::go;
use perfgate::model::{Data, Run};
use perfgate::stats;

const ALPHA: f64 = 0.05;
const CONFIDENCE: f64 = 0.95;
const SUPERSCRIPTS: &str = "¹²³⁴⁵⁶⁷⁸⁹";

// ---------------------------------------------------------------------------------------------
// Inputs

/// What benchstat compared: one parsed run per column, by column label.
struct Inputs {
    columns: BTreeMap<String, Run>,
    exact_units: BTreeSet<String>,
}

impl Inputs {
    /// One column per file, labelled with the file name (benchstat's default `-col .file`).
    fn files(files: &[(&str, &str)]) -> Inputs {
        let mut columns = BTreeMap::new();
        let mut exact_units = BTreeSet::new();
        for (name, text) in files {
            let (text, exact) = take_unit_directives(text);
            exact_units.extend(exact);
            columns.insert(name.to_string(), parse_run(&text, name));
        }
        Inputs {
            columns,
            exact_units,
        }
    }

    /// One column per `note:` block of a single file (benchstat's `-col note`).
    fn split_by_note(name: &str, text: &str) -> Inputs {
        let (text, exact_units) = take_unit_directives(text);
        let mut preamble = String::new();
        let mut blocks: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("note:") {
                blocks.push((value.trim().to_string(), String::new()));
            }
            let target = match blocks.last_mut() {
                Some((_, block)) => block,
                None => &mut preamble,
            };
            target.push_str(line);
            target.push('\n');
        }
        assert!(
            blocks.len() >= 2,
            "{name}: expected at least two `note:` blocks"
        );
        let columns = blocks
            .into_iter()
            .map(|(label, block)| {
                let run = parse_run(&format!("{preamble}{block}"), &format!("{name} ({label})"));
                (label, run)
            })
            .collect();
        Inputs {
            columns,
            exact_units,
        }
    }

    fn column(&self, label: &str) -> &Run {
        self.columns.get(label).unwrap_or_else(|| {
            panic!(
                "the golden output has a column `{label}`, the inputs only {:?}",
                self.columns.keys().collect::<Vec<_>>()
            )
        })
    }
}

/// Removes benchstat's `Unit NAME assume=exact` directives (not tool output) and returns the
/// exact units.
fn take_unit_directives(text: &str) -> (String, BTreeSet<String>) {
    let mut kept = String::new();
    let mut exact = BTreeSet::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() == Some("Unit") {
            let unit = words.next().unwrap_or_default().to_string();
            if words.any(|w| w == "assume=exact") {
                exact.insert(unit);
            }
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    (kept, exact)
}

fn parse_run(text: &str, what: &str) -> Run {
    go::parse(text).unwrap_or_else(|e| panic!("perfgate's Go parser rejected {what}: {e}"))
}

/// The values of a row's metric for a benchstat unit, in benchstat's scale (seconds for
/// `sec/op`), or `None` when the run has no such benchmark or metric.
fn samples(run: &Run, row: &str, unit: &str) -> Option<Vec<f64>> {
    let bench = run
        .benchmark(&format!("Benchmark{row}"))
        .or_else(|| run.benchmark(row))?;
    let (metric, scale) = match unit {
        "sec/op" => ("time", 1e-9),
        "B/s" => ("throughput", 1.0),
        "B/op" => ("alloc_bytes", 1.0),
        "allocs/op" => ("allocs", 1.0),
        other => (other, 1.0),
    };
    let m = bench.metric(metric)?;
    let values = match &m.data {
        Data::Value(v) => vec![*v],
        Data::Samples(s) => s.clone(),
        Data::Histogram(_) => panic!("{row}: {metric} is a histogram, expected samples"),
    };
    Some(values.iter().map(|v| v * scale).collect())
}

// ---------------------------------------------------------------------------------------------
// Golden output

/// One table of benchstat's output.
struct Table {
    /// Column labels with their unit, base column first.
    columns: Vec<(String, String)>,
    rows: Vec<Row>,
    /// Footnote texts by mark.
    notes: BTreeMap<char, String>,
    /// CSV prints summaries with full precision instead of 4 significant digits.
    full_precision: bool,
}

struct Row {
    name: String,
    line: String,
    cells: Vec<Cell>,
}

/// What benchstat printed in one column of one row.
#[derive(Default, Debug)]
struct Cell {
    summary: Option<String>,
    ci: Option<String>,
    summary_notes: Vec<char>,
    delta: Option<String>,
    /// The parenthesised test result: `p=0.008 n=5`, `n=1`.
    test: Option<String>,
    compare_notes: Vec<char>,
}

impl Cell {
    fn is_empty(&self) -> bool {
        self.summary.is_none()
            && self.summary_notes.is_empty()
            && self.delta.is_none()
            && self.test.is_none()
            && self.compare_notes.is_empty()
    }
}

fn is_superscript(token: &str) -> bool {
    let mut chars = token.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if SUPERSCRIPTS.contains(c))
}

fn is_number(token: &str) -> bool {
    let t = token.strip_prefix('-').unwrap_or(token);
    t.starts_with(|c: char| c.is_ascii_digit()) && !t.ends_with('%')
}

/// Tokens of a line with the character column where each starts.
fn tokens(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (k, c) in line.chars().enumerate() {
        if c == ' ' {
            if !current.is_empty() {
                out.push((start, std::mem::take(&mut current)));
            }
        } else {
            if current.is_empty() {
                start = k;
            }
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// Reads the cell grammar: `[SUMMARY [± CI]] [NOTES] [DELTA] [(TEST)] [NOTES]`.
fn parse_cell(tokens: &[String], line: &str) -> Cell {
    let mut cell = Cell::default();
    let mut it = tokens.iter().peekable();
    if let Some(t) = it.peek() {
        if is_number(t) {
            cell.summary = it.next().cloned();
            if it.peek().map(|t| t.as_str()) == Some("±") {
                it.next();
                cell.ci = it.next().cloned();
            }
        }
    }
    while let Some(t) = it.next_if(|t| is_superscript(t)) {
        cell.summary_notes.extend(t.chars());
    }
    if let Some(t) = it.next_if(|t| *t == "~" || *t == "?" || t.ends_with('%')) {
        cell.delta = Some(t.clone());
    }
    if let Some(first) = it.next_if(|t| t.starts_with('(')) {
        let mut group = vec![first.clone()];
        while !group.last().is_some_and(|t| t.ends_with(')')) {
            group.push(
                it.next()
                    .unwrap_or_else(|| panic!("unclosed `(` in {line:?}"))
                    .clone(),
            );
        }
        let text = group.join(" ");
        cell.test = Some(
            text.trim_start_matches('(')
                .trim_end_matches(')')
                .to_string(),
        );
    }
    while let Some(t) = it.next_if(|t| is_superscript(t)) {
        cell.compare_notes.extend(t.chars());
    }
    let rest: Vec<&String> = it.collect();
    assert!(rest.is_empty(), "unexpected tokens {rest:?} in {line:?}");
    cell
}

/// Parses benchstat's text tables: two header lines with `│` separators (column names, then
/// units and `vs base`), rows up to a blank line, then footnotes.
fn parse_text_tables(stdout: &str) -> Vec<Table> {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut tables = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        let (names_line, units_line) = (lines[i], lines[i + 1]);
        if !(names_line.contains('│') && units_line.contains('│')) {
            i += 1;
            continue;
        }
        let seps: Vec<usize> = names_line
            .chars()
            .enumerate()
            .filter(|(_, c)| *c == '│')
            .map(|(k, _)| k)
            .collect();
        let names: Vec<String> = names_line
            .split('│')
            .skip(1)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let units: Vec<String> = units_line
            .split('│')
            .skip(1)
            .filter_map(|s| s.split_whitespace().next())
            .map(String::from)
            .collect();
        assert_eq!(seps.len(), names.len() + 1, "header {names_line:?}");
        assert_eq!(units.len(), names.len(), "header {units_line:?}");
        let columns: Vec<(String, String)> = names.into_iter().zip(units).collect();
        i += 2;
        let mut rows = Vec::new();
        let mut notes = BTreeMap::new();
        while let Some(line) = lines.get(i) {
            if line.trim().is_empty() {
                break;
            }
            i += 1;
            let first = line.chars().next().unwrap_or(' ');
            if SUPERSCRIPTS.contains(first) {
                notes.insert(first, line[first.len_utf8()..].trim().to_string());
                continue;
            }
            let toks = tokens(line);
            let (name_at, name) = toks.first().cloned().expect("a row has a name");
            assert_eq!(name_at, 0, "row {line:?}");
            let mut per_column: Vec<Vec<String>> = vec![Vec::new(); columns.len()];
            for (at, tok) in toks.into_iter().skip(1) {
                let col = seps.iter().rposition(|&s| s <= at).unwrap_or(0);
                per_column[col.min(columns.len() - 1)].push(tok);
            }
            let cells = per_column.iter().map(|t| parse_cell(t, line)).collect();
            rows.push(Row {
                name,
                line: line.to_string(),
                cells,
            });
        }
        tables.push(Table {
            columns,
            rows,
            notes,
            full_precision: false,
        });
    }
    tables
}

/// Parses benchstat's `-format csv` output (one table; two columns).
fn parse_csv_table(stdout: &str) -> Table {
    let lines: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with(',')).collect();
    let names: Vec<&str> = lines[0].split(',').collect();
    let units: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(units[2], "CI");
    assert_eq!((units[5], units[6]), ("vs base", "P"));
    let columns = vec![
        (names[1].to_string(), units[1].to_string()),
        (names[3].to_string(), units[3].to_string()),
    ];
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let rows = lines[2..]
        .iter()
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 7, "{line:?}");
            let base = Cell {
                summary: non_empty(f[1]),
                ci: non_empty(f[2]),
                ..Cell::default()
            };
            let new = Cell {
                summary: non_empty(f[3]),
                ci: non_empty(f[4]),
                delta: non_empty(f[5]),
                test: non_empty(f[6]),
                ..Cell::default()
            };
            Row {
                name: f[0].to_string(),
                line: line.to_string(),
                cells: vec![base, new],
            }
        })
        .collect();
    Table {
        columns,
        rows,
        notes: BTreeMap::new(),
        full_precision: true,
    }
}

// ---------------------------------------------------------------------------------------------
// Checks

/// A printed number and how many digits follow its decimal point.
fn printed_number(text: &str) -> (f64, i32) {
    let value = text
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"));
    let decimals = text.split_once('.').map_or(0, |(_, f)| f.len() as i32);
    (value, decimals)
}

/// True when `value`, printed with `decimals` digits after the point, can read `printed` (with a
/// hair of slack for values that sit on a rounding boundary up to floating-point noise).
fn rounds_to(value: f64, printed: f64, decimals: i32) -> bool {
    let half = 0.5 * 10f64.powi(-decimals);
    (value - printed).abs() <= half * (1.0 + 1e-9) + printed.abs() * 1e-12
}

/// Splits `46.55n` or `307.3Mi` into the number and the factor of its prefix.
fn split_prefix(text: &str) -> (&str, f64) {
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(text.len());
    let (number, prefix) = text.split_at(at);
    let factor = match prefix {
        "" => 1.0,
        "p" => 1e-12,
        "n" => 1e-9,
        "µ" | "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => panic!("unknown prefix {other:?} in {text:?}"),
    };
    (number, factor)
}

/// Collects disagreements instead of stopping at the first.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    rows: usize,
    checks: usize,
}

impl Report {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failures.push(what());
        }
    }

    fn assert_ok(&self, case: &str, expected_rows: usize) {
        assert!(
            self.failures.is_empty(),
            "{case}: {} of {} checks disagree with benchstat:\n{}",
            self.failures.len(),
            self.checks,
            self.failures.join("\n")
        );
        assert_eq!(
            self.rows, expected_rows,
            "{case}: checked {} rows, the golden output has {expected_rows}",
            self.rows
        );
        eprintln!(
            "{case}: {} rows, {} checks agree with benchstat",
            self.rows, self.checks
        );
    }
}

/// The statistics perfgate computes for one row in one column.
struct Summary {
    values: Vec<f64>,
    center: f64,
    /// The interval behind `± x%`: the median CI, or the range for exact units.
    interval: Option<(f64, f64)>,
}

fn summarize(values: Vec<f64>, exact: bool) -> Summary {
    let center = stats::median(&values).expect("non-empty sample");
    let interval = if exact {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo, hi))
    } else {
        stats::median_ci(&values, CONFIDENCE)
    };
    Summary {
        values,
        center,
        interval,
    }
}

/// benchstat's `PctRangeString`, unrounded: `None` for `∞`, `Some(None)` for `?`.
fn range_percent(s: &Summary) -> Option<Option<f64>> {
    let (lo, hi) = s.interval?;
    let sign = |v: f64| {
        if v > 0.0 {
            1
        } else if v < 0.0 {
            -1
        } else {
            0
        }
    };
    let c = sign(s.center);
    if c != sign(lo) || c != sign(hi) {
        return Some(None);
    }
    if s.center == 0.0 {
        return Some(Some(0.0));
    }
    Some(Some(100.0 * (hi / s.center - 1.0).max(1.0 - lo / s.center)))
}

/// The p-value benchstat would report for a comparison: 0 under the exact assumption, 1 when the
/// U test fails.
fn p_value(base: &[f64], new: &[f64], exact: bool) -> f64 {
    if exact {
        return 0.0;
    }
    stats::mann_whitney_u(base, new).map_or(1.0, |t| t.p)
}

fn check_summary(
    report: &mut Report,
    table: &Table,
    where_: &str,
    cell: &Cell,
    s: &Summary,
    exact: bool,
) {
    let Some(printed) = &cell.summary else {
        return;
    };
    if table.full_precision {
        let want: f64 = printed.parse().expect("a number");
        report.check((s.center - want).abs() <= 1e-12 * want.abs(), || {
            format!("{where_}: median {} != {printed}", s.center)
        });
    } else {
        let (number, factor) = split_prefix(printed);
        let (want, decimals) = printed_number(number);
        report.check(rounds_to(s.center / factor, want, decimals), || {
            format!("{where_}: median {} does not print as {printed}", s.center)
        });
    }
    let Some(ci) = &cell.ci else {
        return;
    };
    let pct = range_percent(s);
    let ok = match (ci.as_str(), pct) {
        ("∞", None) => !exact,
        ("?", Some(None)) => true,
        (text, Some(Some(p))) => text
            .strip_suffix('%')
            .map(printed_number)
            .is_some_and(|(want, d)| rounds_to(p, want, d)),
        _ => false,
    };
    report.check(ok, || {
        format!(
            "{where_}: interval {:?} around {} gives {pct:?}, benchstat printed ± {ci}",
            s.interval, s.center
        )
    });
}

/// Checks a delta as benchstat's `FormatDelta` prints it, from unrounded `percent`.
fn check_delta(report: &mut Report, where_: &str, printed: &str, percent: f64) {
    let (want, decimals) = printed_number(printed.trim_end_matches('%'));
    let sign_ok = match printed.chars().next() {
        Some('-') => percent < 0.0,
        Some('+') => percent >= 0.0,
        _ => true,
    };
    report.check(rounds_to(percent, want, decimals) && sign_ok, || {
        format!("{where_}: delta {percent:+}% does not print as {printed}")
    });
}

fn check_comparison(
    report: &mut Report,
    where_: &str,
    cell: &Cell,
    base: &Summary,
    new: &Summary,
    exact: bool,
) -> f64 {
    let p = p_value(&base.values, &new.values, exact);
    let (n1, n2) = (base.values.len(), new.values.len());
    let Some(test) = &cell.test else {
        report.check(false, || format!("{where_}: no test result printed"));
        return p;
    };
    let mut printed_p = None;
    let mut printed_n = None;
    for part in test.split_whitespace() {
        if let Some(v) = part.strip_prefix("p=") {
            printed_p = Some(v);
        } else if let Some(v) = part.strip_prefix("n=") {
            printed_n = Some(v);
        }
    }
    let want_n = if n1 == n2 {
        n1.to_string()
    } else {
        format!("{n1}+{n2}")
    };
    report.check(printed_n == Some(want_n.as_str()), || {
        format!("{where_}: samples n={want_n}, benchstat printed ({test})")
    });
    let p_ok = match printed_p {
        None => p == 0.0,
        Some(text) => {
            let (want, d) = printed_number(text);
            p != 0.0 && rounds_to(p, want, d)
        }
    };
    report.check(p_ok, || {
        format!("{where_}: p = {p}, benchstat printed ({test})")
    });

    let delta = cell.delta.as_deref().unwrap_or_default();
    let (old, cur) = (base.center, new.center);
    if p > ALPHA {
        report.check(delta == "~", || {
            format!("{where_}: p = {p} > {ALPHA} should print ~, benchstat printed {delta}")
        });
    } else if old == cur {
        report.check(delta == "0.00%", || {
            format!("{where_}: equal medians should print 0.00%, benchstat printed {delta}")
        });
    } else if old == 0.0 {
        report.check(delta == "?", || {
            format!("{where_}: a zero baseline should print ?, benchstat printed {delta}")
        });
    } else {
        check_delta(report, where_, delta, (cur / old - 1.0) * 100.0);
    }
    p
}

/// What the footnotes of one cell refer to.
struct NoteContext<'a> {
    summary: Option<&'a Summary>,
    comparison: Option<(&'a Summary, &'a Summary, f64)>,
    exact: bool,
    /// Geomean row: whether any row median in the table is <= 0, and whether the row sets of the
    /// columns differ.
    some_non_positive: bool,
    sets_differ: bool,
}

fn check_notes(
    report: &mut Report,
    table: &Table,
    where_: &str,
    marks: &[char],
    ctx: &NoteContext,
) {
    for mark in marks {
        let Some(text) = table.notes.get(mark) else {
            report.check(false, || format!("{where_}: footnote {mark} has no text"));
            continue;
        };
        let need = |text: &str| -> usize {
            text.split_whitespace()
                .nth(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no sample count in {text:?}"))
        };
        let ok = if text.contains("samples for confidence interval") {
            let n = need(text);
            let enough: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            ctx.summary.is_some_and(|s| s.interval.is_none())
                && stats::median_ci(&enough, CONFIDENCE).is_some()
                && stats::median_ci(&enough[1..], CONFIDENCE).is_none()
        } else if text.contains("samples to detect a difference") {
            let n = need(text);
            ctx.comparison.is_some_and(|(b, c, p)| {
                p > ALPHA && stats::min_achievable_p(b.values.len(), c.values.len()) > ALPHA
            }) && stats::min_achievable_p(n, n) <= ALPHA
                && stats::min_achievable_p(n - 1, n - 1) > ALPHA
        } else if text == "all samples are equal" {
            ctx.comparison.is_some_and(|(b, c, _)| {
                stats::mann_whitney_u(&b.values, &c.values) == Err(stats::StatsError::SamplesEqual)
            })
        } else if let Some(range) =
            text.strip_prefix("exact distribution expected, but values range from ")
        {
            let (lo, hi) = range.split_once(" to ").expect("a range");
            ctx.exact
                && ctx.summary.is_some_and(|s| {
                    s.interval == Some((lo.parse().expect("lo"), hi.parse().expect("hi")))
                })
        } else if text == "summaries must be >0 to compute geomean" {
            ctx.some_non_positive
        } else if text == "benchmark set differs from baseline; geomeans may not be comparable" {
            ctx.sets_differ
        } else {
            false
        };
        report.check(ok, || {
            format!("{where_}: footnote {mark} \"{text}\" does not hold")
        });
    }
}

/// Checks every row of every table against perfgate's statistics.
fn check_tables(inputs: &Inputs, tables: &[Table]) -> Report {
    let mut report = Report::default();
    assert!(!tables.is_empty(), "no tables in the golden output");
    for table in tables {
        let unit = &table.columns[0].1;
        assert!(
            table.columns.iter().all(|(_, u)| u == unit),
            "mixed units in one table"
        );
        let exact = inputs.exact_units.contains(unit);
        let runs: Vec<&Run> = table
            .columns
            .iter()
            .map(|(l, _)| inputs.column(l))
            .collect();
        // Per column: row name -> summary, for the rows benchstat printed.
        let mut summaries: Vec<BTreeMap<String, Summary>> =
            runs.iter().map(|_| BTreeMap::new()).collect();
        for row in table.rows.iter().filter(|r| r.name != "geomean") {
            report.rows += 1;
            for (c, cell) in row.cells.iter().enumerate() {
                let (label, _) = &table.columns[c];
                let where_ = format!("{label} {unit} {}", row.name);
                let found = samples(runs[c], &row.name, unit);
                if cell.summary.is_none() {
                    report.check(cell.is_empty() && found.is_none(), || {
                        format!("{where_}: benchstat printed no summary in {:?}, perfgate has {found:?}", row.line)
                    });
                    continue;
                }
                let Some(values) = found else {
                    report.check(false, || {
                        format!("{where_}: perfgate has no such benchmark")
                    });
                    continue;
                };
                let s = summarize(values, exact);
                check_summary(&mut report, table, &where_, cell, &s, exact);
                summaries[c].insert(row.name.clone(), s);
            }
            for (c, cell) in row.cells.iter().enumerate() {
                let where_ = format!(
                    "{} vs {} {unit} {}",
                    table.columns[c].0, table.columns[0].0, row.name
                );
                let base = summaries[0].get(&row.name);
                let new = summaries[c].get(&row.name);
                let mut comparison = None;
                if c > 0 && (cell.delta.is_some() || cell.test.is_some()) {
                    match (base, new) {
                        (Some(b), Some(n)) => {
                            let p = check_comparison(&mut report, &where_, cell, b, n, exact);
                            comparison = Some((b, n, p));
                        }
                        _ => report.check(false, || {
                            format!("{where_}: a comparison without both samples")
                        }),
                    }
                }
                let ctx = NoteContext {
                    summary: new,
                    comparison,
                    exact,
                    some_non_positive: false,
                    sets_differ: false,
                };
                check_notes(&mut report, table, &where_, &cell.summary_notes, &ctx);
                check_notes(&mut report, table, &where_, &cell.compare_notes, &ctx);
            }
        }
        if let Some(row) = table.rows.iter().find(|r| r.name == "geomean") {
            report.rows += 1;
            check_geomean(&mut report, table, row, &summaries);
        }
    }
    report
}

fn geomean(values: impl Iterator<Item = f64>) -> f64 {
    let logs: Vec<f64> = values.map(f64::ln).collect();
    (logs.iter().sum::<f64>() / logs.len() as f64).exp()
}

fn check_geomean(
    report: &mut Report,
    table: &Table,
    row: &Row,
    summaries: &[BTreeMap<String, Summary>],
) {
    let unit = &table.columns[0].1;
    let some_non_positive = summaries
        .iter()
        .flat_map(|m| m.values())
        .any(|s| s.center <= 0.0);
    let names = |m: &BTreeMap<String, Summary>| m.keys().cloned().collect::<BTreeSet<_>>();
    let sets_differ = summaries.iter().any(|m| names(m) != names(&summaries[0]));
    for (c, cell) in row.cells.iter().enumerate() {
        let where_ = format!("{} {unit} geomean", table.columns[c].0);
        let centers: Vec<f64> = summaries[c].values().map(|s| s.center).collect();
        match &cell.summary {
            Some(printed) if table.full_precision => {
                let want: f64 = printed.parse().expect("a number");
                let got = geomean(centers.iter().copied());
                report.check((got - want).abs() <= 1e-12 * want.abs(), || {
                    format!("{where_}: {got} != {printed}")
                });
            }
            Some(printed) => {
                let (number, factor) = split_prefix(printed);
                let (want, d) = printed_number(number);
                let got = geomean(centers.iter().copied());
                report.check(rounds_to(got / factor, want, d), || {
                    format!("{where_}: {got} does not print as {printed}")
                });
            }
            None => report.check(centers.iter().any(|&v| v <= 0.0), || {
                format!("{where_}: benchstat printed no geomean, but all medians are positive")
            }),
        }
        if c > 0 {
            if let Some(delta) = &cell.delta {
                let mut logs = Vec::new();
                let mut undefined = false;
                for (name, b) in &summaries[0] {
                    if let Some(n) = summaries[c].get(name) {
                        if b.center == n.center {
                            logs.push(0.0);
                        } else if b.center == 0.0 {
                            undefined = true;
                        } else {
                            logs.push((n.center / b.center).ln());
                        }
                    }
                }
                if undefined {
                    report.check(delta == "?", || {
                        format!("{where_}: delta should be ?, benchstat printed {delta}")
                    });
                } else {
                    let pct = ((logs.iter().sum::<f64>() / logs.len() as f64).exp() - 1.0) * 100.0;
                    check_delta(report, &where_, delta, pct);
                }
            }
        }
        let ctx = NoteContext {
            summary: None,
            comparison: None,
            exact: false,
            some_non_positive,
            sets_differ,
        };
        check_notes(report, table, &where_, &cell.summary_notes, &ctx);
        check_notes(report, table, &where_, &cell.compare_notes, &ctx);
    }
}

// ---------------------------------------------------------------------------------------------
// Cases

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/benchstat/", $name))
    };
}

fn note_case(name: &str, input: &str, stdout: &str, expected_rows: usize) {
    let inputs = Inputs::split_by_note(name, input);
    let tables = parse_text_tables(stdout);
    check_tables(&inputs, &tables).assert_ok(name, expected_rows);
}

#[test]
fn crc_old_and_new_medians_and_intervals_match_benchstat() {
    let inputs = Inputs::files(&[
        ("crc-old.txt", fixture!("crc-old.txt")),
        ("crc-new.txt", fixture!("crc-new.txt")),
    ]);
    let tables = parse_text_tables(fixture!("crcOldNew.stdout"));
    assert_eq!(tables.len(), 4, "sec/op and B/s for each file");
    check_tables(&inputs, &tables).assert_ok("crcOldNew", 4 * 37);
}

#[test]
fn csv_old_vs_new_matches_benchstat_to_full_precision() {
    let inputs = Inputs::files(&[
        ("old.txt", fixture!("old.txt")),
        ("new.txt", fixture!("new.txt")),
    ]);
    let table = parse_csv_table(fixture!("csvOldNew.stdout"));
    check_tables(&inputs, &[table]).assert_ok("csvOldNew", 3);
}

#[test]
fn exact_units_match_benchstat() {
    note_case("units", fixture!("units.txt"), fixture!("units.stdout"), 3);
}

#[test]
fn zero_values_and_imperceptible_changes_match_benchstat() {
    note_case("zero", fixture!("zero.txt"), fixture!("zero.stdout"), 5 * 3);
}

#[test]
fn single_samples_match_benchstat() {
    note_case(
        "smallSample",
        fixture!("smallSample.txt"),
        fixture!("smallSample.stdout"),
        1,
    );
}

#[test]
fn all_equal_samples_and_differing_benchmark_sets_match_benchstat() {
    note_case(
        "issue19565",
        fixture!("issue19565.txt"),
        fixture!("issue19565.stdout"),
        4,
    );
}

#[test]
fn five_samples_with_ties_match_benchstat() {
    note_case(
        "issue19634",
        fixture!("issue19634.txt"),
        fixture!("issue19634.stdout"),
        1,
    );
}

#[test]
fn the_golden_parser_reads_every_cell() {
    // Guards the test itself: a row with a summary, CI, delta, test and footnotes.
    let tables = parse_text_tables(fixture!("issue19565.stdout"));
    let a = &tables[0].rows[0];
    assert_eq!(a.name, "A");
    assert_eq!(a.cells[0].summary.as_deref(), Some("100.0n"));
    assert_eq!(a.cells[0].ci.as_deref(), Some("0%"));
    assert_eq!(a.cells[1].delta.as_deref(), Some("~"));
    assert_eq!(a.cells[1].test.as_deref(), Some("p=1.000 n=6"));
    assert_eq!(a.cells[1].compare_notes, vec!['¹']);
    let c = &tables[0].rows[2];
    assert!(c.cells[0].is_empty());
    assert_eq!(c.cells[1].summary.as_deref(), Some("10.00µ"));
    assert_eq!(
        tables[0].notes.get(&'¹').map(String::as_str),
        Some("all samples are equal")
    );
}

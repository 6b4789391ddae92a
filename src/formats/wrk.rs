//! wrk (wg/wrk, `--latency`) and wrk2 (giltene/wrk2, `-R <rate> --latency` / `-L`, optionally
//! `-U`) end-of-run text, as printed on stdout and pasted into CI logs.
//!
//! Each `Running <duration> test @ <url>` banner starts a run, and a run becomes one benchmark
//! named by its URL (several runs of the same URL in one log pool into samples, and their
//! histograms add up). A run must reach
//! its closing `Requests/sec:` line; anything a log adds around it (the command line, `^C`, Lua
//! `done()` output) is skipped.
//!
//! Metrics: `rate` (`Requests/sec`, higher is better), `throughput` (`Transfer/sec`, bytes per
//! second with K/M/G = 1024), `requests` (the `N requests in ...` count, higher is better),
//! `errors` (`Socket errors` connect + read + write + timeout, plus `Non-2xx or 3xx responses`) and
//! `error_rate` (errors / requests, at most 1). Latency:
//! - wrk: `avg` and `max` from the `Thread Stats` `Latency` row, and with `--latency` the
//!   `Latency Distribution` percentiles `p(50)`, `p(75)`, `p(90)`, `p(99)`.
//! - wrk2 with `--latency`: the `Detailed Percentile spectrum` of the *Recorded* (coordinated-omission
//!   corrected) distribution becomes a `latency` histogram (values printed in milliseconds, stored in
//!   nanoseconds; see [`super::hgrm`]), and then no separate avg/max/percentile values are emitted:
//!   the comparison derives them from the histogram. The `-U` *Uncorrected* block is ignored. Without a
//!   spectrum, wrk2's summary percentiles `p(50)` ... `p(99.999)` are used (`100.000%` is `max`).
//!
//! `Req/Sec` rows are per-thread and not kept. `-nan` values mean "no value". The variant
//! (`wrk`/`wrk2`), threads, connections and requested duration go into the environment's extras.
//!
//! A run must also print `Transfer/sec:` after `Requests/sec:`, as wrk always does: a log that
//! ends before it was cut, and its rate may be the start of a longer number (`3` of `30161.22`).
//! An error on a last line without its line break says the output looks cut.
//!
//! Detection: a line `Running <duration> test @ <url>` and a line starting with `Requests/sec:`.

use super::common::text::{clean_lines, contains, raw_lines, refuse_cut};
use super::common::MS_TO_NS;
use super::load::percentile_table;
use super::load::{
    error_rate_metric, errors_metric, is_nan, ns_metric, percentile_name, rate_metric,
    requests_metric,
};
use super::spec::{Detect, ParseError, Spec};
use crate::model::{
    Benchmark, Benchmarks, Data, Environment, Histogram, Metric, Run, RunMeta, Unit,
};

/// How `wrk` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "wrk",
    aliases: &["wrk2"],
    reads: "wrk --latency and wrk2 -L text",
    detected_by: "a `Running ... test @ <url>` line and a `Requests/sec:` line",
    detect: &[Detect::Lines(looks_like)],
    parse,
};

/// True for the banner `Running 10s test @ http://...` (possibly after a glued `^C`).
pub(crate) fn is_banner(line: &str) -> bool {
    banner(line).is_some()
}

/// The requested duration and the URL of a `Running <dur> test @ <url>` banner.
fn banner(line: &str) -> Option<(&str, &str)> {
    let rest = line
        .trim_start_matches("^C")
        .trim()
        .strip_prefix("Running ")?;
    let (duration, url) = rest.split_once(" test @ ")?;
    let url = url.trim();
    if url.is_empty() || duration.trim().is_empty() || duration.contains(' ') {
        return None;
    }
    Some((duration.trim(), url))
}

/// True when the text has a `Running ... test @ <url>` banner and a `Requests/sec:` line.
pub fn looks_like(text: &str) -> bool {
    if !contains(text, "Requests/sec:") {
        return false;
    }
    let mut banner = false;
    let mut rate = false;
    for line in raw_lines(text) {
        banner = banner || is_banner(line);
        rate = rate || line.trim_start_matches("^C").starts_with("Requests/sec:");
        if banner && rate {
            return true;
        }
    }
    false
}

/// Which latency block the lines being read belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    /// wrk's `Latency Distribution` or wrk2's `(HdrHistogram - Recorded Latency)`.
    Recorded,
    /// wrk2 `-U`: `(HdrHistogram - Uncorrected Latency ...)`, ignored.
    Uncorrected,
}

/// One `Running ...` block being read.
struct RunBlock {
    line: usize,
    url: String,
    section: Section,
    avg: Option<f64>,
    max: Option<f64>,
    /// Thread Stats third column when its header reads `99%` (some wrk2 builds).
    thread_p99: Option<f64>,
    percentiles: Vec<(f64, f64)>,
    histogram: Option<Histogram>,
    requests: Option<f64>,
    errors: f64,
    rate: Option<f64>,
    /// The line of `Requests/sec:`.
    rate_line: usize,
    throughput: Option<f64>,
    stats_third_is_max: bool,
}

impl RunBlock {
    fn new(line: usize, url: &str) -> RunBlock {
        RunBlock {
            line,
            url: url.to_string(),
            section: Section::Other,
            avg: None,
            max: None,
            thread_p99: None,
            percentiles: Vec::new(),
            histogram: None,
            requests: None,
            errors: 0.0,
            rate: None,
            rate_line: line,
            throughput: None,
            stats_third_is_max: true,
        }
    }

    fn into_benchmark(self) -> Result<Benchmark, ParseError> {
        let Some(rate) = self.rate else {
            return Err(ParseError::at(
                self.line,
                format!(
                    "the wrk run on {} has no `Requests/sec:` line: the output looks truncated",
                    self.url
                ),
            ));
        };
        // wrk prints `Transfer/sec:` right after `Requests/sec:`: without it the rate may be the
        // start of a longer number (`3` of `30161.22`).
        if self.throughput.is_none() {
            return Err(ParseError::at(
                self.rate_line,
                format!(
                    "the wrk run on {} has no `Transfer/sec:` line, which wrk prints after `Requests/sec:`: the run was cut short",
                    self.url
                ),
            ));
        }
        let mut b = Benchmark::new(self.url);
        if let Some(h) = self.histogram {
            // The comparison expands the histogram into avg, percentiles and max itself.
            b.push(Metric::new(
                "latency",
                Unit::Nanoseconds,
                Data::Histogram(h),
            ));
        } else {
            if let Some(v) = self.avg {
                b.push(ns_metric("avg", v));
            }
            let p100 = self.percentiles.iter().find(|(p, _)| *p >= 100.0);
            if let Some(v) = self.max.or(p100.map(|(_, v)| *v)) {
                b.push(ns_metric("max", v));
            }
            for (p, v) in &self.percentiles {
                if *p < 100.0 {
                    b.push(ns_metric(&percentile_name(*p), *v));
                }
            }
            let has_p99 = self.percentiles.iter().any(|(p, _)| *p >= 99.0);
            if let (Some(v), false) = (self.thread_p99, has_p99) {
                b.push(ns_metric("p(99)", v));
            }
        }
        if let Some(requests) = self.requests {
            b.push(requests_metric(requests));
            b.push(errors_metric(self.errors));
            let ratio = if requests > 0.0 {
                Some((self.errors / requests).min(1.0))
            } else if self.errors > 0.0 {
                Some(1.0)
            } else {
                None
            };
            if let Some(r) = ratio {
                b.push(error_rate_metric(r));
            }
        }
        b.push(rate_metric(rate));
        if let Some(t) = self.throughput {
            b.push(Metric::new(
                "throughput",
                Unit::BytesPerSecond,
                Data::Value(t),
            ));
        }
        Ok(b)
    }
}

/// Parses wrk or wrk2 text; see the module documentation.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    // A run's lines are complete once it reads (`Transfer/sec:` ends with its `B`), and what a log
    // adds after them is not wrk's: only an error on a last line without its line break is a cut.
    refuse_cut(text, "wrk", read(text), |_| false)
}

fn read(text: &str) -> Result<Run, ParseError> {
    let lines: Vec<(usize, String)> = clean_lines(text)
        .map(|(no, l)| (no, l.trim_start_matches("^C").to_string()))
        .collect();
    let mut env = Environment::default();
    let mut wrk2 = false;
    let mut blocks: Vec<RunBlock> = Vec::new();
    let mut i = 0;
    while let Some((no, line)) = lines.get(i) {
        let no = *no;
        i += 1;
        let t = line.trim();
        if let Some((duration, url)) = banner(line) {
            env.extra
                .entry("duration".to_string())
                .or_insert_with(|| duration.to_string());
            blocks.push(RunBlock::new(no, url));
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if t.starts_with("Thread calibration:") {
            wrk2 = true;
            continue;
        }
        if let Some((threads, connections)) = threads_line(t) {
            env.extra
                .entry("threads".to_string())
                .or_insert_with(|| threads.to_string());
            env.extra
                .entry("connections".to_string())
                .or_insert_with(|| connections.to_string());
            continue;
        }
        if t.starts_with("Thread Stats") {
            let words: Vec<&str> = t.split_whitespace().collect();
            block.stats_third_is_max = words.get(4) != Some(&"99%");
            block.section = Section::Other;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Latency Distribution") {
            block.section = if rest.contains("Uncorrected") {
                wrk2 = true;
                Section::Uncorrected
            } else {
                wrk2 = wrk2 || rest.contains("HdrHistogram");
                Section::Recorded
            };
            continue;
        }
        if t.starts_with("Detailed Percentile spectrum") {
            wrk2 = true;
            // The table header follows, possibly after blank lines.
            let mut h = i;
            while lines.get(h).is_some_and(|(_, l)| l.trim().is_empty()) {
                h += 1;
            }
            match lines.get(h) {
                Some((_, l)) if percentile_table::is_header(l) => {
                    let table = percentile_table::read_table(&lines, h)?;
                    if block.section == Section::Recorded && block.histogram.is_none() {
                        block.histogram =
                            Some(percentile_table::histogram_from_rows(&table.rows, MS_TO_NS)?);
                    }
                    i = table.end.max(h + 1);
                }
                _ => {
                    return Err(ParseError::at(
                        no,
                        "expected the table header `Value   Percentile   TotalCount 1/(1-Percentile)` after `Detailed Percentile spectrum:`",
                    ))
                }
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("Latency ") {
            if block.section == Section::Other {
                thread_stats(no, rest, block)?;
                continue;
            }
        }
        if let Some(p) = percent_row(t) {
            let (p, value) = p.map_err(|m| ParseError::at(no, m))?;
            if block.section == Section::Recorded {
                if let Some(v) = value {
                    block.percentiles.push((p, v));
                }
            }
            continue;
        }
        if let Some((requests, _)) = t.split_once(" requests in ") {
            let v = field(no, requests, count, "a request count before `requests in`")?;
            block.requests = Some(v);
            block.section = Section::Other;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Socket errors:") {
            block.errors += socket_errors(no, rest)?;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Non-2xx or 3xx responses:") {
            block.errors += field(no, rest, count, "a count of non-2xx responses")?;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Requests/sec:") {
            block.rate = Some(field(no, rest, finite, "a number after `Requests/sec:`")?);
            block.rate_line = no;
            continue;
        }
        if let Some(rest) = t.strip_prefix("Transfer/sec:") {
            block.throughput = Some(field(
                no,
                rest,
                bytes,
                "a size such as `1.41MB` after `Transfer/sec:`",
            )?);
            continue;
        }
    }
    if blocks.is_empty() {
        return Err(ParseError::whole(
            "no wrk results found: expected a `Running 10s test @ <url>` banner followed by \
             the run's statistics and a `Requests/sec:` line",
        ));
    }
    let mut benchmarks = Benchmarks::default();
    for block in blocks {
        let b = block.into_benchmark()?;
        benchmarks.add(b.name, b.metrics);
    }
    env.extra.insert(
        "wrk_variant".to_string(),
        if wrk2 { "wrk2" } else { "wrk" }.to_string(),
    );
    let meta = RunMeta {
        tool: Some("wrk".to_string()),
        environment: env,
        ..RunMeta::default()
    };
    Ok(Run::new(meta, benchmarks.into_vec()))
}

/// `1 threads and 1 connections` -> ("1", "1").
fn threads_line(t: &str) -> Option<(&str, &str)> {
    let (threads, rest) = t.split_once(" threads and ")?;
    let connections = rest.strip_suffix(" connections")?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (ok(threads) && ok(connections)).then_some((threads, connections))
}

/// The Thread Stats `Latency <avg> <stdev> <max|99%> <+/- stdev>` row.
fn thread_stats(no: usize, rest: &str, block: &mut RunBlock) -> Result<(), ParseError> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (Some(avg), Some(third)) = (words.first(), words.get(2)) else {
        return Err(ParseError::at(
            no,
            "expected the Thread Stats row `Latency <avg> <stdev> <max> <+/- stdev>`",
        ));
    };
    block.avg = duration(no, avg)?;
    let third = duration(no, third)?;
    if block.stats_third_is_max {
        block.max = third;
    } else {
        block.thread_p99 = third;
    }
    Ok(())
}

/// A percentile row `50%  39.00us` or ` 99.900%   13.17ms`: `None` when the line is not one.
fn percent_row(t: &str) -> Option<Result<(f64, Option<f64>), String>> {
    let mut words = t.split_whitespace();
    let (Some(first), Some(second), None) = (words.next(), words.next(), words.next()) else {
        return None;
    };
    let p: f64 = first.strip_suffix('%')?.parse().ok()?;
    if !(0.0..=100.0).contains(&p) {
        return Some(Err(format!(
            "the percentile {first} is not between 0% and 100%"
        )));
    }
    Some(match time_ns(second) {
        Some(v) => Ok((p, v)),
        None => Err(format!(
            "expected a time such as `1.08ms` after `{first}`, found `{second}`"
        )),
    })
}

fn duration(no: usize, token: &str) -> Result<Option<f64>, ParseError> {
    time_ns(token).ok_or_else(|| {
        ParseError::at(
            no,
            format!("expected a time such as `76.50us`, `1.98s` or `3.37m`, found `{token}`"),
        )
    })
}

/// wrk's time tokens: `<num>us|ms|s|m|h`, in nanoseconds. `Some(None)` for `nan`/`-nan`.
fn time_ns(token: &str) -> Option<Option<f64>> {
    if is_nan(token) {
        return Some(None);
    }
    let (num, factor) = [
        ("us", 1e3),
        ("ms", 1e6),
        ("s", 1e9),
        ("m", 60e9),
        ("h", 3600e9),
    ]
    .iter()
    .find_map(|(suffix, f)| token.strip_suffix(suffix).map(|n| (n, *f)))?;
    let v = finite(num)?;
    if v < 0.0 {
        return None;
    }
    Some(Some(v * factor))
}

/// `token` read by `read`, or an error at line `no` saying it should have been `expected`.
fn field(
    no: usize,
    token: &str,
    read: fn(&str) -> Option<f64>,
    expected: &str,
) -> Result<f64, ParseError> {
    let n = token.trim();
    read(n).ok_or_else(|| ParseError::at(no, format!("expected {expected}, found `{n}`")))
}

/// A plain finite number (no `inf`/`nan` spellings).
fn finite(s: &str) -> Option<f64> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A count, possibly with wrk's metric suffix (`k`, `M`, `G`: x1000).
fn count(s: &str) -> Option<f64> {
    let (num, factor) = match s.char_indices().last() {
        Some((i, 'k')) => (s.get(..i)?, 1e3),
        Some((i, 'M')) => (s.get(..i)?, 1e6),
        Some((i, 'G')) => (s.get(..i)?, 1e9),
        _ => (s, 1.0),
    };
    finite(num).filter(|v| *v >= 0.0).map(|v| v * factor)
}

/// A size `259.73MB`, `126.95KB`, `512.00B`: binary multiples (wrk's `format_binary`).
fn bytes(s: &str) -> Option<f64> {
    let s = s.strip_suffix('B')?;
    let (num, factor) = match s.char_indices().last() {
        Some((i, 'K')) => (s.get(..i)?, 1024.0),
        Some((i, 'M')) => (s.get(..i)?, 1024.0 * 1024.0),
        Some((i, 'G')) => (s.get(..i)?, 1024.0 * 1024.0 * 1024.0),
        Some((i, 'T')) => (s.get(..i)?, 1024.0 * 1024.0 * 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    finite(num).filter(|v| *v >= 0.0).map(|v| v * factor)
}

/// `connect 0, read 0, write 0, timeout 7` -> 7.
fn socket_errors(no: usize, rest: &str) -> Result<f64, ParseError> {
    let mut total = 0.0;
    for part in rest.split(',') {
        let mut words = part.split_whitespace();
        let (Some(kind), Some(n), None) = (words.next(), words.next(), words.next()) else {
            return Err(ParseError::at(
                no,
                format!("expected `Socket errors: connect <n>, read <n>, write <n>, timeout <n>`, found `{}`", rest.trim()),
            ));
        };
        total += count(n).ok_or_else(|| {
            ParseError::at(
                no,
                format!("expected a count after `{kind}` in `Socket errors`, found `{n}`"),
            )
        })?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::common::text::CUT;
    use crate::formats::test_support::{metric, value};
    use crate::model::Direction;

    const GET: &str = include_str!("../../tests/fixtures/wrk/wrk-get-latency.txt");
    const PUT: &str = include_str!("../../tests/fixtures/wrk/wrk-put-latency.txt");
    const RECORDED: &str =
        include_str!("../../tests/fixtures/wrk/wrk2-recorded-and-uncorrected.txt");
    const NAN: &str = include_str!("../../tests/fixtures/wrk/wrk2-nan-non2xx.txt");
    const MINUTES: &str = include_str!("../../tests/fixtures/wrk/wrk2-overload-minutes.txt");

    fn histogram(run: &Run, bench: &str) -> Histogram {
        match &metric(run, bench, "latency").data {
            Data::Histogram(h) => h.clone(),
            other => panic!("not a histogram: {other:?}"),
        }
    }

    fn names(run: &Run, bench: &str) -> Vec<String> {
        run.benchmark(bench)
            .map(|b| b.metrics.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= b.abs() * 1e-9
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    const URL: &str = "http://127.0.0.1:8080";

    #[test]
    fn reads_wrk_latency_distribution_and_totals() {
        let run = parse(GET).unwrap();
        assert_eq!(run.meta.tool.as_deref(), Some("wrk"));
        let extra = &run.meta.environment.extra;
        assert_eq!(extra.get("wrk_variant").map(String::as_str), Some("wrk"));
        assert_eq!(extra.get("threads").map(String::as_str), Some("1"));
        assert_eq!(extra.get("connections").map(String::as_str), Some("1"));
        assert_eq!(extra.get("duration").map(String::as_str), Some("10m"));
        assert_eq!(run.benchmarks.len(), 1);
        assert_eq!(
            names(&run, URL),
            [
                "avg",
                "max",
                "p(50)",
                "p(75)",
                "p(90)",
                "p(99)",
                "requests",
                "errors",
                "error_rate",
                "rate",
                "throughput"
            ]
        );
        assert!(close(value(&run, URL, "avg"), 76_500.0));
        assert!(close(value(&run, URL, "max"), 70.42e6));
        assert!(close(value(&run, URL, "p(50)"), 39_000.0));
        assert!(close(value(&run, URL, "p(99)"), 538_000.0));
        assert_eq!(value(&run, URL, "requests"), 3_646_167.0);
        assert_eq!(value(&run, URL, "errors"), 0.0);
        assert_eq!(value(&run, URL, "error_rate"), 0.0);
        assert_eq!(value(&run, URL, "rate"), 19825.98);
        assert!(close(
            value(&run, URL, "throughput"),
            1.41 * 1024.0 * 1024.0
        ));
        let requests = metric(&run, URL, "requests");
        assert_eq!(requests.unit, Unit::Count);
        assert_eq!(requests.direction, Direction::HigherIsBetter);
        let rate = metric(&run, URL, "rate");
        assert_eq!(rate.unit, Unit::PerSecond);
        assert_eq!(rate.direction, Direction::HigherIsBetter);
        let tp = metric(&run, URL, "throughput");
        assert_eq!(tp.unit, Unit::BytesPerSecond);
        assert_eq!(tp.direction, Direction::HigherIsBetter);
        let er = metric(&run, URL, "error_rate");
        assert_eq!(er.unit, Unit::Ratio);
        assert_eq!(er.direction, Direction::LowerIsBetter);
        assert_eq!(
            metric(&run, URL, "errors").direction,
            Direction::LowerIsBetter
        );
        assert_eq!(metric(&run, URL, "p(90)").unit, Unit::Nanoseconds);
        insta::assert_json_snapshot!("wrk_get_latency", run);
    }

    #[test]
    fn reads_seconds_with_padding_and_socket_errors() {
        let run = parse(PUT).unwrap();
        assert!(close(value(&run, URL, "avg"), 134.88e6));
        assert!(close(value(&run, URL, "max"), 1.98e9));
        assert!(close(value(&run, URL, "p(50)"), 17_000.0));
        assert!(close(value(&run, URL, "p(90)"), 577.81e6));
        assert!(close(value(&run, URL, "p(99)"), 1.73e9));
        assert_eq!(value(&run, URL, "requests"), 4_574_949.0);
        assert_eq!(value(&run, URL, "errors"), 7.0);
        assert!(close(value(&run, URL, "error_rate"), 7.0 / 4_574_949.0));
        assert_eq!(value(&run, URL, "rate"), 30161.22);
        assert!(close(value(&run, URL, "throughput"), 1.93 * 1048576.0));
    }

    #[test]
    fn builds_a_histogram_from_the_recorded_spectrum_and_ignores_uncorrected() {
        let run = parse(RECORDED).unwrap();
        let url = "http://localhost:8080";
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("wrk_variant")
                .map(String::as_str),
            Some("wrk2")
        );
        assert_eq!(
            names(&run, url),
            [
                "latency",
                "requests",
                "errors",
                "error_rate",
                "rate",
                "throughput"
            ]
        );
        let latency = metric(&run, url, "latency");
        assert_eq!(latency.unit, Unit::Nanoseconds);
        assert_eq!(latency.direction, Direction::LowerIsBetter);
        let h = histogram(&run, url);
        // The Recorded table counts 9991 values from 0.061 ms to 16.543 ms; the Uncorrected one
        // (also 9991, but from 0.042 ms) must not be added.
        assert_eq!(h.len(), 9991);
        assert!((h.min() - 0.061e6).abs() < 0.001e6, "{}", h.min());
        assert!((h.max() - 16.543e6).abs() < 0.02e6, "{}", h.max());
        assert!((h.quantile(0.5) - 1.080e6).abs() < 0.002e6);
        assert!((h.quantile(0.99) - 2.145e6).abs() < 0.003e6);
        // The footer's mean is 1.119 ms.
        assert!((h.mean() - 1.119e6).abs() < 0.01 * 1.119e6, "{}", h.mean());
        assert_eq!(value(&run, url, "requests"), 29999.0);
        assert_eq!(value(&run, url, "errors"), 0.0);
        assert_eq!(value(&run, url, "rate"), 1999.96);
        assert!(close(value(&run, url, "throughput"), 126.95 * 1024.0));
        insta::assert_json_snapshot!("wrk2_recorded_and_uncorrected", run);
    }

    #[test]
    fn tolerates_nan_thread_stats_and_counts_non_2xx_responses() {
        let run = parse(NAN).unwrap();
        assert_eq!(histogram(&run, URL).len(), 19997);
        assert_eq!(value(&run, URL, "requests"), 19998.0);
        assert_eq!(value(&run, URL, "errors"), 2.0);
        assert!(close(value(&run, URL, "error_rate"), 2.0 / 19998.0));
        assert_eq!(value(&run, URL, "rate"), 1999.82);
        assert!(close(value(&run, URL, "throughput"), 140.50 * 1024.0));
    }

    #[test]
    fn reads_an_overloaded_run_in_minutes() {
        let run = parse(MINUTES).unwrap();
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("threads")
                .map(String::as_str),
            Some("4")
        );
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("connections")
                .map(String::as_str),
            Some("100")
        );
        let h = histogram(&run, URL);
        assert_eq!(h.len(), 1_179_620);
        // 200802.303 ms is the median; the histogram keeps 3 significant digits.
        assert!((h.quantile(0.5) - 200_802.303e6).abs() < 200_802.303e6 * 1e-3);
        assert!((h.max() - 458_751.999e6).abs() < 458_751.999e6 * 1e-3);
        assert_eq!(value(&run, URL, "requests"), 1_197_590.0);
        assert_eq!(value(&run, URL, "rate"), 1995.98);
    }

    #[test]
    fn uses_wrk2_summary_percentiles_when_there_is_no_spectrum() {
        let text = "Running 30s test @ http://x/\n  2 threads and 10 connections\n\
  Thread Stats   Avg      Stdev     99%   +/- Stdev\n\
    Latency     1.50ms  0.50ms   7.00ms   90.00%\n\
    Req/Sec     1.00k   10.00    1.10k    70.00%\n\
  Latency Distribution (HdrHistogram - Recorded Latency)\n\
 50.000%    1.08ms\n 99.000%    3.37m \n 99.900%    1.00h\n100.000%   -nan\n\
  600 requests in 30.00s, 1.00KB read\n\
Requests/sec:     20.00\nTransfer/sec:    512.00B\n";
        let run = parse(text).unwrap();
        let b = "http://x/";
        assert_eq!(
            names(&run, b),
            [
                "avg",
                "p(50)",
                "p(99)",
                "p(99.9)",
                "requests",
                "errors",
                "error_rate",
                "rate",
                "throughput"
            ]
        );
        assert!(close(value(&run, b, "avg"), 1.5e6));
        assert!(close(value(&run, b, "p(50)"), 1.08e6));
        // The distribution's p(99) wins over the Thread Stats `99%` column.
        assert!(close(value(&run, b, "p(99)"), 3.37 * 60e9));
        assert!(close(value(&run, b, "p(99.9)"), 3600e9));
        assert_eq!(value(&run, b, "throughput"), 512.0);
        assert_eq!(
            run.meta
                .environment
                .extra
                .get("wrk_variant")
                .map(String::as_str),
            Some("wrk2")
        );
    }

    #[test]
    fn pools_repeated_runs_of_one_url_and_keeps_other_urls_apart() {
        let one = "Running 1s test @ http://a/\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   1.00ms  0.10ms  2.00ms  90.00%\n  10 requests in 1.00s, 1.00KB read\nRequests/sec:  10.00\nTransfer/sec:  1.00KB\n";
        let two = one.replace("1.00ms", "3.00ms").replace("10.00", "12.00");
        let other = one.replace("http://a/", "http://b/");
        let run = parse(&format!("{one}{two}{other}")).unwrap();
        let names: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["http://a/", "http://b/"]);
        assert_eq!(
            metric(&run, "http://a/", "avg").data,
            Data::Samples(vec![1e6, 3e6])
        );
        assert_eq!(
            metric(&run, "http://a/", "rate").data,
            Data::Samples(vec![10.0, 12.0])
        );
        assert_eq!(value(&run, "http://b/", "rate"), 10.0);
    }

    #[test]
    fn gives_error_rate_one_when_nothing_completed() {
        let text = "Running 1s test @ http://a/\n  0 requests in 1.00s, 0.00B read\n  Socket errors: connect 5, read 0, write 0, timeout 0\nRequests/sec:      0.00\nTransfer/sec:       0.00B\n";
        let run = parse(text).unwrap();
        assert_eq!(value(&run, "http://a/", "errors"), 5.0);
        assert_eq!(value(&run, "http://a/", "error_rate"), 1.0);
        assert_eq!(value(&run, "http://a/", "requests"), 0.0);
    }

    #[test]
    fn fails_when_there_is_no_run() {
        for text in ["", "\n", "Requests/sec: 5\n", "wrk -t1 http://x\n"] {
            let e = err(text);
            assert_eq!(e.line, None);
            assert!(e.message.contains("no wrk results found"), "{e}");
        }
    }

    #[test]
    fn fails_on_truncated_output_naming_the_run() {
        let cut: String = GET.lines().take(10).collect::<Vec<_>>().join("\n");
        let e = err(&cut);
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("no `Requests/sec:` line"), "{e}");
        let cut: String = RECORDED.lines().take(30).collect::<Vec<_>>().join("\n");
        let e = err(&cut);
        assert_eq!(e.line, Some(30));
        assert!(e.message.contains("looks truncated"), "{e}");
    }

    /// `Requests/sec:  3` (a file cut inside `30161.22`) was read as a rate of 3.
    #[test]
    fn refuses_a_run_cut_before_its_transfer_line() {
        let at = PUT.find("30161.22").unwrap();
        let e = err(PUT.get(..at + 1).unwrap());
        assert_eq!(e.line, Some(15));
        assert_eq!(
            e.message,
            format!(
                "{CUT} (the wrk run on {URL} has no `Transfer/sec:` line, which wrk prints after `Requests/sec:`: the run was cut short)"
            )
        );
        // Cut after the rate's line break: the rate is whole, but the run has no transfer rate.
        let at = PUT.find("Transfer/sec:").unwrap();
        let e = err(PUT.get(..at).unwrap());
        assert_eq!(e.line, Some(15));
        assert!(e.message.starts_with("the wrk run on"), "{e}");
        assert!(e.message.ends_with("the run was cut short"), "{e}");
        // Cut inside the transfer rate: `1.9` has no `B`.
        let e = err(PUT.get(..PUT.len() - 4).unwrap());
        assert_eq!(e.line, Some(16));
        assert!(
            e.message.starts_with(&format!(
                "{CUT} (expected a size such as `1.41MB` after `Transfer/sec:`, found `1.9`)"
            )),
            "{e}"
        );
    }

    /// A run that reaches `Transfer/sec: <size>B` is whole, line break or not.
    #[test]
    fn reads_a_whole_last_line_without_a_line_break() {
        for text in [GET, PUT, RECORDED, NAN, MINUTES] {
            assert_eq!(parse(text.trim_end()).unwrap(), parse(text).unwrap());
        }
    }

    /// Each run's URL was looked up in the benchmarks so far: 50,000 URLs took minutes, a moment
    /// by a map (no timing is asserted).
    #[test]
    fn reads_fifty_thousand_urls_in_one_pass() {
        let text: String = (0..50_000)
            .map(|i| {
                format!("Running 1s test @ http://a/{i}\nRequests/sec: {i}\nTransfer/sec: 1.00KB\n")
            })
            .collect();
        let run = parse(&text).unwrap();
        assert_eq!(run.benchmarks.len(), 50_000);
        assert_eq!(value(&run, "http://a/49999", "rate"), 49_999.0);
    }

    #[test]
    fn fails_on_bad_numbers_naming_the_line() {
        let head = "Running 1s test @ http://a/\n";
        let e = err(&format!("{head}Requests/sec: fast\n"));
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("found `fast`"), "{e}");
        let e = err(&format!("{head}Transfer/sec: 1.41XB\n"));
        assert!(e.message.contains("`Transfer/sec:`"), "{e}");
        let e = err(&format!(
            "{head}  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   12parsecs 1ms 2ms 50%\n"
        ));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("found `12parsecs`"), "{e}");
        let e = err(&format!("{head}  Latency Distribution\n     50%   soon\n"));
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("found `soon`"), "{e}");
        let e = err(&format!("{head}  many requests in 1.00s, 1KB read\n"));
        assert!(e.message.contains("request count"), "{e}");
        let e = err(&format!("{head}  Socket errors: connect x, read 0\n"));
        assert!(e.message.contains("after `connect`"), "{e}");
        let e = err(&format!(
            "{head}  Detailed Percentile spectrum:\n  nothing\n"
        ));
        assert!(e.message.contains("expected the table header"), "{e}");
    }

    #[test]
    fn detects_wrk_and_wrk2_but_not_other_formats() {
        for text in [GET, PUT, RECORDED, NAN, MINUTES] {
            assert!(looks_like(text));
        }
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/hgrm/12Krps.hgrm"
        )));
        assert!(!looks_like(include_str!(
            "../../tests/fixtures/hlog/tagged-Log.logV2.hlog"
        )));
        assert!(!looks_like("BenchmarkX-8 100 5 ns/op\n"));
        assert!(!looks_like("Running 10s test @ http://x\n"));
        assert!(!looks_like(""));
    }
}

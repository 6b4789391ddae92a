//! The history file of github-action-benchmark: the `data.js` it commits to the `gh-pages` branch
//! (`window.BENCHMARK_DATA = {...}`, by default under `dev/bench/`), or the same object as plain
//! JSON when the action runs with `external-data-json-path`. This is how projects moving from the
//! action bring their past results into perfgate (`perfgate import`).
//!
//! Shape: `{"lastUpdate": <ms>, "repoUrl": "...", "entries": {"<suite name>": [{"commit": {"id",
//! "message", "timestamp", "url", ...}, "date": <ms>, "tool": "go", "benches": [{"name", "value",
//! "unit", "range"?, "extra"?}]}]}}`; a suite is one `name:` of the action, its entries are in the
//! order they were added.
//!
//! Detection: [`looks_like`] for text starting with `window.BENCHMARK_DATA =`, [`looks_like_json`]
//! for an object with an `entries` object and a numeric `lastUpdate`.
//!
//! [`parse_history`] makes one run per commit, oldest first: the entries of every suite that carry
//! the same `commit.id` are that commit's run (a commit measured twice in one suite pools both
//! measurements as samples). A run's `timestamp` is the latest `date` of its entries (when the
//! action ran), its `tool` the entries' `tool` (joined with `+` when suites used several), its
//! `commit` the commit id; the branch is not recorded in the file and stays unknown. [`parse`]
//! returns the newest of these runs.
//!
//! Benchmarks are named by the bench `name`, prefixed with `<suite>/` when the file has more than
//! one suite. Metrics are named and converted as github-action-benchmark's custom JSON is (see
//! [`super::custom`]): `time`, `size`, `throughput`, `ratio`, or `value` from the unit's dimension.
//! Only the first word of `unit` is read, because the action stored whole `go test -benchmem`
//! columns there (`ns/op\t 5177151 B/op\t 63863 allocs/op`). The direction is the tool's
//! (`customBiggerIsBetter`, `customSmallerIsBetter`) for the custom tools; for the others it
//! follows the unit when the unit has a dimension (a time is better lower, a rate higher, even for
//! `jmh`, which the action treats as smaller-is-better whatever its mode), and the action's
//! per-tool rule otherwise (`benchmarkjs` and `pytest` bigger is better, every other tool smaller).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::common::json::lenient_json;
use super::common::json::{kind_of, object_or};
use super::common::time::rfc3339;
use super::spec::{Detect, ParseError, Spec};
use crate::model::{Benchmarks, Data, Direction, Metric, Run, RunMeta, Unit};

/// How `gab-history` is named, detected and read.
pub const SPEC: Spec = Spec {
    name: "gab-history",
    aliases: &[],
    reads: "github-action-benchmark history (data.js or its JSON); latest entry",
    detected_by: "text starting `window.BENCHMARK_DATA =`, or JSON with `entries` and `lastUpdate`",
    detect: &[Detect::Head(looks_like), Detect::Json(looks_like_json)],
    parse,
};

/// The assignment github-action-benchmark writes before the JSON object.
const SCRIPT_PREFIX: &str = "window.BENCHMARK_DATA";

/// True for a `data.js` file: text starting with `window.BENCHMARK_DATA =`.
pub fn looks_like(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .strip_prefix(SCRIPT_PREFIX)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// True for the history as JSON: an object with an `entries` object and a numeric `lastUpdate`.
pub fn looks_like_json(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    o.get("entries").is_some_and(Value::is_object)
        && o.get("lastUpdate").is_some_and(Value::is_number)
}

/// The newest run of the history: the commit whose entries were added last.
pub fn parse(text: &str) -> Result<Run, ParseError> {
    parse_history(text)?
        .pop()
        .ok_or_else(|| ParseError::whole("the github-action-benchmark history has no entries"))
}

/// One run per commit, oldest first; see the module documentation.
pub fn parse_history(text: &str) -> Result<Vec<Run>, ParseError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ParseError::whole(
            "the github-action-benchmark history is empty: expected `data.js` (`window.BENCHMARK_DATA = {...}`) or its JSON",
        ));
    }
    let root = lenient_json(&without_script_prefix(text)).map_err(|mut e| {
        e.message = format!(
            "{}: expected github-action-benchmark's `data.js` (`window.BENCHMARK_DATA = {{...}}`, from its `gh-pages` branch, `dev/bench/data.js` by default) or the JSON object in it",
            e.message
        );
        e
    })?;
    let Value::Object(root) = &root else {
        return Err(ParseError::whole(format!(
            "expected the github-action-benchmark history, an object with `entries`, found {}",
            kind_of(&root)
        )));
    };
    let suites = match root.get("entries") {
        Some(Value::Object(s)) => s,
        Some(other) => {
            return Err(ParseError::whole(format!(
                "`entries` must be an object of benchmark suites, found {}",
                kind_of(other)
            )))
        }
        None => {
            return Err(ParseError::whole(
                "not a github-action-benchmark history: the object has no `entries`",
            ))
        }
    };
    let prefix_suites = suites
        .values()
        .filter(|s| s.as_array().is_some_and(|a| !a.is_empty()))
        .count()
        > 1;
    let repo_url = root
        .get("repoUrl")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());

    let mut groups: Vec<Group> = Vec::new();
    // Maps, not searches of what was read so far, here and in each group: a history of 100,000
    // entries or benchmarks took minutes.
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for (suite, entries) in suites {
        let Value::Array(entries) = entries else {
            return Err(ParseError::whole(format!(
                "suite `{suite}`: expected an array of entries, found {}",
                kind_of(entries)
            )));
        };
        for (i, entry) in entries.iter().enumerate() {
            let at = format!("suite `{suite}`, entry {i}");
            let e = read_entry(&at, entry).map_err(ParseError::whole)?;
            let prefix = prefix_suites.then_some(suite.as_str());
            let key = e.commit.clone().unwrap_or_else(|| at.clone());
            let group = match group_of.get(&key) {
                Some(&p) => groups.get_mut(p),
                None => {
                    group_of.insert(key, groups.len());
                    groups.push(Group::new());
                    groups.last_mut()
                }
            };
            if let Some(g) = group {
                g.add(prefix, e);
            }
        }
    }
    groups.retain(|g| !g.benchmarks.is_empty());
    if groups.is_empty() {
        return Err(ParseError::whole(
            "the github-action-benchmark history has no entries with results: every suite is empty",
        ));
    }
    // Oldest first; ties (no dates) keep file order.
    groups.sort_by_key(|g| g.date.unwrap_or(0));
    Ok(groups.into_iter().map(|g| g.into_run(repo_url)).collect())
}

/// `window.BENCHMARK_DATA = {...}` becomes `{...}` with the prefix blanked out, so that JSON errors
/// keep their line and column.
fn without_script_prefix(text: &str) -> String {
    let start = text.len() - text.trim_start().len();
    let Some(rest) = text
        .get(start..)
        .and_then(|t| t.strip_prefix(SCRIPT_PREFIX))
    else {
        return text.to_string();
    };
    let Some(eq) = rest
        .find('=')
        .filter(|&i| rest.get(..i).is_some_and(|s| s.trim().is_empty()))
    else {
        return text.to_string();
    };
    let json = rest.get(eq + 1..).unwrap_or("");
    let json = json.trim_end();
    let json = json.strip_suffix(';').unwrap_or(json);
    let blank = " ".repeat(SCRIPT_PREFIX.len() + eq + 1);
    format!("{}{blank}{json}", text.get(..start).unwrap_or(""))
}

/// One entry of a suite, read.
struct Entry {
    commit: Option<String>,
    commit_time: Option<String>,
    commit_url: Option<String>,
    commit_message: Option<String>,
    date: Option<u64>,
    tool: Option<String>,
    benches: Vec<(String, Metric)>,
}

fn read_entry(at: &str, entry: &Value) -> Result<Entry, String> {
    let o = object_or(entry, |kind| {
        format!(
            "{at}: expected an object with `commit`, `date`, `tool` and `benches`, found {kind}"
        )
    })?;
    let text = |m: &Map<String, Value>, k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (commit, commit_time, commit_url, commit_message) = match o.get("commit") {
        Some(Value::Object(c)) => (
            text(c, "id"),
            text(c, "timestamp"),
            text(c, "url"),
            text(c, "message").and_then(|m| m.lines().next().map(str::to_string)),
        ),
        None | Some(Value::Null) => (None, None, None, None),
        Some(other) => {
            return Err(format!(
                "{at}: `commit` must be an object with `id`, found {}",
                kind_of(other)
            ))
        }
    };
    let date = match o.get("date") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|d| *d >= 0.0).map(|d| d as u64)),
        Some(other) => {
            return Err(format!(
                "{at}: `date` must be milliseconds since 1970, found {}",
                kind_of(other)
            ))
        }
    };
    let tool = text(o, "tool");
    let benches = match o.get("benches") {
        Some(Value::Array(b)) => b,
        Some(other) => {
            return Err(format!(
                "{at}: `benches` must be an array of results, found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("{at} has no `benches`")),
    };
    let mut read: Vec<(String, Metric)> = Vec::new();
    // The (benchmark, metric) names taken, and per (benchmark, stem) the next number to try: a
    // search of `read` per name (and per number tried) took minutes for 10,000 repeats of a name.
    let mut taken: HashSet<(String, String)> = HashSet::new();
    let mut next_number: HashMap<(String, String), usize> = HashMap::new();
    for (k, bench) in benches.iter().enumerate() {
        let (name, unit_text, mut metric) = read_bench(at, k, bench, tool.as_deref())?;
        // A name given twice in one entry is two measurements, not repeats (as in custom JSON).
        if taken.contains(&(name.clone(), metric.name.clone())) {
            let stem = if unit_text.is_empty() {
                metric.name.clone()
            } else {
                unit_text
            };
            let mut candidate = stem.clone();
            let n = next_number.entry((name.clone(), stem.clone())).or_insert(2);
            while taken.contains(&(name.clone(), candidate.clone())) {
                candidate = format!("{stem} #{n}");
                *n += 1;
            }
            metric.name = candidate;
        }
        taken.insert((name.clone(), metric.name.clone()));
        read.push((name, metric));
    }
    Ok(Entry {
        commit,
        commit_time,
        commit_url,
        commit_message,
        date,
        tool,
        benches: read,
    })
}

/// One bench: its name, the unit as written (first word), and its metric. The action takes every
/// value from a number it matched and writes it with `JSON.stringify`, so a `null` value (how that
/// writes NaN; a bare `NaN` reads as null too) is an error: skipping it would leave the bench out
/// unseen.
fn read_bench(
    at: &str,
    k: usize,
    bench: &Value,
    tool: Option<&str>,
) -> Result<(String, String, Metric), String> {
    let b = object_or(bench, |kind| {
        format!(
            "{at}: `benches[{k}]` must be an object with `name`, `value` and `unit`, found {kind}"
        )
    })?;
    let name = match b.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(format!("{at}: `benches[{k}]` has no `name`")),
    };
    let unit_text = match b.get("unit") {
        Some(Value::String(s)) => s.split_whitespace().next().unwrap_or("").to_string(),
        None | Some(Value::Null) => String::new(),
        Some(other) => {
            return Err(format!(
                "{at}: `{name}`: `unit` must be a string, found {}",
                kind_of(other)
            ))
        }
    };
    let raw = match b.get("value") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::Null) => {
            return Err(format!(
                "{at}: `{name}`: `value` is null or NaN: expected a number"
            ))
        }
        Some(other) => {
            return Err(format!(
                "{at}: `{name}`: `value` must be a number, found {}",
                kind_of(other)
            ))
        }
        None => return Err(format!("{at}: `{name}` has no `value`")),
    };
    let (unit, factor) = Unit::parse(&unit_text);
    let Some(value) = raw.map(|v| v * factor).filter(|v| v.is_finite()) else {
        return Err(format!(
            "{at}: `{name}`: `value` is too large to convert from `{unit_text}`"
        ));
    };
    if value < 0.0 && matches!(unit, Unit::Nanoseconds | Unit::Bytes) {
        return Err(format!(
            "{at}: `{name}`: `value` is negative ({value} {unit_text}), which a time or size cannot be"
        ));
    }
    let metric_name = match unit {
        Unit::Nanoseconds => "time",
        Unit::Bytes => "size",
        Unit::PerSecond | Unit::BytesPerSecond => "throughput",
        Unit::Ratio => "ratio",
        Unit::Count | Unit::Custom(_) => "value",
    };
    let forced = match tool {
        Some("customBiggerIsBetter") => Some(Direction::HigherIsBetter),
        Some("customSmallerIsBetter") => Some(Direction::LowerIsBetter),
        _ if matches!(unit, Unit::Count | Unit::Custom(_)) => Some(tool_direction(tool)),
        _ => None,
    };
    let mut metric = Metric::new(metric_name, unit, Data::Value(value));
    if let Some(d) = forced {
        metric = metric.with_direction(d);
    }
    Ok((name, unit_text, metric))
}

/// github-action-benchmark's `biggerIsBetter(tool)`.
fn tool_direction(tool: Option<&str>) -> Direction {
    match tool {
        Some("benchmarkjs" | "pytest" | "customBiggerIsBetter") => Direction::HigherIsBetter,
        _ => Direction::LowerIsBetter,
    }
}

/// The entries of one commit.
struct Group {
    commit: Option<String>,
    commit_time: Option<String>,
    commit_url: Option<String>,
    commit_message: Option<String>,
    date: Option<u64>,
    tools: Vec<String>,
    tool_set: HashSet<String>,
    benchmarks: Benchmarks,
}

impl Group {
    fn new() -> Group {
        Group {
            commit: None,
            commit_time: None,
            commit_url: None,
            commit_message: None,
            date: None,
            tools: Vec::new(),
            tool_set: HashSet::new(),
            benchmarks: Benchmarks::default(),
        }
    }

    fn add(&mut self, suite: Option<&str>, e: Entry) {
        if self.commit.is_none() {
            self.commit = e.commit;
            self.commit_time = e.commit_time;
            self.commit_url = e.commit_url;
            self.commit_message = e.commit_message;
        }
        self.date = self.date.max(e.date);
        if let Some(t) = e.tool {
            if self.tool_set.insert(t.clone()) {
                self.tools.push(t);
            }
        }
        for (name, metric) in e.benches {
            let name = match suite {
                Some(s) => format!("{s}/{name}"),
                None => name,
            };
            self.benchmarks.add(name, [metric]);
        }
    }

    fn into_run(self, repo_url: Option<&str>) -> Run {
        let mut meta = RunMeta {
            commit: self.commit,
            timestamp: self
                .date
                .and_then(|ms| rfc3339(ms as f64 / 1000.0))
                .or_else(|| self.commit_time.clone()),
            tool: (!self.tools.is_empty()).then(|| self.tools.join("+")),
            ..RunMeta::default()
        };
        // The commit's date places the run in its branch's history; one that is not RFC 3339
        // is kept as the history wrote it.
        let commit_time = match self.commit_time {
            Some(t) if crate::model::instant(&t).is_some() => {
                meta.commit_time = Some(t);
                None
            }
            other => other,
        };
        let extra = &mut meta.environment.extra;
        for (key, value) in [
            ("repo_url", repo_url.map(str::to_string)),
            ("commit_time", commit_time),
            ("commit_url", self.commit_url),
            ("commit_message", self.commit_message),
        ] {
            if let Some(v) = value {
                extra.insert(key.to_string(), v);
            }
        }
        Run::new(meta, self.benchmarks.into_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_support::metric;

    /// Four suites of one commit, one per tool (go, pytest, cargo, catch2).
    const FOUR_SUITES: &str =
        include_str!("../../tests/fixtures/gab_history/ledwards2225-four-suites-data.js");
    /// Three commits of one Go suite.
    const GO_HISTORY: &str =
        include_str!("../../tests/fixtures/gab_history/buildpacks-pack-go-history-data.js");

    fn err(text: &str) -> String {
        parse_history(text).unwrap_err().to_string()
    }

    fn entry(commit: &str, date: u64, tool: &str, benches: &str) -> String {
        format!(
            r#"{{"commit": {{"id": "{commit}", "message": "m", "timestamp": "2024-01-01T00:00:00Z", "url": "u"}},
                "date": {date}, "tool": "{tool}", "benches": [{benches}]}}"#
        )
    }

    #[test]
    fn reads_every_commit_of_a_suite_oldest_first() {
        let runs = parse_history(GO_HISTORY).unwrap();
        assert_eq!(runs.len(), 3);
        let commits: Vec<&str> = runs
            .iter()
            .map(|r| r.meta.commit.as_deref().unwrap())
            .collect();
        assert_eq!(
            commits,
            [
                "e325cc5a659468cfbb4c9dab57b6fe5974db4a88",
                "639d2a843831d83317093f36273928ae60ffefb2",
                "a551896ca450f102eaebaf5748936ef26051142d"
            ]
        );
        let first = &runs[0];
        assert_eq!(first.meta.tool.as_deref(), Some("go"));
        assert_eq!(first.meta.branch, None);
        assert_eq!(
            first.meta.timestamp.as_deref(),
            Some("2023-05-04T11:46:56.831Z")
        );
        // One suite: names are not prefixed.
        let t = metric(first, "BenchmarkBuild/with_Untrusted_Builder", "time");
        assert_eq!(t.unit, Unit::Nanoseconds);
        assert_eq!(t.direction, Direction::LowerIsBetter);
        assert_eq!(t.data, Data::Value(4836875142.0));
        assert_eq!(
            metric(&runs[2], "BenchmarkBuild/with_Addtional_Buildpack", "time").data,
            Data::Value(29640697841.0)
        );
        let extra = |k: &str| first.meta.environment.extra.get(k).map(String::as_str);
        assert_eq!(
            extra("repo_url"),
            Some("https://github.com/buildpacks/pack")
        );
        assert_eq!(
            first.meta.commit_time.as_deref(),
            Some("2023-05-04T14:45:29+03:00")
        );
        assert_eq!(extra("commit_time"), None);
        assert_eq!(
            extra("commit_message"),
            Some("Merge pull request #1745 from dmikusa/paketo-jammy")
        );
        assert_eq!(
            extra("commit_url"),
            Some("https://github.com/buildpacks/pack/commit/e325cc5a659468cfbb4c9dab57b6fe5974db4a88")
        );
        insta::assert_json_snapshot!("buildpacks_pack_go_history", runs);
    }

    #[test]
    fn parse_returns_the_newest_run() {
        let run = parse(GO_HISTORY).unwrap();
        assert_eq!(
            run.meta.commit.as_deref(),
            Some("a551896ca450f102eaebaf5748936ef26051142d")
        );
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2023-05-04T16:16:45.089Z")
        );
        assert_eq!(run.benchmarks.len(), 3);
    }

    #[test]
    fn merges_the_suites_of_one_commit_with_prefixed_names() {
        let runs = parse_history(FOUR_SUITES).unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(
            run.meta.commit.as_deref(),
            Some("1e7cc8b42abcdca77e22fe667cbd140bfe8b097a")
        );
        // Suites in key order; the latest date of the four entries.
        assert_eq!(run.meta.tool.as_deref(), Some("catch2+go+pytest+cargo"));
        assert_eq!(
            run.meta.timestamp.as_deref(),
            Some("2023-06-05T18:41:51.503Z")
        );
        let all: Vec<&str> = run.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            all,
            [
                "Catch2 Benchmark/Fibonacci 10",
                "Catch2 Benchmark/Fibonacci 20",
                "Go Benchmark/BenchmarkFib10",
                "Go Benchmark/BenchmarkFib20",
                "Python Benchmark with pytest-benchmark/bench.py::test_fib_10",
                "Python Benchmark with pytest-benchmark/bench.py::test_fib_20",
                "Rust Benchmark/bench_fib_10",
                "Rust Benchmark/bench_fib_20",
            ]
        );
        // catch2 `us` to ns.
        assert_eq!(
            metric(run, "Catch2 Benchmark/Fibonacci 20", "time").data,
            Data::Value(23_206.0)
        );
        let ops = metric(
            run,
            "Python Benchmark with pytest-benchmark/bench.py::test_fib_10",
            "throughput",
        );
        assert_eq!(ops.unit, Unit::PerSecond);
        assert_eq!(ops.direction, Direction::HigherIsBetter);
        assert_eq!(ops.data, Data::Value(52715.16382569605));
        let cargo = metric(run, "Rust Benchmark/bench_fib_20", "time");
        assert_eq!(cargo.data, Data::Value(27565.0));
        assert_eq!(cargo.direction, Direction::LowerIsBetter);
        insta::assert_json_snapshot!("ledwards2225_four_suites", run);
    }

    #[test]
    fn reads_the_history_as_plain_json() {
        let json = FOUR_SUITES
            .strip_prefix("window.BENCHMARK_DATA = ")
            .unwrap();
        assert!(looks_like_json(&lenient_json(json).unwrap()));
        assert_eq!(parse(json).unwrap(), parse(FOUR_SUITES).unwrap());
    }

    #[test]
    fn pools_a_commit_measured_twice_and_keeps_duplicate_names_apart() {
        let text = format!(
            r#"window.BENCHMARK_DATA = {{"lastUpdate": 3, "repoUrl": "r", "entries": {{"Bench": [{}, {}, {}]}}}};"#,
            entry(
                "aaa",
                1000,
                "go",
                r#"{"name": "BenchmarkA", "value": 10, "unit": "ns/op\t 512 B/op\t 3 allocs/op"}"#
            ),
            entry(
                "bbb",
                2000,
                "go",
                r#"{"name": "BenchmarkA", "value": 20, "unit": "ns/op"}"#
            ),
            entry(
                "aaa",
                3000,
                "go",
                r#"{"name": "BenchmarkA", "value": 12, "unit": "ns/op"},
                                        {"name": "BenchmarkA", "value": 512, "unit": "B/op"},
                                        {"name": "BenchmarkA", "value": 3, "unit": "allocs/op"},
                                        {"name": "BenchmarkA", "value": 5, "unit": "allocs/op"}"#
            ),
        );
        assert!(looks_like(&text));
        let runs = parse_history(&text).unwrap();
        let commits: Vec<&str> = runs
            .iter()
            .map(|r| r.meta.commit.as_deref().unwrap())
            .collect();
        // `aaa` was last measured after `bbb`.
        assert_eq!(commits, ["bbb", "aaa"]);
        let a = &runs[1];
        assert_eq!(
            metric(a, "BenchmarkA", "time").data,
            Data::Samples(vec![10.0, 12.0])
        );
        assert_eq!(metric(a, "BenchmarkA", "size").data, Data::Value(512.0));
        let allocs = metric(a, "BenchmarkA", "value");
        assert_eq!(allocs.unit, Unit::Count);
        assert_eq!(allocs.direction, Direction::LowerIsBetter);
        assert_eq!(metric(a, "BenchmarkA", "allocs/op").data, Data::Value(5.0));
    }

    #[test]
    fn takes_the_direction_from_custom_tools_and_unitless_values() {
        let text = format!(
            r#"{{"lastUpdate": 3, "entries": {{"A": [{}], "B": [{}]}}}}"#,
            entry(
                "c1",
                1,
                "customBiggerIsBetter",
                r#"{"name": "mem", "value": 5, "unit": "MB"}"#
            ),
            entry(
                "c1",
                2,
                "benchmarkjs",
                r#"{"name": "score", "value": 7, "unit": "points"}"#
            ),
        );
        let run = parse(&text).unwrap();
        let mem = metric(&run, "A/mem", "size");
        assert_eq!(mem.direction, Direction::HigherIsBetter);
        assert_eq!(mem.data, Data::Value(5e6));
        let score = metric(&run, "B/score", "value");
        assert_eq!(score.unit, Unit::Custom("points".into()));
        assert_eq!(score.direction, Direction::HigherIsBetter);
        assert_eq!(
            run.meta.tool.as_deref(),
            Some("customBiggerIsBetter+benchmarkjs")
        );
    }

    #[test]
    fn detects_data_js_and_its_json_and_rejects_others() {
        assert!(looks_like(FOUR_SUITES));
        assert!(looks_like(GO_HISTORY));
        assert!(looks_like("\u{feff}\n window.BENCHMARK_DATA={}"));
        assert!(!looks_like("window.BENCHMARK_DATA_OTHER = {}"));
        assert!(!looks_like(r#"{"entries": {}, "lastUpdate": 1}"#));
        assert!(looks_like_json(
            &lenient_json(r#"{"entries": {}, "lastUpdate": 1}"#).unwrap()
        ));
        for other in [
            r#"{"entries": [], "lastUpdate": 1}"#,
            r#"{"entries": {}}"#,
            r#"[{"name": "a", "unit": "ns", "value": 1}]"#,
            r#"{"a": {"latency": {"value": 1}}}"#,
        ] {
            assert!(!looks_like_json(&lenient_json(other).unwrap()), "{other}");
        }
    }

    #[test]
    fn fails_on_empty_input_and_empty_histories() {
        assert!(err("").contains("empty"));
        let e = err(r#"window.BENCHMARK_DATA = {"lastUpdate": 0, "repoUrl": "", "entries": {}}"#);
        assert!(e.contains("no entries with results"), "{e}");
        let e = err(r#"{"lastUpdate": 0, "entries": {"A": []}}"#);
        assert!(e.contains("no entries with results"), "{e}");
    }

    #[test]
    fn fails_on_a_nan_or_null_value_naming_the_bench() {
        // Once the bench was left out of its commit's run (and with every value NaN, the error
        // said that every suite was empty).
        let first = "\"value\": 4836875142,";
        assert!(GO_HISTORY.contains(first));
        for bad in ["NaN", "null"] {
            let text = GO_HISTORY.replacen(first, &format!("\"value\": {bad},"), 1);
            assert_eq!(
                err(&text),
                "suite `Go Benchmark`, entry 0: `BenchmarkBuild/with_Untrusted_Builder`: `value` is null or NaN: expected a number"
            );
        }
        let every = GO_HISTORY
            .split("\"value\": ")
            .enumerate()
            .map(|(i, part)| match part.split_once(',') {
                Some((_, rest)) if i > 0 => format!("NaN,{rest}"),
                _ => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\"value\": ");
        let e = err(&every);
        assert!(e.contains("`value` is null or NaN"), "{e}");
    }

    #[test]
    fn fails_on_truncated_data_js_with_its_line() {
        let e = parse(GO_HISTORY.get(..1000).unwrap()).unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        assert!(e.message.contains("EOF"), "{e}");
        // The blanked prefix keeps columns on the first line.
        let e = parse("window.BENCHMARK_DATA = {x}").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.starts_with("column 26"), "{e}");
    }

    /// Commits and benchmark names were searched in those read so far, and each repeat of a name
    /// in one entry in the entry's names once per number tried: 20,000 of each took minutes, a
    /// moment by maps and sets (no timing is asserted).
    #[test]
    fn reads_twenty_thousand_entries_and_repeats_in_one_pass() {
        let entries: Vec<String> = (0..20_000)
            .map(|i| {
                entry(
                    &format!("c{}", i % 2),
                    i,
                    "go",
                    &format!(r#"{{"name": "B{i}", "value": {i}, "unit": "ns/op"}}"#),
                )
            })
            .collect();
        let text = format!(r#"{{"entries": {{"S": [{}]}}}}"#, entries.join(","));
        let runs = parse_history(&text).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1].benchmarks.len(), 10_000);
        assert_eq!(
            metric(&runs[1], "B19999", "time").data,
            Data::Value(19_999.0)
        );
        // Repeats of a name in one entry are told apart by number, each number tried once.
        let repeats = vec![r#"{"name": "A", "value": 3, "unit": "allocs/op"}"#; 200].join(",");
        let text = format!(
            r#"{{"entries": {{"S": [{}]}}}}"#,
            entry("c", 1, "go", &repeats)
        );
        let run = parse(&text).unwrap();
        let b = run.benchmark("A").unwrap();
        assert_eq!(b.metrics.len(), 200);
        assert_eq!(b.metrics[0].name, "value");
        assert_eq!(b.metrics[1].name, "allocs/op");
        assert_eq!(b.metrics[2].name, "allocs/op #2");
        assert_eq!(b.metrics[199].name, "allocs/op #199");
    }

    #[test]
    fn fails_on_wrong_shapes() {
        let e = err("[1]");
        assert!(e.contains("found an array"), "{e}");
        let e = err(r#"{"lastUpdate": 1}"#);
        assert!(e.contains("no `entries`"), "{e}");
        let e = err(r#"{"entries": []}"#);
        assert!(e.contains("`entries` must be an object"), "{e}");
        let e = err(r#"{"entries": {"S": {}}}"#);
        assert!(e.contains("suite `S`: expected an array of entries"), "{e}");
        let e = err(r#"{"entries": {"S": [7]}}"#);
        assert!(e.contains("suite `S`, entry 0: expected an object"), "{e}");
        let e = err(r#"{"entries": {"S": [{"commit": {"id": "x"}}]}}"#);
        assert!(e.contains("suite `S`, entry 0 has no `benches`"), "{e}");
        let e = err(r#"{"entries": {"S": [{"benches": [{"value": 1, "unit": "ns"}]}]}}"#);
        assert!(e.contains("`benches[0]` has no `name`"), "{e}");
        let e = err(r#"{"entries": {"S": [{"benches": [{"name": "b", "unit": "ns"}]}]}}"#);
        assert!(e.contains("`b` has no `value`"), "{e}");
    }

    #[test]
    fn fails_on_bad_numbers() {
        let e = err(
            r#"{"entries": {"S": [{"benches": [{"name": "b", "value": "1", "unit": "ns"}]}]}}"#,
        );
        assert!(
            e.contains("`b`: `value` must be a number, found the string \"1\""),
            "{e}"
        );
        let e =
            err(r#"{"entries": {"S": [{"benches": [{"name": "b", "value": -1, "unit": "ms"}]}]}}"#);
        assert!(e.contains("negative"), "{e}");
        let e = err(r#"{"entries": {"S": [{"date": "today", "benches": []}]}}"#);
        assert!(e.contains("`date` must be milliseconds since 1970"), "{e}");
    }
}

//! The store index (`index.json`, schema `perfgate.store.v1`): one entry per recorded run, oldest
//! first. Pure: choosing ids, the baseline entry and what to prune happens here, files elsewhere.
//!
//! Each entry also carries the run's environment and a [`Summary`]: one value per comparable
//! series (the log median of its samples, or its one value). A history of runs is judged through
//! those values alone, so a reader gets the whole history from the index it reads anyway, instead
//! of opening one run file per past run (one API call each on a data branch); the run files stay
//! for the baseline run's samples, audits and re-computation. The summary is written by the same
//! index write that records the run, so it can never disagree with the index.
//!
//! Both fields were added to `perfgate.store.v1` without a new schema tag: they are optional, so
//! an index written by an older perfgate still loads (its entries have no summary, and readers
//! open their run files as before). A perfgate older than these fields refuses a newer index
//! (its entries deny unknown fields, naming `environment` or `summary`): jobs sharing a data
//! branch key must run this version or a later one.
//!
//! The summary is written compactly, per benchmark an object of metric -> `[value, n, unit]`
//! (`[value, n, unit, direction]` when the direction is not the one the metric's name and unit
//! imply), and the file holds one entry per line. Numbers are written in their shortest form that
//! reads back to the same `f64` (whole numbers without `.0`). Measured (the test
//! `an_index_of_100_runs_of_300_series_stays_small`): 100 runs of 300 series, 100 Go benchmarks
//! with 34-character names, each with time, bytes and allocations over 10 samples, make an index
//! of 1,275,825 bytes (about 43 bytes a series). `keep` (100 runs per branch) bounds it; over
//! 1 MB, a data branch reads it in 2 API calls instead of 1.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::compare;
use crate::model::{instant, Benchmark, Data, Direction, Environment, Metric, Run, RunMeta, Unit};

/// Schema tag of the index file.
pub const STORE_SCHEMA: &str = "perfgate.store.v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub schema: String,
    pub runs: Vec<IndexEntry>,
}

impl Default for Index {
    fn default() -> Index {
        Index {
            schema: STORE_SCHEMA.to_string(),
            runs: Vec::new(),
        }
    }
}

/// One recorded run: its id, its metadata as the run file has it, and what a reader needs of it
/// without opening that file.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    /// Unique id; the run file is `runs/<id>.json`.
    pub id: String,
    /// The run's commit, branch, time, tool and machine (an empty environment when unknown, and
    /// in entries of older perfgates).
    pub meta: RunMeta,
    pub benchmarks: usize,
    /// One value per comparable series of the run (None in entries of older perfgates).
    pub summary: Option<Summary>,
}

/// An entry as `index.json` spells it, field by field in the order perfgate has always written:
/// the run's metadata stands on both sides of `benchmarks`, so [`RunMeta`] cannot be flattened in
/// (and `flatten` would also lose the field list of serde's messages about a damaged entry).
/// Generic so that one declaration reads (owned strings) and writes (borrowed ones).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "IndexEntry")]
struct Stored<T, E, S> {
    id: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commit: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    branch: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commit_time: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tool: Option<T>,
    benchmarks: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    environment: Option<E>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    summary: Option<S>,
}

impl Serialize for IndexEntry {
    fn serialize<W: Serializer>(&self, s: W) -> Result<W::Ok, W::Error> {
        let m = &self.meta;
        Stored {
            id: self.id.as_str(),
            commit: m.commit.as_deref(),
            branch: m.branch.as_deref(),
            timestamp: m.timestamp.as_deref(),
            commit_time: m.commit_time.as_deref(),
            tool: m.tool.as_deref(),
            benchmarks: self.benchmarks,
            environment: (!m.environment.is_empty()).then_some(&m.environment),
            summary: self.summary.as_ref(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for IndexEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IndexEntry, D::Error> {
        let s = Stored::<String, Environment, Summary>::deserialize(d)?;
        Ok(IndexEntry {
            id: s.id,
            meta: RunMeta {
                commit: s.commit,
                branch: s.branch,
                timestamp: s.timestamp,
                commit_time: s.commit_time,
                tool: s.tool,
                environment: s.environment.unwrap_or_default(),
            },
            benchmarks: s.benchmarks,
            summary: s.summary,
        })
    }
}

/// Whether `id` is a name perfgate could have given a run: what `entry_for` makes.
fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Index {
    /// Reads an index, refusing other schemas.
    pub fn parse(text: &str) -> Result<Index, String> {
        // An editor's byte order mark is not a damaged index.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let index: Index = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if index.schema != STORE_SCHEMA {
            return Err(format!(
                "unsupported store schema `{}`: this perfgate reads `{STORE_SCHEMA}` (was the store written by a newer perfgate?)",
                index.schema
            ));
        }
        // Ids become file names, request paths and a copy-paste `git show` line: anything but a
        // plain name (`../../../etc/passwd`) is a damaged or forged index.
        if let Some((i, e)) = index
            .runs
            .iter()
            .enumerate()
            .find(|(_, e)| !plain_id(&e.id))
        {
            return Err(format!(
                "run {} has the id `{}`, which is not a plain name (letters, digits, `-`, `_`, `.`, not starting with `.`, at most 100 characters): the index was damaged or edited by hand",
                i + 1,
                e.id.chars().take(100).collect::<String>()
            ));
        }
        // One run file per id: an id listed twice would count its run twice in a history.
        let mut seen = std::collections::HashSet::new();
        if let Some((i, e)) = index
            .runs
            .iter()
            .enumerate()
            .find(|(_, e)| !seen.insert(e.id.as_str()))
        {
            return Err(format!(
                "run {} has the id `{}`, which an earlier run of the index has: the index was damaged or edited by hand",
                i + 1,
                e.id
            ));
        }
        Ok(index)
    }

    /// The index as written: one entry per line, so that a save's diff on a data branch is the
    /// lines it added and pruned, and the summaries stay compact.
    pub fn to_json(&self) -> String {
        let schema = serde_json::to_string(&self.schema).unwrap_or_default();
        let entries: Vec<String> = self
            .runs
            .iter()
            .map(|e| serde_json::to_string(e).unwrap_or_default())
            .collect();
        if entries.is_empty() {
            return format!("{{\n  \"schema\": {schema},\n  \"runs\": []\n}}\n");
        }
        format!(
            "{{\n  \"schema\": {schema},\n  \"runs\": [\n    {}\n  ]\n}}\n",
            entries.join(",\n    ")
        )
    }

    /// A new entry for `run` with an id that sorts by time and is unique in this index.
    pub fn entry_for(&self, run: &Run) -> IndexEntry {
        // To the second, as `save` stamps runs (`20261206T191944Z`): a fraction of a second
        // (`...:51.500Z`, as github-action-benchmark histories give times) is left out.
        let time = run.meta.timestamp.as_deref().unwrap_or("run");
        let whole = match time.split_once('.') {
            Some((head, rest)) => {
                let zone = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                format!("{head}{zone}")
            }
            None => time.to_string(),
        };
        let stamp: String = whole
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(16)
            .collect();
        let commit: String = run
            .meta
            .commit
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        let base = if commit.is_empty() {
            stamp
        } else {
            format!("{stamp}-{commit}")
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.runs.iter().any(|e| e.id == id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        IndexEntry {
            id,
            meta: run.meta.clone(),
            benchmarks: run.benchmarks.len(),
            summary: Some(Summary::of(run)),
        }
    }

    /// The most recent entry of `branch` (any branch when None).
    pub fn latest(&self, branch: Option<&str>) -> Option<&IndexEntry> {
        self.runs
            .iter()
            .rev()
            .find(|e| branch.is_none() || e.meta.branch.as_deref() == branch)
    }

    /// The latest entry of `branch` committed before `committed` among those a run committed
    /// then would follow ([`Index::place`]), passing over the runs of its own commit time (an
    /// earlier run of the same commit: a re-run is compared as its first run was); the latest of
    /// all when that time is unknown.
    pub fn latest_before(&self, branch: &str, committed: Option<&str>) -> Option<&IndexEntry> {
        let at = self.place(Some(branch), committed);
        let t = committed.and_then(instant);
        let same =
            |e: &IndexEntry| t.is_some() && e.meta.commit_time.as_deref().and_then(instant) == t;
        self.runs
            .get(..at)?
            .iter()
            .rev()
            .find(|e| e.meta.branch.as_deref() == Some(branch) && !same(e))
    }

    /// Where a saved `entry` stands in its branch: the latest run, before the runs of later
    /// commits saved before it, or not kept (older than every run its branch keeps).
    pub fn placed(&self, entry: &IndexEntry) -> Placed {
        let Some(at) = self.runs.iter().position(|e| e.id == entry.id) else {
            return Placed::NotKept;
        };
        let later = self
            .runs
            .iter()
            .skip(at + 1)
            .filter(|e| e.meta.branch == entry.meta.branch)
            .count();
        match later {
            0 => Placed::Latest,
            n => Placed::Before(n),
        }
    }

    /// The last `n` entries of `branch` (any branch when None), oldest first.
    pub fn last(&self, branch: Option<&str>, n: usize) -> Vec<&IndexEntry> {
        let mut out: Vec<&IndexEntry> = self
            .runs
            .iter()
            .rev()
            .filter(|e| branch.is_none() || e.meta.branch.as_deref() == branch)
            .take(n)
            .collect();
        out.reverse();
        out
    }

    /// Where a run of `branch` committed at `committed` goes: at the end, unless runs of its
    /// branch committed later than it (by `commit_time`) stand there; then before the first of those that follow the last run
    /// committed no later. A branch's runs are in commit order, not in the order their jobs
    /// finished: two merges whose jobs overlapped, or a job re-run on an older commit, would
    /// otherwise make an older commit the latest run of the branch (the baseline of every pull
    /// request whose base has no run) and put a step back into its history. Runs without a
    /// commit time stay where they were saved. From the end: an in-order save looks at one run.
    fn place(&self, branch: Option<&str>, committed: Option<&str>) -> usize {
        let Some(t) = committed.and_then(instant) else {
            return self.runs.len();
        };
        let mut at = self.runs.len();
        for (i, e) in self.runs.iter().enumerate().rev() {
            if e.meta.branch.as_deref() != branch {
                continue;
            }
            match e.meta.commit_time.as_deref().and_then(instant) {
                Some(u) if u > t => at = i,
                Some(_) => break,
                None => {}
            }
        }
        at
    }

    /// Whose runs are the baseline: those of `configured`; else of `main`, else of `master`;
    /// else, when no run names a branch (all were saved outside git), every run (None). A store
    /// without those runs has no baseline, and saying so is the caller's to do: a typo in a
    /// branch name, or a store filled from another branch, must not turn the gate off.
    pub fn baseline_branch(&self, configured: Option<&str>) -> Result<Option<String>, NoBaseline> {
        if self.runs.is_empty() {
            return Err(NoBaseline::Empty);
        }
        if let Some(b) = configured {
            return if self
                .runs
                .iter()
                .any(|e| e.meta.branch.as_deref() == Some(b))
            {
                Ok(Some(b.to_string()))
            } else {
                Err(NoBaseline::NoRunsOf {
                    branch: Some(b.to_string()),
                    branches: self.branches(),
                })
            };
        }
        if let Some(b) = self.default_branch() {
            return Ok(Some(b.to_string()));
        }
        let branches = self.branches();
        if branches.is_empty() {
            Ok(None)
        } else {
            Err(NoBaseline::NoRunsOf {
                branch: None,
                branches,
            })
        }
    }

    /// The branches the runs name, each once, in the order of their latest run (newest first).
    pub fn branches(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for b in self
            .runs
            .iter()
            .rev()
            .filter_map(|e| e.meta.branch.as_deref())
        {
            if !out.iter().any(|o| o == b) {
                out.push(b.to_string());
            }
        }
        out
    }

    /// The baseline branch when none is configured: `main`, else `master`.
    pub fn default_branch(&self) -> Option<&str> {
        ["main", "master"].into_iter().find(|b| {
            self.runs
                .iter()
                .any(|e| e.meta.branch.as_deref() == Some(*b))
        })
    }

    /// Adds `entry` in its place (see [`Index::place`]) and returns the entries to delete so that
    /// at most `keep` runs of its branch remain (the earliest first).
    pub fn push_and_prune(&mut self, entry: IndexEntry, keep: usize) -> Vec<IndexEntry> {
        let branch = entry.meta.branch.clone();
        let at = self.place(branch.as_deref(), entry.meta.commit_time.as_deref());
        self.runs.insert(at, entry);
        let same: Vec<usize> = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, e)| e.meta.branch == branch)
            .map(|(i, _)| i)
            .collect();
        let excess = same.len().saturating_sub(keep.max(1));
        // Ascending, so a binary search finds an index: pruning stays linear in the index (a
        // linear search made a 1,000,000-entry index take 310 s).
        let doomed: Vec<usize> = same.into_iter().take(excess).collect();
        let mut removed = Vec::new();
        let mut i = 0;
        self.runs.retain(|e| {
            let drop = doomed.binary_search(&i).is_ok();
            i += 1;
            if drop {
                removed.push(e.clone());
            }
            !drop
        });
        removed
    }
}

/// Where a saved run went in its branch's history ([`Index::placed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// The branch's latest run: the baseline from now on.
    Latest,
    /// Before this many later runs of its branch, which were saved first (runs of later
    /// commits, and any saved without a commit time after them).
    Before(usize),
    /// Pruned by its own save: its commit is older than every run its branch keeps.
    NotKept,
}

/// Why a store has no baseline ([`Index::baseline_branch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoBaseline {
    /// The store holds no run at all.
    Empty,
    /// No run of `branch` (None: of `main` or `master`), while the store has runs of `branches`.
    NoRunsOf {
        branch: Option<String>,
        branches: Vec<String>,
    },
}

impl IndexEntry {
    /// The run as its summary tells it: every series a metric holding its summary value
    /// ([`Data::Value`]), with the entry's commit, branch, time, tool and environment. What a
    /// history needs of a past run, without reading its file. None for an entry without a summary
    /// (written by an older perfgate): read its run file instead.
    pub fn summary_run(&self) -> Option<Run> {
        let summary = self.summary.as_ref()?;
        let mut benchmarks: Vec<Benchmark> = Vec::new();
        for s in &summary.series {
            let metric = Metric {
                name: s.metric.clone(),
                unit: s.unit.clone(),
                direction: s.direction,
                data: Data::Value(s.value),
                interval: None,
            };
            // Series of one benchmark are consecutive (they were flattened from it); `push` is
            // not used because it would pool two series of the same name into samples.
            match benchmarks.last_mut() {
                Some(b) if b.name == s.benchmark => b.metrics.push(metric),
                _ => benchmarks.push(Benchmark {
                    name: s.benchmark.clone(),
                    metrics: vec![metric],
                }),
            }
        }
        Some(Run::new(self.meta.clone(), benchmarks))
    }
}

/// A run's comparable series ([`compare::series`]: histograms already read as `avg`, `p(95)`...),
/// one value each, in the run's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub series: Vec<SeriesSummary>,
}

/// One series of a run, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    /// The run value the engine judges histories by ([`compare::run_value`]: the log median of
    /// the samples, or the one value as it is).
    pub value: f64,
    /// How many values it summarises (1 for a single value or a histogram's statistic).
    pub n: usize,
}

impl Summary {
    /// The summary of `run`. A series whose summary is not a finite number (JSON has no NaN) is
    /// left out: a history without it judges the series as if that run had not measured it.
    pub fn of(run: &Run) -> Summary {
        let series = compare::series(run)
            .into_iter()
            .filter_map(|s| {
                // The value the engine judges a history's run by; a single value is its own.
                let value = compare::run_value(&s.values);
                value.is_finite().then_some(SeriesSummary {
                    value,
                    n: s.values.len(),
                    benchmark: s.benchmark,
                    metric: s.metric,
                    unit: s.unit,
                    direction: s.direction,
                })
            })
            .collect();
        Summary { series }
    }
}

/// `{"<benchmark>": {"<metric>": [value, n, unit(, direction)], ...}, ...}`, keys in the run's
/// order.
impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut groups: Vec<(&str, Vec<&SeriesSummary>)> = Vec::new();
        for x in &self.series {
            match groups.last_mut() {
                Some((b, members)) if *b == x.benchmark => members.push(x),
                _ => groups.push((&x.benchmark, vec![x])),
            }
        }
        let mut map = s.serialize_map(Some(groups.len()))?;
        for (benchmark, members) in groups {
            map.serialize_entry(benchmark, &Metrics(members))?;
        }
        map.end()
    }
}

struct Metrics<'a>(Vec<&'a SeriesSummary>);

impl Serialize for Metrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for x in &self.0 {
            map.serialize_entry(&x.metric, &Values(x))?;
        }
        map.end()
    }
}

struct Values<'a>(&'a SeriesSummary);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        let implied = Direction::infer(&x.metric, &x.unit) == x.direction;
        let mut seq = s.serialize_seq(Some(if implied { 3 } else { 4 }))?;
        // Counts and sizes are whole: `512` rather than `512.0`, the same number read back.
        if x.value.fract() == 0.0 && x.value.abs() < 2f64.powi(53) {
            seq.serialize_element(&(x.value as i64))?;
        } else {
            seq.serialize_element(&x.value)?;
        }
        seq.serialize_element(&x.n)?;
        seq.serialize_element(&x.unit)?;
        if !implied {
            seq.serialize_element(&x.direction)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Summary {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Summary, D::Error> {
        struct Benchmarks;
        impl<'de> Visitor<'de> for Benchmarks {
            type Value = Summary;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of benchmark -> {metric -> [value, n, unit]}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
                let mut series = Vec::new();
                while let Some(benchmark) = map.next_key::<String>()? {
                    let metrics: MetricsIn = map.next_value()?;
                    for (metric, v) in metrics.0 {
                        let direction = v
                            .direction
                            .unwrap_or_else(|| Direction::infer(&metric, &v.unit));
                        series.push(SeriesSummary {
                            benchmark: benchmark.clone(),
                            metric,
                            unit: v.unit,
                            direction,
                            value: v.value,
                            n: v.n,
                        });
                    }
                }
                Ok(Summary { series })
            }
        }
        d.deserialize_map(Benchmarks)
    }
}

/// One benchmark's metrics as read, in their order.
struct MetricsIn(Vec<(String, ValuesIn)>);

impl<'de> Deserialize<'de> for MetricsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MetricsIn, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricsIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of metric -> [value, n, unit]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetricsIn, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, ValuesIn>()? {
                    out.push(entry);
                }
                Ok(MetricsIn(out))
            }
        }
        d.deserialize_map(V)
    }
}

struct ValuesIn {
    value: f64,
    n: usize,
    unit: Unit,
    direction: Option<Direction>,
}

impl<'de> Deserialize<'de> for ValuesIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ValuesIn, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValuesIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("[value, n, unit] or [value, n, unit, direction]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ValuesIn, A::Error> {
                let missing = |i: usize| -> A::Error { de::Error::invalid_length(i, &self) };
                let value = seq.next_element()?.ok_or_else(|| missing(0))?;
                let n = seq.next_element()?.ok_or_else(|| missing(1))?;
                let unit = seq.next_element()?.ok_or_else(|| missing(2))?;
                let direction = seq.next_element()?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(5, &self));
                }
                Ok(ValuesIn {
                    value,
                    n,
                    unit,
                    direction,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Histogram;
    use crate::stats;

    fn run(commit: &str, branch: &str, ts: &str) -> Run {
        Run::new(
            RunMeta {
                commit: Some(commit.into()),
                branch: Some(branch.into()),
                timestamp: Some(ts.into()),
                commit_time: None,
                ..RunMeta::default()
            },
            vec![],
        )
    }

    #[test]
    fn ids_sort_by_time_and_stay_unique() {
        let mut idx = Index::default();
        let r = run("abcdef1234567890", "main", "2026-11-23T12:00:00Z");
        let e = idx.entry_for(&r);
        assert_eq!(e.id, "20261123T120000Z-abcdef123456");
        idx.push_and_prune(e, 10);
        assert_eq!(idx.entry_for(&r).id, "20261123T120000Z-abcdef123456-2");
        // A fraction of a second (imported histories) is left out of the id.
        let r = run("abc", "main", "2023-06-05T18:41:51.500Z");
        assert_eq!(idx.entry_for(&r).id, "20230605T184151Z-abc");
    }

    /// A run of `commit` on `branch`, committed at `committed` (None: unknown).
    fn committed(commit: &str, branch: &str, committed: Option<&str>) -> Run {
        let mut r = run(commit, branch, "2026-12-06T12:00:00Z");
        r.meta.commit_time = committed.map(str::to_string);
        r
    }

    fn commits(idx: &Index) -> Vec<&str> {
        idx.runs
            .iter()
            .filter_map(|e| e.meta.commit.as_deref())
            .collect()
    }

    #[test]
    fn runs_go_in_commit_order_whatever_order_their_jobs_finished_in() {
        let mut idx = Index::default();
        let save = |idx: &mut Index, r: Run| {
            let e = idx.entry_for(&r);
            idx.push_and_prune(e, 10)
        };
        save(
            &mut idx,
            committed("a", "main", Some("2026-12-06T10:00:00Z")),
        );
        save(
            &mut idx,
            committed("c", "main", Some("2026-12-06T12:00:00Z")),
        );
        save(
            &mut idx,
            committed("f", "feature", Some("2026-12-06T13:00:00Z")),
        );
        // b's job finished after c's: b still goes before c, and c stays the latest of main.
        save(
            &mut idx,
            committed("b", "main", Some("2026-12-06T11:00:00Z")),
        );
        assert_eq!(commits(&idx), ["a", "b", "c", "f"]);
        assert_eq!(
            idx.latest(Some("main")).unwrap().meta.commit.as_deref(),
            Some("c")
        );
        // Instants, not text: 12:30+01:00 is 11:30Z, between b and c.
        save(
            &mut idx,
            committed("b2", "main", Some("2026-12-06T12:30:00+01:00")),
        );
        assert_eq!(commits(&idx), ["a", "b", "b2", "c", "f"]);
        // Another branch's later runs do not move a run of main; nor does a run without a
        // commit time, which stays where it was saved, and a re-run of the same commit goes
        // after the runs of it.
        save(
            &mut idx,
            committed("d", "main", Some("2026-12-06T14:00:00Z")),
        );
        save(&mut idx, committed("x", "main", None));
        save(
            &mut idx,
            committed("c", "main", Some("2026-12-06T12:00:00Z")),
        );
        assert_eq!(commits(&idx), ["a", "b", "b2", "c", "f", "c", "d", "x"]);
        // A late run is compared with the latest run committed before it; a re-run of a
        // commit, with the run before that commit's, as its first run was.
        let before = |t: &str| {
            idx.latest_before("main", Some(t))
                .and_then(|e| e.meta.commit.clone())
        };
        assert_eq!(before("2026-12-06T11:45:00Z").as_deref(), Some("b2"));
        assert_eq!(before("2026-12-06T11:30:00Z").as_deref(), Some("b"));
        assert_eq!(before("2026-12-06T12:00:00Z").as_deref(), Some("b2"));
        assert_eq!(before("2026-12-06T10:00:00Z"), None);
        assert_eq!(
            idx.latest_before("main", None)
                .and_then(|e| e.meta.commit.as_deref()),
            Some("x")
        );
        // An unreadable commit time is an unknown one.
        save(&mut idx, committed("y", "main", Some("yesterday")));
        assert_eq!(
            idx.latest(Some("main")).unwrap().meta.commit.as_deref(),
            Some("y")
        );
        // The commit time is kept in the index.
        let again = Index::parse(&idx.to_json()).unwrap();
        assert_eq!(
            again.runs[1].meta.commit_time.as_deref(),
            Some("2026-12-06T11:00:00Z")
        );
    }

    #[test]
    fn a_full_branch_keeps_its_latest_commits() {
        let mut idx = Index::default();
        for h in [10, 12, 13] {
            let e = idx.entry_for(&committed(
                &format!("c{h}"),
                "main",
                Some(&format!("2026-12-06T{h}:00:00Z")),
            ));
            idx.push_and_prune(e, 3);
        }
        // A late run of c11 pushes out c10, the earliest commit, not a later one.
        let e = idx.entry_for(&committed("c11", "main", Some("2026-12-06T11:00:00Z")));
        let removed = idx.push_and_prune(e, 3);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].meta.commit.as_deref(), Some("c10"));
        assert_eq!(commits(&idx), ["c11", "c12", "c13"]);
        assert_eq!(idx.placed(&idx.runs[0].clone()), Placed::Before(2));
        assert_eq!(idx.placed(&idx.runs[2].clone()), Placed::Latest);
        // A run older than all three is pruned by its own save.
        let e = idx.entry_for(&committed("c09", "main", Some("2026-12-06T09:00:00Z")));
        let removed = idx.push_and_prune(e.clone(), 3);
        assert_eq!(removed, std::slice::from_ref(&e));
        assert_eq!(idx.placed(&e), Placed::NotKept);
        assert_eq!(commits(&idx), ["c11", "c12", "c13"]);
    }

    #[test]
    fn keeps_the_last_runs_of_each_branch() {
        let mut idx = Index::default();
        for i in 0..5 {
            let e = idx.entry_for(&run(
                &format!("c{i}"),
                "main",
                &format!("2026-01-0{}", i + 1),
            ));
            let removed = idx.push_and_prune(e, 3);
            assert_eq!(removed.len(), usize::from(i >= 3));
        }
        let e = idx.entry_for(&run("f", "feature", "2026-02-01"));
        idx.push_and_prune(e, 3);
        let commits: Vec<_> = idx
            .runs
            .iter()
            .filter_map(|e| e.meta.commit.as_deref())
            .collect();
        assert_eq!(commits, ["c2", "c3", "c4", "f"]);
        assert_eq!(
            idx.latest(Some("main"))
                .and_then(|e| e.meta.commit.as_deref()),
            Some("c4")
        );
        assert_eq!(
            idx.latest(None).and_then(|e| e.meta.commit.as_deref()),
            Some("f")
        );
        assert_eq!(idx.default_branch(), Some("main"));
        let last: Vec<_> = idx
            .last(Some("main"), 2)
            .iter()
            .filter_map(|e| e.meta.commit.as_deref())
            .collect();
        assert_eq!(last, ["c3", "c4"]);
        assert_eq!(idx.last(Some("main"), 10).len(), 3);
        assert_eq!(idx.last(None, 2).len(), 2);
        assert!(idx.last(Some("nope"), 5).is_empty());
    }

    #[test]
    fn refuses_run_ids_that_are_not_plain_names() {
        let entry = |id: &str| {
            format!(
                r#"{{"schema":"{STORE_SCHEMA}","runs":[{{"id":"20260101T000000Z-c1","benchmarks":1}},{{"id":{},"benchmarks":1}}]}}"#,
                serde_json::to_string(id).unwrap()
            )
        };
        for bad in [
            "../../../etc/passwd",
            "a/b",
            ".hidden",
            "",
            "x y",
            "x\n::error::y",
        ] {
            let e = Index::parse(&entry(bad)).unwrap_err();
            assert!(e.contains("run 2 has the id"), "{bad}: {e}");
        }
        assert!(Index::parse(&entry("20260101T000000Z-c2_1")).is_ok());
        let long = "k".repeat(101);
        assert!(Index::parse(&entry(&long)).is_err());
    }

    #[test]
    fn refuses_an_index_of_another_schema() {
        let e = Index::parse(r#"{"schema":"perfgate.store.v2","runs":[]}"#).unwrap_err();
        assert!(e.contains("newer perfgate"), "{e}");
    }

    /// A Go-like benchmark with 4 samples, a k6-like latency histogram and a one-value metric
    /// whose direction is not the one its name implies.
    fn mixed_run() -> Run {
        let mut go = Benchmark::new("BenchmarkEncode-8");
        go.push(Metric::new(
            "time",
            Unit::Nanoseconds,
            Data::Samples(vec![400.0, 100.0, 800.0, 200.0]),
        ));
        go.push(Metric::new(
            "allocs",
            Unit::Count,
            Data::Samples(vec![3.0, 1.0, 2.0]),
        ));
        let mut h = Histogram::new();
        h.record_n(100.0, 90).unwrap();
        h.record_n(1000.0, 10).unwrap();
        let mut k6 = Benchmark::new("http_req_duration");
        k6.push(Metric::new(
            "http_req_duration",
            Unit::Nanoseconds,
            Data::Histogram(h),
        ));
        let mut one = Benchmark::new("score");
        one.push(
            Metric::new("points", Unit::Count, Data::Value(42.5))
                .with_direction(Direction::HigherIsBetter),
        );
        let mut meta = RunMeta {
            commit: Some("abcdef1234567890".into()),
            branch: Some("main".into()),
            timestamp: Some("2026-11-23T12:00:00Z".into()),
            commit_time: None,
            tool: Some("go+k6".into()),
            ..RunMeta::default()
        };
        meta.environment.runner = Some("ubuntu-24.04".into());
        meta.environment.cores = Some(4);
        Run::new(meta, vec![go, k6, one])
    }

    fn summary_of(e: &IndexEntry, benchmark: &str, metric: &str) -> (f64, usize) {
        let s = e
            .summary
            .as_ref()
            .unwrap()
            .series
            .iter()
            .find(|s| s.benchmark == benchmark && s.metric == metric)
            .unwrap_or_else(|| panic!("no {benchmark} {metric}"));
        (s.value, s.n)
    }

    #[test]
    fn an_entry_summarises_samples_by_their_log_median_and_keeps_single_values() {
        let run = mixed_run();
        let e = Index::default().entry_for(&run);
        // Even count: the geometric mean of the two middle samples, 200 and 400.
        let (time, n) = summary_of(&e, "BenchmarkEncode-8", "time");
        assert!((time - (200.0_f64 * 400.0).sqrt()).abs() < 1e-9, "{time}");
        assert_eq!(n, 4);
        // Odd count: the middle sample.
        assert_eq!(summary_of(&e, "BenchmarkEncode-8", "allocs"), (2.0, 3));
        // A histogram is read as its statistics, one value each: 90 requests of 100 ns, 10 of
        // 1000 ns.
        assert_eq!(summary_of(&e, "http_req_duration", "avg"), (190.0, 1));
        assert_eq!(summary_of(&e, "http_req_duration", "p(50)"), (100.0, 1));
        assert_eq!(summary_of(&e, "http_req_duration", "p(99)"), (1000.0, 1));
        assert_eq!(summary_of(&e, "http_req_duration", "max"), (1000.0, 1));
        assert_eq!(summary_of(&e, "score", "points"), (42.5, 1));
        let names: Vec<String> = e
            .summary
            .as_ref()
            .unwrap()
            .series
            .iter()
            .map(|s| format!("{} {}", s.benchmark, s.metric))
            .collect();
        assert_eq!(names.len(), 2 + 7 + 1, "{names:?}");
        assert_eq!(e.meta.environment, run.meta.environment);
    }

    #[test]
    fn a_summary_is_written_per_benchmark_as_metric_value_count_and_unit() {
        let mut b = Benchmark::new("BenchmarkA");
        b.push(Metric::new(
            "time",
            Unit::Nanoseconds,
            Data::Samples(vec![1.5, 0.1 + 0.2, 7.0]),
        ));
        b.push(Metric::new(
            "bytes",
            Unit::Bytes,
            Data::Samples(vec![4096.0, 4096.0]),
        ));
        b.push(
            Metric::new("score", Unit::Count, Data::Value(0.1 + 0.2))
                .with_direction(Direction::HigherIsBetter),
        );
        let e = Index::default().entry_for(&Run::new(RunMeta::default(), vec![b]));
        let json = serde_json::to_string(&e.summary).unwrap();
        // The direction is written only where the name and unit do not imply it.
        assert_eq!(
            json,
            r#"{"BenchmarkA":{"time":[1.5,3,"ns"],"bytes":[4096,2,"B"],"score":[0.30000000000000004,1,"count","higher_is_better"]}}"#
        );
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(Some(back), e.summary, "every number reads back the same");
    }

    #[test]
    fn an_index_round_trips_with_one_entry_per_line() {
        let mut idx = Index::default();
        assert_eq!(Index::parse(&idx.to_json()).unwrap(), idx);
        for i in 0..3 {
            let mut r = mixed_run();
            r.meta.commit = Some(format!("c{i}"));
            let e = idx.entry_for(&r);
            idx.push_and_prune(e, 10);
        }
        let json = idx.to_json();
        assert_eq!(Index::parse(&json).unwrap(), idx);
        assert_eq!(json.lines().filter(|l| l.contains("\"id\"")).count(), 3);
        assert_eq!(json.lines().count(), 3 + 5, "{json}");
    }

    #[test]
    fn an_index_written_before_summaries_still_loads() {
        let old = r#"{
  "schema": "perfgate.store.v1",
  "runs": [
    {
      "id": "20261123T120000Z-abcdef123456",
      "commit": "abcdef1234567890",
      "branch": "main",
      "timestamp": "2026-11-23T12:00:00Z",
      "tool": "go",
      "benchmarks": 3
    }
  ]
}"#;
        let idx = Index::parse(old).unwrap();
        let e = &idx.runs[0];
        assert_eq!(e.benchmarks, 3);
        assert!(e.meta.environment.is_empty());
        assert_eq!(e.summary, None);
        assert_eq!(e.summary_run(), None, "its run file must be read instead");
        assert!(
            !idx.to_json().contains("summary"),
            "absent fields are not written"
        );
    }

    /// An index as `perfgate save` wrote it before entries held a [`RunMeta`]
    /// (`tests/fixtures/store/README.md`), and an entry as perfgate wrote it before summaries:
    /// read, then written again byte for byte.
    #[test]
    fn a_stored_index_is_written_again_byte_for_byte() {
        let text = include_str!("../../tests/fixtures/store/seven-runs-index.json");
        let idx = Index::parse(text).unwrap();
        assert_eq!(idx.runs.len(), 7);
        assert_eq!(idx.to_json(), text);
        let no_commit = &idx.runs[2];
        assert_eq!(
            (
                no_commit.meta.commit.as_deref(),
                no_commit.meta.tool.as_deref()
            ),
            (None, Some("hyperfine"))
        );
        let old = format!(
            "{{\n  \"schema\": \"{STORE_SCHEMA}\",\n  \"runs\": [\n    {}\n  ]\n}}\n",
            r#"{"id":"20261123T120000Z-abcdef123456","commit":"abcdef1234567890","branch":"main","timestamp":"2026-11-23T12:00:00Z","tool":"go","benchmarks":3}"#
        );
        assert_eq!(Index::parse(&old).unwrap().to_json(), old);
    }

    #[test]
    fn an_id_listed_twice_is_refused() {
        let e = Index::parse(&format!(
            r#"{{"schema":"{STORE_SCHEMA}","runs":[{{"id":"r1","benchmarks":1}},{{"id":"r2","benchmarks":1}},{{"id":"r1","benchmarks":1}}]}}"#
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "run 3 has the id `r1`, which an earlier run of the index has: the index was damaged or edited by hand"
        );
    }

    #[test]
    fn an_entry_with_a_field_perfgate_does_not_know_is_refused_by_name() {
        let e = Index::parse(&format!(
            r#"{{"schema":"{STORE_SCHEMA}","runs":[{{"id":"r1","benchmarks":1,"environmnet":{{}}}}]}}"#
        ))
        .unwrap_err();
        assert!(
            e.contains("unknown field `environmnet`, expected one of `id`, `commit`"),
            "{e}"
        );
    }

    #[test]
    fn a_summary_run_has_one_value_per_series_and_the_entry_metadata() {
        let run = mixed_run();
        let e = Index::default().entry_for(&run);
        let back = e.summary_run().unwrap();
        assert_eq!(back.meta, run.meta);
        let expected: Vec<(String, String, Unit, Direction, Vec<f64>)> = compare::series(&run)
            .into_iter()
            .map(|s| {
                let v = stats::log_median(&s.values).unwrap();
                (s.benchmark, s.metric, s.unit, s.direction, vec![v])
            })
            .collect();
        let got: Vec<(String, String, Unit, Direction, Vec<f64>)> = compare::series(&back)
            .into_iter()
            .map(|s| (s.benchmark, s.metric, s.unit, s.direction, s.values))
            .collect();
        assert_eq!(got, expected);
        let names: Vec<&str> = back.benchmarks.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["BenchmarkEncode-8", "http_req_duration", "score"]);
        // Read back from the index file too.
        let mut idx = Index::default();
        idx.push_and_prune(e, 10);
        let read = Index::parse(&idx.to_json()).unwrap();
        assert_eq!(read.runs[0].summary_run(), Some(back));
    }

    #[test]
    fn a_value_that_is_not_a_number_is_left_out_of_the_summary() {
        let mut b = Benchmark::new("B");
        b.push(Metric::new(
            "time",
            Unit::Nanoseconds,
            Data::Value(f64::NAN),
        ));
        b.push(Metric::new("bytes", Unit::Bytes, Data::Value(3.0)));
        let e = Index::default().entry_for(&Run::new(RunMeta::default(), vec![b]));
        let metrics: Vec<&str> = e
            .summary
            .as_ref()
            .unwrap()
            .series
            .iter()
            .map(|s| s.metric.as_str())
            .collect();
        assert_eq!(metrics, ["bytes"]);
        assert!(Index::parse(
            &Index {
                runs: vec![e],
                ..Index::default()
            }
            .to_json()
        )
        .is_ok());
    }

    /// 100 runs of 100 Go benchmarks with time, bytes and allocations (300 series), times with
    /// full-precision log medians: the size the module doc states.
    #[test]
    fn an_index_of_100_runs_of_300_series_stays_small() {
        let mut idx = Index::default();
        for r in 0..100u32 {
            let benchmarks = (0..100u32)
                .map(|b| {
                    let mut bench = Benchmark::new(format!("BenchmarkEncode/format=json{b:03}-48"));
                    let base = 1000.0 + f64::from(b) * 37.3;
                    let times: Vec<f64> = (0..10u32)
                        .map(|i| base * (1.0 + f64::from((i * 7 + r) % 11) / 1000.0))
                        .collect();
                    bench.push(Metric::new("time", Unit::Nanoseconds, Data::Samples(times)));
                    bench.push(Metric::new(
                        "alloc_bytes",
                        Unit::Bytes,
                        Data::Samples(vec![f64::from(512 + b); 10]),
                    ));
                    bench.push(Metric::new(
                        "allocs",
                        Unit::Count,
                        Data::Samples(vec![f64::from(b % 9); 10]),
                    ));
                    bench
                })
                .collect();
            let run = Run::new(
                RunMeta {
                    commit: Some(format!("{r:040x}")),
                    branch: Some("main".into()),
                    timestamp: Some(format!("2026-11-23T12:{:02}:{:02}Z", r / 60, r % 60)),
                    commit_time: None,
                    tool: Some("go".into()),
                    environment: crate::model::Environment {
                        os: Some("linux".into()),
                        arch: Some("amd64".into()),
                        cpu: Some("AMD EPYC 7763 64-Core Processor".into()),
                        cores: Some(4),
                        runner: Some("ubuntu24 20251112.1".into()),
                        ..Default::default()
                    },
                },
                benchmarks,
            );
            let e = idx.entry_for(&run);
            idx.push_and_prune(e, 100);
        }
        let bytes = idx.to_json().len();
        eprintln!("index of 100 runs x 300 series: {bytes} bytes");
        assert!(bytes < 1_300_000, "{bytes} bytes");
    }
}

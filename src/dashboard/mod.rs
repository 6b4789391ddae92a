//! The history dashboard: a static site (one self-contained `index.html` and a `data.js`) that
//! draws every series of a store's default branch over its runs, as the gate reads it.
//!
//! [`build`] reads store indexes (one per key) into a [`Dashboard`]: per series, one point per run
//! (the run value the index keeps), the runs left out as slow days, the level shifts with the
//! commit that started each, and the band a pull request's value is judged against
//! ([`crate::compare::history::read`], the same reading the gate uses), and first a list of what
//! changed on the branch lately, biggest shift first. [`site`] renders it into files. Pure: the
//! indexes come in as values and the files go out as strings.

pub mod site;

use std::collections::HashMap;

use serde::Serialize;

use crate::compare::{alert, history};
use crate::config::Config;
use crate::model::{instant, Direction};
use crate::store::Index;

/// Schema tag of the dashboard's data.
pub const DATA_SCHEMA: &str = "perfgate.dashboard.v1";

/// Runs at the end of a branch whose level shifts the "What changed" list shows, by default.
pub const DEFAULT_RECENT: usize = 20;

/// Significant digits a value keeps in the data file: finer than any chart or tooltip shows,
/// and a third of the bytes of a full `f64`.
const DIGITS: usize = 6;

/// One store's index, under the key its runs are recorded with (the data branch's folder; a
/// local store's is `default`).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub key: &'a str,
    pub index: &'a Index,
}

/// How the dashboard is built.
#[derive(Debug, Clone)]
pub struct Options {
    /// The branch whose runs are drawn (default: each index's `main`, else `master`).
    pub branch: Option<String>,
    /// Where a commit's page is: `{commit_url}{sha}` (`https://github.com/o/r/commit/`); None
    /// draws commits without links.
    pub commit_url: Option<String>,
    /// Runs at the end of each branch whose shifts are listed first.
    pub recent: usize,
    /// The page's title.
    pub title: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            branch: None,
            commit_url: None,
            recent: DEFAULT_RECENT,
            title: "perfgate dashboard".into(),
        }
    }
}

/// Everything the page draws. Field names are short: the file carries one record per series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub schema: &'static str,
    pub title: String,
    /// `{commit_url}{sha}` is a commit's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_url: Option<String>,
    /// The `recent` option.
    pub recent: usize,
    /// The latest run's time over every key: when the data was last recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub keys: Vec<KeyRuns>,
    /// Kinds of machine ([`crate::model::Environment::kind`]); series name theirs by position.
    pub machines: Vec<String>,
    pub series: Vec<SeriesData>,
    /// The level shifts of the last `recent` runs of each branch, biggest first.
    pub changes: Vec<Change>,
    /// Runs left out because their index entries carry no summary (written by a perfgate older
    /// than summaries).
    pub unsummarised: usize,
}

/// The runs of one key's branch, oldest first: a series' points name runs by position here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyRuns {
    pub key: String,
    pub branch: String,
    pub commits: Vec<Option<String>>,
    /// Each run's date on the charts: its commit's when recorded (the runs are in commit
    /// order, so a backfilled history reads in order), else the run's own time.
    pub times: Vec<Option<String>>,
}

/// One series (a metric of a benchmark on one kind of machine) over the runs of its key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesData {
    /// Position in [`Dashboard::keys`].
    pub k: usize,
    /// Benchmark and metric.
    pub b: String,
    pub m: String,
    /// Canonical unit (`ns`, `B`, `/s`...).
    pub u: String,
    /// 1 when higher is better.
    #[serde(skip_serializing_if = "is_zero")]
    pub hi: u8,
    /// Position in [`Dashboard::machines`].
    pub e: usize,
    /// The gate's threshold for the series.
    pub t: f64,
    /// The runs that have a value, as positions in the key's runs.
    pub x: Vec<usize>,
    /// The run values, one per `x`.
    pub y: Vec<f64>,
    /// Values each run value summarises (samples): one number when every run has the same.
    pub n: Samples,
    /// Positions in `x` of the runs left out as far from their level (slow days).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub far: Vec<usize>,
    /// Position in `x` of the latest run when it lies apart from the runs before it (left out
    /// until the next runs tell a one-off from a new level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apart: Option<usize>,
    /// The levels: from a position in `x` on, the geometric mean of the runs kept there.
    pub lv: Vec<(usize, f64)>,
    /// Level shifts: position in `x` of the first run of the new level, the change, and 1 when
    /// it is for the worse.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sh: Vec<(usize, f64, u8)>,
    /// The band the next run's value is judged against: low, high, and the position in `x`
    /// from which it is drawn (the current level's first run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<(f64, f64, usize)>,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

/// Samples per run value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Samples {
    Same(usize),
    Each(Vec<usize>),
}

/// A level shift among the recent runs: the series, the shift (position in the series' shifts),
/// and what the list shows of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Position in [`Dashboard::series`].
    pub s: usize,
    /// Position in the series' `sh`.
    pub i: usize,
    /// Run (position in the key's runs) that started it.
    pub run: usize,
    pub change: f64,
    pub worse: bool,
}

/// A value with [`DIGITS`] significant digits, written in its shortest form.
fn round(v: f64) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    format!("{v:.prec$e}", prec = DIGITS - 1)
        .parse()
        .unwrap_or(v)
}

/// The series of one key's branch, in the order their benchmarks first appear.
struct Collect<'a> {
    order: Vec<(&'a str, &'a str, &'a str, usize)>,
    at: HashMap<(&'a str, &'a str, &'a str, usize), usize>,
    points: Vec<Vec<(usize, f64, usize)>>,
    direction: Vec<Direction>,
}

/// Builds the dashboard of `sources` under `config` (thresholds per series, ignored series, the
/// history's confidence and `min_points`).
pub fn build(sources: &[Source<'_>], config: &Config, options: &Options) -> Dashboard {
    let mut machines: Vec<String> = Vec::new();
    let mut machine_at: HashMap<String, usize> = HashMap::new();
    let mut keys = Vec::new();
    let mut series = Vec::new();
    let mut unsummarised = 0;
    let mut updated: Option<String> = None;
    for source in sources {
        let branch = options
            .branch
            .clone()
            .or_else(|| source.index.default_branch().map(str::to_string));
        let Some(branch) = branch else { continue };
        let runs: Vec<_> = source
            .index
            .runs
            .iter()
            .filter(|e| e.meta.branch.as_deref() == Some(branch.as_str()))
            .collect();
        let mut c = Collect {
            order: Vec::new(),
            at: HashMap::new(),
            points: Vec::new(),
            direction: Vec::new(),
        };
        for (run, entry) in runs.iter().enumerate() {
            let Some(summary) = &entry.summary else {
                unsummarised += 1;
                continue;
            };
            let kind = entry.meta.environment.kind();
            let e = *machine_at.entry(kind.clone()).or_insert_with(|| {
                machines.push(kind);
                machines.len() - 1
            });
            for s in &summary.series {
                let id = (s.benchmark.as_str(), s.metric.as_str(), s.unit.as_str(), e);
                let at = *c.at.entry(id).or_insert_with(|| {
                    c.order.push(id);
                    c.points.push(Vec::new());
                    c.direction.push(s.direction);
                    c.order.len() - 1
                });
                if let Some(p) = c.points.get_mut(at) {
                    p.push((run, s.value, s.n));
                }
            }
        }
        let k = keys.len();
        for ((id, points), direction) in c.order.iter().zip(&c.points).zip(&c.direction) {
            let (benchmark, metric, _, _) = *id;
            let r = config.resolve(benchmark, metric);
            if r.ignore {
                continue;
            }
            let direction = r.direction.unwrap_or(*direction);
            series.push(one_series(k, id, points, direction, r.threshold, config));
        }
        // The latest instant, not the greatest text: `10:00+05:00` is before `06:00Z`.
        for t in runs.iter().filter_map(|e| e.meta.timestamp.as_ref()) {
            let Some(at) = instant(t) else { continue };
            if updated.as_deref().and_then(instant).is_none_or(|u| at > u) {
                updated = Some(t.clone());
            }
        }
        keys.push(KeyRuns {
            key: source.key.to_string(),
            branch,
            commits: runs.iter().map(|e| e.meta.commit.clone()).collect(),
            times: runs
                .iter()
                .map(|e| {
                    e.meta
                        .commit_time
                        .clone()
                        .or_else(|| e.meta.timestamp.clone())
                })
                .collect(),
        });
    }
    let changes = recent_changes(&series, &keys, options.recent);
    Dashboard {
        schema: DATA_SCHEMA,
        title: options.title.clone(),
        commit_url: options.commit_url.clone(),
        recent: options.recent,
        updated,
        keys,
        machines,
        series,
        changes,
        unsummarised,
    }
}

/// One series from its points (run position, run value, samples), read as the gate reads it.
fn one_series(
    k: usize,
    id: &(&str, &str, &str, usize),
    points: &[(usize, f64, usize)],
    direction: Direction,
    threshold: f64,
    config: &Config,
) -> SeriesData {
    let (benchmark, metric, unit, e) = *id;
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    let reading = history::read(
        &values,
        threshold,
        config.history.confidence,
        config.history.min_points,
    );
    let lv = reading
        .levels(&values)
        .into_iter()
        .filter_map(|l| l.mean.map(|m| (l.start, round(m))))
        .collect();
    let band = reading.band.map(|p| {
        let from = reading
            .shifts
            .last()
            .map_or(reading.kept.first().copied().unwrap_or(0), |s| s.start);
        (round(p.lo), round(p.hi), from)
    });
    let n: Vec<usize> = points.iter().map(|p| p.2).collect();
    let n = match n.first() {
        Some(&first) if n.iter().all(|&x| x == first) => Samples::Same(first),
        _ => Samples::Each(n),
    };
    SeriesData {
        k,
        b: benchmark.to_string(),
        m: metric.to_string(),
        u: unit.to_string(),
        hi: u8::from(direction == Direction::HigherIsBetter),
        e,
        t: threshold,
        x: points.iter().map(|p| p.0).collect(),
        y: values.iter().map(|v| round(*v)).collect(),
        n,
        far: reading
            .far_out
            .iter()
            .enumerate()
            .filter(|(_, f)| **f)
            .map(|(i, _)| i)
            .collect(),
        apart: reading
            .latest_apart
            .then(|| values.len().checked_sub(1))
            .flatten(),
        lv,
        sh: reading
            .shifts
            .iter()
            .map(|s| {
                (
                    s.start,
                    round(s.change),
                    u8::from(alert::is_worse(s.change, direction)),
                )
            })
            .collect(),
        band,
    }
}

/// The level shifts that started within the last `recent` runs of their key's branch, biggest
/// first (by the size of the change on a log scale, so +50% and -33% rank alike).
fn recent_changes(series: &[SeriesData], keys: &[KeyRuns], recent: usize) -> Vec<Change> {
    let mut out = Vec::new();
    for (s, data) in series.iter().enumerate() {
        let runs = keys.get(data.k).map_or(0, |k| k.commits.len());
        let since = runs.saturating_sub(recent);
        for (i, &(at, change, worse)) in data.sh.iter().enumerate() {
            let Some(&run) = data.x.get(at) else { continue };
            if run >= since {
                out.push(Change {
                    s,
                    i,
                    run,
                    change,
                    worse: worse == 1,
                });
            }
        }
    }
    let size = |c: &Change| (1.0 + c.change).ln().abs();
    out.sort_by(|a, b| size(b).total_cmp(&size(a)).then(a.s.cmp(&b.s)));
    out
}

#[cfg(test)]
mod tests;

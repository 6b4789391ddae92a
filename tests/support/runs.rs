//! Runs the Action's tests record and compare: commits named by a number, and a Go-like benchmark.

use perfgate::formats::perfgate as run_format;
use perfgate::model::{Benchmark, Data, Metric, Run, RunMeta, Unit};
use perfgate::store::Index;

use super::fake::FakeGitHub;
use super::runner::DATA_BRANCH;

/// The head commit of the tests' pull requests.
pub const HEAD_SHA: &str = "2222222222222222222222222222222222222222";

/// The 40-hex-digit commit numbered `i`.
pub fn sha(i: usize) -> String {
    format!("{i:040x}")
}

/// A Go-like run: `BenchmarkParse-8` with ten time samples around `level` ns (0.1% apart).
pub fn go_run(level: f64, meta: RunMeta) -> Run {
    let samples = (0..10).map(|i| level * (1.0 + f64::from(i) / 1000.0));
    let mut b = Benchmark::new("BenchmarkParse-8");
    b.push(Metric::new(
        "time",
        Unit::Nanoseconds,
        Data::Samples(samples.collect()),
    ));
    Run::new(meta, vec![b])
}

/// The metadata of main's run number `i`: commit `sha(i)`, recorded at minute `i`.
pub fn main_meta(i: usize) -> RunMeta {
    RunMeta {
        commit: Some(sha(i)),
        branch: Some("main".into()),
        timestamp: Some(format!("2026-11-18T11:{i:02}:00Z")),
        tool: Some("perfgate".into()),
        ..RunMeta::default()
    }
}

/// Commits `runs` (oldest first) to the data branch of `fake` under the key `default`, as saves
/// write them: a file per run and the index, which it returns.
pub fn record_runs(fake: &FakeGitHub, runs: impl IntoIterator<Item = Run>) -> Index {
    let mut index = Index::default();
    let mut files = Vec::new();
    for r in runs {
        let entry = index.entry_for(&r);
        files.push((
            format!("default/runs/{}.json", entry.id),
            run_format::to_string(&r),
        ));
        index.push_and_prune(entry, 100);
    }
    files.push(("default/index.json".into(), index.to_json()));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    fake.state().commit_files(DATA_BRANCH, &files);
    index
}

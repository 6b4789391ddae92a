//! cargo bench output around the results: which bench binary a `Running ...` line announces, and
//! how results of several binaries are named (shared by the libtest and criterion text readers).

use std::collections::BTreeMap;

use crate::model::{Benchmark, Benchmarks, Metric};

/// The bench binary a cargo `Running ...` line announces: the executable's name without its hash
/// (`target/release/deps/foo-0123abcd` -> `foo`), else the source path (`benches/foo.rs`).
pub(crate) fn cargo_target(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix("Running ")?;
    let rest = rest.trim().trim_matches('`');
    let rest = rest.strip_prefix("unittests").unwrap_or(rest).trim_start();
    let (path, exe) = if let Some(inner) = rest.strip_prefix('(') {
        ("", Some(inner.trim_end_matches(')')))
    } else if let Some((p, e)) = rest.split_once(" (") {
        (p.trim(), Some(e.trim_end_matches(')')))
    } else {
        let first = rest.split_whitespace().next().unwrap_or("");
        if first.contains("/deps/") || first.contains("\\deps\\") {
            ("", Some(first))
        } else {
            (first, None)
        }
    };
    let stem = exe.and_then(|e| {
        let file = e.rsplit(['/', '\\']).next()?.trim_end_matches(".exe");
        let stem = match file.rsplit_once('-') {
            Some((s, hash)) if !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit()) => s,
            _ => file,
        };
        (!stem.is_empty()).then(|| stem.to_string())
    });
    stem.or_else(|| (!path.is_empty()).then(|| path.to_string()))
}

/// How cargo bench readers qualify a name found in two bench binaries: `<target>::<name>`.
pub(crate) fn qualify_with_target(target: &str, name: &str) -> String {
    format!("{target}::{name}")
}

/// One result line (or block) before names are made unique across bench binaries.
pub(crate) struct Result1 {
    pub target: Option<String>,
    pub name: String,
    pub metrics: Vec<Metric>,
}

/// Turns results into benchmarks in first-seen order: a name that occurs under two targets is
/// qualified as `qualify(target, name)`; repeats of one name under one target pool into samples.
/// Also used for other groupings than bench binaries (Catch2's test cases).
pub(crate) fn assemble(results: Vec<Result1>, qualify: fn(&str, &str) -> String) -> Vec<Benchmark> {
    // Per name, its first target and whether another target has it too: a list of the targets
    // searched per result took seconds for one name in 40,000 bench binaries.
    let mut targets_of: BTreeMap<&str, (&Option<String>, bool)> = BTreeMap::new();
    for r in &results {
        let seen = targets_of.entry(&r.name).or_insert((&r.target, false));
        seen.1 = seen.1 || *seen.0 != r.target;
    }
    let collides: Vec<bool> = results
        .iter()
        .map(|r| targets_of.get(r.name.as_str()).is_some_and(|t| t.1))
        .collect();
    let mut benchmarks = Benchmarks::default();
    for (r, collides) in results.into_iter().zip(collides) {
        let name = match (&r.target, collides) {
            (Some(t), true) => qualify(t, &r.name),
            _ => r.name,
        };
        benchmarks.add(name, r.metrics);
    }
    benchmarks.into_vec()
}

//! The store index (`index.json`, schema `perfgate.store.v1`): one entry per recorded run, oldest
//! first. Pure: choosing ids, the baseline entry and what to prune happens here, files elsewhere.

use serde::{Deserialize, Serialize};

use crate::model::Run;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// Unique id; the run file is `runs/<id>.json`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    pub benchmarks: usize,
}

impl Index {
    /// Reads an index, refusing other schemas.
    pub fn parse(text: &str) -> Result<Index, String> {
        let index: Index = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if index.schema != STORE_SCHEMA {
            return Err(format!(
                "unsupported store schema `{}`: this perfgate reads `{STORE_SCHEMA}` (was the store written by a newer perfgate?)",
                index.schema
            ));
        }
        Ok(index)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A new entry for `run` with an id that sorts by time and is unique in this index.
    pub fn entry_for(&self, run: &Run) -> IndexEntry {
        let stamp: String = run
            .meta
            .timestamp
            .as_deref()
            .unwrap_or("run")
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
            commit: run.meta.commit.clone(),
            branch: run.meta.branch.clone(),
            timestamp: run.meta.timestamp.clone(),
            tool: run.meta.tool.clone(),
            benchmarks: run.benchmarks.len(),
        }
    }

    /// The most recent entry of `branch` (any branch when None).
    pub fn latest(&self, branch: Option<&str>) -> Option<&IndexEntry> {
        self.runs
            .iter()
            .rev()
            .find(|e| branch.is_none() || e.branch.as_deref() == branch)
    }

    /// The last `n` entries of `branch` (any branch when None), oldest first.
    pub fn last(&self, branch: Option<&str>, n: usize) -> Vec<&IndexEntry> {
        let mut out: Vec<&IndexEntry> = self
            .runs
            .iter()
            .rev()
            .filter(|e| branch.is_none() || e.branch.as_deref() == branch)
            .take(n)
            .collect();
        out.reverse();
        out
    }

    /// The baseline branch when none is configured: `main`, else `master`, else any.
    pub fn default_branch(&self) -> Option<&str> {
        ["main", "master"]
            .into_iter()
            .find(|b| self.runs.iter().any(|e| e.branch.as_deref() == Some(*b)))
    }

    /// Appends `entry` and returns the entries to delete so that at most `keep` runs of its
    /// branch remain (oldest first).
    pub fn push_and_prune(&mut self, entry: IndexEntry, keep: usize) -> Vec<IndexEntry> {
        let branch = entry.branch.clone();
        self.runs.push(entry);
        let same: Vec<usize> = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, e)| e.branch == branch)
            .map(|(i, _)| i)
            .collect();
        let excess = same.len().saturating_sub(keep.max(1));
        let doomed: Vec<usize> = same.into_iter().take(excess).collect();
        let mut removed = Vec::new();
        let mut i = 0;
        self.runs.retain(|e| {
            let drop = doomed.contains(&i);
            i += 1;
            if drop {
                removed.push(e.clone());
            }
            !drop
        });
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunMeta;

    fn run(commit: &str, branch: &str, ts: &str) -> Run {
        Run::new(
            RunMeta {
                commit: Some(commit.into()),
                branch: Some(branch.into()),
                timestamp: Some(ts.into()),
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
            .filter_map(|e| e.commit.as_deref())
            .collect();
        assert_eq!(commits, ["c2", "c3", "c4", "f"]);
        assert_eq!(
            idx.latest(Some("main")).and_then(|e| e.commit.as_deref()),
            Some("c4")
        );
        assert_eq!(
            idx.latest(None).and_then(|e| e.commit.as_deref()),
            Some("f")
        );
        assert_eq!(idx.default_branch(), Some("main"));
        let last: Vec<_> = idx
            .last(Some("main"), 2)
            .iter()
            .filter_map(|e| e.commit.as_deref())
            .collect();
        assert_eq!(last, ["c3", "c4"]);
        assert_eq!(idx.last(Some("main"), 10).len(), 3);
        assert_eq!(idx.last(None, 2).len(), 2);
        assert!(idx.last(Some("nope"), 5).is_empty());
    }

    #[test]
    fn refuses_an_index_of_another_schema() {
        let e = Index::parse(r#"{"schema":"perfgate.store.v2","runs":[]}"#).unwrap_err();
        assert!(e.contains("newer perfgate"), "{e}");
    }
}

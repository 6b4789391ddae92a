//! A baseline store in a local directory: `index.json` plus `runs/<id>.json`, each written to a
//! temporary file and renamed into place, so a crash never leaves a half-written run or index.
//! The run file is written before the index names it; pruned files are deleted after the index no
//! longer names them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{BaselineStore, Index, IndexEntry, StoreError};
use crate::formats::perfgate;
use crate::model::Run;

pub struct LocalStore {
    dir: PathBuf,
}

impl LocalStore {
    pub fn new(dir: impl Into<PathBuf>) -> LocalStore {
        LocalStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn index_path(&self) -> PathBuf {
        self.dir.join("index.json")
    }

    fn run_path(&self, id: &str) -> PathBuf {
        self.dir.join("runs").join(format!("{id}.json"))
    }

    /// The store's index (empty for a store not written yet), read once for a caller that
    /// looks up several things in it.
    pub fn index(&self) -> Result<Index, StoreError> {
        self.load_index()
    }

    /// The runs of `entries` (from [`LocalStore::index`]), in their order, each with its entry.
    pub fn runs_of(&self, entries: Vec<&IndexEntry>) -> Result<Vec<(IndexEntry, Run)>, StoreError> {
        entries
            .into_iter()
            .map(|entry| Ok((entry.clone(), self.load_run(entry)?)))
            .collect()
    }

    fn load_index(&self) -> Result<Index, StoreError> {
        let path = self.index_path();
        match fs::read_to_string(&path) {
            Ok(text) => Index::parse(&text).map_err(|message| StoreError::Corrupt {
                path: path.display().to_string(),
                message,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A new store, unless runs are there: an index lost from a store whose runs
                // remain would be written afresh by the next save, and every run orphaned.
                let runs = fs::read_dir(self.dir.join("runs"))
                    .map(|d| {
                        d.filter_map(Result::ok)
                            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                            .count()
                    })
                    .unwrap_or(0);
                if runs > 0 {
                    return Err(StoreError::Corrupt {
                        path: path.display().to_string(),
                        message: format!(
                            "missing, while `runs/` holds {runs} run file{}: the store is damaged. Restore index.json (from a backup or the cache it came from), or move `runs/` away to start a new store",
                            if runs == 1 { "" } else { "s" }
                        ),
                    });
                }
                Ok(Index::default())
            }
            Err(source) => Err(StoreError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    fn load_run(&self, entry: &IndexEntry) -> Result<Run, StoreError> {
        let path = self.run_path(&entry.id);
        let text = fs::read_to_string(&path).map_err(|source| StoreError::Io {
            path: path.display().to_string(),
            source,
        })?;
        perfgate::parse(&text).map_err(|e| StoreError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

impl BaselineStore for LocalStore {
    fn latest(&self, branch: Option<&str>) -> Result<Option<(IndexEntry, Run)>, StoreError> {
        let index = self.load_index()?;
        match index.latest(branch) {
            Some(entry) => Ok(Some((entry.clone(), self.load_run(entry)?))),
            None => Ok(None),
        }
    }

    fn history(
        &self,
        branch: Option<&str>,
        n: usize,
    ) -> Result<Vec<(IndexEntry, Run)>, StoreError> {
        self.runs_of(self.load_index()?.last(branch, n))
    }

    fn save(&self, run: &Run, keep: usize) -> Result<IndexEntry, StoreError> {
        let mut index = self.load_index()?;
        let entry = index.entry_for(run);
        write_atomic(&self.run_path(&entry.id), &perfgate::to_string(run))?;
        let removed = index.push_and_prune(entry.clone(), keep);
        write_atomic(&self.index_path(), &index.to_json())?;
        for old in removed {
            // A leftover file is harmless: the index no longer names it.
            let _ = fs::remove_file(self.run_path(&old.id));
        }
        Ok(entry)
    }

    fn entries(&self) -> Result<Vec<IndexEntry>, StoreError> {
        Ok(self.load_index()?.runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Benchmark, Data, Metric, RunMeta, Unit};

    fn run(commit: &str, v: f64) -> Run {
        let mut b = Benchmark::new("BenchmarkA");
        b.push(Metric::new("time", Unit::Nanoseconds, Data::Value(v)));
        Run::new(
            RunMeta {
                commit: Some(commit.into()),
                branch: Some("main".into()),
                timestamp: Some("2026-11-23T12:00:00Z".into()),
                ..RunMeta::default()
            },
            vec![b],
        )
    }

    #[test]
    fn saves_reads_back_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        assert!(store.latest(None).unwrap().is_none());
        for (i, c) in ["a1", "b2", "c3"].iter().enumerate() {
            store.save(&run(c, i as f64), 2).unwrap();
        }
        let (entry, latest) = store.latest(Some("main")).unwrap().unwrap();
        assert_eq!(entry.meta.commit.as_deref(), Some("c3"));
        assert_eq!(latest, run("c3", 2.0));
        assert_eq!(store.entries().unwrap().len(), 2);
        let files = fs::read_dir(dir.path().join("runs")).unwrap().count();
        assert_eq!(files, 2, "the pruned run file is deleted");
    }

    /// A save into a store whose index was lost wrote a fresh one and orphaned every run.
    #[test]
    fn a_store_whose_index_is_lost_is_damaged_not_new() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        store.save(&run("c0", 1.0), 100).unwrap();
        fs::remove_file(dir.path().join("index.json")).unwrap();
        let err = store.save(&run("c1", 2.0), 100).unwrap_err().to_string();
        assert!(
            err.contains("missing, while `runs/` holds 1 run file"),
            "{err}"
        );
        assert!(!dir.path().join("index.json").exists());
        assert!(store.entries().is_err());
        // A directory without runs is a new store.
        let fresh = tempfile::tempdir().unwrap();
        assert!(LocalStore::new(fresh.path()).entries().unwrap().is_empty());
    }

    #[test]
    fn history_reads_the_last_runs_of_a_branch_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        for i in 0..5 {
            store.save(&run(&format!("c{i}"), i as f64), 100).unwrap();
        }
        let h = store.history(Some("main"), 3).unwrap();
        let commits: Vec<_> = h
            .iter()
            .filter_map(|(e, _)| e.meta.commit.as_deref())
            .collect();
        assert_eq!(commits, ["c2", "c3", "c4"]);
        assert_eq!(h.last().map(|(_, r)| r.clone()), Some(run("c4", 4.0)));
        assert!(store.history(Some("dev"), 3).unwrap().is_empty());
        // Only the runs asked for are read: a damaged older run does not matter.
        let oldest = &store.entries().unwrap()[0];
        fs::write(
            dir.path().join("runs").join(format!("{}.json", oldest.id)),
            "x",
        )
        .unwrap();
        assert_eq!(store.history(Some("main"), 4).unwrap().len(), 4);
        let e = store.history(Some("main"), 5).unwrap_err().to_string();
        assert!(
            e.contains(&format!("{}.json", oldest.id)),
            "the error names the run: {e}"
        );
    }

    #[test]
    fn a_corrupt_index_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.json"), "{not json").unwrap();
        let e = LocalStore::new(dir.path()).latest(None).unwrap_err();
        assert!(e.to_string().contains("index.json"), "{e}");
    }
}

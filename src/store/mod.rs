//! Baseline stores: where runs are recorded and baselines are read from. [`BaselineStore`] is the
//! interface; [`local::LocalStore`] keeps a directory (one file per run plus an index). Load before
//! comparing, save after; never during.

pub mod index;
pub mod local;

use crate::model::Run;

pub use index::{Index, IndexEntry, NoBaseline, Placed, STORE_SCHEMA};
pub use local::LocalStore;

/// A store problem, naming the path involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Corrupt { path: String, message: String },
}

/// Where runs live.
pub trait BaselineStore {
    /// The most recent run of `branch` (any branch when None).
    fn latest(&self, branch: Option<&str>) -> Result<Option<(IndexEntry, Run)>, StoreError>;
    /// The last `n` runs of `branch` (any branch when None), oldest first, so the latest run is
    /// last. Reads only those runs. A store that cannot list past runs returns the latest alone.
    fn history(
        &self,
        branch: Option<&str>,
        n: usize,
    ) -> Result<Vec<(IndexEntry, Run)>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        Ok(self.latest(branch)?.into_iter().collect())
    }
    /// Records a run and prunes the oldest beyond `keep` runs of its branch; returns its entry.
    fn save(&self, run: &Run, keep: usize) -> Result<IndexEntry, StoreError>;
    /// Every recorded run's entry, oldest first.
    fn entries(&self) -> Result<Vec<IndexEntry>, StoreError>;
}

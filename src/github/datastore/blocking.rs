//! [`DataBranch`] behind the sync [`BaselineStore`] interface, for the CLI.

use super::*;

/// [`DataBranch`] behind the sync [`BaselineStore`] interface, run on a [`GitHub`] facade's
/// runtime.
#[derive(Debug, Clone)]
pub struct BlockingDataBranch {
    github: GitHub,
    inner: DataBranch,
}

impl BlockingDataBranch {
    pub fn new(github: &GitHub, repo: Repo, branch: &str, key: &str) -> BlockingDataBranch {
        BlockingDataBranch {
            inner: DataBranch::new(github.client().clone(), repo, branch, key),
            github: github.clone(),
        }
    }

    pub fn inner(&self) -> &DataBranch {
        &self.inner
    }

    /// See [`DataBranch::baseline`].
    pub fn baseline(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
    ) -> Result<Option<Baseline>, DataError> {
        self.github
            .block_on(self.inner.baseline(base_sha, default_branch))
    }

    /// See [`DataBranch::run_for_commit`].
    pub fn run_for_commit(&self, sha: &str) -> Result<Option<(IndexEntry, Run)>, DataError> {
        self.github.block_on(self.inner.run_for_commit(sha))
    }

    /// [`BaselineStore::save`] with the whole outcome (pruning, conflicts, branch creation).
    pub fn save_run(&self, run: &Run, keep: usize) -> Result<SaveOutcome, DataError> {
        self.github.block_on(self.inner.save(run, keep))
    }

    /// [`DataBranch::save_with_site`].
    pub fn save_run_with_site(
        &self,
        run: &Run,
        keep: usize,
        site: &Site<'_>,
    ) -> Result<SaveOutcome, DataError> {
        self.github
            .block_on(self.inner.save_with_site(run, keep, Some(site)))
    }
}

/// The trait's errors name a path; a network failure becomes an I/O error of the file involved.
fn store_error(e: DataError) -> StoreError {
    match e {
        DataError::Corrupt { location, message } => StoreError::Corrupt {
            path: location,
            message,
        },
        DataError::Api { location, source } => StoreError::Io {
            path: location,
            source: std::io::Error::other(source),
        },
        contended @ DataError::Contended { .. } => StoreError::Io {
            path: contended.location().to_string(),
            source: std::io::Error::other(contended.to_string()),
        },
    }
}

impl BaselineStore for BlockingDataBranch {
    fn latest(&self, branch: Option<&str>) -> Result<Option<(IndexEntry, Run)>, StoreError> {
        self.github
            .block_on(self.inner.latest(branch))
            .map_err(store_error)
    }

    fn save(&self, run: &Run, keep: usize) -> Result<IndexEntry, StoreError> {
        self.save_run(run, keep)
            .map(|o| o.entry)
            .map_err(store_error)
    }

    fn entries(&self) -> Result<Vec<IndexEntry>, StoreError> {
        self.github
            .block_on(self.inner.index())
            .map(|i| i.runs)
            .map_err(store_error)
    }
}

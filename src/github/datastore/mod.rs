//! Baselines on a data branch of the repository (default `perfgate-data`), through the REST API:
//! the GitHub twin of [`crate::store::LocalStore`], behind the same [`BaselineStore`] interface.
//!
//! Layout, one folder per `key` (several perfgate steps or matrix jobs keep separate series):
//!
//! ```text
//! <key>/index.json          perfgate.store.v1 index, oldest run first (crate::store::Index),
//!                           with each run's summary: one value per series
//! <key>/runs/<id>.json      one perfgate.run.v1 run per entry, samples and all
//! index.html, data.js       the dashboard of every key, with `dashboard: true` (crate::dashboard)
//! .nojekyll                 so that GitHub Pages serves the branch as it is
//! ```
//!
//! API calls (none depends on the history length):
//! - Reading a baseline ([`DataBranch::baseline`], [`DataBranch::latest`],
//!   [`DataBranch::run_for_commit`]): GET the index (1 call; 2 when it is over 1 MB) and GET the
//!   chosen run with the raw media type (1 call, any size up to 100 MB). Only reads, so a
//!   read-only token (fork pull requests) works. A missing branch or index is "no baseline".
//! - Reading a baseline with its history ([`DataBranch::baseline_with_history`]): the same 2 (or
//!   3) calls whatever the window, since the earlier runs come from the index's summaries. One
//!   more per earlier run whose samples the comparison needs ([`FullRuns`]): the latest run on
//!   the current run's kind of machine when the baseline ran on another (1), the runs pooled by
//!   `history.pool` (`pool - 1`). Entries written by a perfgate older than summaries have none:
//!   those runs are read from their files, one call each, until newer saves push them out of the
//!   window.
//! - First save, branch absent: GET ref (404), 2 blobs, 1 tree, 1 root commit, 1 ref = 6 calls.
//!   If another save created the branch meanwhile (422 on the ref), this one continues as a
//!   later save.
//! - Later save: GET ref, GET index (with its blob sha), PUT the run file at a new unique path,
//!   PUT the index naming the sha it read, the run's summary in its new entry = 4 calls. A
//!   409/422 on the index (another save got in first) re-reads the index, re-applies the new
//!   entry and tries again (2 calls a round, bounded, with jittered backoff), so concurrent saves
//!   never lose a run. If an earlier attempt did land (an answer lost after a 5xx), the entry is
//!   found in the index and not added twice.
//! - Pruning, when the index drops runs beyond `keep` per branch: 3 more calls. DELETE is not
//!   among the operations perfgate may use, so the files go in one Git Data commit on top of the
//!   index commit: create-tree with `base_tree` = the tree the index PUT answered with and a
//!   `sha: null` entry per dropped file (GitHub's way to delete a path), create-commit with the
//!   index commit as parent, and a fast-forward-only ref update. No directory listing is needed,
//!   so the cost does not grow with the number of files (the contents API also stops listing at
//!   1,000 entries). If another save moved the branch in between (422), there is no fresh base
//!   tree to redo the commit on without more API operations, so the deletion is skipped and
//!   reported in [`SaveOutcome::prune_warning`]: the runs are already out of the index, which is
//!   all reads use; only their files stay behind.
//! - The dashboard ([`DataBranch::save_with_site`]): on the first save its files go into the
//!   commit that creates the branch (one blob each). Later, they share the pruning's follow-up
//!   commit, which is then made on every save: GET the root tree the index PUT answered with
//!   (1), GET each other key's index (1 per key), a blob per file (2, 3 with `.nojekyll` the
//!   first time), create-tree, create-commit and the ref update (3). However many series: the
//!   data is one file. When the index write landed but its answer was lost, the follow-up commit
//!   goes on the branch's head instead (GET ref and GET commit for its tree: 2 more).

mod blocking;
mod save;

use std::time::Duration;

use super::api::{jitter, ApiError, Client, FileCommit, GitHub, Repo, TreeEntry};
use super::comment::sanitize_key;
use crate::formats::perfgate;
use crate::model::Run;
use crate::report::words::short_commit;
use crate::store::{BaselineStore, Index, IndexEntry, Placed, StoreError};

pub use blocking::BlockingDataBranch;

pub const DEFAULT_DATA_BRANCH: &str = "perfgate-data";

/// Runs kept per branch and key when the caller has no setting.
pub const DEFAULT_KEEP: usize = 100;

/// Rounds of "re-read the index and try again" a save makes before giving up.
pub const DEFAULT_CONFLICT_RETRIES: u32 = 6;

/// How often a run file may collide with one of the same id before the save gives up.
const ID_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{location}: {source}")]
    Api {
        location: String,
        #[source]
        source: ApiError,
    },
    #[error("{location}: {message}")]
    Corrupt { location: String, message: String },
    #[error("{location}: gave up after {attempts} attempts: other saves kept changing the index at the same time; re-run the job")]
    Contended { location: String, attempts: u32 },
}

impl DataError {
    /// `branch:path` of the file involved (the branch alone for whole-branch operations).
    pub fn location(&self) -> &str {
        match self {
            DataError::Api { location, .. }
            | DataError::Corrupt { location, .. }
            | DataError::Contended { location, .. } => location,
        }
    }
}

/// Which run a pull request is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineKind {
    /// The run recorded for the pull request's base commit.
    BaseCommit,
    /// No run for the base commit: the latest run of this branch.
    LatestOfBranch(String),
    /// No base commit to look for (a push): the latest run of this branch.
    Latest(String),
    /// A push of a commit older than the branch's latest run (its job finished late): the
    /// latest run of this branch committed before it.
    CommittedBefore(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub entry: IndexEntry,
    pub run: Run,
    pub kind: BaselineKind,
    /// Earlier runs of the baseline's branch, oldest first, up to the requested window (for
    /// history-aware decisions); empty unless asked for. Summary runs (one value per series),
    /// except those read in full (see [`FullRuns`]).
    pub before: Vec<Run>,
}

/// A run in words: its short commit and its time, "abc1234 (2026-11-23T12:00:00Z)".
pub fn run_words(commit: Option<&str>, timestamp: Option<&str>) -> String {
    let commit = commit
        .map(|c| short_commit(c).to_string())
        .unwrap_or_else(|| "unknown commit".into());
    match timestamp {
        Some(t) => format!("{commit} ({t})"),
        None => commit,
    }
}

impl Baseline {
    /// For the report: which run this is, e.g. "`main` at abc1234 (2026-11-23T12:00:00Z), the
    /// base commit".
    pub fn describe(&self) -> String {
        let run = run_words(
            self.entry.meta.commit.as_deref(),
            self.entry.meta.timestamp.as_deref(),
        );
        match &self.kind {
            BaselineKind::BaseCommit => format!("{run}, the base commit"),
            BaselineKind::LatestOfBranch(b) => {
                format!("{run}, the latest run of `{b}` (none for the base commit)")
            }
            BaselineKind::Latest(b) => format!("{run}, the latest run of `{b}`"),
            BaselineKind::CommittedBefore(b) => {
                format!("{run}, the latest run of `{b}` committed before this one")
            }
        }
    }
}

/// Which runs of a history [`DataBranch::baseline_with_history`] reads from their files, with
/// their samples, instead of as their index summaries: given the history's runs (the earlier
/// ones, then the baseline run), the positions of those whose samples the comparison uses —
/// [`crate::compare::runs_with_samples`] with the current run and the configuration. The
/// baseline run itself is always read from its file.
pub type FullRuns<'a> = dyn Fn(&[&Run]) -> Vec<usize> + 'a;

/// [`FullRuns`] that reads no earlier run in full: the baseline run alone has its samples.
pub fn summaries_only(_: &[&Run]) -> Vec<usize> {
    Vec::new()
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    pub entry: IndexEntry,
    /// The data branch did not exist and was created.
    pub created_branch: bool,
    /// Ids of runs dropped from the index beyond `keep`.
    pub pruned: Vec<String>,
    /// Set when the dropped runs' files could not be deleted (they stay, unreferenced).
    pub prune_warning: Option<String>,
    /// How many times the index changed under this save before it got in.
    pub conflicts: u32,
    /// Whether the save wrote the site ([`Site`]).
    pub site_written: bool,
    /// Set when the site could not be written (the run is saved; the next save writes it).
    pub site_warning: Option<String>,
    /// Where the run went in its branch's history (runs of later commits whose jobs finished
    /// first stay after it).
    pub placed: Placed,
}

/// The files of a site written with each save (the dashboard): made from the index of every key
/// on the branch, this save's key with its new run; `(path, text)` at the branch's root.
pub type Site<'a> = dyn Fn(&[(String, Index)]) -> Vec<(String, String)> + Sync + 'a;

/// The file that tells GitHub Pages to serve the branch as it is, without Jekyll (which would
/// also build every run file).
const NO_JEKYLL: &str = ".nojekyll";

/// The data branch store, async.
#[derive(Debug, Clone)]
pub struct DataBranch {
    client: Client,
    repo: Repo,
    branch: String,
    key: String,
    conflict_retries: u32,
}

impl DataBranch {
    /// `key` is sanitised like the comment key (letters, digits, `-`, `_`, `.`).
    pub fn new(client: Client, repo: Repo, branch: &str, key: &str) -> DataBranch {
        DataBranch {
            client,
            repo,
            branch: branch.to_string(),
            key: sanitize_key(key),
            conflict_retries: DEFAULT_CONFLICT_RETRIES,
        }
    }

    pub fn with_conflict_retries(mut self, retries: u32) -> DataBranch {
        self.conflict_retries = retries;
        self
    }

    pub fn branch(&self) -> &str {
        &self.branch
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn index_path(&self) -> String {
        format!("{}/index.json", self.key)
    }

    pub fn run_path(&self, id: &str) -> String {
        format!("{}/runs/{id}.json", self.key)
    }

    /// `branch:path` (git's notation), or the branch alone for whole-branch operations.
    fn location(&self, path: &str) -> String {
        if path.is_empty() {
            self.branch.clone()
        } else {
            format!("{}:{path}", self.branch)
        }
    }

    fn api(&self, path: &str) -> impl Fn(ApiError) -> DataError {
        let location = self.location(path);
        move |source| DataError::Api {
            location: location.clone(),
            source,
        }
    }

    /// The index and its blob sha; an empty index and `None` when the branch or file is absent.
    async fn index_with_sha(&self) -> Result<(Index, Option<String>), DataError> {
        let path = self.index_path();
        let file = self
            .client
            .get_file(&self.repo, &path, &self.branch)
            .await
            .map_err(self.api(&path))?;
        match file {
            None => Ok((Index::default(), None)),
            Some(f) => {
                let index = Index::parse(&f.text).map_err(|message| DataError::Corrupt {
                    location: self.location(&path),
                    message,
                })?;
                Ok((index, Some(f.sha)))
            }
        }
    }

    /// Every recorded run's entry, oldest first (empty when nothing was saved yet).
    pub async fn index(&self) -> Result<Index, DataError> {
        Ok(self.index_with_sha().await?.0)
    }

    /// The run an index entry names.
    pub async fn load_run(&self, entry: &IndexEntry) -> Result<Run, DataError> {
        let path = self.run_path(&entry.id);
        let text = self
            .client
            .get_raw_file(&self.repo, &path, &self.branch)
            .await
            .map_err(self.api(&path))?
            .ok_or_else(|| DataError::Corrupt {
                location: self.location(&path),
                message: format!("the index names run `{}` but its file is missing", entry.id),
            })?;
        perfgate::parse(&text).map_err(|e| DataError::Corrupt {
            location: self.location(&path),
            message: e.to_string(),
        })
    }

    /// The most recent run of `branch` (any branch when None). 2 API calls.
    pub async fn latest(
        &self,
        branch: Option<&str>,
    ) -> Result<Option<(IndexEntry, Run)>, DataError> {
        let index = self.index().await?;
        match index.latest(branch) {
            Some(entry) => Ok(Some((entry.clone(), self.load_run(entry).await?))),
            None => Ok(None),
        }
    }

    /// The most recent run recorded for commit `sha` (full or abbreviated). 2 API calls.
    pub async fn run_for_commit(&self, sha: &str) -> Result<Option<(IndexEntry, Run)>, DataError> {
        let index = self.index().await?;
        match entry_for_commit(&index, sha) {
            Some(entry) => Ok(Some((entry.clone(), self.load_run(entry).await?))),
            None => Ok(None),
        }
    }

    /// A pull request's baseline: the run of its base commit when recorded, else the latest run
    /// of `default_branch`. One index read and one run read: 2 API calls.
    pub async fn baseline(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
    ) -> Result<Option<Baseline>, DataError> {
        self.baseline_with_history(base_sha, default_branch, 1, &summaries_only, None)
            .await
    }

    /// [`DataBranch::baseline`] plus up to `window - 1` earlier runs of the baseline's branch
    /// (oldest first) for history-aware decisions. The earlier runs are the index's summaries
    /// ([`IndexEntry::summary_run`]: one value per series), so they cost no API call, except:
    /// - the runs `full` names, read from their files for their samples (none when the baseline
    ///   is the run the comparison leans on and nothing is pooled);
    /// - entries written by a perfgate older than summaries, read from their files.
    ///
    /// So 2 API calls, plus `full.count` at most, however long the window, once the entries in the
    /// window have summaries (before that, one more per entry without one).
    ///
    /// `committed`: the time of the commit a push records, when known. Its run goes in the
    /// branch's history in commit order ([`Index::push_and_prune`]), so the run it is compared
    /// with is the latest one committed no later, not a later commit's whose job finished first.
    pub async fn baseline_with_history(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
        window: usize,
        full: &FullRuns<'_>,
        committed: Option<&str>,
    ) -> Result<Option<Baseline>, DataError> {
        let index = self.index().await?;
        let chosen = match base_sha.and_then(|sha| entry_for_commit(&index, sha)) {
            Some(e) => Some((e, BaselineKind::BaseCommit)),
            None => {
                let b = default_branch.to_string();
                let latest = index.latest(Some(default_branch));
                // A run committed before every stored one has no run before it: the latest then.
                match index.latest_before(default_branch, committed).or(latest) {
                    Some(e) if latest.is_some_and(|l| l.id != e.id) => {
                        Some((e, BaselineKind::CommittedBefore(b)))
                    }
                    Some(e) if base_sha.is_some() => Some((e, BaselineKind::LatestOfBranch(b))),
                    Some(e) => Some((e, BaselineKind::Latest(b))),
                    None => None,
                }
            }
        };
        let Some((entry, kind)) = chosen else {
            return Ok(None);
        };
        // The runs of the same branch recorded before the chosen one, newest `window - 1`.
        let position = index.runs.iter().position(|e| e.id == entry.id);
        let earlier: Vec<&IndexEntry> = index
            .runs
            .iter()
            .take(position.unwrap_or(0))
            .filter(|e| e.meta.branch == entry.meta.branch)
            .collect();
        let skip = earlier.len().saturating_sub(window.saturating_sub(1));
        let earlier: Vec<&IndexEntry> = earlier.into_iter().skip(skip).collect();
        let mut before = Vec::with_capacity(earlier.len());
        let mut summarized = Vec::with_capacity(earlier.len());
        for e in &earlier {
            match e.summary_run() {
                Some(run) => {
                    before.push(run);
                    summarized.push(true);
                }
                None => {
                    before.push(self.load_run(e).await?);
                    summarized.push(false);
                }
            }
        }
        let run = self.load_run(entry).await?;
        let all: Vec<&Run> = before.iter().chain(std::iter::once(&run)).collect();
        let picked = full(&all);
        for i in picked {
            if summarized.get(i) == Some(&true) {
                if let (Some(e), Some(slot)) = (earlier.get(i), before.get_mut(i)) {
                    *slot = self.load_run(e).await?;
                }
            }
        }
        Ok(Some(Baseline {
            run,
            entry: entry.clone(),
            kind,
            before,
        }))
    }
}

/// The most recent entry recorded for `sha`; abbreviations of at least 7 digits match.
fn entry_for_commit<'a>(index: &'a Index, sha: &str) -> Option<&'a IndexEntry> {
    let sha = sha.trim().to_ascii_lowercase();
    if sha.len() < 7 {
        return None;
    }
    index.runs.iter().rev().find(|e| {
        e.meta.commit.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.len() >= 7 && (c.starts_with(&sha) || sha.starts_with(&c))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, commit: &str) -> IndexEntry {
        IndexEntry {
            id: id.into(),
            meta: crate::model::RunMeta {
                commit: Some(commit.into()),
                branch: Some("main".into()),
                ..Default::default()
            },
            benchmarks: 1,
            summary: None,
        }
    }

    #[test]
    fn finds_the_latest_run_of_a_commit_by_full_or_short_sha() {
        let index = Index {
            runs: vec![
                entry("a", "abcdef1234567890abcdef1234567890abcdef12"),
                entry("b", "1111111111111111111111111111111111111111"),
                entry("c", "abcdef1234567890abcdef1234567890abcdef12"),
            ],
            ..Index::default()
        };
        let full = "abcdef1234567890abcdef1234567890abcdef12";
        assert_eq!(
            entry_for_commit(&index, full).map(|e| e.id.as_str()),
            Some("c")
        );
        assert_eq!(
            entry_for_commit(&index, "ABCDEF1").map(|e| e.id.as_str()),
            Some("c")
        );
        assert!(
            entry_for_commit(&index, "abc").is_none(),
            "too short to be safe"
        );
        assert!(entry_for_commit(&index, "2222222").is_none());
    }

    #[test]
    fn describes_which_baseline_was_used() {
        let mut e = entry("a", "abcdef1234567890");
        e.meta.timestamp = Some("2026-11-23T12:00:00Z".into());
        let b = Baseline {
            entry: e,
            run: Run::default(),
            kind: BaselineKind::LatestOfBranch("main".into()),
            before: Vec::new(),
        };
        assert_eq!(
            b.describe(),
            "abcdef1 (2026-11-23T12:00:00Z), the latest run of `main` (none for the base commit)"
        );
        // A push has no base commit to miss.
        let b = Baseline {
            kind: BaselineKind::Latest("main".into()),
            ..b
        };
        assert_eq!(
            b.describe(),
            "abcdef1 (2026-11-23T12:00:00Z), the latest run of `main`"
        );
        // A push whose job finished after a later commit's.
        let b = Baseline {
            kind: BaselineKind::CommittedBefore("main".into()),
            ..b
        };
        assert_eq!(
            b.describe(),
            "abcdef1 (2026-11-23T12:00:00Z), the latest run of `main` committed before this one"
        );
    }
}

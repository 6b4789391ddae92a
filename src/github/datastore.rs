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

use std::time::Duration;

use super::api::{jitter, ApiError, Client, FileCommit, GitHub, Repo, TreeEntry};
use super::comment::sanitize_key;
use crate::formats::perfgate;
use crate::model::Run;
use crate::store::{BaselineStore, Index, IndexEntry, StoreError};

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
        .map(|c| c.get(..7).unwrap_or(c).to_string())
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
            self.entry.commit.as_deref(),
            self.entry.timestamp.as_deref(),
        );
        match &self.kind {
            BaselineKind::BaseCommit => format!("{run}, the base commit"),
            BaselineKind::LatestOfBranch(b) => {
                format!("{run}, the latest run of `{b}` (none for the base commit)")
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
        self.baseline_with_history(base_sha, default_branch, 1, &summaries_only)
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
    pub async fn baseline_with_history(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
        window: usize,
        full: &FullRuns<'_>,
    ) -> Result<Option<Baseline>, DataError> {
        let index = self.index().await?;
        let chosen = match base_sha.and_then(|sha| entry_for_commit(&index, sha)) {
            Some(e) => Some((e, BaselineKind::BaseCommit)),
            None => index
                .latest(Some(default_branch))
                .map(|e| (e, BaselineKind::LatestOfBranch(default_branch.to_string()))),
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
            .filter(|e| e.branch == entry.branch)
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

    /// Records `run` and drops the oldest runs beyond `keep` of its branch (see the module doc
    /// for the steps and their cost).
    pub async fn save(&self, run: &Run, keep: usize) -> Result<SaveOutcome, DataError> {
        self.save_with_site(run, keep, None).await
    }

    /// [`DataBranch::save`], and the files of `site` written with it: in the commit that creates
    /// the branch, or in the follow-up commit that also deletes pruned run files (one Git Data
    /// commit: the root tree listed, each other key's index read, one blob per file, a tree, a
    /// commit and a fast-forward of the ref). A site that cannot be written is a warning in the
    /// outcome, never a lost run.
    pub async fn save_with_site(
        &self,
        run: &Run,
        keep: usize,
        site: Option<&Site<'_>>,
    ) -> Result<SaveOutcome, DataError> {
        let run_text = perfgate::to_string(run);
        let head = self
            .client
            .get_branch_head(&self.repo, &self.branch)
            .await
            .map_err(self.api(""))?;
        if head.is_none() {
            let mut index = Index::default();
            let entry = index.entry_for(run);
            index.push_and_prune(entry.clone(), keep);
            let files = site
                .map(|make| make(&[(self.key.clone(), index.clone())]))
                .unwrap_or_default();
            if self
                .create_branch(&entry, &run_text, &index, &files)
                .await?
            {
                return Ok(SaveOutcome {
                    entry,
                    created_branch: true,
                    pruned: Vec::new(),
                    prune_warning: None,
                    conflicts: 0,
                    site_written: site.is_some(),
                    site_warning: None,
                });
            }
            // Another save created the branch first: continue as a later save.
        }

        let (mut index, mut sha) = self.index_with_sha().await?;
        let entry = self.put_run_file(&index, run, &run_text).await?;

        let index_path = self.index_path();
        let mut conflicts = 0;
        // What the last index write sent would prune, should it land with its answer lost.
        let mut attempted: Vec<IndexEntry> = Vec::new();
        let (commit, removed, written) = loop {
            if index.runs.iter().any(|e| e.id == entry.id) {
                // An earlier attempt landed although its answer was lost: the follow-up commit
                // goes on the branch's head, which that attempt made (or a later save did).
                let removed: Vec<IndexEntry> = attempted
                    .into_iter()
                    .filter(|e| !index.runs.iter().any(|x| x.id == e.id))
                    .collect();
                match self.head_commit().await {
                    Ok(Some(head)) => break (head, removed, index),
                    Ok(None) | Err(_) => {
                        return Ok(SaveOutcome {
                            entry,
                            created_branch: false,
                            pruned: Vec::new(),
                            prune_warning: None,
                            conflicts,
                            site_written: false,
                            site_warning: site.map(|_| {
                                format!(
                                    "the dashboard on `{}` was not updated (the next save updates it): the branch's head could not be read after the index write",
                                    self.branch
                                )
                            }),
                        })
                    }
                }
            }
            let mut next = index.clone();
            let removed = next.push_and_prune(entry.clone(), keep);
            attempted.clone_from(&removed);
            let message = format!("perfgate: record run {} ({})", entry.id, self.key);
            match self
                .client
                .put_file(
                    &self.repo,
                    &index_path,
                    &self.branch,
                    &message,
                    &next.to_json(),
                    sha.as_deref(),
                )
                .await
            {
                Ok(commit) => break (commit, removed, next),
                Err(e) if e.is_conflict() => {
                    conflicts += 1;
                    if conflicts > self.conflict_retries {
                        return Err(DataError::Contended {
                            location: self.location(&index_path),
                            attempts: conflicts,
                        });
                    }
                    let backoff = self.client.retry_policy().backoff(conflicts);
                    tokio::time::sleep(jitter(backoff.max(Duration::from_millis(1)))).await;
                    (index, sha) = self.index_with_sha().await?;
                }
                Err(e) => return Err(self.api(&index_path)(e)),
            }
        };

        let pruned: Vec<String> = removed.iter().map(|e| e.id.clone()).collect();
        let deletions: Vec<TreeEntry> = removed
            .iter()
            .map(|e| TreeEntry::delete(self.run_path(&e.id)))
            .collect();
        let (mut entries, mut site_warning) = (Vec::new(), None);
        if let Some(make) = site {
            match self.site_entries(&commit, &written, make).await {
                Ok(files) => entries = files,
                Err(e) => site_warning = Some(format!("the dashboard was not written: {e}")),
            }
        }
        let site_files = entries.len();
        entries.extend(deletions);
        let followed = if entries.is_empty() {
            Ok(())
        } else {
            self.follow_up(&commit, &entries, removed.len(), site_files > 0)
                .await
        };
        let (mut prune_warning, mut site_written) = (None, site_files > 0);
        if let Err(e) = followed {
            if !removed.is_empty() {
                prune_warning = Some(format!(
                    "{} run file(s) dropped from the index stay on `{}` (the next saves do not name them): {e}",
                    removed.len(),
                    self.branch
                ));
            }
            if site_written {
                site_warning = Some(format!(
                    "the dashboard on `{}` was not updated (the next save updates it): {e}",
                    self.branch
                ));
                site_written = false;
            }
        }
        Ok(SaveOutcome {
            entry,
            created_branch: false,
            pruned,
            prune_warning,
            conflicts,
            site_written,
            site_warning,
        })
    }

    /// The branch's head commit with its root tree, as a follow-up commit's base; None when the
    /// branch is gone.
    async fn head_commit(&self) -> Result<Option<FileCommit>, ApiError> {
        let c = &self.client;
        let Some(head) = c.get_branch_head(&self.repo, &self.branch).await? else {
            return Ok(None);
        };
        Ok(c.get_commit_tree(&self.repo, &head)
            .await?
            .map(|tree_sha| FileCommit {
                content_sha: String::new(),
                commit_sha: head,
                tree_sha,
            }))
    }

    /// The tree entries of the site's files after the index commit `after`, whose index of this
    /// key is `written`: the other keys are the folders of the root tree that hold an index.
    async fn site_entries(
        &self,
        after: &FileCommit,
        written: &Index,
        make: &Site<'_>,
    ) -> Result<Vec<TreeEntry>, DataError> {
        let c = &self.client;
        let root = c
            .get_tree(&self.repo, &after.tree_sha)
            .await
            .map_err(self.api(""))?
            .unwrap_or_default();
        let mut indexes = vec![(self.key.clone(), written.clone())];
        for (name, kind) in &root {
            if kind != "tree" || *name == self.key {
                continue;
            }
            let path = format!("{name}/index.json");
            let Some(file) = c
                .get_file(&self.repo, &path, &after.commit_sha)
                .await
                .map_err(self.api(&path))?
            else {
                continue;
            };
            // Another key's damaged index is that key's problem: its runs are left out.
            if let Ok(index) = Index::parse(&file.text) {
                indexes.push((name.clone(), index));
            }
        }
        indexes.sort_by(|a, b| a.0.cmp(&b.0));
        let mut files = make(&indexes);
        if !root.iter().any(|(name, _)| name == NO_JEKYLL) {
            files.push((NO_JEKYLL.to_string(), String::new()));
        }
        let mut entries = Vec::with_capacity(files.len());
        for (path, text) in files {
            let blob = c
                .create_blob(&self.repo, &text)
                .await
                .map_err(self.api(&path))?;
            entries.push(TreeEntry::file(path, blob));
        }
        Ok(entries)
    }

    /// One commit on top of `after` (the index commit) with `entries`: pruned run files deleted,
    /// the site's files written. If another save moved the branch in between, the fast-forward
    /// fails and nothing is lost but these entries, which the next save writes again.
    async fn follow_up(
        &self,
        after: &FileCommit,
        entries: &[TreeEntry],
        pruned: usize,
        site: bool,
    ) -> Result<(), ApiError> {
        let c = &self.client;
        let tree = c
            .create_tree(&self.repo, Some(&after.tree_sha), entries)
            .await?;
        let message = match (pruned, site) {
            (0, _) => format!("perfgate: update the dashboard ({})", self.key),
            (n, false) => format!("perfgate: prune {n} old run(s) ({})", self.key),
            (n, true) => format!(
                "perfgate: prune {n} old run(s) and update the dashboard ({})",
                self.key
            ),
        };
        let commit = c
            .create_commit(&self.repo, &message, &tree, &[&after.commit_sha])
            .await?;
        c.update_branch(&self.repo, &self.branch, &commit).await
    }

    /// Creates the data branch holding `run_text` and `index`; `false` when it appeared in the
    /// meantime.
    async fn create_branch(
        &self,
        entry: &IndexEntry,
        run_text: &str,
        index: &Index,
        site: &[(String, String)],
    ) -> Result<bool, DataError> {
        let run_path = self.run_path(&entry.id);
        let index_path = self.index_path();
        let c = &self.client;
        let run_blob = c
            .create_blob(&self.repo, run_text)
            .await
            .map_err(self.api(&run_path))?;
        let index_blob = c
            .create_blob(&self.repo, &index.to_json())
            .await
            .map_err(self.api(&index_path))?;
        let mut entries = vec![
            TreeEntry::file(run_path, run_blob),
            TreeEntry::file(index_path, index_blob),
        ];
        if !site.is_empty() {
            let no_jekyll = (NO_JEKYLL.to_string(), String::new());
            for (path, text) in site.iter().chain(std::iter::once(&no_jekyll)) {
                let blob = c
                    .create_blob(&self.repo, text)
                    .await
                    .map_err(self.api(path))?;
                entries.push(TreeEntry::file(path.clone(), blob));
            }
        }
        let tree = c
            .create_tree(&self.repo, None, &entries)
            .await
            .map_err(self.api(""))?;
        let message = format!(
            "perfgate: create the data branch with run {} ({})",
            entry.id, self.key
        );
        let commit = c
            .create_commit(&self.repo, &message, &tree, &[])
            .await
            .map_err(self.api(""))?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match c.create_branch(&self.repo, &self.branch, &commit).await {
                Ok(()) => return Ok(true),
                // "Reference already exists" (a concurrent save made it), or a name GitHub
                // refuses: only the branch being there tells them apart.
                Err(e) if e.is_conflict() => {
                    return match c
                        .get_branch_head(&self.repo, &self.branch)
                        .await
                        .map_err(self.api(""))?
                    {
                        Some(_) => Ok(false),
                        None => Err(self.api("")(e)),
                    };
                }
                // The ref may have been made although the answer was lost: look before trying
                // again (this commit: ours; another: a concurrent save made the branch).
                Err(e) if e.is_transient() && attempts < CREATE_ATTEMPTS => {
                    match c
                        .get_branch_head(&self.repo, &self.branch)
                        .await
                        .map_err(self.api(""))?
                    {
                        Some(head) => return Ok(head == commit),
                        None => continue,
                    }
                }
                Err(e) => return Err(self.api("")(e)),
            }
        }
    }

    /// PUTs the run file at a path no other file holds; returns its entry. A 422 means a file of
    /// that id appeared (a concurrent save of the same commit and time): take the next id.
    async fn put_run_file(
        &self,
        index: &Index,
        run: &Run,
        run_text: &str,
    ) -> Result<IndexEntry, DataError> {
        let mut taken = index.clone();
        let mut tries = 0;
        loop {
            tries += 1;
            let entry = taken.entry_for(run);
            let path = self.run_path(&entry.id);
            let message = format!("perfgate: add run {} ({})", entry.id, self.key);
            match self
                .client
                .put_file(&self.repo, &path, &self.branch, &message, run_text, None)
                .await
            {
                Ok(_) => return Ok(entry),
                Err(e) if e.status() == Some(422) && tries < ID_ATTEMPTS => taken.runs.push(entry),
                // A creation whose answer was lost may have landed: look before sending it again.
                Err(e) if e.is_transient() && tries < ID_ATTEMPTS => {
                    let there = self
                        .client
                        .get_file(&self.repo, &path, &self.branch)
                        .await
                        .map_err(self.api(&path))?;
                    match there {
                        Some(f) if f.text == run_text => return Ok(entry),
                        // Another save's file took the id: the next one.
                        Some(_) => taken.runs.push(entry),
                        None => {}
                    }
                }
                Err(e) => return Err(self.api(&path)(e)),
            }
        }
    }
}

/// Tries at creating the data branch's ref when its answers are lost.
const CREATE_ATTEMPTS: u32 = 3;

/// The most recent entry recorded for `sha`; abbreviations of at least 7 digits match.
fn entry_for_commit<'a>(index: &'a Index, sha: &str) -> Option<&'a IndexEntry> {
    let sha = sha.trim().to_ascii_lowercase();
    if sha.len() < 7 {
        return None;
    }
    index.runs.iter().rev().find(|e| {
        e.commit.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.len() >= 7 && (c.starts_with(&sha) || sha.starts_with(&c))
        })
    })
}

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

    /// See [`DataBranch::baseline_with_history`].
    pub fn baseline_with_history(
        &self,
        base_sha: Option<&str>,
        default_branch: &str,
        window: usize,
        full: &FullRuns<'_>,
    ) -> Result<Option<Baseline>, DataError> {
        self.github.block_on(self.inner.baseline_with_history(
            base_sha,
            default_branch,
            window,
            full,
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, commit: &str) -> IndexEntry {
        IndexEntry {
            id: id.into(),
            commit: Some(commit.into()),
            branch: Some("main".into()),
            timestamp: None,
            tool: None,
            benchmarks: 1,
            environment: None,
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
        e.timestamp = Some("2026-11-23T12:00:00Z".into());
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
    }
}

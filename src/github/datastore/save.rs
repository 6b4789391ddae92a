//! Recording a run: the run file, the index, and the follow-up commit that prunes old run
//! files and writes the dashboard (see the module doc of [`super`] for the calls and their cost).

use super::*;

impl DataBranch {
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
                    site_written: !files.is_empty(),
                    site_warning: None,
                    placed: Placed::Latest,
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
                        let placed = index.placed(&entry);
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
                            placed,
                        });
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
        let placed = written.placed(&entry);
        Ok(SaveOutcome {
            entry,
            created_branch: false,
            pruned,
            prune_warning,
            conflicts,
            site_written,
            site_warning,
            placed,
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
        self.file_entries(&files).await
    }

    /// Stores each `(path, text)` as a blob; the tree entries that write them.
    async fn file_entries(&self, files: &[(String, String)]) -> Result<Vec<TreeEntry>, DataError> {
        let mut entries = Vec::with_capacity(files.len());
        for (path, text) in files {
            let blob = self
                .client
                .create_blob(&self.repo, text)
                .await
                .map_err(self.api(path))?;
            entries.push(TreeEntry::file(path.clone(), blob));
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
        let c = &self.client;
        let mut files = vec![
            (self.run_path(&entry.id), run_text.to_string()),
            (self.index_path(), index.to_json()),
        ];
        if !site.is_empty() {
            files.extend(site.iter().cloned());
            files.push((NO_JEKYLL.to_string(), String::new()));
        }
        let entries = self.file_entries(&files).await?;
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

//! `perfgate save` and `perfgate import`: record runs in a local store, every input read and
//! validated before the store is touched.

use anyhow::{anyhow, bail, Result};
use perfgate::formats;
use perfgate::model::Run;
use perfgate::report::words::short_commit;
use perfgate::store::{BaselineStore, IndexEntry, LocalStore, Placed};

use super::{input, load_config, meta, print, Ctx, ImportArgs, SaveArgs, Workdir, EXIT_PASS};

pub(super) fn cmd_save(ctx: &Ctx, a: SaveArgs) -> Result<u8> {
    let here = Workdir::default();
    let config = load_config(ctx, &here, a.input.config.as_deref())?;
    for (flag, time) in [
        ("--timestamp", &a.timestamp),
        ("--commit-time", &a.commit_time),
    ] {
        if let Some(t) = time.as_deref().filter(|t| !is_rfc3339(t)) {
            bail!(
                "{flag}: `{t}` is not an RFC 3339 time: expected e.g. `2026-12-06T19:19:44Z` or `2026-12-06T20:19:44+01:00`"
            );
        }
    }
    for (flag, value) in [("--commit", &a.commit), ("--branch", &a.branch)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            bail!("{flag}: expected a value, found an empty one");
        }
    }
    // Everything is read and validated before the store is touched: a failed or partial run
    // never replaces a baseline.
    // A name git knows (`HEAD~1`, `main`, a tag) is stored as the commit it names; one it does
    // not know is kept as given (another system's revision), and said.
    let commit = a.commit.map(|c| match meta::resolve_commit(&c) {
        Some(sha) => sha,
        None => {
            if !meta::is_object_name(&c) {
                errln!(
                    "warning: --commit: git cannot resolve `{c}` here (not a repository, or no such name): saved as given, with no commit date"
                );
            }
            c
        }
    });
    let given = meta::Given {
        commit,
        branch: a.branch,
    };
    // git (when asked) runs while the results are read.
    let head = meta::Head::start(given, &*ctx.env);
    let reader = input::Reader { ctx, dir: &here };
    let mut run = reader.read_runs(&a.input.current, a.input.format)?;
    meta::fill(&mut run.meta, a.timestamp, &*ctx.env);
    head.settle(&mut run.meta);
    // Where the run goes in its branch's history: in commit order. A commit is made before its
    // runs: a date after the run's own time (a clock that was wrong) would keep every later
    // commit's run behind this one, so it is refused when given, and left out when found.
    let given_time = a.commit_time.is_some();
    run.meta.commit_time = a.commit_time.or_else(|| {
        run.meta
            .commit_time
            .take()
            .or_else(|| run.meta.commit.as_deref().and_then(meta::commit_time))
    });
    if let Some(committed) = run.meta.take_implausible_commit_time() {
        let ran = run.meta.timestamp.as_deref().unwrap_or("unknown");
        if given_time {
            bail!("--commit-time: `{committed}` is later than the run's time ({ran}): a commit is made before its runs");
        }
        errln!(
            "warning: the commit's date ({committed}) is later than the run's time ({ran}): the run goes at the end of its branch's history"
        );
    }
    let keep = a.keep.unwrap_or(config.keep);
    if keep == 0 {
        bail!("--keep: expected at least 1");
    }
    let store = LocalStore::new(&a.store);
    let entry = store.save(&run, keep)?;
    // A run of an earlier commit than the branch's latest goes before the later ones' runs;
    // one older than every run its branch keeps is pruned by its own save.
    let place = match store.index().map(|i| i.placed(&entry)) {
        Ok(Placed::Before(1)) => ", before 1 later run of its branch".to_string(),
        Ok(Placed::Before(n)) => format!(", before {n} later runs of its branch"),
        Ok(Placed::NotKept) => format!(
            ", and pruned at once: its commit is older than the {} of its branch kept (--keep)",
            match keep {
                1 => "1 run".to_string(),
                n => format!("{n} runs"),
            }
        ),
        Ok(Placed::Latest) | Err(_) => String::new(),
    };
    // The run is saved: a standard output that cannot take the line is no failure of the save.
    let _ = print(&format!(
        "saved run {} ({} benchmarks, {} metrics; commit {}, branch {}) to {}{place}\n",
        entry.id,
        run.benchmarks.len(),
        run.metric_count(),
        entry
            .meta
            .commit
            .as_deref()
            .map(short_commit)
            .unwrap_or("unknown"),
        entry.meta.branch.as_deref().unwrap_or("unknown"),
        a.store.display()
    ));
    Ok(EXIT_PASS)
}

pub(super) fn cmd_import(ctx: &Ctx, a: ImportArgs) -> Result<u8> {
    let here = Workdir::default();
    let config = load_config(ctx, &here, a.config.as_deref())?;
    let shown = a.history.display();
    if a.branch.trim().is_empty() {
        bail!(
            "--branch: expected the name of the branch the history's runs belong to, such as main"
        );
    }
    let keep = a.keep.unwrap_or(config.keep);
    if keep == 0 {
        bail!("--keep: expected at least 1");
    }
    // Read as result files are: a regular file, bounded (a FIFO hung, /dev/zero filled memory).
    let text = input::Reader { ctx, dir: &here }
        .read_text(&a.history, "a github-action-benchmark history")?;
    // Every run is parsed and checked before the store is touched.
    let runs = formats::gab_history::parse_history(&text)
        .map_err(|e| anyhow!("cannot read `{shown}` as a github-action-benchmark history: {e}"))?;
    if runs.is_empty() {
        bail!("`{shown}` holds no benchmark runs");
    }
    for (i, run) in runs.iter().enumerate() {
        if let Some(t) = &run.meta.timestamp {
            if !is_rfc3339(t) {
                bail!(
                    "`{shown}`: the time of its run {} (commit {}) is `{}`, not an RFC 3339 time such as 2023-05-04T10:04:36Z",
                    i + 1,
                    run.meta.commit.as_deref().unwrap_or("unknown"),
                    perfgate::github::runtime::inert(t, 60)
                );
            }
        }
    }
    let store = LocalStore::new(&a.store);
    // Runs of this branch already in the store: the same runs again are skipped (importing twice
    // counted each run twice in every history); other runs refuse the import, since the history's
    // runs, appended after them, would read as the newest (the baseline) and pruning would drop
    // the store's own newer runs instead of the history's old ones.
    // (A store that does not exist yet has no entries.)
    let existing: Vec<IndexEntry> = store
        .entries()?
        .into_iter()
        .filter(|e| e.meta.branch.as_deref() == Some(a.branch.as_str()))
        .collect();
    let total = runs.len();
    let new: Vec<Run> = runs
        .into_iter()
        .filter(|r| {
            !existing
                .iter()
                .any(|e| e.meta.commit == r.meta.commit && e.meta.timestamp == r.meta.timestamp)
        })
        .collect();
    if new.is_empty() {
        print(&format!(
            "nothing to import: the store {} holds every run of `{shown}` already (branch {})\n",
            a.store.display(),
            a.branch
        ))?;
        return Ok(EXIT_PASS);
    }
    if let Some(latest) = existing.last() {
        bail!(
            "the store `{}` already has {} run{} of branch `{}` (the latest from {}): import seeds a branch's history, and the history's older runs would come after them, read as the newest. Import into a new store (then add the store's runs), or under another --branch",
            a.store.display(),
            existing.len(),
            if existing.len() == 1 { "" } else { "s" },
            a.branch,
            latest.meta.timestamp.as_deref().unwrap_or("an unknown time")
        );
    }
    let imported = new.len();
    for mut run in new {
        run.meta.branch = Some(a.branch.clone());
        // A commit dated after its run would keep every later run behind it.
        run.meta.take_implausible_commit_time();
        store.save(&run, keep)?;
    }
    let runs_word = |n: usize| if n == 1 { "run" } else { "runs" };
    let skipped = match total - imported {
        0 => String::new(),
        n => format!(", {n} already there skipped"),
    };
    // The runs are saved: a lost line is no failure of the import.
    let _ = print(&format!(
        "imported {imported} {} into {} (branch {}; the last {} kept{skipped})\n",
        runs_word(imported),
        a.store.display(),
        a.branch,
        keep.min(imported)
    ));
    Ok(EXIT_PASS)
}

/// Whether `t` is a time as the run format stores it (RFC 3339), which run ids and histories
/// are ordered by.
fn is_rfc3339(t: &str) -> bool {
    perfgate::model::instant(t).is_some()
}

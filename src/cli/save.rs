//! `perfgate save` and `perfgate import`: record runs in a local store, every input read and
//! validated before the store is touched.

use std::fs;

use anyhow::{anyhow, bail, Context, Result};
use perfgate::formats;
use perfgate::report::words::short_commit;
use perfgate::store::{BaselineStore, LocalStore};

use super::{input, load_config, meta, print, Ctx, ImportArgs, SaveArgs, Workdir, EXIT_PASS};

pub(super) fn cmd_save(ctx: &Ctx, a: SaveArgs) -> Result<u8> {
    let here = Workdir::default();
    let config = load_config(ctx, &here, a.input.config.as_deref())?;
    if let Some(t) = &a.timestamp {
        if chrono::DateTime::parse_from_rfc3339(t).is_err() {
            bail!(
                "--timestamp: `{t}` is not an RFC 3339 time: expected e.g. `2026-12-06T19:19:44Z` or `2026-12-06T20:19:44+01:00`"
            );
        }
    }
    // Everything is read and validated before the store is touched: a failed or partial run
    // never replaces a baseline.
    let given = meta::Given {
        commit: a.commit,
        branch: a.branch,
    };
    // git (when asked) runs while the results are read.
    let head = meta::Head::start(given, &*ctx.env);
    let reader = input::Reader { ctx, dir: &here };
    let mut run = reader.read_runs(&a.input.current, a.input.format)?;
    meta::fill(&mut run.meta, a.timestamp, &*ctx.env);
    head.settle(&mut run.meta);
    let keep = a.keep.unwrap_or(config.keep);
    if keep == 0 {
        bail!("--keep: expected at least 1");
    }
    let store = LocalStore::new(&a.store);
    let entry = store.save(&run, keep)?;
    print(&format!(
        "saved run {} ({} benchmarks, {} metrics; commit {}, branch {}) to {}\n",
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
    ))?;
    Ok(EXIT_PASS)
}

pub(super) fn cmd_import(ctx: &Ctx, a: ImportArgs) -> Result<u8> {
    let config = load_config(ctx, &Workdir::default(), a.config.as_deref())?;
    let shown = a.history.display();
    let text = fs::read_to_string(&a.history).with_context(|| format!("cannot read `{shown}`"))?;
    // Every run is parsed before the store is touched.
    let runs = formats::gab_history::parse_history(&text)
        .map_err(|e| anyhow!("cannot read `{shown}` as a github-action-benchmark history: {e}"))?;
    if runs.is_empty() {
        bail!("`{shown}` holds no benchmark runs");
    }
    let keep = a.keep.unwrap_or(config.keep).max(1);
    let store = LocalStore::new(&a.store);
    let total = runs.len();
    for mut run in runs {
        run.meta.branch = Some(a.branch.clone());
        store.save(&run, keep)?;
    }
    let runs_word = |n: usize| if n == 1 { "run" } else { "runs" };
    print(&format!(
        "imported {total} {} into {} (branch {}; the last {} kept)\n",
        runs_word(total),
        a.store.display(),
        a.branch,
        keep.min(total)
    ))?;
    Ok(EXIT_PASS)
}

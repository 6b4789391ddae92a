//! `perfgate dashboard`: a static dashboard (index.html + data.js) of a local store, or of a
//! checkout of the data branch with one store per key.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use perfgate::store::LocalStore;

use super::{load_config, print, Ctx, DashboardArgs, Workdir, EXIT_PASS};

pub(super) fn cmd_dashboard(ctx: &Ctx, a: DashboardArgs) -> Result<u8> {
    use perfgate::dashboard::{self, site, Options, Source};
    let config = load_config(ctx, &Workdir::default(), a.config.as_deref())?;
    let stores = dashboard_stores(&a.store)?;
    let indexes: Vec<(String, perfgate::store::Index)> = stores
        .into_iter()
        .map(|(key, dir)| Ok((key, LocalStore::new(&dir).index()?)))
        .collect::<Result<_>>()?;
    let sources: Vec<Source> = indexes
        .iter()
        .map(|(key, index)| Source { key, index })
        .collect();
    let repo_url = a.repo_url.as_deref().map(|u| u.trim_end_matches('/'));
    if let Some(u) = repo_url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            bail!("--repo-url `{u}` is not a web address: give the repository's page, such as https://github.com/OWNER/REPO");
        }
    }
    let options = Options {
        branch: a.branch.clone(),
        commit_url: repo_url.map(|u| format!("{u}/commit/")),
        recent: a.recent,
        title: a.title.clone().unwrap_or_else(|| Options::default().title),
    };
    let d = dashboard::build(&sources, &config, &options);
    if d.series.is_empty() {
        let branch = a.branch.as_deref().unwrap_or("main (or master)");
        bail!(
            "`{}` has no runs of {branch} to draw{}: record some with `perfgate save` on that branch, or pick another with --branch",
            a.store.display(),
            if d.unsummarised > 0 { " (its runs were written by a perfgate older than index summaries)" } else { "" }
        );
    }
    fs::create_dir_all(&a.out).with_context(|| format!("cannot create `{}`", a.out.display()))?;
    let mut sizes = Vec::new();
    for f in site::render(&d) {
        let path = a.out.join(f.name);
        perfgate::store::local::write_atomic(&path, &f.text)?;
        sizes.push(format!("{} ({})", path.display(), kib(f.text.len())));
    }
    let runs: usize = d.keys.iter().map(|k| k.commits.len()).sum();
    print(&format!(
        "wrote {}: {} series over {runs} runs, {} level {} in the last {} runs\n",
        sizes.join(" and "),
        d.series.len(),
        d.changes.len(),
        if d.changes.len() == 1 {
            "shift"
        } else {
            "shifts"
        },
        d.recent
    ))?;
    Ok(EXIT_PASS)
}

fn kib(bytes: usize) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// The stores under `dir`, each with its key: `dir` itself when it holds an index (key
/// `default`), else each folder of `dir` that holds one (a checkout of the data branch), by name.
fn dashboard_stores(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        bail!(
            "the store `{}` does not exist: give a folder made by `perfgate save` or a checkout of the data branch",
            dir.display()
        );
    }
    if dir.join("index.json").is_file() {
        return Ok(vec![("default".into(), dir.to_path_buf())]);
    }
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("cannot list `{}`", dir.display()))?;
        let path = e.path();
        if path.join("index.json").is_file() {
            out.push((e.file_name().to_string_lossy().into_owned(), path));
        }
    }
    out.sort();
    if out.is_empty() {
        bail!(
            "`{}` holds no store: neither an index.json nor folders with one (a data branch has one folder per key)",
            dir.display()
        );
    }
    Ok(out)
}

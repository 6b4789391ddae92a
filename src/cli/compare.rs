//! `perfgate compare`: reads the current run and its baseline (files, or a local store's
//! history of the baseline branch), gates them, and writes the reports and the exit code.

use anyhow::{anyhow, bail, Result};
use perfgate::compare::{self, Verdict};
use perfgate::config::{parse_percent, Budget, TestChoice};
use perfgate::model::Run;
use perfgate::report::{self, MarkdownOptions};
use perfgate::store::{LocalStore, NoBaseline};

use super::reproduce::{Quote, Reproduce};
use super::{
    color_stdout, gate, input, load_config, meta, print_report, write_file, CompareArgs, Ctx,
    Workdir, EXIT_FAIL, EXIT_PASS,
};

pub(super) fn cmd_compare(ctx: &Ctx, a: CompareArgs) -> Result<u8> {
    let here = Workdir::default();
    let mut config = load_config(ctx, &here, a.input.config.as_deref())?;
    if let Some(t) = &a.threshold {
        config.threshold = parse_percent(t).map_err(|e| anyhow!("--threshold: {e}"))?;
    }
    if let Some(s) = a.significance {
        if !(s > 0.0 && s < 1.0) {
            bail!("--significance: expected a level between 0 and 1, such as 0.05, found {s}");
        }
        config.alpha = s;
    }
    if let Some(n) = a.min_samples {
        if n < 2 {
            bail!("--min-samples: expected at least 2, found {n}");
        }
        config.min_samples = n;
    }
    if let Some(t) = a.test.as_deref().and_then(TestChoice::from_name) {
        config.test = t;
    }
    for b in &a.budgets {
        let mut budget = Budget::parse_line(b).map_err(|e| anyhow!("--budget: {e}"))?;
        budget.source = Some("--budget".into());
        config.budgets.push(budget);
    }
    config.fail_on_missing |= a.fail_on_missing;
    config.fail_on_new |= a.fail_on_new;
    config.fail_on_inconclusive |= a.fail_on_inconclusive;
    config.allow_cross_environment |= a.allow_cross_environment;
    if let Some(w) = a.history_window {
        if w == 0 {
            bail!("--history-window: expected at least 1");
        }
        config.history.window = w;
    }
    let template = match &a.template {
        Some(p) => Some(input::Reader { ctx, dir: &here }.read_hand_written(p, "a template")?),
        None => None,
    };

    // git (when asked) runs while the results are read; its answer is needed at the gate.
    let head = meta::Head::start(meta::Given::default(), &*ctx.env);
    let reader = input::Reader { ctx, dir: &here };
    // Files of the same benchmarks are runs of their own; the others are parts of one run.
    let mut current = reader.read_separate_runs(&a.input.current, a.input.format)?;
    for run in &mut current {
        meta::fill(&mut run.meta, None, &*ctx.env);
    }

    // Oldest first; the latest baseline run is last. Baseline files of the same benchmarks are
    // runs of one commit, in the order given.
    let baseline: Vec<Run> = if !a.baseline.is_empty() {
        reader.read_separate_runs(&a.baseline, a.input.format)?
    } else if let Some(dir) = &a.store {
        // A typo in the path must not turn the gate off.
        if dir.is_file() {
            bail!(
                "`{}` is a file, not a store's directory: to compare with a result file, give it as --baseline {}",
                dir.display(),
                dir.display()
            );
        }
        if !dir.is_dir() {
            bail!(
                "the store `{}` does not exist: check the path, or record a baseline first (`perfgate save --store {} --current <results>` on the default branch)",
                dir.display(),
                dir.display()
            );
        }
        let store = LocalStore::new(dir);
        let configured = a
            .baseline_branch
            .clone()
            .or_else(|| config.baseline_branch.clone());
        // The index is read once: for the baseline branch, then for the runs of the window.
        let index = store.index()?;
        let branch = index
            .baseline_branch(configured.as_deref())
            .map_err(|e| no_baseline(dir, &e))?;
        let read = |n: usize| -> Result<Vec<Run>> {
            let runs = store.runs_of(index.last(branch.as_deref(), n))?;
            // A stored run is never empty: an empty one was damaged or replaced, and comparing
            // with it would pass anything. The latest fails closed; older ones are left out.
            if let Some((entry, _)) = runs.last().filter(|(_, r)| r.benchmarks.is_empty()) {
                bail!(
                    "the latest stored run `{}` in `{}` holds no benchmarks: a stored run is never empty, so it was damaged or replaced. Repair or delete it (and its line in index.json) before comparing",
                    entry.id,
                    dir.display()
                );
            }
            Ok(runs
                .into_iter()
                .map(|(_, run)| run)
                .filter(|run| !run.benchmarks.is_empty())
                .collect())
        };
        let mut runs = read(config.history.window)?;
        // Some of the window ran on another kind of machine: compare_history keeps the runs on
        // this one, so read them all (the store keeps `keep` runs) to fill the window with them.
        let first = current.first();
        if !config.allow_cross_environment
            && runs
                .iter()
                .any(|r| first.is_some_and(|c| !compare::same_machine(r, c)))
        {
            runs = read(usize::MAX)?;
        }
        runs
    } else {
        if config.budgets.is_empty() {
            bail!("nothing to compare with: give --baseline <PATH> or --store <DIR>, or budgets (--budget or perfgate.toml)");
        }
        Vec::new()
    };

    // The first run's metadata is the comparison's (completed from the others').
    if let Some(first) = current.first_mut() {
        head.settle(&mut first.meta);
    }
    let files = !a.baseline.is_empty();
    let comparison = gate(&baseline, &current, files, &config, false)?;
    // The runs are done with: their memory serves the reports (a lower peak).
    drop(baseline);
    drop(current);

    if let Some(p) = &a.report_json {
        write_file(p, &report::render_json(&comparison))?;
    }
    if let Some(p) = &a.report_md {
        let opts = MarkdownOptions {
            template,
            reproduce: Some(reproduce_command(&a)),
            dashboard_url: a.dashboard_url.clone(),
            full_list: a
                .report_json
                .as_ref()
                .map(|p| format!("the JSON report `{}`", p.display())),
            ..MarkdownOptions::default()
        };
        let md = report::render_markdown(&comparison, &opts)?;
        write_file(p, &md)?;
    }
    print_report(ctx, &report::render_terminal(&comparison, color_stdout()))?;
    Ok(match comparison.verdict {
        Verdict::Pass => EXIT_PASS,
        Verdict::Fail => EXIT_FAIL,
    })
}

/// Why `--store DIR` gives no baseline, and what to do: an error, since a store that names no
/// baseline (empty, a mistyped branch, runs of other branches only) would otherwise pass anything.
fn no_baseline(dir: &std::path::Path, why: &NoBaseline) -> anyhow::Error {
    let dir = dir.display();
    let listed = |branches: &[String]| {
        let mut names: Vec<String> = branches.iter().take(5).map(|b| format!("`{b}`")).collect();
        if branches.len() > 5 {
            names.push(format!("and {} more", branches.len() - 5));
        }
        names.join(", ")
    };
    match why {
        NoBaseline::Empty => anyhow!(
            "the store `{dir}` holds no runs: record a baseline first (`perfgate save --store {dir} --current <results>` on the default branch)"
        ),
        NoBaseline::NoRunsOf {
            branch: Some(b),
            branches,
        } => anyhow!(
            "the store `{dir}` has no runs of branch `{b}` (its runs are of {}): check --baseline-branch, or `baseline_branch` under `[store]` in perfgate.toml",
            listed(branches)
        ),
        NoBaseline::NoRunsOf {
            branch: None,
            branches,
        } => anyhow!(
            "the store `{dir}` has no runs of `main` or `master`, the default baseline branches (its runs are of {}): name the baseline branch with --baseline-branch, or `baseline_branch` under `[store]` in perfgate.toml",
            listed(branches)
        ),
    }
}

/// The command line of this comparison, for the Markdown report.
fn reproduce_command(a: &CompareArgs) -> String {
    let shown = |p: &std::path::PathBuf| p.display().to_string();
    let mut cmd = Reproduce::new(None, Quote::AsNeeded);
    for b in &a.baseline {
        cmd = cmd.arg("--baseline", [shown(b)]);
    }
    if let Some(s) = &a.store {
        cmd = cmd.arg("--store", [shown(s)]);
    }
    for c in &a.input.current {
        cmd = cmd.arg("--current", [shown(c)]);
    }
    if let Some(c) = &a.input.config {
        cmd = cmd.arg("--config", [shown(c)]);
    }
    cmd.build()
}

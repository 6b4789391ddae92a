//! Reports: a [`Comparison`](crate::compare::Comparison) rendered as Markdown (PR comment, job
//! summary), as a terminal table, or as the JSON report (`perfgate.report.v1`). Renderers do no
//! I/O: they return strings, and the CLI decides where they go and whether to color.
//!
//! All renderers read numbers from one [`View`], so `1.23 ms` or `+12.3%` read the same
//! everywhere. The JSON report does not: it carries raw numbers in canonical units.
//!
//! # Custom Markdown templates
//!
//! [`MarkdownOptions::template`] replaces the built-in template with a
//! [minijinja](https://docs.rs/minijinja) (Jinja2) template. It receives the [`View`] as its
//! context. HTML auto-escaping is off; pass every value that comes from the input (names,
//! metrics, notes, commits, branches, formatted values) through a filter:
//!
//! - `md`: escapes text for a Markdown paragraph or table cell (`|`, backticks, `*`, `_`, `[`,
//!   `]`, `~`, `#`, `$`, `\`, `<>&` as entities, line breaks as spaces) and defuses `@mentions`.
//!   `none` renders as nothing.
//! - `code`: inline code for plain identifiers (commits, branches), escaped text otherwise.
//! - `codeblock(lang)`: a fenced code block that the text cannot close early.
//!
//! Undefined variables are errors (with the template line), so typos show. `trim_blocks` and
//! `lstrip_blocks` are on: a line holding only a block tag leaves no blank line. The built-in
//! macros can be imported with `{% import "macros.md" as m %}`: `m.run(run)`,
//! `m.results_table(section, what)`, `m.inconclusive_table(section)`,
//! `m.budgets_table(section, what, notes=true)`, `m.others_table(section)`,
//! `m.benchmarks_table(section, what)` (one row per benchmark, the first 10 shown and the rest
//! folded), `m.same_table(section)`, `m.context(section, gating)`,
//! `m.ungated(section, why)`, `m.notes_list(notes)`.
//!
//! ## Variables
//!
//! - `title` (`perfgate` or [`MarkdownOptions::title`]), `verdict` (`pass`/`fail`), `passed`
//!   (bool), `icon` (`✅`/`❌`), `headline` (`2 regressions, 1 budget broken`, `no regressions`),
//!   `summary` (`2 regressions · 1 improvement · 3 unchanged`), `reasons` (list of strings).
//! - `counts`: `regression`, `improvement`, `inconclusive`, `unchanged`, `new`, `missing`,
//!   `budgets_passed`, `budgets_broken` (numbers).
//! - `baseline` (none when there was no baseline) and `current`: `commit`, `short_commit`,
//!   `branch`, `timestamp`, `tool`, `os`, `arch`, `cpu`, `cores`, `runner` (each may be none).
//! - `settings`: `threshold` (`5%`), `alpha` (`0.05`), `min_samples`, `fail_on_regression`,
//!   `fail_on_missing`, `fail_on_new`, `fail_on_inconclusive`, `allow_cross_environment`,
//!   `history_window` (`30`), `history_confidence` (`98%`), `test` (`auto`).
//! - `corrected_over` (metrics the p-values were adjusted over), `correction` (`p-values adjusted
//!   for false discoveries over 312 metrics (Benjamini-Hochberg)`, or none for one metric),
//!   `moderation` (`48 metrics with samples were tested together (moderated t test on log
//!   values): ...`, or none when no metric was decided that way),
//!   `cross_environment` (bool), `environment_differences` (list such as
//!   `cpu: AMD EPYC 7763 → Intel Xeon 8370C`), `environment_note` (what that means for the gate,
//!   or none), `baseline_runs` (1, or the runs of history read from a store), `other_environment_runs`
//!   (runs of the history left out because they ran on another kind of machine) and
//!   `same_machine` (`on the same kind of machine (12 runs on others left out)`, or none).
//! - Sections, each with `rows`, `total`, `more` (rows left out to fit the size limit),
//!   `has_notes` and `has_threshold` (a shown row was decided by the threshold alone):
//!   `regressions`, `budgets_broken`, `missing` and `new` (only those failing the gate),
//!   `inconclusive`, `improvements`, `others` (unchanged, and new or missing not failing the
//!   gate), `budgets_passed`. Together the result sections hold every result once.
//! - Result rows: `benchmark`, `metric`, `unit` (canonical, `ns`), `direction`, `status`,
//!   `method` (`mann_whitney`, `moderated_t`, `threshold`, `exact`, `prediction_interval`,
//!   `none`), `baseline`
//!   and `current` (`1.20 ms` or `—`), `change` (`+12.3%`, `n/a`, `—`), `ci` (`+9.8% to +14.9%`
//!   or `—`), `p` (the adjusted p-value that decided: `p = 0.004`, `p < 0.001`, `—`), `p_short`
//!   (`0.004`), `p_raw` (before adjustment), `explained` (`+12.3% (95% CI +9.8% to +14.9%,
//!   p = 0.001 after correction over 312 metrics)`), `n` (`10 → 10`), `threshold` (`5%`),
//!   `fails_gate`, `note` (or none), `trend` (regressions, improvements and inconclusive
//!   results with a history of more than one run: the baseline branch's last runs and then the
//!   current value as a sparkline, `▁▂▁▃▂▁→█`, scaled per row; or none).
//! - Budget rows: `benchmark`, `metric`, `expression` (`p(95) < 200ms`), `actual` (`212 ms` or
//!   `—`), `limit`, `unit`, `passed`, `note` (or none).
//! - `others_summary` (`3 unchanged, 1 budget met`), `details` (false once the report had to be
//!   shortened: leave out `others` and `budgets_passed` then), `shortened` (rows were left out),
//!   `trends_hidden` (the trends were left out to fit: they are the first thing to go),
//!   `reproduce` ([`MarkdownOptions::reproduce`] or none), `total_results`, `total_budgets`.
//!
//! - Per benchmark (what the built-in template shows): `heading_icon` (`❌` when the gate
//!   failed, `⚠️` when it passed with regressions, broken budgets or inconclusive results, `✅`
//!   otherwise), `heading` (what changed, worst first: `1 benchmark slower: BenchmarkJoin time
//!   +3605%`, `budget broken: http_req_duration p(95) 312 ms > 200 ms · 9 metrics worse`,
//!   `2 inconclusive: …`, `no change in 14 benchmarks`), `benchmark_summary` (benchmarks counted
//!   by their worst change: `1 budget broken · 1 regression · 14 unchanged`), `noun`
//!   (`benchmark`, or `metric` for a k6 run), and the sections `failing` (regressions, and
//!   missing or new failing the gate), `unsure` (inconclusive), `better` and `same` (unchanged,
//!   and new or missing not failing the gate), each worst first, with `same_summary`
//!   (`14 unchanged, 2 budgets met`). Their rows: `benchmark`, `status` (the worst of its
//!   metrics), `fails_gate`, `changes` (at most 4, worse first: `metric`, `status`, `change`,
//!   `baseline`, `current`, and `tag` (`better:`, `worse:`, `unsure:`) on the first change of
//!   another kind than the row's), `more_changes`, `lead` (the change whose values are shown),
//!   `evidence` (`95% CI +20.0% to +22.0%, p < 0.001, n 10 → 10`, `exact`, or empty), `p` and
//!   `trend` (the lead change's sparkline, as on result rows, or none).
//!   `budgets_broken` rows are worst first.
//! - `context` (load tests): changed counts that only follow the test's duration or throughput
//!   (requests, iterations, bytes, `passes`/`fails` of a rate), rows with `benchmark`, `metric`,
//!   `baseline`, `current`, `change`, `fails_gate`; shown as context, not as regressions (the
//!   gate still decides on them: `context_gating` counts those it fails on).
//! - `ungated`: changed statistics that one value a side does not gate without a history of runs
//!   (a run's `max`, `min` and percentiles beyond 99.9, a command's `system` time), rows as in
//!   `context`, inconclusive and never failing the gate; `ungated_why` says when and why in words (with
//!   code spans: pass it through `note`).
//! - `notes`: each note once, with `text`, `names` (`BenchmarkX time`, `http_req_duration
//!   (p(95), p(99))`, at most 6) and `more`. Notes that differ only in the change they quote
//!   are one, with the change left out of the text (the rows show it).
//!
//! The marker ([`MarkdownOptions::marker`]) is not a variable: it is appended after the template's
//! output, always.

pub mod alert;
mod benchmark_rows;
mod digest;
mod headline;
mod json;
mod markdown;
mod method_notes;
mod note_groups;
mod rows;
mod sparkline;
mod terminal;
mod view;
mod watch;
pub mod words;

#[cfg(test)]
mod tests;

pub use benchmark_rows::{BenchmarkRow, Change, ContextRow};
pub use json::render_json;
pub use markdown::{escape_markdown, render_markdown, MarkdownOptions};
pub use note_groups::NoteGroup;
pub use rows::{BudgetRow, ResultRow, RunView, Section};
pub use sparkline::sparkline;
pub use terminal::{clean as printable, render_terminal};
pub use view::{percent_encode, view, SettingsView, View};
pub use watch::render_watch;

/// The schema tag of the JSON report.
pub const REPORT_SCHEMA: &str = "perfgate.report.v1";

/// Why a Markdown report could not be rendered: only a custom template can fail.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The template does not parse.
    #[error(
        "the Markdown template has a syntax error{}: {message}; expected minijinja (Jinja2) syntax",
        at_line(*line)
    )]
    TemplateSyntax {
        line: Option<usize>,
        message: String,
    },
    /// The template parses but fails on this report, such as an unknown variable or filter.
    #[error(
        "the Markdown template failed to render{}: {message}; check the names of its variables and filters (`md`, `code`, `codeblock`)",
        at_line(*line)
    )]
    TemplateRender {
        line: Option<usize>,
        message: String,
    },
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(" at line {l}")).unwrap_or_default()
}

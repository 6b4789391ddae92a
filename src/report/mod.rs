//! Reports: a [`Comparison`](crate::compare::Comparison) rendered as Markdown (PR comment, job
//! summary), as a terminal table, or as the JSON report (`perfgate.report.v1`). Renderers do no
//! I/O: they return strings, and the CLI decides where they go and whether to color.
//!
//! All renderers read numbers from one [`View`], so `1.23 ms` or `+12.3%` read the same
//! everywhere. The JSON report does not: it carries raw numbers in canonical units.
//!
//! # Custom Markdown templates
//!
//! [`MarkdownOptions::template`] replaces the built-in template with a minijinja template; the
//! variables it receives ([`View`]), its filters and macros are documented for users in the
//! book (`docs/src/reports.md`, "Templates"), which `tests/docs.rs` checks against [`View`].

pub mod alert;
mod annotations;
mod benchmark_rows;
mod digest;
mod headline;
mod json;
mod markdown;
mod method_notes;
mod names;
mod note_groups;
mod rows;
mod sparkline;
mod terminal;
mod view;
mod watch;
pub mod words;

#[cfg(test)]
mod tests;

pub use annotations::{annotations, Annotations};
pub use benchmark_rows::{BenchmarkRow, Change, ContextRow};
pub use json::render_json;
pub use markdown::{
    escape_markdown, escape_name, inline_code, note_markdown, render_markdown, MarkdownOptions,
};
pub use names::{display_name, is_invisible, NAME_SHOWN};
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
        "the Markdown template failed to render{}: {message}; check the names of its variables and filters (`md`, `code`, `note`, `codeblock`)",
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

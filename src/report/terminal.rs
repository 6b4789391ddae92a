//! The terminal report, in the comment's order: the budgets (broken first), one line per
//! benchmark (worst first, changed metrics folded in, with the trend of its baseline branch's
//! last runs when there is a history), counts of a load test as context, grouped
//! notes, and a final verdict line that says what changed. Colors only when asked: the CLI
//! decides from the TTY and `NO_COLOR`. Control characters in names are shown escaped so that
//! input cannot move the cursor or recolor the terminal.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::benchmark_rows::{BenchmarkRow, ContextRow};
use super::names::is_invisible;
use super::note_groups::NoteGroup;
use super::rows::{BudgetRow, RunView, Section};
use super::view::{benchmark_view, View};
use crate::compare::Comparison;

/// Widest benchmark column; longer names are shortened in the middle.
const BENCHMARK_WIDTH: usize = 48;
/// Widest metric column.
const METRIC_WIDTH: usize = 24;
/// Names listed under one note before `… and N more`.
const NOTE_NAMES: usize = 3;

/// Renders the comparison for a terminal, with ANSI colors when `color` is true.
pub fn render_terminal(c: &Comparison, color: bool) -> String {
    let v = benchmark_view(c);
    let paint = Paint { color };
    let mut out = String::new();

    out.push_str(&run_line(&v));
    out.push('\n');
    if let Some(note) = &v.environment_note {
        out.push_str(&paint.apply(&clean(note), YELLOW));
        out.push('\n');
    }
    if let Some(note) = &v.suite_note {
        out.push_str(&paint.apply(&clean(note), YELLOW));
        out.push('\n');
    }

    // Broken budgets first (worst first), then one line per benchmark, worst first.
    let budgets: Vec<&BudgetRow> = v
        .budgets_broken
        .rows
        .iter()
        .chain(&v.budgets_passed.rows)
        .collect();
    if !budgets.is_empty() {
        out.push('\n');
        budgets_table(&mut out, &budgets, paint);
    }
    let rows: Vec<&BenchmarkRow> = v
        .failing
        .rows
        .iter()
        .chain(&v.unsure.rows)
        .chain(&v.better.rows)
        .chain(&v.same.rows)
        .collect();
    if !rows.is_empty() {
        out.push('\n');
        benchmarks_table(&mut out, &rows, paint);
    }
    let items = |s: &Section<ContextRow>| -> String {
        let mut items: Vec<String> = s
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} → {} ({})",
                    fit(&r.benchmark, 2 * BENCHMARK_WIDTH),
                    fit(&r.metric, METRIC_WIDTH),
                    r.baseline,
                    r.current,
                    r.change
                )
            })
            .collect();
        if s.more > 0 {
            items.push(format!("and {} more", s.more));
        }
        items.join(" · ")
    };
    if !v.context.rows.is_empty() {
        let gating = if v.context_gating > 0 {
            format!(" (the gate still counts {} of them)", v.context_gating)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "\ncontext, not counted as regressions: counts that follow the test's duration and throughput{gating}:\n  {}\n",
            items(&v.context)
        );
    }
    if !v.ungated.rows.is_empty() {
        let _ = write!(
            out,
            "\nnot gated {}:\n  {}\n",
            v.ungated_why,
            items(&v.ungated)
        );
    }
    notes(&mut out, &v.notes);
    if let Some(corr) = &v.correction {
        let _ = write!(out, "\n{corr}.\n");
    }
    if let Some(m) = &v.moderation {
        let gap = if v.correction.is_some() { "" } else { "\n" };
        let _ = writeln!(out, "{gap}{m}.");
    }

    out.push('\n');
    let verdict = format!(
        "perfgate: {} ({})",
        v.verdict.to_uppercase(),
        clean(&v.heading)
    );
    let style = if v.passed { GREEN } else { RED };
    out.push_str(&paint.apply(&verdict, style.bold()));
    out.push('\n');
    out
}

fn run_line(v: &View) -> String {
    let line = base_line(v);
    match &v.same_machine {
        Some(m) => format!("{line}, {m}"),
        None => line,
    }
}

fn base_line(v: &View) -> String {
    let current = describe(&v.current);
    let Some(b) = &v.baseline else {
        return format!("current {current}; no baseline: budgets only");
    };
    // A history's runs before the baseline run; several runs of one commit have none.
    let before = match v.baseline_runs {
        _ if b.runs > 1 => String::new(),
        0..=1 => String::new(),
        2 => " and the run before it".to_string(),
        n => format!(" and the {} runs before it", n - 1),
    };
    format!("current {current} vs baseline {}{before}", describe(b))
}

/// `2 runs of 9f8e7d6 on main (2025-06-02T10:15:00Z)`, or without the count for one run.
fn describe(r: &RunView) -> String {
    let mut s = if r.runs > 1 {
        format!("{} runs of ", r.runs)
    } else {
        String::new()
    };
    match r.short_commit.as_deref() {
        Some(c) => s.push_str(&clean(c)),
        None => s.push_str("(unknown commit)"),
    }
    if let Some(b) = &r.branch {
        let _ = write!(s, " on {}", clean(b));
    }
    if let Some(t) = &r.timestamp {
        let _ = write!(s, " ({})", clean(t));
    }
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// A table cell: its plain text and how to color it.
struct Cell {
    text: String,
    style: Style,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        style: Style::new(),
    }
}

fn styled(text: impl Into<String>, style: Style) -> Cell {
    Cell {
        text: text.into(),
        style,
    }
}

const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const DIM: Style = Style::new().dimmed();

fn status_style(status: &str) -> Style {
    match status {
        "regression" => RED,
        "improvement" => GREEN,
        "inconclusive" => YELLOW,
        _ => Style::new(),
    }
}

fn benchmarks_table(out: &mut String, rows: &[&BenchmarkRow], paint: Paint) {
    // The trend column only when some row has one (a history of more than one run).
    let trends = rows.iter().any(|r| r.trend.is_some());
    let mut header = vec!["benchmark", "change", "baseline → current"];
    let mut align = vec![Align::Left, Align::Left, Align::Left];
    if trends {
        header.push("trend");
        align.push(Align::Left);
    }
    header.extend(["p", "status"]);
    align.extend([Align::Right, Align::Left]);
    let body: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let style = status_style(r.status);
            let mut change: Vec<String> = r
                .changes
                .iter()
                .map(|ch| {
                    let value = if matches!(ch.status, "missing" | "new") {
                        ch.status.to_string()
                    } else {
                        ch.change.clone()
                    };
                    let tag = ch.tag.map(|t| format!("{t} ")).unwrap_or_default();
                    format!("{tag}{} {value}", fit(&ch.metric, METRIC_WIDTH))
                })
                .collect();
            if r.more_changes > 0 {
                change.push(format!("+{} more", r.more_changes));
            }
            let change = if change.is_empty() {
                format!("{} {}", fit(&r.lead.metric, METRIC_WIDTH), r.lead.change)
            } else {
                change.join(" · ")
            };
            let mut cells = vec![
                cell(fit(&r.benchmark, BENCHMARK_WIDTH)),
                styled(change, style),
                cell(format!(
                    "{} {} → {}",
                    fit(&r.lead.metric, METRIC_WIDTH),
                    clean(&r.lead.baseline),
                    clean(&r.lead.current)
                )),
            ];
            if trends {
                cells.push(cell(r.trend.clone().unwrap_or_default()));
            }
            cells.push(cell(r.p.clone()));
            cells.push(styled(r.status, style));
            cells
        })
        .collect();
    table(out, &header, &align, &body, paint);
}

fn budgets_table(out: &mut String, rows: &[&BudgetRow], paint: Paint) {
    let header = ["budget", "benchmark", "actual", "limit", "status"];
    let align = [
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Left,
    ];
    let body: Vec<Vec<Cell>> = rows
        .iter()
        .map(|b| {
            let status = if b.passed {
                styled("met", GREEN)
            } else {
                styled("broken", RED)
            };
            vec![
                cell(clean(&b.expression)),
                cell(fit(&b.benchmark, BENCHMARK_WIDTH)),
                cell(clean(&b.actual)),
                cell(clean(&b.limit)),
                status,
            ]
        })
        .collect();
    table(out, &header, &align, &body, paint);
}

/// Writes an aligned table, two spaces between columns, the header dimmed.
fn table(out: &mut String, header: &[&str], align: &[Align], rows: &[Vec<Cell>], paint: Paint) {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(&c.text));
        }
    }
    let head: Vec<Cell> = header.iter().map(|h| styled(*h, DIM)).collect();
    for row in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        let last = row.len().saturating_sub(1);
        for (i, ((c, w), a)) in row.iter().zip(&widths).zip(align).enumerate() {
            let pad = " ".repeat(w.saturating_sub(width(&c.text)));
            let text = paint.apply(&c.text, c.style);
            match a {
                Align::Left if i == last => line.push_str(&text),
                Align::Left => {
                    line.push_str(&text);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(&text);
                }
            }
            if i != last {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Notes of the changed results and the budgets, each note once with the names it applies to
/// (a run of single values gives every result the same note).
fn notes(out: &mut String, groups: &[NoteGroup]) {
    if groups.is_empty() {
        return;
    }
    out.push_str("\nnotes:\n");
    for g in groups {
        let _ = writeln!(out, "  {}", clean(&g.text));
        let shown: Vec<String> = g
            .names
            .iter()
            .take(NOTE_NAMES)
            .map(|n| fit(n, 2 * BENCHMARK_WIDTH))
            .collect();
        let mut line = shown.join(", ");
        let more = g.more + g.names.len().saturating_sub(NOTE_NAMES);
        if more > 0 {
            let _ = write!(line, " … and {more} more");
        }
        let _ = writeln!(out, "    {}", line);
    }
}

#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn apply(self, text: &str, style: Style) -> String {
        if self.color && style != Style::new() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

/// Display width, counted in characters (good enough for the names benchmarks use).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Shows control characters and the characters that do not show or reorder text
/// ([`is_invisible`]: zero-width spaces, bidirectional overrides) escaped (`\u{1b}`,
/// `\u{200b}`), so that input cannot drive the terminal, reorder what it shows, or pass for
/// another name.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_clean(&mut out, c);
    }
    out
}

fn push_clean(out: &mut String, c: char) {
    if c.is_control() || is_invisible(c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// `text` as [`clean`] shows it, shortened to `max` characters by replacing its middle with
/// `…`. The cut falls between the raw text's characters, never inside an escape (`\u{1b}`).
fn fit(text: &str, max: usize) -> String {
    let whole = clean(text);
    let n = width(&whole);
    if n <= max || max < 3 {
        return whole;
    }
    let keep = max - 1;
    let head_room = keep.div_ceil(2);
    let tail_room = keep - head_room;
    // Whole characters (or escapes) from one end, as many as `room` holds.
    let take = |chars: &mut dyn Iterator<Item = char>, room: usize| -> Vec<String> {
        let mut taken = Vec::new();
        let mut used = 0;
        for c in chars {
            let mut shown = String::new();
            push_clean(&mut shown, c);
            used += width(&shown);
            if used > room {
                break;
            }
            taken.push(shown);
        }
        taken
    };
    let head = take(&mut text.chars(), head_room).concat();
    let mut tail = take(&mut text.chars().rev(), tail_room);
    tail.reverse();
    format!("{head}…{}", tail.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_in_the_middle() {
        assert_eq!(fit("abcdefghij", 7), "abc…hij");
        assert_eq!(fit("abcdefghij", 6), "abc…ij");
        assert_eq!(fit("short", 7), "short");
        assert_eq!(width(&fit(&"x".repeat(100), 48)), 48);
    }

    #[test]
    fn a_name_is_shortened_between_escapes_never_inside_one() {
        let name = format!("{}{}", "\u{1b}".repeat(20), "\u{200b}".repeat(20));
        let shown = fit(&name, 20);
        assert!(width(&shown) <= 20, "{shown}");
        // Whole escapes each side of the cut (of 6 and 8 characters), as many as fit.
        assert_eq!(shown, "\\u{1b}…\\u{200b}");
        assert_eq!(fit("ab\u{1b}cd", 8), "ab…cd");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("a\nb"), "a\\nb");
    }

    #[test]
    fn invisible_characters_are_shown_escaped() {
        assert_eq!(clean("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(clean("evil\u{202e}txt"), "evil\\u{202e}txt");
        assert_eq!(clean("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(
            clean("soft\u{ad}hyphen\u{feff}"),
            "soft\\u{ad}hyphen\\u{feff}"
        );
        // Two names that differ only by an invisible character read differently.
        assert_ne!(clean("a\u{200c}b"), clean("ab"));
    }
}

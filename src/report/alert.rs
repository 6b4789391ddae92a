//! What the watch on the default branch says about level shifts for the worse
//! ([`crate::compare::alert`]): the job summary's section, the comment on the commit that started
//! a shift, and the issue kept per key, with the hidden markers that find them again.
//!
//! Markers (HTML comments, invisible on GitHub), each the last line of its body:
//! - commit comment: `<!-- perfgate:alert key=<key> commit=<sha> series=<id>,<id> -->`, the ids
//!   naming the series the comment announces (16 hex digits of a hash of benchmark and metric),
//!   so that a later run never announces them again on that commit;
//! - issue: `<!-- perfgate:alert-issue key=<key> -->`, after the issue's state
//!   (`<!-- perfgate:state <hex of JSON> -->`: the shifts it tracks, with the level before each,
//!   which tells when a later shift undoes it).
//!
//! Every name is escaped ([`escape_name`]: shortened when long); keys are sanitised
//! ([`sanitize_key`]); commits in markers are checked to be hexadecimal.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::markdown::{escape_markdown, escape_name, inline_code};
use super::words::{percent_plain, percent_signed, short_commit};
use crate::compare::alert::{size, Shift, ShiftGroup, Watch};
use crate::github::comment::{sanitize_key, COMMENT_LIMIT_CHARS};

/// Rows shown in a table before `… and N more`.
const ROWS: usize = 30;

/// Shifts an issue's state keeps: the open ones first, then the latest undone ones. Bounds the
/// body within GitHub's 65,536 characters (about 450 characters of state and two table rows a
/// shift); longer names shorten it further ([`render_issue`]).
const TRACKED: usize = 40;

/// The label perfgate's alert issues carry (GitHub creates it with the first issue).
pub const ISSUE_LABEL: &str = "perfgate";

/// Where the alerts are written from.
#[derive(Debug, Clone, Default)]
pub struct AlertContext {
    /// The `key` input.
    pub key: String,
    /// The default branch.
    pub branch: String,
    /// The commit of the push's run.
    pub run_commit: Option<String>,
    /// `https://github.com` (or the GitHub Enterprise Server URL) and `owner/name`, for links.
    pub server_url: Option<String>,
    pub repository: Option<String>,
}

impl AlertContext {
    /// `` [`abc1234`](https://github.com/o/r/commit/abc…) ``, or the short commit alone; an id
    /// that is no commit SHA (not 7 to 64 hexadecimal digits) whole, without a link.
    fn commit(&self, sha: &str) -> String {
        if !is_sha(sha) {
            return inline_code(sha);
        }
        let short = inline_code(short_commit(sha));
        match (&self.server_url, &self.repository) {
            (Some(server), Some(repo)) if plain_url_part(repo) => format!(
                "[{short}]({}/{repo}/commit/{sha})",
                server.trim_end_matches('/')
            ),
            _ => short,
        }
    }

    fn run(&self) -> String {
        self.run_commit
            .as_deref()
            .map_or_else(|| "this push".to_string(), |c| self.commit(c))
    }

    fn key_note(&self) -> String {
        if self.key == "default" {
            String::new()
        } else {
            format!(" ({})", inline_code(&sanitize_key(&self.key)))
        }
    }
}

fn is_sha(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
}

fn plain_url_part(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// The words for a shift for the worse: `slower` for times, `worse` otherwise.
fn verb(shifts: &[&Shift]) -> &'static str {
    if shifts
        .iter()
        .all(|s| s.unit == crate::model::Unit::Nanoseconds)
    {
        "slower"
    } else {
        "worse"
    }
}

/// The table of `shifts`: benchmark, metric, change, the level before and after, and (with
/// `commits`) the commit that started each.
fn table(shifts: &[&Shift], ctx: &AlertContext, commits: bool) -> String {
    let mut out = String::from(if commits {
        "| benchmark | metric | change | before → after | started at |\n|---|---|---:|---|---|\n"
    } else {
        "| benchmark | metric | change | before → after |\n|---|---|---:|---|\n"
    });
    for s in shifts.iter().take(ROWS) {
        let _ = write!(
            out,
            "| {} | {} | {} | {} → {} |",
            escape_name(&s.benchmark),
            escape_name(&s.metric),
            percent_signed(s.change),
            escape_markdown(&s.unit.format(s.before)),
            escape_markdown(&s.unit.format(s.after)),
        );
        if commits {
            let _ = write!(out, " {} |", ctx.commit(&s.commit));
        }
        out.push('\n');
    }
    if shifts.len() > ROWS {
        let _ = writeln!(out, "\n… and {} more.", shifts.len() - ROWS);
    }
    out
}

/// The job summary's section: the level shifts for the worse this push confirmed, with the
/// commits that started them. None when it confirmed none. `fails` says whether the job fails
/// for them (`fail-on-alert`).
pub fn render_summary(w: &Watch, ctx: &AlertContext, fails: bool) -> Option<String> {
    let mut all: Vec<&Shift> = w.alerts.iter().flat_map(|g| &g.shifts).collect();
    all.sort_by(|a, b| size(b).total_cmp(&size(a)));
    let worst = all.first()?;
    let mut out = format!(
        "### 📉 {}{} got {} at {}: {} {} {}\n\n",
        inline_code(&ctx.branch),
        ctx.key_note(),
        verb(&all),
        ctx.commit(&worst.commit),
        escape_name(&worst.benchmark),
        escape_name(&worst.metric),
        percent_signed(worst.change),
    );
    let _ = write!(
        out,
        "The run of {} confirms {} for the worse: the runs since {} settled at a new level, beyond the gate's threshold.\n\n",
        ctx.run(),
        match all.len() {
            1 => "a level shift".to_string(),
            n => format!("{n} level shifts"),
        },
        match w.alerts.len() {
            1 => "that commit".to_string(),
            n => format!("those {n} commits"),
        },
    );
    out.push_str(&table(&all, ctx, true));
    out.push_str(if fails {
        "\nThe run is recorded all the same; this job fails (`fail-on-alert: true`).\n\n"
    } else {
        "\nThe run is recorded all the same, and this job passes.\n\n"
    });
    Some(out)
}

/// A series' id in markers: 16 hex digits of FNV-1a over benchmark and metric.
pub fn series_id(benchmark: &str, metric: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in benchmark.bytes().chain([0]).chain(metric.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The start of the commit comment's marker for `key` and `commit`, up to the series list.
pub fn commit_marker_prefix(key: &str, commit: &str) -> String {
    let commit: String = commit
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect();
    format!(
        "<!-- perfgate:alert key={} commit={commit} series=",
        sanitize_key(key)
    )
}

/// The commit comment's marker line naming `ids`.
fn commit_marker(key: &str, commit: &str, ids: &[String]) -> String {
    format!("{}{} -->", commit_marker_prefix(key, commit), ids.join(","))
}

/// The series ids a commit comment's marker names, when its last line is the marker of `key`
/// and `commit`.
pub fn announced(body: &str, key: &str, commit: &str) -> Option<Vec<String>> {
    let last = body.trim_end().lines().last()?.trim();
    let ids = last
        .strip_prefix(&commit_marker_prefix(key, commit))?
        .strip_suffix("-->")?
        .trim();
    Some(
        ids.split(',')
            .filter(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_string)
            .collect(),
    )
}

/// The comment on the commit that started the shifts of `g`.
pub fn render_commit_comment(g: &ShiftGroup, ctx: &AlertContext) -> String {
    let shifts: Vec<&Shift> = g.shifts.iter().collect();
    let mut out = format!(
        "### 📉 perfgate: {} got {} at this commit{}\n\n",
        inline_code(&ctx.branch),
        verb(&shifts),
        ctx.key_note()
    );
    let _ = write!(
        out,
        "The runs of {} from this commit on settled at a new level, beyond the gate's threshold ({}), as the run of {} confirms:\n\n",
        inline_code(&ctx.branch),
        threshold_words(&shifts),
        ctx.run(),
    );
    out.push_str(&table(&shifts, ctx, false));
    out.push_str(
        "\nA level is the geometric mean of its runs; runs far out from their level (a slow day on the runners) are left out.\n\n",
    );
    let ids: Vec<String> = shifts
        .iter()
        .map(|s| series_id(&s.benchmark, &s.metric))
        .collect();
    out.push_str(&commit_marker(&ctx.key, &g.commit, &ids));
    out
}

/// `body`, an existing commit comment of `key` and `commit` that announced `before`, with the
/// shifts of `later` (confirmed by a later run) added and the marker naming them all.
pub fn extend_commit_comment(
    body: &str,
    before: &[String],
    later: &[&Shift],
    commit: &str,
    ctx: &AlertContext,
) -> String {
    let trimmed = body.trim_end();
    let text = match trimmed.rsplit_once('\n') {
        Some((text, _marker)) => text.trim_end(),
        None => "",
    };
    let mut out = format!(
        "{text}\n\nConfirmed later, by the run of {}:\n\n{}\n",
        ctx.run(),
        table(later, ctx, false)
    );
    let mut ids = before.to_vec();
    ids.extend(later.iter().map(|s| series_id(&s.benchmark, &s.metric)));
    out.push_str(&commit_marker(&ctx.key, commit, &ids));
    out
}

fn threshold_words(shifts: &[&Shift]) -> String {
    let mut ts: Vec<String> = shifts.iter().map(|s| percent_plain(s.threshold)).collect();
    ts.dedup();
    match ts.as_slice() {
        [one] => one.clone(),
        _ => "per series".to_string(),
    }
}

/// The issue's marker for `key`: its body's last line.
pub fn issue_marker(key: &str) -> String {
    format!("<!-- perfgate:alert-issue key={} -->", sanitize_key(key))
}

/// A shift an issue tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    #[serde(flatten)]
    pub shift: Shift,
    /// The push whose run confirmed it.
    #[serde(default)]
    pub found_by: Option<String>,
    /// The push whose run showed it undone, and the level then.
    #[serde(default)]
    pub undone_by: Option<String>,
    #[serde(default)]
    pub level_then: Option<f64>,
}

/// What an issue tracks, kept in its body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IssueState {
    pub shifts: Vec<Tracked>,
}

/// What [`IssueState::update`] changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IssueChange {
    /// Shifts added (confirmed by this run and not tracked yet).
    pub added: Vec<Shift>,
    /// Shifts this run found undone.
    pub undone: Vec<Tracked>,
}

impl IssueChange {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.undone.is_empty()
    }
}

impl IssueState {
    /// The shifts still open.
    pub fn open(&self) -> impl Iterator<Item = &Tracked> {
        self.shifts.iter().filter(|t| t.undone_by.is_none())
    }

    /// Adds the shifts this push confirmed and marks the open ones a later shift undid.
    pub fn update(&mut self, w: &Watch, run_commit: Option<&str>) -> IssueChange {
        let mut change = IssueChange::default();
        let run = run_commit.map(str::to_string);
        for t in self.shifts.iter_mut().filter(|t| t.undone_by.is_none()) {
            let Some(series) = w.series(&t.shift.benchmark, &t.shift.metric) else {
                continue;
            };
            if series.undoes(&t.shift.commit, t.shift.before) {
                t.undone_by = Some(run.clone().unwrap_or_else(|| "a later push".into()));
                t.level_then = series.levels.current;
                change.undone.push(t.clone());
            }
        }
        for s in w.alerts.iter().flat_map(|g| &g.shifts) {
            let known = self.open().any(|t| {
                t.shift.benchmark == s.benchmark
                    && t.shift.metric == s.metric
                    && t.shift.commit == s.commit
            });
            if !known {
                self.shifts.push(Tracked {
                    shift: s.clone(),
                    found_by: run.clone(),
                    undone_by: None,
                    level_then: None,
                });
                change.added.push(s.clone());
            }
        }
        self.trim();
        change
    }

    /// At most [`TRACKED`] shifts: the open ones first, then the latest undone.
    fn trim(&mut self) {
        self.keep(TRACKED);
    }

    /// At most `max` shifts: the open ones first, then the latest undone.
    fn keep(&mut self, max: usize) {
        if self.shifts.len() <= max {
            return;
        }
        let (open, undone): (Vec<Tracked>, Vec<Tracked>) = std::mem::take(&mut self.shifts)
            .into_iter()
            .partition(|t| t.undone_by.is_none());
        let room = max.saturating_sub(open.len());
        let skip = undone.len().saturating_sub(room);
        self.shifts = open.into_iter().take(max).collect();
        self.shifts.extend(undone.into_iter().skip(skip));
    }

    /// The state line: JSON in base64, which no text can break out of (no `-->` in it).
    fn line(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("<!-- perfgate:state {} -->", BASE64.encode(json))
    }

    /// The state kept in an issue's body; empty when there is none or it was damaged.
    pub fn parse(body: &str) -> IssueState {
        body.lines()
            .rev()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("<!-- perfgate:state ")?
                    .strip_suffix(" -->")
                    .map(str::to_string)
            })
            .and_then(|text| BASE64.decode(text.trim()).ok())
            .and_then(|json| serde_json::from_slice(&json).ok())
            .unwrap_or_default()
    }
}

/// The issue's title (plain text: no name from the results in it).
pub fn issue_title(ctx: &AlertContext) -> String {
    let key = if ctx.key == "default" {
        String::new()
    } else {
        format!(" ({})", sanitize_key(&ctx.key))
    };
    let branch: String = ctx.branch.chars().filter(|c| !c.is_control()).collect();
    format!("perfgate: {branch} got slower{key}")
}

/// The issue's body: the open shifts, the undone ones, the state and the marker; within GitHub's
/// limit on a body, keeping fewer shifts when their names are long.
pub fn render_issue(state: &IssueState, ctx: &AlertContext) -> String {
    let mut kept = state.clone();
    loop {
        let body = issue_body(&kept, ctx);
        if body.chars().count() <= COMMENT_LIMIT_CHARS || kept.shifts.len() <= 1 {
            return body;
        }
        kept.keep(kept.shifts.len() / 2);
    }
}

fn issue_body(state: &IssueState, ctx: &AlertContext) -> String {
    let open: Vec<&Shift> = state.open().map(|t| &t.shift).collect();
    let mut out = format!(
        "perfgate watches {}{}: when the runs of a push settle at a level worse than the one before, beyond the gate's threshold, the level shift is listed here with the commit that started it. The issue closes when later shifts bring every series back within the threshold of where it was.\n\n",
        inline_code(&ctx.branch),
        ctx.key_note()
    );
    if open.is_empty() {
        out.push_str("### ✅ Every shift is undone\n\n");
    } else {
        let _ = write!(out, "### 📉 Open ({})\n\n", open.len());
        out.push_str(&table(&open, ctx, true));
        out.push('\n');
    }
    let undone: Vec<&Tracked> = state
        .shifts
        .iter()
        .filter(|t| t.undone_by.is_some())
        .collect();
    if !undone.is_empty() {
        let _ = write!(out, "### Undone ({})\n\n", undone.len());
        out.push_str(&undone_table(&undone, ctx));
        out.push('\n');
    }
    let _ = writeln!(out, "{}", state.line());
    out.push_str(&issue_marker(&ctx.key));
    out
}

fn undone_table(undone: &[&Tracked], ctx: &AlertContext) -> String {
    let mut out = String::from(
        "| benchmark | metric | shift | started at | level now | undone by |\n|---|---|---:|---|---|---|\n",
    );
    for t in undone.iter().take(ROWS) {
        let s = &t.shift;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape_name(&s.benchmark),
            escape_name(&s.metric),
            percent_signed(s.change),
            ctx.commit(&s.commit),
            t.level_then
                .map_or_else(|| "—".to_string(), |v| escape_markdown(&s.unit.format(v))),
            t.undone_by
                .as_deref()
                .map_or_else(|| "—".to_string(), |c| ctx.commit(c)),
        );
    }
    if undone.len() > ROWS {
        let _ = writeln!(out, "\n… and {} more.", undone.len() - ROWS);
    }
    out
}

/// The comment on the issue when this push added shifts to it.
pub fn render_issue_added(added: &[Shift], ctx: &AlertContext) -> String {
    let shifts: Vec<&Shift> = added.iter().collect();
    format!(
        "📉 The run of {} confirms {} for the worse:\n\n{}",
        ctx.run(),
        match shifts.len() {
            1 => "a new level shift".to_string(),
            n => format!("{n} new level shifts"),
        },
        table(&shifts, ctx, true)
    )
}

/// The comment that closes the issue: the shifts the last run found undone.
pub fn render_issue_closed(undone: &[Tracked], ctx: &AlertContext) -> String {
    let rows: Vec<&Tracked> = undone.iter().collect();
    format!(
        "✅ The run of {} shows every series back within the threshold of its level before the shift, so this issue is closed. Undone by this run:\n\n{}",
        ctx.run(),
        undone_table(&rows, ctx)
    )
}

/// The body of an alert issue closed as a duplicate of issue `kept`: two runs at once each found
/// no issue and each opened one. No marker: it is no longer the key's issue.
pub fn render_issue_duplicate(kept: u64) -> String {
    format!(
        "Duplicate of #{kept}: another run of the workflow opened that issue at the same moment; the alert is kept there."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::alert::{Levels, SeriesLevels};
    use crate::model::{Direction, Unit};

    const STARTED: &str = "9fceb02d0ae598e95dc970b74767f19372d61af8";
    const RUN: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

    fn ctx() -> AlertContext {
        AlertContext {
            key: "linux-x64".into(),
            branch: "main".into(),
            run_commit: Some(RUN.into()),
            server_url: Some("https://github.com".into()),
            repository: Some("octo-org/perf-repo".into()),
        }
    }

    fn shift(benchmark: &str, metric: &str, unit: Unit, before: f64, after: f64) -> Shift {
        Shift {
            benchmark: benchmark.into(),
            metric: metric.into(),
            unit,
            direction: Direction::LowerIsBetter,
            commit: STARTED.into(),
            change: after / before - 1.0,
            before,
            after,
            threshold: 0.055,
        }
    }

    fn group() -> ShiftGroup {
        ShiftGroup {
            commit: STARTED.into(),
            shifts: vec![
                shift(
                    "BenchmarkParse-8",
                    "time",
                    Unit::Nanoseconds,
                    48_200.0,
                    58_800.0,
                ),
                shift(
                    "BenchmarkEvil|`name`<img src=x>@here",
                    "time",
                    Unit::Nanoseconds,
                    1_200.0,
                    1_390.0,
                ),
            ],
        }
    }

    fn watch(current: f64) -> Watch {
        Watch {
            alerts: vec![group()],
            series: vec![SeriesLevels {
                benchmark: "BenchmarkParse-8".into(),
                metric: "time".into(),
                threshold: 0.055,
                // The commit that started the shift, two runs at its level, and a later shift.
                commits: vec![
                    Some(STARTED.into()),
                    None,
                    Some(RUN.into()),
                    Some(RUN.into()),
                ],
                levels: Levels {
                    shifts: vec![crate::compare::alert::Level {
                        start: 2,
                        change: current / 58_800.0 - 1.0,
                        before: 58_800.0,
                        after: current,
                        runs: 2,
                    }],
                    confirmed: Vec::new(),
                    current: Some(current),
                },
            }],
        }
    }

    #[test]
    fn commit_comment() {
        let body = render_commit_comment(&group(), &ctx());
        assert!(!body.contains("<img"), "{body}");
        insta::assert_snapshot!(body);
    }

    #[test]
    fn summary_section() {
        insta::assert_snapshot!(render_summary(&watch(58_000.0), &ctx(), false).unwrap());
    }

    #[test]
    fn issue_body_with_one_shift_open_and_one_undone() {
        let mut state = IssueState::default();
        let mut w = watch(58_000.0);
        let added = state.update(&w, Some(STARTED));
        assert_eq!(added.added.len(), 2);
        w.alerts.clear();
        // A later run: the parse benchmark is back near 48.2 µs.
        let later = watch(48_500.0);
        let change = state.update(
            &Watch {
                alerts: Vec::new(),
                ..later
            },
            Some(RUN),
        );
        assert_eq!(change.undone.len(), 1);
        assert_eq!(state.open().count(), 1);
        let body = render_issue(&state, &ctx());
        assert_eq!(IssueState::parse(&body), state);
        assert!(body.ends_with("<!-- perfgate:alert-issue key=linux-x64 -->"));
        insta::assert_snapshot!(body);
    }

    #[test]
    fn issue_comments_when_shifts_are_added_and_when_it_closes() {
        let g = group();
        let added = render_issue_added(&g.shifts, &ctx());
        let mut state = IssueState::default();
        let mut one = watch(58_000.0);
        one.alerts[0].shifts.truncate(1);
        state.update(&one, Some(STARTED));
        let change = state.update(
            &Watch {
                alerts: Vec::new(),
                ..watch(48_300.0)
            },
            Some(RUN),
        );
        assert_eq!(state.open().count(), 0);
        let closed = render_issue_closed(&change.undone, &ctx());
        insta::assert_snapshot!(format!("{added}\n---\n{closed}"));
    }

    #[test]
    fn a_shift_already_tracked_is_not_added_again() {
        let mut state = IssueState::default();
        assert_eq!(state.update(&watch(58_000.0), Some(RUN)).added.len(), 2);
        assert!(state.update(&watch(58_000.0), Some(RUN)).is_empty());
    }

    #[test]
    fn a_commit_comment_names_its_series_and_is_extended_only_with_new_ones() {
        let c = ctx();
        let g = group();
        let body = render_commit_comment(&g, &c);
        let ids = announced(&body, "linux-x64", STARTED).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(announced(&body, "other", STARTED), None);
        assert_eq!(announced(&body, "linux-x64", RUN), None);
        let later = shift("BenchmarkJoin", "B/op", Unit::Bytes, 512.0, 640.0);
        let extended = extend_commit_comment(&body, &ids, &[&later], STARTED, &c);
        assert_eq!(announced(&extended, "linux-x64", STARTED).unwrap().len(), 3);
        assert_eq!(extended.matches("perfgate:alert key").count(), 1);
        assert!(extended.contains("BenchmarkJoin"));
    }

    #[test]
    fn damaged_state_reads_as_empty() {
        assert_eq!(
            IssueState::parse("<!-- perfgate:state zz -->"),
            IssueState::default()
        );
        assert_eq!(IssueState::parse("no state"), IssueState::default());
        assert_eq!(
            IssueState::parse("<!-- perfgate:state 7b7d -->"),
            IssueState::default()
        );
    }

    #[test]
    fn an_issue_with_huge_names_stays_within_the_body_limit() {
        let mut state = IssueState::default();
        let mut w = watch(58_000.0);
        w.alerts[0].shifts = (0..40)
            .map(|i| {
                shift(
                    &format!("{i}{}", "<".repeat(3_000)),
                    "time",
                    Unit::Nanoseconds,
                    1.0,
                    2.0,
                )
            })
            .collect();
        state.update(&w, Some(RUN));
        let body = render_issue(&state, &ctx());
        assert!(body.chars().count() <= COMMENT_LIMIT_CHARS);
        assert!(body.ends_with(&issue_marker("linux-x64")));
        assert!(!IssueState::parse(&body).shifts.is_empty());
    }

    #[test]
    fn series_ids_tell_benchmark_and_metric_apart() {
        assert_ne!(series_id("ab", "c"), series_id("a", "bc"));
        assert_eq!(series_id("a", "b").len(), 16);
    }
}

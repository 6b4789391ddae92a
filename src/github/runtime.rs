//! The GitHub Actions runtime, as a container action sees it: inputs (`INPUT_*` variables, hyphens
//! kept), the event payload, and the files the runner reads back (`GITHUB_OUTPUT`,
//! `GITHUB_STEP_SUMMARY`) plus workflow commands for annotations. Everything here is pure: it takes
//! the environment as a lookup function and text, and returns data or text; the caller does I/O.

use serde::Deserialize;

use crate::model::instant;

/// What the action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Compare on pull requests, save on pushes to the default branch.
    Auto,
    Compare,
    Save,
    /// Post a report rendered earlier (from a `workflow_run` workflow, for fork PRs).
    Comment,
}

/// Where the baseline comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSource {
    /// The data branch (default).
    DataBranch,
    /// Result files (paths or globs), for a same-job A/B comparison.
    Paths(Vec<String>),
}

/// The action's inputs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub results: Vec<String>,
    pub format: Option<String>,
    pub config: Option<String>,
    pub token: Option<String>,
    pub mode: Mode,
    pub baseline: BaselineSource,
    pub data_branch: String,
    pub threshold: Option<String>,
    pub fail_on_regression: bool,
    pub comment: bool,
    pub summary: bool,
    pub key: String,
    /// The login whose comments perfgate may update (the token's identity).
    pub comment_author: String,
    /// Runs kept per branch and key on the data branch.
    pub keep: Option<usize>,
    /// Write the dashboard (index.html, data.js) on the data branch with each save.
    pub dashboard: bool,
    /// Where the dashboard is served, for the comment's chart links.
    pub dashboard_url: Option<String>,
    /// Budgets, one per line (k6 threshold form or `<benchmark> <statistic> <op> <value>`),
    /// added to the config's.
    pub budgets: Vec<String>,
    /// Where a level shift for the worse on the default branch is told, beyond the job summary.
    pub alert: super::alert::AlertMode,
    /// Fail a push's job when its run confirmed a level shift for the worse.
    pub fail_on_alert: bool,
}

/// A bad input, named as the workflow spells it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input `{input}`: {message}")]
pub struct InputError {
    pub input: String,
    pub message: String,
}

impl Inputs {
    /// Reads the inputs through `env`. The runner upper-cases input names and keeps hyphens
    /// (`INPUT_FAIL-ON-REGRESSION`); the underscore spelling is accepted too.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Inputs, InputError> {
        let get = |name: &str| -> Option<String> {
            let upper = name.to_ascii_uppercase();
            env(&format!("INPUT_{upper}"))
                .or_else(|| env(&format!("INPUT_{}", upper.replace('-', "_"))))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let err = |input: &str, message: String| InputError {
            input: input.to_string(),
            message,
        };
        let boolean = |name: &str, default: bool| -> Result<bool, InputError> {
            match get(name).as_deref() {
                None => Ok(default),
                Some("true" | "True" | "TRUE") => Ok(true),
                Some("false" | "False" | "FALSE") => Ok(false),
                Some(other) => Err(err(
                    name,
                    format!("expected `true` or `false`, found `{other}`"),
                )),
            }
        };
        let mode = match get("mode").as_deref() {
            None | Some("auto") => Mode::Auto,
            Some("compare") => Mode::Compare,
            Some("save") => Mode::Save,
            Some("comment") => Mode::Comment,
            Some(other) => {
                return Err(err(
                    "mode",
                    format!("expected one of auto, compare, save, comment; found `{other}`"),
                ))
            }
        };
        let results = split_list(&get("results").unwrap_or_default());
        if results.is_empty() {
            return Err(err(
                "results",
                "no result files given: set `results` to the paths or globs of your benchmark output".into(),
            ));
        }
        let baseline = match get("baseline").as_deref() {
            None | Some("data-branch") => BaselineSource::DataBranch,
            Some(paths) => BaselineSource::Paths(split_list(paths)),
        };
        let key = get("key").unwrap_or_else(|| "default".into());
        // Checked whole, never shortened: two keys cut to one length would share a series and a
        // comment.
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || key.starts_with('.')
            || key.len() > 100
        {
            return Err(err(
                "key",
                format!("`{}` may only hold letters, digits, `-`, `_` and `.`, must not start with `.`, and may be 100 characters long at most", inert(&key, 120)),
            ));
        }
        let token = get("github-token");
        // An HTTP header cannot hold a line break: the client would refuse it deep inside.
        if token
            .as_deref()
            .is_some_and(|t| !t.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err(err(
                "github-token",
                "holds a space, a line break or a character outside printable ASCII; expected a token as GitHub issues it (the value is not shown)".to_string(),
            ));
        }
        let data_branch = get("data-branch").unwrap_or_else(|| "perfgate-data".into());
        if !valid_branch(&data_branch) {
            return Err(err(
                "data-branch",
                format!(
                    "`{}` is not a branch name perfgate writes to: letters, digits, `-`, `_`, `.` and `/` only, no `..`, no segment starting with `.` or ending with `.lock`, not starting or ending with `/`",
                    inert(&data_branch, 100)
                ),
            ));
        }
        let keep = match get("keep") {
            None => None,
            Some(k) => match k.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    return Err(err(
                        "keep",
                        format!("expected a whole number of at least 1, found `{k}`"),
                    ))
                }
            },
        };
        let dashboard_url = get("dashboard-url");
        if let Some(u) = &dashboard_url {
            let web = u.starts_with("https://") || u.starts_with("http://");
            if !web
                || u.chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "()<>\"'`".contains(c))
            {
                return Err(err(
                    "dashboard-url",
                    format!(
                        "`{}` is not a web address perfgate links to: expected https://... with no spaces, quotes, brackets or parentheses",
                        inert(u, 100)
                    ),
                ));
            }
        }
        let alert = match get("alert") {
            None => super::alert::AlertMode::None,
            Some(a) => super::alert::AlertMode::from_name(&a).ok_or_else(|| {
                err(
                    "alert",
                    format!(
                        "expected one of none, commit-comment, issue; found `{}`",
                        inert(&a, 60)
                    ),
                )
            })?,
        };
        Ok(Inputs {
            results,
            format: get("format").filter(|f| f != "auto"),
            config: get("config"),
            token,
            mode,
            baseline,
            data_branch,
            threshold: get("threshold"),
            fail_on_regression: boolean("fail-on-regression", true)?,
            comment: boolean("comment", true)?,
            summary: boolean("summary", true)?,
            key,
            comment_author: get("comment-author").unwrap_or_else(|| "github-actions[bot]".into()),
            budgets: get("budgets")
                .map(|b| {
                    b.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            keep,
            dashboard: boolean("dashboard", false)?,
            dashboard_url,
            alert,
            fail_on_alert: boolean("fail-on-alert", false)?,
        })
    }
}

/// Whether a data branch name is a plain git branch name: segments of letters, digits, `-`, `_`
/// and `.`, separated by single `/`, none starting with `.` or ending with `.lock`, and no `..`
/// anywhere (it would climb out of `refs/heads/` in a request path).
fn valid_branch(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.contains("..")
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && !seg.ends_with(".lock")
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
}

/// Splits a list input on newlines and commas, dropping blanks.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pull request an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub base_sha: String,
    pub head_sha: String,
    pub base_ref: String,
    pub head_ref: String,
    /// The head lives in another repository: the token is read-only.
    pub is_fork: bool,
}

/// What perfgate needs from the event payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    pub name: String,
    pub pull_request: Option<PullRequest>,
    pub default_branch: Option<String>,
    /// `owner/name` of the repository the workflow runs in.
    pub repository: Option<String>,
    /// The run that triggered a `workflow_run` event, as GitHub reports it (trusted, unlike the
    /// artifacts that run uploaded).
    pub workflow_run: Option<WorkflowRun>,
    /// A merge queue's `merge_group` event: the commit its changes were merged onto (the
    /// default branch's tip, or the merge group ahead of it in the queue).
    pub merge_group_base: Option<String>,
    /// A push's head commit and its time (`head_commit.id`, `head_commit.timestamp`: the
    /// committer date, when it is an RFC 3339 time), which places its run in the branch's
    /// history.
    pub head_commit: Option<(String, String)>,
}

/// The triggering run of a `workflow_run` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    /// The event that triggered it (`pull_request` for a fork's benchmarks).
    pub event: String,
    /// The commit it ran on.
    pub head_sha: String,
    /// `owner/name` of the repository that commit came from (None: a deleted fork).
    pub head_repository: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    pull_request: Option<PayloadPr>,
    repository: Option<PayloadRepo>,
    workflow_run: Option<PayloadWorkflowRun>,
    merge_group: Option<PayloadMergeGroup>,
    head_commit: Option<PayloadCommit>,
}

#[derive(Deserialize)]
struct PayloadCommit {
    id: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct PayloadMergeGroup {
    base_sha: Option<String>,
}

#[derive(Deserialize)]
struct PayloadWorkflowRun {
    event: String,
    head_sha: String,
    head_repository: Option<PayloadRepo>,
}

#[derive(Deserialize)]
struct PayloadPr {
    number: u64,
    base: PayloadBranch,
    head: PayloadBranch,
}

#[derive(Deserialize)]
struct PayloadBranch {
    sha: String,
    #[serde(rename = "ref", default)]
    git_ref: String,
    repo: Option<PayloadRepo>,
}

#[derive(Deserialize)]
struct PayloadRepo {
    full_name: Option<String>,
    default_branch: Option<String>,
}

impl Event {
    /// Reads the event payload (`GITHUB_EVENT_PATH`'s text) for event `name`.
    pub fn parse(name: &str, payload: &str) -> Result<Event, String> {
        let p: Payload = serde_json::from_str(payload)
            .map_err(|e| format!("the event payload is not the JSON GitHub sends: {e}"))?;
        let repository = p.repository.as_ref().and_then(|r| r.full_name.clone());
        let pull_request = match p.pull_request {
            Some(pr) if name.starts_with("pull_request") => {
                let base_repo = pr
                    .base
                    .repo
                    .as_ref()
                    .and_then(|r| r.full_name.clone())
                    .or_else(|| repository.clone());
                let head_repo = pr.head.repo.as_ref().and_then(|r| r.full_name.clone());
                // A deleted fork has no head repository: treat it as a fork (read-only token).
                let is_fork = match (&head_repo, &base_repo) {
                    (Some(h), Some(b)) => h != b,
                    _ => true,
                };
                Some(PullRequest {
                    number: pr.number,
                    base_sha: pr.base.sha,
                    head_sha: pr.head.sha,
                    base_ref: pr.base.git_ref,
                    head_ref: pr.head.git_ref,
                    is_fork,
                })
            }
            _ => None,
        };
        let workflow_run = match p.workflow_run {
            Some(w) if name == "workflow_run" => Some(WorkflowRun {
                event: w.event,
                head_sha: w.head_sha,
                head_repository: w.head_repository.and_then(|r| r.full_name),
            }),
            _ => None,
        };
        Ok(Event {
            name: name.to_string(),
            pull_request,
            default_branch: p.repository.and_then(|r| r.default_branch),
            repository,
            workflow_run,
            merge_group_base: p
                .merge_group
                .filter(|_| name == "merge_group")
                .and_then(|m| m.base_sha),
            head_commit: p
                .head_commit
                .filter(|_| name == "push")
                .and_then(|c| Some((c.id?, c.timestamp.filter(|t| instant(t).is_some())?))),
        })
    }

    /// The time of `commit` when the event says it (a push's head commit), as RFC 3339.
    pub fn commit_time(&self, commit: &str) -> Option<&str> {
        self.head_commit
            .as_ref()
            .filter(|(id, _)| id == commit)
            .map(|(_, t)| t.as_str())
    }

    /// The commit the changes under test were made on: a pull request's base, or the commit a
    /// merge group was merged onto. Its recorded run is the baseline when there is one.
    pub fn base_sha(&self) -> Option<&str> {
        self.pull_request
            .as_ref()
            .map(|p| p.base_sha.as_str())
            .or(self.merge_group_base.as_deref())
    }

    /// Whether a run of this event may be recorded as a baseline: a push, a schedule or a manual
    /// run (`workflow_dispatch`) on the default branch, and nothing else. A `workflow_run`,
    /// `issue_comment` or `pull_request_target` job can check out a pull request's head, and a
    /// baseline recorded from it would let the pull request choose what it is compared with.
    pub fn may_record(&self, git_ref: &str) -> bool {
        matches!(
            self.name.as_str(),
            "push" | "schedule" | "workflow_dispatch"
        ) && self.pull_request.is_none()
            && self
                .default_branch
                .as_deref()
                .is_some_and(|d| git_ref == format!("refs/heads/{d}"))
    }

    /// Whether this is a push to the default branch (`ref` is `refs/heads/<default>`).
    pub fn is_push_to_default(&self, git_ref: &str) -> bool {
        self.name == "push"
            && self
                .default_branch
                .as_deref()
                .is_some_and(|d| git_ref == format!("refs/heads/{d}"))
    }
}

/// `name=value` for `GITHUB_OUTPUT`, with a heredoc delimiter that cannot occur in the value.
pub fn output_entry(name: &str, value: &str, nonce: u64) -> String {
    let mut n = nonce;
    let mut delimiter = format!("ghadelimiter_{n:016x}");
    while value.contains(&delimiter) {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        delimiter = format!("ghadelimiter_{n:016x}");
    }
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// Annotation levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

/// A workflow command for an annotation, with its data and title escaped so that attacker-chosen
/// benchmark names cannot end the command or start another.
pub fn annotation(level: Level, title: &str, message: &str) -> String {
    let cmd = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    };
    format!(
        "::{cmd} title={}::{}",
        escape_property(&without_controls(&truncate(title, 200))),
        escape_data(&without_controls(&truncate(message, 4000)))
    )
}

/// A text with its control characters (C0, DEL, C1) dropped, but for line breaks and tabs: escape sequences
/// (screen clears, OSC-8 links, a bell) must not reach the annotation a reviewer reads. The
/// characters that do not show or reorder a line ([`crate::report::is_invisible`]) are shown
/// escaped (`\u{202e}`), as in every report, whoever wrote the annotation.
fn without_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if crate::report::is_invisible(c) {
            out.extend(c.escape_default());
        } else if matches!(c, '\n' | '\r' | '\t') || !c.is_control() {
            out.push(c);
        }
    }
    out
}

/// Untrusted text (a file name, an excerpt of an input, an API answer) made inert for one line
/// of a log that the Actions runner reads for workflow commands: control characters and line
/// breaks become visible escapes (`\n`, `\u{1b}`), so the text cannot start a line of its own,
/// and so do the characters that do not show or reorder the line (`\u{200b}`, `\u{202e}`), as
/// the terminal report shows them ([`crate::report::printable`]); a leading `::`
/// and every `##[` (the runner's older command form, which it finds anywhere in a line) get a
/// backslash; anything over `max` characters is cut with an ellipsis.
pub fn inert(s: &str, max: usize) -> String {
    let mut out = crate::report::printable(&truncate(s, max)).replace("##[", "#\\#[");
    if out.trim_start().starts_with("::") {
        out.insert(0, '\\');
    }
    out
}

/// The values of the environment that are secrets (`INPUT_GITHUB-TOKEN`, `GITHUB_TOKEN`, any
/// variable whose name says token, secret, password or key), for [`redact`]. Values under 8
/// characters are left alone: too short to be a credential, too common to replace.
pub fn secrets(vars: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let mut out: Vec<String> = vars
        .filter(|(k, v)| {
            let k = k.to_ascii_uppercase();
            v.trim().len() >= 8
                && [
                    "TOKEN",
                    "SECRET",
                    "PASSWORD",
                    "PASSWD",
                    "API_KEY",
                    "PRIVATE_KEY",
                ]
                .iter()
                .any(|w| k.contains(w))
        })
        .map(|(_, v)| v.trim().to_string())
        .collect();
    // Longest first, so that a secret containing another is replaced whole.
    out.sort_by_key(|v| std::cmp::Reverse(v.len()));
    out.dedup();
    out
}

/// `s` with every occurrence of a secret replaced by `***`, and every run of at least
/// [`SECRET_PREFIX`] of a secret's first characters: a message cut short inside a secret (an
/// API error's text is cut to a few hundred characters) would otherwise give all of it away but
/// its end.
pub fn redact(s: &str, secrets: &[String]) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "***");
        }
        out = redact_cut(&out, secret);
    }
    out
}

/// The fewest first characters of a secret that [`redact`] replaces where the rest is missing.
pub const SECRET_PREFIX: usize = 8;

/// `text` with every run of at least [`SECRET_PREFIX`] first characters of `secret` replaced.
fn redact_cut(text: &str, secret: &str) -> String {
    let Some((head_end, _)) = secret.char_indices().nth(SECRET_PREFIX) else {
        return text.to_string();
    };
    let Some(head) = secret.get(..head_end) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(head) {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        out.push_str("***");
        let mut n = tail
            .bytes()
            .zip(secret.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !tail.is_char_boundary(n) {
            n -= 1;
        }
        rest = tail.get(n..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Frames untrusted multi-line output (the terminal report, whose lines start with benchmark
/// names) so that the Actions runner reads none of it as a workflow command: it stops command
/// processing with a token nobody can guess, prints the text and resumes. `token` must be fresh
/// for each frame.
pub fn framed(text: &str, token: &str) -> String {
    let mut out = format!("::stop-commands::{token}\n{text}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("::{token}::\n"));
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Escapes a workflow command's data (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property (GitHub's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub shows at most this many annotations of each level per step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// The job summary may hold at most 1 MiB per step.
pub const SUMMARY_LIMIT_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn reads_inputs_with_hyphens_as_the_runner_passes_them() {
        let e = env(&[
            ("INPUT_RESULTS", "bench/*.txt\nload.json, other.json"),
            ("INPUT_FAIL-ON-REGRESSION", "false"),
            ("INPUT_GITHUB-TOKEN", "ghs_secret"),
            ("INPUT_DATA-BRANCH", "bench-data"),
            ("INPUT_MODE", "compare"),
            ("INPUT_KEY", "linux-x64"),
            ("INPUT_FORMAT", "auto"),
            ("INPUT_COMMENT", ""),
        ]);
        let i = Inputs::from_env(&e).unwrap();
        assert_eq!(i.results, ["bench/*.txt", "load.json", "other.json"]);
        assert!(!i.fail_on_regression);
        assert!(i.comment, "an empty input takes the default");
        assert_eq!(i.token.as_deref(), Some("ghs_secret"));
        assert_eq!(i.data_branch, "bench-data");
        assert_eq!(i.mode, Mode::Compare);
        assert_eq!(i.key, "linux-x64");
        assert_eq!(i.format, None);
        assert_eq!(i.baseline, BaselineSource::DataBranch);
    }

    #[test]
    fn rejects_bad_inputs_by_name() {
        let e = env(&[("INPUT_RESULTS", "a.txt"), ("INPUT_COMMENT", "yes")]);
        assert_eq!(
            Inputs::from_env(&e).unwrap_err().to_string(),
            "input `comment`: expected `true` or `false`, found `yes`"
        );
        let e = env(&[]);
        assert!(Inputs::from_env(&e)
            .unwrap_err()
            .to_string()
            .contains("input `results`"));
        let e = env(&[("INPUT_RESULTS", "a"), ("INPUT_KEY", "../x")]);
        assert!(Inputs::from_env(&e)
            .unwrap_err()
            .to_string()
            .contains("input `key`"));
        let e = env(&[
            ("INPUT_RESULTS", "a"),
            ("INPUT_GITHUB-TOKEN", "ghs_x\r\nX-Evil: 1"),
        ]);
        let message = Inputs::from_env(&e).unwrap_err().to_string();
        assert!(message.contains("input `github-token`"), "{message}");
        assert!(!message.contains("ghs_x"), "{message}");
        for bad in [
            "../main", "a/../b", "/x", "x/", ".hidden", "x.lock", "a b", "a//b",
        ] {
            let e = env(&[("INPUT_RESULTS", "a"), ("INPUT_DATA-BRANCH", bad)]);
            let message = Inputs::from_env(&e).unwrap_err().to_string();
            assert!(message.contains("input `data-branch`"), "{bad}: {message}");
        }
        for good in ["perfgate-data", "perf/data", "bench_v2.1"] {
            let e = env(&[("INPUT_RESULTS", "a"), ("INPUT_DATA-BRANCH", good)]);
            assert_eq!(Inputs::from_env(&e).unwrap().data_branch, good);
        }
        let long = "k".repeat(101);
        let e = env(&[("INPUT_RESULTS", "a"), ("INPUT_KEY", &long)]);
        assert!(Inputs::from_env(&e)
            .unwrap_err()
            .to_string()
            .contains("100 characters"));
        let e = env(&[("INPUT_RESULTS", "a"), ("INPUT_MODE", "deploy")]);
        assert!(Inputs::from_env(&e)
            .unwrap_err()
            .to_string()
            .contains("input `mode`"));
    }

    const PR_EVENT: &str = r#"{
      "action": "synchronize",
      "number": 7,
      "pull_request": {
        "number": 7,
        "base": {"ref": "main", "sha": "aaa", "repo": {"full_name": "o/r"}},
        "head": {"ref": "feature", "sha": "bbb", "repo": {"full_name": "someone/r"}}
      },
      "repository": {"full_name": "o/r", "default_branch": "main"}
    }"#;

    #[test]
    fn reads_a_pull_request_from_a_fork() {
        let e = Event::parse("pull_request", PR_EVENT).unwrap();
        let pr = e.pull_request.unwrap();
        assert_eq!(
            (pr.number, pr.base_sha.as_str(), pr.head_sha.as_str()),
            (7, "aaa", "bbb")
        );
        assert!(pr.is_fork);
        assert_eq!(e.default_branch.as_deref(), Some("main"));
        let same = PR_EVENT.replace("someone/r", "o/r");
        assert!(
            !Event::parse("pull_request", &same)
                .unwrap()
                .pull_request
                .unwrap()
                .is_fork
        );
    }

    #[test]
    fn recognises_a_push_to_the_default_branch() {
        let e = Event::parse(
            "push",
            r#"{"ref":"refs/heads/main","repository":{"full_name":"o/r","default_branch":"main"}}"#,
        )
        .unwrap();
        assert!(e.is_push_to_default("refs/heads/main"));
        assert!(!e.is_push_to_default("refs/heads/dev"));
        assert!(e.may_record("refs/heads/main"));
        assert!(!e.may_record("refs/heads/dev"));
        let payload = r#"{"repository": {"full_name": "o/r", "default_branch": "main"}}"#;
        for name in [
            "workflow_run",
            "issue_comment",
            "pull_request_target",
            "release",
        ] {
            let e = Event::parse(name, payload).unwrap();
            assert!(!e.may_record("refs/heads/main"), "{name}");
        }
        for name in ["schedule", "workflow_dispatch"] {
            let e = Event::parse(name, payload).unwrap();
            assert!(e.may_record("refs/heads/main"), "{name}");
        }
        // No default branch in the payload: nothing to check against, nothing recorded.
        let e = Event::parse("push", r#"{"repository": {"full_name": "o/r"}}"#).unwrap();
        assert!(!e.may_record("refs/heads/main"));
        assert!(e.pull_request.is_none());
    }

    #[test]
    fn reads_the_base_of_a_merge_group() {
        let payload = r#"{"action":"checks_requested","merge_group":{"head_sha":"bbb","head_ref":"refs/heads/gh-readonly-queue/main/pr-7-aaa","base_sha":"aaa","base_ref":"refs/heads/main"},"repository":{"full_name":"o/r","default_branch":"main"}}"#;
        let e = Event::parse("merge_group", payload).unwrap();
        assert_eq!(e.base_sha(), Some("aaa"));
        assert!(e.pull_request.is_none());
        assert!(!e.may_record("refs/heads/gh-readonly-queue/main/pr-7-aaa"));
        // Another event's payload with the same field is not a merge group.
        assert_eq!(Event::parse("push", payload).unwrap().base_sha(), None);
        // Without its base (GitHub always sends it), the default branch's latest run decides.
        let e = Event::parse("merge_group", r#"{"merge_group":{"base_sha":null}}"#).unwrap();
        assert_eq!(e.base_sha(), None);
    }

    #[test]
    fn reads_the_time_of_a_pushed_commit() {
        let payload = r#"{"ref":"refs/heads/main","after":"abc","head_commit":{"id":"abc","timestamp":"2026-12-06T11:02:00+01:00"},"repository":{"full_name":"o/r","default_branch":"main"}}"#;
        let e = Event::parse("push", payload).unwrap();
        assert_eq!(e.commit_time("abc"), Some("2026-12-06T11:02:00+01:00"));
        // Another commit's, a time that is not RFC 3339, another event: none.
        assert_eq!(e.commit_time("def"), None);
        let bad = payload.replace("2026-12-06T11:02:00+01:00", "Sunday");
        assert_eq!(Event::parse("push", &bad).unwrap().commit_time("abc"), None);
        assert_eq!(
            Event::parse("workflow_dispatch", payload)
                .unwrap()
                .commit_time("abc"),
            None
        );
        // A push that deletes a branch has `head_commit: null`.
        let deleted = r#"{"ref":"refs/heads/x","head_commit":null}"#;
        assert_eq!(Event::parse("push", deleted).unwrap().head_commit, None);
    }

    #[test]
    fn bad_payload_is_an_error() {
        assert!(Event::parse("push", "{not json")
            .unwrap_err()
            .contains("event payload"));
    }

    #[test]
    fn output_delimiter_never_occurs_in_the_value() {
        let v = "line1\nghadelimiter_0000000000000001\nline3";
        let e = output_entry("report", v, 1);
        let delim = e.lines().next().unwrap().split("<<").nth(1).unwrap();
        assert_ne!(delim, "ghadelimiter_0000000000000001");
        assert!(e.ends_with(&format!("\n{delim}\n")));
        assert_eq!(
            output_entry("verdict", "pass", 2),
            "verdict<<ghadelimiter_0000000000000002\npass\nghadelimiter_0000000000000002\n"
        );
    }

    #[test]
    fn annotations_drop_escape_sequences() {
        let a = annotation(Level::Warning, "x\u{1b}]8;;", "a\u{1b}[2Jb\u{7}c\u{9b}d");
        assert_eq!(a, "::warning title=x]8;;::a[2Jbcd");
    }

    /// Every annotation, not only the report's: an error quoting a file name, an API warning.
    #[test]
    fn annotations_show_invisible_characters_escaped() {
        let a = annotation(Level::Error, "a\u{200b}b", "cannot read `x\u{202e}fdp.exe`");
        assert_eq!(
            a,
            "::error title=a\\u{200b}b::cannot read `x\\u{202e}fdp.exe`"
        );
    }

    #[test]
    fn inert_text_cannot_start_a_command() {
        assert_eq!(inert("ok", 100), "ok");
        assert_eq!(
            inert("x\n::error::pwned\r\u{1b}[2J", 100),
            "x\\n::error::pwned\\r\\u{1b}[2J"
        );
        assert_eq!(inert("::add-mask::x", 100), "\\::add-mask::x");
        assert_eq!(inert("  ::stop-commands::x", 100), "\\  ::stop-commands::x");
        assert_eq!(inert("a ##[error]b", 100), "a #\\#[error]b");
        assert_eq!(inert("abcdef", 4), "abc…");
    }

    #[test]
    fn inert_text_shows_the_characters_that_do_not_show() {
        assert_eq!(
            inert("evil\u{202E}txt.exe\u{2066}", 100),
            "evil\\u{202e}txt.exe\\u{2066}"
        );
        assert_eq!(
            inert("zero\u{200B}width\u{FEFF}\u{AD}\u{3164}\u{E0041}", 100),
            "zero\\u{200b}width\\u{feff}\\u{ad}\\u{3164}\\u{e0041}"
        );
        assert_eq!(
            inert("\u{061C}\u{2060}\u{2064}", 100),
            "\\u{61c}\\u{2060}\\u{2064}"
        );
        // Escaped, an invisible character cannot hide a command's start either.
        assert_eq!(inert("\u{200B}::error::x", 100), "\\u{200b}::error::x");
    }

    #[test]
    fn secrets_are_found_by_name_and_redacted() {
        let vars = [
            ("INPUT_GITHUB-TOKEN", "ghs_0123456789abcdef"),
            ("GITHUB_TOKEN", "ghs_0123456789abcdef"),
            ("MY_API_KEY", "key-abcdefgh"),
            ("HOME", "/home/runner/work/secret"),
            ("SHORT_TOKEN", "abc"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let s = secrets(vars.into_iter());
        assert_eq!(s, ["ghs_0123456789abcdef", "key-abcdefgh"]);
        assert_eq!(
            redact(
                "Authorization: token ghs_0123456789abcdef; k=key-abcdefgh",
                &s
            ),
            "Authorization: token ***; k=***"
        );
    }

    /// A message cut inside a secret (an API error's echo of the request, cut to 300 characters)
    /// gave all of it away but its last characters.
    #[test]
    fn a_secret_cut_short_is_redacted_too() {
        let s = ["ghs_SuperSecretToken123456".to_string()];
        assert_eq!(
            redact("echo: Bearer ghs_SuperSecretToken12345…", &s),
            "echo: Bearer ***…"
        );
        assert_eq!(redact("a ghs_Supe b ghs_Sup c", &s), "a *** b ghs_Sup c");
        assert_eq!(
            redact("ghs_SuperSecretToken123456ghs_SuperX", &s),
            "******X"
        );
        // Multi-byte characters: the cut stays on a character boundary.
        let u = ["pässwörd-geheim".to_string()];
        assert_eq!(redact("x pässwörd-gé", &u), "x ***é");
    }

    #[test]
    fn framed_output_stops_and_resumes_commands() {
        let f = framed("::error::x\nb", "t0k3n");
        assert_eq!(f, "::stop-commands::t0k3n\n::error::x\nb\n::t0k3n::\n");
    }

    #[test]
    fn annotations_cannot_be_broken_out_of() {
        let a = annotation(Level::Error, "Bench:x,y", "100%\n::set-output name=x::y");
        assert_eq!(
            a,
            "::error title=Bench%3Ax%2Cy::100%25%0A::set-output name=x::y"
        );
        assert_eq!(a.lines().count(), 1);
    }
}

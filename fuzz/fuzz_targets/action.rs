//! The Action's untrusted inputs: every `INPUT_*` value, the event payload of any event, a
//! `budgets` line, a data-branch index (and the dashboard built from it), the `comparison.json`
//! a fork's artifact carries, and the state an alert issue's body keeps.
//! None may panic; each is parsed or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::compare::Comparison;
use perfgate::config::Budget;
use perfgate::github::runtime::{inert, Event, Inputs};
use perfgate::store::Index;

const INPUTS: &[&str] = &[
    "results",
    "format",
    "config",
    "github-token",
    "mode",
    "baseline",
    "data-branch",
    "threshold",
    "fail-on-regression",
    "comment",
    "summary",
    "key",
    "comment-author",
    "budgets",
    "keep",
    "dashboard",
    "dashboard-url",
    "alert",
    "fail-on-alert",
];

const EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "pull_request_target",
    "workflow_run",
    "workflow_dispatch",
    "schedule",
    "issue_comment",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Fields separated by NUL: one per input, then the event's name index and its payload.
    let fields: Vec<&str> = text.split('\0').collect();
    let env = |k: &str| -> Option<String> {
        let name = k.strip_prefix("INPUT_")?.to_ascii_lowercase();
        let i = INPUTS.iter().position(|n| n.to_ascii_uppercase() == name.to_ascii_uppercase())?;
        fields.get(i).map(|s| s.to_string())
    };
    if let Ok(inputs) = Inputs::from_env(&env) {
        for line in &inputs.budgets {
            let _ = Budget::parse_line(line);
        }
    }
    let name = EVENTS[data.first().copied().unwrap_or(0) as usize % EVENTS.len()];
    let payload = fields.last().copied().unwrap_or_default();
    if let Ok(event) = Event::parse(name, payload) {
        let _ = event.may_record("refs/heads/main");
    }
    if let Ok(index) = Index::parse(payload) {
        let sources = [perfgate::dashboard::Source { key: "default", index: &index }];
        let d = perfgate::dashboard::build(
            &sources,
            &perfgate::config::Config::default(),
            &perfgate::dashboard::Options::default(),
        );
        let _ = perfgate::dashboard::site::data_js(&d);
    }
    let _ = perfgate::report::alert::IssueState::parse(payload);
    let _ = serde_json::from_str::<Comparison>(payload);
    let _ = inert(&text, 200);
});

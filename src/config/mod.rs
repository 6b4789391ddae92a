//! `perfgate.toml`: thresholds, significance, per-benchmark and per-metric rules by glob, direction
//! and determinism overrides, ignores, budgets, history-aware baselines, cross-environment gating
//! and what fails the gate. Optional: [`Config::default`] works alone.
//! Unknown keys and bad values are errors naming the file, the line and the key.

mod budget;

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

pub use budget::{Budget, Op, UnitMismatch};

use crate::model::Direction;

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Relative change a result must exceed to be a regression or improvement (0.055 = 5.5%, the
    /// default), as a ratio the same both ways: beyond `1 + threshold` or below `1 / (1 + threshold)`.
    pub threshold: f64,
    /// Significance level of the Mann-Whitney U test.
    pub alpha: f64,
    /// Fewest samples per side for a statistical decision; below it a large change is inconclusive.
    pub min_samples: usize,
    pub fail_on_regression: bool,
    pub fail_on_missing: bool,
    pub fail_on_new: bool,
    pub fail_on_inconclusive: bool,
    /// Overrides by glob; later rules win.
    pub rules: Vec<Rule>,
    pub budgets: Vec<Budget>,
    /// How many runs a store keeps.
    pub keep: usize,
    /// The branch whose latest run is the baseline for `compare --store` (default: the store's
    /// most recent run of `main` or `master`).
    pub baseline_branch: Option<String>,
    /// How a history of baseline runs is used (`[history]`).
    pub history: HistoryConfig,
    /// Whether noisy metrics may fail the gate when the baseline ran on a different machine.
    pub allow_cross_environment: bool,
    /// The test for metrics with samples on both sides (`test`).
    pub test: TestChoice,
    /// A change beyond this ratio (0.40 = 40%, both ways as the threshold) is decided without a
    /// noise estimate: one value per side, or repeats too few for a test, all of them beyond the
    /// baseline's. Below it, such a change is inconclusive: reruns of unchanged code reach it.
    pub large_change: f64,
    /// Latency statistics of load tests (`p(95)`, `avg`, `med`...) with one value per side and no
    /// history: a change of at most this, in nanoseconds, is no change (default 1 ms; a tool
    /// that reports whole milliseconds moves by one between unchanged reruns).
    pub latency_floor: f64,
}

/// Every top-level key of `perfgate.toml`, as [`Config::parse`] accepts them (unit tests check
/// the list against the parser; `tests/docs.rs` checks that the book documents each one).
pub const KEYS: &[&str] = &[
    "threshold",
    "significance",
    "min_samples",
    "fail_on_regression",
    "fail_on_missing",
    "fail_on_new",
    "fail_on_inconclusive",
    "rule",
    "budgets",
    "store",
    "allow_cross_environment",
    "history",
    "test",
    "large_change",
    "latency_floor",
];

/// Every key of a `[[rule]]`.
pub const RULE_KEYS: &[&str] = &[
    "benchmark",
    "metric",
    "threshold",
    "significance",
    "direction",
    "ignore",
    "deterministic",
];

/// Every key of `[store]`.
pub const STORE_KEYS: &[&str] = &["keep", "baseline_branch"];

/// Every key of `[history]`. (`[budgets]` has no fixed keys: they are benchmark names.)
pub const HISTORY_KEYS: &[&str] = &["window", "min_points", "pool", "confidence"];

/// Default of [`Config::large_change`]. Below 50%, so that three repeats of a 1.5x slowdown,
/// every one beyond the baseline's, fail the gate. Reruns recorded on a busy machine
/// (`tests/fixtures/reruns/busy`) do move single values further (wrk's p(90) by up to +87%); what that
/// costs is tabled in the README there.
pub const DEFAULT_LARGE_CHANGE: f64 = 0.40;

/// Default of [`Config::latency_floor`]: 1 ms.
pub const DEFAULT_LATENCY_FLOOR_NS: f64 = 1e6;

/// `test`: which test decides metrics with samples on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestChoice {
    /// The moderated t test on log values when a comparison has at least
    /// [`MODERATION_MIN_METRICS`] such metrics (their noise is learnt together), the
    /// Mann-Whitney U test otherwise; likewise, prediction intervals of at least that many
    /// histories are moderated together.
    #[default]
    Auto,
    /// Always the Mann-Whitney U test, as benchstat, and each history alone.
    MannWhitney,
}

/// Fewest metrics with samples on both sides for `test = "auto"` to moderate their variances.
pub const MODERATION_MIN_METRICS: usize = 10;

impl TestChoice {
    /// The spelling in `perfgate.toml` and `--test`.
    pub fn as_str(self) -> &'static str {
        match self {
            TestChoice::Auto => "auto",
            TestChoice::MannWhitney => "mann-whitney",
        }
    }

    /// The choice spelled `name`, if any.
    pub fn from_name(name: &str) -> Option<TestChoice> {
        [TestChoice::Auto, TestChoice::MannWhitney]
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

/// `[history]`: how `compare --store` uses the last runs of the baseline branch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryConfig {
    /// How many of the latest runs to read (1 = the latest run only).
    pub window: usize,
    /// Fewest runs with a value for a prediction interval; below it the latest run decides.
    pub min_points: usize,
    /// How many of the latest runs' samples to pool for metrics with samples (1 = latest only).
    pub pool: usize,
    /// Level of the prediction interval a single value must leave to count as a change.
    pub confidence: f64,
}

impl Default for HistoryConfig {
    fn default() -> HistoryConfig {
        HistoryConfig {
            window: 30,
            min_points: 10,
            pool: 1,
            confidence: 0.98,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: 0.055,
            alpha: 0.05,
            min_samples: 4,
            fail_on_regression: true,
            fail_on_missing: false,
            fail_on_new: false,
            fail_on_inconclusive: false,
            rules: Vec::new(),
            budgets: Vec::new(),
            keep: 100,
            baseline_branch: None,
            history: HistoryConfig::default(),
            allow_cross_environment: false,
            test: TestChoice::Auto,
            large_change: DEFAULT_LARGE_CHANGE,
            latency_floor: DEFAULT_LATENCY_FLOOR_NS,
        }
    }
}

/// An override for the benchmarks and metrics its globs match.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub benchmark: String,
    pub metric: String,
    pub threshold: Option<f64>,
    pub alpha: Option<f64>,
    pub direction: Option<Direction>,
    pub ignore: Option<bool>,
    /// Forces the metric to be treated as deterministic (exact threshold, no test) or noisy.
    pub deterministic: Option<bool>,
}

/// The settings that apply to one metric of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved {
    pub threshold: f64,
    pub alpha: f64,
    pub direction: Option<Direction>,
    pub ignore: bool,
    /// None: detected from the metric's name and unit.
    pub deterministic: Option<bool>,
}

impl Config {
    /// The settings for `metric` of `benchmark`, after every matching rule in order.
    pub fn resolve(&self, benchmark: &str, metric: &str) -> Resolved {
        let mut r = Resolved {
            threshold: self.threshold,
            alpha: self.alpha,
            direction: None,
            ignore: false,
            deterministic: None,
        };
        for rule in &self.rules {
            if glob_matches(&rule.benchmark, benchmark) && glob_matches(&rule.metric, metric) {
                if let Some(t) = rule.threshold {
                    r.threshold = t;
                }
                if let Some(a) = rule.alpha {
                    r.alpha = a;
                }
                if let Some(d) = rule.direction {
                    r.direction = Some(d);
                }
                if let Some(i) = rule.ignore {
                    r.ignore = i;
                }
                if let Some(d) = rule.deterministic {
                    r.deterministic = Some(d);
                }
            }
        }
        r
    }

    /// Parses the text of a config file; `path` only names the file in errors.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (key, message) = toml_error(text, e.span(), e.message().trim());
            ConfigError {
                path: path.to_string(),
                line: e.span().map(|s| line_of(text, s.start)),
                key,
                message,
            }
        })?;
        let err = |span: std::ops::Range<usize>, key: &str, message: String| ConfigError {
            path: path.to_string(),
            line: Some(line_of(text, span.start)),
            key: Some(key.to_string()),
            message,
        };
        let mut c = Config::default();
        if let Some(t) = &raw.threshold {
            c.threshold = percent(t.get_ref()).map_err(|m| err(t.span(), "threshold", m))?;
        }
        if let Some(a) = &raw.significance {
            c.alpha = alpha(*a.get_ref()).map_err(|m| err(a.span(), "significance", m))?;
        }
        if let Some(n) = &raw.min_samples {
            if *n.get_ref() < 2 {
                return Err(err(
                    n.span(),
                    "min_samples",
                    "expected a whole number of at least 2".into(),
                ));
            }
            c.min_samples = *n.get_ref();
        }
        c.fail_on_regression = raw.fail_on_regression.unwrap_or(c.fail_on_regression);
        c.fail_on_missing = raw.fail_on_missing.unwrap_or(c.fail_on_missing);
        c.fail_on_new = raw.fail_on_new.unwrap_or(c.fail_on_new);
        c.fail_on_inconclusive = raw.fail_on_inconclusive.unwrap_or(c.fail_on_inconclusive);
        for (i, r) in raw.rule.iter().enumerate() {
            let key = |k: &str| format!("rule[{i}].{k}");
            let threshold = match &r.threshold {
                Some(t) => {
                    Some(percent(t.get_ref()).map_err(|m| err(t.span(), &key("threshold"), m))?)
                }
                None => None,
            };
            let alpha_v = match &r.significance {
                Some(a) => {
                    Some(alpha(*a.get_ref()).map_err(|m| err(a.span(), &key("significance"), m))?)
                }
                None => None,
            };
            c.rules.push(Rule {
                benchmark: r.benchmark.clone().unwrap_or_else(|| "*".into()),
                metric: r.metric.clone().unwrap_or_else(|| "*".into()),
                threshold,
                alpha: alpha_v,
                direction: r.direction,
                ignore: r.ignore,
                deterministic: r.deterministic,
            });
        }
        for (bench, exprs) in &raw.budgets {
            let list = match exprs.get_ref() {
                OneOrMany::One(s) => vec![s.clone()],
                OneOrMany::Many(v) => v.clone(),
            };
            if list.is_empty() {
                return Err(err(
                    exprs.span(),
                    &format!("budgets.\"{bench}\""),
                    "expected a budget such as \"p(95) < 200ms\", or a list of them; found an empty list".into(),
                ));
            }
            for e in list {
                let mut b = Budget::parse(bench, &e)
                    .map_err(|m| err(exprs.span(), &format!("budgets.\"{bench}\""), m))?;
                b.source = Some(format!("{path}:{}", line_of(text, exprs.span().start)));
                c.budgets.push(b);
            }
        }
        if let Some(store) = &raw.store {
            if let Some(k) = &store.keep {
                if *k.get_ref() == 0 {
                    return Err(err(k.span(), "store.keep", "expected at least 1".into()));
                }
                c.keep = *k.get_ref();
            }
            c.baseline_branch = store.baseline_branch.clone();
        }
        c.allow_cross_environment = raw
            .allow_cross_environment
            .unwrap_or(c.allow_cross_environment);
        if let Some(t) = &raw.test {
            c.test = TestChoice::from_name(t.get_ref()).ok_or_else(|| {
                err(
                    t.span(),
                    "test",
                    format!(
                        "expected \"auto\" or \"mann-whitney\", found {:?}",
                        t.get_ref()
                    ),
                )
            })?;
        }
        if let Some(l) = &raw.large_change {
            c.large_change = percent(l.get_ref()).map_err(|m| err(l.span(), "large_change", m))?;
        }
        if let Some(f) = &raw.latency_floor {
            c.latency_floor =
                duration_ns(f.get_ref()).map_err(|m| err(f.span(), "latency_floor", m))?;
        }
        if let Some(h) = &raw.history {
            let at_least = |v: &Spanned<usize>, key: &str, min: usize| {
                if *v.get_ref() < min {
                    Err(err(
                        v.span(),
                        key,
                        format!("expected a whole number of at least {min}"),
                    ))
                } else {
                    Ok(*v.get_ref())
                }
            };
            if let Some(w) = &h.window {
                c.history.window = at_least(w, "history.window", 1)?;
            }
            if let Some(m) = &h.min_points {
                c.history.min_points = at_least(m, "history.min_points", 3)?;
            }
            if let Some(p) = &h.pool {
                c.history.pool = at_least(p, "history.pool", 1)?;
            }
            if let Some(conf) = &h.confidence {
                let v = *conf.get_ref();
                if !(v > 0.5 && v < 1.0) {
                    return Err(err(
                        conf.span(),
                        "history.confidence",
                        format!("expected a level between 0.5 and 1 (such as 0.98), found {v}"),
                    ));
                }
                c.history.confidence = v;
            }
        }
        Ok(c)
    }
}

/// A config file problem, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub path: String,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The key a TOML error is about (the one written before `=` on its line, or the duplicated key
/// itself) and its message in the config's words: serde's `expected usize` or `untagged enum
/// OneOrMany` name Rust types, not what to write.
fn toml_error(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> (Option<String>, String) {
    let at = span
        .as_ref()
        .and_then(|s| text.get(s.clone()))
        .unwrap_or("")
        .trim();
    let line = span
        .as_ref()
        .and_then(|s| text.get(..s.start))
        .map(|before| before.rsplit('\n').next().unwrap_or(before))
        .unwrap_or("");
    let assigned = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.contains(char::is_whitespace));
    if message == "duplicate key" && !at.is_empty() {
        let key = at.trim_matches('"').to_string();
        return (Some(key), "set twice: each key may be set once".to_string());
    }
    let message = if message.contains("untagged enum OneOrMany") {
        "expected a budget expression such as \"p(95) < 200ms\", or a list of them".to_string()
    } else {
        [
            ("expected usize", "expected a whole number"),
            ("expected f64", "expected a number"),
            ("expected a boolean", "expected true or false"),
        ]
        .iter()
        .fold(message.to_string(), |m, (from, to)| m.replace(from, to))
    };
    (assigned, message)
}

/// `*` and `?` globs over whole names; a pattern without wildcards must match exactly.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    wildmatch::WildMatch::new(pattern).matches(name)
}

/// Reads a relative threshold written as a percentage string (`"5%"`).
pub fn percent(v: &toml::Value) -> Result<f64, String> {
    match v {
        toml::Value::String(s) => parse_percent(s),
        toml::Value::Integer(i) => Err(format!(
            "expected a percentage string such as \"5%\", found `{i}`"
        )),
        toml::Value::Float(f) => Err(format!(
            "expected a percentage string such as \"5%\", found `{f}`"
        )),
        other => Err(format!(
            "expected a percentage string such as \"5%\", found a {}",
            other.type_str()
        )),
    }
}

/// Parses `"5%"` (or `"5 %"`) into 0.05.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let num = t
        .strip_suffix('%')
        .ok_or_else(|| format!("expected a percentage such as \"5%\", found \"{s}\""))?;
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("expected a percentage such as \"5%\", found \"{s}\""))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("expected a non-negative percentage, found \"{s}\""));
    }
    Ok(v / 100.0)
}

/// A duration such as `"1ms"`, `"500us"` or `"0s"`, in nanoseconds: a number and a time unit,
/// read the way budgets read theirs.
pub fn duration_ns(s: &str) -> Result<f64, String> {
    let expected = || {
        format!("expected a duration with its unit, such as \"1ms\" or \"500us\", found \"{s}\"")
    };
    let (value, unit) = budget::split_number(s.trim()).ok_or_else(expected)?;
    match unit.as_deref().map(crate::model::Unit::parse) {
        Some((crate::model::Unit::Nanoseconds, factor)) if value >= 0.0 => Ok(value * factor),
        _ => Err(expected()),
    }
}

fn alpha(a: f64) -> Result<f64, String> {
    if a > 0.0 && a < 1.0 {
        Ok(a)
    } else {
        Err(format!(
            "expected a significance level between 0 and 1 (such as 0.05), found {a}"
        ))
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    threshold: Option<Spanned<toml::Value>>,
    significance: Option<Spanned<f64>>,
    min_samples: Option<Spanned<usize>>,
    fail_on_regression: Option<bool>,
    fail_on_missing: Option<bool>,
    fail_on_new: Option<bool>,
    fail_on_inconclusive: Option<bool>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    budgets: BTreeMap<String, Spanned<OneOrMany>>,
    store: Option<RawStore>,
    allow_cross_environment: Option<bool>,
    history: Option<RawHistory>,
    test: Option<Spanned<String>>,
    large_change: Option<Spanned<toml::Value>>,
    latency_floor: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    window: Option<Spanned<usize>>,
    min_points: Option<Spanned<usize>>,
    pool: Option<Spanned<usize>>,
    confidence: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    benchmark: Option<String>,
    metric: Option<String>,
    threshold: Option<Spanned<toml::Value>>,
    significance: Option<Spanned<f64>>,
    direction: Option<Direction>,
    ignore: Option<bool>,
    deterministic: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    keep: Option<Spanned<usize>>,
    baseline_branch: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TOML's own errors named no key (`duplicate key`) or a Rust type (`expected usize`,
    /// `untagged enum OneOrMany`).
    #[test]
    fn toml_errors_name_the_key_and_what_to_write() {
        let e = |text: &str| {
            Config::parse("perfgate.toml", text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            e("threshold = \"5%\"\nthreshold = \"6%\"\n"),
            "perfgate.toml:2: key `threshold`: set twice: each key may be set once"
        );
        assert_eq!(
            e("min_samples = 4.5\n"),
            "perfgate.toml:1: key `min_samples`: invalid type: floating point `4.5`, expected a whole number"
        );
        assert_eq!(
            e("[budgets]\nhttp_req_duration = [\"p(95) < 200ms\", 5]\n"),
            "perfgate.toml:2: key `http_req_duration`: expected a budget expression such as \"p(95) < 200ms\", or a list of them"
        );
        assert_eq!(
            e("[budgets]\nx = \" p(95) < abc\"\n"),
            "perfgate.toml:2: key `budgets.\"x\"`: budget `p(95) < abc`: `abc` is not a number with an optional unit, such as `200ms` or `0.1%`"
        );
        assert_eq!(
            e("[budgets]\n\"*\" = []\n"),
            "perfgate.toml:2: key `budgets.\"*\"`: expected a budget such as \"p(95) < 200ms\", or a list of them; found an empty list"
        );
    }

    /// The names serde lists as expected after an unknown key `zz_unknown` in `table`.
    fn expected_keys(table: &str) -> Vec<String> {
        let text = match table {
            "" => "zz_unknown = 1\n".to_string(),
            "rule" => "[[rule]]\nzz_unknown = 1\n".to_string(),
            t => format!("[{t}]\nzz_unknown = 1\n"),
        };
        let e = Config::parse("p.toml", &text).unwrap_err();
        assert!(e.message.contains("unknown field `zz_unknown`"), "{e}");
        let listed = e.message.split_once("expected").unwrap().1;
        listed
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_key_lists_are_exactly_what_the_parser_accepts() {
        for (table, keys) in [
            ("", KEYS),
            ("rule", RULE_KEYS),
            ("store", STORE_KEYS),
            ("history", HISTORY_KEYS),
        ] {
            let mut expected = expected_keys(table);
            let mut listed: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            expected.sort();
            listed.sort();
            assert_eq!(listed, expected, "keys of [{table}]");
        }
    }

    #[test]
    fn accepts_each_listed_key_and_rejects_others() {
        let top = |k: &str| match k {
            "threshold" | "large_change" => format!("{k} = \"10%\""),
            "significance" => format!("{k} = 0.01"),
            "min_samples" => format!("{k} = 5"),
            "test" => format!("{k} = \"mann-whitney\""),
            "latency_floor" => format!("{k} = \"2ms\""),
            "rule" => "[[rule]]\nmetric = \"time\"".to_string(),
            "budgets" => "[budgets]\nx = \"time < 2ms\"".to_string(),
            "store" => "[store]\nkeep = 7".to_string(),
            "history" => "[history]\nwindow = 5".to_string(),
            "fail_on_regression" => format!("{k} = false"),
            _ => format!("{k} = true"),
        };
        let rule = |k: &str| match k {
            "benchmark" | "metric" => format!("{k} = \"B*\""),
            "threshold" => format!("{k} = \"1%\""),
            "significance" => format!("{k} = 0.01"),
            "direction" => format!("{k} = \"higher_is_better\""),
            _ => format!("{k} = true"),
        };
        let store = |k: &str| match k {
            "keep" => format!("{k} = 7"),
            _ => format!("{k} = \"trunk\""),
        };
        let history = |k: &str| match k {
            "confidence" => format!("{k} = 0.9"),
            _ => format!("{k} = 5"),
        };
        let mut texts: Vec<String> = KEYS.iter().map(|k| top(k)).collect();
        texts.extend(RULE_KEYS.iter().map(|k| format!("[[rule]]\n{}", rule(k))));
        texts.extend(STORE_KEYS.iter().map(|k| format!("[store]\n{}", store(k))));
        texts.extend(
            HISTORY_KEYS
                .iter()
                .map(|k| format!("[history]\n{}", history(k))),
        );
        for text in &texts {
            let c = Config::parse("p.toml", text);
            assert!(c.is_ok(), "{text}: {c:?}");
            assert_ne!(c.unwrap(), Config::default(), "{text} changed nothing");
        }
        for table in ["", "[[rule]]\n", "[store]\n", "[history]\n"] {
            let e = Config::parse("p.toml", &format!("{table}thresholds = 1\n")).unwrap_err();
            assert!(e.message.contains("unknown field `thresholds`"), "{e}");
        }
    }

    #[test]
    fn large_change_and_latency_floor_are_read_and_checked() {
        let c = Config::parse(
            "p.toml",
            "large_change = \"25%\"\nlatency_floor = \"500us\"\n",
        )
        .unwrap();
        assert_eq!((c.large_change, c.latency_floor), (0.25, 500_000.0));
        let d = Config::default();
        assert_eq!((d.large_change, d.latency_floor), (0.40, 1e6));
        for bad in ["1", "5MB", "-1ms", "ms", "1 ms s"] {
            assert!(duration_ns(bad).is_err(), "{bad}");
        }
        assert_eq!(duration_ns(" 0.5ms "), Ok(500_000.0));
        let e = Config::parse("p.toml", "\nlatency_floor = \"1\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "p.toml:2: key `latency_floor`: expected a duration with its unit, such as \"1ms\" or \"500us\", found \"1\""
        );
    }

    const FULL: &str = r#"
threshold = "5%"
significance = 0.01
min_samples = 6
fail_on_missing = true
allow_cross_environment = true
test = "mann-whitney"

[[rule]]
benchmark = "BenchmarkParse*"
metric = "allocs"
threshold = "0%"

[[rule]]
benchmark = "BenchmarkNoisy*"
ignore = true

[[rule]]
metric = "score"
direction = "higher_is_better"

[budgets]
http_req_duration = ["p(95) < 200ms", "p(99)<500"]
http_req_failed = "rate < 0.1%"

[[rule]]
metric = "instructions"
deterministic = false

[store]
keep = 30
baseline_branch = "main"

[history]
window = 20
min_points = 8
pool = 3
confidence = 0.95
"#;

    #[test]
    fn reads_every_key() {
        let c = Config::parse("perfgate.toml", FULL).unwrap();
        assert_eq!(c.threshold, 0.05);
        assert_eq!(c.alpha, 0.01);
        assert_eq!(c.min_samples, 6);
        assert!(c.fail_on_missing && c.fail_on_regression && !c.fail_on_new);
        assert_eq!(c.rules.len(), 4);
        assert_eq!(c.budgets.len(), 3);
        assert_eq!(c.budgets[0].benchmark, "http_req_duration");
        assert_eq!(c.budgets[2].expression, "rate < 0.1%");
        assert_eq!(c.keep, 30);
        assert_eq!(c.baseline_branch.as_deref(), Some("main"));
        assert!(c.allow_cross_environment);
        assert_eq!(c.test, TestChoice::MannWhitney);
        assert_eq!(Config::default().test, TestChoice::Auto);
        assert_eq!(
            c.history,
            HistoryConfig {
                window: 20,
                min_points: 8,
                pool: 3,
                confidence: 0.95
            }
        );
        assert_eq!(c.resolve("x", "instructions").deterministic, Some(false));
        assert_eq!(c.resolve("x", "time").deterministic, None);
    }

    #[test]
    fn an_unknown_test_names_the_line_and_the_choices() {
        let e = Config::parse("p.toml", "threshold = \"5%\"\ntest = \"welch\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(
            e.to_string(),
            "p.toml:2: key `test`: expected \"auto\" or \"mann-whitney\", found \"welch\""
        );
    }

    #[test]
    fn bad_history_values_name_the_key() {
        let e = Config::parse(
            "p.toml",
            "[history]
window = 0
",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("key `history.window`"), "{e}");
        let e = Config::parse(
            "p.toml",
            "[history]
confidence = 95
",
        )
        .unwrap_err();
        assert!(e.to_string().contains("history.confidence"), "{e}");
        let e = Config::parse(
            "p.toml",
            "[history]
windows = 3
",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `windows`"), "{e}");
    }

    #[test]
    fn later_rules_override_earlier_ones_by_glob() {
        let c = Config::parse("perfgate.toml", FULL).unwrap();
        let r = c.resolve("BenchmarkParseJSON-8", "allocs");
        assert_eq!((r.threshold, r.alpha, r.ignore), (0.0, 0.01, false));
        assert_eq!(c.resolve("BenchmarkParseJSON-8", "time").threshold, 0.05);
        assert!(c.resolve("BenchmarkNoisyIO", "time").ignore);
        assert_eq!(
            c.resolve("x", "score").direction,
            Some(Direction::HigherIsBetter)
        );
    }

    #[test]
    fn empty_config_gives_the_defaults() {
        let c = Config::parse("p.toml", "").unwrap();
        assert_eq!(c, Config::default());
        // 5.5%, not 5%: the simulation's false-alarm target at CV 5% and 10 runs (README).
        assert_eq!((c.threshold, c.alpha, c.min_samples), (0.055, 0.05, 4));
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let e =
            Config::parse("perfgate.toml", "threshold = \"5%\"\n\nthreshhold = 1\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        let s = e.to_string();
        assert!(s.starts_with("perfgate.toml:3: "), "{s}");
        assert!(s.contains("unknown field `threshhold`"), "{s}");
        let e = Config::parse(
            "perfgate.toml",
            "[[rule]]\nbenchmark = \"x\"\nthresold = \"1%\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("unknown field `thresold`"), "{e}");
    }

    #[test]
    fn bad_values_name_file_line_and_key() {
        let e = Config::parse("perfgate.toml", "\nthreshold = 0.05\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "perfgate.toml:2: key `threshold`: expected a percentage string such as \"5%\", found `0.05`"
        );
        let e = Config::parse("perfgate.toml", "significance = 5.0\n").unwrap_err();
        assert!(e.to_string().contains("key `significance`"), "{e}");
        let e = Config::parse("p.toml", "[budgets]\nx = \"p(95) 200\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("no comparison operator"), "{e}");
        let e = Config::parse("p.toml", "[[rule]]\ndirection = \"up\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = Config::parse("p.toml", "threshold = \n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}

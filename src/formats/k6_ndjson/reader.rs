//! One line of k6 output: a Point the scanner reads in place (the common case), or any other line
//! read by serde_json (Metric declarations, Points with escapes, and everything that is wrong,
//! which this path words as an error).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;

use super::aggregate::{Declaration, State};
use super::scan;
use super::tags::{Span, TagEntry, TagTable, RECENT_TAGS};
use crate::formats::spec::ParseError;
use crate::model::Run;

pub(super) const BOM: &[u8] = b"\xef\xbb\xbf";
#[derive(Default)]
pub(super) struct Parser {
    state: State,
    tags: TagTable,
    /// The tags objects used last, compared first.
    recent: [Option<u32>; RECENT_TAGS],
    /// When each of `recent` was last used, to replace the least recently used.
    used: [u64; RECENT_TAGS],
    /// The most recently used of `recent`.
    current: usize,
    clock: u64,
    /// `tags: null`.
    no_tags: TagEntry,
    /// Where the scanner found each tag of a tags object it parsed.
    spans: Vec<Span>,
}

impl Parser {
    /// Reads the line at the start of `bytes`; returns the bytes it used (newline included), or
    /// `None` when `bytes` ends before the line does.
    pub(super) fn line(
        &mut self,
        bytes: &[u8],
        at_eof: bool,
        line: usize,
    ) -> Result<Option<usize>, ParseError> {
        let recent: [&[u8]; RECENT_TAGS] = std::array::from_fn(|j| {
            self.recent
                .get((self.current + j) % RECENT_TAGS)
                .copied()
                .flatten()
                .and_then(|k| self.tags.get(k))
                .map_or(&[][..], |e| e.text.as_bytes())
        });
        let scanned = scan::line(bytes, at_eof, &recent, &self.tags.index, &mut self.spans);
        match scanned {
            scan::Line::Point {
                metric,
                time,
                value,
                tags,
                end,
            } => {
                self.clock += 1;
                let key = match tags {
                    scan::Tags::Null => None,
                    scan::Tags::Recent(j) => {
                        let slot = (self.current + j) % RECENT_TAGS;
                        self.touch(slot);
                        self.recent.get(slot).copied().flatten()
                    }
                    scan::Tags::Known(k) => {
                        self.remember(k);
                        Some(k)
                    }
                    scan::Tags::New(raw) => {
                        let k = self.tags.add(raw, &self.spans, &mut self.state.interner);
                        self.remember(k);
                        Some(k)
                    }
                };
                let entry = key.and_then(|k| self.tags.get(k)).unwrap_or(&self.no_tags);
                self.state.point(metric, time, value, entry, line)?;
                Ok(Some(end))
            }
            scan::Line::Blank { end } => Ok(Some(end)),
            scan::Line::Incomplete | scan::Line::Slow => match memchr::memchr(b'\n', bytes) {
                Some(nl) => {
                    self.slow_line(bytes.get(..nl).unwrap_or_default(), line, false)?;
                    Ok(Some(nl + 1))
                }
                None if at_eof => {
                    self.slow_line(bytes, line, true)?;
                    Ok(Some(bytes.len()))
                }
                None => Ok(None),
            },
        }
    }

    pub(super) fn touch(&mut self, slot: usize) {
        self.current = slot;
        if let Some(t) = self.used.get_mut(slot) {
            *t = self.clock;
        }
    }

    /// Puts tags object `k` among the recent ones, in place of the least recently used.
    pub(super) fn remember(&mut self, k: u32) {
        let lru = (0..RECENT_TAGS)
            .min_by_key(|&j| self.used.get(j).copied().unwrap_or(0))
            .unwrap_or(0);
        if let Some(r) = self.recent.get_mut(lru) {
            *r = Some(k);
        }
        self.touch(lru);
    }

    /// A line that straddled buffer fills, with its newline unless the input ended first.
    pub(super) fn carried_line(&mut self, bytes: &[u8], line: usize) -> Result<(), ParseError> {
        let bytes = if line == 1 {
            bytes.strip_prefix(BOM).unwrap_or(bytes)
        } else {
            bytes
        };
        self.line(bytes, true, line).map(|_| ())
    }

    /// Reads one line (without its newline) with serde_json: Metric lines, and Points the scanner
    /// left (escapes, whitespace); reports what is wrong with anything else.
    pub(super) fn slow_line(
        &mut self,
        bytes: &[u8],
        line: usize,
        unterminated: bool,
    ) -> Result<(), ParseError> {
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        let Some(start) = start else {
            return Ok(());
        };
        if bytes.get(start) != Some(&b'{') {
            let shown: String = String::from_utf8_lossy(bytes.get(start..).unwrap_or_default())
                .chars()
                .take(40)
                .collect();
            return Err(ParseError::at(
                line,
                format!(
                    "expected one JSON object per line, as `k6 run --out json=FILE` writes; found `{shown}`"
                ),
            ));
        }
        let parsed: SlowLine = serde_json::from_slice(bytes).map_err(|e| {
            let mut err = ParseError::json(&e);
            err.line = Some(line);
            err.message = format!(
                "{}: expected one JSON object per line, as `k6 run --out json=FILE` writes{}",
                err.message,
                if unterminated {
                    " (this last line has no newline: the file looks truncated)"
                } else {
                    ""
                }
            );
            err
        })?;
        match parsed.kind.as_deref() {
            Some("Point") => {
                let Some(metric) = parsed.metric else {
                    return Err(ParseError::at(line, "a Point without a `metric` name"));
                };
                let Some(data) = parsed.data else {
                    return Err(ParseError::at(
                        line,
                        format!("the Point of `{metric}` has no `data` object"),
                    ));
                };
                let Some(time) = data.time else {
                    return Err(ParseError::at(
                        line,
                        format!("the Point of `{metric}` has no `data.time`"),
                    ));
                };
                let value = match &data.value {
                    Some(serde_json::Value::Number(n)) => n.as_f64(),
                    _ => None,
                };
                let Some(value) = value.filter(|v| v.is_finite()) else {
                    return Err(ParseError::at(
                        line,
                        format!(
                            "the Point of `{metric}` has no numeric `data.value` (found {})",
                            data.value.as_ref().map_or("nothing", json_kind)
                        ),
                    ));
                };
                let mut tags = TagEntry::default();
                let pairs = data.tags.iter().flatten().filter_map(|(k, v)| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some((k.as_str(), Cow::Borrowed(s.as_str()))),
                    other => Some((k.as_str(), Cow::Owned(other.to_string()))),
                });
                let pairs: Vec<(&str, Cow<'_, str>)> = pairs.collect();
                tags.fill_pairs(
                    pairs.iter().map(|(k, v)| (*k, v.as_ref())),
                    &mut self.state.interner,
                );
                self.state
                    .point(metric.as_bytes(), time.as_bytes(), value, &tags, line)
            }
            Some("Metric") => {
                let data = parsed.data.unwrap_or_default();
                let name = match (parsed.metric, data.name.as_deref()) {
                    (Some(m), _) => m.into_owned(),
                    (None, Some(n)) => n.to_string(),
                    (None, None) => {
                        return Err(ParseError::at(line, "a Metric line without a `metric` name"))
                    }
                };
                self.state.declare(declaration(name, data), line)
            }
            Some(_) => {
                // Not a kind k6 writes today; a later k6 may add some.
                self.state.ignored_lines += 1;
                Ok(())
            }
            None => Err(ParseError::at(
                line,
                "expected a k6 output line: a JSON object with `type` \"Point\" or \"Metric\" and a `metric` name (as `k6 run --out json=FILE` writes)",
            )),
        }
    }

    pub(super) fn finish(self) -> Result<Run, ParseError> {
        self.state.finish()
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number out of range",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[derive(Deserialize)]
struct SlowLine<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    metric: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<SlowData<'a>>,
}

#[derive(Deserialize, Default)]
struct SlowData<'a> {
    // Point fields.
    #[serde(borrow, default)]
    time: Option<Cow<'a, str>>,
    #[serde(default)]
    value: Option<serde_json::Value>,
    #[serde(default)]
    tags: Option<BTreeMap<String, serde_json::Value>>,
    // Metric fields.
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    metric_type: Option<String>,
    #[serde(default)]
    contains: Option<String>,
    #[serde(default)]
    submetrics: Option<Vec<SlowSubmetric>>,
}

#[derive(Deserialize)]
struct SlowSubmetric {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    suffix: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, serde_json::Value>>,
}

/// What a Metric line named `name` declares: its type, what it contains, and each submetric
/// with the tags it selects (from its `tags`, else its `suffix`, else its name's `{...}`).
fn declaration(name: String, data: SlowData<'_>) -> Declaration {
    let mut submetrics = Vec::new();
    for sub in data.submetrics.iter().flatten() {
        let selector = match (&sub.tags, &sub.suffix) {
            (Some(tags), _) => tags
                .iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                    serde_json::Value::Null => None,
                    other => Some((k.clone(), other.to_string())),
                })
                .collect(),
            (None, Some(suffix)) => parse_selector(suffix),
            (None, None) => sub
                .name
                .as_deref()
                .and_then(|n| n.split_once('{'))
                .map(|(_, s)| parse_selector(s.trim_end_matches('}')))
                .unwrap_or_default(),
        };
        let sub_name = match (&sub.name, &sub.suffix) {
            (Some(n), _) => n.clone(),
            (None, Some(s)) => format!("{name}{{{s}}}"),
            (None, None) => continue,
        };
        submetrics.push((sub_name, selector));
    }
    Declaration {
        name,
        kind: data.metric_type,
        contains: data.contains,
        submetrics,
    }
}

/// `key:value,key:value` as in a k6 submetric suffix.
fn parse_selector(s: &str) -> Vec<(String, String)> {
    s.split(',')
        .filter_map(|kv| kv.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

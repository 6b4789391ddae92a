//! Notes said once: the notes of the changed metrics and of the budgets, grouped by what they
//! say, each with the benchmarks and metrics it applies to. Notes that differ only in the change
//! they quote are one, with the change left out (the rows show it).

use std::collections::HashMap;

use serde::Serialize;

/// Benchmarks listed under a note before `… and N more`.
const NOTE_NAMES: usize = 6;

/// A note said once, with the benchmarks and metrics it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteGroup {
    pub text: String,
    /// `BenchmarkX time`, `http_req_duration (p(95), p(99))`, `http_req_duration (p(95) < 200ms)`:
    /// at most 6 benchmarks.
    pub names: Vec<String>,
    /// Names left out of `names`.
    pub more: usize,
}

/// Replaces signed percentages (`+939.0%`, `-4.2%`) in a note, so that notes differing only in
/// the change they quote read as one: the rows already show each change.
fn generalize(note: &str) -> String {
    const MARK: &str = "\u{1}";
    let chars: Vec<char> = note.chars().collect();
    let mut out = String::with_capacity(note.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let starts = matches!(c, '+' | '-' | '−')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && (i == 0 || chars.get(i - 1).is_some_and(|p| !p.is_alphanumeric()));
        if starts {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|d| d.is_ascii_digit() || *d == '.')
            {
                j += 1;
            }
            if chars.get(j) == Some(&'%') {
                out.push_str(MARK);
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out.replace(&format!(" ({MARK} here)"), "")
        .replace(&format!("a change of {MARK}"), "the change")
        .replace(MARK, "the change")
}

/// Notes grouped by text, each with the benchmarks and metrics it applies to.
#[derive(Default)]
pub(super) struct NoteGroups {
    groups: Vec<NoteDraft>,
}

struct NoteDraft {
    /// The note with its quoted changes generalized: notes with the same key are one.
    key: String,
    /// The note as the first result said it.
    text: String,
    /// Whether notes of the group quote different changes (then the key is shown).
    generalized: bool,
    /// Benchmarks and, for each, what the note applies to (metrics, budget expressions).
    names: Vec<(String, Vec<String>)>,
    /// Where each benchmark is in `names`.
    name_index: HashMap<String, usize>,
}

impl NoteGroups {
    pub(super) fn add(&mut self, note: &str, benchmark: &str, what: String) {
        let key = generalize(note);
        let i = match self.groups.iter().position(|g| g.key == key) {
            Some(i) => i,
            None => {
                self.groups.push(NoteDraft {
                    key,
                    text: note.to_string(),
                    generalized: false,
                    names: Vec::new(),
                    name_index: HashMap::new(),
                });
                self.groups.len() - 1
            }
        };
        let Some(g) = self.groups.get_mut(i) else {
            return;
        };
        if g.text != note {
            g.generalized = true;
        }
        match g
            .name_index
            .get(benchmark)
            .and_then(|&i| g.names.get_mut(i))
        {
            Some((_, whats)) if !whats.contains(&what) => whats.push(what),
            Some(_) => {}
            None => {
                g.name_index.insert(benchmark.to_string(), g.names.len());
                g.names.push((benchmark.to_string(), vec![what]));
            }
        }
    }

    pub(super) fn finish(self) -> Vec<NoteGroup> {
        self.groups
            .into_iter()
            .map(|g| {
                let more = g.names.len().saturating_sub(NOTE_NAMES);
                let names = g
                    .names
                    .into_iter()
                    .take(NOTE_NAMES)
                    .map(|(b, whats)| match whats.as_slice() {
                        [one] => format!("{b} {one}"),
                        _ => format!("{b} ({})", whats.join(", ")),
                    })
                    .collect();
                NoteGroup {
                    text: if g.generalized { g.key } else { g.text },
                    names,
                    more,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_that_differ_only_in_the_change_read_as_one() {
        assert_eq!(
            generalize("no noise estimate, but a change of +939.0% is beyond 40% (`large_change`)"),
            "no noise estimate, but the change is beyond 40% (`large_change`)"
        );
        assert_eq!(
            generalize("not gated without a history of runs (+863.0% here)"),
            "not gated without a history of runs"
        );
        assert_eq!(
            generalize("p(95) -4.2% and x-1.5%"),
            "p(95) the change and x-1.5%"
        );
        assert_eq!(generalize("at least 5 per side"), "at least 5 per side");
    }
}

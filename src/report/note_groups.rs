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
/// the change they quote read as one: the rows already show each change. With `row`, the row's
/// change as notes quote it: a note may quote other changes, which the row does not show (a
/// metric judged against its suite shows its change against the rest of the suite, and its note
/// the change against the baseline run itself, "the change against the baseline run" read as the
/// row's +31.1% where it was +13.7%). Those read "its own change", and are returned, in order, for
/// the names to carry.
fn generalize(note: &str, row: Option<&str>) -> (String, Vec<String>) {
    const MARK: &str = "\u{1}";
    const OWN: &str = "\u{2}";
    let mut own = Vec::new();
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
                let quoted: String = chars.get(i..=j).into_iter().flatten().collect();
                // "(+0.4% here)" says what this one moved by, in passing: left out when grouped.
                let here: String = chars.get(j + 1..j + 7).into_iter().flatten().collect();
                if row.is_none_or(|r| r == quoted) || here == " here)" {
                    out.push_str(MARK);
                } else {
                    out.push_str(OWN);
                    own.push(quoted);
                }
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    let text = out
        .replace(&format!(" ({MARK} here)"), "")
        .replace(&format!("a change of {MARK}"), "the change")
        .replace(MARK, "the change")
        .replace(OWN, "its own change");
    (text, own)
}

/// Notes grouped by text, each with the benchmarks and metrics it applies to.
#[derive(Default)]
pub(super) struct NoteGroups {
    groups: Vec<NoteDraft>,
}

/// What a note applies to (a metric, a budget expression), with the changes of its own it quoted.
type Applies = (String, Vec<String>);

struct NoteDraft {
    /// The note with its quoted changes generalized: notes with the same key are one.
    key: String,
    /// The note as the first result said it.
    text: String,
    /// Whether notes of the group quote different changes (then the key is shown).
    generalized: bool,
    /// Benchmarks and, for each, what the note applies to (metrics, budget expressions), each
    /// with the changes of its own the note quoted (shown when the group's notes differ).
    names: Vec<(String, Vec<Applies>)>,
    /// Where each benchmark is in `names`.
    name_index: HashMap<String, usize>,
}

impl NoteGroups {
    /// Adds `note` of `benchmark`'s `what`; `change` is the change its row shows, as notes quote
    /// it (`+12.3%`), when the note is a result's: only that is generalized.
    pub(super) fn add(&mut self, note: &str, change: Option<&str>, benchmark: &str, what: String) {
        let (key, own) = generalize(note, change);
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
            Some((_, whats)) if !whats.iter().any(|(w, _)| *w == what) => whats.push((what, own)),
            Some(_) => {}
            None => {
                g.name_index.insert(benchmark.to_string(), g.names.len());
                g.names.push((benchmark.to_string(), vec![(what, own)]));
            }
        }
    }

    pub(super) fn finish(self) -> Vec<NoteGroup> {
        self.groups
            .into_iter()
            .map(|g| {
                let more = g.names.len().saturating_sub(NOTE_NAMES);
                let generalized = g.generalized;
                let what = |(w, own): (String, Vec<String>)| {
                    if generalized && !own.is_empty() {
                        format!("{w} {}", own.join(" "))
                    } else {
                        w
                    }
                };
                let names = g
                    .names
                    .into_iter()
                    .take(NOTE_NAMES)
                    .map(|(b, whats)| {
                        let mut whats: Vec<String> = whats.into_iter().map(what).collect();
                        match whats.as_mut_slice() {
                            [one] => format!("{b} {one}"),
                            _ => format!("{b} ({})", whats.join(", ")),
                        }
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
            generalize(
                "no noise estimate, but a change of +939.0% is beyond 40% (`large_change`)",
                None
            )
            .0,
            "no noise estimate, but the change is beyond 40% (`large_change`)"
        );
        assert_eq!(
            generalize("not gated without a history of runs (+863.0% here)", None).0,
            "not gated without a history of runs"
        );
        assert_eq!(
            generalize("p(95) -4.2% and x-1.5%", None).0,
            "p(95) the change and x-1.5%"
        );
        assert_eq!(
            generalize("at least 5 per side", None).0,
            "at least 5 per side"
        );
    }

    /// A metric judged against its suite shows its change against the rest of the suite (+31.1%);
    /// its note quotes its change against the baseline run (+13.2%), which "the change" misnamed.
    #[test]
    fn a_change_the_row_does_not_show_is_carried_by_its_name() {
        let note = |own: &str| {
            format!("{own} against the baseline run, while the whole run is 13.7% faster")
        };
        assert_eq!(
            generalize(&note("+13.2%"), Some("+31.1%")),
            (
                "its own change against the baseline run, while the whole run is 13.7% faster"
                    .to_string(),
                vec!["+13.2%".to_string()]
            )
        );
        assert_eq!(
            generalize(
                "a change of +7.8% is not significant (+0.4% here); -2.0% then",
                Some("+7.8%")
            ),
            (
                "the change is not significant; its own change then".to_string(),
                vec!["-2.0%".to_string()]
            )
        );
        // Each (its own change, the row's change, benchmark): one group.
        let one_group = |rows: &[(&str, &str, &str)]| -> NoteGroup {
            let mut groups = NoteGroups::default();
            for (own, row, benchmark) in rows {
                groups.add(&note(own), Some(row), benchmark, "time".into());
            }
            let [g] = groups.finish().try_into().unwrap();
            g
        };
        let g = one_group(&[
            ("+13.2%", "+31.1%", "StringsBuilder"),
            ("-43.1%", "-34.1%", "StrconvItoa"),
        ]);
        assert_eq!(
            g.text,
            "its own change against the baseline run, while the whole run is 13.7% faster"
        );
        assert_eq!(
            g.names,
            ["StringsBuilder time +13.2%", "StrconvItoa time -43.1%"]
        );
        // One note alone keeps its numbers, and its name needs none.
        let g = one_group(&[("+13.2%", "+31.1%", "StringsBuilder")]);
        assert_eq!(
            (g.text, g.names),
            (note("+13.2%"), vec!["StringsBuilder time".to_string()])
        );
    }
}

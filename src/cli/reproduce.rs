//! The command line that runs a comparison again, as the reports' "Reproduce" section shows it:
//! the commands that fetch the baseline (when it is stored elsewhere), then `perfgate compare`
//! with the comparison's files. `perfgate compare` and the Action both build it here.

/// How the values of the command line are quoted for a POSIX shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
    /// Only a value with a character other than letters, digits and `._-/`: the paths given to
    /// `perfgate compare`, shown as they would be typed.
    AsNeeded,
    /// Every value: the Action's inputs.
    Always,
}

/// A reproduce command being built, flag by flag in the order given.
pub(crate) struct Reproduce {
    text: String,
    quote: Quote,
}

impl Reproduce {
    /// `perfgate compare`, after `fetch` (shell commands, a line each) when the baseline must be
    /// fetched first.
    pub fn new(fetch: Option<&str>, quote: Quote) -> Reproduce {
        let mut text = fetch.map(|f| format!("{f}\n")).unwrap_or_default();
        text.push_str("perfgate compare");
        Reproduce { text, quote }
    }

    /// `flag` followed by `values`, each quoted as the command says.
    pub fn arg<S: AsRef<str>>(mut self, flag: &str, values: impl IntoIterator<Item = S>) -> Self {
        self.text.push(' ');
        self.text.push_str(flag);
        for v in values {
            let v = v.as_ref();
            let plain = v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
            self.text.push(' ');
            if self.quote == Quote::AsNeeded && plain {
                self.text.push_str(v);
            } else {
                self.text.push_str(&shell_quote(v));
            }
        }
        self
    }

    /// `flag` followed by `value` as it is: a file the fetch commands write, or a placeholder
    /// for what the user must fill in.
    pub fn literal(mut self, flag: &str, value: &str) -> Self {
        self.text.push_str(&format!(" {flag} {value}"));
        self
    }

    /// The command's text.
    pub fn build(self) -> String {
        self.text
    }
}

/// `s` single-quoted for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_as_needed_or_always() {
        let files = ["bench/base.txt", "my results.txt", "it's.txt"];
        let as_needed = Reproduce::new(None, Quote::AsNeeded)
            .arg("--baseline", &files[..1])
            .arg("--current", &files[1..])
            .build();
        assert_eq!(
            as_needed,
            r#"perfgate compare --baseline bench/base.txt --current 'my results.txt' 'it'\''s.txt'"#
        );
        let always = Reproduce::new(Some("git fetch origin data"), Quote::Always)
            .literal("--baseline", "baseline.json")
            .arg("--current", ["bench/pr.txt"])
            .build();
        assert_eq!(
            always,
            "git fetch origin data\nperfgate compare --baseline baseline.json --current 'bench/pr.txt'"
        );
    }
}

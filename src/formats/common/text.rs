//! Reading the text tools print: numbered lines without colour escapes, numbers the way benchmark
//! tools write them, names made from labels, a line's trailing columns, and telling an output that
//! was cut off in the middle of its last line.

use crate::formats::spec::ParseError;

/// The lines of `text` without trailing `\r`s, colour escapes left in: enough for a quick
/// detection check.
pub(crate) fn raw_lines(text: &str) -> impl Iterator<Item = &str> {
    // `text.split('\n')`, with memchr's search for the newline: the standard library's char
    // search cost 4% of reading Go output of 10,000 short lines.
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r.as_bytes()) {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
    .map(|l| l.trim_end_matches('\r'))
}

/// True when `needle` occurs anywhere in `text`: a vectorised search that lets a detector skip the
/// line-by-line look at inputs that cannot be its format (a detector that fails reads the whole
/// input, and every text input meets the detectors registered before its own).
pub(crate) fn contains(text: &str, needle: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some()
}

/// Splits text into lines with 1-based numbers, without trailing `\r`s, with ANSI colour escapes
/// removed: what every text parser wants.
pub(crate) fn clean_lines(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    raw_lines(text)
        .enumerate()
        .map(|(i, l)| (i + 1, strip_ansi(l)))
}

/// Removes `ESC [ ... <letter>` sequences.
pub(crate) fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c2 in chars.by_ref() {
                    if c2.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A decimal number as benchmark tools print it: `,` thousands separators are dropped and the
/// U+2212 minus sign is read as `-`. `None` for anything else, and for non-finite results.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| *c != ',')
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    let mut chars = cleaned.chars();
    let first = chars.next()?;
    if !(first.is_ascii_digit() || first == '-' || first == '+' || first == '.') {
        return None;
    }
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A metric name from a label or unit: lowercase words joined by `_` (`Total read+write` ->
/// `total_read_write`, `SysCpuTime` -> `sys_cpu_time`, `ILmr` -> `ilmr`).
pub(crate) fn snake_case(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut prev_lower = false;
    for c in label.chars() {
        if c.is_alphanumeric() {
            // `SysTime` -> `sys_time`; runs of capitals (`ILmr`, `LLi`) stay one word.
            if c.is_uppercase() && prev_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            prev_lower = c.is_lowercase();
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Splits off the last `n` whitespace-separated tokens; `None` when there are fewer.
pub(crate) fn split_tail(line: &str, n: usize) -> Option<(&str, Vec<&str>)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, line.len()));
    }
    let first = spans.len().checked_sub(n)?;
    let tail_spans = spans.get(first..)?;
    let head_end = tail_spans.first().map(|s| s.0)?;
    let tail = tail_spans
        .iter()
        .filter_map(|(s, e)| line.get(*s..*e))
        .collect();
    Some((line.get(..head_end)?, tail))
}

/// What a parser says of the line a cut output ends in.
pub(crate) const CUT: &str = "the file ends in the middle of this line: the output looks cut";

/// The 1-based number and the text of the last line when `text` does not end with a line break
/// and that line holds more than whitespace. Tools that end every line they write with a line break
/// leave such a line only when their output was cut (the job killed, the log truncated), and its
/// last number may be part of one (`Instructions: 18` of `18454953`).
pub(crate) fn unterminated_last_line(text: &str) -> Option<(usize, &str)> {
    if text.ends_with('\n') {
        return None;
    }
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    let last = text.get(start..)?;
    if last.trim().is_empty() {
        return None;
    }
    Some((memchr::memchr_iter(b'\n', bytes).count() + 1, last))
}

/// A parse of `text` checked for a cut last line: an error about the unterminated last line is
/// said to be a cut (`ns/` of `ns/iter` is not a bad unit, the file stops there), and a last line
/// read without error is refused when `is_cut` finds that it could be the start of a longer one
/// (`tool` names who writes the line break that is missing).
pub(crate) fn refuse_cut<T>(
    text: &str,
    tool: &str,
    parsed: Result<T, ParseError>,
    is_cut: impl FnOnce(&str) -> bool,
) -> Result<T, ParseError> {
    let Some((no, last)) = unterminated_last_line(text) else {
        return parsed;
    };
    let last = strip_ansi(last);
    match parsed {
        Err(e) if e.line == Some(no) => Err(ParseError::at(no, format!("{CUT} ({})", e.message))),
        Err(e) => Err(e),
        Ok(_) if is_cut(&last) => Err(ParseError::at(
            no,
            format!(
                "{CUT}: `{}` has no line break after it, and {tool} ends every line with one; \
                 run the benchmarks again, or remove the line",
                excerpt(last.trim(), 80)
            ),
        )),
        Ok(parsed) => Ok(parsed),
    }
}

/// At most `max` characters of `text` for a message, with `...` when some were left out: a quoted
/// line of an adversarial input can be megabytes long.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", text.get(..i).unwrap_or_default()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_lines_are_the_lines_split_at_newlines_without_trailing_returns() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\n\r\nb",
            "a\r\r\nb\r",
            "ü\nß",
        ] {
            let want: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
            assert_eq!(raw_lines(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn strips_ansi_colours() {
        assert_eq!(strip_ansi("\u{1b}[1;32mok\u{1b}[0m"), "ok");
    }

    #[test]
    fn snake_cases_labels() {
        assert_eq!(snake_case("Total read+write"), "total_read_write");
        assert_eq!(snake_case("At t-gmax bytes"), "at_t_gmax_bytes");
        assert_eq!(snake_case("LLi Miss Rate"), "lli_miss_rate");
        assert_eq!(snake_case("cycles"), "cycles");
        assert_eq!(snake_case("SysCpuTime"), "sys_cpu_time");
        assert_eq!(snake_case("ILmr"), "ilmr");
        assert_eq!(snake_case("I1mr"), "i1mr");
    }

    #[test]
    fn finds_a_last_line_without_its_line_break() {
        assert_eq!(unterminated_last_line("a\nb"), Some((2, "b")));
        assert_eq!(unterminated_last_line("x"), Some((1, "x")));
        assert_eq!(unterminated_last_line("a\r\nb\r"), Some((2, "b\r")));
        assert_eq!(unterminated_last_line("a\nb\n"), None);
        assert_eq!(unterminated_last_line("a\n \t"), None);
        assert_eq!(unterminated_last_line(""), None);
    }

    #[test]
    fn says_an_error_on_a_cut_last_line_is_a_cut() {
        let at = |line, message: &str| ParseError::at(line, message);
        let e = refuse_cut("a\nb", "t", Err::<(), _>(at(2, "bad")), |_| false).unwrap_err();
        assert_eq!(e, at(2, &format!("{CUT} (bad)")));
        // An error elsewhere, or a file that ends with its line break, is left as it is.
        let e = refuse_cut("a\nb", "t", Err::<(), _>(at(1, "bad")), |_| true).unwrap_err();
        assert_eq!(e, at(1, "bad"));
        let e = refuse_cut("a\nb\n", "t", Err::<(), _>(at(2, "bad")), |_| true).unwrap_err();
        assert_eq!(e, at(2, "bad"));
        assert_eq!(refuse_cut("a\nb\n", "t", Ok(1), |_| true), Ok(1));
        assert_eq!(refuse_cut("a\nb", "t", Ok(1), |_| false), Ok(1));
        let e = refuse_cut("a\n\u{1b}[1mb\u{1b}[0m", "t", Ok(1), |l| l == "b").unwrap_err();
        assert_eq!(
            e,
            at(
                2,
                &format!(
                    "{CUT}: `b` has no line break after it, and t ends every line with one; run the benchmarks again, or remove the line"
                )
            )
        );
    }

    #[test]
    fn excerpts_long_text_by_characters() {
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc...");
        assert_eq!(excerpt("\u{b5}\u{b5}\u{b5}", 2), "\u{b5}\u{b5}...");
    }

    #[test]
    fn parses_numbers_as_tools_print_them() {
        assert_eq!(parse_number("18,794.12"), Some(18794.12));
        assert_eq!(parse_number("\u{2212}2.5"), Some(-2.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1e999"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }
}

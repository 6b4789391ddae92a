//! Reading the text tools print: numbered lines without colour escapes, numbers the way benchmark
//! tools write them, names made from labels, and a line's trailing columns.

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

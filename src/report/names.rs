//! How a name from the input (a benchmark's, a metric's) is shown to people: at a length a
//! report can hold, and with the characters that do not show made visible.
//!
//! A pull request chooses its benchmark names. One name of 100,000 characters took a whole
//! comment's size budget in its heading, and a name can differ from another only by a character
//! that does not show (a zero-width space) or reorder what follows it (a bidirectional
//! override). Every renderer but the JSON report, which keeps names exactly, shows names through
//! [`display_name`] and escapes [`is_invisible`] characters in its own way.

use std::borrow::Cow;

/// The longest name shown whole; a longer one is shown as its start, `…` and its end.
pub const NAME_SHOWN: usize = 200;
/// Characters kept from the start of a longer name.
const HEAD: usize = 140;
/// Characters kept from its end: parametrised names (`Benchmark/size=1024`) differ there.
const TAIL: usize = NAME_SHOWN - HEAD - 1;

/// `name` as reports show it: whole up to [`NAME_SHOWN`] characters, or its first 140
/// characters, `…` and its last 59. Cut at characters of the raw name, before any escaping, so
/// that no escape (`\|`, `&lt;`, `\u{200b}`) is split and the cut itself is escaped as text.
pub fn display_name(name: &str) -> Cow<'_, str> {
    // A byte per character at most: no counting for the names of every day.
    if name.len() <= NAME_SHOWN {
        return Cow::Borrowed(name);
    }
    let chars = name.chars().count();
    if chars <= NAME_SHOWN {
        return Cow::Borrowed(name);
    }
    let at = |n: usize| name.char_indices().nth(n).map_or(name.len(), |(i, _)| i);
    let head = name.get(..at(HEAD)).unwrap_or_default();
    let tail = name.get(at(chars - TAIL)..).unwrap_or_default();
    Cow::Owned(format!("{head}…{tail}"))
}

/// Characters that do not show, or change how the text around them shows: the Unicode
/// `Default_Ignorable_Code_Point` set (zero-width spaces and joiners, the soft hyphen, word
/// joiners, bidirectional marks, embeddings, overrides and isolates, variation selectors, the
/// byte order mark, Hangul fillers, tag characters), the line and paragraph separators, and the
/// interlinear annotation characters. Reports show them escaped (`\u{200b}`), so that two names
/// that differ only by one of them read differently, and none reorders a line ("Trojan Source").
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_name_keeps_its_start_and_its_end() {
        let name = format!("Benchmark{}/size=1024", "x".repeat(100_000));
        let shown = display_name(&name);
        assert_eq!(shown.chars().count(), NAME_SHOWN);
        assert!(shown.starts_with("Benchmarkxxx"), "{shown}");
        assert!(shown.ends_with("xxx/size=1024"), "{shown}");
        assert_eq!(shown.chars().nth(HEAD), Some('…'));
        // At the limit a name is whole.
        let whole = "y".repeat(NAME_SHOWN);
        assert!(matches!(display_name(&whole), Cow::Borrowed(_)));
        assert_eq!(
            display_name(&format!("{whole}z")).chars().count(),
            NAME_SHOWN
        );
    }

    #[test]
    fn a_long_name_is_cut_between_characters() {
        // Multi-byte characters everywhere: 201 of them is a name to cut.
        let name = "é€😀".repeat(67);
        let shown = display_name(&name);
        assert_eq!(shown.chars().count(), NAME_SHOWN);
        let (head, tail) = shown.split_once('…').unwrap_or_default();
        assert!(name.starts_with(head) && name.ends_with(tail));
        assert_eq!((head.chars().count(), tail.chars().count()), (HEAD, TAIL));
        // Under the limit in characters though over it in bytes: whole.
        let short = "😀".repeat(150);
        assert_eq!(display_name(&short), short);
    }

    #[test]
    fn invisible_characters_are_known() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{061C}',
            '\u{FEFF}',
            '\u{2060}',
            '\u{2064}',
            '\u{00AD}',
            '\u{3164}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{2028}',
            '\u{FE0F}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', ' ', 'é', '…', '→', '😀', '\u{0336}'] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }
}

//! The Markdown report (PR comment, job summary): minijinja templates embedded in the binary,
//! rendered from the [`View`], kept under a size limit.
//!
//! Everything from the input is attacker-controlled (a pull request can name a benchmark
//! anything), so minijinja's HTML auto-escaping is off (it is wrong for Markdown) and templates
//! pass input text through the `md` filter explicitly. Names are shown shortened when long
//! ([`super::display_name`]): one name must not take the whole size limit.
//!
//! When a report is too long it is rendered again, shorter: first without the rows' trends, then
//! without the collapsed details, then with as many rows per section as the limit holds (found
//! by a binary search over the rows cap: a job summary's larger limit holds more rows than a
//! comment's), and as a last resort it is cut with a note. Either says where every result is
//! ([`MarkdownOptions::full_list`]). The marker, when given, is always the last line.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::names::{display_name, is_invisible};
use super::view::{view, View};
use super::ReportError;
use crate::compare::Comparison;

const COMMENT_TEMPLATE: &str = include_str!("templates/comment.md");
const MACROS_TEMPLATE: &str = include_str!("templates/macros.md");

/// The name a custom template is registered under.
const CUSTOM_NAME: &str = "custom.md";

/// Where every result can be read when the report leaves rows out, unless the caller says.
pub const FULL_LIST_DEFAULT: &str = "the terminal report (the job log)";

/// How to render the Markdown report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// A template text replacing the built-in one; it receives the same [`View`].
    pub template: Option<String>,
    /// The most characters (not bytes) the output may have, marker included.
    pub max_chars: usize,
    /// The name in the heading; `perfgate` when None.
    pub title: Option<String>,
    /// A line (such as `<!-- perfgate -->`) put last, always, to find the comment again.
    pub marker: Option<String>,
    /// A command to reproduce the run, shown in a code block.
    pub reproduce: Option<String>,
    /// The dashboard's address: rows with a trend link to their chart there.
    pub dashboard_url: Option<String>,
    /// The key whose series the chart links name (`k=`), when the dashboard has several.
    pub dashboard_key: Option<String>,
    /// Where every result can be read when rows are left out to fit, as the subject of "lists
    /// every result": ``the JSON report (`perfgate-report/report.json`)`` when one was written
    /// (a plain word in backticks is a code span, as in a note); [`FULL_LIST_DEFAULT`] when
    /// None.
    pub full_list: Option<String>,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            template: None,
            max_chars: 65_000,
            title: None,
            marker: None,
            reproduce: None,
            dashboard_url: None,
            dashboard_key: None,
            full_list: None,
        }
    }
}

/// Renders the comparison as Markdown of at most `opts.max_chars` characters.
///
/// Fails only when a custom template does not parse or render. If the marker alone is longer than
/// the limit, the output is the marker alone.
pub fn render_markdown(c: &Comparison, opts: &MarkdownOptions) -> Result<String, ReportError> {
    let env = environment(opts.template.as_deref())?;
    let name = if opts.template.is_some() {
        CUSTOM_NAME
    } else {
        "comment.md"
    };
    let template = env.get_template(name).map_err(template_error)?;

    let mut v = view(c);
    if let Some(title) = &opts.title {
        v.title.clone_from(title);
    }
    v.reproduce.clone_from(&opts.reproduce);
    v.full_list = opts
        .full_list
        .clone()
        .unwrap_or_else(|| FULL_LIST_DEFAULT.to_string());
    if let Some(url) = &opts.dashboard_url {
        v.link_charts(url, opts.dashboard_key.as_deref());
    }
    // After the chart links, which name each series whole.
    v.shorten_names();
    let marker = opts.marker.as_deref();

    let render = |v: &View| -> Result<String, ReportError> {
        let body = template
            .render(v)
            .map_err(|e| name_unknown_variables(template_error(e), &env, &template, v))?;
        Ok(finish(&body, marker))
    };
    let fits = |text: &str| text.chars().count() <= opts.max_chars;

    let mut last = render(&v)?;
    if fits(&last) {
        return Ok(last);
    }
    // Trends say the least per character: they go before any row.
    if v.hide_trends() {
        last = render(&v)?;
        if fits(&last) {
            return Ok(last);
        }
    }
    v.hide_details();
    if v.shortened {
        last = render(&v)?;
        if fits(&last) {
            return Ok(last);
        }
    }
    // The most rows per section that fit. The report grows with the cap, and every row shown
    // does not fit (just tried), so a binary search finds it in a dozen renders for thousands of
    // rows: as many rows as the limit holds, a comment's or a job summary's four times larger.
    let (mut fitting, mut too_many) = (0, v.rows_uncapped());
    let mut best = None;
    while too_many - fitting > 1 {
        let cap = fitting + (too_many - fitting) / 2;
        let mut capped = v.clone();
        capped.cap(cap);
        let text = render(&capped)?;
        if fits(&text) {
            fitting = cap;
            best = Some(text);
        } else {
            too_many = cap;
            last = text;
        }
    }
    match best {
        Some(text) => Ok(text),
        None => Ok(truncate(&last, marker, opts.max_chars, &v.full_list)),
    }
}

/// Ends the body with one newline, then a blank line and the marker.
fn finish(body: &str, marker: Option<&str>) -> String {
    let body = body.trim_end();
    match marker {
        Some(m) if body.is_empty() => format!("{m}\n"),
        Some(m) => format!("{body}\n\n{m}\n"),
        None => format!("{body}\n"),
    }
}

/// Cuts a finished report (marker included) to `max` characters at a line break, with a note
/// that says where every result is (`full_list`), keeping the marker last.
fn truncate(report: &str, marker: Option<&str>, max: usize, full_list: &str) -> String {
    let note = format!(
        "\n\n_… report cut to fit the size limit; {} lists every result._",
        note_markdown(full_list)
    );
    let body = match marker {
        Some(m) => report
            .trim_end()
            .strip_suffix(m)
            .unwrap_or(report)
            .trim_end(),
        None => report.trim_end(),
    };
    let tail = match marker {
        Some(m) => format!("\n\n{m}\n"),
        None => "\n".to_string(),
    };
    let fixed = note.chars().count() + tail.chars().count() + 4; // room for a fence
    let Some(room) = max.checked_sub(fixed) else {
        return match marker {
            Some(m) if m.chars().count() < max => format!("{m}\n"),
            Some(m) => m.to_string(),
            None => body.chars().take(max).collect(),
        };
    };
    let mut cut: String = body.chars().take(room).collect();
    if cut.len() < body.len() {
        if let Some(at) = cut.rfind('\n') {
            cut.truncate(at);
        }
    }
    let mut out = cut.trim_end().to_string();
    // A cut inside a code block would swallow the note and the marker.
    if out
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count()
        % 2
        == 1
    {
        out.push_str("\n```");
    }
    out.push_str(&note);
    out.push_str(&tail);
    out
}

fn environment(custom: Option<&str>) -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("md", md_filter);
    env.add_filter("code", code_filter);
    env.add_filter("note", note_filter);
    env.add_filter("codeblock", codeblock_filter);
    env.add_template("macros.md", MACROS_TEMPLATE)
        .map_err(template_error)?;
    env.add_template("comment.md", COMMENT_TEMPLATE)
        .map_err(template_error)?;
    if let Some(text) = custom {
        env.add_template_owned(CUSTOM_NAME, text.to_string())
            .map_err(template_error)?;
    }
    Ok(env)
}

fn template_error(e: minijinja::Error) -> ReportError {
    let message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    let line = e.line();
    if e.kind() == minijinja::ErrorKind::SyntaxError {
        ReportError::TemplateSyntax { line, message }
    } else {
        ReportError::TemplateRender { line, message }
    }
}

/// A render error on an undefined value names the template's variables that neither the view
/// nor the environment has (`regresions`): minijinja's own message does not.
fn name_unknown_variables(
    e: ReportError,
    env: &Environment<'_>,
    template: &minijinja::Template<'_, '_>,
    v: &View,
) -> ReportError {
    let ReportError::TemplateRender { line, message } = e else {
        return e;
    };
    let known = serde_json::to_value(v).ok();
    let mut unknown: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| known.as_ref().is_none_or(|k| k.get(name).is_none()))
        .filter(|name| !env.globals().any(|(g, _)| g == name))
        .collect();
    if unknown.is_empty() || !message.starts_with("undefined value") {
        return ReportError::TemplateRender { line, message };
    }
    unknown.sort();
    let names: Vec<String> = unknown.iter().map(|n| format!("`{n}`")).collect();
    ReportError::TemplateRender {
        line,
        message: format!("{message} (unknown variables: {})", names.join(", ")),
    }
}

fn text_of(v: &Value) -> Option<String> {
    if v.is_undefined() || v.is_none() {
        None
    } else {
        Some(v.as_str().map_or_else(|| v.to_string(), str::to_string))
    }
}

fn md_filter(v: Value) -> String {
    text_of(&v).map(|t| escape_markdown(&t)).unwrap_or_default()
}

fn note_filter(v: Value) -> String {
    text_of(&v).map(|t| note_markdown(&t)).unwrap_or_default()
}

/// A note's text as Markdown: its `quoted` words (config keys, flags, globs) as code spans when
/// they are plain (letters, digits, `._/:+-_*` and inner spaces), everything else escaped as by
/// [`escape_markdown`], the backticks of a quote that is not plain and an unpaired one included.
/// A note can quote a glob from the config a pull request may edit, and an error quotes what
/// the results said: a quoted part that is not plain is escaped text, never markup. The text
/// between code spans is escaped as one piece, so that an address split by backticks
/// (``x`https:`//evil.example/<``) cannot join up into a link once the backticks are gone.
pub fn note_markdown(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut pending = String::new();
    for (i, part) in parts.iter().enumerate() {
        let quoted = i % 2 == 1;
        let closed = i + 1 < parts.len();
        let plain = !part.is_empty()
            && part.chars().count() <= 100
            && !part.starts_with(' ')
            && !part.ends_with(' ')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._/:+-_* ".contains(c));
        if quoted && closed && plain {
            out.push_str(&escape_markdown(&pending));
            pending.clear();
            out.push('`');
            out.push_str(part);
            out.push('`');
        } else if quoted {
            // A quote that is not plain, or after an unpaired backtick: literal backticks.
            pending.push('`');
            pending.push_str(part);
            if closed {
                pending.push('`');
            }
        } else {
            pending.push_str(part);
        }
    }
    out.push_str(&escape_markdown(&pending));
    out
}

fn code_filter(v: Value) -> String {
    text_of(&v).map(|t| inline_code(&t)).unwrap_or_default()
}

fn codeblock_filter(v: Value, lang: Option<String>) -> String {
    text_of(&v)
        .map(|t| code_block(&t, lang.as_deref().unwrap_or("")))
        .unwrap_or_default()
}

/// Makes text safe and literal inside a Markdown paragraph, heading or table cell: Markdown
/// punctuation is backslash-escaped, `<>&` become entities (no HTML gets through), line breaks
/// become spaces, and characters that do not show (zero-width spaces, bidirectional overrides:
/// [`is_invisible`](super::is_invisible)) are written as escapes (`\u{200b}`), visible, so that
/// two names differing only by one read differently and none reorders the line.
///
/// GitHub also links and decorates words of the rendered text, where a backslash no longer is,
/// so a zero-width joiner goes into each of them: after `@` (`@mentions` notify, and make e-mail
/// links), after the `#` of `#123` (and `org/repo#123`) and the `-` of `GH-123` (issue
/// references, which link and cross-reference the issue), and after the first `:` of an emoji
/// shortcode (`:shipit:`). The `:` of `://` and the `.` of `www.` are escaped, so that GitHub
/// does not make a link to wherever a benchmark name points (it autolinks bare addresses).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        let rest = text.get(i + c.len_utf8()..).unwrap_or_default();
        let digit_next = rest.starts_with(|d: char| d.is_ascii_digit());
        match c {
            '#' if digit_next => out.push_str("\\#\u{200D}"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            ':' if rest.starts_with("//") => out.push_str("\\:"),
            ':' if opens_shortcode(rest) => out.push_str(":\u{200D}"),
            '-' if digit_next
                && text
                    .get(i.saturating_sub(2)..i)
                    .is_some_and(|w| w.eq_ignore_ascii_case("gh")) =>
            {
                out.push_str("-\u{200D}");
            }
            '.' if out.len() >= 3
                && out
                    .get(out.len() - 3..)
                    .is_some_and(|w| w.eq_ignore_ascii_case("www")) =>
            {
                out.push_str("\\.");
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200D}"),
            c if is_invisible(c) => {
                // `\\u{200b}`: an escaped backslash, then the code point.
                out.push('\\');
                out.extend(c.escape_unicode());
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Whether `rest`, what follows a `:`, makes it an emoji shortcode: a word of letters, digits,
/// `_`, `+` or `-` and a closing `:` (`shipit:`, `+1:`, `100:`). One or two digits alone are the
/// minutes of a time (`10:15:00`), which no shortcode is.
fn opens_shortcode(rest: &str) -> bool {
    let word = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_+-".contains(c)))
        .unwrap_or(rest.len());
    let name = rest.get(..word).unwrap_or_default();
    !name.is_empty()
        && rest.get(word..).is_some_and(|r| r.starts_with(':'))
        && !(name.len() <= 2 && name.chars().all(|c| c.is_ascii_digit()))
}

/// A name from the input in Markdown prose or a table cell: as [`display_name`] shows it (a long
/// one shortened in the middle), escaped by [`escape_markdown`].
pub fn escape_name(name: &str) -> String {
    escape_markdown(&display_name(name))
}

/// Inline code for plain identifiers (commits, branches); anything unusual is escaped text
/// instead, because code spans cannot be escaped reliably inside tables.
pub fn inline_code(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().count() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:+-".contains(c));
    if plain {
        format!("`{text}`")
    } else {
        escape_markdown(text)
    }
}

/// A fenced code block whose fence is longer than any backtick run in the text.
fn code_block(text: &str, lang: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{fence}{lang}\n{}\n{fence}", text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_quote_plain_words_as_code_and_escape_everything_else() {
        assert_eq!(
            note_markdown("beyond 40% (`large_change`); use `--store`"),
            "beyond 40% (`large_change`); use `--store`"
        );
        // A glob from a config a pull request may edit: not plain, so escaped text, its
        // backticks included.
        assert_eq!(
            note_markdown("no benchmark matches `<img src=x>`"),
            format!("no benchmark matches {}", escape_markdown("`<img src=x>`"))
        );
        assert_eq!(note_markdown("set `mode: save`"), "set `mode: save`");
        assert_eq!(note_markdown("a ` b` c"), r"a \` b\` c");
        // An address split by backticks stays split: no link once they are gone (GitHub
        // autolinks bare `https://` and `www.` addresses).
        for hostile in [
            "found `x`https:`//evil.example/<`",
            "found `x`www`.evil.example/<`",
            "found `x`http:`//evil.example/a?b=c`",
        ] {
            let md = note_markdown(hostile);
            assert!(
                !md.contains("://") && !md.contains("www."),
                "{hostile} -> {md}"
            );
        }
        assert_eq!(
            note_markdown("found `x`https:`//evil.example/<`"),
            r"found `x`https:\`//evil.example/&lt;\`"
        );
        assert_eq!(note_markdown("a `checkout_*` glob"), "a `checkout_*` glob");
        // An unpaired backtick is a literal one.
        assert_eq!(
            note_markdown("odd ` tick"),
            format!("odd {}{}", escape_markdown("`"), escape_markdown(" tick"))
        );
        assert_eq!(
            note_markdown("a `b` c `d"),
            format!("a `b` c {}d", escape_markdown("`"))
        );
    }

    #[test]
    fn escaping_makes_table_cells_literal() {
        assert_eq!(escape_markdown("a|b"), r"a\|b");
        assert_eq!(escape_markdown("`x`"), r"\`x\`");
        assert_eq!(
            escape_markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape_markdown("[link](http://x)"), r"\[link\](http\://x)");
        assert_eq!(escape_markdown("# title"), r"\# title");
        assert_eq!(escape_markdown("a\nb\r\nc"), "a b  c");
        assert_eq!(escape_markdown(r"a\b"), r"a\\b");
        assert_eq!(escape_markdown("*_~$"), r"\*\_\~\$");
        assert_eq!(escape_markdown("&amp;"), "&amp;amp;");
        assert_eq!(escape_markdown("+1.0%"), "+1.0%");
    }

    #[test]
    fn escaping_defuses_mentions_and_reordering() {
        assert_eq!(escape_markdown("@octocat"), "@\u{200D}octocat");
        assert_eq!(escape_markdown("a\u{202E}b"), r"a\\u{202e}b");
        assert_eq!(escape_markdown("a\u{1b}[31mb"), r"a \[31mb");
    }

    /// Shown, not dropped: `ab` and `a<ZWSP>b` are two benchmarks, and must read as two.
    #[test]
    fn escaping_shows_the_characters_that_do_not_show() {
        for (c, shown) in [
            ('\u{200B}', "200b"),
            ('\u{200C}', "200c"),
            ('\u{200D}', "200d"),
            ('\u{200E}', "200e"),
            ('\u{200F}', "200f"),
            ('\u{202A}', "202a"),
            ('\u{202E}', "202e"),
            ('\u{2066}', "2066"),
            ('\u{2069}', "2069"),
            ('\u{061C}', "61c"),
            ('\u{FEFF}', "feff"),
            ('\u{2060}', "2060"),
            ('\u{2064}', "2064"),
            ('\u{00AD}', "ad"),
            ('\u{3164}', "3164"),
            ('\u{E0041}', "e0041"),
            ('\u{E007F}', "e007f"),
        ] {
            // An escaped backslash, then the code point: GitHub shows `a\u{200b}b`.
            assert_eq!(
                escape_markdown(&format!("a{c}b")),
                format!(r"a\\u{{{shown}}}b"),
                "{c:?}"
            );
        }
        assert_ne!(escape_markdown("a\u{200B}b"), escape_markdown("ab"));
    }

    /// GitHub finds references and shortcodes in the rendered text, where a backslash is gone:
    /// a zero-width joiner breaks each word it would link or decorate.
    #[test]
    fn escaping_defuses_issue_references_and_emoji_shortcodes() {
        const ZWJ: char = '\u{200D}';
        assert_eq!(escape_markdown("#123"), format!(r"\#{ZWJ}123"));
        assert_eq!(escape_markdown("fix #7 now"), format!(r"fix \#{ZWJ}7 now"));
        assert_eq!(
            escape_markdown("org/repo#45"),
            format!(r"org/repo\#{ZWJ}45")
        );
        assert_eq!(escape_markdown("GH-123"), format!("GH-{ZWJ}123"));
        assert_eq!(escape_markdown("see gh-9"), format!("see gh-{ZWJ}9"));
        assert_eq!(escape_markdown(":shipit:"), format!(":{ZWJ}shipit:"));
        assert_eq!(escape_markdown(":+1: :-1:"), format!(":{ZWJ}+1: :{ZWJ}-1:"));
        assert_eq!(escape_markdown(":100:"), format!(":{ZWJ}100:"));
        assert_eq!(
            escape_markdown(":white_check_mark:"),
            format!(r":{ZWJ}white\_check\_mark:")
        );
        // What is no reference or shortcode stays as it was.
        for plain in [
            "# title",
            "a-1",
            "sha-256",
            "GH-x",
            "10:15:00",
            "2026-12-07T11:12:03Z",
            "http_req_duration{name:a.b}",
            "a: b:",
        ] {
            let md = escape_markdown(plain);
            assert!(!md.contains(ZWJ), "{plain} -> {md}");
        }
    }

    /// GitHub links bare addresses: a benchmark name must not put a link in perfgate's comment.
    #[test]
    fn escaping_keeps_bare_addresses_from_becoming_links() {
        assert_eq!(
            escape_markdown("Benchmarkhttps://evil.example/login"),
            r"Benchmarkhttps\://evil.example/login"
        );
        assert_eq!(escape_markdown("go WWW.evil.com"), r"go WWW\.evil.com");
        assert_eq!(escape_markdown("a@evil.com"), "a@\u{200D}evil.com");
        // Elsewhere `:` and `.` are as they were.
        assert_eq!(
            escape_markdown("http_req_duration{name:a.b}"),
            r"http\_req\_duration{name:a.b}"
        );
    }

    #[test]
    fn only_plain_identifiers_become_inline_code() {
        assert_eq!(inline_code("feature/x-1.2"), "`feature/x-1.2`");
        assert_eq!(inline_code("a`b"), r"a\`b");
        assert_eq!(inline_code("a b|c"), r"a b\|c");
    }

    #[test]
    fn code_blocks_outlast_backticks_in_the_text() {
        assert_eq!(code_block("ls", "sh"), "```sh\nls\n```");
        assert_eq!(code_block("a ```` b", "sh"), "`````sh\na ```` b\n`````");
    }

    #[test]
    fn truncation_keeps_the_marker_last_and_closes_code_blocks() {
        let body = format!("intro\n```sh\n{}\n```\n\n<!-- m -->\n", "x\n".repeat(500));
        let out = truncate(&body, Some("<!-- m -->"), 300, FULL_LIST_DEFAULT);
        assert!(out.chars().count() <= 300, "{}", out.chars().count());
        assert_eq!(out.lines().last(), Some("<!-- m -->"));
        assert!(out.contains("```\n\n_… report cut"), "{out}");
    }

    #[test]
    fn a_limit_smaller_than_the_marker_gives_the_marker_alone() {
        assert_eq!(
            truncate("body\n\nmark\n", Some("mark"), 3, FULL_LIST_DEFAULT),
            "mark"
        );
        assert_eq!(
            truncate("body\n\nmark\n", Some("mark"), 10, FULL_LIST_DEFAULT),
            "mark\n"
        );
    }
}

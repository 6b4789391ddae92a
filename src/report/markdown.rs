//! The Markdown report (PR comment, job summary): minijinja templates embedded in the binary,
//! rendered from the [`View`], kept under a size limit.
//!
//! Everything from the input is attacker-controlled (a pull request can name a benchmark
//! anything), so minijinja's HTML auto-escaping is off (it is wrong for Markdown) and templates
//! pass input text through the `md` filter explicitly. When a report is too long it is rendered
//! again, shorter: first without the rows' trends, then without the collapsed details, then with fewer rows per section, and as
//! a last resort it is cut with a note. The marker, when given, is always the last line.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::view::{view, View};
use super::ReportError;
use crate::compare::Comparison;

const COMMENT_TEMPLATE: &str = include_str!("templates/comment.md");
const MACROS_TEMPLATE: &str = include_str!("templates/macros.md");

/// The name a custom template is registered under.
const CUSTOM_NAME: &str = "custom.md";

/// Rows per section tried, in turn, when the report is too long.
const ROW_CAPS: &[usize] = &[200, 100, 50, 20, 10, 5, 2, 1];

const TRUNCATION_NOTE: &str =
    "\n\n_… report cut to fit the size limit; the JSON report lists every result._\n";

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
    if let Some(url) = &opts.dashboard_url {
        v.link_charts(url, opts.dashboard_key.as_deref());
    }
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
    for &cap in ROW_CAPS {
        v.cap(cap);
        last = render(&v)?;
        if fits(&last) {
            return Ok(last);
        }
    }
    Ok(truncate(&last, marker, opts.max_chars))
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

/// Cuts a finished report (marker included) to `max` characters at a line break, with a note,
/// keeping the marker last.
fn truncate(report: &str, marker: Option<&str>, max: usize) -> String {
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
    let fixed = TRUNCATION_NOTE.chars().count() + tail.chars().count() + 4; // room for a fence
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
    out.push_str(TRUNCATION_NOTE.trim_end());
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
/// become spaces, bidirectional overrides are dropped, `@mentions` are defused with a
/// zero-width joiner so that a benchmark name cannot notify anyone (nor make an e-mail link),
/// and the `:` of `://` and the `.` of `www.` are escaped, so that GitHub does not make a link
/// to wherever a benchmark name points (it autolinks bare addresses).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '~' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            ':' if text.get(i + 1..).is_some_and(|rest| rest.starts_with("//")) => {
                out.push_str("\\:");
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
            c if is_bidi_control(c) => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Unicode characters that reorder text (the "Trojan Source" trick).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
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
        assert_eq!(escape_markdown("a\u{202E}b"), "ab");
        assert_eq!(escape_markdown("a\u{1b}[31mb"), r"a \[31mb");
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
        let out = truncate(&body, Some("<!-- m -->"), 300);
        assert!(out.chars().count() <= 300, "{}", out.chars().count());
        assert_eq!(out.lines().last(), Some("<!-- m -->"));
        assert!(out.contains("```\n\n_… report cut"), "{out}");
    }

    #[test]
    fn a_limit_smaller_than_the_marker_gives_the_marker_alone() {
        assert_eq!(truncate("body\n\nmark\n", Some("mark"), 3), "mark");
        assert_eq!(truncate("body\n\nmark\n", Some("mark"), 10), "mark\n");
    }
}

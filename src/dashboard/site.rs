//! The dashboard's files: `index.html` (the page, with uPlot, its style and its script inlined:
//! nothing is loaded from the network) and `data.js` (the [`Dashboard`] as one JavaScript
//! assignment, so the page also works opened from disk, where browsers refuse to `fetch` a
//! neighbouring JSON file). `index.html` depends only on the title, so a site is rewritten with
//! its data alone most of the time.
//!
//! uPlot 1.6.32 (MIT, `assets/uPlot.LICENSE`) is vendored from the npm package `uplot`
//! (`dist/uPlot.iife.min.js`, `dist/uPlot.min.css`); `assets/README.md` records the checksums.

use super::Dashboard;

const TEMPLATE: &str = include_str!("assets/index.html");
const STYLE: &str = include_str!("assets/style.css");
const APP_JS: &str = include_str!("assets/app.js");
const UPLOT_JS: &str = include_str!("assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("assets/uPlot.min.css");
const UPLOT_LICENSE: &str = include_str!("assets/uPlot.LICENSE");

/// The page's file name.
pub const PAGE: &str = "index.html";
/// The data's file name, as the page loads it.
pub const DATA: &str = "data.js";

/// One file of the site: its name (relative to the site's folder) and text.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFile {
    pub name: &'static str,
    pub text: String,
}

/// The site's files: the page and its data.
pub fn render(d: &Dashboard) -> Vec<SiteFile> {
    vec![
        SiteFile {
            name: PAGE,
            text: page(&d.title),
        },
        SiteFile {
            name: DATA,
            text: data_js(d),
        },
    ]
}

/// `index.html` for a dashboard titled `title`.
pub fn page(title: &str) -> String {
    let license = format!(
        "/* uPlot 1.6.32, https://github.com/leeoniya/uPlot\n{} */\n",
        UPLOT_LICENSE.replace("*/", "* /")
    );
    let title = escape_html(title);
    let parts: [(&str, &str); 5] = [
        ("{{TITLE}}", &title),
        ("{{UPLOT_CSS}}", UPLOT_CSS),
        ("{{STYLE}}", STYLE),
        ("{{UPLOT_JS}}", &format!("{license}{UPLOT_JS}")),
        ("{{APP_JS}}", APP_JS),
    ];
    substitute(TEMPLATE, &parts)
}

/// `data.js`: `window.PERFGATE_DATA = {...};` and a newline. JSON is JavaScript; `<` is written
/// as `\u003c` so that no name can close a script element even if the data is ever inlined.
pub fn data_js(d: &Dashboard) -> String {
    let json = serde_json::to_string(d).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(json.len() + 40);
    out.push_str("window.PERFGATE_DATA = ");
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push_str(";\n");
    out
}

/// `template` with each placeholder replaced once, in one pass: text put in is never searched
/// for placeholders again.
fn substitute(template: &str, parts: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + parts.iter().map(|p| p.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let (head, tail) = rest.split_at(open);
        out.push_str(head);
        match parts.iter().find(|(name, _)| tail.starts_with(name)) {
            Some((name, text)) => {
                out.push_str(text);
                rest = tail.get(name.len()..).unwrap_or("");
            }
            None => {
                out.push_str("{{");
                rest = tail.get(2..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

//! `perfgate show` and `perfgate formats`: print what perfgate understood from result files,
//! and the formats it reads.

use std::path::Path;

use anyhow::Result;
use perfgate::formats;
use perfgate::model::{Data, Run};
use perfgate::report::printable;

use super::{input, print, print_report, Ctx, ShowArgs, Workdir, EXIT_PASS};

pub(super) fn cmd_show(ctx: &Ctx, a: ShowArgs) -> Result<u8> {
    let reader = input::Reader {
        ctx,
        dir: &Workdir::default(),
    };
    // A quoted glob reads the files it matches, as with compare and save.
    let paths = reader.expand_patterns(&a.paths)?;
    let mut runs = Vec::new();
    for p in &paths {
        runs.push((p, reader.read_run_as(p, a.format)?));
    }
    if a.json {
        let text = if let [(_, (run, _))] = runs.as_slice() {
            serde_json::to_string_pretty(run)?
        } else {
            let only: Vec<&Run> = runs.iter().map(|(_, (r, _))| r).collect();
            serde_json::to_string_pretty(&only)?
        };
        // Framed on a runner like the table: names are the input's, and the runner reads
        // `##[` commands anywhere in a line.
        print_report(ctx, &format!("{text}\n"))?;
        return Ok(EXIT_PASS);
    }
    let mut out = String::new();
    for (path, (run, format)) in &runs {
        out.push_str(&show_run(path, run, *format));
    }
    print_report(ctx, &out)?;
    Ok(EXIT_PASS)
}

fn show_run(path: &Path, run: &Run, format: formats::Format) -> String {
    // The tool as the run names it, and the `--format` name it was read as where that differs
    // (a criterion raw.csv is criterion's output read as `criterion-csv`).
    let tool = run.meta.tool.as_deref().unwrap_or("unknown tool");
    let read_as = if tool == format.name() {
        String::new()
    } else {
        format!(", read as --format {}", format.name())
    };
    let mut out = format!(
        "{}: {}{read_as} ({} benchmarks, {} metrics)\n",
        printable(&path.display().to_string()),
        printable(tool),
        run.benchmarks.len(),
        run.metric_count()
    );
    let e = &run.meta.environment;
    let env: Vec<String> = [
        e.os.as_deref().map(|v| format!("os {v}")),
        e.arch.as_deref().map(|v| format!("arch {v}")),
        e.cpu.as_deref().map(|v| format!("cpu {v}")),
    ]
    .into_iter()
    .flatten()
    .chain(e.extra.iter().map(|(k, v)| format!("{k} {v}")))
    .collect();
    if !env.is_empty() {
        out.push_str(&format!("  {}\n", printable(&env.join(", "))));
    }
    let mut rows = vec![[
        "benchmark".to_string(),
        "metric".into(),
        "unit".into(),
        "better".into(),
        "n".into(),
        "value".into(),
    ]];
    for b in &run.benchmarks {
        for m in &b.metrics {
            let (n, value) = match &m.data {
                Data::Value(v) => ("1".to_string(), m.unit.format(*v)),
                Data::Samples(s) => {
                    let med = perfgate::stats::median(s).unwrap_or(f64::NAN);
                    let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (
                        s.len().to_string(),
                        format!(
                            "median {} (min {}, max {})",
                            m.unit.format(med),
                            m.unit.format(lo),
                            m.unit.format(hi)
                        ),
                    )
                }
                Data::Histogram(h) => (
                    h.len().to_string(),
                    format!(
                        "histogram: p50 {}, p99 {}, max {}",
                        m.unit.format(h.quantile(0.5)),
                        m.unit.format(h.quantile(0.99)),
                        m.unit.format(h.max())
                    ),
                ),
            };
            rows.push([
                printable(&b.name),
                printable(&m.name),
                printable(&m.unit.to_string()),
                match m.direction {
                    perfgate::model::Direction::LowerIsBetter => "lower".into(),
                    perfgate::model::Direction::HigherIsBetter => "higher".into(),
                },
                n,
                value,
            ]);
        }
    }
    out.push_str(&table(&rows));
    out.push('\n');
    out
}

fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::from("  ");
        for (i, (c, w)) in r.iter().zip(widths.iter()).enumerate() {
            line.push_str(c);
            if i + 1 < N {
                line.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(super) fn cmd_formats() -> Result<u8> {
    // Each format in a block that fits 100 columns: its name, what it reads, how it is told.
    let width = formats::FORMATS
        .iter()
        .map(|(_, name, _, _)| name.len())
        .max()
        .unwrap_or(0)
        + 4;
    let mut out =
        String::from("Formats, in the order auto-detection tries them (--format forces one):\n\n");
    for (_, name, what, how) in formats::FORMATS {
        let lines = wrap(what, 100 - width)
            .into_iter()
            .chain(wrap(&format!("detected by: {how}"), 100 - width));
        for (i, line) in lines.enumerate() {
            let label = if i == 0 { *name } else { "" };
            out.push_str(&format!("  {label:<w$}{line}\n", w = width - 2));
        }
    }
    print(&out)?;
    Ok(EXIT_PASS)
}

/// `text` in lines of at most `width` characters, broken at spaces (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

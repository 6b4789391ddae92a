//! Reading result files from disk: files and criterion directories become runs, with errors that
//! name the file, the format tried and the line.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use std::io::{BufRead, BufReader, Read};

use perfgate::formats::{self, criterion, k6_ndjson, Format, InputFile};
use perfgate::model::Run;

use super::{Ctx, Workdir};

/// Reads result files: relative paths from `dir`, with the workspace and the size cap that the
/// environment of `ctx` names. Paths are handled as given, and messages show them so; files are
/// opened at [`Workdir::path`].
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub ctx: &'a Ctx,
    pub dir: &'a Workdir,
}

impl Reader<'_> {
    /// Reads and merges every path into one run. Fails on a missing, unreadable, unparsable or empty
    /// input: never a silent partial run.
    pub fn read_runs(self, paths: &[PathBuf], forced: Option<Format>) -> Result<Run> {
        Run::merged(self.read_separate_runs(paths, forced)?)
            .ok_or_else(|| anyhow!("no result files were given"))
    }

    /// Reads every path into runs, in order: a file joins the run being gathered (parts of one
    /// run: one file per package, per benchmark group), unless it has a benchmark that run
    /// already has, which makes it the start of another run (the same benchmarks run again).
    /// Fails as [`Reader::read_runs`] does.
    pub fn read_separate_runs(self, paths: &[PathBuf], forced: Option<Format>) -> Result<Vec<Run>> {
        let mut runs: Vec<Run> = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        for path in &self.expand_patterns(paths)? {
            let run = self.read_run(path, forced)?;
            let again = run.benchmarks.iter().any(|b| names.contains(&b.name));
            match runs.last_mut() {
                Some(last) if !again => {
                    names.extend(run.benchmarks.iter().map(|b| b.name.clone()));
                    last.merge(run);
                }
                _ => {
                    names = run.benchmarks.iter().map(|b| b.name.clone()).collect();
                    runs.push(run);
                }
            }
        }
        if runs.is_empty() {
            bail!("no result files were given");
        }
        Ok(runs)
    }

    /// The paths, with each one that names nothing but holds a glob (`'bench/*.txt'`, quoted so
    /// that no shell expanded it, as the Action's reproduce line quotes it) replaced by the files
    /// it matches, as the Action expands its inputs. A file whose name holds `*` is read as
    /// named.
    pub fn expand_patterns(self, paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for p in paths {
            match p.to_str() {
                Some(s) if s.contains(['*', '?', '[']) && !self.dir.path(p).exists() => {
                    out.extend(expand(self.dir, &[s.to_string()])?);
                }
                _ => out.push(p.clone()),
            }
        }
        Ok(out)
    }

    /// Reads one path (a file, or a criterion directory).
    pub fn read_run(self, path: &Path, forced: Option<Format>) -> Result<Run> {
        self.read_run_as(path, forced).map(|(run, _)| run)
    }

    /// [`Reader::read_run`], with the format it was read as.
    pub fn read_run_as(self, path: &Path, forced: Option<Format>) -> Result<(Run, Format)> {
        let shown = path.display();
        let meta = self.guard(path)?;
        if meta.is_dir() {
            if forced.is_some_and(|f| f != Format::Criterion) {
                bail!(
                "`{shown}` is a directory; only the criterion format reads directories (got --format {})",
                forced.map(|f| f.name()).unwrap_or_default()
            );
            }
            return Ok((self.read_criterion_dir(path)?, Format::Criterion));
        }
        if let Some(run) = self.stream_k6(path, meta.len(), forced)? {
            return Ok((run, Format::K6Ndjson));
        }
        let cap = self.max_input()?;
        let bar = progress_bar(meta.len());
        let file = fs::File::open(self.dir.path(path))
            .with_context(|| format!("cannot read `{shown}`"))?;
        let mut bytes = read_capped(bar.wrap_read(file), cap, MAX_INPUT_NAME)
            .with_context(|| format!("cannot read `{shown}`"))?;
        bar.finish_and_clear();
        if k6_ndjson::is_gzip(&bytes) {
            bytes = read_capped(
                flate2::read::MultiGzDecoder::new(bytes.as_slice()),
                cap,
                MAX_INPUT_NAME,
            )
            .with_context(|| format!("cannot decompress `{shown}` (gzip)"))?;
        }
        let text = utf8_text(bytes, path, "a benchmark tool's text or JSON output")?;
        // With --format given, only a saved run is looked for: the other formats' detection
        // reads the whole input for nothing.
        let detected = match forced {
            Some(_) if formats::is_saved_run(&text) => Ok(Format::Perfgate),
            Some(f) => Ok(f),
            None => formats::detect(&text),
        };
        // A saved perfgate run is always read as such, even when --format names the tool.
        let format = match (forced, &detected) {
            (_, Ok(Format::Perfgate)) => Format::Perfgate,
            (Some(f), _) => f,
            (None, Ok(f)) => *f,
            (None, Err(_)) if text.contains(perfgate::store::STORE_SCHEMA) => bail!(
                "`{shown}` is a perfgate store's index, not results: give the store's directory as --store"
            ),
            // `go test` output that detection refused: say why in Go's terms, with the line.
            (None, Err(_)) if formats::go::looks_like_test_output(&text) => match formats::parse(Format::Go, &text) {
                Err(e) => bail!("cannot read `{shown}` as go ({}): {e}", describe(Format::Go)),
                Ok(_) => bail!(
                    "`{shown}` is `go test` output without a benchmark result: run the benchmarks, e.g. `go test -run '^$' -bench . -benchmem -count 10 ./...` (one `Benchmark...` line per result)"
                ),
            },
            (None, Err(e)) => bail!("cannot recognise the format of `{shown}`: {e}"),
        };
        if format == Format::Criterion {
            if let Some(run) = self.read_criterion_file(path)? {
                return Ok((run, format));
            }
        }
        let run = formats::parse(format, &text).map_err(|e| {
            anyhow!(
                "cannot read `{shown}` as {} ({}): {e}",
                format.name(),
                describe(format)
            )
        })?;
        Ok((run, format))
    }

    /// What a result path must be: a regular file or a directory (a FIFO would block, a device such
    /// as `/dev/zero` never ends), and not a symbolic link that leads out of the workspace
    /// (`GITHUB_WORKSPACE`, or the working directory): a pull request can commit a link to
    /// `/proc/self/environ` where a result file should be, and an error quoting it would print the
    /// runner's secrets. A path given outside the workspace in the first place is the user's choice.
    fn guard(self, path: &Path) -> Result<fs::Metadata> {
        self.guard_as(path, "a benchmark tool's result file")
    }

    /// [`Reader::guard`], with what the file should be for its messages.
    fn guard_as(self, path: &Path, what: &str) -> Result<fs::Metadata> {
        let shown = path.display();
        let at = self.dir.path(path);
        let meta = fs::metadata(&at).with_context(|| format!("cannot read `{shown}`"))?;
        if !meta.is_file() && !meta.is_dir() {
            bail!(
                "`{shown}` is not a regular file (a FIFO, a device or a socket): expected {what}"
            );
        }
        let root = (self.ctx.env)("GITHUB_WORKSPACE")
            .map(PathBuf::from)
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(std::env::current_dir, Ok)
            .context("cannot tell the working directory")?;
        let root = fs::canonicalize(&root).unwrap_or(root);
        let lexical = std::path::absolute(&at).unwrap_or_else(|_| at.to_path_buf());
        let real = fs::canonicalize(&at).with_context(|| format!("cannot read `{shown}`"))?;
        let given_inside = normalize(&lexical).starts_with(&root);
        if given_inside && !real.starts_with(&root) {
            bail!(
            "`{shown}` is a symbolic link to `{}`, outside the workspace `{}`: refused (a file from a pull request must not point at the runner's files)",
            real.display(),
            root.display()
        );
        }
        Ok(meta)
    }

    /// Reads a file written by hand (a config file, a template: `what`), with the checks result
    /// files get: a regular file, not a symbolic link out of the workspace (a pull request can
    /// commit `perfgate.toml` as a link to the runner's files, and a parse error quotes them), at
    /// most [`MAX_HAND_WRITTEN`] bytes (`/dev/zero` as `--config` grew to gigabytes), UTF-8.
    pub fn read_hand_written(self, path: &Path, what: &str) -> Result<String> {
        self.read_checked(path, what, MAX_HAND_WRITTEN, MAX_HAND_WRITTEN_NAME)
    }

    /// Reads a whole text file that is not results (`what`: a github-action-benchmark history)
    /// with the checks and the cap (`PERFGATE_MAX_INPUT`) result files get.
    pub fn read_text(self, path: &Path, what: &str) -> Result<String> {
        self.read_checked(path, what, self.max_input()?, MAX_INPUT_NAME)
    }

    /// A regular file in the workspace (no link out of it), of at most `cap` bytes (the limit
    /// `limit` names), as UTF-8.
    fn read_checked(self, path: &Path, what: &str, cap: u64, limit: &str) -> Result<String> {
        let shown = path.display();
        let meta = self.guard_as(path, what)?;
        if meta.is_dir() {
            bail!("`{shown}` is a directory: expected {what}");
        }
        let file = fs::File::open(self.dir.path(path))
            .with_context(|| format!("cannot read {what} `{shown}`"))?;
        let bytes = read_capped(file, cap, limit)
            .with_context(|| format!("cannot read {what} `{shown}`"))?;
        utf8_text(bytes, path, what)
    }

    /// Most bytes one result file may hold once decompressed: `PERFGATE_MAX_INPUT` (bytes, or with a
    /// `KiB`, `MiB` or `GiB` suffix), 4 GiB by default. A small gzip file can hold gigabytes of
    /// padding; past the cap the input is an error, not a run.
    fn max_input(self) -> Result<u64> {
        const DEFAULT: u64 = 4 << 30;
        let Some(v) = self.ctx.var("PERFGATE_MAX_INPUT") else {
            return Ok(DEFAULT);
        };
        let t = v.trim();
        let (digits, scale) = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
            .iter()
            .find_map(|(suffix, scale)| t.strip_suffix(suffix).map(|d| (d.trim(), *scale)))
            .unwrap_or((t, 1));
        digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            anyhow!(
                "PERFGATE_MAX_INPUT: expected a size such as 4GiB, 512MiB or 1000000 (bytes), got `{}`",
                perfgate::github::runtime::inert(t, 40)
            )
        })
    }

    /// Streams a k6 NDJSON file (plain or gzipped) without holding it in memory; None when the file
    /// is something else. A progress bar is drawn on a terminal for large files.
    fn stream_k6(self, path: &Path, len: u64, forced: Option<Format>) -> Result<Option<Run>> {
        if forced.is_some_and(|f| f != Format::K6Ndjson) {
            return Ok(None);
        }
        let shown = path.display();
        let open = || {
            fs::File::open(self.dir.path(path)).with_context(|| format!("cannot read `{shown}`"))
        };
        let mut head = BufReader::with_capacity(64 << 10, open()?);
        let start = head
            .fill_buf()
            .with_context(|| format!("cannot read `{shown}`"))?;
        // Plain or gzipped, BOM and blank lines skipped: only the first record decides.
        if forced.is_none() && !k6_ndjson::sniff(start) {
            return Ok(None);
        }
        let gzip = k6_ndjson::is_gzip(start);
        let cap = self.max_input()?;
        let bar = progress_bar(len);
        let raw = Capped::new(bar.wrap_read(open()?), cap, MAX_INPUT_NAME);
        // Streamed in bounded memory, but a small .gz of endless records would take hours:
        // the cap holds here too, on the bytes once decompressed.
        let result = if gzip {
            let text = Capped::new(flate2::read::MultiGzDecoder::new(raw), cap, MAX_INPUT_NAME);
            k6_ndjson::parse_reader(BufReader::with_capacity(k6_ndjson::READ_BUFFER_BYTES, text))
        } else {
            k6_ndjson::parse_reader(BufReader::with_capacity(k6_ndjson::READ_BUFFER_BYTES, raw))
        };
        bar.finish_and_clear();
        let mut run = result.map_err(|e| {
            anyhow!(
                "cannot read `{shown}` as {} ({}): {e}",
                Format::K6Ndjson.name(),
                describe(Format::K6Ndjson)
            )
        })?;
        formats::finish(Format::K6Ndjson, &mut run).map_err(|e| anyhow!("`{shown}`: {e}"))?;
        Ok(Some(run))
    }

    /// A criterion file inside `<id>/new/`: read it with its sibling files so the benchmark keeps its
    /// name. None when the file is not laid out that way.
    fn read_criterion_file(self, path: &Path) -> Result<Option<Run>> {
        let Some(new_dir) = path.parent() else {
            return Ok(None);
        };
        if new_dir.file_name().and_then(|n| n.to_str()) != Some("new") {
            return Ok(None);
        }
        let Some(bench_dir) = new_dir.parent() else {
            return Ok(None);
        };
        let id = bench_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "criterion".into());
        let mut files = Vec::new();
        for name in ["benchmark.json", "estimates.json", "sample.json"] {
            let p = new_dir.join(name);
            if self.dir.path(&p).is_file() {
                self.guard(&p)?;
                let text = fs::read_to_string(self.dir.path(&p))
                    .with_context(|| format!("cannot read `{}`", p.display()))?;
                files.push(InputFile {
                    path: format!("{id}/new/{name}"),
                    text,
                });
            }
        }
        criterion::parse_dir(&files)
            .map(|mut r| {
                r.meta.tool.get_or_insert_with(|| "criterion".into());
                Some(r)
            })
            .map_err(|e| anyhow!("cannot read `{}` as criterion: {e}", bench_dir.display()))
    }

    /// Walks a `target/criterion`-like directory for `*/new/{benchmark,estimates,sample}.json`.
    fn read_criterion_dir(self, dir: &Path) -> Result<Run> {
        let mut files = Vec::new();
        self.collect(dir, dir, &mut files, &mut HashSet::new(), 0)?;
        if files.is_empty() {
            if self.dir.path(&dir.join("index.json")).is_file() {
                bail!(
                    "`{}` is a directory with an index.json, as a perfgate store is: to compare with the runs of a store, give it as --store {}",
                    dir.display(),
                    dir.display()
                );
            }
            bail!(
            "cannot read directory `{}`: no criterion results found (expected `<benchmark>/new/estimates.json` files, as in target/criterion)",
            dir.display()
        );
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut run = criterion::parse_dir(&files).map_err(|e| {
            anyhow!(
                "cannot read directory `{}` as criterion: {e}",
                dir.display()
            )
        })?;
        run.meta.tool.get_or_insert_with(|| "criterion".into());
        if run.benchmarks.is_empty() {
            bail!("no benchmark results found in `{}`", dir.display());
        }
        Ok(run)
    }

    fn collect(
        self,
        root: &Path,
        dir: &Path,
        out: &mut Vec<InputFile>,
        seen: &mut HashSet<PathBuf>,
        depth: usize,
    ) -> Result<()> {
        if depth > 12 {
            return Ok(());
        }
        // A directory reached again through a link (to a parent: a loop) is read once.
        if let Ok(real) = fs::canonicalize(self.dir.path(dir)) {
            if !seen.insert(real) {
                return Ok(());
            }
        }
        let entries = fs::read_dir(self.dir.path(dir))
            .with_context(|| format!("cannot list `{}`", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list `{}`", dir.display()))?;
            // As given, as `entry.path()` is when `dir` is opened where it is given.
            let path = dir.join(entry.file_name());
            let kind = entry.file_type()?;
            // A link is followed as the path it is would be, with its checks: one out of the
            // workspace is refused, not skipped (its benchmark would quietly lose its samples).
            let (is_dir, is_file) = if kind.is_symlink() {
                let meta = self.guard(&path)?;
                (meta.is_dir(), meta.is_file())
            } else {
                (kind.is_dir(), kind.is_file())
            };
            if is_dir {
                let name = entry.file_name();
                if name == "report" || name == "base" || name == "change" {
                    continue;
                }
                self.collect(root, &path, out, seen, depth + 1)?;
            } else if is_file {
                let in_new = path
                    .parent()
                    .and_then(|p| p.file_name())
                    .is_some_and(|n| n == "new");
                let name = entry.file_name();
                let wanted =
                    name == "estimates.json" || name == "sample.json" || name == "benchmark.json";
                if in_new && wanted {
                    let rel = path
                        .strip_prefix(root)
                        .unwrap_or(&path)
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    let text = fs::read_to_string(self.dir.path(&path))
                        .with_context(|| format!("cannot read `{}`", path.display()))?;
                    out.push(InputFile { path: rel, text });
                }
            }
        }
        Ok(())
    }
}

/// `path` with `.` and `..` resolved lexically (symbolic links left as they are).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A reader that fails once more than `cap` bytes came through it, naming the `limit` passed.
struct Capped<'a, R> {
    inner: R,
    left: u64,
    cap: u64,
    limit: &'a str,
}

impl<'a, R> Capped<'a, R> {
    fn new(inner: R, cap: u64, limit: &'a str) -> Capped<'a, R> {
        Capped {
            inner,
            left: cap,
            cap,
            limit,
        }
    }
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::other(format!(
                "larger than {} bytes ({}): not read",
                self.cap, self.limit
            ))
        })?;
        Ok(n)
    }
}

/// The cap of a result file, as its error names it.
const MAX_INPUT_NAME: &str = "`PERFGATE_MAX_INPUT`";

/// Most bytes of a config file or a template: 1 MiB, far more than anyone writes by hand.
pub const MAX_HAND_WRITTEN: u64 = 1 << 20;

/// [`MAX_HAND_WRITTEN`] as its error names it.
const MAX_HAND_WRITTEN_NAME: &str = "1 MiB at most, for a file written by hand";

/// Reads all of `r`, or fails once it passes `cap` bytes (the limit `limit` names).
fn read_capped(r: impl Read, cap: u64, limit: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    Capped::new(r, cap, limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `bytes` as text, or an error naming `path` and what it should have held.
fn utf8_text(bytes: Vec<u8>, path: &Path, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "`{}` is not UTF-8 text (invalid byte at offset {}); expected {what}",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Expands globs (`*`, `?`, `**`) relative to `dir`; a pattern that matches nothing is an error
/// (never a silent green build). The paths are relative where the pattern is, as globbing in
/// `dir` as the working directory gives them.
pub fn expand(dir: &Workdir, patterns: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in patterns {
        if !p.contains(['*', '?', '[']) {
            out.push(PathBuf::from(p));
            continue;
        }
        glob::Pattern::new(p).map_err(|e| anyhow!("bad glob `{p}`: {e}"))?;
        // A relative pattern is matched below the workspace, whose own name is taken literally
        // (it may hold `[` or `*`); the matches are made relative to it again.
        let base = dir.dir().filter(|_| Path::new(p).is_relative());
        let pattern = match base {
            None => p.clone(),
            Some(d) => {
                let Some(text) = d.to_str() else {
                    bail!(
                        "the workspace `{}` is not UTF-8 text: `{p}` cannot be matched in it",
                        d.display()
                    );
                };
                format!("{}/{p}", glob::Pattern::escape(text.trim_end_matches('/')))
            }
        };
        let mut matched: Vec<PathBuf> = glob::glob(&pattern)
            .map_err(|e| anyhow!("bad glob `{p}`: {e}"))?
            .filter_map(|r| r.ok())
            .filter(|p| p.is_file())
            .map(|m| match base.and_then(|d| m.strip_prefix(d).ok()) {
                Some(rel) => rel.to_path_buf(),
                None => m,
            })
            .collect();
        if matched.is_empty() {
            let wd = match dir.dir() {
                Some(d) => d.display().to_string(),
                None => std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default(),
            };
            bail!("no file matches `{p}` (working directory `{wd}`)");
        }
        matched.sort();
        out.extend(matched);
    }
    Ok(out)
}

/// A byte progress bar on standard error when it is a terminal and the file is large; hidden
/// otherwise (CI logs stay clean).
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if len < (64 << 20) || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

fn describe(f: Format) -> &'static str {
    formats::FORMATS
        .iter()
        .find(|x| x.0 == f)
        .map(|x| x.2)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_below_the_workspace_as_if_it_were_the_working_directory() {
        // A workspace whose own name would be a pattern: `[1]` must be taken literally.
        let root = tempfile::tempdir().unwrap();
        let ws = root.path().join("ws[1]");
        fs::create_dir_all(ws.join("bench/sub")).unwrap();
        for f in ["bench/a.txt", "bench/b.txt", "bench/sub/c.txt"] {
            fs::write(ws.join(f), "").unwrap();
        }
        let dir = Workdir::new(fs::canonicalize(&ws).unwrap());
        let found = expand(&dir, &["bench/**/*.txt".into(), "bench/a.txt".into()]).unwrap();
        let found: Vec<&str> = found.iter().filter_map(|p| p.to_str()).collect();
        assert_eq!(
            found,
            [
                "bench/a.txt",
                "bench/b.txt",
                "bench/sub/c.txt",
                "bench/a.txt"
            ]
        );
        let e = expand(&dir, &["bench/*.json".into()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no file matches `bench/*.json` (working directory `{}`)",
                fs::canonicalize(&ws).unwrap().display()
            )
        );
        let e = expand(&dir, &["bench/[".into()]).unwrap_err();
        assert!(e.to_string().starts_with("bad glob `bench/[`: "), "{e}");
    }
}

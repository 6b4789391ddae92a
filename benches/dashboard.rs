//! `perfgate dashboard` at the size issue 12 targets: 2,000 series x 100 runs (under 1 s on one
//! core, `index.html` + `data.js` under 3 MB), and at 200 x 60, the browser test's size.
//! Stages: reading the index (`Index::parse`), building the dashboard (every series read as the
//! gate reads it), and rendering the files. The history is tests/support/history.rs's: 2% noise,
//! planted level shifts and slow days.
//!
//! `cargo bench --bench dashboard`; the sizes of the files are printed first, and each site is
//! written to `target/dashboard-bench/<series>x<runs>/` with its store (`store/index.json`), to
//! time the built binary and the page in a browser (docs/src/development.md).

// A benchmark harness: a panic here is a failed benchmark run, not a crash on user input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use perfgate::config::Config;
use perfgate::dashboard::{self, site, Options, Source};
use perfgate::store::Index;

#[path = "../tests/support/history.rs"]
#[allow(dead_code)]
mod history;

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let config = Config::default();
    let options = Options::default();
    for (series, runs) in [(200, 60), (2_000, 100)] {
        let (index, _) = history::synthetic(series, runs);
        let text = index.to_json();
        let built = dashboard::build(
            &[Source {
                key: "default",
                index: &index,
            }],
            &config,
            &options,
        );
        let files = site::render(&built);
        let bytes: usize = files.iter().map(|f| f.text.len()).sum();
        println!(
            "{series} x {runs}: index.json {} bytes; index.html + data.js {bytes} bytes ({} changes listed)",
            text.len(),
            built.changes.len()
        );
        let name = format!("{series}x{runs}");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/dashboard-bench")
            .join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        for f in &files {
            std::fs::write(dir.join(f.name), &f.text).unwrap();
        }
        // The store too, to time the built binary on it: `perfgate dashboard --store <dir>/store`.
        std::fs::create_dir_all(dir.join("store")).unwrap();
        std::fs::write(dir.join("store/index.json"), &text).unwrap();
        c.bench_function(&format!("dashboard/parse/{name}"), |b| {
            b.iter(|| Index::parse(black_box(&text)).unwrap())
        });
        c.bench_function(&format!("dashboard/build/{name}"), |b| {
            b.iter(|| {
                dashboard::build(
                    &[Source {
                        key: "default",
                        index: black_box(&index),
                    }],
                    &config,
                    &options,
                )
            })
        });
        c.bench_function(&format!("dashboard/render/{name}"), |b| {
            b.iter(|| site::render(black_box(&built)))
        });
    }
    c.final_summary();
}

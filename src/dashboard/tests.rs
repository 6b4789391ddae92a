use super::site::{data_js, page, render};
use super::*;
use crate::model::{Environment, RunMeta, Unit};
use crate::store::index::{SeriesSummary, Summary};
use crate::store::IndexEntry;

fn entry(
    i: usize,
    branch: &str,
    values: &[(&str, &str, f64)],
    env: Option<Environment>,
) -> IndexEntry {
    IndexEntry {
        id: format!("r{i}"),
        meta: RunMeta {
            commit: Some(format!("{i:040x}")),
            branch: Some(branch.into()),
            timestamp: Some(format!("2026-12-01T{:02}:00:00Z", i % 24)),
            commit_time: None,
            tool: Some("go".into()),
            environment: env.unwrap_or_default(),
        },
        benchmarks: values.len(),
        summary: Some(Summary {
            series: values
                .iter()
                .map(|(b, m, v)| SeriesSummary {
                    benchmark: b.to_string(),
                    metric: m.to_string(),
                    unit: if *m == "ops" {
                        Unit::PerSecond
                    } else {
                        Unit::Nanoseconds
                    },
                    direction: if *m == "ops" {
                        Direction::HigherIsBetter
                    } else {
                        Direction::LowerIsBetter
                    },
                    value: *v,
                    n: if i == 3 { 5 } else { 10 },
                })
                .collect(),
        }),
    }
}

/// 2% of wiggle, repeatable.
fn wiggle(i: usize) -> f64 {
    1.0 + 0.02 * ((i * 7 % 5) as f64 - 2.0) / 2.0
}

/// The site of one store, `key`.
fn build_one(key: &str, idx: &Index, config: &Config, options: &Options) -> Dashboard {
    build(&[Source { key, index: idx }], config, options)
}

fn index(runs: usize, f: impl Fn(usize) -> Vec<(&'static str, &'static str, f64)>) -> Index {
    Index {
        runs: (0..runs).map(|i| entry(i, "main", &f(i), None)).collect(),
        ..Index::default()
    }
}

#[test]
fn a_series_is_read_as_the_gate_reads_it() {
    // 12 runs at 100, a slow day at run 5, then 12 runs 20% faster in ops (higher is better).
    let idx = index(24, |i| {
        let mut t = 100.0 * wiggle(i);
        if i == 5 {
            t *= 1.5;
        }
        let ops = if i < 12 { 1000.0 } else { 1200.0 } * wiggle(i + 1);
        vec![("BenchmarkA", "time", t), ("BenchmarkA", "ops", ops)]
    });
    let d = build_one("default", &idx, &Config::default(), &Options::default());
    assert_eq!(d.series.len(), 2);
    let time = &d.series[0];
    assert_eq!(
        (time.b.as_str(), time.m.as_str(), time.u.as_str()),
        ("BenchmarkA", "time", "ns")
    );
    assert_eq!(time.far, vec![5]);
    assert!(time.sh.is_empty());
    assert_eq!(time.lv.len(), 1);
    assert_eq!(time.x, (0..24).collect::<Vec<_>>());
    assert_eq!(
        time.n,
        Samples::Each((0..24).map(|i| if i == 3 { 5 } else { 10 }).collect())
    );
    let ops = &d.series[1];
    assert_eq!(ops.hi, 1);
    assert_eq!(ops.sh.len(), 1);
    let (at, change, worse) = ops.sh[0];
    assert_eq!(
        (at, worse),
        (12, 0),
        "a faster rate is a shift for the better"
    );
    assert!((change - 0.2).abs() < 0.01);
    assert_eq!(ops.band.map(|b| b.2), Some(12));
    assert_eq!(ops.lv.iter().map(|l| l.0).collect::<Vec<_>>(), vec![0, 12]);
    // The shift is in the last 20 runs: listed, with the run that started it.
    assert_eq!(d.changes.len(), 1);
    assert_eq!(
        (d.changes[0].s, d.changes[0].run, d.changes[0].worse),
        (1, 12, false)
    );
    let recent = Options {
        recent: 10,
        ..Options::default()
    };
    let d = build_one("default", &idx, &Config::default(), &recent);
    assert!(
        d.changes.is_empty(),
        "run 12 is not among the last 10 of 24"
    );
}

#[test]
fn other_branches_ignored_series_and_machines_are_kept_apart() {
    let fast = Environment {
        os: Some("linux".into()),
        arch: Some("amd64".into()),
        cores: Some(4),
        runner: Some("ubuntu24/20251112.1".into()),
        ..Environment::default()
    };
    let slow = Environment {
        cores: Some(2),
        ..fast.clone()
    };
    let mut idx = Index::default();
    for i in 0..6 {
        let env = if i % 2 == 0 {
            fast.clone()
        } else {
            slow.clone()
        };
        idx.runs.push(entry(
            i,
            "main",
            &[("B", "time", 10.0), ("Noise", "time", 5.0)],
            Some(env),
        ));
        idx.runs
            .push(entry(100 + i, "feature", &[("B", "time", 99.0)], None));
    }
    let mut old = entry(50, "main", &[], None);
    old.summary = None;
    idx.runs.push(old);
    let config = Config::parse(
        "perfgate.toml",
        "[[rule]]\nbenchmark = \"Noise\"\nignore = true\n",
    )
    .unwrap();
    let d = build_one("api", &idx, &config, &Options::default());
    assert_eq!(
        d.machines,
        vec![
            "linux · x86_64 · 4 cores · ubuntu24",
            "linux · x86_64 · 2 cores · ubuntu24"
        ]
    );
    assert_eq!(d.series.len(), 2, "B on each machine; Noise is ignored");
    assert_eq!(d.series[0].x, vec![0, 2, 4]);
    assert_eq!(d.series[1].x, vec![1, 3, 5]);
    assert_eq!(d.series[1].e, 1);
    assert_eq!(d.keys[0].key, "api");
    assert_eq!(d.keys[0].branch, "main");
    assert_eq!(d.keys[0].commits.len(), 7);
    assert_eq!(d.unsummarised, 1);
    assert!(d.series.iter().all(|s| s.y.iter().all(|v| *v == 10.0)));

    let feature = Options {
        branch: Some("feature".into()),
        ..Options::default()
    };
    let d = build_one("api", &idx, &config, &feature);
    assert_eq!(d.series.len(), 1);
    assert_eq!(d.series[0].y, vec![99.0; 6]);
}

#[test]
fn values_keep_six_significant_digits() {
    assert_eq!(round(123_456_789.0), 123_457_000.0);
    assert_eq!(round(0.000_123_456_78), 0.000_123_457);
    assert_eq!(round(0.0), 0.0);
    assert!(round(f64::NAN).is_nan());
}

#[test]
fn the_data_file_cannot_close_a_script_and_the_page_escapes_its_title() {
    let idx = index(3, |_| {
        vec![("</script><img src=x onerror=alert(1)>\u{2028}", "time", 1.0)]
    });
    let options = Options {
        title: "<b>\"perf\" & 'gate'</b>".into(),
        ..Options::default()
    };
    let d = build_one("default", &idx, &Config::default(), &options);
    let js = data_js(&d);
    assert!(js.starts_with("window.PERFGATE_DATA = {") && js.ends_with("};\n"));
    assert!(!js.contains('<') && !js.contains('\u{2028}'));
    assert!(js.contains(r"\u003c/script>\u003cimg src=x onerror=alert(1)>\u2028"));
    let html = page(&options.title);
    assert!(
        html.contains("<title>&lt;b&gt;&quot;perf&quot; &amp; &#39;gate&#39;&lt;/b&gt;</title>")
    );
    assert!(!html.contains("{{TITLE}}") && !html.contains("{{APP_JS}}"));
    assert!(html.contains("uPlot 1.6.32") && html.contains("<script src=\"data.js\"></script>"));
    let files = render(&d);
    assert_eq!(
        files.iter().map(|f| f.name).collect::<Vec<_>>(),
        vec!["index.html", "data.js"]
    );
}

#[test]
fn the_data_of_a_small_history() {
    let idx = index(12, |i| {
        let t = if i < 6 { 1_000.0 } else { 1_300.0 } * wiggle(i);
        vec![("BenchmarkSmall-8", "time", t)]
    });
    let options = Options {
        commit_url: Some("https://github.com/o/r/commit/".into()),
        ..Options::default()
    };
    let d = build_one("default", &idx, &Config::default(), &options);
    insta::assert_snapshot!(serde_json::to_string_pretty(&d).unwrap());
}

/// The charts date a run by its commit when it has a commit time (the runs are in commit order:
/// a backfill's run times would read out of order), by its run time otherwise; "last run" is
/// still the latest run time.
#[test]
fn points_are_dated_by_their_commit_and_the_last_run_by_its_time() {
    let mut idx = index(2, |_| vec![("BenchmarkA", "time", 100.0)]);
    idx.runs[0].meta.timestamp = Some("2026-12-06T10:00:00Z".into());
    idx.runs[0].meta.commit_time = Some("2026-01-01T09:00:00Z".into());
    idx.runs[1].meta.timestamp = Some("2026-12-05T10:00:00Z".into());
    let d = build_one("default", &idx, &Config::default(), &Options::default());
    assert_eq!(
        d.keys[0].times,
        [
            Some("2026-01-01T09:00:00Z".to_string()),
            Some("2026-12-05T10:00:00Z".to_string())
        ]
    );
    assert_eq!(d.updated.as_deref(), Some("2026-12-06T10:00:00Z"));
}

/// "Last run" compared the times as text: `10:00:00+05:00` (05:00 UTC) beat `06:00:00Z`.
#[test]
fn the_last_run_is_the_latest_instant_not_the_greatest_text() {
    let mut idx = index(2, |_| vec![("BenchmarkA", "time", 100.0)]);
    idx.runs[0].meta.timestamp = Some("2024-01-01T10:00:00+05:00".into());
    idx.runs[1].meta.timestamp = Some("2024-01-01T06:00:00Z".into());
    let d = build_one("default", &idx, &Config::default(), &Options::default());
    assert_eq!(d.updated.as_deref(), Some("2024-01-01T06:00:00Z"));
}

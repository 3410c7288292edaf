//! The benchmark's report: an aligned table with the targets met or not, `target/bench/bench.json`
//! for tools, and `target/bench/latency.svg` (the latency distributions; with `--book` both are
//! also copied into the book's appendix folder, `book/src/bench/`).

use super::latency::{Discovery, Pair};
use super::loops::Timing;
use super::Results;
use crate::cargo;
use anyhow::{Context, Result};
use colored::Colorize;
use plotters::prelude::*;
use serde::Serialize;
use std::path::PathBuf;
use workbook_harness::project_root;

/// A target from the issue, and whether this run met it (`None`: not measured).
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    pub wanted: String,
    pub measured: String,
    pub met: Option<bool>,
}

/// The longest the warm `cargo xtask check` of a correct solution may take, in seconds.
const WARM_CHECK_TARGET_S: f64 = 3.0;
/// The longest the checks may take to reject a program that hangs, in seconds.
const REJECT_TARGET_S: f64 = 10.0;
/// The longest a new client may take to find a running server, in ms.
const DISCOVERY_TARGET_MS: f64 = 1000.0;
/// The longest `grade` may take for 30 students × every exercise on a 2-core machine, in minutes
/// (issue #17).
const GRADE_30_TARGET_MIN: f64 = 5.0;

pub fn targets(pairs: &[Pair], discovery: Option<&Discovery>, loops: &[Timing]) -> Vec<Target> {
    let find = |client: &str, server: &str| {
        pairs
            .iter()
            .find(|p| p.client == client && p.server == server)
    };
    let mut targets = Vec::new();
    if let Some(rust) = find("rclrs", "rclrs") {
        targets.push(Target {
            name: "rclrs → rclrs p50".into(),
            wanted: "≤ 200 µs".into(),
            measured: format!("{:.0} µs", rust.p50_us),
            met: Some(rust.p50_us <= 200.0),
        });
        targets.push(Target {
            name: "rclrs → rclrs p99".into(),
            wanted: "≤ 500 µs".into(),
            measured: format!("{:.0} µs", rust.p99_us),
            met: Some(rust.p99_us <= 500.0),
        });
        if let Some(python) = find("rclpy (usual)", "rclrs") {
            let ratio = python.p50_us / rust.p50_us.max(1e-9);
            targets.push(Target {
                name: "rclrs client vs rclpy's usual client, p50".into(),
                wanted: "≥ 10× faster".into(),
                measured: format!("{ratio:.1}× faster"),
                met: Some(ratio >= 10.0),
            });
        }
    }
    if let Some(d) = discovery {
        targets.push(Target {
            name: format!("client finds a running server, max of {}", d.clients),
            wanted: format!("≤ {DISCOVERY_TARGET_MS:.0} ms"),
            measured: format!("{:.0} ms", d.max_ms),
            met: Some(d.max_ms <= DISCOVERY_TARGET_MS),
        });
    }
    for timing in loops.iter().filter(|t| t.what.starts_with("warm check")) {
        targets.push(Target {
            name: timing.what.clone(),
            wanted: format!("< {WARM_CHECK_TARGET_S:.0} s"),
            measured: format!("{:.1} s", timing.seconds),
            met: Some(timing.seconds < WARM_CHECK_TARGET_S),
        });
    }
    for timing in loops
        .iter()
        .filter(|t| t.what.starts_with(super::loops::REJECT))
    {
        targets.push(Target {
            name: timing.what.clone(),
            wanted: format!("< {REJECT_TARGET_S:.0} s"),
            measured: format!("{:.1} s", timing.seconds),
            met: Some(timing.seconds < REJECT_TARGET_S),
        });
    }
    for timing in loops.iter().filter(|t| t.what.starts_with("query: ros2")) {
        targets.push(Target {
            name: timing.what.clone(),
            wanted: "< 1 s".into(),
            measured: format!("{:.2} s", timing.seconds),
            met: Some(timing.seconds < 1.0),
        });
    }
    match loops.iter().find(|t| t.what.starts_with("grade 30 ")) {
        Some(timing) => targets.push(Target {
            name: timing.what.clone(),
            wanted: format!("< {GRADE_30_TARGET_MIN} min for 30"),
            measured: format!("{:.1} min", timing.seconds / 60.0),
            met: Some(timing.seconds < GRADE_30_TARGET_MIN * 60.0),
        }),
        None => targets.push(Target {
            name: "grading 30 submissions of every exercise".into(),
            wanted: format!("< {GRADE_30_TARGET_MIN} min"),
            measured: "run `cargo xtask bench --grade 30` (about 10 minutes)".into(),
            met: None,
        }),
    }
    targets
}

/// "AMD EPYC … (2 cores)".
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cpu} ({cores} cores)")
}

/// "jazzy (provisioned)": the distribution and where it comes from.
pub fn ros(environment: &workbook_harness::Environment) -> String {
    let source = match environment.source {
        workbook_harness::RosSource::Provisioned => "provisioned",
        workbook_harness::RosSource::Sourced => "sourced",
    };
    format!("{} ({source})", environment.distro)
}

pub fn print(results: &Results) {
    println!();
    println!("  {}  {}", "machine".dimmed(), results.machine);
    println!("  {}    {}", "ROS 2".dimmed(), results.ros);
    if !results.pairs.is_empty() {
        println!(
            "\n  {:<24} {:<7} {:>6} {:>9} {:>9} {:>9} {:>9} {:>10} {:>12}",
            "client".bold(),
            "server".bold(),
            "calls",
            "p50 µs",
            "p90 µs",
            "p99 µs",
            "max µs",
            "calls/s",
            format!(
                "{} in flight",
                results.pairs.first().map(|p| p.in_flight).unwrap_or(0)
            ),
        );
        for p in &results.pairs {
            println!(
                "  {:<24} {:<7} {:>6} {:>9.0} {:>9.0} {:>9.0} {:>9.0} {:>10.0} {:>12.0}",
                p.client,
                p.server,
                p.calls,
                p.p50_us,
                p.p90_us,
                p.p99_us,
                p.max_us,
                p.sequential_calls_per_s,
                p.in_flight_calls_per_s
            );
        }
        println!("\n  {:<24} {:>10}", "discovery".bold(), "ms");
        for p in &results.pairs {
            println!(
                "  {:<24} {:>10.0}   ({} → {})",
                "", p.discovery_ms, p.client, p.server
            );
        }
        if results.pairs.iter().any(|p| p.client.starts_with("rclpy")) {
            println!(
                "  {:<24} {}",
                "",
                "(rclpy's wait_for_service looks every 250 ms: its figures are 0, 250, 500 …)"
                    .dimmed()
            );
        }
    }
    if let Some(d) = &results.discovery {
        println!(
            "  {:<24} {:>10.0}   (p50 of {} new rclrs clients, running rclrs server; slowest {:.0})",
            "", d.p50_ms, d.clients, d.max_ms
        );
    }
    println!();
    // Columns as wide as their longest entry: the loops' names grow with the exercises' labels.
    let width = results
        .memory
        .iter()
        .map(|m| m.server.chars().count())
        .chain(results.loops.iter().map(|t| t.what.chars().count()))
        .max()
        .unwrap_or(0)
        .max(32);
    for m in &results.memory {
        println!(
            "  {:<width$} {:>8.1} MiB resident, idle",
            m.server, m.rss_mib
        );
    }
    for t in &results.loops {
        println!("  {:<width$} {:>10}", t.what, duration(t.seconds));
    }
    println!("\n  {}", "targets".bold());
    // A target not measured says how to measure it instead: a sentence, left out of the widths.
    let widest = |text: fn(&Target) -> &str, least: usize| {
        results
            .targets
            .iter()
            .filter(|t| t.met.is_some())
            .map(|t| text(t).chars().count())
            .max()
            .unwrap_or(0)
            .max(least)
    };
    let (name, wanted, measured) = (
        widest(|t| &t.name, 44),
        widest(|t| &t.wanted, 14),
        widest(|t| &t.measured, 20),
    );
    for t in &results.targets {
        let verdict = match t.met {
            Some(true) => "met".green().bold(),
            Some(false) => "not met".red().bold(),
            None => "not measured".yellow().bold(),
        };
        println!(
            "  {:<name$} {:<wanted$} {:<measured$} {verdict}",
            t.name, t.wanted, t.measured
        );
    }
    println!();
}

/// Writes the JSON and the chart; returns the paths written.
/// `book/src/bench/grading.md`: the table of a `bench --grade N --book` run.
pub fn write_grading(results: &Results) -> Result<PathBuf> {
    let appendix = project_root().join("book/src/bench");
    std::fs::create_dir_all(&appendix)?;
    let path = appendix.join("grading.md");
    let students = results
        .loops
        .first()
        .and_then(|t| t.what.split_whitespace().nth(1))
        .unwrap_or("N");
    let command = format!("cargo xtask bench --grade {students} --book");
    std::fs::write(&path, markdown(results, &command))?;
    Ok(path)
}

pub fn write(results: &Results, book: bool) -> Result<Vec<PathBuf>> {
    let folder = cargo::target_dir()?.join("bench");
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let json = folder.join("bench.json");
    std::fs::write(&json, serde_json::to_string_pretty(results)?)
        .with_context(|| format!("cannot write {}", json.display()))?;
    let svg = folder.join("latency.svg");
    chart(&results.pairs, &svg)?;
    let mut written = vec![json.clone(), svg.clone()];
    if book {
        let appendix = project_root().join("book/src/bench");
        std::fs::create_dir_all(&appendix)?;
        for file in [&json, &svg] {
            let target = appendix.join(file.file_name().expect("a file name"));
            std::fs::copy(file, &target)?;
            written.push(target);
        }
        let table = appendix.join("table.md");
        std::fs::write(&table, markdown(results, "cargo xtask bench --book"))?;
        written.push(table);
    }
    Ok(written)
}

/// The run as Markdown tables, for the book's appendix (included from `book/src/bench/`).
fn markdown(results: &Results, command: &str) -> String {
    use std::fmt::Write as _;
    let mut text = format!("Measured by `{command}` on {}.\n\n", results.machine);
    if !results.pairs.is_empty() {
        text.push_str("| client | server | calls | p50 µs | p90 µs | p99 µs | max µs | calls/s | calls/s, 8 in flight | discovery ms |\n");
        text.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    }
    for p in &results.pairs {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            p.client,
            p.server,
            p.calls,
            p.p50_us,
            p.p90_us,
            p.p99_us,
            p.max_us,
            p.sequential_calls_per_s,
            p.in_flight_calls_per_s,
            p.discovery_ms
        );
    }
    text.push_str("\n| measured | value |\n| --- | ---: |\n");
    if let Some(d) = &results.discovery {
        let _ = writeln!(
            text,
            "| a new rclrs client finds a running server, p50 of {} | {:.0} ms |\n\
             | a new rclrs client finds a running server, slowest of {} | {:.0} ms |",
            d.clients, d.p50_ms, d.clients, d.max_ms
        );
    }
    for m in &results.memory {
        let _ = writeln!(
            text,
            "| {} (resident, idle) | {:.1} MiB |",
            m.server, m.rss_mib
        );
    }
    for t in &results.loops {
        let _ = writeln!(text, "| {} | {} |", t.what, duration(t.seconds));
    }
    text.push_str("\n| target | wanted | measured | met |\n| --- | --- | --- | --- |\n");
    // A target this run did not measure has no row: the book shows its own measurement (the
    // grading table of `bench --grade`) instead of a "not measured" above it.
    for t in &results.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => continue,
        };
        let _ = writeln!(
            text,
            "| {} | {} | {} | {met} |",
            t.name, t.wanted, t.measured
        );
    }
    text
}

/// The latency distribution of every pair: the share of calls (y) answered within x µs.
fn chart(pairs: &[Pair], path: &PathBuf) -> Result<()> {
    let low = pairs
        .iter()
        .filter_map(|p| p.sorted_us.first().copied())
        .fold(f64::MAX, f64::min)
        .max(1.0);
    let high = pairs
        .iter()
        .filter_map(|p| p.sorted_us.last().copied())
        .fold(1.0, f64::max);
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "SetSpeed round trip: share of calls answered within a time",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((low * 0.8..high * 1.2).log_scale(), 0f64..1f64)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc("round trip (µs, log scale)")
        .y_desc("share of calls")
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (index, pair) in pairs.iter().enumerate() {
        let colour = Palette99::pick(index).to_rgba();
        let n = pair.sorted_us.len().max(1) as f64;
        let points = pair
            .sorted_us
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, (i + 1) as f64 / n));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(format!("{} → {}", pair.client, pair.server))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.9))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// A loop's time as a person reads it: milliseconds below a second, else seconds.
fn duration(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.1} s")
    }
}

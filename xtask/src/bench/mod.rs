//! `cargo xtask bench [--quick] [--cold] [--book]`: how fast services are in Rust and in Python on
//! this machine, and how long the workbook's own loops take. Everything is measured in one run,
//! side by side, with real processes in domains of their own; targets are printed as met or not
//! met (they never fail the command: the numbers depend on the machine).
//!
//! - `latency.rs`: service round trips for every client/server pair (rclrs, rclpy).
//! - `loops.rs`: resident memory of idle servers, warm setup, warm checks per exercise.
//! - `graph.rs`: `cargo xtask ros2`'s graph queries (node list, service list/type/info).
//! - `grading.rs`: `--grade N`, a whole class graded by `cargo xtask grade`.
//! - `report.rs`: the aligned table, `target/bench/bench.json` and the SVG chart.

mod grading;
mod graph;
mod latency;
mod loops;
mod report;

use crate::{cargo, provision, ui};
use anyhow::Result;
use serde::Serialize;
use std::process::ExitCode;
use std::time::Instant;

/// Students in the class the full run grades.
const GRADED_IN_FULL_RUN: usize = 6;

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Sequential calls counted per pair (the rclpy "usual" pattern gets a fifth: it is slow).
    pub calls: usize,
    /// Uncounted calls first.
    pub warmup: usize,
    /// Requests outstanding in the throughput phase.
    pub in_flight: usize,
    /// Fresh clients that look for an already running server.
    pub discovery_clients: usize,
    /// Exercises whose warm check is timed (all of them, or the first).
    pub all_exercises: bool,
    /// Also time a cold setup into a fresh, temporary cache.
    pub cold: bool,
}

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Results {
    pub machine: String,
    /// The ROS 2 the figures were taken on: `kilted (provisioned)`, `jazzy (sourced)`, …
    pub ros: String,
    pub quick: bool,
    pub pairs: Vec<latency::Pair>,
    pub discovery: Option<latency::Discovery>,
    pub memory: Vec<loops::Memory>,
    pub loops: Vec<loops::Timing>,
    pub targets: Vec<report::Target>,
}

pub fn run(quick: bool, cold: bool, book: bool, grade: Option<usize>) -> Result<ExitCode> {
    let started = Instant::now();
    let environment = provision::ensure()?;
    if let Some(students) = grade {
        // On its own: it takes minutes, and it measures the grader, not ROS.
        let timing = grading::measure(students, 3)?;
        let targets = report::targets(&[], None, std::slice::from_ref(&timing));
        let results = Results {
            machine: report::machine(),
            ros: report::ros(&environment),
            quick,
            pairs: Vec::new(),
            discovery: None,
            memory: Vec::new(),
            loops: vec![timing],
            targets,
        };
        report::print(&results);
        if book {
            println!("  wrote {}", report::write_grading(&results)?.display());
        }
        println!("  bench finished in {}", ui::seconds(started.elapsed()));
        return Ok(ExitCode::SUCCESS);
    }
    let plan = if quick {
        Plan {
            calls: 200,
            warmup: 20,
            in_flight: 8,
            discovery_clients: 5,
            all_exercises: false,
            cold,
        }
    } else {
        Plan {
            calls: 2000,
            warmup: 200,
            in_flight: 8,
            discovery_clients: 20,
            all_exercises: true,
            cold,
        }
    };
    ui::heading(
        "bench",
        "building release binaries (speed_server, bench_client)",
    );
    let mut build = cargo::command(&environment, "build");
    build.args([
        "--release",
        "--quiet",
        "--bin",
        "speed_server",
        "--bin",
        "bench_client",
    ]);
    cargo::run_visible(build)?;

    ui::heading("bench", "service round trips, one pair at a time");
    let pairs = latency::measure_all(&environment, &plan)?;
    let step = ui::Step::start(
        "discovery",
        &format!(
            "{} fresh clients find a running server",
            plan.discovery_clients
        ),
    );
    let discovery = latency::discovery(&environment, plan.discovery_clients);
    match &discovery {
        Ok(d) => step.done(&format!("p50 {:.0} ms, max {:.0} ms", d.p50_ms, d.max_ms)),
        Err(error) => step.failed(&format!("{error:#}")),
    }
    let discovery = discovery?;
    ui::heading("bench", "idle servers' memory and the workbook's loops");
    let memory = loops::memory(&environment)?;
    let mut timings = loops::timings(&plan)?;
    timings.extend(graph::queries(&environment)?);
    if !quick {
        // A class small enough for the ten-minute budget; `--grade 30` measures the target.
        timings.push(grading::measure(GRADED_IN_FULL_RUN, 3)?);
    }
    let targets = report::targets(&pairs, Some(&discovery), &timings);
    let results = Results {
        machine: report::machine(),
        ros: report::ros(&environment),
        quick,
        pairs,
        discovery: Some(discovery),
        memory,
        loops: timings,
        targets,
    };
    report::print(&results);
    let written = report::write(&results, book)?;
    for path in written {
        println!("  wrote {}", path.display());
    }
    println!("  bench finished in {}", ui::seconds(started.elapsed()));
    Ok(ExitCode::SUCCESS)
}

//! `cargo xtask test`: everything CI runs, in order: setup, formatting, lints, then every test of
//! the workspace (unit, ABI layout, system tests with real nodes), then `verify` (every exercise
//! suite accepts its solution and rejects the shipped exercise and the wrong variants), then a
//! sourced ROS 2 installation driving a fresh copy of the workbook, then a colcon workspace
//! holding one, then a quick benchmark run. Each stage is timed, and the times close the run:
//! the figure to watch when a stage grows.

use crate::{cargo, provision, ui};
use anyhow::Result;
use std::time::{Duration, Instant};
use workbook_harness::Environment;

/// One stage of the test command: its name and what it runs.
struct Stage {
    name: &'static str,
    run: fn(&Environment) -> Result<()>,
}

const STAGES: &[Stage] = &[
    Stage {
        name: "formatting (cargo fmt --check)",
        run: formatting,
    },
    Stage {
        name: "lints (cargo clippy -D warnings)",
        run: lints,
    },
    Stage {
        name: "building every program (the tests run them as processes)",
        run: programs,
    },
    Stage {
        name: "every test of the workspace",
        run: workspace_tests,
    },
    Stage {
        name: "every suite tells right from wrong (cargo xtask verify)",
        run: suites,
    },
    Stage {
        name: "a sourced ROS 2 installation drives a fresh copy (sourced_install.rs)",
        run: sourced_installation,
    },
    Stage {
        name: "a colcon workspace builds robot_interfaces, cargo the rest (colcon_workspace.rs)",
        run: colcon_workspace,
    },
    Stage {
        name: "the benchmark works (cargo xtask bench --quick)",
        run: benchmark,
    },
];

/// Runs the whole suite; the first failing stage stops it with a non-zero exit.
pub fn run() -> Result<()> {
    let started = Instant::now();
    let setup = Instant::now();
    let environment = provision::ensure()?;
    let mut times: Vec<(&str, Duration)> = vec![("setup", setup.elapsed())];
    for stage in STAGES {
        ui::heading("test", stage.name);
        let began = Instant::now();
        let result = (stage.run)(&environment);
        times.push((stage.name, began.elapsed()));
        if let Err(error) = result {
            print_times(&times);
            return Err(error);
        }
    }
    print_times(&times);
    println!("  all stages passed in {}", ui::seconds(started.elapsed()));
    Ok(())
}

fn print_times(times: &[(&str, Duration)]) {
    println!("\n  time per stage:");
    let width = times.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, took) in times {
        println!("    {name:<width$}  {:>8}", ui::seconds(*took));
    }
}

fn formatting(environment: &Environment) -> Result<()> {
    let mut fmt = cargo::command(environment, "fmt");
    fmt.args(["--all", "--check"]);
    cargo::run_visible(fmt)
}

fn lints(environment: &Environment) -> Result<()> {
    let mut clippy = cargo::command(environment, "clippy");
    clippy.args([
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]);
    cargo::run_visible(clippy)
}

fn programs(environment: &Environment) -> Result<()> {
    let mut build = cargo::command(environment, "build");
    build.args(["--workspace", "--bins", "--quiet"]);
    cargo::run_visible(build)
}

fn workspace_tests(environment: &Environment) -> Result<()> {
    let mut test = cargo::command(environment, "test");
    test.args(["--workspace", "--no-fail-fast"]);
    // The exercises as shipped fail their checks by design: `verify` below runs them and
    // requires exactly that, so the plain test run leaves them out.
    for exercise in crate::exercises::Catalogue::load()?.exercises {
        test.arg("--exclude").arg(
            exercise
                .crate_of(crate::exercises::Side::Exercise)
                .package(),
        );
    }
    cargo::run_visible(test)
}

/// The suites themselves, proven able to fail: solutions pass, shipped exercises and the
/// deliberately wrong variants fail.
fn suites(_: &Environment) -> Result<()> {
    if crate::verify::run(None)? != std::process::ExitCode::SUCCESS {
        anyhow::bail!("`cargo xtask verify` found a suite that cannot tell right from wrong");
    }
    Ok(())
}

/// The path of a student who arrives with ROS 2 sourced, in a stage of its own so that its time
/// (a second build of the workbook, against that installation) shows apart.
fn sourced_installation(environment: &Environment) -> Result<()> {
    ignored_test(environment, "sourced_install")
}

/// A student in a colcon workspace: colcon from PyPI builds `robot_interfaces`, cargo the rest;
/// a stage of its own for the same reason (another build of the workbook, in a colcon workspace).
fn colcon_workspace(environment: &Environment) -> Result<()> {
    ignored_test(environment, "colcon_workspace")
}

/// One of xtask's long `#[ignore]`d tests, with its output (its step times) shown.
fn ignored_test(environment: &Environment, name: &str) -> Result<()> {
    let mut test = cargo::command(environment, "test");
    test.args(["--package", "xtask", "--test", name]);
    test.args(["--", "--ignored", "--nocapture"]);
    cargo::run_visible(test)
}

/// The benchmark, briefly: this shows it works; a missed target never fails the tests.
fn benchmark(_: &Environment) -> Result<()> {
    crate::bench::run(true, false, false, None).map(drop)
}

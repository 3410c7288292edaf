//! `cargo xtask test`: everything CI runs, in order: setup, formatting, lints, then every test of
//! the workspace (unit, ABI layout, system tests with real nodes), then `verify` (every exercise
//! suite accepts its solution and rejects the shipped exercise and the wrong variants), then a
//! quick benchmark run.

use crate::{cargo, provision, ui};
use anyhow::Result;
use std::time::Instant;

/// Runs the whole suite; the first failing stage stops it with a non-zero exit.
pub fn run() -> Result<()> {
    let started = Instant::now();
    let environment = provision::ensure()?;

    ui::heading("test", "formatting (cargo fmt --check)");
    let mut fmt = cargo::command(&environment, "fmt");
    fmt.args(["--all", "--check"]);
    cargo::run_visible(fmt)?;

    ui::heading("test", "lints (cargo clippy -D warnings)");
    let mut clippy = cargo::command(&environment, "clippy");
    clippy.args([
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]);
    cargo::run_visible(clippy)?;

    ui::heading(
        "test",
        "building every program (the tests run them as processes)",
    );
    let mut build = cargo::command(&environment, "build");
    build.args(["--workspace", "--bins", "--quiet"]);
    cargo::run_visible(build)?;

    ui::heading("test", "every test of the workspace");
    let mut test = cargo::command(&environment, "test");
    test.args(["--workspace", "--no-fail-fast"]);
    // The exercises as shipped fail their checks by design: `verify` below runs them and
    // requires exactly that, so the plain test run leaves them out.
    for exercise in crate::exercises::Catalogue::load()?.exercises {
        test.arg("--exclude")
            .arg(exercise.package(crate::exercises::Side::Exercise));
    }
    cargo::run_visible(test)?;

    // The suites themselves, proven able to fail: solutions pass, shipped exercises and the
    // deliberately wrong variants fail.
    if crate::verify::run(None)? != std::process::ExitCode::SUCCESS {
        anyhow::bail!("`cargo xtask verify` found a suite that cannot tell right from wrong");
    }

    // The benchmark, briefly: this shows it works; a missed target never fails the tests.
    ui::heading("test", "the benchmark works (cargo xtask bench --quick)");
    crate::bench::run(true, false, false, None)?;

    println!("  all stages passed in {}", ui::seconds(started.elapsed()));
    Ok(())
}

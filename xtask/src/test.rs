//! `cargo xtask test`: everything CI runs, in order: setup, formatting, lints, then every test of
//! the workspace (unit, ABI layout, system tests with real nodes).

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

    ui::heading("test", "every test of the workspace");
    let mut test = cargo::command(&environment, "test");
    test.args(["--workspace", "--no-fail-fast"]);
    cargo::run_visible(test)?;

    println!("  all stages passed in {}", ui::seconds(started.elapsed()));
    Ok(())
}

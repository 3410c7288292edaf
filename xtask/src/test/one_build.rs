//! The proof that ends the build stage: one compiled copy of each dependency serves the builds
//! students and graders run. After the stage's own builds, each exercise's check build (what
//! `cargo xtask check` and the Classroom steps compile, and `verify` for the solutions too) and
//! its grading build compile nothing.
//! When one does, a crate of the workspace asks a shared dependency for a feature that
//! `xtask/features/Cargo.toml` does not list, and cargo compiles that dependency (rclrs, often,
//! with everything above it) once more for that selection of packages.

use crate::cargo;
use anyhow::{bail, Context, Result};
use std::process::Command;
use workbook_harness::Environment;

/// Fails, naming the selection and the crates, when a build of one exercise compiles anything:
/// the check build of each exercise and each solution (`verify` builds both), the grading build
/// of each exercise.
pub fn prove(environment: &Environment, exercises: &[String], solutions: &[String]) -> Result<()> {
    let mut problems = Vec::new();
    let checks = exercises.iter().chain(solutions).map(|package| {
        let mut checks = cargo::command(environment, "test");
        checks.args(["--no-run", "--test", "check", "--package", package]);
        checks
    });
    let grading = exercises.iter().map(|package| {
        let mut grading = cargo::command(environment, "build");
        cargo::select_packages(&mut grading, &[package]);
        grading
    });
    for command in checks.chain(grading) {
        let (compiled, described) = compiled_by(command)?;
        if !compiled.is_empty() {
            problems.push(format!("`{described}` compiled {}", compiled.join(", ")));
        }
    }
    if !problems.is_empty() {
        bail!(
            "builds of one exercise compiled crates again that the whole workspace's build had \
             compiled:\n  {}\nA crate of the workspace asks a dependency they share for features \
             that xtask/features/Cargo.toml does not list: add them there (`cargo tree -e \
             features -i <crate>` shows which crate asks for which)",
            problems.join("\n  ")
        );
    }
    println!("  one compiled copy of every dependency serves each exercise's checks and grading");
    Ok(())
}

/// The crates (`name version`, target) `command` compiled rather than found fresh, and the
/// command as a person would type it.
fn compiled_by(mut command: Command) -> Result<(Vec<String>, String)> {
    let described = cargo::describe(&command);
    command.arg("--message-format=json");
    let output = command
        .output()
        .with_context(|| format!("cannot start {described}"))?;
    if !output.status.success() {
        bail!(
            "`{described}` failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let compiled = cargo::compiled(&output.stdout);
    Ok((compiled, described))
}

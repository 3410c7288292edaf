//! `cargo xtask ros2 <verb> …`: the workbook's `ros2` command (crate `xtask/ros2-cli`), built
//! and run in the ROS 2 environment with the arguments passed through and its exit code passed
//! back. Also builds the binary for `cargo xtask env`, which puts it on `PATH`.

use crate::{cargo, provision};
use anyhow::{bail, Context, Result};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use workbook_harness::Environment;

/// Builds `ros2` and runs it with `args`.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let environment = provision::ensure()?;
    let binary = build(&environment)?;
    let mut command = Command::new(&binary);
    command.args(args);
    environment.apply(&mut command);
    let status = match command.status() {
        Ok(status) => status,
        Err(error) => bail!("cannot start {}: {error}", binary.display()),
    };
    Ok(match status.code() {
        Some(code) => ExitCode::from(code.clamp(0, 255) as u8),
        None => ExitCode::from(130),
    })
}

/// Builds the `ros2` binary (debug profile) and returns its path. Cargo's output goes to
/// standard error only, so that `ros2`'s own output (and `cargo xtask env`'s) stays clean for
/// pipes and `eval`.
pub fn build(environment: &Environment) -> Result<PathBuf> {
    let mut build = cargo::command(environment, "build");
    build.args(["--quiet", "--package", "workbook-ros2", "--bin", "ros2"]);
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .context("cannot duplicate standard error")?;
    build.stdout(Stdio::from(stderr));
    let status = build
        .status()
        .with_context(|| format!("cannot start {}", cargo::describe(&build)))?;
    if !status.success() {
        bail!(
            "building the ros2 command failed (`{}`, {status}); the errors are above",
            cargo::describe(&build)
        );
    }
    Ok(cargo::target_dir()?.join("debug").join("ros2"))
}

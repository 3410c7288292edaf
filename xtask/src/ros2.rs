//! `cargo xtask ros2 <verb> …`: the workbook's `ros2` command (crate `xtask/ros2-cli`), built
//! and run in the ROS 2 environment with the arguments passed through and its exit code passed
//! back. Also builds the binary for `cargo xtask env`, which puts it on `PATH`.
//!
//! A graph query should answer in well under a second, and a no-op `cargo build` alone costs
//! 0.3 to 1 s, so the build is skipped while its stamp matches (`build_stamp.rs`).

use crate::build_stamp::BuildStamp;
use crate::{cargo, provision};
use anyhow::{bail, Context, Result};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use workbook_harness::Environment;

/// Builds `ros2` and runs it with `args`.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let environment = provision::ensure()?;
    let binary = build(&environment)?;
    crate::run::hand_over(&binary, args, &environment, None)
}

/// Builds the `ros2` binary (debug profile) and returns its path, skipping cargo while the
/// build's stamp matches (`build_stamp.rs`). Cargo's output goes to standard error only, so that
/// `ros2`'s own output (and `cargo xtask env`'s) stays clean for pipes and `eval`.
pub fn build(environment: &Environment) -> Result<PathBuf> {
    let binary = cargo::target_dir()?.join("debug").join("ros2");
    let stamp = BuildStamp::new("ros2", &["xtask/ros2-cli"], vec![binary.clone()])?;
    stamp.build_unless_fresh(environment, || {
        let mut build = cargo::command(environment, "build");
        build.arg("--quiet");
        cargo::select_packages(&mut build, &["workbook-ros2"]);
        build.args(["--bin", "ros2"]);
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
        Ok(())
    })?;
    Ok(binary)
}

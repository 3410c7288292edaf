//! `cargo xtask env`: prints `export` lines so that `eval "$(cargo xtask env)"` gives a shell in
//! which rclrs programs build and run and rclpy imports `robot_interfaces`.
//!
//! Standard output carries only the export lines; anything for people goes to standard error, so
//! the `eval` never sees it.

use anyhow::{Context, Result};
use std::os::fd::AsFd;
use std::process::{Command, Stdio};
use workbook_harness::{project_root, Environment};

/// Prints the export lines, running setup first (its report on stderr) when needed.
pub fn run() -> Result<()> {
    ensure_quietly()?;
    let environment = Environment::detect(&project_root());
    for (name, value) in environment.variables() {
        println!("export {name}={}", quote(&value.to_string_lossy()));
    }
    // Nodes started from this shell find each other only on this machine (Jazzy and later).
    println!("export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST");
    eprintln!(
        "# ROS 2 {} ({:?}) environment for the workbook",
        environment.distro, environment.source
    );
    Ok(())
}

/// Runs `xtask setup` as a child whose standard output goes to our standard error.
fn ensure_quietly() -> Result<()> {
    let me = std::env::current_exe().context("cannot find the xtask executable")?;
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .context("cannot duplicate standard error")?;
    let status = Command::new(me)
        .args(["setup", "--if-needed"])
        .stdout(Stdio::from(stderr))
        .status()
        .context("cannot run setup")?;
    if !status.success() {
        anyhow::bail!("setup failed (see above); no environment to export");
    }
    Ok(())
}

/// Single-quotes a value for POSIX shells.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn values_are_single_quoted_for_the_shell() {
        assert_eq!(quote("/a b/c"), "'/a b/c'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}

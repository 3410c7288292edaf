//! Running cargo itself from xtask: commands in the ROS 2 environment, echoed before they run,
//! and what the workspace contains (its binaries, its target folder).

use crate::ui;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;
use workbook_harness::{project_root, Environment};

/// `cargo <subcommand>` at the project root, in `environment`.
pub fn command(environment: &Environment, subcommand: &str) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.arg(subcommand).current_dir(project_root());
    environment.apply(&mut command);
    command
}

/// Runs a command with its output on the terminal; fails when it fails.
pub fn run_visible(mut command: Command) -> Result<()> {
    ui::echo_command(&describe(&command));
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(&command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(&command));
    }
    Ok(())
}

/// The command line as a person would type it.
pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The shared target folder (`CARGO_TARGET_DIR`, or `target/` at the root).
pub fn target_dir() -> Result<PathBuf> {
    Ok(std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_absolute() {
                p
            } else {
                project_root().join(p)
            }
        })
        .unwrap_or_else(|| project_root().join("target")))
}

/// Names of every binary target in the workspace.
pub fn workspace_binaries() -> Result<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(project_root())
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|package| package["targets"].as_array().cloned().unwrap_or_default())
        .filter(|target| {
            target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"))
        })
        .filter_map(|target| target["name"].as_str().map(str::to_string))
        .filter(|name| name != "xtask")
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

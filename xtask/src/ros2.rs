//! `cargo xtask ros2 <verb> …`: the workbook's `ros2` command (crate `xtask/ros2-cli`), built
//! and run in the ROS 2 environment with the arguments passed through and its exit code passed
//! back. Also builds the binary for `cargo xtask env`, which puts it on `PATH`.
//!
//! A graph query should answer in well under a second, and a no-op `cargo build` alone costs
//! 0.3 to 1 s, so the build is skipped when a stamp written after the last successful one still
//! matches: the size and modification time of every file of `xtask/ros2-cli`, of the
//! workspace's manifest, lock file and cargo config, the generated interfaces' setup stamps, the
//! ROS variables the build gets, and the binary itself. Anything else that changes goes through
//! cargo as before.

use crate::{cargo, provision};
use anyhow::{bail, Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use workbook_harness::Environment;

/// Builds `ros2` and runs it with `args`.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let environment = provision::ensure()?;
    let binary = build(&environment)?;
    crate::run::hand_over(&binary, args, &environment, None)
}

/// Builds the `ros2` binary (debug profile) and returns its path. Cargo's output goes to
/// standard error only, so that `ros2`'s own output (and `cargo xtask env`'s) stays clean for
/// pipes and `eval`.
pub fn build(environment: &Environment) -> Result<PathBuf> {
    let binary = cargo::target_dir()?.join("debug").join("ros2");
    let stamp = cargo::target_dir()?.join("ros2-cli").join("build.stamp");
    let before = fingerprint(environment, &binary);
    if before.is_some() && std::fs::read_to_string(&stamp).ok() == before {
        return Ok(binary);
    }
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
    // Written only when nothing changed while cargo ran; a failed write costs the next run a
    // cargo call, nothing more.
    if let (Some(before), Some(after)) = (before, fingerprint(environment, &binary)) {
        if inputs_only(&before) == inputs_only(&after) {
            if let Some(folder) = stamp.parent() {
                let _ = std::fs::create_dir_all(folder);
            }
            let _ = std::fs::write(&stamp, after);
        }
    }
    Ok(binary)
}

/// What the stamp records: a hash of the build's inputs, then the binary's size and time.
/// `None` when something cannot be read (then cargo decides).
fn fingerprint(environment: &Environment, binary: &Path) -> Option<String> {
    let root = workbook_harness::project_root();
    let mut hasher = DefaultHasher::new();
    let mut files = Vec::new();
    collect_files(&root.join("xtask/ros2-cli"), &mut files).ok()?;
    for name in ["Cargo.toml", "Cargo.lock", ".cargo/config.toml"] {
        files.push(root.join(name));
    }
    files.sort();
    for file in &files {
        file.hash(&mut hasher);
        if let Ok(meta) = std::fs::metadata(file) {
            (meta.len(), meta.modified().ok()).hash(&mut hasher);
        }
    }
    let stamps = environment.workbook_prefix.join(".workbook");
    for step in ["interfaces", "rust"] {
        std::fs::read_to_string(stamps.join(format!("{step}.stamp")))
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    for (name, value) in environment.variables() {
        (name, value).hash(&mut hasher);
    }
    for name in [
        "CARGO_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTUP_TOOLCHAIN",
    ] {
        std::env::var_os(name).hash(&mut hasher);
    }
    let meta = std::fs::metadata(binary).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "inputs {:016x}\nbinary {} {}\n",
        hasher.finish(),
        meta.len(),
        modified.as_nanos()
    ))
}

fn inputs_only(fingerprint: &str) -> &str {
    fingerprint.lines().next().unwrap_or_default()
}

/// Every file below `folder` (sources, manifest, build script, tests).
fn collect_files(folder: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

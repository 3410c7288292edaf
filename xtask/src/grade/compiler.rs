//! How a student's code is compiled: the toolchain, and the sandbox the compile runs in.
//!
//! Where checks are sealed, the compile runs like a student's program: in a sealed world of its
//! own (no network, its own processes and `/proc`, so no `/proc/<pid>/root` of a process outside),
//! through `workbook-sandbox` with the project, the target folder, the hand-ins, the output and
//! the grader's home hidden; only the toolchain, cargo's downloaded sources, the project's
//! `.cargo` and ROS installation (read-only) and the student's own build folder (writable) are
//! there; as uid 65534 when the grader is root. So `include_bytes!`/`include_str!` reach only the
//! submission and the pristine workspace, and nothing else a build writes outlives the folder.
//! Elsewhere (`--no-sandbox`) the compile runs as the grader, with what can be hidden hidden.

use super::build_folder::BuildFolder;
use super::sandbox::{Sandbox, MARKER};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use workbook_harness::seal::Seal;

/// The variables a student's build keeps: what cargo, rustc, the linker and ROS need.
const BUILD_VARIABLES: &[&str] = &[
    "PATH",
    "AMENT_PREFIX_PATH",
    "CMAKE_PREFIX_PATH",
    "LD_LIBRARY_PATH",
    "ROS_DISTRO",
    "ROS_VERSION",
    "ROS_PYTHON_VERSION",
    "LANG",
    MARKER,
];

/// The Rust toolchain the grader's own build uses.
#[derive(Debug, Clone)]
pub struct Compiler {
    cargo: PathBuf,
    rustc: PathBuf,
    sysroot: PathBuf,
    cargo_home: PathBuf,
}

impl Compiler {
    /// The cargo running xtask (`CARGO`) and the rustc of its toolchain.
    pub fn find() -> Result<Compiler> {
        let cargo = PathBuf::from(crate::cargo::program());
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let output = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .context("cannot run rustc --print sysroot")?;
        let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        anyhow::ensure!(
            output.status.success() && sysroot.is_absolute(),
            "rustc --print sysroot failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
            .context("neither CARGO_HOME nor HOME is set")?;
        Ok(Compiler {
            rustc: sysroot.join("bin/rustc"),
            cargo,
            sysroot,
            cargo_home,
        })
    }

    /// What a sandboxed build must read: the toolchain and cargo's downloaded sources and config
    /// (not its credentials).
    pub fn needs(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.sysroot.clone()];
        if let Ok(cargo) = std::fs::canonicalize(&self.cargo) {
            if !cargo.starts_with(&self.sysroot) {
                paths.push(cargo);
            }
        }
        for name in ["registry", "git", "config.toml", "config"] {
            paths.push(self.cargo_home.join(name));
        }
        paths
    }

    /// `cargo <args>` building in `folder`, sandboxed as this machine allows, with the `hidden`
    /// folders emptied and only `exposed` put back inside them. With a sealed world, the
    /// returned [`Seal`] holds it (dropping it ends every process of the build): the caller
    /// enters it (`Seal::enter`) after putting the command under its limits.
    pub fn command(
        &self,
        sandbox: &Sandbox,
        folder: &BuildFolder,
        hidden: &[PathBuf],
        exposed: &[PathBuf],
        args: &[&str],
    ) -> Result<(Command, Option<Seal>)> {
        if !sandbox.seals_builds() {
            // Without the sandbox's own tool, what holds the build folder cannot be hidden.
            let hidden: Vec<PathBuf> = hidden
                .iter()
                .filter(|h| !folder.path().starts_with(h))
                .cloned()
                .collect();
            let mut command = sandbox.hiding(&hidden, &self.cargo, args);
            command.env("CARGO_TARGET_DIR", folder.target());
            return Ok((command, None));
        }
        let seal = Seal::create()
            .map_err(|reason| anyhow::anyhow!("cannot seal the student's build: {reason}"))?;
        let mut command = Command::new(sandbox.starter());
        for path in hidden {
            command.arg("--hide").arg(path);
        }
        for path in exposed.iter().chain(&self.needs()) {
            command.arg("--expose").arg(path);
        }
        command.arg("--work").arg(folder.path());
        if let Some(uid) = sandbox.build_user() {
            command.args(["--user", &uid.to_string()]);
        }
        for name in BUILD_VARIABLES {
            command.args(["--keep", name]);
        }
        let target = folder.target();
        for (name, value) in [
            ("CARGO_HOME", self.cargo_home.as_path()),
            ("RUSTC", self.rustc.as_path()),
            ("CARGO_TARGET_DIR", target.as_path()),
            ("HOME", Path::new("/tmp")),
        ] {
            command
                .arg("--set")
                .arg(format!("{name}={}", value.display()));
        }
        command.arg("--").arg(&self.cargo).args(args);
        // The build runs offline: cargo's sources are all downloaded, and the world has no
        // network.
        command.arg("--offline");
        Ok((command, Some(seal)))
    }
}

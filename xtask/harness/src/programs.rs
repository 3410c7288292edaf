//! Where the programs a check runs come from: the program under test and the reference ones.
//!
//! The program under test is the exercise's own binary, unless `WORKBOOK_PROGRAM` names another
//! one (`cargo xtask verify` points it at deliberately wrong variants, `grade` at a student's
//! build). Reference programs (the solutions, e.g. `speed_server`) are built on first use with
//! `cargo build` into the same target folder as the running test, so plain `cargo test` inside an
//! exercise works without building anything by hand. Before the first build, the target folder
//! is claimed for this clone ([`crate::target_dir`]): a test program that may have been built from
//! another clone's files fails with a sentence instead of giving that clone's verdict.

use anyhow::{bail, Context, Result};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use crate::target_dir::{self, Claim};
use crate::{compiled_project_root, project_root};

/// The variable that replaces the program under test.
pub const PROGRAM_OVERRIDE: &str = "WORKBOOK_PROGRAM";
/// Set (to anything) when the reference programs are already built: they are then used as they
/// are, without running cargo (`grade` builds them once, then hides the solutions' sources).
pub const REFERENCES_PREBUILT: &str = "WORKBOOK_REFERENCES_PREBUILT";
/// The folder of prebuilt reference programs, when they are not beside the test executable: a
/// suite built outside the workspace (exercise 9, in a target folder of its own) gets the
/// workspace's, built by xtask beforehand. Implies [`REFERENCES_PREBUILT`].
pub const REFERENCES_DIR: &str = "WORKBOOK_REFERENCES_DIR";

/// Every reference program a check suite may start (the binaries of the probes, the solutions and
/// the `ros2` tool). xtask builds them all in one cargo run before a suite runs and then tells it
/// [`REFERENCES_PREBUILT`], so that no check waits for a cargo run of its own; xtask's tidy test
/// requires that every name the suites ask for is here.
pub const REFERENCE_PROGRAMS: &[&str] = &[
    "speed_probe",
    "graph_probe",
    "silent_server",
    "speed_server",
    "speed_client",
    "async_client",
    "mystery_node",
    "ros2",
];

/// The program under test: `WORKBOOK_PROGRAM` if set, else `built` (the crate's own binary,
/// `env!("CARGO_BIN_EXE_<name>")` in the suite).
pub fn under_test(built: &str) -> PathBuf {
    std::env::var_os(PROGRAM_OVERRIDE)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(built))
}

/// A reference program of the workspace, built if needed (once per test process).
pub fn reference(name: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    if let Some(dir) = std::env::var_os(REFERENCES_DIR) {
        let path = Path::new(&dir).join(name);
        if !path.is_file() {
            bail!(
                "the reference program {name} was said to be built but is not at {}",
                path.display()
            );
        }
        return Ok(path);
    }
    let profile = profile_dir()?;
    let path = profile.join(name);
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if std::env::var_os(REFERENCES_PREBUILT).is_some() {
        if !path.is_file() {
            bail!(
                "the reference program {name} was said to be built but is not at {}",
                path.display()
            );
        }
        return Ok(path);
    }
    if !built.contains(name) {
        let target = profile
            .parent()
            .context("the target folder has no parent")?;
        own_target(target)?;
        let mut cargo = Command::new(cargo());
        cargo
            .args(["build", "--quiet", "--bin", name])
            .current_dir(project_root())
            .env("CARGO_TARGET_DIR", target);
        if profile.file_name().is_some_and(|p| p == "release") {
            cargo.arg("--release");
        }
        // A check stopped by Ctrl-C takes this build with it, instead of leaving cargo to finish
        // (or to wait for the target folder's lock) on its own.
        crate::with_parent_death_signal(&mut cargo);
        let output = cargo
            .output()
            .with_context(|| format!("cannot run cargo to build the reference program {name}"))?;
        if !output.status.success() {
            bail!(
                "the reference program {name} did not build (this is a workbook bug):\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        built.insert(name.to_string());
    }
    Ok(path)
}

/// Claims `target` for this clone once per process ([`target_dir::claim`]); fails, every time it
/// is asked, when the folder held another clone's build, because this test program itself may
/// then be that clone's (cargo judged it fresh before any of this code ran).
fn own_target(target: &Path) -> Result<()> {
    static OWNED: OnceLock<Result<(), String>> = OnceLock::new();
    let owned = OWNED.get_or_init(|| {
        let root = project_root();
        let compiled = compiled_project_root();
        let stale_here = !target_dir::same_folder(&root, &compiled);
        let claim = if stale_here {
            target_dir::take_over(&root, target)
        } else {
            target_dir::claim(&root, target)
        };
        match claim {
            Ok(Claim::Ours) => Ok(()),
            Ok(Claim::TakenOver { from }) => {
                let other = match from {
                    _ if stale_here => compiled.display().to_string(),
                    Some(from) => from.display().to_string(),
                    None => "an unknown clone".into(),
                };
                Err(format!(
                    "the target folder {} held the build of another clone of the workbook \
                     ({other}), so this test program may have been built from that clone's files \
                     instead of {}'s. That build is removed now: run the tests again, and cargo \
                     builds them from this clone",
                    target.display(),
                    root.display()
                ))
            }
            Err(error) => Err(format!("{error:#}")),
        }
    });
    owned.clone().map_err(anyhow::Error::msg)
}

/// `target/<profile>`, found from the running test executable (`target/<profile>/deps/<test>`).
fn profile_dir() -> Result<PathBuf> {
    let test = std::env::current_exe().context("cannot find the test executable")?;
    test.parent()
        .and_then(|deps| deps.parent())
        .map(PathBuf::from)
        .context("the test executable is not inside target/<profile>/deps")
}

/// The cargo program to run: the one that started this program (`CARGO`), else `cargo` on the
/// PATH. The one lookup of it, for the harness and for xtask.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

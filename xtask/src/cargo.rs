//! Running cargo itself from xtask: commands in the ROS 2 environment, echoed before they run,
//! and what the workspace contains (its binaries, its target folder). At start-up it makes sure
//! this xtask, and the workspace's build output in the target folder, come from the clone it was
//! started in ([`own_build`]; see [`workbook_harness::target_dir`] for why they may not).

use crate::build_stamp::BuildStamp;
use crate::ui;
use anyhow::{bail, Context, Result};
use colored::Colorize;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use workbook_harness::target_dir::{self, Claim};
use workbook_harness::{compiled_project_root, project_root, Environment, ROOT_VARIABLE};

/// Set for the xtask that a stale one starts in its place, so that a rebuild which still gives
/// another clone's program is an error, not a loop.
const RESTARTED: &str = "WORKBOOK_XTASK_RESTARTED";

/// The package whose manifest asks the dependencies that the workspace's crates share for the
/// union of the features they ask of them (`xtask/features`). Cargo unifies features over the
/// packages a command selects, so `cargo build --package workbook-variants` alone would compile
/// rclrs once more, with other features than the checks' builds. A build of selected packages
/// selects this one too; a test build has it already, through the harness.
pub const FEATURES_PACKAGE: &str = "workbook-features";

/// `--package` for each of `packages` and for [`FEATURES_PACKAGE`].
pub fn select_packages(command: &mut Command, packages: &[&str]) {
    for package in packages.iter().chain([&FEATURES_PACKAGE]) {
        command.args(["--package", package]);
    }
}

/// The start-up check, before anything is built: the root is where cargo started this xtask,
/// and every process xtask starts is told so (`WORKBOOK_ROOT`). When this program was compiled
/// in another clone, or the target folder held another clone's build, that build is cleaned out
/// ([`target_dir`]) and this clone's own xtask is built and run with the same arguments, once:
/// the answer is its exit code. `None`: carry on, this program is the right one. The target
/// folder stays claimed until xtask exits, so the `cargo` commands it runs later need no check.
pub fn own_build() -> Result<Option<ExitCode>> {
    let root = project_root();
    // Before any thread exists: only `main` has run.
    std::env::set_var(ROOT_VARIABLE, &root);
    let restarted = std::env::var_os(RESTARTED).is_some();
    std::env::remove_var(RESTARTED);
    let own = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let compiled_elsewhere = [own, compiled_project_root()]
        .into_iter()
        .find(|compiled| !target_dir::same_folder(compiled, &root));
    let target = target_dir()?;
    clean_dangling_links(&root, &target)?;
    let other = match &compiled_elsewhere {
        Some(compiled) => {
            target_dir::take_over(&root, &target)?;
            compiled.clone()
        }
        None => match target_dir::claim(&root, &target)? {
            Claim::Ours => return Ok(None),
            Claim::TakenOver { from } => from.unwrap_or_default(),
        },
    };
    if restarted {
        return Err(ui::problem(
            format!(
                "cargo xtask in {} still runs a program built from {}, even after cleaning the \
                 target folder {} and rebuilding",
                root.display(),
                other.display(),
                target.display()
            ),
            "cargo clean -p xtask -p workbook-harness, then try again; or give each clone its \
             own target folder (unset CARGO_TARGET_DIR)",
        ));
    }
    eprintln!(
        "{} the target folder {} held the build of another clone ({}); building this clone's xtask",
        "note:".cyan().bold(),
        target.display(),
        other.display()
    );
    let cargo = program();
    let status = Command::new(cargo)
        .args(["run", "--quiet", "--package", "xtask", "--"])
        .args(std::env::args_os().skip(1))
        .current_dir(&root)
        .env(RESTARTED, "1")
        .status()
        .context("cannot run cargo to build this clone's xtask")?;
    let code = status
        .code()
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(1);
    Ok(Some(ExitCode::from(code)))
}

/// Claims `target` for the workspace at `root` before a build into it (a no-op after
/// [`own_build`] for the same folder); says so when another clone's build was cleaned out.
pub fn claim_target(root: &Path, target: &Path) -> Result<()> {
    if let Claim::TakenOver { from } = target_dir::claim(root, target)? {
        let from = from.map(|f| f.display().to_string());
        eprintln!(
            "{} the target folder {} held the build of another clone ({}); building {} again",
            "note:".cyan().bold(),
            target.display(),
            from.as_deref().unwrap_or("unknown"),
            root.display()
        );
    }
    Ok(())
}

/// Cleans the packages whose build results in `target` link against folders that are gone (a
/// moved or renamed clone, a deleted ROS prefix), so cargo builds them again with today's paths
/// instead of failing to link; says so when it did.
pub fn clean_dangling_links(manifest_dir: &Path, target: &Path) -> Result<()> {
    let cleaned = workbook_harness::stale_links::clean_dangling(manifest_dir, target)?;
    if !cleaned.is_empty() {
        eprintln!(
            "{} {} in {} linked against folders that no longer exist (a moved clone?); \
             building {} again",
            "note:".cyan().bold(),
            cleaned.join(", "),
            target.display(),
            if cleaned.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

/// The cargo program to run: the one that started xtask (`CARGO`), else `cargo` on the PATH.
pub fn program() -> std::ffi::OsString {
    workbook_harness::programs::cargo()
}

/// Builds every reference program a check suite may start
/// ([`workbook_harness::programs::REFERENCE_PROGRAMS`]) in the workspace at `root`, once per xtask
/// run: a suite told they are prebuilt then runs no cargo of its own, which would otherwise make
/// each check wait for a cargo run (a quarter of a second on a quiet machine, seconds on a busy
/// one) before its first node starts. In this clone's workspace, cargo itself is skipped while
/// the build's stamp matches (`build_stamp.rs`): every `cargo xtask check` saves its quarter
/// of a second.
pub fn build_references(root: &Path, environment: &Environment) -> Result<()> {
    static BUILT: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if built.iter().any(|done| done == root) {
        return Ok(());
    }
    let build = || {
        let mut command = Command::new(program());
        command.args(["build", "--quiet"]).current_dir(root);
        for name in workbook_harness::programs::REFERENCE_PROGRAMS {
            command.args(["--bin", name]);
        }
        environment.apply(&mut command);
        let output = command
            .output()
            .with_context(|| format!("cannot start {}", describe(&command)))?;
        if !output.status.success() {
            bail!(
                "the reference programs of the checks do not build (a workbook bug):\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    };
    if root == workbook_harness::project_root() {
        // The folders the reference programs are built from (`REFERENCE_PROGRAMS`).
        let debug = target_dir()?.join("debug");
        let binaries = workbook_harness::programs::REFERENCE_PROGRAMS
            .iter()
            .map(|name| debug.join(name))
            .collect();
        let inputs = ["solutions", "tests/probes", "xtask/ros2-cli"];
        BuildStamp::new("references", &inputs, binaries)?.build_unless_fresh(environment, build)?;
    } else {
        build()?;
    }
    built.push(root.to_path_buf());
    Ok(())
}

/// `cargo <subcommand>` at the project root, in `environment`. The target folder is already
/// this clone's: [`own_build`] claimed it at start-up and holds it until xtask exits.
pub fn command(environment: &Environment, subcommand: &str) -> Command {
    let cargo = program();
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

/// `cargo metadata --no-deps` of the workspace, parsed.
fn metadata() -> Result<serde_json::Value> {
    let cargo = program();
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
    serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")
}

/// Names of every package of the workspace (its members: solutions, exercises, tests, xtask).
pub fn workspace_packages() -> Result<Vec<String>> {
    Ok(metadata()?["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|package| package["name"].as_str().map(str::to_string))
        .collect())
}

/// Names of every binary target in the workspace.
pub fn workspace_binaries() -> Result<Vec<String>> {
    let metadata = metadata()?;
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

/// What xtask reads of cargo's `--message-format=json` output.
#[derive(Debug, PartialEq)]
pub enum Message {
    /// A compiler diagnostic about `target`, with rustc's rendered text.
    Diagnostic {
        target: String,
        level: String,
        rendered: String,
    },
    /// A target was built; `executable` is the program, for binaries and tests.
    Artifact {
        target: String,
        executable: Option<PathBuf>,
    },
}

/// The JSON objects of cargo's `--message-format=json` output; other lines are skipped.
fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The crates cargo compiled rather than found fresh, as `package (target)`.
pub fn compiled(stdout: &[u8]) -> Vec<String> {
    json_lines(stdout)
        .into_iter()
        .filter(|m| m["reason"] == "compiler-artifact" && m["fresh"] == false)
        .map(|m| {
            let id = m["package_id"].as_str().unwrap_or_default();
            let package = id.rsplit(['/', '#']).next().unwrap_or(id);
            format!(
                "{package} ({})",
                m["target"]["name"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// The messages in cargo's JSON output, in order; other lines (and other reasons) are skipped.
pub fn messages(stdout: &[u8]) -> Vec<Message> {
    json_lines(stdout)
        .into_iter()
        .filter_map(|message| {
            let target = message["target"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            match message["reason"].as_str()? {
                "compiler-message" => Some(Message::Diagnostic {
                    target,
                    level: message["message"]["level"].as_str()?.to_string(),
                    rendered: message["message"]["rendered"].as_str()?.to_string(),
                }),
                "compiler-artifact" => Some(Message::Artifact {
                    target,
                    executable: message["executable"].as_str().map(PathBuf::from),
                }),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_names_the_crates_built_and_not_the_fresh_ones() {
        let stdout = concat!(
            "{\"reason\":\"compiler-artifact\",\"fresh\":false,",
            "\"package_id\":\"registry+https://github.com/rust-lang/crates.io-index#libc@0.2.170\",",
            "\"target\":{\"name\":\"libc\"}}\n",
            "{\"reason\":\"compiler-artifact\",\"fresh\":true,",
            "\"package_id\":\"registry+https://github.com/rust-lang/crates.io-index#anyhow@1.0.0\",",
            "\"target\":{\"name\":\"anyhow\"}}\n",
            "{\"reason\":\"build-finished\",\"success\":true}\n",
        );
        assert_eq!(compiled(stdout.as_bytes()), ["libc@0.2.170 (libc)"]);
    }

    #[test]
    fn json_messages_give_diagnostics_and_artifacts_and_skip_the_rest() {
        let stdout = concat!(
            "{\"reason\":\"compiler-message\",\"target\":{\"name\":\"check\"},",
            "\"message\":{\"level\":\"error\",\"rendered\":\"error[E0425]\"}}\n",
            "not json at all\n",
            "{\"reason\":\"build-script-executed\"}\n",
            "{\"reason\":\"compiler-artifact\",\"target\":{\"name\":\"check\"},",
            "\"executable\":\"/t/check-1\"}\n",
        );
        assert_eq!(
            messages(stdout.as_bytes()),
            [
                Message::Diagnostic {
                    target: "check".into(),
                    level: "error".into(),
                    rendered: "error[E0425]".into(),
                },
                Message::Artifact {
                    target: "check".into(),
                    executable: Some(PathBuf::from("/t/check-1")),
                },
            ]
        );
    }
}

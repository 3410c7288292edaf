//! Building and running an exercise's check suite, and reading its results back.
//!
//! `check`, `verify` and `grade` all come through here, so a check reads the same in all three.
//! The suite is a libtest integration test (`tests/check.rs` of the crate); it is built with
//! `cargo test --no-run`, then its executable runs directly, many checks at once (they wait on ROS
//! far more than they compute, and each has its own domain), under an overall deadline.

mod parse;
#[cfg(test)]
mod tests;
mod verdicts;

use crate::cargo::Message;
use crate::exercises::{Exercise, Side};
use anyhow::{bail, Context, Result};
pub use parse::parse;
use parse::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tempfile::TempDir;
pub use verdicts::{Results, VerdictFile};
use workbook_harness::{
    expect::parse_failure, programs::PROGRAM_OVERRIDE, Environment, Isolation, NodeProcess,
    ISOLATION_VARIABLE,
};

/// Checks running at once: they mostly wait for discovery and answers, not for the CPU.
const PARALLEL_CHECKS: &str = "8";
/// The longest a whole suite may run before it is stopped.
pub const SUITE_DEADLINE: Duration = Duration::from_secs(240);

/// How building a suite ended.
pub enum Build {
    /// The suite's executable, ready to run.
    Ready(PathBuf),
    /// The student's code (or the suite) did not compile: the compiler's messages.
    Failed(String),
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub test: String,
    pub title: String,
    pub points: u32,
    pub passed: bool,
    pub expected: String,
    pub happened: String,
    pub hint: String,
}

/// Builds the suite of `exercise`'s `side` crate in the workspace at `root`, with compiler
/// messages rendered in colour only when this process colours its output (a terminal, no
/// `NO_COLOR`): piped output and grade's feedback files get plain text.
pub fn build(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    side: Side,
) -> Result<Build> {
    crate::cargo::claim_target(root, &crate::cargo::target_dir()?)?;
    crate::cargo::build_references(root, environment)?;
    let mut command = Command::new(crate::cargo::program());
    command
        .args(["test", "--no-run", "--test", "check", "--package"])
        .arg(exercise.crate_of(side).package());
    compile(
        command,
        root,
        environment,
        exercise,
        &exercise.crate_of(side).package(),
    )
}

/// Builds the suite of a crate outside the workspace (an exercise with an interface package of
/// its own, see `own_interface.rs`): `crate_dir`'s manifest, in the target folder `target`.
pub fn build_outside(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    crate_dir: &Path,
    target: &Path,
) -> Result<Build> {
    let mut command = Command::new(crate::cargo::program());
    command
        .args(["test", "--no-run", "--test", "check", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target);
    compile(
        command,
        root,
        environment,
        exercise,
        &crate_dir.display().to_string(),
    )
}

/// Runs the `cargo test --no-run` of `command` at `root` and finds the `check` executable.
fn compile(
    mut command: Command,
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    package: &str,
) -> Result<Build> {
    command
        .arg(if colored::control::SHOULD_COLORIZE.should_colorize() {
            // Rendered for a terminal: rustc's own colours.
            "--message-format=json-diagnostic-rendered-ansi"
        } else {
            "--message-format=json"
        })
        .current_dir(root);
    environment.apply(&mut command);
    let output = command
        .output()
        .with_context(|| format!("cannot run cargo in {}", root.display()))?;
    let mut executable = None;
    let mut messages = String::new();
    for message in crate::cargo::messages(&output.stdout) {
        match message {
            Message::Diagnostic {
                level, rendered, ..
            } if level == "error" || level == "warning" => messages.push_str(&rendered),
            Message::Artifact {
                target,
                executable: Some(path),
            } if target == "check" => executable = Some(path),
            _ => {}
        }
    }
    match (output.status.success(), executable) {
        (true, Some(path)) => Ok(Build::Ready(path)),
        (true, None) => bail!(
            "{package} has no `check` test (tests/check.rs); `cargo xtask reset {}` restores it",
            exercise.number
        ),
        (false, _) => {
            if messages.is_empty() {
                messages = String::from_utf8_lossy(&output.stderr).into_owned();
            }
            Ok(Build::Failed(messages))
        }
    }
}

/// Runs a built suite in `crate_dir`; `program` replaces the program under test when given.
pub fn run(
    executable: &Path,
    crate_dir: &Path,
    environment: &Environment,
    exercise: &Exercise,
    program: Option<&Path>,
) -> Result<Results> {
    run_watched(
        executable,
        crate_dir,
        environment,
        exercise,
        program,
        &mut |_| {},
    )
}

/// What a suite run tells its watcher while it runs: a check's verdict as the verdict file
/// received it, or only that time has passed.
pub enum Progress<'a> {
    /// A line of the verdict file: the check `test` of the exercise passed or failed, `after`
    /// the suite started. Only the verdict file says so; nothing a program prints can.
    Verdict {
        test: &'a str,
        passed: bool,
        after: Duration,
    },
    /// Nothing new; `after` the suite started (about ten times a second, for a spinner).
    Tick { after: Duration },
}

/// How often a running suite's verdict file is read for [`Progress`].
const POLL: Duration = Duration::from_millis(100);

/// [`run`], telling `watch` each verdict as the verdict file receives it (read as it grows:
/// libtest writes a line per finished test) and ticking between them. The verdicts of the
/// returned [`Results`] are read from the same file once the suite has ended, as [`run`] does.
pub fn run_watched(
    executable: &Path,
    crate_dir: &Path,
    environment: &Environment,
    exercise: &Exercise,
    program: Option<&Path>,
    watch: &mut dyn FnMut(Progress),
) -> Result<Results> {
    let verdicts = VerdictFile::create(None)?;
    let mut command = command(
        Command::new(executable),
        environment,
        program,
        &verdicts.path(),
    );
    command.current_dir(crate_dir);
    if exercise.interface.is_some() {
        // Built outside the workspace, the suite finds the reference programs in the
        // workspace's target folder (`own_interface::references` built them).
        let references = crate::cargo::target_dir()?.join("debug");
        command.env(workbook_harness::programs::REFERENCES_DIR, references);
    } else {
        // `build` built them (`cargo::build_references`).
        command.env(workbook_harness::programs::REFERENCES_PREBUILT, "1");
    }
    let started = std::time::Instant::now();
    let mut suite = NodeProcess::start("the check suite", command)?;
    suite.close_stdin();
    let mut seen = 0;
    let output = loop {
        let finished = suite.finished();
        let written = verdicts.read()?;
        // Only whole lines: libtest may be half-way through writing the last one.
        let whole = written.rfind('\n').map_or("", |end| &written[..=end]);
        let lines: Vec<&str> = whole.lines().collect();
        for line in lines.iter().skip(seen) {
            let (verdict, name) = line.rsplit_once(' ').unwrap_or(("", line));
            if let Some(check) = name
                .strip_prefix(SUITE_MODULE)
                .and_then(|test| exercise.check(test))
            {
                watch(Progress::Verdict {
                    test: &check.test,
                    passed: verdict == "ok",
                    after: started.elapsed(),
                });
            }
        }
        seen = lines.len();
        if let Some(output) = finished {
            break output;
        }
        if started.elapsed() >= SUITE_DEADLINE {
            break suite.wait_for_exit(Duration::ZERO)?;
        }
        watch(Progress::Tick {
            after: started.elapsed(),
        });
        std::thread::sleep(POLL);
    };
    let written = verdicts.read()?;
    if written.trim().is_empty() {
        bail!(
            "the check suite ran no checks ({}); it printed:\n{}",
            workbook_harness::describe_end(&output),
            output.text
        );
    }
    Ok(parse(&written, &output.text, exercise))
}

/// Completes `command` (the suite's executable, or a wrapper that runs it) with the arguments and
/// environment a suite runs with; the suite writes its verdicts to `verdicts`.
pub fn command(
    mut command: Command,
    environment: &Environment,
    program: Option<&Path>,
    verdicts: &Path,
) -> Command {
    command
        .args(["--test-threads", PARALLEL_CHECKS, "--color", "never"])
        .arg("--logfile")
        .arg(verdicts)
        .env("RUST_BACKTRACE", "0")
        // The suite isolates its checks as this command decided (and said), not by a guess of
        // its own.
        .env(
            ISOLATION_VARIABLE,
            if Isolation::current().is_sealed()
                || matches!(Isolation::current(), Isolation::Refused { .. })
            {
                "sealed"
            } else {
                "domains"
            },
        );
    environment.apply(&mut command);
    match program {
        Some(program) => command.env(PROGRAM_OVERRIDE, program),
        None => command.env_remove(PROGRAM_OVERRIDE),
    };
    command
}

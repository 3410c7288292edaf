//! Building and running an exercise's check suite, and reading its results back.
//!
//! `check`, `verify` and `grade` all come through here, so a check reads the same in all three.
//! The suite is a libtest integration test (`tests/check.rs` of the crate); it is built with
//! `cargo test --no-run`, then its executable runs directly, many checks at once (they wait on ROS
//! far more than they compute, and each has its own domain), under an overall deadline.

use crate::exercises::{Exercise, Side};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
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
/// messages rendered for a terminal.
pub fn build(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    side: Side,
    target: Option<&Path>,
) -> Result<Build> {
    let shared = crate::cargo::target_dir()?;
    crate::cargo::claim_target(root, target.unwrap_or(&shared))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["test", "--no-run", "--test", "check", "--package"])
        .arg(exercise.package(side))
        .arg("--message-format=json-diagnostic-rendered-ansi")
        .current_dir(root);
    environment.apply(&mut command);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run cargo in {}", root.display()))?;
    let mut executable = None;
    let mut messages = String::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-message") => {
                let level = message["message"]["level"].as_str().unwrap_or("");
                if level == "error" || level == "warning" {
                    if let Some(rendered) = message["message"]["rendered"].as_str() {
                        messages.push_str(rendered);
                    }
                }
            }
            Some("compiler-artifact") if message["target"]["name"] == "check" => {
                if let Some(path) = message["executable"].as_str() {
                    executable = Some(PathBuf::from(path));
                }
            }
            _ => {}
        }
    }
    match (output.status.success(), executable) {
        (true, Some(path)) => Ok(Build::Ready(path)),
        (true, None) => bail!(
            "{} has no `check` test (tests/check.rs); `cargo xtask reset {}` restores it",
            exercise.package(side),
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
) -> Result<Vec<Outcome>> {
    let mut command = command(Command::new(executable), environment, program);
    command.current_dir(crate_dir);
    let mut suite = NodeProcess::start("the check suite", command)?;
    suite.close_stdin();
    let output = suite.wait_for_exit(SUITE_DEADLINE)?;
    let outcomes = parse(&output.text, exercise);
    if outcomes.is_empty() {
        bail!(
            "the check suite ran no checks ({}); it printed:\n{}",
            workbook_harness::describe_end(&output),
            output.text
        );
    }
    Ok(outcomes)
}

/// Completes `command` (the suite's executable, or a wrapper that runs it) with the arguments and
/// environment a suite runs with.
pub fn command(mut command: Command, environment: &Environment, program: Option<&Path>) -> Command {
    command
        .args(["--test-threads", PARALLEL_CHECKS, "--color", "never"])
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

/// Reads libtest's output: `test <path>::<name> ... ok|FAILED` lines and the failure sections.
pub fn parse(text: &str, exercise: &Exercise) -> Vec<Outcome> {
    let mut results: Vec<(String, bool)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((path, verdict)) = rest.split_once(" ... ") else {
            continue;
        };
        let name = path.rsplit("::").next().unwrap_or(path).to_string();
        match verdict.trim() {
            "ok" => results.push((name, true)),
            "FAILED" => results.push((name, false)),
            _ => {}
        }
    }
    let mut outcomes: Vec<Outcome> = results
        .into_iter()
        .map(|(test, passed)| {
            let (expected, happened) = if passed {
                Default::default()
            } else {
                failure_message(text, &test)
                    .map(|m| parse_failure(&m))
                    .unwrap_or_default()
            };
            let check = exercise.check(&test);
            Outcome {
                title: check
                    .map(|c| c.title.clone())
                    .unwrap_or_else(|| test.replace('_', " ")),
                points: check.map(|c| c.points).unwrap_or(0),
                hint: check.map(|c| c.hint.clone()).unwrap_or_default(),
                test,
                passed,
                expected,
                happened,
            }
        })
        .collect();
    // In the order the data file lists them, which is the order they are taught.
    outcomes.sort_by_key(|o| {
        exercise
            .checks
            .iter()
            .position(|c| c.test == o.test)
            .unwrap_or(usize::MAX)
    });
    outcomes
}

/// The panic message of `test` from its `---- <path>::<test> stdout ----` section.
fn failure_message(text: &str, test: &str) -> Option<String> {
    let header = text
        .lines()
        .position(|l| l.starts_with("---- ") && l.contains(&format!("::{test} stdout ----")))?;
    let mut lines = text.lines().skip(header + 1);
    lines.find(|l| l.contains("panicked at"))?;
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE")
                && !l.starts_with("---- ")
                && *l != "failures:"
        })
        .collect();
    Some(message.join("\n").trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Catalogue;

    const LIBTEST: &str = "\
running 2 tests
test checks::stops_cleanly_on_ctrl_c ... ok
test checks::accepts_speeds_from_0_to_100 ... FAILED

failures:

---- checks::accepts_speeds_from_0_to_100 stdout ----

thread 'checks::accepts_speeds_from_0_to_100' (12) panicked at tests/suites/speed_server.rs:9:5:
expected: speed 0 to be accepted (success: true)
happened: it was refused: too slow
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    checks::accepts_speeds_from_0_to_100

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s
";

    #[test]
    fn libtest_output_becomes_one_outcome_per_check_in_course_order() {
        let catalogue = Catalogue::load().expect("data file");
        let outcomes = parse(LIBTEST, &catalogue.exercises[0]);
        let summary: Vec<(&str, bool)> = outcomes
            .iter()
            .map(|o| (o.test.as_str(), o.passed))
            .collect();
        assert_eq!(
            summary,
            [
                ("accepts_speeds_from_0_to_100", false),
                ("stops_cleanly_on_ctrl_c", true)
            ]
        );
        assert_eq!(
            outcomes[0].expected,
            "speed 0 to be accepted (success: true)"
        );
        assert_eq!(outcomes[0].happened, "it was refused: too slow");
        assert_eq!(outcomes[0].title, "accepts 0, 42 and 100");
        assert!(!outcomes[0].hint.is_empty());
    }
}

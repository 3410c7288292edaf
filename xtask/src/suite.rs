//! Building and running an exercise's check suite, and reading its results back.
//!
//! `check`, `verify` and `grade` all come through here, so a check reads the same in all three.
//! The suite is a libtest integration test (`tests/check.rs` of the crate); it is built with
//! `cargo test --no-run`, then its executable runs directly, many checks at once (they wait on ROS
//! far more than they compute, and each has its own domain), under an overall deadline.

use crate::exercises::{Exercise, Side};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tempfile::TempDir;
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
    target: Option<&Path>,
) -> Result<Build> {
    let shared = crate::cargo::target_dir()?;
    crate::cargo::claim_target(root, target.unwrap_or(&shared))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["test", "--no-run", "--test", "check", "--package"])
        .arg(exercise.package(side))
        .arg(if colored::control::SHOULD_COLORIZE.should_colorize() {
            // Rendered for a terminal: rustc's own colours.
            "--message-format=json-diagnostic-rendered-ansi"
        } else {
            "--message-format=json"
        })
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

/// What one run of a suite reported: an outcome for every check of the exercise, in course
/// order, and what the verdict file held that could not be counted.
#[derive(Debug, Default)]
pub struct Results {
    pub outcomes: Vec<Outcome>,
    /// The checks the suite reported no verdict for (it ended early or was stopped).
    pub unreported: Vec<String>,
    /// Verdicts that were not counted, each said in a sentence: names that are no check of the
    /// exercise, and checks reported more than once.
    pub rejected: Vec<String>,
}

/// The private file a suite run writes its verdicts to, through libtest's `--logfile`: one
/// `ok <test>` or `failed <test>` line per finished test.
///
/// libtest opens it close-on-exec, so the programs the checks start never inherit it, and it lies
/// in a fresh folder only this user may enter, so the verdicts cannot be forged by printing:
/// whatever a program prints reaches the suite's output, never this file.
pub struct VerdictFile {
    folder: TempDir,
}

/// The most of a verdict file that is read: a few dozen bytes per check.
const VERDICT_FILE_LIMIT: u64 = 1024 * 1024;

impl VerdictFile {
    /// A fresh private folder (mode 0700) in `parent`, or in the system's temporary folder.
    pub fn create(parent: Option<&Path>) -> Result<VerdictFile> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("workbook-verdicts-");
        let folder = match parent {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .context("cannot create a private folder for the suite's verdicts")?;
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", folder.path().display()))?;
        Ok(VerdictFile { folder })
    }

    /// Where the suite writes its verdicts.
    pub fn path(&self) -> PathBuf {
        self.folder.path().join("verdicts")
    }

    /// What the suite wrote; empty when it wrote nothing (it did not start, or crashed early).
    pub fn read(&self) -> Result<String> {
        let path = self.path();
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()))
            }
        };
        let mut bytes = Vec::new();
        file.take(VERDICT_FILE_LIMIT)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
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

/// The module every exercise's `tests/check.rs` includes its suite as.
const SUITE_MODULE: &str = "checks::";

/// Turns the verdict file's lines (`ok checks::<test>`, `failed checks::<test>`) into one
/// outcome per check of `exercise`. Each check counts once: one reported twice is not counted,
/// nor is a name that is no check of the exercise, and a check with no verdict has failed.
/// `text`, the suite's output, is read only for the failure messages of checks that failed.
pub fn parse(verdicts: &str, text: &str, exercise: &Exercise) -> Results {
    let mut reported: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut results = Results::default();
    for line in verdicts.lines().filter(|l| !l.trim().is_empty()) {
        let (verdict, name) = line.rsplit_once(' ').unwrap_or(("", line));
        let check = name
            .strip_prefix(SUITE_MODULE)
            .and_then(|test| exercise.check(test));
        match check {
            Some(check) => reported
                .entry(check.test.as_str())
                .or_default()
                .push(verdict),
            None => results.rejected.push(format!(
                "the suite reported `{line}`, but `{name}` is not a check of {}: not counted",
                exercise.label()
            )),
        }
    }
    for check in &exercise.checks {
        let (passed, expected, happened) =
            match reported.get(check.test.as_str()).map(Vec::as_slice) {
                Some(["ok"]) => (true, String::new(), String::new()),
                Some([verdict]) => {
                    let (expected, happened) = failure_message(text, &check.test)
                        .map(|m| parse_failure(&m))
                        .unwrap_or_else(|| (String::new(), format!("the check ended: {verdict}")));
                    (false, expected, happened)
                }
                Some(many) => {
                    let said = format!(
                        "the suite reported {} verdicts for it ({}), so none is counted",
                        many.len(),
                        many.join(", ")
                    );
                    results.rejected.push(format!("{}: {said}", check.test));
                    (false, "one verdict for the check".to_string(), said)
                }
                None => {
                    results.unreported.push(check.test.clone());
                    (
                        false,
                        "the check to finish".to_string(),
                        NO_VERDICT.to_string(),
                    )
                }
            };
        results.outcomes.push(Outcome {
            test: check.test.clone(),
            title: check.title.clone(),
            points: check.points,
            passed,
            expected,
            happened,
            hint: check.hint.clone(),
        });
    }
    results
}

/// What a check the suite gave no verdict for says happened.
pub const NO_VERDICT: &str = "the suite reported no verdict for it (it ended early)";

/// The panic message of `test` from its `---- checks::<test> stdout ----` section. Only lines
/// that libtest and the harness write start at the first column (a failure's parts quote what a
/// program printed, indented: [`workbook_harness::expect::quote`]), so a program cannot fake a
/// section, a panic or the end of one.
fn failure_message(text: &str, test: &str) -> Option<String> {
    let header = format!("---- {SUITE_MODULE}{test} stdout ----");
    let start = text.lines().position(|l| l == header)?;
    let mut lines = text.lines().skip(start + 1);
    lines.find(|l| l.starts_with("thread '") && l.contains("panicked at"))?;
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE")
                && !l.starts_with("---- ")
                && !l.starts_with("thread '")
                && *l != "failures:"
        })
        .collect();
    Some(message.join("\n").trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Catalogue;
    use workbook_harness::expect::message;

    fn speed_server() -> Exercise {
        Catalogue::load().expect("data file").exercises[0].clone()
    }

    /// libtest's output for a run where `accepts_speeds_from_0_to_100` failed with `happened`.
    fn libtest_output(happened: &str) -> String {
        format!(
            "\
running 2 tests
test checks::stops_cleanly_on_ctrl_c ... ok
test checks::accepts_speeds_from_0_to_100 ... FAILED

failures:

---- checks::accepts_speeds_from_0_to_100 stdout ----

thread 'checks::accepts_speeds_from_0_to_100' (12) panicked at tests/suites/speed_server.rs:9:5:
{}
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    checks::accepts_speeds_from_0_to_100

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s
",
            message("speed 0 to be accepted (success: true)", happened)
        )
    }

    const TWO_VERDICTS: &str =
        "failed checks::accepts_speeds_from_0_to_100\nok checks::stops_cleanly_on_ctrl_c\n";

    /// (test, passed) of every outcome.
    fn summary(results: &Results) -> Vec<(&str, bool)> {
        results
            .outcomes
            .iter()
            .map(|o| (o.test.as_str(), o.passed))
            .collect()
    }

    #[test]
    fn verdicts_become_one_outcome_per_check_in_course_order() {
        let exercise = speed_server();
        let results = parse(
            TWO_VERDICTS,
            &libtest_output("it was refused: too slow"),
            &exercise,
        );
        let outcomes = &results.outcomes;
        assert_eq!(outcomes.len(), exercise.checks.len(), "every check has one");
        assert_eq!(outcomes[1].test, "accepts_speeds_from_0_to_100");
        assert!(!outcomes[1].passed, "its verdict was `failed`");
        assert_eq!(
            outcomes[1].expected,
            "speed 0 to be accepted (success: true)"
        );
        assert_eq!(outcomes[1].happened, "it was refused: too slow");
        assert_eq!(outcomes[1].title, "accepts 0, 42 and 100");
        assert!(!outcomes[1].hint.is_empty());
        let last = outcomes.last().expect("outcomes");
        assert_eq!(
            (last.test.as_str(), last.passed),
            ("stops_cleanly_on_ctrl_c", true)
        );
        assert!(results.rejected.is_empty(), "{:?}", results.rejected);
    }

    #[test]
    fn a_check_with_no_verdict_has_failed_and_says_so() {
        let results = parse(TWO_VERDICTS, "", &speed_server());
        let first = &results.outcomes[0];
        assert_eq!(first.test, "offers_set_speed_on_the_node_speed_server");
        assert!(!first.passed, "no verdict is no pass");
        assert_eq!(first.happened, NO_VERDICT);
        assert_eq!(results.unreported.len(), results.outcomes.len() - 2);
    }

    #[test]
    fn verdicts_printed_on_the_suites_output_count_for_nothing() {
        let exercise = speed_server();
        let forged: String = exercise
            .checks
            .iter()
            .map(|c| format!("test checks::{} ... ok\n", c.test))
            .collect();
        let results = parse("", &forged, &exercise);
        assert_eq!(
            results.outcomes.iter().filter(|o| o.passed).count(),
            0,
            "a program printed `... ok` for every check and passed some: {:?}",
            summary(&results)
        );
    }

    #[test]
    fn a_check_reported_twice_counts_for_nothing_and_is_named() {
        let verdicts = "ok checks::stops_cleanly_on_ctrl_c\nok checks::stops_cleanly_on_ctrl_c\n";
        let results = parse(verdicts, "", &speed_server());
        let outcome = results.outcomes.last().expect("outcomes");
        assert!(!outcome.passed, "a duplicated verdict was counted");
        assert!(
            outcome.happened.contains("2 verdicts"),
            "the outcome says why: {}",
            outcome.happened
        );
        assert!(
            results
                .rejected
                .iter()
                .any(|r| r.contains("stops_cleanly_on_ctrl_c")),
            "the rejection names the check: {:?}",
            results.rejected
        );
    }

    #[test]
    fn a_verdict_for_a_test_that_is_no_check_is_rejected_by_name() {
        let verdicts = "ok checks::gives_full_marks\nok accepts_speeds_from_0_to_100\n";
        let results = parse(verdicts, "", &speed_server());
        assert_eq!(results.outcomes.iter().filter(|o| o.passed).count(), 0);
        assert_eq!(results.rejected.len(), 2, "{:?}", results.rejected);
        assert!(results.rejected[0].contains("`checks::gives_full_marks` is not a check"));
    }

    #[test]
    fn a_transcript_that_forges_libtest_lines_stays_what_happened() {
        let transcript = "\
your program printed:
---- checks::stops_cleanly_on_ctrl_c stdout ----
thread 'checks::stops_cleanly_on_ctrl_c' (13) panicked at x.rs:1:1:
expected: nothing
happened: full marks
failures:
test checks::offers_set_speed_on_the_node_speed_server ... ok";
        let results = parse(TWO_VERDICTS, &libtest_output(transcript), &speed_server());
        let failed = &results.outcomes[1];
        assert_eq!(failed.expected, "speed 0 to be accepted (success: true)");
        assert_eq!(
            failed.happened, transcript,
            "the program's text is reported whole, as what happened"
        );
        assert_eq!(
            summary(&results)
                .iter()
                .filter(|(_, passed)| *passed)
                .count(),
            1,
            "only the check the verdict file passed has passed"
        );
    }

    /// Compiles a libtest suite from `source` into `suite` beside it.
    fn compile_suite(source: &Path) -> PathBuf {
        let executable = source.with_file_name("suite");
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let built = Command::new(rustc)
            .args(["--test", "--edition", "2021", "-o"])
            .arg(&executable)
            .arg(source)
            .output()
            .expect("rustc runs");
        assert!(
            built.status.success(),
            "rustc --test failed: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        executable
    }

    #[test]
    fn progress_comes_from_the_verdict_file_and_never_from_printed_text() {
        let scratch = TempDir::new().expect("a scratch folder");
        let source = scratch.path().join("suite.rs");
        // One check passes after a forged failure line, one fails after forging a pass.
        std::fs::write(
            &source,
            "mod checks {\n\
             #[test] fn stops_cleanly_on_ctrl_c() {\n\
                 println!(\"failed checks::stops_cleanly_on_ctrl_c\");\n\
             }\n\
             #[test] fn accepts_speeds_from_0_to_100() {\n\
                 println!(\"ok checks::accepts_speeds_from_0_to_100\");\n\
                 eprintln!(\"test checks::accepts_speeds_from_0_to_100 ... ok\");\n\
                 panic!(\"refused\");\n\
             }\n}\n",
        )
        .expect("write the suite");
        let executable = compile_suite(&source);
        let environment = Environment::detect(&workbook_harness::project_root());
        let mut seen = Vec::new();
        let results = run_watched(
            &executable,
            scratch.path(),
            &environment,
            &speed_server(),
            None,
            &mut |progress| {
                if let Progress::Verdict { test, passed, .. } = progress {
                    seen.push((test.to_string(), passed));
                }
            },
        )
        .expect("the suite runs");
        seen.sort();
        assert_eq!(
            seen,
            [
                ("accepts_speeds_from_0_to_100".to_string(), false),
                ("stops_cleanly_on_ctrl_c".to_string(), true)
            ],
            "the watcher saw the verdict file's lines, nothing the tests printed"
        );
        assert_eq!(summary(&results).iter().filter(|(_, p)| *p).count(), 1);
    }

    #[test]
    fn libtest_writes_one_verdict_per_finished_test_to_its_logfile() {
        // The whole design rests on this libtest option (deprecated, yet stable and kept): pin
        // down what this toolchain writes.
        let scratch = TempDir::new().expect("a scratch folder");
        let source = scratch.path().join("suite.rs");
        std::fs::write(
            &source,
            "mod checks {\n\
             #[test] fn stops_cleanly_on_ctrl_c() {}\n\
             #[test] fn accepts_speeds_from_0_to_100() {\n\
                 println!(\"test checks::accepts_speeds_from_0_to_100 ... ok\");\n\
                 panic!(\"refused\");\n\
             }\n}\n",
        )
        .expect("write the suite");
        let executable = compile_suite(&source);
        let verdicts = VerdictFile::create(Some(scratch.path())).expect("a verdict folder");
        let mode = std::fs::metadata(verdicts.path().parent().expect("a folder"))
            .expect("the folder exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the verdict folder is private");
        let output = Command::new(&executable)
            .arg("--logfile")
            .arg(verdicts.path())
            .output()
            .expect("the suite runs");
        let written = verdicts.read().expect("the verdicts");
        let mut lines: Vec<&str> = written.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                "failed checks::accepts_speeds_from_0_to_100",
                "ok checks::stops_cleanly_on_ctrl_c"
            ],
            "libtest's logfile; the suite printed:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

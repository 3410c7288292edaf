//! The suite runner's tests: fake libtest suites compiled for the purpose, hostile output among
//! them.

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

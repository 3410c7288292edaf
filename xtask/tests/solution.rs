//! `cargo xtask solution N`: the reference opens once the student's check passed on their code as
//! it is, and not before (unless asked `--anyway` and confirmed). Each test gives xtask a progress
//! record of its own (`WORKBOOK_PROGRESS`), written the way `check` writes it, for the real
//! exercise 1 as it is in this clone; a student's `.workbook/progress.json` is never touched.

use assert_cmd::Command;
use predicates::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A line only the reference solution of exercise 1 has.
const SOLUTION_LINE: &str = "fn status(&self, _request: GetStatus_Request) -> GetStatus_Response";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf()
}

/// The hash `check` records: each file of the crate (Cargo.toml, then src/ sorted), its relative
/// path then its bytes.
fn source_hash(dir: &Path) -> String {
    let mut files = vec![dir.join("Cargo.toml")];
    let mut pending = vec![dir.join("src")];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)
            .expect("src/ can be listed")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = Sha256::new();
    for path in files {
        hasher.update(path.strip_prefix(dir).unwrap().to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&path).unwrap());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A scratch progress file recording exercise 1's last check.
fn progress(passed: usize, failed: usize, current: bool) -> (TempDir, PathBuf) {
    let scratch = TempDir::new().unwrap();
    let file = scratch.path().join("progress.json");
    let source = if current {
        source_hash(&root().join("exercises/01-speed-server"))
    } else {
        "a version of the code that is gone".to_string()
    };
    let record = serde_json::json!({
        "exercises": {
            "speed-server": { "source": source, "passed": passed, "failed": failed, "hints_shown": 0 }
        }
    });
    std::fs::write(&file, record.to_string()).unwrap();
    (scratch, file)
}

fn solution(progress: &Path) -> Command {
    let mut command = Command::cargo_bin("xtask").expect("the xtask binary is built");
    command
        .env("WORKBOOK_PROGRESS", progress)
        .env("NO_COLOR", "1")
        .arg("solution")
        .arg("1")
        .timeout(std::time::Duration::from_secs(120));
    command
}

#[test]
fn a_passed_check_opens_the_solution_and_records_it() {
    let (_scratch, file) = progress(7, 0, true);
    solution(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "solutions/01-speed-server/src/main.rs",
        ))
        .stdout(predicate::str::contains(SOLUTION_LINE))
        .stdout(predicate::str::contains(
            "book/src/solutions/01-speed-server.md",
        ));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        record["exercises"]["speed-server"]["solution_shown"],
        serde_json::Value::Bool(true),
        "the record says the solution was shown: {record}"
    );
}

/// How many checks exercise 1 has (exercises.toml), which `solution` counts against.
fn checks_of_exercise_1() -> usize {
    let data: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("exercises/exercises.toml")).unwrap())
            .unwrap();
    data["exercise"][0]["check"].as_array().unwrap().len()
}

#[test]
fn a_failing_check_says_how_far_the_student_is_and_shows_nothing() {
    let checks = checks_of_exercise_1();
    let (_scratch, file) = progress(3, checks - 3, true);
    solution(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "3 of {checks} checks pass"
        )))
        .stdout(predicate::str::contains("--anyway"))
        .stdout(predicate::str::contains(SOLUTION_LINE).not());
}

#[test]
fn a_pass_on_code_changed_since_does_not_count() {
    let (_scratch, file) = progress(7, 0, false);
    solution(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("you changed the code since"))
        .stdout(predicate::str::contains(SOLUTION_LINE).not());
}

#[test]
fn anyway_without_a_terminal_refuses_unless_confirmed_with_yes() {
    let (_scratch, file) = progress(0, 7, true);
    solution(&file)
        .arg("--anyway")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no terminal to ask"))
        .stderr(predicate::str::contains("--anyway --yes"))
        .stdout(predicate::str::contains(SOLUTION_LINE).not());
    solution(&file)
        .args(["--anyway", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(SOLUTION_LINE));
}

#[test]
fn yes_alone_is_a_usage_error() {
    let (_scratch, file) = progress(0, 7, true);
    solution(&file)
        .arg("--yes")
        .assert()
        .code(2)
        .stdout(predicate::str::contains(SOLUTION_LINE).not());
}

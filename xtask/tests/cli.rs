//! The bad paths of `cargo xtask setup`, `env` and `doctor`: each gives a clear error naming the
//! problem and the fix, a non-zero exit, and changes nothing outside a scratch cache folder.

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

/// xtask with an empty scratch cache and no sourced ROS 2 in its environment.
fn xtask(cache: &TempDir) -> Command {
    let mut command = Command::cargo_bin("xtask").expect("the xtask binary is built");
    command
        .env("WORKBOOK_CACHE", cache.path())
        .env_remove("ROS_DISTRO")
        .env_remove("AMENT_PREFIX_PATH")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(120));
    command
}

#[test]
fn setup_with_an_unusable_python_names_it_and_the_fix() {
    let cache = TempDir::new().unwrap();
    xtask(&cache)
        .arg("setup")
        .env("WORKBOOK_PYTHON", "/nonexistent/python3")
        .assert()
        .failure()
        .stderr(predicate::str::contains("WORKBOOK_PYTHON"))
        .stderr(predicate::str::contains("fix:"));
}

#[test]
fn setup_with_a_cache_that_is_a_file_says_so() {
    let scratch = TempDir::new().unwrap();
    let file = scratch.path().join("not-a-folder");
    std::fs::write(&file, "").unwrap();
    let mut command = xtask(&scratch);
    command
        .env("WORKBOOK_CACHE", &file)
        .arg("setup")
        .assert()
        .failure()
        .stderr(predicate::str::contains("cache"));
}

#[test]
fn env_prints_no_exports_when_setup_fails() {
    let cache = TempDir::new().unwrap();
    xtask(&cache)
        .arg("env")
        .env("WORKBOOK_PYTHON", "/nonexistent/python3")
        .assert()
        .failure()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("setup failed"));
}

#[test]
fn doctor_on_a_machine_without_setup_points_at_setup() {
    let cache = TempDir::new().unwrap();
    xtask(&cache)
        .arg("doctor")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("run `cargo xtask setup`"));
}

#[test]
fn doctor_reports_a_half_sourced_ros() {
    let cache = TempDir::new().unwrap();
    let fake_prefix = cache.path().join("opt-ros");
    std::fs::create_dir_all(fake_prefix.join("share/rcl")).unwrap();
    xtask(&cache)
        .arg("doctor")
        .env("AMENT_PREFIX_PATH", &fake_prefix)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("half-sourced"));
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let cache = TempDir::new().unwrap();
    xtask(&cache)
        .arg("sped")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
}

//! `cargo xtask new-exercise`: in a clone of the workbook, a scaffolded exercise builds, is
//! listed, and passes `verify` once recorded, the way a maintainer adds one (scaffold, write,
//! verify). The clone gets a target folder of its own holding only the compiled third-party
//! dependencies of this one (hard links), so the test compiles the workbook's own crates only.

mod workspace;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;
use std::time::Duration;
use workbook_harness::dependencies::Dependencies;
use workspace::{root, target, workspace_packages};

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Maintainer",
            "-c",
            "user.email=m@example.org",
        ])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed in {}", dir.display());
}

/// `cargo <args>` in the clone, as a maintainer runs it there.
fn cargo(clone: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap());
    command
        .args(args)
        .current_dir(clone)
        .env("CARGO_TARGET_DIR", clone.join("target"))
        .env("NO_COLOR", "1")
        // The clone's xtask finds its own root; nothing of this test's xtask may leak in.
        .env_remove("WORKBOOK_ROOT")
        .timeout(Duration::from_secs(15 * 60));
    // cargo gave this test the provisioned variables of this clone's `.cargo/config.toml`; in
    // the other clone they would look like a sourced ROS 2, so the clone sets its own.
    for name in [
        "ROS_DISTRO",
        "AMENT_PREFIX_PATH",
        "LD_LIBRARY_PATH",
        "ROS_AUTOMATIC_DISCOVERY_RANGE",
        "FASTRTPS_DEFAULT_PROFILES_FILE",
        "FASTDDS_DEFAULT_PROFILES_FILE",
    ] {
        command.env_remove(name);
    }
    command
}

#[test]
fn a_scaffolded_exercise_builds_is_listed_and_passes_verify() {
    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("workbook");
    let status = std::process::Command::new("git")
        .args(["clone", "--quiet"])
        .arg(root())
        .arg(&clone)
        .status()
        .unwrap();
    assert!(status.success(), "git clone failed");
    std::fs::create_dir_all(clone.join(".ros")).unwrap();
    let prefix = std::fs::canonicalize(root().join(".ros/prefix"))
        .expect("the provisioned ROS 2 (cargo xtask setup)");
    std::os::unix::fs::symlink(prefix, clone.join(".ros/prefix")).unwrap();
    Dependencies::survey(&target(), &workspace_packages())
        .unwrap()
        .plant_writable(&clone.join("target"))
        .unwrap();
    let count = |clone: &Path| {
        std::fs::read_to_string(clone.join("exercises/exercises.toml"))
            .unwrap()
            .matches("[[exercise]]")
            .count()
    };
    let next = count(&clone) + 1;
    let spec = format!("{next:02}-headlights");

    cargo(
        &clone,
        &["xtask", "new-exercise", &spec, "--title", "Headlights"],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains(format!("exercise {next}: {spec}")));
    assert_eq!(
        count(&clone),
        next,
        "the stanza was added to exercises.toml"
    );

    // Written over nothing: a second scaffold of the same exercise is refused, and changes nothing.
    let data = std::fs::read_to_string(clone.join("exercises/exercises.toml")).unwrap();
    cargo(&clone, &["xtask", "new-exercise", &spec])
        .assert()
        .failure()
        .stderr(predicate::str::contains("the next exercise is number"));
    assert_eq!(
        std::fs::read_to_string(clone.join("exercises/exercises.toml")).unwrap(),
        data
    );

    cargo(&clone, &["xtask", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Headlights"));

    git(&clone, &["add", "-A"]);
    git(
        &clone,
        &[
            "commit",
            "--quiet",
            "-m",
            "Scaffold the headlights exercise",
        ],
    );
    cargo(&clone, &["xtask", "verify", "--record-shipped"])
        .assert()
        .success();
    git(
        &clone,
        &["commit", "--quiet", "-am", "Record it as shipped"],
    );
    cargo(&clone, &["xtask", "verify", &next.to_string()])
        .assert()
        .success();
    // The tidy conventions hold for what was scaffolded too.
    cargo(
        &clone,
        &["test", "--quiet", "-p", "xtask", "--test", "tidy"],
    )
    .assert()
    .success();
}

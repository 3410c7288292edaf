//! `cargo xtask grade merge` on shard outputs that do not make a whole class: it must refuse
//! them, naming the problem, and write nothing, so a CI job that died before uploading its
//! grades cannot leave its students out unnoticed.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn xtask() -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lies in the project")
        .to_path_buf();
    let mut command = Command::cargo_bin("xtask").expect("the xtask binary is built");
    command.current_dir(root).env("NO_COLOR", "1");
    command
}

/// A shard's output folder with an empty `grades.json` of shard `shard`.
fn shard_output(scratch: &Path, shard: &str) -> PathBuf {
    let dir = scratch.join(format!("shard-{}", shard.replace('/', "-of-")));
    std::fs::create_dir_all(&dir).unwrap();
    let record = serde_json::json!({
        "exercises": [],
        "shard": shard,
        "solutions_hidden": true,
        "students": [],
    });
    std::fs::write(dir.join("grades.json"), record.to_string()).unwrap();
    dir
}

#[track_caller]
fn check(shards: &[&str], expected: &str) {
    let scratch = TempDir::new().unwrap();
    let folders: Vec<PathBuf> = shards
        .iter()
        .map(|s| shard_output(scratch.path(), s))
        .collect();
    let merged = scratch.path().join("merged");
    xtask()
        .args(["grade", "merge"])
        .args(&folders)
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(expected))
        .stderr(predicate::str::contains("fix:"));
    assert!(!merged.exists(), "merging {shards:?} wrote grades");
}

#[test]
fn a_merge_with_a_shard_missing_is_refused() {
    check(&["1/3", "3/3"], "shard 2/3 is missing");
}

#[test]
fn a_merge_with_a_shard_twice_is_refused() {
    check(&["1/2", "1/2", "2/2"], "are both shard 1/2");
}

#[test]
fn a_merge_of_two_splits_is_refused() {
    check(&["1/2", "2/3"], "another is of 2 shards");
}

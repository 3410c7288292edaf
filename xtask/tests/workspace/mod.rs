//! Where this workbook and its target folder are, and its own packages: what the tests that
//! build a copy of the workbook (`new_exercise.rs`, `sourced_install.rs`, `colcon_workspace.rs`)
//! need to seed the copy's target folder with this one's third-party dependencies only.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workbook's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// This clone's target folder (`CARGO_TARGET_DIR`, relative to the root when relative).
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root().join(t) })
        .unwrap_or_else(|| root().join("target"))
}

/// The packages of this workspace, whose build output a copy must not get.
pub fn workspace_packages() -> BTreeSet<String> {
    let output = std::process::Command::new(std::env::var_os("CARGO").unwrap())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

/// Every exercise of the catalogue, by number (`1`, `2`, …): what the tests that drive a copy
/// check exercise by exercise (not every test that shares this module does).
#[allow(dead_code)]
pub fn all_exercises() -> Vec<String> {
    let data = std::fs::read_to_string(root().join("exercises/exercises.toml")).unwrap();
    let count = data.matches("[[exercise]]").count();
    (1..=count).map(|n| n.to_string()).collect()
}

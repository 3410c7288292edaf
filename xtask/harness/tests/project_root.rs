//! The rules `project_root` follows: `WORKBOOK_ROOT`, else the workbook root above the runtime
//! `CARGO_MANIFEST_DIR`, else the folder the harness was compiled in.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use workbook_harness::{compiled_project_root, find_project_root, project_root};

/// A folder laid out like a workbook clone: a workspace manifest and the harness beside it.
fn workbook(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("xtask/harness")).unwrap();
    std::fs::create_dir_all(dir.join("exercises/01-speed-server")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    std::fs::write(dir.join("xtask/harness/Cargo.toml"), "[package]\n").unwrap();
    dir.to_path_buf()
}

#[track_caller]
fn check(explicit: Option<&Path>, manifest_dir: Option<&Path>, expected: &Path) {
    let found = find_project_root(
        explicit.map(OsString::from),
        manifest_dir.map(OsString::from),
    );
    assert_eq!(
        found, expected,
        "with WORKBOOK_ROOT={explicit:?} and CARGO_MANIFEST_DIR={manifest_dir:?}"
    );
}

#[test]
fn an_explicit_root_wins() {
    let dir = tempfile::tempdir().unwrap();
    let clone = workbook(&dir.path().join("clone"));
    let other = Path::new("/somewhere/else");
    check(Some(other), Some(&clone.join("xtask")), other);
}

#[test]
fn the_runtime_manifest_dir_is_walked_up_to_the_workbook_root() {
    let dir = tempfile::tempdir().unwrap();
    let clone = workbook(&dir.path().join("clone"));
    check(None, Some(&clone.join("exercises/01-speed-server")), &clone);
    check(None, Some(&clone), &clone);
}

#[test]
fn a_workspace_without_the_harness_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let clone = workbook(&dir.path().join("clone"));
    // Like `grade`'s pristine copy: a workspace of its own inside the project.
    let inner = clone.join(".workbook/grading/build");
    std::fs::create_dir_all(inner.join("exercises/01")).unwrap();
    std::fs::write(inner.join("Cargo.toml"), "[workspace]\n").unwrap();
    check(None, Some(&inner.join("exercises/01")), &clone);
}

#[test]
fn without_either_the_compiled_in_root_is_used() {
    let dir = tempfile::tempdir().unwrap();
    check(None, None, &compiled_project_root());
    check(Some(Path::new("")), None, &compiled_project_root());
    check(None, Some(dir.path()), &compiled_project_root());
}

#[test]
fn under_cargo_test_the_root_is_this_clone() {
    // cargo sets CARGO_MANIFEST_DIR for the test executable it runs; this clone is the one above.
    let resolve = |path: &Path| std::fs::canonicalize(path).unwrap();
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(
        resolve(&project_root()) == resolve(&expected),
        "project_root() is {}, not the clone this test runs in ({})",
        project_root().display(),
        expected.display()
    );
}

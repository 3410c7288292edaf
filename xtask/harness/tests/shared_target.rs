//! Two clones of a tiny workspace sharing one target folder, built by the real cargo: without
//! `target_dir::claim` the second clone runs the first one's program; with it, each runs its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};
use workbook_harness::target_dir::{self, Claim};

/// A workspace like the workbook's in miniature: a program that prints where it was compiled and
/// which clone's library it linked.
fn tiny_workspace(root: &Path, clone: &str) {
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nresolver = \"2\"\nmembers = [\"program\", \"library\"]\n".to_string(),
        ),
        (
            "program/Cargo.toml",
            "[package]\nname = \"program\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nlibrary = { path = \"../library\" }\n"
                .to_string(),
        ),
        (
            "program/src/main.rs",
            "fn main() {\n    println!(\"{} {}\", env!(\"CARGO_MANIFEST_DIR\"), library::CLONE);\n}\n"
                .to_string(),
        ),
        (
            "library/Cargo.toml",
            "[package]\nname = \"library\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".to_string(),
        ),
        (
            "library/src/lib.rs",
            format!("pub const CLONE: &str = \"{clone}\";\n"),
        ),
    ];
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
}

/// Dates every file of a clone back, as a `git clone` made before the other clone's build is.
fn age(root: &Path) {
    let past = SystemTime::now() - Duration::from_secs(30 * 24 * 3600);
    for path in ["Cargo.toml", "program/Cargo.toml", "program/src/main.rs"]
        .into_iter()
        .chain(["library/Cargo.toml", "library/src/lib.rs"])
    {
        let file = std::fs::File::options()
            .write(true)
            .open(root.join(path))
            .unwrap();
        file.set_modified(past).unwrap();
    }
}

/// Builds the clone at `root` into `target` and runs its program: what it printed.
fn build_and_run(root: &Path, target: &Path) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--package", "program"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(root)
        .status()
        .expect("cargo starts");
    assert!(
        status.success(),
        "the tiny workspace at {} builds",
        root.display()
    );
    let output = Command::new(target.join("debug/program"))
        .output()
        .expect("the built program starts");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Two clones, `first` built (and aged after it) and `second` aged before: where both live.
struct Clones {
    _dir: tempfile::TempDir,
    first: PathBuf,
    second: PathBuf,
    target: PathBuf,
}

fn clones() -> Clones {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    tiny_workspace(&first, "first");
    tiny_workspace(&second, "second");
    age(&second);
    let target = dir.path().join("shared-target");
    Clones {
        _dir: dir,
        first,
        second,
        target,
    }
}

fn own_output(root: &Path) -> String {
    let clone = root.file_name().unwrap().to_string_lossy();
    format!("{}/program {clone}", root.display())
}

#[test]
fn without_a_claim_the_second_clone_runs_the_first_clones_program() {
    let clones = clones();
    build_and_run(&clones.first, &clones.target);
    let printed = build_and_run(&clones.second, &clones.target);
    assert_eq!(
        printed,
        own_output(&clones.first),
        "cargo was expected to reuse the first clone's build for the second (older) clone; if it \
         now builds the second clone's own, target_dir's cleaning may no longer be needed"
    );
}

#[test]
fn with_a_claim_each_clone_runs_its_own_program() {
    let clones = clones();
    for root in [&clones.first, &clones.second, &clones.first] {
        target_dir::claim(root, &clones.target).expect("the claim succeeds");
        let printed = build_and_run(root, &clones.target);
        assert_eq!(
            printed,
            own_output(root),
            "after claiming the shared target folder, {} ran another clone's program",
            root.display()
        );
    }
}

#[test]
fn a_claim_cleans_only_when_another_clone_built_there() {
    let clones = clones();
    let first = target_dir::claim(&clones.first, &clones.target).unwrap();
    assert_eq!(
        first,
        Claim::Ours,
        "a new target folder is taken as this clone's"
    );
    build_and_run(&clones.first, &clones.target);
    let again = target_dir::claim(&clones.first, &clones.target).unwrap();
    assert_eq!(
        again,
        Claim::Ours,
        "the same clone claiming again cleans nothing"
    );
    let second = target_dir::claim(&clones.second, &clones.target).unwrap();
    let marked = std::fs::canonicalize(&clones.first).unwrap();
    assert_eq!(
        second,
        Claim::TakenOver { from: Some(marked) },
        "the second clone's claim names the first as the folder's previous user"
    );
    assert!(
        target_dir::same_folder(
            &target_dir::marked_root(&clones.target).unwrap(),
            &clones.second
        ),
        "after its claim the marker names the second clone"
    );
}

#[test]
fn a_clone_cannot_take_over_a_folder_another_clone_is_using() {
    let clones = clones();
    target_dir::claim(&clones.first, &clones.target).unwrap();
    // A process of the first clone still running: it holds the lock shared, as a claim does.
    let mut user = Command::new("flock")
        .arg("--shared")
        .arg(clones.target.join("workbook-root.lock"))
        .args(["sleep", "60"])
        .spawn()
        .expect("util-linux flock starts");
    std::thread::sleep(Duration::from_millis(300));
    let refused = target_dir::claim(&clones.second, &clones.target);
    user.kill().ok();
    user.wait().ok();
    let error = format!("{:#}", refused.expect_err("the take-over is refused"));
    assert!(
        error.contains("in use by another clone") && error.contains("first"),
        "the refusal names the problem and the clone using the folder: {error}"
    );
}

//! A student who arrives with ROS 2 Jazzy sourced: in a fresh copy of the workbook, with an
//! installation laid out as apt's `/opt/ros/jazzy` (real libraries from the pinned wheels, no
//! Rust interface code; see `installation/`) and sourced by its `setup.bash`, `setup` builds
//! `robot_interfaces` and the Rust interfaces into the overlay `.ros/overlay` and nothing into a
//! provisioned prefix, `doctor` names the installation and the overlay, `demo` runs, and the
//! checks pass on the exercises' solutions and fail on their shipped forms. A half-sourced shell
//! and a mixed one get `doctor`'s error with its fix.
//!
//! The copy gets a target folder of its own, seeded with this clone's compiled third-party
//! dependencies (rclrs among them is rebuilt: it compiles against the overlay's Rust
//! interfaces), so no target folder is shared between the two roots. Every step is timed and the
//! times are printed at the end; `WORKBOOK_SOURCED_EXERCISES` (`1,3` or `all`, default `1`)
//! chooses the exercises whose checks run.

mod installation;

use assert_cmd::Command;
use installation::Installation;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use workbook_harness::dependencies::Dependencies;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root().join(t) })
        .unwrap_or_else(|| root().join("target"))
}

/// The variables cargo gave this test from this clone's `.cargo/config.toml` (and its own):
/// the copy's commands must see only what the student's shell has.
const INHERITED: &[&str] = &[
    "ROS_DISTRO",
    "ROS_VERSION",
    "ROS_PYTHON_VERSION",
    "AMENT_PREFIX_PATH",
    "CMAKE_PREFIX_PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "ROS_AUTOMATIC_DISCOVERY_RANGE",
    "ROS_LOCALHOST_ONLY",
    "FASTRTPS_DEFAULT_PROFILES_FILE",
    "FASTDDS_DEFAULT_PROFILES_FILE",
    "WORKBOOK_ROOT",
    "CARGO_MANIFEST_DIR",
    "CARGO_PKG_NAME",
];

/// The copy of the workbook, and how long each step took.
struct Student {
    clone: PathBuf,
    times: Vec<(String, Duration)>,
}

impl Student {
    /// `cargo xtask <args>` in a shell that ran `shell_setup` first, as the student types it.
    fn xtask(&mut self, shell_setup: &str, args: &str, minutes: u64) -> (bool, String) {
        let cargo = std::env::var("CARGO").unwrap();
        let script = format!(
            "{shell_setup}\ncd {}\n{cargo} xtask {args}",
            self.clone.display()
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-c", &script])
            .env("CARGO_TARGET_DIR", self.clone.join("target"))
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(minutes * 60));
        for name in INHERITED {
            command.env_remove(name);
        }
        let began = Instant::now();
        let output = command.output().unwrap();
        self.times.push((format!("xtask {args}"), began.elapsed()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }
}

/// Copies the workbook's files as they are now (tracked and new, not ignored): what a student
/// would clone, with this clone's uncommitted changes.
fn copy_workbook(to: &Path) {
    let listing = std::process::Command::new("git")
        .arg("-C")
        .arg(root())
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .unwrap();
    assert!(
        listing.status.success(),
        "git ls-files failed in {}",
        root().display()
    );
    for name in listing.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let relative = Path::new(std::str::from_utf8(name).unwrap());
        let from = root().join(relative);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = to.join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
}

/// The packages of this workspace, whose build output the copy must not get.
fn workspace_packages() -> BTreeSet<String> {
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

/// Seeds the copy's target folder with this one's third-party dependencies. Cargo rewrites a
/// rebuilt build script's records and dep-info in place, which through a hard link would change
/// this clone's files too, so those are the copy's own files; compiled libraries stay links
/// (rustc replaces them, it never writes into them).
fn seed_target(target_of_copy: &Path) {
    Dependencies::survey(&target(), &workspace_packages())
        .unwrap()
        .plant(target_of_copy)
        .unwrap();
    let profile = target_of_copy.join("debug");
    own_files(&profile.join("build"));
    own_files(&profile.join(".fingerprint"));
    for entry in std::fs::read_dir(profile.join("deps")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "d") {
            own_file(&entry.path());
        }
    }
}

fn own_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            own_files(&entry.path());
        } else if kind.is_file() {
            own_file(&entry.path());
        }
    }
}

fn own_file(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let permissions = std::fs::metadata(path).unwrap().permissions();
    std::fs::remove_file(path).unwrap();
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, permissions).unwrap();
}

/// The exercises whose checks run: `WORKBOOK_SOURCED_EXERCISES`, default exercise 1.
fn exercises() -> Vec<String> {
    let chosen = std::env::var("WORKBOOK_SOURCED_EXERCISES").unwrap_or_else(|_| "1".into());
    if chosen == "all" {
        let data = std::fs::read_to_string(root().join("exercises/exercises.toml")).unwrap();
        let count = data.matches("[[exercise]]").count();
        return (1..=count).map(|n| n.to_string()).collect();
    }
    chosen.split(',').map(|n| n.trim().to_string()).collect()
}

#[track_caller]
fn expect(what: &str, (ok, text): (bool, String), success: bool, says: &[&str]) -> String {
    assert_eq!(
        ok,
        success,
        "{what}: expected {}, it {}; it printed:\n{text}",
        if success { "success" } else { "failure" },
        if ok { "succeeded" } else { "failed" },
    );
    for words in says {
        assert!(
            text.contains(words),
            "{what}: expected it to say `{words}`; it printed:\n{text}"
        );
    }
    text
}

#[test]
#[ignore = "long (it builds the workbook again against the installation): `cargo xtask test` runs it \
            as a stage of its own, `cargo test -p xtask --test sourced_install -- --ignored` alone"]
fn a_sourced_jazzy_gets_an_overlay_and_the_whole_loop_works_on_it() {
    let began = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let provisioned = root().join(".ros/prefix");
    let installation = Installation::lay_out(&provisioned, &scratch.path().join("machine"));
    let clone = scratch.path().join("workbook");
    copy_workbook(&clone);
    seed_target(&clone.join("target"));
    let mut student = Student {
        clone: clone.clone(),
        times: vec![(
            "laying out /opt/ros/jazzy, copying the workbook".into(),
            began.elapsed(),
        )],
    };
    let prefix = installation.prefix.display().to_string();
    let sourced = installation.sourcing();

    // Half-sourced: the installation's libraries on LD_LIBRARY_PATH, nothing else of it.
    expect(
        "doctor in a half-sourced shell",
        student.xtask(
            &format!("export LD_LIBRARY_PATH={prefix}/lib"),
            "doctor",
            30,
        ),
        false,
        &[
            "half-sourced",
            &prefix,
            "source that installation's setup.bash completely",
        ],
    );
    // Mixed: the Jazzy installation sourced, then another distribution's name.
    let mixed = format!("{sourced} && export ROS_DISTRO=humble");
    for verb in ["doctor", "setup"] {
        expect(
            &format!("{verb} with the Jazzy installation and ROS_DISTRO=humble"),
            student.xtask(&mixed, verb, 5),
            false,
            &[
                "ROS_DISTRO=humble but the installation at",
                "is ROS 2 jazzy",
                "fresh shell",
            ],
        );
    }
    // A distribution's name without its installation.
    expect(
        "doctor with ROS_DISTRO=humble and no Humble installation",
        student.xtask("export ROS_DISTRO=humble", "doctor", 5),
        false,
        &[
            "ROS_DISTRO=humble is set but no ROS 2 installation",
            "unset ROS_DISTRO",
        ],
    );

    expect(
        "setup on the sourced installation",
        student.xtask(&sourced, "setup", 30),
        true,
        &[
            "sourced ROS 2 jazzy + workbook overlay",
            "robot_interfaces",
            "Rust interfaces",
        ],
    );
    let overlay = clone.join(".ros/overlay");
    for built in [
        "share/robot_interfaces/package.xml",
        "share/robot_interfaces/rust/Cargo.toml",
        "share/builtin_interfaces/rust/Cargo.toml",
        "share/rcl_interfaces/rust/Cargo.toml",
    ] {
        assert!(
            overlay.join(built).is_file(),
            "setup made .ros/overlay/{built}"
        );
    }
    assert!(
        !clone.join(".ros/prefix").exists(),
        "setup on a sourced installation provisions nothing (.ros/prefix exists)"
    );
    assert!(
        !installation
            .prefix
            .join("share/builtin_interfaces/rust")
            .exists(),
        "setup wrote nothing into the sourced installation"
    );
    expect(
        "setup a second time",
        student.xtask(&sourced, "setup", 2),
        true,
        &["up to date"],
    );
    expect(
        "doctor on the sourced installation",
        student.xtask(&sourced, "doctor", 10),
        true,
        &[
            &format!("ROS 2 jazzy, sourced ({prefix})"),
            ".ros/overlay",
            "the sourced installation only, plus the overlay",
        ],
    );
    expect(
        "demo",
        student.xtask(&sourced, "demo", 20),
        true,
        &["Everything behaved"],
    );
    for exercise in exercises() {
        expect(
            &format!("check {exercise} --solution"),
            student.xtask(&sourced, &format!("check {exercise} --solution"), 20),
            true,
            &["✓"],
        );
        expect(
            &format!("check {exercise} on the shipped exercise"),
            student.xtask(&sourced, &format!("check {exercise}"), 20),
            false,
            &["✗"],
        );
    }

    println!("time per step (on this machine, with whatever else it was running):");
    for (step, took) in &student.times {
        println!("  {:>7.1} s  {step}", took.as_secs_f64());
    }
    println!("  {:>7.1} s  in all", began.elapsed().as_secs_f64());
}

//! A student's copy of the workbook and the commands they type in it, for the tests that drive a
//! fresh copy from a shell of their own (`sourced_install.rs`, `colcon_workspace.rs`): the copy
//! (what a clone would hold, with this clone's uncommitted changes), its own target folder seeded
//! with this clone's third-party dependencies, and each command timed.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use workbook_harness::dependencies::Dependencies;

use crate::workspace::{root, target, workspace_packages};

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
pub struct Student {
    pub clone: PathBuf,
    pub times: Vec<(String, Duration)>,
}

impl Student {
    /// A copy of the workbook (with this clone's uncommitted changes) at `clone`, its target
    /// folder seeded, with the time since `began` as its first step, `preparing`.
    pub fn copy_to(clone: &Path, preparing: &str, began: Instant) -> Student {
        copy_workbook(clone);
        seed_target(&clone.join("target"));
        Student {
            clone: clone.to_path_buf(),
            times: vec![(preparing.to_string(), began.elapsed())],
        }
    }

    /// `cargo xtask <args>` in a shell that ran `shell_setup` first, as the student types it.
    pub fn xtask(&mut self, shell_setup: &str, args: &str, minutes: u64) -> (bool, String) {
        let cargo = std::env::var("CARGO").unwrap();
        let clone = self.clone.clone();
        let result = self.shell(
            shell_setup,
            &clone,
            &format!("{cargo} xtask {args}"),
            minutes,
        );
        if let Some(last) = self.times.last_mut() {
            last.0 = format!("xtask {args}");
        }
        result
    }

    /// `command` in `folder`, in a shell that ran `shell_setup` first and has nothing of this
    /// clone's environment (cargo's target folder is the copy's own).
    pub fn shell(
        &mut self,
        shell_setup: &str,
        folder: &Path,
        command: &str,
        minutes: u64,
    ) -> (bool, String) {
        let script = format!("{shell_setup}\ncd {}\n{command}", folder.display());
        let mut bash = Command::new("bash");
        bash.args(["--noprofile", "--norc", "-c", &script])
            .env("CARGO_TARGET_DIR", self.clone.join("target"))
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(minutes * 60));
        for name in INHERITED {
            bash.env_remove(name);
        }
        let began = Instant::now();
        let output = bash.output().unwrap();
        self.times.push((command.to_string(), began.elapsed()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Prints the time of every step, and of the whole test since `began`.
    pub fn print_times(&self, began: Instant) {
        println!("time per step (on this machine, with whatever else it was running):");
        for (step, took) in &self.times {
            println!("  {:>7.1} s  {step}", took.as_secs_f64());
        }
        println!("  {:>7.1} s  in all", began.elapsed().as_secs_f64());
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

/// Seeds the copy's target folder with this one's third-party dependencies (cargo builds in it,
/// so the records it rewrites are the copy's own files).
fn seed_target(target_of_copy: &Path) {
    Dependencies::survey(&target(), &workspace_packages())
        .unwrap()
        .plant_writable(target_of_copy)
        .unwrap();
}

#[track_caller]
pub fn expect(what: &str, (ok, text): (bool, String), success: bool, says: &[&str]) -> String {
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

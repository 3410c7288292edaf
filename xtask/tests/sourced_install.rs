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
mod workspace;

use installation::student::{expect, Student};
use installation::Installation;
use std::time::Instant;
use workspace::{all_exercises, root};

/// The exercises whose checks run: `WORKBOOK_SOURCED_EXERCISES`, default exercise 1.
fn exercises() -> Vec<String> {
    let chosen = std::env::var("WORKBOOK_SOURCED_EXERCISES").unwrap_or_else(|_| "1".into());
    if chosen == "all" {
        return all_exercises();
    }
    chosen.split(',').map(|n| n.trim().to_string()).collect()
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
    let mut student = Student::copy_to(
        &clone,
        "laying out /opt/ros/jazzy, copying the workbook",
        began,
    );
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

    student.print_times(began);
}

//! A student who lives in a colcon workspace: the workbook (a fresh copy) in `<ws>/src/`, ROS 2
//! Jazzy laid out as apt's `/opt/ros/jazzy` and sourced (`installation/`), and colcon from PyPI
//! with ros2_rust's colcon-cargo and colcon-ros-cargo (`colcon/requirements.txt`, pinned,
//! installed into a venv of the per-user cache). colcon finds `robot_interfaces` (the root
//! `Cargo.toml` names `srv/` for colcon-cargo) and, through colcon-cargo, the workbook's crates;
//! `colcon build --packages-select robot_interfaces` builds it into `<ws>/install`; with that
//! sourced, `cargo xtask setup` takes the sourced route, `doctor` names the colcon workspace,
//! and exercise 1's checks pass on its solution. Every step is timed.

mod installation;
mod workspace;

use installation::student::{expect, Student};
use installation::Installation;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use workspace::root;

/// The colcon venv for the pins of `colcon/requirements.txt`, installed once per pin set
/// beside the provisioned prefix (`<cache>/colcon-<hash>`), by the provisioned venv's Python
/// (the one the ROS 2 wheels were installed for).
fn colcon(provisioned: &Path) -> PathBuf {
    let requirements = root().join("xtask/tests/colcon/requirements.txt");
    let pins = std::fs::read(&requirements).unwrap();
    let hash: String = sha2::Sha256::digest(&pins)[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let prefix = std::fs::canonicalize(provisioned).expect("the provisioned prefix (setup)");
    let venv = prefix.parent().unwrap().join(format!("colcon-{hash}"));
    let colcon = venv.join("bin/colcon");
    let ready = venv.join("installed");
    if ready.is_file() {
        return colcon;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let run = |command: &mut Command, what: &str| {
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{what} failed (is PyPI reachable?):\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(
        Command::new(prefix.join("bin/python"))
            .args(["-m", "venv"])
            .arg(&venv),
        "creating the colcon venv",
    );
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--disable-pip-version-check", "--quiet", "-r"])
            .arg(&requirements),
        "pip install -r xtask/tests/colcon/requirements.txt",
    );
    std::fs::write(&ready, "").unwrap();
    colcon
}

#[test]
#[ignore = "long (colcon, then the workbook built again against the installation): `cargo xtask \
            test` runs it as a stage, `cargo test -p xtask --test colcon_workspace -- --ignored` alone"]
fn a_colcon_workspace_builds_robot_interfaces_and_cargo_builds_the_rest() {
    let began = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let provisioned = root().join(".ros/prefix");
    let installation = Installation::lay_out(&provisioned, &scratch.path().join("machine"));
    let colcon = colcon(&provisioned).display().to_string();
    let workspace = scratch.path().join("ros2_ws");
    let clone = workspace.join("src/rclrs-services-workbook");
    let mut student = Student::copy_to(
        &clone,
        "laying out /opt/ros/jazzy, colcon, copying the workbook",
        began,
    );
    let sourced = installation.sourcing();

    let listed = expect(
        "colcon list",
        student.shell(&sourced, &workspace, &format!("{colcon} list"), 2),
        true,
        &[
            "robot_interfaces\tsrc/rclrs-services-workbook/srv\t(ros.ament_cmake)",
            // colcon-cargo takes the crates for colcon packages: why the build selects.
            "solution-speed-server\tsrc/rclrs-services-workbook/solutions/01-speed-server\t(cargo)",
        ],
    );
    assert!(
        !listed.contains("xtask/ros2-cli\t(ros"),
        "colcon list: only srv/ is a ROS package; it printed:\n{listed}"
    );
    expect(
        "colcon build --packages-select robot_interfaces",
        student.shell(
            &sourced,
            &workspace,
            &format!("{colcon} build --packages-select robot_interfaces"),
            15,
        ),
        true,
        &["Finished <<< robot_interfaces", "1 package finished"],
    );
    let installed = workspace.join("install/robot_interfaces");
    for built in [
        "share/robot_interfaces/package.xml",
        "lib/librobot_interfaces__rosidl_typesupport_c.so",
    ] {
        assert!(
            installed.join(built).is_file(),
            "colcon build made install/robot_interfaces/{built}"
        );
    }

    let both = format!(
        "{sourced} && source {}/install/setup.bash",
        workspace.display()
    );
    expect(
        "setup in the colcon workspace's shell",
        student.xtask(&both, "setup", 30),
        true,
        &["sourced ROS 2 jazzy + workbook overlay", "Rust interfaces"],
    );
    assert!(
        clone
            .join(".ros/overlay/share/robot_interfaces/rust/Cargo.toml")
            .is_file(),
        "setup generated robot_interfaces' Rust crate into .ros/overlay"
    );
    expect(
        "doctor in the colcon workspace's shell",
        student.xtask(&both, "doctor", 10),
        true,
        &[
            &format!("ROS 2 jazzy, sourced ({})", installation.prefix.display()),
            &format!("colcon workspace {}", workspace.join("install").display()),
            ".ros/overlay",
        ],
    );
    expect(
        "check 1 --solution",
        student.xtask(&both, "check 1 --solution", 20),
        true,
        &["✓"],
    );
    student.print_times(began);
}

//! `ros2 interface show | list | package` against the interface packages installed in the
//! environment (no nodes needed). Expected texts are ros2cli's format: the definition as
//! written, nested message types expanded one tab deeper without their comments.

use std::process::Command;
use std::time::Duration;
use workbook_harness::{project_root, run_to_end, Environment, Output};

fn ros2(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ros2"));
    command.args(args);
    Environment::detect(&project_root()).apply(&mut command);
    run_to_end("ros2", command, Duration::from_secs(20)).expect("ros2 runs")
}

#[track_caller]
fn check(args: &[&str], code: i32, expected: &str) {
    let output = ros2(args);
    assert_eq!(
        (output.code, output.text.as_str()),
        (Some(code), expected),
        "`ros2 {}` printed something else",
        args.join(" ")
    );
}

#[test]
fn show_prints_the_workbook_srv_exactly_as_written() {
    let written = std::fs::read_to_string(project_root().join("srv/srv/SetSpeed.srv"))
        .expect("srv/srv/SetSpeed.srv");
    let expected: String = written
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    check(
        &["interface", "show", "robot_interfaces/srv/SetSpeed"],
        0,
        &expected,
    );
}

#[test]
fn show_expands_nested_types_one_tab_deeper_without_comments() {
    check(
        &["interface", "show", "test_msgs/msg/Nested"],
        0,
        "BasicTypes basic_types_value\n\tbool bool_value\n\tbyte byte_value\n\tchar char_value\n\t\
         float32 float32_value\n\tfloat64 float64_value\n\tint8 int8_value\n\tuint8 uint8_value\n\t\
         int16 int16_value\n\tuint16 uint16_value\n\tint32 int32_value\n\tuint32 uint32_value\n\t\
         int64 int64_value\n\tuint64 uint64_value\n",
    );
    let service = ros2(&["interface", "show", "service_msgs/msg/ServiceEventInfo"]);
    assert!(
        service
            .text
            .contains("builtin_interfaces/Time stamp\n\tint32 sec\n\tuint32 nanosec\n"),
        "the Time stamp should be expanded without its comments:\n{}",
        service.text
    );
}

#[test]
fn list_and_package_name_the_installed_interfaces() {
    let list = ros2(&["interface", "list"]);
    assert_eq!(list.code, Some(0), "{}", list.text);
    for line in [
        "Messages:\n",
        "    std_msgs/msg/String\n",
        "Services:\n",
        "    robot_interfaces/srv/SetSpeed\n",
        "    std_srvs/srv/SetBool\n",
        "Actions:\n",
    ] {
        assert!(
            list.text.contains(line),
            "missing {line:?} in:\n{}",
            list.text
        );
    }
    check(
        &["interface", "package", "robot_interfaces"],
        0,
        "robot_interfaces/srv/GetStatus\nrobot_interfaces/srv/SetSpeed\n",
    );
    check(&["interface", "list", "-a"], 0, &{
        let actions = list.text.split("Actions:\n").nth(1).unwrap_or_default();
        format!("Actions:\n{actions}")
    });
}

#[test]
fn unknown_interfaces_are_refused_as_ros2cli_does() {
    check(
        &["interface", "package", "no_such_package"],
        1,
        "Unknown package 'no_such_package'\n  fix: see the packages with interfaces in `ros2 interface list`\n",
    );
    let missing = ros2(&["interface", "show", "std_msgs/msg/NoSuchType"]);
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.text.starts_with("Could not find the interface '")
            && missing
                .text
                .contains("share/std_msgs/msg/NoSuchType.idl'\n"),
        "{}",
        missing.text
    );
    check(
        &["interface", "show", "std_msgs/String"],
        1,
        "Invalid name 'std_msgs/String'. Expected three parts separated by '/'\n  fix: write the \
         type as package/kind/Name, e.g. robot_interfaces/srv/SetSpeed\n",
    );
}

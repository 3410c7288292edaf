//! On Humble, `ros2 service info` and `ros2 service echo` do not exist (Humble's ros2cli has
//! neither, and its services publish no introspection events): the tool says so with what to
//! use instead, before it touches the graph. The same binary on Jazzy's `ROS_DISTRO` goes on to
//! the graph (and, with no such service, says that instead).

use std::process::Command;
use std::time::Duration;
use workbook_harness::{project_root, run_to_end, Environment, Output};

fn ros2_on(distro: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ros2"));
    command.args(args);
    Environment::detect(&project_root()).apply(&mut command);
    command.env("ROS_DISTRO", distro);
    run_to_end("ros2", command, Duration::from_secs(20)).expect("ros2 runs")
}

#[track_caller]
fn check(distro: &str, verb: &str, says: &str) {
    let output = ros2_on(distro, &["service", verb, "/no_such_service"]);
    assert_eq!(
        output.code,
        Some(1),
        "`ros2 service {verb}` on {distro} fails"
    );
    assert!(
        output.text.contains(says),
        "`ros2 service {verb}` on {distro} should say `{says}`; it printed:\n{}",
        output.text
    );
}

#[test]
fn service_info_and_echo_say_they_do_not_exist_on_humble_in_either_spelling() {
    check(
        "humble",
        "info",
        "`ros2 service info` does not exist on ROS 2 humble",
    );
    check(
        "Humble",
        "echo",
        "`ros2 service echo` does not exist on ROS 2 humble",
    );
    check("humble", "info", "ros2 node info");
}

#[test]
fn service_info_on_jazzy_goes_to_the_graph() {
    let output = ros2_on("jazzy", &["service", "info", "/no_such_service"]);
    assert!(
        !output.text.contains("does not exist on ROS 2"),
        "on Jazzy the verb exists; it printed:\n{}",
        output.text
    );
}

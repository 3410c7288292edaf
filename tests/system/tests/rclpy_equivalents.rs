//! The rclpy programs the book shows beside the Rust ones (`tests/peers/rclpy_*.py`) really are
//! equivalent: each runs against the Rust reference programs, in its own ROS domain, and gives the
//! answers the Rust program gives.

use std::time::Duration;
use system_tests::{last_line, Output, ReferencePrograms, World, CALL_DEADLINE, START_DEADLINE};
use workbook_harness::NodeProcess;

/// Speeds that cover both limits, both sides of them and the extremes of `int32`.
const SPEEDS: [i32; 7] = [0, 100, -1, 101, 42, i32::MIN, i32::MAX];

/// Starts an rclpy peer and waits until it prints its ready line.
fn start_rclpy(world: &World, script: &str, args: &[&str]) -> NodeProcess {
    let mut command = world.rclpy(script);
    command.args(args);
    let mut process = world.start(script, command);
    process
        .wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("{script} did not start: {error:#}"));
    process
}

/// What the Rust client printed and returned for each speed.
fn ask_each(world: &World) -> Vec<(i32, String, Option<i32>)> {
    SPEEDS
        .iter()
        .map(|speed| {
            let output = world.speed_client(&[&speed.to_string()]);
            (*speed, last_line(&output).to_string(), output.code)
        })
        .collect()
}

// ANCHOR: same_answers
#[test]
fn rust_client_gets_the_same_answers_from_the_rclpy_server_as_from_the_rust_one() {
    let world = World::new();
    let rust = {
        let _server = world.start_speed_server();
        ask_each(&world)
    }; // the Rust server stops here: the guard dropped
    let python = {
        let _server = start_rclpy(&world, "rclpy_speed_server.py", &[]);
        ask_each(&world)
    };
    assert_eq!(
        python, rust,
        "speed_client should get the same answers (line, exit code) from rclpy_speed_server.py \
         as from speed_server"
    );
}
// ANCHOR_END: same_answers

#[test]
fn rclpy_server_stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let mut server = start_rclpy(&world, "rclpy_speed_server.py", &[]);
    server.interrupt();
    let output = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("rclpy_speed_server.py stops after Ctrl-C");
    assert_eq!(
        output.code,
        Some(0),
        "rclpy_speed_server.py should exit 0 on Ctrl-C; it printed:\n{}",
        output.text
    );
}

#[test]
fn rclpy_robot_status_counts_like_the_rust_one() {
    let world = World::new();
    let _server = start_rclpy(&world, "rclpy_robot_status.py", &[]);
    for speed in ["30", "300", "70"] {
        world.speed_client(&[speed]);
    }
    let status = world.rclpy_client(&["get_status"]);
    assert_eq!(
        status.code,
        Some(0),
        "get_status got no answer:\n{}",
        status.text
    );
    let line = last_line(&status);
    assert!(
        line.starts_with("speed=70 accepted_count=2 refused_count=1 uptime_seconds="),
        "after 30, 300 and 70 the status should be speed 70, 2 accepted, 1 refused; it was: {line}"
    );
}

/// Runs an async client (Rust or rclpy) to its end with the same arguments.
fn run_async(world: &World, mut command: std::process::Command) -> Output {
    command.args(["10", "200", "30", "--every", "0.2", "--timeout", "2"]);
    world.run("async client", command, CALL_DEADLINE)
}

#[test]
fn rclpy_async_client_reports_like_the_rust_one() {
    let world = World::new();
    let _server = world.start_speed_server();
    let rust = run_async(&world, world.reference("async_client"));
    let python = run_async(&world, world.rclpy("rclpy_async_client.py"));
    assert_eq!(
        (python.code, python.text.trim()),
        (rust.code, rust.text.trim()),
        "rclpy_async_client.py should print and return what async_client does"
    );
    assert_eq!(
        rust.code,
        Some(0),
        "every request should be answered:\n{}",
        rust.text
    );
}

#[test]
fn rclpy_async_client_reports_no_server_like_the_rust_one() {
    let world = World::new();
    let mut rust = world.reference("async_client");
    let mut python = world.rclpy("rclpy_async_client.py");
    for command in [&mut rust, &mut python] {
        command.args([
            "10",
            "20",
            "--every",
            "0.2",
            "--wait",
            "0.5",
            "--timeout",
            "1",
        ]);
    }
    let rust = world.run("async_client", rust, CALL_DEADLINE);
    let python = world.run("rclpy_async_client.py", python, CALL_DEADLINE);
    assert_eq!(
        (python.code, python.text.trim()),
        (rust.code, rust.text.trim()),
        "with no server, both clients should report every request as `no server` and exit 1"
    );
}

#[test]
fn rclpy_speed_publisher_publishes_changes_only_like_the_rust_one() {
    let world = World::new();
    for name in ["speed_reporter", "rclpy_speed_publisher.py"] {
        // One robot at a time: both serve /set_speed and publish /speed.
        let mut robot = if name == "speed_reporter" {
            let mut server = world.start(name, world.reference(name));
            server
                .wait_for_line("ready", START_DEADLINE)
                .unwrap_or_else(|error| panic!("speed_reporter did not start: {error:#}"));
            server
        } else {
            start_rclpy(&world, name, &[])
        };
        let mut monitor = start_rclpy(&world, "rclpy_speed_monitor.py", &[]);
        for speed in ["10", "10", "150", "20"] {
            world.speed_client(&[speed]);
        }
        monitor
            .wait_for_line("speed 20", CALL_DEADLINE)
            .unwrap_or_else(|error| panic!("{name}: the monitor never heard speed 20: {error:#}"));
        let heard: Vec<String> = monitor
            .stop()
            .expect("the monitor stops")
            .text
            .lines()
            .filter(|line| line.starts_with("speed "))
            .map(str::to_string)
            .collect();
        assert_eq!(
            heard,
            ["speed 10", "speed 20"],
            "{name} should publish each change once, and neither the repeat nor the refusal"
        );
        robot.stop().expect("the robot stops");
    }
}

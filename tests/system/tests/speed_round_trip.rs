//! The first SetSpeed server and client, as separate processes over real ROS 2 (Fast DDS), with
//! rclpy as an independent peer. Each test has its own ROS domain; every process is killed when
//! the test ends.

use std::time::{Duration, Instant};
use system_tests::{last_line, ReferencePrograms, World};

#[path = "../../suites/common.rs"]
mod common;

#[test]
fn client_and_server_agree_on_an_accepted_speed() {
    let world = World::new();
    let _server = world.start_speed_server();
    let output = world.speed_client(&["42"]);
    assert_eq!(
        output.code,
        Some(0),
        "speed_client 42 should exit 0 (accepted); it printed:\n{}",
        output.text
    );
    assert_eq!(last_line(&output), "accepted: speed set to 42");
}

#[test]
fn speeds_outside_0_to_100_are_refused_with_a_reason() {
    let world = World::new();
    let _server = world.start_speed_server();
    for (speed, reason) in [
        ("101", "refused: speed 101 is above the maximum of 100"),
        ("-1", "refused: speed -1 is below the minimum of 0"),
    ] {
        let output = world.speed_client(&[speed]);
        assert_eq!(
            output.code,
            Some(1),
            "speed_client {speed} should exit 1 (refused); it printed:\n{}",
            output.text
        );
        assert_eq!(last_line(&output), reason);
    }
}

#[test]
fn rclpy_client_gets_the_same_answers_as_the_rust_client() {
    let world = World::new();
    let _server = world.start_speed_server();
    for speed in [0, 100, -1, 101, 42, i32::MIN, i32::MAX] {
        let speed = speed.to_string();
        let rust = world.speed_client(&[&speed]);
        let python = world.rclpy_client(&["set_speed", &speed]);
        assert_eq!(
            python.code,
            Some(0),
            "the rclpy client got no answer for {speed}:\n{}",
            python.text
        );
        let (verdict, message) = last_line(&rust)
            .split_once(": ")
            .unwrap_or_else(|| panic!("unexpected speed_client output: {}", rust.text));
        let expected = format!(
            "success={} message={message}",
            if verdict == "accepted" {
                "true"
            } else {
                "false"
            }
        );
        assert_eq!(
            last_line(&python),
            expected,
            "rclpy and rclrs clients disagree about speed {speed}"
        );
    }
}

#[test]
fn get_status_counts_what_was_accepted_and_refused() {
    let world = World::new();
    let _server = world.start_speed_server();
    world.speed_client(&["30"]);
    world.speed_client(&["300"]);
    world.speed_client(&["70"]);
    let status = world.rclpy_client(&["get_status"]);
    assert_eq!(status.code, Some(0), "get_status failed:\n{}", status.text);
    let line = last_line(&status);
    assert!(
        line.starts_with("speed=70 accepted_count=2 refused_count=1 uptime_seconds="),
        "unexpected status: {line}"
    );
}

#[test]
fn client_without_a_server_gives_up_in_time_with_exit_code_2() {
    let world = World::new();
    let started = Instant::now();
    let output = world.speed_client(&["42", "--timeout", "1"]);
    let took = started.elapsed();
    assert_eq!(
        output.code,
        Some(2),
        "with no server, speed_client should exit 2; it printed:\n{}",
        output.text
    );
    assert!(
        output.text.contains("no server"),
        "the message should say that no server answered:\n{}",
        output.text
    );
    assert!(
        took < Duration::from_secs(15),
        "a 1 s timeout took {took:?} to give up"
    );
}

#[test]
fn server_stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let mut server = world.start_speed_server();
    // Ctrl-C once the server answers, as a person would: in rclrs 0.8 `Executor::spin` clears
    // the halt flag when it starts, so a Ctrl-C between "ready" and the start of spinning is
    // lost.
    common::wait_until_callable(&world, "/set_speed", Duration::from_secs(20), &mut server)
        .expect("speed_server answers before it is stopped");
    server.interrupt();
    let output = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("speed_server stops after Ctrl-C");
    assert_eq!(
        output.code,
        Some(0),
        "speed_server should exit 0 on Ctrl-C; it printed:\n{}",
        output.text
    );
}

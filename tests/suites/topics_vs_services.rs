//! Exercise 5's checks: the node `speed_reporter` serves `/set_speed` and publishes its current
//! speed on the topic `/speed` (std_msgs/msg/Int32) whenever an accepted request changes it.
//!
//! The checks put the two ways of talking side by side: an rclpy subscriber sees each change
//! once, a subscriber that joins late misses what came before, and a service call always gets
//! its one answer, listener or not. The crate that includes this file names the program in
//! `super::PROGRAM`.

use crate::common::Probe;
use std::thread;
use std::time::{Duration, Instant};
use workbook_harness::{expect, fail, programs, NodeProcess, World};

const APPEAR: Duration = Duration::from_secs(8);
/// The longest published messages may take to reach the subscriber (loaded machine).
const SETTLE: Duration = Duration::from_secs(3);
/// How long to listen on for extra messages once the expected number has arrived: a repeat or
/// a refusal is published right beside the change it follows.
const EXTRA: Duration = Duration::from_millis(300);

/// Starts the program under test, and a probe once it serves `/set_speed`.
fn start_robot(world: &World) -> (NodeProcess, Probe) {
    let mut robot = launch_robot(world);
    let probe = found(world, &mut robot);
    (robot, probe)
}

/// Starts the program under test without waiting for it.
fn launch_robot(world: &World) -> NodeProcess {
    let command = world.command(programs::under_test(super::PROGRAM));
    world.start("your speed_reporter", command)
}

/// A probe that has found `robot`'s `/set_speed`, or the check's failure.
fn found(world: &World, robot: &mut NodeProcess) -> Probe {
    Probe::start(world, "/set_speed", APPEAR, robot).unwrap_or_else(|error| {
        fail(
            "your program to serve /set_speed within 8 s",
            format!("{error}\nYour program printed:\n{}", robot.transcript()),
        )
    })
}

/// Starts the rclpy subscriber of `/speed` without waiting for it ([`ready`] does).
fn launch_monitor(world: &World) -> NodeProcess {
    world.start(
        "rclpy_speed_monitor.py",
        world.rclpy("rclpy_speed_monitor.py"),
    )
}

/// Waits until the subscriber has matched the robot's publisher.
fn ready(monitor: &mut NodeProcess) {
    if let Err(error) = monitor.wait_for_line("ready", Duration::from_secs(40)) {
        fail("an rclpy subscriber of /speed to start", error);
    }
}

/// Sends speeds from the check's probe; returns its answer lines.
fn set(probe: &mut Probe, speeds: &[&str]) -> Vec<String> {
    probe
        .ask(speeds)
        .unwrap_or_else(|error| fail(format!("answers to {}", speeds.join(", ")), error))
}

/// The speeds the monitor heard: once it has heard `count` (or after [`SETTLE`]), and [`EXTRA`]
/// longer for any it should not have.
fn hear(monitor: &NodeProcess, count: usize) -> Vec<i32> {
    let end = Instant::now() + SETTLE;
    while heard(monitor).len() < count && Instant::now() < end {
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(EXTRA);
    heard(monitor)
}

/// The speeds the monitor printed so far.
fn heard(monitor: &NodeProcess) -> Vec<i32> {
    monitor
        .transcript()
        .lines()
        .filter_map(|l| l.strip_prefix("speed ")?.trim().parse().ok())
        .collect()
}

#[test]
fn serves_set_speed_and_publishes_on_speed() {
    let world = World::new();
    let _robot = start_robot(&world);
    let service = world
        .wait_for_service("/set_speed", APPEAR)
        .unwrap_or_else(|error| fail("/set_speed in the graph", error));
    expect(
        service.types == ["robot_interfaces/srv/SetSpeed"]
            && service.nodes.iter().any(|n| n == "/speed_reporter"),
        "/set_speed (robot_interfaces/srv/SetSpeed) served by the node /speed_reporter",
        || {
            format!(
                "types {}, nodes {}",
                service.types.join(", "),
                service.nodes.join(", ")
            )
        },
    );
    match world.wait_for_topic("/speed", APPEAR) {
        Ok(topic) => expect(
            topic.types == ["std_msgs/msg/Int32"]
                && topic.nodes.iter().any(|n| n == "/speed_reporter"),
            "the topic /speed (std_msgs/msg/Int32) published by /speed_reporter",
            || {
                format!(
                    "types {}, publishers {}",
                    topic.types.join(", "),
                    topic.nodes.join(", ")
                )
            },
        ),
        Err(error) => fail("a publisher on /speed", error),
    }
}

#[test]
fn each_accepted_change_is_published_once() {
    let world = World::new();
    let mut robot = launch_robot(&world);
    // Python starts while the robot does; `ready` waits until it has matched the publisher.
    let mut monitor = launch_monitor(&world);
    let mut probe = found(&world, &mut robot);
    ready(&mut monitor);
    set(&mut probe, &["10", "20", "20", "200", "-3", "30"]);
    let got = hear(&monitor, 3);
    expect(
        got == [10, 20, 30],
        "the subscriber to hear 10, 20, 30 (20 twice is one change; 200 and -3 are refused)",
        || format!("it heard {}", numbers(&got)),
    );
}

#[test]
fn a_late_subscriber_misses_earlier_changes() {
    let world = World::new();
    let (_robot, mut probe) = start_robot(&world);
    set(&mut probe, &["10", "20"]);
    let mut monitor = launch_monitor(&world);
    ready(&mut monitor);
    set(&mut probe, &["30"]);
    let got = hear(&monitor, 1);
    expect(
        got == [30],
        "a subscriber that joined after 10 and 20 to hear only 30 (default QoS keeps no history for latecomers)",
        || format!("it heard {}", numbers(&got)),
    );
}

#[test]
fn a_call_gets_its_one_answer_with_nobody_listening() {
    let world = World::new();
    let (_robot, mut probe) = start_robot(&world);
    let answers = set(&mut probe, &["40", "140", "40"]);
    let verdicts: Vec<&str> = answers.iter().filter_map(|l| l.split(' ').nth(1)).collect();
    expect(
        verdicts == ["accepted", "refused", "accepted"],
        "answers accepted, refused, accepted for 40, 140, 40 (no subscriber needed)",
        || answers.join("; "),
    );
}

#[test]
fn answers_promptly() {
    let world = World::new();
    let (mut server, _) = start_robot(&world);
    crate::common::answers_promptly(&world, &mut server);
}

#[test]
fn stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let (mut robot, probe) = start_robot(&world);
    drop(probe);
    robot.interrupt();
    match robot.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(output.code == Some(0), "exit code 0 after Ctrl-C", || {
            workbook_harness::describe_end(&output)
        }),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

/// Speeds as a person reads them: `10, 20, 30`, or `nothing`.
fn numbers(speeds: &[i32]) -> String {
    if speeds.is_empty() {
        return "nothing".to_string();
    }
    speeds
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

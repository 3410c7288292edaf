//! The book's worked examples behave as the chapters say: each runs as a real node in a world of
//! its own (the harness's `World`), talking to the others over real ROS 2 middleware.

use std::time::{Duration, Instant};
use workbook_harness::{NodeProcess, Output, World, CALL_DEADLINE, START_DEADLINE};

/// A command for one of this crate's programs, set up for `world`.
fn program(world: &World, path: &str, args: &[&str]) -> std::process::Command {
    let mut command = world.command(path);
    command.args(args);
    command
}

/// Starts a long-running example and waits until it says it serves.
fn start(world: &World, name: &str, path: &str, args: &[&str]) -> NodeProcess {
    let mut node = world.start(name, program(world, path, args));
    node.wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("{name} did not start: {error:#}"));
    node
}

/// Runs an example to its end.
fn run(world: &World, name: &str, path: &str, args: &[&str]) -> Output {
    world.run(name, program(world, path, args), CALL_DEADLINE)
}

const BEACON: &str = env!("CARGO_BIN_EXE_beacon");
const BEACON_SWITCH: &str = env!("CARGO_BIN_EXE_beacon_switch");
const ODOMETER: &str = env!("CARGO_BIN_EXE_odometer");
const ODOMETER_WATCH: &str = env!("CARGO_BIN_EXE_odometer_watch");
const TRIP_LISTENER: &str = env!("CARGO_BIN_EXE_trip_listener");

#[test]
fn the_beacon_switches_on_refuses_off_with_a_reason_and_stops_on_ctrl_c() {
    let world = World::new();
    let mut beacon = start(&world, "beacon", BEACON, &[]);
    let on = run(&world, "beacon_switch", BEACON_SWITCH, &["on"]);
    assert_eq!(on.code, Some(0), "switching on is accepted:\n{}", on.text);
    assert!(on.text.contains("done: the beacon is on"), "{}", on.text);
    let off = run(&world, "beacon_switch", BEACON_SWITCH, &["off"]);
    assert_eq!(off.code, Some(1), "switching off is refused:\n{}", off.text);
    assert!(
        off.text
            .contains("refused: the beacon stays on while the robot has power"),
        "the refusal names its reason:\n{}",
        off.text
    );
    let stopped = beacon.stop().expect("the beacon stops");
    assert_eq!(
        stopped.code,
        Some(0),
        "Ctrl-C ends it cleanly:\n{}",
        stopped.text
    );
    assert!(stopped.text.contains("beacon: stopped"), "{}", stopped.text);
}

#[test]
fn the_switch_keeps_its_deadline_when_no_beacon_runs() {
    let world = World::new();
    let started = Instant::now();
    let output = run(
        &world,
        "beacon_switch",
        BEACON_SWITCH,
        &["on", "--timeout", "1"],
    );
    assert_eq!(
        output.code,
        Some(2),
        "no server is exit code 2:\n{}",
        output.text
    );
    assert!(output.text.contains("no server"), "{}", output.text);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it gave up near its 1 s deadline, not after {:?}",
        started.elapsed()
    );
}

#[test]
fn the_odometer_counts_resets_and_publishes_each_trip_that_ended() {
    let world = World::new();
    let _odometer = start(&world, "odometer", ODOMETER, &[]);
    let listener = start(&world, "trip_listener", TRIP_LISTENER, &[]);
    // The listener may not be matched with the odometer yet: reset until it hears a trip.
    let end = Instant::now() + Duration::from_secs(20);
    let mut resets = 0;
    while !listener.transcript().contains("a trip of") {
        assert!(
            Instant::now() < end,
            "the listener heard no trip after {resets} resets:\n{}",
            listener.transcript()
        );
        let reset = run(
            &world,
            "odometer_watch",
            ODOMETER_WATCH,
            &["1", "--service", "/odometer/reset", "--patience", "5"],
        );
        assert_eq!(
            reset.code,
            Some(0),
            "the reset is answered:\n{}",
            reset.text
        );
        assert!(reset.text.contains("new trip started"), "{}", reset.text);
        resets += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    let read = run(
        &world,
        "odometer_watch",
        ODOMETER_WATCH,
        &["1", "--patience", "5"],
    );
    assert_eq!(
        read.code,
        Some(0),
        "the reading is answered:\n{}",
        read.text
    );
    assert!(
        read.text.contains(&format!("on trip {}", resets + 1)),
        "after {resets} resets the reading is of trip {}:\n{}",
        resets + 1,
        read.text
    );
}

#[test]
fn the_parameter_given_at_start_is_used_at_every_tick() {
    let world = World::new();
    let _odometer = start(
        &world,
        "odometer",
        ODOMETER,
        &["--ros-args", "-p", "metres_per_tick:=0.0"],
    );
    let read = run(
        &world,
        "odometer_watch",
        ODOMETER_WATCH,
        &["3", "--every", "0.3", "--patience", "5"],
    );
    assert_eq!(
        read.code,
        Some(0),
        "every reading is answered:\n{}",
        read.text
    );
    assert_eq!(
        read.text.matches("0.0 m on trip 1").count(),
        3,
        "a robot that drives 0 m per tick stays at 0.0 m:\n{}",
        read.text
    );
}

#[test]
fn the_watcher_reports_every_reading_and_gives_up_on_each_in_time() {
    let world = World::new();
    let answered = {
        let _odometer = start(&world, "odometer", ODOMETER, &[]);
        run(
            &world,
            "odometer_watch",
            ODOMETER_WATCH,
            &["4", "--every", "0.1", "--patience", "5"],
        )
    };
    assert_eq!(
        answered.code,
        Some(0),
        "all four answered:\n{}",
        answered.text
    );
    for n in 1..=4 {
        assert!(
            answered.text.contains(&format!("reading {n}: ")),
            "reading {n} is reported:\n{}",
            answered.text
        );
    }
    // A server that takes requests and never answers: every reading ends by its own patience,
    // side by side, not one after the other (4 × 1 s in a row would take 4 s at least).
    let mut silent = world.rclpy("rclpy_silent_server.py");
    silent.args(["--service", "/odometer/read", "--trigger"]);
    let mut silent = world.start("rclpy_silent_server.py", silent);
    silent
        .wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("the silent server did not start: {error:#}"));
    let started = Instant::now();
    let unanswered = run(
        &world,
        "odometer_watch",
        ODOMETER_WATCH,
        &["4", "--every", "0.1", "--patience", "1"],
    );
    let took = started.elapsed();
    assert_eq!(
        unanswered.code,
        Some(1),
        "not all answered:\n{}",
        unanswered.text
    );
    assert_eq!(
        unanswered.text.matches("no answer within").count(),
        4,
        "each reading gives up on its own:\n{}",
        unanswered.text
    );
    assert!(
        took < Duration::from_secs(4),
        "the waits ran side by side, yet the run took {took:?}"
    );
}

#[test]
fn the_watcher_says_no_server_when_nobody_serves() {
    let world = World::new();
    let output = run(
        &world,
        "odometer_watch",
        ODOMETER_WATCH,
        &["2", "--wait", "0.5", "--every", "0.1"],
    );
    assert_eq!(output.code, Some(1), "not all answered:\n{}", output.text);
    assert_eq!(
        output.text.matches("no server").count(),
        2,
        "both readings report the missing server:\n{}",
        output.text
    );
}

//! Exercise 7's checks: `speed_server` takes its maximum from the integer parameter `max_speed`
//! (default 100, 0 to 1000), given at start with `--ros-args -p max_speed:=N` or changed while it
//! runs through its parameter services (what `ros2 param set` uses; here an rclpy peer). The
//! crate that includes this file names the program in `super::PROGRAM`.

use crate::common::Probe;
use std::time::Duration;
use workbook_harness::{expect, fail, programs, NodeProcess, World};

const APPEAR: Duration = Duration::from_secs(8);

/// Starts the program under test with `args`, and a probe that has found its `/set_speed`.
fn start_server(world: &World, args: &[&str]) -> (NodeProcess, Probe) {
    let mut command = world.command(programs::under_test(super::PROGRAM));
    command.args(args);
    let mut server = world.start("your speed_server", command);
    match Probe::start(world, "/set_speed", APPEAR, &mut server) {
        Ok(probe) => (server, probe),
        Err(error) => fail(
            "your program to serve /set_speed within 8 s",
            format!("{error}\nYour program printed:\n{}", server.transcript()),
        ),
    }
}

/// `(speed, "accepted"|"refused"|"no-answer", message)` for each speed, asked by `probe`.
fn probe(probe: &mut Probe, speeds: &[&str]) -> Vec<(String, String, String)> {
    let lines = probe
        .ask(speeds)
        .unwrap_or_else(|error| fail(format!("answers to {}", speeds.join(", ")), error));
    lines
        .iter()
        .filter_map(|l| {
            let mut parts = l.splitn(3, ' ');
            Some((
                parts.next()?.to_string(),
                parts.next()?.to_string(),
                parts.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

fn verdicts(answers: &[(String, String, String)]) -> Vec<String> {
    answers.iter().map(|(s, v, _)| format!("{s} {v}")).collect()
}

fn set_max_speed(world: &World, value: &str) -> String {
    let mut setter = world.rclpy("rclpy_set_parameter.py");
    setter.args(["/speed_server", "max_speed", value]);
    let output = world.run("rclpy_set_parameter.py", setter, Duration::from_secs(30));
    output.text.trim().to_string()
}

#[test]
fn the_default_maximum_is_100() {
    let world = World::new();
    let (_server, mut prober) = start_server(&world, &[]);
    let got = verdicts(&probe(&mut prober, &["100", "101", "0"]));
    expect(
        got == ["100 accepted", "101 refused", "0 accepted"],
        "100 accepted, 101 refused, 0 accepted with no parameter given",
        || got.join(", "),
    );
}

#[test]
fn max_speed_given_at_start_is_used() {
    let world = World::new();
    let (_server, mut prober) = start_server(&world, &["--ros-args", "-p", "max_speed:=50"]);
    let answers = probe(&mut prober, &["50", "51"]);
    let got = verdicts(&answers);
    expect(
        got == ["50 accepted", "51 refused"],
        "50 accepted and 51 refused when started with -p max_speed:=50",
        || got.join(", "),
    );
    let reason = answers.get(1).map(|a| a.2.as_str()).unwrap_or("");
    expect(
        reason.contains("50"),
        "the refusal of 51 to name the maximum in force (50)",
        || format!("the message was: {reason}"),
    );
}

#[test]
fn a_change_while_running_takes_effect() {
    let world = World::new();
    let (_server, mut prober) = start_server(&world, &[]);
    let before = verdicts(&probe(&mut prober, &["80"]));
    let answer = set_max_speed(&world, "30");
    expect(
        answer.contains("successful=true"),
        "setting max_speed to 30 through /speed_server/set_parameters to succeed",
        || format!("the parameter service answered: {answer}"),
    );
    let after = verdicts(&probe(&mut prober, &["31", "30"]));
    expect(
        before == ["80 accepted"] && after == ["31 refused", "30 accepted"],
        "80 accepted before; after max_speed became 30: 31 refused, 30 accepted",
        || format!("before: {}; after: {}", before.join(", "), after.join(", ")),
    );
}

#[test]
fn a_maximum_outside_0_to_1000_is_rejected() {
    let world = World::new();
    let (_server, mut prober) = start_server(&world, &[]);
    let answer = set_max_speed(&world, "5000");
    let got = verdicts(&probe(&mut prober, &["100", "101"]));
    expect(
        answer.contains("successful=false") && got == ["100 accepted", "101 refused"],
        "max_speed 5000 refused by the parameter's range, and the maximum still 100",
        || {
            format!(
                "the parameter service answered: {answer}; then {}",
                got.join(", ")
            )
        },
    );
}

#[test]
fn answers_promptly() {
    let world = World::new();
    let (mut server, _) = start_server(&world, &[]);
    crate::common::answers_promptly(&world, &mut server);
}

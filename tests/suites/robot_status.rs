//! Exercise 3's checks: the node `robot_status` serves `/set_speed` and `/get_status` from one
//! shared state: the current speed, the accepted and refused counts, and the uptime.
//!
//! Every check starts the program under test in a ROS domain of its own and asks it through
//! `speed_probe` (one node, many calls) and the rclpy client. The crate that includes this file
//! names the program in `super::PROGRAM`.

use crate::common::Probe;
use std::thread;
use std::time::Duration;
use workbook_harness::{expect, fail, last_line, programs, NodeProcess, Output, World};

const APPEAR: Duration = Duration::from_secs(8);

/// What `/get_status` answered.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Status {
    speed: i32,
    accepted: u32,
    refused: u32,
    uptime: f64,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "speed {}, accepted_count {}, refused_count {}, uptime_seconds {:.2}",
            self.speed, self.accepted, self.refused, self.uptime
        )
    }
}

/// The status answers as a person reads them.
fn shown(statuses: &[Status]) -> String {
    if statuses.is_empty() {
        return "no status answer".to_string();
    }
    statuses
        .iter()
        .map(Status::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Starts the program under test, and a probe once it serves `/set_speed` (the probe waits for
/// `/get_status` itself when it first asks for a status).
fn start_robot(world: &World) -> (NodeProcess, Probe) {
    let command = world.command(programs::under_test(super::PROGRAM));
    let mut robot = world.start("your robot_status", command);
    match Probe::start(world, "/set_speed", APPEAR, &mut robot) {
        Ok(probe) => (robot, probe),
        Err(error) => fail(
            "your program to serve /set_speed within 8 s",
            format!("{error}\nYour program printed:\n{}", robot.transcript()),
        ),
    }
}

/// Asks `items` (speeds and `status`) through the check's probe, returning its lines; fails
/// unless every call was answered.
fn probe(probe: &mut Probe, robot: &NodeProcess, items: &[&str]) -> Vec<String> {
    let lines = probe
        .ask(items)
        .unwrap_or_else(|error| fail(format!("answers to {}", items.join(", ")), error));
    if lines
        .iter()
        .any(|l| l.ends_with("no-answer") || l.ends_with("never appeared"))
    {
        fail(
            format!("answers to {}", items.join(", ")),
            format!(
                "not every call was answered:\n{}\nYour program printed:\n{}",
                lines.join("\n"),
                robot.transcript().trim()
            ),
        );
    }
    lines
}

/// Runs the probe with `items` and returns how it ended; [`answered`] judges it.
fn run_probe(world: &World, items: &[&str]) -> Output {
    let mut command = world.reference("speed_probe");
    command.args(["/set_speed", "3"]).args(items);
    world.run("speed_probe", command, Duration::from_secs(30))
}

/// The probe's lines, or a failure that shows what the probe and the robot printed.
fn answered(robot: &NodeProcess, items: &[&str], output: Output) -> Vec<String> {
    if output.code != Some(0) {
        fail(
            format!("answers to {}", items.join(", ")),
            format!(
                "not every call was answered:\n{}\nYour program printed:\n{}",
                output.text.trim(),
                robot.transcript().trim()
            ),
        );
    }
    output.text.lines().map(str::to_string).collect()
}

fn parse_status(line: &str) -> Option<Status> {
    let mut status = Status {
        speed: 0,
        accepted: 0,
        refused: 0,
        uptime: 0.0,
    };
    for pair in line.strip_prefix("status ")?.split(' ') {
        let (key, value) = pair.split_once('=')?;
        match key {
            "speed" => status.speed = value.parse().ok()?,
            "accepted_count" => status.accepted = value.parse().ok()?,
            "refused_count" => status.refused = value.parse().ok()?,
            "uptime_seconds" => status.uptime = value.parse().ok()?,
            _ => {}
        }
    }
    Some(status)
}

/// The status lines among the probe's answers.
fn statuses(lines: &[String]) -> Vec<Status> {
    lines.iter().filter_map(|l| parse_status(l)).collect()
}

#[test]
fn serves_both_services_from_the_node_robot_status() {
    let world = World::new();
    let (_robot, _probe) = start_robot(&world);
    let services = [
        ("/set_speed", "robot_interfaces/srv/SetSpeed"),
        ("/get_status", "robot_interfaces/srv/GetStatus"),
    ];
    // Both graph readers at once: each pays for its own discovery.
    let found: Vec<_> = thread::scope(|scope| {
        let reads: Vec<_> = services
            .iter()
            .map(|(service, _)| {
                let world = &world;
                scope.spawn(move || world.wait_for_service(service, APPEAR))
            })
            .collect();
        reads
            .into_iter()
            .map(|read| read.join().expect("a graph reader thread"))
            .collect()
    });
    for ((service, kind), found) in services.into_iter().zip(found) {
        let found = found.unwrap_or_else(|error| fail(format!("{service} in the graph"), error));
        expect(
            found.types == [kind] && found.nodes.iter().any(|n| n == "/robot_status"),
            format!("{service} ({kind}) served by the node /robot_status"),
            || {
                format!(
                    "{service} has type {}, served by {}",
                    found.types.join(", "),
                    found.nodes.join(", ")
                )
            },
        );
    }
}

#[test]
fn a_new_robot_stands_still_and_has_counted_nothing() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    let status = statuses(&probe(&mut prober, &robot, &["status"]));
    expect(
        matches!(
            status.as_slice(),
            [Status {
                speed: 0,
                accepted: 0,
                refused: 0,
                ..
            }]
        ),
        "speed 0, accepted_count 0, refused_count 0 before any request",
        || shown(&status),
    );
}

#[test]
fn status_reports_the_last_accepted_speed() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    let lines = probe(
        &mut prober,
        &robot,
        &[
            "30", "status", "300", "status", "-4", "status", "70", "status",
        ],
    );
    let speeds: Vec<i32> = statuses(&lines).iter().map(|s| s.speed).collect();
    expect(
        speeds == [30, 30, 30, 70],
        "speeds 30, 30, 30, 70 after set 30, set 300 (refused), set -4 (refused), set 70",
        || {
            let listed: Vec<String> = speeds.iter().map(i32::to_string).collect();
            format!("speeds {}", listed.join(", "))
        },
    );
}

#[test]
fn status_counts_accepted_and_refused_requests() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    let lines = probe(
        &mut prober,
        &robot,
        &["10", "200", "20", "-5", "30", "status"],
    );
    let status = statuses(&lines);
    expect(
        matches!(
            status.as_slice(),
            [Status {
                accepted: 3,
                refused: 2,
                ..
            }]
        ),
        "accepted_count 3 and refused_count 2 after 10, 200, 20, -5, 30",
        || shown(&status),
    );
}

#[test]
fn uptime_grows() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    // One probe, so the second query does not wait for a second discovery.
    let both = statuses(&probe(
        &mut prober,
        &robot,
        &["status", "pause:0.6", "status"],
    ));
    match both.as_slice() {
        [a, b] => expect(
            a.uptime > 0.0 && b.uptime >= a.uptime + 0.5,
            "uptime_seconds above 0 and growing with time (two queries 0.6 s apart)",
            || format!("{:.3} then {:.3}", a.uptime, b.uptime),
        ),
        _ => fail("two status answers", shown(&both)),
    }
}

#[test]
fn counts_stay_exact_with_four_clients_at_once() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    let each = ["5", "500", "6", "-6", "7", "700", "8", "-8", "9", "900"];
    let outputs: Vec<Output> = thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let world = &world;
                scope.spawn(move || run_probe(world, &each))
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("a probe thread"))
            .collect()
    });
    for output in outputs {
        answered(&robot, &each, output);
    }
    let status = statuses(&probe(&mut prober, &robot, &["status"]));
    expect(
        matches!(
            status.as_slice(),
            [Status {
                accepted: 20,
                refused: 20,
                ..
            }]
        ),
        "accepted_count 20 and refused_count 20 after 4 clients sent 5 good and 5 bad speeds each",
        || shown(&status),
    );
}

#[test]
fn an_rclpy_client_reads_the_same_status() {
    let world = World::new();
    let (robot, mut prober) = start_robot(&world);
    probe(&mut prober, &robot, &["42", "142"]);
    let mut client = world.rclpy("rclpy_speed_client.py");
    client.args(["get_status", "--timeout", "10"]);
    let output = world.run("rclpy get_status", client, Duration::from_secs(30));
    let line = last_line(&output);
    expect(
        line.starts_with("speed=42 accepted_count=1 refused_count=1 "),
        "rclpy to read speed=42 accepted_count=1 refused_count=1",
        || format!("rclpy printed: {}", output.text.trim()),
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
    let (mut robot, prober) = start_robot(&world);
    drop(prober);
    robot.interrupt();
    match robot.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(output.code == Some(0), "exit code 0 after Ctrl-C", || {
            workbook_harness::describe_end(&output)
        }),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

//! Exercise 1's checks: a SetSpeed server, node `speed_server`, service `/set_speed`, accepting
//! speeds 0..=100 and refusing the rest with a reason.
//!
//! Every check starts the program under test in a ROS domain of its own and talks to it only
//! through ROS: the `speed_probe` client, an rclpy client, and the reference `speed_server`
//! for comparison. The crate that includes this file names the program in `super::PROGRAM`.

use crate::common::Probe;
use std::thread;
use std::time::Duration;
use workbook_harness::{describe_end, expect, fail, programs, tail, NodeProcess, World};

/// How long the server may take to appear in the graph.
const APPEAR: Duration = Duration::from_secs(8);
/// Speeds whose answers every correct server agrees on.
const EDGES: [i32; 8] = [0, 100, -1, 101, 42, 1, i32::MIN, i32::MAX];

/// Starts the program under test and waits until `/set_speed` is served, for the checks that
/// only need it up.
fn start_server(world: &World) -> NodeProcess {
    start_with_probe(world).0
}

/// Starts the program under test, and a probe once `/set_speed` is served.
fn start_with_probe(world: &World) -> (NodeProcess, Probe) {
    let mut server = launch(world);
    let probe = found(world, &mut server);
    (server, probe)
}

/// Starts the program under test without waiting for it.
fn launch(world: &World) -> NodeProcess {
    let command = world.command(programs::under_test(super::PROGRAM));
    world.start("your speed_server", command)
}

/// A probe that has found `server`'s `/set_speed`, or the check's failure.
fn found(world: &World, server: &mut NodeProcess) -> Probe {
    Probe::start(world, "/set_speed", APPEAR, server).unwrap_or_else(|error| {
        fail(
            "your program to serve /set_speed within 8 s",
            format!("{error}\nYour program printed:\n{}", server.transcript()),
        )
    })
}

/// Calls `service` with every speed from a new probe node: one answer per speed, in order.
fn probe(world: &World, service: &str, speeds: &[i32]) -> Vec<(i32, Option<bool>, String)> {
    let mut command = world.reference("speed_probe");
    command.arg(service).arg("3");
    command.args(speeds.iter().map(|s| s.to_string()));
    let output = world.run("speed_probe", command, Duration::from_secs(20));
    let lines: Vec<String> = output.text.lines().map(str::to_string).collect();
    answers(&lines, speeds)
}

/// Asks every speed through the check's probe: one answer per speed, in order.
fn ask(probe: &mut Probe, speeds: &[i32]) -> Vec<(i32, Option<bool>, String)> {
    let items: Vec<String> = speeds.iter().map(i32::to_string).collect();
    let items: Vec<&str> = items.iter().map(String::as_str).collect();
    // A probe that ended or stalled answered nothing more: those speeds count as unanswered.
    let lines = probe.ask(&items).unwrap_or_default();
    answers(&lines, speeds)
}

/// A probe's lines as `(speed, accepted?, message)`, one per speed in `speeds`: `None` for a
/// speed that got no answer (and every speed after it).
fn answers(lines: &[String], speeds: &[i32]) -> Vec<(i32, Option<bool>, String)> {
    let mut answers: Vec<(i32, Option<bool>, String)> = lines
        .iter()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let speed = parts.next()?.parse().ok()?;
            let verdict = match parts.next()? {
                "accepted" => Some(true),
                "refused" => Some(false),
                _ => None,
            };
            Some((speed, verdict, parts.next().unwrap_or("").to_string()))
        })
        .collect();
    for &speed in &speeds[answers.len().min(speeds.len())..] {
        answers.push((speed, None, "no answer".to_string()));
    }
    answers
}

/// Why a request got no answer, from what the server did: it ended (how, and its last lines:
/// a panic's message and place), or it is running and kept the request.
fn no_answer(server: &mut NodeProcess) -> String {
    match server.finished() {
        Some(ended) => format!(
            "no answer: your server ended ({}); its last lines:\n{}",
            describe_end(&ended),
            tail(&ended.text, 10)
        ),
        None => "no answer within 3 s, while your server was running: its callback never \
                 returned. Does it sleep, spin or wait?"
            .to_string(),
    }
}

#[test]
fn offers_set_speed_on_the_node_speed_server() {
    let world = World::new();
    let _server = start_server(&world);
    let found = world
        .wait_for_service("/set_speed", APPEAR)
        .unwrap_or_else(|error| fail("/set_speed in the graph", error));
    expect(
        found.types == ["robot_interfaces/srv/SetSpeed"],
        "/set_speed to have the type robot_interfaces/srv/SetSpeed",
        || format!("its type is {}", found.types.join(", ")),
    );
    expect(
        found.nodes.iter().any(|n| n == "/speed_server"),
        "/set_speed to be served by the node /speed_server",
        || format!("it is served by {}", found.nodes.join(", ")),
    );
}

#[test]
fn accepts_speeds_from_0_to_100() {
    let world = World::new();
    let (mut server, mut prober) = start_with_probe(&world);
    for (speed, accepted, message) in ask(&mut prober, &[0, 42, 100]) {
        expect(
            accepted == Some(true),
            format!("speed {speed} to be accepted (success: true)"),
            || match accepted {
                Some(false) => format!("it was refused: {message}"),
                _ => no_answer(&mut server),
            },
        );
    }
}

#[test]
fn refuses_speeds_outside_0_to_100_with_a_reason() {
    let world = World::new();
    let (mut server, mut prober) = start_with_probe(&world);
    for (speed, accepted, message) in ask(&mut prober, &[101, -1]) {
        expect(
            accepted == Some(false),
            format!("speed {speed} to be refused (success: false)"),
            || match accepted {
                Some(true) => format!("it was accepted: {message}"),
                _ => no_answer(&mut server),
            },
        );
        expect(
            !message.trim().is_empty(),
            format!("a message saying why {speed} was refused"),
            || "the message was empty".to_string(),
        );
    }
}

#[test]
fn answers_like_the_reference_server() {
    let world = World::new();
    // Both servers start at once; the reference is ready long before the probe finds yours.
    let mut server = launch(&world);
    let _reference = world.start_reference(
        "speed_server",
        &[
            "--ros-args",
            "-r",
            "__node:=reference_server",
            "-r",
            "/set_speed:=/reference/set_speed",
            "-r",
            "/get_status:=/reference/get_status",
        ],
        "ready",
    );
    let mut prober = found(&world, &mut server);
    // Both at once: a server that never answers costs one probe's wait, not two.
    let (reference, yours) = thread::scope(|scope| {
        let reference = scope.spawn(|| probe(&world, "/reference/set_speed", &EDGES));
        let yours = ask(&mut prober, &EDGES);
        (reference.join().expect("the reference probe"), yours)
    });
    for ((speed, theirs, _), (_, yours, message)) in reference.into_iter().zip(yours) {
        expect(
            yours == theirs,
            format!("speed {speed}: {}", describe(theirs)),
            || match yours {
                None => no_answer(&mut server),
                Some(_) => format!("{} ({message})", describe(yours)),
            },
        );
    }
}

fn describe(verdict: Option<bool>) -> &'static str {
    match verdict {
        Some(true) => "accepted",
        Some(false) => "refused",
        None => "no answer",
    }
}

#[test]
fn an_rclpy_client_gets_the_same_answers() {
    let world = World::new();
    let _server = start_server(&world);
    let mut client = world.rclpy("rclpy_speed_client.py");
    client.args(["set_speed", "42", "101", "--timeout", "3"]);
    let output = world.run("rclpy_speed_client.py", client, Duration::from_secs(30));
    let answers: Vec<&str> = output
        .text
        .lines()
        .filter(|l| l.starts_with("success="))
        .collect();
    let ok = output.code == Some(0)
        && answers.len() == 2
        && answers[0].starts_with("success=true ")
        && answers[1].starts_with("success=false ");
    expect(
        ok,
        "rclpy asking for 42 then 101 to get success=true, then success=false",
        || format!("rclpy printed: {}", output.text.trim()),
    );
}

#[test]
fn serves_two_clients_at_once() {
    let world = World::new();
    let _server = start_server(&world);
    // Two probe processes, not two reference clients: probes end on time even when Fast DDS
    // stalls while both leave at once (see tests/probes/src/teardown.rs).
    let answers: Vec<(i32, Option<bool>, String)> = thread::scope(|scope| {
        let calls: Vec<_> = [10, 20]
            .into_iter()
            .map(|speed| {
                let world = &world;
                scope.spawn(move || probe(world, "/set_speed", &[speed]))
            })
            .collect();
        calls
            .into_iter()
            .flat_map(|c| c.join().expect("client thread"))
            .collect()
    });
    for (speed, accepted, message) in &answers {
        expect(
            *accepted == Some(true),
            format!("both clients answered; speed {speed} accepted"),
            || format!("speed {speed}: {} ({message})", describe(*accepted)),
        );
    }
}

#[test]
fn answers_promptly() {
    let world = World::new();
    let mut server = start_server(&world);
    crate::common::answers_promptly(&world, &mut server);
}

#[test]
fn stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let mut server = start_server(&world);
    server.interrupt();
    match server.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(output.code == Some(0), "exit code 0 after Ctrl-C", || {
            format!(
                "{}; its last lines:\n{}",
                describe_end(&output),
                tail(&output.text, 10)
            )
        }),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

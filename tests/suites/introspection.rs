//! Exercise 6's checks: a client for the mystery node's service, found by introspection. Each
//! check starts `mystery_node` with a fresh secret code in a ROS domain of its own; only a client
//! that really called the right service with the right request can print that code. The crate
//! that includes this file names the program in `super::PROGRAM`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use workbook_harness::{expect, fail, programs, NodeProcess, Output, World};

fn start_mystery(world: &World) -> (NodeProcess, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let code = format!("CODE-{}-{nanos:09}", world.domain.id());
    let mut command = world.reference("mystery_node");
    command.env("MYSTERY_CODE", &code);
    let mut node = world.start("mystery_node", command);
    node.wait_for_line("ready", Duration::from_secs(30))
        .unwrap_or_else(|error| fail("the reference mystery_node to start", format!("{error:#}")));
    (node, code)
}

/// How long one run of the client may take: it waits at most 2 s for everything (a client
/// written for the 5 s this exercise once asked for still passes).
const RUN_LIMIT: Duration = Duration::from_secs(8);

/// Runs the program under test; one still running after [`RUN_LIMIT`] fails the check.
fn client(world: &World) -> Output {
    let command = world.command(programs::under_test(super::PROGRAM));
    let mut process = world.start("your mystery_client", command);
    process.close_stdin();
    process.wait_for_exit(RUN_LIMIT).unwrap_or_else(|_| {
        fail(
            format!("your program to end within {} s", RUN_LIMIT.as_secs()),
            format!(
                "it was still running, so the check stopped it; its last lines:\n{}\n\
                 Does one of its waits have no deadline?",
                workbook_harness::tail(&process.transcript(), 10)
            ),
        )
    })
}

#[test]
fn switches_the_headlights_on_and_prints_the_answer() {
    let world = World::new();
    let (_node, code) = start_mystery(&world);
    let output = client(&world);
    expect(
        output.text.contains(&code) && output.code == Some(0),
        "the robot's answer printed (it holds a secret code only a real call gets) and exit code 0",
        || {
            format!(
                "{}; your program printed:\n{}",
                workbook_harness::describe_end(&output),
                output.text.trim()
            )
        },
    );
}

#[test]
fn the_robot_received_a_request_to_switch_on() {
    let world = World::new();
    let (node, _) = start_mystery(&world);
    client(&world);
    std::thread::sleep(Duration::from_millis(300));
    let seen = node.transcript();
    expect(
        seen.contains("request data=true"),
        "the mystery node to receive a request with data=true",
        || {
            if seen.contains("request data=false") {
                "it received data=false: that switches the lights off".to_string()
            } else {
                "it received no request: check the service name and type".to_string()
            }
        },
    );
}

#[test]
fn gives_up_with_exit_code_2_when_the_robot_is_not_running() {
    let world = World::new();
    let started = Instant::now();
    let output = client(&world);
    let took = started.elapsed();
    expect(
        output.code == Some(2) && took < RUN_LIMIT,
        "exit code 2 within about 2 s when nothing serves the mystery service",
        || {
            format!(
                "{} after {:.1} s",
                workbook_harness::describe_end(&output),
                took.as_secs_f64()
            )
        },
    );
}

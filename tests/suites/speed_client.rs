//! Exercise 2's checks: a SetSpeed client, `<speed> [--timeout SECS] [--service NAME]`, that
//! exits 0 when the speed was accepted, 1 when it was refused and 2 when no server answered.
//!
//! Every check runs the program under test against the reference `speed_server` (or an rclpy
//! server that never answers, or nothing at all) in a ROS domain of its own. The crate that
//! includes this file names the program in `super::PROGRAM`.

use std::time::{Duration, Instant};
use workbook_harness::{describe_end, expect, fail, last_line, programs, tail, Output, World};

/// How long one run of the client may take before the check stops it: every run asks for at
/// most 5 s (`--timeout`), and a correct client against a running server ends in well under one.
const RUN_LIMIT: Duration = Duration::from_secs(10);

/// The longest a check waits for a client that must end within a few seconds of `--timeout 2`:
/// the most that check accepts, so a client that hangs is reported as soon as it can no longer
/// pass, not after [`RUN_LIMIT`].
const HANG_LIMIT: Duration = Duration::from_secs(5);

/// Runs the program under test with `args`; a run still going after [`RUN_LIMIT`] fails the
/// check, saying so.
fn client(world: &World, args: &[&str]) -> Output {
    client_within(world, args, RUN_LIMIT)
}

/// [`client`], stopped after `limit`.
fn client_within(world: &World, args: &[&str], limit: Duration) -> Output {
    let mut command = world.command(programs::under_test(super::PROGRAM));
    command.args(args);
    let mut process = world.start("your speed_client", command);
    process.close_stdin();
    process.wait_for_exit(limit).unwrap_or_else(|_| {
        fail(
            format!(
                "your program (speed_client {}) to end within {} s",
                args.join(" "),
                limit.as_secs()
            ),
            format!(
                "it was still running, so the check stopped it; its last lines:\n{}\n\
                 Does one of its waits have no deadline?",
                tail(&process.transcript(), 10)
            ),
        )
    })
}

fn start_reference_server(world: &World, args: &[&str]) -> workbook_harness::NodeProcess {
    world.start_reference("speed_server", args, "ready")
}

fn exit(output: &Output) -> String {
    describe_end(output)
}

/// How a run against a server that was there ended, with its likely cause: exit code 2 means
/// the client found no server, so its name or type is not the server's.
fn against_a_server(output: &Output, service: &str) -> String {
    let cause = if output.code == Some(2) {
        format!(
            "\nThe check's server was serving {service} the whole time, so your client did not \
             find it: check the name and type given to `create_client` (`args.service`, \
             SetSpeed)."
        )
    } else {
        String::new()
    };
    format!(
        "{}; your program's last lines:\n{}{cause}",
        exit(output),
        tail(&output.text, 10)
    )
}

#[test]
fn prints_accepted_and_exits_0_for_a_speed_in_range() {
    let world = World::new();
    let _server = start_reference_server(&world, &[]);
    let output = client(&world, &["42"]);
    expect(
        output.code == Some(0),
        "exit code 0 for speed 42 (accepted)",
        || against_a_server(&output, "/set_speed"),
    );
    expect(
        output.text.contains("speed set to 42"),
        "the server's answer printed (its message is \"speed set to 42\")",
        || format!("your program printed:\n{}", output.text.trim()),
    );
}

#[test]
fn prints_refused_with_the_reason_and_exits_1() {
    let world = World::new();
    let _server = start_reference_server(&world, &[]);
    let output = client(&world, &["101"]);
    expect(
        output.code == Some(1),
        "exit code 1 for speed 101 (refused)",
        || against_a_server(&output, "/set_speed"),
    );
    expect(
        output.text.contains("above the maximum of 100"),
        "the server's reason printed (\"speed 101 is above the maximum of 100\")",
        || format!("your program printed:\n{}", output.text.trim()),
    );
}

#[test]
fn the_server_really_gets_the_speed() {
    let world = World::new();
    let _server = start_reference_server(&world, &[]);
    client(&world, &["73"]);
    let mut status = world.rclpy("rclpy_speed_client.py");
    status.arg("get_status");
    let output = world.run("rclpy get_status", status, RUN_LIMIT);
    expect(
        last_line(&output).starts_with("speed=73 "),
        "the robot's speed to be 73 after your program asked for 73",
        || format!("/get_status says: {}", last_line(&output)),
    );
}

#[test]
fn gives_up_with_exit_code_2_when_no_server_runs() {
    let world = World::new();
    let started = Instant::now();
    let output = client(&world, &["42", "--timeout", "2"]);
    let took = started.elapsed();
    expect(
        output.code == Some(2),
        "exit code 2 when nothing serves /set_speed",
        || {
            format!(
                "{} after {:.1} s; your program printed:\n{}",
                exit(&output),
                took.as_secs_f64(),
                output.text.trim()
            )
        },
    );
    expect(
        took < Duration::from_secs(10),
        "to give up soon after --timeout 2",
        || format!("it took {:.1} s", took.as_secs_f64()),
    );
}

#[test]
fn keeps_its_deadline_when_the_server_never_answers() {
    let world = World::new();
    let mut server = world.start(
        "rclpy_silent_server.py",
        world.rclpy("rclpy_silent_server.py"),
    );
    if let Err(error) = server.wait_for_line("ready", Duration::from_secs(30)) {
        fail("the silent rclpy server to start", error);
    }
    let started = Instant::now();
    let output = client_within(&world, &["42", "--timeout", "2"], HANG_LIMIT);
    let took = started.elapsed();
    expect(
        output.code == Some(2) && took < HANG_LIMIT,
        "exit code 2 within a few seconds of --timeout 2 when the server never answers",
        || {
            format!(
                "{} after {:.1} s; your program printed:\n{}",
                exit(&output),
                took.as_secs_f64(),
                output.text.trim()
            )
        },
    );
}

#[test]
fn one_deadline_for_finding_the_server_and_its_answer() {
    let world = World::new();
    // Python's start-up is paid before the client starts: the server's node exists, and its
    // service appears 2 s after `started`, in the middle of the client's 3 s.
    let mut server = world.start("rclpy_silent_server.py", {
        let mut command = world.rclpy("rclpy_silent_server.py");
        command.args(["--serve-after", "2"]);
        command
    });
    if let Err(error) = server.wait_for_line("started", Duration::from_secs(30)) {
        fail("the silent rclpy server to start", error);
    }
    let started = Instant::now();
    let mut command = world.command(programs::under_test(super::PROGRAM));
    command.args(["42", "--timeout", "3"]);
    let mut client = world.start("your speed_client", command);
    client.close_stdin();
    let expected = "exit code 2 about 3 s after the start, for --timeout 3 (one deadline for \
                    finding the server and for its answer), when the server appears after 2 s \
                    and never answers";
    // Long enough for a client that gives each wait the whole --timeout to end (2 s + 3 s,
    // then the per-wait diagnosis below), short enough that a hanging one is reported quickly.
    let limit = Duration::from_secs(7);
    let output = client.wait_for_exit(limit).unwrap_or_else(|_| {
        fail(
            expected,
            format!(
                "still waiting after {} s, so the check stopped it; its last lines:\n{}\n\
                 Does it wait for the answer without a deadline?",
                limit.as_secs(),
                tail(&client.transcript(), 10)
            ),
        )
    });
    let took = started.elapsed();
    let appeared = server.transcript().contains("ready");
    expect(
        output.code == Some(2) && took < Duration::from_millis(4400),
        expected,
        || {
            let per_wait = if took >= Duration::from_millis(4400) && appeared {
                "\nThat is the server's 2 s plus a whole --timeout: does each wait get the \
                 whole --timeout? Compute one deadline at the start and give every wait what \
                 is left of it (`deadline.saturating_duration_since(Instant::now())`)."
            } else {
                ""
            };
            format!(
                "{} after {:.1} s; your program's last lines:\n{}{per_wait}",
                exit(&output),
                took.as_secs_f64(),
                tail(&output.text, 10)
            )
        },
    );
}

#[test]
fn calls_the_service_given_with_service() {
    let world = World::new();
    let _server = start_reference_server(
        &world,
        &["--ros-args", "-r", "/set_speed:=/robot2/set_speed"],
    );
    let output = client(
        &world,
        &["42", "--service", "/robot2/set_speed", "--timeout", "5"],
    );
    expect(
        output.code == Some(0),
        "exit code 0 when calling /robot2/set_speed, where the server is",
        || against_a_server(&output, "/robot2/set_speed"),
    );
}

#[test]
fn a_missing_speed_is_a_usage_error() {
    let world = World::new();
    let output = client(&world, &[]);
    expect(
        output.code == Some(2) && output.text.to_lowercase().contains("usage"),
        "exit code 2 and a usage message when no speed is given",
        || {
            format!(
                "{}; your program printed:\n{}",
                exit(&output),
                output.text.trim()
            )
        },
    );
}

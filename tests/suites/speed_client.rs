//! Exercise 2's checks: a SetSpeed client, `<speed> [--timeout SECS] [--service NAME]`, that
//! exits 0 when the speed was accepted, 1 when it was refused and 2 when no server answered.
//!
//! Every check runs the program under test against the reference `speed_server` (or the
//! reference `silent_server`, which never answers, or nothing at all) in a world of its own. The
//! deadlines are short (1-2 s) so that the whole suite answers in a few seconds. The crate that
//! includes this file names the program in `super::PROGRAM`.

use std::time::{Duration, Instant};
use workbook_harness::{describe_end, expect, fail, last_line, programs, tail, Output, World};

/// How long one run of the client may take before the check stops it: every run asks for at
/// most 5 s (`--timeout`), and a correct client against a running server ends in well under one.
const RUN_LIMIT: Duration = Duration::from_secs(10);

/// The longest a check waits for a client that must end within a few seconds of `--timeout 1`:
/// the most that check accepts (a loaded machine can take seconds to start and to stop a
/// program), so a client that hangs is reported as soon as it can no longer pass, not after
/// [`RUN_LIMIT`].
const HANG_LIMIT: Duration = Duration::from_secs(6);

/// The one-deadline check: the client's `--timeout`, and how long after the client's node
/// appears the silent server starts serving (in the middle of the client's deadline).
const ONE_DEADLINE_TIMEOUT: &str = "1.6";
const SERVE_AFTER_CLIENT: &str = "0.8";
/// A client that gives its answer a whole `--timeout` of its own gives up at least 1.6 s after
/// the service appeared; one deadline from its start gives up about 0.8 s after it. The moment
/// it gave up is when it printed its last line (or ended, if it printed nothing), and the
/// server's moment counts from the client's node, so neither a loaded machine's slow start nor
/// its slow shutdown of the client moves a correct one towards the bound.
const AFTER_APPEARING: Duration = Duration::from_millis(1500);

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
    let output = client(&world, &["42", "--timeout", "1"]);
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
        took < Duration::from_secs(8),
        "to give up soon after --timeout 1",
        || format!("it took {:.1} s", took.as_secs_f64()),
    );
}

#[test]
fn keeps_its_deadline_when_the_server_never_answers() {
    let world = World::new();
    let _server = crate::common::start_silent(&world, &[], "ready");
    let started = Instant::now();
    let output = client_within(&world, &["42", "--timeout", "1"], HANG_LIMIT);
    let took = started.elapsed();
    expect(
        output.code == Some(2) && took < HANG_LIMIT,
        "exit code 2 within a few seconds of --timeout 1 when the server never answers",
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
    let server = crate::common::start_silent(
        &world,
        &["--serve-after-client", SERVE_AFTER_CLIENT],
        "started",
    );
    let started = Instant::now();
    let mut command = world.command(programs::under_test(super::PROGRAM));
    command.args(["42", "--timeout", ONE_DEADLINE_TIMEOUT]);
    let mut client = world.start("your speed_client", command);
    client.close_stdin();
    let expected = format!(
        "exit code 2 about {ONE_DEADLINE_TIMEOUT} s after the start, for --timeout \
         {ONE_DEADLINE_TIMEOUT} (one deadline for finding the server and for its answer), when \
         the server appears {SERVE_AFTER_CLIENT} s after the client's node and never answers"
    );
    // Watched side by side: when the service appeared, and when the client last printed.
    // Long enough for a client that gives each wait the whole --timeout to end, and then the
    // per-wait diagnosis below; short enough that a hanging one is reported quickly.
    let limit = Duration::from_secs(6);
    let mut appeared = None;
    let (mut printed, mut last_printed) = (0, None);
    let output = loop {
        let now = Instant::now();
        if appeared.is_none() && server.transcript().contains("ready") {
            appeared = Some(now);
        }
        let length = client.transcript().len();
        if length > printed {
            (printed, last_printed) = (length, Some(now));
        }
        if let Some(output) = client.finished() {
            break output;
        }
        if started.elapsed() > limit {
            fail(
                &expected,
                format!(
                    "still waiting after {} s, so the check stopped it; its last lines:\n{}\n\
                     Does it wait for the answer without a deadline?",
                    limit.as_secs(),
                    tail(&client.transcript(), 10)
                ),
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let gave_up = last_printed.unwrap_or_else(Instant::now);
    let after_appearing = appeared.map(|at| gave_up.saturating_duration_since(at));
    let per_wait = after_appearing.is_some_and(|after| after >= AFTER_APPEARING);
    expect(output.code == Some(2) && !per_wait, expected, || {
        let cause = match after_appearing {
            Some(after) if per_wait => format!(
                "\nIt gave up {:.1} s after the service appeared: a whole --timeout after \
                 finding the server. Does each wait get the whole --timeout? Compute one \
                 deadline at the start and give every wait what is left of it \
                 (`deadline.saturating_duration_since(Instant::now())`).",
                after.as_secs_f64()
            ),
            _ => String::new(),
        };
        format!(
            "{} after {:.1} s; your program's last lines:\n{}{cause}",
            exit(&output),
            gave_up.duration_since(started).as_secs_f64(),
            tail(&output.text, 10)
        )
    });
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

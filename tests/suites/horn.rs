//! Exercise 8's checks: a crate written from nothing, the node `horn` serving `/honk`
//! (std_srvs/srv/Trigger), each call answered `honk N` with the number of honks so far.
//!
//! Every check starts the program under test in a world of its own and talks to it only through
//! ROS and its process. The crate that includes this file names the program in `super::PROGRAM`:
//! `None` when the student's `Cargo.toml` declares no binary `ex08_horn` yet.

use std::path::PathBuf;
use std::time::Duration;
use workbook_harness::{expect, fail, programs, NodeProcess, World};

/// How long the program may take to offer `/honk`.
const APPEAR: Duration = Duration::from_secs(15);

/// The program under test, or a failure saying the manifest has no such binary.
fn program() -> PathBuf {
    let overridden = std::env::var_os(programs::PROGRAM_OVERRIDE).is_some();
    match super::PROGRAM {
        Some(built) => programs::under_test(built),
        None if overridden => programs::under_test(""),
        None => fail(
            "your Cargo.toml to declare the binary `ex08_horn` built from src/main.rs",
            "cargo built no binary of that name. Add a `[[bin]]` table with \
             `name = \"ex08_horn\"` and `path = \"src/main.rs\"` (chapter 11, 'The manifest')",
        ),
    }
}

/// Starts the program and waits until `/honk` is in the graph; returns it and who serves it.
fn start_horn(world: &World) -> (NodeProcess, workbook_harness::GraphEntry) {
    let mut horn = world.start("your horn", world.command(program()));
    match world.wait_for_service_from("/honk", APPEAR, &mut horn) {
        Ok(entry) => (horn, entry),
        Err(error) => fail(
            "your program to offer /honk within 15 s",
            format!("{error:#}\nYour program printed:\n{}", horn.transcript()),
        ),
    }
}

/// Calls `/honk` `count` times from one rclpy node; returns the answers' lines.
fn honk(world: &World, horn: &NodeProcess, count: u32) -> Vec<String> {
    let mut command = world.rclpy("rclpy_call.py");
    command.args(["std_srvs/srv/Trigger", "/honk", "--count"]);
    command.arg(count.to_string());
    let output = world.run("rclpy_call", command, Duration::from_secs(30));
    if output.code != Some(0) {
        fail(
            format!("{count} answers from /honk to an rclpy client"),
            format!(
                "{}: {}\nYour program printed:\n{}",
                workbook_harness::describe_end(&output),
                output.text.trim(),
                horn.transcript().trim()
            ),
        );
    }
    output
        .text
        .lines()
        .filter(|line| line.starts_with("success="))
        .map(str::to_string)
        .collect()
}

#[test]
fn offers_honk_std_srvs_trigger_on_the_node_horn() {
    let world = World::new();
    let (_horn, entry) = start_horn(&world);
    expect(
        entry.types == ["std_srvs/srv/Trigger"] && entry.nodes.iter().any(|n| n == "/horn"),
        "/honk of type std_srvs/srv/Trigger, offered by the node /horn",
        || {
            format!(
                "/honk has the types {:?} and is offered by {:?}",
                entry.types, entry.nodes
            )
        },
    );
}

#[test]
fn answers_each_honk_with_the_count_so_far() {
    let world = World::new();
    let (horn, _) = start_horn(&world);
    let answers = honk(&world, &horn, 3);
    let wanted: Vec<String> = (1..=3)
        .map(|n| format!("success=true message=honk {n}"))
        .collect();
    expect(
        answers == wanted,
        "three calls answered `success: true` with the messages `honk 1`, `honk 2`, `honk 3`",
        || format!("the answers were:\n{}", answers.join("\n")),
    );
}

#[test]
fn stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let (mut horn, _) = start_horn(&world);
    // `ready` comes after the Ctrl-C handler in a program that follows the chapter: an interrupt
    // sent before it could kill a correct program.
    if let Err(error) = horn.wait_for_line("ready", APPEAR) {
        fail(
            "your program to print a line containing `ready` once it serves",
            format!("{error:#}\nYour program printed:\n{}", horn.transcript()),
        );
    }
    horn.interrupt();
    match horn.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(output.code == Some(0), "exit code 0 after Ctrl-C", || {
            format!("it ended so: {}", workbook_harness::describe_end(&output))
        }),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

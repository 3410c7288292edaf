//! Exercise 9's checks: an interface of the student's own, `robot_extras/srv/SetLights`, and the
//! node `lights` serving `/set_lights` with it.
//!
//! `cargo xtask check 9` builds the student's `robot_extras` package (CMake, rosidl) and the
//! workbook's Rust code for it into an overlay before these checks run, and every program of a
//! check gets that overlay (`WORKBOOK_OVERLAYS`): the workbook's `ros2` tool reads the interface
//! from it, rclpy imports its Python type support, the program under test was compiled against
//! its Rust code. The crate that includes this file names the program in `super::PROGRAM`.

use std::path::PathBuf;
use std::time::Duration;
use workbook_harness::{describe_end, expect, fail, programs, NodeProcess, World};

/// How long the program may take to offer `/set_lights`.
const APPEAR: Duration = Duration::from_secs(15);
/// The interface the exercise defines.
const INTERFACE: &str = "robot_extras/srv/SetLights";

/// The fields and constants `SetLights.srv` must have, as `type name` (or `type NAME=value`):
/// the request's, then the response's.
const REQUEST: [&str; 3] = ["uint8 MAX_BRIGHTNESS=100", "string color", "uint8 brightness"];
const RESPONSE: [&str; 3] = ["bool accepted", "string message", "float32 power_watts"];

fn program() -> PathBuf {
    programs::under_test(super::PROGRAM.unwrap_or_default())
}

/// Starts the program and waits until `/set_lights` is in the graph; returns it and the entry.
fn start_lights(world: &World) -> (NodeProcess, workbook_harness::GraphEntry) {
    let mut lights = world.start("your lights", world.command(program()));
    match world.wait_for_service_from("/set_lights", APPEAR, &mut lights) {
        Ok(entry) => (lights, entry),
        Err(error) => fail(
            "your program to offer /set_lights within 15 s",
            format!("{error:#}\nYour program printed:\n{}", lights.transcript()),
        ),
    }
}

/// One answer of `/set_lights`, as the rclpy client printed it.
#[derive(Debug)]
struct Answer {
    accepted: bool,
    message: String,
    power_watts: f64,
}

/// Asks `/set_lights` for `color` at `brightness` from an rclpy client (real rclpy, with the
/// Python type support CMake built from the student's interface); `Err` says what the client
/// got instead of an answer.
fn ask(world: &World, color: &str, brightness: u32) -> Result<Answer, String> {
    let mut command = world.rclpy("rclpy_call.py");
    command.args([INTERFACE, "/set_lights", "--set"]);
    command.arg(format!("color={color}"));
    command.arg("--set").arg(format!("brightness={brightness}"));
    let output = world.run("rclpy_call", command, Duration::from_secs(30));
    let line = output.text.lines().find(|l| l.starts_with("accepted="));
    let answer = line.and_then(|line| {
        let rest = line.strip_prefix("accepted=")?;
        let (accepted, rest) = rest.split_once(" message=")?;
        let (message, power) = rest.rsplit_once(" power_watts=")?;
        Some(Answer {
            accepted: accepted == "true",
            message: message.to_string(),
            power_watts: power.trim().parse().ok()?,
        })
    });
    match answer {
        Some(answer) if output.code == Some(0) => Ok(answer),
        _ => Err(format!(
            "the rclpy client {}: {}",
            describe_end(&output),
            output.text.trim()
        )),
    }
}

/// [`ask`] for each `(color, brightness)`, every client at the same time (each pays rclpy's
/// start-up and discovery, so one after the other would take seconds); the answers in that
/// order. A request without an answer fails the check, with what the program printed.
fn ask_side_by_side(world: &World, lights: &NodeProcess, requests: &[(&str, u32)]) -> Vec<Answer> {
    let results: Vec<Result<Answer, String>> = std::thread::scope(|scope| {
        let asking: Vec<_> = requests
            .iter()
            .map(|&(color, brightness)| scope.spawn(move || ask(world, color, brightness)))
            .collect();
        asking
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results
        .into_iter()
        .zip(requests)
        .map(|(result, (color, brightness))| {
            result.unwrap_or_else(|happened| {
                fail(
                    format!(
                        "an answer to {{color: {color}, brightness: {brightness}}} with the \
                         fields accepted, message and power_watts, in that order"
                    ),
                    format!(
                        "{happened}\nYour program printed:\n{}",
                        lights.transcript().trim()
                    ),
                )
            })
        })
        .collect()
}

/// The lines of `SetLights.srv` that declare something, without comments or spaces around.
fn declarations(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn defines_set_lights_with_the_required_fields() {
    let world = World::new();
    let mut command = world.reference("ros2");
    command.args(["interface", "show", "--no-comments", INTERFACE]);
    let output = world.run("ros2 interface show", command, Duration::from_secs(20));
    if output.code != Some(0) {
        fail(
            format!("`ros2 interface show {INTERFACE}` to show your interface"),
            format!(
                "it {}: {}\nIs the file srv/SetLights.srv of robot_extras, and is it listed in \
                 rosidl_generate_interfaces of its CMakeLists.txt?",
                describe_end(&output),
                output.text.trim()
            ),
        );
    }
    let lines = declarations(&output.text);
    let split = lines.iter().position(|line| line == "---");
    let (request, response) = match split {
        Some(at) => (&lines[..at], &lines[at + 1..]),
        None => (&lines[..], &[][..]),
    };
    let missing: Vec<String> = REQUEST
        .iter()
        .filter(|wanted| !request.iter().any(|line| line == *wanted))
        .map(|wanted| format!("the request's `{wanted}`"))
        .chain(
            RESPONSE
                .iter()
                .filter(|wanted| !response.iter().any(|line| line == *wanted))
                .map(|wanted| format!("the response's `{wanted}`")),
        )
        .collect();
    let extra: Vec<&String> = request
        .iter()
        .filter(|line| !REQUEST.contains(&line.as_str()))
        .chain(
            response
                .iter()
                .filter(|line| !RESPONSE.contains(&line.as_str())),
        )
        .collect();
    expect(
        split.is_some() && missing.is_empty() && extra.is_empty(),
        format!(
            "{INTERFACE} with the request {} and the response {}",
            REQUEST.join(", "),
            RESPONSE.join(", ")
        ),
        || {
            let mut problems = Vec::new();
            if split.is_none() {
                problems.push("there is no `---` between request and response".to_string());
            }
            if !missing.is_empty() {
                problems.push(format!("missing: {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                let extra: Vec<&str> = extra.iter().map(|line| line.as_str()).collect();
                problems.push(format!("not asked for: {}", extra.join(", ")));
            }
            format!(
                "{}. `ros2 interface show` showed:\n{}",
                problems.join("; "),
                output.text.trim_end()
            )
        },
    );
}

#[test]
fn offers_set_lights_on_the_node_lights() {
    let world = World::new();
    let (_lights, entry) = start_lights(&world);
    expect(
        entry.types == [INTERFACE] && entry.nodes.iter().any(|n| n == "/lights"),
        format!("/set_lights of type {INTERFACE}, offered by the node /lights"),
        || {
            format!(
                "/set_lights has the types {:?} and is offered by {:?}",
                entry.types, entry.nodes
            )
        },
    );
}

#[test]
fn accepts_the_four_colors_up_to_max_brightness() {
    let world = World::new();
    let (lights, _) = start_lights(&world);
    let asked = [("red", 100, 12.0), ("green", 50, 6.0), ("white", 0, 0.0)];
    let answers = ask_side_by_side(&world, &lights, &asked.map(|(c, b, _)| (c, b)));
    for ((color, brightness, watts), answer) in asked.into_iter().zip(answers) {
        expect(
            answer.accepted && (answer.power_watts - watts).abs() < 0.01,
            format!(
                "{{color: {color}, brightness: {brightness}}} accepted, drawing {watts} W \
                 (12 W at full brightness)"
            ),
            || format!("the answer was {answer:?}"),
        );
    }
}

#[test]
fn refuses_unknown_colors_and_too_much_brightness() {
    let world = World::new();
    let (lights, _) = start_lights(&world);
    let asked = [("purple", 40, "purple"), ("blue", 101, "100")];
    let answers = ask_side_by_side(&world, &lights, &asked.map(|(c, b, _)| (c, b)));
    for ((color, brightness, reason), answer) in asked.into_iter().zip(answers) {
        expect(
            !answer.accepted && answer.power_watts == 0.0 && answer.message.contains(reason),
            format!(
                "{{color: {color}, brightness: {brightness}}} refused, drawing 0 W, with a \
                 message that names `{reason}`"
            ),
            || format!("the answer was {answer:?}"),
        );
    }
}

#[test]
fn stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let (mut lights, _) = start_lights(&world);
    // `ready` comes after the Ctrl-C handler in a program that follows the chapter: an interrupt
    // sent before it could kill a correct program.
    if let Err(error) = lights.wait_for_line("ready", APPEAR) {
        fail(
            "your program to print a line containing `ready` once it serves",
            format!("{error:#}\nYour program printed:\n{}", lights.transcript()),
        );
    }
    lights.interrupt();
    match lights.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(output.code == Some(0), "exit code 0 after Ctrl-C", || {
            format!("it ended so: {}", describe_end(&output))
        }),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

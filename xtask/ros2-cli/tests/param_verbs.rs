//! `ros2 param list | get | set | describe | dump` against real nodes, each test in a sealed
//! world of its own: exercise 7's reference `max_speed_server` (rclrs) and an rclpy node with a
//! parameter of every kind (`tests/peers/rclpy_parameters.py serve`). The expected texts are
//! ros2cli's (Jazzy) formats; the values, and the whole of `dump`, come from rclpy's own
//! parameter client and PyYAML (`rclpy_parameters.py get | set | dump`), and every `set` is read
//! back through rclpy, so a value only "set" in this tool's imagination fails.

use std::process::Command;
use std::time::Duration;
use workbook_harness::{NodeProcess, Output, World, START_DEADLINE};

const RUN_DEADLINE: Duration = Duration::from_secs(40);

fn ros2(world: &World, args: &[&str]) -> Output {
    let mut command: Command = world.command(env!("CARGO_BIN_EXE_ros2"));
    command.args(args);
    world.run(&format!("ros2 {}", args.join(" ")), command, RUN_DEADLINE)
}

/// Runs `ros2 args…` and checks its exit code and everything it printed.
#[track_caller]
fn check(world: &World, args: &[&str], code: i32, expected: &str) {
    let output = ros2(world, args);
    assert_eq!(
        (output.code, output.text.as_str()),
        (Some(code), expected),
        "`ros2 {}` printed something else",
        args.join(" ")
    );
}

/// What rclpy's own parameter client says (`rclpy_parameters.py <args>`), which must succeed.
fn rclpy(world: &World, args: &[&str]) -> String {
    let mut command = world.rclpy("rclpy_parameters.py");
    command.args(args);
    let output = world.run(
        &format!("rclpy_parameters.py {}", args.join(" ")),
        command,
        RUN_DEADLINE,
    );
    assert_eq!(
        output.code,
        Some(0),
        "the rclpy parameter client failed:\n{}",
        output.text
    );
    output.text
}

fn start_max_speed_server(world: &World) -> NodeProcess {
    world.start_reference(
        "max_speed_server",
        &["--ros-args", "-p", "max_speed:=50"],
        "ready",
    )
}

fn start_rclpy_node(world: &World) -> NodeProcess {
    let mut command = world.rclpy("rclpy_parameters.py");
    command.arg("serve");
    let mut node = world.start("rclpy_parameters.py serve", command);
    node.wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("the rclpy parameter node did not start: {error:#}"));
    node
}

#[test]
fn the_max_speed_server_s_parameter_through_every_verb() {
    let world = World::new();
    let _server = start_max_speed_server(&world);
    check(
        &world,
        &["param", "list"],
        0,
        "/speed_server:\n  max_speed\n  use_sim_time\n",
    );
    check(
        &world,
        &["param", "list", "/speed_server", "--param-type"],
        0,
        "  max_speed (type: integer)\n  use_sim_time (type: boolean)\n",
    );
    check(
        &world,
        &["param", "get", "/speed_server", "max_speed"],
        0,
        "Integer value is: 50\n",
    );
    check(
        &world,
        &["param", "get", "speed_server", "max_speed", "--hide-type"],
        0,
        "50\n",
    );
    check(
        &world,
        &["param", "describe", "/speed_server", "max_speed"],
        0,
        "Parameter name: max_speed\n  Type: integer\n  Description: The fastest speed /set_speed \
         accepts.\n  Constraints:\n    Min value: 0\n    Max value: 1000\n",
    );
    // The range refuses 5000: ros2cli says so on standard error and still exits 0.
    check(
        &world,
        &["param", "set", "/speed_server", "max_speed", "5000"],
        0,
        "Setting parameter failed: Parameter value is out of range\n",
    );
    assert_eq!(
        rclpy(&world, &["get", "/speed_server", "max_speed"]),
        "2 50\n",
        "a refused set must leave the value as it was"
    );
    check(
        &world,
        &["param", "set", "/speed_server", "max_speed", "80"],
        0,
        "Set parameter successful\n",
    );
    assert_eq!(
        rclpy(&world, &["get", "/speed_server", "max_speed"]),
        "2 80\n",
        "rclpy should read the value `ros2 param set` gave"
    );
    let dump = ros2(&world, &["param", "dump", "/speed_server"]);
    assert_eq!(
        dump.text,
        "/speed_server:\n  ros__parameters:\n    max_speed: 80\n    use_sim_time: false\n\n"
    );
    assert_eq!(
        dump.text,
        rclpy(&world, &["dump", "/speed_server"]),
        "dump differs from PyYAML's"
    );
}

#[test]
fn errors_are_worded_as_ros2cli_words_them() {
    let world = World::new();
    let _server = start_max_speed_server(&world);
    check(
        &world,
        &["param", "get", "/speed_server", "no_such_parameter"],
        0,
        "Parameter not set.\n",
    );
    check(
        &world,
        &["param", "set", "/speed_server", "max_speed", "fast"],
        0,
        "Setting parameter failed: Parameter set to different type and dynamic typing is \
         disabled\n",
    );
    let fix = "  fix: give the node's full name as `ros2 node list` prints it (e.g. \
               /speed_server), and start it first\n";
    for verb in [
        &["get", "/no_such_node", "max_speed"][..],
        &["set", "/no_such_node", "max_speed", "1"],
        &["describe", "/no_such_node", "max_speed"],
        &["dump", "/no_such_node"],
        &["list", "/no_such_node"],
    ] {
        let mut args = vec!["param"];
        args.extend_from_slice(verb);
        args.extend_from_slice(&["--timeout", "0"]);
        if verb[0] == "list" {
            args.truncate(args.len() - 2);
        }
        check(&world, &args, 1, &format!("Node not found\n{fix}"));
    }
}

#[test]
fn an_rclpy_node_s_parameters_of_every_kind() {
    let world = World::new();
    let _node = start_rclpy_node(&world);
    check(
        &world,
        &["param", "list", "/param_node", "--param-type"],
        0,
        "  enabled (type: boolean)\n  flags (type: boolean array)\n  gain (type: integer)\n  \
         key (type: byte array)\n  limits.lower (type: integer)\n  limits.upper (type: double)\n  names (type: string \
         array)\n  ratio (type: double)\n  robot_name (type: string)\n  \
         start_type_description_service (type: boolean)\n  use_sim_time (type: boolean)\n  \
         waypoints (type: integer array)\n  weights (type: double array)\n",
    );
    check(
        &world,
        &[
            "param",
            "list",
            "/param_node",
            "--filter",
            "li|w",
            "--param-prefixes",
            "limits",
            "waypoints",
        ],
        0,
        "  limits.lower\n  limits.upper\n  waypoints\n",
    );
    // Each value as rclpy gives it, behind ros2cli's label for its type.
    let labels = [
        ("enabled", "Boolean value is:"),
        ("flags", "Boolean values are:"),
        ("gain", "Integer value is:"),
        ("key", "Byte values are:"),
        ("limits.upper", "Double value is:"),
        ("names", "String values are:"),
        ("ratio", "Double value is:"),
        ("robot_name", "String value is:"),
        ("waypoints", "Integer values are:"),
        ("weights", "Double values are:"),
    ];
    for (name, label) in labels {
        let reference = rclpy(&world, &["get", "/param_node", name]);
        let (_, value) = reference
            .trim_end()
            .split_once(' ')
            .expect("`<type> <value>` from the rclpy client");
        check(
            &world,
            &["param", "get", "/param_node", name],
            0,
            &format!("{label} {value}\n"),
        );
    }
    check(
        &world,
        &[
            "param",
            "describe",
            "/param_node",
            "gain",
            "ratio",
            "robot_name",
            "weights",
        ],
        0,
        "Parameter name: gain\n  Type: integer\n  Description: How hard the wheels push.\n  \
         Constraints:\n    Min value: 0\n    Max value: 10\n    Step: 2\n\
         Parameter name: ratio\n  Type: double\n  Constraints:\n    Min value: 0.0\n    \
         Max value: 1.5\n\
         Parameter name: robot_name\n  Type: string\n  Constraints:\n    Read only: true\n    \
         Additional constraints: Only letters.\n\
         Parameter name: weights\n  Type: double array\n  Constraints:\n",
    );
    assert_eq!(
        ros2(&world, &["param", "dump", "/param_node"]).text,
        rclpy(&world, &["dump", "/param_node"]),
        "dump differs from PyYAML's"
    );
}

#[test]
fn set_gives_a_value_the_type_rclpy_would() {
    let world = World::new();
    let _node = start_rclpy_node(&world);
    // (parameter, text typed, what rclpy reads back afterwards)
    let cases = [
        ("ratio", "1.25", "3 1.25"),
        ("enabled", "off", "1 False"),
        ("waypoints", "[4, 5]", "7 [4, 5]"),
        ("weights", "[1.5, -2.0]", "8 [1.5, -2.0]"),
        ("flags", "[false, true]", "6 [False, True]"),
        ("names", "[x, 'y z']", "9 ['x', 'y z']"),
        ("limits.lower", "-7", "2 -7"),
    ];
    for (name, text, read_back) in cases {
        check(
            &world,
            &["param", "set", "/param_node", name, text],
            0,
            "Set parameter successful\n",
        );
        assert_eq!(
            rclpy(&world, &["get", "/param_node", name]).trim_end(),
            read_back,
            "after `ros2 param set /param_node {name} {text}`"
        );
    }
    // Refusals: the node's reason, exactly as rclpy's client receives it.
    for (name, text) in [
        ("gain", "20"),
        ("gain", "3"),
        ("robot_name", "x"),
        ("ratio", "yes"),
    ] {
        let reference = rclpy(&world, &["set", "/param_node", name, text]);
        let reason = reference
            .trim_end()
            .strip_prefix("failed: ")
            .unwrap_or_else(|| panic!("rclpy accepted {name} = {text}: {reference}"));
        check(
            &world,
            &["param", "set", "/param_node", name, text],
            0,
            &format!("Setting parameter failed: {reason}\n"),
        );
    }
}

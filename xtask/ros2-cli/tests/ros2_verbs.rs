//! The workbook's `ros2` against real nodes: the reference `speed_server` (rclrs) and an rclpy
//! peer (`tests/peers/rclpy_mixed_server.py`). Each test has its own ROS domain; every node is
//! stopped when the test ends. Expected outputs are ros2cli's formats (Jazzy), and for
//! `service call` the rclpy server's own `repr()` of what it sent.

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

/// The output of a call without the line ros2cli prints while it waits for the server.
fn without_waiting_line(text: &str) -> String {
    text.strip_prefix("waiting for service to become available...\n")
        .unwrap_or(text)
        .to_string()
}

#[track_caller]
fn check_call(world: &World, args: &[&str], request: &str, response: &str) {
    let output = ros2(world, args);
    assert_eq!(
        output.code,
        Some(0),
        "`ros2 {}` failed:\n{}",
        args.join(" "),
        output.text
    );
    assert_eq!(
        without_waiting_line(&output.text),
        format!("requester: making request: {request}\n\nresponse:\n{response}\n\n"),
        "`ros2 {}` printed something else",
        args.join(" ")
    );
}

fn start_speed_server(world: &World) -> NodeProcess {
    world.start_reference("speed_server", &[], "ready")
}

fn start_mixed_server(world: &World) -> NodeProcess {
    let mut server = world.start(
        "rclpy_mixed_server.py",
        world.rclpy("rclpy_mixed_server.py"),
    );
    server
        .wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("the rclpy mixed server did not start: {error:#}"));
    server
}

const PARAMETER_SERVICES: &str = "/speed_server/describe_parameters
/speed_server/get_parameter_types
/speed_server/get_parameters
/speed_server/list_parameters
/speed_server/set_parameters
/speed_server/set_parameters_atomically
";

#[test]
fn service_graph_verbs_print_what_ros2cli_prints() {
    let world = World::new();
    let _server = start_speed_server(&world);
    check(
        &world,
        &["service", "list"],
        0,
        &format!("/get_status\n/set_speed\n{PARAMETER_SERVICES}"),
    );
    let typed = ros2(&world, &["service", "list", "-t"]);
    assert!(
        typed.text.starts_with(
            "/get_status [robot_interfaces/srv/GetStatus]\n/set_speed [robot_interfaces/srv/SetSpeed]\n\
             /speed_server/describe_parameters [rcl_interfaces/srv/DescribeParameters]\n"
        ),
        "service list -t:\n{}",
        typed.text
    );
    check(&world, &["service", "list", "-c"], 0, "8\n");
    check(
        &world,
        &["service", "type", "/set_speed"],
        0,
        "robot_interfaces/srv/SetSpeed\n",
    );
    check(&world, &["service", "type", "/no_such_service"], 1, "");
    check(
        &world,
        &["service", "find", "robot_interfaces/srv/GetStatus"],
        0,
        "/get_status\n",
    );
    check(
        &world,
        &["service", "info", "/set_speed"],
        0,
        "Type: robot_interfaces/srv/SetSpeed\nClients count: 0\nServices count: 1\n",
    );
    check(
        &world,
        &["service", "info", "-v", "/get_status"],
        0,
        "Type: robot_interfaces/srv/GetStatus\nClients count: 0\nServices count: 1\n\n\
         Node name: speed_server\nNode namespace: /\nEndpoint type: SERVER\n",
    );
}

#[test]
fn hidden_services_show_only_when_asked_for() {
    let world = World::new();
    let _server = start_mixed_server(&world);
    let visible = "/arrays\n/basic_types\n/mixed_server/get_type_description\n/mixed_speed\n\
                   /set_bool\n/trigger\n";
    check(&world, &["service", "list"], 0, visible);
    let all = ros2(&world, &["service", "list", "--include-hidden-services"]);
    assert!(
        all.text.contains("/mixed_server/_private_trigger\n"),
        "`--include-hidden-services` should list the hidden service:\n{}",
        all.text
    );
    check(
        &world,
        &["service", "type", "/mixed_server/_private_trigger"],
        1,
        "",
    );
    check(
        &world,
        &[
            "service",
            "--include-hidden-services",
            "type",
            "/mixed_server/_private_trigger",
        ],
        0,
        "std_srvs/srv/Trigger\n",
    );
}

#[test]
fn node_and_topic_verbs_print_what_ros2cli_prints() {
    let world = World::new();
    let _server = start_speed_server(&world);
    check(&world, &["node", "list"], 0, "/speed_server\n");
    check(
        &world,
        &["node", "info", "/speed_server"],
        0,
        "/speed_server\n  Subscribers:\n\n  Publishers:\n    /rosout: rcl_interfaces/msg/Log\n  \
         Service Servers:\n    /get_status: robot_interfaces/srv/GetStatus\n    \
         /set_speed: robot_interfaces/srv/SetSpeed\n    \
         /speed_server/describe_parameters: rcl_interfaces/srv/DescribeParameters\n    \
         /speed_server/get_parameter_types: rcl_interfaces/srv/GetParameterTypes\n    \
         /speed_server/get_parameters: rcl_interfaces/srv/GetParameters\n    \
         /speed_server/list_parameters: rcl_interfaces/srv/ListParameters\n    \
         /speed_server/set_parameters: rcl_interfaces/srv/SetParameters\n    \
         /speed_server/set_parameters_atomically: rcl_interfaces/srv/SetParametersAtomically\n  \
         Service Clients:\n\n  Action Servers:\n\n  Action Clients:\n\n",
    );
    check(
        &world,
        &["topic", "list", "-t"],
        0,
        "/rosout [rcl_interfaces/msg/Log]\n",
    );
    check(
        &world,
        &["node", "info", "/no_such_node"],
        1,
        "Unable to find node '/no_such_node'\n  fix: give the full name with its namespace, as \
         `ros2 node list` prints it (e.g. /speed_server)\n",
    );
}

#[test]
fn call_set_speed_and_get_status_on_the_reference_server() {
    let world = World::new();
    let _server = start_speed_server(&world);
    check_call(
        &world,
        &[
            "service",
            "call",
            "/set_speed",
            "robot_interfaces/srv/SetSpeed",
            "{speed: 42}",
        ],
        "robot_interfaces.srv.SetSpeed_Request(speed=42)",
        "robot_interfaces.srv.SetSpeed_Response(success=True, message='speed set to 42')",
    );
    check_call(
        &world,
        &["service", "call", "/set_speed", "robot_interfaces/srv/SetSpeed", "speed: 101"],
        "robot_interfaces.srv.SetSpeed_Request(speed=101)",
        "robot_interfaces.srv.SetSpeed_Response(success=False, message='speed 101 is above the maximum of 100')",
    );
    let status = ros2(
        &world,
        &[
            "service",
            "call",
            "/get_status",
            "robot_interfaces/srv/GetStatus",
        ],
    );
    let text = without_waiting_line(&status.text);
    assert!(
        text.starts_with(
            "requester: making request: robot_interfaces.srv.GetStatus_Request()\n\nresponse:\n\
             robot_interfaces.srv.GetStatus_Response(speed=42, accepted_count=1, refused_count=1, uptime_seconds="
        ) && text.ends_with(")\n\n"),
        "get_status printed:\n{}",
        status.text
    );
}

#[test]
fn call_any_type_as_rclpy_prints_it() {
    let world = World::new();
    let mut server = start_mixed_server(&world);
    let calls: [(&str, &str, &str, &str); 5] = [
        ("/set_bool", "std_srvs/srv/SetBool", "{data: true}", "std_srvs.srv.SetBool_Request(data=True)"),
        ("/trigger", "std_srvs/srv/Trigger", "{}", "std_srvs.srv.Trigger_Request()"),
        (
            "/mixed_speed",
            "robot_interfaces/srv/SetSpeed",
            "{speed: -5}",
            "robot_interfaces.srv.SetSpeed_Request(speed=-5)",
        ),
        (
            "/basic_types",
            "test_msgs/srv/BasicTypes",
            "{bool_value: yes, int8_value: -3, uint64_value: 18446744073709551615, float64_value: 1.0e+20, string_value: \"it's\"}",
            "test_msgs.srv.BasicTypes_Request(bool_value=True, byte_value=b'\\x00', char_value=0, float32_value=0.0, float64_value=1e+20, int8_value=-3, uint8_value=0, int16_value=0, uint16_value=0, int32_value=0, uint32_value=0, int64_value=0, uint64_value=18446744073709551615, string_value=\"it's\")",
        ),
        (
            "/arrays",
            "test_msgs/srv/Arrays",
            "{int32_values: [1, -2, 3], float32_values: [0.1, 2.5, -1], string_values: [a, 'b c', ''], \
             basic_types_values: [{int8_value: 1}, {}, {uint16_value: 7}], bool_values: [true, false, true]}",
            "",
        ),
    ];
    for (service, kind, values, request) in calls {
        let output = ros2(&world, &["service", "call", service, kind, values]);
        assert_eq!(
            output.code,
            Some(0),
            "calling {service} failed:\n{}",
            output.text
        );
        let text = without_waiting_line(&output.text);
        let (printed_request, printed_response) = text
            .split_once("\n\nresponse:\n")
            .unwrap_or_else(|| panic!("no response printed by the call of {service}:\n{text}"));
        if !request.is_empty() {
            assert_eq!(
                printed_request,
                format!("requester: making request: {request}"),
                "{service}: request"
            );
        }
        let sent = server
            .wait_for_line(&format!("sent {service}: "), START_DEADLINE)
            .expect("the server reports what it sent");
        // Multi-line numpy reprs: the server's first line must start the printed response.
        let sent = sent.trim_start_matches(&format!("sent {service}: "));
        assert!(
            printed_response.starts_with(sent) && printed_response.ends_with(")\n\n"),
            "{service}: the response differs from rclpy's repr\n  rclpy: {sent}\n  ours:  {printed_response}"
        );
    }
    let transcript = server.transcript();
    let sent_arrays = transcript
        .split("sent /arrays: ")
        .nth(1)
        .and_then(|rest| rest.split("\nsent ").next())
        .expect("the arrays response in the server's transcript");
    let ours = ros2(
        &world,
        &[
            "service",
            "call",
            "/arrays",
            "test_msgs/srv/Arrays",
            "{int32_values: [1, -2, 3], float32_values: [0.1, 2.5, -1], string_values: [a, 'b c', ''], \
             basic_types_values: [{int8_value: 1}, {}, {uint16_value: 7}], bool_values: [true, false, true]}",
        ],
    );
    let response = ours.text.split("response:\n").nth(1).unwrap_or_default();
    assert_eq!(
        response.trim_end(),
        sent_arrays.trim_end(),
        "the Arrays response (nested messages, numpy and list arrays) differs from rclpy's repr"
    );
}

#[test]
fn call_errors_name_the_problem_and_exit_non_zero() {
    let world = World::new();
    let _server = start_speed_server(&world);
    let cases: [(&[&str], &str); 6] = [
        (
            &["/set_speed", "robot_interfaces/srv/SetSpeed", "{sped: 1}"],
            "Failed to populate field: 'SetSpeed_Request' object has no attribute 'sped'\n",
        ),
        (
            &["/set_speed", "robot_interfaces/srv/SetSpeed", "{speed: 3000000000}"],
            "Failed to populate field: The 'speed' field must be an integer in [-2147483648, 2147483647]\n",
        ),
        (
            &["/set_speed", "robot_interfaces/srv/SetSpeed", "{speed: fast}"],
            "Failed to populate field: invalid literal for int() with base 10: 'fast'\n",
        ),
        (
            &["/set_speed", "robot_interfaces/srv/SetSpeed", "{speed: 42"],
            "the values are not valid YAML: while parsing a flow mapping",
        ),
        (
            &["/set_speed", "robot_interfaces/srv/SetSpeedy", "{speed: 42}"],
            "The passed service type is invalid\n",
        ),
        (
            &["/no_such_service", "robot_interfaces/srv/SetSpeed", "{speed: 1}", "--timeout", "1"],
            "waiting for service to become available...\nservice '/no_such_service' did not become available within 1.0 s\n",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["service", "call"];
        all.extend_from_slice(args);
        let output = ros2(&world, &all);
        assert_eq!(
            output.code,
            Some(1),
            "`ros2 {}` should fail:\n{}",
            all.join(" "),
            output.text
        );
        assert!(
            output.text.starts_with(message) && output.text.contains("\n  fix: "),
            "`ros2 {}` should say {message:?} and a fix; it printed:\n{}",
            all.join(" "),
            output.text
        );
    }
    check(
        &world,
        &["service", "info", "/no_such_service"],
        1,
        "Unknown service '/no_such_service'\n  fix: check the name with `ros2 service list` (names start with `/`)\n",
    );
}

#[test]
fn echo_prints_introspection_events_or_says_there_are_none() {
    let world = World::new();
    let _mixed = start_mixed_server(&world);
    let _speed = start_speed_server(&world);
    let mut echo_command = world.command(env!("CARGO_BIN_EXE_ros2"));
    echo_command.args(["service", "echo", "/set_bool", "--duration", "12"]);
    let mut echo = world.start("ros2 service echo", echo_command);
    std::thread::sleep(Duration::from_secs(3));
    let call = ros2(
        &world,
        &[
            "service",
            "call",
            "/set_bool",
            "std_srvs/srv/SetBool",
            "{data: true}",
        ],
    );
    assert_eq!(call.code, Some(0), "{}", call.text);
    let output = echo
        .wait_for_exit(Duration::from_secs(30))
        .expect("echo ends after its duration");
    assert!(
        output
            .text
            .contains("info:\n  event_type: REQUEST_RECEIVED\n  stamp:\n    sec: ")
            && output
                .text
                .contains("request:\n- data: true\nresponse: []\n---\n")
            && output.text.contains(
                "request: []\nresponse:\n- success: true\n  message: data is True\n---\n"
            ),
        "service echo printed:\n{}",
        output.text
    );
    check(
        &world,
        &["service", "echo", "/set_speed", "--duration", "1"],
        0,
        "No publishers on topic '/set_speed/_service_event'; is service introspection on the client or server enabled?\n",
    );
}

#[test]
fn every_query_sees_every_node_that_is_up() {
    // Discovery ends early once each participant on the machine has shown a node: with three
    // programs up (rclrs and rclpy), every listing must still show all three, every time.
    let world = World::new();
    let _speed = start_speed_server(&world);
    let _mixed = start_mixed_server(&world);
    let mut command = world.rclpy("rclpy_parameters.py");
    command.arg("serve");
    let mut parameters = world.start("rclpy_parameters.py serve", command);
    parameters
        .wait_for_line("ready", START_DEADLINE)
        .unwrap_or_else(|error| panic!("the rclpy parameter node did not start: {error:#}"));
    for _ in 0..5 {
        check(
            &world,
            &["node", "list"],
            0,
            "/mixed_server\n/param_node\n/speed_server\n",
        );
        let services = ros2(&world, &["service", "list"]);
        for service in [
            "/set_speed",
            "/trigger",
            "/param_node/get_parameters",
            "/speed_server/get_parameters",
        ] {
            assert!(
                services.text.lines().any(|line| line == service),
                "`ros2 service list` missed {service}:\n{}",
                services.text
            );
        }
    }
}

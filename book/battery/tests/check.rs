//! The tests of the book's chapter 12 example: the interface as `ros2 interface show` reads it
//! from the overlay, and the node's answers to an rclpy client (with the Python type support
//! CMake built). Run by `cargo test -p xtask` (`own_interface`'s tests), which builds the
//! interface package first.

use std::time::Duration;
use workbook_harness::{describe_end, expect, World};

/// The `name=value` line an rclpy client printed for the answer to `battery`.
fn ask(world: &World, battery: u8) -> String {
    let mut command = world.rclpy("rclpy_call.py");
    command.args(["robot_power/srv/GetBattery", "/get_battery", "--set"]);
    command.arg(format!("battery={battery}"));
    let output = world.run("rclpy_call", command, Duration::from_secs(30));
    expect(
        output.code == Some(0),
        "an answer from /get_battery",
        || format!("{}: {}", describe_end(&output), output.text),
    );
    output.text.lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_interface_shows_its_fields_and_constant() {
    let world = World::new();
    let mut command = world.reference("ros2");
    command.args([
        "interface",
        "show",
        "--no-comments",
        "robot_power/srv/GetBattery",
    ]);
    let output = world.run("ros2 interface show", command, Duration::from_secs(20));
    let lines: Vec<&str> = output.text.lines().map(str::trim).collect();
    let wanted = [
        "uint8 battery",
        "---",
        "uint8 LOW_PERCENT=20",
        "bool found",
        "uint8 percent",
    ];
    expect(
        wanted.iter().all(|line| lines.contains(line)),
        format!("the lines {wanted:?}"),
        || output.text.clone(),
    );
}

#[test]
fn the_node_answers_from_its_readings() {
    let world = World::new();
    let mut battery = world.start("battery", world.command(env!("CARGO_BIN_EXE_battery")));
    if let Err(error) =
        world.wait_for_service_from("/get_battery", Duration::from_secs(15), &mut battery)
    {
        panic!(
            "/get_battery did not appear: {error:#}\n{}",
            battery.transcript()
        );
    }
    let main = ask(&world, 0);
    expect(
        main.starts_with("found=true percent=76 voltage=24.1") && main.ends_with("low=false"),
        "battery 0: found, 76 %, 24.1 V, not low",
        || main.clone(),
    );
    let spare = ask(&world, 1);
    expect(
        spare.starts_with("found=true percent=12") && spare.ends_with("low=true"),
        "battery 1: found, 12 %, low",
        || spare.clone(),
    );
    let missing = ask(&world, 7);
    expect(
        missing.starts_with("found=false"),
        "battery 7: not found",
        || missing.clone(),
    );
}

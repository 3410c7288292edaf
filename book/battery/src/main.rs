//! The book's example for chapter 12, "An interface of your own": the node `battery` serves
//! `/get_battery` with `robot_power/srv/GetBattery`, an interface defined in this crate's folder.
//! The robot has two batteries with fixed readings, so the answers are easy to check.

use anyhow::Context as _;
use rclrs::CreateBasicExecutor;
// ANCHOR: use
use ros_env::robot_power::srv::{GetBattery, GetBattery_Request, GetBattery_Response};
// ANCHOR_END: use

/// The robot's batteries: (percent, volts), the main one first.
const BATTERIES: [(u8, f32); 2] = [(76, 24.1), (12, 21.3)];

// ANCHOR: answer
/// Answers one request from the readings: the constant comes from the interface.
fn get_battery(request: GetBattery_Request) -> GetBattery_Response {
    match BATTERIES.get(usize::from(request.battery)) {
        Some(&(percent, voltage)) => GetBattery_Response {
            found: true,
            percent,
            voltage,
            low: percent < GetBattery_Response::LOW_PERCENT,
        },
        None => GetBattery_Response {
            found: false,
            ..Default::default()
        },
    }
}
// ANCHOR_END: answer

fn main() -> anyhow::Result<()> {
    let ros_context = rclrs::Context::default_from_env()
        .context("ROS 2 would not start: run `cargo xtask setup`")?;
    let mut executor = ros_context.create_basic_executor();
    let node = executor
        .create_node("battery")
        .context("cannot create the node battery")?;
    // ANCHOR: service
    let _get_battery = node
        .create_service::<GetBattery, _>("/get_battery", get_battery)
        .context("cannot create the service /get_battery")?;
    // ANCHOR_END: service

    let stopper = executor.commands().clone();
    ctrlc::set_handler(move || stopper.halt_spinning())
        .context("the battery cannot catch Ctrl-C")?;
    println!("battery: ready, serving /get_battery");
    let problems = executor.spin(rclrs::SpinOptions::default());
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem).context("the battery's executor stopped with an error");
    }
    Ok(())
}

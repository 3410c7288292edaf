//! `trip_listener`: the book's worked example of a subscriber (chapter 8). It prints every trip
//! the `odometer` publishes on `/odometer/trip` (std_msgs/msg/Float64), as long as it runs.
//! It hears only the trips published while it listens.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::std_msgs::msg::Float64;

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("trip_listener")
        .context("cannot create the node trip_listener")?;

    // ANCHOR: subscription
    // The callback runs once per message that arrives; nothing is sent back.
    let _trips = node
        .create_subscription::<Float64, _>("/odometer/trip", |trip: Float64| {
            println!("trip_listener: a trip of {:.1} m ended", trip.data);
        })
        .context("cannot subscribe to /odometer/trip")?;
    // ANCHOR_END: subscription

    let halt = executor.commands().clone();
    ctrlc::set_handler(move || halt.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;
    println!("trip_listener: ready, listening on /odometer/trip");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    Ok(())
}

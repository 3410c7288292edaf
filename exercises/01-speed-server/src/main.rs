//! Exercise 1: the robot's SetSpeed server (book chapter 4, "Writing a service server").
//!
//! Build the node `speed_server`. It serves `/set_speed` (robot_interfaces/srv/SetSpeed): a
//! request carries the `speed` a client wants; the answer says whether the robot accepted it
//! (`success`) and, when it did not, why (`message`). The robot accepts 0 to 100.
//!
//! Check your work with `cargo xtask check 1`; stuck? `cargo xtask hint 1`.
//! Try it by hand: `cargo xtask run 1` here, `cargo xtask run speed_client -- 42` elsewhere.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};

/// The slowest speed the robot accepts.
const MIN_SPEED: i32 = 0;
/// The fastest speed the robot accepts.
const MAX_SPEED: i32 = 100;

/// Decides one SetSpeed request.
fn set_speed(request: SetSpeed_Request) -> SetSpeed_Response {
    // TODO 1: accept speeds from MIN_SPEED to MAX_SPEED, refuse the rest.
    //   - Accepted: `SetSpeed_Response { success: true, message: ... }` (e.g. "speed set to 42").
    //   - Refused: `success: false` and a message that says why, naming the limit
    //     (e.g. "speed 101 is above the maximum of 100").
    //   Print one line for each request too, so you can watch your server work.
    todo!("decide request.speed (chapter 4, 'Deciding a request')")
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_server")
        .context("cannot create the node speed_server")?;

    // TODO 2: create the service. Call `node.create_service::<SetSpeed, _>(name, callback)` with
    //   the name "/set_speed" and a callback that hands each request to `set_speed` above. Keep
    //   the service it returns in a variable: the service stops when that value is dropped.
    let _set_speed: rclrs::Service<SetSpeed> =
        todo!("create the /set_speed service (chapter 4, 'Creating the service')");

    // Ctrl-C stops the executor, so the node leaves the ROS graph cleanly (already done for you).
    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("speed_server: ready, serving /set_speed");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("speed_server: stopped");
    Ok(())
}

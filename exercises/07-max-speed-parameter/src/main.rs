//! Exercise 7: the maximum speed as a ROS parameter (book chapter 10, "The limit as a
//! parameter").
//!
//! The node `speed_server` serves `/set_speed` like exercise 1, but its maximum is no longer a
//! constant: it is the integer parameter `max_speed` (default 100, allowed 0 to 1000). Both
//! `cargo xtask run 7 -- --ros-args -p max_speed:=50` at start and a change while it runs must
//! take effect. The decision is done; the parameter is yours.
//!
//! Check your work with `cargo xtask check 7`; stuck? `cargo xtask hint 7`.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, ParameterRange, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};

/// The slowest speed the robot accepts.
const MIN_SPEED: i32 = 0;

/// Decides a request against the maximum in force right now.
fn decide(request: SetSpeed_Request, max_speed: i64) -> SetSpeed_Response {
    let speed = request.speed;
    if speed < MIN_SPEED {
        SetSpeed_Response {
            success: false,
            message: format!("speed {speed} is below the minimum of {MIN_SPEED}"),
        }
    } else if i64::from(speed) > max_speed {
        SetSpeed_Response {
            success: false,
            message: format!("speed {speed} is above the maximum of {max_speed}"),
        }
    } else {
        SetSpeed_Response {
            success: true,
            message: format!("speed set to {speed}"),
        }
    }
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_server")
        .context("cannot create the node speed_server")?;

    // TODO 1: declare the integer parameter `max_speed`: 100 unless someone sets it, described
    //   for `ros2 param describe`, and limited to 0..=1000 so that ROS itself refuses anything
    //   else. It always has a value (chapter 10, 'Parameters').
    // TODO 2: create the /set_speed service; its callback decides each request with `decide`
    //   and the maximum as it is at that request, so a change while the node runs takes effect.
    let _set_speed: rclrs::Service<SetSpeed> =
        todo!("declare max_speed and serve /set_speed with it (chapter 10, 'Parameters')");

    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;
    println!("speed_server: ready, serving /set_speed (maximum from the parameter max_speed)");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    Ok(())
}

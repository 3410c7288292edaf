//! `max_speed_server`: the speed server with its limit as a ROS parameter. The node
//! `speed_server` declares `max_speed` (an integer, default 100, 0 to 1000) and reads it at every
//! request, so both `--ros-args -p max_speed:=50` at start and a change while it runs (through the
//! node's parameter services, e.g. `ros2 param set`) take effect.

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

    // ANCHOR: parameter
    // Declared once; the value can come from the command line (`-p max_speed:=50`) or change
    // later through the node's parameter services. The range makes ROS refuse nonsense.
    let max_speed = node
        .declare_parameter::<i64>("max_speed")
        .default(100)
        .description("The fastest speed /set_speed accepts.")
        .range(ParameterRange {
            lower: Some(0),
            upper: Some(1000),
            step: None,
        })
        .mandatory()
        .context("cannot declare the parameter max_speed")?;
    // ANCHOR_END: parameter

    // ANCHOR: service
    // Read the parameter at every request, never once at start: that is what makes a change
    // while the node runs take effect.
    let _set_speed = node
        .create_service::<SetSpeed, _>("/set_speed", move |request: SetSpeed_Request| {
            decide(request, max_speed.get())
        })
        .context("cannot create the service /set_speed")?;
    // ANCHOR_END: service

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

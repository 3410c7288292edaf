//! `beacon`: the robot's warning beacon, the book's worked example of a service server
//! (chapter 4). The node `beacon` serves `/beacon` (std_srvs/srv/SetBool): `data: true` switches
//! the beacon on; `data: false` is refused with a reason, because the beacon must stay on while
//! the robot has power.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};

// ANCHOR: decide
/// Decides one request: switching on is always fine, switching off never is.
fn switch(request: SetBool_Request) -> SetBool_Response {
    if request.data {
        println!("beacon: on");
        SetBool_Response {
            success: true,
            message: "the beacon is on".to_string(),
        }
    } else {
        let reason = "the beacon stays on while the robot has power".to_string();
        println!("beacon: refused to switch off ({reason})");
        SetBool_Response {
            success: false,
            message: reason,
        }
    }
}
// ANCHOR_END: decide

fn main() -> Result<()> {
    // ANCHOR: setup
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("beacon")
        .context("cannot create the node beacon")?;
    // ANCHOR_END: setup

    // ANCHOR: service
    // A plain function from request to response is a valid callback. The service lives as long
    // as `_beacon` does: `let _ = …` would drop it at once.
    let _beacon = node
        .create_service::<SetBool, _>("/beacon", switch)
        .context("cannot create the service /beacon")?;
    // ANCHOR_END: service

    // ANCHOR: spin
    // Ctrl-C (SIGINT) or SIGTERM halt the executor, so `main` returns and the node leaves the
    // graph at once instead of when DDS notices it is gone.
    let halt = executor.commands().clone();
    ctrlc::set_handler(move || halt.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("beacon: ready, serving /beacon");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("beacon: stopped");
    // ANCHOR_END: spin
    Ok(())
}

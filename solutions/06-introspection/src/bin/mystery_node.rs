//! `mystery_node`: the node exercise 6 is about. The student is not told what it serves: they
//! find its service's name and type with the introspection commands (`ros2 node list`,
//! `ros2 service list -t`, `ros2 interface show`, `ros2 service call`) and then write a client.
//!
//! It answers a request that switches the headlights on with a code (from `MYSTERY_CODE`, or a
//! fixed one), which the check looks for in the client's output: only a real call can know it.

use anyhow::{Context as _, Result};
use rclrs::{CreateBasicExecutor, IntoNodeOptions, SpinOptions};
use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};

fn main() -> Result<()> {
    let code = std::env::var("MYSTERY_CODE").unwrap_or_else(|_| "LUMOS-7".to_string());
    let context = rclrs::Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("headlights".namespace("/robot"))?;
    let _switch =
        node.create_service::<SetBool, _>("~/switch", move |request: SetBool_Request| {
            println!("mystery_node: request data={}", request.data);
            if request.data {
                SetBool_Response {
                    success: true,
                    message: format!("headlights on (code {code})"),
                }
            } else {
                SetBool_Response {
                    success: true,
                    message: "headlights off".to_string(),
                }
            }
        })?;
    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())?;
    println!("mystery_node: ready");
    executor.spin(SpinOptions::default());
    Ok(())
}

//! `mystery_client`: switches on the headlights of the mystery robot. Nothing below was known
//! from a book: the service name, its type and the request's field came from the ROS graph.
//!
//! ```text
//! $ ros2 node list                      -> /robot/headlights
//! $ ros2 service list -t                -> /robot/headlights/switch [std_srvs/srv/SetBool]
//! $ ros2 interface show std_srvs/srv/SetBool
//! $ ros2 service call /robot/headlights/switch std_srvs/srv/SetBool "{data: true}"
//! ```
//!
//! Exit codes: 0 when the robot reports success, 1 when it refuses, 2 when nobody answers
//! within 2 seconds.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};
use std::process::ExitCode;
use std::time::{Duration, Instant};

// ANCHOR: found
/// What `ros2 service list -t` showed.
const SERVICE: &str = "/robot/headlights/switch";
// ANCHOR_END: found

/// How long to wait for the server and its answer, together.
const TIMEOUT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    match switch_on() {
        Ok(Some(response)) => {
            println!(
                "{}: {}",
                if response.success {
                    "success"
                } else {
                    "refused"
                },
                response.message
            );
            ExitCode::from(if response.success { 0 } else { 1 })
        }
        Ok(None) => {
            eprintln!("no answer from {SERVICE} within {} s", TIMEOUT.as_secs());
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

// ANCHOR: call
fn switch_on() -> Result<Option<SetBool_Response>> {
    let deadline = Instant::now() + TIMEOUT;
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("mystery_client")?;
    let client = node.create_client::<SetBool>(SERVICE)?;
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(client.notify_on_service_ready())
            .timeout(deadline.saturating_duration_since(Instant::now())),
    );
    if !client.service_is_ready()? {
        return Ok(None);
    }
    let promise = client.call::<_, SetBool_Response>(&SetBool_Request { data: true })?;
    let (mut response, answered) = executor.commands().create_notice(promise);
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(answered)
            .timeout(deadline.saturating_duration_since(Instant::now())),
    );
    Ok(response.try_recv().ok().flatten())
}
// ANCHOR_END: call

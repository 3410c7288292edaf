//! `speed_probe`: calls a SetSpeed service with several speeds from one node, so a check pays for
//! discovery once instead of once per call.
//!
//!     speed_probe <service> <timeout-seconds> <speed>...
//!
//! Prints one line per speed, in order: `<speed> accepted <message>`, `<speed> refused <message>`
//! or `<speed> no-answer`. Exits 0 when every call was answered, 2 when the service never
//! appeared or a call got no answer within the timeout (each call has the whole timeout).

use anyhow::{bail, Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    match probe() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(error) => {
            eprintln!("speed_probe: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn probe() -> Result<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, timeout, speeds @ ..] = args.as_slice() else {
        bail!("usage: speed_probe <service> <timeout-seconds> <speed>...");
    };
    let timeout = Duration::from_secs_f64(timeout.parse().context("timeout in seconds")?);
    let speeds: Vec<i32> = speeds
        .iter()
        .map(|s| s.parse().with_context(|| format!("{s} is not an i32")))
        .collect::<Result<_>>()?;

    let context = Context::new([], rclrs::InitOptions::default()).context("ROS 2 init")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("speed_probe")?;
    let client = node.create_client::<SetSpeed>(service.as_str())?;
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(client.notify_on_service_ready())
            .timeout(timeout),
    );
    if !client.service_is_ready()? {
        println!("{service} never appeared");
        return Ok(false);
    }
    for speed in speeds {
        let promise = client.call::<_, SetSpeed_Response>(&SetSpeed_Request { speed })?;
        let (mut answer, done) = executor.commands().create_notice(promise);
        executor.spin(
            SpinOptions::new()
                .until_promise_resolved(done)
                .timeout(timeout),
        );
        match answer.try_recv() {
            Ok(Some(response)) => {
                let verdict = if response.success {
                    "accepted"
                } else {
                    "refused"
                };
                println!("{speed} {verdict} {}", response.message);
            }
            _ => {
                println!("{speed} no-answer");
                return Ok(false);
            }
        }
    }
    Ok(true)
}

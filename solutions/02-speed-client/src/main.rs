//! `speed_client`: asks the robot for a speed through `/set_speed` and prints the answer.
//!
//! Exit codes: 0 when the speed was accepted, 1 when it was refused, 2 when no server answered
//! in time (or the arguments were wrong, as clap reports them).

use anyhow::{Context as _, Result};
use clap::Parser;
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Send one SetSpeed request and print the robot's answer.
#[derive(Parser)]
#[command(name = "speed_client")]
struct Args {
    /// The speed to ask for (the reference robot accepts 0 to 100).
    #[arg(allow_negative_numbers = true)]
    speed: i32,
    /// Give up when no answer arrived after this many seconds (waiting for the server included).
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// The service to call.
    #[arg(long, default_value = "/set_speed")]
    service: String,
}

/// How one call ended. The two failures carry the name the client really called
/// (`client.service_name()`), so what the program prints is what it did, even when that name is
/// not the one asked for.
enum Outcome {
    Answered(SetSpeed_Response),
    NoServer(String),
    NoAnswer(String),
}

fn main() -> ExitCode {
    let args = Args::parse();
    match call(&args) {
        Ok(Outcome::Answered(response)) => {
            let verdict = if response.success {
                "accepted"
            } else {
                "refused"
            };
            println!("{verdict}: {}", response.message);
            if response.success {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Ok(Outcome::NoServer(service)) => {
            eprintln!(
                "no server: nothing serves {service} (waited {:.1} s). Start one with `cargo xtask run speed_server`.",
                args.timeout
            );
            ExitCode::from(2)
        }
        Ok(Outcome::NoAnswer(service)) => {
            eprintln!(
                "no answer: {service} did not respond within {:.1} s",
                args.timeout
            );
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

// ANCHOR: call
fn call(args: &Args) -> Result<Outcome> {
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout.max(0.0));
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_client")
        .context("cannot create the node speed_client")?;
    let client = node
        .create_client::<SetSpeed>(args.service.as_str())
        .with_context(|| format!("cannot create a client for {}", args.service))?;

    // Wait for a server, but never longer than the deadline.
    let ready = client.notify_on_service_ready();
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(ready)
            .timeout(deadline.saturating_duration_since(Instant::now())),
    );
    if !client
        .service_is_ready()
        .context("cannot query the ROS graph")?
    {
        return Ok(Outcome::NoServer(client.service_name()));
    }

    // Send the request and spin until the answer arrives or the deadline passes.
    let request = SetSpeed_Request { speed: args.speed };
    let promise = client
        .call::<_, SetSpeed_Response>(&request)
        .context("cannot send the request")?;
    let (mut response, answered) = executor.commands().create_notice(promise);
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(answered)
            .timeout(deadline.saturating_duration_since(Instant::now())),
    );
    Ok(match response.try_recv() {
        Ok(Some(response)) => Outcome::Answered(response),
        _ => Outcome::NoAnswer(client.service_name()),
    })
}
// ANCHOR_END: call

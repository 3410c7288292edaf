//! Exercise 2: a SetSpeed client (book chapter 5, "Writing a client").
//!
//! `ex02_speed_client <speed> [--timeout SECS] [--service NAME]` asks the robot for a speed and
//! prints its answer. Exit codes: 0 when the speed was accepted, 1 when it was refused, 2 when no
//! server answered in time (and 2 for wrong arguments, as clap reports them). The command line
//! and the exit codes are done for you below; the ROS part, `call`, is yours.
//!
//! Check your work with `cargo xtask check 2`; stuck? `cargo xtask hint 2`.
//! Try it by hand: `cargo xtask run speed_server` in one terminal, `cargo xtask run 2 -- 42` in
//! another.

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

fn call(args: &Args) -> Result<Outcome> {
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout.max(0.0));
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_client")
        .context("cannot create the node speed_client")?;

    // TODO 1: create a client for SetSpeed on `args.service` with `node.create_client::<SetSpeed>`.
    let client: rclrs::Client<SetSpeed> =
        todo!("create the client (chapter 5, 'Creating a client')");

    // TODO 2: wait until a server is there, but never past `deadline`: spin the executor until
    //   the promise from `client.notify_on_service_ready()` resolves, with
    //   `SpinOptions::new().until_promise_resolved(...).timeout(...)`. Then, if
    //   `client.service_is_ready()?` is still false, return
    //   `Ok(Outcome::NoServer(client.service_name()))`: the name the client really called.
    todo!("wait for the service with a deadline (chapter 5, 'Waiting for the server')");

    // TODO 3: send `SetSpeed_Request { speed: args.speed }` with `client.call`, spin until the
    //   answer arrives (again never past `deadline`), and return `Outcome::Answered(response)`,
    //   or `Outcome::NoAnswer(client.service_name())` when the deadline passed first.
    //   `executor.commands().create_notice` turns the call's promise into a receiver plus a
    //   promise to spin on.
    todo!("send the request and wait for the answer (chapter 5, 'Calling and waiting')")
}

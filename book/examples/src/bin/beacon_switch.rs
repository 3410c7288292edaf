//! `beacon_switch`: the book's worked example of a client with a deadline (chapter 5). It asks
//! the `beacon` to switch on or off through `/beacon` (std_srvs/srv/SetBool) and prints the answer.
//!
//!     beacon_switch <on|off> [--timeout SECS] [--service NAME]
//!
//! Exit codes: 0 the beacon did it, 1 it refused, 2 no server or no answer before the deadline
//! (and 2 for wrong arguments, as clap reports them).

use anyhow::{Context as _, Result};
use clap::{Parser, ValueEnum};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Switch the robot's warning beacon on or off.
#[derive(Parser)]
#[command(name = "beacon_switch")]
struct Args {
    /// What to ask for.
    state: State,
    /// Give up after this many seconds, waiting for the server included.
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// The service to call.
    #[arg(long, default_value = "/beacon")]
    service: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum State {
    On,
    Off,
}

/// How the call ended: an answer, or one of the two ways of getting none.
enum Ending {
    Answer(SetBool_Response),
    NobodyServes,
    NoReply,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match switch(&args) {
        Ok(Ending::Answer(reply)) if reply.success => {
            println!("done: {}", reply.message);
            ExitCode::SUCCESS
        }
        Ok(Ending::Answer(reply)) => {
            println!("refused: {}", reply.message);
            ExitCode::from(1)
        }
        Ok(Ending::NobodyServes) => {
            eprintln!("no server: nothing serves {} yet", args.service);
            ExitCode::from(2)
        }
        Ok(Ending::NoReply) => {
            eprintln!("no answer: {} took too long", args.service);
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("beacon_switch: {error:#}");
            ExitCode::from(2)
        }
    }
}

// ANCHOR: switch
fn switch(args: &Args) -> Result<Ending> {
    // ANCHOR: deadline
    // One point in time for the whole run; each wait gets only what is left of it.
    let give_up_at = Instant::now() + Duration::from_secs_f64(args.timeout.max(0.0));
    let time_left = || give_up_at.saturating_duration_since(Instant::now());
    // ANCHOR_END: deadline

    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("beacon_switch")?;
    // ANCHOR: client
    // Always succeeds: a client is this node's half of the conversation, server or not.
    let beacon = node.create_client::<SetBool>(args.service.as_str())?;
    // ANCHOR_END: client

    // ANCHOR: discovery
    // Spin until a server is discovered, or until the time is up; then ask which it was.
    let found = beacon.notify_on_service_ready();
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(found)
            .timeout(time_left()),
    );
    if !beacon.service_is_ready()? {
        return Ok(Ending::NobodyServes);
    }
    // ANCHOR_END: discovery

    // ANCHOR: call
    // `call` sends at once and returns a promise of the response. `call::<_, SetBool_Response>`
    // names what the promise will hold; the `_` lets Rust work out the request's type.
    let wanted = SetBool_Request {
        data: matches!(args.state, State::On),
    };
    let pending = beacon.call::<_, SetBool_Response>(&wanted)?;
    // `create_notice` splits the promise: a receiver that will hold the response, and a notice
    // (a promise of "it is there") to spin on.
    let (mut inbox, arrived) = executor.commands().create_notice(pending);
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(arrived)
            .timeout(time_left()),
    );
    // `try_recv` never waits: Ok(Some(_)) when the response came, anything else when it did not.
    match inbox.try_recv() {
        Ok(Some(reply)) => Ok(Ending::Answer(reply)),
        _ => Ok(Ending::NoReply),
    }
    // ANCHOR_END: call
}
// ANCHOR_END: switch

//! `silent_server`: a SetSpeed server that takes every request and never answers, what a hung
//! robot looks like to a client. The checks of the clients (exercises 2 and 4) use it to show
//! that a client keeps its deadline instead of waiting forever.
//!
//!     silent_server [--service NAME] [--serve-after SECS] [--serve-after-client SECS]
//!
//! Prints `started` once its node exists and `ready` once it serves; with `--serve-after`, it
//! creates the service that many seconds after `started` (a server that appears late, its
//! start-up already paid, so the moment it appears is known to within milliseconds). With
//! `--serve-after-client`, the seconds count from the moment another node appears in the graph
//! (`client seen`): the client's start, however long a loaded machine took to get there. Each request
//! is printed (`received speed N; not answering`) and its answer is a future that never
//! resolves, so the executor stays free for the next one. It is the Rust twin of
//! `tests/peers/rclpy_silent_server.py` (which the book's examples use): a Rust node is ready in
//! a fraction of the time rclpy takes, and every check with a silent server pays that start-up.

use anyhow::{bail, Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::process::ExitCode;
use std::time::Duration;

/// What the command line asked for.
struct Options {
    service: String,
    serve_after: Duration,
    /// Whether `serve_after` counts from the first other node's appearance.
    after_client: bool,
}

/// How often the graph is read while waiting for another node.
const POLL: Duration = Duration::from_millis(10);

fn main() -> ExitCode {
    let result = options().and_then(|options| serve(&options));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("silent_server: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn options() -> Result<Options> {
    let mut options = Options {
        service: "/set_speed".to_string(),
        serve_after: Duration::ZERO,
        after_client: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--service" => options.service = value,
            "--serve-after" | "--serve-after-client" => {
                let seconds: f64 = value
                    .parse()
                    .with_context(|| format!("{arg} {value}: not a number of seconds"))?;
                options.serve_after = Duration::from_secs_f64(seconds.max(0.0));
                options.after_client = arg == "--serve-after-client";
            }
            other => bail!(
                "unknown option {other} (usage: [--service NAME] [--serve-after SECS] \
                 [--serve-after-client SECS])"
            ),
        }
    }
    Ok(options)
}

fn serve(options: &Options) -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("silent_robot")
        .context("cannot create the node silent_robot")?;
    println!("started");
    if options.after_client {
        // rcl keeps the graph up to date without spinning.
        while node
            .get_node_names()?
            .iter()
            .all(|n| n.name == "silent_robot")
        {
            std::thread::sleep(POLL);
        }
        println!("client seen");
    }
    std::thread::sleep(options.serve_after);
    let _service = node
        .create_async_service::<SetSpeed, _>(
            options.service.as_str(),
            |request: SetSpeed_Request| {
                println!("received speed {}; not answering", request.speed);
                std::future::pending::<SetSpeed_Response>()
            },
        )
        .with_context(|| format!("cannot create the service {}", options.service))?;
    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;
    println!("ready");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    Ok(())
}

//! `speed_probe`: calls a robot's services many times from one node, so a check pays for
//! discovery once instead of once per call.
//!
//!     speed_probe <set_speed service> <timeout-seconds> <item>...
//!
//! Each item is a speed (a SetSpeed call) or the word `status` (a GetStatus call on the
//! `get_status` service next to the SetSpeed one). Prints one line per item, in order:
//! `<speed> accepted <message>`, `<speed> refused <message>`, `<speed> no-answer`, or
//! `status speed=<n> accepted_count=<n> refused_count=<n> uptime_seconds=<x>`. The item
//! `pause:<seconds>` waits that long and prints nothing.
//! With no items it only waits until a server of the SetSpeed service is there and prints
//! `ready`. Exits 0 when every call was answered, 2 when a service never appeared or a call got no answer
//! within the timeout (each call has the whole timeout).
//!
//! With `SPEED_PROBE_TIMES` set in its environment, each answer's line is followed by
//! `took <seconds>`: how long that answer took from the request to its arrival (a line no other
//! reader of the probe's output parses, since it starts with no speed).

use anyhow::{bail, Context as _, Result};
use rclrs::{
    Client, Context, CreateBasicExecutor, Executor, IntoPrimitiveOptions, Promise, SpinOptions,
};
use ros_env::robot_interfaces::srv::{
    GetStatus, GetStatus_Request, GetStatus_Response, SetSpeed, SetSpeed_Request, SetSpeed_Response,
};
use std::process::ExitCode;
use std::time::Duration;

mod teardown;

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

/// One thing to ask the robot.
enum Item {
    Speed(i32),
    Status,
    /// `pause:<seconds>`: waits that long before the next item (prints nothing).
    Pause(Duration),
}

fn probe() -> Result<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, timeout, items @ ..] = args.as_slice() else {
        bail!(
            "usage: speed_probe <set_speed service> <timeout-seconds> <speed|status|pause:SECS>..."
        );
    };
    let timeout = Duration::from_secs_f64(timeout.parse().context("timeout in seconds")?);
    let items: Vec<Item> = items
        .iter()
        .map(|s| match s.as_str() {
            "status" => Ok(Item::Status),
            _ if s.starts_with("pause:") => s["pause:".len()..]
                .parse()
                .map(|seconds| Item::Pause(Duration::from_secs_f64(seconds)))
                .with_context(|| format!("{s}: a pause is `pause:<seconds>`")),
            _ => s
                .parse()
                .map(Item::Speed)
                .with_context(|| format!("{s} is neither an i32, `status` nor `pause:<seconds>`")),
        })
        .collect::<Result<_>>()?;
    let status_service = match service.strip_suffix("set_speed") {
        Some(namespace) => format!("{namespace}get_status"),
        None => "/get_status".to_string(),
    };

    let context = Context::new([], rclrs::InitOptions::default()).context("ROS 2 init")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("speed_probe")?;
    // Every client of a service receives every answer the server sends, to any client, and
    // throws away the ones that are not its own only when it takes them. With the default
    // history of 10, a probe that falls behind while other clients call the same server loses
    // its own answer among theirs; keeping all of them makes that impossible.
    // ANCHOR: keep_all
    let set_speed = node.create_client::<SetSpeed>(service.as_str().keep_all())?;
    // ANCHOR_END: keep_all
    let get_status = node.create_client::<GetStatus>(status_service.as_str().keep_all())?;
    // Dropped first, before the clients, node, executor and context above.
    let _deadline = teardown::Deadline::new("speed_probe");
    let wants_status = items.iter().any(|i| matches!(i, Item::Status));
    // With no items at all, the probe only waits until the SetSpeed service can be called.
    let wants_speed = items.is_empty() || items.iter().any(|i| matches!(i, Item::Speed(_)));
    if wants_speed && !wait_for(&mut executor, &set_speed, timeout)? {
        println!("{service} never appeared");
        return Ok(false);
    }
    if wants_status && !wait_for(&mut executor, &get_status, timeout)? {
        println!("{status_service} never appeared");
        return Ok(false);
    }
    if items.is_empty() {
        println!("ready");
    }
    let times = std::env::var_os("SPEED_PROBE_TIMES").is_some();
    for item in items {
        match item {
            Item::Speed(speed) => {
                let sent = std::time::Instant::now();
                let promise =
                    set_speed.call::<_, SetSpeed_Response>(&SetSpeed_Request { speed })?;
                match answer(&mut executor, promise, timeout) {
                    Some(response) => {
                        let took = sent.elapsed().as_secs_f64();
                        let verdict = if response.success {
                            "accepted"
                        } else {
                            "refused"
                        };
                        println!("{speed} {verdict} {}", response.message);
                        if times {
                            println!("took {took:.3}");
                        }
                    }
                    None => {
                        println!("{speed} no-answer");
                        return Ok(false);
                    }
                }
            }
            Item::Pause(pause) => std::thread::sleep(pause),
            Item::Status => {
                let promise =
                    get_status.call::<_, GetStatus_Response>(&GetStatus_Request::default())?;
                match answer(&mut executor, promise, timeout) {
                    Some(s) => println!(
                        "status speed={} accepted_count={} refused_count={} uptime_seconds={:.3}",
                        s.speed, s.accepted_count, s.refused_count, s.uptime_seconds
                    ),
                    None => {
                        println!("status no-answer");
                        return Ok(false);
                    }
                }
            }
        }
    }
    teardown::set_exit_code(0);
    Ok(true)
}

/// Spins until a server for `client` is there, at most `timeout`.
fn wait_for<T: rosidl_runtime_rs::Service>(
    executor: &mut Executor,
    client: &Client<T>,
    timeout: Duration,
) -> Result<bool> {
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(client.notify_on_service_ready())
            .timeout(timeout),
    );
    Ok(client.service_is_ready()?)
}

/// Spins until `promise` resolves, at most `timeout`.
fn answer<R: Send + 'static>(
    executor: &mut Executor,
    promise: Promise<R>,
    timeout: Duration,
) -> Option<R> {
    let (mut answer, done) = executor.commands().create_notice(promise);
    let started = std::time::Instant::now();
    let errors = executor.spin(
        SpinOptions::new()
            .until_promise_resolved(done)
            .timeout(timeout),
    );
    for error in &errors {
        eprintln!("speed_probe: while waiting for an answer: {error}");
    }
    let response = answer.try_recv().ok().flatten();
    if response.is_none() {
        eprintln!(
            "speed_probe: no answer after {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    response
}

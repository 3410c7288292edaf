//! `odometer_watch`: the book's worked example of an asynchronous client (chapter 7). It reads
//! the `odometer` (`/odometer/read`, std_srvs/srv/Trigger) on a schedule, without waiting for
//! the earlier readings, and gives each reading its own patience: a reading that is not answered
//! in time is reported as such while the others go on.
//!
//!     odometer_watch <readings> [--every SECS] [--patience SECS] [--wait SECS] [--service NAME]
//!
//! Exit codes: 0 when every reading was answered, 1 otherwise, 2 for wrong arguments.

use anyhow::{Context as _, Result};
use clap::Parser;
use futures::channel::oneshot;
use futures::future::{select, Either};
use rclrs::{Context, CreateBasicExecutor, Node, RclrsError, SpinOptions, Timer};
use ros_env::std_srvs::srv::{Trigger, Trigger_Request, Trigger_Response};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Read the odometer on a schedule, many readings in flight.
#[derive(Parser)]
#[command(name = "odometer_watch")]
struct Args {
    /// How many readings to take.
    readings: usize,
    /// Seconds between two readings.
    #[arg(long, default_value_t = 0.2)]
    every: f64,
    /// Seconds a reading may wait for its answer.
    #[arg(long, default_value_t = 1.0)]
    patience: f64,
    /// Seconds to wait for a server before the first reading.
    #[arg(long, default_value_t = 5.0)]
    wait: f64,
    /// The service to call.
    #[arg(long, default_value = "/odometer/read")]
    service: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match watch(&args) {
        Ok(answered) => {
            println!("{answered} of {} readings answered", args.readings);
            ExitCode::from(u8::from(answered != args.readings))
        }
        Err(error) => {
            eprintln!("odometer_watch: {error:#}");
            ExitCode::from(2)
        }
    }
}

// ANCHOR: alarm
/// A future that completes once `limit` has passed: a ROS one-shot timer fires a one-shot
/// channel. Awaiting the receiver waits for the timer; nothing sleeps, and the executor keeps
/// serving everything else meanwhile. The timer must be kept as long as the wait lasts.
fn alarm(node: &Node, limit: Duration) -> Result<(Timer, oneshot::Receiver<()>), RclrsError> {
    let (ring, rung) = oneshot::channel();
    let timer = node.create_timer_oneshot(limit, move || {
        // The receiver may be gone already (the answer won); then nobody needs to hear it.
        ring.send(()).ok();
    })?;
    Ok((timer, rung))
}
// ANCHOR_END: alarm

fn watch(args: &Args) -> Result<usize> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("odometer_watch")?;
    let odometer = node.create_client::<Trigger>(args.service.as_str())?;

    // A request sent before the server is discovered is lost: look for one first, for a while.
    // (Polling, not spinning on `notify_on_service_ready`: see the chapter.)
    let look_until = Instant::now() + Duration::from_secs_f64(args.wait.max(0.0));
    while !odometer.service_is_ready()? && Instant::now() < look_until {
        std::thread::sleep(Duration::from_millis(20));
    }

    let wanted = args.readings;
    let patience = Duration::from_secs_f64(args.patience.max(0.0));
    let answered = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let commands = executor.commands().clone();
    let mut taken = 0;

    // ANCHOR: schedule
    let counted = Arc::clone(&answered);
    let timer_node = node.clone();
    let _schedule =
        node.create_timer_repeating(Duration::from_secs_f64(args.every.max(0.001)), move || {
            if taken == wanted {
                return;
            }
            taken += 1;
            let number = taken;
            // What every reading does once it knows its end, answered or not.
            let finish = {
                let (answered, done, commands) = (counted.clone(), done.clone(), commands.clone());
                move |line: String, was_answered: bool| {
                    println!("reading {number}: {line}");
                    answered.fetch_add(usize::from(was_answered), Ordering::SeqCst);
                    if done.fetch_add(1, Ordering::SeqCst) + 1 == wanted {
                        commands.halt_spinning();
                    }
                }
            };
            if !odometer.service_is_ready().unwrap_or(false) {
                return finish("no server".into(), false);
            }
            // Sending returns at once; `reply` is a promise, a future of the response.
            let sent = odometer.call::<_, Trigger_Response>(&Trigger_Request::default());
            let (reply, (timer, rung)) = match (sent, alarm(&timer_node, patience)) {
                (Ok(reply), Ok(alarm)) => (reply, alarm),
                (Err(error), _) | (_, Err(error)) => {
                    return finish(format!("could not ask: {error:#}"), false);
                }
            };
            // ANCHOR: task
            // The waiting is a task of its own: `async move` takes `reply`, `rung`, `timer` and
            // `finish` into it, and the executor polls it whenever one of them makes progress.
            // This callback has returned long before the answer comes.
            // The task's own promise is not needed: `finish` reports. Dropping it does not stop
            // the task.
            let _unused = commands.run(async move {
                let _keep = timer;
                match select(reply, rung).await {
                    Either::Left((Ok(reading), _)) => finish(reading.message, true),
                    Either::Left((Err(_), _)) => finish("the request was dropped".into(), false),
                    Either::Right(_) => finish(format!("no answer within {patience:?}"), false),
                }
            });
            // ANCHOR_END: task
        })?;
    // ANCHOR_END: schedule

    if wanted > 0 {
        executor.spin(SpinOptions::default());
    }
    Ok(answered.load(Ordering::SeqCst))
}

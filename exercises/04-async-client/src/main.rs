//! Exercise 4: an asynchronous client (book chapter 7, "Asynchronous clients").
//!
//! `ex04_async_client <speed>... [--every SECS] [--timeout SECS] [--wait SECS] [--service NAME]`
//! sends one SetSpeed request every `--every` seconds WITHOUT waiting for earlier answers, and
//! gives each request its own deadline of `--timeout` seconds. Every request ends in exactly one
//! report line, `#<n> speed <s>: accepted: …`, `refused: …`, `no server` or `no answer in time`,
//! and a summary line closes the run. The robot may be absent, stop and come back: your client
//! keeps going. The command line, the schedule timer and the reports are done for you.
//!
//! Check your work with `cargo xtask check 4`; stuck? `cargo xtask hint 4`.

use anyhow::{Context as _, Result};
use clap::Parser;
use futures::future::{select, Either};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Send SetSpeed requests on a schedule, many in flight at once.
#[derive(Parser)]
#[command(name = "async_client")]
struct Args {
    /// The speeds to ask for, one request each, in this order.
    #[arg(required = true, allow_negative_numbers = true)]
    speeds: Vec<i32>,
    /// Seconds between two requests.
    #[arg(long, default_value_t = 0.5)]
    every: f64,
    /// Seconds each request may wait for its answer.
    #[arg(long, default_value_t = 2.0)]
    timeout: f64,
    /// Seconds to wait for a server before the first request.
    #[arg(long, default_value_t = 5.0)]
    wait: f64,
    /// The service to call.
    #[arg(long, default_value = "/set_speed")]
    service: String,
}

/// How one request ended.
#[derive(Clone, Debug)]
enum Report {
    Answered(SetSpeed_Response),
    NoServer,
    NoAnswer,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(reports) => {
            let answered = reports
                .iter()
                .filter(|r| matches!(r, Report::Answered(_)))
                .count();
            let no_server = reports
                .iter()
                .filter(|r| matches!(r, Report::NoServer))
                .count();
            let no_answer = reports.len() - answered - no_server;
            println!(
                "{} requests: {answered} answered, {no_server} without a server, {no_answer} without an answer",
                reports.len()
            );
            if answered == reports.len() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<Vec<Report>> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("async_client")
        .context("cannot create the node async_client")?;
    let client = node
        .create_client::<SetSpeed>(args.service.as_str())
        .with_context(|| format!("cannot create a client for {}", args.service))?;

    // Give discovery a chance before the schedule starts, but do not insist. This polls instead
    // of spinning until `notify_on_service_ready()` resolves: in rclrs 0.8 a spin that timed out
    // leaves that promise armed, and when a server appears later it halts whatever spin is
    // running then, which would end the schedule early.
    let wait_until = Instant::now() + Duration::from_secs_f64(args.wait.max(0.0));
    while !client.service_is_ready()? && Instant::now() < wait_until {
        std::thread::sleep(Duration::from_millis(20));
    }

    let total = args.speeds.len();
    let reports: Arc<Mutex<Vec<Option<Report>>>> = Arc::new(Mutex::new(vec![None; total]));
    let collected = Arc::clone(&reports);
    let finished = Arc::new(AtomicUsize::new(0));
    let timeout = Duration::from_secs_f64(args.timeout.max(0.0));
    let commands = executor.commands().clone();
    let speeds = args.speeds.clone();
    let mut next = 0;

    // The timer only sends; it never waits. Each request's wait runs as its own task on the
    // executor, so a slow or lost answer holds up nothing else.
    let _schedule = node
        .create_timer_repeating(Duration::from_secs_f64(args.every.max(0.001)), move || {
            let Some(&speed) = speeds.get(next) else {
                return;
            };
            let number = next + 1;
            next += 1;
            let record = {
                let reports = Arc::clone(&reports);
                let finished = Arc::clone(&finished);
                let commands = commands.clone();
                move |report: Report| {
                    println!("#{number} speed {speed}: {}", describe(&report));
                    reports.lock().expect("not poisoned")[number - 1] = Some(report);
                    if finished.fetch_add(1, Ordering::SeqCst) + 1 == total {
                        commands.halt_spinning();
                    }
                }
            };
            if !client.service_is_ready().unwrap_or(false) {
                record(Report::NoServer);
                return;
            }
            // TODO 2: send the request for `speed` (a request that cannot even be sent is a
            //   `Report::NoServer`), then give the waiting for its answer to the executor as a
            //   task of its own: the answer and the deadline race, and whichever comes first
            //   decides what `record` gets. Never wait here: this callback must return at once
            //   so the next tick can send the next request (chapter 7, 'One task per request').
            todo!("send without waiting (chapter 7, 'One task per request')")
        })
        .context("cannot create the schedule timer")?;

    executor.spin(SpinOptions::default());
    let reports = collected.lock().expect("not poisoned");
    Ok(reports
        .iter()
        .map(|r| r.clone().unwrap_or(Report::NoAnswer))
        .collect())
}

/// A future that completes after `timeout`: a sleeping thread fires a one-shot channel. The
/// executor never sleeps, so other requests keep moving while this one waits.
fn deadline(timeout: Duration) -> futures::channel::oneshot::Receiver<()> {
    // TODO 1: a future that completes once `timeout` has passed. Something else has to do the
    //   waiting (the executor must not sleep) and then tell the future; the chapter's section
    //   shows which channel carries a single "now" (chapter 7, 'Deadlines').
    todo!("a future that completes after `timeout` (chapter 7, 'Deadlines')")
}

fn describe(report: &Report) -> String {
    match report {
        Report::Answered(r) if r.success => format!("accepted: {}", r.message),
        Report::Answered(r) => format!("refused: {}", r.message),
        Report::NoServer => "no server".to_string(),
        Report::NoAnswer => "no answer in time".to_string(),
    }
}

//! Building blocks of the wrong variants: each binary in `src/bin/` is a small program that gets
//! one thing wrong on purpose, and `exercises/exercises.toml` lists which checks must catch it.
//! Keeping the shared plumbing here keeps each variant down to the mistake it demonstrates.

pub mod horn;

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, Executor, Node, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};

/// A node named `name` on a fresh executor.
pub fn node(name: &str) -> Result<(Executor, Node)> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let executor = context.create_basic_executor();
    let node = executor.create_node(name)?;
    Ok((executor, node))
}

/// The reference decision: 0..=100 accepted, the rest refused with a reason.
pub fn decide(speed: i32) -> SetSpeed_Response {
    decide_between(speed, 0, 100)
}

/// A decision with other limits (the off-by-one variants use it).
pub fn decide_between(speed: i32, min: i32, max: i32) -> SetSpeed_Response {
    if (min..=max).contains(&speed) {
        SetSpeed_Response {
            success: true,
            message: format!("speed set to {speed}"),
        }
    } else {
        SetSpeed_Response {
            success: false,
            message: format!("speed {speed} is outside {min}..={max}"),
        }
    }
}

/// Serves SetSpeed on `service` from the node `speed_server` with `decide`, until Ctrl-C
/// (or until killed, when `clean_stop` is false: no handler is installed).
pub fn serve_set_speed(
    service: &str,
    decide: impl Fn(SetSpeed_Request) -> SetSpeed_Response + Send + Sync + 'static,
    clean_stop: bool,
) -> Result<()> {
    let (mut executor, node) = node("speed_server")?;
    let _service = node.create_service::<SetSpeed, _>(service, decide)?;
    spin(&mut executor, clean_stop)
}

/// Spins until Ctrl-C halts the executor (installing the handler only when `clean_stop`).
pub fn spin(executor: &mut Executor, clean_stop: bool) -> Result<()> {
    if clean_stop {
        let commands = executor.commands().clone();
        ctrlc::set_handler(move || commands.halt_spinning())?;
    }
    println!("ready");
    executor.spin(SpinOptions::default());
    Ok(())
}

/// Calls SetSpeed once; waits for the server at most 3 s, and for the answer at most `answer`
/// (forever when `None`). `None` when no server or no answer.
pub fn call_set_speed(
    service: &str,
    speed: i32,
    answer: Option<std::time::Duration>,
) -> Option<SetSpeed_Response> {
    let (mut executor, node) = node("speed_client").ok()?;
    let client = node.create_client::<SetSpeed>(service).ok()?;
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(client.notify_on_service_ready())
            .timeout(std::time::Duration::from_secs(3)),
    );
    if !client.service_is_ready().ok()? {
        return None;
    }
    let promise = client
        .call::<_, SetSpeed_Response>(&SetSpeed_Request { speed })
        .ok()?;
    let (mut response, done) = executor.commands().create_notice(promise);
    let mut options = SpinOptions::new().until_promise_resolved(done);
    if let Some(limit) = answer {
        options = options.timeout(limit);
    }
    executor.spin(options);
    response.try_recv().ok().flatten()
}

/// Prints an answer like the reference client and maps it to its exit code.
pub fn client_exit(answer: Option<SetSpeed_Response>) -> std::process::ExitCode {
    match answer {
        Some(response) if response.success => {
            println!("accepted: {}", response.message);
            std::process::ExitCode::SUCCESS
        }
        Some(response) => {
            println!("refused: {}", response.message);
            std::process::ExitCode::from(1)
        }
        None => {
            eprintln!("no answer");
            std::process::ExitCode::from(2)
        }
    }
}

/// The ways the exercise 3 variants get the shared state wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StateMistake {
    /// Each service has its own copy of the robot.
    SeparateStates,
    /// Refused requests are not counted.
    ForgetsRefusals,
    /// A refused speed still becomes the current speed.
    MovesOnRefusal,
}

/// Serves `/set_speed` and `/get_status` from the node `robot_status`, with `mistake`.
pub fn serve_robot_status(mistake: StateMistake) -> Result<()> {
    use ros_env::robot_interfaces::srv::{GetStatus, GetStatus_Request, GetStatus_Response};
    use std::sync::{Arc, Mutex};
    #[derive(Default)]
    struct Robot {
        speed: i32,
        accepted: u32,
        refused: u32,
    }
    let (mut executor, node) = node("robot_status")?;
    let shared = Arc::new(Mutex::new(Robot::default()));
    let for_set = Arc::clone(&shared);
    let for_status = if mistake == StateMistake::SeparateStates {
        Arc::new(Mutex::new(Robot::default()))
    } else {
        Arc::clone(&shared)
    };
    let started = std::time::Instant::now();
    let _set = node.create_service::<SetSpeed, _>("/set_speed", move |r: SetSpeed_Request| {
        let mut robot = for_set.lock().expect("not poisoned");
        let response = decide(r.speed);
        if response.success || mistake == StateMistake::MovesOnRefusal {
            robot.speed = r.speed;
        }
        if response.success {
            robot.accepted += 1;
        } else if mistake != StateMistake::ForgetsRefusals {
            robot.refused += 1;
        }
        response
    })?;
    let _status =
        node.create_service::<GetStatus, _>("/get_status", move |_: GetStatus_Request| {
            let robot = for_status.lock().expect("not poisoned");
            GetStatus_Response {
                speed: robot.speed,
                accepted_count: robot.accepted,
                refused_count: robot.refused,
                uptime_seconds: started.elapsed().as_secs_f64(),
            }
        })?;
    spin(&mut executor, true)
}

/// The ways the exercise 4 variants get asynchronous calls wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AsyncMistake {
    /// Waits for each answer inside the timer callback before the next request can go out.
    WaitsInTurn,
    /// Awaits each answer with no deadline.
    NoDeadline,
    /// Gives up on the whole run at the first request without a server.
    QuitsWithoutServer,
}

/// An asynchronous client like exercise 4's, with `mistake`. Reads the same command line
/// (`<speed>... --every --timeout --wait --service`) and prints the same report lines.
pub fn async_client(mistake: AsyncMistake) -> std::process::ExitCode {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    let mut speeds = Vec::new();
    let (mut every, mut timeout, mut wait, mut service) = (0.5, 2.0, 5.0, "/set_speed".to_string());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--every" => every = value().parse().unwrap_or(every),
            "--timeout" => timeout = value().parse().unwrap_or(timeout),
            "--wait" => wait = value().parse().unwrap_or(wait),
            "--service" => service = value(),
            speed => speeds.push(speed.parse::<i32>().unwrap_or(0)),
        }
    }
    let Ok((mut executor, node)) = node("async_client") else {
        return std::process::ExitCode::from(2);
    };
    let Ok(client) = node.create_client::<SetSpeed>(service.as_str()) else {
        return std::process::ExitCode::from(2);
    };
    let until = Instant::now() + Duration::from_secs_f64(wait);
    while !client.service_is_ready().unwrap_or(false) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let total = speeds.len();
    let finished = Arc::new(AtomicUsize::new(0));
    let commands = executor.commands().clone();
    let timeout = Duration::from_secs_f64(timeout);
    let mut next = 0;
    let _timer = node.create_timer_repeating(Duration::from_secs_f64(every), move || {
        let Some(&speed) = speeds.get(next) else {
            return;
        };
        next += 1;
        let number = next;
        let finished = Arc::clone(&finished);
        let done = commands.clone();
        let record = move |what: String| {
            println!("#{number} speed {speed}: {what}");
            if finished.fetch_add(1, Ordering::SeqCst) + 1 == total {
                done.halt_spinning();
            }
        };
        if !client.service_is_ready().unwrap_or(false) {
            record("no server".to_string());
            if mistake == AsyncMistake::QuitsWithoutServer {
                std::process::exit(1);
            }
            return;
        }
        let Ok(answer) = client.call::<_, SetSpeed_Response>(&SetSpeed_Request { speed }) else {
            record("no server".to_string());
            return;
        };
        let describe = |r: Result<SetSpeed_Response, futures::channel::oneshot::Canceled>| match r {
            Ok(r) if r.success => format!("accepted: {}", r.message),
            Ok(r) => format!("refused: {}", r.message),
            Err(_) => "no answer in time".to_string(),
        };
        match mistake {
            AsyncMistake::WaitsInTurn => {
                // Blocks this callback (and so the executor) until the answer or the deadline.
                let (sender, receiver) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = sender.send(futures::executor::block_on(answer));
                });
                match receiver.recv_timeout(timeout) {
                    Ok(result) => record(describe(result)),
                    Err(_) => record("no answer in time".to_string()),
                }
            }
            _ => {
                drop(commands.run(async move { record(describe(answer.await)) }));
            }
        }
    });
    executor.spin(SpinOptions::default());
    println!("{total} requests");
    std::process::ExitCode::SUCCESS
}

/// The ways the exercise 5 variants get the topic wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TopicMistake {
    /// Publishes on every accepted request, changed or not.
    PublishesRepeats,
    /// Publishes refused speeds too.
    PublishesRefusals,
    /// Has no publisher at all.
    NoTopic,
}

/// Serves `/set_speed` from the node `speed_reporter` and publishes `/speed`, with `mistake`.
pub fn serve_speed_reporter(mistake: TopicMistake) -> Result<()> {
    use ros_env::std_msgs::msg::Int32;
    use std::sync::Mutex;
    let (mut executor, node) = node("speed_reporter")?;
    let publisher = if mistake == TopicMistake::NoTopic {
        None
    } else {
        Some(node.create_publisher::<Int32>("/speed")?)
    };
    let current = Mutex::new(0);
    let _service =
        node.create_service::<SetSpeed, _>("/set_speed", move |r: SetSpeed_Request| {
            let response = decide(r.speed);
            let mut speed = current.lock().expect("not poisoned");
            let publish = match mistake {
                TopicMistake::PublishesRepeats => response.success,
                TopicMistake::PublishesRefusals => !response.success || *speed != r.speed,
                TopicMistake::NoTopic => false,
            };
            if response.success {
                *speed = r.speed;
            }
            if let (true, Some(publisher)) = (publish, &publisher) {
                let _ = publisher.publish(Int32 { data: r.speed });
            }
            response
        })?;
    spin(&mut executor, true)
}

/// Calls SetBool `service` with `data` (5 s for everything) and behaves like exercise 6's client.
pub fn mystery_client(service: &str, data: bool) -> std::process::ExitCode {
    use ros_env::std_srvs::srv::{SetBool, SetBool_Request, SetBool_Response};
    let limit = std::time::Duration::from_secs(5);
    let answer = (|| -> Result<Option<SetBool_Response>> {
        let (mut executor, node) = node("mystery_client")?;
        let client = node.create_client::<SetBool>(service)?;
        executor.spin(
            SpinOptions::new()
                .until_promise_resolved(client.notify_on_service_ready())
                .timeout(limit),
        );
        if !client.service_is_ready()? {
            return Ok(None);
        }
        let promise = client.call::<_, SetBool_Response>(&SetBool_Request { data })?;
        let (mut response, done) = executor.commands().create_notice(promise);
        executor.spin(
            SpinOptions::new()
                .until_promise_resolved(done)
                .timeout(limit),
        );
        Ok(response.try_recv().ok().flatten())
    })();
    match answer {
        Ok(Some(response)) => {
            println!("success: {}", response.message);
            std::process::ExitCode::SUCCESS
        }
        _ => std::process::ExitCode::from(2),
    }
}

/// The ways the exercise 7 variants get the parameter wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ParameterMistake {
    /// Declares nothing: the maximum stays 100.
    FixedMaximum,
    /// Reads the parameter once at start, so later changes do nothing.
    ReadsOnce,
    /// Declares the parameter without its range, so any value is taken.
    NoRange,
}

/// Serves `/set_speed` from the node `speed_server` with `max_speed`, with `mistake`.
pub fn serve_max_speed(mistake: ParameterMistake) -> Result<()> {
    let (mut executor, node) = node("speed_server")?;
    let declare = || node.declare_parameter::<i64>("max_speed").default(100);
    let _service = match mistake {
        ParameterMistake::FixedMaximum => node
            .create_service::<SetSpeed, _>("/set_speed", |r: SetSpeed_Request| {
                decide_between(r.speed, 0, 100)
            })?,
        ParameterMistake::ReadsOnce => {
            let max = declare().mandatory()?.get() as i32;
            node.create_service::<SetSpeed, _>("/set_speed", move |r: SetSpeed_Request| {
                decide_between(r.speed, 0, max)
            })?
        }
        ParameterMistake::NoRange => {
            let max = declare().mandatory()?;
            node.create_service::<SetSpeed, _>("/set_speed", move |r: SetSpeed_Request| {
                decide_between(r.speed, 0, max.get().clamp(0, i64::from(i32::MAX)) as i32)
            })?
        }
    };
    spin(&mut executor, true)
}

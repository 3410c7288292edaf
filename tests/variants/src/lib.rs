//! Building blocks of the wrong variants: each binary in `src/bin/` is a small program that gets
//! one thing wrong on purpose, and `exercises/exercises.toml` lists which checks must catch it.
//! Keeping the shared plumbing here keeps each variant down to the mistake it demonstrates.

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

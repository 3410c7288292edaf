//! `robot_status`: one node, two services, one shared state. `/set_speed` changes the robot's
//! speed and counts what it accepted and refused; `/get_status` reports the speed, the counts and
//! the uptime. Both callbacks reach the same `Robot` through an `Arc<Mutex<_>>`.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{
    GetStatus, GetStatus_Request, GetStatus_Response, SetSpeed, SetSpeed_Request, SetSpeed_Response,
};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The slowest speed the robot accepts.
const MIN_SPEED: i32 = 0;
/// The fastest speed the robot accepts.
const MAX_SPEED: i32 = 100;

// ANCHOR: state
/// What the robot remembers between requests.
struct Robot {
    speed: i32,
    accepted: u32,
    refused: u32,
    started: Instant,
}
// ANCHOR_END: state

impl Robot {
    fn new() -> Robot {
        Robot {
            speed: 0,
            accepted: 0,
            refused: 0,
            started: Instant::now(),
        }
    }

    // ANCHOR: set_speed
    /// Decides a SetSpeed request and remembers the outcome.
    fn set_speed(&mut self, request: SetSpeed_Request) -> SetSpeed_Response {
        let speed = request.speed;
        if (MIN_SPEED..=MAX_SPEED).contains(&speed) {
            self.speed = speed;
            self.accepted += 1;
            SetSpeed_Response {
                success: true,
                message: format!("speed set to {speed}"),
            }
        } else {
            self.refused += 1;
            let limit = if speed < MIN_SPEED {
                format!("below the minimum of {MIN_SPEED}")
            } else {
                format!("above the maximum of {MAX_SPEED}")
            };
            SetSpeed_Response {
                success: false,
                message: format!("speed {speed} is {limit}"),
            }
        }
    }
    // ANCHOR_END: set_speed

    // ANCHOR: status
    /// Reports the state without changing it.
    fn status(&self) -> GetStatus_Response {
        GetStatus_Response {
            speed: self.speed,
            accepted_count: self.accepted,
            refused_count: self.refused,
            uptime_seconds: self.started.elapsed().as_secs_f64(),
        }
    }
    // ANCHOR_END: status
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("robot_status")
        .context("cannot create the node robot_status")?;

    // ANCHOR: services
    // One robot, two owners: each callback holds a clone of the Arc and locks the Mutex for the
    // moment it reads or changes the state, so no request ever sees half an update.
    let robot = Arc::new(Mutex::new(Robot::new()));
    let for_set_speed = Arc::clone(&robot);
    let _set_speed = node
        .create_service::<SetSpeed, _>("/set_speed", move |request: SetSpeed_Request| {
            let mut robot = for_set_speed
                .lock()
                .expect("the robot's state is not poisoned");
            robot.set_speed(request)
        })
        .context("cannot create the service /set_speed")?;
    let for_status = Arc::clone(&robot);
    let _get_status = node
        .create_service::<GetStatus, _>("/get_status", move |_request: GetStatus_Request| {
            for_status
                .lock()
                .expect("the robot's state is not poisoned")
                .status()
        })
        .context("cannot create the service /get_status")?;
    // ANCHOR_END: services

    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("robot_status: ready, serving /set_speed and /get_status");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("robot_status: stopped");
    Ok(())
}

//! `speed_server`: the reference robot. It serves `/set_speed` (robot_interfaces/srv/SetSpeed),
//! accepting speeds 0..=100 and refusing the rest with a reason, and `/get_status`
//! (robot_interfaces/srv/GetStatus), reporting the current speed and what it accepted and refused.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{
    GetStatus, GetStatus_Request, GetStatus_Response, SetSpeed, SetSpeed_Request, SetSpeed_Response,
};
use std::time::Instant;

// ANCHOR: limits
/// The slowest speed the robot accepts, in percent of its top speed.
const MIN_SPEED: i32 = 0;
/// The fastest speed the robot accepts, in percent of its top speed.
const MAX_SPEED: i32 = 100;
// ANCHOR_END: limits

/// What the robot remembers between requests. Both services read and change it.
struct Robot {
    speed: i32,
    accepted: u32,
    refused: u32,
    started: Instant,
}

impl Robot {
    // ANCHOR: set_speed
    /// Decides a SetSpeed request: accept and remember speeds in range, refuse the rest.
    fn set_speed(&mut self, request: SetSpeed_Request) -> SetSpeed_Response {
        let speed = request.speed;
        let refusal = if speed < MIN_SPEED {
            Some(format!("speed {speed} is below the minimum of {MIN_SPEED}"))
        } else if speed > MAX_SPEED {
            Some(format!("speed {speed} is above the maximum of {MAX_SPEED}"))
        } else {
            None
        };
        match refusal {
            Some(message) => {
                self.refused += 1;
                println!("refused: {message}");
                SetSpeed_Response {
                    success: false,
                    message,
                }
            }
            None => {
                self.speed = speed;
                self.accepted += 1;
                println!("accepted: speed is now {speed}");
                SetSpeed_Response {
                    success: true,
                    message: format!("speed set to {speed}"),
                }
            }
        }
    }
    // ANCHOR_END: set_speed

    /// Answers a GetStatus request from the remembered state.
    fn status(&self, _request: GetStatus_Request) -> GetStatus_Response {
        GetStatus_Response {
            speed: self.speed,
            accepted_count: self.accepted,
            refused_count: self.refused,
            uptime_seconds: self.started.elapsed().as_secs_f64(),
        }
    }
}

fn main() -> Result<()> {
    // ANCHOR: setup
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_server")
        .context("cannot create the node speed_server")?;
    // ANCHOR_END: setup

    // ANCHOR: services
    // A worker owns the robot's state; its callbacks run one at a time, so both services can
    // change the state without locks.
    let robot = node.create_worker(Robot {
        speed: 0,
        accepted: 0,
        refused: 0,
        started: Instant::now(),
    });
    let _set_speed = robot
        .create_service::<SetSpeed, _>("/set_speed", |robot: &mut Robot, request| {
            robot.set_speed(request)
        })
        .context("cannot create the service /set_speed")?;
    let _get_status = robot
        .create_service::<GetStatus, _>("/get_status", |robot: &mut Robot, request| {
            robot.status(request)
        })
        .context("cannot create the service /get_status")?;
    // ANCHOR_END: services

    // ANCHOR: spin
    // Ctrl-C (SIGINT) or SIGTERM stop the executor, so the node leaves the graph cleanly.
    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("speed_server: ready, serving /set_speed and /get_status");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("speed_server: stopped");
    // ANCHOR_END: spin
    Ok(())
}

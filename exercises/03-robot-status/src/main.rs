//! Exercise 3: one node, two services, one shared state (book chapter 6, "State and several
//! services in one node").
//!
//! Build the node `robot_status`. `/set_speed` (robot_interfaces/srv/SetSpeed) decides speeds as
//! in exercise 1 and also remembers them; `/get_status` (robot_interfaces/srv/GetStatus) reports
//! the current speed, how many requests were accepted and refused, and the seconds since start.
//! Both callbacks must see the same robot, whatever order requests arrive in.
//!
//! Check your work with `cargo xtask check 3`; stuck? `cargo xtask hint 3`.

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

/// What the robot remembers between requests.
struct Robot {
    speed: i32,
    accepted: u32,
    refused: u32,
    started: Instant,
}

impl Robot {
    fn new() -> Robot {
        Robot {
            speed: 0,
            accepted: 0,
            refused: 0,
            started: Instant::now(),
        }
    }

    /// Decides a SetSpeed request and remembers the outcome.
    fn set_speed(&mut self, request: SetSpeed_Request) -> SetSpeed_Response {
        // TODO 1: decide as in exercise 1 (0 to 100 accepted, the rest refused with a reason),
        //   and remember: an accepted speed becomes `self.speed`; count every accepted and every
        //   refused request.
        todo!("decide and remember (chapter 6, 'The state')")
    }

    /// Reports the state without changing it.
    fn status(&self) -> GetStatus_Response {
        // TODO 2: fill a `GetStatus_Response` from the fields; the uptime is
        //   `self.started.elapsed().as_secs_f64()`.
        todo!("report the state (chapter 6, 'The state')")
    }
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("robot_status")
        .context("cannot create the node robot_status")?;

    // TODO 3: create ONE robot shared by both services: put `Robot::new()` into an
    //   `Arc<Mutex<_>>`, give each service callback its own `Arc::clone`, and lock the Mutex
    //   inside the callback to call `set_speed` or `status`. Keep both services in variables.
    let _services: (rclrs::Service<SetSpeed>, rclrs::Service<GetStatus>) =
        todo!("create /set_speed and /get_status sharing one Robot (chapter 6, 'Sharing it')");

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

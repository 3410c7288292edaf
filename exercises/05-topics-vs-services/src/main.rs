//! Exercise 5: a topic and a service side by side (book chapter 8, "Topics and services side by
//! side").
//!
//! The node `speed_reporter` serves `/set_speed` (robot_interfaces/srv/SetSpeed) as in exercise 1,
//! and also publishes its current speed on the topic `/speed` (std_msgs/msg/Int32) each time an
//! accepted request changes it. The service part is done; the topic part is yours. Then watch the
//! difference: `cargo xtask ros2 topic list -t`, and the checks' late subscriber.
//!
//! Check your work with `cargo xtask check 5`; stuck? `cargo xtask hint 5`.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, Publisher, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use ros_env::std_msgs::msg::Int32;

/// The slowest speed the robot accepts.
const MIN_SPEED: i32 = 0;
/// The fastest speed the robot accepts.
const MAX_SPEED: i32 = 100;

/// The robot's state: its speed, and where it announces changes.
struct Robot {
    speed: i32,
    announce: Publisher<Int32>,
}

impl Robot {
    /// Decides a request; an accepted speed that differs from the current one is published.
    fn set_speed(&mut self, request: SetSpeed_Request) -> SetSpeed_Response {
        let speed = request.speed;
        if !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
            let side = if speed < MIN_SPEED {
                format!("below the minimum of {MIN_SPEED}")
            } else {
                format!("above the maximum of {MAX_SPEED}")
            };
            return SetSpeed_Response {
                success: false,
                message: format!("speed {speed} is {side}"),
            };
        }
        // TODO 2: an accepted speed that differs from the current one becomes the current one
        //   and is announced on the topic. Subscribers hear changes, not repeats.
        todo!("publish each change (chapter 8, 'Publishing a change')");
        SetSpeed_Response {
            success: true,
            message: format!("speed set to {speed}"),
        }
    }
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_reporter")
        .context("cannot create the node speed_reporter")?;

    // Default QoS: reliable, volatile. "Volatile" means a subscriber that joins later does not
    // get the messages published before it joined.
    // TODO 1: the publisher of `/speed`, whose messages carry one integer (chapter 8, 'A
    //   publisher beside the service').
    let announce: Publisher<Int32> =
        todo!("create the /speed publisher (chapter 8, 'A publisher beside the service')");
    let robot = node.create_worker(Robot { speed: 0, announce });
    let _set_speed = robot
        .create_service::<SetSpeed, _>("/set_speed", |robot: &mut Robot, request| {
            robot.set_speed(request)
        })
        .context("cannot create the service /set_speed")?;

    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("speed_reporter: ready, serving /set_speed and publishing /speed");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("speed_reporter: stopped");
    Ok(())
}

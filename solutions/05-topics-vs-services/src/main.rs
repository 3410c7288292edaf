//! `speed_reporter`: the same robot, talking two ways. It serves `/set_speed`
//! (robot_interfaces/srv/SetSpeed): one request, one answer, to the one client that asked. And it
//! publishes its current speed on the topic `/speed` (std_msgs/msg/Int32) each time the speed
//! changes: one message to every subscriber listening at that moment, and to nobody else.

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
    // ANCHOR: set_speed
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
        if speed != self.speed {
            self.speed = speed;
            // Fire and forget: whoever subscribes now gets it; nobody answers.
            if let Err(error) = self.announce.publish(Int32 { data: speed }) {
                eprintln!("speed_reporter: could not publish the speed: {error}");
            }
        }
        SetSpeed_Response {
            success: true,
            message: format!("speed set to {speed}"),
        }
    }
    // ANCHOR_END: set_speed
}

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("speed_reporter")
        .context("cannot create the node speed_reporter")?;

    // ANCHOR: publisher
    // Default QoS: reliable, volatile. "Volatile" means a subscriber that joins later does not
    // get the messages published before it joined.
    let announce = node
        .create_publisher::<Int32>("/speed")
        .context("cannot create the publisher on /speed")?;
    // ANCHOR_END: publisher
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

//! Exercise 9: the robot's lights, with an interface of your own (book chapter 12, "An interface
//! of your own").
//!
//! First complete `robot_extras/srv/SetLights.srv` in this folder (README.md lists its fields),
//! then the node `lights`: it serves `/set_lights` with that type, accepts the four colours the
//! lights have up to the brightness the interface's constant allows, and says what it draws.
//!
//! Check your work with `cargo xtask check 9`; stuck? `cargo xtask hint 9`.

use anyhow::Context as _;
use rclrs::CreateBasicExecutor;
use ros_env::robot_extras::srv::{SetLights, SetLights_Request, SetLights_Response};

/// The colours the robot's lights can show.
const COLORS: [&str; 4] = ["red", "green", "blue", "white"];
/// What the lights draw at full brightness, in watts.
const FULL_POWER_WATTS: f32 = 12.0;

/// Decides one SetLights request.
fn set_lights(request: SetLights_Request) -> SetLights_Response {
    // TODO 4: accept a colour of COLORS with a brightness up to the interface's constant
    //   (`SetLights_Request::MAX_BRIGHTNESS`, once your .srv has it), and refuse the rest.
    //   - Accepted: `accepted: true`, a message, and the power: FULL_POWER_WATTS at the maximum
    //     brightness, in proportion below it (50 % draws 6 W).
    //   - Refused: `accepted: false`, `power_watts: 0.0`, and a message naming the problem (the
    //     unknown colour, or the maximum the brightness is above).
    let _ = (COLORS, FULL_POWER_WATTS, &request.color);
    todo!("decide the request (chapter 12, 'Using your interface from Rust')")
}

fn main() -> anyhow::Result<()> {
    let ros_context = rclrs::Context::default_from_env()
        .context("ROS 2 would not start: run `cargo xtask setup`")?;
    let mut executor = ros_context.create_basic_executor();
    let lights = executor
        .create_node("lights")
        .context("cannot create the node lights")?;

    // TODO 5: serve "/set_lights" with your SetLights type, handing each request to
    //   `set_lights` above, and keep the service in this variable.
    let _set_lights: rclrs::Service<SetLights> =
        todo!("create the /set_lights service (chapter 12, 'Using your interface from Rust')");

    // Ctrl-C stops the executor, so the node leaves the ROS graph cleanly (already done for you).
    let stopper = executor.commands().clone();
    ctrlc::set_handler(move || stopper.halt_spinning())
        .context("the lights cannot catch Ctrl-C")?;

    println!("lights: ready, serving /set_lights");
    let problems = executor.spin(rclrs::SpinOptions::default());
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem).context("the lights' executor stopped with an error");
    }
    println!("lights: stopped");
    Ok(())
}

//! Exercise 9's wrong variant v09_no_constant (laid over the solution's crate by `cargo xtask verify 9`):
//! the limit is a constant of the node, not of the interface (SetLights.srv has no MAX_BRIGHTNESS).

use anyhow::Context as _;
use rclrs::CreateBasicExecutor;
use ros_env::robot_extras::srv::{SetLights, SetLights_Request, SetLights_Response};

/// The colours the robot's lights can show.
const COLORS: [&str; 4] = ["red", "green", "blue", "white"];
/// The brightest the lights go, kept in the node instead of the interface.
const MAX_BRIGHTNESS: u8 = 100;
/// What the lights draw at full brightness, in watts.
const FULL_POWER_WATTS: f32 = 12.0;

/// Decides one request: the lights change only when both the colour and the brightness are
/// possible.
fn set_lights(request: SetLights_Request) -> SetLights_Response {
    let refused = |message: String| SetLights_Response {
        accepted: false,
        message,
        power_watts: 0.0,
    };
    if !COLORS.contains(&request.color.as_str()) {
        return refused(format!(
            "unknown color {:?}: the lights show {}",
            request.color,
            COLORS.join(", ")
        ));
    }
    if request.brightness > MAX_BRIGHTNESS {
        return refused(format!(
            "brightness {} is above the maximum of {}",
            request.brightness, MAX_BRIGHTNESS
        ));
    }
    let share = f32::from(request.brightness) / f32::from(MAX_BRIGHTNESS);
    SetLights_Response {
        accepted: true,
        message: format!("lights {} at {}%", request.color, request.brightness),
        power_watts: FULL_POWER_WATTS * share,
    }
}

fn main() -> anyhow::Result<()> {
    let ros_context = rclrs::Context::default_from_env()
        .context("ROS 2 would not start: run `cargo xtask setup`")?;
    let mut executor = ros_context.create_basic_executor();
    let lights = executor
        .create_node("lights")
        .context("cannot create the node lights")?;
    let _set_lights = lights
        .create_service::<SetLights, _>("/set_lights", |request: SetLights_Request| {
            let response = set_lights(request);
            println!("lights: {}", response.message);
            response
        })
        .context("cannot create the service /set_lights")?;

    // Ctrl-C and SIGTERM halt the spin below, so main returns and the node leaves the graph.
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

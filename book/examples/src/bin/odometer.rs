//! `odometer`: the book's worked example of state shared by several callbacks (chapter 6), of a
//! parameter (its section "The limit as a parameter") and of a topic beside services (chapter 8).
//!
//! The node `odometer` pretends to drive: every 100 ms a timer adds `metres_per_tick` (a ROS
//! parameter, default 0.5, 0 to 10) to the distance. Two services of type std_srvs/srv/Trigger
//! share that state with the timer:
//!
//! - `/odometer/read` answers with the distance of the trip so far and the trip's number;
//! - `/odometer/reset` starts a new trip, and publishes the trip that ended on the topic
//!   `/odometer/trip` (std_msgs/msg/Float64), unless it was empty.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, ParameterRange, Publisher, SpinOptions};
use ros_env::std_msgs::msg::Float64;
use ros_env::std_srvs::srv::{Trigger, Trigger_Request, Trigger_Response};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the odometer counts.
const TICK: Duration = Duration::from_millis(100);

// ANCHOR: state
/// Everything the odometer remembers between callbacks.
#[derive(Default)]
struct Trip {
    metres: f64,
    resets: u32,
}

impl Trip {
    /// The answer to `/odometer/read`: reads, changes nothing.
    fn reading(&self) -> Trigger_Response {
        Trigger_Response {
            success: true,
            message: format!("{:.1} m on trip {}", self.metres, self.resets + 1),
        }
    }

    /// Ends the trip and returns its length.
    fn restart(&mut self) -> f64 {
        self.resets += 1;
        std::mem::take(&mut self.metres)
    }
}
// ANCHOR_END: state

fn main() -> Result<()> {
    let context = Context::default_from_env().context("cannot initialise ROS 2")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("odometer")
        .context("cannot create the node odometer")?;

    // ANCHOR: parameter
    // A value that belongs to the node: `-p metres_per_tick:=2.0` at start, or `ros2 param set`
    // while it runs. The range makes ROS refuse a value outside 0 to 10 before the node sees it.
    let sensible = ParameterRange {
        lower: Some(0.0),
        upper: Some(10.0),
        step: None,
    };
    let per_tick = node
        .declare_parameter::<f64>("metres_per_tick")
        .default(0.5)
        .description("How far the robot drives in one tick of 100 ms, in metres.")
        .range(sensible)
        .mandatory()
        .context("cannot declare the parameter metres_per_tick")?;
    // ANCHOR_END: parameter

    // ANCHOR: publisher
    // Default quality of service: reliable and volatile, so a subscriber that joins later
    // never sees the trips published before it joined.
    let trips: Publisher<Float64> = node
        .create_publisher::<Float64>("/odometer/trip")
        .context("cannot create the publisher on /odometer/trip")?;
    // ANCHOR_END: publisher

    // ANCHOR: shared
    // One trip, three owners: the timer and both services each hold a clone of the `Arc` and
    // lock the `Mutex` only for the moment they read or change it.
    let trip = Arc::new(Mutex::new(Trip::default()));

    let counting = Arc::clone(&trip);
    let _ticks = node
        .create_timer_repeating(TICK, move || {
            // Read at every tick, so a change while the node runs takes effect at once.
            let step = per_tick.get();
            counting.lock().expect("a callback panicked").metres += step;
        })
        .context("cannot create the odometer's timer")?;

    let reading = Arc::clone(&trip);
    let _read = node
        .create_service::<Trigger, _>("/odometer/read", move |_: Trigger_Request| {
            reading.lock().expect("a callback panicked").reading()
        })
        .context("cannot create the service /odometer/read")?;
    // ANCHOR_END: shared

    // ANCHOR: reset
    let resetting = Arc::clone(&trip);
    let _reset = node
        .create_service::<Trigger, _>("/odometer/reset", move |_: Trigger_Request| {
            let ended = resetting.lock().expect("a callback panicked").restart();
            // Only a real trip is news. Fire and forget: nobody answers a message.
            if ended > 0.0 {
                if let Err(error) = trips.publish(Float64 { data: ended }) {
                    eprintln!("odometer: could not publish the trip: {error}");
                }
            }
            println!("odometer: reset after {ended:.1} m");
            Trigger_Response {
                success: true,
                message: format!("new trip started; the last one was {ended:.1} m"),
            }
        })
        .context("cannot create the service /odometer/reset")?;
    // ANCHOR_END: reset

    let halt = executor.commands().clone();
    ctrlc::set_handler(move || halt.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;
    println!("odometer: ready, serving /odometer/read and /odometer/reset");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the executor stopped with an error");
    }
    println!("odometer: stopped");
    Ok(())
}

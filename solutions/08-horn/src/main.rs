//! Reference for exercise 8: the horn, a node crate written from nothing. The node `horn` serves
//! `/honk` (std_srvs/srv/Trigger): every call sounds the horn once and answers with how many times
//! it has sounded since the node started.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::std_srvs::srv::{Trigger, Trigger_Request, Trigger_Response};
use std::sync::atomic::{AtomicU32, Ordering};

fn main() -> Result<()> {
    let context =
        Context::default_from_env().context("ROS 2 would not start: run `cargo xtask setup`")?;
    let mut executor = context.create_basic_executor();
    let node = executor
        .create_node("horn")
        .context("cannot create the node horn")?;

    // The count lives in the callback; an atomic lets a `Fn` callback change it.
    let honks = AtomicU32::new(0);
    let _honk = node
        .create_service::<Trigger, _>("/honk", move |_request: Trigger_Request| {
            let count = honks.fetch_add(1, Ordering::Relaxed) + 1;
            println!("horn: honk {count}");
            Trigger_Response {
                success: true,
                message: format!("honk {count}"),
            }
        })
        .context("cannot create the service /honk")?;

    let commands = executor.commands().clone();
    ctrlc::set_handler(move || commands.halt_spinning())
        .context("cannot install the Ctrl-C handler")?;

    println!("horn: ready, serving /honk");
    let errors = executor.spin(SpinOptions::default());
    if let Some(error) = errors.into_iter().next() {
        return Err(error).context("the horn's executor stopped with an error");
    }
    println!("horn: stopped");
    Ok(())
}

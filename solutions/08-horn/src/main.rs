//! Reference for exercise 8: the horn, a node crate written from nothing. The node `horn` serves
//! `/honk` (std_srvs/srv/Trigger): every call sounds the horn once and answers with how many times
//! it has sounded since the node started.

use anyhow::Context as _;
use rclrs::CreateBasicExecutor;
use ros_env::std_srvs::srv::{Trigger, Trigger_Request, Trigger_Response};
use std::sync::atomic::{AtomicU32, Ordering};

fn main() -> anyhow::Result<()> {
    let ros_context = rclrs::Context::default_from_env()
        .context("ROS 2 would not start: run `cargo xtask setup`")?;
    let mut executor = ros_context.create_basic_executor();
    let horn = executor
        .create_node("horn")
        .context("cannot create the node horn")?;

    // The count lives in the callback; an atomic lets a `Fn` callback change it.
    let honks = AtomicU32::new(0);
    let _honk = horn
        .create_service::<Trigger, _>("/honk", move |_request: Trigger_Request| {
            let count = honks.fetch_add(1, Ordering::Relaxed) + 1;
            println!("horn: honk {count}");
            Trigger_Response {
                success: true,
                message: format!("honk {count}"),
            }
        })
        .context("cannot create the service /honk")?;

    // Ctrl-C and SIGTERM halt the spin below, so main returns and the node leaves the graph.
    let stopper = executor.commands().clone();
    ctrlc::set_handler(move || stopper.halt_spinning()).context("the horn cannot catch Ctrl-C")?;

    println!("horn: ready, serving /honk");
    let problems = executor.spin(rclrs::SpinOptions::default());
    if let Some(problem) = problems.into_iter().next() {
        return Err(problem).context("the horn's executor stopped with an error");
    }
    println!("horn: stopped");
    Ok(())
}

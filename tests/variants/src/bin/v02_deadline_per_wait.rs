//! Wrong on purpose: gives each wait the whole `--timeout`, one for finding the server and
//! another for its answer, so a server that appears late and never answers keeps it waiting
//! almost twice as long as it was told.
use rclrs::SpinOptions;
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let speed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let timeout = args
        .iter()
        .position(|a| a == "--timeout")
        .and_then(|i| args.get(i + 1)?.parse::<f64>().ok())
        .unwrap_or(5.0);
    let limit = Duration::from_secs_f64(timeout);
    let answer = (|| {
        let (mut executor, node) = workbook_variants::node("speed_client").ok()?;
        let client = node.create_client::<SetSpeed>("/set_speed").ok()?;
        executor.spin(
            SpinOptions::new()
                .until_promise_resolved(client.notify_on_service_ready())
                .timeout(limit),
        );
        if !client.service_is_ready().ok()? {
            return None;
        }
        let promise = client
            .call::<_, SetSpeed_Response>(&SetSpeed_Request { speed })
            .ok()?;
        let (mut response, done) = executor.commands().create_notice(promise);
        // The mistake: a fresh `limit` for this wait, not what is left of the first one.
        executor.spin(
            SpinOptions::new()
                .until_promise_resolved(done)
                .timeout(limit),
        );
        response.try_recv().ok().flatten()
    })();
    workbook_variants::client_exit(answer)
}

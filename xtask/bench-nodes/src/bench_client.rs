//! `bench_client`: measures SetSpeed round trips from an rclrs client, the fastest way rclrs
//! offers: one spin of the executor runs the whole measurement as an async task, so no call pays
//! for starting a spin.
//!
//!     bench_client <service> <calls> <warmup> <in-flight>
//!
//! Prints one JSON object: the discovery time, the latency of each sequential call (after
//! `warmup` uncounted ones) in microseconds, and the calls per second with `in-flight` requests
//! outstanding at all times.

use anyhow::{bail, Context as _, Result};
use futures::stream::{FuturesUnordered, StreamExt};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use ros_env::robot_interfaces::srv::{SetSpeed, SetSpeed_Request, SetSpeed_Response};
use std::time::{Duration, Instant};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, calls, warmup, in_flight] = args.as_slice() else {
        bail!("usage: bench_client <service> <calls> <warmup> <in-flight>");
    };
    let calls: usize = calls.parse().context("calls")?;
    let warmup: usize = warmup.parse().context("warmup")?;
    let in_flight: usize = in_flight.parse::<usize>().context("in-flight")?.max(1);

    let context = Context::new([], rclrs::InitOptions::default())?;
    let mut executor = context.create_basic_executor();
    let node = executor.create_node("bench_client")?;
    let client = node.create_client::<SetSpeed>(service.as_str())?;

    let started = Instant::now();
    while !client.service_is_ready()? {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("{service} did not appear within 30 s");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let discovery = started.elapsed();

    let task = executor.commands().run(async move {
        let request = |i: usize| SetSpeed_Request {
            speed: (i % 101) as i32,
        };
        for i in 0..warmup {
            client.call::<_, SetSpeed_Response>(&request(i))?.await?;
        }
        let mut latencies = Vec::with_capacity(calls);
        for i in 0..calls {
            let sent = Instant::now();
            client.call::<_, SetSpeed_Response>(&request(i))?.await?;
            latencies.push(sent.elapsed().as_secs_f64() * 1e6);
        }
        let began = Instant::now();
        let mut pending = FuturesUnordered::new();
        let mut sent = 0;
        while sent < in_flight.min(calls) {
            pending.push(client.call::<_, SetSpeed_Response>(&request(sent))?);
            sent += 1;
        }
        while let Some(answer) = pending.next().await {
            answer?;
            if sent < calls {
                pending.push(client.call::<_, SetSpeed_Response>(&request(sent))?);
                sent += 1;
            }
        }
        let rate = calls as f64 / began.elapsed().as_secs_f64();
        anyhow::Ok((latencies, rate))
    });
    let (mut result, done) = executor.commands().create_notice(task);
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(done)
            .timeout(Duration::from_secs(300)),
    );
    let (latencies, rate) = match result.try_recv() {
        Ok(Some(outcome)) => outcome?,
        _ => bail!("the measurement did not finish within 300 s"),
    };
    let list: Vec<String> = latencies.iter().map(|l| format!("{l:.1}")).collect();
    println!(
        "{{\"discovery_ms\": {:.1}, \"latencies_us\": [{}], \"in_flight\": {in_flight}, \"in_flight_calls_per_s\": {rate:.1}}}",
        discovery.as_secs_f64() * 1e3,
        list.join(", ")
    );
    Ok(())
}

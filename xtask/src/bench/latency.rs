//! Service round trips between separate processes: every client (rclrs, rclpy's usual
//! `call_async` + `spin_until_future_complete`, rclpy with one reused executor) against every
//! server (the reference rclrs `speed_server`, a minimal rclpy server), release builds, warm-up
//! not counted, discovery time reported apart. Also how long a new client takes to find a server
//! that is already running ([`discovery`]), over many fresh processes.

use super::Plan;
use crate::{cargo, ui};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use workbook_harness::{project_root, run_to_end, Environment, NodeProcess, World};

/// One client/server pair's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub client: String,
    pub server: String,
    pub calls: usize,
    pub discovery_ms: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub sequential_calls_per_s: f64,
    pub in_flight: usize,
    pub in_flight_calls_per_s: f64,
    /// Sorted latencies, for the chart.
    #[serde(skip)]
    pub sorted_us: Vec<f64>,
}

/// What a measuring client prints.
#[derive(Deserialize)]
struct Raw {
    discovery_ms: f64,
    latencies_us: Vec<f64>,
    in_flight: usize,
    in_flight_calls_per_s: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Server {
    Rclrs,
    Rclpy,
}

#[derive(Clone, Copy, PartialEq)]
enum Client {
    Rclrs,
    RclpyUsual,
    RclpyReusedExecutor,
}

impl Server {
    fn label(self) -> &'static str {
        match self {
            Server::Rclrs => "rclrs",
            Server::Rclpy => "rclpy",
        }
    }
}

impl Client {
    fn label(self) -> &'static str {
        match self {
            Client::Rclrs => "rclrs",
            Client::RclpyUsual => "rclpy (usual)",
            Client::RclpyReusedExecutor => "rclpy (reused executor)",
        }
    }
}

/// Wide enough for the longest pair's name, "rclpy (reused executor) → rclpy".
const PAIR_COLUMN: usize = 31;

pub fn measure_all(environment: &Environment, plan: &Plan) -> Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    for server in [Server::Rclrs, Server::Rclpy] {
        for client in [
            Client::Rclrs,
            Client::RclpyUsual,
            Client::RclpyReusedExecutor,
        ] {
            let step = ui::Step::start_in_column(
                &format!("{} → {}", client.label(), server.label()),
                PAIR_COLUMN,
                "measuring",
            );
            match measure(environment, plan, client, server) {
                Ok(pair) => {
                    step.done(&format!(
                        "p50 {:.0} µs, p99 {:.0} µs, {:.0} calls/s",
                        pair.p50_us, pair.p99_us, pair.sequential_calls_per_s
                    ));
                    pairs.push(pair);
                }
                Err(error) => {
                    step.failed("failed");
                    return Err(error);
                }
            }
        }
    }
    Ok(pairs)
}

fn measure(environment: &Environment, plan: &Plan, client: Client, server: Server) -> Result<Pair> {
    let world = World::new();
    let release = cargo::target_dir()?.join("release");
    let mut server_process = start_server(environment, &world, server)?;

    let calls = if client == Client::RclpyUsual {
        (plan.calls / 5).max(20)
    } else {
        plan.calls
    };
    let numbers = [
        calls.to_string(),
        plan.warmup.min(calls).to_string(),
        plan.in_flight.to_string(),
    ];
    let client_command = match client {
        Client::Rclrs => {
            let mut command = world.command(release.join("bench_client"));
            command.arg("/set_speed").args(&numbers);
            command
        }
        Client::RclpyUsual | Client::RclpyReusedExecutor => {
            let mut command = world.command(environment.python());
            command
                .arg(rclpy_bench())
                .arg("client")
                .arg("/set_speed")
                .args(&numbers)
                .arg(if client == Client::RclpyUsual {
                    "usual"
                } else {
                    "spin_once"
                });
            command
        }
    };
    let raw = run_client(client.label(), client_command, Duration::from_secs(600))?;
    let _ = server_process.stop();
    Ok(summarise(client.label(), server.label(), raw))
}

/// How long fresh rclrs clients took to find a server that was already running.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub clients: usize,
    pub p50_ms: f64,
    pub max_ms: f64,
}

/// Starts one release `speed_server`, then `clients` fresh `bench_client` processes one after
/// another, each making one call; each reports how long `service_is_ready()` took to turn true.
/// A single pair's discovery time above is one sample; this is the distribution.
pub fn discovery(environment: &Environment, clients: usize) -> Result<Discovery> {
    let world = World::new();
    let release = cargo::target_dir()?.join("release");
    let mut server = start_server(environment, &world, Server::Rclrs)?;
    let mut samples = Vec::with_capacity(clients);
    for _ in 0..clients {
        let mut client = world.command(release.join("bench_client"));
        client.args(["/set_speed", "1", "0", "1"]);
        let raw = run_client("bench_client", client, Duration::from_secs(60))?;
        samples.push(raw.discovery_ms);
    }
    let _ = server.stop();
    samples.sort_by(f64::total_cmp);
    Ok(Discovery {
        clients,
        p50_ms: percentile(&samples, 0.50),
        max_ms: samples.last().copied().unwrap_or(0.0),
    })
}

/// The rclpy peer that serves and measures on rclpy's side.
fn rclpy_bench() -> PathBuf {
    project_root().join("tests/peers/rclpy_bench.py")
}

/// Starts a release server in `world` and waits until it serves.
fn start_server(environment: &Environment, world: &World, server: Server) -> Result<NodeProcess> {
    let command = match server {
        Server::Rclrs => world.command(cargo::target_dir()?.join("release/speed_server")),
        Server::Rclpy => {
            let mut command = world.command(environment.python());
            command.arg(rclpy_bench()).arg("server");
            command
        }
    };
    let mut process = NodeProcess::start(server.label(), command)?;
    process.wait_for_line("ready", Duration::from_secs(30))?;
    Ok(process)
}

/// Runs a measuring client to its end and reads the JSON line it prints last.
fn run_client(label: &str, command: Command, deadline: Duration) -> Result<Raw> {
    let output = run_to_end(label, command, deadline)?;
    if output.code != Some(0) {
        bail!("{label} failed:\n{}", output.text);
    }
    let line = output
        .text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .with_context(|| format!("{label} printed no measurement"))?;
    serde_json::from_str(line).with_context(|| format!("{label}'s measurement is not JSON"))
}

fn summarise(client: &str, server: &str, raw: Raw) -> Pair {
    let mut sorted = raw.latencies_us;
    sorted.sort_by(f64::total_cmp);
    let total: f64 = sorted.iter().sum();
    Pair {
        client: client.to_string(),
        server: server.to_string(),
        calls: sorted.len(),
        discovery_ms: raw.discovery_ms,
        p50_us: percentile(&sorted, 0.50),
        p90_us: percentile(&sorted, 0.90),
        p99_us: percentile(&sorted, 0.99),
        max_us: sorted.last().copied().unwrap_or(0.0),
        sequential_calls_per_s: if total > 0.0 {
            sorted.len() as f64 / (total / 1e6)
        } else {
            0.0
        },
        in_flight: raw.in_flight,
        in_flight_calls_per_s: raw.in_flight_calls_per_s,
        sorted_us: sorted,
    }
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.50), 50.0);
        assert_eq!(percentile(&values, 0.99), 99.0);
        assert_eq!(percentile(&values, 1.0), 100.0);
        assert_eq!(percentile(&[7.0], 0.9), 7.0);
    }
}

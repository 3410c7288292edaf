//! How long `cargo xtask ros2`'s graph queries take, as a student types them (cargo and xtask
//! included), against a running reference `speed_server` in a domain of its own. Each answer is
//! checked too: a query that returns fast without the server is a failure, not a good time.

use super::loops::Timing;
use crate::cargo;
use anyhow::{bail, Context, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workbook_harness::{project_root, Domain, Environment, NodeProcess};

/// The queries, and a line each answer must hold.
const QUERIES: [(&[&str], &str); 4] = [
    (&["node", "list"], "/speed_server"),
    (&["service", "list"], "/set_speed"),
    (
        &["service", "type", "/set_speed"],
        "robot_interfaces/srv/SetSpeed",
    ),
    (&["service", "info", "/set_speed"], "Services count: 1"),
];

/// Runs of each query; the median is reported.
const RUNS: usize = 3;

pub fn queries(environment: &Environment) -> Result<Vec<Timing>> {
    let domain = Domain::claim()?;
    let mut server = Command::new(cargo::target_dir()?.join("release").join("speed_server"));
    environment.apply(&mut server);
    domain.apply(&mut server);
    let mut server = NodeProcess::start("speed_server", server)?;
    server.wait_for_line("ready", Duration::from_secs(30))?;
    // The first query builds the ros2 command when needed: not timed.
    ros2(&domain, QUERIES[0].0, QUERIES[0].1)?;
    let mut timings = Vec::new();
    for (args, expected) in QUERIES {
        let mut seconds: Vec<f64> = (0..RUNS)
            .map(|_| ros2(&domain, args, expected))
            .collect::<Result<_>>()?;
        seconds.sort_by(f64::total_cmp);
        timings.push(Timing {
            what: format!("query: ros2 {}", args.join(" ")),
            seconds: seconds[RUNS / 2],
        });
    }
    Ok(timings)
}

/// One `cargo xtask ros2 <args>` in the server's domain: its time, once its answer holds
/// `expected`.
fn ros2(domain: &Domain, args: &[&str], expected: &str) -> Result<f64> {
    let cargo = crate::cargo::program();
    let mut command = Command::new(cargo);
    command
        .args(["xtask", "ros2"])
        .args(args)
        .current_dir(project_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    domain.apply(&mut command);
    let started = Instant::now();
    let output = command.output().context("cannot run cargo xtask ros2")?;
    let seconds = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !text.lines().any(|line| line == expected) {
        bail!(
            "`cargo xtask ros2 {}` did not answer {expected:?} with speed_server running:\n{text}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(seconds)
}

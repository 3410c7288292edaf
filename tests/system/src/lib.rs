//! Helpers for the system tests: start the workbook's programs (Rust and rclpy) in one isolated
//! ROS domain and read their answers. Built on `workbook-harness`; knows the programs' names and
//! command lines, nothing of how a check is scored.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use workbook_harness::{project_root, run_to_end, Domain, Environment, NodeProcess, Output};

/// How long a program may take to print its ready line (discovery and start-up included).
pub const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long one client run may take, end to end.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// One test's private ROS world: its own domain, the workbook's environment.
pub struct World {
    pub domain: Domain,
    pub environment: Environment,
}

impl World {
    /// Claims a fresh domain.
    pub fn new() -> World {
        World {
            domain: Domain::claim().expect("a free ROS domain id"),
            environment: Environment::detect(&project_root()),
        }
    }

    /// A command for a workbook binary (built by `cargo test --workspace` or `cargo xtask test`),
    /// set up for this world.
    pub fn program(&self, name: &str) -> Command {
        let mut command = Command::new(binary(name));
        self.apply(&mut command);
        command
    }

    /// A command running a Python peer script from `tests/peers/` with the environment's rclpy.
    pub fn rclpy(&self, script: &str) -> Command {
        let mut command = Command::new(self.environment.python());
        command.arg(project_root().join("tests/peers").join(script));
        self.apply(&mut command);
        command
    }

    /// Starts the reference `speed_server` and waits until it serves.
    pub fn start_speed_server(&self) -> NodeProcess {
        let mut server = NodeProcess::start("speed_server", self.program("speed_server"))
            .expect("speed_server starts");
        server
            .wait_for_line("ready", START_DEADLINE)
            .expect("speed_server reports that it is ready");
        server
    }

    /// Runs the reference `speed_client` once.
    pub fn speed_client(&self, args: &[&str]) -> Output {
        let mut command = self.program("speed_client");
        command.args(args);
        run_to_end("speed_client", command, CALL_DEADLINE).expect("speed_client ends in time")
    }

    /// Runs the rclpy client peer once.
    pub fn rclpy_client(&self, args: &[&str]) -> Output {
        let mut command = self.rclpy("rclpy_speed_client.py");
        command.args(args);
        run_to_end("rclpy_speed_client.py", command, CALL_DEADLINE)
            .expect("the rclpy client ends in time")
    }

    fn apply(&self, command: &mut Command) {
        self.environment.apply(command);
        self.domain.apply(command);
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// Path of a workspace binary, next to the running test executable's `deps/` folder.
pub fn binary(name: &str) -> PathBuf {
    let path = locate(name).unwrap_or_else(|error| panic!("{error:#}"));
    assert!(
        path.exists(),
        "{} is not built: run `cargo xtask test` (or `cargo build --workspace --bins` before `cargo test`)",
        path.display()
    );
    path
}

fn locate(name: &str) -> Result<PathBuf> {
    let test = std::env::current_exe().context("cannot find the test executable")?;
    let profile = test
        .parent()
        .and_then(|deps| deps.parent())
        .context("the test executable is not inside target/<profile>/deps")?;
    Ok(profile.join(name))
}

/// The last non-empty line a program printed.
pub fn last_line(output: &Output) -> &str {
    output
        .text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

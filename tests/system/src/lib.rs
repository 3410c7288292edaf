//! Helpers for the system tests: the workbook's reference programs (Rust and rclpy) run in one
//! check's isolated [`World`]. Built on `workbook-harness`; knows the programs' names and command
//! lines, nothing of how a check is scored.

use std::process::Command;
use workbook_harness::NodeProcess;
pub use workbook_harness::{last_line, Output, World, CALL_DEADLINE, START_DEADLINE};

/// The reference programs, as the system tests start them.
pub trait ReferencePrograms {
    /// A command for a workbook binary, built if needed, set up for this world.
    fn program(&self, name: &str) -> Command;
    /// Starts the reference `speed_server` and waits until it serves.
    fn start_speed_server(&self) -> NodeProcess;
    /// Runs the reference `speed_client` once.
    fn speed_client(&self, args: &[&str]) -> Output;
    /// Runs the rclpy client peer (`tests/peers/rclpy_speed_client.py`) once.
    fn rclpy_client(&self, args: &[&str]) -> Output;
}

impl ReferencePrograms for World {
    fn program(&self, name: &str) -> Command {
        self.reference(name)
    }

    fn start_speed_server(&self) -> NodeProcess {
        self.start_reference("speed_server", &[], "ready")
    }

    fn speed_client(&self, args: &[&str]) -> Output {
        let mut command = self.reference("speed_client");
        command.args(args);
        self.run("speed_client", command, CALL_DEADLINE)
    }

    fn rclpy_client(&self, args: &[&str]) -> Output {
        let mut command = self.rclpy("rclpy_speed_client.py");
        command.args(args);
        self.run("rclpy_speed_client.py", command, CALL_DEADLINE)
    }
}

//! Exercise 6: a service nobody told you about (book chapter 9, "CLI introspection").
//!
//! The mystery robot runs a node with one service that switches its headlights on. Which node,
//! which service, which type, which request: find out from the ROS graph, then write a client that
//! switches the headlights ON and prints the robot's answer.
//!
//! 1. In one terminal: `cargo xtask run mystery_node`.
//! 2. In another, ask the graph (`eval "$(cargo xtask env)"` first, or prefix `cargo xtask`):
//!    `ros2 node list`, `ros2 service list -t`, `ros2 interface show <type>`, and try it with
//!    `ros2 service call <name> <type> "<request>"`.
//! 3. Write the client below, like exercise 2's: print the answer's message; exit 0 when the
//!    robot reports success, 1 when it does not, 2 when nobody answers within 2 seconds.
//!
//! Check your work with `cargo xtask check 6` (it starts the mystery node with a secret code that
//! only a real answer contains); stuck? `cargo xtask hint 6`.

use anyhow::{Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, SpinOptions};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    // TODO: import the service type you found (its Rust path is `ros_env::<package>::srv::<Type>`,
    //   with `<Type>_Request` and `<Type>_Response` beside it), create a client for the service
    //   name you found, wait for the server and the answer with a 2 s deadline, print the
    //   answer's message, and return the exit code described above.
    todo!("call the mystery service (chapter 9, 'Exercise: the mystery robot')")
}

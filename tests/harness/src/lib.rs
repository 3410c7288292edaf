//! The workbook's test harness: everything a check needs to run real ROS 2 programs as real
//! processes, and nothing about any particular exercise.
//!
//! - [`Domain`]: a ROS domain id of its own for each test, with localhost-only discovery, so tests
//!   running in parallel never see each other's nodes.
//! - [`NodeProcess`]: a started program whose whole process group is killed when the guard drops,
//!   pass or fail, with deadline-bounded waits on its output and its exit.
//! - [`World`]: one check's domain and environment, with the reference programs and rclpy peers.
//! - [`expect`] and [`fail`]: the `expected:` / `happened:` shape every failing check reports in.
//! - [`Environment`]: where the provisioned (or sourced) ROS 2 lives, and the variables a child
//!   process needs to find it.
//! - [`target_dir`]: one target folder shared by several clones of the workbook, without one
//!   clone running the programs another built.
//!
//! The harness must not link rclrs: `xtask` uses it before any ROS library exists on the machine.

mod domain;
mod environment;
pub mod expect;
mod process;
pub mod programs;
pub mod shm;
pub mod target_dir;
mod world;

pub use domain::Domain;
pub use environment::{
    compiled_project_root, find_project_root, project_root, Environment, RosSource,
    FASTDDS_PROFILE_VARIABLES, ROOT_VARIABLE,
};
pub use expect::{expect, fail};
pub use process::{run_to_end, NodeProcess, Output};
pub use world::{describe_end, last_line, GraphEntry, World, CALL_DEADLINE, START_DEADLINE};

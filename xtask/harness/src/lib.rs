//! The workbook's test harness: everything a check needs to run real ROS 2 programs as real
//! processes, and nothing about any particular exercise.
//!
//! - [`World`]: one check's private ROS world: sealed in namespaces of its own ([`seal`]) where
//!   the machine allows it, else told apart by a ROS domain id ([`Domain`]); [`Isolation`] says
//!   which, once per process.
//! - [`Domain`]: a ROS domain id that no process on the machine is using, with localhost-only
//!   discovery: the fallback isolation.
//! - [`NodeProcess`]: a started program whose whole process group is killed when the guard drops,
//!   pass or fail, with deadline-bounded waits on its output and its exit.
//! - [`expect`] and [`fail`]: the `expected:` / `happened:` shape every failing check reports in.
//! - [`Environment`]: where the provisioned (or sourced) ROS 2 lives, and the variables a child
//!   process needs to find it.
//! - [`Distro`]: the ROS 2 distributions and what differs between them (Humble's code paths).
//! - [`target_dir`]: one target folder shared by several clones of the workbook, without one
//!   clone running the programs another built.
//!
//! The harness must not link rclrs: `xtask` uses it before any ROS library exists on the machine.

pub mod dependencies;
pub mod distro;
mod domain;
mod ending;
mod environment;
pub mod expect;
mod isolation;
mod process;
pub mod programs;
pub mod seal;
pub mod shm;
mod signals;
pub mod stale_links;
pub mod target_dir;
mod world;

pub use distro::{Distro, LocalDiscovery};
pub use domain::Domain;
pub use ending::{describe_end, describe_status};
pub use environment::{
    colcon_install, compiled_project_root, find_project_root, project_root, provisionable,
    provisioned_distro, Environment, RosSource, FASTDDS_PROFILE_VARIABLES, OVERLAYS_VARIABLE,
    PROVISIONABLE_DISTROS, PROVISIONED_DISTRO, ROOT_VARIABLE,
};
pub use expect::{expect, fail};
pub use isolation::{Isolation, ISOLATION_VARIABLE};
pub use process::{run_to_end, NodeProcess, Output};
pub use signals::{die_with_parent, with_parent_death_signal};
pub use world::{
    last_line, tail, GraphEntry, World, CALL_DEADLINE, START_DEADLINE, WORLD_KEEP, WORLD_USER,
};

//! The checks of exercise 3. Run them with `cargo xtask check 3` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/robot_status.rs`, shared by the exercise and the reference solution.

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_robot_status");

#[path = "../../../tests/suites/robot_status.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

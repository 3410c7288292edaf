//! The checks of exercise 7. Run them with `cargo xtask check 7` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/max_speed_parameter.rs`, shared by the exercise and the reference solution.

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_ex07_max_speed_server");

#[path = "../../../tests/suites/max_speed_parameter.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

//! The checks of exercise 5. Run them with `cargo xtask check 5` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/topics_vs_services.rs`, shared by the exercise and the reference solution.

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_speed_reporter");

#[path = "../../../tests/suites/topics_vs_services.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

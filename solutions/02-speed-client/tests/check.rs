//! The checks of exercise 2, run against the reference solution (`cargo xtask verify`).

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_speed_client");

#[path = "../../../tests/suites/speed_client.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

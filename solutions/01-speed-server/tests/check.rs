//! The checks of exercise 1, run against the reference solution (`cargo xtask verify`).

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_speed_server");

#[path = "../../../tests/suites/speed_server.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

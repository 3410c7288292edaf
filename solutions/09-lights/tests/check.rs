//! The checks of exercise 9, run against the reference solution (`cargo xtask verify`).

/// The program the checks run.
const PROGRAM: Option<&str> = Some(env!("CARGO_BIN_EXE_lights"));

#[path = "../../../tests/suites/lights.rs"]
mod checks;

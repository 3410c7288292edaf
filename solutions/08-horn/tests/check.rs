//! The checks of exercise 8, run against the reference solution (`cargo xtask verify`).

/// The program the checks run.
const PROGRAM: Option<&str> = Some(env!("CARGO_BIN_EXE_horn"));

#[path = "../../../tests/suites/horn.rs"]
mod checks;

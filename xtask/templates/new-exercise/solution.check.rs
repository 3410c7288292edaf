//! The checks of exercise {{number}}, run against the reference solution (`cargo xtask verify`).

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_{{solution}}");

#[path = "../../../tests/suites/{{node}}.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

//! The checks of exercise 4. Run them with `cargo xtask check 4` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/async_client.rs`, shared by the exercise and the reference solution.

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_ex04_async_client");

#[path = "../../../tests/suites/async_client.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

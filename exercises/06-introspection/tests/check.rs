//! The checks of exercise 6. Run them with `cargo xtask check 6` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/introspection.rs`, shared by the exercise and the reference solution.

/// The program the checks run.
const PROGRAM: &str = env!("CARGO_BIN_EXE_ex06_mystery_client");

#[path = "../../../tests/suites/introspection.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

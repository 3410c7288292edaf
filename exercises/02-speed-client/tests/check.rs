//! The checks of exercise 2. Run them with `cargo xtask check 2` (or `cargo test` in this folder).
//!
//! They live in `tests/suites/speed_client.rs`, shared with the reference solution. Changing them
//! changes nothing but your own view: grading runs the workbook's copy.

/// The program the checks run: yours.
const PROGRAM: &str = env!("CARGO_BIN_EXE_ex02_speed_client");

#[path = "../../../tests/suites/speed_client.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

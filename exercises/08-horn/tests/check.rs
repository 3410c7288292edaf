//! The checks of exercise 8. Run them with `cargo xtask check 8`.
//!
//! They live in `tests/suites/horn.rs`, shared with the reference solution. Changing them
//! changes nothing but your own view: grading runs the workbook's copy.

// Named here so the checks compile whatever edition your manifest sets (Rust 2015, the default
// without one, needs it).
extern crate workbook_harness;

/// The program the checks run: yours, once your `Cargo.toml` declares the binary `ex08_horn`
/// (cargo then tells this file where it is built).
const PROGRAM: Option<&str> = option_env!("CARGO_BIN_EXE_ex08_horn");

#[path = "../../../tests/suites/horn.rs"]
mod checks;

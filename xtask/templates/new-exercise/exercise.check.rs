//! The checks of exercise {{number}}. Run them with `cargo xtask check {{number}}`.
//!
//! They live in `tests/suites/{{node}}.rs`, shared with the reference solution. Changing them
//! changes nothing but your own view: grading runs the workbook's copy.

/// The program the checks run: yours.
const PROGRAM: &str = env!("CARGO_BIN_EXE_{{program}}");

#[path = "../../../tests/suites/{{node}}.rs"]
mod checks;

#[path = "../../../tests/suites/common.rs"]
mod common;

//! The checks of exercise 9. Run them with `cargo xtask check 9`: it builds your interface
//! package first, which plain `cargo test` does not.
//!
//! They live in `tests/suites/lights.rs`, shared with the reference solution. Changing them
//! changes nothing but your own view: the workbook runs its own copy.

/// The program the checks run.
const PROGRAM: Option<&str> = Some(env!("CARGO_BIN_EXE_ex09_lights"));

#[path = "../../../tests/suites/lights.rs"]
mod checks;

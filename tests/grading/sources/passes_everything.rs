//! Fixture: a student's own tests/check.rs that passes whatever the program does.

#[test]
fn everything_passes() {}

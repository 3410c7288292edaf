//! How a check says it failed: what was expected and what happened, in words a student can act on.
//!
//! A failing check panics with a message of two labelled parts, `expected:` and `happened:`.
//! `cargo xtask check` and `cargo xtask grade` read those parts back and print them beside the
//! check's hint, so every suite fails in the same shape.

use std::fmt::Display;

/// Fails the running check.
#[track_caller]
pub fn fail(expected: impl Display, happened: impl Display) -> ! {
    panic!("expected: {expected}\nhappened: {happened}")
}

/// Fails the running check unless `condition` holds; `happened` is only built on failure.
#[track_caller]
pub fn expect(condition: bool, expected: impl Display, happened: impl FnOnce() -> String) {
    if !condition {
        fail(expected, happened())
    }
}

/// Splits a failure message into its expected and happened parts (for the check runner).
/// Messages that were not made by [`fail`] (a panic in the suite itself) come back whole as
/// `happened`, with an empty `expected`.
pub fn parse_failure(message: &str) -> (String, String) {
    match message.strip_prefix("expected: ") {
        Some(rest) => match rest.split_once("\nhappened: ") {
            Some((expected, happened)) => (expected.to_string(), happened.to_string()),
            None => (rest.to_string(), String::new()),
        },
        None => (String::new(), message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_message_splits_back_into_its_parts() {
        let message = std::panic::catch_unwind(|| fail("exit code 0", "exit code 1\nrefused"))
            .expect_err("fail panics");
        let text = message.downcast_ref::<String>().expect("a String payload");
        assert_eq!(
            parse_failure(text),
            (
                "exit code 0".to_string(),
                "exit code 1\nrefused".to_string()
            )
        );
    }

    #[test]
    fn any_other_panic_is_reported_as_what_happened() {
        assert_eq!(
            parse_failure("index out of bounds"),
            (String::new(), "index out of bounds".to_string())
        );
    }
}

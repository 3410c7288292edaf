//! How a check says it failed: what was expected and what happened, in words a student can act on.
//!
//! A failing check panics with a message of two labelled parts, `expected:` and `happened:`.
//! `cargo xtask check` and `cargo xtask grade` read those parts back and print them beside the
//! check's hint, so every suite fails in the same shape.
//!
//! Both parts often quote what a program printed, and a program may print anything, including
//! lines that look like libtest's own (`---- checks::x stdout ----`, `failures:`). So every line
//! after a part's first is indented by [`QUOTE`]: in the suite's output, no text of a part ever
//! starts a line, and only libtest's lines do. [`parse_failure`] takes the indent off again.

use std::fmt::Display;

/// What every continuation line of a failure's parts starts with in the panic message.
pub const QUOTE: &str = "    ";

/// Fails the running check.
#[track_caller]
pub fn fail(expected: impl Display, happened: impl Display) -> ! {
    panic!("{}", message(expected, happened))
}

/// Fails the running check unless `condition` holds; `happened` is only built on failure.
#[track_caller]
pub fn expect(condition: bool, expected: impl Display, happened: impl FnOnce() -> String) {
    if !condition {
        fail(expected, happened())
    }
}

/// The panic message [`fail`] raises: both parts labelled, their continuation lines quoted.
pub fn message(expected: impl Display, happened: impl Display) -> String {
    format!(
        "expected: {}\nhappened: {}",
        quote(&expected.to_string()),
        quote(&happened.to_string())
    )
}

/// `text` with every line but the first indented by [`QUOTE`], so that none of it can start a
/// line of the suite's output.
pub fn quote(text: &str) -> String {
    text.replace('\n', &format!("\n{QUOTE}"))
}

/// Takes off what [`quote`] added.
fn unquote(text: &str) -> String {
    let mut lines = text.split('\n');
    let mut plain = lines.next().unwrap_or_default().to_string();
    for line in lines {
        plain.push('\n');
        plain.push_str(line.strip_prefix(QUOTE).unwrap_or(line));
    }
    plain
}

/// Splits a failure message into its expected and happened parts (for the check runner).
/// Messages that were not made by [`fail`] (a panic in the suite itself) come back whole as
/// `happened`, with an empty `expected`.
pub fn parse_failure(message: &str) -> (String, String) {
    match message.strip_prefix("expected: ") {
        // The first unquoted `happened: ` line: a quoted part cannot hold one.
        Some(rest) => match rest.split_once("\nhappened: ") {
            Some((expected, happened)) => (unquote(expected), unquote(happened)),
            None => (unquote(rest), String::new()),
        },
        None => (String::new(), message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message `fail(expected, happened)` panics with.
    fn raised(expected: &str, happened: &str) -> String {
        let (expected, happened) = (expected.to_string(), happened.to_string());
        let payload =
            std::panic::catch_unwind(move || fail(expected, happened)).expect_err("fail panics");
        payload
            .downcast_ref::<String>()
            .expect("a String payload")
            .clone()
    }

    #[test]
    fn a_failure_message_splits_back_into_its_parts() {
        assert_eq!(
            parse_failure(&raised("exit code 0", "exit code 1\nrefused")),
            (
                "exit code 0".to_string(),
                "exit code 1\nrefused".to_string()
            )
        );
    }

    #[test]
    fn no_line_a_program_printed_starts_a_line_of_the_message() {
        let forged = "serving\n---- checks::stops_cleanly_on_ctrl_c stdout ----\n\
                      failures:\ntest checks::accepts_speeds_from_0_to_100 ... ok\n\
                      expected: nothing\nhappened: full marks";
        let message = raised("an answer\nwithin 5 s", forged);
        let starts: Vec<&str> = message
            .lines()
            .filter(|line| !line.starts_with(QUOTE))
            .collect();
        assert_eq!(
            starts,
            ["expected: an answer", "happened: serving"],
            "only the two labels may start a line of:\n{message}"
        );
        assert_eq!(
            parse_failure(&message),
            ("an answer\nwithin 5 s".to_string(), forged.to_string()),
            "the program's text comes back exactly as it printed it"
        );
    }

    #[test]
    fn indented_and_empty_lines_come_back_as_they_were() {
        let happened = "Your program printed:\n    speed 42\n\n  done\n";
        assert_eq!(
            parse_failure(&raised("a reason", happened)).1,
            happened,
            "quoting is undone exactly"
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

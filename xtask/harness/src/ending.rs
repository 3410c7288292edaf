//! How a program ended, in the words a person reads in a check's message: "exit code 1",
//! "stopped by Ctrl-C (SIGINT)", "crashed: segmentation fault (SIGSEGV)". The one place that
//! turns an exit status into a sentence, so no message shows Rust's `Some(9)`.

use crate::Output;

/// How a program ended, as a sentence fragment a person reads: "exit code 1", "exit code 101 (a
/// panic)", "stopped by Ctrl-C (SIGINT)", "killed (SIGKILL)". Never Rust's Debug form.
pub fn describe_end(output: &Output) -> String {
    describe_status(output.code, output.signal)
}

/// [`describe_end`] from an exit code or a signal number.
pub fn describe_status(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(101), _) => "exit code 101 (a panic)".to_string(),
        (Some(code), _) => format!("exit code {code}"),
        (_, Some(signal)) => match signal {
            libc::SIGINT => "stopped by Ctrl-C (SIGINT)".to_string(),
            libc::SIGTERM => "stopped by SIGTERM".to_string(),
            libc::SIGKILL => "killed (SIGKILL)".to_string(),
            libc::SIGSEGV => "crashed: segmentation fault (SIGSEGV)".to_string(),
            libc::SIGABRT => "aborted (SIGABRT)".to_string(),
            libc::SIGBUS => "crashed: bus error (SIGBUS)".to_string(),
            libc::SIGPIPE => "ended by a broken pipe (SIGPIPE)".to_string(),
            other => format!("killed by signal {other}"),
        },
        _ => "ended".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ending_reads_as_words_never_as_debug_output() {
        assert_eq!(describe_status(Some(1), None), "exit code 1");
        assert_eq!(describe_status(Some(101), None), "exit code 101 (a panic)");
        assert_eq!(
            describe_status(None, Some(libc::SIGINT)),
            "stopped by Ctrl-C (SIGINT)"
        );
        assert_eq!(
            describe_status(None, Some(libc::SIGKILL)),
            "killed (SIGKILL)"
        );
        assert_eq!(describe_status(None, Some(64)), "killed by signal 64");
        assert_eq!(describe_status(None, None), "ended");
    }
}

//! The signals a program the harness starts lives with: it dies when whoever started it dies,
//! and it meets the signals that stop a program (from a terminal or from the harness) at their
//! default action, however `cargo xtask` itself was started.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes the kernel SIGKILL the program `command` starts when the thread that started it ends
/// (normally its guard has stopped it long before), and starts it with the signals a terminal
/// or the harness sends at their default action.
///
/// A process started in the background of a script (`cmd &`, nohup, some CI runners) inherits
/// SIGINT and SIGQUIT as *ignored*, and exec keeps an ignored signal ignored. Without the reset,
/// a program under test would then survive the Ctrl-C of "stops cleanly on Ctrl-C" (a shell's
/// `trap … INT` cannot even catch it), and its verdict would depend on how `cargo xtask check`
/// was started.
pub fn with_parent_death_signal(command: &mut Command) {
    // SAFETY: prctl(2) and signal(2) are async-signal-safe and touch no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            for signal in TERMINAL_SIGNALS {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
}

/// The signals that stop a program from a terminal or from the harness.
const TERMINAL_SIGNALS: [libc::c_int; 4] =
    [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP];

/// Makes the kernel SIGKILL this process when its parent dies (for `cargo xtask`, whose parent
/// is cargo: a SIGKILLed `cargo xtask check` then takes xtask, and through the guards
/// everything xtask started, with it). Exits at once if the parent is already gone.
pub fn die_with_parent() {
    // SAFETY: prctl(2) and getppid(2) touch no memory.
    unsafe {
        let parent = libc::getppid();
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if libc::getppid() != parent {
            std::process::exit(130);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::tests::shell;
    use crate::NodeProcess;
    use std::time::Duration;

    #[test]
    fn ctrl_c_stops_a_program_even_when_the_harness_was_started_ignoring_it() {
        // As if `cargo xtask check` ran in the background of a script: SIGINT and SIGQUIT
        // arrive ignored (this closure runs first, like an inherited disposition).
        let mut command = shell("echo ready; exec sleep 30");
        // SAFETY: signal(2) is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                libc::signal(libc::SIGQUIT, libc::SIG_IGN);
                Ok(())
            });
        }
        let mut process = NodeProcess::start("sleeper", command).expect("start");
        process
            .wait_for_line("ready", Duration::from_secs(5))
            .expect("ready");
        process.interrupt();
        let output = process
            .wait_for_exit(Duration::from_secs(5))
            .expect("Ctrl-C ends the program");
        assert_eq!(output.signal, Some(libc::SIGINT), "{output:?}");
    }
}

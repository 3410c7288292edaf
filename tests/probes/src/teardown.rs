//! A deadline for shutting ROS down, so that a probe whose work is done always exits.
//!
//! Fast DDS can hang while it destroys a participant's endpoints when another participant of
//! the same domain leaves at that very moment, as when several probes finish together. 2.14 (the
//! middleware of ROS 2 Jazzy) livelocks: `DomainParticipant::set_listener(nullptr)` waits for
//! running discovery callbacks in a busy loop that holds the lock those callbacks need to finish;
//! on a loaded machine it was seen to last minutes. 3.2 (Kilted) deadlocks instead: a client's
//! reader is destroyed (`unregister_timer`) while the receive thread removes the leaving
//! participant's writer (`WriterProxy::stop`, `unregister_timer` too) and the event thread waits
//! for a lock one of them holds; seen to last until killed. The probe's answers are printed by
//! then, so a shutdown that overruns its deadline ends the process with the exit code already
//! decided.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

/// How long shutting ROS down may take before the process ends without it (normally 10-50 ms).
const DEADLINE: Duration = Duration::from_secs(5);

/// The exit code the process ends with if the deadline passes; failure until set.
static EXIT_CODE: AtomicU8 = AtomicU8::new(2);

/// Records the exit code the program will end with.
pub fn set_exit_code(code: u8) {
    EXIT_CODE.store(code, Ordering::SeqCst);
}

/// Arms the deadline when dropped. Declare it after the ROS objects (the context, executor,
/// node, clients): locals drop in reverse order, so it drops first and the deadline covers
/// their shutdown.
pub struct Deadline {
    program: &'static str,
}

impl Deadline {
    pub fn new(program: &'static str) -> Deadline {
        Deadline { program }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        let program = self.program;
        std::thread::spawn(move || {
            std::thread::sleep(DEADLINE);
            let code = EXIT_CODE.load(Ordering::SeqCst);
            let _ = std::io::stdout().flush();
            eprintln!(
                "{program}: ROS 2 did not shut down within {} s (a known Fast DDS hang when \
                 another node leaves at the same moment); exiting with code {code} without it",
                DEADLINE.as_secs()
            );
            // SAFETY: _exit ends the process at once; no Rust state is used afterwards. Not
            // `std::process::exit`: its exit handlers would run Fast DDS's static destructors,
            // which can meet the same hang.
            unsafe { libc::_exit(code.into()) };
        });
    }
}

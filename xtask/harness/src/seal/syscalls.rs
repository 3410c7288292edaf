//! Joining a world (`enter_world`, between fork and exec) and the async-signal-safe helpers the
//! init and the joining process use: no allocation, plain system calls.

use super::*;

/// The part of every world program that runs between fork and exec: join the world, then fork
/// once more so that the program is a process of the world's pid namespace.
pub(super) fn enter_world(
    namespaces: &[(libc::c_int, File)],
    user: Option<u32>,
) -> std::io::Result<()> {
    // SAFETY (whole function): raw system calls; no allocation (the namespaces were opened
    // before the fork, the working folder is copied into a buffer on the stack).
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        let mut cwd = [0 as libc::c_char; 4096];
        if libc::getcwd(cwd.as_mut_ptr(), cwd.len()).is_null() {
            return Err(std::io::Error::last_os_error());
        }
        for (kind, file) in namespaces {
            if libc::setns(file.as_raw_fd(), *kind) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        // Joining a mount namespace moves the working folder to its root: go back (the world
        // sees the same folders as the host, but for /proc and /dev/shm).
        if libc::chdir(cwd.as_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // The terminal's signals stay blocked across the fork until the waiter ignores them:
        // else one sent to the group (the check's Ctrl-C) in the moment after the fork, before
        // the waiter runs again, would end the waiter, and with it a program that handles it
        // (a moment that grows on a machine busy enough to leave the waiter waiting for a
        // processor).
        let mut terminal: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut terminal);
        for signal in TERMINAL_SIGNALS {
            libc::sigaddset(&mut terminal, signal);
        }
        let mut before: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_BLOCK, &terminal, &mut before);
        let program = libc::fork();
        if program < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if program == 0 {
            // The program gets the mask it was started with; one of these signals sent since
            // the fork now ends it, as it would have ended a program not started yet.
            libc::sigprocmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
            if let Some(uid) = user {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setresgid(uid, uid, uid) != 0
                    || libc::setresuid(uid, uid, uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            // After the user change, which clears it.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            return Ok(());
        }
        // The waiter: the signals a terminal or the harness sends to the process group reach the
        // program directly; this process outlives them and passes the program's status on.
        close_from(0);
        for signal in TERMINAL_SIGNALS {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
        libc::sigprocmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
        let mut status = 0;
        loop {
            let waited = libc::waitpid(program, &mut status, 0);
            if waited == program {
                break;
            }
            if waited < 0 && *libc::__errno_location() != libc::EINTR {
                libc::_exit(127);
            }
        }
        if libc::WIFEXITED(status) {
            libc::_exit(libc::WEXITSTATUS(status));
        }
        let signal = libc::WTERMSIG(status);
        libc::signal(signal, libc::SIG_DFL);
        let mut unblock: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut unblock);
        libc::sigaddset(&mut unblock, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &unblock, std::ptr::null_mut());
        libc::kill(libc::getpid(), signal);
        libc::_exit(128 + signal)
    }
}

/// The signals a terminal (or the harness, for a check's Ctrl-C) sends to a process group: the
/// program gets them; the waiter outlives them.
const TERMINAL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGPIPE,
];

pub(super) extern "C" fn ignore_signal(_: libc::c_int) {}

/// Reports `what` and the current errno on standard output as `error …`, then exits.
pub(super) unsafe fn fail(what: &[u8]) -> ! {
    let errno = *libc::__errno_location();
    let mut line = [0u8; 160];
    let mut at = 0;
    for part in [b"error ".as_slice(), what, b" failed: errno "] {
        let take = part.len().min(line.len() - at - 24);
        line[at..at + take].copy_from_slice(&part[..take]);
        at += take;
    }
    at += format_number(b"", errno as u64, &mut line[at..]);
    libc::write(1, line.as_ptr().cast(), at);
    libc::_exit(1)
}

/// Writes `prefix`, the decimal digits of `number` and a newline into `out`; returns the length.
pub(super) fn format_number(prefix: &[u8], mut number: u64, out: &mut [u8]) -> usize {
    out[..prefix.len()].copy_from_slice(prefix);
    let mut digits = [0u8; 20];
    let mut count = 0;
    loop {
        digits[count] = b'0' + (number % 10) as u8;
        count += 1;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    for i in 0..count {
        out[prefix.len() + i] = digits[count - 1 - i];
    }
    out[prefix.len() + count] = b'\n';
    prefix.len() + count + 1
}

/// Writes all of `bytes` to the file at `path`.
pub(super) unsafe fn write_file(path: &CString, bytes: &[u8]) -> bool {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
    if fd < 0 {
        return false;
    }
    let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    libc::close(fd);
    written == bytes.len() as isize
}

/// Closes every file descriptor from `first` on.
pub(super) unsafe fn close_from(first: libc::c_uint) {
    close_range(first, libc::c_uint::MAX);
}

/// Closes every file descriptor but `keep`.
pub(super) unsafe fn close_all_but(keep: RawFd) {
    let keep = keep as libc::c_uint;
    if keep > 0 {
        close_range(0, keep - 1);
    }
    close_range(keep + 1, libc::c_uint::MAX);
}

/// Closes the descriptors `first..=last` (one by one below 1024 where close_range(2) is missing).
pub(super) unsafe fn close_range(first: libc::c_uint, last: libc::c_uint) {
    if libc::syscall(libc::SYS_close_range, first, last, 0) != 0 {
        for fd in first..last.min(1023) + 1 {
            libc::close(fd as libc::c_int);
        }
    }
}

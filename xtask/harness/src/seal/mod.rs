//! Sealed worlds: one check's programs in Linux namespaces of their own.
//!
//! A [`Seal`] is a small init process (pid 1 of a new pid namespace) holding a new network
//! namespace with nothing but its own loopback, a new IPC namespace, and a mount namespace with a
//! private `/proc` and `/dev/shm`. Every program started through [`Seal::enter`] joins those
//! namespaces, so:
//!
//! - DDS discovery and traffic cannot leave the world or enter it: nodes of other checks, of the
//!   student's own terminals or of another course on the machine are invisible, whatever their
//!   `ROS_DOMAIN_ID`;
//! - Fast DDS's shared-memory files are private and vanish with the world;
//! - a program sees only the world's processes in `/proc` (not the suite's, not the grader's);
//! - the rest of the file system is the machine's, `/tmp` included, so a check can hand its
//!   programs files from anywhere (`grade` gives a student's program a private `/tmp` of its own,
//!   see xtask's `workbook-sandbox`);
//! - when the seal drops (or the process holding it dies, even by SIGKILL), the init dies and the
//!   kernel kills every process of the world, whatever it did to detach.
//!
//! As root the namespaces are made directly; otherwise inside a new user namespace that maps the
//! user to root (what `unshare --map-current-user` does). Where the machine refuses (Ubuntu 24.04
//! restricts unprivileged user namespaces through AppArmor; some containers forbid them),
//! [`Seal::create`] says why and the harness falls back to isolation by domain id.
//!
//! The code between `fork` and `exec` may only make async-signal-safe calls (the parent is
//! multi-threaded): raw system calls, no allocation, no locks. Everything it needs is prepared
//! before the fork.

mod init;
mod syscalls;

use init::*;
use std::ffi::CString;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use syscalls::*;

/// How long the init may take to report that its world is ready.
const READY_DEADLINE: Duration = Duration::from_secs(10);

/// A sealed world's namespaces, held open while the world exists.
pub struct Seal {
    init: Child,
    namespaces: Arc<Vec<(libc::c_int, File)>>,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seal")
            .field("init", &self.init.id())
            .finish()
    }
}

/// A world whose programs run as an unprivileged user (grading, as root): the world's view of
/// `home` (the grader's home folder, unreadable for that user) is an empty folder holding only
/// the `keep` paths below it, read-only (the ROS installation, Python, the checkout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockdown {
    pub uid: u32,
    pub home: PathBuf,
    pub keep: Vec<PathBuf>,
}

impl Seal {
    /// Makes a new sealed world, or says why this machine does not allow one.
    pub fn create() -> Result<Seal, String> {
        Seal::create_with(None)
    }

    /// Makes a new sealed world, locked down as `lockdown` says when given (root only).
    pub fn create_with(lockdown: Option<&Lockdown>) -> Result<Seal, String> {
        // SAFETY: geteuid/getegid/getpid cannot fail and touch no memory.
        let (uid, gid, parent) = unsafe { (libc::geteuid(), libc::getegid(), libc::getpid()) };
        let as_root = uid == 0;
        let uid_map = format!("0 {uid} 1\n");
        let gid_map = format!("0 {gid} 1\n");
        let mut paths = InitPaths::new();
        if let Some(lockdown) = lockdown {
            paths.hide_home(lockdown)?;
        }
        let mut command = Command::new("/bin/true");
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group: a Ctrl-C meant for the programs never reaches the init.
            .process_group(0);
        // SAFETY: the closure makes only async-signal-safe system calls (see `init_main`).
        unsafe {
            command.pre_exec(move || {
                init_main(
                    parent,
                    as_root,
                    uid_map.as_bytes(),
                    gid_map.as_bytes(),
                    &paths,
                );
            });
        }
        let mut init = command
            .spawn()
            .map_err(|error| format!("cannot start the world's init process: {error}"))?;
        let report = read_report(&mut init);
        let world_pid = match report {
            Ok(pid) => pid,
            Err(reason) => {
                let _ = init.kill();
                let _ = init.wait();
                return Err(reason);
            }
        };
        let mut kinds = Vec::new();
        if !as_root {
            kinds.push((libc::CLONE_NEWUSER, "user"));
        }
        kinds.extend([
            (libc::CLONE_NEWIPC, "ipc"),
            (libc::CLONE_NEWNET, "net"),
            (libc::CLONE_NEWPID, "pid"),
            (libc::CLONE_NEWNS, "mnt"),
        ]);
        let mut namespaces = Vec::new();
        for (kind, name) in kinds {
            let path = format!("/proc/{world_pid}/ns/{name}");
            match File::open(&path) {
                Ok(file) => namespaces.push((kind, file)),
                Err(error) => {
                    let _ = init.kill();
                    let _ = init.wait();
                    return Err(format!("cannot open {path}: {error}"));
                }
            }
        }
        Ok(Seal {
            init,
            namespaces: Arc::new(namespaces),
        })
    }

    /// Makes `command` start inside this world: its program joins the world's namespaces (as a
    /// process of the world's pid namespace) and dies with it. The process the caller sees is a
    /// small waiter outside the pid namespace that passes the program's exit status on and
    /// ignores the signals a terminal sends, which reach the program through the process group.
    ///
    /// With `user`, the program runs as that user (the caller must be root).
    pub fn enter(&self, command: &mut Command, user: Option<u32>) {
        let namespaces = Arc::clone(&self.namespaces);
        // SAFETY: the closure makes only async-signal-safe system calls (see `enter_world`).
        unsafe {
            command.pre_exec(move || enter_world(&namespaces, user));
        }
    }

    /// The host's process id of the world's init, for diagnostics.
    pub fn init_pid(&self) -> u32 {
        self.init.id()
    }
}

impl Drop for Seal {
    fn drop(&mut self) {
        // The init's own child (pid 1 of the world) has PR_SET_PDEATHSIG: killing the init kills
        // it, and the kernel then kills every process of the world.
        let _ = self.init.kill();
        let _ = self.init.wait();
    }
}

/// Reads the init's report: `pid <host pid of the world's pid 1>` and `sealed`, or `error …`.
fn read_report(init: &mut Child) -> Result<u32, String> {
    let Some(stdout) = init.stdout.take() else {
        return Err("the world's init has no output pipe".into());
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Two processes write here, the init (`pid …`) and the world's pid 1 (`sealed`), in
        // either order.
        let (mut pid, mut sealed) = (None, false);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(number) = line.strip_prefix("pid ") {
                pid = number.trim().parse::<u32>().ok();
            } else if line == "sealed" {
                sealed = true;
            } else if let Some(reason) = line.strip_prefix("error ") {
                let _ = sender.send(Err(reason.to_string()));
                return;
            }
            if let (Some(pid), true) = (pid, sealed) {
                let _ = sender.send(Ok(pid));
                return;
            }
        }
        let _ = sender.send(Err("the world's init ended without a word".into()));
    });
    let end = Instant::now() + READY_DEADLINE;
    receiver
        .recv_timeout(end.saturating_duration_since(Instant::now()))
        .unwrap_or_else(|_| Err("the world's init did not report within 10 s".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_without_allocating() {
        let mut out = [0u8; 32];
        let length = format_number(b"pid ", 40213, &mut out);
        assert_eq!(&out[..length], b"pid 40213\n");
        let length = format_number(b"", 0, &mut out);
        assert_eq!(&out[..length], b"0\n");
    }
}

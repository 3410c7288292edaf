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

/// The C strings the init needs, made before the fork.
struct InitPaths {
    root: CString,
    proc: CString,
    shm: CString,
    proc_type: CString,
    tmpfs: CString,
    shm_options: CString,
    setgroups: CString,
    uid_map: CString,
    gid_map: CString,
    deny: &'static [u8],
    /// With a lockdown: the home folder to cover, and each kept path below it with the folder
    /// it is parked in meanwhile and the folders to make before it can be mounted back.
    home: Option<CString>,
    parking: CString,
    keep: Vec<Kept>,
    home_options: CString,
}

/// A path kept visible below a hidden home folder.
struct Kept {
    parked: CString,
    path: CString,
    folders: Vec<CString>,
}

impl InitPaths {
    fn new() -> InitPaths {
        let c = |text: &str| CString::new(text).expect("no NUL in a constant");
        InitPaths {
            root: c("/"),
            proc: c("/proc"),
            shm: c("/dev/shm"),
            proc_type: c("proc"),
            tmpfs: c("tmpfs"),
            shm_options: c("mode=1777,size=512m"),
            setgroups: c("/proc/self/setgroups"),
            uid_map: c("/proc/self/uid_map"),
            gid_map: c("/proc/self/gid_map"),
            deny: b"deny",
            home: None,
            parking: c("/dev/shm/.workbook-kept"),
            keep: Vec::new(),
            home_options: c("mode=0711,size=64k"),
        }
    }

    /// Prepares the lockdown's mounts (as C strings, before the fork).
    fn hide_home(&mut self, lockdown: &Lockdown) -> Result<(), String> {
        let c = |path: &Path| {
            CString::new(path.as_os_str().as_bytes())
                .map_err(|_| format!("{} has a NUL byte", path.display()))
        };
        let home = &lockdown.home;
        if !home.is_absolute() || home == Path::new("/") {
            return Ok(());
        }
        self.home = Some(c(home)?);
        for (index, path) in lockdown.keep.iter().enumerate() {
            let Ok(below) = path.strip_prefix(home) else {
                continue;
            };
            if !path.is_dir() {
                continue;
            }
            let mut folders = Vec::new();
            let mut partial = home.clone();
            for part in below.components() {
                partial.push(part);
                folders.push(c(&partial)?);
            }
            self.keep.push(Kept {
                parked: c(&Path::new("/dev/shm/.workbook-kept").join(index.to_string()))?,
                path: c(path)?,
                folders,
            });
        }
        Ok(())
    }
}

/// The init, between fork and exec of the harness's child. It never returns: the first process
/// (outside the world's pid namespace, inside the others) holds the world's pid 1 as its child and
/// waits; pid 1 mounts `/proc`, reports, and reaps orphans until it is killed.
fn init_main(
    parent: libc::pid_t,
    as_root: bool,
    uid_map: &[u8],
    gid_map: &[u8],
    p: &InitPaths,
) -> ! {
    // SAFETY (whole function): raw system calls on memory prepared before the fork.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if libc::getppid() != parent {
            libc::_exit(1);
        }
        let mut flags =
            libc::CLONE_NEWNET | libc::CLONE_NEWIPC | libc::CLONE_NEWNS | libc::CLONE_NEWPID;
        if !as_root {
            flags |= libc::CLONE_NEWUSER;
        }
        if libc::unshare(flags) != 0 {
            fail(b"unshare (new namespaces)");
        }
        let maps_written = as_root
            || (write_file(&p.setgroups, p.deny)
                && write_file(&p.uid_map, uid_map)
                && write_file(&p.gid_map, gid_map));
        if !maps_written {
            fail(b"writing the user namespace's id maps");
        }
        let none = std::ptr::null::<libc::c_char>();
        if libc::mount(
            none,
            p.root.as_ptr(),
            none,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            fail(b"making the mounts private");
        }
        let private = libc::MS_NOSUID | libc::MS_NODEV;
        if libc::mount(
            p.tmpfs.as_ptr(),
            p.shm.as_ptr(),
            p.tmpfs.as_ptr(),
            private,
            p.shm_options.as_ptr().cast(),
        ) != 0
        {
            fail(b"mounting a private /dev/shm");
        }
        if let Some(home) = &p.home {
            hide_home(home, p);
        }
        if !loopback_up() {
            fail(b"bringing up the loopback interface");
        }
        // A pipe whose write end only this process holds: pid 1 learns from it whether this
        // process died before pid 1 set its own death signal.
        let mut alive = [0 as libc::c_int; 2];
        if libc::pipe(alive.as_mut_ptr()) != 0 {
            fail(b"pipe");
        }
        let world = libc::fork();
        if world < 0 {
            fail(b"fork (the world's pid 1)");
        }
        if world == 0 {
            libc::close(alive[1]);
            world_init(alive[0], p);
        }
        let mut line = [0u8; 32];
        let length = format_number(b"pid ", world as u64, &mut line);
        libc::write(1, line.as_ptr().cast(), length);
        // Closes standard output too, so the report's pipe ends with pid 1's words; keeps only
        // the write end of `alive`, which closes when this process dies.
        close_all_but(alive[1]);
        let mut status = 0;
        loop {
            let waited = libc::waitpid(world, &mut status, 0);
            if waited == world || (waited < 0 && *libc::__errno_location() != libc::EINTR) {
                break;
            }
        }
        libc::_exit(1)
    }
}

/// Covers `home` with an empty folder, keeping `p.keep` visible (parked in the world's private
/// /dev/shm while the cover goes on). Between fork and exec: system calls only.
unsafe fn hide_home(home: &CString, p: &InitPaths) {
    let none = std::ptr::null::<libc::c_char>();
    let bind = libc::MS_BIND | libc::MS_REC;
    libc::mkdir(p.parking.as_ptr(), 0o700);
    for kept in &p.keep {
        libc::mkdir(kept.parked.as_ptr(), 0o700);
        if libc::mount(
            kept.path.as_ptr(),
            kept.parked.as_ptr(),
            none,
            bind,
            std::ptr::null(),
        ) != 0
        {
            fail(b"parking a folder kept below the home folder");
        }
    }
    if libc::mount(
        p.tmpfs.as_ptr(),
        home.as_ptr(),
        p.tmpfs.as_ptr(),
        libc::MS_NOSUID | libc::MS_NODEV,
        p.home_options.as_ptr().cast(),
    ) != 0
    {
        fail(b"covering the home folder");
    }
    for kept in &p.keep {
        for folder in &kept.folders {
            libc::mkdir(folder.as_ptr(), 0o755);
        }
        if libc::mount(
            kept.parked.as_ptr(),
            kept.path.as_ptr(),
            none,
            bind,
            std::ptr::null(),
        ) != 0
        {
            fail(b"putting back a folder kept below the home folder");
        }
    }
}

/// Pid 1 of the world.
unsafe fn world_init(alive: RawFd, p: &InitPaths) -> ! {
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    let mut poll = libc::pollfd {
        fd: alive,
        events: libc::POLLIN,
        revents: 0,
    };
    if libc::poll(&mut poll, 1, 0) > 0 && poll.revents & (libc::POLLHUP | libc::POLLIN) != 0 {
        libc::_exit(1);
    }
    if libc::mount(
        p.proc_type.as_ptr(),
        p.proc.as_ptr(),
        p.proc_type.as_ptr(),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        std::ptr::null(),
    ) != 0
    {
        fail(b"mounting the world's /proc");
    }
    let sealed = b"sealed\n";
    libc::write(1, sealed.as_ptr().cast(), sealed.len());
    close_from(0);
    loop {
        let mut status = 0;
        if libc::waitpid(-1, &mut status, 0) < 0 {
            let pause = libc::timespec {
                tv_sec: 0,
                tv_nsec: 50_000_000,
            };
            libc::nanosleep(&pause, std::ptr::null_mut());
        }
    }
}

/// The part of every world program that runs between fork and exec: join the world, then fork
/// once more so that the program is a process of the world's pid namespace.
fn enter_world(namespaces: &[(libc::c_int, File)], user: Option<u32>) -> std::io::Result<()> {
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
        let program = libc::fork();
        if program < 0 {
            return Err(std::io::Error::last_os_error());
        }
        if program == 0 {
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
        for signal in [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
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

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Reports `what` and the current errno on standard output as `error …`, then exits.
unsafe fn fail(what: &[u8]) -> ! {
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
fn format_number(prefix: &[u8], mut number: u64, out: &mut [u8]) -> usize {
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
unsafe fn write_file(path: &CString, bytes: &[u8]) -> bool {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
    if fd < 0 {
        return false;
    }
    let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    libc::close(fd);
    written == bytes.len() as isize
}

/// Closes every file descriptor from `first` on.
unsafe fn close_from(first: libc::c_uint) {
    close_range(first, libc::c_uint::MAX);
}

/// Closes every file descriptor but `keep`.
unsafe fn close_all_but(keep: RawFd) {
    let keep = keep as libc::c_uint;
    if keep > 0 {
        close_range(0, keep - 1);
    }
    close_range(keep + 1, libc::c_uint::MAX);
}

/// Closes the descriptors `first..=last` (one by one below 1024 where close_range(2) is missing).
unsafe fn close_range(first: libc::c_uint, last: libc::c_uint) {
    if libc::syscall(libc::SYS_close_range, first, last, 0) != 0 {
        for fd in first..last.min(1023) + 1 {
            libc::close(fd as libc::c_int);
        }
    }
}

/// Sets the `lo` interface up in the current network namespace.
unsafe fn loopback_up() -> bool {
    let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
    if socket < 0 {
        return false;
    }
    let mut request: libc::ifreq = std::mem::zeroed();
    for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
        *slot = *byte as libc::c_char;
    }
    let ok = libc::ioctl(socket, libc::SIOCGIFFLAGS, &mut request) == 0 && {
        request.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        libc::ioctl(socket, libc::SIOCSIFFLAGS, &request) == 0
    };
    libc::close(socket);
    ok
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

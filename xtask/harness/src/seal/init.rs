//! The world's init: the first process of a sealed world. Between fork and exec it unshares the
//! namespaces, maps the user (not root), mounts a private `/proc` and `/dev/shm`, hides the
//! grader's home for a lockdown, brings the loopback up, reports its pid and then waits, dying
//! with its holder.

use super::*;

/// The C strings the init needs, made before the fork.
pub(super) struct InitPaths {
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
pub(super) struct Kept {
    parked: CString,
    path: CString,
    folders: Vec<CString>,
}

impl InitPaths {
    pub(super) fn new() -> InitPaths {
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
    pub(super) fn hide_home(&mut self, lockdown: &Lockdown) -> Result<(), String> {
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
pub(super) fn init_main(
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
pub(super) unsafe fn hide_home(home: &CString, p: &InitPaths) {
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
pub(super) unsafe fn world_init(alive: RawFd, p: &InitPaths) -> ! {
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

/// Sets the `lo` interface up in the current network namespace.
pub(super) unsafe fn loopback_up() -> bool {
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

//! `workbook-sandbox`: how `cargo xtask grade` starts a student's program (the program under
//! test of a check, inside the check's sealed world) and a student's build (inside a sealed
//! world of its own, with the student's build folder as `--work`).
//!
//!     workbook-sandbox [--hide DIR]... [--expose PATH]... [--writable DIR]... [--work DIR]...
//!                      [--user UID] [--keep VAR]... [--set VAR=VALUE]... -- PROGRAM [ARGS]...
//!
//! In a mount namespace of its own it empties every `--hide` folder (a tmpfs over it) and gives
//! the program a private `/tmp`, puts back the `--expose` paths (read-only), makes each
//! `--writable` folder a small empty tmpfs and puts back each `--work` folder as it is (writable:
//! a student's build folder), makes every other mount read-only but `/proc`, `/sys`, `/dev`, the
//! private `/tmp` and those, switches to `--user`
//! (when started as root), forbids gaining privileges, and runs PROGRAM with an environment of
//! only the `--keep` variables that are set and the `--set` ones.
//!
//! It must stay small and know nothing of exercises or ROS: grade says what to hide and keep.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(Default)]
struct Plan {
    hide: Vec<PathBuf>,
    expose: Vec<PathBuf>,
    writable: Vec<PathBuf>,
    work: Vec<PathBuf>,
    user: Option<u32>,
    keep: Vec<String>,
    set: Vec<(String, String)>,
    program: Vec<OsString>,
}

fn main() -> ExitCode {
    let plan = match parse(std::env::args_os().skip(1).collect()) {
        Ok(plan) => plan,
        Err(problem) => {
            eprintln!("workbook-sandbox: {problem}");
            return ExitCode::from(125);
        }
    };
    match enter(&plan) {
        Ok(never) => match never {},
        Err(problem) => {
            eprintln!("workbook-sandbox: {problem}");
            ExitCode::from(125)
        }
    }
}

fn parse(arguments: Vec<OsString>) -> Result<Plan, String> {
    let mut plan = Plan::default();
    let mut words = arguments.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            plan.program = words.collect();
            break;
        }
        let mut value = || {
            words
                .next()
                .ok_or_else(|| format!("{} needs a value", word.to_string_lossy()))
        };
        match word.to_str() {
            Some("--hide") => plan.hide.push(absolute(value()?)?),
            Some("--expose") => plan.expose.push(absolute(value()?)?),
            Some("--writable") => plan.writable.push(absolute(value()?)?),
            Some("--work") => plan.work.push(absolute(value()?)?),
            Some("--user") => {
                let text = value()?;
                plan.user = Some(
                    text.to_str()
                        .and_then(|t| t.parse().ok())
                        .ok_or("--user takes a numeric uid")?,
                )
            }
            Some("--keep") => plan.keep.push(value()?.to_string_lossy().into_owned()),
            Some("--set") => {
                let text = value()?.to_string_lossy().into_owned();
                let (name, value) = text.split_once('=').ok_or("--set takes VAR=VALUE")?;
                plan.set.push((name.to_string(), value.to_string()));
            }
            _ => return Err(format!("unknown option {}", word.to_string_lossy())),
        }
    }
    if plan.program.is_empty() {
        return Err("no program to run after --".into());
    }
    Ok(plan)
}

fn absolute(path: OsString) -> Result<PathBuf, String> {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(format!("{} is not an absolute path", path.display()))
    }
}

/// Sets the sandbox up and replaces this process with the program.
fn enter(plan: &Plan) -> Result<std::convert::Infallible, String> {
    // The programs to run and the folders to put back must be found before anything is hidden.
    let kept: Vec<PathBuf> = plan
        .expose
        .iter()
        .chain(&plan.work)
        .filter(|p| p.exists())
        .cloned()
        .collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    // SAFETY (unshare, mount, setns-free set-up): plain system calls on owned C strings.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(os_error("unshare(CLONE_NEWNS)"));
        }
    }
    mount(
        None,
        Path::new("/"),
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        None,
    )?;

    // Put the kept paths aside (bind mounts in a private staging tmpfs, in /dev/shm since /tmp is
    // about to be covered), hide, put them back.
    let staging = PathBuf::from(format!("/dev/shm/.workbook-sandbox-{}", std::process::id()));
    let hide: Vec<PathBuf> = std::iter::once(PathBuf::from("/tmp"))
        .chain(plan.hide.iter().cloned())
        .collect();
    std::fs::create_dir_all(&staging)
        .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    mount(
        Some("tmpfs".as_ref()),
        &staging,
        Some("tmpfs"),
        0,
        Some("mode=0700,size=64k"),
    )?;
    let mut aside = Vec::new();
    for (index, path) in kept.iter().enumerate() {
        // A work folder is always a mount of its own, so that it stays writable below.
        if !hide.iter().any(|hidden| path.starts_with(hidden)) && !plan.work.contains(path) {
            continue;
        }
        let spot = staging.join(index.to_string());
        make_like(path, &spot)?;
        mount(
            Some(path.as_os_str()),
            &spot,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )?;
        aside.push((path.clone(), spot));
    }
    for hidden in &hide {
        if !hidden.is_dir() {
            continue; // Gone, or already inside a folder hidden before it.
        }
        let options = if hidden == Path::new("/tmp") {
            "mode=1777,size=256m"
        } else {
            "mode=0711,size=64k"
        };
        mount(
            Some("tmpfs".as_ref()),
            hidden,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(options),
        )?;
    }
    for (path, spot) in &aside {
        make_like(spot, path)?;
        mount(
            Some(spot.as_os_str()),
            path,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )?;
    }
    // The writable folders: a small tmpfs each, so that nothing the program writes reaches the
    // disk (and all it writes counts against the run's memory cgroup).
    for folder in &plan.writable {
        make_like(Path::new("/"), folder)?;
        mount(
            Some("tmpfs".as_ref()),
            folder,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some("mode=0777,size=64m"),
        )?;
    }
    // Everything read-only but the kernel's own file systems, the private /tmp and the writable
    // folders (each a mount of its own now, so read-only-ness is per mount).
    let writable: Vec<&PathBuf> = plan.writable.iter().chain(&plan.work).collect();
    for point in mount_points()? {
        let skip = ["/proc", "/sys", "/dev"]
            .iter()
            .any(|kernel| point.starts_with(kernel))
            || point == Path::new("/tmp")
            || writable.contains(&&point)
            || point.starts_with(&staging);
        if !skip {
            read_only(&point)?;
        }
    }

    // The working folder as the program will see it (the old one may be hidden now).
    if std::env::set_current_dir(&cwd).is_err() {
        let _ = std::env::set_current_dir("/");
    }

    if let Some(uid) = plan.user {
        // SAFETY: plain system calls; only as root may a process change its user like this.
        unsafe {
            if libc::geteuid() == 0
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setresgid(uid, uid, uid) != 0
                    || libc::setresuid(uid, uid, uid) != 0)
            {
                return Err(os_error("switching to the unprivileged user"));
            }
        }
    }
    // SAFETY: prctl(2) with constant arguments.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(os_error("prctl(PR_SET_NO_NEW_PRIVS)"));
        }
    }

    let mut command = Command::new(&plan.program[0]);
    command.args(&plan.program[1..]).env_clear();
    for name in &plan.keep {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    for (name, value) in &plan.set {
        command.env(name, value);
    }
    let error = command.exec();
    Err(format!(
        "cannot run {}: {error}",
        Path::new(&plan.program[0]).display()
    ))
}

/// Makes an empty folder or file at `spot` of the same kind as `model`.
fn make_like(model: &Path, spot: &Path) -> Result<(), String> {
    let made = if model.is_dir() {
        std::fs::create_dir_all(spot)
    } else {
        if let Some(parent) = spot.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(spot)
            .map(drop)
    };
    made.map_err(|e| format!("cannot create {}: {e}", spot.display()))
}

/// Every mount point of this mount namespace, from `/proc/self/mountinfo`.
fn mount_points() -> Result<Vec<PathBuf>, String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("cannot read /proc/self/mountinfo: {e}"))?;
    Ok(text
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|escaped| PathBuf::from(OsString::from_vec(unescape(escaped))))
        .collect())
}

/// mountinfo writes space, tab, newline and backslash in paths as `\040`-style octal.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' && at + 4 <= bytes.len() {
            if let Ok(value) = u8::from_str_radix(&text[at + 1..at + 4], 8) {
                out.push(value);
                at += 4;
                continue;
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    out
}

/// Remounts the mount at `point` read-only, keeping the flags it has (a user namespace forbids
/// dropping nosuid, nodev or noexec).
fn read_only(point: &Path) -> Result<(), String> {
    let path = c_path(point)?;
    // SAFETY: statvfs(2) fills the struct it is given.
    let mut info: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut info) } != 0 {
        // A mount point that vanished or cannot be reached is no way out either.
        return Ok(());
    }
    let mut flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY;
    for (st, ms) in [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ] {
        if info.f_flag & st != 0 {
            flags |= ms;
        }
    }
    mount(None, point, None, flags, None)
}

fn mount(
    source: Option<&std::ffi::OsStr>,
    target: &Path,
    kind: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> Result<(), String> {
    let source = source.map(|s| CString::new(s.as_bytes()).unwrap_or_default());
    let kind = kind.map(|k| CString::new(k).unwrap_or_default());
    let data = data.map(|d| CString::new(d).unwrap_or_default());
    let target_c = c_path(target)?;
    // SAFETY: mount(2) on C strings that live until it returns.
    let result = unsafe {
        libc::mount(
            source.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            target_c.as_ptr(),
            kind.as_ref().map_or(std::ptr::null(), |k| k.as_ptr()),
            flags,
            data.as_ref()
                .map_or(std::ptr::null(), |d| d.as_ptr().cast()),
        )
    };
    if result != 0 {
        return Err(os_error(&format!("mount on {}", target.display())));
    }
    Ok(())
}

fn c_path(path: &Path) -> Result<CString, String> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| format!("{} has a NUL byte", path.display()))
}

fn os_error(what: &str) -> String {
    format!("{what} failed: {}", std::io::Error::last_os_error())
}

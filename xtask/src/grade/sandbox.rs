//! What keeps one student's program from hurting the grader, the machine or the other students.
//!
//! - **Limits** (setrlimit, inherited by everything the checks start): address space, file size,
//!   no core dumps, and the number of processes and threads (a pids cgroup when the grader may make one, as
//!   root usually can; RLIMIT_NPROC otherwise, which root ignores).
//! - **A marker**: every process of one exercise's run carries `WORKBOOK_GRADE_RUN=<token>` in its
//!   environment; when the run ends, every process still carrying it is killed, whatever process
//!   group it moved to.
//! - **Hidden folders**: the student's build and program run in a mount namespace where the
//!   solutions' sources, the build output (reference programs) and the other submissions are
//!   empty folders, so a submission cannot read, copy or run them. Where mount namespaces are not
//!   allowed, the report says so.
//! - **The program under test** runs through `workbook-sandbox` (xtask/src/bin), inside the
//!   check's sealed world: as an unprivileged user when the grader is root, with the file system
//!   read-only but its scratch folder, the grader's home folder, the output folder and the
//!   instructor's solutions, tests, build output and hand-ins out of reach, and an environment
//!   of only what ROS needs.
//! - **Whole-run limits**: memory and CPU cgroups for everything one exercise's checks start (the
//!   student's program and the checks' own nodes), where the grader may make cgroups.

use anyhow::Result;
use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that marks every process of one graded run.
pub const MARKER: &str = "WORKBOOK_GRADE_RUN";

/// The user a student's program runs as when the grader is root (`nobody` on Debian and Ubuntu).
pub const UNPRIVILEGED_UID: u32 = 65534;

/// The variables a student's program keeps: what ROS and the check need, nothing of the grader's.
const KEPT_VARIABLES: &[&str] = &[
    "ROS_DOMAIN_ID",
    "ROS_AUTOMATIC_DISCOVERY_RANGE",
    "ROS_LOCALHOST_ONLY",
    "ROS_STATIC_PEERS",
    "ROS_DISTRO",
    "ROS_VERSION",
    "ROS_PYTHON_VERSION",
    "RMW_IMPLEMENTATION",
    "AMENT_PREFIX_PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "PATH",
    "FASTRTPS_DEFAULT_PROFILES_FILE",
    "FASTDDS_DEFAULT_PROFILES_FILE",
    "RUST_BACKTRACE",
    "LANG",
    MARKER,
];

/// Limits for everything one exercise's run starts together (cgroups).
#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    pub memory_mib: u64,
    pub cpus: f64,
}

/// What this machine lets the grader do, found out once.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// How to enter a mount namespace: `unshare` and its arguments, if possible here.
    unshare: Option<Vec<String>>,
    /// The pids cgroup root (v1 `pids` hierarchy or the v2 unified one) when writable.
    cgroups: Option<PathBuf>,
    /// The v1 `memory` and `cpu` hierarchies, when writable (on v2 they are `cgroups` itself).
    memory_cgroups: Option<PathBuf>,
    cpu_cgroups: Option<PathBuf>,
    processes: u64,
    memory_bytes: u64,
    file_bytes: u64,
    run: RunLimits,
    /// `workbook-sandbox`, which starts each student's program.
    starter: PathBuf,
    /// Whether checks run in sealed worlds here.
    sealed: bool,
}

impl Sandbox {
    pub fn detect(processes: u64, memory_mib: u64, run: RunLimits, starter: PathBuf) -> Sandbox {
        let unshare = [
            vec!["--mount", "--propagation", "private"],
            vec![
                "--user",
                "--map-current-user",
                "--mount",
                "--propagation",
                "private",
            ],
        ]
        .into_iter()
        .map(|args| args.into_iter().map(String::from).collect::<Vec<_>>())
        .find(|args| {
            Command::new("unshare")
                .args(args)
                .args([
                    "--",
                    "mount",
                    "-t",
                    "tmpfs",
                    "-o",
                    "size=4k",
                    "workbook-hidden",
                ])
                .arg(std::env::temp_dir())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        let cgroups = [
            own_cgroup("/sys/fs/cgroup/pids", "pids"),
            PathBuf::from("/sys/fs/cgroup/unified"),
            PathBuf::from("/sys/fs/cgroup"),
        ]
        .into_iter()
        .find(|root| {
            let probe = root.join(format!("workbook-grade-probe-{}", std::process::id()));
            let ok = std::fs::create_dir(&probe).is_ok() && probe.join("pids.max").exists();
            let _ = std::fs::remove_dir(&probe);
            ok
        });
        let writable = |root: PathBuf, file: &str| {
            let probe = root.join(format!("workbook-grade-probe-{}", std::process::id()));
            let ok = std::fs::create_dir(&probe).is_ok() && probe.join(file).exists();
            let _ = std::fs::remove_dir(&probe);
            ok.then_some(root)
        };
        let (memory_cgroups, cpu_cgroups) = match &cgroups {
            Some(root) if root.join("cgroup.controllers").exists() => {
                (Some(root.clone()), Some(root.clone()))
            }
            _ => (
                writable(
                    own_cgroup("/sys/fs/cgroup/memory", "memory"),
                    "memory.limit_in_bytes",
                ),
                writable(own_cgroup("/sys/fs/cgroup/cpu", "cpu"), "cpu.cfs_quota_us"),
            ),
        };
        Sandbox {
            unshare,
            cgroups,
            memory_cgroups,
            cpu_cgroups,
            processes,
            memory_bytes: memory_mib * 1024 * 1024,
            file_bytes: 256 * 1024 * 1024,
            run,
            starter,
            sealed: workbook_harness::Isolation::current().is_sealed(),
        }
    }

    /// Whether students' programs run sealed, unprivileged and out of reach of the grader's
    /// files: what grading requires unless the instructor passes `--no-sandbox`.
    pub fn complete(&self) -> bool {
        self.sealed && self.unshare.is_some()
    }

    /// Whether folders can be hidden from students' code on this machine.
    pub fn hides(&self) -> bool {
        self.unshare.is_some()
    }

    /// One line per protection, for the report's header.
    pub fn describe(&self) -> Vec<(String, bool)> {
        vec![
            (
                match &self.unshare {
                    Some(_) => {
                        "solutions, build output and other submissions hidden from students' code"
                            .into()
                    }
                    None => "solutions NOT hidden (mount namespaces are not allowed here)".into(),
                },
                self.unshare.is_some(),
            ),
            (
                match &self.cgroups {
                    Some(root) => format!(
                        "at most {} processes and threads per exercise (cgroup {})",
                        self.processes,
                        root.display()
                    ),
                    None => format!(
                        "at most {} processes and threads per exercise (RLIMIT_NPROC; root is exempt)",
                        self.processes
                    ),
                },
                self.cgroups.is_some() || unsafe { libc::geteuid() } != 0,
            ),
            (
                format!(
                    "{} MiB of address space per process",
                    self.memory_bytes / 1024 / 1024
                ),
                true,
            ),
            (
                if self.sealed {
                    "every check in a sealed world: own network (loopback only), processes and \
                     shared memory"
                        .into()
                } else {
                    format!(
                        "checks NOT sealed ({})",
                        workbook_harness::Isolation::current().describe()
                    )
                },
                self.sealed,
            ),
            (
                if self.unprivileged() {
                    format!(
                        "students' programs run as uid {UNPRIVILEGED_UID}, on a read-only file \
                         system, with only ROS's variables"
                    )
                } else {
                    "students' programs run as the grader's own user (a dedicated one needs \
                     a root grader and sealed checks), on a read-only file system, with only \
                     ROS's variables"
                        .into()
                },
                self.unshare.is_some() && (self.unprivileged() || !as_root()),
            ),
            (
                match (&self.memory_cgroups, &self.cpu_cgroups) {
                    (Some(_), Some(_)) => format!(
                        "{} MiB of memory and {} CPUs for each exercise's whole run (cgroups)",
                        self.run.memory_mib, self.run.cpus
                    ),
                    _ => "no memory or CPU limit for a whole run (cgroups not writable here)"
                        .into(),
                },
                self.memory_cgroups.is_some() && self.cpu_cgroups.is_some(),
            ),
        ]
    }

    /// Wraps `program args…` so it runs with the `hidden` folders emptied, when possible.
    pub fn hiding(&self, hidden: &[PathBuf], program: &Path, args: &[&str]) -> Command {
        let hidden: Vec<&PathBuf> = hidden.iter().filter(|p| p.is_dir()).collect();
        match &self.unshare {
            Some(unshare_args) if !hidden.is_empty() => {
                let mut script = String::from("set -e; ");
                for _ in &hidden {
                    script.push_str(
                        "mount -t tmpfs -o size=4k,mode=0555 workbook-hidden \"$1\"; shift; ",
                    );
                }
                script.push_str("exec \"$@\"");
                let mut command = Command::new("unshare");
                command
                    .args(unshare_args)
                    .args(["--", "sh", "-c", &script, "sh"]);
                command.args(&hidden).arg(program).args(args);
                command
            }
            _ => {
                let mut command = Command::new(program);
                command.args(args);
                command
            }
        }
    }

    /// A launcher script for the program under test: the harness starts it instead of the
    /// student's binary, and it runs the binary through `workbook-sandbox` with the `hidden`
    /// folders emptied, only `exposed` (read-only) and `scratch` (writable) reachable inside
    /// them, as an unprivileged user when the grader is root.
    pub fn launcher(
        &self,
        hidden: &[PathBuf],
        exposed: &[PathBuf],
        scratch: &Path,
        binary: &Path,
        script: &Path,
    ) -> Result<PathBuf> {
        let mut words: Vec<String> = vec![self.starter.to_string_lossy().into_owned()];
        for path in hidden {
            words.extend(["--hide".into(), path.to_string_lossy().into_owned()]);
        }
        for path in exposed.iter().chain([&binary.to_path_buf()]) {
            words.extend(["--expose".into(), path.to_string_lossy().into_owned()]);
        }
        words.extend(["--writable".into(), scratch.to_string_lossy().into_owned()]);
        if self.unprivileged() {
            words.extend(["--user".into(), UNPRIVILEGED_UID.to_string()]);
        }
        for name in KEPT_VARIABLES {
            words.extend(["--keep".into(), (*name).to_string()]);
        }
        for (name, value) in [
            ("HOME", "/tmp"),
            ("ROS_HOME", "/tmp/.ros"),
            ("ROS_LOG_DIR", "/tmp/.ros/log"),
        ] {
            words.extend(["--set".into(), format!("{name}={value}")]);
        }
        words.extend(["--".into(), binary.to_string_lossy().into_owned()]);
        let mut line = String::from("#!/bin/sh\nexec");
        for word in &words {
            line.push(' ');
            line.push_str(&shell_quote(word));
        }
        line.push_str(" \"$@\"\n");
        std::fs::write(script, line)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755))?;
        Ok(script.to_path_buf())
    }

    /// Whether students' programs (and so every program of their worlds) run as
    /// [`UNPRIVILEGED_UID`]: as root, in sealed worlds. One rule for both, since Fast DDS's
    /// shared memory only joins nodes of the same user: a student's program of another user than
    /// the checks' own nodes would fail every check.
    fn unprivileged(&self) -> bool {
        self.sealed && as_root()
    }

    /// Has the worlds of the suite `command` run every program as the unprivileged user (when
    /// the grader is root and checks are sealed), keeping `keep` visible below the grader's home.
    pub fn lock_down(&self, command: &mut Command, keep: &[PathBuf]) {
        if self.unprivileged() {
            command.env(workbook_harness::WORLD_USER, UNPRIVILEGED_UID.to_string());
            let keep = keep
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
            if let Ok(paths) = std::env::join_paths(keep) {
                command.env(workbook_harness::WORLD_KEEP, paths);
            }
        }
    }

    /// Puts `command` under the limits and the marker `token`; returns the cgroup made for it
    /// (remove it with [`Sandbox::sweep`]).
    pub fn limit(&self, command: &mut Command, token: &str) -> Option<PathBuf> {
        command.env(MARKER, token);
        let cgroup = self.cgroups.as_ref().and_then(|root| {
            let dir = root.join(cgroup_name(token));
            std::fs::create_dir_all(&dir).ok()?;
            std::fs::write(dir.join("pids.max"), self.processes.to_string()).ok()?;
            Some(dir)
        });
        let procs = cgroup.as_ref().and_then(|dir| {
            CString::new(dir.join("cgroup.procs").to_string_lossy().into_owned()).ok()
        });
        // The whole run's memory and CPU: separate v1 hierarchies, or the same v2 folder.
        let mut joined: Vec<CString> = Vec::new();
        let quota = (self.run.cpus * 100_000.0) as u64;
        let memory = self.run.memory_mib * 1024 * 1024;
        let unified = cgroup
            .as_ref()
            .filter(|_| self.memory_cgroups == self.cgroups);
        if let Some(dir) = unified {
            let _ = std::fs::write(dir.join("memory.max"), memory.to_string());
            let _ = std::fs::write(dir.join("cpu.max"), format!("{quota} 100000"));
        } else {
            for (root, settings) in [
                (
                    &self.memory_cgroups,
                    vec![("memory.limit_in_bytes", memory.to_string())],
                ),
                (
                    &self.cpu_cgroups,
                    vec![
                        ("cpu.cfs_period_us", "100000".to_string()),
                        ("cpu.cfs_quota_us", quota.to_string()),
                    ],
                ),
            ] {
                let Some(root) = root else { continue };
                let dir = root.join(cgroup_name(token));
                if std::fs::create_dir_all(&dir).is_err() {
                    continue;
                }
                if settings
                    .iter()
                    .all(|(file, value)| std::fs::write(dir.join(file), value).is_ok())
                {
                    if let Ok(path) =
                        CString::new(dir.join("cgroup.procs").to_string_lossy().into_owned())
                    {
                        joined.push(path);
                    }
                }
            }
        }
        let (processes, memory, files) = (self.processes, self.memory_bytes, self.file_bytes);
        // SAFETY: only async-signal-safe calls (open, write, close, setrlimit) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                for procs in procs.iter().chain(joined.iter()) {
                    let fd = libc::open(procs.as_ptr(), libc::O_WRONLY);
                    if fd >= 0 {
                        libc::write(fd, b"0".as_ptr().cast(), 1);
                        libc::close(fd);
                    }
                }
                let set = |resource, value: u64| {
                    let limit = libc::rlimit {
                        rlim_cur: value,
                        rlim_max: value,
                    };
                    libc::setrlimit(resource, &limit);
                };
                set(libc::RLIMIT_AS, memory);
                set(libc::RLIMIT_FSIZE, files);
                set(libc::RLIMIT_CORE, 0);
                if procs.is_none() && libc::geteuid() != 0 {
                    // Counted per user: leave room for the processes the user already has.
                    set(libc::RLIMIT_NPROC, processes + running_processes());
                }
                Ok(())
            });
        }
        cgroup
    }

    /// Kills every process carrying `token` (and everything in its cgroup), then removes the
    /// cgroup. Returns how many processes had to be killed.
    pub fn sweep(&self, token: &str, cgroup: Option<&Path>) -> usize {
        let killed = kill_until_gone(|| {
            let mut found = marked(token);
            if let Some(dir) = cgroup {
                if let Ok(text) = std::fs::read_to_string(dir.join("cgroup.procs")) {
                    found.extend(text.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
                }
            }
            found.sort_unstable();
            found.dedup();
            found.retain(|pid| *pid != std::process::id() as i32);
            found
        });
        let others = [&self.memory_cgroups, &self.cpu_cgroups]
            .into_iter()
            .flatten()
            .map(|root| root.join(cgroup_name(token)));
        for dir in cgroup.map(Path::to_path_buf).into_iter().chain(others) {
            for _ in 0..50 {
                if std::fs::remove_dir(&dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        killed
    }

    /// Kills every process of the grading run `run_id` (all its tokens) and removes its cgroups:
    /// what an interrupted grader does before it exits.
    pub fn sweep_run(&self, run_id: &str) -> usize {
        let prefix = format!("{MARKER}={run_id}-");
        let killed = kill_until_gone(|| {
            processes_with(|env| {
                env.split(|b| *b == 0)
                    .any(|v| v.starts_with(prefix.as_bytes()))
            })
        });
        for root in [&self.cgroups, &self.memory_cgroups, &self.cpu_cgroups]
            .into_iter()
            .flatten()
        {
            if let Ok(entries) = std::fs::read_dir(root) {
                let name = cgroup_name(&format!("{run_id}-"));
                for entry in entries.flatten() {
                    if entry.file_name().to_string_lossy().starts_with(&name) {
                        let _ = std::fs::remove_dir(entry.path());
                    }
                }
            }
        }
        killed
    }
}

/// Where a v1 hierarchy mounted at `mount` puts this process: the grader's own cgroups are made
/// below it, so limits set on the grader (a container's, the autograder rehearsal's half a CPU)
/// hold for everything it starts too. The mount itself when this process sits at the top or its
/// folder is not visible here (a container's cgroup namespace).
fn own_cgroup(mount: &str, controller: &str) -> PathBuf {
    let mount = PathBuf::from(mount);
    let Ok(text) = std::fs::read_to_string("/proc/self/cgroup") else {
        return mount;
    };
    let own = text.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        controllers
            .split(',')
            .any(|c| c == controller)
            .then(|| path.trim_start_matches('/').to_string())
    });
    match own {
        Some(path) if !path.is_empty() && mount.join(&path).is_dir() => mount.join(path),
        _ => mount,
    }
}

/// The cgroup folder name of the run marked `token`.
fn cgroup_name(token: &str) -> String {
    format!("workbook-grade-{token}")
}

/// SIGKILLs the processes `find` returns until it returns none (at most 20 rounds, 50 ms
/// apart: a dying process may still start children). Returns how many kills were sent.
fn kill_until_gone(find: impl Fn() -> Vec<i32>) -> usize {
    let mut killed = 0;
    for _ in 0..20 {
        let found = find();
        if found.is_empty() {
            break;
        }
        for pid in &found {
            // SAFETY: kill(2) on a process id; no memory is involved.
            unsafe {
                libc::kill(*pid, libc::SIGKILL);
            }
        }
        killed += found.len();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    killed
}

/// Processes whose environment holds `MARKER=token` (zombies have none and need no killing).
pub fn marked(token: &str) -> Vec<i32> {
    let entry = format!("{MARKER}={token}");
    processes_with(|env| env.split(|b| *b == 0).any(|v| v == entry.as_bytes()))
}

/// Processes (other than this one) whose environment block satisfies `test`.
fn processes_with(test: impl Fn(&[u8]) -> bool) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| test(&env)))
        .collect()
}

/// Processes of the whole machine (a cheap upper bound of this user's), for RLIMIT_NPROC.
fn running_processes() -> u64 {
    // Called between fork and exec: no allocation, so read the number the kernel keeps.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: sysinfo(2) fills the struct it is given.
    if unsafe { libc::sysinfo(&mut info) } == 0 {
        u64::from(info.procs)
    } else {
        4096
    }
}

fn as_root() -> bool {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

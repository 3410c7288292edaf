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

mod launch;
mod limits;

use anyhow::Result;
use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that marks every process of one graded run.
pub const MARKER: &str = "WORKBOOK_GRADE_RUN";

/// The user a student's program runs as when the grader is root (`nobody` on Debian and Ubuntu).
pub const UNPRIVILEGED_UID: u32 = 65534;

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
                if self.seals_builds() {
                    format!(
                        "students' builds sealed, {}, each in a folder of its own with only the \
                         submission and the pristine workspace in reach",
                        match self.build_user() {
                            Some(uid) => format!("as uid {uid}"),
                            None => "as the grader's own user".into(),
                        }
                    )
                } else {
                    "students' builds NOT sealed: they run as the grader, with the solutions \
                     and other submissions hidden where mount namespaces allow"
                        .into()
                },
                self.seals_builds(),
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

    /// Whether students' builds run sealed, through `workbook-sandbox` (see `compiler.rs`).
    pub fn seals_builds(&self) -> bool {
        self.complete()
    }

    /// The user students' builds run as, when not the grader's own.
    pub fn build_user(&self) -> Option<u32> {
        self.unprivileged().then_some(UNPRIVILEGED_UID)
    }

    /// `workbook-sandbox`, which starts students' programs and builds.
    pub fn starter(&self) -> &Path {
        &self.starter
    }

    /// Whether students' programs (and so every program of their worlds) run as
    /// [`UNPRIVILEGED_UID`]: as root, in sealed worlds. One rule for both, since Fast DDS's
    /// shared memory only joins nodes of the same user: a student's program of another user than
    /// the checks' own nodes would fail every check.
    fn unprivileged(&self) -> bool {
        self.sealed && as_root()
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

fn as_root() -> bool {
    // SAFETY: geteuid(2) cannot fail.
    unsafe { libc::geteuid() == 0 }
}

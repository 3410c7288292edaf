//! Limits for a whole run (pids, memory and CPU cgroups; rlimits), the marker every process of a
//! run carries, and the sweep that ends every process of a run when it is over.

use super::*;

impl Sandbox {
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

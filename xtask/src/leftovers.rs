//! Workbook programs still running: what `cargo xtask doctor` lists and `doctor --stop` ends.
//!
//! A workbook program is a process whose executable lives in this workbook's target folder (the
//! reference programs, the student's builds, check suites and the sealed worlds' helpers, which
//! are forks of a suite) or that runs one of the workbook's rclpy peers. Checks end their own
//! programs, and sealed worlds take everything with them, so anything found here was started by
//! hand (`cargo xtask run` in another terminal) or survived a machine without sealed worlds.
//! This command and its ancestors are never listed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One running workbook program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub pid: i32,
    pub name: String,
    /// Whether its parent is gone (it was adopted by init or a subreaper): left behind.
    pub orphaned: bool,
}

/// The workbook programs running now (other than this process and its ancestors).
pub fn find(root: &Path, target: &Path) -> Vec<Running> {
    let peers = root.join("tests/peers");
    let ancestors = ancestors();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<Running> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| !ancestors.contains(pid))
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (_, rest) = stat.rsplit_once(')')?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.first() == Some(&"Z") {
                return None;
            }
            let parent: i32 = fields.get(1)?.parse().ok()?;
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let arguments = arguments(pid);
            let name = if exe.starts_with(target) {
                exe.file_name()?.to_string_lossy().into_owned()
            } else {
                arguments
                    .iter()
                    .find(|a| Path::new(a).starts_with(&peers))
                    .and_then(|a| Path::new(a).file_name())?
                    .to_string_lossy()
                    .into_owned()
            };
            Some(Running {
                pid,
                name,
                orphaned: parent == 1 || !alive_workbook_parent(parent, target),
            })
        })
        .collect();
    found.sort_by_key(|r| r.pid);
    found
}

/// Stops `programs`: SIGINT, then SIGKILL for those still running after `grace`. Returns the
/// ones that would not die.
pub fn stop(programs: &[Running], grace: Duration) -> Vec<Running> {
    for program in programs {
        // SAFETY: kill(2) on a process id; no memory is involved.
        unsafe { libc::kill(program.pid, libc::SIGINT) };
    }
    let end = Instant::now() + grace;
    let alive = |program: &&Running| {
        std::fs::read_to_string(format!("/proc/{}/stat", program.pid)).is_ok_and(|stat| {
            !stat
                .rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    while Instant::now() < end && programs.iter().any(|p| alive(&p)) {
        std::thread::sleep(Duration::from_millis(50));
    }
    for program in programs.iter().filter(alive) {
        // SAFETY: as above.
        unsafe { libc::kill(program.pid, libc::SIGKILL) };
    }
    std::thread::sleep(Duration::from_millis(200));
    programs.iter().filter(alive).cloned().collect()
}

/// This process and every process above it.
fn ancestors() -> Vec<i32> {
    let mut pids = vec![std::process::id() as i32];
    while let Some(parent) = parent_of(*pids.last().unwrap_or(&1)) {
        if parent <= 1 || pids.contains(&parent) {
            break;
        }
        pids.push(parent);
    }
    pids
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Whether `pid` is alive and is itself a workbook program or cargo/xtask (a program someone is
/// running on purpose), rather than a shell that has nothing to do with it.
fn alive_workbook_parent(pid: i32, target: &Path) -> bool {
    let exe: PathBuf = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    exe.starts_with(target) || exe.file_name().is_some_and(|n| n == "cargo")
}

fn arguments(pid: i32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| {
            bytes
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_of_the_target_folder_is_found_and_stopped() {
        // A copy of `sleep` inside a pretend target folder stands for a left-behind node.
        let target = tempfile::tempdir().expect("a temporary folder");
        let program = target.path().join("speed_server");
        std::fs::copy("/bin/sleep", &program).expect("copy sleep");
        // A file just written can be "busy" for a moment: another test's fork may still hold
        // the descriptor the copy was written through.
        let mut child = (0..100)
            .find_map(
                |_| match std::process::Command::new(&program).arg("30").spawn() {
                    Err(error) if error.raw_os_error() == Some(libc::ETXTBSY) => {
                        std::thread::sleep(Duration::from_millis(20));
                        None
                    }
                    other => Some(other),
                },
            )
            .expect("the copy stays busy")
            .expect("start the copy");
        let found = find(Path::new("/nonexistent"), target.path());
        assert_eq!(
            found
                .iter()
                .map(|r| (r.pid, r.name.as_str()))
                .collect::<Vec<_>>(),
            [(child.id() as i32, "speed_server")],
            "the running copy should be the one program found"
        );
        assert!(
            stop(&found, Duration::from_secs(2)).is_empty(),
            "it should stop"
        );
        let _ = child.wait();
        assert!(find(Path::new("/nonexistent"), target.path()).is_empty());
    }
}

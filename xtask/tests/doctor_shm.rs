//! `cargo xtask doctor --clean-shm` against real Fast DDS files: a node killed with SIGKILL leaves
//! its shared-memory files in /dev/shm; the clean-up removes them, keeps the files of a node that
//! still runs, and that node goes on answering.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use workbook_harness::{NodeProcess, World};

/// The Fast DDS files in /dev/shm that process `pid` has open or mapped, as the kernel reports
/// them. Only a program's own files count: /dev/shm may also hold stale files of earlier runs
/// in the same domain, which the clean-up rightly removes.
fn files_held_by(pid: u32) -> BTreeSet<PathBuf> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let mut held = BTreeSet::new();
    if let Ok(fds) = std::fs::read_dir(proc.join("fd")) {
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                held.insert(target);
            }
        }
    }
    for line in std::fs::read_to_string(proc.join("maps"))
        .unwrap_or_default()
        .lines()
    {
        if let Some(path) = line.split_whitespace().nth(5) {
            held.insert(PathBuf::from(path));
        }
    }
    held.into_iter()
        .filter(|path| {
            path.parent() == Some(Path::new("/dev/shm"))
                && path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().contains("fastrtps_"))
        })
        .collect()
}

/// The Fast DDS files some process of this machine has open or mapped right now. Some files are
/// shared between nodes of every domain (a killed node's share of them must stay while others use
/// them).
fn files_held_by_anyone() -> BTreeSet<PathBuf> {
    std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .flat_map(files_held_by)
        .collect()
}

fn start_server(world: &World) -> NodeProcess {
    world.start_reference("speed_server", &[], "ready")
}

#[test]
fn clean_shm_removes_a_killed_nodes_files_and_keeps_a_running_ones() {
    let killed = World::unsealed();
    let mut victim = start_server(&killed);
    let left_behind = files_held_by(victim.pid());
    assert!(
        left_behind
            .iter()
            .any(|f| f.to_string_lossy().contains("fastrtps_port")),
        "a running speed_server should hold Fast DDS port files in /dev/shm, yet it holds \
         {left_behind:?}"
    );
    // SAFETY: kill(2) on a child's pid; no memory is involved.
    unsafe { libc::kill(victim.pid() as libc::pid_t, libc::SIGKILL) };
    victim
        .wait_for_exit(Duration::from_secs(10))
        .expect("speed_server dies on SIGKILL");
    assert!(
        left_behind.iter().all(|f| f.exists()),
        "a node killed with SIGKILL cannot remove its files: {left_behind:?} should remain"
    );

    let running = World::unsealed();
    let server = start_server(&running);
    let in_use = files_held_by(server.pid());
    assert!(
        !in_use.is_empty(),
        "the running server holds Fast DDS files"
    );

    // What the clean-up must remove: the killed node's files that no process holds any more.
    let held = files_held_by_anyone();
    let stale: Vec<&PathBuf> = left_behind.iter().filter(|f| !held.contains(*f)).collect();
    assert!(
        stale
            .iter()
            .any(|f| f.to_string_lossy().contains("fastrtps_port")),
        "the killed node's own port files should be held by nobody now: {left_behind:?}"
    );

    let mut doctor = running.command(assert_cmd::cargo::cargo_bin("xtask"));
    doctor.args(["doctor", "--clean-shm"]);
    let output = running.run(
        "cargo xtask doctor --clean-shm",
        doctor,
        Duration::from_secs(60),
    );
    assert!(
        output.text.contains("removed"),
        "doctor --clean-shm should say what it removed:\n{}",
        output.text
    );
    let still_there: Vec<&&PathBuf> = stale.iter().filter(|f| f.exists()).collect();
    assert!(
        still_there.is_empty(),
        "the killed node's files should be gone, yet {still_there:?} remain:\n{}",
        output.text
    );
    let lost: Vec<&PathBuf> = in_use.iter().filter(|f| !f.exists()).collect();
    assert!(
        lost.is_empty(),
        "the running node's files must stay, yet {lost:?} were removed:\n{}",
        output.text
    );

    let mut client = running.reference("speed_client");
    client.arg("42");
    let answer = running.run("speed_client 42", client, Duration::from_secs(30));
    assert_eq!(
        answer.code,
        Some(0),
        "the running server should still answer after the clean-up:\n{}",
        answer.text
    );
}

//! `cargo xtask doctor --clean-shm` against real Fast DDS files: a node killed with SIGKILL leaves
//! its shared-memory files in /dev/shm; the clean-up removes them, keeps the files of a node that
//! still runs, and that node goes on answering.

use std::path::PathBuf;
use std::time::Duration;
use workbook_harness::{NodeProcess, World};

/// The shared-memory files of a domain's participants: Fast DDS names its data ports like the UDP
/// ports, 7400 + 250 × domain + 11 + 2 × participant (participants 0 to 31 here).
fn port_files(world: &World) -> Vec<PathBuf> {
    let first = 7411 + 250 * world.domain.id();
    let ports: Vec<String> = (0..32).map(|p| format!("port{}", first + 2 * p)).collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir("/dev/shm")
        .expect("/dev/shm is readable")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.contains("fastrtps_port")
                && ports.iter().any(|port| {
                    name.strip_prefix("sem.")
                        .unwrap_or(&name)
                        .strip_prefix("fastrtps_")
                        .is_some_and(|rest| rest == port || rest.starts_with(&format!("{port}_")))
                })
        })
        .collect();
    files.sort();
    files
}

fn start_server(world: &World) -> NodeProcess {
    world.start_reference("speed_server", &[], "ready")
}

#[test]
fn clean_shm_removes_a_killed_nodes_files_and_keeps_a_running_ones() {
    let killed = World::new();
    let mut victim = start_server(&killed);
    let left_behind = port_files(&killed);
    assert!(
        !left_behind.is_empty(),
        "a running speed_server should have Fast DDS port files in /dev/shm for domain {}",
        killed.domain.id()
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

    let running = World::new();
    let _server = start_server(&running);
    let in_use = port_files(&running);
    assert!(!in_use.is_empty(), "the running server has port files");

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
    let still_there: Vec<&PathBuf> = left_behind.iter().filter(|f| f.exists()).collect();
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

//! A sealed world keeps its programs to themselves and takes them all with it: what a program
//! inside sees of the machine, what the machine sees of it, and that nothing of it survives the
//! world, even when the process holding the world is killed.
//!
//! Skipped, saying so, on a machine that refuses namespaces (the fallback has its own tests).

use std::process::Command;
use std::time::{Duration, Instant};
use workbook_harness::{Isolation, NodeProcess, World};

fn sealed_world() -> Option<World> {
    if !Isolation::current().is_sealed() {
        eprintln!(
            "skipped: this machine gives no sealed worlds ({})",
            Isolation::current().describe()
        );
        return None;
    }
    Some(World::sealed())
}

fn shell(world: &World, script: &str) -> Command {
    let mut command = world.command("/bin/sh");
    command.arg("-c").arg(script);
    command
}

/// Runs `script` in the world and returns what it printed, requiring exit code 0.
fn run(world: &World, script: &str) -> String {
    let output = world.run("sh", shell(world, script), Duration::from_secs(10));
    assert_eq!(
        output.code,
        Some(0),
        "`{script}` failed in the sealed world:\n{}",
        output.text
    );
    output.text
}

/// Host processes whose command line holds `needle`.
fn processes_running(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let zombie = std::fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        });
        if text.contains(needle) && !zombie {
            found.push(format!(
                "{} {}",
                entry.file_name().to_string_lossy(),
                text.trim()
            ));
        }
    }
    found
}

/// Waits up to 5 s for no process to run `needle`; returns those still running.
fn still_running_after_a_while(needle: &str) -> Vec<String> {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let found = processes_running(needle);
        if found.is_empty() || Instant::now() > end {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_program_in_the_world_sees_only_the_worlds_processes() {
    let Some(world) = sealed_world() else { return };
    let listing = run(&world, "ls /proc | grep -c '^[0-9]'");
    let count: usize = listing.trim().parse().expect("a number of processes");
    assert!(
        count <= 4,
        "a program in a sealed world should see its own few processes, not the machine's; it saw {count}"
    );
    let me = std::process::id();
    let sees_me = run(
        &world,
        &format!("test -e /proc/{me}/exe && echo yes || echo no"),
    );
    assert_eq!(
        sees_me.trim(),
        "no",
        "the world can see the test process {me} in /proc"
    );
}

#[test]
fn the_worlds_shared_memory_is_its_own() {
    let Some(world) = sealed_world() else { return };
    let name = format!("workbook-seal-test-{}", std::process::id());
    let outside = std::path::Path::new("/dev/shm").join(&name);
    std::fs::write(&outside, b"host").expect("/dev/shm is writable");
    let seen = run(
        &world,
        &format!("ls /dev/shm; touch /dev/shm/{name}-inside"),
    );
    let _ = std::fs::remove_file(&outside);
    assert!(
        !seen.contains(&name),
        "the world sees the machine's /dev/shm: {seen}"
    );
    assert!(
        !std::path::Path::new("/dev/shm")
            .join(format!("{name}-inside"))
            .exists(),
        "a file the world wrote to /dev/shm appeared on the machine"
    );
}

#[test]
fn the_world_has_its_own_network_with_only_loopback() {
    let Some(world) = sealed_world() else { return };
    // A port bound on the machine is free inside, and the world has no other interface.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("a UDP port");
    let port = socket.local_addr().expect("its address").port();
    let hex = format!("{port:04X}");
    let table = run(&world, "cat /proc/net/udp /proc/net/udp6");
    assert!(
        !table.contains(&format!(":{hex} ")),
        "the world sees the machine's UDP port {port}:\n{table}"
    );
    let interfaces = run(&world, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    assert_eq!(interfaces.trim(), "lo", "the world's network interfaces");
    let echo = run(
        &world,
        "python3 -c \"import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
         s.bind(('127.0.0.1', 0)); s.sendto(b'up', s.getsockname()); print(s.recv(2).decode())\"",
    );
    assert_eq!(
        echo.trim(),
        "up",
        "the world's loopback does not carry traffic"
    );
}

#[test]
fn exit_codes_signals_and_ctrl_c_pass_through_the_world() {
    let Some(world) = sealed_world() else { return };
    let exited = world.run("sh", shell(&world, "exit 3"), Duration::from_secs(10));
    assert_eq!(exited.code, Some(3), "exit code: {exited:?}");
    let killed = world.run(
        "sh",
        shell(&world, "kill -TERM $$"),
        Duration::from_secs(10),
    );
    assert_eq!(killed.signal, Some(libc::SIGTERM), "signal: {killed:?}");
    let mut program = world.start(
        "trap",
        shell(
            &world,
            "trap 'echo got Ctrl-C; exit 0' INT; echo ready; while :; do sleep 0.1; done",
        ),
    );
    program
        .wait_for_line("ready", Duration::from_secs(10))
        .expect("the program starts");
    program.interrupt();
    let output = program
        .wait_for_exit(Duration::from_secs(10))
        .expect("the program ends on Ctrl-C");
    assert_eq!(output.code, Some(0), "after Ctrl-C: {output:?}");
    assert!(output.text.contains("got Ctrl-C"), "{}", output.text);
}

#[test]
fn a_daemon_that_detached_dies_with_its_world() {
    let Some(world) = sealed_world() else { return };
    let marker = format!("sleep {}", 4000 + std::process::id() % 1000);
    run(
        &world,
        &format!("(setsid sh -c '{marker}' </dev/null >/dev/null 2>&1 &); echo detached"),
    );
    // The daemon starts behind two forks and an exec: give it a moment to show in /proc.
    let end = Instant::now() + Duration::from_secs(3);
    while processes_running(&marker).is_empty() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !processes_running(&marker).is_empty(),
        "the detached daemon should be running while its world exists"
    );
    drop(world);
    let left = still_running_after_a_while(&marker);
    assert!(
        left.is_empty(),
        "processes outlived their sealed world: {left:?}"
    );
}

/// The process holding the world in [`a_world_dies_with_the_process_that_holds_it`].
const HOLDER: &str = "WORKBOOK_SEAL_TEST_HOLDER";

#[test]
fn a_world_dies_with_the_process_that_holds_it() {
    if let Ok(marker) = std::env::var(HOLDER) {
        // The holder: a world with a daemon in it, then wait to be killed.
        let world = World::sealed();
        let mut daemon = world.start("daemon", shell(&world, &format!("exec {marker}")));
        let _ = daemon.wait_for_line("never", Duration::from_millis(200));
        println!("holding");
        std::thread::sleep(Duration::from_secs(60));
        return;
    }
    if sealed_world().is_none() {
        return;
    }
    let marker = format!("sleep {}", 5000 + std::process::id() % 1000);
    let mut holder = Command::new(std::env::current_exe().expect("this test's executable"));
    holder
        .args([
            "a_world_dies_with_the_process_that_holds_it",
            "--exact",
            "--nocapture",
        ])
        .env(HOLDER, &marker);
    let mut holder = NodeProcess::start("holder", holder).expect("the holder starts");
    holder
        .wait_for_line("holding", Duration::from_secs(20))
        .expect("the holder makes its world");
    assert!(
        !processes_running(&marker).is_empty(),
        "the daemon runs in the holder's world"
    );
    // SAFETY: kill(2) on a child's pid.
    unsafe { libc::kill(holder.pid() as i32, libc::SIGKILL) };
    let left = still_running_after_a_while(&marker);
    assert!(
        left.is_empty(),
        "a SIGKILLed holder's world lives on: {left:?}"
    );
}

#[test]
fn fifty_worlds_made_at_once_all_come_up_sealed() {
    if sealed_world().is_none() {
        return;
    }
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..50)
            .map(|i| {
                scope.spawn(move || {
                    let world = World::sealed();
                    let output = world.run("sh", shell(&world, "echo $$"), Duration::from_secs(20));
                    // Each program is an early process of its own pid namespace.
                    match output.text.trim().parse::<u32>() {
                        Ok(pid) if pid < 10 && output.code == Some(0) => None,
                        _ => Some(format!("world {i}: {output:?}")),
                    }
                })
            })
            .collect();
        runs.into_iter()
            .filter_map(|run| {
                run.join()
                    .unwrap_or_else(|_| Some("a world panicked".into()))
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "worlds that did not come up: {failures:#?}"
    );
}

//! What sealed checks promise, tried as a student's machine would try them:
//!
//! - a rogue `/set_speed` server in every ROS domain 0-101 (a leftover node, another course's
//!   robot) changes no verdict, sealed or with the domain-id fallback forced;
//! - Ctrl-C, a closed terminal and SIGKILL of `cargo xtask check` leave none of its processes
//!   running.

use std::process::Command;
use std::time::{Duration, Instant};
use workbook_harness::{project_root, run_to_end, Environment, NodeProcess, ISOLATION_VARIABLE};

/// The variable that marks every process one test starts (inherited all the way down).
const MARK: &str = "WORKBOOK_ISOLATION_TEST_MARK";

fn xtask(mark: &str) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("xtask"));
    command
        .current_dir(project_root())
        .env(MARK, mark)
        .env("NO_COLOR", "1");
    command
}

/// `cargo xtask …` as a student types it (through cargo, which runs xtask as its child).
fn cargo_xtask(mark: &str) -> Command {
    let mut command = Command::new(workbook_harness::programs::cargo());
    command
        .args(["run", "--quiet", "--package", "xtask", "--"])
        .current_dir(project_root())
        .env(MARK, mark)
        .env("NO_COLOR", "1");
    command
}

/// Living processes whose environment holds `MARK=mark`, as `pid name`.
fn marked(mark: &str) -> Vec<String> {
    let entry = format!("{MARK}={mark}");
    let mut found = Vec::new();
    for pid in std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
    {
        if pid == std::process::id() {
            continue;
        }
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if !environ.split(|b| *b == 0).any(|v| v == entry.as_bytes()) {
            continue;
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
        if !zombie {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            found.push(format!("{pid} {}", name.trim()));
        }
    }
    found
}

/// Waits until `test` holds for the marked processes, or `deadline` passes; returns them.
fn wait_for_marked(
    mark: &str,
    deadline: Duration,
    test: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let end = Instant::now() + deadline;
    loop {
        let found = marked(mark);
        if test(&found) || Instant::now() > end {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `check 1 --solution` through `command`, waits until the check's programs run (a
/// speed_server or speed_probe inside a world), sends `signal` to `target` (the process group, or
/// the top process alone), and requires every marked process to be gone within 10 s.
#[track_caller]
fn interrupting_check_leaves_nothing(mut command: Command, mark: &str, signal: i32, group: bool) {
    command.args(["check", "1", "--solution"]);
    let check = NodeProcess::start("cargo xtask check 1", command).expect("check starts");
    let running = wait_for_marked(mark, Duration::from_secs(120), |found| {
        found.iter().any(|p| p.contains("speed_"))
    });
    assert!(
        running.iter().any(|p| p.contains("speed_")),
        "the check's programs never ran; marked processes: {running:?}\ncheck printed:\n{}",
        check.transcript()
    );
    let pid = check.pid() as i32;
    // SAFETY: kill(2) on a child's pid or process group.
    unsafe { libc::kill(if group { -pid } else { pid }, signal) };
    let left = wait_for_marked(mark, Duration::from_secs(10), |found| found.is_empty());
    assert!(
        left.is_empty(),
        "after signal {signal} to {} of `cargo xtask check`, these of its processes still run: \
         {left:?}",
        if group {
            "the process group"
        } else {
            "the top process"
        }
    );
    drop(check);
}

#[test]
fn ctrl_c_during_check_leaves_no_process_running() {
    let mark = format!("ctrl-c-{}", std::process::id());
    interrupting_check_leaves_nothing(xtask(&mark), &mark, libc::SIGINT, true);
}

#[test]
fn closing_the_terminal_during_check_leaves_no_process_running() {
    // A terminal that closes sends SIGHUP to the foreground process group.
    let mark = format!("hangup-{}", std::process::id());
    interrupting_check_leaves_nothing(xtask(&mark), &mark, libc::SIGHUP, true);
}

#[test]
fn sigkill_of_cargo_xtask_check_leaves_no_process_running() {
    // Only cargo itself is killed: xtask, the suite and the worlds must follow on their own.
    let mark = format!("sigkill-{}", std::process::id());
    interrupting_check_leaves_nothing(cargo_xtask(&mark), &mark, libc::SIGKILL, false);
}

#[test]
fn a_rogue_server_in_every_domain_changes_no_verdict() {
    // Outside any world, on the machine itself: a node answering /set_speed wrongly in every
    // domain a check could use.
    let environment = Environment::detect(&project_root());
    let mut rogue = Command::new(environment.python());
    rogue
        .arg(project_root().join("tests/peers/rclpy_rogue_servers.py"))
        .args(["0", "101"])
        .env("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST");
    environment.apply(&mut rogue);
    let mut rogue = NodeProcess::start("rogue servers", rogue).expect("the rogue starts");
    rogue
        .wait_for_line("rogue: ready in 102 domains", Duration::from_secs(240))
        .expect("the rogue serves in every domain");

    // The rogue really answers whoever shares its domain: an unguarded client is fooled.
    let mut client =
        Command::new(workbook_harness::programs::reference("speed_client").expect("built"));
    client.args(["42", "--timeout", "10"]);
    environment.apply(&mut client);
    client
        .env("ROS_DOMAIN_ID", "37")
        .env("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST");
    let answer = run_to_end("speed_client in domain 37", client, Duration::from_secs(30))
        .expect("the client runs");
    assert!(
        answer.text.contains("rogue"),
        "the rogue should answer a client in its domain, or this test proves nothing:\n{}",
        answer.text
    );

    // Exercises 1 (a server) and 2 (a client): the solutions pass, the shipped exercises and the
    // wrong variants fail exactly as without the rogue; sealed and with the fallback forced, side
    // by side.
    for exercise in ["1", "2"] {
        let runs: Vec<_> = ["sealed", "domains"]
            .into_iter()
            .map(|isolation| {
                let mut verify = xtask("rogue");
                verify
                    .args(["verify", exercise])
                    .env(ISOLATION_VARIABLE, isolation)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                (isolation, verify.spawn().expect("verify starts"))
            })
            .collect();
        for (isolation, run) in runs {
            let output = run.wait_with_output().expect("verify runs");
            assert!(
                output.status.success(),
                "with a rogue in every domain, `verify {exercise}` ({isolation}) found a wrong \
                 verdict:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let _ = rogue.stop();
}

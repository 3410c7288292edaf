//! The tests of guarded processes: starting, waiting, stopping, output and signals.

use super::*;

/// `sh -c script` (also for the other modules' tests of programs the harness starts).
pub(crate) fn shell(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(script);
    command
}

#[test]
fn a_line_is_found_before_the_deadline() {
    let mut process =
        NodeProcess::start("echoer", shell("echo warming; echo ready; sleep 5")).expect("start");
    let line = process
        .wait_for_line("ready", Duration::from_secs(5))
        .expect("ready line");
    assert_eq!(line, "ready");
}

#[test]
fn a_missing_line_fails_with_what_was_printed() {
    let mut process = NodeProcess::start("quiet", shell("echo hello; sleep 5")).expect("start");
    let error = process
        .wait_for_line("ready", Duration::from_millis(300))
        .expect_err("no ready line");
    let message = error.to_string();
    assert!(
        message.contains("quiet did not print \"ready\"") && message.contains("hello"),
        "unexpected message: {message}"
    );
}

#[test]
fn dropping_the_guard_kills_the_whole_group() {
    let process = NodeProcess::start("parent", shell("sleep 60 & sleep 60 & wait")).expect("start");
    let group = process.pid() as libc::pid_t;
    drop(process);
    // SIGKILL is delivered at once but acted on when the kernel next schedules each process:
    // on a loaded machine a killed member may still show as running for a moment (it runs no
    // more of its own code). Gone within a second, or the guard let it live.
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut alive = living_members_of_group(group);
    while !alive.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        alive = living_members_of_group(group);
    }
    assert!(
        alive.is_empty(),
        "processes {alive:?} of group {group} outlived their guard by over a second"
    );
}

/// Pids of the group's processes that are not zombies (a reparented zombie waits for init).
fn living_members_of_group(group: libc::pid_t) -> Vec<String> {
    let mut alive = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command name: state, ppid, pgrp, ...
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest.to_string()) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[2] == group.to_string() && fields[0] != "Z" {
            alive.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    alive
}

#[test]
fn a_line_printed_before_skipping_is_not_found() {
    let script = "echo ready; echo old mark; read nothing; echo new; echo new mark";
    let mut process = NodeProcess::start("marker", shell(script)).expect("start");
    process
        .wait_for_line("ready", Duration::from_secs(5))
        .expect("ready");
    while !process.transcript().contains("old mark") {
        std::thread::sleep(Duration::from_millis(10));
    }
    process.skip_printed_lines();
    process.close_stdin();
    let line = process
        .wait_for_line("mark", Duration::from_secs(5))
        .expect("a mark after the skip");
    assert_eq!(line, "new mark");
}

#[test]
fn exit_codes_are_reported() {
    let output = run_to_end(
        "failing",
        shell("echo oops >&2; exit 3"),
        Duration::from_secs(5),
    )
    .expect("runs");
    assert_eq!(output.code, Some(3));
    assert!(output.text.contains("oops"), "stderr was not captured");
}

#[test]
fn a_conversation_gets_each_answer_up_to_its_end_line() {
    let mut process = NodeProcess::start(
        "answerer",
        shell("while read l; do echo \"got $l\"; echo \"and $l\"; echo end; done"),
    )
    .expect("start");
    for question in ["one", "two"] {
        process.send_line(question).expect("asked");
        let answer = process
            .lines_until("end", Duration::from_secs(5))
            .expect("an answer");
        assert_eq!(
            answer,
            [format!("got {question}"), format!("and {question}")]
        );
    }
}

#[test]
fn a_conversation_with_a_program_that_ends_says_how_it_ended() {
    let mut process =
        NodeProcess::start("leaver", shell("read l; echo bye; exit 3")).expect("start");
    process.send_line("hello").expect("asked");
    let error = process
        .lines_until("end", Duration::from_secs(5))
        .expect_err("no end line");
    let message = error.to_string();
    assert!(
        message.contains("leaver ended") && message.contains("bye"),
        "{message}"
    );
}

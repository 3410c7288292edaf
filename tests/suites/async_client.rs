//! Exercise 4's checks: an asynchronous SetSpeed client,
//! `<speed>... [--every SECS] [--timeout SECS] [--wait SECS] [--service NAME]`, that sends one
//! request per tick without waiting for earlier answers, gives each its own deadline, and reports
//! every request exactly once (`#<n> speed <s>: accepted: …` / `refused: …` / `no server` /
//! `no answer in time`), then a summary line.
//!
//! The checks run the program under test against the reference server, the reference
//! `silent_server` (it never answers), no server at all, and a server that stops and comes back,
//! each in a world of its own. Schedules and deadlines are short (tenths of a second) so that the
//! whole suite answers in a few seconds. The crate that includes this file names the program in `super::PROGRAM`.

use std::time::{Duration, Instant};
use workbook_harness::{describe_end, expect, fail, programs, tail, NodeProcess, Output, World};

/// The longest a check waits for a program's end.
const RUN_LIMIT: Duration = Duration::from_secs(15);

/// The longest a check waits for a server that started late to be used: the long schedule is
/// 20 s (100 requests, 0.2 s apart), since a loaded machine has been seen to take over 10 s to
/// discover a new node; a correct program is stopped as soon as it is.
const LATE_LIMIT: Duration = Duration::from_secs(22);

fn client(world: &World, args: &[&str]) -> NodeProcess {
    let mut command = world.command(programs::under_test(super::PROGRAM));
    command.args(args);
    let mut process = world.start("your async_client", command);
    process.close_stdin();
    process
}

fn finish(process: NodeProcess) -> Output {
    finish_within(process, RUN_LIMIT)
}

/// Waits for the program's end, at most `limit`; a program still running then fails the check
/// with the reports it is missing.
fn finish_within(mut process: NodeProcess, limit: Duration) -> Output {
    process.wait_for_exit(limit).unwrap_or_else(|_| {
        fail(
            "the program to finish its schedule and exit",
            format!(
                "still running after {:.0} s, so the check stopped it; its last lines:\n{}",
                limit.as_secs_f64(),
                tail(&process.transcript(), 10)
            ),
        )
    })
}

/// The reports as a person reads them: `#1 accepted, #2 missing, …`.
fn listed(got: &[Option<String>]) -> String {
    got.iter()
        .enumerate()
        .map(|(i, r)| format!("#{} {}", i + 1, r.as_deref().unwrap_or("missing")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report of request `number` (`#<number> speed …: <what>`), if printed.
fn report(text: &str, number: usize) -> Option<String> {
    let prefix = format!("#{number} ");
    text.lines()
        .find(|l| l.starts_with(&prefix))
        .and_then(|l| l.split_once(": ").map(|(_, what)| what.to_string()))
}

fn reports(text: &str, count: usize) -> Vec<Option<String>> {
    (1..=count).map(|n| report(text, n)).collect()
}

fn answered(report: &Option<String>) -> bool {
    report
        .as_deref()
        .is_some_and(|r| r.starts_with("accepted") || r.starts_with("refused"))
}

#[test]
fn every_request_is_answered_while_the_server_runs() {
    let world = World::new();
    let _server = world.start_reference("speed_server", &[], "ready");
    let started = Instant::now();
    let output = finish(client(
        &world,
        &["10", "20", "200", "30", "--every", "0.2", "--timeout", "5"],
    ));
    let took = started.elapsed();
    let got = reports(&output.text, 4);
    // Every request given up on before its 5 s could have passed: the deadline fired at once.
    let early = took < Duration::from_secs(5)
        && got
            .iter()
            .any(|r| r.as_deref() == Some("no answer in time"));
    let cause = if early {
        format!(
            "\nYour program gave up on requests after {:.1} s in all, before their 5 s deadline \
             could pass: does `deadline` complete at once? A oneshot receiver also completes \
             (with `Canceled`) as soon as its sender is dropped: move the sender into the \
             thread and send only after the sleep.",
            took.as_secs_f64()
        )
    } else {
        String::new()
    };
    let verdicts: Vec<&str> = got
        .iter()
        .map(|r| {
            r.as_deref()
                .unwrap_or("missing")
                .split(':')
                .next()
                .unwrap_or("")
        })
        .collect();
    expect(
        verdicts == ["accepted", "accepted", "refused", "accepted"] && output.code == Some(0),
        "#1 accepted, #2 accepted, #3 (200) refused, #4 accepted, then exit code 0",
        || {
            format!(
                "{}; {}; your program printed:\n{}{cause}",
                verdicts.join(", "),
                describe_end(&output),
                output.text.trim()
            )
        },
    );
}

#[test]
fn the_summary_counts_every_outcome() {
    let world = World::new();
    let output = finish(client(
        &world,
        &[
            "10",
            "20",
            "30",
            "--every",
            "0.1",
            "--timeout",
            "1",
            "--wait",
            "0",
        ],
    ));
    let last = output
        .text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    expect(
        last == "3 requests: 0 answered, 3 without a server, 0 without an answer" && output.code == Some(1),
        "the last line \"3 requests: 0 answered, 3 without a server, 0 without an answer\" and exit code 1 (nothing serves)",
        || format!("{}; last line: {last}", describe_end(&output)),
    );
}

#[test]
fn a_request_never_answered_ends_at_its_deadline() {
    let world = World::new();
    let _silent = crate::common::start_silent(&world, &[], "ready");
    let process = client(
        &world,
        &["10", "--every", "0.1", "--timeout", "1", "--wait", "10"],
    );
    let mut process = process;
    let expected = "#1 reported \"no answer in time\" about 1 s after it was sent (--timeout 1), \
                    from a server that takes the request and never answers";
    let output = process
        .wait_for_exit(Duration::from_secs(6))
        .unwrap_or_else(|_| {
            fail(
                expected,
                format!(
                    "no report 6 s later, so the check stopped your program; its last lines:\n{}\n\
                 A request whose answer never comes ends only by its own deadline: race the \
                 answer against `deadline(timeout)` with `select`.",
                    tail(&process.transcript(), 10)
                ),
            )
        });
    expect(
        report(&output.text, 1).as_deref() == Some("no answer in time"),
        expected,
        || {
            format!(
                "#1: {}; {}; your program printed:\n{}",
                report(&output.text, 1).as_deref().unwrap_or("missing"),
                describe_end(&output),
                tail(&output.text, 10)
            )
        },
    );
}

#[test]
fn requests_do_not_wait_for_each_other() {
    let world = World::new();
    let _silent = crate::common::start_silent(&world, &[], "ready");
    let started = Instant::now();
    let process = client(
        &world,
        &[
            "10",
            "20",
            "30",
            "40",
            "50",
            "60",
            "--every",
            "0.1",
            "--timeout",
            "1",
            "--wait",
            "10",
        ],
    );
    let expected = "all 6 requests reported \"no answer in time\" after 0.5 s of schedule plus \
                    one 1 s deadline (well under 4.5 s): the deadlines run side by side";
    let mut process = process;
    let output = process
        .wait_for_exit(Duration::from_secs(6))
        .unwrap_or_else(|_| {
            let printed = process.transcript();
            fail(
                expected,
                format!(
                "still running after 6 s, so the check stopped it; {} of 6 reports by then; its \
                 last lines:\n{}\nWaiting for each answer in turn takes 6 s or more; a request \
                 without a deadline is never reported.",
                (1..=6)
                    .filter(|n| printed.lines().any(|l| l.starts_with(&format!("#{n} "))))
                    .count(),
                tail(&printed, 10)
            ),
            )
        });
    let took = started.elapsed();
    let got = reports(&output.text, 6);
    expect(
        got.iter()
            .all(|r| r.as_deref() == Some("no answer in time")),
        expected,
        || listed(&got),
    );
    // The bound leaves a loaded machine seconds to start and stop the program; one that waits
    // for each answer in turn cannot end before 6 s.
    expect(took < Duration::from_secs_f64(4.5), expected, || {
        format!(
            "it took {:.1} s; waiting for each answer in turn takes 6 s or more",
            took.as_secs_f64()
        )
    });
}

/// The number of the request a report line (`#<n> speed …: …`) is about.
fn request_number(line: &str) -> Option<usize> {
    line.strip_prefix('#')?.split_once(' ')?.0.parse().ok()
}

/// The schedules below are long (20 s) so that a loaded machine still has time to start the
/// server and discover it; each check stops the program as soon as what it proves was printed.
fn long_schedule(extra: &[&'static str]) -> Vec<String> {
    let mut args: Vec<String> = (1..=100).map(|n| n.to_string()).collect();
    args.extend(["--every", "0.2", "--timeout", "0.6"].map(String::from));
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

#[test]
fn a_missing_server_is_reported_and_a_late_one_is_used() {
    let world = World::new();
    // Built before the client starts: the late server must not wait for cargo (which, in a
    // cold target folder, can outlast the whole schedule).
    if let Err(error) = programs::reference("speed_server") {
        fail("the reference speed_server to build", format!("{error:#}"));
    }
    let args = long_schedule(&["--wait", "0"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut process = client(&world, &args);
    if let Err(error) = process.wait_for_line("#2 ", Duration::from_secs(20)) {
        fail(
            "the first two requests reported while no server runs",
            error,
        );
    }
    let _server = world.start_reference("speed_server", &[], "ready");
    process.skip_printed_lines();
    let expected = "#1 reported as \"no server\" (nothing served /set_speed yet), then a request \
                    accepted once the server runs (100 requests, 0.2 s apart)";
    let later = process.wait_for_line(": accepted", LATE_LIMIT);
    let _ = process.stop();
    let text = process.transcript();
    let first = report(&text, 1);
    expect(first.as_deref() == Some("no server"), expected, || {
        format!("#1: {}", first.as_deref().unwrap_or("missing"))
    });
    expect(later.is_ok(), expected, || {
        format!(
            "no request was accepted after the server became ready; your program printed:\n{}",
            tail(&text, 12)
        )
    });
}

#[test]
fn survives_the_server_stopping_and_coming_back() {
    let world = World::new();
    // Two servers at first: the reference answers, and the silent one takes every request and
    // never answers. When the reference stops, requests reach only the silent one, as requests
    // reach a server that dies before it answers; then that one goes too, and the reference comes
    // back.
    let mut silent = crate::common::start_silent(&world, &[], "ready");
    let mut server = world.start_reference("speed_server", &[], "ready");
    let args = long_schedule(&["--wait", "15"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut process = client(&world, &args);
    // A request, not #1: the client may have seen the silent server a moment before the other.
    if let Err(error) = process.wait_for_line(": accepted", Duration::from_secs(30)) {
        fail("a request accepted while the reference server runs", error);
    }
    let _ = server.stop();
    process.skip_printed_lines();
    let expected = "a request accepted; \"no answer in time\" for a request sent after the \
                    answering server stopped; one accepted after it came back; a report for \
                    every request up to that one";
    if process
        .wait_for_line(": no answer in time", Duration::from_secs(5))
        .is_err()
    {
        let _ = process.stop();
        fail(
            expected,
            format!(
                "no request was reported \"no answer in time\" in the 5 s after the answering \
                 server stopped (--timeout 0.6); your program printed:\n{}\nA request whose \
                 server is gone never gets an answer: only its own deadline ends it.",
                tail(&process.transcript(), 12)
            ),
        );
    }
    let _ = silent.stop();
    process.skip_printed_lines();
    let _again = world.start_reference("speed_server", &[], "ready");
    let resumed = process
        .wait_for_line(": accepted", LATE_LIMIT)
        .ok()
        .and_then(|line| request_number(&line));
    let Some(last) = resumed else {
        let _ = process.stop();
        fail(
            expected,
            format!(
                "no request was accepted after the server came back; your program printed:\n{}",
                tail(&process.transcript(), 12)
            ),
        );
    };
    // Requests sent before #last may still be waiting for their deadline (0.6 s): give them it,
    // and a loaded machine's slack, before looking for their reports.
    let until = Instant::now() + Duration::from_secs(4);
    while reports(&process.transcript(), last).contains(&None) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = process.stop();
    let text = process.transcript();
    let got = reports(&text, last);
    let missing: Vec<usize> = (1..=last).filter(|n| got[n - 1].is_none()).collect();
    expect(missing.is_empty(), expected, || {
        format!(
            "#{last} was accepted after the server came back, but there is no report for {} \
             (the check waited 4 s past their deadlines); your program printed:\n{}",
            missing
                .iter()
                .map(|n| format!("#{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            tail(&text, 12)
        )
    });
    expect(
        got.iter().any(answered) && got.iter().any(|r| !answered(r)),
        expected,
        || listed(&got),
    );
}

//! Test commands run side by side in lanes: each lane runs its parts one after another, the
//! lanes run at the same time. A part's output goes to a log file of its own (two cargo test
//! runs printing at once would be unreadable); it is printed in one block when the part fails,
//! or, for the parts marked so, when it passes. Every part runs to its end even when another
//! fails, so one run reports every failure.

use crate::ui;
use anyhow::{bail, Context, Result};
use colored::Colorize;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One command of a lane.
pub struct Part {
    pub name: String,
    pub command: Command,
    /// Print its output even when it passes (short outputs a reader wants, like verify's).
    pub show_when_passed: bool,
}

/// Parts that must run one after another (they share something: the target folder's programs,
/// the machine's time, a clone).
pub struct Lane {
    pub parts: Vec<Part>,
}

/// How one part went.
pub struct Ran {
    pub name: String,
    pub took: Duration,
    pub passed: bool,
}

/// Runs every lane at once, each part's log in `logs/`; returns every part's time, and fails
/// naming the parts that failed.
pub fn run(lanes: Vec<Lane>, logs: &Path) -> Result<Vec<Ran>> {
    std::fs::create_dir_all(logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let printing = Mutex::new(());
    let ran = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for lane in lanes {
            let (printing, ran) = (&printing, &ran);
            scope.spawn(move || {
                for part in lane.parts {
                    let result = run_part(part, logs, printing);
                    ran.lock().expect("no lane panics").push(result);
                }
            });
        }
    });
    let ran = ran.into_inner().expect("no lane panics");
    let failed: Vec<&str> = ran
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.name.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("failed: {} (their output is above)", failed.join(", "));
    }
    Ok(ran)
}

fn run_part(part: Part, logs: &Path, printing: &Mutex<()>) -> Ran {
    let Part {
        name,
        mut command,
        show_when_passed,
    } = part;
    let log = logs.join(format!("{}.log", slug(&name)));
    {
        let _printing = printing.lock();
        println!(
            "  {} {:<30} {}",
            "…".yellow(),
            name,
            crate::cargo::describe(&command).dimmed()
        );
    }
    let started = Instant::now();
    let outcome = start(&mut command, &log).and_then(|child| {
        wait_with_cpu(child)
            .with_context(|| format!("cannot wait for {}", crate::cargo::describe(&command)))
    });
    let took = started.elapsed();
    let cpu = outcome.as_ref().map(|(_, cpu)| *cpu).unwrap_or_default();
    let outcome = outcome.map(|(status, _)| status);
    let passed = matches!(&outcome, Ok(status) if status.success());
    let _printing = printing.lock();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !passed || show_when_passed {
        println!(
            "\n  {} {name}, as it ran ({}):",
            "─".dimmed(),
            log.display()
        );
        println!("{}", text.trim_end());
        println!("  {} end of {name}\n", "─".dimmed());
    }
    let detail = match &outcome {
        Ok(status) if status.success() => summary(&text),
        Ok(status) => format!("failed ({status})"),
        Err(error) => format!("{error:#}"),
    };
    let mark = if passed {
        "✓".green().bold()
    } else {
        "✗".red().bold()
    };
    println!(
        "  {mark} {name:<30} {detail:<44} {:>8} {}",
        ui::seconds(took).dimmed(),
        format!("(processor {})", ui::seconds(cpu)).dimmed()
    );
    Ran { name, took, passed }
}

/// Waits for `child` to end (reaping it); its exit status, and the processor time (user and
/// system) that it and the descendants it waited for used, as wait4(2) counts it: the figure
/// that says which part loads the machine, where the wall-clock time also counts waiting for the
/// others. Processes that no one waited for (orphans a world's init reaped) are not counted.
fn wait_with_cpu(child: Child) -> std::io::Result<(ExitStatus, Duration)> {
    let mut status = 0;
    // SAFETY: rusage is plain data, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: wait4 on our own child's pid, writing into the two locals above.
        let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        if pid != -1 {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let seconds = |time: libc::timeval| {
        Duration::from_secs(time.tv_sec.max(0) as u64)
            + Duration::from_micros(time.tv_usec.max(0) as u64)
    };
    Ok((
        ExitStatus::from_raw(status),
        seconds(usage.ru_utime) + seconds(usage.ru_stime),
    ))
}

/// Starts `command` with its output into `log`, tied to this thread (it dies if xtask does).
fn start(command: &mut Command, log: &Path) -> Result<std::process::Child> {
    let file = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let copy = file
        .try_clone()
        .with_context(|| format!("cannot open {} twice", log.display()))?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(copy))
        .env("NO_COLOR", "1")
        .env("CARGO_TERM_COLOR", "never");
    workbook_harness::with_parent_death_signal(command);
    command
        .spawn()
        .with_context(|| format!("cannot start {}", crate::cargo::describe(command)))
}

/// What a passing part's log says it did: the tests cargo counted, else its last line (without
/// a closing "in 70.0 s": the line's time column says it).
fn summary(log: &str) -> String {
    let (mut binaries, mut tests) = (0, 0);
    for line in log.lines() {
        if let Some(rest) = line.trim().strip_prefix("test result: ok. ") {
            binaries += 1;
            tests += rest
                .split_once(" passed")
                .and_then(|(n, _)| n.parse::<usize>().ok())
                .unwrap_or(0);
        }
    }
    if binaries > 0 {
        return format!("{tests} tests passed in {binaries} binaries");
    }
    let last = log
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("passed")
        .trim();
    match last.rsplit_once(" in ") {
        Some((said, time)) if is_seconds(time) => said.to_string(),
        _ => last.to_string(),
    }
}

/// "70.0 s", as `ui::seconds` writes a time.
fn is_seconds(text: &str) -> bool {
    text.strip_suffix(" s")
        .is_some_and(|number| number.parse::<f64>().is_ok())
}

/// A file name for a part's log.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Where the logs of one `cargo xtask test` go.
pub fn log_folder() -> Result<PathBuf> {
    Ok(crate::cargo::target_dir()?.join("xtask-test"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passing_cargo_test_log_is_summed_up() {
        let log = "running 2 tests\ntest result: ok. 2 passed; 0 failed; 0 ignored\n\
                   running 5 tests\ntest result: ok. 5 passed; 0 failed; 1 ignored\n";
        assert_eq!(summary(log), "7 tests passed in 2 binaries");
        assert_eq!(
            summary("…\n  every suite tells right from wrong in 70.0 s\n\n"),
            "every suite tells right from wrong"
        );
        assert_eq!(summary("checked in place"), "checked in place");
    }

    #[test]
    fn a_part_is_charged_the_processor_time_of_what_it_waited_for() {
        // The shell waits for a child that counts for a while, then exits 3.
        let counting = "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; exit 3";
        let child = Command::new("sh").args(["-c", counting]).spawn().unwrap();
        let (status, cpu) = wait_with_cpu(child).unwrap();
        assert_eq!(status.code(), Some(3));
        assert!(
            cpu > Duration::from_millis(50),
            "the grandchild's counting is charged: {cpu:?}"
        );
    }

    #[test]
    fn part_names_become_file_names() {
        assert_eq!(
            slug("xtask's own tests (one at a time)"),
            "xtask-s-own-tests-one-at-a-time"
        );
    }
}

//! The workspace-tests stage of `cargo xtask test`: every test binary of the workspace (and its
//! doc tests), several at once. `cargo test` runs one binary after another, and most of them
//! spend their time waiting on ROS discovery and on programs they start, not on the CPU, so
//! running [`AT_ONCE`] side by side shortens the stage without overloading a two-core machine.
//!
//! Each binary's output is kept in a file of its own and shown in one piece: a line per binary
//! that passed, the whole output of one that failed. It knows nothing of what the tests check.

use crate::{cargo, ui};
use anyhow::{bail, Context, Result};
use colored::Colorize;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use workbook_harness::Environment;

/// How many test binaries run at the same time.
const AT_ONCE: usize = 3;

/// The longest one test binary may run; a binary still running then is stopped and fails.
const DEADLINE: Duration = Duration::from_secs(30 * 60);

/// One test binary cargo built: where it is and where cargo would run it from.
struct Binary {
    /// `package/target` (`xtask/grade`), what the report calls it.
    name: String,
    executable: PathBuf,
    /// The package's folder: cargo test's working folder and `CARGO_MANIFEST_DIR`.
    package_dir: PathBuf,
}

/// How one binary's run ended.
struct Finished {
    name: String,
    passed: bool,
    took: Duration,
    output: String,
}

/// Builds every test binary of the workspace but `excluded` packages, runs them [`AT_ONCE`]
/// at a time with the doc tests beside them, and fails naming every binary that failed.
pub fn run(environment: &Environment, excluded: &[String]) -> Result<()> {
    let binaries = build(environment, excluded)?;
    let mut jobs: Vec<(String, Command)> = binaries
        .iter()
        .map(|binary| (binary.name.clone(), command(environment, binary)))
        .collect();
    let mut doc = cargo::command(environment, "test");
    doc.args(["--workspace", "--doc", "--quiet"]);
    for package in excluded {
        doc.arg("--exclude").arg(package);
    }
    jobs.push(("doc tests".to_string(), doc));
    println!(
        "    {} test binaries and the doc tests, {AT_ONCE} at a time",
        binaries.len()
    );
    let logs = tempfile::tempdir().context("cannot make a folder for the tests' output")?;
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let finished = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some((index, (name, command))) = next else {
                    break;
                };
                let log = logs.path().join(format!("{index}.log"));
                let result = run_one(&name, command, &log);
                report(&result);
                finished
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(result);
            });
        }
    });
    let failed: Vec<String> = finished
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .filter(|f| !f.passed)
        .map(|f| f.name)
        .collect();
    if !failed.is_empty() {
        bail!(
            "{} of the workspace's test binaries failed: {} (their output is above)",
            failed.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// `cargo test --no-run`, reading the test executables from cargo's JSON messages.
fn build(environment: &Environment, excluded: &[String]) -> Result<Vec<Binary>> {
    let mut build = cargo::command(environment, "test");
    build.args([
        "--workspace",
        "--no-run",
        "--quiet",
        "--message-format",
        "json-render-diagnostics",
    ]);
    for package in excluded {
        build.arg("--exclude").arg(package);
    }
    ui::echo_command(&cargo::describe(&build));
    build.stderr(Stdio::inherit());
    let output = build
        .output()
        .with_context(|| format!("cannot start {}", cargo::describe(&build)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}); the errors are above",
            cargo::describe(&build),
            output.status
        );
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(executable), Some(manifest)) = (
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" || message["profile"]["test"] != true {
            continue;
        }
        let package_dir = Path::new(manifest)
            .parent()
            .context("a manifest path without a folder")?
            .to_path_buf();
        let package = package_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = message["target"]["name"].as_str().unwrap_or("?");
        binaries.push(Binary {
            name: format!("{package}/{target}"),
            executable: executable.into(),
            package_dir,
        });
    }
    Ok(binaries)
}

/// The binary run as `cargo test` runs it: from its package's folder, with that folder as
/// `CARGO_MANIFEST_DIR`, in the ROS environment.
fn command(environment: &Environment, binary: &Binary) -> Command {
    let mut command = Command::new(&binary.executable);
    command
        .current_dir(&binary.package_dir)
        .env("CARGO_MANIFEST_DIR", &binary.package_dir);
    environment.apply(&mut command);
    command
}

/// Runs one job with its output in `log`, in a process group of its own (stopped whole at the
/// deadline).
fn run_one(name: &str, mut command: Command, log: &Path) -> Finished {
    let started = Instant::now();
    let finished = |passed: bool, output: String| Finished {
        name: name.to_string(),
        passed,
        took: started.elapsed(),
        output,
    };
    let files = File::create(log).and_then(|out| Ok((out.try_clone()?, out)));
    let (stdout, stderr) = match files {
        Ok(files) => files,
        Err(error) => return finished(false, format!("cannot write {}: {error}", log.display())),
    };
    command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) => return finished(false, format!("cannot start it: {error}")),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(100))
            }
            _ => break None,
        }
    };
    let mut output = std::fs::read_to_string(log).unwrap_or_default();
    match status {
        Some(status) => finished(status.success(), output),
        None => {
            // SAFETY: kill(2) on the process group this job leads; no memory is involved.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            output.push_str(&format!(
                "\nstill running after {} minutes, so it was stopped\n",
                DEADLINE.as_secs() / 60
            ));
            finished(false, output)
        }
    }
}

/// A line for a binary that passed; the whole output of one that failed.
fn report(result: &Finished) {
    // One job's report at a time, whichever thread finished it.
    static PRINTING: Mutex<()> = Mutex::new(());
    let _printing = PRINTING.lock().unwrap_or_else(|p| p.into_inner());
    let summary = result
        .output
        .lines()
        .filter(|l| l.starts_with("test result:"))
        .map(|l| l.trim_start_matches("test result: "))
        .collect::<Vec<_>>()
        .join("; ");
    let time = ui::seconds(result.took);
    if result.passed {
        println!(
            "  {} {:<36} {time:>8}  {}",
            "✓".green().bold(),
            result.name,
            summary.dimmed()
        );
    } else {
        println!(
            "  {} {:<36} {time:>8}  failed",
            "✗".red().bold(),
            result.name
        );
        println!("{}", "  ── its whole output ──".red());
        println!("{}", result.output.trim_end());
        println!("{}", "  ── end of its output ──".red());
    }
}

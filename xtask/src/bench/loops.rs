//! The workbook's own costs: resident memory of an idle rclrs and rclpy server, and the time of
//! the loops a student repeats (warm `cargo xtask setup`, warm `cargo xtask check` per exercise,
//! and how long the checks take to reject a program that hangs), plus, with `--cold`, a setup
//! into an empty cache.

use super::Plan;
use crate::exercises::{Catalogue, Side};
use crate::{cargo, ui};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workbook_harness::{project_root, Domain, Environment, Isolation, NodeProcess, World};

/// An idle server's resident memory.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub server: String,
    pub rss_mib: f64,
}

/// One timed loop.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub what: String,
    pub seconds: f64,
}

pub fn memory(environment: &Environment) -> Result<Vec<Memory>> {
    let release = cargo::target_dir()?.join("release");
    let rclrs = Command::new(release.join("speed_server"));
    let mut rclpy = Command::new(environment.python());
    rclpy
        .arg(project_root().join("tests/peers/rclpy_bench.py"))
        .arg("server");
    let mut found = Vec::new();
    for (name, mut command) in [("rclrs speed_server", rclrs), ("rclpy server", rclpy)] {
        let domain = Domain::claim()?;
        environment.apply(&mut command);
        domain.apply(&mut command);
        let mut server = NodeProcess::start(name, command)?;
        server.wait_for_line("ready", Duration::from_secs(30))?;
        std::thread::sleep(Duration::from_secs(2));
        let rss_mib = resident_mib(server.pid())?;
        let _ = server.stop();
        ui::check_line(
            true,
            name,
            &format!("{rss_mib:.1} MiB resident when idle"),
            None,
        );
        found.push(Memory {
            server: name.to_string(),
            rss_mib,
        });
    }
    Ok(found)
}

/// VmRSS of a process, in MiB.
fn resident_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read the status of process {pid}"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS line")?;
    Ok(kib / 1024.0)
}

pub fn timings(plan: &Plan) -> Result<Vec<Timing>> {
    let mut timings = Vec::new();
    if plan.cold {
        let cache =
            std::env::temp_dir().join(format!("workbook-bench-cache-{}", std::process::id()));
        // pip's own download cache off too: a first setup on a new machine downloads the wheels.
        let seconds = timed(
            "cold setup (empty caches, downloads included)",
            "cold setup",
            &["setup"],
            &[
                ("WORKBOOK_CACHE", cache.to_str().unwrap_or_default()),
                ("PIP_NO_CACHE_DIR", "1"),
            ],
        )?;
        timings.push(seconds);
        let _ = std::fs::remove_dir_all(&cache);
        // Point .ros/prefix back at the user's cache.
        timed("re-linking the usual cache", "usual cache", &["setup"], &[])?;
    }
    timings.push(timed("warm setup", "warm setup", &["setup"], &[])?);
    let catalogue = Catalogue::load()?;
    let count = if plan.all_exercises {
        catalogue.exercises.len()
    } else {
        1
    };
    for exercise in catalogue.exercises.iter().take(count) {
        let number = exercise.number.to_string();
        let args = ["check", number.as_str(), "--solution"];
        // The first run builds; the second is the warm loop a student repeats.
        run_xtask(&args, &[])?;
        timings.push(timed(
            &format!("warm check {} (solution)", exercise.label()),
            &format!("warm check {number}"),
            &args,
            &[],
        )?);
    }
    timings.extend(rejections()?);
    timings.extend(sealed_world());
    Ok(timings)
}

/// What every check pays for its sealed world: the world made, one program run in it to its
/// end, the world ended; the median of 20. Nothing where the machine refuses namespaces.
pub fn sealed_world() -> Option<Timing> {
    if !Isolation::current().is_sealed() {
        ui::check_line(
            false,
            "sealed world",
            "not measured: checks are not sealed on this machine",
            None,
        );
        return None;
    }
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let world = World::sealed();
            let output = world.run("true", world.command("/bin/true"), Duration::from_secs(10));
            drop(world);
            (output.code == Some(0)).then(|| started.elapsed())
        })
        .collect::<Option<_>>()?;
    times.sort();
    let median = times[times.len() / 2];
    ui::check_line(
        true,
        "sealed world",
        &format!(
            "{:.0} ms to make one, run a program in it and end it (median of 20)",
            median.as_secs_f64() * 1000.0
        ),
        None,
    );
    Some(Timing {
        what: "a sealed world (made, one program run, ended)".into(),
        seconds: median.as_secs_f64(),
    })
}

/// What the names of the rejection timings start with.
pub const REJECT: &str = "reject a hanging";

/// The wrong variants that hang, and the exercise whose checks must reject them: a server that
/// never answers, a client that waits for its answer forever.
const HANGING: [(u32, &str, &str); 2] = [
    (1, "v01_never_answers", "server"),
    (2, "v02_no_deadline", "client"),
];

/// How long each exercise's whole suite takes to reject a program that hangs: every check has
/// its verdict, the suite has ended (what a student waits for before reading the result).
pub fn rejections() -> Result<Vec<Timing>> {
    let root = project_root();
    let environment = Environment::detect(&root);
    let catalogue = Catalogue::load()?;
    let mut build = cargo::command(&environment, "build");
    build.arg("--quiet");
    cargo::select_packages(&mut build, &["workbook-variants"]);
    cargo::run_visible(build).context("the wrong variants do not build")?;
    let variants = cargo::target_dir()?.join("debug");
    let mut timings = Vec::new();
    for (number, variant, kind) in HANGING {
        let exercise = catalogue.find(&number.to_string())?.clone();
        let what = format!("{REJECT} {kind} ({}, {variant})", exercise.label());
        let step = ui::Step::start(
            variant,
            &format!(
                "a {kind} that hangs: the suite of {} against it",
                exercise.label()
            ),
        );
        let executable = match crate::suite::build(&root, &environment, &exercise, Side::Solution)?
        {
            crate::suite::Build::Ready(path) => path,
            crate::suite::Build::Failed(messages) => {
                step.failed("the suite does not compile");
                bail!(
                    "the suite of {} does not compile:\n{messages}",
                    exercise.label()
                );
            }
        };
        let started = Instant::now();
        let results = crate::suite::run(
            &executable,
            &exercise.crate_of(Side::Solution).dir(&root),
            &environment,
            &exercise,
            Some(&variants.join(variant)),
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let failed = results.outcomes.iter().filter(|o| !o.passed).count();
        if failed == 0 {
            step.failed("the variant passed every check");
            bail!("{variant} passed every check of {}", exercise.label());
        }
        step.done(&format!(
            "{failed} of {} checks failed",
            results.outcomes.len()
        ));
        timings.push(Timing { what, seconds });
    }
    Ok(timings)
}

/// Times `cargo xtask <args>`, recorded as `what` and shown as a step named `label`.
fn timed(what: &str, label: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Timing> {
    let step = ui::Step::start(label, &format!("cargo xtask {}", args.join(" ")));
    let started = Instant::now();
    match run_xtask(args, env) {
        Ok(()) => {
            let seconds = started.elapsed().as_secs_f64();
            step.done("ok");
            Ok(Timing {
                what: what.to_string(),
                seconds,
            })
        }
        Err(error) => {
            step.failed("failed");
            Err(error)
        }
    }
}

/// Runs `cargo xtask <args>` as a student would type it, output hidden unless it fails.
fn run_xtask(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let cargo = crate::cargo::program();
    let mut command = Command::new(cargo);
    command
        .args(["xtask"])
        .args(args)
        .current_dir(project_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().context("cannot run cargo xtask")?;
    if !output.status.success() {
        // The checks report on standard output, cargo on standard error: show both.
        bail!(
            "`cargo xtask {}` failed:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

//! `cargo xtask test`: everything CI runs, in order: setup, formatting, lints, one build of every
//! program and test, then the tests and suites in three lanes side by side, then a sourced ROS 2
//! installation driving a fresh copy of the workbook, then a colcon workspace holding one, then
//! ROS 2 Kilted provisioned for another fresh copy, then a quick benchmark run. Each stage is
//! timed, and the times close the run: the figure to watch when a stage grows. `--stage NAME`
//! runs one stage alone (after setup).
//!
//! The lanes: xtask's own integration tests run one at a time in the first, because they share
//! what must not change while they run (`grade.rs` requires that no program of the target
//! folder changes while it grades; `isolation.rs` bounds how fast a killed check's processes
//! go). The workspace's tests (unit, ABI, system, book and ros2), xtask's unit tests, then
//! `verify` of the second half of the workspace's exercises run in the second; `verify` of
//! exercise 9, then of the first half, in the third. Each lane takes about as long as the
//! others: the stage keeps both cores busy, so it ends when the work is done only if no lane is
//! left running alone.

mod lanes;
mod one_build;

use crate::exercises::Side;
use crate::{cargo, provision, ui};
use anyhow::{Context, Result};
use lanes::{Lane, Part};
use std::process::Command;
use std::time::{Duration, Instant};
use workbook_harness::Environment;

/// The times a stage measured of its own parts, by name (empty for a stage of one piece).
type PartTimes = Vec<(String, Duration)>;

/// One stage of the test command: the name `--stage` takes, what it is, and what it runs.
struct Stage {
    key: &'static str,
    name: &'static str,
    run: fn(&Environment) -> Result<PartTimes>,
}

const STAGES: &[Stage] = &[
    Stage {
        key: "fmt",
        name: "formatting (cargo fmt --check)",
        run: formatting,
    },
    Stage {
        key: "clippy",
        name: "lints (cargo clippy -D warnings)",
        run: lints,
    },
    Stage {
        key: "build",
        name: "building every program and test once (the lanes then build nothing)",
        run: build,
    },
    Stage {
        key: "tests",
        name: "every test of the workspace, and every suite tells right from wrong (verify)",
        run: tests_and_suites,
    },
    Stage {
        key: "sourced",
        name: "a sourced ROS 2 installation drives a fresh copy (sourced_install.rs)",
        run: sourced_installation,
    },
    Stage {
        key: "colcon",
        name: "a colcon workspace builds robot_interfaces, cargo the rest (colcon_workspace.rs)",
        run: colcon_workspace,
    },
    Stage {
        key: "kilted",
        name: "ROS 2 Kilted, provisioned, drives a fresh copy: every exercise's checks (kilted.rs)",
        run: kilted,
    },
    Stage {
        key: "bench",
        name: "the benchmark works (cargo xtask bench --quick)",
        run: benchmark,
    },
];

/// Runs every stage, or only `only`; the first failing stage stops the run with a non-zero exit.
pub fn run(only: Option<&str>) -> Result<()> {
    let stages: Vec<&Stage> = match only {
        None => STAGES.iter().collect(),
        Some(key) => match STAGES.iter().find(|s| s.key == key) {
            Some(stage) => vec![stage],
            None => {
                return Err(ui::usage(
                    format!("there is no test stage `{key}`"),
                    format!(
                        "name one of: {}",
                        STAGES.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
                    ),
                ))
            }
        },
    };
    let started = Instant::now();
    let setup = Instant::now();
    let environment = provision::ensure()?;
    let mut times: Vec<(String, Duration)> = vec![("setup".into(), setup.elapsed())];
    let mut browser = stages
        .iter()
        .any(|stage| stage.key == "tests")
        .then(install_the_browser_meanwhile)
        .transpose()?
        .flatten();
    for stage in stages {
        if stage.key == "tests" {
            if let Some(installing) = browser.take() {
                // The thread reports how it went; the book's rendering test says what to do if
                // it failed.
                let _ = installing.join();
            }
        }
        ui::heading("test", stage.name);
        let began = Instant::now();
        let result = (stage.run)(&environment);
        times.push((stage.key.to_string(), began.elapsed()));
        match result {
            Ok(parts) => times.extend(
                parts
                    .into_iter()
                    .map(|(name, took)| (format!("  {name}"), took)),
            ),
            Err(error) => {
                print_times(&times);
                return Err(error);
            }
        }
    }
    print_times(&times);
    println!("  all stages passed in {}", ui::seconds(started.elapsed()));
    Ok(())
}

/// The book's rendering test drives Chromium, which a fresh machine installs with apt-get
/// (16 s on the CI machine, mostly disk and network), done here beside the lints and builds
/// instead of inside the tests' lanes. Nothing to do (`None`) when it is already installed.
fn install_the_browser_meanwhile() -> Result<Option<std::thread::JoinHandle<()>>> {
    if workbook_book::browser::is_installed() {
        return Ok(None);
    }
    let logs = lanes::log_folder()?;
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let log = logs.join("chromium.log");
    let step = ui::Step::start(
        "chromium",
        &format!(
            "installing, beside the next stages, for the book's rendering test ({})",
            log.display()
        ),
    );
    // Should a stage fail first, the run ends without waiting: apt-get finishes on its own (a
    // package manager killed halfway leaves the machine worse off than one left to finish).
    Ok(Some(std::thread::spawn(
        move || match workbook_book::browser::chromium_logging_to(&log) {
            Ok(path) => step.done(&format!("{} installed", path.display())),
            Err(error) => step.failed(&format!("{error:#}")),
        },
    )))
}

fn print_times(times: &[(String, Duration)]) {
    println!("\n  time per stage:");
    let width = times.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, took) in times {
        println!("    {name:<width$}  {:>8}", ui::seconds(*took));
    }
}

/// A stage with no parts of its own to time.
fn whole(result: Result<()>) -> Result<PartTimes> {
    result.map(|()| Vec::new())
}

fn formatting(environment: &Environment) -> Result<PartTimes> {
    let mut fmt = cargo::command(environment, "fmt");
    fmt.args(["--all", "--check"]);
    whole(cargo::run_visible(fmt))
}

fn lints(environment: &Environment) -> Result<PartTimes> {
    let mut clippy = cargo::command(environment, "clippy");
    clippy.args([
        "--workspace",
        "--all-targets",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]);
    whole(cargo::run_visible(clippy))
}

/// Every program (the tests run them as processes) and every test binary, the suites of the
/// shipped exercises and of the solutions included (`verify` runs them): built here once, with
/// the very package selections the lanes and `verify` use, so that nothing is compiled while the
/// lanes run (cargo
/// unifies features over the packages a command selects: another selection may mean another
/// build of the same crate).
fn build(environment: &Environment) -> Result<PartTimes> {
    let mut programs = cargo::command(environment, "build");
    programs.args(["--workspace", "--bins", "--quiet"]);
    cargo::run_visible(programs)?;
    let mut suites = cargo::command(environment, "test");
    suites.args(["--no-run", "--quiet", "--test", "check"]);
    let exercises = workspace_packages(Side::Exercise)?;
    let solutions = workspace_packages(Side::Solution)?;
    let packages: Vec<&str> = exercises
        .iter()
        .chain(&solutions)
        .map(String::as_str)
        .collect();
    cargo::select_packages(&mut suites, &packages);
    cargo::run_visible(suites)?;
    for (_, mut run) in test_runs(environment)? {
        run.args(["--no-run", "--quiet"]);
        cargo::run_visible(run)?;
    }
    one_build::prove(environment, &exercises, &solutions)?;
    Ok(Vec::new())
}

/// The packages of the workspace's exercises, as shipped or their solutions.
fn workspace_packages(side: Side) -> Result<Vec<String>> {
    Ok(crate::exercises::Catalogue::load()?
        .in_workspace()
        .map(|exercise| exercise.crate_of(side).package())
        .collect())
}

/// The `cargo test` runs of the lanes, in order: xtask's integration tests, every other test of
/// the workspace, xtask's unit tests.
fn test_runs(environment: &Environment) -> Result<[(&'static str, Command); 3]> {
    let mut integration = cargo::command(environment, "test");
    integration.args(["--package", "xtask", "--no-fail-fast"]);
    for test in &xtask_integration_tests()? {
        integration.args(["--test", test]);
    }
    let mut rest = cargo::command(environment, "test");
    // No doctests (the workspace has none): rustdoc reads the libraries while the other lanes
    // run, and a library rewritten then was "an extern location that does not exist".
    rest.args([
        "--workspace",
        "--lib",
        "--bins",
        "--tests",
        "--no-fail-fast",
        "--exclude",
        "xtask",
    ]);
    // The exercises as shipped fail their checks by design, and the solutions pass them:
    // `verify` below runs both suites and requires exactly that, so the plain test run leaves
    // them out (running the solutions' suites twice cost the lane 45 s).
    for side in [Side::Exercise, Side::Solution] {
        for package in workspace_packages(side)? {
            rest.arg("--exclude").arg(package);
        }
    }
    let mut units = cargo::command(environment, "test");
    units.args(["--package", "xtask", "--bins", "--no-fail-fast"]);
    Ok([
        ("xtask's tests", integration),
        ("workspace tests", rest),
        ("xtask's unit tests", units),
    ])
}

fn tests_and_suites(environment: &Environment) -> Result<PartTimes> {
    let [integration, rest, units] = test_runs(environment)?;
    // The suites themselves, proven able to fail: solutions pass, shipped exercises and the
    // deliberately wrong variants fail. `verify` with the exercises' numbers, in three parts:
    // the exercises with an interface of their own (9), and the workspace's in two halves.
    // This very program, through /proc/self/exe: a build since it started may have relinked
    // target/debug/xtask (cargo links it to the last build of xtask), and current_exe() with it.
    let catalogue = crate::exercises::Catalogue::load()?;
    let verify = |exercises: &[&crate::exercises::Exercise], what: &str| {
        let numbers: Vec<String> = exercises.iter().map(|e| e.number.to_string()).collect();
        let mut verify = Command::new("/proc/self/exe");
        verify.arg("verify").args(&numbers);
        let name = format!("verify {} ({what})", numbers.join(" "));
        (name, verify)
    };
    let (in_workspace, own): (Vec<_>, Vec<_>) =
        catalogue.exercises.iter().partition(|e| e.in_workspace());
    let (first_half, second_half) = in_workspace.split_at(in_workspace.len().div_ceil(2));
    let part = |(name, command): (String, Command), show_when_passed: bool| Part {
        name,
        command,
        show_when_passed,
    };
    let cargo_part = |(name, command): (&str, Command)| part((name.to_string(), command), false);
    // Three lanes of about seven minutes each on two cores, which they keep busy: the tests
    // wait for ROS discovery, for programs' answers and for deadlines, and nothing compiles but
    // what a test builds in a copy of its own (the build stage built every selection, see
    // `xtask/features`). Exercise 9's proofs, which build an interface with CMake and a crate
    // for each variant, go first in their lane: the sooner they end, the less they overlap
    // xtask's `isolation.rs` (late in the first lane), which times how fast a killed check's
    // processes go.
    let ran = lanes::run(
        vec![
            Lane {
                parts: vec![cargo_part(integration)],
            },
            Lane {
                parts: vec![
                    cargo_part(rest),
                    cargo_part(units),
                    part(verify(second_half, "workspace exercises"), true),
                ],
            },
            Lane {
                parts: vec![
                    part(verify(&own, "own interfaces"), true),
                    part(verify(first_half, "workspace exercises"), true),
                ],
            },
        ],
        &lanes::log_folder()?,
    )?;
    Ok(ran.into_iter().map(|r| (r.name, r.took)).collect())
}

/// The integration tests of xtask (`xtask/tests/*.rs`), by name.
fn xtask_integration_tests() -> Result<Vec<String>> {
    let folder = workbook_harness::project_root().join("xtask/tests");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|error| anyhow::anyhow!("cannot list {}: {error}", folder.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    Ok(names)
}

/// The path of a student who arrives with ROS 2 sourced, in a stage of its own so that its time
/// (a second build of the workbook, against that installation) shows apart: every exercise's
/// checks, on its solution and its shipped form.
fn sourced_installation(environment: &Environment) -> Result<PartTimes> {
    whole(ignored_test(
        environment,
        "sourced_install",
        &[("WORKBOOK_SOURCED_EXERCISES", "all")],
    ))
}

/// A student in a colcon workspace: colcon from PyPI builds `robot_interfaces`, cargo the rest;
/// a stage of its own for the same reason (another build of the workbook, in a colcon workspace).
fn colcon_workspace(environment: &Environment) -> Result<PartTimes> {
    whole(ignored_test(environment, "colcon_workspace", &[]))
}

/// A student on Kilted: the second provisioned distribution, a stage of its own for the same
/// reason (the workbook built again, for Kilted).
fn kilted(environment: &Environment) -> Result<PartTimes> {
    whole(ignored_test(environment, "kilted", &[]))
}

/// One of xtask's long `#[ignore]`d tests, with its output (its step times) shown.
fn ignored_test(environment: &Environment, name: &str, variables: &[(&str, &str)]) -> Result<()> {
    let mut test = cargo::command(environment, "test");
    test.envs(variables.iter().copied());
    test.args(["--package", "xtask", "--test", name]);
    test.args(["--", "--ignored", "--nocapture"]);
    cargo::run_visible(test)
}

/// The benchmark, briefly: this shows it works; a missed target never fails the tests. Last,
/// alone, so that its figures are not taken on a machine busy with the tests.
fn benchmark(_: &Environment) -> Result<PartTimes> {
    whole(crate::bench::run(true, false, false, None).map(drop))
}

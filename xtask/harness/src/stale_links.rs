//! Build-script results that point at folders which are gone, and cleaning them out.
//!
//! A build script tells cargo where to find native libraries with absolute paths
//! (`cargo:rustc-link-search=native=/home/ana/workbook/.ros/prefix/lib` from rclrs, the
//! build folder of `psm` or `ring`). Cargo keeps that output and runs the script again only when
//! the script asks it to: rclrs asks only when `ROS_DISTRO` changes. So a clone that was moved or
//! renamed, or a target folder whose ROS prefix was deleted, keeps linking against the old paths,
//! and every check fails with "unable to find library -lrcl", which says nothing about the cause.
//!
//! [`clean_dangling`] finds the packages whose kept output names a link-search folder that no
//! longer exists and has cargo clean them (and so build them again, with the paths of today).
//! A folder that exists is never a reason to clean: the scan costs a read of each small `output`
//! file and nothing else on a healthy target folder.

use crate::target_dir::{cargo_clean, PROFILES};
use anyhow::Result;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Cleans, in `target` (the target folder of the package or workspace at `manifest_dir`), every
/// package whose build-script output names a link-search folder that does not exist. Returns
/// the names of the packages cleaned, for the caller to say so; empty when nothing was stale.
pub fn clean_dangling(manifest_dir: &Path, target: &Path) -> Result<Vec<String>> {
    let mut cleaned = BTreeSet::new();
    for (folder, profile) in PROFILES {
        let stale = dangling_packages(&target.join(folder).join("build"));
        if stale.is_empty() {
            continue;
        }
        cargo_clean(manifest_dir, target, profile, &stale).map_err(|problem| {
            anyhow::anyhow!(
                "cargo clean could not remove the build of {} from {} (it links against \
                 folders that no longer exist): {problem}",
                stale.iter().cloned().collect::<Vec<_>>().join(", "),
                target.join(folder).display()
            )
        })?;
        cleaned.extend(stale);
    }
    Ok(cleaned.into_iter().collect())
}

/// The packages in a `build/` folder with a kept `output` naming a missing link-search folder.
fn dangling_packages(build: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(build) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let output = std::fs::read_to_string(entry.path().join("output")).ok()?;
            let dangling = link_search_folders(&output).any(|folder| !folder.is_dir());
            let name = entry.file_name();
            dangling
                .then(|| package_of(&name.to_string_lossy()).map(str::to_string))
                .flatten()
        })
        .collect()
}

/// The folders of the `rustc-link-search` lines in a build script's output, in both spellings
/// (`cargo:` and `cargo::`) and with or without a kind (`native=`, `dependency=`, …).
pub fn link_search_folders(output: &str) -> impl Iterator<Item = PathBuf> + '_ {
    output.lines().filter_map(|line| {
        let value = line
            .strip_prefix("cargo::rustc-link-search=")
            .or_else(|| line.strip_prefix("cargo:rustc-link-search="))?;
        let folder = match value.split_once('=') {
            Some((kind, folder))
                if ["native", "dependency", "crate", "framework", "all"].contains(&kind) =>
            {
                folder
            }
            _ => value,
        };
        Some(PathBuf::from(folder))
    })
}

/// The package a build folder belongs to: `rclrs-0123456789abcdef` → `rclrs`.
pub fn package_of(folder: &str) -> Option<&str> {
    let (name, hash) = folder.rsplit_once('-')?;
    let is_hash = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (is_hash && !name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_search_folders_are_read_in_every_spelling() {
        let output = "cargo:rustc-cfg=ros_distro=\"jazzy\"\n\
                      cargo:rustc-link-search=native=/a/.ros/prefix/lib\n\
                      cargo::rustc-link-search=dependency=/b\n\
                      cargo:rustc-link-search=/c\n\
                      cargo:rustc-link-lib=dylib=rcl\n";
        let folders: Vec<PathBuf> = link_search_folders(output).collect();
        assert_eq!(
            folders,
            [
                PathBuf::from("/a/.ros/prefix/lib"),
                PathBuf::from("/b"),
                PathBuf::from("/c")
            ]
        );
    }

    #[test]
    fn a_build_folder_names_its_package_only_with_cargos_hash() {
        assert_eq!(package_of("rclrs-0123456789abcdef"), Some("rclrs"));
        assert_eq!(
            package_of("rosidl_runtime_rs-a1b2c3d4e5f60718"),
            Some("rosidl_runtime_rs")
        );
        assert_eq!(package_of("ros-env-ffffffffffffffff"), Some("ros-env"));
        assert_eq!(package_of("rclrs"), None);
        assert_eq!(package_of("rclrs-0.8.0"), None);
        assert_eq!(package_of("-0123456789abcdef"), None);
    }

    #[test]
    fn only_output_naming_a_missing_folder_makes_its_package_stale() {
        let target = tempfile::tempdir().unwrap();
        let build = target.path().join("build");
        let existing = target.path().join("lib");
        std::fs::create_dir_all(&existing).unwrap();
        let write = |folder: &str, output: String| {
            std::fs::create_dir_all(build.join(folder)).unwrap();
            std::fs::write(build.join(folder).join("output"), output).unwrap();
        };
        write(
            "rclrs-0123456789abcdef",
            "cargo:rustc-link-search=native=/moved/clone/.ros/prefix/lib\n".into(),
        );
        write(
            "psm-0123456789abcdef",
            format!("cargo:rustc-link-search=native={}\n", existing.display()),
        );
        write(
            "serde-0123456789abcdef",
            "cargo:rerun-if-changed=build.rs\n".into(),
        );
        // The compiled build script's own folder has no `output`.
        std::fs::create_dir_all(build.join("ring-fedcba9876543210")).unwrap();
        let stale: Vec<String> = dangling_packages(&build).into_iter().collect();
        assert_eq!(stale, ["rclrs"]);
        assert!(dangling_packages(&target.path().join("none")).is_empty());
    }
}

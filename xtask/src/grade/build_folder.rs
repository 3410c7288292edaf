//! A student's own build folder: a copy of the pristine workspace and a target folder holding
//! only the compiled third-party dependencies.
//!
//! Compiling rclrs and the interfaces takes minutes, so each student's build starts from the
//! dependencies that the workbook's target folder already holds, hard-linked (no copying; the
//! links stay the grader's files, read-only for a student's build). Nothing of the workspace's
//! own packages is linked in: no reference program, no solution's library, no earlier
//! student's build. The folder is removed when the build ends, so nothing a student's build
//! left there reaches the next one, and two students can build at the same time.

use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The compiled third-party dependencies of a target folder (its `debug` profile): every unit
/// cargo fingerprinted for a package that is not one of the workspace's own.
pub struct Dependencies {
    /// `<target>/debug`.
    profile: PathBuf,
    /// Folders and files to recreate, relative to `profile`, folders first.
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
    links: Vec<(PathBuf, PathBuf)>,
}

impl Dependencies {
    /// Finds the dependencies in `target` that belong to no package named in `local`.
    pub fn survey(target: &Path, local: &BTreeSet<String>) -> Result<Dependencies> {
        let profile = target.join("debug");
        let mut units = BTreeSet::new();
        let mut found = Dependencies {
            profile: profile.clone(),
            dirs: vec![PathBuf::from("deps"), PathBuf::from("build")],
            files: Vec::new(),
            links: Vec::new(),
        };
        let fingerprints = profile.join(".fingerprint");
        for entry in std::fs::read_dir(&fingerprints)
            .with_context(|| format!("cannot read {}", fingerprints.display()))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((package, hash)) = name.rsplit_once('-') else {
                continue;
            };
            if local.contains(package) {
                continue;
            }
            units.insert(hash.to_string());
            found.walk(&Path::new(".fingerprint").join(&name))?;
        }
        for entry in std::fs::read_dir(profile.join("build"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name
                .rsplit_once('-')
                .is_some_and(|(_, hash)| units.contains(hash))
            {
                found.walk(&Path::new("build").join(&name))?;
            }
        }
        for entry in std::fs::read_dir(profile.join("deps"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            // lib<crate>-<hash>.rlib, <crate>-<hash>.d, lib<crate>-<hash>.so, …
            let stem = name.split('.').next().unwrap_or_default();
            if stem
                .rsplit_once('-')
                .is_some_and(|(_, hash)| units.contains(hash))
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                found.files.push(Path::new("deps").join(&name));
            }
        }
        Ok(found)
    }

    /// How many files a build folder starts with.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    fn walk(&mut self, relative: &Path) -> Result<()> {
        let path = self.profile.join(relative);
        let kind = std::fs::symlink_metadata(&path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .file_type();
        if kind.is_symlink() {
            self.links
                .push((relative.to_path_buf(), std::fs::read_link(&path)?));
        } else if kind.is_dir() {
            self.dirs.push(relative.to_path_buf());
            for entry in std::fs::read_dir(&path)?.flatten() {
                self.walk(&relative.join(entry.file_name()))?;
            }
        } else if kind.is_file() {
            self.files.push(relative.to_path_buf());
        }
        Ok(())
    }

    /// Recreates the dependencies in `target` (its `debug` profile): hard links where the two
    /// folders share a file system, copies where not.
    fn plant(&self, target: &Path) -> Result<()> {
        let profile = target.join("debug");
        for dir in &self.dirs {
            std::fs::create_dir_all(profile.join(dir))?;
        }
        for file in &self.files {
            let (from, to) = (self.profile.join(file), profile.join(file));
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).with_context(|| {
                    format!("cannot copy {} to {}", from.display(), to.display())
                })?;
            }
        }
        for (link, points_to) in &self.links {
            std::os::unix::fs::symlink(points_to, profile.join(link))?;
        }
        Ok(())
    }
}

/// One student's build folder (removed when dropped): `workspace/` and `target/`.
pub struct BuildFolder {
    dir: PathBuf,
}

impl BuildFolder {
    /// Makes `dir` from the pristine workspace `template` and the `dependencies`.
    pub fn create(
        dir: PathBuf,
        template: &Path,
        dependencies: &Dependencies,
    ) -> Result<BuildFolder> {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        let folder = BuildFolder { dir };
        std::fs::create_dir_all(folder.target())?;
        copy_tree(template, &folder.workspace())
            .with_context(|| format!("cannot copy the workspace into {}", folder.dir.display()))?;
        dependencies
            .plant(&folder.target())
            .with_context(|| format!("cannot lay out {}", folder.target().display()))?;
        Ok(folder)
    }

    /// Gives everything the build may write (the workspace, the target's folders) to `uid`;
    /// the dependencies' files stay the grader's.
    pub fn give_to(&self, uid: u32) -> Result<()> {
        own_folders(&self.dir, uid)?;
        own_everything(&self.workspace(), uid)
    }

    /// The whole folder (what the build may write).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.join("workspace")
    }

    pub fn target(&self) -> PathBuf {
        self.dir.join("target")
    }
}

impl Drop for BuildFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)?.flatten() {
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_tree(&source, &dest)?;
        } else {
            std::fs::copy(&source, &dest)?;
        }
    }
    Ok(())
}

/// Gives every folder below `dir` (and `dir`) to `uid`; files keep their owner.
fn own_folders(dir: &Path, uid: u32) -> Result<()> {
    std::os::unix::fs::lchown(dir, Some(uid), Some(uid))
        .with_context(|| format!("cannot give {} to uid {uid}", dir.display()))?;
    for entry in std::fs::read_dir(dir)?.flatten() {
        if entry.file_type()?.is_dir() {
            own_folders(&entry.path(), uid)?;
        }
    }
    Ok(())
}

/// Gives `dir` and everything below it to `uid`.
fn own_everything(dir: &Path, uid: u32) -> Result<()> {
    std::os::unix::fs::lchown(dir, Some(uid), Some(uid))
        .with_context(|| format!("cannot give {} to uid {uid}", dir.display()))?;
    if dir.is_dir() && !dir.is_symlink() {
        for entry in std::fs::read_dir(dir)?.flatten() {
            own_everything(&entry.path(), uid)?;
        }
    }
    Ok(())
}

//! The compiled third-party dependencies of a target folder, planted in another one.
//!
//! Compiling rclrs and the interfaces takes minutes. A build that must not see the workspace's
//! own build output (a student's build when grading; a scaffolded exercise in a temporary copy
//! of the workbook) starts from a target folder holding only the dependencies the workbook's
//! target folder has already compiled, hard-linked (no copying; the links stay their owner's
//! files, read-only for anyone else). A unit is cargo's name for one compiled crate; a unit
//! belongs to a workspace package when its `.fingerprint/<package>-<hash>` says so, and none of
//! those is planted: no program, library or build of the workspace's own.

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
    pub fn plant(&self, target: &Path) -> Result<()> {
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

    /// [`plant`](Self::plant), for a target folder that cargo then builds in as this user. Cargo
    /// rewrites a rebuilt build script's records, the fingerprints and dep-info in place, which
    /// through a hard link would change the original's files too, so those become the new
    /// folder's own files; compiled libraries stay links (rustc replaces them, it never writes
    /// into them).
    pub fn plant_writable(&self, target: &Path) -> Result<()> {
        self.plant(target)?;
        let profile = target.join("debug");
        own_files(&profile.join("build"))?;
        own_files(&profile.join(".fingerprint"))?;
        for entry in std::fs::read_dir(profile.join("deps"))?.flatten() {
            if entry.path().extension().is_some_and(|e| e == "d") {
                own_file(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// Every file below `dir` made a file of its own (see [`Dependencies::plant_writable`]).
fn own_files(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)?.flatten() {
        let kind = entry.file_type()?;
        if kind.is_dir() {
            own_files(&entry.path())?;
        } else if kind.is_file() {
            own_file(&entry.path())?;
        }
    }
    Ok(())
}

/// `path`, a hard link, replaced by a copy of its contents with the same permissions and the
/// same modification time: cargo judges freshness by times, and a build-script record newer
/// than what was built from it would have cargo rebuild everything above it.
fn own_file(path: &Path) -> Result<()> {
    let context = || format!("cannot make {} a file of its own", path.display());
    let bytes = std::fs::read(path).with_context(context)?;
    let meta = std::fs::metadata(path).with_context(context)?;
    let modified = meta.modified().with_context(context)?;
    std::fs::remove_file(path).with_context(context)?;
    std::fs::write(path, bytes).with_context(context)?;
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(modified))
        .with_context(context)?;
    std::fs::set_permissions(path, meta.permissions()).with_context(context)?;
    Ok(())
}

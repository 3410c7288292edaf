//! A student's own build folder: a copy of the pristine workspace and a target folder holding
//! only the compiled third-party dependencies ([`Dependencies`]: no reference program, no
//! solution's library, no earlier student's build). The folder is removed when the build ends,
//! so nothing a student's build left there reaches the next one, and two students can build at
//! the same time.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
pub use workbook_harness::dependencies::Dependencies;

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

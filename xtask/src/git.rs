//! git on the workbook's own repository: the last commit (what `grade` builds in and the
//! autograder packs), the shipped exercises' trees (`shipped.rs`) and uncommitted changes.
//! Students' git hand-ins never come here: `grade/git/` reads those from a copy of their objects,
//! with none of their configuration in effect.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Runs `git <args>` in `root` and gives its standard output; fails with git's own words.
pub fn run(root: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// The last commit of `root` as a tar archive, only `paths` in it (everything when empty);
/// `needed_for` says which command needs it, for the error of a folder that is not a clone.
pub fn last_commit(root: &Path, paths: &[&str], needed_for: &str) -> Result<Vec<u8>> {
    let mut args = vec!["archive", "--format=tar", "HEAD"];
    args.extend(paths);
    run(root, &args).with_context(|| {
        format!(
            "cannot read the last commit of {}; {needed_for} needs the workbook as a git clone",
            root.display()
        )
    })
}

/// Whether tracked files of `root` differ from the last commit (false when git cannot say).
pub fn has_uncommitted_changes(root: &Path) -> bool {
    run(root, &["status", "--porcelain", "--untracked-files=no"])
        .is_ok_and(|stdout| !stdout.is_empty())
}

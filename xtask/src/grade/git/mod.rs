//! Reading the last commit of a git hand-in without running anything of the hand-in's own.
//!
//! A repository carries more than its objects: a `config` (filters, `core.fsmonitor`, hooks
//! paths, includes), attributes, hooks and `objects/info/alternates` (other repositories'
//! objects, the instructor's among them, borrowed by path). Any git command pointed at the hand-in
//! itself would honour them, and the grader often runs as root. So nothing of the hand-in is ever
//! given to git: its plain object files (loose objects and packs, never a link and never
//! `objects/info/`) are copied into a fresh repository in a temporary folder, `HEAD` is resolved
//! here from the hand-in's ref files, and the trees and blobs are read from the copy with
//! `git cat-file --batch`, which applies no filters, with no system, global or
//! hand-in configuration and hooks switched off.
//!
//! This module must not decide which files are wanted or how large they may be: it returns the
//! blobs the caller's `wanted` accepts, and the caller applies the submission's caps.

mod isolated;
mod refs;
#[cfg(test)]
mod tests;
mod tree;

use anyhow::{bail, Context, Result};
use isolated::*;
use refs::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;
use tree::*;

/// The most of a hand-in's objects copied; a class's repositories are a few MiB each.
const OBJECTS_LIMIT: u64 = 512 * 1024 * 1024;
/// The most object files copied.
const OBJECT_FILES_LIMIT: usize = 100_000;
/// The most bytes of a ref file (`HEAD`, `refs/heads/main`, `packed-refs`) read.
const REF_FILE_LIMIT: u64 = 4 * 1024 * 1024;
/// The most symbolic refs followed from `HEAD`.
const REF_DEPTH: usize = 5;

/// One file of the commit: its path in the tree, and its bytes when the caller took it.
pub struct Blob {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// What was read from a hand-in's last commit.
pub struct Commit {
    /// The files `wanted` accepted, no larger than the cap.
    pub blobs: Vec<Blob>,
    /// When it was committed (seconds since 1970), if the commit says.
    pub time: Option<i64>,
    /// What was skipped and why, for the student's feedback.
    pub notes: Vec<String>,
}

/// Reads the commit `HEAD` names in the repository `git_dir` (a `.git` folder or a bare
/// repository): the blobs whose paths `wanted` accepts, each at most `file_cap` bytes, at most
/// `files_cap` of them.
pub fn read_head(
    git_dir: &Path,
    wanted: impl Fn(&Path) -> bool,
    file_cap: u64,
    files_cap: usize,
) -> Result<Commit> {
    let head = resolve_head(git_dir)?;
    let scratch = tempfile::Builder::new()
        .prefix("workbook-handin-")
        .tempdir()
        .context("cannot create a temporary folder to read the git repository in")?;
    let copy = Isolated::create(&scratch, &head)?;
    copy_objects(&git_dir.join("objects"), &copy.objects())?;
    let commit = copy
        .text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{head}^{{commit}}"),
        ])
        .map(|id| id.trim().to_string())
        .with_context(|| {
            format!("HEAD names {head}, which is not a commit the repository holds")
        })?;
    let time = copy
        .text(&["cat-file", "commit", &commit])
        .ok()
        .and_then(|text| committer_time(&text));

    let tree = copy
        .text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{commit}^{{tree}}"),
        ])
        .map(|id| id.trim().to_string())
        .context("the last commit has no tree the repository holds")?;
    let mut notes = Vec::new();
    let mut batch = copy.batch()?;
    let blobs = walk(&mut batch, &tree, &wanted, file_cap, files_cap, &mut notes)?;
    Ok(Commit { blobs, time, notes })
}

/// The committer's time of a commit object's text.
fn committer_time(commit: &str) -> Option<i64> {
    let line = commit
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.starts_with("committer "))?;
    let mut fields = line.rsplit(' ');
    let _zone = fields.next()?;
    fields.next()?.parse().ok()
}

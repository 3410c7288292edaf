//! `cargo xtask autograder gradescope`: the autograder zip Gradescope takes.
//!
//! At its root: `setup.sh` and `run_autograder` (from `xtask/autograder/`, with the assignment's
//! exercises written in), and `workbook/`, the workbook's last commit (`git archive HEAD`), so
//! the image grades with exactly the checks, rubric and reference programs of that commit.

use crate::exercises::Exercise;
use anyhow::{Context, Result};
use colored::Colorize;
use std::io::{Read, Write};
use std::path::Path;

const SETUP: &str = include_str!("../../autograder/setup.sh");
const RUN: &str = include_str!("../../autograder/run_autograder");

/// The two scripts, with the exercises of this assignment written in.
pub fn scripts(exercises: &[Exercise]) -> [(&'static str, String); 2] {
    let words = exercises
        .iter()
        .map(|e| e.name.clone())
        .collect::<Vec<_>>()
        .join(" ");
    [
        ("setup.sh", SETUP.replace("@EXERCISES@", &words)),
        ("run_autograder", RUN.replace("@EXERCISES@", &words)),
    ]
}

/// Writes `zip_path`: the scripts and the workbook of `root`'s last commit. Returns how many of
/// the workbook's files went in.
pub fn write(root: &Path, exercises: &[Exercise], zip_path: &Path) -> Result<usize> {
    let archive = crate::git::last_commit(root, &[], "the autograder (it packs the last commit)")?;
    if let Some(parent) = zip_path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let file = std::fs::File::create(zip_path)
        .with_context(|| format!("cannot create {}", zip_path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = |mode: u32| {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode)
    };
    for (name, text) in scripts(exercises) {
        zip.start_file(name, options(0o755))?;
        zip.write_all(text.as_bytes())?;
    }
    let mut count = 0;
    let mut tar = tar::Archive::new(archive.as_slice());
    for entry in tar.entries()? {
        let mut entry = entry?;
        let path = format!("workbook/{}", entry.path()?.to_string_lossy());
        let kind = entry.header().entry_type();
        let mode = entry.header().mode().unwrap_or(0o644);
        if kind.is_dir() {
            zip.add_directory(path, options(0o755))?;
        } else if kind.is_symlink() {
            let target = entry
                .link_name()?
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            zip.add_symlink(path, target, options(0o777))?;
        } else if kind.is_file() {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            zip.start_file(path, options(if mode & 0o111 != 0 { 0o755 } else { 0o644 }))?;
            zip.write_all(&bytes)?;
            count += 1;
        }
    }
    zip.finish()?;
    Ok(count)
}

/// Warns when the working tree differs from the last commit: the zip holds the commit only.
pub fn warn_if_uncommitted(root: &Path) {
    if crate::git::has_uncommitted_changes(root) {
        println!(
            "  {} the working tree has uncommitted changes; the autograder holds the last commit only",
            "!".yellow().bold()
        );
    }
}

//! `cargo xtask reset <exercise> [--yes]`: puts the shipped version of an exercise back. It asks
//! first (or needs `--yes` when nobody can answer), and copies the student's files to
//! `.workbook/backups/<exercise>-<time>/` before touching them, so nothing is ever lost.

use crate::exercises::{Catalogue, Side};
use crate::ui;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::Command;
use workbook_harness::project_root;

pub fn run(query: &str, yes: bool) -> Result<()> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let exercise = catalogue.find(query)?.clone();
    let dir = exercise.crate_dir(&root, Side::Exercise);
    let relative = format!("exercises/{}", exercise.dir);
    let shipped = shipped_files(&root, &relative)?;
    ui::heading(
        "reset",
        &format!("{}: {}", exercise.label(), exercise.title),
    );
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(ui::usage(
                format!(
                    "resetting {relative} needs your confirmation, and there is no terminal to ask"
                ),
                format!(
                    "run `cargo xtask reset {} --yes` to confirm",
                    exercise.number
                ),
            ));
        }
        print!(
            "  This replaces your files in {relative} with the shipped version (yours are backed up first). Go on? [y/N] "
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("  Nothing changed.");
            return Ok(());
        }
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let backup = root
        .join(".workbook/backups")
        .join(format!("{}-{stamp}", exercise.dir));
    copy_tree(&dir, &backup)
        .with_context(|| format!("cannot back up {relative}; nothing was changed"))?;
    println!(
        "  ✓ your files are saved in {}",
        backup.strip_prefix(&root).unwrap_or(&backup).display()
    );
    for (path, content) in shipped {
        let target = root.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, content).with_context(|| format!("cannot write {path}"))?;
    }
    println!("  ✓ {relative} is back to the shipped version");
    Ok(())
}

/// Every file of the exercise as the workbook's last commit has it: `(path, content)`.
fn shipped_files(root: &Path, relative: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let git = |args: &[&str]| -> Result<Vec<u8>> {
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
    };
    let listing = git(&["ls-tree", "-r", "--name-only", "HEAD", "--", relative]).map_err(|error| {
        ui::problem(
            format!("cannot find the shipped version of {relative}: {error:#}"),
            "reset needs the workbook as a git clone; `git clone` it again into another folder and copy the exercise from there",
        )
    })?;
    let names: Vec<String> = String::from_utf8_lossy(&listing)
        .lines()
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        bail!("git's HEAD has no files under {relative}");
    }
    names
        .into_iter()
        .map(|name| Ok((name.clone(), git(&["show", &format!("HEAD:{name}")])?)))
        .collect()
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

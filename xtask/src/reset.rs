//! `cargo xtask reset <exercise> [--yes]`: puts the shipped version of an exercise back. It asks
//! first (or needs `--yes` when nobody can answer), and copies the student's files to
//! `.workbook/backups/<exercise>-<time>/` before touching them, so nothing is ever lost. "Shipped"
//! means as the workbook shipped it, even after the student committed their own work (see
//! [`crate::shipped`]).

use crate::exercises::{Catalogue, Side};
use crate::{shipped, ui};
use anyhow::{Context, Result};
use colored::Colorize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use workbook_harness::project_root;

pub fn run(query: &str, yes: bool) -> Result<()> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let exercise = catalogue.find(query)?.clone();
    let dir = exercise.crate_of(Side::Exercise).dir(&root);
    let relative = exercise
        .crate_of(Side::Exercise)
        .relative()
        .display()
        .to_string();
    let shipped = shipped_files(&root, &exercise.dir)?;
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
    crate::files::copy_tree(&dir, &backup)
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

/// Every file of the exercise as shipped: `(path from the project root, content)`. The shipped
/// tree comes from `exercises/shipped.toml`, so a student's own commits do not count as shipped;
/// without a record (or in a clone that lacks that tree) `HEAD` stands in, and the student is told.
fn shipped_files(root: &Path, dir: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let relative = format!("exercises/{dir}");
    let cannot = |error: anyhow::Error| {
        ui::problem(
            format!("cannot find the shipped version of {relative}: {error:#}"),
            "reset needs the workbook as a git clone; `git clone` it again into another folder and copy the exercise from there",
        )
    };
    let recorded = shipped::load(root)?.remove(dir);
    let tree = match recorded {
        Some(tree) if shipped::has_tree(root, &tree) => tree,
        _ => {
            println!(
                "  {} the shipped version of {relative} is not recorded in {}; using your last \
                 commit's",
                "note:".yellow().bold(),
                shipped::RECORD
            );
            shipped::head_tree(root, dir).map_err(cannot)?
        }
    };
    let files = shipped::files(root, &tree).map_err(cannot)?;
    Ok(files
        .into_iter()
        .map(|(path, content)| (format!("{relative}/{path}"), content))
        .collect())
}

//! `cargo xtask solution <exercise> [--anyway [--yes]]`: the reference solution's sources, once
//! the student's own crate has passed `cargo xtask check` (the last check, on the sources as they
//! are now, passed every check). Before that it says how far the student is and what to do;
//! `--anyway` shows it all the same after a confirmation on the terminal (or `--yes` where nobody
//! can answer). The book's Solutions part explains each solution.

use crate::exercises::{Catalogue, Exercise, Side};
use crate::progress::{self, Progress, Status};
use crate::ui;
use anyhow::{Context, Result};
use colored::Colorize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use workbook_harness::project_root;

/// How the student asked.
pub struct Options<'a> {
    pub exercise: &'a str,
    /// Show it even though the check has not passed.
    pub anyway: bool,
    /// Confirm `--anyway` without a question (for use without a terminal).
    pub yes: bool,
}

pub fn run(options: Options) -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let exercise = catalogue.find(options.exercise)?.clone();
    let mut progress = Progress::load(&root);
    ui::heading(
        "solution",
        &format!("{}: {}", exercise.label(), exercise.title),
    );
    if progress.status(&root, &exercise) != Status::Done {
        println!("  {}", standing(&root, &progress, &exercise));
        if !options.anyway {
            println!(
                "  The solution opens once `cargo xtask check {n}` passes: your own working version \
                 first, then the comparison. Stuck? `cargo xtask hint {n}`.\n  \
                 To read it now anyway: `cargo xtask solution {n} --anyway`.",
                n = exercise.number
            );
            return Ok(ExitCode::from(1));
        }
        if !options.yes && !confirmed(&exercise)? {
            println!("  Nothing shown.");
            return Ok(ExitCode::from(1));
        }
    }
    show(&root, &exercise)?;
    progress.record(&exercise).solution_shown = true;
    progress.save(&root)?;
    Ok(ExitCode::SUCCESS)
}

/// One sentence on where the student's exercise stands.
fn standing(root: &Path, progress: &Progress, exercise: &Exercise) -> String {
    let total = exercise.checks.len();
    let record = progress.exercises.get(&exercise.name);
    let current = progress::source_hash(&exercise.crate_of(Side::Exercise).dir(root))
        == record.map(|r| r.source.as_str()).unwrap_or_default();
    match record {
        Some(r) if r.passed + r.failed == 0 => format!(
            "Not checked yet: 0 of {total} checks known to pass. Run `cargo xtask check {}`.",
            exercise.number
        ),
        Some(r) if current => format!(
            "{} of {total} checks pass (your last check, on your code as it is now).",
            r.passed
        ),
        Some(r) => format!(
            "{} of {total} checks passed on an earlier version; you changed the code since. \
             Run `cargo xtask check {}` again.",
            r.passed, exercise.number
        ),
        None => format!(
            "Not checked yet: 0 of {total} checks known to pass. Run `cargo xtask check {}`.",
            exercise.number
        ),
    }
}

/// Asks on the terminal; refuses without one.
fn confirmed(exercise: &Exercise) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(ui::usage(
            format!(
                "showing the solution of exercise {} before its check passes needs your \
                 confirmation, and there is no terminal to ask",
                exercise.number
            ),
            format!(
                "run `cargo xtask solution {} --anyway --yes` to confirm",
                exercise.number
            ),
        ));
    }
    print!("  Read the reference before your own version works? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Prints every source file of the reference crate, and where the book explains it.
fn show(root: &Path, exercise: &Exercise) -> Result<()> {
    let dir = exercise.crate_of(Side::Solution).dir(root);
    let mut files = Vec::new();
    // The interface package first, when it is part of the exercise: the node is built on it.
    for folder in exercise.interface.iter().map(String::as_str).chain(["src"]) {
        files.extend(
            sources(&dir.join(folder))
                .with_context(|| format!("cannot list the solution in {}", dir.display()))?,
        );
    }
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let shown = file.strip_prefix(root).unwrap_or(&file);
        println!("\n  {}\n", shown.display().to_string().bold());
        for line in text.lines() {
            println!("    {line}");
        }
    }
    println!(
        "\n  Why it is built this way: the book's Solutions part, book/src/solutions/{}.md \
         (`cargo xtask book --serve`).",
        exercise.dir
    );
    Ok(())
}

/// The files under `dir`, sorted, recursively.
fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

//! `cargo xtask list`: every exercise with its status and the book chapter that teaches it.

use crate::exercises::Catalogue;
use crate::progress::{Progress, Status};
use crate::ui;
use anyhow::Result;
use colored::Colorize;
use workbook_harness::project_root;

pub fn run(json: bool) -> Result<()> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let progress = Progress::load(&root);
    if json {
        let rows: Vec<serde_json::Value> = catalogue
            .exercises
            .iter()
            .map(|e| {
                serde_json::json!({
                    "number": e.number,
                    "name": e.name,
                    "title": e.title,
                    "chapter": e.chapter,
                    "status": progress.status(&root, e).label(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    ui::heading("list", "the workbook's exercises");
    // Columns as wide as their longest entry, so a longer title never pushes the next one along.
    let name_width = width(
        "exercise",
        catalogue.exercises.iter().map(|e| e.name.as_str()),
    );
    let title_width = width(
        "title",
        catalogue.exercises.iter().map(|e| e.title.as_str()),
    );
    println!(
        "  {:<3} {:<name_width$}  {:<title_width$}  {:<13} {}",
        "#".dimmed(),
        "exercise".dimmed(),
        "title".dimmed(),
        "status".dimmed(),
        "book".dimmed()
    );
    let mut done = 0;
    for exercise in &catalogue.exercises {
        let status = progress.status(&root, exercise);
        let label = format!("{:<13}", status.label());
        let painted = match status {
            Status::Done => {
                done += 1;
                label.green()
            }
            Status::Failing => label.red(),
            Status::NotStarted => label.dimmed(),
        };
        println!(
            "  {:<3} {:<name_width$}  {:<title_width$}  {} {}",
            exercise.number,
            exercise.name,
            exercise.title,
            painted,
            exercise.chapter.dimmed()
        );
    }
    println!(
        "\n  {done} of {} done. `cargo xtask check` checks the first one not done.",
        catalogue.exercises.len()
    );
    Ok(())
}

/// The width of a column: its heading's or its longest entry's, in characters.
fn width<'a>(heading: &str, entries: impl Iterator<Item = &'a str>) -> usize {
    entries
        .map(|e| e.chars().count())
        .chain([heading.chars().count()])
        .max()
        .unwrap_or(0)
}

//! `cargo xtask hint <exercise> [--all]`: the next hint each time (they go from a nudge to nearly
//! the answer), or all of them; the book chapter is always named.

use crate::exercises::Catalogue;
use crate::progress::Progress;
use crate::ui;
use anyhow::Result;
use colored::Colorize;
use workbook_harness::project_root;

pub fn run(query: Option<&str>, all: bool) -> Result<()> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let exercise = crate::check::pick(&catalogue, query)?;
    let mut progress = Progress::load(&root);
    let total = exercise.hints.len();
    let shown = progress.record(&exercise).hints_shown;
    let upto = if all { total } else { (shown + 1).min(total) };
    ui::heading("hint", &format!("{}: {}", exercise.label(), exercise.title));
    for (index, hint) in exercise.hints.iter().enumerate().take(upto) {
        let mark = format!("{}/{total}", index + 1);
        let text = if index + 1 == upto {
            hint.normal()
        } else {
            hint.dimmed()
        };
        println!("  {} {text}", mark.yellow().bold());
    }
    println!("\n  Book: {}", exercise.chapter);
    if upto < total {
        println!(
            "  Run `cargo xtask hint {}` again for the next hint, or add --all.",
            exercise.number
        );
    }
    progress.record(&exercise).hints_shown = upto.max(shown);
    progress.save(&root)
}

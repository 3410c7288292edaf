//! `cargo xtask book [--capture [ID]] [--drift] [--serve]`: builds the course book with mdBook's
//! library into `target/book/`, then checks it: no mdBook warnings, every `{{#include}}` resolves
//! to a file and an anchor, every internal link and `#anchor` of the HTML resolves.
//!
//! `--capture` first reruns the terminal sessions of `book/captures.toml` and stores their output
//! in `book/src/captured/`; `--drift` reruns them and fails when today's output differs from the
//! book's; `--serve` keeps serving the book on localhost and rebuilds it when a source changes.
//! The work itself is in the `workbook-book` crate (xtask/book), which the book's tests share;
//! this module only presents it.

mod serve;

use crate::{cargo, provision, ui};
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::time::Instant;
use workbook_book::{build, captures, includes, links};

/// What `cargo xtask book` was asked to do besides building.
pub struct Options {
    /// Rerun the captures (those whose id contains the text, when given) before building.
    pub capture: Option<Option<String>>,
    /// Compare today's output with the captured one.
    pub drift: bool,
    /// Serve the book on this port and rebuild on change.
    pub serve: Option<u16>,
}

/// Runs the command.
pub fn run(options: Options) -> Result<()> {
    if let Some(filter) = &options.capture {
        ui::heading("book", "capturing terminal output (book/captures.toml)");
        provision::ensure()?;
        let started = Instant::now();
        let written = captures::capture(filter.as_deref())?;
        println!(
            "  wrote {} files in {}",
            written.len(),
            ui::seconds(started.elapsed())
        );
    }
    let out = output_dir()?;
    build_and_check(&out)?;
    if options.drift {
        drift()?;
    }
    if let Some(port) = options.serve {
        serve::run(&out, port)?;
    }
    Ok(())
}

/// `target/book`, where the HTML goes.
pub fn output_dir() -> Result<PathBuf> {
    Ok(cargo::target_dir()?.join("book"))
}

/// Builds the book into `out` and runs the checks that need no ROS: warnings, includes, links.
pub fn build_and_check(out: &std::path::Path) -> Result<()> {
    ui::heading("book", "building with mdBook (target/book)");
    let started = Instant::now();
    let built = build::build(&workbook_book::book_root(), out)?;
    let mut problems = built.warnings.clone();
    problems.extend(includes::problems(&includes::find(
        &workbook_book::markdown_files()?,
    )?));
    problems.extend(links::problems(&built.html)?);
    if !problems.is_empty() {
        for problem in &problems {
            println!("  ✗ {problem}");
        }
        bail!(
            "the book has {} problem(s), listed above; fix them in book/src (or the files it includes)",
            problems.len()
        );
    }
    println!(
        "  ✓ built without warnings; includes and links resolve ({}): {}",
        ui::seconds(started.elapsed()),
        built.html.join("index.html").display()
    );
    Ok(())
}

/// Reruns every capture and fails on any difference from the stored output.
fn drift() -> Result<()> {
    ui::heading("book", "captured output against today's (drift)");
    provision::ensure()?;
    let all = captures::Captures::load()?;
    let mut problems = Vec::new();
    for stale in all.stale_files()? {
        problems.push(format!(
            "{} belongs to no capture in book/captures.toml: delete it or add its capture",
            captures::describe(&stale)
        ));
    }
    problems.extend(all.drift_all(captures::SIDE_BY_SIDE, |capture, found| {
        let mark = if found.is_empty() { "✓" } else { "✗" };
        println!("  {mark} {}", capture.id);
    })?);
    if !problems.is_empty() {
        for problem in &problems {
            println!("{problem}");
        }
        bail!("the book shows output that today's programs no longer print");
    }
    Ok(())
}

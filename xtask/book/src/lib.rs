//! The workbook's book as something a program can build and check: `cargo xtask book` and the
//! tests in `xtask/book/tests/` share this library, so the command a student runs and the checks CI
//! runs are the same code.
//!
//! - [`answers`]: how much of each exercise's answer (what its solution adds) the book shows
//!   outside its Solutions part.
//! - [`build`]: builds `book/` with mdBook's library (`mdbook-driver`) and returns every warning
//!   mdBook logged, so "builds without warnings" can be asserted.
//! - [`includes`]: every `{{#include file:anchor}}` in the sources names an existing file and an
//!   anchor that file defines.
//! - [`minutes`]: every page states its minutes, and the instructors' session plan adds them up.
//! - [`links`]: every relative link and `#anchor` in the built HTML resolves.
//! - [`captures`]: the terminal output the book shows, captured from real runs
//!   (`book/captures.toml`), and the drift check that compares it with today's output.
//! - [`serve`]: a small static HTTP server for the built book (for `--serve` and the browser test).
//! - [`browser`]: finds Debian's Chromium, installing it with apt-get when it is missing and that
//!   is possible.
//!
//! This crate must not link rclrs: it runs programs as processes through `workbook-harness`.

pub mod answers;
pub mod browser;
pub mod build;
pub mod captures;
pub mod includes;
pub mod links;
pub mod minutes;
pub mod serve;

use std::path::PathBuf;

/// The book's folder: `<repository>/book`.
pub fn book_root() -> PathBuf {
    workbook_harness::project_root().join("book")
}

/// Where the book's sources live: `book/src`.
pub fn source_dir() -> PathBuf {
    book_root().join("src")
}

/// Every Markdown file under `book/src`, sorted.
pub fn markdown_files() -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    walk(&source_dir(), &mut |path| {
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path.to_path_buf());
        }
    })?;
    files.sort();
    Ok(files)
}

/// Calls `visit` for every file under `dir`, recursively.
pub fn walk(dir: &std::path::Path, visit: &mut dyn FnMut(&std::path::Path)) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, visit)?;
        } else {
            visit(&path);
        }
    }
    Ok(())
}

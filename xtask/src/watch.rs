//! `cargo xtask watch [<exercise>]`: checks the exercise, then again every time a file in it is
//! saved (editors write in bursts, so changes within a short moment count as one). Ctrl-C stops.

use crate::exercises::{Catalogue, Side};
use crate::{check, ui};
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use std::sync::mpsc;
use std::time::Duration;
use workbook_harness::project_root;

/// Saves closer together than this count as one change.
const SETTLE: Duration = Duration::from_millis(300);

pub fn run(query: Option<&str>) -> Result<()> {
    let catalogue = Catalogue::load()?;
    let exercise = check::pick(&catalogue, query)?;
    let dir = exercise.crate_of(Side::Exercise).dir(&project_root());
    let (sender, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if event.kind.is_modify() || event.kind.is_create() || event.kind.is_remove() {
                let _ = sender.send(());
            }
        }
    })
    .context("cannot watch files on this system")?;
    // An interface package of the student's (exercise 9) is watched too.
    let interface = exercise.interface.as_deref();
    for folder in ["src", "Cargo.toml"].into_iter().chain(interface) {
        let path = dir.join(folder);
        if path.exists() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    loop {
        let number = exercise.number.to_string();
        if let Err(error) = check::run(Some(&number), Side::Exercise) {
            ui::error(&format!("{error:#}"), "");
        }
        println!(
            "\n  … watching {} (save a file to check again, Ctrl-C to stop)",
            dir.strip_prefix(project_root()).unwrap_or(&dir).display()
        );
        changes.recv().context("the file watcher stopped")?;
        while changes.recv_timeout(SETTLE).is_ok() {}
        println!();
    }
}

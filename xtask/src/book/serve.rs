//! `cargo xtask book --serve`: the built book on `http://127.0.0.1:<port>`, rebuilt whenever a
//! file it is made of changes (its sources, and the programs and peers it includes); open pages
//! reload by themselves. mdBook 0.5's library has no server, so this is the workbook's own small
//! one (`workbook_book::serve`).

use crate::ui;
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;
use workbook_book::serve::{Generation, Server};
use workbook_harness::project_root;

/// How long to wait for more changes before rebuilding (editors save in bursts).
const SETTLE: Duration = Duration::from_millis(300);

/// Folders whose files end up in the book.
const WATCHED: [&str; 4] = ["book/src", "book/book.toml", "solutions", "tests/peers"];

/// Serves `out` and rebuilds into it on every change, until Ctrl-C.
pub fn run(out: &Path, port: u16) -> Result<()> {
    let generation = Generation::default();
    let server = Server::start(out, port, Some(generation.clone()))?;
    let (sender, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let ours = event
                .paths
                .iter()
                .any(|p| !p.components().any(|c| c.as_os_str() == "target"));
            if ours && (event.kind.is_modify() || event.kind.is_create() || event.kind.is_remove())
            {
                let _ = sender.send(());
            }
        }
    })
    .context("cannot watch files on this system")?;
    for folder in WATCHED {
        let path = project_root().join(folder);
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    println!(
        "\n  serving the book at {} (rebuilds on save; Ctrl-C to stop)",
        server.url("index.html")
    );
    loop {
        changes.recv().context("the file watcher stopped")?;
        while changes.recv_timeout(SETTLE).is_ok() {}
        match super::build_and_check(out) {
            Ok(()) => {}
            Err(error) => ui::error(&format!("{error:#}"), "the last good build stays served"),
        }
        generation.fetch_add(1, Ordering::SeqCst);
    }
}

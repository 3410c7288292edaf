//! Builds the book with mdBook's library and collects what mdBook warned about.
//!
//! mdBook reports a missing include, a broken summary entry or a failing preprocessor through
//! `tracing` and still finishes the build; a small subscriber records every WARN and ERROR event
//! while the build runs, so callers can treat any of them as a failure.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// A finished build: where the HTML is, and what mdBook warned about on the way.
#[derive(Debug)]
pub struct Built {
    /// The folder holding `index.html`.
    pub html: PathBuf,
    /// Every warning or error mdBook logged, one sentence each.
    pub warnings: Vec<String>,
}

/// Builds `book_root` into `out` (its `book.toml` is used, except for the output folder).
pub fn build(book_root: &Path, out: &Path) -> Result<Built> {
    let recorder = Recorder::default();
    let warnings = Arc::clone(&recorder.warnings);
    tracing::subscriber::with_default(recorder, || -> Result<()> {
        let mut book = MDBook::load(book_root)
            .map_err(|error| anyhow::anyhow!("{error:#}"))
            .with_context(|| format!("cannot load the book in {}", book_root.display()))?;
        book.config.build.build_dir = out.to_path_buf();
        book.build()
            .map_err(|error| anyhow::anyhow!("{error:#}"))
            .context("mdBook could not build the book")
    })?;
    let warnings = warnings.lock().map(|w| w.clone()).unwrap_or_default();
    Ok(Built {
        html: out.to_path_buf(),
        warnings,
    })
}

/// A `tracing` subscriber that keeps WARN and ERROR messages and ignores everything else.
#[derive(Default)]
struct Recorder {
    warnings: Arc<Mutex<Vec<String>>>,
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::WARN
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut text = Text::default();
        event.record(&mut text);
        let line = format!("{}: {}", event.metadata().level(), text.0.trim());
        if let Ok(mut warnings) = self.warnings.lock() {
            warnings.push(line);
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The fields of one event as `message key=value …`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?} ");
        } else {
            let _ = write!(self.0, "{}={value:?} ", field.name());
        }
    }
}

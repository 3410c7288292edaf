//! Terminal output the book shows, captured from real runs, and the drift check.
//!
//! `book/captures.toml` lists each capture: the commands a student types (run in order, as they
//! would type them, from the repository's root), the programs to start first in the background
//! (each waited for until it prints its ready line), and the rules that make two runs comparable.
//! `cargo xtask book --capture` runs them in a world of their own (sealed like a check's, so no
//! node elsewhere on the machine can appear in what the book shows) and writes
//! `book/src/captured/<id>.txt`, which chapters `{{#include}}`. The drift check runs them again
//! and compares, after normalising only what legitimately changes between runs: times, addresses,
//! ids and domain numbers, as the data file's rules say.

use anyhow::{bail, Context, Result};
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use workbook_harness::{project_root, run_to_end, NodeProcess, World};

/// How long one command of a capture may run (the first run may build programs).
const COMMAND_DEADLINE: Duration = Duration::from_secs(300);

/// How many captures the drift check runs at once. Each runs in a world of its own, so they
/// cannot see each other; they mostly wait (for discovery, for a program's deadline), and two
/// side by side halve the check's time without loading a two-core machine much.
pub const SIDE_BY_SIDE: usize = 2;

/// The data file, as read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Captures {
    /// Rules applied to every capture.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// The captures, in the order they run.
    #[serde(rename = "capture")]
    pub captures: Vec<Capture>,
}

/// A normalisation: every match of `pattern` is replaced by `replace`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// What the rule is for, for people.
    pub name: String,
    /// A regular expression (Rust `regex` syntax).
    pub pattern: String,
    /// The replacement (`$1` refers to a group).
    pub replace: String,
    /// When true the book keeps the real text and only the comparison normalises it (times the
    /// student should see as numbers); when false the text is rewritten before it is stored too
    /// (paths of the machine that captured it).
    #[serde(default)]
    pub keep: bool,
}

/// One captured terminal session.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// The file name under `book/src/captured/`, without `.txt`.
    pub id: String,
    /// Commands typed in order; each appears as `$ command` followed by what it printed.
    pub commands: Vec<String>,
    /// Programs started before the commands and stopped (Ctrl-C) after them.
    #[serde(default)]
    pub background: Vec<Background>,
    /// Append `$ echo $?` and the exit code after each command.
    #[serde(default)]
    pub show_exit: bool,
    /// Rules for this capture only, after the global ones.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

/// A program running while a capture's commands run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    /// The command, as a student would type it in another terminal.
    pub command: String,
    /// Text of the line the program prints once it is ready.
    pub ready: String,
    /// Also store what it printed, stopped with Ctrl-C, as `captured/<this>.txt`.
    #[serde(default)]
    pub capture: Option<String>,
}

/// One file a capture produces: its id and its text, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub id: String,
    pub text: String,
}

/// `book/captures.toml`.
pub fn data_file() -> PathBuf {
    crate::book_root().join("captures.toml")
}

/// `book/src/captured/`.
pub fn output_dir() -> PathBuf {
    crate::source_dir().join("captured")
}

impl Captures {
    /// Reads and checks the data file.
    pub fn load() -> Result<Captures> {
        let path = data_file();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let captures: Captures = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid captures file", path.display()))?;
        for rule in captures
            .rules
            .iter()
            .chain(captures.captures.iter().flat_map(|c| c.rules.iter()))
        {
            Regex::new(&rule.pattern).with_context(|| {
                format!(
                    "the rule `{}` in {} has an invalid pattern",
                    rule.name,
                    path.display()
                )
            })?;
        }
        Ok(captures)
    }

    /// The captures whose id contains `filter` (all without one).
    pub fn selected<'a>(&'a self, filter: Option<&'a str>) -> impl Iterator<Item = &'a Capture> {
        self.captures
            .iter()
            .filter(move |c| filter.is_none_or(|f| c.id.contains(f)))
    }

    /// Runs one capture in a world of its own and returns the files it produces, with the
    /// storing rules applied.
    pub fn run(&self, capture: &Capture) -> Result<Vec<Captured>> {
        let world = World::new();
        let prepare = |line: &str| -> Result<Command> {
            let words = shlex::split(line)
                .filter(|w| !w.is_empty())
                .with_context(|| {
                    format!("capture {}: cannot split `{line}` into words", capture.id)
                })?;
            let program = if words[0] == "cargo" {
                workbook_harness::programs::cargo()
            } else {
                words[0].clone().into()
            };
            let mut command = world.command(program);
            command
                .args(&words[1..])
                .current_dir(project_root())
                .env("NO_COLOR", "1")
                .env("CARGO_TERM_COLOR", "never");
            Ok(command)
        };

        let mut running = Vec::new();
        for background in &capture.background {
            let mut process =
                NodeProcess::start(&background.command, prepare(&background.command)?)?;
            process
                .wait_for_line(&background.ready, COMMAND_DEADLINE)
                .with_context(|| {
                    format!(
                        "capture {}: `{}` never got ready",
                        capture.id, background.command
                    )
                })?;
            running.push((background, process));
        }

        let mut session = String::new();
        for line in &capture.commands {
            let output = run_to_end(line, prepare(line)?, COMMAND_DEADLINE)
                .with_context(|| format!("capture {}: `{line}` did not finish", capture.id))?;
            session.push_str(&format!("$ {line}\n{}", output.text));
            if capture.show_exit {
                let code = output.code.map_or("killed".to_string(), |c| c.to_string());
                session.push_str(&format!("$ echo $?\n{code}\n"));
            }
        }

        let mut files = vec![Captured {
            id: capture.id.clone(),
            text: self.store(capture, &session),
        }];
        for (background, mut process) in running {
            // What it printed before Ctrl-C, then the ^C a terminal shows, then the rest.
            let before = process.transcript();
            let output = process.stop()?;
            if let Some(id) = &background.capture {
                let after = output
                    .text
                    .strip_prefix(before.as_str())
                    .unwrap_or_default();
                let text = format!("$ {}\n{before}^C\n{after}", background.command);
                files.push(Captured {
                    id: id.clone(),
                    text: self.store(capture, &text),
                });
            }
        }
        Ok(files)
    }

    /// `text` as stored: trailing spaces gone, storing rules applied.
    fn store(&self, capture: &Capture, text: &str) -> String {
        let text = self.apply(capture, text, false);
        let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines.join("\n") + "\n"
    }

    /// `text` with the rules applied: only the storing ones, or all (`compare`).
    fn apply(&self, capture: &Capture, text: &str, compare: bool) -> String {
        let mut text = text.to_string();
        for rule in self.rules.iter().chain(&capture.rules) {
            if rule.keep && !compare {
                continue;
            }
            if let Ok(pattern) = Regex::new(&rule.pattern) {
                text = pattern
                    .replace_all(&text, rule.replace.as_str())
                    .into_owned();
            }
        }
        text
    }

    /// The capture a stored file belongs to (its own id, or a background's).
    fn owner(&self, id: &str) -> Option<&Capture> {
        self.captures.iter().find(|c| {
            c.id == id
                || c.background
                    .iter()
                    .any(|b| b.capture.as_deref() == Some(id))
        })
    }

    /// Compares a fresh run with the stored files: one sentence per difference.
    pub fn drift(&self, capture: &Capture) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for fresh in self.run(capture)? {
            let path = output_dir().join(format!("{}.txt", fresh.id));
            let Ok(stored) = std::fs::read_to_string(&path) else {
                problems.push(format!(
                    "{} is missing: run `cargo xtask book --capture {}`",
                    path.display(),
                    capture.id
                ));
                continue;
            };
            let owner = self.owner(&fresh.id).unwrap_or(capture);
            let then = self.apply(owner, &stored, true);
            let now = self.apply(owner, &fresh.text, true);
            if then != now {
                problems.push(format!(
                    "{} no longer matches what the commands print today.\n--- the book shows (normalised):\n{then}--- today (normalised):\n{now}\
                     If the change is intended, run `cargo xtask book --capture {}` and review the diff.",
                    path.display(),
                    capture.id
                ));
            }
        }
        Ok(problems)
    }

    /// [`Captures::drift`] of every capture, `workers` at a time: `report` hears of each one as it
    /// ends (in the order they end); the problems come back in the captures' order. The first
    /// capture, in that order, that could not run is the error.
    pub fn drift_all(
        &self,
        workers: usize,
        mut report: impl FnMut(&Capture, &[String]),
    ) -> Result<Vec<String>> {
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<Result<Vec<String>>>> =
            self.captures.iter().map(|_| None).collect();
        std::thread::scope(|scope| {
            let (sender, ended) = mpsc::channel();
            for _ in 0..workers.max(1) {
                let (sender, next) = (sender.clone(), &next);
                scope.spawn(move || loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(capture) = self.captures.get(index) else {
                        break;
                    };
                    if sender.send((index, self.drift(capture))).is_err() {
                        break;
                    }
                });
            }
            drop(sender);
            for (index, result) in ended {
                if let Ok(problems) = &result {
                    report(&self.captures[index], problems);
                }
                results[index] = Some(result);
            }
        });
        let mut problems = Vec::new();
        for result in results {
            problems.extend(result.context("a capture was never run")??);
        }
        Ok(problems)
    }

    /// Stored files under `captured/` that no capture produces any more.
    pub fn stale_files(&self) -> Result<Vec<PathBuf>> {
        let mut stale = Vec::new();
        let dir = output_dir();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let path = entry?.path();
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            if self.owner(id).is_none() {
                stale.push(path);
            }
        }
        Ok(stale)
    }
}

/// Runs the selected captures and writes their files; returns the paths written.
pub fn capture(filter: Option<&str>) -> Result<Vec<PathBuf>> {
    let captures = Captures::load()?;
    let dir = output_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let mut matched = false;
    for capture in captures.selected(filter) {
        matched = true;
        eprintln!(
            "  capturing {}: {}",
            capture.id,
            capture.commands.join(" ; ")
        );
        for file in captures.run(capture)? {
            let path = dir.join(format!("{}.txt", file.id));
            std::fs::write(&path, &file.text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
    }
    if !matched {
        bail!(
            "no capture id contains `{}`; the ids are listed in {}",
            filter.unwrap_or_default(),
            data_file().display()
        );
    }
    Ok(written)
}

/// The stored output of `path` relative to the book sources, for messages.
pub fn describe(path: &Path) -> String {
    path.strip_prefix(crate::book_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

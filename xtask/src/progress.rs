//! What the student has done so far, kept in `.workbook/progress.json` (not in git): the last
//! check of each exercise with a hash of the sources it checked, and how many hints were shown.
//! `list` turns it into not started / failing / done; `check` with no argument picks the first
//! exercise that is not done; `hint` shows the next hint; `solution` opens once a check passed.

use crate::exercises::{Exercise, Side};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names another progress file than `.workbook/progress.json`.
pub const PROGRESS_VARIABLE: &str = "WORKBOOK_PROGRESS";

/// The whole file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub exercises: BTreeMap<String, Record>,
}

/// One exercise's last check and hints.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Hash of the sources the last check ran on.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub passed: usize,
    #[serde(default)]
    pub failed: usize,
    #[serde(default)]
    pub hints_shown: usize,
    /// True once `cargo xtask solution` showed the reference.
    #[serde(default)]
    pub solution_shown: bool,
}

/// Where an exercise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    Failing,
    Done,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Failing => "failing",
            Status::Done => "done",
        }
    }
}

impl Progress {
    /// `.workbook/progress.json`, or the file `WORKBOOK_PROGRESS` names (the tests' scratch
    /// record, so they never touch a student's).
    fn path(root: &Path) -> PathBuf {
        std::env::var_os(PROGRESS_VARIABLE)
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".workbook/progress.json"))
    }

    /// Reads the file; a missing or unreadable one is an empty record (nothing is lost by it).
    pub fn load(root: &Path) -> Progress {
        std::fs::read_to_string(Progress::path(root))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, root: &Path) -> Result<()> {
        let path = Progress::path(root);
        std::fs::create_dir_all(path.parent().expect("has a folder"))
            .context("cannot create .workbook/")?;
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn record(&mut self, exercise: &Exercise) -> &mut Record {
        self.exercises.entry(exercise.name.clone()).or_default()
    }

    /// The exercise's status from its current sources and its last check.
    pub fn status(&self, root: &Path, exercise: &Exercise) -> Status {
        let dir = exercise.crate_of(Side::Exercise).dir(root);
        let hash = source_hash(&dir);
        match self.exercises.get(&exercise.name) {
            Some(r) if r.source == hash && r.failed == 0 && r.passed > 0 => Status::Done,
            Some(r) if r.passed + r.failed > 0 => Status::Failing,
            _ if still_shipped(&dir) => Status::NotStarted,
            _ => Status::Failing,
        }
    }
}

/// True while the crate's sources still hold the shipped `todo!(` markers.
fn still_shipped(dir: &Path) -> bool {
    sources(dir)
        .iter()
        .any(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("todo!(")))
}

/// A hash of the crate's `Cargo.toml` and every file under `src/`.
pub fn source_hash(dir: &Path) -> String {
    let mut hasher = Sha256::new();
    for path in sources(dir) {
        hasher.update(
            path.strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&path).unwrap_or_default());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![dir.join("Cargo.toml")];
    let mut pending = vec![dir.join("src")];
    // An interface package of the student's (exercise 9) is part of their work too.
    if let Ok(entries) = std::fs::read_dir(dir) {
        let packages = entries.flatten().map(|entry| entry.path());
        pending.extend(packages.filter(|path| path.join("package.xml").is_file()));
    }
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

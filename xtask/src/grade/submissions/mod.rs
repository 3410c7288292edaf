//! Finding a class's submissions and reading the student's exercise sources out of them.
//!
//! A submission is a folder, a git repository, or a `.zip` / `.tar.gz` archive; its name is the
//! student id. Only `<exercise>/src/**/*.rs` files are taken, into memory: nothing of a submission
//! is ever unpacked where its own paths point, so an archive entry named `../../x` goes nowhere.
//! The exercise folders are found under `exercises/` (a copy of the workbook) or at the top (just
//! the exercises folder), below at most one wrapping folder.

mod forms;
mod layout;

use crate::exercises::{Catalogue, Exercise};
use crate::grade::git;
use crate::grade::rubric::Limits;
use anyhow::{bail, Context, Result};
use forms::*;
use layout::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The sources of one exercise: paths relative to the crate's `src/`, and their bytes.
pub type Sources = BTreeMap<PathBuf, Vec<u8>>;

/// One student's hand-in, read.
#[derive(Debug)]
pub struct Submission {
    /// The student id: the folder or archive name without its extension, made filename-safe.
    pub id: String,
    /// The sources of each exercise found, by exercise name.
    pub exercises: BTreeMap<String, Sources>,
    /// When it was handed in (seconds since 1970): newest commit or newest source file.
    pub submitted: Option<i64>,
    /// What was skipped and why, for the student's feedback.
    pub notes: Vec<String>,
    /// Why nothing could be read, when nothing could.
    pub error: Option<String>,
}

/// One file of a submission before it is sorted into exercises.
struct Entry {
    path: PathBuf,
    bytes: Vec<u8>,
    modified: Option<i64>,
}

/// The submissions in `dir`, sorted by student id (so shards and re-grades are stable).
pub fn discover(dir: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    if !dir.is_dir() {
        bail!(
            "{} is not a folder of submissions (it should hold one folder, git repository, .zip or .tar.gz per student)",
            dir.display()
        );
    }
    let mut found = Vec::new();
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() || archive_kind(&name).is_some() {
            found.push(path);
        } else {
            ignored.push(format!(
                "{name}: not a folder, .zip or .tar.gz, so not a submission"
            ));
        }
    }
    found.sort();
    Ok((found, ignored))
}

/// The student id of a submission path: the name without archive extensions, with anything
/// outside `A-Z a-z 0-9 . _ -` replaced, so it is safe as a file name in every output.
pub fn student_id(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_lowercase();
    let stem_len = [".tar.gz", ".tgz", ".zip", ".tar", ".git"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map(|ext| name.len() - ext.len())
        .unwrap_or(name.len());
    let safe: String = name[..stem_len]
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.').to_string();
    if safe.is_empty() {
        "student".to_string()
    } else {
        safe
    }
}

/// Reads a submission. Never fails: a submission that cannot be read carries its `error`.
pub fn read(path: &Path, id: String, catalogue: &Catalogue, limits: &Limits) -> Submission {
    let mut submission = Submission {
        id,
        exercises: BTreeMap::new(),
        submitted: None,
        notes: Vec::new(),
        error: None,
    };
    let entries = match collect(path, limits, &mut submission) {
        Ok(entries) => entries,
        Err(error) => {
            submission.error = Some(format!("{error:#}"));
            return submission;
        }
    };
    sort_into_exercises(entries, catalogue, limits, &mut submission);
    submission
}

fn collect(path: &Path, limits: &Limits, submission: &mut Submission) -> Result<Vec<Entry>> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if path.is_dir() {
        if path.join(".git").exists()
            || (path.join("HEAD").is_file() && path.join("objects").is_dir())
        {
            return from_git(path, limits, submission);
        }
        let mut entries = Vec::new();
        walk(path, path, 0, limits, &mut entries, &mut submission.notes)?;
        return Ok(entries);
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    match archive_kind(&name) {
        Some(ArchiveKind::Zip) => from_zip(file, limits, &mut submission.notes)
            .with_context(|| format!("{name} is not a readable .zip archive")),
        Some(ArchiveKind::TarGz) => from_tar(
            flate2::read::GzDecoder::new(file),
            limits,
            &mut submission.notes,
        )
        .with_context(|| format!("{name} is not a readable .tar.gz archive")),
        Some(ArchiveKind::Tar) => from_tar(file, limits, &mut submission.notes)
            .with_context(|| format!("{name} is not a readable .tar archive")),
        None => bail!("{name} is not a folder or an archive"),
    }
}

/// Could this path hold exercise sources? Only `.rs` files below a `src` folder, outside build
/// output and version control, are ever read.
fn wanted(path: &Path) -> bool {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    path.extension().is_some_and(|e| e == "rs")
        && parts.iter().any(|p| p == "src")
        && !parts
            .iter()
            .any(|p| p == "target" || p == ".git" || p == "solutions" || p == "node_modules")
}

/// A relative path with only normal components, or `None` for one that could leave its folder.
fn safe_relative(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!clean.as_os_str().is_empty()).then_some(clean)
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    limits: &Limits,
    entries: &mut Vec<Entry>,
    notes: &mut Vec<String>,
) -> Result<()> {
    if depth > 8 {
        return Ok(());
    }
    let mut children: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .collect();
    children.sort_by_key(|e| e.file_name());
    for child in children {
        let path = child.path();
        let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let kind = child.file_type()?;
        let name = child.file_name().to_string_lossy().into_owned();
        if kind.is_symlink() {
            if wanted(&relative) || relative.components().count() <= 3 {
                notes.push(format!(
                    "{}: a symbolic link, not followed",
                    relative.display()
                ));
            }
        } else if kind.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | ".git" | "node_modules" | "solutions"
            ) {
                walk(root, &path, depth + 1, limits, entries, notes)?;
            }
        } else if kind.is_file() && wanted(&relative) {
            let size = child.metadata()?.len();
            if size > limits.file_kib * 1024 {
                notes.push(format!(
                    "{}: larger than {} KiB, not taken",
                    relative.display(),
                    limits.file_kib
                ));
                continue;
            }
            let modified = child.metadata()?.modified().ok().map(unix_seconds);
            entries.push(Entry {
                bytes: std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                path: relative,
                modified,
            });
        }
    }
    Ok(())
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_folder_are_refused() {
        assert!(safe_relative("../evil.rs").is_none());
        assert!(safe_relative("a/../../evil.rs").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert_eq!(
            safe_relative("./exercises/01-speed-server/src/main.rs"),
            Some(PathBuf::from("exercises/01-speed-server/src/main.rs"))
        );
    }

    #[test]
    fn student_ids_are_safe_file_names() {
        assert_eq!(
            student_id(Path::new("/x/ada lovelace.tar.gz")),
            "ada_lovelace"
        );
        assert_eq!(student_id(Path::new("/x/bob.ZIP")), "bob");
        assert_eq!(student_id(Path::new("/x/..hidden")), "hidden");
    }

    #[test]
    fn solutions_build_output_and_non_rust_files_are_never_read() {
        assert!(wanted(Path::new("exercises/01-speed-server/src/main.rs")));
        assert!(!wanted(Path::new("solutions/01-speed-server/src/main.rs")));
        assert!(!wanted(Path::new(
            "exercises/01-speed-server/tests/check.rs"
        )));
        assert!(!wanted(Path::new("target/debug/build/x/src/a.rs")));
        assert!(!wanted(Path::new(
            "exercises/01-speed-server/src/notes.txt"
        )));
    }
}

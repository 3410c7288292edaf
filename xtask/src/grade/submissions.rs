//! Finding a class's submissions and reading the student's exercise sources out of them.
//!
//! A submission is a folder, a git repository, or a `.zip` / `.tar.gz` archive; its name is the
//! student id. Only `<exercise>/src/**/*.rs` files are taken, into memory: nothing of a submission
//! is ever unpacked where its own paths point, so an archive entry named `../../x` goes nowhere.
//! The exercise folders are found under `exercises/` (a copy of the workbook) or at the top (just
//! the exercises folder), below at most one wrapping folder.

use crate::exercises::{Catalogue, Exercise};
use crate::grade::git;
use crate::grade::rubric::Limits;
use anyhow::{bail, Context, Result};
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

#[derive(Clone, Copy)]
enum ArchiveKind {
    Zip,
    TarGz,
    Tar,
}

fn archive_kind(name: &str) -> Option<ArchiveKind> {
    let lower = name.to_lowercase();
    if lower.ends_with(".zip") {
        Some(ArchiveKind::Zip)
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else if lower.ends_with(".tar") {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
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

/// What an archive entry is, as far as taking it goes.
enum EntryKind {
    /// A folder or archive metadata: nothing to take or to report.
    Skip,
    /// A link, never followed; how to call it in the student's notes.
    Link(&'static str),
    File,
    Other,
}

/// The rule both archive kinds share: an entry becomes an [`Entry`] only if its name stays
/// inside the submission, it is a plain file, and it could hold exercise sources.
fn archive_entry(
    name: &str,
    kind: EntryKind,
    modified: Option<i64>,
    reader: &mut impl Read,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Option<Entry>> {
    if matches!(kind, EntryKind::Skip) {
        return Ok(None);
    }
    let Some(path) = safe_relative(name) else {
        notes.push(format!(
            "archive entry {name:?} points outside the submission: ignored"
        ));
        return Ok(None);
    };
    match kind {
        EntryKind::Link(what) => {
            notes.push(format!("{name}: {what}, not followed"));
            Ok(None)
        }
        EntryKind::File if wanted(&path) => Ok(read_capped(reader, limits, name, notes)?.map(
            |bytes| Entry {
                path,
                bytes,
                modified,
            },
        )),
        _ => Ok(None),
    }
}

fn from_zip(file: std::fs::File, limits: &Limits, notes: &mut Vec<String>) -> Result<Vec<Entry>> {
    let mut archive = zip::ZipArchive::new(file)?;
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut item = archive.by_index(index)?;
        let name = item.name().to_string();
        let kind = if item.is_dir() {
            EntryKind::Skip
        } else if item.is_symlink() {
            EntryKind::Link("a symbolic link")
        } else {
            EntryKind::File
        };
        let modified = item.last_modified().and_then(|t| zip_time_to_unix(&t));
        entries.extend(archive_entry(
            &name, kind, modified, &mut item, limits, notes,
        )?);
    }
    Ok(entries)
}

fn from_tar(reader: impl Read, limits: &Limits, notes: &mut Vec<String>) -> Result<Vec<Entry>> {
    let mut archive = tar::Archive::new(reader);
    let mut entries = Vec::new();
    for item in archive.entries()? {
        let mut item = item?;
        let name = String::from_utf8_lossy(&item.path_bytes()).into_owned();
        let header = item.header().entry_type();
        let kind = if header.is_dir()
            || header.is_pax_global_extensions()
            || header.is_pax_local_extensions()
        {
            EntryKind::Skip
        } else if header.is_symlink() || header.is_hard_link() {
            EntryKind::Link("a link")
        } else if header.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        };
        let modified = item.header().mtime().ok().map(|t| t as i64);
        entries.extend(archive_entry(
            &name, kind, modified, &mut item, limits, notes,
        )?);
    }
    Ok(entries)
}

fn from_git(path: &Path, limits: &Limits, submission: &mut Submission) -> Result<Vec<Entry>> {
    let dot_git = path.join(".git");
    let git_dir = match std::fs::symlink_metadata(&dot_git) {
        Ok(meta) if meta.file_type().is_dir() => dot_git.clone(),
        // A `.git` file or link points at a repository elsewhere, which may be anyone's.
        Ok(_) => bail!(
            "its .git is a link or a file pointing elsewhere (a worktree or submodule), so it              cannot be graded; ask for the repository itself (`git clone`) or an archive"
        ),
        Err(_) => path.to_path_buf(),
    };
    let commit = git::read_head(
        &git_dir,
        wanted,
        limits.file_kib * 1024,
        git_files_cap(limits),
    )
    .context("the git repository has no commit to grade")?;
    submission.notes.extend(commit.notes);
    // The commit time is when the work was handed in, whatever the files' own times say.
    let entries = commit
        .blobs
        .into_iter()
        .filter_map(|blob| {
            let path = safe_relative(&blob.path.to_string_lossy())?;
            Some(Entry {
                path,
                bytes: blob.bytes,
                modified: commit.time,
            })
        })
        .collect();
    if dot_git.is_dir() {
        submission
            .notes
            .push("a git repository: its last commit is graded, not uncommitted changes".into());
    }
    Ok(entries)
}

/// The most source files taken from one commit: room for every exercise's own cap.
fn git_files_cap(limits: &Limits) -> usize {
    limits.files_per_exercise.saturating_mul(32)
}

fn read_capped(
    reader: &mut impl Read,
    limits: &Limits,
    name: &str,
    notes: &mut Vec<String>,
) -> Result<Option<Vec<u8>>> {
    let cap = limits.file_kib * 1024;
    let mut bytes = Vec::new();
    reader.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        notes.push(format!(
            "{name}: larger than {} KiB, not taken",
            limits.file_kib
        ));
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Sorts files into exercises by the folder that holds their `src/`. That folder must be an
/// exercise's folder (`01-speed-server`), name (`speed-server`) or number (`01`, `ex01`), and lie
/// at the top, under `exercises/`, or under one wrapping folder.
fn sort_into_exercises(
    entries: Vec<Entry>,
    catalogue: &Catalogue,
    limits: &Limits,
    submission: &mut Submission,
) {
    // exercise name → (prefix depth, crate folder path) of the best candidate.
    let mut chosen: BTreeMap<String, (usize, PathBuf)> = BTreeMap::new();
    let mut ignored_folders = std::collections::BTreeSet::new();
    for entry in &entries {
        let Some((crate_dir, exercise)) = locate(&entry.path, catalogue) else {
            if let Some(folder) = src_parent(&entry.path) {
                ignored_folders.insert(folder);
            }
            continue;
        };
        let depth = crate_dir.components().count();
        let better = chosen
            .get(&exercise.name)
            .is_none_or(|(d, p)| depth < *d || (depth == *d && crate_dir < *p));
        if better {
            chosen.insert(exercise.name.clone(), (depth, crate_dir));
        }
    }
    for folder in ignored_folders {
        submission.notes.push(format!(
            "{}: not an exercise folder (expected names like 01-speed-server), ignored",
            folder.display()
        ));
    }
    let mut newest: Option<i64> = None;
    for entry in entries {
        let Some((crate_dir, exercise)) = locate(&entry.path, catalogue) else {
            continue;
        };
        if chosen.get(&exercise.name).map(|(_, p)| p) != Some(&crate_dir) {
            continue;
        }
        let Ok(inside) = entry.path.strip_prefix(crate_dir.join("src")) else {
            continue;
        };
        if !inside.components().all(|c| {
            c.as_os_str().to_str().is_some_and(|s| {
                s.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch))
            })
        }) {
            submission.notes.push(format!(
                "{}: not a name Rust can use as a module, ignored",
                entry.path.display()
            ));
            continue;
        }
        let sources = submission
            .exercises
            .entry(exercise.name.clone())
            .or_default();
        if sources.len() >= limits.files_per_exercise {
            submission.notes.push(format!(
                "{}: more than {} source files in {}, the rest ignored",
                entry.path.display(),
                limits.files_per_exercise,
                exercise.dir
            ));
            continue;
        }
        sources.insert(inside.to_path_buf(), entry.bytes);
        newest = newest.max(entry.modified);
    }
    submission.submitted = newest;
}

/// The crate folder (path up to `src`) and exercise of a source path, if it belongs to one.
fn locate<'a>(path: &Path, catalogue: &'a Catalogue) -> Option<(PathBuf, &'a Exercise)> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let src = parts.iter().position(|p| *p == "src")?;
    if src == 0 {
        return None;
    }
    let folder = parts[src - 1];
    let prefix = &parts[..src - 1];
    let prefix_ok = match prefix {
        [] | [_] => true,
        [.., last] if *last == "exercises" => prefix.len() <= 2,
        _ => false,
    };
    if !prefix_ok {
        return None;
    }
    let exercise = catalogue
        .exercises
        .iter()
        .find(|e| names_exercise(folder, e))?;
    Some((parts[..src].iter().collect(), exercise))
}

fn src_parent(path: &Path) -> Option<PathBuf> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let src = parts.iter().position(|p| *p == "src")?;
    (src > 0).then(|| parts[..src].iter().collect())
}

/// Whether a folder name names the exercise: `01-speed-server`, `speed-server`, `speed_server`,
/// `01`, `1`, `ex01`, `exercise-01` (case and `_`/`-` ignored).
fn names_exercise(folder: &str, exercise: &Exercise) -> bool {
    let folder = folder.to_lowercase().replace('_', "-");
    if folder == exercise.dir || folder == exercise.name {
        return true;
    }
    let digits = folder
        .trim_start_matches("exercise")
        .trim_start_matches("ex")
        .trim_start_matches('-');
    digits.parse::<u32>().ok() == Some(exercise.number)
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn zip_time_to_unix(time: &zip::DateTime) -> Option<i64> {
    let text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    humantime::parse_rfc3339(&text).ok().map(unix_seconds)
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

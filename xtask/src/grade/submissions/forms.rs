//! Reading each form of hand-in other than a plain folder into entries: `.zip`, `.tar.gz` (both
//! without unpacking anything to disk) and git repositories (through `git.rs`, which runs nothing
//! of the hand-in's own).

use super::*;

#[derive(Clone, Copy)]
pub(super) enum ArchiveKind {
    Zip,
    TarGz,
    Tar,
}

pub(super) fn archive_kind(name: &str) -> Option<ArchiveKind> {
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

/// What an archive entry is, as far as taking it goes.
pub(super) enum EntryKind {
    /// A folder or archive metadata: nothing to take or to report.
    Skip,
    /// A link, never followed; how to call it in the student's notes.
    Link(&'static str),
    File,
    Other,
}

/// The rule both archive kinds share: an entry becomes an [`Entry`] only if its name stays
/// inside the submission, it is a plain file, and it could hold exercise sources.
pub(super) fn archive_entry(
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

pub(super) fn from_zip(
    file: std::fs::File,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<Entry>> {
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

pub(super) fn from_tar(
    reader: impl Read,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<Entry>> {
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

pub(super) fn from_git(
    path: &Path,
    limits: &Limits,
    submission: &mut Submission,
) -> Result<Vec<Entry>> {
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
pub(super) fn git_files_cap(limits: &Limits) -> usize {
    limits.files_per_exercise.saturating_mul(32)
}

pub(super) fn read_capped(
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

pub(super) fn zip_time_to_unix(time: &zip::DateTime) -> Option<i64> {
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

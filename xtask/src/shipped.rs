//! The exercises as shipped, kept findable after a student commits their own work.
//!
//! `exercises/shipped.toml` records, for each exercise folder, the id of its git tree as the
//! workbook shipped it (`git rev-parse HEAD:exercises/<dir>` in the workbook's own repository).
//! Git keeps that tree in every clone made from the workbook, whatever the student commits on
//! top, so `reset` reads the shipped files from it instead of from `HEAD` (which, once a student
//! commits, is their work). `verify` checks that the record matches `HEAD`, so a maintainer who
//! changes an exercise is told to run `cargo xtask verify --record-shipped`.

use crate::git::run as git;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The record, relative to the project root.
pub const RECORD: &str = "exercises/shipped.toml";

const HEADER: &str = "\
# The git tree of each exercise as shipped, so that `cargo xtask reset` puts back the shipped
# version even after you commit your own work. Written by `cargo xtask verify --record-shipped`
# (maintainers, after changing an exercise); `cargo xtask verify` checks it.
";

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Record {
    #[serde(default)]
    shipped: BTreeMap<String, String>,
}

/// The recorded tree id of each exercise folder (`01-speed-server` → `3f2a…`); empty when the
/// record is missing.
pub fn load(root: &Path) -> Result<BTreeMap<String, String>> {
    let path = root.join(RECORD);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(error).with_context(|| format!("cannot read {RECORD}")),
    };
    let record: Record = toml::from_str(&text).with_context(|| format!("{RECORD} is not valid"))?;
    Ok(record.shipped)
}

/// Writes the record for `dirs`, taking each folder's tree from `HEAD`.
pub fn record(root: &Path, dirs: &[&str]) -> Result<BTreeMap<String, String>> {
    let mut shipped = BTreeMap::new();
    for dir in dirs {
        shipped.insert(dir.to_string(), head_tree(root, dir)?);
    }
    let text = toml::to_string(&Record {
        shipped: shipped.clone(),
    })
    .context("cannot write the record")?;
    std::fs::write(root.join(RECORD), format!("{HEADER}\n{text}"))
        .with_context(|| format!("cannot write {RECORD}"))?;
    Ok(shipped)
}

/// What `git status` says of the exercises (the record itself left out): empty when every
/// exercise is committed as it is on disk.
pub fn uncommitted(root: &Path) -> Result<String> {
    let pathspec = format!(":!{RECORD}");
    let status = git(
        root,
        &["status", "--porcelain", "--", "exercises", &pathspec],
    )?;
    Ok(String::from_utf8_lossy(&status).trim().to_string())
}

/// The id of `exercises/<dir>`'s tree in `HEAD`.
pub fn head_tree(root: &Path, dir: &str) -> Result<String> {
    let id = git(root, &["rev-parse", &format!("HEAD:exercises/{dir}")])?;
    Ok(String::from_utf8_lossy(&id).trim().to_string())
}

/// Whether this repository holds the tree `id`.
pub fn has_tree(root: &Path, id: &str) -> bool {
    git(root, &["cat-file", "-e", &format!("{id}^{{tree}}")]).is_ok()
}

/// Every file of the tree `id`, as `(path inside the tree, content)`.
pub fn files(root: &Path, id: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let listing = git(root, &["ls-tree", "-r", "-z", id])?;
    let mut files = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // `<mode> blob <object>\t<path>`
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            bail!("git ls-tree printed an unexpected line: {entry}");
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        if fields.get(1) != Some(&"blob") {
            continue;
        }
        let content = git(root, &["cat-file", "blob", fields[2]])?;
        files.push((path.to_string(), content));
    }
    if files.is_empty() {
        bail!("the git tree {id} holds no files");
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn run(root: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?} failed");
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A repository with one shipped exercise, recorded, then a student's commit on top.
    fn workbook_with_a_student_commit() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run(root, &["init", "-q"]);
        write(
            root,
            "exercises/01-x/src/main.rs",
            "fn main() { todo!() }\n",
        );
        write(root, "exercises/01-x/Cargo.toml", "[package]\n");
        run(root, &["add", "-A"]);
        run(root, &["commit", "-q", "-m", "ship"]);
        record(root, &["01-x"]).unwrap();
        run(root, &["add", "-A"]);
        run(root, &["commit", "-q", "-m", "record"]);
        write(
            root,
            "exercises/01-x/src/main.rs",
            "fn main() { println!(\"mine\") }\n",
        );
        run(root, &["commit", "-q", "-am", "my solution"]);
        dir
    }

    #[test]
    fn the_shipped_files_survive_a_students_commit() {
        let dir = workbook_with_a_student_commit();
        let recorded = load(dir.path()).unwrap();
        let tree = &recorded["01-x"];
        assert!(has_tree(dir.path(), tree));
        assert_ne!(
            &head_tree(dir.path(), "01-x").unwrap(),
            tree,
            "HEAD holds the student's work now"
        );
        let files: BTreeMap<String, String> = files(dir.path(), tree)
            .unwrap()
            .into_iter()
            .map(|(p, c)| (p, String::from_utf8(c).unwrap()))
            .collect();
        assert_eq!(files["src/main.rs"], "fn main() { todo!() }\n");
        assert_eq!(files["Cargo.toml"], "[package]\n");
    }

    #[test]
    fn a_missing_record_is_empty_and_an_unknown_tree_is_absent() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &["init", "-q"]);
        assert!(load(dir.path()).unwrap().is_empty());
        assert!(!has_tree(
            dir.path(),
            "0123456789abcdef0123456789abcdef01234567"
        ));
    }

    #[test]
    fn the_workbooks_record_names_every_exercise() {
        let root = workbook_harness::project_root();
        let recorded = load(&root).unwrap();
        for exercise in crate::exercises::Catalogue::load().unwrap().exercises {
            assert!(
                recorded.contains_key(&exercise.dir),
                "{RECORD} has no entry for {}: run `cargo xtask verify --record-shipped`",
                exercise.dir
            );
        }
    }
}

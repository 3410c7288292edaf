//! Reading the last commit of a git hand-in without running anything of the hand-in's own.
//!
//! A repository carries more than its objects: a `config` (filters, `core.fsmonitor`, hooks
//! paths, includes), attributes, hooks and `objects/info/alternates` (other repositories'
//! objects, the instructor's among them, borrowed by path). Any git command pointed at the hand-in
//! itself would honour them, and the grader often runs as root. So nothing of the hand-in is ever
//! given to git: its plain object files (loose objects and packs, never a link and never
//! `objects/info/`) are copied into a fresh repository in a temporary folder, `HEAD` is resolved
//! here from the hand-in's ref files, and the trees and blobs are read from the copy with
//! `git cat-file --batch`, which applies no filters, with no system, global or
//! hand-in configuration and hooks switched off.
//!
//! This module must not decide which files are wanted or how large they may be: it returns the
//! blobs the caller's `wanted` accepts, and the caller applies the submission's caps.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// The most of a hand-in's objects copied; a class's repositories are a few MiB each.
const OBJECTS_LIMIT: u64 = 512 * 1024 * 1024;
/// The most object files copied.
const OBJECT_FILES_LIMIT: usize = 100_000;
/// The most bytes of a ref file (`HEAD`, `refs/heads/main`, `packed-refs`) read.
const REF_FILE_LIMIT: u64 = 4 * 1024 * 1024;
/// The most symbolic refs followed from `HEAD`.
const REF_DEPTH: usize = 5;

/// One file of the commit: its path in the tree, and its bytes when the caller took it.
pub struct Blob {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// What was read from a hand-in's last commit.
pub struct Commit {
    /// The files `wanted` accepted, no larger than the cap.
    pub blobs: Vec<Blob>,
    /// When it was committed (seconds since 1970), if the commit says.
    pub time: Option<i64>,
    /// What was skipped and why, for the student's feedback.
    pub notes: Vec<String>,
}

/// Reads the commit `HEAD` names in the repository `git_dir` (a `.git` folder or a bare
/// repository): the blobs whose paths `wanted` accepts, each at most `file_cap` bytes, at most
/// `files_cap` of them.
pub fn read_head(
    git_dir: &Path,
    wanted: impl Fn(&Path) -> bool,
    file_cap: u64,
    files_cap: usize,
) -> Result<Commit> {
    let head = resolve_head(git_dir)?;
    let scratch = tempfile::Builder::new()
        .prefix("workbook-handin-")
        .tempdir()
        .context("cannot create a temporary folder to read the git repository in")?;
    let copy = Isolated::create(&scratch, &head)?;
    copy_objects(&git_dir.join("objects"), &copy.objects())?;
    let commit = copy
        .text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{head}^{{commit}}"),
        ])
        .map(|id| id.trim().to_string())
        .with_context(|| {
            format!("HEAD names {head}, which is not a commit the repository holds")
        })?;
    let time = copy
        .text(&["cat-file", "commit", &commit])
        .ok()
        .and_then(|text| committer_time(&text));

    let tree = copy
        .text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{commit}^{{tree}}"),
        ])
        .map(|id| id.trim().to_string())
        .context("the last commit has no tree the repository holds")?;
    let mut notes = Vec::new();
    let mut batch = copy.batch()?;
    let blobs = walk(&mut batch, &tree, &wanted, file_cap, files_cap, &mut notes)?;
    Ok(Commit { blobs, time, notes })
}

/// The most trees of one commit read; a whole workbook has a few hundred.
const TREES_LIMIT: usize = 20_000;
/// The most bytes of one tree object read.
const TREE_LIMIT: u64 = 4 * 1024 * 1024;

/// Reads the tree `root` and the trees below it, taking the blobs `wanted` accepts. An object
/// the copy does not hold (a hand-in may name objects it does not carry, borrowed from another
/// repository) is left out with a note, as are links, blobs over `file_cap` and files past
/// `files_cap`.
fn walk(
    batch: &mut Batch,
    root: &str,
    wanted: &impl Fn(&Path) -> bool,
    file_cap: u64,
    files_cap: usize,
    notes: &mut Vec<String>,
) -> Result<Vec<Blob>> {
    let id_bytes = if root.len() == 64 { 32 } else { 20 };
    let mut blobs = Vec::new();
    let mut pending = vec![(root.to_string(), PathBuf::new())];
    let mut trees = 0;
    'trees: while let Some((tree, folder)) = pending.pop() {
        trees += 1;
        if trees > TREES_LIMIT {
            notes.push(format!(
                "the last commit has more than {TREES_LIMIT} folders; the rest were not read"
            ));
            break;
        }
        let bytes = match batch.get(&tree, "tree", TREE_LIMIT)? {
            Found::Object(bytes) => bytes,
            Found::Missing => {
                notes.push(missing(&folder, &tree));
                continue;
            }
            Found::TooLarge | Found::Other => continue,
        };
        for (mode, name, id) in tree_entries(&bytes, id_bytes) {
            let path = folder.join(&name);
            match mode.as_str() {
                "40000" => pending.push((id, path)),
                "100644" | "100755" if wanted(&path) => {
                    if blobs.len() >= files_cap {
                        notes.push(format!(
                            "{}: more than {files_cap} source files in the commit, the rest ignored",
                            path.display()
                        ));
                        break 'trees;
                    }
                    match batch.get(&id, "blob", file_cap)? {
                        Found::Object(bytes) => blobs.push(Blob { path, bytes }),
                        Found::Missing => notes.push(missing(&path, &id)),
                        Found::TooLarge => notes.push(format!(
                            "{}: larger than {} KiB, not taken",
                            path.display(),
                            file_cap / 1024
                        )),
                        Found::Other => {}
                    }
                }
                "120000" if wanted(&path) => {
                    notes.push(format!("{}: a symbolic link, not followed", path.display()))
                }
                _ => {}
            }
        }
    }
    blobs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(blobs)
}

fn missing(path: &Path, id: &str) -> String {
    format!(
        "{}: the commit names object {id}, which the repository does not hold \
         (objects borrowed from another repository are not read), not taken",
        if path.as_os_str().is_empty() {
            Path::new("the top folder")
        } else {
            path
        }
        .display()
    )
}

/// The entries of a tree object: `<mode> <name>\0<id as bytes>` after one another.
fn tree_entries(bytes: &[u8], id_bytes: usize) -> Vec<(String, String, String)> {
    let mut entries = Vec::new();
    let mut rest = bytes;
    while let Some(space) = rest.iter().position(|b| *b == b' ') {
        let Some(nul) = rest.iter().position(|b| *b == 0) else {
            break;
        };
        if nul < space || rest.len() < nul + 1 + id_bytes {
            break;
        }
        let mode = String::from_utf8_lossy(&rest[..space]).into_owned();
        let name = String::from_utf8_lossy(&rest[space + 1..nul]).into_owned();
        let id: String = rest[nul + 1..nul + 1 + id_bytes]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        rest = &rest[nul + 1 + id_bytes..];
        // A name git would refuse to check out (`..`, `a/b`) is no path of the hand-in.
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            continue;
        }
        entries.push((mode, name, id));
    }
    entries
}

/// What `git cat-file --batch` had for an object id.
enum Found {
    Object(Vec<u8>),
    Missing,
    /// Larger than the cap asked for (its bytes are read and dropped).
    TooLarge,
    /// An object of another kind than asked for.
    Other,
}

/// One `git cat-file --batch` on the copy, asked one object at a time (it answers each request
/// at once, since its output is not buffered without `--buffer`).
struct Batch {
    child: std::process::Child,
    requests: std::process::ChildStdin,
    answers: BufReader<std::process::ChildStdout>,
}

impl Batch {
    fn get(&mut self, id: &str, kind: &str, cap: u64) -> Result<Found> {
        writeln!(self.requests, "{id}")
            .and_then(|()| self.requests.flush())
            .context("git cat-file stopped reading")?;
        let mut header = String::new();
        self.answers
            .read_line(&mut header)
            .context("git cat-file stopped answering")?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        let (found, size) = match fields.as_slice() {
            [_, "missing"] => return Ok(Found::Missing),
            [_, found, size] => (
                *found,
                size.parse::<u64>()
                    .with_context(|| format!("git cat-file said {header:?}"))?,
            ),
            _ => bail!("git cat-file gave an unexpected answer for {id}: {header:?}"),
        };
        // The contents and the newline after them; what is not wanted is read and dropped,
        // never kept (a small object file can unpack to gigabytes).
        let mut contents = (&mut self.answers).take(size + 1);
        if found != kind || size > cap {
            std::io::copy(&mut contents, &mut std::io::sink())
                .context("git cat-file stopped answering")?;
            return Ok(if found != kind {
                Found::Other
            } else {
                Found::TooLarge
            });
        }
        let mut bytes = Vec::new();
        contents
            .read_to_end(&mut bytes)
            .context("git cat-file stopped answering")?;
        bytes.pop();
        Ok(Found::Object(bytes))
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh repository of the grader's own, and git run on it with nothing configured.
struct Isolated {
    repository: PathBuf,
    home: PathBuf,
}

impl Isolated {
    /// An empty bare repository in `scratch`, for objects named like `head` (SHA-1 or SHA-256).
    fn create(scratch: &TempDir, head: &str) -> Result<Isolated> {
        let isolated = Isolated {
            repository: scratch.path().join("repository.git"),
            home: scratch.path().join("home"),
        };
        std::fs::create_dir_all(&isolated.home)
            .with_context(|| format!("cannot create {}", isolated.home.display()))?;
        let format = if head.len() == 64 { "sha256" } else { "sha1" };
        let mut init = isolated.git();
        // An empty template: not even the sample hooks are copied in.
        init.args(["init", "--quiet", "--bare", "--template="])
            .arg(format!("--object-format={format}"))
            .arg(&isolated.repository);
        run(init).context("cannot create a temporary git repository")?;
        Ok(isolated)
    }

    fn objects(&self) -> PathBuf {
        self.repository.join("objects")
    }

    /// `git` with no configuration but this repository's (made here), no hooks, no fsmonitor,
    /// and an environment of its own, so no `GIT_*` variable of the grader's steers it.
    fn git(&self) -> Command {
        let mut command = Command::new("git");
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .args(["-c", "core.hooksPath=/dev/null"])
            .args(["-c", "core.fsmonitor=false"])
            .args(["-c", "protocol.allow=never"])
            .stdin(Stdio::null());
        command
    }

    /// `git args…` on the copy: its standard output.
    fn bytes(&self, args: &[&str]) -> Result<Vec<u8>> {
        let mut command = self.git();
        command.arg("--git-dir").arg(&self.repository).args(args);
        run(command)
    }

    fn text(&self, args: &[&str]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.bytes(args)?).into_owned())
    }

    /// A `git cat-file --batch` on the copy.
    fn batch(&self) -> Result<Batch> {
        let mut command = self.git();
        command
            .arg("--git-dir")
            .arg(&self.repository)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().context("cannot run git cat-file")?;
        let requests = child.stdin.take().context("git cat-file has no input")?;
        let answers = child.stdout.take().context("git cat-file has no output")?;
        Ok(Batch {
            child,
            requests,
            answers: BufReader::new(answers),
        })
    }
}

/// Runs `command` to its end: its standard output, or an error with what git said.
fn run(mut command: Command) -> Result<Vec<u8>> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .context("cannot run git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "git said: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// The object id `HEAD` names: directly, or through ref files and `packed-refs`, read here as
/// plain files (never through a link).
fn resolve_head(git_dir: &Path) -> Result<String> {
    let mut target = read_small(&git_dir.join("HEAD"))
        .context("the git repository has no HEAD")?
        .trim()
        .to_string();
    for _ in 0..REF_DEPTH {
        let Some(name) = target.strip_prefix("ref:").map(str::trim) else {
            return object_id(&target)
                .with_context(|| format!("HEAD does not name a commit ({target:?})"));
        };
        let name = ref_path(name)?;
        let file = git_dir.join(&name);
        target = if plain_file(&file) {
            read_small(&file)?.trim().to_string()
        } else {
            packed_ref(git_dir, &name)?.with_context(|| {
                format!(
                    "the git repository has no commit to grade (HEAD names {}, which does not exist)",
                    name.display()
                )
            })?
        };
    }
    bail!("HEAD goes through more than {REF_DEPTH} symbolic refs")
}

/// A ref name as a path inside the repository, refused when it could leave it.
fn ref_path(name: &str) -> Result<PathBuf> {
    let path = Path::new(name);
    let normal = path.components().all(|c| matches!(c, Component::Normal(_)));
    if !normal || !name.starts_with("refs/") {
        bail!("HEAD names {name:?}, which is not a ref inside the repository");
    }
    Ok(path.to_path_buf())
}

/// The id `packed-refs` gives `name`, if it lists it.
fn packed_ref(git_dir: &Path, name: &Path) -> Result<Option<String>> {
    let file = git_dir.join("packed-refs");
    if !plain_file(&file) {
        return Ok(None);
    }
    let text = read_small(&file)?;
    let name = name.to_string_lossy();
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .filter_map(|l| l.split_once(' '))
        .find(|(_, n)| n.trim() == name)
        .map(|(id, _)| id.trim().to_string()))
}

/// `text` if it is an object id (40 or 64 hexadecimal digits).
fn object_id(text: &str) -> Option<String> {
    let hex = text.chars().all(|c| c.is_ascii_hexdigit());
    (hex && (text.len() == 40 || text.len() == 64)).then(|| text.to_ascii_lowercase())
}

/// A regular file, not a link to one.
fn plain_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

fn read_small(path: &Path) -> Result<String> {
    if !plain_file(path) {
        bail!("{} is not a plain file", path.display());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(REF_FILE_LIMIT).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Copies the object files of `from` into `to`: loose objects (`xx/<rest of the id>`) and packs
/// (`pack/pack-*.pack` with their `.idx`), plain files only. `info/` (alternates and the like)
/// and anything else is left behind.
fn copy_objects(from: &Path, to: &Path) -> Result<()> {
    let is_folder = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir());
    if !is_folder(from) {
        bail!("the git repository has no objects folder (or it is a link)");
    }
    let mut budget = (OBJECTS_LIMIT, OBJECT_FILES_LIMIT);
    let mut copy = |source: &Path, folder: &Path, name: &std::ffi::OsStr| -> Result<()> {
        let size = std::fs::symlink_metadata(source)?.len();
        if budget.1 == 0 || size > budget.0 {
            bail!(
                "the git repository's objects are larger than {} MiB or more than {} files; \
                 hand in a fresh clone (`git clone`), or the exercise folders as an archive",
                OBJECTS_LIMIT / 1024 / 1024,
                OBJECT_FILES_LIMIT
            );
        }
        budget = (budget.0 - size, budget.1 - 1);
        std::fs::create_dir_all(folder)?;
        std::fs::copy(source, folder.join(name))
            .with_context(|| format!("cannot copy {}", source.display()))?;
        Ok(())
    };
    for entry in sorted_entries(from)? {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        let path = entry.path();
        if text.len() == 2 && text.chars().all(|c| c.is_ascii_hexdigit()) && is_folder(&path) {
            for object in sorted_entries(&path)? {
                let object_name = object.file_name();
                let rest = object_name.to_string_lossy();
                let id_like = (rest.len() == 38 || rest.len() == 62)
                    && rest.chars().all(|c| c.is_ascii_hexdigit());
                if id_like && plain_file(&object.path()) {
                    copy(&object.path(), &to.join(&name), &object_name)?;
                }
            }
        } else if text == "pack" && is_folder(&path) {
            for pack in sorted_entries(&path)? {
                let pack_name = pack.file_name();
                let file = pack_name.to_string_lossy();
                let kept = file.starts_with("pack-")
                    && (file.ends_with(".pack") || file.ends_with(".idx"));
                if kept && plain_file(&pack.path()) {
                    copy(&pack.path(), &to.join("pack"), &pack_name)?;
                }
            }
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// The committer's time of a commit object's text.
fn committer_time(commit: &str) -> Option<i64> {
    let line = commit
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.starts_with("committer "))?;
    let mut fields = line.rsplit(' ');
    let _zone = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-in repository in `dir` with `files` committed, made with the machine's git.
    fn repository(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().expect("a folder")).expect("create folders");
            std::fs::write(file, text).expect("write a file");
        }
        git(dir, &["init", "--quiet"]);
        git(dir, &["add", "."]);
        git(dir, &["commit", "--quiet", "-m", "my work"]);
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=Student", "-c", "user.email=s@example.org"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn rust_sources(path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "rs")
    }

    /// The paths and texts read from the hand-in in `dir`.
    #[track_caller]
    fn check(dir: &Path, expected: &[(&str, &str)]) -> Commit {
        let commit = read_head(&dir.join(".git"), rust_sources, 64 * 1024, 100)
            .unwrap_or_else(|error| panic!("the hand-in could not be read: {error:#}"));
        let read: Vec<(String, String)> = commit
            .blobs
            .iter()
            .map(|b| {
                (
                    b.path.to_string_lossy().into_owned(),
                    String::from_utf8_lossy(&b.bytes).into_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        assert_eq!(read, expected, "what was read of the last commit");
        commit
    }

    const MAIN: (&str, &str) = ("exercises/01-speed-server/src/main.rs", "fn main() {}\n");

    #[test]
    fn the_last_commit_is_read_with_its_time() {
        let dir = TempDir::new().expect("scratch");
        repository(dir.path(), &[MAIN, ("README.md", "notes")]);
        std::fs::write(dir.path().join(MAIN.0), "uncommitted").expect("edit");
        let commit = check(dir.path(), &[MAIN]);
        let expected: i64 = git(dir.path(), &["log", "-1", "--format=%ct"])
            .parse()
            .expect("a time");
        assert_eq!(commit.time, Some(expected), "the commit's time");
    }

    #[test]
    fn a_packed_repository_with_packed_refs_is_read() {
        let dir = TempDir::new().expect("scratch");
        repository(dir.path(), &[MAIN]);
        git(dir.path(), &["gc", "--quiet", "--aggressive"]);
        assert!(
            dir.path().join(".git/packed-refs").is_file(),
            "git gc packs the refs"
        );
        check(dir.path(), &[MAIN]);
    }

    #[test]
    fn the_hand_ins_filters_fsmonitor_and_hooks_never_run() {
        let dir = TempDir::new().expect("scratch");
        repository(dir.path(), &[MAIN]);
        let marker = dir.path().join("ran");
        let touch = format!("sh -c 'touch {}; cat'", marker.display());
        for (key, value) in [
            ("filter.evil.smudge", touch.as_str()),
            ("filter.evil.clean", touch.as_str()),
            ("filter.evil.process", touch.as_str()),
            ("core.fsmonitor", touch.as_str()),
            ("core.pager", touch.as_str()),
        ] {
            git(dir.path(), &["config", key, value]);
        }
        std::fs::write(dir.path().join(".git/info/attributes"), "* filter=evil\n")
            .expect("attributes");
        for hook in [
            "post-checkout",
            "pre-commit",
            "post-index-change",
            "reference-transaction",
        ] {
            let path = dir.path().join(".git/hooks").join(hook);
            std::fs::write(&path, format!("#!/bin/sh\ntouch {}\n", marker.display()))
                .expect("a hook");
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .expect("executable");
        }
        check(dir.path(), &[MAIN]);
        assert!(
            !marker.exists(),
            "a filter, the fsmonitor or a hook of the hand-in ran"
        );
    }

    #[test]
    fn objects_borrowed_from_another_repository_are_not_read() {
        let lender = TempDir::new().expect("scratch");
        repository(
            lender.path(),
            &[("secret/src/main.rs", "const SOLUTION: u8 = 1;\n")],
        );
        let blob = git(lender.path(), &["rev-parse", "HEAD:secret/src/main.rs"]);
        let dir = TempDir::new().expect("scratch");
        git(dir.path(), &["init", "--quiet"]);
        std::fs::write(
            dir.path().join(".git/objects/info/alternates"),
            format!("{}\n", lender.path().join(".git/objects").display()),
        )
        .expect("alternates");
        git(
            dir.path(),
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("100644,{blob},{}", MAIN.0),
            ],
        );
        // A file of its own too, so that its src/ tree is its own and only the blob borrowed.
        let own = (
            "exercises/01-speed-server/src/speed.rs",
            "pub const MAX: i32 = 100;\n",
        );
        let file = dir.path().join(own.0);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("folders");
        std::fs::write(&file, own.1).expect("a file");
        git(dir.path(), &["add", own.0]);
        git(dir.path(), &["commit", "--quiet", "-m", "borrowed"]);
        let commit = check(dir.path(), &[own]);
        assert!(
            commit.notes.iter().any(|n| n.contains(&blob)),
            "the note names the object that is not there: {:?}",
            commit.notes
        );
    }

    #[test]
    fn a_linked_object_file_is_not_followed() {
        let lender = TempDir::new().expect("scratch");
        repository(lender.path(), &[MAIN]);
        let dir = TempDir::new().expect("scratch");
        let copied = dir.path().join("handin");
        std::fs::create_dir_all(&copied).expect("folder");
        // The same commit, every object file a link into the other repository.
        let status = Command::new("cp")
            .args(["-r", "-s"])
            .arg(lender.path().join(".git"))
            .arg(&copied)
            .status()
            .expect("cp runs");
        assert!(status.success(), "cp -rs");
        for file in ["HEAD", "refs/heads/master", "refs/heads/main"] {
            let path = copied.join(".git").join(file);
            if let Ok(text) = std::fs::read_to_string(&path) {
                std::fs::remove_file(&path).expect("unlink");
                std::fs::write(&path, text).expect("a plain ref file");
            }
        }
        let error = read_head(&copied.join(".git"), rust_sources, 64 * 1024, 100)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            error.contains("not a commit the repository holds"),
            "linked objects were read: {error}"
        );
    }

    #[test]
    fn a_head_outside_the_refs_is_refused() {
        let dir = TempDir::new().expect("scratch");
        repository(dir.path(), &[MAIN]);
        std::fs::write(dir.path().join(".git/HEAD"), "ref: ../../etc/passwd\n").expect("HEAD");
        let error = read_head(&dir.path().join(".git"), rust_sources, 64 * 1024, 100)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(error.contains("not a ref inside the repository"), "{error}");
    }
}

//! A target folder shared by several clones of the workbook, kept from handing one clone the
//! programs another clone built.
//!
//! Instructors grade many repositories with one `CARGO_TARGET_DIR`, so rclrs compiles once. But
//! cargo names the build output of a workspace package after the package's path *relative to the
//! workspace root*, and judges it up to date by modification times: in clone B, the files clone A
//! built have the same names, and when B's sources are older than A's build, cargo reuses them.
//! B then runs A's xtask, A's check suites and A's reference programs, or links A's libraries into
//! its own binaries. Registry crates (rclrs and the rest) are the same code in every clone;
//! sharing those is the point of sharing the folder.
//!
//! [`claim`] keeps a marker, `<target>/workbook-root`, naming the clone whose workspace packages
//! were last built there. The same clone costs a file read. Another clone's name makes it run
//! `cargo clean -p` for every package of this workspace (in `debug/` and `release/`), so cargo
//! builds them again from this clone's files; then the marker names this clone. No marker at all
//! (a new folder, or one from before the marker existed) is taken to be this clone's.
//!
//! Two clones at the same time: cargo's own lock makes their builds wait for each other, but
//! nothing in cargo keeps B from replacing the programs A has just built and is about to run. So
//! a claim also holds a shared lock on `<target>/workbook-root.lock` until the process ends, and
//! taking the folder over needs that lock alone: B is refused, with A's name, while any process
//! that claimed the folder for A still runs. Not covered: plain `cargo` commands typed by hand,
//! which neither take the lock nor write the marker, and `--target <triple>` folders.
//!
//! This module must not clean registry crates, touch anything outside the target folder, or
//! build anything itself.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The marker file in the target folder: the root of the clone that last built there.
pub const MARKER: &str = "workbook-root";
/// The lock file beside it: held shared by every process using the folder for one clone.
const LOCK: &str = "workbook-root.lock";
/// How long a take-over waits for the lock before it names the clone still using the folder.
/// Another process of the same clone taking over at the same moment needs a second or two.
const TAKE_OVER_DEADLINE: Duration = Duration::from_secs(10);
/// The profile folders the workbook builds into (`cargo build`/`test` and `--release`).
pub(crate) const PROFILES: [(&str, &str); 2] = [("debug", "dev"), ("release", "release")];

/// What a claim found in the target folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The folder held this clone's build (or no workbook's at all).
    Ours,
    /// The folder held another clone's build, named `from` when the marker said so; this clone's
    /// workspace packages have been cleaned out of it and will be built again.
    TakenOver { from: Option<PathBuf> },
}

/// Makes sure the workspace packages in `target` are built from the clone at `root` from now on,
/// cleaning them out when the marker names another clone, and holds the folder for this clone
/// until the process ends. Call it before building anything into `target`.
pub fn claim(root: &Path, target: &Path) -> Result<Claim> {
    acquire(root, target, false)
}

/// Like [`claim`], but cleans the workspace packages even when the marker names this clone: for
/// a caller that knows its own binary came from another clone (its compiled-in root differs).
pub fn take_over(root: &Path, target: &Path) -> Result<Claim> {
    acquire(root, target, true)
}

/// The clone the marker in `target` names, if any.
pub fn marked_root(target: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(target.join(MARKER)).ok()?;
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| PathBuf::from(line))
}

/// Whether two paths name the same folder (symbolic links and `..` resolved where possible).
pub fn same_folder(a: &Path, b: &Path) -> bool {
    let resolve = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    resolve(a) == resolve(b)
}

/// The lock files this process holds, one per target folder, kept open until it exits.
static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());

fn acquire(root: &Path, target: &Path, force: bool) -> Result<Claim> {
    std::fs::create_dir_all(target)
        .with_context(|| format!("cannot create the target folder {}", target.display()))?;
    // One thread at a time in this process, each on the one descriptor this process holds for
    // `target` (two descriptors of one process would block each other's exclusive lock).
    let mut held = HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let index = match held.iter().position(|(t, _)| same_folder(t, target)) {
        Some(index) => index,
        None => {
            let path = target.join(LOCK);
            let file = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("cannot open the lock file {}", path.display()))?;
            held.push((target.to_path_buf(), file));
            held.len() - 1
        }
    };
    let lock = &held[index].1;
    let deadline = Instant::now() + TAKE_OVER_DEADLINE;
    loop {
        if !force && held_now(lock.try_lock_shared())? {
            match marked_root(target) {
                Some(marked) if same_folder(&marked, root) => return Ok(Claim::Ours),
                // Writing or changing the marker needs the lock alone: let go and take it so.
                _ => lock
                    .unlock()
                    .context("cannot unlock the target folder's workbook-root.lock")?,
            }
        }
        if held_now(lock.try_lock())? {
            // Read again: another process of this clone may have taken over meanwhile.
            let marked = marked_root(target);
            let claim = match &marked {
                Some(marked) if !force && same_folder(marked, root) => Claim::Ours,
                None if !force => Claim::Ours,
                _ => {
                    clean_workspace(root, target)?;
                    Claim::TakenOver { from: marked }
                }
            };
            let written = write_marker(root, target);
            // Back to sharing, so this clone's other processes (the tests xtask starts) get in.
            held_now(lock.try_lock_shared())?;
            written?;
            return Ok(claim);
        }
        if Instant::now() > deadline {
            let user = marked_root(target)
                .map(|m| m.display().to_string())
                .unwrap_or_else(|| "another clone".into());
            bail!(
                "the target folder {} is in use by another clone of the workbook ({user}), and two \
                 clones cannot build there at the same time: their programs have the same file \
                 names. Fix: wait until its `cargo xtask` or tests have ended, or give this clone \
                 a target folder of its own (CARGO_TARGET_DIR={}/target)",
                target.display(),
                root.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A lock attempt that does not wait: true when the lock is now held. (On Linux, std's file
/// locks are `flock`, and taking the other kind of lock on the same file converts the one held.)
fn held_now(attempt: Result<(), std::fs::TryLockError>) -> Result<bool> {
    match attempt {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).context("cannot lock the target folder's workbook-root.lock")
        }
    }
}

fn write_marker(root: &Path, target: &Path) -> Result<()> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // Written aside and renamed, so a reader never sees half a path.
    let partial = target.join(format!("{MARKER}.{}", std::process::id()));
    std::fs::write(&partial, format!("{}\n", root.display()))
        .and_then(|()| std::fs::rename(&partial, target.join(MARKER)))
        .with_context(|| format!("cannot write {}", target.join(MARKER).display()))
}

/// `cargo clean -p` for every package of the workspace at `root`, in each profile folder that
/// exists. By package name, so registry crates stay; cargo removes the other clone's files of the
/// same names with them, which is the point.
fn clean_workspace(root: &Path, target: &Path) -> Result<()> {
    let packages = workspace_packages(root)?;
    for (folder, profile) in PROFILES {
        if !target.join(folder).is_dir() {
            continue;
        }
        cargo_clean(root, target, profile, &packages).map_err(|problem| {
            anyhow::anyhow!(
                "cargo clean could not remove another clone's build of this workspace from {}: \
                 {problem}",
                target.join(folder).display()
            )
        })?;
    }
    Ok(())
}

/// `cargo clean --profile <profile> -p <package>…` of the package or workspace at `dir`, in
/// `target`. `Err` holds what went wrong, in words, for the caller to say where.
pub(crate) fn cargo_clean(
    dir: &Path,
    target: &Path,
    profile: &str,
    packages: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>,
) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["clean", "--quiet", "--offline", "--profile", profile])
        .arg("--target-dir")
        .arg(target)
        .current_dir(dir);
    for package in packages {
        command.arg("--package").arg(package);
    }
    match command.output() {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(String::from_utf8_lossy(&output.stderr).trim().to_string()),
        Err(error) => Err(format!("cannot run cargo clean: {error}")),
    }
}

/// The names of the workspace's own packages, from `cargo metadata --no-deps`.
fn workspace_packages(root: &Path) -> Result<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .output()
        .with_context(|| format!("cannot run cargo metadata in {}", root.display()))?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed in {}: {}",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let json = String::from_utf8_lossy(&output.stdout);
    let names = workspace_member_names(&json);
    if names.is_empty() {
        bail!(
            "cargo metadata in {} listed no workspace members",
            root.display()
        );
    }
    Ok(names)
}

/// The package names in `"workspace_members"` of `cargo metadata` output. The harness has no JSON
/// parser, and this array holds only package id strings, so a scan is enough.
pub fn workspace_member_names(json: &str) -> Vec<String> {
    let key = "\"workspace_members\":[";
    let Some(start) = json.find(key).map(|i| i + key.len()) else {
        return Vec::new();
    };
    let Some(end) = json[start..].find(']').map(|i| start + i) else {
        return Vec::new();
    };
    json[start..end]
        .split(',')
        .filter_map(|id| package_name(id.trim().trim_matches('"')))
        .map(str::to_string)
        .collect()
}

/// The name in a package id: `path+file:///…/dir#name@1.0`, `path+file:///…/name#1.0`, or the
/// older `name 1.0 (path+file:///…)`.
fn package_name(id: &str) -> Option<&str> {
    if let Some((name, _)) = id.split_once(' ') {
        return Some(name);
    }
    let (url, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _)) => Some(name),
        None => url.rsplit('/').next(),
    }
    .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(json: &str, expected: &[&str]) {
        assert_eq!(
            workspace_member_names(json),
            expected,
            "the package names read from {json}"
        );
    }

    #[test]
    fn member_names_come_from_every_package_id_format() {
        check(
            r#"{"packages":[],"workspace_members":["path+file:///w/xtask#0.1.0","path+file:///w/exercises/01-speed-server#exercise-01-speed-server@0.1.0"],"x":[]}"#,
            &["xtask", "exercise-01-speed-server"],
        );
        check(
            r#"{"workspace_members":["app 0.1.0 (path+file:///w/app)"]}"#,
            &["app"],
        );
        check(r#"{"workspace_members":[]}"#, &[]);
        check("not metadata", &[]);
    }
}

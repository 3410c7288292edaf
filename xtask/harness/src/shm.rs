//! Fast DDS's shared-memory files in `/dev/shm`, and which of them were left behind.
//!
//! Every ROS 2 process on Fast DDS (the default middleware) creates files in `/dev/shm`:
//! segments and port queues (`fastrtps_*` from Fast DDS 2, `fastdds_*` from 3), their lock
//! files (`*_el`, `*_sl`) and semaphores (`sem.fastrtps_*`). A process that exits normally removes its own; one that is killed hard
//! (SIGKILL, out of memory, out of threads) leaves them, and stale port queues can make new nodes
//! miss each other's messages. Fast DDS cleans up some of them itself when the next node starts.
//!
//! Files belong together by name: `fastrtps_port7413`, `fastrtps_port7413_el` and
//! `sem.fastrtps_port7413_mutex` are one port. A group is **in use** while some process has any
//! of its files open or mapped (it shows in `/proc/<pid>/fd` or `/proc/<pid>/maps`): a port's
//! semaphore is only opened for a moment, so it counts as in use whenever its port is. A group
//! that no process holds is **stale** and safe to remove: no running program can be using it.

use anyhow::{Context, Result};
use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where POSIX shared memory lives on Linux.
pub const SHM_DIR: &str = "/dev/shm";

/// Fast DDS's files in one folder, sorted into held and stale.
#[derive(Debug, Default)]
pub struct Segments {
    pub in_use: Vec<PathBuf>,
    pub stale: Vec<PathBuf>,
}

/// How Fast DDS's files begin: `fastrtps_` for 2.x (Jazzy and earlier), `fastdds_` for 3.x
/// (Kilted and later); the same layout under either name.
const PREFIXES: [&str; 2] = ["fastrtps_", "fastdds_"];

/// Whether `name` is one of Fast DDS's files.
pub fn is_fast_dds(name: &str) -> bool {
    let name = name.strip_prefix("sem.").unwrap_or(name);
    PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// The port number a group names (`fastrtps_port7413` or `fastdds_port7413` → 7413), if it is
/// a port's group.
pub fn port_of(group: &str) -> Option<u32> {
    PREFIXES
        .iter()
        .find_map(|prefix| group.strip_prefix(prefix)?.strip_prefix("port"))
        .and_then(|port| port.parse().ok())
}

/// Sorts this user's Fast DDS files in `dir` into in use and stale. Files of other users are
/// left out: their processes cannot be inspected, and their files cannot be removed anyway.
pub fn scan(dir: &Path) -> Result<Segments> {
    scan_where(dir, &|_| true)
}

/// [`scan`], limited to the groups that `wanted` accepts (a group is a name without `sem.` and
/// the lock endings: `fastrtps_port7413`).
/// Processes are only inspected when some file is wanted, so a narrow scan of a clean folder
/// costs one directory listing.
pub fn scan_where(dir: &Path, wanted: &dyn Fn(&str) -> bool) -> Result<Segments> {
    let mut segments = Segments::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(segments),
        Err(error) => return Err(error).with_context(|| format!("cannot list {}", dir.display())),
    };
    let me = unsafe { libc::geteuid() };
    let mut ours = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_fast_dds(name) || !group(Path::new(name)).is_some_and(|g| wanted(&g)) {
            continue;
        }
        if entry.metadata().is_ok_and(|m| m.uid() == me) {
            ours.push(entry.path());
        }
    }
    if ours.is_empty() {
        return Ok(segments);
    }
    let held = held_files()?;
    let held_groups: HashSet<String> = ours
        .iter()
        .filter(|path| held.contains(*path))
        .filter_map(|path| group(path))
        .collect();
    ours.sort();
    for path in ours {
        let in_use = held.contains(&path) || group(&path).is_some_and(|g| held_groups.contains(&g));
        if in_use {
            segments.in_use.push(path);
        } else {
            segments.stale.push(path);
        }
    }
    Ok(segments)
}

/// The group a file belongs to: its name without `sem.` and the `_mutex`, `_el` and `_sl`
/// endings (`sem.fastrtps_port7413_mutex` → `fastrtps_port7413`).
fn group(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let mut base = name.strip_prefix("sem.").unwrap_or(name);
    for ending in ["_mutex", "_el", "_sl"] {
        base = base.strip_suffix(ending).unwrap_or(base);
    }
    Some(base.to_string())
}

/// Removes the stale files of `dir`, scanning again first so that nothing a process opened
/// since an earlier scan is touched. Returns the files removed.
pub fn remove_stale(dir: &Path) -> Result<Vec<PathBuf>> {
    remove_stale_where(dir, &|_| true)
}

/// [`remove_stale`], limited to the groups that `wanted` accepts (see [`scan_where`]).
pub fn remove_stale_where(dir: &Path, wanted: &dyn Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let segments = scan_where(dir, wanted)?;
    let mut removed = Vec::new();
    for path in segments.stale {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            // Its owner finished and cleaned up meanwhile: nothing left to do.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("cannot remove {}", path.display()))
            }
        }
    }
    Ok(removed)
}

/// Every file some process of this machine (that this user may inspect) has open or mapped.
fn held_files() -> Result<HashSet<PathBuf>> {
    let mut held = HashSet::new();
    let processes = std::fs::read_dir("/proc").context("cannot list /proc")?;
    for process in processes.flatten() {
        let name = process.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        let base = process.path();
        if let Ok(fds) = std::fs::read_dir(base.join("fd")) {
            for fd in fds.flatten() {
                if let Ok(target) = std::fs::read_link(fd.path()) {
                    held.insert(strip_deleted(target));
                }
            }
        }
        if let Ok(maps) = std::fs::read_to_string(base.join("maps")) {
            for line in maps.lines() {
                // address perms offset dev inode path: the path is the sixth field onwards.
                if let Some(path) = line.split_whitespace().nth(5) {
                    if path.starts_with('/') {
                        held.insert(PathBuf::from(path));
                    }
                }
            }
        }
    }
    Ok(held)
}

/// `/dev/shm/x (deleted)` names a file already unlinked; it counts as the path it had.
fn strip_deleted(path: PathBuf) -> PathBuf {
    match path.to_str().and_then(|p| p.strip_suffix(" (deleted)")) {
        Some(stripped) => PathBuf::from(stripped),
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::os::fd::AsRawFd;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("a temporary folder")
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_file_nobody_holds_is_stale() {
        let dir = dir();
        std::fs::write(dir.path().join("fastrtps_port7413"), b"left behind").unwrap();
        let segments = scan(dir.path()).unwrap();
        assert_eq!(names(&segments.stale), ["fastrtps_port7413"]);
        assert!(segments.in_use.is_empty());
    }

    #[test]
    fn an_open_file_is_in_use() {
        let dir = dir();
        let path = dir.path().join("fastrtps_0123abcd_el");
        let _open = File::create(&path).unwrap();
        let segments = scan(dir.path()).unwrap();
        assert_eq!(names(&segments.in_use), ["fastrtps_0123abcd_el"]);
        assert!(segments.stale.is_empty());
    }

    #[test]
    fn a_mapped_file_is_in_use_after_its_descriptor_is_closed() {
        let dir = dir();
        let path = dir.path().join("sem.fastrtps_0123abcd_mutex");
        std::fs::write(&path, [0u8; 4096]).unwrap();
        let file = File::open(&path).unwrap();
        let mapping = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        assert_ne!(mapping, libc::MAP_FAILED, "mmap failed");
        drop(file);
        let segments = scan(dir.path());
        unsafe { libc::munmap(mapping, 4096) };
        let segments = segments.unwrap();
        assert_eq!(names(&segments.in_use), ["sem.fastrtps_0123abcd_mutex"]);
    }

    #[test]
    fn a_ports_semaphore_is_in_use_while_its_port_is_held() {
        let dir = dir();
        let _listener = File::create(dir.path().join("fastrtps_port7413_el")).unwrap();
        std::fs::write(dir.path().join("fastrtps_port7413"), b"queue").unwrap();
        std::fs::write(dir.path().join("sem.fastrtps_port7413_mutex"), b"mutex").unwrap();
        std::fs::write(dir.path().join("sem.fastrtps_port7415_mutex"), b"orphan").unwrap();
        let segments = scan(dir.path()).unwrap();
        assert_eq!(
            names(&segments.in_use),
            [
                "fastrtps_port7413",
                "fastrtps_port7413_el",
                "sem.fastrtps_port7413_mutex"
            ]
        );
        assert_eq!(names(&segments.stale), ["sem.fastrtps_port7415_mutex"]);
    }

    #[test]
    fn other_files_are_not_fast_dds_business() {
        let dir = dir();
        std::fs::write(dir.path().join("pulse-shm-1234"), b"not ours").unwrap();
        std::fs::write(dir.path().join("cyclonedds_x"), b"not ours").unwrap();
        let segments = scan(dir.path()).unwrap();
        assert!(segments.stale.is_empty() && segments.in_use.is_empty());
    }

    #[test]
    fn removing_takes_only_the_stale_files() {
        let dir = dir();
        std::fs::write(dir.path().join("fastrtps_dead"), b"left behind").unwrap();
        std::fs::write(dir.path().join("unrelated"), b"kept").unwrap();
        let held = dir.path().join("fastrtps_alive");
        let _open = File::create(&held).unwrap();
        let removed = remove_stale(dir.path()).unwrap();
        assert_eq!(names(&removed), ["fastrtps_dead"]);
        assert!(held.exists(), "a file in use must stay");
        assert!(dir.path().join("unrelated").exists());
    }

    #[test]
    fn removing_can_be_limited_to_some_groups() {
        let dir = dir();
        for name in [
            "fastrtps_port7411",
            "sem.fastrtps_port7411_mutex",
            "fastrtps_port7661",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let removed = remove_stale_where(dir.path(), &|g| g == "fastrtps_port7411").unwrap();
        assert_eq!(
            names(&removed),
            ["fastrtps_port7411", "sem.fastrtps_port7411_mutex"]
        );
        assert!(dir.path().join("fastrtps_port7661").exists());
    }

    #[test]
    fn a_missing_folder_has_nothing_in_it() {
        let segments = scan(Path::new("/nonexistent/shm")).unwrap();
        assert!(segments.stale.is_empty() && segments.in_use.is_empty());
    }

    #[test]
    fn fast_dds_3_files_count_as_fast_dds_files_and_name_their_ports() {
        for name in [
            "fastdds_port7413",
            "fastdds_0123abcd_el",
            "sem.fastdds_port7413_mutex",
        ] {
            assert!(is_fast_dds(name), "{name}");
        }
        assert!(!is_fast_dds("fastdds") && !is_fast_dds("other_port7413"));
        assert_eq!(port_of("fastdds_port7413"), Some(7413));
        assert_eq!(port_of("fastrtps_port7413"), Some(7413));
        assert_eq!(port_of("fastdds_0123abcd"), None);
    }
}

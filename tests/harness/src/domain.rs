//! Allocation of ROS domain ids, one per test, across every process on this machine.
//!
//! A domain is claimed by taking an exclusive lock on a file named after its id in a shared
//! directory; the lock is released when the [`Domain`] drops or the process dies, so a crashed test
//! never leaks an id. Ids 1..=101 are safe with Fast DDS's port mapping (0 is left to the student's
//! own shell).

use crate::shm;
use anyhow::{bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIRST_ID: u32 = 1;
const LAST_ID: u32 = 101;

/// A ROS domain id held for the lifetime of this value.
#[derive(Debug)]
pub struct Domain {
    id: u32,
    _lock: File,
}

impl Domain {
    /// Claims a domain id no other workbook process on this machine holds.
    pub fn claim() -> Result<Domain> {
        let dir = lock_directory();
        std::fs::create_dir_all(&dir).with_context(|| {
            format!("cannot create the domain lock directory {}", dir.display())
        })?;
        // Start at a pid-dependent id so parallel test binaries rarely contend for the same file.
        let span = LAST_ID - FIRST_ID + 1;
        let start = std::process::id() % span;
        for step in 0..span {
            let id = FIRST_ID + (start + step) % span;
            let path = dir.join(format!("{id}.lock"));
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            if file.try_lock().is_ok() {
                clear_stale_ports(id);
                return Ok(Domain { id, _lock: file });
            }
        }
        bail!(
            "all ROS domain ids {FIRST_ID}..={LAST_ID} are in use by other workbook processes; \
             wait for them to finish or remove stale runs"
        )
    }

    /// The numeric id, as `ROS_DOMAIN_ID` takes it.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Puts this domain, and localhost-only discovery, into a command's environment: Jazzy and
    /// later read `ROS_AUTOMATIC_DISCOVERY_RANGE` (and warn about the older variable); Humble and
    /// Iron only know `ROS_LOCALHOST_ONLY`.
    pub fn apply(&self, command: &mut Command) {
        let distro = command
            .get_envs()
            .find(|(name, _)| *name == "ROS_DISTRO")
            .and_then(|(_, value)| value.map(|v| v.to_string_lossy().into_owned()))
            .or_else(|| std::env::var("ROS_DISTRO").ok())
            .unwrap_or_default();
        command
            .env("ROS_DOMAIN_ID", self.id.to_string())
            .env("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
            .env_remove("ROS_STATIC_PEERS");
        if matches!(distro.as_str(), "humble" | "iron") {
            command.env("ROS_LOCALHOST_ONLY", "1");
        } else {
            command.env_remove("ROS_LOCALHOST_ONLY");
        }
    }
}

/// Removes the shared-memory files of `id`'s Fast DDS ports that no process holds. A node killed
/// while it created a port leaves the file empty, and every later node of that domain then waits
/// forever at start-up for the port to be initialised (seen in this workbook's own runs: a
/// reference server that printed nothing for 30 s). Files in use stay, so a student's own nodes
/// in this domain are not disturbed. Best effort: a failure here only means no clean-up.
fn clear_stale_ports(id: u32) {
    // Fast DDS's port numbers: 7400 + 250 × domain, then up to 250 ports per domain.
    let first = 7400 + 250 * id;
    let ports = first..first + 250;
    let of_this_domain = |group: &str| {
        group
            .strip_prefix("fastrtps_port")
            .and_then(|port| port.parse::<u32>().ok())
            .is_some_and(|port| ports.contains(&port))
    };
    let _ = shm::remove_stale_where(Path::new(shm::SHM_DIR), &of_this_domain);
}

fn lock_directory() -> PathBuf {
    std::env::temp_dir().join("rclrs-services-workbook-domains")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_claims_never_share_an_id() {
        let first = Domain::claim().expect("first claim");
        let second = Domain::claim().expect("second claim");
        assert_ne!(
            first.id(),
            second.id(),
            "two live Domain values must hold different ids"
        );
    }

    #[test]
    fn a_dropped_domain_releases_its_lock() {
        let domain = Domain::claim().expect("claim");
        let path = lock_directory().join(format!("{}.lock", domain.id()));
        drop(domain);
        let file = File::open(&path).expect("lock file stays in place");
        assert!(
            file.try_lock().is_ok(),
            "{} is still locked after its Domain dropped",
            path.display()
        );
    }
}

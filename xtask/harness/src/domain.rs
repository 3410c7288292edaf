//! Allocation of ROS domain ids, one per unsealed world, across every process on this machine:
//! the fallback isolation where sealed worlds are not allowed.
//!
//! A domain is claimed by taking an exclusive lock on a file named after its id in a shared
//! directory (the lock is released when the [`Domain`] drops or the process dies, so a crashed
//! test never leaks an id), and only if no process on the machine uses it: none has bound one of
//! its Fast DDS ports or holds one of its shared-memory port files. Ids 1..=101 come first: their
//! ports lie below Linux's ephemeral range. Only when all of those are in use (a machine full of
//! other ROS 2 nodes) do 102..=231 follow, whose ports the kernel may also hand out to other
//! programs; an id whose port is taken that way is skipped like any used one. 0 is left to the
//! student's own shell.

use crate::distro::{Distro, LocalDiscovery};
use crate::shm;
use anyhow::{bail, Context, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The ids whose ports lie below the ephemeral range, tried first.
const PREFERRED: std::ops::RangeInclusive<u32> = 1..=101;
/// The ids tried when every preferred one is in use (231 is the last whose ports fit in 16 bits).
const EXTRA: std::ops::RangeInclusive<u32> = 102..=231;

/// The domain id of every sealed world: each has a network of its own, so they never meet.
const SEALED_ID: u32 = 0;

/// A ROS domain id held for the lifetime of this value.
#[derive(Debug)]
pub struct Domain {
    id: u32,
    _lock: Option<File>,
}

impl Domain {
    /// The domain of a sealed world: not a shared resource, so nothing is claimed.
    pub fn inside_seal() -> Domain {
        Domain {
            id: SEALED_ID,
            _lock: None,
        }
    }

    /// Claims a domain id that no other workbook process holds and no process on this machine
    /// uses (its discovery ports bound, or its shared-memory port files held).
    pub fn claim() -> Result<Domain> {
        let dir = lock_directory();
        std::fs::create_dir_all(&dir).with_context(|| {
            format!("cannot create the domain lock directory {}", dir.display())
        })?;
        clear_stale_files_once();
        let bound = bound_udp_ports();
        for id in candidates() {
            let path = dir.join(format!("{id}.lock"));
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            if file.try_lock().is_ok() {
                if used_by_any_process(id, &bound) {
                    continue;
                }
                clear_stale_ports(id);
                return Ok(Domain {
                    id,
                    _lock: Some(file),
                });
            }
        }
        bail!(
            "all ROS domain ids 1..={} are in use (by other checks, or by ROS 2 nodes elsewhere \
             on this machine); stop them (`cargo xtask doctor` lists the workbook's), or allow \
             sealed checks (`cargo xtask doctor` says how)",
            EXTRA.end()
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
            .and_then(|name| Distro::from_name(&name))
            .unwrap_or(Distro::Jazzy);
        command
            .env("ROS_DOMAIN_ID", self.id.to_string())
            .env("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
            .env_remove("ROS_STATIC_PEERS");
        match distro.local_discovery() {
            LocalDiscovery::LocalhostOnly => command.env("ROS_LOCALHOST_ONLY", "1"),
            LocalDiscovery::DiscoveryRange => command.env_remove("ROS_LOCALHOST_ONLY"),
        };
    }
}

/// The ids to try, in order: the preferred ones from a pid-dependent start (so parallel test
/// processes rarely contend for the same lock file), then the extra ones.
fn candidates() -> impl Iterator<Item = u32> {
    let span = PREFERRED.end() - PREFERRED.start() + 1;
    let start = std::process::id() % span;
    (0..span)
        .map(move |step| PREFERRED.start() + (start + step) % span)
        .chain(EXTRA)
}

/// Fast DDS's ports of domain `id`: 7400 + 250 × id, then up to 250 ports (discovery and user
/// traffic, two per participant).
fn ports_of(id: u32) -> std::ops::Range<u32> {
    let first = 7400 + 250 * id;
    first..first + 250
}

/// Whether a process on this machine uses domain `id`: a UDP port of it bound (in this network
/// namespace), or one of its shared-memory port files held open.
fn used_by_any_process(id: u32, bound: &[u32]) -> bool {
    let ports = ports_of(id);
    if bound.iter().any(|port| ports.contains(port)) {
        return true;
    }
    let of_this_domain =
        |group: &str| shm::port_of(group).is_some_and(|port| ports.contains(&port));
    shm::scan_where(Path::new(shm::SHM_DIR), &of_this_domain)
        .is_ok_and(|segments| !segments.in_use.is_empty())
}

/// The local UDP ports bound in this network namespace (IPv4 and IPv6), from `/proc/net`.
fn bound_udp_ports() -> Vec<u32> {
    let mut ports = Vec::new();
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        ports.extend(text.lines().skip(1).filter_map(local_port));
    }
    ports
}

/// The local port of one `/proc/net/udp` row: `  12: 0100007F:1CEB 00000000:0000 …`.
fn local_port(row: &str) -> Option<u32> {
    let local = row.split_whitespace().nth(1)?;
    let (_, port) = local.rsplit_once(':')?;
    u32::from_str_radix(port, 16).ok()
}

/// Removes every Fast DDS file in `/dev/shm` that no process holds, once per process. Nodes
/// killed by the dozen leave hundreds behind, and more than a domain's own port files can stop
/// later nodes of a domain from starting (seen: every check of an unsealed run failing until
/// `doctor --clean-shm`); files in use stay, so running nodes are not disturbed.
fn clear_stale_files_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let _ = shm::remove_stale(Path::new(shm::SHM_DIR));
    });
}

/// Removes the shared-memory files of `id`'s Fast DDS ports that no process holds. A node killed
/// while it created a port leaves the file empty, and every later node of that domain then waits
/// forever at start-up for the port to be initialised (seen in this workbook's own runs: a
/// reference server that printed nothing for 30 s). Files in use stay, so a student's own nodes
/// in this domain are not disturbed. Best effort: a failure here only means no clean-up.
fn clear_stale_ports(id: u32) {
    let ports = ports_of(id);
    let of_this_domain =
        |group: &str| shm::port_of(group).is_some_and(|port| ports.contains(&port));
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
    fn a_domain_with_a_bound_port_counts_as_used() {
        // What a ROS 2 node in another terminal does: bind its domain's ports.
        let first = Domain::claim().expect("claim");
        let next = first.id() % PREFERRED.end() + 1;
        let _stranger = std::net::UdpSocket::bind(("127.0.0.1", ports_of(next).start as u16 + 10));
        assert!(
            used_by_any_process(next, &bound_udp_ports()),
            "domain {next} has a bound port but counts as unused"
        );
    }

    #[test]
    fn every_id_is_tried_once_preferred_ones_first() {
        let order: Vec<u32> = candidates().collect();
        assert_eq!(order.len(), 231, "ids 1..=231, each once");
        assert!(
            order[..101].iter().all(|id| PREFERRED.contains(id)),
            "1..=101 before the ids whose ports may be ephemeral"
        );
        let mut sorted = order.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 231, "no id twice");
    }

    #[test]
    fn proc_net_rows_give_their_local_port() {
        let row = "  12: 0100007F:1CEB 00000000:0000 07 00000000:00000000 00:00000000 00000000  0 0 1 2 0";
        assert_eq!(local_port(row), Some(0x1CEB));
        assert_eq!(local_port("garbage"), None);
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

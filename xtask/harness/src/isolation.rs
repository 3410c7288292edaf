//! Which isolation this machine gives a check, decided once per process.
//!
//! - **Sealed** (the normal case): every [`World`](crate::World) runs its programs in namespaces
//!   of its own ([`Seal`](crate::seal::Seal)); nothing else on the machine can see or reach them.
//! - **Domain ids** (the fallback, where the machine refuses namespaces): each world claims a ROS
//!   domain id no process on the machine is using, and discovery stays on localhost.
//!
//! `WORKBOOK_ISOLATION=domains` forces the fallback (for tests of it, or to compare);
//! `WORKBOOK_ISOLATION=sealed` makes a machine without namespaces an error instead of a fallback.

use crate::seal::Seal;
use std::sync::OnceLock;

/// The variable that chooses the isolation: `sealed`, `domains`, or unset (sealed when possible).
pub const ISOLATION_VARIABLE: &str = "WORKBOOK_ISOLATION";

/// The isolation in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Isolation {
    /// Every world in namespaces of its own.
    Sealed,
    /// Worlds told apart by ROS domain ids only; `reason` says why.
    Domains { reason: String, forced: bool },
    /// `WORKBOOK_ISOLATION=sealed`, but this machine cannot seal: `reason` says why.
    Refused { reason: String },
}

impl Isolation {
    /// The isolation of this process, found out on first use (making one sealed world costs a
    /// few milliseconds).
    pub fn current() -> &'static Isolation {
        static CURRENT: OnceLock<Isolation> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let wanted = std::env::var(ISOLATION_VARIABLE).unwrap_or_default();
            match wanted.as_str() {
                "domains" => Isolation::Domains {
                    reason: format!("{ISOLATION_VARIABLE}=domains"),
                    forced: true,
                },
                _ => match Seal::create() {
                    Ok(_) => Isolation::Sealed,
                    Err(reason) if wanted == "sealed" => Isolation::Refused { reason },
                    Err(reason) => Isolation::Domains {
                        reason,
                        forced: false,
                    },
                },
            }
        })
    }

    /// Whether worlds are sealed.
    pub fn is_sealed(&self) -> bool {
        matches!(self, Isolation::Sealed)
    }

    /// One line for people: which isolation, and why.
    pub fn describe(&self) -> String {
        match self {
            Isolation::Sealed => {
                "sealed: each check in namespaces of its own (network, processes, \
                                  shared memory); nothing else on this machine can reach it"
                    .to_string()
            }
            Isolation::Domains { reason, .. } => format!(
                "ROS domain ids only ({reason}): a node elsewhere on this machine could still \
                 reach a check"
            ),
            Isolation::Refused { reason } => {
                format!(
                    "none: {ISOLATION_VARIABLE}=sealed, but this machine cannot seal ({reason})"
                )
            }
        }
    }

    /// How to get sealed checks, when they are not in effect.
    pub fn fix(&self) -> Option<String> {
        match self {
            Isolation::Sealed => None,
            Isolation::Domains { forced: true, .. } => {
                Some(format!("unset {ISOLATION_VARIABLE} to seal each check"))
            }
            Isolation::Domains { .. } | Isolation::Refused { .. } => Some(
                "allow unprivileged user namespaces: on Ubuntu 23.10 and later \
                 `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (or an AppArmor \
                 profile that allows `userns` for the workbook's programs); in a container, run \
                 it with user namespaces allowed (e.g. docker --security-opt seccomp=unconfined)"
                    .to_string(),
            ),
        }
    }
}

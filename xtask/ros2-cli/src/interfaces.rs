//! The interface packages installed in the environment, found the way ROS finds them: through
//! the ament resource index (`share/ament_index/resource_index/rosidl_interfaces/<pkg>`) of every
//! prefix on `AMENT_PREFIX_PATH`, first prefix wins.
//!
//! `ros2 interface list | package` print from here, following rosidl_runtime_py's
//! `get_interfaces.py` rules (names holding `_` are hidden; `msg/`, `srv/` and `action/` tell the
//! kinds apart). This module reads files only; it never loads a library.

use crate::Failure;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Every prefix on `AMENT_PREFIX_PATH`, in order.
pub fn prefixes() -> Vec<PathBuf> {
    std::env::var_os("AMENT_PREFIX_PATH")
        .map(|value| std::env::split_paths(&value).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

fn resource_dir(prefix: &std::path::Path, kind: &str) -> PathBuf {
    prefix.join("share/ament_index/resource_index").join(kind)
}

/// The prefix that holds `package` (its `packages` marker), if any.
pub fn package_prefix(package: &str) -> Option<PathBuf> {
    prefixes()
        .into_iter()
        .find(|prefix| resource_dir(prefix, "packages").join(package).is_file())
}

/// Package name → the lines of its `rosidl_interfaces` resource (`msg/Time.idl`, …).
fn index(packages: Option<&str>) -> Result<BTreeMap<String, Vec<String>>> {
    let mut found = BTreeMap::new();
    if let Some(package) = packages {
        let Some(prefix) = package_prefix(package) else {
            return Err(Failure::new(
                format!("Unknown package '{package}'"),
                "see the packages with interfaces in `ros2 interface list`",
            )
            .into());
        };
        if let Ok(text) =
            std::fs::read_to_string(resource_dir(&prefix, "rosidl_interfaces").join(package))
        {
            found.insert(package.to_string(), lines(&text));
        }
        return Ok(found);
    }
    for prefix in prefixes() {
        let Ok(entries) = std::fs::read_dir(resource_dir(&prefix, "rosidl_interfaces")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || found.contains_key(&name) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                found.insert(name, lines(&text));
            }
        }
    }
    Ok(found)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// The kinds of interface.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Message,
    Service,
    Action,
}

/// `Time` from `msg/Time.idl` when the entry is of `kind` and not hidden.
fn entry_name(entry: &str, kind: Option<Kind>) -> Option<String> {
    if entry.contains('_') {
        return None;
    }
    let (stem, extension) = entry.rsplit_once('.')?;
    let matches = match kind {
        None => true,
        Some(Kind::Message) => stem.starts_with("msg/") && matches!(extension, "idl" | "msg"),
        Some(Kind::Service) => stem.starts_with("srv/") && matches!(extension, "idl" | "srv"),
        Some(Kind::Action) => stem.starts_with("action/") && matches!(extension, "idl" | "action"),
    };
    matches.then(|| stem.to_string())
}

/// `package/kind/Name` for every interface of `kind` (all kinds with `None`), sorted.
pub fn interfaces(package: Option<&str>, kind: Option<Kind>) -> Result<Vec<String>> {
    let mut all = Vec::new();
    for (name, entries) in index(package)? {
        let set: BTreeSet<String> = entries.iter().filter_map(|e| entry_name(e, kind)).collect();
        all.extend(set.into_iter().map(|stem| format!("{name}/{stem}")));
    }
    Ok(all)
}

/// `interface list [-m] [-s] [-a]`.
pub fn list(only_msgs: bool, only_srvs: bool, only_actions: bool) -> Result<()> {
    let all = !(only_msgs || only_srvs || only_actions);
    for (wanted, title, kind) in [
        (only_msgs, "Messages:", Kind::Message),
        (only_srvs, "Services:", Kind::Service),
        (only_actions, "Actions:", Kind::Action),
    ] {
        if all || wanted {
            println!("{title}");
            for name in interfaces(None, Some(kind))? {
                println!("    {name}");
            }
        }
    }
    Ok(())
}

/// `interface package <pkg> [-m] [-s] [-a]`. ros2cli prints a package's interfaces in Python
/// set order (different from run to run); this tool sorts them.
pub fn package(package: &str, only_msgs: bool, only_srvs: bool, only_actions: bool) -> Result<()> {
    let mut names = Vec::new();
    if !(only_msgs || only_srvs || only_actions) {
        names = interfaces(Some(package), None)?;
    } else {
        for (wanted, kind) in [
            (only_msgs, Kind::Message),
            (only_srvs, Kind::Service),
            (only_actions, Kind::Action),
        ] {
            if wanted {
                names.extend(interfaces(Some(package), Some(kind))?);
            }
        }
    }
    for name in names {
        println!("{name}");
    }
    Ok(())
}

/// The definition file of `package/kind/Name` (`.msg`, `.srv`, `.action`, else `.idl`), as
/// rosidl_runtime_py's `get_interface_path` finds it.
pub fn definition_path(identifier: &str) -> Result<PathBuf> {
    let parts: Vec<&str> = identifier.split('/').collect();
    if parts.len() < 2 {
        return Err(Failure::new(
            format!("Invalid name '{identifier}'. Expected at least two parts separated by '/'"),
            "write the type as package/kind/Name, e.g. robot_interfaces/srv/SetSpeed",
        )
        .into());
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Failure::new(
            format!("Invalid name '{identifier}'. Must not contain empty parts"),
            "write the type as package/kind/Name, e.g. robot_interfaces/srv/SetSpeed",
        )
        .into());
    }
    let Some(prefix) = package_prefix(parts[0]) else {
        return Err(Failure::new(
            format!("Unknown package '{}'", parts[0]),
            "see the installed interface packages with `ros2 interface list`",
        )
        .into());
    };
    let mut path = prefix.join("share").join(identifier);
    let last = parts[parts.len() - 1];
    if !last.contains('.') {
        let with_suffix = PathBuf::from(format!("{}.{}", path.display(), parts[parts.len() - 2]));
        if with_suffix.exists() {
            return Ok(with_suffix);
        }
        path = PathBuf::from(format!("{}.idl", path.display()));
    }
    if !path.exists() {
        return Err(Failure::new(
            format!("Could not find the interface '{}'", path.display()),
            format!(
                "see the interfaces of {} with `ros2 interface package {}`",
                parts[0], parts[0]
            ),
        )
        .into());
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_foreign_entries_are_left_out() {
        assert_eq!(
            entry_name("srv/SetSpeed.srv", Some(Kind::Service)).as_deref(),
            Some("srv/SetSpeed")
        );
        assert_eq!(entry_name("srv/SetSpeed.srv", Some(Kind::Message)), None);
        assert_eq!(entry_name("msg/Set_Speed.msg", Some(Kind::Message)), None);
        assert_eq!(
            entry_name("action/Fibonacci.idl", Some(Kind::Action)).as_deref(),
            Some("action/Fibonacci")
        );
    }
}

//! The workbook's own Rust code generator for ROS 2 interface packages.
//!
//! For each interface package of a ROS 2 prefix it reads `share/<pkg>/msg/*.msg` and
//! `share/<pkg>/srv/*.srv` and writes `share/<pkg>/rust/`: the crate layout that `ros-env` 0.3
//! includes (`Cargo.toml` with `[package.metadata.ros-env] include = true`, `src/<kind>.rs`,
//! `src/<kind>/rmw.rs`), implementing the traits of `rosidl_runtime_rs` 0.7, plus `layout.tsv`
//! (one row per rmw struct field) for the ABI test in `tests/abi`.
//!
//! This file finds packages, orders them and writes files; it must not contain grammar
//! (`parse.rs`), type spelling (`types.rs`) or generated code text (`emit.rs`, `convert.rs`).
//!
//! Not handled yet: `.action` files are skipped (rclrs needs no action types) and listed in
//! [`GeneratedPackage::skipped_actions`]; `.idl`-only packages are not read.

mod convert;
mod emit;
mod parse;
#[cfg(test)]
mod tests;
mod types;

use anyhow::{bail, Context, Result};
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

/// What [`generate_package`] wrote for one package.
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct GeneratedPackage {
    pub name: String,
    /// The `share/<pkg>/rust` directory that was written.
    pub dir: PathBuf,
    /// Message names, e.g. `Time`.
    pub messages: Vec<String>,
    /// Service names, e.g. `SetSpeed` (each also gives `SetSpeed_Request`/`_Response`).
    pub services: Vec<String>,
    /// `.action` files that were not generated (not supported yet).
    pub skipped_actions: Vec<String>,
    /// Other interface packages whose types are used, written as `<dep> = "*"`.
    pub dependencies: Vec<String>,
}

impl std::fmt::Display for GeneratedPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} messages, {} services",
            self.name,
            self.messages.len(),
            self.services.len()
        )?;
        if !self.skipped_actions.is_empty() {
            write!(
                f,
                " ({} actions skipped: not supported yet)",
                self.skipped_actions.len()
            )?;
        }
        Ok(())
    }
}

/// An interface package found in the ament index of a prefix.
#[derive(Debug)]
pub struct InterfacePackage {
    pub name: String,
    /// The `share` directory that holds `<name>/msg` and `<name>/srv`.
    pub share: PathBuf,
    /// The interface packages whose types this one uses.
    pub dependencies: Vec<String>,
}

/// The interface packages registered in `share/ament_index/resource_index/rosidl_interfaces`
/// of `prefixes` (the first prefix that provides a package wins), dependencies first.
pub fn interface_packages(prefixes: &[PathBuf]) -> Result<Vec<InterfacePackage>> {
    let mut found: HashMap<String, InterfacePackage> = HashMap::new();
    for prefix in prefixes {
        let index = prefix.join("share/ament_index/resource_index/rosidl_interfaces");
        let Ok(entries) = fs::read_dir(&index) else {
            continue;
        };
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if found.contains_key(&name) || name.starts_with('.') {
                continue;
            }
            let share = prefix.join("share");
            let sources = read_sources(&share, &name)
                .with_context(|| format!("cannot read the interfaces of {name}"))?;
            let dependencies = sources.dependencies(&name);
            found.insert(
                name.clone(),
                InterfacePackage {
                    name,
                    share,
                    dependencies,
                },
            );
        }
    }
    // Depth-first, in name order, so the result does not depend on the directory order.
    let mut names: Vec<String> = found.keys().cloned().collect();
    names.sort();
    let mut ordered = Vec::new();
    let mut state: HashMap<String, bool> = HashMap::new(); // false: visiting, true: done
    fn visit(
        name: &str,
        found: &HashMap<String, InterfacePackage>,
        state: &mut HashMap<String, bool>,
        ordered: &mut Vec<String>,
    ) -> Result<()> {
        match state.get(name) {
            Some(true) => return Ok(()),
            Some(false) => {
                bail!("interface packages depend on each other in a cycle through {name}")
            }
            None => {}
        }
        let Some(package) = found.get(name) else {
            return Ok(()); // not an interface package of these prefixes
        };
        state.insert(name.to_string(), false);
        for dependency in &package.dependencies {
            visit(dependency, found, state, ordered)?;
        }
        state.insert(name.to_string(), true);
        ordered.push(name.to_string());
        Ok(())
    }
    for name in &names {
        visit(name, &found, &mut state, &mut ordered)?;
    }
    Ok(ordered
        .into_iter()
        .filter_map(|name| found.remove(&name))
        .collect())
}

/// Generates `share_dir/<package>/rust` from `share_dir/<package>/{msg,srv}`.
#[cfg_attr(not(test), allow(dead_code))]
pub fn generate_package(share_dir: &Path, package: &str) -> Result<GeneratedPackage> {
    generate_package_into(share_dir, share_dir, package)
}

/// Generates every interface package of `prefixes` into `out/share/<pkg>/rust` (`out` may be
/// one of the prefixes). Returns one summary line per package, dependencies first.
pub fn generate_all(prefixes: &[PathBuf], out: &Path) -> Result<Vec<String>> {
    let mut summaries = Vec::new();
    for package in interface_packages(prefixes)? {
        let generated = generate_package_into(&package.share, &out.join("share"), &package.name)
            .with_context(|| format!("cannot generate Rust code for {}", package.name))?;
        summaries.push(generated.to_string());
    }
    Ok(summaries)
}

/// The parsed interface files of one package.
struct Sources {
    messages: Vec<parse::Message>,
    services: Vec<parse::Service>,
    actions: Vec<String>,
}

impl Sources {
    fn all_messages(&self) -> impl Iterator<Item = &parse::Message> {
        let halves = self.services.iter().flat_map(|s| [&s.request, &s.response]);
        self.messages.iter().chain(halves)
    }

    fn dependencies(&self, package: &str) -> Vec<String> {
        let mut dependencies = BTreeSet::new();
        for field in self.all_messages().flat_map(|m| &m.fields) {
            if let parse::BaseType::Named { package: other, .. } = &field.ty.base {
                if other != package {
                    dependencies.insert(other.clone());
                }
            }
        }
        dependencies.into_iter().collect()
    }
}

/// The files with `extension` in `dir`, sorted, as (type name, path); none if `dir` is missing.
fn interface_files(dir: &Path, extension: &str) -> Result<Vec<(String, PathBuf)>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == extension) {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((stem, path));
        }
    }
    files.sort();
    Ok(files)
}

fn read_sources(share_dir: &Path, package: &str) -> Result<Sources> {
    let root = share_dir.join(package);
    let read = |path: &Path| {
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let mut messages = Vec::new();
    for (name, path) in interface_files(&root.join("msg"), "msg")? {
        let mut message = parse::parse_message(package, &name, &read(&path)?)
            .with_context(|| format!("in {}", path.display()))?;
        add_placeholder(&mut message);
        messages.push(message);
    }
    let mut services = Vec::new();
    for (name, path) in interface_files(&root.join("srv"), "srv")? {
        let mut service = parse::parse_service(package, &name, &read(&path)?)
            .with_context(|| format!("in {}", path.display()))?;
        add_placeholder(&mut service.request);
        add_placeholder(&mut service.response);
        services.push(service);
    }
    let actions = interface_files(&root.join("action"), "action")?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    Ok(Sources {
        messages,
        services,
        actions,
    })
}

/// C gives a struct without fields one `uint8_t` member; the rmw struct must match it.
fn add_placeholder(message: &mut parse::Message) {
    if message.fields.is_empty() {
        message.fields.push(convert::placeholder_field());
    }
}

fn package_version(share_dir: &Path, package: &str) -> String {
    let xml = fs::read_to_string(share_dir.join(package).join("package.xml")).unwrap_or_default();
    xml.split_once("<version>")
        .and_then(|(_, rest)| rest.split_once("</version>"))
        .map(|(version, _)| version.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "0.0.0".to_string())
}

fn generate_package_into(source: &Path, out: &Path, package: &str) -> Result<GeneratedPackage> {
    let sources = read_sources(source, package)?;
    let dir = out.join(package).join("rust");
    let dependencies = sources.dependencies(package);
    let summary = GeneratedPackage {
        name: package.to_string(),
        dir: dir.clone(),
        messages: sources.messages.iter().map(|m| m.name.clone()).collect(),
        services: sources.services.iter().map(|s| s.name.clone()).collect(),
        skipped_actions: sources.actions.clone(),
        dependencies: dependencies.clone(),
    };
    if sources.messages.is_empty() && sources.services.is_empty() {
        return Ok(summary); // only actions (or nothing): no crate to write yet
    }
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut kinds = Vec::new();
    let mut layout = String::new();
    if !sources.messages.is_empty() {
        kinds.push("msg");
        files.push((
            "src/msg.rs".into(),
            emit::messages_file(package, &sources.messages, false)?,
        ));
        files.push((
            "src/msg/rmw.rs".into(),
            emit::messages_file(package, &sources.messages, true)?,
        ));
        for message in &sources.messages {
            emit::layout_rows(&mut layout, package, "msg", &message.name, message);
        }
    }
    if !sources.services.is_empty() {
        kinds.push("srv");
        files.push((
            "src/srv.rs".into(),
            emit::services_file(package, &sources.services, false)?,
        ));
        files.push((
            "src/srv/rmw.rs".into(),
            emit::services_file(package, &sources.services, true)?,
        ));
        for service in &sources.services {
            for half in [&service.request, &service.response] {
                emit::layout_rows(&mut layout, package, "srv", &service.name, half);
            }
        }
    }
    let version = package_version(source, package);
    files.push((
        "Cargo.toml".into(),
        emit::cargo_toml(package, &version, &dependencies),
    ));
    files.push(("src/lib.rs".into(), emit::lib_rs(package, &kinds)));
    files.push(("layout.tsv".into(), layout));
    for (relative, text) in files {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().unwrap())
            .with_context(|| format!("cannot create {}", path.parent().unwrap().display()))?;
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(summary)
}

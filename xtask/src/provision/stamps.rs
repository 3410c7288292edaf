//! What a setup step's stamp is made of (hashes of its inputs and of the step before it), where
//! stamps live, and the lock that serialises setups of one prefix.

use anyhow::{anyhow, Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use workbook_harness::Environment;

/// The pins of the provisioned `distro`'s wheels: `xtask/ros/requirements.txt` for Jazzy (the
/// default, named before a second distribution existed), `requirements-<distro>.txt` for others.
pub fn requirements(root: &Path, distro: &str) -> PathBuf {
    let name = if distro == workbook_harness::PROVISIONED_DISTRO {
        "requirements.txt".to_string()
    } else {
        format!("requirements-{distro}.txt")
    };
    root.join("xtask/ros").join(name)
}

/// The per-user cache folder for `distro`'s current pins:
/// `<cache>/rclrs-services-workbook/<distro>-<hash>`.
pub fn cache_prefix(root: &Path, distro: &str) -> Result<PathBuf> {
    let base = std::env::var_os("WORKBOOK_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("rclrs-services-workbook")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rclrs-services-workbook")))
        .ok_or_else(|| anyhow!("neither HOME nor XDG_CACHE_HOME is set; set WORKBOOK_CACHE to a folder for the ROS 2 cache"))?;
    let key = wheels_key(root, distro)?;
    Ok(base.join(format!("{distro}-{}", &key[..12])))
}

pub(super) fn wheels_key(root: &Path, distro: &str) -> Result<String> {
    let requirements = requirements(root, distro);
    let text = fs::read(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    Ok(hash(&[&text]))
}

pub(super) fn interfaces_key(root: &Path, base: &str) -> Result<String> {
    let mut parts: Vec<Vec<u8>> = vec![base.as_bytes().to_vec()];
    for relative in ["package.xml", "CMakeLists.txt"] {
        parts.push(
            fs::read(root.join("srv").join(relative))
                .with_context(|| format!("cannot read srv/{relative}"))?,
        );
    }
    parts.extend(files_sorted(&root.join("srv/srv"))?);
    Ok(hash(
        &parts.iter().map(|p| p.as_slice()).collect::<Vec<_>>(),
    ))
}

pub(super) fn rust_key(root: &Path, base: &str) -> Result<String> {
    let mut parts: Vec<Vec<u8>> = vec![base.as_bytes().to_vec()];
    parts.extend(files_sorted(&root.join("xtask/src/generate"))?);
    Ok(hash(
        &parts.iter().map(|p| p.as_slice()).collect::<Vec<_>>(),
    ))
}

pub(super) fn sourced_key(environment: &Environment) -> String {
    let prefixes: Vec<String> = environment
        .prefixes
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    hash(&[environment.distro.as_bytes(), prefixes.join(":").as_bytes()])
}

pub(super) fn last_stamp(prefix: &Path) -> String {
    read_stamp(prefix, "interfaces").unwrap_or_default()
}

pub(super) fn files_sorted(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let mut bytes = p
                .file_name()
                .unwrap_or_default()
                .as_encoded_bytes()
                .to_vec();
            bytes.extend(fs::read(p).with_context(|| format!("cannot read {}", p.display()))?);
            Ok(bytes)
        })
        .collect()
}

pub(super) fn hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn stamp_path(prefix: &Path, step: &str) -> PathBuf {
    prefix.join(".workbook").join(format!("{step}.stamp"))
}

pub(super) fn read_stamp(prefix: &Path, step: &str) -> Option<String> {
    fs::read_to_string(stamp_path(prefix, step))
        .ok()
        .map(|s| s.trim().to_string())
}

pub(super) fn write_stamp(prefix: &Path, step: &str, key: &str) -> Result<()> {
    let path = stamp_path(prefix, step);
    fs::create_dir_all(path.parent().expect("stamp has a folder"))?;
    fs::write(&path, key).with_context(|| format!("cannot write {}", path.display()))
}

pub(super) fn clear_stamp(prefix: &Path, step: &str) {
    let _ = fs::remove_file(stamp_path(prefix, step));
}

pub(super) fn clear_stamps(prefix: &Path) {
    for step in ["wheels", "interfaces", "rust"] {
        clear_stamp(prefix, step);
    }
}

/// Serialises setups of the same prefix (two terminals, parallel tests): the second waits.
pub(super) fn lock(prefix: &Path) -> Result<File> {
    let path = prefix.with_extension("lock");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    if file.try_lock().is_err() {
        println!("  … waiting for another `cargo xtask setup` to finish");
        file.lock().context("cannot lock the cache")?;
    }
    Ok(file)
}

//! Skipping a cargo build that would do nothing. A no-op `cargo build` still costs 0.2 to 1 s
//! (reading every manifest, checking every unit's fingerprint), which a graph query of
//! `cargo xtask ros2` and every `cargo xtask check` would pay before doing anything. So such a
//! build is skipped when the stamp written after the last successful one still matches: the size
//! and modification time of every file of the folders the programs are built from (and of the
//! workspace's manifest, lock file and cargo config, and of the harness, a path dependency), the
//! generated interfaces' setup stamps, the ROS variables the build gets, and the binaries
//! themselves. Anything else that changes goes through cargo as before.

use anyhow::Result;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use workbook_harness::Environment;

/// The files every build's stamp covers, relative to the project root.
const SHARED_INPUTS: [&str; 4] = [
    "Cargo.toml",
    "Cargo.lock",
    ".cargo/config.toml",
    "xtask/harness",
];

/// One build that is skipped while its stamp matches.
pub struct BuildStamp {
    /// Where the stamp is kept: `<target>/workbook-stamps/<name>.stamp`.
    file: PathBuf,
    /// The folders and files (relative to the project root) the programs are built from.
    inputs: Vec<&'static str>,
    /// The programs the build makes.
    binaries: Vec<PathBuf>,
}

impl BuildStamp {
    /// The stamp `name` of a build of `binaries` from `inputs` (folders or files relative to the
    /// project root, beside [`SHARED_INPUTS`]).
    pub fn new(name: &str, inputs: &[&'static str], binaries: Vec<PathBuf>) -> Result<BuildStamp> {
        Ok(BuildStamp {
            file: crate::cargo::target_dir()?
                .join("workbook-stamps")
                .join(format!("{name}.stamp")),
            inputs: inputs.to_vec(),
            binaries,
        })
    }

    /// Runs `build` unless the stamp still matches; records the stamp after a successful build
    /// that nothing changed under. A stamp that cannot be read or written costs the next run a
    /// cargo call, nothing more.
    pub fn build_unless_fresh(
        &self,
        environment: &Environment,
        build: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let before = self.fingerprint(environment);
        if before.is_some() && std::fs::read_to_string(&self.file).ok() == before {
            return Ok(());
        }
        build()?;
        if let (Some(before), Some(after)) = (before, self.fingerprint(environment)) {
            if inputs_only(&before) == inputs_only(&after) {
                if let Some(folder) = self.file.parent() {
                    let _ = std::fs::create_dir_all(folder);
                }
                let _ = std::fs::write(&self.file, after);
            }
        }
        Ok(())
    }

    /// A hash of the build's inputs, then each binary's size and time. `None` when something
    /// cannot be read (a binary not built yet): then cargo decides.
    fn fingerprint(&self, environment: &Environment) -> Option<String> {
        let root = workbook_harness::project_root();
        let mut hasher = DefaultHasher::new();
        let mut files = Vec::new();
        for input in SHARED_INPUTS.iter().chain(&self.inputs) {
            collect_files(&root.join(input), &mut files).ok()?;
        }
        files.sort();
        for file in &files {
            file.hash(&mut hasher);
            if let Ok(meta) = std::fs::metadata(file) {
                (meta.len(), meta.modified().ok()).hash(&mut hasher);
            }
        }
        let stamps = environment.workbook_prefix.join(".workbook");
        for step in ["interfaces", "rust"] {
            std::fs::read_to_string(stamps.join(format!("{step}.stamp")))
                .unwrap_or_default()
                .hash(&mut hasher);
        }
        for (name, value) in environment.variables() {
            (name, value).hash(&mut hasher);
        }
        for name in [
            "CARGO_TARGET_DIR",
            "RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "RUSTUP_TOOLCHAIN",
        ] {
            std::env::var_os(name).hash(&mut hasher);
        }
        let mut stamp = format!("inputs {:016x}\n", hasher.finish());
        for binary in &self.binaries {
            let meta = std::fs::metadata(binary).ok()?;
            let modified = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            stamp.push_str(&format!(
                "binary {} {} {}\n",
                binary.display(),
                meta.len(),
                modified.as_nanos()
            ));
        }
        Some(stamp)
    }
}

fn inputs_only(fingerprint: &str) -> &str {
    fingerprint.lines().next().unwrap_or_default()
}

/// `path` itself when it is a file, else every file below it (sources, manifests, build
/// scripts, tests). A file that does not exist counts as none: a project without a cargo
/// config is still a project.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    if !meta.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

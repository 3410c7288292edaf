//! The pristine workspace students' code is compiled in.
//!
//! It is made from the instructor's last commit (`git archive HEAD`): the root manifest with only
//! the exercise crates as members, the lock file, and each exercise's own `Cargo.toml` without its
//! dev-dependencies. There are no solutions, tests, harness or build scripts in it; a student's
//! `src/` files are the only thing that changes between students. It lives in
//! `.workbook/grading/build` (inside the project, so the project's `.cargo/config.toml` applies)
//! and builds into the project's target folder, so rclrs and the interfaces compile once for a
//! whole class.

use super::sandbox::Sandbox;
use super::submissions::Sources;
use crate::exercises::{Catalogue, Exercise};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workbook_harness::Environment;

pub struct Workspace {
    dir: PathBuf,
    target: PathBuf,
    /// The shipped sources of each exercise, by exercise name.
    starters: BTreeMap<String, Sources>,
}

/// How one exercise of one student built.
pub enum Built {
    /// The program, copied out of the target folder.
    Program(PathBuf),
    /// The compiler's messages.
    Failed(String),
}

impl Workspace {
    pub fn create(root: &Path, catalogue: &Catalogue, target: &Path) -> Result<Workspace> {
        let dir = root.join(".workbook/grading/build");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)?;
        let files = committed(root)?;
        let file = |path: &str| -> Result<&Vec<u8>> {
            files
                .get(Path::new(path))
                .with_context(|| format!("{path} is not in the last commit"))
        };

        let mut manifest: toml::Table = toml::from_str(std::str::from_utf8(file("Cargo.toml")?)?)
            .context("the project's Cargo.toml does not parse")?;
        let workspace = manifest
            .get_mut("workspace")
            .and_then(|w| w.as_table_mut())
            .context("Cargo.toml has no [workspace]")?;
        workspace.insert(
            "members".into(),
            toml::Value::Array(vec![toml::Value::String("exercises/*".into())]),
        );
        std::fs::write(dir.join("Cargo.toml"), toml::to_string(&manifest)?)?;
        if let Ok(lock) = file("Cargo.lock") {
            std::fs::write(dir.join("Cargo.lock"), lock)?;
        }

        let mut starters = BTreeMap::new();
        for exercise in &catalogue.exercises {
            let crate_dir = Path::new("exercises").join(&exercise.dir);
            let mut crate_manifest: toml::Table = toml::from_str(std::str::from_utf8(file(
                &crate_dir.join("Cargo.toml").to_string_lossy(),
            )?)?)?;
            crate_manifest.remove("dev-dependencies");
            // Cargo copies every binary to target/debug/<name>; under its own name there it would
            // replace the student's own `ex01_…` (which `check` runs) with the last graded one.
            if let Some(bins) = crate_manifest.get_mut("bin").and_then(|b| b.as_array_mut()) {
                for bin in bins.iter_mut().filter_map(|b| b.as_table_mut()) {
                    if let Some(name) = bin.get("name").and_then(|n| n.as_str()) {
                        let renamed = graded_name(name);
                        bin.insert("name".into(), toml::Value::String(renamed));
                    }
                }
            }
            std::fs::create_dir_all(dir.join(&crate_dir))?;
            std::fs::write(
                dir.join(&crate_dir).join("Cargo.toml"),
                toml::to_string(&crate_manifest)?,
            )?;
            let src = crate_dir.join("src");
            let sources: Sources = files
                .iter()
                .filter_map(|(path, bytes)| {
                    Some((path.strip_prefix(&src).ok()?.to_path_buf(), bytes.clone()))
                })
                .collect();
            starters.insert(exercise.name.clone(), sources);
        }
        let workspace = Workspace {
            dir,
            target: target.to_path_buf(),
            starters,
        };
        for exercise in &catalogue.exercises {
            workspace.put(exercise, &workspace.starters[&exercise.name])?;
        }
        Ok(workspace)
    }

    /// Whether `sources` are the exercise exactly as shipped.
    pub fn is_starter(&self, exercise: &Exercise, sources: &Sources) -> bool {
        self.starters.get(&exercise.name) == Some(sources)
    }

    /// Compiles the given exercises of one student and copies each program into `dest`. Holds
    /// no lock itself: one build at a time is the caller's job (cargo would wait anyway).
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        environment: &Environment,
        sandbox: &Sandbox,
        hidden: &[PathBuf],
        work: &[(&Exercise, &Sources)],
        dest: &Path,
        deadline: Duration,
        token: &str,
    ) -> Result<BTreeMap<String, Built>> {
        for (exercise, sources) in work {
            self.put(exercise, sources)?;
        }
        std::fs::create_dir_all(dest)?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut args = vec![
            "build",
            "--keep-going",
            "--message-format=json-diagnostic-rendered-ansi",
        ];
        let packages: Vec<String> = work
            .iter()
            .map(|(e, _)| format!("exercise-{}", e.dir))
            .collect();
        for package in &packages {
            args.extend(["--package", package]);
        }
        let mut command = sandbox.hiding(hidden, Path::new(&cargo), &args);
        command
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        environment.apply(&mut command);
        let cgroup = sandbox.limit(&mut command, token);
        let outcome = run_with_deadline(command, deadline);
        sandbox.sweep(token, cgroup.as_deref());
        let (stdout, stderr, timed_out) = outcome?;

        let mut messages: BTreeMap<String, String> = BTreeMap::new();
        let mut programs: BTreeMap<String, PathBuf> = BTreeMap::new();
        for line in String::from_utf8_lossy(&stdout).lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let target = message["target"]["name"].as_str().unwrap_or_default();
            match message["reason"].as_str() {
                Some("compiler-message") if message["message"]["level"] == "error" => {
                    if let Some(rendered) = message["message"]["rendered"].as_str() {
                        messages
                            .entry(target.to_string())
                            .or_default()
                            .push_str(rendered);
                    }
                }
                Some("compiler-artifact") => {
                    if let Some(path) = message["executable"].as_str() {
                        programs.insert(target.to_string(), PathBuf::from(path));
                    }
                }
                _ => {}
            }
        }
        let mut built = BTreeMap::new();
        for (exercise, _) in work {
            let graded = graded_name(&exercise.program);
            let result = match programs.get(&graded) {
                Some(program) => {
                    let copy = dest.join(&exercise.program);
                    std::fs::copy(program, &copy).with_context(|| {
                        format!("cannot copy {} to {}", program.display(), copy.display())
                    })?;
                    Built::Program(copy)
                }
                None if timed_out => Built::Failed(format!(
                    "the build did not finish within {} s",
                    deadline.as_secs()
                )),
                None => Built::Failed(messages.remove(&graded).unwrap_or_else(|| {
                    let text = String::from_utf8_lossy(&stderr);
                    let tail: Vec<&str> = text.lines().rev().take(15).collect();
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                })),
            };
            built.insert(exercise.name.clone(), result);
        }
        // Put the shipped code back, so nothing of this student is there for the next one.
        for (exercise, _) in work {
            self.put(exercise, &self.starters[&exercise.name])?;
        }
        Ok(built)
    }

    /// Replaces an exercise crate's `src/` with `sources`.
    fn put(&self, exercise: &Exercise, sources: &Sources) -> Result<()> {
        let src = self.dir.join("exercises").join(&exercise.dir).join("src");
        if src.exists() {
            std::fs::remove_dir_all(&src)?;
        }
        std::fs::create_dir_all(&src)?;
        for (path, bytes) in sources {
            let file = src.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&file, bytes)?;
        }
        Ok(())
    }
}

use std::os::unix::process::CommandExt;

/// The name a program is built under in the grading workspace.
fn graded_name(program: &str) -> String {
    format!("graded_{program}")
}

/// Runs `command`, killing its process group at the deadline; returns stdout, stderr and
/// whether it was killed.
fn run_with_deadline(mut command: Command, deadline: Duration) -> Result<(Vec<u8>, Vec<u8>, bool)> {
    let mut child = command.spawn().context("cannot start cargo")?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut stderr = child.stderr.take().context("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stderr).take(1 << 20).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
        bytes
    });
    let end = Instant::now() + deadline;
    let mut timed_out = false;
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() >= end {
            timed_out = true;
            // SAFETY: kill(2) on the process group the child leads.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok((stdout, stderr, timed_out))
}

/// The files of the last commit under `Cargo.toml`, `Cargo.lock` and `exercises/`, by path.
fn committed(root: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "archive",
            "--format=tar",
            "HEAD",
            "Cargo.toml",
            "Cargo.lock",
            "exercises",
        ])
        .output()
        .context("cannot run git (grading builds students' code in a copy of the last commit)")?;
    if !output.status.success() {
        bail!(
            "cannot read the last commit of {} ({}); grading needs the workbook as a git clone",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(output.stdout.as_slice());
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        files.insert(path, bytes);
    }
    Ok(files)
}

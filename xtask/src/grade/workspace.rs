//! The pristine workspace students' code is compiled in.
//!
//! It is made from the instructor's last commit (`git archive HEAD`): the root manifest with only
//! the exercise crates as members, the lock file, and each exercise's own `Cargo.toml` without its
//! dev-dependencies and with build scripts switched off. There are no solutions, tests, harness
//! or build scripts in it; a student's `src/` files are the only thing that changes between
//! students. The pristine copy lives in `.workbook/grading/build` (inside the project, so the
//! project's `.cargo/config.toml` applies); it is built once into the project's target folder,
//! so that rclrs and the interfaces are compiled for it, and each student's build then happens
//! in a build folder of its own (`build_folder.rs`), sandboxed (`compiler.rs`).

use super::build_folder::{BuildFolder, Dependencies};
use super::compiler::Compiler;
use super::sandbox::Sandbox;
use super::submissions::Sources;
use crate::cargo::{Message, FEATURES_PACKAGE};
use crate::exercises::{Catalogue, Exercise, Side};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workbook_harness::Environment;

pub struct Workspace {
    /// The pristine workspace, with the shipped sources.
    dir: PathBuf,
    /// Where the students' build folders are made (`builds/<token>`).
    builds: PathBuf,
    /// What a student's build folder starts from.
    dependencies: Dependencies,
    compiler: Compiler,
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
    /// Makes the pristine workspace and builds it once into `target` (the shipped exercises),
    /// so that a student's build finds every dependency compiled.
    pub fn create(
        root: &Path,
        catalogue: &Catalogue,
        environment: &Environment,
        target: &Path,
    ) -> Result<Workspace> {
        let grading = root.join(".workbook/grading");
        let dir = grading.join("build");
        let builds = grading.join("builds");
        for old in [&dir, &builds] {
            if old.exists() {
                std::fs::remove_dir_all(old)
                    .with_context(|| format!("cannot clear {}", old.display()))?;
            }
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
        // The exercises, and the package that gives every build the workspace's features
        // (xtask/features, copied to features/): with it, rclrs and the rest are the units the
        // checks compiled.
        workspace.insert(
            "members".into(),
            toml::Value::Array(vec![
                toml::Value::String("exercises/*".into()),
                toml::Value::String(GRADING_FEATURES_DIR.into()),
            ]),
        );
        one_shot_profile(&mut manifest, catalogue);
        std::fs::write(dir.join("Cargo.toml"), toml::to_string(&manifest)?)?;
        for (path, bytes) in files.range(PathBuf::from(FEATURES_DIR)..) {
            let Ok(inside) = path.strip_prefix(FEATURES_DIR) else {
                break;
            };
            let copy = dir.join(GRADING_FEATURES_DIR).join(inside);
            std::fs::create_dir_all(copy.parent().context("a file has a folder")?)?;
            std::fs::write(&copy, bytes)?;
        }
        if let Ok(lock) = file("Cargo.lock") {
            std::fs::write(dir.join("Cargo.lock"), lock)?;
        }

        let mut starters = BTreeMap::new();
        for exercise in catalogue.in_workspace() {
            let crate_dir = exercise.crate_of(Side::Exercise).relative();
            let mut crate_manifest: toml::Table = toml::from_str(std::str::from_utf8(file(
                &crate_dir.join("Cargo.toml").to_string_lossy(),
            )?)?)?;
            crate_manifest.remove("dev-dependencies");
            // No build script runs, even if a `build.rs` appeared beside the manifest.
            if let Some(package) = crate_manifest
                .get_mut("package")
                .and_then(|p| p.as_table_mut())
            {
                package.insert("build".into(), toml::Value::Boolean(false));
            }
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
        for exercise in catalogue.in_workspace() {
            put(&dir, exercise, &starters[&exercise.name])?;
        }
        // The shipped exercises, built by the grader: cargo compiles the dependencies with this
        // workspace's features, once, into the shared target folder.
        prime(&dir, target, environment, &["--workspace"])
            .context("the shipped exercises do not build in the grading workspace")?;
        // A student's build selects only the exercises handed in, and cargo unifies features
        // over the selected packages: exercise 1 alone needs rclrs compiled with other features
        // of its dependencies (no `futures` executor) than the whole workspace. Each exercise is
        // built alone here too, so that every such set is compiled and fresh when it is planted:
        // a unit left stale by an earlier build would have the student's build recompile it,
        // and the planted unit is not the student's to rewrite ("does not compile").
        for exercise in catalogue.in_workspace() {
            let package = exercise.crate_of(Side::Exercise).package();
            let selection = ["--package", &package, "--package", FEATURES_PACKAGE];
            prime(&dir, target, environment, &selection).with_context(|| {
                format!(
                    "exercise {} as shipped does not build alone in the grading workspace",
                    exercise.number
                )
            })?;
        }
        let mut local: std::collections::BTreeSet<String> =
            crate::cargo::workspace_packages()?.into_iter().collect();
        local.extend(
            catalogue
                .in_workspace()
                .map(|e| e.crate_of(Side::Exercise).package()),
        );
        Ok(Workspace {
            dir,
            builds,
            dependencies: Dependencies::survey(target, &local)?,
            compiler: Compiler::find()?,
            starters,
        })
    }

    /// How many compiled dependency files each student's build folder starts with.
    pub fn dependency_files(&self) -> usize {
        self.dependencies.files()
    }

    /// Whether `sources` are the exercise exactly as shipped.
    pub fn is_starter(&self, exercise: &Exercise, sources: &Sources) -> bool {
        self.starters.get(&exercise.name) == Some(sources)
    }

    /// Compiles the given exercises of one student in a build folder of their own and copies
    /// each program into `dest`. `hidden` folders are emptied for the build, `exposed` paths
    /// inside them put back (read-only). Builds of different students may run at once.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        environment: &Environment,
        sandbox: &Sandbox,
        hidden: &[PathBuf],
        exposed: &[PathBuf],
        work: &[(&Exercise, &Sources)],
        dest: &Path,
        deadline: Duration,
        token: &str,
    ) -> Result<BTreeMap<String, Built>> {
        let folder = BuildFolder::create(self.builds.join(token), &self.dir, &self.dependencies)?;
        for (exercise, sources) in work {
            put(&folder.workspace(), exercise, sources)?;
        }
        if let Some(uid) = sandbox.build_user() {
            folder.give_to(uid)?;
        }
        std::fs::create_dir_all(dest)?;
        let mut args = vec![
            "build",
            "--keep-going",
            "--message-format=json-diagnostic-rendered-ansi",
        ];
        let packages: Vec<String> = work
            .iter()
            .map(|(e, _)| e.crate_of(Side::Exercise).package())
            .collect();
        for package in &packages {
            args.extend(["--package", package]);
        }
        args.extend(["--package", FEATURES_PACKAGE]);
        let (mut command, seal) = self
            .compiler
            .command(sandbox, &folder, hidden, exposed, &args)?;
        command
            .current_dir(folder.workspace())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        environment.apply(&mut command);
        let cgroup = sandbox.limit(&mut command, token);
        if let Some(seal) = &seal {
            seal.enter(&mut command, None);
        }
        let outcome = run_with_deadline(command, deadline);
        drop(seal);
        sandbox.sweep(token, cgroup.as_deref());
        let (stdout, stderr, timed_out) = outcome?;

        let mut messages: BTreeMap<String, String> = BTreeMap::new();
        let mut programs: BTreeMap<String, PathBuf> = BTreeMap::new();
        for message in crate::cargo::messages(&stdout) {
            match message {
                Message::Diagnostic {
                    target,
                    level,
                    rendered,
                } if level == "error" => messages.entry(target).or_default().push_str(&rendered),
                Message::Artifact {
                    target,
                    executable: Some(path),
                } => {
                    programs.insert(target, path);
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
        Ok(built)
    }
}

/// `cargo build --quiet <selection>` of the pristine workspace `dir` into `target`, as root,
/// outside any sandbox; cargo's errors when it fails.
fn prime(dir: &Path, target: &Path, environment: &Environment, selection: &[&str]) -> Result<()> {
    let mut command = Command::new(crate::cargo::program());
    command
        .args(["build", "--quiet"])
        .args(selection)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target);
    environment.apply(&mut command);
    let output = command.output().context("cannot run cargo")?;
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// Makes the exercise crates' own build fit a build that is made once and thrown away: no
/// incremental cache (nothing ever reuses it), no debug info and none linked in from the
/// dependencies (nobody debugs a graded program; a panic still names its file and line). On a
/// 2-core machine this takes a student's seven exercises from about 15 to about 6 CPU seconds.
/// Only the exercise packages change, so the compiled dependencies stay valid.
fn one_shot_profile(manifest: &mut toml::Table, catalogue: &Catalogue) {
    let mut packages = toml::Table::new();
    for exercise in catalogue.in_workspace() {
        let mut settings = toml::Table::new();
        settings.insert("incremental".into(), toml::Value::Boolean(false));
        settings.insert("debug".into(), toml::Value::Integer(0));
        settings.insert("strip".into(), toml::Value::String("debuginfo".into()));
        packages.insert(
            format!("exercise-{}", exercise.dir),
            toml::Value::Table(settings),
        );
    }
    let profile = manifest
        .entry("profile")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let Some(profile) = profile.as_table_mut() else {
        return;
    };
    let dev = profile
        .entry("dev")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(dev) = dev.as_table_mut() {
        let overrides = dev
            .entry("package")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(overrides) = overrides.as_table_mut() {
            overrides.extend(packages);
        }
    }
}

/// Replaces an exercise crate's `src/` in the workspace `dir` with `sources`.
fn put(dir: &Path, exercise: &Exercise, sources: &Sources) -> Result<()> {
    let src = dir.join("exercises").join(&exercise.dir).join("src");
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

use std::os::unix::process::CommandExt;

/// Where the package named [`FEATURES_PACKAGE`] lives in the project.
const FEATURES_DIR: &str = "xtask/features";

/// Where the grading workspace keeps its copy of [`FEATURES_DIR`]. Not the same relative path:
/// cargo names a path package's compiled files after its path relative to the workspace root,
/// so a copy at `xtask/features` would share every file name with the project's own. Each
/// grading run's fresh copy is then compiled again over the project's (and with it
/// workbook-harness and everything above it at the project's next build), rewriting libraries
/// that other builds and tests were reading at that moment.
const GRADING_FEATURES_DIR: &str = "features";

/// The most of cargo's messages about one student's build that the grader keeps.
const MESSAGES_LIMIT: u64 = 16 << 20;

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
    // cargo's messages, capped: a submission can make the compiler print without end (errors
    // from a recursive macro), and the grader keeps only what a report can show.
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stdout).take(MESSAGES_LIMIT).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
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
    let tar = crate::git::last_commit(
        root,
        &["Cargo.toml", "Cargo.lock", "exercises", FEATURES_DIR],
        "grading (it builds students' code in a copy of the last commit)",
    )?;
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(tar.as_slice());
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

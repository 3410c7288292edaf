//! `cargo xtask grade`: grades a class's submissions with the exercises' own check suites.
//!
//! For each student: read the submission (only `exercises/<dir>/src/**/*.rs`, into memory),
//! compile those sources in a pristine workspace ([`workspace`]), then run each exercise's suite,
//! built once from the instructor's checkout, against the student's program, under limits
//! ([`sandbox`]). Points come from the checks (`exercises.toml`) and the rubric
//! (`exercises/rubric.toml`); every output is written from one [`report::ClassReport`].
//!
//! Students are graded side by side (`--jobs`, [`pool`]): each builds in a folder of their own
//! ([`build_folder`], sealed by [`compiler`]) and each check runs in a sealed world of its own.
//! [`plan`] reads the options, [`grader`] grades one student, [`table`] shows the class as it is
//! graded, [`merge`] joins shards.

mod build_folder;
mod compiler;
mod git;
mod grader;
mod merge;
mod plan;
mod pool;
pub mod report;
pub mod rubric;
pub mod sandbox;
pub mod submissions;
mod table;
pub mod workspace;

use crate::exercises::{Catalogue, Exercise, Side};
use crate::suite::{self, Build};
use crate::{cargo, provision, ui};
use anyhow::{bail, Context, Result};
use colored::Colorize;
use report::{ClassReport, ExerciseInfo, StudentReport};
use rubric::Rubric;
use sandbox::{RunLimits, Sandbox};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use workbook_harness::project_root;

use grader::Grader;
pub use merge::merge;
use plan::{absolute, parse_shard, parse_time};
use table::summary;
use workspace::Workspace;

pub struct Options {
    pub submissions: PathBuf,
    pub exercises: Vec<String>,
    pub out: PathBuf,
    pub jobs: usize,
    pub shard: Option<String>,
    pub rubric: Option<PathBuf>,
    pub deadline: Option<String>,
    pub keep: bool,
    /// Grade even where students' programs cannot be sandboxed (sealed, unprivileged).
    pub no_sandbox: bool,
    /// `submissions` is itself one student's hand-in (a folder, git repository or archive), not
    /// a folder of them: what the Gradescope autograder grades.
    pub one: bool,
}

pub fn run(options: Options) -> Result<ExitCode> {
    let started = Instant::now();
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let rubric_path = options
        .rubric
        .clone()
        .unwrap_or_else(|| root.join("exercises/rubric.toml"));
    let rubric = Rubric::load(&rubric_path, &catalogue)?;
    if !options.one && !options.submissions.is_dir() {
        return Err(ui::usage(
            format!(
                "{} is not a folder of submissions",
                options.submissions.display()
            ),
            "give the folder that holds one folder, git repository, .zip or .tar.gz per student: cargo xtask grade <folder>",
        ));
    }
    let submissions_dir = options.submissions.canonicalize().map_err(|error| {
        ui::usage(
            format!("cannot read {}: {error}", options.submissions.display()),
            "give an existing folder, git repository, .zip or .tar.gz",
        )
    })?;
    let out = absolute(&options.out)?;
    if out.starts_with(&submissions_dir) {
        return Err(ui::usage(
            format!(
                "the output folder {} is inside the submissions",
                out.display()
            ),
            "write the grades elsewhere, e.g. --out grades",
        ));
    }
    let exercises: Vec<Exercise> = catalogue.gradable(&options.exercises)?;
    let shard = options.shard.as_deref().map(parse_shard).transpose()?;
    let deadline = options.deadline.as_deref().map(parse_time).transpose()?;
    // Every usage error is found by now: only then is anything written.
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let (mut paths, ignored) = if options.one {
        (vec![submissions_dir.clone()], Vec::new())
    } else {
        submissions::discover(&submissions_dir)?
    };
    if let Some((index, count)) = shard {
        paths = paths
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % count == index - 1)
            .map(|(_, p)| p)
            .collect();
    }
    ui::heading(
        "grade",
        &format!(
            "{} submissions × {} exercises from {}{}",
            paths.len(),
            exercises.len(),
            submissions_dir.display(),
            options
                .shard
                .as_deref()
                .map(|s| format!(" (shard {s})"))
                .unwrap_or_default()
        ),
    );
    for note in &ignored {
        println!("    {} {note}", "·".dimmed());
    }

    let _only_grader = lock(&root)?;
    let environment = provision::ensure()?;
    let target = cargo::target_dir()?;
    let sandbox = sandbox_for(&rubric, &target);
    for (line, ok) in sandbox.describe() {
        let mark = if ok { "✓".green() } else { "!".yellow() };
        println!("  {mark} {line}");
    }
    if !sandbox.complete() && !options.no_sandbox {
        return Err(ui::usage(
            "students' programs cannot be sandboxed on this machine (see the lines marked ! \
             above): their code would run with the grader's reach",
            "allow namespaces (`cargo xtask doctor` says how), or pass --no-sandbox to grade \
             anyway, trusting every submission",
        ));
    }

    let step = ui::Step::start(
        "prepare",
        "the checks, the reference programs, a pristine workspace",
    );
    let mut suites = BTreeMap::new();
    for exercise in &exercises {
        match suite::build(&root, &environment, exercise, Side::Solution)? {
            Build::Ready(path) => {
                suites.insert(exercise.name.clone(), path);
            }
            Build::Failed(messages) => {
                step.failed("a check suite does not compile");
                eprint!("{messages}");
                bail!(
                    "the checks of {} do not compile (a workbook bug)",
                    exercise.label()
                );
            }
        }
    }
    let mut references = cargo::command(&environment, "build");
    // The probes, the solutions, and `workbook-sandbox` (xtask's own bin) that starts students'
    // programs.
    references.args([
        "--quiet",
        "--bins",
        "--package",
        "workbook-probes",
        "--package",
        "xtask",
    ]);
    for exercise in catalogue.in_workspace() {
        references.args(["--package", &exercise.crate_of(Side::Solution).package()]);
    }
    let status = references.status().context("cannot run cargo")?;
    if !status.success() {
        step.failed("the reference programs do not build");
        bail!("the reference programs do not build (a workbook bug)");
    }
    let workspace = Workspace::create(&root, &catalogue, &environment, &target)?;
    step.done(&format!(
        "{} suites ready; each student builds in a folder of their own, from {} compiled \
         dependency files",
        suites.len(),
        workspace.dependency_files()
    ));

    let work = out.join(".work");
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    // Students' programs cannot see `xtask/`, where the workbook's Fast DDS profile lives; a copy
    // beside the grading work gives them its faster discovery too (an instructor's own profile,
    // set in the environment, is left alone).
    let fastdds_profile = environment
        .uses_workbook_profile()
        .then(|| work.join("fastdds.xml"))
        .filter(|copy| std::fs::copy(&environment.fastdds_profile, copy).is_ok());
    // The suites write their verdicts here, each run in a private folder of its own; students'
    // programs see this folder empty, so they cannot reach a verdict file by its path.
    let verdicts = work.join("verdicts");
    std::fs::create_dir_all(&verdicts)
        .with_context(|| format!("cannot create {}", verdicts.display()))?;
    let grader = Arc::new(Grader {
        // The whole project (solutions, tests, its git objects, other students' build folders),
        // the build output, the hand-ins, the output and the grader's home; the names inside the
        // project count where the project itself cannot be hidden (see `compiler.rs`).
        hidden_from_builds: [
            root.clone(),
            root.join("solutions"),
            root.join("tests"),
            root.join("xtask"),
            root.join(".git"),
            target.clone(),
            submissions_dir.clone(),
            std::path::absolute(&out).unwrap_or_else(|_| out.clone()),
        ]
        .into_iter()
        .chain(grader_home())
        .collect(),
        exposed_to_builds: [Some(root.join(".cargo")), Some(root.join(".ros"))]
            .into_iter()
            .chain(
                std::iter::once(&environment.workbook_prefix)
                    .chain(&environment.prefixes)
                    .map(|p| std::fs::canonicalize(p).ok()),
            )
            .flatten()
            .collect(),
        hidden_from_programs: [
            root.join("solutions"),
            root.join("tests"),
            root.join("xtask"),
            target.clone(),
            submissions_dir.clone(),
            std::path::absolute(&out).unwrap_or_else(|_| out.clone()),
            verdicts.clone(),
        ]
        .into_iter()
        .chain(grader_home())
        .collect(),
        exposed_to_programs: [
            Some(root.join(".ros")),
            std::fs::canonicalize(&environment.workbook_prefix).ok(),
            fastdds_profile.clone(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        verdicts,
        environment,
        rubric,
        exercises,
        suites,
        workspace,
        sandbox,
        catalogue,
        work: work.clone(),
        fastdds_profile,
        deadline,
        run_id: format!("{}-{}", std::process::id(), started.elapsed().as_nanos()),
    });

    let students = pool::grade_all(&grader, paths, options.jobs);
    // Programs the grader had to kill leave Fast DDS's shared-memory files behind. Every run of
    // this grading has ended, so remove the ones no process holds: nodes started afterwards
    // (the next grading, a student's check) must not trip over them.
    let cleaned = workbook_harness::shm::remove_stale(Path::new(workbook_harness::shm::SHM_DIR))
        .map(|removed| removed.len())
        .unwrap_or(0);

    let class = ClassReport {
        exercises: grader
            .exercises
            .iter()
            .map(|e| ExerciseInfo {
                name: e.name.clone(),
                title: e.title.clone(),
                weight: grader.rubric.weight(&e.name),
            })
            .collect(),
        shard: options.shard.clone(),
        solutions_hidden: grader.sandbox.hides(),
        students,
    };
    if !options.keep {
        let _ = std::fs::remove_dir_all(&work);
    }
    class.write(&out)?;
    summary(&class, &out, started.elapsed());
    if cleaned > 0 {
        println!("  removed {cleaned} stale shared-memory files of stopped programs from /dev/shm");
    }
    let broken: Vec<&StudentReport> = class
        .students
        .iter()
        .filter(|s| s.error.is_some())
        .collect();
    if broken.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for student in broken {
            ui::error(
                &format!(
                    "{} could not be graded: {}",
                    student.id,
                    student.error.as_deref().unwrap_or_default()
                ),
                "ask the student for a new submission (a folder, a git repository, a .zip or a .tar.gz) and grade again",
            );
        }
        Ok(ExitCode::from(1))
    }
}

/// The sandbox students' programs get on this machine under `rubric`'s limits, with the
/// `workbook-sandbox` of the target folder `target`.
pub fn sandbox_for(rubric: &Rubric, target: &Path) -> Sandbox {
    Sandbox::detect(
        rubric.limits.processes,
        rubric.limits.memory_mib,
        RunLimits {
            memory_mib: rubric.limits.run_memory_mib,
            cpus: rubric.limits.cpus,
        },
        target.join("debug/workbook-sandbox"),
    )
}

/// One grading run per workbook at a time: they share the pristine workspace. A second run
/// (say, another shard on the same machine) waits for the first.
fn lock(root: &Path) -> Result<std::fs::File> {
    let dir = root.join(".workbook/grading");
    std::fs::create_dir_all(&dir)?;
    let file = std::fs::File::create(dir.join("lock"))?;
    if file.try_lock().is_err() {
        println!(
            "  {} waiting for another `cargo xtask grade` in this workbook to finish",
            "…".yellow()
        );
        file.lock()
            .with_context(|| format!("cannot lock {}", dir.join("lock").display()))?;
    }
    Ok(file)
}

/// The grader's home folder, hidden from students' builds and programs.
fn grader_home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute() && h != Path::new("/"))
}

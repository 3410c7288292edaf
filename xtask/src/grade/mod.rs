//! `cargo xtask grade`: grades a class's submissions with the exercises' own check suites.
//!
//! For each student: read the submission (only `exercises/<dir>/src/**/*.rs`, into memory),
//! compile those sources in a pristine workspace ([`workspace`]), then run each exercise's suite,
//! built once from the instructor's checkout, against the student's program, under limits
//! ([`sandbox`]). Points come from the checks (`exercises.toml`) and the rubric
//! (`exercises/rubric.toml`); every output is written from one [`report::ClassReport`].
//!
//! Compiles run one at a time (they share one target folder); suites of several students run at
//! once (`--jobs`), each check in its own ROS domain.

mod build_folder;
mod compiler;
mod git;
pub mod report;
pub mod rubric;
pub mod sandbox;
pub mod submissions;
pub mod workspace;

use crate::exercises::{Catalogue, Exercise, Side};
use crate::suite::{self, Build};
use crate::{cargo, provision, ui};
use anyhow::{bail, Context, Result};
use colored::Colorize;
use indicatif::{ProgressBar, ProgressStyle};
use report::{ClassReport, ExerciseInfo, ExerciseReport, Status, StudentReport};
use rubric::Rubric;
use sandbox::{RunLimits, Sandbox};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use submissions::Submission;
use workbook_harness::programs::REFERENCES_PREBUILT;
use workbook_harness::{project_root, Environment, NodeProcess};

/// The target folder, where the reference programs the checks start live.
fn cargo_target() -> PathBuf {
    cargo::target_dir().unwrap_or_else(|_| project_root().join("target"))
}
use workspace::{Built, Workspace};

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

/// Everything the workers share.
struct Grader {
    environment: Environment,
    rubric: Rubric,
    exercises: Vec<Exercise>,
    suites: BTreeMap<String, PathBuf>,
    workspace: Workspace,
    sandbox: Sandbox,
    catalogue: Catalogue,
    /// Hidden from the compiler while it builds students' code.
    hidden_from_builds: Vec<PathBuf>,
    /// Reachable for students' builds inside the hidden folders (read-only): the project's
    /// cargo configuration and ROS installation.
    exposed_to_builds: Vec<PathBuf>,
    /// Hidden from students' programs while they run.
    hidden_from_programs: Vec<PathBuf>,
    /// Reachable for students' programs inside the hidden folders (read-only): what ROS needs.
    exposed_to_programs: Vec<PathBuf>,
    work: PathBuf,
    /// The workbook's Fast DDS profile, copied out of `xtask/` (hidden from students' programs).
    fastdds_profile: Option<PathBuf>,
    /// Where the suites' verdict files are made (hidden from students' programs).
    verdicts: PathBuf,
    deadline: Option<i64>,
    run_id: String,
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
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let exercises: Vec<Exercise> = if options.exercises.is_empty() {
        catalogue.exercises.clone()
    } else {
        options
            .exercises
            .iter()
            .map(|q| catalogue.find(q).cloned())
            .collect::<Result<_>>()?
    };
    let shard = options.shard.as_deref().map(parse_shard).transpose()?;
    let deadline = options.deadline.as_deref().map(parse_time).transpose()?;

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
        match suite::build(&root, &environment, exercise, Side::Solution, None)? {
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
    for exercise in &catalogue.exercises {
        references.args(["--package", &exercise.package(Side::Solution)]);
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

    // Ctrl-C (or SIGTERM) while grading: stop every process of this run before leaving.
    {
        let sandbox = grader.sandbox.clone();
        let run_id = grader.run_id.clone();
        let _ = ctrlc::set_handler(move || {
            let stopped = sandbox.sweep_run(&run_id);
            eprintln!(
                "\n  interrupted: stopped {stopped} processes of this grading run; no grades written"
            );
            std::process::exit(130);
        });
    }

    // Student ids, made unique (two archives may differ only in characters made safe).
    let mut seen = BTreeMap::<String, usize>::new();
    let queue: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|path| {
            let id = submissions::student_id(&path);
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            let id = if *n == 1 { id } else { format!("{id}-{n}") };
            (path, id)
        })
        .collect();
    let total = queue.len();
    let queue = Arc::new(Mutex::new(queue.into_iter()));
    let (sender, results) = mpsc::channel::<StudentReport>();
    let jobs = options.jobs.max(1).min(total.max(1));
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let queue = Arc::clone(&queue);
        let sender = sender.clone();
        let grader = Arc::clone(&grader);
        workers.push(std::thread::spawn(move || loop {
            let next = queue.lock().expect("queue").next();
            let Some((path, id)) = next else { break };
            let report = grader.grade(&path, id);
            if sender.send(report).is_err() {
                break;
            }
        }));
    }
    drop(sender);

    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "  {bar:30.cyan/blue} {pos}/{len} students  {elapsed} (about {eta} left)",
        )
        .expect("a valid template")
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    print_header(&grader.exercises);
    let mut students = Vec::new();
    for report in results {
        bar.suspend(|| print_row(&report, &grader.exercises));
        bar.inc(1);
        students.push(report);
    }
    bar.finish_and_clear();
    for worker in workers {
        let _ = worker.join();
    }
    students.sort_by(|a, b| a.id.cmp(&b.id));
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

impl Grader {
    fn grade(&self, path: &Path, id: String) -> StudentReport {
        let submission = submissions::read(path, id, &self.catalogue, &self.rubric.limits);
        let max = rubric::round(
            self.exercises
                .iter()
                .map(|e| self.rubric.weight(&e.name))
                .sum(),
        );
        let mut report = StudentReport {
            id: submission.id.clone(),
            origin: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            submitted: submission.submitted.map(|t| {
                humantime::format_rfc3339(
                    std::time::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64),
                )
                .to_string()
            }),
            late_percent: 0.0,
            exercises: Vec::new(),
            total: 0.0,
            max,
            notes: submission.notes.clone(),
            error: submission.error.clone(),
        };
        if report.error.is_none() {
            report.exercises = self.grade_exercises(&submission);
        } else {
            report.exercises = self
                .exercises
                .iter()
                .map(|e| self.unscored(e, Status::Error, report.error.clone().unwrap_or_default()))
                .collect();
        }
        let sum: f64 = report.exercises.iter().map(|e| e.points).sum();
        if let (Some(deadline), Some(submitted)) = (self.deadline, submission.submitted) {
            report.late_percent = self.rubric.late_penalty(submitted - deadline);
        }
        report.total = rubric::round(sum * (1.0 - report.late_percent / 100.0));
        report
    }

    fn grade_exercises(&self, submission: &Submission) -> Vec<ExerciseReport> {
        let mut reports: BTreeMap<String, ExerciseReport> = BTreeMap::new();
        let mut to_build = Vec::new();
        for exercise in &self.exercises {
            match submission.exercises.get(&exercise.name) {
                None => {
                    let detail = format!("no exercises/{}/src/ in the submission", exercise.dir);
                    reports.insert(exercise.name.clone(), self.missing(exercise, detail));
                }
                Some(sources) if self.workspace.is_starter(exercise, sources) => {
                    let detail = "handed in unchanged from the shipped exercise".to_string();
                    reports.insert(exercise.name.clone(), self.missing(exercise, detail));
                }
                Some(sources) => to_build.push((exercise, sources)),
            }
        }
        let dir = self.work.join(&submission.id);
        let built = if to_build.is_empty() {
            Ok(BTreeMap::new())
        } else {
            self.workspace.build(
                &self.environment,
                &self.sandbox,
                &self.hidden_from_builds,
                &self.exposed_to_builds,
                &to_build,
                &dir.join("bin"),
                Duration::from_secs(self.rubric.limits.build_seconds),
                &format!("{}-{}-build", self.run_id, submission.id),
            )
        };
        match built {
            Err(error) => {
                for (exercise, _) in &to_build {
                    reports.insert(
                        exercise.name.clone(),
                        self.unscored(
                            exercise,
                            Status::Error,
                            format!("the grader could not build it: {error:#}"),
                        ),
                    );
                }
            }
            Ok(built) => {
                for (exercise, _) in &to_build {
                    let report = match built.get(&exercise.name) {
                        Some(Built::Program(program)) => {
                            self.run_checks(exercise, program, &dir, &submission.id)
                        }
                        Some(Built::Failed(messages)) => self.unscored(
                            exercise,
                            Status::CompileError,
                            report::strip_ansi(messages),
                        ),
                        None => self.unscored(exercise, Status::Error, "not built".into()),
                    };
                    reports.insert(exercise.name.clone(), report);
                }
            }
        }
        let _ = std::fs::remove_dir_all(dir.join("bin"));
        self.exercises
            .iter()
            .filter_map(|e| reports.remove(&e.name))
            .collect()
    }

    fn run_checks(
        &self,
        exercise: &Exercise,
        program: &Path,
        dir: &Path,
        id: &str,
    ) -> ExerciseReport {
        // The scratch folder is the student's program's to write in (its working folder); the
        // launcher lies outside it, so a program cannot change what the next run starts.
        let scratch = dir.join(&exercise.dir);
        let prepared = std::fs::create_dir_all(&scratch).and_then(|()| {
            self.sandbox
                .launcher(
                    &self.hidden_from_programs,
                    &self.exposed_to_programs,
                    &scratch,
                    program,
                    &dir.join(format!("{}.launch", exercise.dir)),
                )
                .map_err(std::io::Error::other)
        });
        let launcher = match prepared {
            Ok(path) => path,
            Err(error) => {
                return self.unscored(
                    exercise,
                    Status::Error,
                    format!("cannot prepare the run: {error}"),
                )
            }
        };
        let token = format!("{}-{}-{}", self.run_id, id, exercise.dir);
        let deadline = Duration::from_secs(self.rubric.limits.seconds_per_exercise);
        let (first, timed_out) = self.run_suite(
            exercise,
            &launcher,
            &scratch,
            &format!("{token}-1"),
            deadline,
        );
        let mut checks = first.outcomes;
        let mut rejected = first.rejected;
        // A check that fails once in a while under load must not cost a student points: when
        // some checks passed and some failed, the suite runs again and a check passed in either
        // run counts. A wrong program fails both runs; one that fails everything is not rerun.
        for attempt in 2..=1 + self.rubric.limits.retries {
            let passed = checks.iter().filter(|c| c.passed).count();
            if timed_out || passed == 0 || passed == exercise.checks.len() {
                break;
            }
            let (again, _) = self.run_suite(
                exercise,
                &launcher,
                &scratch,
                &format!("{token}-{attempt}"),
                deadline,
            );
            rejected.extend(again.rejected);
            for outcome in again.outcomes.into_iter().filter(|o| o.passed) {
                if let Some(check) = checks.iter_mut().find(|c| c.test == outcome.test) {
                    *check = outcome;
                }
            }
        }
        // A check the suite never finished says why.
        if timed_out {
            for check in checks
                .iter_mut()
                .filter(|c| first.unreported.contains(&c.test))
            {
                check.happened = format!("the checks were stopped after {} s", deadline.as_secs());
            }
        }
        let check_max: u32 = exercise.checks.iter().map(|c| c.points).sum();
        let passed: u32 = checks.iter().filter(|c| c.passed).map(|c| c.points).sum();
        let status = if timed_out {
            Status::TimedOut
        } else if passed == check_max {
            Status::Passed
        } else if passed > 0 {
            Status::Partial
        } else {
            Status::Failed
        };
        ExerciseReport {
            name: exercise.name.clone(),
            status,
            points: self.rubric.score(&exercise.name, passed, check_max),
            weight: self.rubric.weight(&exercise.name),
            check_points: passed,
            check_max,
            checks,
            detail: if timed_out {
                format!("the checks were stopped after {} s", deadline.as_secs())
            } else {
                rejected.join("\n")
            },
        }
    }

    /// One run of an exercise's suite against a student's program, under the limits; what it
    /// reported and whether it had to be stopped at the deadline.
    fn run_suite(
        &self,
        exercise: &Exercise,
        launcher: &Path,
        scratch: &Path,
        token: &str,
        deadline: Duration,
    ) -> (suite::Results, bool) {
        let verdicts = match suite::VerdictFile::create(Some(&self.verdicts)) {
            Ok(verdicts) => verdicts,
            Err(error) => {
                let mut results = suite::parse("", "", exercise);
                for check in &mut results.outcomes {
                    check.happened = format!("the grader could not run the checks: {error:#}");
                }
                return (results, false);
            }
        };
        let mut command = suite::command(
            Command::new(&self.suites[&exercise.name]),
            &self.environment,
            Some(launcher),
            &verdicts.path(),
        );
        command.current_dir(scratch).env(REFERENCES_PREBUILT, "1");
        if let Some(profile) = &self.fastdds_profile {
            for name in workbook_harness::FASTDDS_PROFILE_VARIABLES {
                command.env(name, profile);
            }
        }
        self.sandbox
            .lock_down(&mut command, &[self.work.clone(), cargo_target()]);
        let cgroup = self.sandbox.limit(&mut command, token);
        let (text, timed_out) = match NodeProcess::start("the check suite", command) {
            Ok(mut process) => {
                process.close_stdin();
                match process.wait_for_exit(deadline) {
                    Ok(output) => (output.text, false),
                    Err(_) => {
                        let text = process.transcript();
                        drop(process);
                        (text, true)
                    }
                }
            }
            Err(error) => (format!("{error:#}"), false),
        };
        self.sandbox.sweep(token, cgroup.as_deref());
        // A verdict file that cannot be read is no verdict: nothing passed, and the report says why.
        let (written, unreadable) = match verdicts.read() {
            Ok(written) => (written, None),
            Err(error) => (String::new(), Some(format!("{error:#}"))),
        };
        let mut results = suite::parse(&written, &text, exercise);
        results.rejected.extend(unreadable);
        (results, timed_out)
    }

    fn missing(&self, exercise: &Exercise, detail: String) -> ExerciseReport {
        let mut report = self.unscored(exercise, Status::Missing, detail);
        report.points = self.rubric.missing.points.min(report.weight);
        report
    }

    fn unscored(&self, exercise: &Exercise, status: Status, detail: String) -> ExerciseReport {
        ExerciseReport {
            name: exercise.name.clone(),
            status,
            points: 0.0,
            weight: self.rubric.weight(&exercise.name),
            check_points: 0,
            check_max: exercise.checks.iter().map(|c| c.points).sum(),
            checks: Vec::new(),
            detail,
        }
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

/// `cargo xtask grade merge`: joins the outputs of several shards into one.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<ExitCode> {
    if inputs.is_empty() {
        return Err(ui::usage(
            "no shard outputs to merge",
            "cargo xtask grade merge <shard-output-folder>... --out <folder>",
        ));
    }
    ui::heading(
        "grade merge",
        &format!("{} shards into {}", inputs.len(), out.display()),
    );
    let mut merged: Option<ClassReport> = None;
    for input in inputs {
        let path = input.join("grades.json");
        let text = std::fs::read_to_string(&path).map_err(|_| {
            ui::usage(
                format!("{} has no grades.json", input.display()),
                "give the --out folders of `cargo xtask grade --shard I/N` runs",
            )
        })?;
        let class: ClassReport = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a grades.json of cargo xtask grade",
                path.display()
            )
        })?;
        match &mut merged {
            None => merged = Some(class),
            Some(all) => {
                all.solutions_hidden &= class.solutions_hidden;
                if all.exercises != class.exercises {
                    return Err(ui::usage(
                        format!(
                            "{} graded other exercises or weights than the first shard",
                            input.display()
                        ),
                        "merge only shards of one grading run (same --exercise and rubric)",
                    ));
                }
                for student in class.students {
                    if all.students.iter().any(|s| s.id == student.id) {
                        return Err(ui::usage(
                            format!("the student {} is in more than one shard", student.id),
                            "merge each shard once (shards of one run never share a student)",
                        ));
                    }
                    all.students.push(student);
                }
            }
        }
    }
    let mut class = merged.expect("at least one input");
    class.students.sort_by(|a, b| a.id.cmp(&b.id));
    class.shard = None;
    class.write(out)?;
    println!(
        "  {} {} students → {}",
        "✓".green().bold(),
        class.students.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// One grading run per workbook at a time: they share the pristine workspace. A second run
/// (say, another shard on the same machine) waits for the first.
fn lock(root: &Path) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    let dir = root.join(".workbook/grading");
    std::fs::create_dir_all(&dir)?;
    let file = std::fs::File::create(dir.join("lock"))?;
    // SAFETY: flock(2) on a file descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        println!(
            "  {} waiting for another `cargo xtask grade` in this workbook to finish",
            "…".yellow()
        );
        // SAFETY: as above; this call blocks until the other run releases the lock.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            bail!("cannot lock {}", dir.join("lock").display());
        }
    }
    Ok(file)
}

/// The grader's home folder, hidden from students' builds and programs.
fn grader_home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute() && h != Path::new("/"))
}

fn print_header(exercises: &[Exercise]) {
    let mut line = format!("  {:<24}", "student");
    for exercise in exercises {
        line.push_str(&format!(" {:>6}", format!("ex{:02}", exercise.number)));
    }
    line.push_str(&format!(" {:>8}", "total"));
    println!("{}", line.bold());
}

fn print_row(student: &StudentReport, exercises: &[Exercise]) {
    let mut line = format!("  {:<24}", truncate(&student.id, 24));
    for exercise in exercises {
        let cell = student.exercises.iter().find(|e| e.name == exercise.name);
        let text = match cell {
            Some(e) if e.status == Status::CompileError => "build✗".to_string(),
            Some(e) if e.status == Status::Missing => "–".to_string(),
            Some(e) if e.status == Status::TimedOut => "time✗".to_string(),
            Some(e) if e.status == Status::Error => "error".to_string(),
            Some(e) => report::number(e.points),
            None => String::new(),
        };
        let padded = format!(" {text:>6}");
        line.push_str(&match cell.map(|e| e.status) {
            Some(Status::Passed) => padded.green().to_string(),
            Some(Status::Partial) => padded.yellow().to_string(),
            Some(Status::Missing) => padded.dimmed().to_string(),
            _ => padded.red().to_string(),
        });
    }
    let total = format!(
        " {:>8}",
        format!(
            "{}/{}",
            report::number(student.total),
            report::number(student.max)
        )
    );
    line.push_str(&total.bold().to_string());
    if student.late_percent > 0.0 {
        line.push_str(
            &format!("  late −{}%", report::number(student.late_percent))
                .yellow()
                .to_string(),
        );
    }
    if let Some(error) = &student.error {
        line.push_str(&format!("  {}", truncate(error, 60)).red().to_string());
    }
    println!("{line}");
}

fn summary(class: &ClassReport, out: &Path, took: Duration) {
    let graded = class.students.iter().filter(|s| s.error.is_none()).count();
    println!();
    let mark = if graded == class.students.len() {
        "✓".green().bold()
    } else {
        "!".yellow().bold()
    };
    println!(
        "  {mark} {} of {} submissions graded in {}",
        graded,
        class.students.len(),
        ui::seconds(took)
    );
    ui::summary_line("grades", &out.join("grades.csv").display().to_string());
    ui::summary_line("record", &out.join("grades.json").display().to_string());
    ui::summary_line("feedback", &out.join("feedback").display().to_string());
    ui::summary_line("JUnit", &out.join("junit").display().to_string());
    ui::summary_line(
        "Gradescope",
        &out.join("gradescope/<student>/results.json")
            .display()
            .to_string(),
    );
}

fn truncate(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > width {
        line.chars().take(width - 1).collect::<String>() + "…"
    } else {
        line.to_string()
    }
}

/// `path` made absolute with symbolic links resolved, without creating anything: the deepest
/// existing ancestor is resolved and the rest appended.
fn absolute(path: &Path) -> Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize()?;
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

/// `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let parsed = text.split_once('/').and_then(|(i, n)| {
        Some((
            i.trim().parse::<usize>().ok()?,
            n.trim().parse::<usize>().ok()?,
        ))
    });
    match parsed {
        Some((i, n)) if n >= 1 && (1..=n).contains(&i) => Ok((i, n)),
        _ => Err(ui::usage(
            format!("--shard {text} is not a shard like 2/4"),
            "give I/N with 1 ≤ I ≤ N, e.g. --shard 1/4 … --shard 4/4",
        )),
    }
}

/// An RFC 3339 time (`2026-12-01T23:59:00Z`, or with a space) or a date (end of that day, UTC).
fn parse_time(text: &str) -> Result<i64> {
    let full = if text.len() == 10 {
        format!("{text}T23:59:59Z")
    } else {
        text.to_string()
    };
    let time = humantime::parse_rfc3339_weak(&full).map_err(|_| {
        ui::usage(
            format!("--deadline {text} is not a date or time"),
            "give e.g. --deadline 2026-12-01 or --deadline \"2026-12-01 18:00:00\" (UTC)",
        )
    })?;
    Ok(time
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_one_based_and_within_the_count() {
        assert_eq!(parse_shard("1/4").unwrap(), (1, 4));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn a_deadline_date_means_the_end_of_that_day() {
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400 + 86_399);
        assert!(parse_time("tomorrow").is_err());
    }
}

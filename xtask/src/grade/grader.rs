//! One student's grading: their submission read, their exercises built in a build folder of
//! their own, each exercise's checks run against their program in the sandbox, and the points
//! the rubric gives. [`Grader`] holds what every worker shares.

use super::report::{self, ExerciseReport, Status, StudentReport};
use super::rubric::{self, Rubric};
use super::sandbox::Sandbox;
use super::submissions::{self, Submission};
use super::workspace::{Built, Workspace};
use crate::cargo;
use crate::exercises::{Catalogue, Exercise, Side};
use crate::suite;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use workbook_harness::programs::REFERENCES_PREBUILT;
use workbook_harness::{project_root, Environment, NodeProcess};

/// The target folder, where the reference programs the checks start live.
pub(super) fn cargo_target() -> PathBuf {
    cargo::target_dir().unwrap_or_else(|_| project_root().join("target"))
}

/// Everything the workers share.
pub(super) struct Grader {
    pub(super) environment: Environment,
    pub(super) rubric: Rubric,
    pub(super) exercises: Vec<Exercise>,
    pub(super) suites: BTreeMap<String, PathBuf>,
    pub(super) workspace: Workspace,
    pub(super) sandbox: Sandbox,
    pub(super) catalogue: Catalogue,
    /// Hidden from the compiler while it builds students' code.
    pub(super) hidden_from_builds: Vec<PathBuf>,
    /// Reachable for students' builds inside the hidden folders (read-only): the project's
    /// cargo configuration and ROS installation.
    pub(super) exposed_to_builds: Vec<PathBuf>,
    /// Hidden from students' programs while they run.
    pub(super) hidden_from_programs: Vec<PathBuf>,
    /// Reachable for students' programs inside the hidden folders (read-only): what ROS needs.
    pub(super) exposed_to_programs: Vec<PathBuf>,
    pub(super) work: PathBuf,
    /// The workbook's Fast DDS profile, copied out of `xtask/` (hidden from students' programs).
    pub(super) fastdds_profile: Option<PathBuf>,
    /// Where the suites' verdict files are made (hidden from students' programs).
    pub(super) verdicts: PathBuf,
    pub(super) deadline: Option<i64>,
    pub(super) run_id: String,
}

impl Grader {
    pub(super) fn grade(&self, path: &Path, id: String) -> StudentReport {
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
                    let detail = format!(
                        "no {}/src/ in the submission",
                        exercise.crate_of(Side::Exercise).relative().display()
                    );
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
            command.envs(self.environment.profile_variables(profile));
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

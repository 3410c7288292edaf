//! `cargo xtask autograder run`: what `run_autograder` does with one submission on Gradescope.
//!
//! It writes a result first (every check 0, "grading did not finish"), so a run that Gradescope
//! stops at its time limit still leaves one. Then it grades exercise after exercise, each with
//! `cargo xtask grade --single` under what is left of the time, and rewrites the result after
//! each: an exercise not reached when time runs out says so, the others keep their grades.
//!
//! Who runs the student's code: where the grader may build grade's sandbox (namespaces; the
//! grader root), `grade` runs as it does on an instructor's machine and students' programs run as
//! an unprivileged uid in sealed worlds. Where the container refuses namespaces (Gradescope's
//! usually does), the grader drops to the unprivileged grading user (`WORKBOOK_GRADER_USER`,
//! made by setup.sh) and grades with `--no-sandbox`: the student's code then cannot touch
//! anything of root's, but it runs as the grader, in a container that is this submission's
//! alone. The result's first lines say which of the two happened.

use super::results::{self, Context};
use crate::exercises::{Catalogue, Exercise};
use crate::grade::report::{ClassReport, ExerciseReport, Status, StudentReport};
use crate::grade::rubric::{self, Rubric};
use crate::{cargo, ui};
use anyhow::{Context as _, Result};
use colored::Colorize;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use workbook_harness::project_root;

pub struct Options {
    pub submission: PathBuf,
    pub results: PathBuf,
    pub exercises: Vec<String>,
    /// The time the whole run may take, in seconds (Gradescope's limit, less a margin).
    pub seconds: u64,
}

/// How the grader runs the student's code here.
struct Mode {
    /// `runuser -u <user> --` before the grader, when it drops root.
    user: Option<String>,
    no_sandbox: bool,
    notes: Vec<String>,
}

pub fn run(options: Options) -> Result<ExitCode> {
    let started = Instant::now();
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let rubric = Rubric::load(&root.join("exercises/rubric.toml"), &catalogue)?;
    let exercises = super::selected(&catalogue, &options.exercises)?;
    let context = |notes: &[String]| -> (f64, Vec<String>) {
        (started.elapsed().as_secs_f64(), notes.to_vec())
    };
    let write = |value: &serde_json::Value| -> Result<()> { write_json(&options.results, value) };
    let (seconds, notes) = context(&[]);
    write(&results::unfinished(
        &exercises,
        &format!(
            "grading did not finish within the autograder's time limit ({} s). Your program may \
             hang; try `cargo xtask check` on your machine.",
            options.seconds
        ),
        &Context {
            settings: &rubric.gradescope,
            weights: &rubric.weights,
            seconds,
            notes: &notes,
        },
    ))?;

    ui::heading(
        "autograder",
        &format!(
            "{} × {} exercises",
            options.submission.display(),
            exercises.len()
        ),
    );
    let hand_in = match hand_in(&options.submission) {
        Ok(path) => path,
        Err(error) => {
            let (seconds, notes) = context(&[]);
            write(&results::unfinished(
                &exercises,
                &format!("{error:#}"),
                &Context {
                    settings: &rubric.gradescope,
                    weights: &rubric.weights,
                    seconds,
                    notes: &notes,
                },
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let mode = decide(&rubric);
    for note in &mode.notes {
        println!("  {note}");
    }
    let work = std::env::temp_dir().join(format!("workbook-autograder-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;
    if let Some(user) = &mode.user {
        give_to(&work, user);
    }
    let xtask = pinned_xtask(&work)?;

    let mut student = StudentReport {
        id: "submission".into(),
        origin: hand_in.display().to_string(),
        submitted: None,
        late_percent: 0.0,
        exercises: Vec::new(),
        total: 0.0,
        max: rubric::round(exercises.iter().map(|e| rubric.weight(&e.name)).sum()),
        notes: Vec::new(),
        error: None,
    };
    let budget = Duration::from_secs(options.seconds);
    for exercise in &exercises {
        let left = budget.saturating_sub(started.elapsed());
        if left < Duration::from_secs(15) {
            println!("  ! no time left for {}", exercise.label());
            break;
        }
        let out = work.join(&exercise.dir);
        let graded = grade_one(&xtask, &hand_in, exercise, &out, &mode, left);
        let report = match graded {
            Ok(class) => class.students.into_iter().next(),
            Err(error) => {
                println!("  ! {}: {error:#}", exercise.label());
                None
            }
        };
        let exercise_report = match report {
            Some(one) => {
                for note in one.notes {
                    if !student.notes.contains(&note) {
                        student.notes.push(note);
                    }
                }
                if student.error.is_none() {
                    student.error = one.error;
                }
                one.exercises.into_iter().next()
            }
            None => None,
        };
        student
            .exercises
            .push(exercise_report.unwrap_or_else(|| ExerciseReport {
                name: exercise.name.clone(),
                status: Status::TimedOut,
                points: 0.0,
                weight: rubric.weight(&exercise.name),
                check_points: 0,
                check_max: exercise.checks.iter().map(|c| c.points).sum(),
                checks: Vec::new(),
                detail: format!(
                "grading this exercise did not finish in the {} s left of the autograder's time",
                left.as_secs()
            ),
            }));
        student.total = rubric::round(student.exercises.iter().map(|e| e.points).sum());
        let (seconds, notes) = context(&mode.notes);
        write(&results::results(
            &student,
            &exercises,
            &Context {
                settings: &rubric.gradescope,
                weights: &rubric.weights,
                seconds,
                notes: &notes,
            },
        ))?;
    }
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "  {} {} of {} points in {} → {}",
        "✓".green().bold(),
        crate::grade::report::number(student.total),
        crate::grade::report::number(student.max),
        ui::seconds(started.elapsed()),
        options.results.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What in the submission folder to grade: the folder itself (a clone, an `exercises/` folder),
/// or the one archive it holds.
fn hand_in(folder: &Path) -> Result<PathBuf> {
    let entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("there is no submission in {}", folder.display()))?
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.') || e.file_name() == ".git")
        .map(|e| e.path())
        .collect();
    let archives: Vec<&PathBuf> = entries
        .iter()
        .filter(|p| {
            let name = p.to_string_lossy().to_lowercase();
            p.is_file()
                && [".zip", ".tar.gz", ".tgz", ".tar"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
        })
        .collect();
    let folders = entries.iter().filter(|p| p.is_dir()).count();
    Ok(match archives.as_slice() {
        [archive] if folders == 0 => archive.to_path_buf(),
        _ => folder.to_path_buf(),
    })
}

/// Sandboxed as root where this container allows it, else as the grading user.
fn decide(rubric: &Rubric) -> Mode {
    let target = cargo::target_dir().unwrap_or_else(|_| project_root().join("target"));
    let sandbox = crate::grade::sandbox_for(rubric, &target);
    let root = unsafe { libc::geteuid() } == 0;
    if sandbox.complete() {
        let who = if root {
            "your program ran as an unprivileged user (uid 65534)"
        } else {
            "your program ran as the grader's unprivileged user"
        };
        return Mode {
            user: None,
            no_sandbox: false,
            notes: vec![format!(
                "Graded in `cargo xtask grade`'s sandbox: every check in a sealed world of its own; {who}, on a read-only file system."
            )],
        };
    }
    let user = std::env::var("WORKBOOK_GRADER_USER").unwrap_or_else(|_| "workbook".into());
    let exists = Command::new("id")
        .args(["-u", &user])
        .output()
        .is_ok_and(|o| o.status.success());
    let refused = sandbox
        .describe()
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(line, _)| line)
        .collect::<Vec<_>>()
        .join("; ");
    match (root, exists) {
        (true, true) => Mode {
            user: Some(user.clone()),
            no_sandbox: true,
            notes: vec![format!(
                "This container refuses grade's sandbox ({refused}): the grader and your program ran as the unprivileged user `{user}`, not root, in a container of your submission's own; checks were isolated by ROS domain ids."
            )],
        },
        (true, false) => Mode {
            user: None,
            no_sandbox: true,
            notes: vec![format!(
                "This container refuses grade's sandbox ({refused}) and has no grading user `{user}`: your program ran as root, in a container of your submission's own."
            )],
        },
        (false, _) => Mode {
            user: None,
            no_sandbox: true,
            notes: vec![format!(
                "This container refuses grade's sandbox ({refused}): your program ran as the grader's own unprivileged user, in a container of your submission's own."
            )],
        },
    }
}

/// `cargo xtask grade --single` for one exercise, stopped at `deadline`.
fn grade_one(
    xtask: &Path,
    hand_in: &Path,
    exercise: &Exercise,
    out: &Path,
    mode: &Mode,
    deadline: Duration,
) -> Result<ClassReport> {
    let mut command = match &mode.user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(xtask);
            command
        }
        None => Command::new(xtask),
    };
    command
        .args([
            "grade",
            "--single",
            "--jobs",
            "1",
            "--exercise",
            &exercise.name,
            "--out",
        ])
        .arg(out)
        .arg(hand_in)
        .stdin(std::process::Stdio::null())
        .process_group(0);
    if mode.no_sandbox {
        command.arg("--no-sandbox");
    }
    println!("  … {}", exercise.label());
    let mut child = command.spawn().context("cannot start cargo xtask grade")?;
    let end = Instant::now() + deadline;
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() >= end {
            // SIGTERM first: grade stops every process of its run on it; then the group.
            let group = -(child.id() as i32);
            unsafe { libc::kill(group, libc::SIGTERM) };
            let grace = Instant::now() + Duration::from_secs(5);
            while Instant::now() < grace && child.try_wait()?.is_none() {
                std::thread::sleep(Duration::from_millis(100));
            }
            unsafe { libc::kill(group, libc::SIGKILL) };
            let _ = child.wait();
            anyhow::bail!("stopped at the time limit");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let path = out.join("grades.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("grade wrote no {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} does not parse", path.display()))
}

/// This program, linked (or copied) into `work`: grade's build of the reference programs
/// relinks `target/debug/xtask` when the packages it builds together unify features otherwise,
/// and the next exercise must still find a program to start.
fn pinned_xtask(work: &Path) -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find the xtask program")?;
    let pinned = work.join("xtask");
    if std::fs::hard_link(&exe, &pinned).is_err() {
        std::fs::copy(&exe, &pinned)
            .with_context(|| format!("cannot copy {} to {}", exe.display(), pinned.display()))?;
    }
    Ok(pinned)
}

/// Writes `value` to `path` through a temporary file, so a reader never sees half of it.
fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let temporary = path.with_extension("json.part");
    std::fs::write(&temporary, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Makes `folder` the grading user's, so grade can write its output there.
fn give_to(folder: &Path, user: &str) {
    let _ = Command::new("chown").arg(user).arg(folder).status();
}

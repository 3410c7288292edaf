//! `cargo xtask bench --grade N`: how long `cargo xtask grade` takes for a class of N students
//! handing in every exercise, and proof that it graded them right.
//!
//! The class is made to look like a real one, so that no shortcut can make it fast: every hand-in
//! is distinct (each file carries its student's own line, so no two students' sources are the
//! same), and it mixes finished exercises (the reference solutions), unfinished ones (the shipped
//! exercises, edited, so they are graded rather than skipped as unchanged: they compile, then fail
//! their checks, some waiting out a deadline) and, for one student in five, an exercise that does
//! not compile. After the run the grades are read back: a solution that lost a point, an
//! unfinished exercise that earned full marks or a compile error that was not reported fails the
//! bench, since a fast wrong grader is no figure at all.

use super::loops::Timing;
use crate::exercises::{Catalogue, Exercise, Side};
use crate::grade::report::{ClassReport, Status};
use crate::ui;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use workbook_harness::project_root;

/// What one student hands in for one exercise.
#[derive(Debug, Clone, Copy, PartialEq)]
enum HandIn {
    /// The reference solution: full marks.
    Finished,
    /// The shipped exercise with a line of the student's: compiles, then fails checks.
    Unfinished,
    /// The solution with a type error added: does not compile.
    Broken,
}

/// The hand-in of student `n` (from 0) for the exercise at `index` in course order: about one
/// exercise in five unfinished, and one broken exercise for every fifth student.
fn hand_in(n: usize, index: usize, exercises: usize) -> HandIn {
    if n % 5 == 2 && index == n % exercises {
        HandIn::Broken
    } else if (n + index) % 5 == 4 {
        HandIn::Unfinished
    } else {
        HandIn::Finished
    }
}

pub fn measure(students: usize, jobs: usize) -> Result<Timing> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let scratch = tempfile::TempDir::new().context("cannot make a scratch folder")?;
    let class = scratch.path().join("class");
    // What `grade` grades: exercises whose manifest or interface is the student's are left out
    // (and `grade` says so), so the class holds only the others.
    let exercises = catalogue.gradable(&[])?;
    let count = exercises.len();
    for n in 0..students {
        let id = student_id(n);
        for (index, exercise) in exercises.iter().enumerate() {
            let src = class
                .join(&id)
                .join("exercises")
                .join(&exercise.dir)
                .join("src");
            write_hand_in(&root, exercise, hand_in(n, index, count), &id, &src)?;
        }
    }
    ui::heading(
        "bench",
        &format!("grading {students} distinct submissions of {count} exercises (--jobs {jobs})",),
    );
    let out = scratch.path().join("grades");
    let started = Instant::now();
    let status = Command::new(std::env::current_exe()?)
        .arg("grade")
        .arg(&class)
        .arg("--out")
        .arg(&out)
        .arg("--jobs")
        .arg(jobs.to_string())
        .status()
        .context("cannot run cargo xtask grade")?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("cargo xtask grade failed on the benchmark class");
    }
    if let Err(error) = check_grades(&out, &exercises) {
        // Kept for a closer look.
        let kept = scratch.keep();
        return Err(error.context(format!(
            "the class and its grades are in {}",
            kept.display()
        )));
    }
    Ok(Timing {
        what: format!("grade {students} submissions × {count} exercises"),
        seconds,
    })
}

fn student_id(n: usize) -> String {
    format!("student-{:02}", n + 1)
}

/// Writes the `src/` of one exercise of one student into `src`.
fn write_hand_in(
    root: &Path,
    exercise: &Exercise,
    kind: HandIn,
    id: &str,
    src: &Path,
) -> Result<()> {
    let side = match kind {
        HandIn::Unfinished => Side::Exercise,
        HandIn::Finished | HandIn::Broken => Side::Solution,
    };
    copy_sources(&exercise.crate_of(side).dir(root).join("src"), src)?;
    let main = src.join("main.rs");
    let mut text = std::fs::read_to_string(&main)
        .with_context(|| format!("cannot read {}", main.display()))?;
    // The student's own line: every hand-in differs from every other.
    text.push_str(&format!(
        "\n#[allow(dead_code)]\nconst HANDED_IN_BY: &str = \"{id}\";\n"
    ));
    if kind == HandIn::Broken {
        text.push_str("\n#[allow(dead_code)]\nfn speed_limit() -> u8 {\n    \"fast\"\n}\n");
    }
    std::fs::write(&main, text).with_context(|| format!("cannot write {}", main.display()))
}

/// Fails unless every student got the grade their hand-ins deserve.
fn check_grades(out: &Path, exercises: &[Exercise]) -> Result<()> {
    let path = out.join("grades.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let class: ClassReport = serde_json::from_str(&text)
        .with_context(|| format!("{} does not parse", path.display()))?;
    let mut wrong = Vec::new();
    for student in &class.students {
        let n = student
            .id
            .strip_prefix("student-")
            .and_then(|n| n.parse::<usize>().ok())
            .with_context(|| format!("{} is not a student of the benchmark class", student.id))?
            - 1;
        for (index, exercise) in exercises.iter().enumerate() {
            let Some(graded) = student.exercises.iter().find(|e| e.name == exercise.name) else {
                wrong.push(format!("{}: {} was not graded", student.id, exercise.name));
                continue;
            };
            let kind = hand_in(n, index, exercises.len());
            let right = match kind {
                HandIn::Finished => graded.status == Status::Passed,
                HandIn::Unfinished => graded.points < graded.weight,
                HandIn::Broken => graded.status == Status::CompileError,
            };
            if !right {
                wrong.push(format!(
                    "{}: {} ({kind:?}) got {} of {} ({})",
                    student.id,
                    exercise.name,
                    graded.points,
                    graded.weight,
                    graded.status.label()
                ));
            }
        }
    }
    if !wrong.is_empty() {
        bail!(
            "the grader graded the benchmark class wrongly, so its time is no figure:\n  {}\n\
             (each student's feedback is beside {})",
            wrong.join("\n  "),
            path.display()
        );
    }
    Ok(())
}

fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_sources(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

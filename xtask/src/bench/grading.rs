//! `cargo xtask bench --grade N`: how long `cargo xtask grade` takes for a class of N students
//! handing in every exercise. The class is made from the reference solutions (most students)
//! and programs that panic at once (the rest: their checks wait out every deadline, the slow
//! case), in a temporary folder; the grader runs as an instructor would run it.

use super::loops::Timing;
use crate::exercises::Catalogue;
use crate::ui;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;
use workbook_harness::project_root;

/// One student in this many hands in programs that panic.
const FAILING_EVERY: usize = 4;

pub fn measure(students: usize, jobs: usize) -> Result<Timing> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let scratch = tempfile::TempDir::new().context("cannot make a scratch folder")?;
    let class = scratch.path().join("class");
    for n in 0..students {
        let student = class.join(format!("student-{:02}", n + 1));
        for exercise in &catalogue.exercises {
            let src = student.join("exercises").join(&exercise.dir).join("src");
            std::fs::create_dir_all(&src)?;
            if n % FAILING_EVERY == FAILING_EVERY - 1 {
                std::fs::write(src.join("main.rs"), "fn main() { panic!(\"not done\"); }\n")?;
            } else {
                copy_sources(
                    &exercise
                        .crate_of(crate::exercises::Side::Solution)
                        .dir(&root)
                        .join("src"),
                    &src,
                )?;
            }
        }
    }
    ui::heading(
        "bench",
        &format!(
            "grading {students} submissions of {} exercises (--jobs {jobs})",
            catalogue.exercises.len()
        ),
    );
    let started = Instant::now();
    let status = Command::new(std::env::current_exe()?)
        .arg("grade")
        .arg(&class)
        .arg("--out")
        .arg(scratch.path().join("grades"))
        .arg("--jobs")
        .arg(jobs.to_string())
        .status()
        .context("cannot run cargo xtask grade")?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("cargo xtask grade failed on the benchmark class");
    }
    Ok(Timing {
        what: format!(
            "grade {students} submissions × {} exercises",
            catalogue.exercises.len()
        ),
        seconds,
    })
}

fn copy_sources(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_sources(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

//! `cargo xtask autograder`: the glue that lets courses grade where they grade, with the same
//! checks, rubric and sandbox as `cargo xtask grade`.
//!
//! - `gradescope` ([`package`]) writes the autograder zip: `setup.sh` (image build: tools, ROS 2,
//!   the checks, proven on the solutions by `prepare`) and `run_autograder` (per submission:
//!   `run`, [`runner`], which writes Gradescope's `results.json`, [`results`]).
//! - `classroom` ([`classroom`]) writes the GitHub Classroom workflow of the students' template
//!   repository: one autograding step per check, points read from `exercises.toml`.
//!
//! Grading itself stays in `grade`: this module only calls it and reformats its report.

pub mod classroom;
pub mod package;
pub mod results;
pub mod runner;

use crate::exercises::{Catalogue, Exercise};
use crate::grade::report::{ClassReport, Status};
use crate::{provision, ui};
use anyhow::{Context, Result};
use colored::Colorize;
use std::path::Path;
use std::process::{Command, ExitCode};
use workbook_harness::project_root;

/// The exercises named (numbers, names, prefixes), in course order; when none are named, all
/// that can be graded ([`Catalogue::gradable`]).
pub fn selected(catalogue: &Catalogue, names: &[String]) -> Result<Vec<Exercise>> {
    catalogue.gradable(names)
}

/// `cargo xtask autograder gradescope`: writes `<out>/autograder.zip`.
pub fn gradescope(out: &Path, exercises: &[String]) -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let chosen = selected(&catalogue, exercises)?;
    ui::heading(
        "autograder gradescope",
        &format!(
            "exercises {}",
            chosen
                .iter()
                .map(|e| e.number.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    package::warn_if_uncommitted(&root);
    let zip = out.join("autograder.zip");
    let files = package::write(&root, &chosen, &zip)?;
    let size = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or(0);
    println!(
        "  {} {} ({} workbook files, {:.1} MB)",
        "✓".green().bold(),
        zip.display(),
        files,
        size as f64 / 1e6
    );
    ui::summary_line(
        "upload",
        "Gradescope → assignment → Configure Autograder → Zip file upload; Ubuntu base image",
    );
    ui::summary_line(
        "checks",
        &format!(
            "{} Gradescope tests, numbered <exercise>.<check>",
            chosen.iter().map(|e| e.checks.len()).sum::<usize>()
        ),
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask autograder prepare`: builds everything grading needs by grading the reference
/// solutions as a hand-in; anything short of full marks fails (setup.sh stops the image there).
pub fn prepare(exercises: &[String]) -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let chosen = selected(&catalogue, exercises)?;
    provision::ensure()?;
    let scratch = tempfile::TempDir::new().context("cannot make a temporary folder")?;
    let hand_in = scratch.path().join("solutions-as-a-hand-in");
    for exercise in &chosen {
        let from = root.join("solutions").join(&exercise.dir).join("src");
        let to = hand_in.join("exercises").join(&exercise.dir).join("src");
        crate::files::copy_tree(&from, &to)?;
    }
    let out = scratch.path().join("grades");
    let xtask = std::env::current_exe().context("cannot find the xtask program")?;
    let mut command = Command::new(xtask);
    command.args(["grade", "--single", "--jobs", "1", "--out"]);
    command.arg(&out).arg(&hand_in);
    for exercise in &chosen {
        command.args(["--exercise", &exercise.name]);
    }
    // The reference solutions are trusted: where this image build allows no sandbox, grade
    // without one (a submission never does without saying so).
    command.arg("--no-sandbox");
    let status = command.status().context("cannot run cargo xtask grade")?;
    let text = std::fs::read_to_string(out.join("grades.json"))
        .with_context(|| format!("grading the solutions wrote no grades (exit {status})"))?;
    let class: ClassReport = serde_json::from_str(&text)?;
    let short: Vec<String> = class
        .students
        .iter()
        .flat_map(|s| &s.exercises)
        .filter(|e| e.status != Status::Passed)
        .map(|e| {
            format!(
                "{}: {} ({} of {})",
                e.name,
                e.status.label(),
                e.points,
                e.weight
            )
        })
        .collect();
    if !short.is_empty() {
        return Err(ui::problem(
            format!(
                "the reference solutions do not get full marks here: {}",
                short.join("; ")
            ),
            "this image would grade wrongly; look at the lines above (a check that fails under \
             this machine's load, a missing tool) before using the autograder",
        ));
    }
    println!(
        "  {} the reference solutions get full marks: the checks and programs are built",
        "✓".green().bold()
    );
    Ok(ExitCode::SUCCESS)
}

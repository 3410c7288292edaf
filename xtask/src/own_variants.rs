//! `verify` for an exercise with an interface package of its own (exercise 9): its solution, its
//! shipped crate and its wrong variants each go through `own_interface::stage` (CMake, generator,
//! crate) before the suite runs.
//!
//! Such a variant cannot be a binary of `tests/variants`, since a wrong one may be a wrong
//! interface: it is a folder of files (`tests/variants/<files>/`) laid over a copy of the
//! solution's crate, e.g. a `robot_extras/srv/SetLights.srv` with a field of the wrong type and
//! the `src/main.rs` that goes with it. The solution, the shipped crate and every variant are
//! built in the same place (`target/exNN/variant`), one after the other, each as a fresh copy in
//! the same folder, so rclrs is compiled against one overlay path and only what a crate changes
//! is rebuilt.

use crate::exercises::{Exercise, Side, Variant};
use crate::own_interface::{Place, Staged};
use crate::suite::{self, Outcome};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::Path;
use workbook_harness::Environment;

/// How one crate of the exercise fared: its outcomes, or the step that did not build.
pub enum Run {
    Checked(Vec<Outcome>),
    NotBuilt { step: &'static str, problem: String },
}

/// Stages `place` and runs the suite there.
fn run(root: &Path, environment: &Environment, exercise: &Exercise, place: &Place) -> Result<Run> {
    match crate::own_interface::stage(root, environment, exercise, place)? {
        Staged::Ready(executable, overlaid) => {
            let results = suite::run(&executable, &place.crate_dir, &overlaid, exercise, None)?;
            Ok(Run::Checked(results.outcomes))
        }
        Staged::Failed { step, problem, .. } => Ok(Run::NotBuilt { step, problem }),
    }
}

/// Builds a copy of the exercise's `side` crate (the solution, or the exercise as shipped) in
/// the variants' place and runs the suite against it.
pub fn run_side(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    side: Side,
) -> Result<Run> {
    run_copy(root, environment, exercise, side, None)
}

/// Builds the wrong `variant` over a copy of the solution and runs the suite against it.
pub fn run_variant(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    variant: &Variant,
) -> Result<Run> {
    let Some(files) = &variant.files else {
        bail!(
            "{}: a variant of exercise {} must name its folder of files (`files`), since the \
             exercise's crate is outside the workspace",
            variant.program,
            exercise.number
        );
    };
    let wrong = root.join("tests/variants").join(files);
    if !wrong.is_dir() {
        bail!(
            "{}: the folder {} is missing",
            variant.program,
            wrong.display()
        );
    }
    run_copy(root, environment, exercise, Side::Solution, Some(&wrong))
}

/// Copies the `side` crate into `target/exNN/variant/crate`, lays `over` on it, builds and runs
/// the suite. Every crate verify builds goes through this one copy: cargo takes crates at two
/// paths for two packages, and with the same program name the second one's build, when cargo
/// finds it fresh, left `debug/<program>` as the other had linked it (a second `verify 9` ran
/// the last variant's program as the solution, and as the shipped exercise). In one copy, fresh
/// from the files, every build is the build of what was just copied.
fn run_copy(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    side: Side,
    over: Option<&Path>,
) -> Result<Run> {
    let work = Place::exercise_folder(exercise)?.join("variant");
    let place = Place {
        crate_dir: work.join("crate"),
        target: work.clone(),
        work,
    };
    if place.crate_dir.exists() {
        fs::remove_dir_all(&place.crate_dir)
            .with_context(|| format!("cannot clear {}", place.crate_dir.display()))?;
    }
    crate::files::copy_tree(&exercise.crate_of(side).dir(root), &place.crate_dir)?;
    if let Some(over) = over {
        crate::files::copy_tree(over, &place.crate_dir)?;
    }
    anchor(root, &place.crate_dir)?;
    run(root, environment, exercise, &place)
}

/// Makes the copied crate build where it is: its paths into the workbook made absolute, and
/// a `[workspace]` of its own (below the workbook root, cargo would take it for a member).
fn anchor(root: &Path, crate_dir: &Path) -> Result<()> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest)?;
    let text = text.replace("\"../../", &format!("\"{}/", root.display()));
    fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
    let check = crate_dir.join("tests/check.rs");
    let text = fs::read_to_string(&check)?;
    fs::write(
        &check,
        text.replace("\"../../../", &format!("\"{}/", root.display())),
    )?;
    Ok(())
}

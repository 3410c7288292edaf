//! `cargo xtask verify` (for maintainers): proves that every suite can tell right from wrong.
//! Every reference solution passes its suite; every exercise as shipped fails it; and every
//! deliberately wrong variant listed in `exercises/exercises.toml` fails at least the checks the
//! data file says must catch it; and `exercises/shipped.toml` records each exercise as committed
//! (`--record-shipped` rewrites it), so that `reset` can put it back.

use crate::exercises::{Catalogue, Exercise, Side, Variant};
use crate::own_variants::{self, Run};
use crate::suite::{self, Build, Outcome};
use crate::{cargo, own_interface, provision, shipped, ui};
use anyhow::{bail, Context, Result};
use colored::Colorize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;
use workbook_harness::{project_root, Environment};

/// Verifies the exercises `only` names (numbers or names), or every exercise.
pub fn run(only: &[String]) -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let environment = provision::ensure()?;
    let selected: Vec<Exercise> = if only.is_empty() {
        catalogue.exercises.clone()
    } else {
        only.iter()
            .map(|query| catalogue.find(query).cloned())
            .collect::<Result<_>>()?
    };
    let started = Instant::now();
    ui::heading(
        "verify",
        "solutions pass, shipped exercises and wrong variants fail",
    );
    let mut build = cargo::command(&environment, "build");
    build.arg("--quiet");
    cargo::select_packages(&mut build, &["workbook-variants"]);
    cargo::run_visible(build).context("the wrong variants do not build")?;
    let variants_dir = cargo::target_dir()?.join("debug");

    let mut problems = Vec::new();
    // Read once: every exercise is checked against the same record.
    let shipped_record = shipped::load(&root)?;
    for exercise in &selected {
        println!(
            "\n  {} {}",
            exercise.label().bold(),
            exercise.title.dimmed()
        );
        let began = Instant::now();
        if exercise.interface.is_some() {
            own_interface(&root, &environment, exercise, &mut problems)?;
            check_record(&root, exercise, &shipped_record, &mut problems)?;
            took(began);
            continue;
        }
        let solution = build_suite(&root, &environment, exercise, Side::Solution)?;
        let results = suite::run(
            &solution,
            &exercise.crate_of(Side::Solution).dir(&root),
            &environment,
            exercise,
            None,
        )?;
        // A test the data file does not list, or one reported twice: the suite and
        // exercises.toml disagree.
        if !results.rejected.is_empty() {
            crate::check::print_rejected(&results.rejected);
            problems.push(format!(
                "{}: the suite reported verdicts exercises.toml does not list once",
                exercise.label()
            ));
        }
        judge_solution(exercise, &results.outcomes, &mut problems);

        match suite::build(&root, &environment, exercise, Side::Exercise)? {
            Build::Failed(messages) => {
                line(false, "as shipped", "does not compile");
                eprint!("{messages}");
                problems.push(format!(
                    "{}: the shipped exercise does not compile",
                    exercise.label()
                ));
            }
            Build::Ready(shipped) => {
                let outcomes = suite::run(
                    &shipped,
                    &exercise.crate_of(Side::Exercise).dir(&root),
                    &environment,
                    exercise,
                    None,
                )?
                .outcomes;
                judge_shipped(exercise, &outcomes, &mut problems);
            }
        }

        check_record(&root, exercise, &shipped_record, &mut problems)?;

        let crate_dir = exercise.crate_of(Side::Solution).dir(&root);
        let runs = variant_runs(&solution, &crate_dir, &environment, exercise, &variants_dir);
        for (variant, outcomes) in exercise.variants.iter().zip(runs) {
            judge(exercise, variant, &outcomes?, &mut problems);
        }
        took(began);
    }
    println!();
    if problems.is_empty() {
        println!(
            "  {} in {}",
            "every suite tells right from wrong".green().bold(),
            ui::seconds(started.elapsed())
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in &problems {
            println!("  {} {problem}", "✗".red().bold());
        }
        Ok(ExitCode::from(1))
    }
}

/// The time one exercise's proof took, under its lines: where `verify`'s minutes go.
fn took(began: Instant) {
    println!(
        "    {}",
        format!("verified in {}", ui::seconds(began.elapsed())).dimmed()
    );
}

/// How many wrong variants run their suite at once. The solution runs alone before them, so
/// the load of several suites only ever falls on wrong programs: load makes a program slower,
/// which can fail a right one but never passes a wrong one. Each suite mostly waits on
/// discovery, so three at a time take about half the time of one after another.
const VARIANTS_AT_ONCE: usize = 3;

/// Runs the solution's suite against each wrong variant of `exercise`, [`VARIANTS_AT_ONCE`]
/// at a time; the outcomes come back in the variants' order, so the report reads as before.
fn variant_runs(
    suite_executable: &Path,
    crate_dir: &Path,
    environment: &Environment,
    exercise: &Exercise,
    variants_dir: &Path,
) -> Vec<Result<Vec<Outcome>>> {
    let mut runs = Vec::new();
    for batch in exercise.variants.chunks(VARIANTS_AT_ONCE) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|variant| {
                    let program = variants_dir.join(&variant.program);
                    scope.spawn(move || {
                        suite::run(
                            suite_executable,
                            crate_dir,
                            environment,
                            exercise,
                            Some(&program),
                        )
                        .map(|results| results.outcomes)
                    })
                })
                .collect();
            for handle in handles {
                runs.push(handle.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!(
                        "the thread running a variant's suite panicked"
                    ))
                }));
            }
        });
    }
    runs
}

/// `--record-shipped`: records every exercise's tree as `HEAD` has it. Refuses while an exercise
/// has uncommitted changes, which the record would silently leave out.
pub fn record_shipped() -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let changed = shipped::uncommitted(&root)?;
    if !changed.is_empty() {
        return Err(ui::problem(
            format!("the exercises have uncommitted changes:\n{changed}"),
            "commit them first: the record names the exercises as HEAD has them",
        ));
    }
    let dirs: Vec<&str> = catalogue.exercises.iter().map(|e| e.dir.as_str()).collect();
    let recorded = shipped::record(&root, &dirs)?;
    ui::heading(
        "verify",
        &format!("recorded the shipped exercises in {}", shipped::RECORD),
    );
    for (dir, tree) in &recorded {
        println!("    {dir:<30} {}", &tree[..12]);
    }
    println!(
        "\n  commit {} with the exercises it records",
        shipped::RECORD
    );
    Ok(ExitCode::SUCCESS)
}

fn build_suite(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    side: Side,
) -> Result<std::path::PathBuf> {
    match suite::build(root, environment, exercise, side)? {
        Build::Ready(path) => Ok(path),
        Build::Failed(messages) => {
            eprint!("{messages}");
            bail!("{} does not compile", exercise.crate_of(side).package())
        }
    }
}

fn line(ok: bool, what: &str, detail: &str) {
    let mark = if ok {
        "✓".green().bold()
    } else {
        "✗".red().bold()
    };
    println!("    {mark} {what:<26} {detail}");
}

/// Whether `shipped.toml` records the exercise as committed (else `reset` would not put it back).
fn check_record(
    root: &Path,
    exercise: &Exercise,
    record: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) -> Result<()> {
    let head = shipped::head_tree(root, &exercise.dir)?;
    let current = record.get(&exercise.dir) == Some(&head);
    line(
        current,
        "shipped.toml",
        if current {
            "records this version (reset puts it back)"
        } else {
            "does not record this version: run `cargo xtask verify --record-shipped`"
        },
    );
    if !current {
        problems.push(format!(
            "{}: {} does not record the exercise as committed",
            exercise.label(),
            shipped::RECORD
        ));
    }
    Ok(())
}

/// Whether the reference solution passed every check of its suite.
fn judge_solution(exercise: &Exercise, outcomes: &[Outcome], problems: &mut Vec<String>) {
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let passes = format!("passes {} of {}", outcomes.len() - failed, outcomes.len());
    line(failed == 0, "solution", &passes);
    if failed > 0 {
        crate::check::print_outcomes(outcomes);
        problems.push(format!(
            "{}: the reference solution fails its suite",
            exercise.label()
        ));
    }
}

/// Whether the exercise as shipped fails at least one check (else there is nothing to do).
fn judge_shipped(exercise: &Exercise, outcomes: &[Outcome], problems: &mut Vec<String>) {
    let failing = outcomes.iter().filter(|o| !o.passed).count();
    line(
        failing > 0,
        "as shipped",
        &format!("fails {failing} of {}", outcomes.len()),
    );
    if failing == 0 {
        problems.push(format!(
            "{}: the shipped exercise already passes",
            exercise.label()
        ));
    }
}

/// Whether a wrong variant failed at least the checks the data file says must catch it.
fn judge(exercise: &Exercise, variant: &Variant, outcomes: &[Outcome], problems: &mut Vec<String>) {
    let missed: Vec<&str> = variant
        .fails
        .iter()
        .filter(|test| outcomes.iter().any(|o| &o.test == *test && o.passed))
        .map(String::as_str)
        .collect();
    let caught: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.test.as_str())
        .collect();
    let ok = missed.is_empty() && !caught.is_empty();
    line(
        ok,
        &variant.program,
        &if ok {
            format!("caught by {}", caught.join(", "))
        } else {
            format!("not caught by {}", missed.join(", "))
        },
    );
    if !ok {
        problems.push(format!(
            "{}: the variant {} slips through",
            exercise.label(),
            variant.program
        ));
    }
}

/// The same proof for an exercise with an interface package of its own: each crate (the
/// solution, the shipped exercise, every variant over the solution) built interface first.
fn own_interface(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    problems: &mut Vec<String>,
) -> Result<()> {
    own_interface::references(environment)?;
    // One place for the solution, the shipped crate and the variants (`target/exNN/variant`):
    // rclrs is compiled against an overlay path once, not three times.
    match own_variants::run_side(root, environment, exercise, Side::Solution)? {
        Run::Checked(outcomes) => judge_solution(exercise, &outcomes, problems),
        Run::NotBuilt { step, problem } => {
            line(false, "solution", &format!("{step} does not build"));
            eprintln!("{problem}");
            problems.push(format!("{}: the solution does not build", exercise.label()));
        }
    }
    match own_variants::run_side(root, environment, exercise, Side::Exercise)? {
        Run::Checked(outcomes) => judge_shipped(exercise, &outcomes, problems),
        Run::NotBuilt { step, problem } => {
            line(false, "as shipped", &format!("{step} does not build"));
            eprintln!("{problem}");
            problems.push(format!(
                "{}: the shipped exercise does not build",
                exercise.label()
            ));
        }
    }
    for variant in &exercise.variants {
        match own_variants::run_variant(root, environment, exercise, variant)? {
            Run::Checked(outcomes) => judge(exercise, variant, &outcomes, problems),
            Run::NotBuilt { step, problem } => {
                eprintln!("{problem}");
                line(false, &variant.program, &format!("{step} does not build"));
                problems.push(format!(
                    "{}: the variant {} does not build",
                    exercise.label(),
                    variant.program
                ));
            }
        }
    }
    Ok(())
}

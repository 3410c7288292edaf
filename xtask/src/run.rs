//! `cargo xtask run <program> [-- <args>…]`: builds one of the workbook's programs and runs it in
//! the ROS 2 environment, passing its exit code through.

use crate::exercises::{Catalogue, Side};
use crate::{cargo, provision, ui};
use anyhow::{bail, Result};
use std::process::ExitCode;

/// Builds and runs `program` with `args`: a workspace binary, or an exercise by number or name
/// (its reference solution with `solution`).
pub fn run(program: &str, args: &[String], release: bool, solution: bool) -> Result<ExitCode> {
    let environment = provision::ensure()?;
    let programs = cargo::workspace_binaries()?;
    if !programs.iter().any(|p| p == program) || solution {
        let catalogue = Catalogue::load()?;
        if let Some(exercise) = catalogue
            .find(program)
            .ok()
            .filter(|e| e.interface.is_some())
        {
            return run_own_interface(exercise, args, solution, &environment);
        }
    }
    let exercise_program;
    let program = if programs.iter().any(|p| p == program) && !solution {
        program
    } else {
        let catalogue = Catalogue::load()?;
        match catalogue.find(program) {
            Ok(exercise) => {
                let side = if solution {
                    Side::Solution
                } else {
                    Side::Exercise
                };
                exercise_program = exercise.crate_of(side).binary().to_string();
                &exercise_program
            }
            Err(_) if !solution => program,
            Err(error) => return Err(error),
        }
    };
    if !programs.iter().any(|p| p == program) {
        let suggestion = crate::suggest::closest(program, programs.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        ui::error(
            &format!("there is no program named `{program}`"),
            &format!("{suggestion}The programs are: {}", programs.join(", ")),
        );
        return Ok(ExitCode::from(2));
    }
    let mut build = cargo::command(&environment, "build");
    build.args(["--quiet", "--bin", program]);
    if release {
        build.arg("--release");
    }
    cargo::run_visible(build)?;
    let binary = cargo::target_dir()?
        .join(if release { "release" } else { "debug" })
        .join(program);
    let mut command = std::process::Command::new(&binary);
    command.args(args);
    environment.apply(&mut command);
    // The program dies with xtask (a closed terminal, a kill), but a Ctrl-C is the program's to
    // handle: xtask waits through it, as a shell does, and passes on how the program ended.
    workbook_harness::with_parent_death_signal(&mut command);
    let _ = ctrlc::set_handler(|| {});
    ui::echo_command(&format!("{program} {}", args.join(" ")));
    let status = match command.status() {
        Ok(status) => status,
        Err(error) => bail!("cannot start {}: {error}", binary.display()),
    };
    Ok(match status.code() {
        Some(code) => ExitCode::from(code.clamp(0, 255) as u8),
        None => ExitCode::from(130),
    })
}

/// `run` for an exercise with an interface package of its own, outside the workspace: its
/// interface and crate are built as `check` builds them, then its program runs with the overlay.
fn run_own_interface(
    exercise: &crate::exercises::Exercise,
    args: &[String],
    solution: bool,
    environment: &workbook_harness::Environment,
) -> Result<ExitCode> {
    let side = if solution {
        Side::Solution
    } else {
        Side::Exercise
    };
    let root = workbook_harness::project_root();
    let place = crate::own_interface::Place::of(&root, exercise, side)?;
    let overlaid = match crate::own_interface::stage(&root, environment, exercise, &place)? {
        crate::own_interface::Staged::Ready(_, overlaid) => overlaid,
        crate::own_interface::Staged::Failed { step, problem, fix } => {
            eprintln!("{problem}");
            ui::error(&format!("{step} failed"), &fix);
            return Ok(ExitCode::from(1));
        }
    };
    let program = exercise.crate_of(side).binary().to_string();
    let binary = place.target.join("debug").join(&program);
    let mut command = std::process::Command::new(&binary);
    command.args(args);
    overlaid.apply(&mut command);
    workbook_harness::with_parent_death_signal(&mut command);
    let _ = ctrlc::set_handler(|| {});
    ui::echo_command(&format!("{program} {}", args.join(" ")));
    let status = match command.status() {
        Ok(status) => status,
        Err(error) => bail!("cannot start {}: {error}", binary.display()),
    };
    Ok(match status.code() {
        Some(code) => ExitCode::from(code.clamp(0, 255) as u8),
        None => ExitCode::from(130),
    })
}

//! `cargo xtask run <program> [-- <args>…]`: builds one of the workbook's programs and runs it in
//! the ROS 2 environment, passing its exit code through.

use crate::exercises::{Catalogue, Side};
use crate::{cargo, provision, ui};
use anyhow::{bail, Result};
use std::path::Path;
use std::process::ExitCode;
use workbook_harness::Environment;

/// Builds and runs `program` with `args`: a workspace binary, or an exercise by number or name
/// (its reference solution with `solution`).
pub fn run(program: &str, args: &[String], release: bool, solution: bool) -> Result<ExitCode> {
    let environment = provision::ensure()?;
    let programs = cargo::workspace_binaries()?;
    let side = if solution {
        Side::Solution
    } else {
        Side::Exercise
    };
    let program = if programs.iter().any(|p| p == program) && !solution {
        program.to_string()
    } else {
        let catalogue = Catalogue::load()?;
        match catalogue.find(program) {
            Ok(exercise) if exercise.interface.is_some() => {
                return run_own_interface(exercise, args, side, &environment);
            }
            Ok(exercise) => exercise.crate_of(side).binary().to_string(),
            Err(_) if !solution => program.to_string(),
            Err(error) => return Err(error),
        }
    };
    let program = program.as_str();
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
    hand_over(&binary, args, &environment, Some(program))
}

/// Runs `binary` with `args` in `environment`, handing the terminal over, and passes on its exit
/// code (130 when a signal ended it). The program dies with xtask (a closed terminal, a kill),
/// but a Ctrl-C is the program's to handle: xtask waits through it, as a shell does. `echo`: the
/// command line to show first, if any (`ros2` shows none: its output is for pipes).
pub fn hand_over(
    binary: &Path,
    args: &[String],
    environment: &Environment,
    echo: Option<&str>,
) -> Result<ExitCode> {
    let mut command = std::process::Command::new(binary);
    command.args(args);
    environment.apply(&mut command);
    workbook_harness::with_parent_death_signal(&mut command);
    let _ = ctrlc::set_handler(|| {});
    if let Some(program) = echo {
        ui::echo_command(&format!("{program} {}", args.join(" ")));
    }
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
    side: Side,
    environment: &Environment,
) -> Result<ExitCode> {
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
    hand_over(&binary, args, &overlaid, Some(&program))
}

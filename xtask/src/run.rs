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

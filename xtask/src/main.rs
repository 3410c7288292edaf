//! `cargo xtask`: the workbook's one entry point. This file only parses the command line and
//! hands each command to its module.

mod cargo;
mod demo;
mod doctor;
mod env;
mod generate;
mod provision;
mod run;
mod suggest;
mod test;
mod ui;
mod wheel_fixes;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The rclrs services workbook: set up ROS 2, run the examples, test everything.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Make the ROS 2 environment (provisioned Jazzy, or an overlay on a sourced ROS 2).
    Setup {
        /// Print nothing when everything is already up to date.
        #[arg(long)]
        if_needed: bool,
    },
    /// Print `export` lines: `eval "$(cargo xtask env)"` gives a shell with ROS 2 ready.
    Env,
    /// Check the environment and say how to fix what is wrong.
    Doctor,
    /// Build and run one of the workbook's programs (e.g. speed_server, speed_client).
    Run {
        /// The program to run.
        program: String,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        /// Arguments for the program, after `--`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Start the reference server, call it with accepted and refused speeds, and stop it.
    Demo,
    /// Run everything CI runs: formatting, lints and every test.
    Test,
}

fn main() -> ExitCode {
    ui::init_colour();
    let cli = Cli::parse();
    let result = match cli.command {
        Commands::Setup { if_needed } => {
            if if_needed {
                provision::ensure().map(|_| ExitCode::SUCCESS)
            } else {
                provision::setup(true).map(|_| ExitCode::SUCCESS)
            }
        }
        Commands::Env => env::run().map(|()| ExitCode::SUCCESS),
        Commands::Doctor => doctor::run(),
        Commands::Run {
            program,
            release,
            args,
        } => run::run(&program, &args, release),
        Commands::Demo => demo::run(),
        Commands::Test => test::run().map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            if let Some(problem) = error.downcast_ref::<ui::Problem>() {
                ui::error(&problem.problem, &problem.fix);
            } else if error.downcast_ref::<provision::StepFailure>().is_none() {
                ui::error(&format!("{error:#}"), "");
            }
            ExitCode::from(1)
        }
    }
}

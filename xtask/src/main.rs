//! `cargo xtask`: the workbook's one entry point. This file only parses the command line and
//! hands each command to its module.

mod autograder;
mod bench;
mod book;
mod build_stamp;
mod cargo;
mod check;
mod demo;
mod doctor;
mod env;
mod exercises;
mod files;
mod generate;
mod git;
mod grade;
mod hint;
mod leftovers;
mod list;
mod new_exercise;
mod own_interface;
mod own_variants;
mod progress;
mod provision;
mod reset;
mod ros2;
mod run;
mod shipped;
mod solution;
mod suggest;
mod suite;
mod test;
mod ui;
mod verify;
mod watch;
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
        /// Provision this distribution (`jazzy` or `kilted`) instead of the one `ROS_DISTRO`
        /// names; every later command uses it when the shell exports `ROS_DISTRO` likewise.
        #[arg(long, value_name = "DISTRO")]
        distro: Option<String>,
    },
    /// Print `export` lines: `eval "$(cargo xtask env)"` gives a shell with ROS 2 ready.
    Env,
    /// Check the environment and say how to fix what is wrong.
    Doctor {
        /// Remove the shared-memory files that ROS processes killed earlier left in /dev/shm
        /// (only those no running process holds).
        #[arg(long)]
        clean_shm: bool,
        /// Stop the workbook programs still running (left behind, or started in another
        /// terminal): SIGINT, then SIGKILL after 3 s.
        #[arg(long)]
        stop: bool,
    },
    /// Build and run a program: an exercise (`1`, `speed-server`) or a reference program
    /// (`speed_server`, `speed_client`).
    Run {
        /// The exercise or program to run.
        program: String,
        /// Run the exercise's reference solution instead of your crate.
        #[arg(long)]
        solution: bool,
        /// Build with optimisations.
        #[arg(long)]
        release: bool,
        /// Arguments for the program, after `--`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Start the reference server, call it with accepted and refused speeds, and stop it.
    Demo,
    /// Every exercise with its status (not started, failing, done) and book chapter.
    List {
        /// Print JSON for tools instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Check an exercise (number, name or unique prefix; default: the first not done).
    Check {
        exercise: Option<String>,
        /// Check the reference solution instead of your crate.
        #[arg(long)]
        solution: bool,
    },
    /// Show the next hint for an exercise (default: the first not done).
    Hint {
        exercise: Option<String>,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Show the reference solution of an exercise, once its check passes.
    Solution {
        exercise: String,
        /// Show it before the check passes (asks for confirmation).
        #[arg(long)]
        anyway: bool,
        /// Confirm --anyway without asking (where there is no terminal).
        #[arg(long, requires = "anyway")]
        yes: bool,
    },
    /// Check an exercise again every time one of its files is saved.
    Watch { exercise: Option<String> },
    /// Put the shipped version of an exercise back (your files are backed up first).
    Reset {
        exercise: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// For maintainers: solutions pass, shipped exercises and wrong variants fail.
    Verify {
        /// The exercises to verify (numbers or names); every exercise when none is given.
        exercises: Vec<String>,
        /// Record the exercises as committed in exercises/shipped.toml (what `reset` restores),
        /// instead of verifying.
        #[arg(long, conflicts_with = "exercises")]
        record_shipped: bool,
    },
    /// Measure service round trips (rclrs and rclpy), memory and the workbook's loops.
    Bench {
        /// A short run (under a minute) that shows the benchmark works.
        #[arg(long)]
        quick: bool,
        /// Also time a setup into an empty cache (downloads the wheels again).
        #[arg(long)]
        cold: bool,
        /// Copy the JSON and the chart into the book's appendix (book/src/bench/).
        #[arg(long)]
        book: bool,
        /// Only time `cargo xtask grade` on a made-up class of this many students handing in
        /// every exercise (30 takes about a quarter of an hour).
        #[arg(long, value_name = "STUDENTS")]
        grade: Option<usize>,
    },
    /// Build the course book (target/book) and check its includes and links.
    Book {
        /// First rerun the captured terminal sessions (book/captures.toml), or only those whose
        /// id contains the given text.
        #[arg(long, num_args = 0..=1, value_name = "ID")]
        capture: Option<Option<String>>,
        /// Rerun the captured sessions and fail when today's output differs from the book's.
        #[arg(long)]
        drift: bool,
        /// Serve the book on localhost and rebuild it on every change.
        #[arg(long)]
        serve: bool,
        /// The port for --serve.
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// For instructors: grade a class's submissions with the checks, safely (see the book's
    /// chapter for instructors). `grade merge` joins the outputs of `--shard` runs.
    #[command(args_conflicts_with_subcommands = true)]
    Grade {
        #[command(subcommand)]
        merge: Option<GradeCommand>,
        #[command(flatten)]
        args: GradeArgs,
    },
    /// For instructors: the Gradescope autograder and the GitHub Classroom workflow, grading
    /// with the same checks, rubric and sandbox as `grade`.
    Autograder {
        #[command(subcommand)]
        command: AutograderCommand,
    },
    /// Run everything CI runs: formatting, lints and every test.
    Test {
        /// Run only this stage (after setup): fmt, clippy, build, tests, sourced, colcon or
        /// bench.
        #[arg(long, value_name = "NAME")]
        stage: Option<String>,
    },
    /// For maintainers: scaffold exercise NN (both crates, the suite, its data, a chapter stub).
    NewExercise {
        /// The next number and a lowercase name, e.g. `08-headlights`.
        spec: String,
        /// The exercise's title (default: from the name).
        #[arg(long)]
        title: Option<String>,
    },
    /// The `ros2` command line (service, interface, node, topic verbs), e.g. `ros2 service list`.
    #[command(disable_help_flag = true)]
    Ros2 {
        /// The verb and its arguments, as `ros2` takes them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(clap::Args)]
struct GradeArgs {
    /// The folder of submissions: one folder, git repository, .zip or .tar.gz per student.
    submissions: Option<std::path::PathBuf>,
    /// Grade only this exercise (number or name); repeat for several. Default: all.
    #[arg(long = "exercise", value_name = "EXERCISE")]
    exercises: Vec<String>,
    /// Where the grades, feedback, JUnit and Gradescope files go.
    #[arg(long, default_value = "grades")]
    out: std::path::PathBuf,
    /// Students graded at once: each builds their exercises (one sealed cargo run), then runs
    /// their checks, one exercise at a time, under the rubric's CPU and memory limits. 3 suits
    /// 2 cores; `cargo xtask bench --grade 30` times a class on this machine.
    #[arg(long, default_value_t = 3)]
    jobs: usize,
    /// Grade only slice I of N (1-based): every Nth student in the order of their ids, the same
    /// students on every run. One job of a CI matrix runs `--shard I/N --out shard-I`, a last
    /// job joins them with `grade merge shard-*/` (the instructors' chapter shows the matrix).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// The rubric to grade with (default: exercises/rubric.toml).
    #[arg(long)]
    rubric: Option<std::path::PathBuf>,
    /// Submissions after this date or time (UTC) lose points as the rubric's [late] says.
    #[arg(long)]
    deadline: Option<String>,
    /// Keep the students' built programs (in <out>/.work) for a closer look.
    #[arg(long)]
    keep: bool,
    /// Grade even where students' programs cannot be sandboxed (no sealed worlds, no mount
    /// namespaces): only for submissions you trust.
    #[arg(long)]
    no_sandbox: bool,
    /// The path is one student's hand-in (a folder, git repository or archive), not a folder
    /// of them.
    #[arg(long)]
    single: bool,
}

#[derive(Subcommand)]
enum GradeCommand {
    /// Join the output folders of several `--shard` runs into one.
    Merge {
        /// The shards' output folders.
        #[arg(required = true)]
        shards: Vec<std::path::PathBuf>,
        /// Where the joined grades go.
        #[arg(long, default_value = "grades")]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AutograderCommand {
    /// Write autograder.zip for a Gradescope programming assignment.
    Gradescope {
        /// Where autograder.zip goes.
        #[arg(long, default_value = "target/autograder")]
        out: std::path::PathBuf,
        /// The assignment's exercise (number or name); repeat for several. Default: all.
        #[arg(long = "exercise", value_name = "EXERCISE")]
        exercises: Vec<String>,
    },
    /// Write .github/workflows/classroom.yml for a GitHub Classroom template repository.
    Classroom {
        /// The repository folder it goes into (default: this workbook).
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
    /// (setup.sh) Build what grading needs by grading the reference solutions.
    #[command(hide = true)]
    Prepare {
        #[arg(long = "exercise", value_name = "EXERCISE")]
        exercises: Vec<String>,
    },
    /// (run_autograder) Grade the one submission and write Gradescope's results.json.
    #[command(hide = true)]
    Run {
        #[arg(long)]
        submission: std::path::PathBuf,
        #[arg(long)]
        results: std::path::PathBuf,
        #[arg(long = "exercise", value_name = "EXERCISE")]
        exercises: Vec<String>,
        /// The time the whole run may take.
        #[arg(long, default_value_t = 540)]
        seconds: u64,
    },
}

fn main() -> ExitCode {
    workbook_harness::die_with_parent();
    ui::init_colour();
    // Before parsing: a program another clone built may not know this clone's commands.
    match cargo::own_build() {
        Ok(None) => {}
        Ok(Some(code)) => return code,
        Err(error) => return report(error),
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Commands::Setup { if_needed, distro } => {
            if let Err(error) = provision::choose_distro(distro.as_deref()) {
                Err(error)
            } else if if_needed {
                provision::ensure().map(|_| ExitCode::SUCCESS)
            } else {
                provision::setup(true).map(|_| ExitCode::SUCCESS)
            }
        }
        Commands::Env => env::run().map(|()| ExitCode::SUCCESS),
        Commands::Doctor { clean_shm, stop } => doctor::run(clean_shm, stop),
        Commands::Run {
            program,
            solution,
            release,
            args,
        } => run::run(&program, &args, release, solution),
        Commands::List { json } => list::run(json).map(|()| ExitCode::SUCCESS),
        Commands::Check { exercise, solution } => check::run(
            exercise.as_deref(),
            if solution {
                exercises::Side::Solution
            } else {
                exercises::Side::Exercise
            },
        ),
        Commands::Hint { exercise, all } => {
            hint::run(exercise.as_deref(), all).map(|()| ExitCode::SUCCESS)
        }
        Commands::Solution {
            exercise,
            anyway,
            yes,
        } => solution::run(solution::Options {
            exercise: &exercise,
            anyway,
            yes,
        }),
        Commands::Watch { exercise } => watch::run(exercise.as_deref()).map(|()| ExitCode::SUCCESS),
        Commands::Reset { exercise, yes } => reset::run(&exercise, yes).map(|()| ExitCode::SUCCESS),
        Commands::Verify {
            record_shipped: true,
            ..
        } => verify::record_shipped(),
        Commands::Verify { exercises, .. } => verify::run(&exercises),
        Commands::Demo => demo::run(),
        Commands::Bench {
            quick,
            cold,
            book,
            grade,
        } => bench::run(quick, cold, book, grade),
        Commands::Book {
            capture,
            drift,
            serve,
            port,
        } => book::run(book::Options {
            capture,
            drift,
            serve: serve.then_some(port),
        })
        .map(|()| ExitCode::SUCCESS),
        Commands::Grade {
            merge: Some(GradeCommand::Merge { shards, out }),
            ..
        } => grade::merge(&shards, &out),
        Commands::Grade { merge: None, args } => match args.submissions {
            None => Err(ui::usage(
                "which submissions should be graded?",
                "cargo xtask grade <folder-of-submissions> [--exercise N] [--out DIR]",
            )),
            Some(submissions) => grade::run(grade::Options {
                submissions,
                exercises: args.exercises,
                out: args.out,
                jobs: args.jobs,
                shard: args.shard,
                rubric: args.rubric,
                deadline: args.deadline,
                keep: args.keep,
                no_sandbox: args.no_sandbox,
                one: args.single,
            }),
        },
        Commands::Autograder { command } => match command {
            AutograderCommand::Gradescope { out, exercises } => {
                autograder::gradescope(&out, &exercises)
            }
            AutograderCommand::Classroom { out } => autograder::classroom::run(&out),
            AutograderCommand::Prepare { exercises } => autograder::prepare(&exercises),
            AutograderCommand::Run {
                submission,
                results,
                exercises,
                seconds,
            } => autograder::runner::run(autograder::runner::Options {
                submission,
                results,
                exercises,
                seconds,
            }),
        },
        Commands::Test { stage } => test::run(stage.as_deref()).map(|()| ExitCode::SUCCESS),
        Commands::NewExercise { spec, title } => {
            new_exercise::run(&spec, title.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Commands::Ros2 { args } => ros2::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => report(error),
    }
}

/// Prints a command's error the way its kind asks for, and gives the exit code.
fn report(error: anyhow::Error) -> ExitCode {
    if let Some(problem) = error.downcast_ref::<ui::Problem>() {
        ui::error(&problem.problem, &problem.fix);
        return ExitCode::from(problem.exit_code());
    }
    if error.downcast_ref::<provision::StepFailure>().is_none() {
        ui::error(&format!("{error:#}"), "");
    }
    ExitCode::from(1)
}

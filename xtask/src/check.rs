//! `cargo xtask check [<exercise>]`: builds the student's crate, runs its checks against the
//! reference programs and rclpy, and prints one line per check: ✓, or ✗ with what was expected,
//! what happened and a hint. Exit 0 when all pass, 1 when some fail (or it does not compile),
//! 2 for usage errors. With no exercise named, it checks the first one not done yet.

use crate::exercises::{Catalogue, Exercise, Side};
use crate::progress::{self, Progress, Status};
use crate::suite::{self, Build, Outcome};
use crate::{own_interface, provision, ui};
use anyhow::Result;
use colored::Colorize;
use std::process::ExitCode;
use std::time::Instant;
use workbook_harness::{project_root, Isolation};

/// Checks one exercise (`side` chooses the student's crate or the reference solution).
pub fn run(query: Option<&str>, side: Side) -> Result<ExitCode> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let exercise = pick(&catalogue, query)?;
    let environment = provision::ensure()?;
    let started = Instant::now();
    ui::heading(
        "check",
        &format!(
            "{}: {} (book: {}){}",
            exercise.label(),
            exercise.title,
            exercise.chapter,
            if side == Side::Solution {
                ", reference solution"
            } else {
                ""
            }
        ),
    );

    isolation_line();
    let (executable, environment) = if exercise.interface.is_some() {
        let place = own_interface::Place::of(&root, &exercise, side)?;
        own_interface::references(&environment)?;
        match own_interface::stage(&root, &environment, &exercise, &place)? {
            own_interface::Staged::Ready(executable, overlaid) => (executable, overlaid),
            own_interface::Staged::Failed { step, problem, fix } => {
                eprintln!("{problem}");
                println!("\n  {} {step}: {fix}", "✗".red().bold());
                record(&exercise, side, 0, 1)?;
                return Ok(ExitCode::from(1));
            }
        }
    } else {
        let step = ui::Step::start(
            "build",
            &format!(
                "cargo test --no-run -p {}",
                exercise.crate_of(side).package()
            ),
        );
        match suite::build(&root, &environment, &exercise, side)? {
            Build::Ready(path) => {
                step.done("compiled");
                (path, environment)
            }
            Build::Failed(messages) => {
                step.failed("does not compile");
                eprint!("{messages}");
                println!(
                    "\n  {} Fix the compiler errors above, then run `cargo xtask check {}` again.",
                    "✗".red().bold(),
                    exercise.number
                );
                record(&exercise, side, 0, 1)?;
                return Ok(ExitCode::from(1));
            }
        }
    };

    let step = ui::Step::start(
        "checks",
        &format!(
            "{} checks, each in a world of its own",
            exercise.checks.len()
        ),
    );
    let crate_dir = exercise.crate_of(side).dir(&root);
    let mut board = Board::new(&exercise);
    let results = suite::run_watched(
        &executable,
        &crate_dir,
        &environment,
        &exercise,
        None,
        &mut |progress| board.show(progress),
    );
    board.clear_status();
    let results = results?;
    let outcomes = results.outcomes;
    board.finish(&outcomes);
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    if failed == 0 {
        step.done("all passed");
    } else {
        step.failed(&format!("{failed} failed"));
    }
    if failed > 0 {
        println!();
        print_failures(&outcomes);
    }
    print_rejected(&results.rejected);
    let passed = outcomes.len() - failed;
    summary(&exercise, side, &outcomes, started);
    record(&exercise, side, passed, failed)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Says which isolation the checks get, and how to get the sealed one when it is not in effect.
pub fn isolation_line() {
    let isolation = Isolation::current();
    match isolation.fix() {
        None => println!(
            "  {} {}",
            "isolation".dimmed(),
            isolation.describe().dimmed()
        ),
        Some(fix) => {
            println!("  {} {}", "isolation".yellow(), isolation.describe());
            println!("  {} {fix}", "         ".yellow());
        }
    }
}

/// Prints every outcome as `check` shows it (also used by `verify`).
/// When several checks failed for the same reason (the program did not even start), the
/// details are printed once and the others say so.
pub fn print_outcomes(outcomes: &[Outcome]) {
    let mut previous: Option<(&str, &str)> = None;
    for outcome in outcomes {
        let reason = (outcome.expected.as_str(), outcome.happened.as_str());
        if !outcome.passed && previous == Some(reason) {
            ui::check_result(false, &outcome.title, "", "the same as above", "");
            continue;
        }
        ui::check_result(
            outcome.passed,
            &outcome.title,
            &outcome.expected,
            &outcome.happened,
            &outcome.hint,
        );
        if !outcome.passed {
            previous = Some(reason);
        }
    }
}

/// Prints the failed outcomes with what was expected, what happened and the hint; a failure
/// with the same reason as the one before says so instead of repeating it.
pub fn print_failures(outcomes: &[Outcome]) {
    let mut previous: Option<(&str, &str)> = None;
    for outcome in outcomes.iter().filter(|o| !o.passed) {
        let reason = (outcome.expected.as_str(), outcome.happened.as_str());
        if previous == Some(reason) {
            ui::check_result(false, &outcome.title, "", "the same as above", "");
            continue;
        }
        ui::check_result(
            false,
            &outcome.title,
            &outcome.expected,
            &outcome.happened,
            &outcome.hint,
        );
        previous = Some(reason);
    }
}

/// The checks as they finish: a line per check, in course order, as soon as it and every check
/// before it have a verdict (from the verdict file, never from a program's text), with the time
/// its verdict came; on a terminal, below them, a status line of how many are done and which
/// are still running, redrawn as time passes.
struct Board {
    /// (test, title) of every check, in course order.
    checks: Vec<(String, String)>,
    /// The verdict and its time, per check, once it came.
    verdicts: Vec<Option<(bool, std::time::Duration)>>,
    /// How many lines are printed.
    printed: usize,
    /// Whether a status line is drawn (stdout is a terminal).
    live: bool,
    /// Whether a status line is on the screen now.
    drawn: bool,
    frame: usize,
}

impl Board {
    fn new(exercise: &Exercise) -> Board {
        use std::io::IsTerminal;
        Board {
            checks: exercise
                .checks
                .iter()
                .map(|c| (c.test.clone(), c.title.clone()))
                .collect(),
            verdicts: vec![None; exercise.checks.len()],
            printed: 0,
            live: std::io::stdout().is_terminal(),
            drawn: false,
            frame: 0,
        }
    }

    fn show(&mut self, progress: suite::Progress) {
        match progress {
            suite::Progress::Verdict {
                test,
                passed,
                after,
            } => {
                if let Some(index) = self.checks.iter().position(|(t, _)| t == test) {
                    // The first verdict stands; the final results refuse a check reported twice.
                    self.verdicts[index].get_or_insert((passed, after));
                }
                self.clear_status();
                while let Some(Some((passed, after))) = self.verdicts.get(self.printed) {
                    ui::check_progress(*passed, &self.checks[self.printed].1, *after);
                    self.printed += 1;
                }
                if self.live {
                    self.draw(after);
                }
            }
            suite::Progress::Tick { after } => {
                if self.live {
                    self.draw(after);
                }
            }
        }
    }

    /// The status line: `⠙ 5 of 8 done, 4.2 s · running: answers promptly, …`.
    fn draw(&mut self, after: std::time::Duration) {
        const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
        self.frame = (self.frame + 1) % FRAMES.len();
        let done = self.verdicts.iter().filter(|v| v.is_some()).count();
        let running: Vec<&str> = self
            .checks
            .iter()
            .zip(&self.verdicts)
            .filter(|(_, v)| v.is_none())
            .map(|((test, _), _)| test.as_str())
            .collect();
        let mut line = format!(
            "{} {done} of {} done, {} · running: {}",
            FRAMES[self.frame],
            self.checks.len(),
            ui::seconds(after),
            running.join(", ")
        );
        let width = terminal_width().saturating_sub(5);
        if line.chars().count() > width {
            line = line
                .chars()
                .take(width.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
        ui::status_line(&line);
        self.drawn = true;
    }

    fn clear_status(&mut self) {
        if self.drawn {
            ui::clear_status_line();
            self.drawn = false;
        }
    }

    /// Prints the checks not printed yet (those after one the suite reported no verdict for),
    /// from the final results.
    fn finish(&mut self, outcomes: &[Outcome]) {
        for outcome in outcomes.iter().skip(self.printed) {
            let after = self
                .checks
                .iter()
                .position(|(t, _)| *t == outcome.test)
                .and_then(|i| self.verdicts[i])
                .map(|(_, after)| after);
            match after {
                Some(after) => ui::check_progress(outcome.passed, &outcome.title, after),
                None => ui::check_progress_unreported(&outcome.title),
            }
        }
        self.printed = outcomes.len();
    }
}

/// The terminal's width in columns (80 when it cannot be told).
fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ fills the winsize it is given, and only reads the descriptor.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

/// Says which verdicts of the suite were not counted (also used by `verify`).
pub fn print_rejected(rejected: &[String]) {
    for note in rejected {
        println!("  {} {note}", "!".yellow().bold());
    }
}

fn summary(exercise: &Exercise, side: Side, outcomes: &[Outcome], started: Instant) {
    let passed = outcomes.iter().filter(|o| o.passed).count();
    let failed = outcomes.len() - passed;
    let points: u32 = outcomes.iter().filter(|o| o.passed).map(|o| o.points).sum();
    let total: u32 = outcomes.iter().map(|o| o.points).sum();
    let counts = format!("{passed} passed, {failed} failed");
    println!(
        "\n  {}  ({points}/{total} points, {})",
        if failed == 0 {
            counts.green().bold()
        } else {
            counts.red().bold()
        },
        ui::seconds(started.elapsed())
    );
    if failed > 0 {
        println!(
            "  Stuck? `cargo xtask hint {}` · book: {}",
            exercise.number, exercise.chapter
        );
    } else if side == Side::Exercise {
        println!(
            "  Every check passed. Compare with the reference: `cargo xtask solution {}`; \
             `cargo xtask list` shows what is next.",
            exercise.number
        );
    } else {
        println!("  Every check passed. `cargo xtask list` shows what is next.");
    }
}

/// Remembers the result for `list` (only for the student's own crate).
fn record(exercise: &Exercise, side: Side, passed: usize, failed: usize) -> Result<()> {
    if side != Side::Exercise {
        return Ok(());
    }
    let root = project_root();
    let mut progress = Progress::load(&root);
    let source = progress::source_hash(&exercise.crate_of(Side::Exercise).dir(&root));
    let record = progress.record(exercise);
    record.source = source;
    record.passed = passed;
    record.failed = failed;
    progress.save(&root)
}

/// The exercise the student named, or the first one they have not done yet.
pub fn pick(catalogue: &Catalogue, query: Option<&str>) -> Result<Exercise> {
    let root = project_root();
    let progress = Progress::load(&root);
    catalogue
        .pick(query, |e| progress.status(&root, e) == Status::Done)
        .cloned()
}

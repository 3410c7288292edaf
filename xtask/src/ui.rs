//! Terminal presentation shared by every command: step lines with durations, check lines,
//! echoed commands and failure reports. Colour only when stdout is a terminal and `NO_COLOR` is
//! unset. This module prints; it decides nothing.

use colored::Colorize;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Turns colour on or off for the whole process, once, at start-up.
pub fn init_colour() {
    let wanted = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    colored::control::set_override(wanted);
}

/// Prints a command's heading: `▸ setup  ROS 2 Jazzy (provisioned)`.
pub fn heading(command: &str, detail: &str) {
    println!(
        "{} {}  {}",
        "▸".cyan().bold(),
        command.bold(),
        detail.dimmed()
    );
}

/// Echoes an external command before it runs.
pub fn echo_command(line: &str) {
    println!("    {} {}", "$".dimmed(), line.dimmed());
}

/// One step of a longer job: announced when it starts, closed with ✓ or ✗ and its duration.
pub struct Step {
    name: String,
    /// The width of the name column.
    width: usize,
    started: Instant,
}

impl Step {
    /// Announces a step that may take a while.
    pub fn start(name: &str, doing: &str) -> Step {
        Step::start_in_column(name, 18, doing)
    }

    /// As `start`, for a run of steps whose names need a wider column than most (`width`).
    pub fn start_in_column(name: &str, width: usize, doing: &str) -> Step {
        println!("  {} {:<width$} {}", "…".yellow(), name, doing.dimmed());
        let _ = std::io::stdout().flush();
        Step {
            name: name.to_string(),
            width,
            started: Instant::now(),
        }
    }

    /// Closes the step as done, with what it found or made.
    pub fn done(self, result: &str) {
        println!(
            "  {} {:<width$} {:<52} {}",
            "✓".green().bold(),
            self.name,
            result,
            seconds(self.started.elapsed()).dimmed(),
            width = self.width
        );
    }

    /// Closes the step as failed.
    pub fn failed(self, what: &str) {
        println!(
            "  {} {:<width$} {:<52} {}",
            "✗".red().bold(),
            self.name,
            what.red(),
            seconds(self.started.elapsed()).dimmed(),
            width = self.width
        );
    }
}

/// A check result line: `✓ name  detail` or `✗ name  problem` followed by `fix: …`.
pub fn check_line(ok: bool, name: &str, detail: &str, fix: Option<&str>) {
    if ok {
        println!("  {} {:<22} {}", "✓".green().bold(), name, detail);
    } else {
        println!("  {} {:<22} {}", "✗".red().bold(), name, detail.red());
        if let Some(fix) = fix {
            println!("    {:<22} {} {}", "", "fix:".yellow().bold(), fix);
        }
    }
}

/// A `key  value` line of a summary.
pub fn summary_line(key: &str, value: &str) {
    println!("    {:<16} {}", key.dimmed(), value);
}

/// An error block for the end of a failed command: the problem, then the fix.
pub fn error(problem: &str, fix: &str) {
    eprintln!("{} {problem}", "error:".red().bold());
    if !fix.is_empty() {
        eprintln!("{} {fix}", "  fix:".yellow().bold());
    }
}

/// A distribution's name as a title (`jazzy` → `Jazzy`), the way people write it in sentences.
pub fn distro_title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Formats a duration as `1.2 s`.
pub fn seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// An error a person can act on: what is wrong, and what to do about it. `main` prints both, and
/// exits with 2 for a mistake on the command line, 1 for anything else.
#[derive(Debug)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
    pub kind: ProblemKind,
}

/// Whose move a [`Problem`] asks for, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Something went wrong while the command ran (exit 1).
    Failure,
    /// A mistake on the command line, such as an unknown exercise or a missing argument: exit 2,
    /// the usual code for usage errors.
    Usage,
}

impl Problem {
    /// The exit code `main` gives this problem.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ProblemKind::Failure => 1,
            ProblemKind::Usage => 2,
        }
    }
}

/// Builds a [`Problem`] as an `anyhow::Error`.
pub fn problem(problem: impl Into<String>, fix: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Problem {
        problem: problem.into(),
        fix: fix.into(),
        kind: ProblemKind::Failure,
    })
}

/// Builds a [`Problem`] of the command line's (exit 2) as an `anyhow::Error`.
pub fn usage(problem: impl Into<String>, fix: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Problem {
        problem: problem.into(),
        fix: fix.into(),
        kind: ProblemKind::Usage,
    })
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (fix: {})", self.problem, self.fix)
    }
}

impl std::error::Error for Problem {}

/// One check of an exercise: `✓ title` or `✗ title` with what was expected, what happened and
/// the hint, each on its own labelled, indented line.
pub fn check_result(passed: bool, title: &str, expected: &str, happened: &str, hint: &str) {
    if passed {
        println!("  {} {title}", "✓".green().bold());
        return;
    }
    println!("  {} {}", "✗".red().bold(), title.bold());
    let labelled = |label: &str, text: &str, paint: fn(&str) -> colored::ColoredString| {
        for (index, line) in text.trim_end().lines().enumerate() {
            let label = if index == 0 { label } else { "" };
            println!("      {:<9} {}", label.dimmed(), paint(line));
        }
    };
    if !expected.is_empty() {
        labelled("expected", expected, |s| s.normal());
    }
    if !happened.is_empty() {
        labelled("happened", happened, |s| s.red());
    }
    if !hint.is_empty() {
        labelled("hint", hint, |s| s.yellow());
    }
}

/// A check's line while a suite runs: `✓  1.2 s  title`, the time its verdict came first so
/// that the titles line up whole.
pub fn check_progress(passed: bool, title: &str, after: Duration) {
    let mark = if passed {
        "✓".green().bold()
    } else {
        "✗".red().bold()
    };
    println!("    {mark} {:>6}  {title}", seconds(after).dimmed());
    let _ = std::io::stdout().flush();
}

/// A check's line when the suite gave it no verdict.
pub fn check_progress_unreported(title: &str) {
    println!("    {} {:>6}  {title}", "✗".red().bold(), "-".dimmed());
}

/// Draws a one-line status below the last line (terminals only): it is replaced by the next
/// one, or cleared.
pub fn status_line(text: &str) {
    print!("\r\x1b[2K  {}", text.dimmed());
    let _ = std::io::stdout().flush();
}

/// Clears what [`status_line`] drew.
pub fn clear_status_line() {
    print!("\r\x1b[2K");
    let _ = std::io::stdout().flush();
}

//! What the instructor sees while a class is graded: the table of students and exercises, a row
//! per student as it is graded, and the closing summary with where each output went.

use super::report::{self, ClassReport, Status, StudentReport};
use crate::exercises::Exercise;
use crate::ui;
use colored::Colorize;
use std::path::Path;
use std::time::Duration;

pub(super) fn print_header(exercises: &[Exercise]) {
    let mut line = format!("  {:<24}", "student");
    for exercise in exercises {
        line.push_str(&format!(" {:>6}", format!("ex{:02}", exercise.number)));
    }
    line.push_str(&format!(" {:>8}", "total"));
    println!("{}", line.bold());
}

pub(super) fn print_row(student: &StudentReport, exercises: &[Exercise]) {
    let mut line = format!("  {:<24}", truncate(&student.id, 24));
    for exercise in exercises {
        let cell = student.exercises.iter().find(|e| e.name == exercise.name);
        let text = match cell {
            Some(e) if e.status == Status::CompileError => "build✗".to_string(),
            Some(e) if e.status == Status::Missing => "–".to_string(),
            Some(e) if e.status == Status::TimedOut => "time✗".to_string(),
            Some(e) if e.status == Status::Error => "error".to_string(),
            Some(e) => report::number(e.points),
            None => String::new(),
        };
        let padded = format!(" {text:>6}");
        line.push_str(&match cell.map(|e| e.status) {
            Some(Status::Passed) => padded.green().to_string(),
            Some(Status::Partial) => padded.yellow().to_string(),
            Some(Status::Missing) => padded.dimmed().to_string(),
            _ => padded.red().to_string(),
        });
    }
    let total = format!(
        " {:>8}",
        format!(
            "{}/{}",
            report::number(student.total),
            report::number(student.max)
        )
    );
    line.push_str(&total.bold().to_string());
    if student.late_percent > 0.0 {
        line.push_str(
            &format!("  late −{}%", report::number(student.late_percent))
                .yellow()
                .to_string(),
        );
    }
    if let Some(error) = &student.error {
        line.push_str(&format!("  {}", truncate(error, 60)).red().to_string());
    }
    println!("{line}");
}

pub(super) fn summary(class: &ClassReport, out: &Path, took: Duration) {
    let graded = class.students.iter().filter(|s| s.error.is_none()).count();
    println!();
    let mark = if graded == class.students.len() {
        "✓".green().bold()
    } else {
        "!".yellow().bold()
    };
    println!(
        "  {mark} {} of {} submissions graded in {}",
        graded,
        class.students.len(),
        ui::seconds(took)
    );
    ui::summary_line("grades", &out.join("grades.csv").display().to_string());
    ui::summary_line("record", &out.join("grades.json").display().to_string());
    ui::summary_line("feedback", &out.join("feedback").display().to_string());
    ui::summary_line("JUnit", &out.join("junit").display().to_string());
    ui::summary_line(
        "Gradescope",
        &out.join("gradescope/<student>/results.json")
            .display()
            .to_string(),
    );
}

pub(super) fn truncate(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > width {
        line.chars().take(width - 1).collect::<String>() + "…"
    } else {
        line.to_string()
    }
}

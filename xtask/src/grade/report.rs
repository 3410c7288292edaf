//! A class's grades and everything written from them: `grades.csv`, `grades.json` (the whole
//! record, which `grade merge` reads back), a JUnit XML and a Gradescope `results.json` per
//! student, and a Markdown feedback file per student in the words `cargo xtask check` uses.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassReport {
    /// The exercises graded, in course order.
    pub exercises: Vec<ExerciseInfo>,
    /// `I/N` when this is one shard of a class.
    pub shard: Option<String>,
    /// Whether students' code ran with the solutions and build output hidden from it.
    pub solutions_hidden: bool,
    pub students: Vec<StudentReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExerciseInfo {
    pub name: String,
    pub title: String,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentReport {
    pub id: String,
    pub origin: String,
    /// When it was handed in (RFC 3339), if known.
    pub submitted: Option<String>,
    pub late_percent: f64,
    pub exercises: Vec<ExerciseReport>,
    pub total: f64,
    pub max: f64,
    /// What was skipped while reading the submission, and why.
    pub notes: Vec<String>,
    /// Why the submission could not be graded at all.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Partial,
    Failed,
    CompileError,
    TimedOut,
    Missing,
    Error,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Partial => "partial",
            Status::Failed => "failed",
            Status::CompileError => "does not compile",
            Status::TimedOut => "timed out",
            Status::Missing => "missing",
            Status::Error => "not graded",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseReport {
    pub name: String,
    pub status: Status,
    /// Grade points earned, out of `weight`.
    pub points: f64,
    pub weight: f64,
    /// Check points passed, out of `check_max`.
    pub check_points: u32,
    pub check_max: u32,
    pub checks: Vec<CheckReport>,
    /// Compiler messages, a timeout, or why it is missing.
    pub detail: String,
}

/// One check's outcome, as `cargo xtask check` reports it.
pub type CheckReport = crate::suite::Outcome;

impl ClassReport {
    /// Writes every output into `out`.
    pub fn write(&self, out: &Path) -> Result<()> {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        let json = serde_json::to_string_pretty(self)?;
        std::fs::write(out.join("grades.json"), json + "\n")?;
        std::fs::write(out.join("grades.csv"), self.csv())?;
        for folder in ["junit", "gradescope", "feedback"] {
            std::fs::create_dir_all(out.join(folder))?;
        }
        for student in &self.students {
            std::fs::write(
                out.join("junit").join(format!("{}.xml", student.id)),
                junit(student),
            )?;
            let gradescope = out.join("gradescope").join(&student.id);
            std::fs::create_dir_all(&gradescope)?;
            std::fs::write(
                gradescope.join("results.json"),
                serde_json::to_string_pretty(&gradescope_results(student))? + "\n",
            )?;
            std::fs::write(
                out.join("feedback").join(format!("{}.md", student.id)),
                feedback(student, &self.exercises),
            )?;
        }
        Ok(())
    }

    pub fn csv(&self) -> String {
        let mut text = String::from("student");
        for exercise in &self.exercises {
            text.push(',');
            text.push_str(&exercise.name);
        }
        text.push_str(",late_percent,total,max,status\n");
        for student in &self.students {
            text.push_str(&csv_field(&student.id));
            for exercise in &self.exercises {
                let points = student
                    .exercises
                    .iter()
                    .find(|e| e.name == exercise.name)
                    .map(|e| number(e.points))
                    .unwrap_or_default();
                text.push(',');
                text.push_str(&points);
            }
            let status = match &student.error {
                Some(error) => format!("not graded: {error}"),
                None => "graded".into(),
            };
            let _ = writeln!(
                text,
                ",{},{},{},{}",
                number(student.late_percent),
                number(student.total),
                number(student.max),
                csv_field(&status)
            );
        }
        text
    }
}

/// A number as the outputs write it: no trailing `.0`, at most two decimals.
pub fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\"").replace('\n', " "))
    } else {
        text.to_string()
    }
}

fn xml(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(student: &StudentReport) -> String {
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = student
        .exercises
        .iter()
        .map(|e| e.checks.len().max(1))
        .sum();
    let failures: usize = student
        .exercises
        .iter()
        .map(|e| {
            if e.checks.is_empty() {
                usize::from(e.status != Status::Passed)
            } else {
                e.checks.iter().filter(|c| !c.passed).count()
            }
        })
        .sum();
    let _ = writeln!(
        text,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\">",
        xml(&student.id)
    );
    for exercise in &student.exercises {
        let failed = exercise.checks.iter().filter(|c| !c.passed).count();
        let _ = writeln!(
            text,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(&exercise.name),
            exercise.checks.len().max(1),
            if exercise.checks.is_empty() {
                1
            } else {
                failed
            }
        );
        if exercise.checks.is_empty() {
            let _ = writeln!(
                text,
                "    <testcase classname=\"{0}\" name=\"{0}\">\n      <failure message=\"{1}\">{2}</failure>\n    </testcase>",
                xml(&exercise.name),
                xml(exercise.status.label()),
                xml(&exercise.detail)
            );
        }
        for check in &exercise.checks {
            let _ = write!(
                text,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&exercise.name),
                xml(&check.title)
            );
            if check.passed {
                text.push_str("/>\n");
            } else {
                let _ = writeln!(
                    text,
                    ">\n      <failure message=\"{}\">expected: {}\nhappened: {}</failure>\n    </testcase>",
                    xml(&format!("expected: {}", check.expected)),
                    xml(&check.expected),
                    xml(&check.happened)
                );
            }
        }
        text.push_str("  </testsuite>\n");
    }
    text.push_str("</testsuites>\n");
    text
}

/// The Gradescope autograder's `results.json`: one test per check, its points scaled to the
/// exercise's weight so the tests add up to the grade.
fn gradescope_results(student: &StudentReport) -> serde_json::Value {
    let mut tests = Vec::new();
    for exercise in &student.exercises {
        if exercise.checks.is_empty() {
            tests.push(serde_json::json!({
                "name": format!("{}: {}", exercise.name, exercise.status.label()),
                "score": exercise.points,
                "max_score": exercise.weight,
                "status": "failed",
                "output": exercise.detail,
            }));
            continue;
        }
        let scale = if exercise.check_max == 0 {
            0.0
        } else {
            exercise.weight / f64::from(exercise.check_max)
        };
        for check in &exercise.checks {
            let output = if check.passed {
                String::new()
            } else {
                format!(
                    "expected: {}\nhappened: {}\nhint: {}",
                    check.expected, check.happened, check.hint
                )
            };
            tests.push(serde_json::json!({
                "name": format!("{}: {}", exercise.name, check.title),
                "score": super::rubric::round(if check.passed { f64::from(check.points) * scale } else { 0.0 }),
                "max_score": super::rubric::round(f64::from(check.points) * scale),
                "status": if check.passed { "passed" } else { "failed" },
                "output": output,
            }));
        }
    }
    let mut output = String::new();
    if student.late_percent > 0.0 {
        let _ = writeln!(
            output,
            "Late: {}% off the total.",
            number(student.late_percent)
        );
    }
    for note in &student.notes {
        let _ = writeln!(output, "Note: {note}");
    }
    serde_json::json!({
        "score": student.total,
        "output": output,
        "tests": tests,
    })
}

fn feedback(student: &StudentReport, exercises: &[ExerciseInfo]) -> String {
    let mut text = format!("# Feedback for {}\n\n", student.id);
    if let Some(error) = &student.error {
        let _ = writeln!(text, "**Not graded:** {error}\n");
    }
    let _ = writeln!(
        text,
        "**Total: {} of {}**{}\n",
        number(student.total),
        number(student.max),
        if student.late_percent > 0.0 {
            format!(" (late: {}% off)", number(student.late_percent))
        } else {
            String::new()
        }
    );
    text.push_str("| exercise | result | points |\n|---|---|---|\n");
    for exercise in &student.exercises {
        let _ = writeln!(
            text,
            "| {} | {} | {} / {} |",
            exercise.name,
            exercise.status.label(),
            number(exercise.points),
            number(exercise.weight)
        );
    }
    for exercise in &student.exercises {
        let title = exercises
            .iter()
            .find(|e| e.name == exercise.name)
            .map(|e| e.title.as_str())
            .unwrap_or_default();
        let _ = writeln!(text, "\n## {} — {title}\n", exercise.name);
        if !exercise.detail.is_empty() {
            let _ = writeln!(
                text,
                "{}:\n\n```text\n{}\n```\n",
                exercise.status.label(),
                strip_ansi(&exercise.detail).trim_end()
            );
        }
        for check in &exercise.checks {
            if check.passed {
                let _ = writeln!(text, "- ✓ {} ({})", check.title, points(check.points));
            } else {
                let _ = writeln!(text, "- ✗ {} (0 of {})", check.title, points(check.points));
                let _ = writeln!(text, "  - expected: {}", one_line(&check.expected));
                let _ = writeln!(text, "  - happened: {}", one_line(&check.happened));
                if !check.hint.is_empty() {
                    let _ = writeln!(text, "  - hint: {}", one_line(&check.hint));
                }
            }
        }
        if !exercise.checks.is_empty() {
            let _ = writeln!(
                text,
                "\nTo run these checks yourself: `cargo xtask check {}`.",
                exercise.name
            );
        }
    }
    if !student.notes.is_empty() {
        text.push_str("\n## Notes on your submission\n\n");
        for note in &student.notes {
            let _ = writeln!(text, "- {note}");
        }
    }
    text
}

fn points(count: u32) -> String {
    if count == 1 {
        "1 point".into()
    } else {
        format!("{count} points")
    }
}

fn one_line(text: &str) -> String {
    let joined = text.split('\n').collect::<Vec<_>>().join(" / ");
    if joined.chars().count() > 600 {
        joined.chars().take(600).collect::<String>() + " …"
    } else {
        joined
    }
}

/// The compiler's coloured messages, without the colour codes.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_without_noise() {
        assert_eq!(number(10.0), "10");
        assert_eq!(number(6.363636), "6.36");
        assert_eq!(number(0.5), "0.5");
    }

    #[test]
    fn csv_fields_with_commas_are_quoted() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(xml("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}

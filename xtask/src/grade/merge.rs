//! `cargo xtask grade merge`: joins the outputs of several shards (`--shard I/N`, one machine or
//! CI job each) into the output of one grading run.

use super::report::ClassReport;
use crate::ui;
use anyhow::{Context, Result};
use colored::Colorize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `cargo xtask grade merge`: joins the outputs of several shards into one.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<ExitCode> {
    if inputs.is_empty() {
        return Err(ui::usage(
            "no shard outputs to merge",
            "cargo xtask grade merge <shard-output-folder>... --out <folder>",
        ));
    }
    ui::heading(
        "grade merge",
        &format!("{} shards into {}", inputs.len(), out.display()),
    );
    let mut merged: Option<ClassReport> = None;
    for input in inputs {
        let path = input.join("grades.json");
        let text = std::fs::read_to_string(&path).map_err(|_| {
            ui::usage(
                format!("{} has no grades.json", input.display()),
                "give the --out folders of `cargo xtask grade --shard I/N` runs",
            )
        })?;
        let class: ClassReport = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a grades.json of cargo xtask grade",
                path.display()
            )
        })?;
        match &mut merged {
            None => merged = Some(class),
            Some(all) => {
                all.solutions_hidden &= class.solutions_hidden;
                if all.exercises != class.exercises {
                    return Err(ui::usage(
                        format!(
                            "{} graded other exercises or weights than the first shard",
                            input.display()
                        ),
                        "merge only shards of one grading run (same --exercise and rubric)",
                    ));
                }
                for student in class.students {
                    if all.students.iter().any(|s| s.id == student.id) {
                        return Err(ui::usage(
                            format!("the student {} is in more than one shard", student.id),
                            "merge each shard once (shards of one run never share a student)",
                        ));
                    }
                    all.students.push(student);
                }
            }
        }
    }
    let mut class = merged.expect("at least one input");
    class.students.sort_by(|a, b| a.id.cmp(&b.id));
    class.shard = None;
    class.write(out)?;
    println!(
        "  {} {} students → {}",
        "✓".green().bold(),
        class.students.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

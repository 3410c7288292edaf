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
    let mut shards = Vec::new();
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
        shards.push((input, class.shard.clone()));
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
    complete(&shards)?;
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

/// Fails unless the shards are `1/N` … `N/N` of one split, each once: a CI job that failed
/// before it uploaded its grades must not leave its students out of the class unnoticed.
/// Outputs of unsharded runs (no `--shard`) are merged as they are.
fn complete(shards: &[(&PathBuf, Option<String>)]) -> Result<()> {
    let mut seen = std::collections::BTreeMap::new();
    let mut count = None;
    for (input, shard) in shards {
        let Some((index, of)) = shard
            .as_deref()
            .and_then(|s| super::plan::parse_shard(s).ok())
        else {
            continue;
        };
        if *count.get_or_insert(of) != of {
            return Err(ui::usage(
                format!(
                    "{} is shard {index}/{of}, but another is of {} shards",
                    input.display(),
                    count.unwrap_or(of)
                ),
                "merge the shards of one grading run (the same --shard I/N split)",
            ));
        }
        if let Some(other) = seen.insert(index, input) {
            return Err(ui::usage(
                format!(
                    "{} and {} are both shard {index}/{of}",
                    other.display(),
                    input.display()
                ),
                "merge each shard once",
            ));
        }
    }
    if let Some(of) = count {
        let missing: Vec<String> = (1..=of)
            .filter(|i| !seen.contains_key(i))
            .map(|i| format!("{i}/{of}"))
            .collect();
        if !missing.is_empty() {
            return Err(ui::usage(
                format!("shard {} is missing: its students would have no grade", missing.join(", ")),
                "grade the missing shard (cargo xtask grade <folder> --shard I/N --out shard-I) and merge again",
            ));
        }
    }
    Ok(())
}

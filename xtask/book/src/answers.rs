//! How much of each exercise's answer the book gives away before the Solutions part.
//!
//! The answer to an exercise is what its reference solution adds to the shipped exercise: the
//! lines of `solutions/NN-name/src/**/*.rs` that the same file of `exercises/NN-name/` does not
//! have (counted as a multiset, each line trimmed). Only substantial lines count: comments,
//! blank lines and short ones (`} else {`, `Ok(())`, `SpinOptions::new()`) are vocabulary, not
//! answers. A line is *shown* when it appears, trimmed, in a page of the built book other than the
//! Solutions part (`solutions/*.html`) and the all-in-one `print.html`. A program of the solution's
//! own under `src/bin/` that the exercise does not ship (exercise 6's robot, `mystery_node`) is
//! not part of the answer: the student never writes it.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Lines shorter than this (trimmed) are vocabulary rather than an answer.
pub const SUBSTANTIAL: usize = 20;

/// The part of the built book that may show solutions: its folder under the HTML root.
pub const SOLUTIONS_PART: &str = "solutions";

/// One exercise's answer and how much of it the book shows.
#[derive(Debug)]
pub struct Exposure {
    /// The exercise's folder name, e.g. `01-speed-server`.
    pub exercise: String,
    /// The substantial lines the solution adds.
    pub added: Vec<String>,
    /// Those of them that appear in the book outside the Solutions part.
    pub shown: Vec<String>,
}

impl Exposure {
    /// The share of the answer the book shows, in percent.
    pub fn percent(&self) -> f64 {
        if self.added.is_empty() {
            0.0
        } else {
            100.0 * self.shown.len() as f64 / self.added.len() as f64
        }
    }
}

/// True for a line that is part of an answer rather than vocabulary.
pub fn is_substantial(line: &str) -> bool {
    let line = line.trim();
    !line.starts_with("//")
        && line.chars().count() >= SUBSTANTIAL
        && line.chars().any(char::is_alphanumeric)
}

/// The substantial lines of `solution` that `exercise` does not have, trimmed, in order.
pub fn added_lines(exercise: &str, solution: &str) -> Vec<String> {
    let mut shipped: HashMap<&str, usize> = HashMap::new();
    for line in exercise.lines() {
        *shipped.entry(line.trim()).or_default() += 1;
    }
    let mut added = Vec::new();
    for line in solution.lines().map(str::trim) {
        match shipped.get_mut(line) {
            Some(count) if *count > 0 => *count -= 1,
            _ if is_substantial(line) => added.push(line.to_string()),
            _ => {}
        }
    }
    added
}

/// The text of every page of the built book outside the Solutions part, HTML entities decoded.
pub fn pages_outside_solutions(html: &Path) -> Result<String> {
    let mut pages = Vec::new();
    crate::walk(html, &mut |path| {
        let relative = path.strip_prefix(html).unwrap_or(path);
        let is_page = path.extension().is_some_and(|e| e == "html");
        let excluded = relative.starts_with(SOLUTIONS_PART)
            || relative == Path::new("print.html")
            || relative == Path::new("toc.html");
        if is_page && !excluded {
            pages.push(path.to_path_buf());
        }
    })
    .with_context(|| format!("cannot list {}", html.display()))?;
    let mut text = String::new();
    for page in pages {
        let html = std::fs::read_to_string(&page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        text.push_str(&decode(&html));
        text.push('\n');
    }
    Ok(text)
}

/// Decodes the entities mdBook writes into code blocks.
fn decode(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[derive(Deserialize)]
struct Exercises {
    exercise: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    dir: String,
}

/// Every exercise's exposure in the book built into `html`.
pub fn measure(root: &Path, html: &Path) -> Result<Vec<Exposure>> {
    let data = root.join("exercises/exercises.toml");
    let exercises: Exercises = toml::from_str(
        &std::fs::read_to_string(&data)
            .with_context(|| format!("cannot read {}", data.display()))?,
    )
    .with_context(|| format!("cannot parse {}", data.display()))?;
    let book = pages_outside_solutions(html)?;
    let mut found = Vec::new();
    for entry in exercises.exercise {
        let solution = root.join("solutions").join(&entry.dir);
        let exercise = root.join("exercises").join(&entry.dir);
        let mut added = Vec::new();
        for file in sources(&solution.join("src"))? {
            let relative = file.strip_prefix(&solution).unwrap_or(&file);
            if relative.starts_with("src/bin") && !exercise.join(relative).exists() {
                continue;
            }
            let ours = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let shipped = std::fs::read_to_string(exercise.join(relative)).unwrap_or_default();
            added.extend(added_lines(&shipped, &ours));
        }
        let shown = added
            .iter()
            .filter(|line| book.contains(line.as_str()))
            .cloned()
            .collect();
        found.push(Exposure {
            exercise: entry.dir,
            added,
            shown,
        });
    }
    Ok(found)
}

/// The Rust files under `dir`, sorted.
fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    crate::walk(dir, &mut |path| {
        if path.extension().is_some_and(|e| e == "rs") {
            files.push(path.to_path_buf());
        }
    })
    .with_context(|| format!("cannot list {}", dir.display()))?;
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_substantial_lines_the_exercise_lacks_are_the_answer() {
        let exercise = "fn main() {\n    let node = executor.create_node(\"robot\")?;\n    todo!(\"the service\")\n}\n";
        let solution = "fn main() {\n    let node = executor.create_node(\"robot\")?;\n    // the service, kept alive\n    let _service = node.create_service::<SetSpeed, _>(\"/set_speed\", decide)?;\n    Ok(())\n}\n";
        assert_eq!(
            added_lines(exercise, solution),
            ["let _service = node.create_service::<SetSpeed, _>(\"/set_speed\", decide)?;"]
        );
    }

    #[test]
    fn a_line_the_solution_repeats_counts_once_per_repetition() {
        let line = "executor.spin(options.clone().timeout(left));";
        let exercise = format!("{line}\n");
        let solution = format!("{line}\n{line}\n");
        assert_eq!(added_lines(&exercise, &solution), [line]);
    }

    #[test]
    fn entities_are_decoded_as_in_code_blocks() {
        assert_eq!(
            decode("node.create_service::&lt;SetSpeed, _&gt;(&quot;/set_speed&quot;)"),
            "node.create_service::<SetSpeed, _>(\"/set_speed\")"
        );
    }
}

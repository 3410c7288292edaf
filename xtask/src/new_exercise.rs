//! `cargo xtask new-exercise NN-name`: scaffolds an exercise, so that adding one is scaffold,
//! write, verify.
//!
//! It fills the templates in `xtask/templates/new-exercise/` and writes both crates
//! (`exercises/NN-name`, `solutions/NN-name`, each with its `tests/check.rs`), the suite
//! (`tests/suites/<node>.rs`), the data stanza (appended to `exercises/exercises.toml`), the
//! rubric weight and a chapter stub (`book/src/<name>.md`, listed in `SUMMARY.md`). It writes
//! nothing if any of those already exists. What it made passes `cargo xtask verify NN` at once:
//! the solution passes the one check, the shipped `todo!` fails it.

use crate::exercises::Catalogue;
use crate::ui;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use workbook_harness::project_root;

/// What a template's `{{…}}` stand for.
struct Names {
    number: u32,
    dir: String,
    name: String,
    node: String,
    title: String,
}

impl Names {
    fn parse(spec: &str, title: Option<&str>, next: u32) -> Result<Names> {
        let (number, name) = spec
            .split_once('-')
            .and_then(|(n, name)| Some((n.parse::<u32>().ok()?, name)))
            .filter(|(_, name)| {
                !name.is_empty()
                    && name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
            .ok_or_else(|| {
                ui::usage(
                    format!("{spec:?} is not NN-name"),
                    format!(
                        "give the next number and a lowercase name with dashes, e.g. \
                         `cargo xtask new-exercise {next:02}-headlights`"
                    ),
                )
            })?;
        if number != next || spec.split('-').next().map(str::len) != Some(2) {
            return Err(ui::usage(
                format!("the next exercise is number {next}, not {spec:?}"),
                format!("exercises are numbered in course order: use {next:02}-{name}"),
            ));
        }
        let node = name.replace('-', "_");
        Ok(Names {
            number,
            dir: format!("{number:02}-{name}"),
            name: name.to_string(),
            title: title
                .map(str::to_string)
                .unwrap_or_else(|| format!("Exercise {number}: {}", name.replace('-', " "))),
            node,
        })
    }

    fn fill(&self, template: &str) -> String {
        template
            .replace("{{number}}", &self.number.to_string())
            .replace("{{dir}}", &self.dir)
            .replace("{{name}}", &self.name)
            .replace("{{node}}", &self.node)
            .replace(
                "{{program}}",
                &format!("ex{:02}_{}", self.number, self.node),
            )
            .replace("{{solution}}", &self.node)
            .replace("{{title}}", &self.title)
    }
}

/// One file to write: where, and from which template.
struct Planned {
    path: PathBuf,
    text: String,
}

pub fn run(spec: &str, title: Option<&str>) -> Result<()> {
    let root = project_root();
    let catalogue = Catalogue::load()?;
    let next = catalogue.exercises.len() as u32 + 1;
    let names = Names::parse(spec, title, next)?;
    if catalogue.exercises.iter().any(|e| e.name == names.name) {
        return Err(ui::usage(
            format!("an exercise is already named {:?}", names.name),
            "pick another name",
        ));
    }
    let templates = root.join("xtask/templates/new-exercise");
    let template = |file: &str| -> Result<String> {
        let path = templates.join(file);
        std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the template {}", path.display()))
            .map(|text| names.fill(&text))
    };
    let (exercise, solution) = (
        Path::new("exercises").join(&names.dir),
        Path::new("solutions").join(&names.dir),
    );
    let mut planned = Vec::new();
    for (dir, side) in [(&exercise, "exercise"), (&solution, "solution")] {
        for (file, template_name) in [
            ("Cargo.toml", format!("{side}.Cargo.toml")),
            ("src/main.rs", format!("{side}.main.rs")),
            ("tests/check.rs", format!("{side}.check.rs")),
        ] {
            planned.push(Planned {
                path: dir.join(file),
                text: template(&template_name)?,
            });
        }
    }
    planned.push(Planned {
        path: Path::new("tests/suites").join(format!("{}.rs", names.node)),
        text: template("suite.rs")?,
    });
    let chapter = format!("{}.md", names.name);
    planned.push(Planned {
        path: Path::new("book/src").join(&chapter),
        text: template("chapter.md")?,
    });
    if let Some(taken) = planned.iter().find(|p| root.join(&p.path).exists()) {
        return Err(ui::usage(
            format!("{} already exists", taken.path.display()),
            "remove it first, or pick another name: new-exercise never overwrites a file",
        ));
    }

    // The files that grow: read and changed in memory first, so a problem leaves nothing half done.
    let data_path = root.join("exercises/exercises.toml");
    let mut data = std::fs::read_to_string(&data_path)?;
    data.push_str(&template("stanza.toml")?);
    let rubric_path = root.join("exercises/rubric.toml");
    let rubric = with_weight(&std::fs::read_to_string(&rubric_path)?, &names.name)?;
    let summary_path = root.join("book/src/SUMMARY.md");
    let summary = with_chapter(
        &std::fs::read_to_string(&summary_path)?,
        &names.title,
        &chapter,
    )?;

    for file in &planned {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        std::fs::write(&path, &file.text)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    std::fs::write(&data_path, data)?;
    std::fs::write(&rubric_path, rubric)?;
    std::fs::write(&summary_path, summary)?;

    ui::heading(
        "new-exercise",
        &format!("exercise {}: {}", names.number, names.dir),
    );
    for file in &planned {
        println!("  + {}", file.path.display());
    }
    for changed in [
        "exercises/exercises.toml",
        "exercises/rubric.toml",
        "book/src/SUMMARY.md",
    ] {
        println!("  ~ {changed}");
    }
    println!(
        "\n  next: write the exercise, its solution and its checks, add wrong variants in \
         tests/variants (exercises.toml says which checks each must fail), then\n    \
         cargo xtask verify {0} && cargo xtask verify --record-shipped",
        names.number
    );
    Ok(())
}

/// `rubric` with a weight for `name` after the last one of `[weights]`.
fn with_weight(rubric: &str, name: &str) -> Result<String> {
    let mut lines: Vec<&str> = rubric.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "[weights]")
        .context("exercises/rubric.toml has no [weights] table")?;
    let mut last = start;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        if line.starts_with('[') {
            break;
        }
        if line.contains('=') && !line.trim_start().starts_with('#') {
            last = index;
        }
    }
    let weight = format!("{name} = 10");
    lines.insert(last + 1, &weight);
    Ok(lines.join("\n") + "\n")
}

/// `summary` with the chapter listed after the last chapter that introduces an exercise (before
/// the chapters about testing and troubleshooting, which come after all the exercises).
fn with_chapter(summary: &str, title: &str, file: &str) -> Result<String> {
    let mut lines: Vec<String> = summary.lines().map(str::to_string).collect();
    let before = lines
        .iter()
        .position(|l| l.contains("(testing.md)"))
        .context("book/src/SUMMARY.md lists no testing.md chapter to put the new one before")?;
    lines.insert(before, format!("- [{title}]({file})"));
    Ok(lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_is_the_next_number_and_a_lowercase_name() {
        let names = Names::parse("08-head-lights", None, 8).unwrap();
        assert_eq!(names.dir, "08-head-lights");
        assert_eq!(names.node, "head_lights");
        assert_eq!(
            names.fill("{{program}} {{solution}}"),
            "ex08_head_lights head_lights"
        );
        for wrong in [
            "8-lights",
            "09-lights",
            "08-Lights",
            "08-",
            "lights",
            "08_lights",
        ] {
            assert!(
                Names::parse(wrong, None, 8).is_err(),
                "{wrong} was accepted"
            );
        }
    }

    #[test]
    fn the_weight_goes_at_the_end_of_the_weights() {
        let rubric = "# x\n[weights]\na = 15\nb = 10\n\n[partial]\nmode = \"x\"\n";
        assert_eq!(
            with_weight(rubric, "c").unwrap(),
            "# x\n[weights]\na = 15\nb = 10\nc = 10\n\n[partial]\nmode = \"x\"\n"
        );
    }
}

//! The exercise list, read from `exercises/exercises.toml` (data, not code), and how a student
//! names an exercise on the command line: its number (`1`, `01`), its name (`speed-server`), its
//! folder (`01-speed-server`) or a unique prefix of the name.

use crate::suggest;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use workbook_harness::project_root;

/// The whole data file.
#[derive(Debug, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
}

/// One exercise and everything the tools say or check about it.
#[derive(Debug, Clone, Deserialize)]
pub struct Exercise {
    pub number: u32,
    pub name: String,
    pub dir: String,
    pub title: String,
    /// The book chapter that introduces the exercise: its file in `book/src`, as the data file
    /// names it.
    #[serde(rename = "chapter")]
    pub chapter_file: String,
    /// That chapter as the book titles it ("4. Writing a service server"), read from the file.
    #[serde(skip)]
    pub chapter: String,
    /// The exercise crate's binary.
    pub program: String,
    /// The reference solution's binary.
    pub solution: String,
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(rename = "check", default)]
    pub checks: Vec<Check>,
    #[serde(rename = "variant", default)]
    pub variants: Vec<Variant>,
    /// The student writes the crate's `Cargo.toml` (exercise 8). `grade` compiles a hand-in's
    /// `src/` with the shipped manifest, so it cannot grade such an exercise.
    #[serde(default)]
    pub manifest_by_student: bool,
    /// The folder, inside both crates, of an interface package that is the student's work
    /// (exercise 9: `robot_extras`). Such crates live outside the workspace, and `check` builds
    /// the package before the crate (`own_interface.rs`); `grade` cannot grade them yet.
    #[serde(default)]
    pub interface: Option<String>,
}

/// The title of the chapter in `book/src/<file>`: its first `# ` heading.
fn chapter_title(root: &Path, file: &str) -> Result<String> {
    let path = root.join("book/src").join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(|title| title.trim().to_string())
        .with_context(|| format!("{} has no `# ` title", path.display()))
}

/// One check of a suite: the test function's name, how it reads, its points and its hint.
#[derive(Debug, Clone, Deserialize)]
pub struct Check {
    pub test: String,
    pub title: String,
    pub points: u32,
    #[serde(default)]
    pub hint: String,
}

/// A deliberately wrong program and the checks that must fail on it.
#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    pub program: String,
    pub fails: Vec<String>,
    /// For an exercise with an interface package of its own: the folder below `tests/variants`
    /// whose files replace the solution's to make this variant (`own_variants.rs`).
    #[serde(default)]
    pub files: Option<String>,
}

/// Which crate of an exercise a command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The student's crate in `exercises/`.
    Exercise,
    /// The reference crate in `solutions/`.
    Solution,
}

/// One crate of an exercise: the student's or the reference one. It owns every name the tools
/// derive from the exercise's folder: the crate's path, its cargo package and its binary.
#[derive(Debug, Clone, Copy)]
pub struct Crate<'a> {
    pub exercise: &'a Exercise,
    pub side: Side,
}

impl Crate<'_> {
    /// The folder of its side's crates, relative to a project root: `exercises` or `solutions`.
    pub fn parent(&self) -> &'static str {
        match self.side {
            Side::Exercise => "exercises",
            Side::Solution => "solutions",
        }
    }

    /// The crate's folder relative to a project root: `exercises/01-speed-server`.
    pub fn relative(&self) -> PathBuf {
        Path::new(self.parent()).join(&self.exercise.dir)
    }

    /// The crate's folder under `root`.
    pub fn dir(&self, root: &Path) -> PathBuf {
        root.join(self.relative())
    }

    /// The cargo package: `exercise-01-speed-server`, `solution-speed-server`.
    pub fn package(&self) -> String {
        match self.side {
            Side::Exercise => format!("exercise-{}", self.exercise.dir),
            Side::Solution => format!("solution-{}", self.exercise.name),
        }
    }

    /// The binary the crate builds.
    pub fn binary(&self) -> &str {
        match self.side {
            Side::Exercise => &self.exercise.program,
            Side::Solution => &self.exercise.solution,
        }
    }
}

impl Exercise {
    /// The crate of `side`.
    pub fn crate_of(&self, side: Side) -> Crate<'_> {
        Crate {
            exercise: self,
            side,
        }
    }

    /// The check run by the test function `test`, if the data file lists it.
    pub fn check(&self, test: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.test == test)
    }

    /// Why `grade` cannot grade this exercise yet, if it cannot: grading compiles only a
    /// hand-in's `src/` with the shipped manifest, in the pristine workspace.
    pub fn ungradable(&self) -> Option<String> {
        if self.manifest_by_student {
            return Some(
                "its Cargo.toml is the student's work, and grading compiles only a hand-in's \
                 src/ with the shipped manifest"
                    .to_string(),
            );
        }
        let interface = self.interface.as_ref()?;
        Some(format!(
            "its interface package ({interface}/) is the student's work, and grading compiles \
             only a hand-in's src/ against the workspace's interfaces"
        ))
    }

    /// Whether the exercise's crates are members of the cargo workspace. Those with an interface
    /// package of their own are not (they build against its overlay, in a target folder of their
    /// own), so nothing that builds the workspace's packages may name them.
    pub fn in_workspace(&self) -> bool {
        self.interface.is_none()
    }

    /// "1 speed-server".
    pub fn label(&self) -> String {
        format!("{} {}", self.number, self.name)
    }
}

impl Catalogue {
    /// The exercises whose crates are members of the cargo workspace (see
    /// [`Exercise::in_workspace`]).
    pub fn in_workspace(&self) -> impl Iterator<Item = &Exercise> {
        self.exercises.iter().filter(|e| e.in_workspace())
    }

    /// The exercises `grade` and the autograders can grade: `names` (numbers, names, prefixes),
    /// or all of them when empty, leaving out those whose manifest is the student's. Naming one
    /// of those is a usage error that says why and what to do instead.
    pub fn gradable(&self, names: &[String]) -> Result<Vec<Exercise>> {
        if names.is_empty() {
            let all = self.exercises.iter().filter(|e| e.ungradable().is_none());
            return Ok(all.cloned().collect());
        }
        let mut chosen: Vec<Exercise> = Vec::new();
        for name in names {
            let exercise = self.find(name)?;
            if let Some(why) = exercise.ungradable() {
                return Err(crate::ui::usage(
                    format!(
                        "exercise {} ({}) cannot be graded yet: {why}",
                        exercise.number, exercise.name
                    ),
                    format!(
                        "leave it out, and run `cargo xtask check {}` in the student's own clone",
                        exercise.number
                    ),
                ));
            }
            if !chosen.iter().any(|e| e.name == exercise.name) {
                chosen.push(exercise.clone());
            }
        }
        chosen.sort_by_key(|e| e.number);
        Ok(chosen)
    }

    /// Reads `exercises/exercises.toml` of the project.
    pub fn load() -> Result<Catalogue> {
        Catalogue::load_from(&project_root())
    }

    /// Reads `exercises/exercises.toml` below `root`.
    pub fn load_from(root: &Path) -> Result<Catalogue> {
        let path = root.join("exercises/exercises.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut catalogue: Catalogue =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        for exercise in &mut catalogue.exercises {
            exercise.chapter = chapter_title(root, &exercise.chapter_file).with_context(|| {
                format!(
                    "{}: exercise {} names the chapter {:?}",
                    path.display(),
                    exercise.number,
                    exercise.chapter_file
                )
            })?;
        }
        Ok(catalogue)
    }

    /// The exercise a command works on: the one the student named, or else the first one `done`
    /// does not hold for (the last one when all are done).
    pub fn pick(&self, query: Option<&str>, done: impl Fn(&Exercise) -> bool) -> Result<&Exercise> {
        match query {
            Some(query) => self.find(query),
            None => Ok(self
                .exercises
                .iter()
                .find(|e| !done(e))
                .or(self.exercises.last())
                .expect("the data file lists at least one exercise")),
        }
    }

    /// Finds the exercise a student named, or says which names exist.
    pub fn find(&self, query: &str) -> Result<&Exercise> {
        let query = query.trim();
        if let Ok(number) = query.parse::<u32>() {
            if let Some(found) = self.exercises.iter().find(|e| e.number == number) {
                return Ok(found);
            }
        }
        if let Some(found) = self
            .exercises
            .iter()
            .find(|e| e.name == query || e.dir == query)
        {
            return Ok(found);
        }
        let prefixed: Vec<&Exercise> = self
            .exercises
            .iter()
            .filter(|e| !query.is_empty() && e.name.starts_with(query))
            .collect();
        if let [only] = prefixed.as_slice() {
            return Ok(only);
        }
        let names = self.exercises.iter().map(|e| e.name.as_str());
        let suggestion = suggest::closest(query, names)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        Err(crate::ui::usage(
            format!("there is no exercise `{query}`"),
            format!(
                "{suggestion}The exercises are: {} (`cargo xtask list` shows them all)",
                self.exercises
                    .iter()
                    .map(Exercise::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::load_from(&project_root()).expect("the shipped data file loads")
    }

    #[test]
    fn an_exercise_is_found_by_number_name_folder_or_prefix() {
        let catalogue = catalogue();
        for query in ["1", "01", "speed-server", "01-speed-server", "speed-se"] {
            assert_eq!(catalogue.find(query).expect(query).number, 1, "{query}");
        }
    }

    #[test]
    fn a_typo_is_a_usage_error_with_a_suggestion() {
        let error = catalogue()
            .find("sped-server")
            .expect_err("no such exercise");
        assert!(format!("{error:#}").contains("did you mean `speed-server`"));
        assert_eq!(
            error
                .downcast_ref::<crate::ui::Problem>()
                .map(|problem| problem.kind),
            Some(crate::ui::ProblemKind::Usage)
        );
    }

    #[test]
    fn grading_leaves_out_the_horn_and_the_lights_and_refuses_them_by_name_with_the_reason() {
        let catalogue = catalogue();
        let all: Vec<u32> = catalogue
            .gradable(&[])
            .expect("the default selection")
            .iter()
            .map(|e| e.number)
            .collect();
        assert_eq!(
            all,
            [1, 2, 3, 4, 5, 6, 7],
            "the exercises graded by default"
        );
        for (name, reason) in [
            ("8", "its Cargo.toml"),
            ("9", "its interface package (robot_extras/)"),
        ] {
            let error = catalogue
                .gradable(&[name.to_string()])
                .expect_err("named, it is refused");
            let text = format!("{error:#}");
            assert!(text.contains(reason), "exercise {name}: {text}");
        }
    }

    #[test]
    fn every_check_and_variant_names_a_test_of_its_suite() {
        for exercise in catalogue().exercises {
            let suite = std::fs::read_to_string(
                exercise
                    .crate_of(Side::Solution)
                    .dir(&project_root())
                    .join("tests/check.rs"),
            )
            .expect("the solution has tests/check.rs");
            let path = suite
                .lines()
                .find_map(|l| l.strip_prefix("#[path = \"../../../"))
                .and_then(|l| l.strip_suffix("\"]"))
                .expect("check.rs includes a suite");
            let text = std::fs::read_to_string(project_root().join(path)).expect("suite");
            for check in &exercise.checks {
                assert!(
                    text.contains(&format!("fn {}()", check.test)),
                    "{}: no test {}",
                    exercise.name,
                    check.test
                );
            }
            for variant in &exercise.variants {
                for test in &variant.fails {
                    assert!(
                        exercise.check(test).is_some(),
                        "{}: {test}",
                        variant.program
                    );
                }
            }
        }
    }
}

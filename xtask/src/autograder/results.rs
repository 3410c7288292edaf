//! Gradescope's `results.json` for one submission, from the report `cargo xtask grade` made.
//!
//! One Gradescope test per check, numbered `<exercise>.<check>` in the order of
//! `exercises.toml`, whatever happened to the exercise: a check that never ran (the exercise is
//! missing, does not compile, or time ran out) is there with 0 points and says why, so every
//! submission has the same tests and Gradescope's per-test statistics mean something. The
//! checks' scores add up to the exercise's grade points; where the rubric gives points no check
//! earned (credit for compiling, for missing work, all-or-nothing), a test `<exercise>.0` carries
//! the difference, so the tests always add up to `score`. This module formats; it grades nothing.

use crate::exercises::Exercise;
use crate::grade::report::{number, strip_ansi, ExerciseReport, Status, StudentReport};
use crate::grade::rubric::{round, Gradescope};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Everything results.json says beside the grades.
pub struct Context<'a> {
    pub settings: &'a Gradescope,
    /// Each exercise's weight (rubric.toml), for exercises the report has no grade for yet.
    pub weights: &'a BTreeMap<String, f64>,
    /// Seconds the whole run took.
    pub seconds: f64,
    /// Markdown lines for the top of the output: how this submission was graded.
    pub notes: &'a [String],
}

/// The results of `student` for `exercises` (in course order).
pub fn results(student: &StudentReport, exercises: &[Exercise], context: &Context) -> Value {
    let mut tests = Vec::new();
    let mut passed_checks = 0;
    for exercise in exercises {
        let report = student.exercises.iter().find(|e| e.name == exercise.name);
        let weight = report
            .map(|r| r.weight)
            .or_else(|| context.weights.get(&exercise.name).copied())
            .unwrap_or(0.0);
        passed_checks += exercise_tests(exercise, report, weight, context.settings, &mut tests);
    }
    let score = round(student.exercises.iter().map(|e| e.points).sum::<f64>());
    let mut output = String::new();
    for note in context.notes {
        let _ = writeln!(output, "{note}");
    }
    if !context.notes.is_empty() {
        output.push('\n');
    }
    if let Some(error) = &student.error {
        let _ = writeln!(output, "**Not graded:** {error}\n");
    }
    output.push_str("| exercise | result | points |\n|---|---|---|\n");
    for exercise in exercises {
        let (label, points, weight) =
            match student.exercises.iter().find(|e| e.name == exercise.name) {
                Some(e) => (e.status.label(), e.points, e.weight),
                None => (
                    "not graded",
                    0.0,
                    context.weights.get(&exercise.name).copied().unwrap_or(0.0),
                ),
            };
        let _ = writeln!(
            output,
            "| {} {} | {label} | {} / {} |",
            exercise.number,
            exercise.title,
            number(points),
            number(weight)
        );
    }
    if !student.notes.is_empty() {
        output.push_str("\nNotes on your submission:\n\n");
        for note in &student.notes {
            let _ = writeln!(output, "- {}", one_line(note));
        }
    }
    let _ = write!(
        output,
        "\nThe same checks run on your machine: `cargo xtask check <exercise>`."
    );
    let mut results = json!({
        "score": score,
        "execution_time": context.seconds.round() as u64,
        "output": output,
        "output_format": "md",
        "test_output_format": "md",
        "test_name_format": "text",
        "visibility": context.settings.visibility.as_str(),
        "stdout_visibility": context.settings.stdout_visibility.as_str(),
        "tests": tests,
    });
    if context.settings.leaderboard {
        results["leaderboard"] = json!([
            { "name": "checks passed", "value": passed_checks },
            { "name": "grading time (s)", "value": context.seconds.round() as u64, "order": "asc" },
        ]);
    }
    results
}

/// A result for a submission whose grading did not finish: every check 0, and why.
pub fn unfinished(exercises: &[Exercise], reason: &str, context: &Context) -> Value {
    let student = StudentReport {
        id: "submission".into(),
        origin: String::new(),
        submitted: None,
        late_percent: 0.0,
        exercises: Vec::new(),
        total: 0.0,
        max: 0.0,
        notes: Vec::new(),
        error: Some(reason.to_string()),
    };
    results(&student, exercises, context)
}

/// Appends the tests of one exercise; returns how many of its checks passed.
fn exercise_tests(
    exercise: &Exercise,
    report: Option<&ExerciseReport>,
    weight: f64,
    settings: &Gradescope,
    tests: &mut Vec<Value>,
) -> usize {
    let check_max: u32 = exercise.checks.iter().map(|c| c.points).sum();
    let scale = if check_max == 0 {
        0.0
    } else {
        weight / f64::from(check_max)
    };
    // Shares handed out by cumulative rounding, so they add up exactly to the rounded whole.
    let (mut all_before, mut passed_before) = (0u32, 0u32);
    let mut check_sum = 0.0;
    let mut passed_count = 0;
    let why_not_run = report.map(|r| (r.status, r.detail.as_str()));
    for (index, check) in exercise.checks.iter().enumerate() {
        let outcome = report.and_then(|r| r.checks.iter().find(|o| o.test == check.test));
        let passed = outcome.is_some_and(|o| o.passed);
        let max_score = round(
            round(scale * f64::from(all_before + check.points))
                - round(scale * f64::from(all_before)),
        );
        all_before += check.points;
        let score = if passed {
            let share = round(
                round(scale * f64::from(passed_before + check.points))
                    - round(scale * f64::from(passed_before)),
            );
            passed_before += check.points;
            passed_count += 1;
            share
        } else {
            0.0
        };
        check_sum += score;
        let output = match (outcome, why_not_run) {
            (Some(o), _) if o.passed => String::new(),
            (Some(o), _) => {
                let mut text = format!(
                    "**expected:** {}\n\n**happened:**\n\n{}\n",
                    one_line(&o.expected),
                    fenced(&o.happened)
                );
                if !o.hint.is_empty() {
                    let _ = write!(text, "\n**hint:** {}\n", one_line(&o.hint));
                }
                text
            }
            (None, Some((status, detail))) if index == 0 || status == Status::TimedOut => {
                let mut text = format!("**Not run: {}.**\n", status.label());
                if !detail.trim().is_empty() {
                    let _ = write!(text, "\n{}\n", fenced(&strip_ansi(detail)));
                }
                text
            }
            (None, Some((status, _))) => format!(
                "**Not run: {}** (see test {}.1).\n",
                status.label(),
                exercise.number
            ),
            (None, None) => {
                "**Not run:** grading stopped before this exercise (time ran out).\n".into()
            }
        };
        tests.push(json!({
            "name": check.title,
            "number": format!("{}.{}", exercise.number, index + 1),
            "score": score,
            "max_score": max_score,
            "status": if passed { "passed" } else { "failed" },
            "output": output,
            "output_format": "md",
            "visibility": settings.visibility_of(&exercise.name, &check.test).as_str(),
            "tags": [exercise.name.clone()],
        }));
    }
    // What the rubric gives beyond the checks' shares (or takes away from them).
    let points = report.map(|r| r.points).unwrap_or(0.0);
    let rest = round(points - round(check_sum));
    if rest.abs() >= 0.005 {
        let why = match report.map(|r| r.status) {
            Some(Status::Missing) => "points the rubric gives for a missing exercise",
            Some(Status::Passed) | Some(Status::Partial) | Some(Status::Failed) => {
                "the rubric's adjustment ([partial] in rubric.toml)"
            }
            _ => "the rubric's adjustment",
        };
        tests.push(json!({
            "name": format!("{}: {why}", exercise.title),
            "number": format!("{}.0", exercise.number),
            "score": rest,
            "max_score": 0.0,
            "status": if rest > 0.0 { "passed" } else { "failed" },
            "output": "",
            "output_format": "md",
            "visibility": settings.visibility_of(&exercise.name, "").as_str(),
            "tags": [exercise.name.clone()],
        }));
    }
    passed_count
}

/// Program text in a Markdown code block (longer fences than any run of backticks inside).
fn fenced(text: &str) -> String {
    let text = text.trim_end();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let cut: String = if text.chars().count() > 4000 {
        text.chars().take(4000).collect::<String>() + "\n…"
    } else {
        text.to_string()
    };
    format!("{fence}text\n{cut}\n{fence}")
}

fn one_line(text: &str) -> String {
    text.split('\n').collect::<Vec<_>>().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::report::CheckReport;

    fn exercise() -> Exercise {
        toml::from_str(
            r#"
            number = 1
            name = "speed-server"
            dir = "01-speed-server"
            title = "A SetSpeed server"
            chapter = "4"
            program = "ex01"
            solution = "speed_server"
            check = [
                { test = "a", title = "a", points = 2 },
                { test = "b", title = "b", points = 2 },
                { test = "c", title = "c", points = 1 },
                { test = "d", title = "d", points = 1 },
                { test = "e", title = "e", points = 5 },
            ]
            "#,
        )
        .unwrap()
    }

    fn graded(passed: &[&str], points: f64) -> StudentReport {
        let exercise = exercise();
        let checks: Vec<CheckReport> = exercise
            .checks
            .iter()
            .map(|c| CheckReport {
                test: c.test.clone(),
                title: c.title.clone(),
                points: c.points,
                passed: passed.contains(&c.test.as_str()),
                expected: "an answer".into(),
                happened: "none".into(),
                hint: String::new(),
            })
            .collect();
        StudentReport {
            id: "s".into(),
            origin: String::new(),
            submitted: None,
            late_percent: 0.0,
            exercises: vec![ExerciseReport {
                name: exercise.name.clone(),
                status: Status::Partial,
                points,
                weight: 15.0,
                check_points: 0,
                check_max: 11,
                checks,
                detail: String::new(),
            }],
            total: points,
            max: 15.0,
            notes: Vec::new(),
            error: None,
        }
    }

    #[track_caller]
    fn check_sums(student: &StudentReport, tests_expected: usize) {
        let settings = Gradescope::default();
        let weights = BTreeMap::from([("speed-server".to_string(), 15.0)]);
        let context = Context {
            settings: &settings,
            weights: &weights,
            seconds: 1.0,
            notes: &[],
        };
        let value = results(student, &[exercise()], &context);
        let tests = value["tests"].as_array().unwrap();
        assert_eq!(tests.len(), tests_expected, "{value:#}");
        let sum: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
        let max: f64 = tests.iter().map(|t| t["max_score"].as_f64().unwrap()).sum();
        assert!(
            (sum - value["score"].as_f64().unwrap()).abs() < 1e-9,
            "{value:#}"
        );
        assert!((max - 15.0).abs() < 1e-9, "{value:#}");
    }

    #[test]
    fn the_checks_shares_add_up_to_the_exercise_grade() {
        // 6 of 11 check points of a 15-point exercise: 8.18 grade points.
        check_sums(&graded(&["a", "b", "c", "d"], 8.18), 5);
        check_sums(&graded(&["a", "b", "c", "d", "e"], 15.0), 5);
    }

    #[test]
    fn points_no_check_earned_come_as_a_test_of_their_own() {
        // All-or-nothing: 10 of 11 check points earn nothing, so an adjustment takes them back.
        check_sums(&graded(&["a", "b", "c", "e"], 0.0), 6);
    }

    #[test]
    fn program_text_cannot_close_its_code_block() {
        let block = fenced("a ``` b");
        assert!(block.starts_with("````text\n"), "{block}");
        assert!(block.ends_with("\n````"), "{block}");
    }
}

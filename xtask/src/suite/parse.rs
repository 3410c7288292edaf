//! Reading a suite's results back: each known check's verdict from the verdict file, and the
//! failure text of a failed check (expected / happened) from libtest's output.

use super::*;

/// The module every exercise's `tests/check.rs` includes its suite as.
pub(super) const SUITE_MODULE: &str = "checks::";

/// Turns the verdict file's lines (`ok checks::<test>`, `failed checks::<test>`) into one
/// outcome per check of `exercise`. Each check counts once: one reported twice is not counted,
/// nor is a name that is no check of the exercise, and a check with no verdict has failed.
/// `text`, the suite's output, is read only for the failure messages of checks that failed.
pub fn parse(verdicts: &str, text: &str, exercise: &Exercise) -> Results {
    let mut reported: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut results = Results::default();
    for line in verdicts.lines().filter(|l| !l.trim().is_empty()) {
        let (verdict, name) = line.rsplit_once(' ').unwrap_or(("", line));
        let check = name
            .strip_prefix(SUITE_MODULE)
            .and_then(|test| exercise.check(test));
        match check {
            Some(check) => reported
                .entry(check.test.as_str())
                .or_default()
                .push(verdict),
            None => results.rejected.push(format!(
                "the suite reported `{line}`, but `{name}` is not a check of {}: not counted",
                exercise.label()
            )),
        }
    }
    for check in &exercise.checks {
        let (passed, expected, happened) =
            match reported.get(check.test.as_str()).map(Vec::as_slice) {
                Some(["ok"]) => (true, String::new(), String::new()),
                Some([verdict]) => {
                    let (expected, happened) = failure_message(text, &check.test)
                        .map(|m| parse_failure(&m))
                        .unwrap_or_else(|| (String::new(), format!("the check ended: {verdict}")));
                    (false, expected, happened)
                }
                Some(many) => {
                    let said = format!(
                        "the suite reported {} verdicts for it ({}), so none is counted",
                        many.len(),
                        many.join(", ")
                    );
                    results.rejected.push(format!("{}: {said}", check.test));
                    (false, "one verdict for the check".to_string(), said)
                }
                None => {
                    results.unreported.push(check.test.clone());
                    (
                        false,
                        "the check to finish".to_string(),
                        NO_VERDICT.to_string(),
                    )
                }
            };
        results.outcomes.push(Outcome {
            test: check.test.clone(),
            title: check.title.clone(),
            points: check.points,
            passed,
            expected,
            happened,
            hint: check.hint.clone(),
        });
    }
    results
}

/// What a check the suite gave no verdict for says happened.
pub const NO_VERDICT: &str = "the suite reported no verdict for it (it ended early)";

/// The panic message of `test` from its `---- checks::<test> stdout ----` section. Only lines
/// that libtest and the harness write start at the first column (a failure's parts quote what a
/// program printed, indented: [`workbook_harness::expect::quote`]), so a program cannot fake a
/// section, a panic or the end of one.
pub(super) fn failure_message(text: &str, test: &str) -> Option<String> {
    let header = format!("---- {SUITE_MODULE}{test} stdout ----");
    let start = text.lines().position(|l| l == header)?;
    let mut lines = text.lines().skip(start + 1);
    lines.find(|l| l.starts_with("thread '") && l.contains("panicked at"))?;
    let message: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE")
                && !l.starts_with("---- ")
                && !l.starts_with("thread '")
                && *l != "failures:"
        })
        .collect();
    Some(message.join("\n").trim_end().to_string())
}

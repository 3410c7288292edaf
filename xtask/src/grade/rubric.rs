//! The rubric (`exercises/rubric.toml`): how check points become a grade, and the limits a
//! student's program runs under. Data, not code; this module only reads it and does the sums.

use crate::exercises::Catalogue;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub weights: BTreeMap<String, f64>,
    pub partial: Partial,
    pub missing: Missing,
    pub late: Late,
    pub limits: Limits,
    /// How the Gradescope autograder shows the checks (`cargo xtask autograder gradescope`).
    #[serde(default)]
    pub gradescope: Gradescope,
}

/// `[gradescope]`: what students see of each check on Gradescope, and when.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gradescope {
    /// Gradescope's visibility of every test: `visible`, `hidden`, `after_due_date` or
    /// `after_published`.
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    /// Visibility of the grader's own printed output.
    #[serde(default = "default_stdout_visibility")]
    pub stdout_visibility: Visibility,
    /// Per check (its test name) or per exercise (its name): a visibility other than the default.
    #[serde(default)]
    pub tests: BTreeMap<String, Visibility>,
    /// Whether results carry a leaderboard (checks passed, grading time).
    #[serde(default)]
    pub leaderboard: bool,
}

/// Gradescope's visibility values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Visible,
    Hidden,
    AfterDueDate,
    AfterPublished,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
        }
    }
}

fn default_visibility() -> Visibility {
    Visibility::Visible
}

fn default_stdout_visibility() -> Visibility {
    Visibility::Hidden
}

impl Default for Gradescope {
    fn default() -> Self {
        Gradescope {
            visibility: default_visibility(),
            stdout_visibility: default_stdout_visibility(),
            tests: BTreeMap::new(),
            leaderboard: false,
        }
    }
}

impl Gradescope {
    /// The visibility of one check of `exercise`: its own entry, else its exercise's, else the
    /// default.
    pub fn visibility_of(&self, exercise: &str, test: &str) -> Visibility {
        self.tests
            .get(test)
            .or_else(|| self.tests.get(exercise))
            .copied()
            .unwrap_or(self.visibility)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    pub mode: Mode,
    #[serde(default)]
    pub compiles: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Proportional,
    AllOrNothing,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Missing {
    pub points: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Late {
    pub percent_per_day: f64,
    pub max_percent: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub seconds_per_exercise: u64,
    pub build_seconds: u64,
    pub processes: u64,
    pub memory_mib: u64,
    pub file_kib: u64,
    pub files_per_exercise: usize,
    #[serde(default)]
    pub retries: usize,
    /// Memory for everything one exercise's checks start together, in MiB (a cgroup).
    #[serde(default = "default_run_memory_mib")]
    pub run_memory_mib: u64,
    /// CPUs for everything one exercise's checks start together (a cgroup's quota).
    #[serde(default = "default_cpus")]
    pub cpus: f64,
}

fn default_run_memory_mib() -> u64 {
    3072
}

fn default_cpus() -> f64 {
    1.5
}

impl Rubric {
    /// Reads and checks a rubric against the exercise list: every exercise needs a weight and no
    /// weight may name an exercise that does not exist.
    pub fn load(path: &Path, catalogue: &Catalogue) -> Result<Rubric> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the rubric {}", path.display()))?;
        let rubric: Rubric = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid rubric", path.display()))?;
        for exercise in &catalogue.exercises {
            if !rubric.weights.contains_key(&exercise.name) {
                bail!(
                    "{} has no weight for the exercise {} (add `{} = <points>` under [weights])",
                    path.display(),
                    exercise.name,
                    exercise.name
                );
            }
        }
        for name in rubric.gradescope.tests.keys() {
            let known = catalogue
                .exercises
                .iter()
                .any(|e| &e.name == name || e.check(name).is_some());
            if !known {
                bail!(
                    "{} sets a Gradescope visibility for {name}, which is neither an exercise nor a check of exercises.toml",
                    path.display()
                );
            }
        }
        for name in rubric.weights.keys() {
            if catalogue.exercises.iter().all(|e| &e.name != name) {
                bail!(
                    "{} gives a weight to {name}, which is not an exercise of exercises.toml",
                    path.display()
                );
            }
        }
        Ok(rubric)
    }

    pub fn weight(&self, exercise: &str) -> f64 {
        self.weights.get(exercise).copied().unwrap_or(0.0)
    }

    /// Grade points for an exercise that compiled and passed checks worth `passed` of `max`.
    pub fn score(&self, exercise: &str, passed: u32, max: u32) -> f64 {
        let weight = self.weight(exercise);
        let share = match (self.partial.mode, max) {
            (_, 0) => 0.0,
            (Mode::Proportional, _) => f64::from(passed) / f64::from(max),
            (Mode::AllOrNothing, _) if passed == max => 1.0,
            (Mode::AllOrNothing, _) => 0.0,
        };
        round((share * weight + self.partial.compiles).min(weight))
    }

    /// The percentage a submission `late_seconds` after the deadline loses.
    pub fn late_penalty(&self, late_seconds: i64) -> f64 {
        if late_seconds <= 0 {
            return 0.0;
        }
        let days = (late_seconds as f64 / 86_400.0).ceil();
        (days * self.late.percent_per_day).min(self.late.max_percent)
    }
}

/// Two decimals, so a grade reads the same in every output and on every machine.
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(mode: Mode, compiles: f64) -> Rubric {
        Rubric {
            weights: BTreeMap::from([("speed-server".to_string(), 10.0)]),
            partial: Partial { mode, compiles },
            missing: Missing { points: 0.0 },
            late: Late {
                percent_per_day: 10.0,
                max_percent: 50.0,
            },
            limits: Limits {
                seconds_per_exercise: 1,
                build_seconds: 1,
                processes: 1,
                memory_mib: 1,
                file_kib: 1,
                files_per_exercise: 1,
                retries: 0,
                run_memory_mib: 1,
                cpus: 1.0,
            },
            gradescope: Gradescope::default(),
        }
    }

    #[test]
    fn proportional_credit_scales_check_points_to_the_weight() {
        let r = rubric(Mode::Proportional, 0.0);
        assert_eq!(r.score("speed-server", 7, 11), 6.36);
        assert_eq!(r.score("speed-server", 11, 11), 10.0);
        assert_eq!(r.score("speed-server", 0, 11), 0.0);
    }

    #[test]
    fn all_or_nothing_gives_the_weight_only_for_every_check() {
        let r = rubric(Mode::AllOrNothing, 0.0);
        assert_eq!(r.score("speed-server", 10, 11), 0.0);
        assert_eq!(r.score("speed-server", 11, 11), 10.0);
    }

    #[test]
    fn compiling_points_never_lift_a_score_above_the_weight() {
        let r = rubric(Mode::Proportional, 1.0);
        assert_eq!(r.score("speed-server", 0, 11), 1.0);
        assert_eq!(r.score("speed-server", 11, 11), 10.0);
    }

    #[test]
    fn lateness_costs_per_started_day_up_to_the_maximum() {
        let r = rubric(Mode::Proportional, 0.0);
        assert_eq!(r.late_penalty(-5), 0.0);
        assert_eq!(r.late_penalty(60), 10.0);
        assert_eq!(r.late_penalty(86_401), 20.0);
        assert_eq!(r.late_penalty(86_400 * 30), 50.0);
    }
}

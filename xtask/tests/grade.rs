//! `cargo xtask grade` on the fixture class of `tests/grading/class.toml`: a submission for each
//! way a hand-in goes right or wrong. Each must get the grade it deserves, the grader must
//! finish, write nothing outside its output folder, and leave no process running; grading the
//! class again in two shards and merging them must give the same grades.

use assert_cmd::Command;
use predicates::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

const EXERCISE_DIR: &str = "01-speed-server";

#[derive(Deserialize)]
struct Class {
    student: Vec<Student>,
}

#[derive(Deserialize)]
struct Student {
    id: String,
    base: String,
    #[serde(default)]
    replace: Vec<(String, String)>,
    main: Option<String>,
    tests: Option<String>,
    form: String,
    layout: String,
    #[serde(default)]
    escape: bool,
    git: Option<String>,
    note: Option<String>,
    points: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    status: Option<String>,
    #[serde(default)]
    needs_hiding: bool,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lies in the project")
        .to_path_buf()
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn xtask() -> Command {
    let mut command = Command::cargo_bin("xtask").expect("the xtask binary is built");
    command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20 * 60));
    command
}

/// The student's `src/` files (relative to src/) and any extra files of the crate folder.
fn sources(student: &Student) -> BTreeMap<PathBuf, Vec<u8>> {
    let root = root();
    let mut files = BTreeMap::new();
    match student.base.as_str() {
        "solution" => {
            let src = root.join("solutions").join(EXERCISE_DIR).join("src");
            for entry in std::fs::read_dir(&src).unwrap() {
                let path = entry.unwrap().path();
                files.insert(
                    PathBuf::from(path.file_name().unwrap()),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
        "starter" => {
            let output = std::process::Command::new("git")
                .arg("-C")
                .arg(&root)
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
            files.insert(PathBuf::from("main.rs"), output.stdout);
        }
        _ => {}
    }
    if let Some(main) = &student.main {
        files.insert(PathBuf::from("main.rs"), fixture(main));
    }
    if !student.replace.is_empty() {
        let main = files
            .get_mut(Path::new("main.rs"))
            .expect("a main.rs to edit");
        let mut text = String::from_utf8(main.clone()).unwrap();
        for (from, to) in &student.replace {
            assert!(
                text.contains(from.as_str()),
                "{}: the solution no longer contains {from:?}; update tests/grading/class.toml",
                student.id
            );
            text = text.replace(from.as_str(), to);
        }
        *main = text.into_bytes();
    }
    files
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read_to_string(root().join("tests/grading/sources").join(name))
        .unwrap()
        .replace("@ROOT@", &root().to_string_lossy())
        .replace("@TARGET@", &target().to_string_lossy())
        .into_bytes()
}

/// Every file of the hand-in, by path inside it.
fn hand_in(student: &Student) -> BTreeMap<PathBuf, Vec<u8>> {
    let crate_dir = match student.layout.as_str() {
        "workbook" => PathBuf::from("exercises").join(EXERCISE_DIR),
        "exercises" => PathBuf::from(EXERCISE_DIR),
        "odd" => PathBuf::from("My Work").join("Exercise_01"),
        other => panic!("unknown layout {other}"),
    };
    let mut files: BTreeMap<PathBuf, Vec<u8>> = sources(student)
        .into_iter()
        .map(|(path, bytes)| (crate_dir.join("src").join(path), bytes))
        .collect();
    if student.layout == "odd" {
        files.insert(
            PathBuf::from("My Work/scratch notes/src/idea.rs"),
            b"fn idea() {}\n".to_vec(),
        );
    }
    if let Some(tests) = &student.tests {
        files.insert(crate_dir.join("tests/check.rs"), fixture(tests));
    }
    files
}

fn build_class(class: &Class, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for student in &class.student {
        let files = hand_in(student);
        match student.form.as_str() {
            "folder" | "git" => {
                let folder = dir.join(&student.id);
                std::fs::create_dir_all(&folder).unwrap();
                for (path, bytes) in &files {
                    let file = folder.join(path);
                    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                    std::fs::write(file, bytes).unwrap();
                }
                if student.form == "git" {
                    build_repository(student, &folder, &marker(dir));
                }
            }
            "zip" => {
                let file = std::fs::File::create(dir.join(format!("{}.zip", student.id))).unwrap();
                let mut zip = zip::ZipWriter::new(file);
                let options = zip::write::SimpleFileOptions::default();
                for (path, bytes) in &files {
                    zip.start_file(path.to_string_lossy(), options).unwrap();
                    zip.write_all(bytes).unwrap();
                }
                if student.escape {
                    zip.start_file("../../escaped.rs", options).unwrap();
                    zip.write_all(b"fn main() {}\n").unwrap();
                }
                zip.finish().unwrap();
            }
            "tar.gz" => {
                let file =
                    std::fs::File::create(dir.join(format!("{}.tar.gz", student.id))).unwrap();
                let encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
                let mut tar = tar::Builder::new(encoder);
                for (path, bytes) in &files {
                    let mut header = tar::Header::new_gnu();
                    header.set_size(bytes.len() as u64);
                    header.set_mode(0o644);
                    header.set_cksum();
                    tar.append_data(&mut header, path, bytes.as_slice())
                        .unwrap();
                }
                tar.into_inner().unwrap().finish().unwrap();
            }
            other => panic!("unknown form {other}"),
        }
    }
}

/// The file a hostile git hand-in's filter, fsmonitor or hooks would create, beside the class.
fn marker(class: &Path) -> PathBuf {
    class
        .parent()
        .expect("the class lies in a scratch folder")
        .join("git-hand-in-ran")
}

/// `git args…` in `folder`, which must succeed; its output.
fn git(folder: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["-c", "user.name=Student", "-c", "user.email=s@example.org"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Makes the student's folder a repository whose last commit holds its files, then leaves an
/// uncommitted, broken change (the grader grades the last commit). `git = "hostile"` arms the
/// repository's own config, attributes and hooks to create `marker`; `git = "alternates"` makes
/// a commit that names the workbook's solution by hash, through the workbook's own objects.
fn build_repository(student: &Student, folder: &Path, marker: &Path) {
    git(folder, &["init", "-q"]);
    if student.git.as_deref() == Some("alternates") {
        let objects = PathBuf::from(git(&root(), &["rev-parse", "--git-common-dir"]));
        let objects = root().join(objects).join("objects");
        std::fs::write(
            folder.join(".git/objects/info/alternates"),
            format!("{}\n", objects.display()),
        )
        .unwrap();
        let solution = git(
            &root(),
            &[
                "rev-parse",
                &format!("HEAD:solutions/{EXERCISE_DIR}/src/main.rs"),
            ],
        );
        let entry = format!("100644,{solution},exercises/{EXERCISE_DIR}/src/main.rs");
        git(folder, &["update-index", "--add", "--cacheinfo", &entry]);
        git(folder, &["commit", "-q", "-m", "my work"]);
        return;
    }
    let hostile = student.git.as_deref() == Some("hostile");
    if hostile {
        std::fs::write(folder.join(".gitattributes"), "*.rs filter=evil\n").unwrap();
    }
    git(folder, &["add", "."]);
    git(folder, &["commit", "-q", "-m", "my work"]);
    if hostile {
        // Armed after the commit, so only a reader of the repository can set them off.
        let touch = format!("sh -c 'touch {}; cat'", marker.display());
        for key in [
            "filter.evil.smudge",
            "filter.evil.clean",
            "filter.evil.process",
            "core.fsmonitor",
            "core.pager",
        ] {
            git(folder, &["config", key, &touch]);
        }
        git(folder, &["config", "filter.evil.required", "true"]);
        for hook in [
            "post-checkout",
            "pre-commit",
            "post-index-change",
            "reference-transaction",
            "pre-auto-gc",
        ] {
            let path = folder.join(".git/hooks").join(hook);
            std::fs::write(&path, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
            let mut permissions = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
            std::fs::set_permissions(&path, permissions).unwrap();
        }
    }
    // Uncommitted and broken: the grader grades the last commit.
    let main = folder
        .join("exercises")
        .join(EXERCISE_DIR)
        .join("src/main.rs");
    std::fs::write(main, "this is not rust").unwrap();
}

/// Path, size and modification time of every file under `dir` (minus build output and caches).
fn snapshot(dir: &Path) -> Snapshot {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                if !matches!(
                    name.to_str(),
                    Some("target" | ".workbook" | ".ros" | ".git" | "__pycache__")
                ) {
                    pending.push(path);
                }
            } else if let Ok(meta) = entry.metadata() {
                files.push((path, meta.len(), meta.modified().unwrap()));
            }
        }
    }
    files.sort();
    files
}

type Snapshot = Vec<(PathBuf, u64, std::time::SystemTime)>;

fn assert_unchanged(dir: &Path, before: &Snapshot) {
    let after = snapshot(dir);
    let changed: Vec<String> = after
        .iter()
        .filter(|entry| !before.contains(entry))
        .map(|(path, _, _)| format!("written: {}", path.display()))
        .chain(
            before
                .iter()
                .filter(|entry| !after.iter().any(|a| a.0 == entry.0))
                .map(|(path, _, _)| format!("removed: {}", path.display())),
        )
        .collect();
    assert!(
        changed.is_empty(),
        "grading changed files outside its output folder:\n{}",
        changed.join("\n")
    );
}

/// Processes that still carry a grading run's marker.
fn leftover_processes() -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        if environ
            .split(|b| *b == 0)
            .any(|v| v.starts_with(b"WORKBOOK_GRADE_RUN="))
        {
            let command = std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                .unwrap_or_default()
                .replace('\0', " ");
            found.push(format!("{pid}: {command}"));
        }
    }
    found
}

/// The library files of the project's own workbook-features, as cargo names them (already
/// built: `cargo xtask test` builds every selection first, so this compiles nothing).
fn project_features() -> Vec<PathBuf> {
    let output = std::process::Command::new(std::env::var_os("CARGO").unwrap())
        .args(["build", "--quiet", "--package", "workbook-features"])
        .arg("--message-format=json")
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo build --package workbook-features failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| {
            m["reason"] == "compiler-artifact" && m["target"]["name"] == "workbook_features"
        })
        .flat_map(|m| {
            m["filenames"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| f.as_str().map(PathBuf::from))
                // Not the copy cargo makes in target/debug, which every build of a package
                // named workbook-features replaces, the grading workspace's own included.
                .filter(|f| f.parent().is_some_and(|p| p.ends_with("deps")))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn grades(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("grades.json")).unwrap()).unwrap()
}

#[test]
fn the_fixture_class_gets_the_grades_it_deserves_safely_and_repeatably() {
    let class: Class =
        toml::from_str(&std::fs::read_to_string(root().join("tests/grading/class.toml")).unwrap())
            .unwrap();
    let scratch = TempDir::new().unwrap();
    let submissions = scratch.path().join("class");
    build_class(&class, &submissions);
    let out = scratch.path().join("grades");
    let class_before = snapshot(&submissions);
    // The folders of the workbook a grader could be tricked into writing (students' code runs
    // with the workbook's paths in reach).
    let project = ["exercises", "solutions", "tests", "srv", "book"].map(|d| root().join(d));
    let project_before: Vec<_> = project.iter().map(|d| snapshot(d)).collect();
    // The student's own programs in the shared target folder, which `check` runs.
    let own_programs = || -> Vec<(PathBuf, std::time::SystemTime)> {
        let mut found: Vec<_> = std::fs::read_dir(target().join("debug"))
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with("ex0"))
                    .filter_map(|e| Some((e.path(), e.metadata().ok()?.modified().ok()?)))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    let own_before = own_programs();
    // The project's compiled workbook-features: a grading run compiles its own copy beside it,
    // never over it (that rewrote the libraries other builds were reading, and rebuilt
    // everything above them at the project's next build).
    let features = project_features();
    let features_libraries = || -> Vec<(PathBuf, std::time::SystemTime)> {
        features
            .iter()
            .filter_map(|path| Some((path.clone(), path.metadata().ok()?.modified().ok()?)))
            .collect()
    };
    let features_before = features_libraries();
    assert!(
        !features_before.is_empty(),
        "the project's workbook-features is built (cargo xtask test builds it first)"
    );

    // The workbook's rubric with a shorter build deadline, so the compile bomb costs half a
    // minute of a processor in each of the two grading runs (a right submission builds in a few
    // seconds, under ten on a two-core machine busy with the other test lanes).
    let rubric = scratch.path().join("rubric.toml");
    let text = std::fs::read_to_string(root().join("exercises/rubric.toml")).unwrap();
    assert!(
        text.contains("build_seconds = 300"),
        "update the test's rubric"
    );
    std::fs::write(
        &rubric,
        text.replace("build_seconds = 300", "build_seconds = 30"),
    )
    .unwrap();

    let run = xtask()
        .args([
            "grade",
            "--exercise",
            "speed-server",
            "--jobs",
            "3",
            "--rubric",
        ])
        .arg(&rubric)
        .arg("--out")
        .arg(&out)
        .arg(&submissions)
        .assert();
    let printed = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    // Shown with `cargo test -- --nocapture`: the table an instructor sees.
    eprintln!("{printed}");
    run.success()
        .stdout(predicate::str::contains("submissions graded"));

    let record = grades(&out);
    let hidden = record["solutions_hidden"].as_bool().unwrap();
    let students = record["students"].as_array().unwrap();
    assert_eq!(
        students.len(),
        class.student.len(),
        "one grade per submission"
    );
    let mut wrong = Vec::new();
    for student in &class.student {
        let id: String = student
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let graded = students
            .iter()
            .find(|s| s["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{} is missing from grades.json:\n{printed}", student.id));
        let exercise = &graded["exercises"][0];
        let points = exercise["points"].as_f64().unwrap();
        let status = exercise["status"].as_str().unwrap();
        if student.needs_hiding && !hidden {
            eprintln!(
                "note: {} not judged: this machine does not let the grader hide the solutions",
                student.id
            );
            continue;
        }
        let (min, max) = match student.points {
            Some(p) => (p, p),
            None => (student.min.unwrap_or(0.0), student.max.unwrap_or(15.0)),
        };
        if points < min || points > max {
            wrong.push(format!(
                "{}: {points} points ({status}), deserves {min}..={max}; {}",
                student.id, exercise
            ));
        }
        if let Some(note) = &student.note {
            let notes = graded["notes"].as_array().cloned().unwrap_or_default();
            if !notes
                .iter()
                .any(|n| n.as_str().is_some_and(|n| n.contains(note.as_str())))
            {
                wrong.push(format!(
                    "{}: no note says {note:?}; the notes are {notes:?}",
                    student.id
                ));
            }
        }
        if let Some(expected) = &student.status {
            if status != expected {
                wrong.push(format!(
                    "{}: status {status}, expected {expected}",
                    student.id
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "wrong grades:\n{}\n\n{printed}",
        wrong.join("\n")
    );

    // Every output, for every student.
    let csv = std::fs::read_to_string(out.join("grades.csv")).unwrap();
    assert_eq!(csv.lines().count(), class.student.len() + 1, "{csv}");
    for student in students {
        let id = student["id"].as_str().unwrap();
        for file in [
            format!("junit/{id}.xml"),
            format!("gradescope/{id}/results.json"),
            format!("feedback/{id}.md"),
        ] {
            assert!(out.join(&file).is_file(), "{file} was not written");
        }
    }
    let partial = std::fs::read_to_string(out.join("feedback/bea-partial.md")).unwrap();
    assert!(
        partial.contains("expected:") && partial.contains("happened:"),
        "the feedback says what was expected and what happened:\n{partial}"
    );
    let flood = std::fs::metadata(out.join("grades.json")).unwrap().len();
    assert!(
        flood < 2_000_000,
        "a flood of output is cut, yet grades.json has {flood} bytes"
    );

    // Nothing left running, nothing written outside the output folder, and the grades are the
    // grader's own: no hand-in (nor a daemon it left) wrote into them.
    assert_eq!(
        leftover_processes(),
        Vec::<String>::new(),
        "processes left running"
    );
    let csv = std::fs::read_to_string(out.join("grades.csv")).unwrap();
    assert!(
        !csv.contains("val-forges-grades-csv,15") && !csv.contains("eve-leaves-a-daemon,15"),
        "a hand-in wrote into grades.csv:\n{csv}"
    );
    assert_unchanged(&submissions, &class_before);
    for (dir, before) in project.iter().zip(&project_before) {
        assert_unchanged(dir, before);
    }
    assert_eq!(
        own_programs(),
        own_before,
        "grading replaced programs in target/debug that `cargo xtask check` runs"
    );
    let features_after = features_libraries();
    let rewritten: Vec<_> = features_before
        .iter()
        .filter(|before| !features_after.contains(before))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        rewritten.is_empty(),
        "grading compiled its copy of workbook-features over the project's own: {}",
        rewritten.join(", ")
    );
    for place in [scratch.path().to_path_buf(), root()] {
        for name in ["escaped.rs", "stolen-solution.rs"] {
            assert!(
                !place.join(name).exists(),
                "{} was written",
                place.join(name).display()
            );
        }
    }
    assert!(
        !Path::new("/tmp/escaped.rs").exists(),
        "/tmp/escaped.rs was written"
    );
    assert!(
        !marker(&submissions).exists(),
        "reading a git hand-in ran the hand-in's own filter, fsmonitor or hook ({} was created)",
        marker(&submissions).display()
    );

    // The same class in two shards, merged, gives the same grades.
    for shard in ["1/2", "2/2"] {
        xtask()
            .args(["grade", "--exercise", "1", "--shard", shard, "--rubric"])
            .arg(&rubric)
            .arg("--out")
            .arg(scratch.path().join(format!("shard-{}", &shard[..1])))
            .arg(&submissions)
            .assert()
            .success();
    }
    let merged = scratch.path().join("merged");
    xtask()
        .args(["grade", "merge"])
        .arg(scratch.path().join("shard-1"))
        .arg(scratch.path().join("shard-2"))
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(merged.join("grades.csv")).unwrap(),
        csv,
        "grading again, in shards, gave other grades"
    );
    assert_eq!(
        leftover_processes(),
        Vec::<String>::new(),
        "processes left running"
    );
}

#[test]
fn a_missing_folder_is_a_clear_error() {
    xtask()
        .args(["grade", "/nonexistent/class-of-2026"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a folder of submissions"))
        .stderr(predicate::str::contains("fix:"));
}

#[test]
fn an_output_folder_inside_the_submissions_is_refused_before_anything_is_written() {
    let class = TempDir::new().unwrap();
    let out = class.path().join("grades");
    xtask()
        .args(["grade", "--out"])
        .arg(&out)
        .arg(class.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is inside the submissions"))
        .stderr(predicate::str::contains("fix:"));
    assert!(!out.exists(), "the refused output folder was created");
}

#[test]
fn a_bad_shard_is_a_clear_error() {
    let class = TempDir::new().unwrap();
    xtask()
        .args(["grade", "--shard", "3/2"])
        .arg(class.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--shard 3/2"))
        .stderr(predicate::str::contains("fix:"));
}

#[test]
fn an_unreadable_archive_is_named_and_fails_the_run() {
    let scratch = TempDir::new().unwrap();
    let class = scratch.path().join("class");
    std::fs::create_dir_all(&class).unwrap();
    std::fs::write(class.join("zed.zip"), b"this is not a zip archive").unwrap();
    let out = scratch.path().join("grades");
    xtask()
        .args(["grade", "--exercise", "1", "--out"])
        .arg(&out)
        .arg(&class)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("zed could not be graded"))
        .stderr(predicate::str::contains("not a readable .zip archive"));
    let record = grades(&out);
    assert_eq!(record["students"][0]["exercises"][0]["status"], "error");
}

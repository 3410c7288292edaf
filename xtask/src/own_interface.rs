//! Exercises whose interface package is the student's own (exercise 9's `robot_extras`): the
//! interface is built before the crate, into an overlay the crate compiles and its checks run
//! against.
//!
//! Such a crate lives outside the workspace (the root `Cargo.toml` excludes it), so no workspace
//! command depends on an interface that may not be built, or not build. One build here is: the
//! package through rosidl's CMake pipeline (the steps `setup` runs for `robot_interfaces`) into
//! `<place>/overlay`, the workbook's Rust generator over that overlay, then `cargo test --no-run`
//! of the crate with the overlay in front of the environment and a target folder of its own
//! (`target/exNN/<side>`, so rclrs is compiled against that overlay path once and stays warm:
//! its build script, which puts the overlay's libraries on the link line, reruns only when
//! `ROS_DISTRO` changes, so such a folder cannot start from the workspace's compiled rclrs).
//! This module builds; it prints only through `ui`, and it knows no exercise's contents.

use crate::exercises::{Exercise, Side};
use crate::provision::{self, StepFailure};
use crate::suite::{self, Build};
use crate::{cargo, generate, ui};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use workbook_harness::Environment;

/// Where one build of such an exercise happens.
#[derive(Debug, Clone)]
pub struct Place {
    /// The crate's folder (with the interface package inside it).
    pub crate_dir: PathBuf,
    /// This build's own folder: `overlay/`, the CMake `build/`, `logs/`, the stamp.
    pub work: PathBuf,
    /// The cargo target folder the crate builds in.
    pub target: PathBuf,
}

impl Place {
    /// The place of `exercise`'s `side` crate: `target/exNN/<side>`.
    pub fn of(root: &Path, exercise: &Exercise, side: Side) -> Result<Place> {
        let work = Self::exercise_folder(exercise)?.join(match side {
            Side::Exercise => "exercise",
            Side::Solution => "solution",
        });
        Ok(Place {
            crate_dir: exercise.crate_of(side).dir(root),
            target: work.clone(),
            work,
        })
    }

    /// `target/exNN`, below which every build of the exercise happens.
    pub fn exercise_folder(exercise: &Exercise) -> Result<PathBuf> {
        Ok(cargo::target_dir()?.join(format!("ex{:02}", exercise.number)))
    }

    /// The overlay the interface package is installed into.
    pub fn overlay(&self) -> PathBuf {
        self.work.join("overlay")
    }
}

/// How building the interface and the crate ended.
pub enum Staged {
    /// The suite's executable, and the environment (with the overlay) to run it in.
    Ready(PathBuf, Environment),
    /// A step failed: which one, what it said, and what to do.
    Failed {
        step: &'static str,
        problem: String,
        fix: String,
    },
}

/// Builds the interface package of `exercise` in `place`, then the crate's suite.
pub fn stage(
    root: &Path,
    environment: &Environment,
    exercise: &Exercise,
    place: &Place,
) -> Result<Staged> {
    let interface = exercise
        .interface
        .as_deref()
        .context("the exercise has no interface package of its own")?;
    let step = ui::Step::start(
        "interface",
        &format!("{interface}: CMake (rosidl), then the Rust generator"),
    );
    if let Some(failed) = build_interface(environment, interface, place)? {
        step.failed("does not build");
        return Ok(failed);
    }
    step.done(&format!("overlay {}", shown(root, &place.overlay())));
    let overlaid = environment.clone().with_overlays(vec![place.overlay()]);
    let step = ui::Step::start(
        "build",
        &format!(
            "cargo test --no-run --manifest-path {}/Cargo.toml",
            shown(root, &place.crate_dir)
        ),
    );
    cargo::clean_dangling_links(&place.crate_dir, &place.target)?;
    match suite::build_outside(root, &overlaid, exercise, &place.crate_dir, &place.target)? {
        Build::Ready(executable) => {
            step.done("compiled");
            Ok(Staged::Ready(executable, overlaid))
        }
        Build::Failed(messages) => {
            step.failed("does not compile");
            Ok(Staged::Failed {
                step: "build",
                problem: messages,
                fix: format!(
                    "Fix the compiler errors above, then run `cargo xtask check {}` again. \
                     An error about `ros_env::{interface}` means the Rust code generated from \
                     your interface has no such type or field: compare with \
                     `cargo xtask ros2 interface show` on the type you use",
                    exercise.number
                ),
            })
        }
    }
}

/// Builds the package `interface` of the crate into the place's overlay, unless the overlay
/// already holds a build of exactly these sources. `Some` says why it did not build.
fn build_interface(
    environment: &Environment,
    interface: &str,
    place: &Place,
) -> Result<Option<Staged>> {
    let source = place.crate_dir.join(interface);
    if !source.join("CMakeLists.txt").is_file() || !source.join("package.xml").is_file() {
        return Ok(Some(Staged::Failed {
            step: "interface",
            problem: format!(
                "the interface package {} needs a package.xml and a CMakeLists.txt",
                source.display()
            ),
            fix: format!(
                "put them back with `cargo xtask reset` (your files are backed up), or write \
                 them as the book's chapter shows for its own package ({interface}/)"
            ),
        }));
    }
    let stamp_file = place.work.join("interface.stamp");
    let key = sources_key(&source, environment)?;
    if fs::read_to_string(&stamp_file).ok().as_deref() == Some(key.as_str()) {
        return Ok(None);
    }
    let _ = fs::remove_file(&stamp_file);
    let overlay = place.overlay();
    let build = place.work.join("build");
    let logs = place.work.join("logs");
    for folder in [&overlay, &build, &logs] {
        if folder.exists() {
            fs::remove_dir_all(folder)
                .with_context(|| format!("cannot clear {}", folder.display()))?;
        }
        fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    let cmake = provision::cmake_package(
        interface,
        &source,
        &build,
        &overlay,
        &environment.prefixes,
        &environment.workbook_prefix,
        &logs,
        "",
    );
    if let Err(error) = cmake {
        let Some(failure) = error.downcast_ref::<StepFailure>() else {
            return Err(error);
        };
        return Ok(Some(Staged::Failed {
            step: "interface",
            problem: format!(
                "CMake could not build {interface}; what it said:\n{}",
                cmake_errors(&failure.log)
            ),
            fix: format!(
                "Fix {interface}/ as the lines above say (a .srv line is `<type> <name>`, or \
                 `<type> <NAME>=<value>` for a constant; the request and the response are \
                 separated by `---`; every .srv is listed in rosidl_generate_interfaces of \
                 CMakeLists.txt); the whole log is {}",
                failure.log.display()
            ),
        }));
    }
    if let Err(error) = generate::generate_all(std::slice::from_ref(&overlay), &overlay) {
        return Ok(Some(Staged::Failed {
            step: "interface",
            problem: format!("the workbook's Rust generator cannot read {interface}: {error:#}"),
            fix: "CMake accepted the interface, so this is the generator's limit (it reads \
                  .msg and .srv files, no .action or .idl): please report it, with the file"
                .to_string(),
        }));
    }
    fs::write(&stamp_file, key)
        .with_context(|| format!("cannot write {}", stamp_file.display()))?;
    Ok(None)
}

/// The lines of a CMake log that say what went wrong: rosidl's sentence about the line it could
/// not read, and the exception its parser raised (the last line of a Python traceback); else
/// CMake's first error, else the log's last lines. A traceback's frames are about rosidl, not
/// about the student's file, so they are left out.
fn cmake_errors(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let block = |at: usize| -> Vec<&str> {
        lines[at..]
            .iter()
            .take_while(|line| !line.contains("Traceback"))
            .take(15)
            .copied()
            .collect()
    };
    let sentence = lines
        .iter()
        .position(|line| line.trim_start().starts_with("Error processing"));
    let exception = lines.iter().rev().find(|line| {
        let line = line.trim_start();
        line.split_once(": ").is_some_and(|(name, _)| {
            name.ends_with("Error") && name.chars().all(|c| c.is_ascii_alphanumeric())
        })
    });
    let mut shown = sentence.map(block).unwrap_or_default();
    if let Some(exception) = exception {
        shown.push(exception);
    }
    if shown.is_empty() {
        shown = match lines.iter().position(|line| line.contains("Error")) {
            Some(at) => block(at),
            None => lines[lines.len().saturating_sub(15)..].to_vec(),
        };
    }
    shown
        .iter()
        .map(|line| format!("  │ {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A hash of every file of the package (names and contents) and of the prefixes it is built
/// against: the overlay is rebuilt exactly when one of them changed.
fn sources_key(source: &Path, environment: &Environment) -> Result<String> {
    let mut files = Vec::new();
    collect(source, &mut files)?;
    files.sort();
    let mut hash = Sha256::new();
    for prefix in &environment.prefixes {
        hash.update(prefix.as_os_str().as_encoded_bytes());
        hash.update([0]);
    }
    for file in files {
        let relative = file.strip_prefix(source).unwrap_or(&file);
        hash.update(relative.as_os_str().as_encoded_bytes());
        hash.update([0]);
        hash.update(fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?);
        hash.update([0]);
    }
    Ok(format!("{:x}\n", hash.finalize()))
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in
        fs::read_dir(folder).with_context(|| format!("cannot read {}", folder.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Builds the reference programs the suite of such an exercise runs (`graph_probe`, `ros2`) in
/// the workspace's own target folder and environment, and returns their folder: the suite is
/// built elsewhere, so it cannot build them beside itself as other suites do.
pub fn references(environment: &Environment) -> Result<PathBuf> {
    cargo::build_references(&workbook_harness::project_root(), environment)?;
    Ok(cargo::target_dir()?.join("debug"))
}

/// `path` relative to `root` when it is below it, for lines people read.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbook_harness::{project_root, run_to_end};

    #[track_caller]
    fn check_errors(log: &str, shown: &[&str], hidden: &[&str]) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cmake-configure.log");
        fs::write(&path, log).unwrap();
        let errors = cmake_errors(&path);
        for wanted in shown {
            assert!(errors.contains(wanted), "{wanted:?} is not in:\n{errors}");
        }
        for unwanted in hidden {
            assert!(!errors.contains(unwanted), "{unwanted:?} is in:\n{errors}");
        }
    }

    #[test]
    fn a_cmake_failure_shows_rosidls_sentence_and_exception_without_the_traceback() {
        let frame = "CMake Error at rosidl_adapt_interfaces.cmake:57 (message):\n  returned error code 1:\n\n";
        let traceback = "  Traceback (most recent call last):\n    File \"parser.py\", line 404\n";
        check_errors(
            &format!("{frame}  Error processing 'strin color' of 'robot_extras/SetLights_Request':\n  ''strin' is an invalid message name.\n\n{traceback}"),
            &["Error processing 'strin color'", "invalid message name"],
            &["Traceback", "parser.py", "CMake Error"],
        );
        check_errors(
            &format!("{frame}{traceback}\n  ValueError: the fields iterable contains duplicate names: brightness\n\nCall Stack (most recent call first):\n"),
            &["ValueError: the fields iterable contains duplicate names: brightness"],
            &["Traceback", "parser.py", "Call Stack"],
        );
        check_errors(
            "-- Configuring\nCMake Error at CMakeLists.txt:7 (find_package):\n  Could not find rosidl_default_generators\n",
            &["CMake Error at CMakeLists.txt:7", "Could not find"],
            &["-- Configuring"],
        );
    }

    /// The book's chapter 12 example (`book/battery`, with its interface package `robot_power`)
    /// goes the way exercise 9 goes: its interface built into an overlay, its crate against it,
    /// then its own tests run as real nodes, rclpy importing the interface's Python code.
    #[test]
    fn the_books_interface_example_builds_and_passes_its_tests() {
        let root = project_root();
        let environment = provision::ensure().expect("the ROS 2 environment is ready");
        let exercise: Exercise = toml::from_str(
            r#"number = 0
               name = "battery"
               dir = "battery"
               title = "the book's example of an interface of one's own"
               chapter = "own-interface.md"
               program = "battery"
               solution = "battery"
               interface = "robot_power""#,
        )
        .expect("a valid stanza");
        let work = cargo::target_dir().unwrap().join("book-battery");
        let place = Place {
            crate_dir: root.join("book/battery"),
            target: work.clone(),
            work,
        };
        references(&environment).expect("the reference programs build");
        let (executable, overlaid) = match stage(&root, &environment, &exercise, &place) {
            Ok(Staged::Ready(executable, overlaid)) => (executable, overlaid),
            Ok(Staged::Failed { step, problem, .. }) => panic!("{step} failed:\n{problem}"),
            Err(error) => panic!("{error:#}"),
        };
        let verdicts = tempfile::tempdir().unwrap();
        let mut command = suite::command(
            std::process::Command::new(executable),
            &overlaid,
            None,
            &verdicts.path().join("verdicts"),
        );
        command.env(
            workbook_harness::programs::REFERENCES_DIR,
            cargo::target_dir().unwrap().join("debug"),
        );
        let output = run_to_end(
            "the example's tests",
            command,
            std::time::Duration::from_secs(120),
        )
        .expect("the example's tests run");
        assert_eq!(
            output.code,
            Some(0),
            "the example's tests failed:\n{}",
            output.text
        );
    }
}

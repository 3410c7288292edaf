//! The git reader's tests: real repositories made with the machine's git, hostile ones among them.

use super::*;

/// A hand-in repository in `dir` with `files` committed, made with the machine's git.
fn repository(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("create folders");
        std::fs::write(file, text).expect("write a file");
    }
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "--quiet", "-m", "my work"]);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Student", "-c", "user.email=s@example.org"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn rust_sources(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

/// The paths and texts read from the hand-in in `dir`.
#[track_caller]
fn check(dir: &Path, expected: &[(&str, &str)]) -> Commit {
    let commit = read_head(&dir.join(".git"), rust_sources, 64 * 1024, 100)
        .unwrap_or_else(|error| panic!("the hand-in could not be read: {error:#}"));
    let read: Vec<(String, String)> = commit
        .blobs
        .iter()
        .map(|b| {
            (
                b.path.to_string_lossy().into_owned(),
                String::from_utf8_lossy(&b.bytes).into_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    assert_eq!(read, expected, "what was read of the last commit");
    commit
}

const MAIN: (&str, &str) = ("exercises/01-speed-server/src/main.rs", "fn main() {}\n");

#[test]
fn the_last_commit_is_read_with_its_time() {
    let dir = TempDir::new().expect("scratch");
    repository(dir.path(), &[MAIN, ("README.md", "notes")]);
    std::fs::write(dir.path().join(MAIN.0), "uncommitted").expect("edit");
    let commit = check(dir.path(), &[MAIN]);
    let expected: i64 = git(dir.path(), &["log", "-1", "--format=%ct"])
        .parse()
        .expect("a time");
    assert_eq!(commit.time, Some(expected), "the commit's time");
}

#[test]
fn a_packed_repository_with_packed_refs_is_read() {
    let dir = TempDir::new().expect("scratch");
    repository(dir.path(), &[MAIN]);
    git(dir.path(), &["gc", "--quiet", "--aggressive"]);
    assert!(
        dir.path().join(".git/packed-refs").is_file(),
        "git gc packs the refs"
    );
    check(dir.path(), &[MAIN]);
}

#[test]
fn the_hand_ins_filters_fsmonitor_and_hooks_never_run() {
    let dir = TempDir::new().expect("scratch");
    repository(dir.path(), &[MAIN]);
    let marker = dir.path().join("ran");
    let touch = format!("sh -c 'touch {}; cat'", marker.display());
    for (key, value) in [
        ("filter.evil.smudge", touch.as_str()),
        ("filter.evil.clean", touch.as_str()),
        ("filter.evil.process", touch.as_str()),
        ("core.fsmonitor", touch.as_str()),
        ("core.pager", touch.as_str()),
    ] {
        git(dir.path(), &["config", key, value]);
    }
    std::fs::write(dir.path().join(".git/info/attributes"), "* filter=evil\n").expect("attributes");
    for hook in [
        "post-checkout",
        "pre-commit",
        "post-index-change",
        "reference-transaction",
    ] {
        let path = dir.path().join(".git/hooks").join(hook);
        std::fs::write(&path, format!("#!/bin/sh\ntouch {}\n", marker.display())).expect("a hook");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("executable");
    }
    check(dir.path(), &[MAIN]);
    assert!(
        !marker.exists(),
        "a filter, the fsmonitor or a hook of the hand-in ran"
    );
}

#[test]
fn objects_borrowed_from_another_repository_are_not_read() {
    let lender = TempDir::new().expect("scratch");
    repository(
        lender.path(),
        &[("secret/src/main.rs", "const SOLUTION: u8 = 1;\n")],
    );
    let blob = git(lender.path(), &["rev-parse", "HEAD:secret/src/main.rs"]);
    let dir = TempDir::new().expect("scratch");
    git(dir.path(), &["init", "--quiet"]);
    std::fs::write(
        dir.path().join(".git/objects/info/alternates"),
        format!("{}\n", lender.path().join(".git/objects").display()),
    )
    .expect("alternates");
    git(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},{}", MAIN.0),
        ],
    );
    // A file of its own too, so that its src/ tree is its own and only the blob borrowed.
    let own = (
        "exercises/01-speed-server/src/speed.rs",
        "pub const MAX: i32 = 100;\n",
    );
    let file = dir.path().join(own.0);
    std::fs::create_dir_all(file.parent().expect("a folder")).expect("folders");
    std::fs::write(&file, own.1).expect("a file");
    git(dir.path(), &["add", own.0]);
    git(dir.path(), &["commit", "--quiet", "-m", "borrowed"]);
    let commit = check(dir.path(), &[own]);
    assert!(
        commit.notes.iter().any(|n| n.contains(&blob)),
        "the note names the object that is not there: {:?}",
        commit.notes
    );
}

#[test]
fn a_linked_object_file_is_not_followed() {
    let lender = TempDir::new().expect("scratch");
    repository(lender.path(), &[MAIN]);
    let dir = TempDir::new().expect("scratch");
    let copied = dir.path().join("handin");
    std::fs::create_dir_all(&copied).expect("folder");
    // The same commit, every object file a link into the other repository.
    let status = Command::new("cp")
        .args(["-r", "-s"])
        .arg(lender.path().join(".git"))
        .arg(&copied)
        .status()
        .expect("cp runs");
    assert!(status.success(), "cp -rs");
    for file in ["HEAD", "refs/heads/master", "refs/heads/main"] {
        let path = copied.join(".git").join(file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            std::fs::remove_file(&path).expect("unlink");
            std::fs::write(&path, text).expect("a plain ref file");
        }
    }
    let error = read_head(&copied.join(".git"), rust_sources, 64 * 1024, 100)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        error.contains("not a commit the repository holds"),
        "linked objects were read: {error}"
    );
}

#[test]
fn a_head_outside_the_refs_is_refused() {
    let dir = TempDir::new().expect("scratch");
    repository(dir.path(), &[MAIN]);
    std::fs::write(dir.path().join(".git/HEAD"), "ref: ../../etc/passwd\n").expect("HEAD");
    let error = read_head(&dir.path().join(".git"), rust_sources, 64 * 1024, 100)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(error.contains("not a ref inside the repository"), "{error}");
}

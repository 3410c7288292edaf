//! What the autograder tests share: where the workbook and its target folder are, and running a
//! command for its output.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workbook's root folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lies in the project")
        .to_path_buf()
}

/// The target folder the tests' programs are built in.
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Runs `command`; whether it succeeded, and everything it printed.
#[track_caller]
pub fn output(what: &str, command: &mut Command) -> (bool, String) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

//! `eval "$(cargo xtask env)"` in real shells: the workbook's `ros2` lands on PATH, bash completes
//! its verbs on Tab, and a plain POSIX shell evaluates the same lines without error.

use std::process::Command;

/// Runs `script` in `shell` after `eval "$(xtask env)"`; returns its standard output.
fn after_env(shell: &str, script: &str) -> String {
    let xtask = assert_cmd::cargo::cargo_bin("xtask");
    let full = format!("set -e; eval \"$('{}' env)\"; {script}", xtask.display());
    let output = Command::new(shell)
        .args(["-c", &full])
        .output()
        .unwrap_or_else(|error| panic!("cannot run {shell}: {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{shell} failed after eval \"$(cargo xtask env)\":\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Whether `ros2` in that shell is the workbook's own (not a real ROS 2 install's).
fn workbook_ros2(shell: &str) -> bool {
    after_env(shell, "command -v ros2").contains("ros2-cli/bin/ros2")
}

#[test]
fn bash_completes_the_ros2_verbs_on_tab() {
    if !workbook_ros2("bash") {
        eprintln!("a real ros2 is on PATH: its own completion applies, nothing to check here");
        return;
    }
    // What bash does on `ros2 service <Tab>`: call the registered function with the words.
    let offered = after_env(
        "bash",
        "complete -p ros2; COMP_WORDS=(ros2 service ''); COMP_CWORD=2; \
         COMP_LINE='ros2 service '; COMP_POINT=${#COMP_LINE}; \
         $(complete -p ros2 | sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p') ros2 '' service; \
         echo \"offered: ${COMPREPLY[*]}\"",
    );
    let offered = offered
        .lines()
        .find_map(|l| l.strip_prefix("offered: "))
        .unwrap_or_else(|| panic!("no completion ran:\n{offered}"));
    for verb in ["list", "type", "find", "info", "call", "echo"] {
        assert!(
            offered.split_whitespace().any(|w| w == verb),
            "`ros2 service <Tab>` should offer {verb}; it offered: {offered}"
        );
    }
}

#[test]
fn a_posix_shell_evaluates_the_same_lines() {
    let found = after_env(
        "sh",
        "command -v ros2; echo \"range=$ROS_AUTOMATIC_DISCOVERY_RANGE\"",
    );
    assert!(
        found.contains("range=LOCALHOST"),
        "sh should have the workbook's environment after the eval:\n{found}"
    );
    assert!(
        found.lines().next().is_some_and(|l| l.ends_with("/ros2")),
        "sh should find a ros2 command:\n{found}"
    );
}

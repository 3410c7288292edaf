//! Starting students' code with folders hidden: `hiding` (the `unshare` tool) for builds where
//! `workbook-sandbox` cannot be used, the launcher script that runs a student's program through
//! `workbook-sandbox`, and the lockdown of a suite's worlds.

use super::*;

impl Sandbox {
    /// Wraps `program args…` so it runs with the `hidden` folders emptied, when possible.
    pub fn hiding(&self, hidden: &[PathBuf], program: &Path, args: &[&str]) -> Command {
        let hidden: Vec<&PathBuf> = hidden.iter().filter(|p| p.is_dir()).collect();
        match &self.unshare {
            Some(unshare_args) if !hidden.is_empty() => {
                let mut script = String::from("set -e; ");
                for _ in &hidden {
                    script.push_str(
                        "mount -t tmpfs -o size=4k,mode=0555 workbook-hidden \"$1\"; shift; ",
                    );
                }
                script.push_str("exec \"$@\"");
                let mut command = Command::new("unshare");
                command
                    .args(unshare_args)
                    .args(["--", "sh", "-c", &script, "sh"]);
                command.args(&hidden).arg(program).args(args);
                command
            }
            _ => {
                let mut command = Command::new(program);
                command.args(args);
                command
            }
        }
    }

    /// A launcher script for the program under test: the harness starts it instead of the
    /// student's binary, and it runs the binary through `workbook-sandbox` with the `hidden`
    /// folders emptied, only `exposed` (read-only) and `scratch` (writable) reachable inside
    /// them, as an unprivileged user when the grader is root.
    pub fn launcher(
        &self,
        hidden: &[PathBuf],
        exposed: &[PathBuf],
        scratch: &Path,
        binary: &Path,
        script: &Path,
    ) -> Result<PathBuf> {
        let mut words: Vec<String> = vec![self.starter.to_string_lossy().into_owned()];
        for path in hidden {
            words.extend(["--hide".into(), path.to_string_lossy().into_owned()]);
        }
        for path in exposed.iter().chain([&binary.to_path_buf()]) {
            words.extend(["--expose".into(), path.to_string_lossy().into_owned()]);
        }
        words.extend(["--writable".into(), scratch.to_string_lossy().into_owned()]);
        if self.unprivileged() {
            words.extend(["--user".into(), UNPRIVILEGED_UID.to_string()]);
        }
        for name in KEPT_VARIABLES {
            words.extend(["--keep".into(), (*name).to_string()]);
        }
        for (name, value) in [
            ("HOME", "/tmp"),
            ("ROS_HOME", "/tmp/.ros"),
            ("ROS_LOG_DIR", "/tmp/.ros/log"),
        ] {
            words.extend(["--set".into(), format!("{name}={value}")]);
        }
        words.extend(["--".into(), binary.to_string_lossy().into_owned()]);
        let mut line = String::from("#!/bin/sh\nexec");
        for word in &words {
            line.push(' ');
            line.push_str(&shell_quote(word));
        }
        line.push_str(" \"$@\"\n");
        std::fs::write(script, line)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(script, std::fs::Permissions::from_mode(0o755))?;
        Ok(script.to_path_buf())
    }

    /// Has the worlds of the suite `command` run every program as the unprivileged user (when
    /// the grader is root and checks are sealed), keeping `keep` visible below the grader's home.
    pub fn lock_down(&self, command: &mut Command, keep: &[PathBuf]) {
        if self.unprivileged() {
            command.env(workbook_harness::WORLD_USER, UNPRIVILEGED_UID.to_string());
            let keep = keep
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
            if let Ok(paths) = std::env::join_paths(keep) {
                command.env(workbook_harness::WORLD_KEEP, paths);
            }
        }
    }
}

/// The variables a student's program keeps: what ROS and the check need, nothing of the grader's.
const KEPT_VARIABLES: &[&str] = &[
    "ROS_DOMAIN_ID",
    "ROS_AUTOMATIC_DISCOVERY_RANGE",
    "ROS_LOCALHOST_ONLY",
    "ROS_STATIC_PEERS",
    "ROS_DISTRO",
    "ROS_VERSION",
    "ROS_PYTHON_VERSION",
    "RMW_IMPLEMENTATION",
    "AMENT_PREFIX_PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "PATH",
    "FASTRTPS_DEFAULT_PROFILES_FILE",
    "FASTDDS_DEFAULT_PROFILES_FILE",
    "RUST_BACKTRACE",
    "LANG",
    MARKER,
];

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

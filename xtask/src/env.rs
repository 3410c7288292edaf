//! `cargo xtask env`: prints `export` lines so that `eval "$(cargo xtask env)"` gives a shell in
//! which rclrs programs build and run and rclpy imports `robot_interfaces`.
//!
//! When no real `ros2` is on `PATH`, the workbook's own (`xtask/ros2-cli`) is built and a folder
//! holding a `ros2` link to it goes first on the exported `PATH`; with a real one, `PATH` is left
//! as it is.
//!
//! With the workbook's `ros2`, one more line registers its Tab completion when the shell running
//! the `eval` is bash, or zsh with its completion system loaded (other shells skip it).
//!
//! Standard output carries only these shell lines; anything for people goes to standard error,
//! so the `eval` never sees it.

use anyhow::{Context, Result};
use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use workbook_harness::{project_root, Distro, Environment, LocalDiscovery};

/// Prints the export lines, running setup first (its report on stderr) when needed.
pub fn run() -> Result<()> {
    ensure_quietly()?;
    let environment = Environment::detect(&project_root());
    let ros2_dir = ros2_folder(&environment);
    for (name, mut value) in environment.variables() {
        if name == "PATH" {
            value = with_ros2_first(&value, ros2_dir.as_deref());
        }
        println!("export {name}={}", quote(&value.to_string_lossy()));
    }
    // Nodes started from this shell find each other only on this machine, each distribution
    // through the variable it reads (Humble and Iron know only the older one).
    match environment.named_distro().map(Distro::local_discovery) {
        Some(LocalDiscovery::LocalhostOnly) => println!("export ROS_LOCALHOST_ONLY=1"),
        _ => println!("export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST"),
    }
    if let Some(folder) = &ros2_dir {
        println!("{}", completion_line(&folder.join("ros2")));
    }
    eprintln!(
        "# ROS 2 {} ({:?}) environment for the workbook",
        environment.distro, environment.source
    );
    Ok(())
}

/// Runs `xtask setup` as a child whose standard output goes to our standard error.
fn ensure_quietly() -> Result<()> {
    let me = std::env::current_exe().context("cannot find the xtask executable")?;
    let stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .context("cannot duplicate standard error")?;
    let status = Command::new(me)
        .args(["setup", "--if-needed"])
        .stdout(Stdio::from(stderr))
        .status()
        .context("cannot run setup")?;
    if !status.success() {
        anyhow::bail!("setup failed (see above); no environment to export");
    }
    Ok(())
}

/// The folder holding the workbook's `ros2` (a link to the built binary), when no real `ros2` is
/// on the environment's PATH; `None` when there is one, or when the build failed (said on
/// standard error: the rest of the environment is still worth exporting).
fn ros2_folder(environment: &Environment) -> Option<PathBuf> {
    let folder = crate::cargo::target_dir().ok()?.join("ros2-cli/bin");
    let path = environment
        .variables()
        .into_iter()
        .find(|(name, _)| *name == "PATH")
        .map(|(_, value)| value)?;
    let real = std::env::split_paths(&path)
        .filter(|dir| *dir != folder)
        .any(|dir| dir.join("ros2").is_file());
    if real {
        return None;
    }
    let linked = crate::ros2::build(environment).and_then(|binary| {
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        link_atomically(&binary, &folder.join("ros2"))
    });
    match linked {
        Ok(()) => Some(folder),
        Err(error) => {
            eprintln!("# no `ros2` command in this shell: {error:#}");
            None
        }
    }
}

/// Makes `link` point to `target`. Shells may be running `eval "$(cargo xtask env)"` at the same
/// moment (two terminals, or tests side by side): the link is made under a name of this process's
/// own and renamed over the old one, so no other `env` ever finds it missing or fails to create it.
fn link_atomically(target: &Path, link: &Path) -> Result<()> {
    if std::fs::read_link(link).is_ok_and(|current| current == target) {
        return Ok(());
    }
    static MADE: AtomicU32 = AtomicU32::new(0);
    let made = MADE.fetch_add(1, Ordering::Relaxed);
    let fresh = link.with_extension(format!("{}-{made}.new", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    std::os::unix::fs::symlink(target, &fresh)
        .with_context(|| format!("cannot create the link {}", fresh.display()))?;
    std::fs::rename(&fresh, link).with_context(|| format!("cannot replace {}", link.display()))
}

/// `PATH` with the workbook's `ros2` folder first (and nowhere else).
fn with_ros2_first(path: &OsString, folder: Option<&Path>) -> OsString {
    let Some(folder) = folder else {
        return path.clone();
    };
    let rest = std::env::split_paths(path).filter(|dir| dir != folder);
    std::env::join_paths(std::iter::once(folder.to_path_buf()).chain(rest))
        .unwrap_or_else(|_| path.clone())
}

/// The line that registers `ros2`'s Tab completion in bash and zsh, and does nothing elsewhere.
fn completion_line(ros2: &Path) -> String {
    let ros2 = quote(&ros2.to_string_lossy());
    format!(
        "if [ -n \"${{BASH_VERSION:-}}\" ]; then eval \"$({ros2} completion bash 2>/dev/null)\"; \
         elif [ -n \"${{ZSH_VERSION:-}}\" ] && command -v compdef >/dev/null 2>&1; then \
         eval \"$({ros2} completion zsh 2>/dev/null)\"; fi"
    )
}

/// Single-quotes a value for POSIX shells.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::{link_atomically, quote};

    #[test]
    fn links_made_at_the_same_moment_all_succeed_and_the_link_stays() {
        let folder = tempfile::tempdir().unwrap();
        let link = folder.path().join("ros2");
        for round in 0..50 {
            let _ = std::fs::remove_file(&link);
            let target = folder.path().join(format!("binary-{round}"));
            std::thread::scope(|scope| {
                let makers: Vec<_> = (0..6)
                    .map(|_| scope.spawn(|| link_atomically(&target, &link)))
                    .collect();
                for maker in makers {
                    maker
                        .join()
                        .unwrap()
                        .expect("every concurrent link succeeds");
                }
            });
            assert_eq!(std::fs::read_link(&link).unwrap(), target);
        }
        let leftovers: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the link is left: {leftovers:?}");
    }

    #[test]
    fn values_are_single_quoted_for_the_shell() {
        assert_eq!(quote("/a b/c"), "'/a b/c'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}

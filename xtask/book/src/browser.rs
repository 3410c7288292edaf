//! Finds the browser the book's rendering test drives: Debian's Chromium. When it is missing and
//! this process runs as root (as CI does), it is installed with `apt-get`; otherwise the error
//! says which command installs it. `cargo xtask test` installs it beside its builds, so that
//! apt-get's output and disk load stay out of the tests.

use anyhow::{bail, Context, Result};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Chromium may be, in the order they are tried (`WORKBOOK_CHROMIUM` first).
const CANDIDATES: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];

/// The flags that keep a headless Chromium quiet on a machine without network or GPU.
pub const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// The Chromium executable, installed first when missing and possible.
pub fn chromium() -> Result<PathBuf> {
    ensure(None)
}

/// Whether Chromium is already where `chromium` looks.
pub fn is_installed() -> bool {
    find().is_some()
}

/// As `chromium`, with apt-get's output appended to `log` instead of this process's own: for
/// `cargo xtask test`, which installs it beside its builds, whose output it would cut through.
pub fn chromium_logging_to(log: &Path) -> Result<PathBuf> {
    ensure(Some(log))
}

fn ensure(log: Option<&Path>) -> Result<PathBuf> {
    if let Some(found) = find() {
        return Ok(found);
    }
    // SAFETY: geteuid has no preconditions and touches no memory.
    let root = unsafe { libc_geteuid() } == 0;
    if !root {
        bail!(
            "Chromium is not installed, and installing it needs root. Install it with \
             `sudo apt-get install -y chromium` (Debian/Ubuntu), or point WORKBOOK_CHROMIUM at \
             a Chromium or Chrome executable"
        );
    }
    if log.is_none() {
        eprintln!("book: installing Chromium for the rendering test (apt-get install -y chromium)");
    }
    for args in [
        &["update"][..],
        &["install", "-y", "--no-install-recommends", "chromium"][..],
    ] {
        let mut apt = Command::new("apt-get");
        apt.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        if let Some(log) = log {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .with_context(|| format!("cannot write {}", log.display()))?;
            apt.stdin(Stdio::null())
                .stdout(file.try_clone().context("cannot open the log twice")?)
                .stderr(file);
        }
        let status = apt
            .status()
            .context("cannot run apt-get (is this a Debian or Ubuntu machine?)")?;
        if !status.success() {
            let output = log
                .map(|log| format!(" (its output: {})", log.display()))
                .unwrap_or_default();
            bail!(
                "`apt-get {}` failed ({status}){output}; install Chromium by hand \
                 (`apt-get install -y chromium`) or set WORKBOOK_CHROMIUM",
                args.join(" ")
            );
        }
    }
    find().context(
        "apt-get installed chromium but no executable was found at /usr/bin/chromium; \
         set WORKBOOK_CHROMIUM to its path",
    )
}

fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WORKBOOK_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

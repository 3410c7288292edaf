//! Finds the browser the book's rendering test drives: Debian's Chromium. When it is missing and
//! this process runs as root (as CI does), it is installed with `apt-get`; otherwise the error
//! says which command installs it.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

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
    eprintln!("book: installing Chromium for the rendering test (apt-get install -y chromium)");
    for args in [
        &["update"][..],
        &["install", "-y", "--no-install-recommends", "chromium"][..],
    ] {
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("cannot run apt-get (is this a Debian or Ubuntu machine?)")?;
        if !status.success() {
            bail!(
                "`apt-get {}` failed ({status}); install Chromium by hand \
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

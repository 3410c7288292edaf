//! Finding a Python the pinned ROS 2 wheels support (3.10 to 3.13, or `WORKBOOK_PYTHON`).

use crate::ui;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Python versions the ROS 2 Jazzy wheels exist for.
pub(super) const PYTHONS: &[&str] = &[
    "python3.11",
    "python3.12",
    "python3.10",
    "python3.13",
    "python3",
];

pub(super) fn find_python() -> Result<(PathBuf, String)> {
    if let Some(chosen) = std::env::var_os("WORKBOOK_PYTHON") {
        return python_version(Path::new(&chosen))
            .map(|v| (PathBuf::from(&chosen), v))
            .map_err(|error| {
                ui::problem(
                    format!(
                        "WORKBOOK_PYTHON={} is not a usable Python: {error:#}",
                        chosen.to_string_lossy()
                    ),
                    "point WORKBOOK_PYTHON at Python 3.10 to 3.13, or unset it to search PATH",
                )
            });
    }
    for name in PYTHONS {
        if let Ok(version) = python_version(Path::new(name)) {
            return Ok((PathBuf::from(name), version));
        }
    }
    Err(ui::problem(
        format!("no Python 3.10 to 3.13 found (tried {})", PYTHONS.join(", ")),
        "install one (Debian/Ubuntu: `apt install python3 python3-venv`) or point WORKBOOK_PYTHON at one",
    ))
}

pub(super) fn python_version(python: &Path) -> Result<String> {
    let output = Command::new(python)
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let minor: Option<u32> = version.split('.').nth(1).and_then(|m| m.parse().ok());
    match minor {
        Some(10..=13) if version.starts_with("3.") => {
            Ok(format!("Python {version} ({})", python.display()))
        }
        _ => bail!(
            "{} is Python {version:?}; the ROS 2 wheels need 3.10 to 3.13",
            python.display()
        ),
    }
}

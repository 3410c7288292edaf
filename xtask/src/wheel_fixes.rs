//! Repairs that make the PyPI ROS 2 wheels usable outside Python, applied once after `pip install`.
//!
//! The wheels are built for rclpy: their libraries expect to be loaded by a Python process, from
//! the folders auditwheel put them in, on the machine that built them. A Rust program loads them
//! differently, so setup fixes four things (each is explained where it is done):
//! CMake exports naming the build machine's Python, the missing `librmw_implementation.so`,
//! the bundled third-party libraries hidden in `site-packages/ros_*.libs`, and libpython
//! symbols that Python-binding libraries use without declaring where they come from.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Applies every repair to the freshly installed venv at `prefix`.
pub fn apply(prefix: &Path) -> Result<()> {
    patch_wheel_exports(prefix)?;
    provide_rmw_implementation(prefix)?;
    expose_bundled_libraries(prefix)?;
    declare_libpython(prefix)
}

/// The wheels were built under `/opt/python/...`; their exported CMake targets still name that
/// machine's Python include folders, which makes CMake refuse to configure any package that
/// uses them. Point those paths at this venv's Python.
fn patch_wheel_exports(prefix: &Path) -> Result<()> {
    let python = prefix.join("bin/python");
    let query = "import sysconfig, numpy; print(sysconfig.get_paths()['include']); print(numpy.get_include())";
    let output = Command::new(&python)
        .args(["-c", query])
        .output()
        .context("cannot ask the venv's Python for its include folders")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let (Some(include), Some(numpy)) = (lines.next(), lines.next()) else {
        bail!("the venv's Python did not report its include folders: {text}");
    };
    let replacements = [
        (
            "/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include",
            numpy,
        ),
        ("/opt/python/cp311-cp311/include/python3.11", include),
    ];
    for entry in fs::read_dir(prefix.join("share")).context("the venv has no share/ folder")? {
        let cmake = entry?.path().join("cmake");
        let Ok(files) = fs::read_dir(&cmake) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|e| e != "cmake") {
                continue;
            }
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            if !text.contains("/opt/python/") {
                continue;
            }
            let mut patched = text.clone();
            for (from, to) in replacements {
                patched = patched.replace(from, to);
            }
            fs::write(&path, patched)
                .with_context(|| format!("cannot patch {}", path.display()))?;
        }
    }
    Ok(())
}

/// rclrs links `rmw_implementation`, which the wheels do not ship: their rcl links Fast DDS's
/// `rmw_fastrtps_cpp` directly, and that library exports the whole rmw API.
fn provide_rmw_implementation(prefix: &Path) -> Result<()> {
    let link = prefix.join("lib/librmw_implementation.so");
    if !link.exists() {
        std::os::unix::fs::symlink("librmw_fastrtps_cpp.so", &link)
            .with_context(|| format!("cannot create {}", link.display()))?;
    }
    Ok(())
}

/// auditwheel moved each wheel's third-party libraries (tinyxml2, OpenSSL, yaml, spdlog...) into
/// `site-packages/ros_<pkg>.libs` and gave the ROS libraries an RPATH relative to their place
/// inside the wheel. Installed as data into `<prefix>/lib`, that RPATH points nowhere, so link
/// every bundled library into `<prefix>/lib`, the one folder on `LD_LIBRARY_PATH`.
fn expose_bundled_libraries(prefix: &Path) -> Result<()> {
    let lib = prefix.join("lib");
    for site in python_dirs(prefix)? {
        let site_packages = site.join("site-packages");
        let Ok(entries) = fs::read_dir(&site_packages) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("ros_") && name.ends_with(".libs")) {
                continue;
            }
            for library in fs::read_dir(entry.path())?.flatten() {
                let link = lib.join(library.file_name());
                if link.symlink_metadata().is_err() {
                    std::os::unix::fs::symlink(library.path(), &link)
                        .with_context(|| format!("cannot create {}", link.display()))?;
                }
            }
        }
    }
    Ok(())
}

/// rcl links the Python bindings of a few interface packages (`*__rosidl_generator_py.so`),
/// which use libpython symbols without naming libpython as a dependency: inside Python the
/// interpreter provides them, in a Rust program the loader fails with
/// `undefined symbol: PyExc_RuntimeError`. Record the dependency in those libraries (with
/// patchelf) and put libpython next to them.
fn declare_libpython(prefix: &Path) -> Result<()> {
    let (soname, location) = libpython(prefix)?;
    let lib = prefix.join("lib");
    let link = lib.join(&soname);
    if link.symlink_metadata().is_err() {
        std::os::unix::fs::symlink(&location, &link)
            .with_context(|| format!("cannot create {}", link.display()))?;
    }
    let patchelf = prefix.join("bin/patchelf");
    for entry in fs::read_dir(&lib)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with("__rosidl_generator_py.so") {
            continue;
        }
        let needed = Command::new(&patchelf)
            .arg("--print-needed")
            .arg(entry.path())
            .output()
            .with_context(|| format!("cannot run {}", patchelf.display()))?;
        if String::from_utf8_lossy(&needed.stdout)
            .lines()
            .any(|l| l == soname)
        {
            continue;
        }
        let status = Command::new(&patchelf)
            .arg("--add-needed")
            .arg(&soname)
            .arg(entry.path())
            .status()
            .with_context(|| format!("cannot run {}", patchelf.display()))?;
        if !status.success() {
            bail!(
                "patchelf could not add {soname} to {}",
                entry.path().display()
            );
        }
    }
    Ok(())
}

/// The shared libpython of the venv's interpreter: its soname and where the file is.
fn libpython(prefix: &Path) -> Result<(String, PathBuf)> {
    let query = "import sysconfig as s; v = s.get_config_var; \
                 print(v('INSTSONAME') or ''); print(v('LIBDIR') or ''); print(v('MULTIARCH') or '')";
    let output = Command::new(prefix.join("bin/python"))
        .args(["-c", query])
        .output()
        .context("cannot ask the venv's Python where libpython is")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut lines = text.lines();
    let soname = lines.next().unwrap_or_default().to_string();
    let libdir = PathBuf::from(lines.next().unwrap_or_default());
    let multiarch = lines.next().unwrap_or_default();
    let candidates = [
        libdir.join(&soname),
        libdir.join(multiarch).join(&soname),
        Path::new("/usr/lib").join(multiarch).join(&soname),
    ];
    match candidates.into_iter().find(|c| c.is_file()) {
        Some(found) if soname.starts_with("libpython") => Ok((soname, found)),
        _ => Err(crate::ui::problem(
            format!(
                "the Python setup uses has no shared libpython ({} not found in {})",
                if soname.is_empty() {
                    "libpython3.X.so"
                } else {
                    &soname
                },
                libdir.display()
            ),
            "install it (Debian/Ubuntu: `apt install libpython3-dev`), or point WORKBOOK_PYTHON \
             at a Python built with --enable-shared",
        )),
    }
}

fn python_dirs(prefix: &Path) -> Result<Vec<PathBuf>> {
    Ok(fs::read_dir(prefix.join("lib"))
        .context("the venv has no lib/ folder")?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .map(|e| e.path())
        .collect())
}

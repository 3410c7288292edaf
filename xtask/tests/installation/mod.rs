//! A ROS 2 installation laid out the way apt's `ros-jazzy-ros-base` has it in `/opt/ros/jazzy`,
//! made from the pinned wheels the provisioned environment already holds (no network): `lib/`,
//! `include/`, `share/` with its ament index, the Python packages under
//! `lib/python3.X/site-packages`, and `setup.bash` / `local_setup.bash` that set what apt's do.
//! What apt does not ship is left out: the venv's own programs and files, `robot_interfaces`
//! (the workbook builds it) and every generated Rust crate (`share/<pkg>/rust`; nothing on apt
//! generates those, which is the overlay's job). Files are hard-linked from the cache, except
//! those that name the cache's own path, which are rewritten (new files, never the cache's) to
//! name the installation instead, so nothing of the installation leads back to the cache.

pub mod student;

use std::fs;
use std::path::{Path, PathBuf};

/// A laid-out installation: its prefix (`<machine>/opt/ros/jazzy`) and the machine's own
/// programs folder (`<machine>/usr/bin`, holding `cmake` the way a Debian machine has it).
pub struct Installation {
    pub prefix: PathBuf,
    pub system_bin: PathBuf,
}

/// What apt's Jazzy has no part of: the venv's files, the workbook's own interface package, the
/// generated Rust code, and setup's stamps.
fn left_out(relative: &Path) -> bool {
    let text = relative.to_string_lossy();
    let first = relative.components().next().map(|c| c.as_os_str());
    first.is_some_and(|c| c == "bin" || c == "lib64" || c == "pyvenv.cfg" || c == ".workbook")
        || text.contains("robot_interfaces")
        || relative.file_name().is_some_and(|n| n == "rust") && text.starts_with("share/")
}

impl Installation {
    /// Lays out the installation of the provisioned prefix `cache` under `machine`.
    pub fn lay_out(cache: &Path, machine: &Path) -> Installation {
        let cache = fs::canonicalize(cache).expect("the provisioned prefix (cargo xtask setup)");
        let prefix = machine.join("opt/ros/jazzy");
        fs::create_dir_all(prefix.join("bin")).unwrap();
        copy_tree(&cache, &prefix, &cache, Path::new(""));
        let python = python_folder(&prefix);
        write_setup_scripts(&prefix, &python);
        // cmake comes from the machine, not from ROS: a Debian machine has it in /usr/bin.
        let system_bin = machine.join("usr/bin");
        fs::create_dir_all(&system_bin).unwrap();
        let cmake = prefix
            .join(&python)
            .join("site-packages/cmake/data/bin/cmake");
        assert!(
            cmake.is_file(),
            "the cmake wheel's program is at {}",
            cmake.display()
        );
        std::os::unix::fs::symlink(cmake, system_bin.join("cmake")).unwrap();
        Installation { prefix, system_bin }
    }

    /// The commands a student's shell runs before the workbook's: the machine's programs on
    /// `PATH`, then `source <prefix>/setup.bash`.
    pub fn sourcing(&self) -> String {
        format!(
            "export PATH={}:\"$PATH\" && source {}/setup.bash",
            self.system_bin.display(),
            self.prefix.display()
        )
    }
}

/// `lib/python3.X`, the one Python the wheels were installed for.
fn python_folder(prefix: &Path) -> PathBuf {
    fs::read_dir(prefix.join("lib"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("python3"))
        .map(|name| Path::new("lib").join(name))
        .expect("the provisioned prefix has lib/python3.X")
}

fn copy_tree(cache: &Path, prefix: &Path, from: &Path, relative: &Path) {
    for entry in fs::read_dir(from).unwrap().flatten() {
        let relative = relative.join(entry.file_name());
        if left_out(&relative) {
            continue;
        }
        let (source, destination) = (entry.path(), prefix.join(&relative));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let points_to = fs::read_link(&source).unwrap();
            let points_to = match points_to.strip_prefix(cache) {
                Ok(inside) => prefix.join(inside),
                Err(_) => points_to,
            };
            std::os::unix::fs::symlink(points_to, &destination).unwrap();
        } else if kind.is_dir() {
            fs::create_dir_all(&destination).unwrap();
            copy_tree(cache, prefix, &source, &relative);
        } else if names_the_cache(&source, cache) {
            let text = fs::read_to_string(&source).unwrap();
            let cache_text = cache.to_string_lossy();
            let prefix_text = prefix.to_string_lossy();
            fs::write(&destination, text.replace(&*cache_text, &prefix_text)).unwrap();
        } else {
            fs::hard_link(&source, &destination)
                .or_else(|_| fs::copy(&source, &destination).map(|_| ()))
                .unwrap();
        }
    }
}

/// Whether a text file (CMake exports, `.pth` files) names the cache's path. Libraries and
/// other large files are not read: setup wrote no paths into them.
fn names_the_cache(file: &Path, cache: &Path) -> bool {
    let small = fs::metadata(file).is_ok_and(|m| m.len() < 1 << 20);
    small && fs::read_to_string(file).is_ok_and(|text| text.contains(&*cache.to_string_lossy()))
}

/// `setup.bash` and `local_setup.bash` with the effect apt's have for a single prefix (apt's
/// are generated by ament_package from every package's environment hooks; these set the same
/// variables for the same folders).
fn write_setup_scripts(prefix: &Path, python: &Path) {
    let local = format!(
        "# The variables /opt/ros/jazzy/local_setup.bash sets, for this prefix.\n\
         _prefix={prefix}\n\
         export ROS_DISTRO=jazzy\n\
         export ROS_VERSION=2\n\
         export ROS_PYTHON_VERSION=3\n\
         export AMENT_PREFIX_PATH=\"$_prefix${{AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}}\"\n\
         export CMAKE_PREFIX_PATH=\"$_prefix${{CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}}\"\n\
         export LD_LIBRARY_PATH=\"$_prefix/lib${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\"\n\
         export PATH=\"$_prefix/bin${{PATH:+:$PATH}}\"\n\
         export PYTHONPATH=\"$_prefix/{python}/site-packages${{PYTHONPATH:+:$PYTHONPATH}}\"\n\
         unset _prefix\n",
        prefix = prefix.display(),
        python = python.display(),
    );
    fs::write(prefix.join("local_setup.bash"), local).unwrap();
    let setup = format!(
        "# Sources the underlays (none: this is a base installation), then this prefix.\n\
         source {}/local_setup.bash\n",
        prefix.display()
    );
    fs::write(prefix.join("setup.bash"), setup).unwrap();
}

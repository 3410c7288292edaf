//! Build script of the ABI test: for every generated interface crate found through
//! `AMENT_PREFIX_PATH` (`share/<pkg>/rust/layout.tsv`, written by xtask's generator) it compiles
//! a C table of `sizeof`, `_Alignof` and `offsetof` from the installed C headers, and writes the
//! matching Rust table (`size_of`, `align_of`, `offset_of!` on `ros_env::…::rmw` types) to
//! `$OUT_DIR/layout.rs`. It must not decide whether they match: the test in `src/lib.rs` does.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// One line of `layout.tsv`: header, C struct, Rust path below `ros_env::`, C field, Rust field.
struct Row {
    header: String,
    c_struct: String,
    rust_path: String,
    c_field: String,
    rust_field: String,
}

fn count_files(dir: &Path, extension: &str) -> usize {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == extension))
                .count()
        })
        .unwrap_or(0)
}

fn main() {
    println!("cargo:rerun-if-env-changed=AMENT_PREFIX_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    let prefixes: Vec<PathBuf> = env::var_os("AMENT_PREFIX_PATH")
        .map(|paths| env::split_paths(&paths).collect())
        .unwrap_or_default();

    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let mut expected_types = 0;
    let mut build = cc::Build::new();
    for prefix in &prefixes {
        let include = prefix.join("include");
        if let Ok(entries) = fs::read_dir(&include) {
            for entry in entries.filter_map(|e| e.ok()) {
                build.include(entry.path()); // Iron and later: include/<pkg>/<pkg>/msg/…
            }
        }
        build.include(&include);
        let Ok(packages) = fs::read_dir(prefix.join("share")) else {
            continue;
        };
        for package in packages.filter_map(|e| e.ok()) {
            let share = package.path();
            let name = package.file_name().to_string_lossy().into_owned();
            // ros-env includes the first crate it finds for a package; so does this test.
            if !share.join("rust/Cargo.toml").is_file() || !seen.insert(name.clone()) {
                continue;
            }
            // What the interface files say must exist: a struct per message, two per service.
            expected_types +=
                count_files(&share.join("msg"), "msg") + 2 * count_files(&share.join("srv"), "srv");
            let layout = share.join("rust/layout.tsv");
            println!("cargo:rerun-if-changed={}", layout.display());
            let text = fs::read_to_string(&layout).unwrap_or_else(|error| {
                panic!("{name} has a Rust crate but no {} ({error}): regenerate it with the workbook's generator", layout.display())
            });
            for line in text.lines().filter(|l| !l.is_empty()) {
                let parts: Vec<&str> = line.split('\t').collect();
                let [header, c_struct, rust_path, c_field, rust_field] = parts[..] else {
                    panic!("{}: malformed line {line:?}", layout.display());
                };
                rows.push(Row {
                    header: header.into(),
                    c_struct: c_struct.into(),
                    rust_path: rust_path.into(),
                    c_field: c_field.into(),
                    rust_field: rust_field.into(),
                });
            }
        }
    }

    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let mut c = String::from("#include <stddef.h>\n#include <stdint.h>\n");
    let headers: BTreeSet<&str> = rows.iter().map(|r| r.header.as_str()).collect();
    for header in headers {
        writeln!(c, "#include \"{header}\"").unwrap();
    }
    c.push_str("struct interfaces_abi_row { size_t size; size_t align; size_t offset; };\n");
    c.push_str("const struct interfaces_abi_row interfaces_abi_rows[] = {\n");
    for r in &rows {
        let (t, f) = (&r.c_struct, &r.c_field);
        writeln!(
            c,
            "    {{ sizeof({t}), _Alignof({t}), offsetof({t}, {f}) }},"
        )
        .unwrap();
    }
    // A dummy row keeps the array valid C when nothing was generated; Rust ignores it.
    c.push_str("    { 0, 0, 0 }\n};\n");
    let c_file = out.join("layout.c");
    fs::write(&c_file, c).unwrap();
    build.file(&c_file).compile("interfaces_abi");

    let mut rust = String::new();
    writeln!(
        rust,
        "/// Structs the interface files define, counted from the .msg and .srv files."
    )
    .unwrap();
    writeln!(rust, "pub const EXPECTED_TYPES: usize = {expected_types};").unwrap();
    writeln!(
        rust,
        "/// Rows of the C table, one per field.\npub const ROW_COUNT: usize = {};",
        rows.len()
    )
    .unwrap();
    writeln!(
        rust,
        "/// The Rust side of every row, in the order of the C table."
    )
    .unwrap();
    writeln!(rust, "pub static RUST_ROWS: [RustRow; ROW_COUNT] = [").unwrap();
    for r in &rows {
        let t = format!("ros_env::{}", r.rust_path);
        writeln!(
            rust,
            "    RustRow {{ c_struct: {:?}, rust_type: {:?}, c_field: {:?}, rust_field: {:?}, \
             size: std::mem::size_of::<{t}>(), align: std::mem::align_of::<{t}>(), \
             offset: std::mem::offset_of!({t}, {}) }},",
            r.c_struct, t, r.c_field, r.rust_field, r.rust_field
        )
        .unwrap();
    }
    rust.push_str("];\n");
    fs::write(out.join("layout.rs"), rust).unwrap();
}

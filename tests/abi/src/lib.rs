//! ABI test of the generated interface crates: every `ros_env::<pkg>::<kind>::rmw` struct must
//! have the size, alignment and field offsets of the C struct it is passed to `rcl` as.
//! `build.rs` measures both sides; this file only compares them. Run with a ROS 2 environment:
//! `cargo test -p interfaces-abi`.

/// The C side of one row: measured by the C compiler from the installed headers.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CRow {
    pub size: usize,
    pub align: usize,
    pub offset: usize,
}

/// The Rust side of one row: measured by rustc on the generated struct.
#[derive(Clone, Copy, Debug)]
pub struct RustRow {
    pub c_struct: &'static str,
    pub rust_type: &'static str,
    pub c_field: &'static str,
    pub rust_field: &'static str,
    pub size: usize,
    pub align: usize,
    pub offset: usize,
}

include!(concat!(env!("OUT_DIR"), "/layout.rs"));

extern "C" {
    /// `ROW_COUNT` rows plus one trailing dummy row.
    static interfaces_abi_rows: [CRow; ROW_COUNT + 1];
}

/// The C table, without its trailing dummy row.
pub fn c_rows() -> &'static [CRow] {
    // SAFETY: build.rs defines the table with exactly `ROW_COUNT + 1` rows; it is never written.
    unsafe { &interfaces_abi_rows[..ROW_COUNT] }
}

/// Every difference between the two tables, as one sentence each.
pub fn differences() -> Vec<String> {
    let mut problems = Vec::new();
    for (rust, c) in RUST_ROWS.iter().zip(c_rows()) {
        let (ty, field) = (rust.rust_type, rust.rust_field);
        if rust.size != c.size {
            problems.push(format!(
                "{ty} is {} bytes but C's {} is {} bytes",
                rust.size, rust.c_struct, c.size
            ));
        }
        if rust.align != c.align {
            problems.push(format!(
                "{ty} is aligned to {} bytes but C's {} to {}",
                rust.align, rust.c_struct, c.align
            ));
        }
        if rust.offset != c.offset {
            problems.push(format!(
                "field {field} of {ty} is at offset {} but {}.{} in C is at offset {}",
                rust.offset, rust.c_struct, rust.c_field, c.offset
            ));
        }
    }
    problems.dedup();
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_generated_rmw_struct_has_the_layout_of_its_c_struct() {
        let types: BTreeSet<&str> = RUST_ROWS.iter().map(|r| r.rust_type).collect();
        assert!(
            !types.is_empty(),
            "no generated interface crate was found through AMENT_PREFIX_PATH: run the generator first"
        );
        assert_eq!(
            types.len(),
            EXPECTED_TYPES,
            "checked {} structs, but the .msg and .srv files of the generated packages define {}",
            types.len(),
            EXPECTED_TYPES
        );
        let problems = differences();
        assert!(
            problems.is_empty(),
            "{} layout differences:\n{}",
            problems.len(),
            problems.join("\n")
        );
        println!("{} structs, {} fields: all match C", types.len(), ROW_COUNT);
    }
}

//! Nothing to call: this package exists for its manifest. Cargo compiles a dependency with the
//! features that the packages a command selects ask of it, so the same rclrs came out six
//! different ways depending on whether a command built one exercise, its checks, or the whole
//! workspace; each way is a full compile of rclrs and of what depends on it. This package asks
//! every dependency the workspace's crates share for the union of those features, and is part
//! of every build the workbook runs (through the harness, or named with `--package`): one
//! compiled copy then serves every command. The test stage `build` proves it and names the
//! dependency to add here when a crate asks for a new feature.

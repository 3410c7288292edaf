//! Empty: a build script makes cargo resolve the build-dependencies, whose features are the
//! host side of the union this package asks for (see src/lib.rs).
fn main() {}

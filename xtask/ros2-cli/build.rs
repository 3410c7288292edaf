//! Links rosidl_runtime_c, whose string functions fill requests (rclrs' build script already
//! put every ROS prefix's `lib/` on the search path and links rcl, rcl_action and rcutils).

fn main() {
    println!("cargo:rustc-link-lib=dylib=rosidl_runtime_c");
    println!("cargo:rerun-if-changed=build.rs");
}

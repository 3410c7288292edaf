//! Wrong on purpose: prints a plausible answer without calling anything.
fn main() {
    println!("success: headlights on");
}

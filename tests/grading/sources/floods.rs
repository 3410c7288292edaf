//! Fixture: a program that prints without end, in lines of a megabyte, and never serves.

fn main() {
    let line = "x".repeat(1 << 20);
    loop {
        println!("{line}");
    }
}

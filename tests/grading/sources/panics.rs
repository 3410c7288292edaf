//! Fixture: a program that panics before it serves anything.

fn main() {
    panic!("the robot is on fire");
}

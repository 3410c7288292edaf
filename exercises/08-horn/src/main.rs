//! Exercise 8: the horn, a node crate of your own (book chapter 11, "A node crate from nothing").
//!
//! README.md next to Cargo.toml says what the program does. Start with Cargo.toml: until it
//! names the binary and the dependencies, nothing here can use ROS.

fn main() {
    // TODO 4: the whole program: a ROS context and an executor, the node `horn`, the service
    //   `/honk`, a Ctrl-C handler that stops the executor, a `ready` line, then spin. Give every
    //   step that can fail a context that says what failed (chapter 11, 'The program').
    todo!("write the horn (chapter 11, 'The program')")
}

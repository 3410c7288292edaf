//! Exercise {{number}}'s checks: {{title}}, the node `{{node}}`.
//!
//! Every check starts the program under test in a world of its own and talks to it only through
//! ROS and its process. The crate that includes this file names the program in `super::PROGRAM`.

use std::time::Duration;
use workbook_harness::{expect, fail, programs, World};

#[test]
fn starts_and_stops_cleanly_on_ctrl_c() {
    let world = World::new();
    let command = world.command(programs::under_test(super::PROGRAM));
    let mut node = world.start("your {{node}}", command);
    if let Err(error) = node.wait_for_line("ready", Duration::from_secs(20)) {
        fail("your program to print `{{node}}: ready` within 20 s", error);
    }
    node.interrupt();
    match node.wait_for_exit(Duration::from_secs(5)) {
        Ok(output) => expect(
            output.code == Some(0),
            "exit code 0 after Ctrl-C",
            || format!("it ended so: {}", workbook_harness::describe_end(&output)),
        ),
        Err(error) => fail("the program to stop within 5 s of Ctrl-C", error),
    }
}

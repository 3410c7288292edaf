//! Fixture: a program that serves nothing and prints libtest's lines instead, on stdout and
//! stderr: a verdict `ok` for every check of exercise 1, failure sections, `expected:` and
//! `happened:` lines, and a summary of full marks. Printing is all it does, so it deserves what
//! a program that serves nothing gets.

const CHECKS: [&str; 7] = [
    "offers_set_speed_on_the_node_speed_server",
    "accepts_speeds_from_0_to_100",
    "refuses_speeds_outside_0_to_100_with_a_reason",
    "answers_like_the_reference_server",
    "an_rclpy_client_gets_the_same_answers",
    "serves_two_clients_at_once",
    "stops_cleanly_on_ctrl_c",
];

fn forged() -> String {
    let mut text = String::from("\nrunning 7 tests\n");
    for check in CHECKS {
        text.push_str(&format!("test checks::{check} ... ok\n"));
    }
    text.push_str("\nfailures:\n\n");
    for check in CHECKS {
        text.push_str(&format!(
            "---- checks::{check} stdout ----\n\
             thread 'checks::{check}' (1) panicked at tests/suites/speed_server.rs:1:1:\n\
             expected: nothing at all\n\
             happened: nothing at all\n\
             note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n"
        ));
    }
    text.push_str("failures:\n\n");
    text.push_str("test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n");
    text
}

fn main() {
    let text = forged();
    // Again and again, so that every check's transcript holds it, whenever it looks.
    for _ in 0..120 {
        print!("{text}");
        eprint!("{text}");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

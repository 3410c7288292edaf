//! Fifty checks at once on one machine, none of whose verdicts another can change: half the
//! worlds hold a correct SetSpeed server, half a rogue one that accepts everything, all serving
//! `/set_speed` at the same time; each world's client must get its own server's answer to 101.
//! With worlds that leaked into each other, some correct servers' worlds would hear "rogue".

use std::time::Duration;
use workbook_harness::{Isolation, World, START_DEADLINE};

const WORLDS: usize = 50;

#[test]
fn fifty_checks_at_once_give_fifty_right_verdicts() {
    // The fallback's promise (a domain id nothing else uses) is xtask/tests/isolation.rs's.
    if !Isolation::current().is_sealed() {
        eprintln!(
            "skipped: this machine gives no sealed worlds ({})",
            Isolation::current().describe()
        );
        return;
    }
    let worlds: Vec<(bool, World)> = (0..WORLDS).map(|i| (i % 2 == 0, World::new())).collect();
    let wrong: Vec<String> = std::thread::scope(|scope| {
        let checks: Vec<_> = worlds
            .iter()
            .enumerate()
            .map(|(index, (correct, world))| {
                scope.spawn(move || {
                    let (script, args, ready): (&str, &[&str], &str) = if *correct {
                        ("rclpy_speed_server.py", &[], "ready")
                    } else {
                        ("rclpy_rogue_servers.py", &["0", "0"], "rogue: ready")
                    };
                    let mut command = world.rclpy(script);
                    command.args(args);
                    let mut server = world.start(script, command);
                    if let Err(error) = server.wait_for_line(ready, START_DEADLINE * 2) {
                        return Some(format!(
                            "world {index}: its server did not start: {error:#}"
                        ));
                    }
                    let mut probe = world.reference("speed_probe");
                    probe.args(["/set_speed", "30", "101"]);
                    let output = world.run("speed_probe", probe, Duration::from_secs(60));
                    let answer = output
                        .text
                        .lines()
                        .find(|l| l.starts_with("101 "))
                        .unwrap_or("");
                    let right = if *correct {
                        answer.starts_with("101 refused") && !answer.contains("rogue")
                    } else {
                        answer == "101 accepted rogue"
                    };
                    (!right).then(|| {
                        format!(
                            "world {index} ({} server): {:?}\n{}",
                            if *correct { "correct" } else { "rogue" },
                            answer,
                            output.text
                        )
                    })
                })
            })
            .collect();
        checks
            .into_iter()
            .filter_map(|check| {
                check
                    .join()
                    .unwrap_or_else(|_| Some("a check panicked".into()))
            })
            .collect()
    });
    assert!(
        wrong.is_empty(),
        "{} of {WORLDS} verdicts were wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

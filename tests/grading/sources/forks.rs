//! Fixture: a program that starts as many processes as it can, each in a process group of its
//! own (so killing the program's group misses them), and never serves.

use std::os::unix::process::CommandExt;
use std::process::Command;

fn main() {
    let mut started = 0;
    for _ in 0..3000 {
        match Command::new("sleep").arg("600").process_group(0).spawn() {
            Ok(_) => started += 1,
            Err(_) => break,
        }
    }
    println!("started {started} processes");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

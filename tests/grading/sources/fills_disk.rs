//! Fixture: a program that writes 1 GiB into its working folder and /tmp, in files of 64 MiB,
//! and never serves. Its writes must land nowhere but in the run's own small, limited folders.

use std::io::Write;

fn main() {
    let block = vec![7u8; 1 << 20];
    for folder in [".", "/tmp", "/dev/shm"] {
        for file in 0..16 {
            let path = format!("{folder}/fill-{file}.bin");
            let Ok(mut out) = std::fs::File::create(&path) else {
                println!("cannot create {path}");
                break;
            };
            let written = (0..64).take_while(|_| out.write_all(&block).is_ok()).count();
            println!("{path}: {written} MiB");
        }
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

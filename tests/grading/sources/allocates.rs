//! Fixture: a program that takes 4 GiB of memory, touching every page, and never serves. The
//! per-process address-space limit or the run's memory cgroup must stop it, not the grader's
//! machine.

fn main() {
    let mut taken: Vec<Vec<u8>> = Vec::new();
    for gib in 0..4 {
        let chunk = vec![1u8; 1 << 30];
        taken.push(chunk);
        println!("holding {} GiB", gib + 1);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

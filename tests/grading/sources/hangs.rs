//! Fixture: a program that never serves and ignores Ctrl-C, so only SIGKILL stops it.

fn main() {
    ctrlc::set_handler(|| {}).expect("a Ctrl-C handler");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

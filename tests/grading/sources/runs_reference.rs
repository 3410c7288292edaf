//! Fixture: a submission that, once running, copies the reference solution's source and then
//! turns itself into the reference program from the build output (@ROOT@ and @TARGET@ are the
//! workbook's folder and its target folder, filled in when the class is built).

use std::os::unix::process::CommandExt;

fn main() {
    let copied = std::fs::copy(
        "@ROOT@/solutions/01-speed-server/src/main.rs",
        "stolen-solution.rs",
    );
    eprintln!("copying the solution: {copied:?}");
    let error = std::process::Command::new("@TARGET@/debug/speed_server")
        .args(std::env::args().skip(1))
        .exec();
    eprintln!("running the reference program: {error}");
    std::process::exit(1);
}

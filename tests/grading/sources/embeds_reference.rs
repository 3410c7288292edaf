//! Fixture: a submission that carries the reference program inside itself, read at compile time
//! from the build output (@TARGET@ is the workbook's target folder, filled in when the class is
//! built), and turns into it when run. Its build must fail: a student's build sees only the
//! submission and the pristine workspace.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

static REFERENCE: &[u8] = include_bytes!("@TARGET@/debug/speed_server");

fn main() {
    let copy = std::env::temp_dir().join("speed_server");
    std::fs::write(&copy, REFERENCE).expect("a place to put the reference");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let error = std::process::Command::new(&copy)
        .args(std::env::args().skip(1))
        .exec();
    eprintln!("running the embedded reference program: {error}");
    std::process::exit(1);
}

//! A node killed while it created a Fast DDS port leaves an empty port file in /dev/shm, and a
//! node started later in that domain hangs at start-up waiting for the port to be initialised.
//! Claiming a domain clears such files, so a check never inherits a broken domain.

use std::path::PathBuf;
use workbook_harness::{Domain, World};

/// The file of the port a domain's first participant listens on (Fast DDS: 7400 + 250 × domain
/// + 11).
fn first_port_file(domain: u32) -> PathBuf {
    PathBuf::from(format!("/dev/shm/fastrtps_port{}", 7411 + 250 * domain))
}

#[test]
fn a_domain_with_an_empty_port_file_left_behind_still_works() {
    // The same process claims the same free id again (the search starts at a pid-based id).
    let id = Domain::claim().expect("a free domain").id();
    let left_behind = first_port_file(id);
    std::fs::write(&left_behind, b"").expect("/dev/shm is writable");

    // The machine's own /dev/shm matters here: only the fallback isolation shares it.
    let world = World::unsealed();
    assert_eq!(
        world.domain.id(),
        id,
        "the test needs the domain it prepared; another process took it"
    );
    assert!(
        !left_behind.exists(),
        "claiming domain {id} should remove the empty port file nobody holds"
    );
    let mut server = world.start_reference("speed_server", &[], "ready");
    server
        .stop()
        .expect("the server stops after starting normally");
}

//! The workbook's Fast DDS profile (`xtask/ros/fastdds.xml`, faster discovery on localhost)
//! reaches the programs it starts, and Fast DDS reads it without complaint. How fast discovery
//! then is, `cargo xtask bench` measures (a benchmark, not a timed test).

use std::time::Duration;
use system_tests::{ReferencePrograms, World, CALL_DEADLINE};
use workbook_harness::project_root;

/// What Fast DDS prints when it cannot read a profile.
const XML_ERROR: &str = "XMLPARSER";

fn profile() -> std::path::PathBuf {
    project_root().join("xtask/ros/fastdds.xml")
}

#[test]
fn every_program_gets_the_workbooks_profile() {
    if let Some(own) = std::env::var_os("FASTRTPS_DEFAULT_PROFILES_FILE") {
        if std::path::Path::new(&own) != profile() {
            eprintln!("a Fast DDS profile of your own is set ({own:?}); the workbook keeps it");
            return;
        }
    }
    let world = World::new();
    let mut shell = world.command("sh");
    shell.args([
        "-c",
        "echo \"$FASTRTPS_DEFAULT_PROFILES_FILE\"; echo \"$FASTDDS_DEFAULT_PROFILES_FILE\"",
    ]);
    let output = world.run("sh", shell, CALL_DEADLINE);
    let expected = profile().display().to_string();
    let seen: Vec<&str> = output.text.lines().collect();
    assert_eq!(
        seen,
        [expected.as_str(), expected.as_str()],
        "both profile variables (Fast DDS 2.x and 3.x) should name {expected}"
    );
    assert!(profile().is_file(), "{expected} should exist");
}

#[test]
fn a_node_reads_the_profile_without_complaint() {
    let world = World::new();
    let mut server = world.start_speed_server();
    let answer = world.speed_client(&["42"]);
    assert_eq!(
        answer.code,
        Some(0),
        "the call should be accepted:\n{}",
        answer.text
    );
    let output = server.stop().expect("speed_server stops");
    for text in [&output.text, &answer.text] {
        assert!(
            !text.contains(XML_ERROR),
            "Fast DDS could not read {}:\n{text}",
            profile().display()
        );
    }
}

#[test]
fn a_broken_profile_is_reported_by_fast_dds() {
    // The check above can fail: Fast DDS does say so when a profile is wrong.
    let broken = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(
        broken.path(),
        "<dds><profiles><participant profile_name=\"p\" is_default_profile=\"true\"><rtps>\
         <builtin><discovery_config><leaseAnnouncement><sec>soon</sec></leaseAnnouncement>\
         </discovery_config></builtin></rtps></participant></profiles></dds>",
    )
    .expect("write the broken profile");
    let world = World::new();
    let mut command = world.program("speed_server");
    command
        .env("FASTRTPS_DEFAULT_PROFILES_FILE", broken.path())
        .env("FASTDDS_DEFAULT_PROFILES_FILE", broken.path());
    let mut server = world.start("speed_server", command);
    let _ = server.wait_for_line("ready", Duration::from_secs(30));
    let output = server.stop().expect("speed_server stops");
    assert!(
        output.text.contains(XML_ERROR),
        "Fast DDS should report the broken profile:\n{}",
        output.text
    );
}

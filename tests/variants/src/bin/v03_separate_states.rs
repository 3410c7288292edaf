//! Wrong on purpose: each service has a robot of its own, so /get_status never sees a change.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_robot_status(workbook_variants::StateMistake::SeparateStates)
}

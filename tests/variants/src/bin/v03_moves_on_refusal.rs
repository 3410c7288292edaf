//! Wrong on purpose: a refused speed still becomes the current speed.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_robot_status(workbook_variants::StateMistake::MovesOnRefusal)
}

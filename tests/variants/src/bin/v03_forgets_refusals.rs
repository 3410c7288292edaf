//! Wrong on purpose: refused requests are not counted.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_robot_status(workbook_variants::StateMistake::ForgetsRefusals)
}

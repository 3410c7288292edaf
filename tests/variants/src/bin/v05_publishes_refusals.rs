//! Wrong on purpose: it publishes refused speeds as if the robot had taken them.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_speed_reporter(workbook_variants::TopicMistake::PublishesRefusals)
}

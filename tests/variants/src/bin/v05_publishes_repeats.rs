//! Wrong on purpose: it publishes on every accepted request, even when the speed did not change.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_speed_reporter(workbook_variants::TopicMistake::PublishesRepeats)
}

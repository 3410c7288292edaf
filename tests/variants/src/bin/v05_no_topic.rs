//! Wrong on purpose: it serves the request but never publishes the speed.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_speed_reporter(workbook_variants::TopicMistake::NoTopic)
}

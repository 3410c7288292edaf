//! Wrong on purpose: it reads max_speed once at start, so a change while it runs does nothing.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_max_speed(workbook_variants::ParameterMistake::ReadsOnce)
}

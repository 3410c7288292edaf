//! Wrong on purpose: every answer is honk 1: the count is never kept.
fn main() -> anyhow::Result<()> {
    use workbook_variants::horn::{serve_horn, HornMistake};
    serve_horn(HornMistake::ForgetsCount)
}

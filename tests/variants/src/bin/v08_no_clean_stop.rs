//! Wrong on purpose: no Ctrl-C handling, so SIGINT kills the process instead of stopping it.
fn main() -> anyhow::Result<()> {
    use workbook_variants::horn::{serve_horn, HornMistake};
    serve_horn(HornMistake::NoCleanStop)
}

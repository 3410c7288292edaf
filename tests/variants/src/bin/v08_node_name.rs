//! Wrong on purpose: the node is called horn_node, not horn.
fn main() -> anyhow::Result<()> {
    use workbook_variants::horn::{serve_horn, HornMistake};
    serve_horn(HornMistake::NodeName)
}

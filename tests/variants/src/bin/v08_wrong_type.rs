//! Wrong on purpose: /honk is a SetBool service, not a Trigger one.
fn main() -> anyhow::Result<()> {
    use workbook_variants::horn::{serve_horn, HornMistake};
    serve_horn(HornMistake::ServiceType)
}

//! Wrong on purpose: a guessed service name instead of the one the graph shows.
fn main() -> std::process::ExitCode {
    workbook_variants::mystery_client("/headlights/switch", true)
}

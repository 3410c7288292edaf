//! Wrong on purpose: the right service, but `data: false`, which switches the lights off.
fn main() -> std::process::ExitCode {
    workbook_variants::mystery_client("/robot/headlights/switch", false)
}

//! Wrong on purpose: each answer is awaited inside the timer callback, so requests go out one at a time.
fn main() -> std::process::ExitCode {
    workbook_variants::async_client(workbook_variants::AsyncMistake::WaitsInTurn)
}

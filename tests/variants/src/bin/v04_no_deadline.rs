//! Wrong on purpose: answers are awaited with no deadline, so a silent server hangs it.
fn main() -> std::process::ExitCode {
    workbook_variants::async_client(workbook_variants::AsyncMistake::NoDeadline)
}

//! Wrong on purpose: it gives up on the whole run when the first request finds no server.
fn main() -> std::process::ExitCode {
    workbook_variants::async_client(workbook_variants::AsyncMistake::QuitsWithoutServer)
}

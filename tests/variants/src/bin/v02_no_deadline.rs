//! Wrong on purpose: waits for the server with a deadline but for the answer without one, so a
//! server that never answers hangs it forever.
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let speed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    workbook_variants::client_exit(workbook_variants::call_set_speed("/set_speed", speed, None))
}

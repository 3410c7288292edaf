//! Wrong on purpose: ignores --service and always calls /set_speed.
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let speed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let timeout = Some(std::time::Duration::from_secs(3));
    workbook_variants::client_exit(workbook_variants::call_set_speed(
        "/set_speed",
        speed,
        timeout,
    ))
}

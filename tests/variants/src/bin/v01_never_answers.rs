//! Wrong on purpose: the callback waits forever, so no request is ever answered.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed(
        "/set_speed",
        |_| loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        true,
    )
}

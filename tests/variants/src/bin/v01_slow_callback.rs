//! Wrong on purpose: the callback sleeps 3 s before it answers, so every answer comes seconds
//! late and the executor serves nobody meanwhile. Every answer is still right: only a check of
//! how promptly the server answers can catch it. Exercises 3, 5 and 7 serve `/set_speed` too,
//! and their suites run it as well.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed(
        "/set_speed",
        |request| {
            std::thread::sleep(std::time::Duration::from_secs(3));
            workbook_variants::decide(request.speed)
        },
        true,
    )
}

//! Wrong on purpose: it crashes on a speed it should refuse, taking the robot down.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed(
        "/set_speed",
        |r| {
            let response = workbook_variants::decide(r.speed);
            assert!(response.success, "speed {} out of range", r.speed);
            response
        },
        true,
    )
}

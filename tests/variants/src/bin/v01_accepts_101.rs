//! Wrong on purpose: the classic off-by-one, accepting 101.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed(
        "/set_speed",
        |r| workbook_variants::decide_between(r.speed, 0, 101),
        true,
    )
}

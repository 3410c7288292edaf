//! Wrong on purpose: no Ctrl-C handling, so SIGINT kills the process instead of stopping it.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed("/set_speed", |r| workbook_variants::decide(r.speed), false)
}

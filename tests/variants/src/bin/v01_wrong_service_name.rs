//! Wrong on purpose: a typo in the service name (`/setspeed`), so no client finds it.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_set_speed("/setspeed", |r| workbook_variants::decide(r.speed), true)
}

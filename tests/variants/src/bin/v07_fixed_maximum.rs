//! Wrong on purpose: it never declares max_speed, so the maximum stays 100.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_max_speed(workbook_variants::ParameterMistake::FixedMaximum)
}

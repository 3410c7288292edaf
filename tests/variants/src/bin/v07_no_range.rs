//! Wrong on purpose: it declares max_speed without its range, so 5000 is taken.
fn main() -> anyhow::Result<()> {
    workbook_variants::serve_max_speed(workbook_variants::ParameterMistake::NoRange)
}

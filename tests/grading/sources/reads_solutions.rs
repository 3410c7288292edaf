//! Fixture: a submission that reads the reference solution's source while it is compiled
//! (@ROOT@ is the workbook's folder, filled in when the class is built).

const STOLEN: &str = include_str!("@ROOT@/solutions/01-speed-server/src/main.rs");

fn main() {
    println!("{}", STOLEN.len());
}

//! Fixture: a program that leaves a double-forked daemon behind, in a session of its own, which
//! wakes up after the grade is written and tries to change it (@ROOT@ is the workbook's folder).
//! It never serves, and the daemon must die with the check's world.

fn main() {
    let script = "sleep 20; echo 'eve-leaves-a-daemon,15' >> ../../../grades.csv; \
                  echo late > @ROOT@/exercises/eve-was-here.txt";
    let started = std::process::Command::new("setsid")
        .args(["sh", "-c", &format!("({script}) &")])
        .status();
    println!("daemon started: {started:?}");
}

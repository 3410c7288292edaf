//! Fixture: a submission whose compilation never ends (a constant the compiler evaluates by
//! counting to 2^64). Its build must be stopped at the rubric's build deadline, without making
//! the classmates graded beside it wait.

#![allow(long_running_const_eval)]

const COUNTED: u64 = {
    let mut count: u64 = 0;
    while count < u64::MAX {
        count = count.wrapping_add(1);
    }
    count
};

fn main() {
    println!("{COUNTED}");
}

//! Grading students side by side: a queue of submissions, `--jobs` workers taking from it, the
//! table row of each student printed as it is graded under a progress bar, and Ctrl-C (or
//! SIGTERM) stopping every process of the run before the grader leaves.

use super::grader::Grader;
use super::report::StudentReport;
use super::submissions;
use super::table::{print_header, print_row};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};

/// Grades every submission in `paths` with `jobs` workers; the reports sorted by student id.
pub fn grade_all(grader: &Arc<Grader>, paths: Vec<PathBuf>, jobs: usize) -> Vec<StudentReport> {
    // Ctrl-C (or SIGTERM) while grading: stop every process of this run before leaving.
    {
        let sandbox = grader.sandbox.clone();
        let run_id = grader.run_id.clone();
        let _ = ctrlc::set_handler(move || {
            let stopped = sandbox.sweep_run(&run_id);
            eprintln!(
                "\n  interrupted: stopped {stopped} processes of this grading run; no grades written"
            );
            std::process::exit(130);
        });
    }

    // Student ids, made unique (two archives may differ only in characters made safe).
    let mut seen = BTreeMap::<String, usize>::new();
    let queue: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|path| {
            let id = submissions::student_id(&path);
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            let id = if *n == 1 { id } else { format!("{id}-{n}") };
            (path, id)
        })
        .collect();
    let total = queue.len();
    let queue = Arc::new(Mutex::new(queue.into_iter()));
    let (sender, results) = mpsc::channel::<StudentReport>();
    let jobs = jobs.max(1).min(total.max(1));
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let queue = Arc::clone(&queue);
        let sender = sender.clone();
        let grader = Arc::clone(grader);
        workers.push(std::thread::spawn(move || loop {
            let next = queue.lock().expect("queue").next();
            let Some((path, id)) = next else { break };
            let report = grader.grade(&path, id);
            if sender.send(report).is_err() {
                break;
            }
        }));
    }
    drop(sender);

    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "  {bar:30.cyan/blue} {pos}/{len} students  {elapsed} (about {eta} left)",
        )
        .expect("a valid template")
        .progress_chars("█▉▊▋▌▍▎▏ "),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    print_header(&grader.exercises);
    let mut students = Vec::new();
    for report in results {
        bar.suspend(|| print_row(&report, &grader.exercises));
        bar.inc(1);
        students.push(report);
    }
    bar.finish_and_clear();
    for worker in workers {
        let _ = worker.join();
    }
    students.sort_by(|a, b| a.id.cmp(&b.id));
    students
}

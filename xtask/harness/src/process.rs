//! Programs under test as guarded processes.
//!
//! Every program starts in a process group of its own; dropping its [`NodeProcess`] sends SIGINT
//! to the group, waits briefly, then SIGKILLs it, so nothing a test started outlives the test,
//! whether it passed, failed or panicked. Each program also gets `PR_SET_PDEATHSIG`: if the
//! process that started it dies without dropping the guard (SIGKILL, a closed terminal), the
//! kernel kills the program too. The guard must therefore live on the thread that started the
//! program (the signal follows the starting thread). Every wait takes a deadline and, when it runs out, says
//! what was awaited and what the program printed so far.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Time a program gets to stop after SIGINT before it is killed.
const GRACE: Duration = Duration::from_secs(3);
/// The most of a program's output kept in its transcript; a program that floods its output
/// (a student's `loop { println!(..) }`) costs this much memory, not all of it.
pub const TRANSCRIPT_LIMIT: usize = 256 * 1024;
/// Lines longer than this are cut (a flood without newlines is still bounded); a benchmark
/// client's one-line JSON of 2000 samples fits.
const LINE_LIMIT: usize = 64 * 1024;
/// How long, once a program has ended, its output may still take to arrive.
const DRAIN: Duration = Duration::from_secs(1);
/// Lines waiting for [`NodeProcess::wait_for_line`]; under a flood the newest are dropped.
const PENDING_LINES: usize = 1_000;

/// A running program. Dropping it stops the program and everything it started.
#[derive(Debug)]
pub struct NodeProcess {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    transcript: Arc<Mutex<String>>,
    exited: Option<ExitStatus>,
    /// Output streams whose reader has not reached their end yet.
    open_streams: Arc<AtomicUsize>,
}

/// What a program that ran to its end printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code, or `None` when a signal ended the program.
    pub code: Option<i32>,
    /// The signal that ended the program, if one did.
    pub signal: Option<i32>,
    /// Standard output and standard error, interleaved as they arrived.
    pub text: String,
}

impl NodeProcess {
    /// Starts `command` as `name` (used in messages), with stdout and stderr captured.
    pub fn start(name: &str, mut command: Command) -> Result<NodeProcess> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        crate::signals::with_parent_death_signal(&mut command);
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {name} ({command:?})"))?;
        let (sender, lines) = mpsc::sync_channel(PENDING_LINES);
        let open_streams = Arc::new(AtomicUsize::new(0));
        let transcript = Arc::new(Mutex::new(String::new()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let sender = sender.clone();
            let transcript = Arc::clone(&transcript);
            let open = Arc::clone(&open_streams);
            open.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let _at_the_end = StreamEnded(open);
                let mut reader = BufReader::new(stream);
                let mut dropped = 0usize;
                while let Some(line) = read_line(&mut reader) {
                    if let Ok(mut all) = transcript.lock() {
                        if all.len() + line.len() < TRANSCRIPT_LIMIT {
                            all.push_str(&line);
                            all.push('\n');
                        } else {
                            if dropped == 0 {
                                all.push_str("[... output cut: more than 256 KiB ...]\n");
                            }
                            dropped += line.len() + 1;
                        }
                    }
                    match sender.try_send(line) {
                        Ok(()) | Err(TrySendError::Full(_)) => {}
                        Err(TrySendError::Disconnected(_)) => break,
                    }
                }
            });
        }
        Ok(NodeProcess {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            lines,
            transcript,
            exited: None,
            open_streams,
        })
    }

    /// The operating system's id of the process (and of its process group).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the program printed so far.
    pub fn transcript(&self) -> String {
        self.transcript
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// From here on, [`NodeProcess::wait_for_line`] looks only at lines printed after this call
    /// (it otherwise also finds a line printed before and not waited for yet).
    pub fn skip_printed_lines(&mut self) {
        while self.lines.try_recv().is_ok() {}
    }

    /// Waits until the program prints a line containing `needle`, and returns that line.
    pub fn wait_for_line(&mut self, needle: &str, deadline: Duration) -> Result<String> {
        let end = Instant::now() + deadline;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Ok(line),
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => bail!(
                    "{} did not print \"{needle}\" within {:.1} s; it printed:\n{}",
                    self.name,
                    deadline.as_secs_f64(),
                    indent(&self.transcript())
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.ended_before(&format!("printing \"{needle}\"")))
                }
            }
        }
    }

    /// Waits for the program to end on its own.
    pub fn wait_for_exit(&mut self, deadline: Duration) -> Result<Output> {
        let end = Instant::now() + deadline;
        loop {
            if let Some(status) = self.try_status()? {
                // Let the readers take in what is left in the pipes: until both streams end
                // (every writer gone), or a second (a process that detached may hold them).
                let drain_end = Instant::now() + DRAIN;
                while self.open_streams.load(Ordering::SeqCst) > 0 && Instant::now() < drain_end {
                    while self.lines.try_recv().is_ok() {}
                    thread::sleep(Duration::from_millis(5));
                }
                while self.lines.try_recv().is_ok() {}
                return Ok(Output {
                    code: status.code(),
                    signal: status.signal(),
                    text: self.transcript(),
                });
            }
            if Instant::now() >= end {
                bail!(
                    "{} was still running after {:.1} s; it printed:\n{}",
                    self.name,
                    deadline.as_secs_f64(),
                    indent(&self.transcript())
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// How the program ended, if it has (without waiting).
    pub fn finished(&mut self) -> Option<Output> {
        match self.try_status() {
            Ok(Some(_)) => self.wait_for_exit(Duration::ZERO).ok(),
            _ => None,
        }
    }

    /// Sends SIGINT (Ctrl-C) to the program's process group, as a terminal would.
    pub fn interrupt(&self) {
        self.signal_group(libc::SIGINT);
    }

    /// Stops the program: SIGINT, then SIGKILL after a grace period. Returns how it ended.
    pub fn stop(&mut self) -> Result<Output> {
        if self.try_status()?.is_none() {
            self.interrupt();
            if let Ok(output) = self.wait_for_exit(GRACE) {
                self.signal_group(libc::SIGKILL);
                return Ok(output);
            }
        }
        self.signal_group(libc::SIGKILL);
        self.wait_for_exit(GRACE)
    }

    /// Writes `line` and a newline to the program's standard input.
    pub fn send_line(&mut self, line: &str) -> Result<()> {
        use std::io::Write;
        let stdin = self
            .stdin
            .as_mut()
            .with_context(|| format!("the standard input of {} is closed", self.name))?;
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .with_context(|| format!("cannot write to {}", self.name))
    }

    /// The lines the program prints from now (or since the last wait) up to a line that is
    /// exactly `end`, which is left out; fails when the program ends first or `deadline` passes.
    pub fn lines_until(&mut self, end: &str, deadline: Duration) -> Result<Vec<String>> {
        let until = Instant::now() + deadline;
        let mut lines = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.trim_end() == end => return Ok(lines),
                Ok(line) => lines.push(line),
                Err(RecvTimeoutError::Timeout) => bail!(
                    "{} did not finish its answer within {:.1} s; it printed:\n{}",
                    self.name,
                    deadline.as_secs_f64(),
                    indent(&self.transcript())
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.ended_before("it finished its answer"))
                }
            }
        }
    }

    /// The error for a program whose output ended before `what`: how it ended, what it printed.
    fn ended_before(&mut self, what: &str) -> anyhow::Error {
        let status = self.wait_for_exit(Duration::from_secs(2)).ok();
        anyhow::anyhow!(
            "{} ended ({}) before {what}; it printed:\n{}",
            self.name,
            status
                .map(|output| crate::ending::describe_end(&output))
                .unwrap_or_else(|| "still closing".into()),
            indent(&self.transcript())
        )
    }

    /// Closes the program's standard input.
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    fn try_status(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self
                .child
                .try_wait()
                .with_context(|| format!("cannot query the state of {}", self.name))?;
        }
        Ok(self.exited)
    }

    fn signal_group(&self, signal: i32) {
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-group, signal);
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        // The group may hold children even when the leader has exited: always kill the group.
        if matches!(self.try_status(), Ok(None)) {
            self.interrupt();
            let end = Instant::now() + GRACE;
            while Instant::now() < end && matches!(self.try_status(), Ok(None)) {
                thread::sleep(Duration::from_millis(20));
            }
        }
        self.signal_group(libc::SIGKILL);
        let _ = self.child.wait();
    }
}

/// Counts a reader's stream as ended when the reader stops, however it stops.
struct StreamEnded(Arc<AtomicUsize>);

impl Drop for StreamEnded {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `command` to its end within `deadline`, killing it (and its group) if it takes longer.
pub fn run_to_end(name: &str, command: Command, deadline: Duration) -> Result<Output> {
    let mut process = NodeProcess::start(name, command)?;
    process.close_stdin();
    process.wait_for_exit(deadline)
}

/// One line of `reader` without its newline, cut at [`LINE_LIMIT`] bytes (the rest of a longer
/// line is read and thrown away); `None` at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = Vec::new();
    let mut ended = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => {
                ended = true;
                break;
            }
        };
        if buffer.is_empty() {
            ended = true;
            break;
        }
        let (chunk, found) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (&buffer[..at], Some(at + 1)),
            None => (buffer, None),
        };
        let room = LINE_LIMIT.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = found.unwrap_or(buffer.len());
        reader.consume(used);
        if found.is_some() {
            break;
        }
    }
    if ended && line.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

fn indent(text: &str) -> String {
    if text.trim().is_empty() {
        return "    (nothing)".to_string();
    }
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) mod tests;

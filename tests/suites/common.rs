//! What several suites share, because several exercises serve `/set_speed`: waiting until a
//! SetSpeed client can call it, and the lesson that a server's callback answers at once. Each
//! exercise's `tests/check.rs` includes this file beside its suite, as `crate::common`; the
//! harness itself knows no exercise.

// Each suite uses the part of this file its exercise needs.
#![allow(dead_code)]

use anyhow::{bail, Result};
use std::time::Duration;
use workbook_harness::{describe_end, expect, fail, tail, NodeProcess, World};

/// Waits until a client can call the SetSpeed service `service`, as the Rust `speed_probe` sees
/// it (quicker to start than the rclpy graph reader); gives up as soon as `server` exits. For the
/// checks that only need the program to be up; names and types are
/// [`World::wait_for_service`]'s job.
pub fn wait_until_callable(
    world: &World,
    service: &str,
    deadline: Duration,
    server: &mut NodeProcess,
) -> Result<()> {
    let mut command = world.reference("speed_probe");
    command.arg(service).arg(deadline.as_secs().to_string());
    match world.wait_for_probe("speed_probe", command, service, deadline, Some(server)) {
        Ok(_) => Ok(()),
        Err(error) => bail!("{error}"),
    }
}

/// How long each call of a [`Probe`] may wait for its answer.
const PROBE_CALL_TIMEOUT: Duration = Duration::from_secs(3);

/// A `speed_probe` that stays up for a whole check: one node, so the check pays for discovery
/// once, however many times it asks (each new probe process costs a few tenths of a second
/// before its first call, more on a loaded machine).
pub struct Probe {
    process: NodeProcess,
}

impl Probe {
    /// Starts a probe and waits until it can call the SetSpeed service `service`, at most
    /// `deadline`; gives up as soon as `server` exits, saying how it ended.
    pub fn start(
        world: &World,
        service: &str,
        deadline: Duration,
        server: &mut NodeProcess,
    ) -> Result<Probe> {
        let mut command = world.reference("speed_probe");
        command
            .arg(service)
            .arg(deadline.as_secs_f64().to_string())
            .arg(format!("timeout:{}", PROBE_CALL_TIMEOUT.as_secs_f64()))
            .arg("stdin");
        let mut process = NodeProcess::start("speed_probe", command)?;
        let give_up = std::time::Instant::now() + deadline + Duration::from_secs(15);
        loop {
            match process.wait_for_line("ready", Duration::from_millis(50)) {
                Ok(_) => return Ok(Probe { process }),
                Err(error) => {
                    if let Some(ended) = process.finished() {
                        bail!("{}", ended.text.trim());
                    }
                    if let Some(ended) = server.finished() {
                        bail!(
                            "the program ended before it offered {service} ({})",
                            describe_end(&ended)
                        );
                    }
                    if std::time::Instant::now() > give_up {
                        return Err(error);
                    }
                }
            }
        }
    }

    /// Asks `items` (speeds, `status`, `pause:<seconds>`) and returns the probe's lines for
    /// them: `<speed> accepted|refused <message>`, `<speed> no-answer` (the last line then),
    /// `status speed=…`; not the probe's own notes (`speed_probe: no answer after 3.0 s`).
    pub fn ask(&mut self, items: &[&str]) -> Result<Vec<String>> {
        self.process.send_line(&items.join(" "))?;
        // Every call may take its whole timeout; a pause is counted as a call.
        let calls = u32::try_from(items.len()).unwrap_or(u32::MAX);
        let lines = self
            .process
            .lines_until("end", PROBE_CALL_TIMEOUT * calls + Duration::from_secs(5))?;
        Ok(lines
            .into_iter()
            .filter(|line| !line.starts_with("speed_probe: "))
            .collect())
    }
}

impl Drop for Probe {
    /// Closes the probe's standard input, so it shuts ROS down and exits as any node should
    /// (its files in `/dev/shm` go with it), before its guard stops whatever is left.
    fn drop(&mut self) {
        self.process.close_stdin();
        let _ = self.process.wait_for_exit(Duration::from_secs(1));
    }
}

/// How many requests the promptness check times.
const PROMPT_REQUESTS: [i32; 5] = [10, 20, 30, 40, 50];
/// The longest one of them may take before the probe gives up on it.
const PROMPT_GIVE_UP: Duration = Duration::from_secs(3);
/// The bound the median answer must meet: the reference answers in a few milliseconds, a loaded
/// 2-core machine in tens; a callback that sleeps, spins or waits for seconds cannot.
pub const PROMPT_BOUND: Duration = Duration::from_secs(1);

/// How long each of `speeds` took to be answered by `service`, from one probe node (so
/// discovery is paid once, before the first request): `Err` with what happened when one got no
/// answer within [`PROMPT_GIVE_UP`].
pub fn answer_times(world: &World, service: &str, speeds: &[i32]) -> Result<Vec<f64>, String> {
    let mut command = world.reference("speed_probe");
    command
        .env("SPEED_PROBE_TIMES", "1")
        .arg(service)
        .arg(PROMPT_GIVE_UP.as_secs_f64().to_string());
    command.args(speeds.iter().map(|s| s.to_string()));
    let output = world.run("speed_probe", command, Duration::from_secs(30));
    let times: Vec<f64> = output
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("took ")?.trim().parse().ok())
        .collect();
    if times.len() < speeds.len() {
        let speed = speeds[times.len()];
        let answered = if times.is_empty() {
            "no request was answered".to_string()
        } else {
            format!("{} of {} were answered", times.len(), speeds.len())
        };
        return Err(format!(
            "speed {speed} got no answer within {} s ({answered})",
            PROMPT_GIVE_UP.as_secs()
        ));
    }
    Ok(times)
}

/// Fails unless the server behind `/set_speed` answers promptly: the median of five answers
/// within [`PROMPT_BOUND`]. When it does not, says the likely cause: a callback that blocks.
pub fn answers_promptly(world: &World, server: &mut NodeProcess) {
    let expected = format!(
        "each request answered at once: the median of {} answers within {} s (the reference \
         answers in milliseconds)",
        PROMPT_REQUESTS.len(),
        PROMPT_BOUND.as_secs()
    );
    let times = match answer_times(world, "/set_speed", &PROMPT_REQUESTS) {
        Ok(times) => times,
        Err(happened) => {
            let cause = match server.finished() {
                Some(ended) => format!(
                    "your server ended meanwhile ({}); it printed:\n{}",
                    describe_end(&ended),
                    tail(&ended.text, 10)
                ),
                None => "your server was running and had the request: its callback did not \
                         return in time. Does it sleep, spin an executor or wait for \
                         something? A callback must compute the answer and return it."
                    .to_string(),
            };
            fail(expected, format!("{happened}\n{cause}"))
        }
    };
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    expect(median <= PROMPT_BOUND.as_secs_f64(), expected, || {
        let list: Vec<String> = times.iter().map(|t| format!("{t:.2} s")).collect();
        format!(
            "the answers took {}: your callback keeps each request waiting. Does it sleep, \
             spin an executor or wait for something? A callback must compute the answer and \
             return it.",
            list.join(", ")
        )
    });
}

/// Starts the reference `silent_server` (a SetSpeed server on `/set_speed` that takes every
/// request and never answers) with `args`, and waits for its line `until` (`started` once its
/// node exists, `ready` once it serves).
pub fn start_silent(world: &World, args: &[&str], until: &str) -> NodeProcess {
    let mut command = world.reference("silent_server");
    command.args(args);
    let mut silent = world.start("silent_server", command);
    if let Err(error) = silent.wait_for_line(until, Duration::from_secs(30)) {
        fail("the silent server (it never answers) to start", error);
    }
    silent
}

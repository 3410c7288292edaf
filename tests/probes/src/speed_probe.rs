//! `speed_probe`: calls a robot's services many times from one node, so a check pays for
//! discovery once instead of once per call.
//!
//!     speed_probe <set_speed service> <timeout-seconds> <item>...
//!
//! Each item is a speed (a SetSpeed call) or the word `status` (a GetStatus call on the
//! `get_status` service next to the SetSpeed one). Prints one line per item, in order:
//! `<speed> accepted <message>`, `<speed> refused <message>`, `<speed> no-answer`, or
//! `status speed=<n> accepted_count=<n> refused_count=<n> uptime_seconds=<x>`. The item
//! `pause:<seconds>` waits that long and prints nothing.
//! With no items (or only `timeout:` and `stdin`) it first waits until a server of the SetSpeed
//! service is there and prints `ready`. Exits 0 when every call was answered, 2 when a service never appeared or a call got no answer
//! within the timeout (each call has the whole timeout).
//!
//! The item `timeout:<seconds>` sets the timeout of the calls after it (the command line's
//! timeout is then only the wait for the service). The item `stdin`, last, keeps the probe up
//! once the items before it are done: it reads more items from standard input, a line at a time
//! (separated by spaces), answers them as above, and prints `end` after each line's answers (also
//! after a `no-answer`), until standard input closes; so a check pays for discovery once however
//! many times it asks.
//!
//! With `SPEED_PROBE_TIMES` set in its environment, each answer's line is followed by
//! `took <seconds>`: how long that answer took from the request to its arrival (a line no other
//! reader of the probe's output parses, since it starts with no speed).

use anyhow::{bail, Context as _, Result};
use rclrs::{
    Client, Context, CreateBasicExecutor, Executor, IntoPrimitiveOptions, Promise, SpinOptions,
};
use ros_env::robot_interfaces::srv::{
    GetStatus, GetStatus_Request, GetStatus_Response, SetSpeed, SetSpeed_Request, SetSpeed_Response,
};
use std::process::ExitCode;
use std::time::Duration;

mod teardown;

fn main() -> ExitCode {
    match probe() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(error) => {
            eprintln!("speed_probe: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// One thing to ask the robot.
enum Item {
    Speed(i32),
    Status,
    /// `pause:<seconds>`: waits that long before the next item (prints nothing).
    Pause(Duration),
    /// `timeout:<seconds>`: the timeout of every call after it.
    Timeout(Duration),
    /// `stdin`: then the items of each line of standard input.
    Stdin,
}

/// Reads one item.
fn item(s: &str) -> Result<Item> {
    let seconds = |rest: &str, what: &str| {
        rest.parse()
            .map(Duration::from_secs_f64)
            .with_context(|| format!("{s}: {what} is `{what}:<seconds>`"))
    };
    match s {
        "status" => Ok(Item::Status),
        "stdin" => Ok(Item::Stdin),
        _ if s.starts_with("pause:") => seconds(&s["pause:".len()..], "pause").map(Item::Pause),
        _ if s.starts_with("timeout:") => {
            seconds(&s["timeout:".len()..], "timeout").map(Item::Timeout)
        }
        _ => s.parse().map(Item::Speed).with_context(|| {
            format!("{s} is neither an i32, `status`, `stdin`, `pause:` nor `timeout:`")
        }),
    }
}

fn probe() -> Result<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, timeout, items @ ..] = args.as_slice() else {
        bail!(
            "usage: speed_probe <set_speed service> <timeout-seconds> <speed|status|pause:SECS>..."
        );
    };
    let timeout = Duration::from_secs_f64(timeout.parse().context("timeout in seconds")?);
    let items: Vec<Item> = items.iter().map(|s| item(s)).collect::<Result<_>>()?;
    let status_service = match service.strip_suffix("set_speed") {
        Some(namespace) => format!("{namespace}get_status"),
        None => "/get_status".to_string(),
    };

    let context = Context::new([], rclrs::InitOptions::default()).context("ROS 2 init")?;
    let executor = context.create_basic_executor();
    let node = executor.create_node("speed_probe")?;
    // Every client of a service receives every answer the server sends, to any client, and
    // throws away the ones that are not its own only when it takes them. With the default
    // history of 10, a probe that falls behind while other clients call the same server loses
    // its own answer among theirs; keeping all of them makes that impossible.
    // ANCHOR: keep_all
    let set_speed = node.create_client::<SetSpeed>(service.as_str().keep_all())?;
    // ANCHOR_END: keep_all
    let get_status = node.create_client::<GetStatus>(status_service.as_str().keep_all())?;
    let wants_status = items.iter().any(|i| matches!(i, Item::Status));
    let mut robot = Robot {
        executor,
        set_speed,
        get_status,
        timeout,
        times: std::env::var_os("SPEED_PROBE_TIMES").is_some(),
        status_ready: wants_status,
    };
    // Declared after everything of ROS (the robot holds the executor and clients), so it drops
    // first and its deadline covers all of their shutdown: destroying a client is where Fast DDS
    // was seen to hang when another node leaves at the same moment.
    let _deadline = teardown::Deadline::new("speed_probe");
    // With no items to ask now (none, or only what shapes later ones), the probe waits until
    // the SetSpeed service can be called and says `ready`.
    let only_waits = items
        .iter()
        .all(|i| matches!(i, Item::Timeout(_) | Item::Stdin));
    let wants_speed = only_waits || items.iter().any(|i| matches!(i, Item::Speed(_)));
    if wants_speed && !wait_for(&mut robot.executor, &robot.set_speed, timeout)? {
        println!("{service} never appeared");
        return Ok(false);
    }
    if wants_status && !wait_for(&mut robot.executor, &robot.get_status, timeout)? {
        println!("{status_service} never appeared");
        return Ok(false);
    }
    if only_waits {
        println!("ready");
    }
    for item in items {
        if let Item::Stdin = item {
            return robot.follow_stdin();
        }
        if !robot.ask(item)? {
            return Ok(false);
        }
    }
    teardown::set_exit_code(0);
    Ok(true)
}

/// The probe's node, ready to ask.
struct Robot {
    executor: Executor,
    set_speed: Client<SetSpeed>,
    get_status: Client<GetStatus>,
    /// Each call's timeout.
    timeout: Duration,
    /// Whether each answer's line is followed by how long it took.
    times: bool,
    /// Whether the GetStatus service was seen (waited for before the first status call).
    status_ready: bool,
}

impl Robot {
    /// Asks one item and prints its line; false when a call got no answer (or GetStatus never
    /// appeared).
    fn ask(&mut self, item: Item) -> Result<bool> {
        match item {
            Item::Speed(speed) => {
                let sent = std::time::Instant::now();
                let promise = self
                    .set_speed
                    .call::<_, SetSpeed_Response>(&SetSpeed_Request { speed })?;
                match answer(&mut self.executor, promise, self.timeout) {
                    Some(response) => {
                        let took = sent.elapsed().as_secs_f64();
                        let verdict = if response.success {
                            "accepted"
                        } else {
                            "refused"
                        };
                        println!("{speed} {verdict} {}", response.message);
                        if self.times {
                            println!("took {took:.3}");
                        }
                    }
                    None => {
                        println!("{speed} no-answer");
                        return Ok(false);
                    }
                }
            }
            Item::Pause(pause) => std::thread::sleep(pause),
            Item::Timeout(timeout) => self.timeout = timeout,
            Item::Stdin => bail!("`stdin` can only be the last item"),
            Item::Status => {
                if !self.status_ready {
                    if !wait_for(&mut self.executor, &self.get_status, self.timeout)? {
                        println!("{} never appeared", self.get_status.service_name());
                        return Ok(false);
                    }
                    self.status_ready = true;
                }
                let promise = self
                    .get_status
                    .call::<_, GetStatus_Response>(&GetStatus_Request::default())?;
                match answer(&mut self.executor, promise, self.timeout) {
                    Some(s) => println!(
                        "status speed={} accepted_count={} refused_count={} uptime_seconds={:.3}",
                        s.speed, s.accepted_count, s.refused_count, s.uptime_seconds
                    ),
                    None => {
                        println!("status no-answer");
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }

    /// The `stdin` item: each line's items, then `end`, until standard input closes. Exits 0
    /// when every call of every line was answered.
    fn follow_stdin(&mut self) -> Result<bool> {
        use std::io::{BufRead, Write};
        let mut all_answered = true;
        for line in std::io::stdin().lock().lines() {
            let line = line.context("reading standard input")?;
            for word in line.split_whitespace() {
                let answered = match item(word) {
                    // `ask` refuses a second `stdin`.
                    Ok(next) => self.ask(next)?,
                    Err(error) => {
                        println!("error {error:#}");
                        false
                    }
                };
                if !answered {
                    all_answered = false;
                    break;
                }
            }
            println!("end");
            std::io::stdout().flush()?;
        }
        if all_answered {
            teardown::set_exit_code(0);
        }
        Ok(all_answered)
    }
}

/// Spins until a server for `client` is there, at most `timeout`.
fn wait_for<T: rosidl_runtime_rs::Service>(
    executor: &mut Executor,
    client: &Client<T>,
    timeout: Duration,
) -> Result<bool> {
    executor.spin(
        SpinOptions::new()
            .until_promise_resolved(client.notify_on_service_ready())
            .timeout(timeout),
    );
    Ok(client.service_is_ready()?)
}

/// Spins until `promise` resolves, at most `timeout`.
fn answer<R: Send + 'static>(
    executor: &mut Executor,
    promise: Promise<R>,
    timeout: Duration,
) -> Option<R> {
    let (mut answer, done) = executor.commands().create_notice(promise);
    let started = std::time::Instant::now();
    let errors = executor.spin(
        SpinOptions::new()
            .until_promise_resolved(done)
            .timeout(timeout),
    );
    for error in &errors {
        eprintln!("speed_probe: while waiting for an answer: {error}");
    }
    let response = answer.try_recv().ok().flatten();
    if response.is_none() {
        eprintln!(
            "speed_probe: no answer after {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    response
}

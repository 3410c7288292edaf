//! One check's private ROS world: sealed namespaces of its own (or, where the machine refuses
//! them, a ROS domain id of its own), the workbook's environment, and the programs started in it
//! (each a guarded [`NodeProcess`], killed when the check ends; in a sealed world, every process
//! it left behind dies with the world).

use anyhow::{bail, Result};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::seal::{Lockdown, Seal};
use crate::{
    describe_end, programs, project_root, run_to_end, Domain, Environment, Isolation, NodeProcess,
    Output,
};

/// How long a program may take to start and be discovered.
pub const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long one run of a client may take, end to end.
pub const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// Set by `grade` on a check suite run as root: every program of its sealed worlds runs as this
/// (unprivileged) user, the grader's home folder hidden from them but for the paths they need.
/// The program under test is the exception: grade's launcher drops to the same user itself,
/// after it has hidden more (see xtask's `workbook-sandbox`).
pub const WORLD_USER: &str = "WORKBOOK_WORLD_UID";
/// With [`WORLD_USER`]: more paths below the home folder that the world's programs need (the
/// grader's output folder, a target folder elsewhere), separated like `PATH`.
pub const WORLD_KEEP: &str = "WORKBOOK_WORLD_KEEP";

/// A ROS world of the check's own, and the environment to run programs in it.
pub struct World {
    pub domain: Domain,
    pub environment: Environment,
    /// The user its programs run as, when locked down ([`WORLD_USER`]).
    user: Option<u32>,
    /// The world's namespaces, when sealed; dropped last, so the programs go before it.
    seal: Option<Seal>,
}

/// A service or topic as the graph shows it: its types and the nodes serving or publishing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEntry {
    pub types: Vec<String>,
    pub nodes: Vec<String>,
}

impl World {
    /// A world with the isolation this machine gives ([`Isolation::current`]): sealed, or a
    /// ROS domain id that nothing on the machine uses.
    pub fn new() -> World {
        match Isolation::current() {
            Isolation::Sealed => World::sealed(),
            Isolation::Domains { .. } => World::unsealed(),
            Isolation::Refused { reason } => panic!(
                "this check needs a sealed world, but this machine cannot make one: {reason}"
            ),
        }
    }

    /// A sealed world: namespaces of its own (see [`crate::seal`]).
    pub fn sealed() -> World {
        let environment = Environment::detect(&project_root());
        let lockdown = lockdown(&environment);
        let seal = Seal::create_with(lockdown.as_ref())
            .unwrap_or_else(|reason| panic!("cannot make a sealed world: {reason}"));
        World {
            domain: Domain::inside_seal(),
            environment,
            user: lockdown.map(|l| l.uid),
            seal: Some(seal),
        }
    }

    /// A world told apart only by its ROS domain id (for the tests of the fallback, and of
    /// what happens on the machine's own `/dev/shm`).
    pub fn unsealed() -> World {
        World {
            domain: Domain::claim().expect("a free ROS domain id"),
            environment: Environment::detect(&project_root()),
            user: None,
            seal: None,
        }
    }

    /// Whether this world is sealed.
    pub fn is_sealed(&self) -> bool {
        self.seal.is_some()
    }

    /// A command for `program`, set up to run in this world.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut command = Command::new(program.as_ref());
        self.environment.apply(&mut command);
        self.domain.apply(&mut command);
        if let Some(seal) = &self.seal {
            let launcher = std::env::var_os(programs::PROGRAM_OVERRIDE)
                .is_some_and(|under_test| Path::new(&under_test) == program.as_ref());
            if self.user.is_some() {
                // The user has no home: ROS writes its logs into the world's own /dev/shm.
                command
                    .env("ROS_HOME", "/dev/shm/.ros")
                    .env("ROS_LOG_DIR", "/dev/shm/.ros/log");
            }
            seal.enter(&mut command, self.user.filter(|_| !launcher));
        }
        command
    }

    /// A command for a reference program (a solution, e.g. `speed_server`), built if needed.
    pub fn reference(&self, name: &str) -> Command {
        let path = programs::reference(name).unwrap_or_else(|error| panic!("{error:#}"));
        self.command(path)
    }

    /// A command for an rclpy peer script from `tests/peers/`, run by the environment's Python.
    pub fn rclpy(&self, script: &str) -> Command {
        let mut command = self.command(self.environment.python());
        command.arg(project_root().join("tests/peers").join(script));
        command
    }

    /// Starts a program; it is stopped when the returned guard drops.
    pub fn start(&self, name: &str, command: Command) -> NodeProcess {
        NodeProcess::start(name, command).unwrap_or_else(|error| panic!("{error:#}"))
    }

    /// Starts a reference server and waits for the line it prints once it serves.
    pub fn start_reference(&self, name: &str, args: &[&str], ready: &str) -> NodeProcess {
        let mut command = self.reference(name);
        command.args(args);
        let mut server = self.start(name, command);
        server
            .wait_for_line(ready, START_DEADLINE)
            .unwrap_or_else(|error| panic!("the reference {name} did not start: {error:#}"));
        server
    }

    /// Runs a program to its end (killed after `deadline`).
    pub fn run(&self, name: &str, command: Command, deadline: Duration) -> Output {
        run_to_end(name, command, deadline).unwrap_or_else(|error| panic!("{error:#}"))
    }

    /// Waits until `service` is in this world's graph with a server behind it, as an independent
    /// node (`graph_probe`) sees it.
    pub fn wait_for_service(&self, service: &str, deadline: Duration) -> Result<GraphEntry> {
        self.read_graph("wait-service", service, deadline, None)
    }

    /// Like [`World::wait_for_service`], but gives up as soon as `server` (the program expected
    /// to offer the service) exits, saying how it ended.
    pub fn wait_for_service_from(
        &self,
        service: &str,
        deadline: Duration,
        server: &mut NodeProcess,
    ) -> Result<GraphEntry> {
        self.read_graph("wait-service", service, deadline, Some(server))
    }

    /// Runs `probe` (started as `name`), a program that exits 0 once it sees what a check waits
    /// for (a call answered, a name in the graph), and gives its output; gives up as soon as
    /// `server`, the program expected to provide `what`, exits, saying how it ended. A probe that
    /// fails gives its own words as the error. `deadline` is the probe's own; this waits 15 s more
    /// for it to end.
    pub fn wait_for_probe(
        &self,
        name: &str,
        probe: Command,
        what: &str,
        deadline: Duration,
        mut server: Option<&mut NodeProcess>,
    ) -> Result<Output> {
        let mut probe = NodeProcess::start(name, probe)?;
        probe.close_stdin();
        let end = Instant::now() + deadline + Duration::from_secs(15);
        let output = loop {
            if let Some(output) = probe.finished() {
                break output;
            }
            if let Some(ended) = server.as_mut().and_then(|s| s.finished()) {
                bail!(
                    "the program ended before it offered {what} ({})",
                    describe_end(&ended)
                );
            }
            if Instant::now() > end {
                bail!("{name} did not answer in time");
            }
            thread::sleep(Duration::from_millis(20));
        };
        if output.code != Some(0) {
            bail!("{}", output.text.trim());
        }
        Ok(output)
    }

    /// Waits until `topic` has a publisher in this world's graph; the result lists the topic's
    /// types and the publishing nodes.
    pub fn wait_for_topic(&self, topic: &str, deadline: Duration) -> Result<GraphEntry> {
        self.read_graph("wait-topic", topic, deadline, None)
    }

    fn read_graph(
        &self,
        verb: &str,
        name: &str,
        deadline: Duration,
        server: Option<&mut NodeProcess>,
    ) -> Result<GraphEntry> {
        let mut command = self.reference("graph_probe");
        command
            .arg(verb)
            .arg(name)
            .arg(deadline.as_secs().to_string());
        let output = self.wait_for_probe("graph_probe", command, name, deadline, server)?;
        let mut found = GraphEntry {
            types: Vec::new(),
            nodes: Vec::new(),
        };
        for line in output.text.lines() {
            if let Some(kind) = line.strip_prefix("type ") {
                found.types.push(kind.to_string());
            } else if let Some(node) = line.strip_prefix("node ") {
                found.nodes.push(node.to_string());
            }
        }
        Ok(found)
    }
}

/// The lockdown [`WORLD_USER`] asks for (root only): the home folder hidden but for the
/// checkout, the ROS installation, its Python and the [`WORLD_KEEP`] paths.
fn lockdown(environment: &Environment) -> Option<Lockdown> {
    let uid = std::env::var(WORLD_USER).ok()?.parse().ok()?;
    // SAFETY: geteuid(2) cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    // Without a home folder there is nothing to cover, but the user changes all the same: the
    // program under test runs as that user, and nodes of different users cannot talk.
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/".into());
    let python_home = std::fs::canonicalize(environment.python())
        .ok()
        .and_then(|python| Some(python.parent()?.parent()?.to_path_buf()));
    let mut keep: Vec<std::path::PathBuf> = [
        Some(project_root()),
        std::fs::canonicalize(&environment.workbook_prefix).ok(),
        python_home,
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(more) = std::env::var_os(WORLD_KEEP) {
        keep.extend(std::env::split_paths(&more));
    }
    Some(Lockdown { uid, home, keep })
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// The last non-empty line a program printed.
pub fn last_line(output: &Output) -> &str {
    output
        .text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// The last `count` non-empty lines a program printed, each indented, or "(nothing)": what a
/// failure quotes so that the program's own last words are in front of the student.
pub fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return "  (nothing)".to_string();
    }
    let start = lines.len().saturating_sub(count);
    let mut shown = String::new();
    if start > 0 {
        shown.push_str(&format!("  ({start} earlier lines not shown)\n"));
    }
    for line in &lines[start..] {
        shown.push_str("  ");
        shown.push_str(line);
        shown.push('\n');
    }
    shown.trim_end().to_string()
}

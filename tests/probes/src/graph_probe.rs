//! `graph_probe`: reads the ROS graph the way any other node sees it, for the checks (never the
//! program under test). A Rust node on rcl's graph API starts in a fraction of the time an rclpy
//! one takes (about 0.3 s against 2 s on a loaded two-core machine), which every check that
//! looks at names and types pays once.
//!
//!     graph_probe wait-service <name> <timeout-seconds>
//!     graph_probe wait-topic <name> <timeout-seconds>
//!
//! `wait-service` waits until a node serves `<name>`, then prints one `type <type>` line per
//! type it is offered with and one `node <node>` line per serving node, and exits 0.
//! `wait-topic` does the same for a topic and its publishing nodes. After the
//! timeout it prints what it did see and exits 1; 2 for a usage or ROS error.

use anyhow::{bail, Context as _, Result};
use rclrs::{Context, CreateBasicExecutor, Node};
use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod teardown;

/// How often the graph is read again while waiting.
const POLL: Duration = Duration::from_millis(50);

fn main() -> ExitCode {
    match read() {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("graph_probe: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// What one look at the graph found for the name asked about.
struct Found {
    types: BTreeSet<String>,
    nodes: BTreeSet<String>,
    /// Every name of the kind asked about (services or topics), for the message on a timeout.
    seen: BTreeSet<String>,
}

fn read() -> Result<u8> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [verb, name, timeout] = args.as_slice() else {
        bail!("usage: graph_probe wait-service|wait-topic <name> <timeout-seconds>");
    };
    let look: fn(&Node, &str) -> Found = match verb.as_str() {
        "wait-service" => services,
        "wait-topic" => topics,
        other => bail!("unknown verb {other}: wait-service or wait-topic"),
    };
    let timeout: f64 = timeout.parse().context("timeout in seconds")?;
    let context = Context::default_from_env().context("ROS 2 init")?;
    let executor = context.create_basic_executor();
    let node = executor.create_node("workbook_graph_reader")?;
    // Dropped first, before the node, executor and context above.
    let _deadline = teardown::Deadline::new("graph_probe");
    // rmw keeps the graph up to date on its own threads: reading it needs no spinning.
    let end = Instant::now() + Duration::from_secs_f64(timeout.max(0.0));
    let code = loop {
        let found = look(&node, name);
        if !found.nodes.is_empty() {
            for kind in &found.types {
                println!("type {kind}");
            }
            for node in &found.nodes {
                println!("node {node}");
            }
            break 0;
        }
        if Instant::now() > end {
            let what = if verb == "wait-service" {
                format!("no service {name} after {timeout:.0} s; services seen")
            } else {
                format!("no publisher of {name} after {timeout:.0} s; topics seen")
            };
            let seen: Vec<&str> = found.seen.iter().map(String::as_str).collect();
            let seen = if seen.is_empty() {
                "none".to_string()
            } else {
                seen.join(", ")
            };
            println!("{what}: {seen}");
            break 1;
        }
        std::thread::sleep(POLL);
    };
    teardown::set_exit_code(code);
    Ok(code)
}

/// The nodes serving `service` and its types. rclrs' own `get_service_names_and_types` lists
/// only the asking node's services, so every node is asked in turn.
fn services(node: &Node, service: &str) -> Found {
    let mut found = Found {
        types: BTreeSet::new(),
        nodes: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    for other in node.get_node_names().unwrap_or_default() {
        // A node that left between the two queries is simply skipped.
        let Ok(offered) = node.get_service_names_and_types_by_node(&other.name, &other.namespace)
        else {
            continue;
        };
        for (name, types) in offered {
            if name == service {
                found.types.extend(types);
                found.nodes.insert(format!(
                    "{}/{}",
                    other.namespace.trim_end_matches('/'),
                    other.name
                ));
            }
            found.seen.insert(name);
        }
    }
    found
}

/// The nodes publishing `topic` and its types, asked node by node (as for services): the
/// per-topic endpoint query would also convert QoS profiles, and rclrs logs an error for each
/// history policy it cannot name.
fn topics(node: &Node, topic: &str) -> Found {
    let mut found = Found {
        types: BTreeSet::new(),
        nodes: BTreeSet::new(),
        seen: BTreeSet::new(),
    };
    for other in node.get_node_names().unwrap_or_default() {
        let Ok(published) =
            node.get_publisher_names_and_types_by_node(&other.name, &other.namespace)
        else {
            continue;
        };
        for (name, types) in published {
            if name == topic {
                found.types.extend(types);
                found.nodes.insert(full_name(&other.namespace, &other.name));
            }
            found.seen.insert(name);
        }
    }
    found
}

/// `/namespace/name`, with one slash whatever the namespace.
fn full_name(namespace: &str, name: &str) -> String {
    format!("{}/{name}", namespace.trim_end_matches('/'))
}

//! `ros2 node list | info`: the graph's nodes, printed the way ros2cli's `ros2node` verbs print
//! them (`verb/list.py`, `verb/info.py`, `api/__init__.py`).

use crate::graph::{is_hidden, Graph, NodeName};
use crate::rcl::{Endpoint, NodeTopics};
use crate::Failure;
use anyhow::Result;

/// `node list`: full names, sorted; `-a` includes hidden nodes, `-c` only counts.
pub fn list(graph: &Graph, all: bool, count: bool) -> Result<()> {
    let nodes = graph.node_names(all)?;
    if count {
        println!("{}", nodes.len());
        return Ok(());
    }
    let mut names: Vec<String> = nodes.into_iter().map(|n| n.full_name).collect();
    names.sort();
    let mut unique = names.clone();
    unique.dedup();
    if unique.len() < names.len() {
        eprintln!(
            "WARNING: Be aware that there are nodes in the graph that share an exact name, \
             which can have unintended side effects."
        );
    }
    for name in names {
        println!("{name}");
    }
    Ok(())
}

/// `node info <node>`: what the node subscribes, publishes, serves and calls.
pub fn info(graph: &Graph, node_name: &str, include_hidden: bool) -> Result<()> {
    let count = graph
        .node_names(include_hidden)?
        .iter()
        .filter(|n| n.full_name == node_name)
        .count();
    if count > 1 {
        eprintln!(
            "There are {count} nodes in the graph with the exact name \"{node_name}\". \
             You are seeing information about only one of them."
        );
    }
    if count == 0 {
        return Err(Failure::new(
            format!("Unable to find node '{node_name}'"),
            "give the full name with its namespace, as `ros2 node list` prints it (e.g. /speed_server)",
        )
        .into());
    }
    let node = NodeName::parse(node_name);
    println!("{node_name}");
    for (label, kind) in [
        ("Subscribers", Endpoint::Subscribers),
        ("Publishers", Endpoint::Publishers),
        ("Service Servers", Endpoint::ServiceServers),
        ("Service Clients", Endpoint::ServiceClients),
        ("Action Servers", Endpoint::ActionServers),
        ("Action Clients", Endpoint::ActionClients),
    ] {
        println!("  {label}:");
        let endpoints = match graph.node.endpoints_of(&node.name, &node.namespace, kind)? {
            NodeTopics::Found(endpoints) => endpoints,
            NodeTopics::NoSuchNode => Vec::new(),
        };
        let lines: Vec<String> = endpoints
            .into_iter()
            .filter(|(name, _)| include_hidden || !is_hidden(name))
            .map(|(name, types)| format!("    {name}: {}", types.join(", ")))
            .collect();
        // ros2cli prints the section with `print(*lines, sep='\n')`: an empty section is an
        // empty line.
        println!("{}", lines.join("\n"));
    }
    Ok(())
}

//! `ros2 service list | type | find | info`: what the graph says about services, printed the way
//! ros2cli's `ros2service` verbs print it (`verb/list.py`, `type.py`, `find.py`, `info.py`).

use crate::graph::Graph;
use crate::Failure;
use anyhow::Result;
use workbook_harness::Distro;

/// `service list`: one service per line, with `[type, …]` when `show_types`; `count` prints only
/// how many there are.
pub fn list(graph: &Graph, show_types: bool, count: bool, include_hidden: bool) -> Result<()> {
    let services = graph.services(include_hidden)?;
    if count {
        println!("{}", services.len());
        return Ok(());
    }
    for (name, types) in services {
        if show_types {
            println!("{name} [{}]", types.join(", "));
        } else {
            println!("{name}");
        }
    }
    Ok(())
}

/// `service type <name>`: the service's type(s); exit code 1 and no output when it is unknown,
/// exactly as ros2cli does.
pub fn type_of(graph: &Graph, service: &str, include_hidden: bool) -> Result<()> {
    match graph.service_types(service, include_hidden)? {
        Some(types) => {
            for kind in types {
                println!("{kind}");
            }
            Ok(())
        }
        None => Err(Failure::silent(1).into()),
    }
}

/// `service find <type>`: every service offered with that type.
pub fn find(graph: &Graph, kind: &str, count: bool, include_hidden: bool) -> Result<()> {
    let found: Vec<String> = graph
        .services(include_hidden)?
        .into_iter()
        .filter(|(_, types)| types.iter().any(|t| t == kind))
        .map(|(name, _)| name)
        .collect();
    if count {
        println!("{}", found.len());
    } else {
        for name in found {
            println!("{name}");
        }
    }
    Ok(())
}

/// `service info <name> [-v]`: type, client and server counts; `-v` (this tool's addition,
/// Jazzy's ros2cli has none) also names the node behind each endpoint.
/// `ros2 service info` and `ros2 service echo` arrived in Jazzy's ros2cli (echo reads service
/// introspection, which Humble's services cannot publish): on a distribution without them the
/// tool says so, as Humble's own `ros2` would by not knowing the verb, with what to use instead.
pub fn available_here(verb: &str, instead: &str) -> Result<()> {
    let distro = std::env::var("ROS_DISTRO").ok();
    match distro.as_deref().and_then(Distro::from_name) {
        Some(distro) if !distro.has_service_info_and_echo() => Err(Failure::new(
            format!("`ros2 service {verb}` does not exist on ROS 2 {distro} (it arrived in Jazzy)"),
            instead,
        )
        .into()),
        _ => Ok(()),
    }
}

pub fn info(graph: &Graph, service: &str, verbose: bool, include_hidden: bool) -> Result<()> {
    let Some(types) = graph.service_types(service, include_hidden)? else {
        return Err(Failure::new(
            format!("Unknown service '{service}'"),
            "check the name with `ros2 service list` (names start with `/`)",
        )
        .into());
    };
    if types.len() == 1 {
        println!("Type: {}", types[0]);
    } else {
        // ros2cli prints the Python list in this case.
        let quoted: Vec<String> = types.iter().map(|t| format!("'{t}'")).collect();
        println!("Type: [{}]", quoted.join(", "));
    }
    println!("Clients count: {}", graph.node.count(service, false)?);
    println!("Services count: {}", graph.node.count(service, true)?);
    if verbose {
        for (endpoint, label) in [(true, "SERVER"), (false, "CLIENT")] {
            for node in endpoint_nodes(graph, service, endpoint)? {
                println!();
                println!("Node name: {}", node.name);
                println!("Node namespace: {}", node.namespace);
                println!("Endpoint type: {label}");
            }
        }
    }
    Ok(())
}

/// The nodes that serve (`servers`) or call a service, sorted by full name.
fn endpoint_nodes(
    graph: &Graph,
    service: &str,
    servers: bool,
) -> Result<Vec<crate::graph::NodeName>> {
    use crate::rcl::{Endpoint, NodeTopics};
    let kind = if servers {
        Endpoint::ServiceServers
    } else {
        Endpoint::ServiceClients
    };
    let mut found = Vec::new();
    for node in graph.node_names(true)? {
        if let NodeTopics::Found(endpoints) =
            graph.node.endpoints_of(&node.name, &node.namespace, kind)?
        {
            if endpoints.iter().any(|(name, _)| name == service) {
                found.push(node);
            }
        }
    }
    found.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    Ok(found)
}

//! The tool's view of the ROS graph: a short-lived hidden node (named like ros2cli's own,
//! `_ros2cli_<pid>`) that waits for discovery, and the rule for hidden names.
//!
//! It knows nothing of how a verb prints what it finds.

use crate::rcl::Node;
use anyhow::Result;
use std::time::{Duration, Instant};

/// ros2cli's default `--spin-time` when it runs without its daemon.
pub const DEFAULT_SPIN_TIME: f64 = 0.5;

/// How long a lookup of one name keeps waiting for it beyond the spin time.
const LOOKUP_GRACE: Duration = Duration::from_secs(3);

/// The longest wait, after the spin time, for a graph that is empty or still changing.
const SETTLE_LIMIT: Duration = Duration::from_secs(4);

/// How long the graph must stay the same to count as discovered. Fast DDS on localhost finds
/// each other participant after 0.1 s to a few seconds, independently: with 300 ms, a listing
/// sometimes showed one node's topics and not yet another's (`/parameter_events` missing).
const STABLE_FOR: Duration = Duration::from_millis(1000);

/// A node that has had time to discover the graph.
pub struct Graph {
    pub node: Node,
}

impl Graph {
    /// Starts the tool's node without waiting: for verbs that wait for one name themselves.
    pub fn start() -> Result<Graph> {
        Ok(Graph {
            node: Node::new(&format!("_ros2cli_{}", std::process::id()))?,
        })
    }

    /// Starts the tool's node and lets discovery run for `spin_time` seconds, then longer while
    /// the graph is still empty or still changing: Fast DDS's localhost discovery sometimes
    /// misses the first announcements and finds the other participants a few seconds later.
    pub fn discover(spin_time: f64) -> Result<Graph> {
        let node = Node::new(&format!("_ros2cli_{}", std::process::id()))?;
        std::thread::sleep(Duration::from_secs_f64(spin_time.max(0.0)));
        let graph = Graph { node };
        let settle_end = Instant::now() + SETTLE_LIMIT;
        let mut last = graph.snapshot()?;
        let mut stable_since = Instant::now();
        while Instant::now() < settle_end {
            let others_seen = last.0 > 1;
            if others_seen && stable_since.elapsed() >= STABLE_FOR {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
            let now = graph.snapshot()?;
            if now != last {
                last = now;
                stable_since = Instant::now();
            }
        }
        Ok(graph)
    }

    fn snapshot(&self) -> Result<(usize, usize, usize)> {
        Ok((
            self.node.node_names()?.len(),
            self.node.service_names_and_types()?.len(),
            self.node.topic_names_and_types()?.len(),
        ))
    }

    /// Services and their types; hidden ones only when asked for.
    pub fn services(&self, include_hidden: bool) -> Result<Vec<(String, Vec<String>)>> {
        Ok(self
            .node
            .service_names_and_types()?
            .into_iter()
            .filter(|(name, _)| include_hidden || !is_hidden(name))
            .collect())
    }

    /// The types of one service, waiting a little for it to appear; `None` if it never does.
    pub fn service_types(
        &self,
        service: &str,
        include_hidden: bool,
    ) -> Result<Option<Vec<String>>> {
        let end = Instant::now() + LOOKUP_GRACE;
        loop {
            let found = self
                .services(include_hidden)?
                .into_iter()
                .find(|(name, _)| name == service);
            if found.is_some() || Instant::now() >= end {
                return Ok(found.map(|(_, types)| types));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Topics and their types; hidden ones only when asked for.
    pub fn topics(&self, include_hidden: bool) -> Result<Vec<(String, Vec<String>)>> {
        Ok(self
            .node
            .topic_names_and_types()?
            .into_iter()
            .filter(|(name, _)| include_hidden || !is_hidden(name))
            .collect())
    }

    /// Full names (`/namespace/name`) of the nodes in the graph, hidden ones only when asked.
    pub fn node_names(&self, include_hidden: bool) -> Result<Vec<NodeName>> {
        Ok(self
            .node
            .node_names()?
            .into_iter()
            .filter(|(name, _)| include_hidden || (!name.is_empty() && !name.starts_with('_')))
            .map(|(name, namespace)| NodeName::new(name, namespace))
            .collect())
    }
}

/// A node as the graph names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeName {
    pub name: String,
    pub namespace: String,
    pub full_name: String,
}

impl NodeName {
    pub fn new(name: String, namespace: String) -> NodeName {
        let separator = if namespace.ends_with('/') { "" } else { "/" };
        let full_name = format!("{namespace}{separator}{name}");
        NodeName {
            name,
            namespace,
            full_name,
        }
    }

    /// Splits `/namespace/name` (a leading `/` is added when missing).
    pub fn parse(full: &str) -> NodeName {
        let full = if full.starts_with('/') {
            full.to_string()
        } else {
            format!("/{full}")
        };
        let (namespace, name) = full.rsplit_once('/').unwrap_or(("", &full));
        let namespace = if namespace.is_empty() { "/" } else { namespace };
        NodeName {
            name: name.to_string(),
            namespace: namespace.to_string(),
            full_name: full.clone(),
        }
    }
}

/// A topic or service name is hidden when any of its parts starts with `_` (the ROS 2 naming
/// design; rclpy's `topic_or_service_is_hidden`), e.g. `/_ros2cli_12/get_type_description` or
/// `/set_speed/_service_event`.
pub fn is_hidden(name: &str) -> bool {
    name.split('/').any(|part| part.starts_with('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_an_underscore_part_are_hidden() {
        assert!(is_hidden("/set_speed/_service_event"));
        assert!(is_hidden("/_ros2cli_1/get_type_description"));
        assert!(!is_hidden("/set_speed"));
        assert!(!is_hidden("/speed_server/get_parameters"));
    }

    #[test]
    fn node_names_split_into_namespace_and_name() {
        assert_eq!(NodeName::parse("speed_server").namespace, "/");
        assert_eq!(NodeName::parse("/robot/speed_server").namespace, "/robot");
        assert_eq!(NodeName::parse("/robot/speed_server").name, "speed_server");
        assert_eq!(
            NodeName::new("a".into(), "/ns".into()).full_name,
            "/ns/a".to_string()
        );
    }
}

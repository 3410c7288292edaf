//! The tool's view of the ROS graph: a short-lived hidden node (named like ros2cli's own,
//! `_ros2cli_<pid>`) that waits for discovery, and the rule for hidden names.
//!
//! It knows nothing of how a verb prints what it finds.

use crate::rcl::Node;
use anyhow::Result;
use std::time::{Duration, Instant};

/// How long a lookup of one name keeps waiting for it beyond the discovery.
const LOOKUP_GRACE: Duration = Duration::from_secs(3);

/// The longest wait for a graph that is empty or still changing.
const SETTLE_LIMIT: Duration = Duration::from_secs(4);

/// How long the graph must stay the same to count as discovered when the tool cannot tell how
/// many participants there are. Fast DDS on localhost finds each other participant after 0.1 s
/// to a few seconds, independently: with 300 ms, a listing sometimes showed one node's topics
/// and not yet another's (`/parameter_events` missing); with five nodes up, one was seen 0.95 s
/// after the one before it.
const STABLE_FOR: Duration = Duration::from_millis(1000);

/// How long the graph must stay the same once every participant on this machine has shown a
/// node: a node's name arrives with or just after its endpoints (measured: within 90 ms).
const SETTLED_FOR: Duration = Duration::from_millis(150);

/// How often the graph is read while waiting.
const POLL: Duration = Duration::from_millis(10);

/// A node that has had time to discover the graph.
pub struct Graph {
    pub node: Node,
}

/// Everything a listing prints, to tell when discovery stopped changing it.
type Snapshot = (
    Vec<(String, String)>,
    Vec<(String, Vec<String>)>,
    Vec<(String, Vec<String>)>,
);

impl Graph {
    /// Starts the tool's node without waiting: for verbs that wait for one name themselves.
    pub fn start() -> Result<Graph> {
        Ok(Graph {
            node: Node::new(&format!("_ros2cli_{}", std::process::id()))?,
        })
    }

    /// Starts the tool's node and waits until it has discovered the graph: `spin_time` seconds
    /// when given (ros2cli's `--spin-time`), and in any case until the graph stops changing.
    ///
    /// "Stopped changing" has two strengths. Where the tool can count the DDS participants on
    /// this machine (Fast DDS, discovery limited to localhost: each participant binds its
    /// discovery port, [`local_participants`]), the graph is complete once it shows at least one
    /// node per other participant and has not changed for [`SETTLED_FOR`]; that takes 0.2 to
    /// 0.6 s. Otherwise, or while a participant shows no node (a program still starting), it
    /// must not change for [`STABLE_FOR`] with another node seen, at most [`SETTLE_LIMIT`].
    pub fn discover(spin_time: Option<f64>) -> Result<Graph> {
        let graph = Graph::start()?;
        if let Some(seconds) = spin_time {
            std::thread::sleep(Duration::from_secs_f64(seconds.max(0.0)));
        }
        let started = Instant::now();
        let mut last = graph.snapshot()?;
        let mut stable_since = Instant::now();
        while started.elapsed() < SETTLE_LIMIT {
            let others = last.0.len().saturating_sub(1);
            let quiet = stable_since.elapsed();
            let everyone_seen = local_participants().is_some_and(|all| others + 1 >= all);
            if (everyone_seen && quiet >= SETTLED_FOR) || (others > 0 && quiet >= STABLE_FOR) {
                break;
            }
            std::thread::sleep(POLL);
            let now = graph.snapshot()?;
            if now != last {
                last = now;
                stable_since = Instant::now();
            }
        }
        Ok(graph)
    }

    fn snapshot(&self) -> Result<Snapshot> {
        let mut nodes = self.node.node_names()?;
        nodes.sort();
        Ok((
            nodes,
            self.node.service_names_and_types()?,
            self.node.topic_names_and_types()?,
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

/// How many DDS participants (this tool's included) are up on this machine in this ROS domain,
/// when that can be known: with Fast DDS (ROS 2's default middleware) and discovery limited to
/// localhost, every participant binds the UDP port `7400 + 250 * domain + 10 + 2 * id` for its
/// discovery traffic (the RTPS port mapping), and no other participant can be discovered.
/// `None` with another middleware, another discovery range, static peers or a discovery server.
pub fn local_participants() -> Option<usize> {
    let variable = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let fast_dds = variable("RMW_IMPLEMENTATION").is_none_or(|rmw| rmw == "rmw_fastrtps_cpp");
    let localhost = variable("ROS_AUTOMATIC_DISCOVERY_RANGE").as_deref() == Some("LOCALHOST")
        || (variable("ROS_AUTOMATIC_DISCOVERY_RANGE").is_none()
            && variable("ROS_LOCALHOST_ONLY").as_deref() == Some("1"));
    let peers =
        variable("ROS_STATIC_PEERS").is_some() || variable("ROS_DISCOVERY_SERVER").is_some();
    if !fast_dds || !localhost || peers {
        return None;
    }
    let domain: u32 = variable("ROS_DOMAIN_ID").map_or(Some(0), |d| d.trim().parse().ok())?;
    let base = 7400 + 250 * domain + 10;
    let mut ids = std::collections::BTreeSet::new();
    let mut read_any = false;
    for table in ["/proc/net/udp", "/proc/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        read_any = true;
        for line in text.lines().skip(1) {
            let port = line
                .split_whitespace()
                .nth(1)
                .and_then(|local| local.rsplit_once(':'))
                .and_then(|(_, port)| u32::from_str_radix(port, 16).ok());
            if let Some(offset) = port.and_then(|p| p.checked_sub(base)) {
                if offset < 240 && offset % 2 == 0 {
                    ids.insert(offset / 2);
                }
            }
        }
    }
    (read_any && !ids.is_empty()).then_some(ids.len())
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

//! Talking to one node's parameter services: finding the node in the graph, a client of one of
//! its `rcl_interfaces` services, and reading fields out of the answers. Knows nothing of how
//! a verb prints them.

use super::Target;
use crate::call::{load_type, Client};
use crate::format::repr;
use crate::graph::{Graph, NodeName};
use crate::introspection::{CMessage, ServiceType};
use crate::value::{Message, Value};
use crate::{populate, Failure};
use anyhow::{bail, Result};
use std::time::{Duration, Instant};

/// How long ros2cli waits for a node's parameter services once the node is in the graph.
pub const SERVICE_WAIT: Duration = Duration::from_secs(5);

/// How long a parameter service may take to answer (ros2cli waits forever).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// How long the graph may take to show a node beyond ros2cli's `--timeout`: a node that is up
/// is sometimes discovered only after a second on a busy machine.
const DISCOVERY_GRACE: Duration = Duration::from_secs(2);

/// Waits for the node to be in the graph, as ros2cli's `wait_for_node` (a little longer: see
/// [`DISCOVERY_GRACE`]); `Node not found` otherwise.
pub fn find_node(graph: &mut Graph, target: &Target) -> Result<NodeName> {
    let wanted = NodeName::parse(target.node);
    let deadline =
        Instant::now() + Duration::from_secs_f64(target.timeout.max(0.0)) + DISCOVERY_GRACE;
    loop {
        let nodes = graph.node_names(target.include_hidden)?;
        if let Some(node) = nodes.into_iter().find(|n| n.full_name == wanted.full_name) {
            return Ok(node);
        }
        if Instant::now() >= deadline {
            return Err(Failure::new(
                "Node not found",
                "give the node's full name as `ros2 node list` prints it (e.g. /speed_server), \
                 and start it first",
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A client of one of a node's parameter services.
pub struct ParameterClient<'g> {
    graph: &'g mut Graph,
    service: String,
    service_type: ServiceType,
    client: Option<Client>,
}

impl<'g> ParameterClient<'g> {
    /// `verb` is the service's last part (`get_parameters`); its type follows from it.
    pub fn new(graph: &'g mut Graph, node: &NodeName, verb: &str) -> Result<ParameterClient<'g>> {
        let type_name: String = verb
            .split('_')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        let service_type = load_type(&format!("rcl_interfaces/srv/{type_name}"))?;
        let service = format!("{}/{verb}", node.full_name.trim_end_matches('/'));
        let client = Client::new(&mut graph.node, &service_type, &service)?;
        Ok(ParameterClient {
            graph,
            service,
            service_type,
            client: Some(client),
        })
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the client lives until drop")
    }

    /// Waits up to `limit` for the node's service; `false` if it never appears.
    pub fn wait_for_service(&mut self, limit: Duration) -> Result<bool> {
        let end = Instant::now() + limit;
        loop {
            if self.client().server_is_available(&self.graph.node)? {
                return Ok(true);
            }
            if Instant::now() >= end {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// As [`ParameterClient::wait_for_service`], failing with ros2cli's words.
    pub fn require_service(&mut self) -> Result<()> {
        if self.wait_for_service(SERVICE_WAIT)? {
            return Ok(());
        }
        let node = self.service.rsplit_once('/').map_or("", |(node, _)| node);
        Err(Failure::new(
            format!(
                "Wait for service timed out waiting for parameter services for node {node}"
            ),
            "the node does not serve parameters (rclrs, rclcpp and rclpy nodes do unless told not to)",
        )
        .into())
    }

    /// Sends a request given as a mapping of its fields and returns the response.
    pub fn call(&self, fields: Value) -> Result<Message> {
        let mut request_value = CMessage::new(self.service_type.request).read();
        if let Err(problem) = populate::set_fields(&mut request_value, &fields) {
            bail!("cannot fill the {} request: {problem}", self.service);
        }
        let mut request = CMessage::new(self.service_type.request);
        request.write(&request_value)?;
        let response = self
            .client()
            .call(&request, &self.service_type, ANSWER_WAIT)?;
        Ok(response.read())
    }
}

impl Drop for ParameterClient<'_> {
    fn drop(&mut self) {
        // The client is finalised while its node is alive.
        self.client.take();
    }
}

pub fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(key, value)| (Value::Str(key.to_string()), value))
            .collect(),
    )
}

pub fn field<'m>(message: &'m Message, name: &str) -> Result<&'m Value> {
    message
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| &f.value)
        .ok_or_else(|| anyhow::anyhow!("{} has no field {name}", message.type_name))
}

pub fn message(value: &Value) -> Result<&Message> {
    match value {
        Value::Message(message) => Ok(message),
        other => bail!("expected a message, got {}", repr(other)),
    }
}

pub fn text_of(value: &Value) -> Result<String> {
    match value {
        Value::Str(text) => Ok(text.clone()),
        other => bail!("expected a string, got {}", repr(other)),
    }
}

pub fn strings(value: &Value) -> Result<Vec<String>> {
    match value {
        Value::List(items) => items.iter().map(text_of).collect(),
        other => bail!("expected a list of strings, got {}", repr(other)),
    }
}

pub fn integer(value: &Value) -> i128 {
    match value {
        Value::Int(n) => *n,
        Value::Float(n) => *n as i128,
        _ => 0,
    }
}

pub fn float(value: &Value) -> f64 {
    match value {
        Value::Float(n) => *n,
        Value::Int(n) => *n as f64,
        _ => 0.0,
    }
}

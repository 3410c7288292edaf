//! `ros2 param list | get | set | describe | dump`: a node's parameters through the services every
//! node offers under its own name (`<node>/list_parameters`, `get_parameters`, `set_parameters`,
//! `describe_parameters`, all `rcl_interfaces/srv/*`), called with the generic client of
//! `call.rs`. What is printed, and where (standard output or error), follows ros2cli's Jazzy
//! `ros2param` verbs; unlike the real tool, every wait is bounded.

use crate::call::{load_type, Client};
use crate::format::{bytes_repr, float_repr, repr, str_repr};
use crate::graph::{Graph, NodeName};
use crate::introspection::CMessage;
use crate::value::{Message, Value};
use crate::{populate, yaml, yaml_dump, Failure};
use anyhow::{bail, Result};
use std::io::Write;
use std::time::{Duration, Instant};

/// How long ros2cli waits for a node's parameter services once the node is in the graph.
const SERVICE_WAIT: Duration = Duration::from_secs(5);

/// How long a parameter service may take to answer (ros2cli waits forever).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

/// How long the graph may take to show a node beyond ros2cli's `--timeout`: a node that is up
/// is sometimes discovered only after a second on a busy machine.
const DISCOVERY_GRACE: Duration = Duration::from_secs(2);

/// Which node, and how long to wait for it (ros2cli's `--timeout N`, `--include-hidden-nodes`).
pub struct Target<'a> {
    pub node: &'a str,
    pub include_hidden: bool,
    pub timeout: f64,
}

/// A parameter's value as `rcl_interfaces/msg/ParameterValue` holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Parameter {
    NotSet,
    Bool(bool),
    Integer(i128),
    Double(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bools(Vec<bool>),
    Integers(Vec<i128>),
    Doubles(Vec<f64>),
    Texts(Vec<String>),
}

/// `rcl_interfaces/msg/ParameterType`'s constants, in order.
const TYPE_NAMES: [&str; 10] = [
    "not set",
    "boolean",
    "integer",
    "double",
    "string",
    "byte array",
    "boolean array",
    "integer array",
    "double array",
    "string array",
];

/// ros2cli's name of a `ParameterType` number.
fn type_name(kind: i128) -> String {
    usize::try_from(kind)
        .ok()
        .and_then(|index| TYPE_NAMES.get(index))
        .map_or_else(|| format!("unknown type {kind}"), |name| name.to_string())
}

/// What `param list` was asked for.
pub struct Listing<'a> {
    /// One node, or every node when `None`.
    pub target: Option<Target<'a>>,
    /// A regular expression the names must match from their start (Python's `re.match`).
    pub filter: Option<&'a str>,
    pub prefixes: &'a [String],
    pub param_type: bool,
    pub spin_time: Option<f64>,
    pub include_hidden: bool,
}

/// `param list [node]`: every parameter name of one node (indented), or of every node under a
/// `/node:` heading, sorted; `--param-type` adds each one's type.
pub fn list(listing: &Listing) -> Result<()> {
    let filter = match listing.filter {
        Some(pattern) => Some(
            regex::Regex::new(&format!("^(?:{pattern})")).map_err(|error| {
                Failure::new(
                    format!("the filter is not a valid regular expression: {error}"),
                    "write it as a regular expression, e.g. --filter 'max_.*'",
                )
            })?,
        ),
        None => None,
    };
    let Listing {
        target,
        prefixes,
        param_type,
        spin_time,
        include_hidden,
        ..
    } = listing;
    let (param_type, include_hidden) = (*param_type, *include_hidden);
    let target = target.as_ref();
    let (mut graph, nodes) = match target {
        Some(target) => {
            let mut graph = Graph::start()?;
            let node = find_node(&mut graph, target)?;
            (graph, vec![node])
        }
        None => {
            let graph = Graph::discover(*spin_time)?;
            let mut nodes = graph.node_names(include_hidden)?;
            // Python sorts ros2cli's NodeName tuples: by name, then namespace.
            nodes.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
            nodes.dedup();
            (graph, nodes)
        }
    };
    let prefixes = Value::List(prefixes.iter().cloned().map(Value::Str).collect());
    for node in nodes {
        let mut client = ParameterClient::new(&mut graph, &node, "list_parameters")?;
        if !client.wait_for_service(SERVICE_WAIT)? {
            say(&format!(
                "Wait for service timed out waiting for parameter services for node \
                 NodeName(name={}, namespace={}, full_name={})",
                str_repr(&node.name),
                str_repr(&node.namespace),
                str_repr(&node.full_name)
            ));
            continue;
        }
        let response = client.call(map(vec![("prefixes", prefixes.clone())]))?;
        drop(client);
        let mut names = strings(field(message(field(&response, "result")?)?, "names")?)?;
        names.sort();
        if let Some(filter) = &filter {
            names.retain(|name| filter.is_match(name));
        }
        if target.is_none() && !names.is_empty() {
            say(&format!("{}:", node.full_name));
        }
        let types = if param_type {
            descriptors(&mut graph, &node, &names)?
                .into_iter()
                .map(|d| (d.name, type_name(d.kind)))
                .collect()
        } else {
            Vec::new()
        };
        for name in &names {
            match types.iter().find(|(n, _)| n == name) {
                Some((_, kind)) => say(&format!("  {name} (type: {kind})")),
                None if param_type => say(&format!("  {name} (type: not set)")),
                None => say(&format!("  {name}")),
            }
        }
    }
    Ok(())
}

/// `param get <node> <name>`: `Integer value is: 100`, or only the value with `--hide-type`.
pub fn get(target: &Target, name: &str, hide_type: bool) -> Result<()> {
    let mut graph = Graph::start()?;
    let node = find_node(&mut graph, target)?;
    let values = get_values(&mut graph, &node, &[name.to_string()])?;
    let Some(value) = values.into_iter().next() else {
        return Err(Failure::new(
            "Parameter not set",
            format!(
                "see the node's parameters with `ros2 param list {}`",
                node.full_name
            ),
        )
        .into());
    };
    let (label, shown) = match &value {
        Parameter::NotSet => ("Parameter not set.", None),
        Parameter::Bool(_) => ("Boolean value is:", Some(python_str(&value))),
        Parameter::Integer(_) => ("Integer value is:", Some(python_str(&value))),
        Parameter::Double(_) => ("Double value is:", Some(python_str(&value))),
        Parameter::Text(_) => ("String value is:", Some(python_str(&value))),
        Parameter::Bytes(_) => ("Byte values are:", Some(python_str(&value))),
        Parameter::Bools(_) => ("Boolean values are:", Some(python_str(&value))),
        Parameter::Integers(_) => ("Integer values are:", Some(python_str(&value))),
        Parameter::Doubles(_) => ("Double values are:", Some(python_str(&value))),
        Parameter::Texts(_) => ("String values are:", Some(python_str(&value))),
    };
    match (hide_type, shown) {
        (false, Some(shown)) => say(&format!("{label} {shown}")),
        (false, None) => say(label),
        (true, shown) => say(&shown.unwrap_or_else(|| "None".into())),
    }
    Ok(())
}

/// `param set <node> <name> <value>`: the value's type guessed from its YAML as rclpy's
/// `get_parameter_value` does; the node's refusal goes to standard error with its reason
/// (ros2cli still exits 0 then).
pub fn set(target: &Target, name: &str, text: &str) -> Result<()> {
    let mut graph = Graph::start()?;
    let node = find_node(&mut graph, target)?;
    let value = guess_value(text);
    let mut client = ParameterClient::new(&mut graph, &node, "set_parameters")?;
    client.require_service()?;
    let request = map(vec![(
        "parameters",
        Value::List(vec![map(vec![
            ("name", Value::Str(name.to_string())),
            ("value", parameter_value(&value)),
        ])]),
    )]);
    let response = client.call(request)?;
    let Value::List(results) = field(&response, "results")? else {
        bail!("set_parameters answered without a list of results");
    };
    let [result] = results.as_slice() else {
        bail!(
            "set_parameters answered {} results for one parameter",
            results.len()
        );
    };
    let result = message(result)?;
    let successful = matches!(field(result, "successful")?, Value::Bool(true));
    let reason = text_of(field(result, "reason")?)?;
    let with_reason = |words: &str| {
        if reason.is_empty() {
            words.to_string()
        } else {
            format!("{words}: {reason}")
        }
    };
    if successful {
        say(&with_reason("Set parameter successful"));
    } else {
        eprintln!("{}", with_reason("Setting parameter failed"));
    }
    Ok(())
}

/// `param describe <node> <name>…`: type, description and constraints of each parameter.
pub fn describe(target: &Target, names: &[String]) -> Result<()> {
    let mut graph = Graph::start()?;
    let node = find_node(&mut graph, target)?;
    for descriptor in descriptors(&mut graph, &node, names)? {
        say(&format!("Parameter name: {}", descriptor.name));
        say(&format!("  Type: {}", type_name(descriptor.kind)));
        if !descriptor.description.is_empty() {
            say(&format!("  Description: {}", descriptor.description));
        }
        say("  Constraints:");
        if descriptor.read_only {
            say("    Read only: true");
        }
        if let Some((from, to, step)) = descriptor.range {
            say(&format!("    Min value: {from}"));
            say(&format!("    Max value: {to}"));
            if let Some(step) = step {
                say(&format!("    Step: {step}"));
            }
        }
        if !descriptor.additional_constraints.is_empty() {
            say(&format!(
                "    Additional constraints: {}",
                descriptor.additional_constraints
            ));
        }
    }
    Ok(())
}

/// `param dump <node>`: every parameter as the YAML parameter file `--params-file` reads
/// (names split at `.` into nested mappings, keys sorted as PyYAML sorts them).
pub fn dump(target: &Target) -> Result<()> {
    let mut graph = Graph::start()?;
    let node = find_node(&mut graph, target)?;
    let mut client = ParameterClient::new(&mut graph, &node, "list_parameters")?;
    if !client.wait_for_service(SERVICE_WAIT)? {
        return Err(Failure::new(
            format!(
                "Wait for service timed out waiting for parameter services for node {}",
                node.full_name
            ),
            "the node does not serve parameters (rclrs, rclcpp and rclpy nodes do unless told not to)",
        )
        .into());
    }
    let response = client.call(map(vec![]))?;
    drop(client);
    let mut names = strings(field(message(field(&response, "result")?)?, "names")?)?;
    names.sort();
    let values = get_values(&mut graph, &node, &names)?;
    let mut parameters = Tree::default();
    for (name, value) in names.iter().zip(values) {
        parameters.insert(name, dump_value(&value));
    }
    let document = Value::Map(vec![(
        Value::Str(node.full_name.clone()),
        Value::Map(vec![(
            Value::Str("ros__parameters".into()),
            parameters.into_value(),
        )]),
    )]);
    // `print(yaml.dump(…))`: the document and an empty line.
    say(&yaml_dump::document(&document));
    Ok(())
}

/// Nested mappings built from dotted names, sorted by key when turned into a value.
#[derive(Default)]
struct Tree {
    entries: Vec<(String, Entry)>,
}

enum Entry {
    Leaf(Value),
    Branch(Tree),
}

impl Tree {
    fn insert(&mut self, name: &str, value: Value) {
        match name.split_once('.') {
            Some((head, rest)) => {
                let position = self.entries.iter().position(|(key, _)| key == head);
                let index = position.unwrap_or_else(|| {
                    self.entries
                        .push((head.to_string(), Entry::Branch(Tree::default())));
                    self.entries.len() - 1
                });
                match &mut self.entries[index].1 {
                    Entry::Branch(tree) => tree.insert(rest, value),
                    leaf @ Entry::Leaf(_) => {
                        let mut tree = Tree::default();
                        tree.insert(rest, value);
                        *leaf = Entry::Branch(tree);
                    }
                }
            }
            None => match self.entries.iter_mut().find(|(key, _)| key == name) {
                Some((_, entry)) => *entry = Entry::Leaf(value),
                None => self.entries.push((name.to_string(), Entry::Leaf(value))),
            },
        }
    }

    fn into_value(mut self) -> Value {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Map(
            self.entries
                .into_iter()
                .map(|(key, entry)| {
                    let value = match entry {
                        Entry::Leaf(value) => value,
                        Entry::Branch(tree) => tree.into_value(),
                    };
                    (Value::Str(key), value)
                })
                .collect(),
        )
    }
}

/// The value as rclpy's `parameter_value_to_python` gives it to PyYAML.
fn dump_value(value: &Parameter) -> Value {
    match value {
        Parameter::NotSet => Value::None,
        Parameter::Bool(b) => Value::Bool(*b),
        Parameter::Integer(n) => Value::Int(*n),
        Parameter::Double(n) => Value::Float(*n),
        Parameter::Text(text) => Value::Str(text.clone()),
        // A list of one-byte `bytes` objects, which PyYAML writes as `!!binary`.
        Parameter::Bytes(bytes) => Value::List(bytes.iter().map(|b| Value::Byte(*b)).collect()),
        Parameter::Bools(items) => Value::List(items.iter().map(|b| Value::Bool(*b)).collect()),
        Parameter::Integers(items) => Value::List(items.iter().map(|n| Value::Int(*n)).collect()),
        Parameter::Doubles(items) => Value::List(items.iter().map(|n| Value::Float(*n)).collect()),
        Parameter::Texts(items) => Value::List(items.iter().cloned().map(Value::Str).collect()),
    }
}

/// Python's `str()` of the value ros2cli prints (lists print their items' `repr()`).
fn python_str(value: &Parameter) -> String {
    let list = |items: Vec<String>| format!("[{}]", items.join(", "));
    let bool_text = |b: &bool| if *b { "True" } else { "False" }.to_string();
    match value {
        Parameter::NotSet => "None".into(),
        Parameter::Bool(b) => bool_text(b),
        Parameter::Integer(n) => n.to_string(),
        Parameter::Double(n) => float_repr(*n),
        Parameter::Text(text) => text.clone(),
        Parameter::Bytes(bytes) => list(bytes.iter().map(|b| bytes_repr(&[*b])).collect()),
        Parameter::Bools(items) => list(items.iter().map(bool_text).collect()),
        Parameter::Integers(items) => list(items.iter().map(|n| n.to_string()).collect()),
        Parameter::Doubles(items) => list(items.iter().map(|n| float_repr(*n)).collect()),
        Parameter::Texts(items) => list(items.iter().map(|t| str_repr(t)).collect()),
    }
}

/// rclpy's `get_parameter_value`: the YAML reading of the text decides the type; anything that is
/// not a scalar, or a list of one kind, stays the text itself.
pub fn guess_value(text: &str) -> Parameter {
    let Ok(parsed) = yaml::parse(text) else {
        return Parameter::Text(text.to_string());
    };
    match parsed {
        Value::Bool(b) => Parameter::Bool(b),
        Value::Int(n) => Parameter::Integer(n),
        Value::Float(n) => Parameter::Double(n),
        Value::Str(s) => Parameter::Text(s),
        Value::List(items) => {
            // Python's bool is an int: a list of booleans is checked first, and `[1, true]` is
            // a list of integers.
            if items.iter().all(|v| matches!(v, Value::Bool(_))) {
                Parameter::Bools(
                    items
                        .iter()
                        .map(|v| matches!(v, Value::Bool(true)))
                        .collect(),
                )
            } else if items
                .iter()
                .all(|v| matches!(v, Value::Int(_) | Value::Bool(_)))
            {
                Parameter::Integers(
                    items
                        .iter()
                        .map(|v| match v {
                            Value::Int(n) => *n,
                            Value::Bool(b) => i128::from(*b),
                            _ => 0,
                        })
                        .collect(),
                )
            } else if items.iter().all(|v| matches!(v, Value::Float(_))) {
                Parameter::Doubles(
                    items
                        .iter()
                        .map(|v| if let Value::Float(n) = v { *n } else { 0.0 })
                        .collect(),
                )
            } else if items.iter().all(|v| matches!(v, Value::Str(_))) {
                Parameter::Texts(items.iter().map(crate::format::python_str).collect())
            } else {
                Parameter::Text(text.to_string())
            }
        }
        _ => Parameter::Text(text.to_string()),
    }
}

/// The `ParameterValue` message for a value, as a mapping for `populate`.
fn parameter_value(value: &Parameter) -> Value {
    let (kind, field, content) = match value {
        Parameter::NotSet => return map(vec![("type", Value::Int(0))]),
        Parameter::Bool(b) => (1, "bool_value", Value::Bool(*b)),
        Parameter::Integer(n) => (2, "integer_value", Value::Int(*n)),
        Parameter::Double(n) => (3, "double_value", Value::Float(*n)),
        Parameter::Text(text) => (4, "string_value", Value::Str(text.clone())),
        Parameter::Bytes(bytes) => (
            5,
            "byte_array_value",
            Value::List(bytes.iter().map(|b| Value::Byte(*b)).collect()),
        ),
        Parameter::Bools(items) => (
            6,
            "bool_array_value",
            Value::List(items.iter().map(|b| Value::Bool(*b)).collect()),
        ),
        Parameter::Integers(items) => (
            7,
            "integer_array_value",
            Value::List(items.iter().map(|n| Value::Int(*n)).collect()),
        ),
        Parameter::Doubles(items) => (
            8,
            "double_array_value",
            Value::List(items.iter().map(|n| Value::Float(*n)).collect()),
        ),
        Parameter::Texts(items) => (
            9,
            "string_array_value",
            Value::List(items.iter().cloned().map(Value::Str).collect()),
        ),
    };
    map(vec![("type", Value::Int(kind)), (field, content)])
}

/// A `ParameterValue` message read back.
fn read_parameter(value: &Value) -> Result<Parameter> {
    let value = message(value)?;
    let Value::Int(kind) = field(value, "type")? else {
        bail!("a ParameterValue without a type");
    };
    let items = |name: &str| -> Result<Vec<Value>> {
        match field(value, name)? {
            Value::List(items) | Value::Sequence(_, items) | Value::NumpyArray(_, items) => {
                Ok(items.clone())
            }
            other => bail!("{name} is not a list but {}", repr(other)),
        }
    };
    Ok(match kind {
        1 => Parameter::Bool(matches!(field(value, "bool_value")?, Value::Bool(true))),
        2 => Parameter::Integer(integer(field(value, "integer_value")?)),
        3 => Parameter::Double(float(field(value, "double_value")?)),
        4 => Parameter::Text(text_of(field(value, "string_value")?)?),
        5 => Parameter::Bytes(
            items("byte_array_value")?
                .iter()
                .map(|v| match v {
                    Value::Byte(b) => *b,
                    other => integer(other) as u8,
                })
                .collect(),
        ),
        6 => Parameter::Bools(
            items("bool_array_value")?
                .iter()
                .map(|v| matches!(v, Value::Bool(true)))
                .collect(),
        ),
        7 => Parameter::Integers(items("integer_array_value")?.iter().map(integer).collect()),
        8 => Parameter::Doubles(items("double_array_value")?.iter().map(float).collect()),
        9 => Parameter::Texts(
            items("string_array_value")?
                .iter()
                .map(text_of)
                .collect::<Result<_>>()?,
        ),
        _ => Parameter::NotSet,
    })
}

/// One parameter's `ParameterDescriptor`, the parts ros2cli prints.
struct Descriptor {
    name: String,
    kind: i128,
    description: String,
    read_only: bool,
    additional_constraints: String,
    /// From, to and step (when not 0) of the first range, written as Python prints them.
    range: Option<(String, String, Option<String>)>,
}

fn descriptors(graph: &mut Graph, node: &NodeName, names: &[String]) -> Result<Vec<Descriptor>> {
    let mut client = ParameterClient::new(graph, node, "describe_parameters")?;
    client.require_service()?;
    let response = client.call(map(vec![(
        "names",
        Value::List(names.iter().cloned().map(Value::Str).collect()),
    )]))?;
    let Value::List(items) = field(&response, "descriptors")? else {
        bail!("describe_parameters answered without descriptors");
    };
    items
        .iter()
        .map(|item| {
            let d = message(item)?;
            let range = first_range(d, "floating_point_range", |v| float_repr(float(v)))?
                .or(first_range(d, "integer_range", |v| integer(v).to_string())?);
            Ok(Descriptor {
                name: text_of(field(d, "name")?)?,
                kind: integer(field(d, "type")?),
                description: text_of(field(d, "description")?)?,
                read_only: matches!(field(d, "read_only")?, Value::Bool(true)),
                additional_constraints: text_of(field(d, "additional_constraints")?)?,
                range,
            })
        })
        .collect()
}

/// The first `FloatingPointRange` or `IntegerRange` of a descriptor (they are lists of at most
/// one), with each number written by `show`; the step only when it is not zero.
fn first_range(
    descriptor: &Message,
    name: &str,
    show: impl Fn(&Value) -> String,
) -> Result<Option<(String, String, Option<String>)>> {
    let Value::List(ranges) = field(descriptor, name)? else {
        return Ok(None);
    };
    let Some(range) = ranges.first() else {
        return Ok(None);
    };
    let range = message(range)?;
    let step = field(range, "step")?;
    let zero = matches!(step, Value::Int(0)) || matches!(step, Value::Float(n) if *n == 0.0);
    Ok(Some((
        show(field(range, "from_value")?),
        show(field(range, "to_value")?),
        (!zero).then(|| show(step)),
    )))
}

fn get_values(graph: &mut Graph, node: &NodeName, names: &[String]) -> Result<Vec<Parameter>> {
    let mut client = ParameterClient::new(graph, node, "get_parameters")?;
    client.require_service()?;
    let response = client.call(map(vec![(
        "names",
        Value::List(names.iter().cloned().map(Value::Str).collect()),
    )]))?;
    let Value::List(values) = field(&response, "values")? else {
        bail!("get_parameters answered without values");
    };
    values.iter().map(read_parameter).collect()
}

/// Waits for the node to be in the graph, as ros2cli's `wait_for_node` (a little longer: see
/// [`DISCOVERY_GRACE`]); `Node not found` otherwise.
fn find_node(graph: &mut Graph, target: &Target) -> Result<NodeName> {
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
struct ParameterClient<'g> {
    graph: &'g mut Graph,
    service: String,
    service_type: crate::introspection::ServiceType,
    client: Option<Client>,
}

impl<'g> ParameterClient<'g> {
    /// `verb` is the service's last part (`get_parameters`); its type follows from it.
    fn new(graph: &'g mut Graph, node: &NodeName, verb: &str) -> Result<ParameterClient<'g>> {
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
    fn wait_for_service(&mut self, limit: Duration) -> Result<bool> {
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
    fn require_service(&mut self) -> Result<()> {
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
    fn call(&self, fields: Value) -> Result<Message> {
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

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(key, value)| (Value::Str(key.to_string()), value))
            .collect(),
    )
}

fn field<'m>(message: &'m Message, name: &str) -> Result<&'m Value> {
    message
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| &f.value)
        .ok_or_else(|| anyhow::anyhow!("{} has no field {name}", message.type_name))
}

fn message(value: &Value) -> Result<&Message> {
    match value {
        Value::Message(message) => Ok(message),
        other => bail!("expected a message, got {}", repr(other)),
    }
}

fn text_of(value: &Value) -> Result<String> {
    match value {
        Value::Str(text) => Ok(text.clone()),
        other => bail!("expected a string, got {}", repr(other)),
    }
}

fn strings(value: &Value) -> Result<Vec<String>> {
    match value {
        Value::List(items) => items.iter().map(text_of).collect(),
        other => bail!("expected a list of strings, got {}", repr(other)),
    }
}

fn integer(value: &Value) -> i128 {
    match value {
        Value::Int(n) => *n,
        Value::Float(n) => *n as i128,
        _ => 0,
    }
}

fn float(value: &Value) -> f64 {
    match value {
        Value::Float(n) => *n,
        Value::Int(n) => *n as f64,
        _ => 0.0,
    }
}

/// `print()`: a line on standard output, flushed at once (ros2cli's stdout is line-buffered).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_given_to_set_get_rclpy_s_types() {
        assert_eq!(guess_value("80"), Parameter::Integer(80));
        assert_eq!(guess_value("true"), Parameter::Bool(true));
        assert_eq!(guess_value("2.5"), Parameter::Double(2.5));
        assert_eq!(guess_value("fast"), Parameter::Text("fast".into()));
        assert_eq!(guess_value("'80'"), Parameter::Text("80".into()));
        assert_eq!(guess_value("[1, 2]"), Parameter::Integers(vec![1, 2]));
        assert_eq!(guess_value("[1, true]"), Parameter::Integers(vec![1, 1]));
        assert_eq!(
            guess_value("[a, b]"),
            Parameter::Texts(vec!["a".into(), "b".into()])
        );
        assert_eq!(guess_value("[1, a]"), Parameter::Text("[1, a]".into()));
        assert_eq!(guess_value("{a: 1"), Parameter::Text("{a: 1".into()));
    }

    #[test]
    fn values_print_as_python_prints_them() {
        assert_eq!(python_str(&Parameter::Double(50.0)), "50.0");
        assert_eq!(
            python_str(&Parameter::Bools(vec![true, false])),
            "[True, False]"
        );
        assert_eq!(
            python_str(&Parameter::Texts(vec!["a".into(), "it's".into()])),
            "['a', \"it's\"]"
        );
        assert_eq!(
            python_str(&Parameter::Bytes(vec![1, b'a'])),
            "[b'\\x01', b'a']"
        );
    }

    #[test]
    fn dotted_names_nest_and_sort() {
        let mut tree = Tree::default();
        tree.insert("b", Value::Int(1));
        tree.insert("a.y", Value::Int(2));
        tree.insert("a.x", Value::Int(3));
        assert_eq!(
            yaml_dump::dump(&tree.into_value(), None),
            "a:\n  x: 3\n  y: 2\nb: 1\n"
        );
    }
}

//! `ros2 param list | get | set | describe | dump`: a node's parameters through the services every
//! node offers under its own name (`<node>/list_parameters`, `get_parameters`, `set_parameters`,
//! `describe_parameters`, all `rcl_interfaces/srv/*`), called with the generic client of
//! `call.rs`. What is printed, and where (standard output or error), follows ros2cli's Jazzy
//! `ros2param` verbs; unlike the real tool, every wait is bounded.
//!
//! This file decides what each verb prints; `client.rs` talks to the node, `value.rs` converts
//! values, `tree.rs` nests a dump's names.

mod client;
mod tree;
mod value;

use crate::format::{float_repr, str_repr};
use crate::graph::{Graph, NodeName};
use crate::value::{Message, Value};
use crate::{yaml_dump, Failure};
use anyhow::{bail, Result};
use client::{
    field, find_node, float, integer, map, message, strings, text_of, ParameterClient, SERVICE_WAIT,
};
use std::io::Write;
use tree::Tree;
use value::{
    dump_value, guess_value, parameter_value, python_str, read_parameter, type_name, Parameter,
};

/// Which node, and how long to wait for it (ros2cli's `--timeout N`, `--include-hidden-nodes`).
pub struct Target<'a> {
    pub node: &'a str,
    pub include_hidden: bool,
    pub timeout: f64,
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

/// `print()`: a line on standard output, flushed at once (ros2cli's stdout is line-buffered).
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

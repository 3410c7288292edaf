//! A parameter's value: read from and written to `rcl_interfaces/msg/ParameterValue`, guessed
//! from the text given to `set` as rclpy guesses it, printed as Python prints it (`get`) and
//! handed to the YAML writer as rclpy hands it to PyYAML (`dump`). Nothing here talks to a node.

use super::client::{field, float, integer, map, message, text_of};
use crate::format::{bytes_repr, float_repr, repr, str_repr};
use crate::value::Value;
use crate::yaml;
use anyhow::{bail, Result};

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
pub fn type_name(kind: i128) -> String {
    usize::try_from(kind)
        .ok()
        .and_then(|index| TYPE_NAMES.get(index))
        .map_or_else(|| format!("unknown type {kind}"), |name| name.to_string())
}

/// The value as rclpy's `parameter_value_to_python` gives it to PyYAML.
pub fn dump_value(value: &Parameter) -> Value {
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
pub fn python_str(value: &Parameter) -> String {
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
pub fn parameter_value(value: &Parameter) -> Value {
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
pub fn read_parameter(value: &Value) -> Result<Parameter> {
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
}

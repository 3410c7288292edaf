//! Filling a request from the YAML a person typed, with the conversions and checks rclpy makes
//! (rosidl_runtime_py's `set_message_fields` and the generated field setters): `int()`,
//! `float()`, `bool()` and `str()` conversions, range checks, array lengths, nested messages from
//! mappings. Error texts are the Python ones, because `ros2 service call` prints them after
//! `Failed to populate field: `.

use crate::format::python_str;
use crate::introspection::collection;
use crate::value::{Field, Message, Multiplicity, Primitive, Value};

/// Sets the fields of `message` from `values` (a YAML mapping).
pub fn set_fields(message: &mut Message, values: &Value) -> Result<(), String> {
    let Value::Map(entries) = values else {
        return Err(not_a_dictionary(values));
    };
    for (key, value) in entries {
        let Value::Str(name) = key else {
            return Err(format!(
                "attribute name must be string, not '{}'",
                key.python_type()
            ));
        };
        let class = message.class_name().to_string();
        let Some(field) = message.fields.iter_mut().find(|f| &f.name == name) else {
            return Err(format!("'{class}' object has no attribute '{name}'"));
        };
        set_field(field, value)?;
    }
    Ok(())
}

fn not_a_dictionary(value: &Value) -> String {
    format!(
        "Value '{}' is expected to be a dictionary but is a {}",
        python_str(value),
        value.python_type()
    )
}

fn set_field(field: &mut Field, value: &Value) -> Result<(), String> {
    let name = field.name.clone();
    if field.multiplicity != Multiplicity::Single {
        let Value::List(items) = value else {
            return Err(match value {
                Value::Str(_) if field.primitive.is_some_and(Primitive::is_numeric) => {
                    "cannot use a str to initialize an array".to_string()
                }
                _ => format!("'{}' object is not iterable", value.python_type()),
            });
        };
        let mut converted = Vec::with_capacity(items.len());
        for item in items {
            converted.push(element(field, item)?);
        }
        check_length(field, converted.len())?;
        field.value = collection(field.primitive, field.multiplicity, converted);
        return Ok(());
    }
    let converted = element(field, value)?;
    check_scalar(&name, field, &converted)?;
    field.value = converted;
    Ok(())
}

/// One value converted to the field's element type, as rclpy's setters would store it.
fn element(field: &Field, value: &Value) -> Result<Value, String> {
    let Some(kind) = field.primitive else {
        // A nested message: a fresh default of the element type, filled from the mapping.
        let mut nested = field
            .element_default
            .as_deref()
            .cloned()
            .ok_or_else(|| format!("the field '{}' has no message type", field.name))?;
        set_fields(&mut nested, value)?;
        return Ok(Value::Message(nested));
    };
    let in_array = field.multiplicity != Multiplicity::Single;
    use Primitive::*;
    match kind {
        Bool => Ok(Value::Bool(truthy(value))),
        Float32 | Float64 | LongDouble => to_float(value, in_array),
        String | WString | Char | WChar => Ok(Value::Str(python_str(value))),
        Byte => match value {
            Value::Byte(b) => Ok(Value::Byte(*b)),
            Value::Int(_) | Value::Bool(_) => Err(format!(
                "The '{}' field must be of type 'bytes' or 'ByteString' with length 1",
                field.name
            )),
            other => Err(not_a_dictionary(other)),
        },
        _ => to_int(value, in_array),
    }
}

/// Python's truth value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Int(n) => *n != 0,
        Value::Float(n) => *n != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(items) => !items.is_empty(),
        Value::Map(entries) => !entries.is_empty(),
        Value::None => false,
        _ => true,
    }
}

/// Python's `int(value)` (and `array.array`'s rule for arrays: only integers).
fn to_int(value: &Value, in_array: bool) -> Result<Value, String> {
    match value {
        Value::Int(n) => Ok(Value::Int(*n)),
        Value::Bool(b) => Ok(Value::Int(i128::from(*b))),
        Value::Float(_) if in_array => {
            Err("'float' object cannot be interpreted as an integer".into())
        }
        Value::Float(n) if n.is_nan() => Err("cannot convert float NaN to integer".into()),
        Value::Float(n) if n.is_infinite() => {
            Err("cannot convert float infinity to integer".into())
        }
        Value::Float(n) => Ok(Value::Int(n.trunc() as i128)),
        Value::Str(text) if !in_array => {
            let cleaned = text.trim().replace('_', "");
            cleaned.parse::<i128>().map(Value::Int).map_err(|_| {
                format!(
                    "invalid literal for int() with base 10: {}",
                    crate::format::str_repr(text)
                )
            })
        }
        other => Err(if in_array {
            format!(
                "'{}' object cannot be interpreted as an integer",
                other.python_type()
            )
        } else {
            not_a_dictionary(other)
        }),
    }
}

/// Python's `float(value)`.
fn to_float(value: &Value, in_array: bool) -> Result<Value, String> {
    match value {
        Value::Float(n) => Ok(Value::Float(*n)),
        Value::Int(n) => Ok(Value::Float(*n as f64)),
        Value::Bool(b) => Ok(Value::Float(f64::from(u8::from(*b)))),
        Value::Str(text) if !in_array => {
            let lower = text.trim().to_ascii_lowercase();
            let parsed = match lower.as_str() {
                "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
                "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                "nan" | "+nan" | "-nan" => Some(f64::NAN),
                _ => lower.replace('_', "").parse::<f64>().ok(),
            };
            parsed.map(Value::Float).ok_or_else(|| {
                format!(
                    "could not convert string to float: {}",
                    crate::format::str_repr(text)
                )
            })
        }
        other if in_array => Err(format!("must be real number, not {}", other.python_type())),
        other => Err(not_a_dictionary(other)),
    }
}

/// The setters' range checks, with their messages.
fn check_scalar(name: &str, field: &Field, value: &Value) -> Result<(), String> {
    match (field.primitive, value) {
        (Some(kind), Value::Int(n)) => {
            if let Some((low, high)) = kind.integer_range() {
                if *n < low || *n > high {
                    let what = if low == 0 {
                        "an unsigned integer"
                    } else {
                        "an integer"
                    };
                    return Err(format!(
                        "The '{name}' field must be {what} in [{low}, {high}]"
                    ));
                }
            }
        }
        (Some(Primitive::Float32), Value::Float(n))
            if n.is_finite() && n.abs() > f32::MAX as f64 =>
        {
            return Err(format!(
                "The '{name}' field must be a float in [-3.402823466e+38, 3.402823466e+38]"
            ));
        }
        (Some(Primitive::Float64), Value::Float(n)) if n.is_finite() && n.abs() > f64::MAX => {
            return Err(format!(
                "The '{name}' field must be a float in [-1.7976931348623157e+308, 1.7976931348623157e+308]"
            ));
        }
        (Some(Primitive::String), Value::Str(text))
            if field.string_bound > 0 && text.chars().count() > field.string_bound =>
        {
            return Err(format!(
                "The '{name}' field must be string value not longer than {}",
                field.string_bound
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Array lengths and element ranges, as the setters and `array.array` check them.
fn check_length(field: &Field, length: usize) -> Result<(), String> {
    let name = &field.name;
    match field.multiplicity {
        Multiplicity::Fixed(size) if length != size => {
            if field.primitive.is_some_and(Primitive::is_numeric) {
                Err(format!(
                    "The '{name}' numpy.ndarray() must have a size of {size}"
                ))
            } else {
                Err(format!(
                    "The '{name}' field must be a set or sequence with length {size} and each value of type '{}'",
                    element_type_name(field)
                ))
            }
        }
        Multiplicity::Bounded(bound) if length > bound => Err(format!(
            "The '{name}' field must be a set or sequence with length <= {bound} and each value of type '{}'",
            element_type_name(field)
        )),
        _ => Ok(()),
    }
}

fn element_type_name(field: &Field) -> String {
    use Primitive::*;
    match field.primitive {
        None => match &field.value {
            Value::List(items) => items
                .first()
                .and_then(|item| match item {
                    Value::Message(m) => Some(m.class_name().to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| "message".into()),
            _ => "message".into(),
        },
        Some(Bool) => "bool".into(),
        Some(Byte) => "bytes".into(),
        Some(String | WString) => "str".into(),
        Some(Float32 | Float64 | LongDouble) => "float".into(),
        Some(_) => "int".into(),
    }
}

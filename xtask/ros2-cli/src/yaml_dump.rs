//! A message written as a YAML document in block style, the way PyYAML's `yaml.dump` writes
//! rosidl_runtime_py's `message_to_ordereddict` (what `ros2 service echo` prints): nested
//! mappings indented by two, lists at their key's indentation, strings quoted only when they
//! would read back as something else.

use crate::format::float_repr;
use crate::value::Value;

/// The document, without the final `---`.
pub fn dump(value: &Value, truncate_length: Option<usize>) -> String {
    document(&truncate(value, truncate_length))
}

/// A document of plain values (mappings, lists, scalars; `Byte`s as `bytes`), as `yaml.dump`
/// writes it with `default_flow_style=False`.
pub fn document(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Map(entries) if !entries.is_empty() => mapping(entries, 0, &mut out),
        Value::List(items) if !items.is_empty() => sequence(items, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// Messages become mappings, arrays lists, long strings and lists are cut (`...`).
fn truncate(value: &Value, limit: Option<usize>) -> Value {
    let cut = |items: &[Value]| -> Value {
        let mut kept: Vec<Value> = items
            .iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|v| truncate(v, limit))
            .collect();
        if limit.is_some_and(|l| items.len() > l) {
            kept.push(Value::Str("...".into()));
        }
        Value::List(kept)
    };
    match value {
        Value::Message(message) => Value::Map(
            message
                .fields
                .iter()
                .map(|f| (Value::Str(f.name.clone()), truncate(&f.value, limit)))
                .collect(),
        ),
        Value::List(items) | Value::NumpyArray(_, items) | Value::Sequence(_, items) => cut(items),
        Value::Str(text) => match limit {
            Some(l) if text.chars().count() > l => {
                Value::Str(format!("{}...", text.chars().take(l).collect::<String>()))
            }
            _ => value.clone(),
        },
        Value::Byte(b) => Value::Int(i128::from(*b)),
        other => other.clone(),
    }
}

fn is_collection(value: &Value) -> bool {
    matches!(value, Value::Map(e) if !e.is_empty())
        || matches!(value, Value::List(i) if !i.is_empty())
}

fn mapping(entries: &[(Value, Value)], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (key, value) in entries {
        let key = scalar(key);
        match value {
            Value::Map(inner) if !inner.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                mapping(inner, indent + 2, out);
            }
            Value::List(items) if !items.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                sequence(items, indent, out);
            }
            other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
        }
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        if let Value::Byte(byte) = item {
            // A Python `bytes` object (what `param dump` holds; `echo` turns bytes into numbers
            // first): PyYAML's `!!binary` block, base64 on the next line.
            out.push_str(&format!("{pad}- !!binary |\n{pad}  {}\n", base64(&[*byte])));
            continue;
        }
        if !is_collection(item) {
            out.push_str(&format!("{pad}- {}\n", scalar(item)));
            continue;
        }
        // The first line of a nested collection shares the line with its dash.
        let mut nested = String::new();
        match item {
            Value::Map(entries) => mapping(entries, indent + 2, &mut nested),
            Value::List(inner) => sequence(inner, indent + 2, &mut nested),
            _ => {}
        }
        out.push_str(&format!("{pad}- {}", &nested[indent + 2..]));
    }
}

/// Standard base64 with padding, as Python's `base64.encodebytes` writes a short value.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk
            .iter()
            .enumerate()
            .fold(0u32, |word, (i, b)| word | (u32::from(*b) << (16 - 8 * i)));
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(ALPHABET[((word >> (18 - 6 * index)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A scalar as PyYAML writes it.
fn scalar(value: &Value) -> String {
    match value {
        Value::None => "null".into(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::Int(n) => n.to_string(),
        Value::Float(n) => {
            if n.is_nan() {
                return ".nan".into();
            }
            if n.is_infinite() {
                return if *n > 0.0 { ".inf" } else { "-.inf" }.into();
            }
            let text = float_repr(*n).to_lowercase();
            if !text.contains('.') && text.contains('e') {
                text.replacen('e', ".0e", 1)
            } else {
                text
            }
        }
        Value::Str(text) => string(text),
        Value::Map(_) => "{}".into(),
        Value::List(_) => "[]".into(),
        other => crate::format::repr(other),
    }
}

fn string(text: &str) -> String {
    let reads_as_other = !matches!(crate::yaml::scalar(text), Value::Str(_));
    let special = text.chars().any(|c| c.is_control() && c != '\t');
    if special {
        return format!("{:?}", text);
    }
    let indicator_start =
        text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ]) && !(text.len() > 1 && text.starts_with(['-', '?', ':']) && !text[1..].starts_with(' '));
    let plain = !text.is_empty()
        && !reads_as_other
        && !indicator_start
        && text.trim() == text
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':');
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::Str(k.into()), v))
                .collect(),
        )
    }

    #[test]
    fn events_dump_like_pyyaml_block_style() {
        let event = map(vec![
            (
                "info",
                map(vec![
                    ("event_type", Value::Str("REQUEST_SENT".into())),
                    (
                        "client_gid",
                        Value::List(vec![Value::Int(1), Value::Int(2)]),
                    ),
                ]),
            ),
            (
                "request",
                Value::List(vec![map(vec![("speed", Value::Int(42))])]),
            ),
            ("response", Value::List(vec![])),
            ("note", Value::Str("".into())),
            ("flag", Value::Str("true".into())),
            ("x", Value::Float(1e20)),
        ]);
        assert_eq!(
            document(&map(vec![(
                "data",
                Value::List(vec![Value::Byte(1), Value::Byte(b'a'), Value::Byte(255)])
            )])),
            "data:\n- !!binary |\n  AQ==\n- !!binary |\n  YQ==\n- !!binary |\n  /w==\n"
        );
        assert_eq!(base64(b"abcd"), "YWJjZA==");
        assert_eq!(
            dump(&event, Some(128)),
            "info:\n  event_type: REQUEST_SENT\n  client_gid:\n  - 1\n  - 2\nrequest:\n- speed: 42\n\
             response: []\nnote: ''\nflag: 'true'\nx: 1.0e+20\n"
        );
    }
}

//! Reads the text of ROS 2 `.msg` and `.srv` files into plain data ([`Message`], [`Service`]).
//!
//! This file only understands the grammar: types, names, constants, default values and
//! comments. It must not decide how anything is spelled in Rust or C (that is `types.rs`) and
//! must not touch the file system.

use anyhow::{bail, Context, Result};

/// The element types a field can have, before any array or sequence is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseType {
    /// `bool`, `byte`, `char`, `float32`, `float64`, `int8` … `uint64`.
    Primitive(Primitive),
    /// `string`, or `string<=N` when the bound is `Some(N)`.
    String(Option<usize>),
    /// `wstring`, or `wstring<=N` when the bound is `Some(N)`.
    WString(Option<usize>),
    /// A message type: `pkg/Type`, `Type` (same package) or `Header` (std_msgs/Header).
    Named { package: String, name: String },
}

/// The primitive types of the interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primitive {
    Bool,
    Byte,
    Char,
    Float32,
    Float64,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
}

impl Primitive {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "bool" => Self::Bool,
            "byte" => Self::Byte,
            "char" => Self::Char,
            "float32" => Self::Float32,
            "float64" => Self::Float64,
            "int8" => Self::Int8,
            "uint8" => Self::UInt8,
            "int16" => Self::Int16,
            "uint16" => Self::UInt16,
            "int32" => Self::Int32,
            "uint32" => Self::UInt32,
            "int64" => Self::Int64,
            "uint64" => Self::UInt64,
            _ => return None,
        })
    }
}

/// How many elements a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// One value: `int32 x`.
    Single,
    /// A fixed array: `int32[3] x`.
    Array(usize),
    /// An unbounded sequence: `int32[] x`.
    Sequence,
    /// A bounded sequence: `int32[<=3] x`.
    BoundedSequence(usize),
}

/// A complete field type such as `string<=5[<=10]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldType {
    pub base: BaseType,
    pub container: Container,
}

/// A default value written after a field, with quotes already removed from strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
}

/// One field of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
    pub default: Option<Value>,
    pub doc: Vec<String>,
}

/// One constant of a message (`TYPE NAME=value`); string values are unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constant {
    pub name: String,
    pub ty: BaseType,
    pub value: String,
    pub doc: Vec<String>,
}

/// A parsed message, or one half of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<Field>,
    pub constants: Vec<Constant>,
}

/// A parsed service: its request and response messages are named `<Srv>_Request`/`_Response`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub request: Message,
    pub response: Message,
}

/// Parses the text of a `.srv` file of `package`.
pub fn parse_service(package: &str, name: &str, text: &str) -> Result<Service> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(split) = lines.iter().position(|line| line.trim() == "---") else {
        bail!("service {name} has no `---` line between request and response");
    };
    let request = lines[..split].join("\n");
    let response = lines[split + 1..].join("\n");
    Ok(Service {
        name: name.to_string(),
        request: parse_message(package, &format!("{name}_Request"), &request)
            .context("in the request")?,
        response: parse_message(package, &format!("{name}_Response"), &response)
            .context("in the response")?,
    })
}

/// Parses the text of a `.msg` file (or one half of a `.srv`) of `package`.
///
/// Comments: the comment block at the very top becomes the message's documentation when a
/// blank line (or the end) follows it; comment lines directly above a field or constant, the
/// comment at the end of its line, and indented comment lines below it document that field.
/// A comment block separated from the next field by a blank line documents nothing.
pub fn parse_message(package: &str, name: &str, text: &str) -> Result<Message> {
    let mut message = Message {
        name: name.to_string(),
        doc: Vec::new(),
        fields: Vec::new(),
        constants: Vec::new(),
    };
    let mut pending: Vec<String> = Vec::new();
    let mut at_top = true;
    // Where indented comment lines go: the last field (true) or constant (false).
    let mut last_is_field: Option<bool> = None;
    for (number, raw) in text.lines().enumerate() {
        let raw = raw.replace('\t', " ");
        let (code, comment) = split_comment(&raw);
        let code = code.trim_end();
        if code.trim().is_empty() {
            match comment {
                None => {
                    if at_top && !pending.is_empty() {
                        message.doc.append(&mut pending);
                        at_top = false;
                    }
                    pending.clear();
                    last_is_field = None;
                }
                Some(comment) if raw.starts_with(' ') && last_is_field.is_some() => {
                    let doc = match last_is_field {
                        Some(true) => &mut message.fields.last_mut().unwrap().doc,
                        _ => &mut message.constants.last_mut().unwrap().doc,
                    };
                    doc.push(comment);
                }
                Some(comment) => {
                    pending.push(comment);
                    last_is_field = None;
                }
            }
            continue;
        }
        at_top = false;
        let mut doc = std::mem::take(&mut pending);
        doc.extend(comment);
        let entry = parse_line(package, code.trim())
            .with_context(|| format!("line {}: `{}`", number + 1, raw.trim()))?;
        match entry {
            Entry::Field(mut field) => {
                field.doc = doc;
                message.fields.push(field);
                last_is_field = Some(true);
            }
            Entry::Constant(mut constant) => {
                constant.doc = doc;
                message.constants.push(constant);
                last_is_field = Some(false);
            }
        }
    }
    if at_top {
        message.doc.append(&mut pending);
    }
    Ok(message)
}

enum Entry {
    Field(Field),
    Constant(Constant),
}

/// Splits a line at the first `#` that is not inside a quoted string. The comment loses its
/// `#` and trailing spaces.
fn split_comment(line: &str) -> (&str, Option<String>) {
    let mut quote = None;
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => {
                let comment = line[index + 1..].trim_end().to_string();
                return (&line[..index], Some(comment));
            }
            _ => {}
        }
    }
    (line, None)
}

fn parse_line(package: &str, line: &str) -> Result<Entry> {
    let (type_text, rest) = line
        .split_once(' ')
        .context("expected `TYPE NAME`, found only one word")?;
    let rest = rest.trim_start();
    // A constant is `NAME=value`, where NAME has no spaces (`string s "a=b"` is a field).
    if let Some((name, value)) = rest.split_once('=') {
        let name = name.trim_end();
        if !name.contains(' ') {
            let ty = parse_field_type(package, type_text)?;
            if ty.container != Container::Single {
                bail!("constant {name} cannot be an array");
            }
            check_name(name)?;
            let value = value.trim();
            let value = match ty.base {
                BaseType::String(_) | BaseType::WString(_) => unquote(value)?,
                BaseType::Named { .. } => bail!("constant {name} must have a primitive type"),
                BaseType::Primitive(_) => value.to_string(),
            };
            return Ok(Entry::Constant(Constant {
                name: name.to_string(),
                ty: ty.base,
                value,
                doc: Vec::new(),
            }));
        }
    }
    let (name, default) = match rest.split_once(' ') {
        Some((name, default)) => (name, Some(default.trim())),
        None => (rest, None),
    };
    check_name(name)?;
    let ty = parse_field_type(package, type_text)?;
    let default = match default {
        None => None,
        Some(text) if ty.container == Container::Single => Some(Value::Scalar(unquote(text)?)),
        Some(text) => Some(Value::List(parse_list(text)?)),
    };
    Ok(Entry::Field(Field {
        name: name.to_string(),
        ty,
        default,
        doc: Vec::new(),
    }))
}

fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let starts_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("`{name}` is not a valid field or constant name");
    }
    Ok(())
}

/// Parses a type such as `uint8`, `string<=10`, `pkg/Type[<=3]` or `Header[]`.
pub fn parse_field_type(package: &str, text: &str) -> Result<FieldType> {
    let (base_text, container) = match text.split_once('[') {
        None => (text, Container::Single),
        Some((base, rest)) => {
            let inside = rest
                .strip_suffix(']')
                .with_context(|| format!("`{text}`: missing `]`"))?;
            let container = if inside.is_empty() {
                Container::Sequence
            } else if let Some(bound) = inside.strip_prefix("<=") {
                Container::BoundedSequence(parse_size(bound)?)
            } else {
                Container::Array(parse_size(inside)?)
            };
            (base, container)
        }
    };
    let base = if let Some(bound) = base_text.strip_prefix("string<=") {
        BaseType::String(Some(parse_size(bound)?))
    } else if let Some(bound) = base_text.strip_prefix("wstring<=") {
        BaseType::WString(Some(parse_size(bound)?))
    } else if base_text == "string" {
        BaseType::String(None)
    } else if base_text == "wstring" {
        BaseType::WString(None)
    } else if let Some(primitive) = Primitive::from_name(base_text) {
        BaseType::Primitive(primitive)
    } else {
        let (package, name) = match base_text.split_once('/') {
            Some((package, name)) => (package.to_string(), name.to_string()),
            None if base_text == "Header" && package != "std_msgs" => {
                ("std_msgs".to_string(), "Header".to_string())
            }
            None => (package.to_string(), base_text.to_string()),
        };
        let valid =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid(&package) || !valid(&name) || !name.starts_with(|c: char| c.is_ascii_uppercase())
        {
            bail!("`{base_text}` is not a known type");
        }
        BaseType::Named { package, name }
    };
    Ok(FieldType { base, container })
}

fn parse_size(text: &str) -> Result<usize> {
    text.trim()
        .parse()
        .with_context(|| format!("`{text}` is not a size"))
}

/// Removes the quotes around a string value and resolves backslash escapes; unquoted text is
/// returned as it is.
fn unquote(text: &str) -> Result<String> {
    let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return Ok(text.to_string());
    };
    let mut out = String::new();
    let mut chars = text[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().context("string ends after a backslash")?),
            c if c == quote => {
                if chars.as_str().trim().is_empty() {
                    return Ok(out);
                }
                bail!("unexpected text after the closing quote in {text}");
            }
            c => out.push(c),
        }
    }
    bail!("missing closing quote in {text}")
}

/// Parses `[a, b, "c, d"]` into its unquoted elements.
fn parse_list(text: &str) -> Result<Vec<String>> {
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .with_context(|| format!("an array default must look like [a, b], found {text}"))?;
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut escaped = false;
    for c in inner.chars() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, ',') => {
                items.push(unquote(current.trim())?);
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() || !items.is_empty() {
        items.push(unquote(current.trim())?);
    }
    Ok(items)
}

//! How interface types and names are spelled in the generated Rust and in the C headers.
//!
//! This file maps parsed types ([`super::parse`]) to Rust type paths (idiomatic and rmw),
//! escapes keywords, renders constant values and computes C names. It must not read files or
//! produce whole items (structs, impls): that is `emit.rs`.

use super::parse::{BaseType, Container, FieldType, Primitive};
use anyhow::{bail, Context, Result};

/// Where generated code is being written: which package, and whether inside the `rmw` module.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub package: &'a str,
    pub rmw: bool,
}

/// The Rust name of a field or constant: keywords get a trailing underscore (`type` → `type_`).
pub fn rust_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual",
        "yield",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The Rust type of a primitive; `byte` and `char` are both `u8`, as in C.
pub fn primitive(p: Primitive) -> &'static str {
    match p {
        Primitive::Bool => "bool",
        Primitive::Byte | Primitive::Char | Primitive::UInt8 => "u8",
        Primitive::Float32 => "f32",
        Primitive::Float64 => "f64",
        Primitive::Int8 => "i8",
        Primitive::Int16 => "i16",
        Primitive::UInt16 => "u16",
        Primitive::Int32 => "i32",
        Primitive::UInt32 => "u32",
        Primitive::Int64 => "i64",
        Primitive::UInt64 => "u64",
    }
}

/// The path of message `package/name` as seen from `scope`, in its rmw or idiomatic flavour.
///
/// Messages of the same package are reached through `super` (so the code works both inside
/// `ros_env::<pkg>` and in a stand-alone crate); other packages by their crate name, which
/// `ros-env` brings into scope with `use crate::<dep>;`.
pub fn message_path(scope: Scope, package: &str, name: &str, rmw: bool) -> String {
    let module = if rmw { "msg::rmw" } else { "msg" };
    if package == scope.package {
        let up = if scope.rmw { "super::super" } else { "super" };
        format!("{up}::{module}::{name}")
    } else {
        format!("{package}::{module}::{name}")
    }
}

/// The Rust type of one element (no array or sequence), in the rmw or idiomatic flavour.
pub fn element(scope: Scope, base: &BaseType, rmw: bool) -> String {
    match base {
        BaseType::Primitive(p) => primitive(*p).to_string(),
        BaseType::String(None) if rmw => "rosidl_runtime_rs::String".to_string(),
        BaseType::WString(None) if rmw => "rosidl_runtime_rs::WString".to_string(),
        BaseType::String(None) | BaseType::WString(None) => "std::string::String".to_string(),
        BaseType::String(Some(n)) => format!("rosidl_runtime_rs::BoundedString<{n}>"),
        BaseType::WString(Some(n)) => format!("rosidl_runtime_rs::BoundedWString<{n}>"),
        BaseType::Named { package, name } => message_path(scope, package, name, rmw),
    }
}

/// The Rust type of a field in the struct being written in `scope`.
///
/// Bounded sequences keep rmw elements even in idiomatic structs, because
/// `BoundedSequence<T, N>` needs elements that C can allocate.
pub fn field(scope: Scope, ty: &FieldType) -> String {
    let own = element(scope, &ty.base, scope.rmw);
    match ty.container {
        Container::Single => own,
        Container::Array(n) => format!("[{own}; {n}]"),
        Container::Sequence if scope.rmw => format!("rosidl_runtime_rs::Sequence<{own}>"),
        Container::Sequence => format!("Vec<{own}>"),
        Container::BoundedSequence(n) => {
            let rmw = element(scope, &ty.base, true);
            format!("rosidl_runtime_rs::BoundedSequence<{rmw}, {n}>")
        }
    }
}

/// The Rust type and literal of a constant: `("u8", "5")`, `("&'static str", "\"hi\"")`.
pub fn constant(ty: &BaseType, value: &str) -> Result<(String, String)> {
    let p = match ty {
        BaseType::String(_) | BaseType::WString(_) => {
            return Ok(("&'static str".to_string(), format!("{value:?}")));
        }
        BaseType::Named { .. } => bail!("a constant must have a primitive or string type"),
        BaseType::Primitive(p) => *p,
    };
    let rust = primitive(p).to_string();
    let literal = match p {
        Primitive::Bool => match value {
            "true" | "True" | "1" => "true".to_string(),
            "false" | "False" | "0" => "false".to_string(),
            _ => bail!("`{value}` is not a bool"),
        },
        Primitive::Float32 | Primitive::Float64 => {
            value
                .parse::<f64>()
                .with_context(|| format!("`{value}` is not a number"))?;
            if value.contains(['.', 'e', 'E']) {
                value.to_string()
            } else {
                format!("{value}.0")
            }
        }
        _ => {
            let number: i128 = value
                .parse()
                .with_context(|| format!("`{value}` is not an integer"))?;
            let (min, max): (i128, i128) = match p {
                Primitive::Int8 => (i8::MIN.into(), i8::MAX.into()),
                Primitive::Int16 => (i16::MIN.into(), i16::MAX.into()),
                Primitive::Int32 => (i32::MIN.into(), i32::MAX.into()),
                Primitive::Int64 => (i64::MIN.into(), i64::MAX.into()),
                Primitive::UInt16 => (0, u16::MAX.into()),
                Primitive::UInt32 => (0, u32::MAX.into()),
                Primitive::UInt64 => (0, u64::MAX.into()),
                _ => (0, u8::MAX.into()),
            };
            if number < min || number > max {
                bail!("{value} does not fit in {rust}");
            }
            number.to_string()
        }
    };
    Ok((rust, literal))
}

/// The snake-case name that rosidl uses for C headers: `SetSpeed` → `set_speed`,
/// `WStrings` → `w_strings`, `UUID` → `uuid`, `ColorRGBA` → `color_rgba`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let after_lower = prev.is_ascii_lowercase() || prev.is_ascii_digit();
            // An upper-case letter starts a word after a lower-case letter or digit, or when it
            // begins a capitalised word that follows other letters ("RGBAColor" → "rgba_color").
            if after_lower || (next_lower && prev != '_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The C name of a generated struct or of the prefix of its functions: `pkg__msg__Type`.
pub fn c_name(package: &str, kind: &str, name: &str) -> String {
    format!("{package}__{kind}__{name}")
}

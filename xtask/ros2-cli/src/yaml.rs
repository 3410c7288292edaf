//! The YAML that `ros2 service call` takes for a request: flow style (`{speed: 42, pose: {x:
//! 1.0}, names: [a, b]}`) and simple block mappings (`speed: 42`), with scalars resolved as
//! PyYAML's `safe_load` resolves them (YAML 1.1: `yes`/`on` are booleans, `1e5` without a point is
//! a string, `0o17`… is a string, `017` is octal).
//!
//! Written here rather than taken from a YAML crate because the crates on the registry follow
//! YAML 1.2 resolution, and the point is to read the same values as the real tool. Anchors,
//! tags and multi-document streams are not supported (the tool says so).

use crate::value::Value;
use anyhow::{bail, Result};

/// Parses one YAML document into [`Value`]s (`Map`, `List`, scalars, `None`).
pub fn parse(text: &str) -> Result<Value> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Value::None);
    }
    if !trimmed.starts_with(['{', '[', '"', '\'']) && looks_like_block(trimmed) {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect();
        let mut index = 0;
        let value = block(&lines, &mut index, indent_of(lines[0]))?;
        if index < lines.len() {
            bail!(
                "while parsing a block mapping: expected <block end>, but found {:?}",
                lines[index].trim()
            );
        }
        return Ok(value);
    }
    let mut parser = Flow {
        chars: trimmed.chars().collect(),
        position: 0,
    };
    let value = parser.value()?;
    parser.skip_space();
    if parser.position < parser.chars.len() {
        bail!(
            "expected <document end>, but found {:?} (column {})",
            parser.chars[parser.position],
            parser.position + 1
        );
    }
    Ok(value)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A block mapping or sequence starts with `key:` or `- ` on its first line.
fn looks_like_block(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("").trim();
    first.starts_with("- ") || first == "-" || key_split(first).is_some()
}

/// `key: rest` split at the first `: ` (or a final `:`) outside quotes and brackets.
fn key_split(line: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in bytes.iter().enumerate() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if k == 0 => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ':') if depth == 0 => {
                let next = bytes.get(k + 1).map(|&(_, c)| c);
                if next.is_none() || next == Some(' ') {
                    return Some((&line[..i], line[i + 1..].trim()));
                }
            }
            _ => {}
        }
    }
    None
}

fn block(lines: &[&str], index: &mut usize, indent: usize) -> Result<Value> {
    let first = lines[*index].trim();
    if first.starts_with("- ") || first == "-" {
        let mut items = Vec::new();
        while *index < lines.len() && indent_of(lines[*index]) == indent {
            let line = lines[*index].trim();
            let Some(rest) = line.strip_prefix('-') else {
                break;
            };
            *index += 1;
            let rest = rest.trim();
            if rest.is_empty() {
                items.push(nested_or_null(lines, index, indent)?);
            } else {
                items.push(parse(rest)?);
            }
        }
        return Ok(Value::List(items));
    }
    let mut entries = Vec::new();
    while *index < lines.len() {
        let line = lines[*index];
        let here = indent_of(line);
        if here < indent {
            break;
        }
        if here > indent {
            bail!(
                "while parsing a block mapping: mapping values are not allowed here ({:?})",
                line.trim()
            );
        }
        let Some((key, rest)) = key_split(line.trim()) else {
            bail!(
                "while scanning a simple key: could not find expected ':' in {:?}",
                line.trim()
            );
        };
        *index += 1;
        let value = if rest.is_empty() || rest.starts_with('#') {
            nested_or_null(lines, index, indent)?
        } else {
            parse(rest)?
        };
        entries.push((scalar(key.trim()), value));
    }
    Ok(Value::Map(entries))
}

fn nested_or_null(lines: &[&str], index: &mut usize, indent: usize) -> Result<Value> {
    match lines.get(*index) {
        Some(next) if indent_of(next) > indent => block(lines, index, indent_of(next)),
        Some(next) if indent_of(next) == indent && next.trim_start().starts_with("- ") => {
            block(lines, index, indent)
        }
        _ => Ok(Value::None),
    }
}

struct Flow {
    chars: Vec<char>,
    position: usize,
}

impl Flow {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.position += 1;
        }
    }

    fn found(&self) -> String {
        self.peek()
            .map(|c| format!("'{c}'"))
            .unwrap_or_else(|| "'<stream end>'".into())
    }

    fn value(&mut self) -> Result<Value> {
        self.skip_space();
        match self.peek() {
            Some('{') => self.mapping(),
            Some('[') => self.sequence(),
            Some('"') => self.double_quoted().map(Value::Str),
            Some('\'') => self.single_quoted().map(Value::Str),
            Some('&' | '*' | '!' | '|' | '>') => bail!(
                "YAML anchors, aliases, tags and block scalars are not supported here (column {})",
                self.position + 1
            ),
            _ => Ok(scalar(&self.plain())),
        }
    }

    fn mapping(&mut self) -> Result<Value> {
        let start = self.position + 1;
        self.position += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some('}') {
                self.position += 1;
                return Ok(Value::Map(entries));
            }
            let key = self.value()?;
            self.skip_space();
            let value = if self.peek() == Some(':') {
                self.position += 1;
                self.skip_space();
                if matches!(self.peek(), Some(',' | '}')) {
                    Value::None
                } else {
                    self.value()?
                }
            } else {
                Value::None
            };
            entries.push((key, value));
            self.skip_space();
            match self.peek() {
                Some(',') => self.position += 1,
                Some('}') => {}
                _ => bail!(
                    "while parsing a flow mapping (started at column {start}): expected ',' or \
                     '}}', but got {} (column {})",
                    self.found(),
                    self.position + 1
                ),
            }
        }
    }

    fn sequence(&mut self) -> Result<Value> {
        let start = self.position + 1;
        self.position += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some(']') {
                self.position += 1;
                return Ok(Value::List(items));
            }
            items.push(self.value()?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.position += 1,
                Some(']') => {}
                _ => bail!(
                    "while parsing a flow sequence (started at column {start}): expected ',' or \
                     ']', but got {} (column {})",
                    self.found(),
                    self.position + 1
                ),
            }
        }
    }

    /// A plain scalar in flow context: ends at `,`, `]`, `}`, or a `:` followed by a space.
    fn plain(&mut self) -> String {
        let start = self.position;
        while let Some(c) = self.peek() {
            let next = self.chars.get(self.position + 1).copied();
            if matches!(c, ',' | ']' | '}' | '[' | '{')
                || (c == ':'
                    && (next.is_none()
                        || next.is_some_and(char::is_whitespace)
                        || matches!(next, Some(',' | ']' | '}'))))
            {
                break;
            }
            if c == '#' && self.position > start && self.chars[self.position - 1] == ' ' {
                break;
            }
            self.position += 1;
        }
        self.chars[start..self.position]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn single_quoted(&mut self) -> Result<String> {
        let start = self.position;
        self.position += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => bail!(
                    "while scanning a quoted scalar (column {}): found unexpected end of stream",
                    start + 1
                ),
                Some('\'') if self.chars.get(self.position + 1) == Some(&'\'') => {
                    text.push('\'');
                    self.position += 2;
                }
                Some('\'') => {
                    self.position += 1;
                    return Ok(text);
                }
                Some(c) => {
                    text.push(c);
                    self.position += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self) -> Result<String> {
        let start = self.position;
        self.position += 1;
        let mut text = String::new();
        loop {
            let Some(c) = self.peek() else {
                bail!(
                    "while scanning a quoted scalar (column {}): found unexpected end of stream",
                    start + 1
                );
            };
            self.position += 1;
            match c {
                '"' => return Ok(text),
                '\\' => {
                    let Some(escaped) = self.peek() else { continue };
                    self.position += 1;
                    let hex = |me: &mut Flow, n: usize| -> Result<char> {
                        let digits: String = me.chars
                            [me.position..(me.position + n).min(me.chars.len())]
                            .iter()
                            .collect();
                        me.position += n;
                        u32::from_str_radix(&digits, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or_else(|| anyhow::anyhow!("bad escape \\{escaped}{digits}"))
                    };
                    text.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        'a' => '\x07',
                        'b' => '\x08',
                        'e' => '\x1b',
                        'f' => '\x0c',
                        'v' => '\x0b',
                        ' ' => ' ',
                        '/' => '/',
                        '"' => '"',
                        '\\' => '\\',
                        'x' => hex(self, 2)?,
                        'u' => hex(self, 4)?,
                        'U' => hex(self, 8)?,
                        other => bail!(
                            "while scanning a double-quoted scalar: found unknown escape \
                             character '{other}'"
                        ),
                    });
                }
                c => text.push(c),
            }
        }
    }
}

/// Resolves a plain scalar as PyYAML's SafeLoader does (YAML 1.1).
pub fn scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::None,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    if let Some(number) = integer(text) {
        return Value::Int(number);
    }
    if let Some(number) = float(text) {
        return Value::Float(number);
    }
    Value::Str(text.to_string())
}

fn split_sign(text: &str) -> (i128, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    }
}

fn integer(text: &str) -> Option<i128> {
    let (sign, body) = split_sign(text);
    if body.is_empty() {
        return None;
    }
    let clean = |s: &str| s.replace('_', "");
    let value = if let Some(bin) = body.strip_prefix("0b") {
        (!bin.is_empty() && bin.chars().all(|c| matches!(c, '0' | '1' | '_')))
            .then(|| i128::from_str_radix(&clean(bin), 2).ok())??
    } else if let Some(hex) = body.strip_prefix("0x") {
        (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit() || c == '_'))
            .then(|| i128::from_str_radix(&clean(hex), 16).ok())??
    } else if body == "0" {
        0
    } else if let Some(octal) = body.strip_prefix('0') {
        octal
            .chars()
            .all(|c| matches!(c, '0'..='7' | '_'))
            .then(|| i128::from_str_radix(&clean(octal), 8).ok())??
    } else if body.contains(':') {
        i128::from(sexagesimal(body)?)
    } else {
        (body.starts_with(|c: char| c.is_ascii_digit() && c != '0')
            && body.chars().all(|c| c.is_ascii_digit() || c == '_'))
        .then(|| clean(body).parse::<i128>().ok())??
    };
    Some(sign * value)
}

/// `1:30` → 90 (base 60), as YAML 1.1 reads it.
fn sexagesimal(body: &str) -> Option<i64> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if !first.starts_with(|c: char| c.is_ascii_digit() && c != '0')
        || !first.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let mut value: i64 = first.replace('_', "").parse().ok()?;
    for part in parts {
        if part.is_empty() || part.len() > 2 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digit: i64 = part.parse().ok()?;
        if digit > 59 {
            return None;
        }
        value = value * 60 + digit;
    }
    Some(value)
}

fn float(text: &str) -> Option<f64> {
    let (sign, body) = split_sign(text);
    let sign = sign as f64;
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    // [0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?  (the point is required, so is the exponent sign)
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let whole_ok = whole.is_empty()
        || (whole.starts_with(|c: char| c.is_ascii_digit())
            && whole.chars().all(|c| c.is_ascii_digit() || c == '_'));
    let fraction_ok = fraction
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    let exponent_ok = exponent.is_none_or(|e| {
        e.len() > 1 && e.starts_with(['+', '-']) && e[1..].chars().all(|c| c.is_ascii_digit())
    });
    if !(whole_ok && fraction_ok && exponent_ok) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let cleaned = body.replace('_', "");
    let cleaned = if cleaned.starts_with('.') {
        format!("0{cleaned}")
    } else {
        cleaned
    };
    cleaned.parse::<f64>().ok().map(|n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Value) {
        assert_eq!(parse(text).expect("valid YAML"), expected, "{text:?}");
    }

    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::Str(k.into()), v))
                .collect(),
        )
    }

    #[test]
    fn flow_mappings_and_sequences() {
        check("{speed: 42}", map(vec![("speed", Value::Int(42))]));
        check(
            "{a: [1, 2.5, x], b: {c: 'it''s'}}",
            map(vec![
                (
                    "a",
                    Value::List(vec![
                        Value::Int(1),
                        Value::Float(2.5),
                        Value::Str("x".into()),
                    ]),
                ),
                ("b", map(vec![("c", Value::Str("it's".into()))])),
            ]),
        );
        check("{}", Value::Map(vec![]));
        check("", Value::None);
    }

    #[test]
    fn block_mappings_as_ros2_accepts_them() {
        check("speed: 42", map(vec![("speed", Value::Int(42))]));
        check(
            "data: true\nname: \"a b\"",
            map(vec![
                ("data", Value::Bool(true)),
                ("name", Value::Str("a b".into())),
            ]),
        );
    }

    #[test]
    fn scalars_resolve_as_yaml_1_1() {
        check("yes", Value::Bool(true));
        check("off", Value::Bool(false));
        check("0x1f", Value::Int(31));
        check("017", Value::Int(15));
        check("-1_000", Value::Int(-1000));
        check("1:30", Value::Int(90));
        check("1e5", Value::Str("1e5".into()));
        check("1.0e+5", Value::Float(100000.0));
        check(".5", Value::Float(0.5));
        check("-.inf", Value::Float(f64::NEG_INFINITY));
        check("~", Value::None);
        check("'42'", Value::Str("42".into()));
    }

    #[test]
    fn broken_yaml_is_refused_with_the_place() {
        let error = parse("{speed: 42").expect_err("unclosed mapping");
        assert!(error.to_string().contains("expected ',' or '}'"), "{error}");
        assert!(parse("[1, 2").is_err());
        assert!(parse("{a: 'x}").is_err());
    }
}

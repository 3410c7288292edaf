//! `ros2 interface show <type>`: an interface definition as written, comments included, with
//! every field of a message type followed by that type's definition, one tab deeper.
//!
//! The rules follow ros2cli's `ros2interface/verb/show.py`, which classifies each line with
//! rosidl_adapter's one-line parse: the top level prints every line as it is; nested definitions
//! (unless `--all-comments`) drop empty lines, comment lines and trailing comments. Those rules
//! have corners (a `#` alone, or a comment that is only a `[unit]`, counts as no comment); they
//! are kept, because the point is to print what the real tool prints.

use crate::interfaces::definition_path;
use crate::Failure;
use anyhow::{Context, Result};

/// What one line of a definition holds.
#[derive(Debug, PartialEq, Eq)]
struct Line {
    text: String,
    /// A line that is only a comment (rosidl: a file-level comment with text).
    comment: bool,
    /// The comment after a field or constant, as rosidl condenses it.
    trailing_comment: Option<String>,
    /// `pkg/msg/Type` when the line is a field of a message type.
    nested: Option<String>,
}

/// Prints the definition of `identifier` (`package/kind/Name`).
pub fn show(identifier: &str, no_comments: bool, all_comments: bool) -> Result<()> {
    let mut out = String::new();
    render(identifier, !no_comments, all_comments, 0, &mut out)?;
    print!("{out}");
    Ok(())
}

fn render(
    identifier: &str,
    show_comments: bool,
    nested_comments: bool,
    depth: usize,
    out: &mut String,
) -> Result<()> {
    let parts: Vec<&str> = identifier.split('/').collect();
    if parts.len() != 3 {
        return Err(Failure::new(
            format!("Invalid name '{identifier}'. Expected three parts separated by '/'"),
            "write the type as package/kind/Name, e.g. robot_interfaces/srv/SetSpeed",
        )
        .into());
    }
    let path = definition_path(identifier)?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    for raw in text.lines() {
        let line = classify(parts[0], raw.trim_end());
        if let Some(printed) = printed_text(&line, show_comments) {
            if printed.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&"\t".repeat(depth));
                out.push_str(&printed);
                out.push('\n');
            }
        }
        if let Some(nested) = &line.nested {
            render(nested, nested_comments, nested_comments, depth + 1, out)?;
        }
    }
    Ok(())
}

/// The text a line prints as (empty: a blank line), or `None` when it is left out.
fn printed_text(line: &Line, show_comments: bool) -> Option<String> {
    if show_comments {
        return Some(line.text.clone());
    }
    if line.text.is_empty() || line.comment {
        return None;
    }
    let Some(comment) = &line.trailing_comment else {
        return Some(line.text.clone());
    };
    // show.py cuts the line one character before where the comment text first occurs.
    let start = line.text.find(comment.as_str()).map_or(-1, |i| i as i64);
    let cut = python_slice_end(&line.text, start - 1);
    let text = line.text[..cut].trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// `len(text[:end])` in bytes, with Python's meaning of a negative end.
fn python_slice_end(text: &str, end: i64) -> usize {
    let length = text.len() as i64;
    let end = if end < 0 {
        (length + end).max(0)
    } else {
        end.min(length)
    } as usize;
    let mut end = end;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Classifies one line the way rosidl_adapter's `parse_message_string` sees it on its own.
fn classify(package: &str, raw: &str) -> Line {
    let mut line = Line {
        text: raw.to_string(),
        comment: false,
        trailing_comment: None,
        nested: None,
    };
    if raw == "---" {
        return line;
    }
    let spaced = raw.replace('\t', " ");
    if let Some(comment) = spaced.strip_prefix('#') {
        line.comment = condense_comment(comment.trim_start_matches('#')).is_some();
        return line;
    }
    let (content, comment) = match spaced.find('#') {
        Some(index) => (
            &spaced[..index],
            Some(spaced[index..].trim_start_matches('#')),
        ),
        None => (spaced.as_str(), None),
    };
    if !content.is_empty() && content.trim().is_empty() {
        // An indented comment line: it belongs to the previous field, not to this line.
        return line;
    }
    let content = content.trim_end();
    let Some((type_string, rest)) = content.split_once(' ') else {
        return line;
    };
    let rest = rest.trim_start();
    if rest.is_empty() {
        return line;
    }
    line.trailing_comment = comment.and_then(condense_comment);
    if !rest.contains('=') {
        line.nested = nested_type(package, type_string);
    }
    line
}

/// rosidl's `process_comments` on a one-line comment: a single `[unit]` is removed, an empty
/// comment is none at all, and the rest is dedented.
fn condense_comment(comment: &str) -> Option<String> {
    let units = unit_matches(comment);
    let comment = if units.len() == 1 {
        comment.replace(&units[0], "")
    } else {
        comment.to_string()
    };
    if comment.is_empty() {
        return None;
    }
    Some(comment.trim_start().to_string())
}

/// Every non-overlapping match of `\s*\[([^,\]]+)\]`, left to right, as matched text.
fn unit_matches(text: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut position = 0;
    while position < chars.len() {
        // From `position`, optional whitespace then `[`.
        let mut open = position;
        while open < chars.len() && chars[open].1.is_whitespace() {
            open += 1;
        }
        if open < chars.len() && chars[open].1 == '[' {
            let mut close = open + 1;
            while close < chars.len() && chars[close].1 != ']' && chars[close].1 != ',' {
                close += 1;
            }
            if close < chars.len() && chars[close].1 == ']' && close > open + 1 {
                let end = chars.get(close + 1).map_or(text.len(), |(index, _)| *index);
                found.push(text[chars[position].0..end].to_string());
                position = close + 1;
                continue;
            }
        }
        position += 1;
    }
    found
}

/// `pkg/msg/Type` for a field type naming a message (`Type`, `pkg/Type`, with any array suffix).
fn nested_type(package: &str, type_string: &str) -> Option<String> {
    let base = match type_string.rfind('[') {
        Some(index) if type_string.ends_with(']') => &type_string[..index],
        _ => type_string,
    };
    const PRIMITIVES: [&str; 17] = [
        "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32",
        "uint32", "int64", "uint64", "string", "wstring", "duration", "time",
    ];
    if PRIMITIVES.contains(&base) || base.starts_with("string<=") || base.starts_with("wstring<=") {
        return None;
    }
    Some(match base.split_once('/') {
        Some((pkg, name)) => format!("{pkg}/msg/{name}"),
        None => format!("{package}/msg/{base}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_nested(line: &str, shown: Option<&str>) {
        let classified = classify("test_msgs", line);
        assert_eq!(
            printed_text(&classified, false).as_deref(),
            shown,
            "{line:?}"
        );
    }

    #[test]
    fn nested_definitions_drop_comments_like_ros2cli() {
        check_nested("# a comment", None);
        check_nested("", None);
        check_nested("#", Some("#"));
        check_nested("# [m/s]", Some("# [m/s]"));
        // ros2cli cuts one character before the dedented comment text, so the `#` stays.
        check_nested("int32 speed  # the speed", Some("int32 speed  #"));
        check_nested("float64 x # metres [m]", Some("float64 x #"));
        check_nested("int32 MAX=100 # the most", Some("int32 MAX=100 #"));
        check_nested("int32 x #", Some("int32 x #"));
        check_nested("int32 y # [m]", Some("int32 y # [m]"));
        check_nested("int32 z #a [b] c", Some("int32 z #a [b]"));
        check_nested("  # indented", Some("  # indented"));
        check_nested("---", Some("---"));
    }

    #[test]
    fn message_fields_name_their_nested_type() {
        let nested = |line: &str| classify("test_msgs", line).nested;
        assert_eq!(
            nested("BasicTypes[3] basic_types_values").as_deref(),
            Some("test_msgs/msg/BasicTypes")
        );
        assert_eq!(
            nested("builtin_interfaces/Time stamp").as_deref(),
            Some("builtin_interfaces/msg/Time")
        );
        assert_eq!(nested("string<=5[<=3] names"), None);
        assert_eq!(nested("int32 FOO=3"), None);
        assert_eq!(nested("# Header header"), None);
    }

    #[test]
    fn units_are_found_like_rosidls_pattern() {
        assert_eq!(unit_matches(" speed [m/s]"), vec![" [m/s]".to_string()]);
        assert_eq!(unit_matches("range [0, 100]"), Vec::<String>::new());
        assert_eq!(unit_matches("[a] and [b]").len(), 2);
    }
}

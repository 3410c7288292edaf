//! Values printed the way Python prints them: `repr()` of rclpy messages (what
//! `ros2 service call` shows), and `str()` of YAML values (what its error messages quote).
//!
//! The message `repr` follows rosidl_generator_py's generated `__repr__`: `pkg.srv.Type(a=1,
//! b='x')`, numeric sequences shown as plain lists, fixed numeric arrays as numpy prints them.

use crate::value::{Primitive, Value};

/// `repr(value)`.
pub fn repr(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(number) => number.to_string(),
        Value::Float(number) => float_repr(*number),
        Value::Str(text) => str_repr(text),
        Value::Byte(byte) => bytes_repr(&[*byte]),
        Value::Message(message) => {
            let fields: Vec<String> = message
                .fields
                .iter()
                .map(|f| format!("{}={}", f.name, repr(&f.value)))
                .collect();
            format!("{}({})", message.type_name, fields.join(", "))
        }
        Value::List(items) => list_repr(items),
        Value::Sequence(kind, items) => {
            if *kind == Primitive::Float32 {
                let widened: Vec<Value> = items.iter().map(|v| widen_f32(v.clone())).collect();
                list_repr(&widened)
            } else {
                list_repr(items)
            }
        }
        Value::NumpyArray(kind, items) => numpy_repr(*kind, items),
        Value::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::None => "None".into(),
    }
}

/// `str(value)`: like `repr`, except that a string is itself.
pub fn python_str(value: &Value) -> String {
    match value {
        Value::Str(text) => text.clone(),
        other => repr(other),
    }
}

fn list_repr(items: &[Value]) -> String {
    let inner: Vec<String> = items.iter().map(repr).collect();
    format!("[{}]", inner.join(", "))
}

/// A float32 stored by `array.array('f')` comes back as the nearest float32, widened.
fn widen_f32(value: Value) -> Value {
    match value {
        Value::Float(number) => Value::Float(number as f32 as f64),
        other => other,
    }
}

/// The shortest decimal digits that read back as `number`, and the decimal exponent of the
/// first digit (`1.5` → ("15", 0)).
fn shortest_digits(formatted_exp: &str) -> (String, i32) {
    let (mantissa, exponent) = formatted_exp
        .split_once('e')
        .unwrap_or((formatted_exp, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// Python's `repr(float)`: shortest round-trip digits, positional between 1e-4 and 1e16.
pub fn float_repr(number: f64) -> String {
    if number.is_nan() {
        return "nan".into();
    }
    if number.is_infinite() {
        return if number > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if number.is_sign_negative() { "-" } else { "" };
    let (digits, exponent) = shortest_digits(&format!("{:e}", number.abs()));
    if (-4..16).contains(&exponent) {
        format!("{sign}{}", positional(&digits, exponent, true))
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{first}{fraction}e{exp_sign}{:02}", exponent.abs())
    }
}

/// Digits placed around the decimal point; `point_zero` adds `.0` to whole numbers (Python),
/// otherwise they end in `.` (numpy).
fn positional(digits: &str, exponent: i32, point_zero: bool) -> String {
    let (whole, fraction) = if exponent < 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat((-exponent - 1) as usize)),
        )
    } else {
        let point = exponent as usize + 1;
        if digits.len() <= point {
            (
                format!("{digits}{}", "0".repeat(point - digits.len())),
                String::new(),
            )
        } else {
            (digits[..point].to_string(), digits[point..].to_string())
        }
    };
    let fraction = fraction.trim_end_matches('0');
    match (fraction.is_empty(), point_zero) {
        (true, true) => format!("{whole}.0"),
        (true, false) => format!("{whole}."),
        (false, _) => format!("{whole}.{fraction}"),
    }
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
pub fn str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (0x80..0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote as char);
    out
}

/// numpy's `repr` of a one-dimensional array (line width 75, numpy 1.14+ layout).
fn numpy_repr(kind: Primitive, items: &[Value]) -> String {
    let words = if matches!(kind, Primitive::Float32 | Primitive::Float64) {
        numpy_floats(kind, items)
    } else {
        let texts: Vec<String> = items.iter().map(repr).collect();
        let width = texts.iter().map(String::len).max().unwrap_or(0);
        texts.into_iter().map(|t| format!("{t:>width$}")).collect()
    };
    // int64 and float64 are numpy's defaults on Linux: their dtype is not shown.
    let show_dtype = !matches!(kind, Primitive::Int64 | Primitive::Float64);
    const LINE_WIDTH: usize = 75;
    let hanging = " ".repeat("array([".len());
    let element_width = LINE_WIDTH - 1 - 1;
    let mut body = String::new();
    let mut line = hanging.clone();
    for (index, word) in words.iter().enumerate() {
        if line.len() + word.len() > element_width && line.len() > hanging.len() {
            body.push_str(line.trim_end());
            body.push('\n');
            line = hanging.clone();
        }
        line.push_str(word);
        if index + 1 < words.len() {
            line.push_str(", ");
        }
    }
    body.push_str(&line);
    let text = format!("array([{}]", &body[hanging.len()..]);
    if !show_dtype {
        return format!("{text})");
    }
    let dtype = format!("dtype={})", kind.numpy_name());
    let with_comma = format!("{text},");
    let last_line = with_comma.len() - with_comma.rfind('\n').map_or(0, |i| i + 1);
    if last_line + dtype.len() + 1 > LINE_WIDTH {
        format!("{with_comma}\n      {dtype}")
    } else {
        format!("{with_comma} {dtype}")
    }
}

/// numpy's float layout: shortest digits (at most 8 after the point), padded so the points line
/// up; scientific when the magnitudes are far apart.
fn numpy_floats(kind: Primitive, items: &[Value]) -> Vec<String> {
    let numbers: Vec<f64> = items
        .iter()
        .map(|v| match v {
            Value::Float(n) => *n,
            Value::Int(n) => *n as f64,
            _ => 0.0,
        })
        .collect();
    let digits_of = |n: f64| -> (String, i32) {
        if kind == Primitive::Float32 {
            shortest_digits(&format!("{:e}", (n as f32).abs()))
        } else {
            shortest_digits(&format!("{:e}", n.abs()))
        }
    };
    let finite: Vec<f64> = numbers
        .iter()
        .copied()
        .filter(|n| n.is_finite() && *n != 0.0)
        .map(f64::abs)
        .collect();
    let scientific = !finite.is_empty() && {
        let max = finite.iter().copied().fold(0.0, f64::max);
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        max >= 1e8 || min < 1e-4 || max / min > 1e3
    };
    let mut parts: Vec<(String, String, String)> = Vec::new(); // sign+whole, fraction, exponent
    for &n in &numbers {
        let sign = if n.is_sign_negative() && !n.is_nan() {
            "-"
        } else {
            ""
        };
        if !n.is_finite() {
            let text = if n.is_nan() { "nan" } else { "inf" };
            parts.push((format!("{sign}{text}"), String::new(), String::new()));
            continue;
        }
        let (digits, exponent) = digits_of(n);
        if scientific {
            let (first, rest) = digits.split_at(1);
            let exp_sign = if exponent < 0 { '-' } else { '+' };
            parts.push((
                format!("{sign}{first}"),
                rest.trim_end_matches('0').to_string(),
                format!("e{exp_sign}{:02}", exponent.abs()),
            ));
        } else {
            let text = positional(&digits, exponent, false);
            let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
            let fraction = round_fraction(fraction);
            parts.push((format!("{sign}{whole}"), fraction, String::new()));
        }
    }
    let whole_width = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
    let fraction_width = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
    parts
        .into_iter()
        .map(|(whole, fraction, exponent)| {
            if whole.ends_with("nan") || whole.ends_with("inf") {
                let width = whole_width + 1 + fraction_width;
                return format!("{whole:>width$}");
            }
            format!("{whole:>whole_width$}.{fraction:<fraction_width$}{exponent}")
        })
        .collect()
}

/// At most eight digits after the point, as numpy's default precision prints them.
fn round_fraction(fraction: &str) -> String {
    if fraction.len() <= 8 {
        return fraction.to_string();
    }
    let kept: u64 = fraction[..8].parse().unwrap_or(0);
    let round_up = fraction.as_bytes()[8] >= b'5';
    let value = kept + u64::from(round_up);
    format!("{value:08}").trim_end_matches('0').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        assert_eq!(float_repr(1.5), "1.5");
        assert_eq!(float_repr(0.0), "0.0");
        assert_eq!(float_repr(42.0), "42.0");
        assert_eq!(float_repr(1e20), "1e+20");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1234567890123456.0), "1234567890123456.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(-2.5e-7), "-2.5e-07");
        assert_eq!(float_repr(0.1f32 as f64), "0.10000000149011612");
    }

    #[test]
    fn strings_and_bytes_quote_like_python() {
        assert_eq!(str_repr("speed set to 42"), "'speed set to 42'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(str_repr("a\nbé"), "'a\\nbé'");
        assert_eq!(bytes_repr(&[7]), "b'\\x07'");
        assert_eq!(bytes_repr(b"2"), "b'2'");
    }

    #[test]
    fn numpy_arrays_print_like_numpy() {
        let ints = |v: &[i128]| v.iter().map(|n| Value::Int(*n)).collect::<Vec<_>>();
        let floats = |v: &[f64]| v.iter().map(|n| Value::Float(*n)).collect::<Vec<_>>();
        assert_eq!(
            numpy_repr(Primitive::Int32, &ints(&[0, 2147483647, -2147483648])),
            "array([          0,  2147483647, -2147483648], dtype=int32)"
        );
        assert_eq!(
            numpy_repr(Primitive::Int64, &ints(&[0, 0, 0])),
            "array([0, 0, 0])"
        );
        assert_eq!(
            numpy_repr(
                Primitive::UInt64,
                &ints(&[0, 1, 18446744073709551615])
            ),
            "array([                   0,                    1, 18446744073709551615],\n      dtype=uint64)"
        );
        assert_eq!(
            numpy_repr(Primitive::Float32, &floats(&[1.125, 0.0, -1.125])),
            "array([ 1.125,  0.   , -1.125], dtype=float32)"
        );
        assert_eq!(
            numpy_repr(Primitive::Float64, &floats(&[0.0, 0.0, 0.0])),
            "array([0., 0., 0.])"
        );
        assert_eq!(
            numpy_repr(Primitive::Float64, &floats(&[2.5625, 0.0, -2.5625])),
            "array([ 2.5625,  0.    , -2.5625])"
        );
    }
}

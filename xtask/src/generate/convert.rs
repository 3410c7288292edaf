//! Writes the expressions that turn an idiomatic field into its rmw form and back, for the
//! generated `rosidl_runtime_rs::Message` impls of idiomatic types.
//!
//! Only expressions are produced here (e.g. `msg.name.as_str().into()`); the surrounding
//! `impl` blocks are written by `emit.rs`. Nothing here may depend on the file system.

use super::parse::{BaseType, Container, FieldType, Primitive};
use super::types::{self, Scope};

/// True when an element has the same Rust type in both flavours (primitives, bounded strings).
fn same_in_both(base: &BaseType) -> bool {
    matches!(
        base,
        BaseType::Primitive(_) | BaseType::String(Some(_)) | BaseType::WString(Some(_))
    )
}

fn is_primitive(base: &BaseType) -> bool {
    matches!(base, BaseType::Primitive(_))
}

/// Converts one idiomatic element `x` to rmw. `x` is a value, or a reference when `borrowed`.
fn element_to_rmw(scope: Scope, base: &BaseType, x: &str, borrowed: bool) -> String {
    match base {
        BaseType::Primitive(_) if borrowed => format!("*{x}"),
        _ if same_in_both(base) && borrowed => format!("{x}.clone()"),
        _ if same_in_both(base) => x.to_string(),
        BaseType::String(None) | BaseType::WString(None) => format!("{x}.as_str().into()"),
        BaseType::Named { .. } => {
            let idiomatic = types::element(scope, base, false);
            let cow = if borrowed { "Borrowed" } else { "Owned" };
            format!(
                "<{idiomatic} as rosidl_runtime_rs::Message>::into_rmw_message(\
                 std::borrow::Cow::{cow}({x})).into_owned()"
            )
        }
        _ => unreachable!("all element types are covered"),
    }
}

/// Converts one rmw element `x` (a value) to its idiomatic form.
fn element_from_rmw(scope: Scope, base: &BaseType, x: &str) -> String {
    match base {
        _ if same_in_both(base) => x.to_string(),
        BaseType::String(None) | BaseType::WString(None) => format!("{x}.to_string()"),
        BaseType::Named { .. } => {
            let idiomatic = types::element(scope, base, false);
            format!("<{idiomatic} as rosidl_runtime_rs::Message>::from_rmw_message({x})")
        }
        _ => unreachable!("all element types are covered"),
    }
}

/// The expression for field `f` (e.g. `msg.speed`) of an idiomatic message in its rmw form.
/// `borrowed`: `msg` is a reference, so nothing may be moved out of it.
pub fn field_to_rmw(scope: Scope, ty: &FieldType, f: &str, borrowed: bool) -> String {
    let base = &ty.base;
    let copy = is_primitive(base);
    match ty.container {
        Container::Single | Container::Array(_) if same_in_both(base) => {
            if borrowed && !copy {
                format!("{f}.clone()")
            } else {
                f.to_string()
            }
        }
        // `as_str()` only borrows, so strings convert the same way from a reference.
        Container::Single if borrowed && matches!(base, BaseType::Named { .. }) => {
            element_to_rmw(scope, base, &format!("&{f}"), true)
        }
        Container::Single => element_to_rmw(scope, base, f, false),
        Container::Array(_) if borrowed => {
            let e = element_to_rmw(scope, base, "e", true);
            format!("{f}.each_ref().map(|e| {e})")
        }
        Container::Array(_) => format!("{f}.map(|e| {})", element_to_rmw(scope, base, "e", false)),
        Container::Sequence if copy => format!("{f}.as_slice().into()"),
        Container::Sequence if same_in_both(base) && borrowed => {
            format!("{f}.iter().cloned().collect()")
        }
        Container::Sequence if same_in_both(base) => format!("{f}.into_iter().collect()"),
        Container::Sequence if borrowed => {
            let e = element_to_rmw(scope, base, "e", true);
            format!("{f}.iter().map(|e| {e}).collect()")
        }
        Container::Sequence => {
            let e = element_to_rmw(scope, base, "e", false);
            format!("{f}.into_iter().map(|e| {e}).collect()")
        }
        Container::BoundedSequence(_) if borrowed => format!("{f}.clone()"),
        Container::BoundedSequence(_) => f.to_string(),
    }
}

/// The expression for field `f` of an rmw message (owned) in its idiomatic form.
pub fn field_from_rmw(scope: Scope, ty: &FieldType, f: &str) -> String {
    let base = &ty.base;
    match ty.container {
        Container::BoundedSequence(_) => f.to_string(),
        _ if same_in_both(base) && ty.container != Container::Sequence => f.to_string(),
        Container::Single => element_from_rmw(scope, base, f),
        // Messages convert with a plain function path (a closure would only forward to it).
        Container::Array(_) | Container::Sequence if matches!(base, BaseType::Named { .. }) => {
            let idiomatic = types::element(scope, base, false);
            let function = format!("<{idiomatic} as rosidl_runtime_rs::Message>::from_rmw_message");
            match ty.container {
                Container::Array(_) => format!("{f}.map({function})"),
                _ => format!("{f}.into_iter().map({function}).collect()"),
            }
        }
        Container::Array(_) => format!("{f}.map(|e| {})", element_from_rmw(scope, base, "e")),
        Container::Sequence if is_primitive(base) => format!("{f}.into()"),
        Container::Sequence if same_in_both(base) => format!("{f}.into_iter().collect()"),
        Container::Sequence => {
            let e = element_from_rmw(scope, base, "e");
            format!("{f}.into_iter().map(|e| {e}).collect()")
        }
    }
}

/// The placeholder member that C adds to messages without fields, kept in Rust for the layout.
pub fn placeholder_field() -> super::parse::Field {
    super::parse::Field {
        name: "structure_needs_at_least_one_member".to_string(),
        ty: FieldType {
            base: BaseType::Primitive(Primitive::UInt8),
            container: Container::Single,
        },
        default: None,
        doc: vec![" Always 0: C structs need at least one member.".to_string()],
    }
}

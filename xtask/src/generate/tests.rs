//! Unit tests of the generator, written to read like its behaviour: each test gives interface
//! text and what the parser or the type mapping must make of it.
//!
//! These tests must not need a ROS 2 installation; the ABI test in `tests/abi` covers that.

use super::parse::{parse_message, parse_service, BaseType, Container, Primitive, Value};
use super::types::{self, Scope};
use std::fmt::Debug;

/// Compares what the code made of `input` with `expected`, naming the input when they differ.
#[track_caller]
fn check<T: Debug + PartialEq>(input: &str, actual: T, expected: T) {
    assert_eq!(actual, expected, "for input {input:?}");
}

/// The Rust type of the only field of a one-line message, in the idiomatic and rmw flavours.
#[track_caller]
fn field_types(line: &str) -> (String, String) {
    let message = parse_message("pkg", "T", line).unwrap();
    let ty = &message.fields[0].ty;
    let idiomatic = types::field(
        Scope {
            package: "pkg",
            rmw: false,
        },
        ty,
    );
    let rmw = types::field(
        Scope {
            package: "pkg",
            rmw: true,
        },
        ty,
    );
    (idiomatic, rmw)
}

#[test]
fn a_bounded_sequence_of_bounded_strings() {
    let input = "string<=5[<=10] names";
    let field = &parse_message("pkg", "T", input).unwrap().fields[0];
    check(input, &field.ty.base, &BaseType::String(Some(5)));
    check(input, field.ty.container, Container::BoundedSequence(10));
    let bounded = "rosidl_runtime_rs::BoundedSequence<rosidl_runtime_rs::BoundedString<5>, 10>";
    check(input, field_types(input), (bounded.into(), bounded.into()));
}

#[test]
fn strings_and_sequences_are_std_types_only_in_the_idiomatic_flavour() {
    for (input, idiomatic, rmw) in [
        (
            "string s",
            "std::string::String",
            "rosidl_runtime_rs::String",
        ),
        (
            "wstring s",
            "std::string::String",
            "rosidl_runtime_rs::WString",
        ),
        (
            "wstring<=3 s",
            "rosidl_runtime_rs::BoundedWString<3>",
            "rosidl_runtime_rs::BoundedWString<3>",
        ),
        ("int32[] s", "Vec<i32>", "rosidl_runtime_rs::Sequence<i32>"),
        (
            "string[] s",
            "Vec<std::string::String>",
            "rosidl_runtime_rs::Sequence<rosidl_runtime_rs::String>",
        ),
        ("byte[3] s", "[u8; 3]", "[u8; 3]"),
        ("char c", "u8", "u8"),
        (
            "float64[<=2] s",
            "rosidl_runtime_rs::BoundedSequence<f64, 2>",
            "rosidl_runtime_rs::BoundedSequence<f64, 2>",
        ),
    ] {
        check(input, field_types(input), (idiomatic.into(), rmw.into()));
    }
}

#[test]
fn nested_types_are_found_in_the_same_or_another_package() {
    for (input, idiomatic, rmw) in [
        (
            "Other o",
            "super::msg::Other",
            "super::super::msg::rmw::Other",
        ),
        (
            "pkg/Other[2] o",
            "[super::msg::Other; 2]",
            "[super::super::msg::rmw::Other; 2]",
        ),
        (
            "builtin_interfaces/Time t",
            "builtin_interfaces::msg::Time",
            "builtin_interfaces::msg::rmw::Time",
        ),
        (
            "Header h",
            "std_msgs::msg::Header",
            "std_msgs::msg::rmw::Header",
        ),
        // Bounded sequences hold rmw elements even in idiomatic structs.
        (
            "Other[<=1] o",
            "rosidl_runtime_rs::BoundedSequence<super::msg::rmw::Other, 1>",
            "rosidl_runtime_rs::BoundedSequence<super::super::msg::rmw::Other, 1>",
        ),
    ] {
        check(input, field_types(input), (idiomatic.into(), rmw.into()));
    }
}

#[test]
fn constants_become_typed_rust_literals() {
    let input = "int8 LOW=-50\nfloat32 HALF=1\nstring GREETING=\"Hello \\\"world\\\"\" # says hi\nbyte B = 200";
    let message = parse_message("pkg", "T", input).unwrap();
    let rendered: Vec<(String, String, String)> = message
        .constants
        .iter()
        .map(|c| {
            let (ty, value) = types::constant(&c.ty, &c.value).unwrap();
            (c.name.clone(), ty, value)
        })
        .collect();
    let expected = [
        ("LOW", "i8", "-50"),
        ("HALF", "f32", "1.0"),
        ("GREETING", "&'static str", "\"Hello \\\"world\\\"\""),
        ("B", "u8", "200"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    check(input, rendered, expected.to_vec());
    check(
        input,
        message.constants[2].doc.clone(),
        vec![" says hi".to_string()],
    );
    assert!(types::constant(&BaseType::Primitive(Primitive::UInt8), "256").is_err());
}

#[test]
fn default_values_are_parsed_with_quotes_removed() {
    for (input, expected) in [
        ("int32 x 5", Value::Scalar("5".into())),
        (
            "int32[2] x [1, 2]",
            Value::List(vec!["1".into(), "2".into()]),
        ),
        (
            "string s 'Hello\\'world!'",
            Value::Scalar("Hello'world!".into()),
        ),
        ("string s \"a # b\"", Value::Scalar("a # b".into())),
        (
            "string[2] s [\"a, b\", '']",
            Value::List(vec!["a, b".into(), "".into()]),
        ),
        ("string s \"a=b\"", Value::Scalar("a=b".into())),
    ] {
        let message = parse_message("pkg", "T", input).unwrap();
        check(input, message.fields[0].default.clone(), Some(expected));
        check(input, message.constants.len(), 0);
    }
}

#[test]
fn a_service_splits_into_request_and_response() {
    let input = "# Ask for a speed.\n\nint32 speed\n---\nbool success\nstring message";
    let service = parse_service("robot", "SetSpeed", input).unwrap();
    check(input, service.request.name.as_str(), "SetSpeed_Request");
    check(input, service.response.name.as_str(), "SetSpeed_Response");
    check(
        input,
        service.request.doc.clone(),
        vec![" Ask for a speed.".to_string()],
    );
    let names =
        |m: &super::parse::Message| m.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    check(input, names(&service.request), vec!["speed".to_string()]);
    check(
        input,
        names(&service.response),
        vec!["success".to_string(), "message".to_string()],
    );
    assert!(parse_service("robot", "Broken", "int32 x").is_err());
}

#[test]
fn comments_document_the_right_item() {
    let input = "\
# The message.
#
# More about it.

# Detached: documents nothing.

# The x coordinate.
float64 x  # in metres
  # still about x
float64 y
# The z coordinate.
float64 z";
    let message = parse_message("pkg", "T", input).unwrap();
    check(
        input,
        message.doc.clone(),
        [" The message.", "", " More about it."]
            .map(String::from)
            .to_vec(),
    );
    let docs: Vec<Vec<String>> = message.fields.iter().map(|f| f.doc.clone()).collect();
    let expected = vec![
        vec![
            " The x coordinate.".to_string(),
            " in metres".to_string(),
            " still about x".to_string(),
        ],
        vec![],
        vec![" The z coordinate.".to_string()],
    ];
    check(input, docs, expected);
}

#[test]
fn a_comment_running_into_the_first_field_documents_that_field() {
    let input = "# The speed now.\nint32 speed";
    let message = parse_message("pkg", "T", input).unwrap();
    check(input, message.doc.len(), 0);
    check(
        input,
        message.fields[0].doc.clone(),
        vec![" The speed now.".to_string()],
    );
}

#[test]
fn keywords_get_a_trailing_underscore() {
    for (input, expected) in [
        ("type", "type_"),
        ("speed", "speed"),
        ("fn", "fn_"),
        ("self", "self_"),
    ] {
        check(input, types::rust_name(input), expected.to_string());
    }
}

#[test]
fn c_header_names_are_snake_case() {
    for (input, expected) in [
        ("SetSpeed", "set_speed"),
        ("WStrings", "w_strings"),
        ("UUID", "uuid"),
        ("Int8MultiArray", "int8_multi_array"),
        ("ColorRGBA", "color_rgba"),
        ("BoundedPlainSequences", "bounded_plain_sequences"),
    ] {
        check(input, types::snake_case(input), expected.to_string());
    }
}

#[test]
fn malformed_lines_are_errors() {
    for input in [
        "int32",
        "int32[ x",
        "nosuch_type! x",
        "int32 9lives",
        "string[2] NAMES=[\"a\"]",
    ] {
        assert!(
            parse_message("pkg", "T", input).is_err(),
            "{input:?} should not parse"
        );
    }
}

#[test]
fn generate_package_writes_the_crate_layout_that_ros_env_includes() {
    let share = tempfile::tempdir().unwrap();
    let srv = share.path().join("robot/srv");
    std::fs::create_dir_all(&srv).unwrap();
    std::fs::write(srv.join("Stamp.srv"), "builtin_interfaces/Time t\n---\n").unwrap();
    let action = share.path().join("robot/action");
    std::fs::create_dir_all(&action).unwrap();
    std::fs::write(action.join("Drive.action"), "int32 a\n---\n---\n").unwrap();

    let generated = super::generate_package(share.path(), "robot").unwrap();
    check(
        "robot",
        generated.services.clone(),
        vec!["Stamp".to_string()],
    );
    check(
        "robot",
        generated.dependencies.clone(),
        vec!["builtin_interfaces".to_string()],
    );
    check(
        "robot",
        generated.skipped_actions.clone(),
        vec!["Drive".to_string()],
    );
    let rust = &generated.dir;
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "src/srv.rs",
        "src/srv/rmw.rs",
        "layout.tsv",
    ] {
        assert!(rust.join(file).is_file(), "{file} was not written");
    }
    assert!(
        !rust.join("src/msg.rs").exists(),
        "a package without messages has no msg module"
    );
    let manifest = std::fs::read_to_string(rust.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("builtin_interfaces = \"*\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("[package.metadata.ros-env]\ninclude = true"),
        "{manifest}"
    );
    let rmw = std::fs::read_to_string(rust.join("src/srv/rmw.rs")).unwrap();
    assert!(
        rmw.contains("pub t: builtin_interfaces::msg::rmw::Time,"),
        "{rmw}"
    );
    assert!(
        rmw.contains("pub structure_needs_at_least_one_member: u8,"),
        "{rmw}"
    );
    let layout = std::fs::read_to_string(rust.join("layout.tsv")).unwrap();
    check(
        "robot",
        layout.lines().next().unwrap(),
        "robot/srv/stamp.h\trobot__srv__Stamp_Request\trobot::srv::rmw::Stamp_Request\tt\tt",
    );
}

//! Services and messages of any installed type, through the ROS type-support libraries: the
//! introspection library (`lib<pkg>__rosidl_typesupport_introspection_c.so`) describes every
//! field's name, type, offset and accessors; the C type-support library
//! (`lib<pkg>__rosidl_typesupport_c.so`) is what rcl wants for clients and subscriptions.
//!
//! This module turns C message memory into [`Value`]s and back. It knows nothing of YAML or of
//! how values are printed.

use crate::value::{Field, Message, Multiplicity, Primitive, Value};
use anyhow::{anyhow, bail, Context, Result};
use libloading::Library;
use std::ffi::{c_char, c_void, CStr};
use std::path::PathBuf;

#[repr(C)]
struct MessageTypeSupport {
    identifier: *const c_char,
    data: *const c_void,
}

#[repr(C)]
struct ServiceTypeSupport {
    identifier: *const c_char,
    data: *const c_void,
}

#[repr(C)]
struct Member {
    name: *const c_char,
    type_id: u8,
    string_upper_bound: usize,
    members: *const MessageTypeSupport,
    is_key: bool,
    is_array: bool,
    array_size: usize,
    is_upper_bound: bool,
    offset: u32,
    default_value: *const c_void,
    size_function: Option<unsafe extern "C" fn(*const c_void) -> usize>,
    get_const_function: Option<unsafe extern "C" fn(*const c_void, usize) -> *const c_void>,
    get_function: Option<unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void>,
    fetch_function: Option<unsafe extern "C" fn(*const c_void, usize, *mut c_void)>,
    assign_function: Option<unsafe extern "C" fn(*mut c_void, usize, *const c_void)>,
    resize_function: Option<unsafe extern "C" fn(*mut c_void, usize) -> bool>,
}

/// `rosidl_typesupport_introspection_c__MessageMembers`.
#[repr(C)]
pub struct Members {
    namespace: *const c_char,
    name: *const c_char,
    member_count: u32,
    size_of: usize,
    has_any_key_member: bool,
    members: *const Member,
    init_function: Option<unsafe extern "C" fn(*mut c_void, i32)>,
    fini_function: Option<unsafe extern "C" fn(*mut c_void)>,
}

#[repr(C)]
struct ServiceMembers {
    namespace: *const c_char,
    name: *const c_char,
    request: *const Members,
    response: *const Members,
    event: *const Members,
}

#[repr(C)]
struct RosString {
    data: *mut c_char,
    size: usize,
    capacity: usize,
}

#[repr(C)]
struct RosU16String {
    data: *mut u16,
    size: usize,
    capacity: usize,
}

extern "C" {
    fn rosidl_runtime_c__String__assignn(s: *mut RosString, value: *const c_char, n: usize)
        -> bool;
    fn rosidl_runtime_c__U16String__assignn(
        s: *mut RosU16String,
        value: *const u16,
        n: usize,
    ) -> bool;
}

/// A service type (`pkg/srv/Name`), with its libraries loaded for the life of the program.
pub struct ServiceType {
    pub package: String,
    pub name: String,
    /// For `rcl_client_init`.
    pub type_support: *const c_void,
    pub request: &'static Members,
    pub response: &'static Members,
    pub event: &'static Members,
    /// For a subscription to `<service>/_service_event`.
    pub event_type_support: *const c_void,
}

/// Why a type could not be loaded: the words the real tool uses, and a fix.
#[derive(Debug)]
pub struct UnknownType;

impl ServiceType {
    /// Loads `pkg/srv/Name` (or `pkg/Name`). Fails with [`UnknownType`] in its chain when the
    /// package or the service does not exist.
    pub fn load(identifier: &str) -> Result<ServiceType> {
        let parts: Vec<&str> = identifier.split('/').collect();
        let (package, name) = match parts.as_slice() {
            [package, "srv", name] | [package, name] => (*package, *name),
            _ => return Err(anyhow!(UnknownType)),
        };
        if package.is_empty() || name.is_empty() {
            return Err(anyhow!(UnknownType));
        }
        let introspection = load_library(&format!(
            "lib{package}__rosidl_typesupport_introspection_c.so"
        ))?;
        let c_library = load_library(&format!("lib{package}__rosidl_typesupport_c.so"))?;
        // SAFETY: the symbols are the generated type-support getters: functions without
        // arguments returning pointers to static type-support structs.
        unsafe {
            let introspection_handle: *const ServiceTypeSupport = symbol(
                introspection,
                &format!(
                    "rosidl_typesupport_introspection_c__get_service_type_support_handle__{package}__srv__{name}"
                ),
            )?;
            let type_support: *const c_void = symbol(
                c_library,
                &format!(
                    "rosidl_typesupport_c__get_service_type_support_handle__{package}__srv__{name}"
                ),
            )?;
            let event_type_support: *const c_void = symbol(
                c_library,
                &format!(
                    "rosidl_typesupport_c__get_message_type_support_handle__{package}__srv__{name}_Event"
                ),
            )?;
            let members = &*((*introspection_handle).data as *const ServiceMembers);
            Ok(ServiceType {
                package: package.to_string(),
                name: name.to_string(),
                type_support,
                request: &*members.request,
                response: &*members.response,
                event: &*members.event,
                event_type_support,
            })
        }
    }
}

fn load_library(file: &str) -> Result<&'static Library> {
    let mut candidates: Vec<PathBuf> = crate::interfaces::prefixes()
        .into_iter()
        .map(|prefix| prefix.join("lib").join(file))
        .filter(|path| path.is_file())
        .collect();
    candidates.push(PathBuf::from(file));
    let mut last_error = None;
    for path in candidates {
        // SAFETY: loading a ROS type-support library runs no code beyond its constructors.
        match unsafe { Library::new(&path) } {
            Ok(library) => return Ok(Box::leak(Box::new(library))),
            Err(error) => last_error = Some(error),
        }
    }
    Err(anyhow!(UnknownType).context(format!(
        "cannot load {file}: {}",
        last_error.map_or_else(|| "not found".to_string(), |e| e.to_string())
    )))
}

/// # Safety
/// `name` must be a function without arguments returning a `T`.
unsafe fn symbol<T>(library: &Library, name: &str) -> Result<T> {
    let function = library
        .get::<unsafe extern "C" fn() -> T>(name.as_bytes())
        .map_err(|_| anyhow!(UnknownType))
        .with_context(|| format!("no symbol {name}"))?;
    Ok(function())
}

impl std::fmt::Display for UnknownType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unknown type")
    }
}

impl std::error::Error for UnknownType {}

/// A message in C memory, initialised by its own init function and finalised on drop.
pub struct CMessage {
    members: &'static Members,
    memory: Vec<u64>,
}

impl CMessage {
    /// A message with every field at its default.
    pub fn new(members: &'static Members) -> CMessage {
        let words = members.size_of.div_ceil(8).max(1);
        let mut message = CMessage {
            members,
            memory: vec![0u64; words],
        };
        if let Some(init) = members.init_function {
            // SAFETY: the memory is zeroed, large and aligned enough for the message; 0 is
            // ROSIDL_RUNTIME_C_MSG_INIT_ALL (defaults included).
            unsafe { init(message.as_mut_ptr(), 0) };
        }
        message
    }

    pub fn as_ptr(&self) -> *const c_void {
        self.memory.as_ptr() as *const c_void
    }

    pub fn as_mut_ptr(&mut self) -> *mut c_void {
        self.memory.as_mut_ptr() as *mut c_void
    }

    /// The message's contents.
    pub fn read(&self) -> Message {
        // SAFETY: the memory holds an initialised message of this type.
        unsafe { read_message(self.members, self.as_ptr()) }
    }

    /// Stores `message` (whose fields must be of this type, as [`CMessage::read`] gave them).
    pub fn write(&mut self, message: &Message) -> Result<()> {
        let members = self.members;
        // SAFETY: as for `read`; every accessor used belongs to this type's members.
        unsafe { write_message(members, self.as_mut_ptr(), message) }
    }
}

impl Drop for CMessage {
    fn drop(&mut self) {
        if let Some(fini) = self.members.fini_function {
            // SAFETY: initialised in `new`, finalised once.
            unsafe { fini(self.as_mut_ptr()) };
        }
    }
}

/// Python's dotted type name from the C namespace (`robot_interfaces__srv` + `SetSpeed_Request`).
fn type_name(members: &Members) -> String {
    // SAFETY: generated type support holds static NUL-terminated names.
    let (namespace, name) = unsafe {
        (
            CStr::from_ptr(members.namespace).to_string_lossy(),
            CStr::from_ptr(members.name).to_string_lossy(),
        )
    };
    format!("{}.{name}", namespace.replace("__", "."))
}

/// # Safety
/// `members` must be valid for `count` elements.
unsafe fn members_of(members: &Members) -> &[Member] {
    std::slice::from_raw_parts(members.members, members.member_count as usize)
}

/// Empty interfaces get a placeholder member in C that rclpy does not show.
const PLACEHOLDER: &str = "structure_needs_at_least_one_member";

unsafe fn nested_members(member: &Member) -> &'static Members {
    &*((*member.members).data as *const Members)
}

unsafe fn read_message(members: &Members, data: *const c_void) -> Message {
    let mut fields = Vec::new();
    for member in members_of(members) {
        let name = CStr::from_ptr(member.name).to_string_lossy().into_owned();
        if name == PLACEHOLDER {
            continue;
        }
        let primitive = Primitive::from_type_id(member.type_id);
        let field_ptr = (data as *const u8).add(member.offset as usize) as *const c_void;
        let multiplicity = multiplicity(member);
        let value = if multiplicity == Multiplicity::Single {
            read_one(member, primitive, field_ptr)
        } else {
            let count = member.size_function.map_or(0, |size| size(field_ptr));
            let items: Vec<Value> = (0..count)
                .map(|index| {
                    let element =
                        member.get_const_function.expect("arrays have accessors")(field_ptr, index);
                    read_one(member, primitive, element)
                })
                .collect();
            collection(primitive, multiplicity, items)
        };
        fields.push(Field {
            name,
            primitive,
            multiplicity,
            string_bound: member.string_upper_bound,
            value,
            element_default: primitive
                .is_none()
                .then(|| Box::new(CMessage::new(nested_members(member)).read())),
        });
    }
    Message {
        type_name: type_name(members),
        fields,
    }
}

fn multiplicity(member: &Member) -> Multiplicity {
    match (member.is_array, member.array_size, member.is_upper_bound) {
        (false, _, _) => Multiplicity::Single,
        (true, 0, _) => Multiplicity::Unbounded,
        (true, size, true) => Multiplicity::Bounded(size),
        (true, size, false) => Multiplicity::Fixed(size),
    }
}

/// The container rclpy uses for a field's elements.
pub fn collection(
    primitive: Option<Primitive>,
    multiplicity: Multiplicity,
    items: Vec<Value>,
) -> Value {
    match (primitive, multiplicity) {
        (Some(kind), Multiplicity::Fixed(_)) if kind.is_numeric() => Value::NumpyArray(kind, items),
        (Some(kind), Multiplicity::Bounded(_) | Multiplicity::Unbounded) if kind.is_numeric() => {
            Value::Sequence(kind, items)
        }
        _ => Value::List(items),
    }
}

unsafe fn read_one(member: &Member, primitive: Option<Primitive>, ptr: *const c_void) -> Value {
    use Primitive::*;
    let Some(kind) = primitive else {
        return Value::Message(read_message(nested_members(member), ptr));
    };
    match kind {
        Float32 => Value::Float(*(ptr as *const f32) as f64),
        Float64 | LongDouble => Value::Float(*(ptr as *const f64)),
        Bool => Value::Bool(*(ptr as *const u8) != 0),
        Byte => Value::Byte(*(ptr as *const u8)),
        Char => Value::Str(char::from(*(ptr as *const u8)).to_string()),
        WChar => Value::Str(std::string::String::from_utf16_lossy(&[
            *(ptr as *const u16)
        ])),
        UInt8 => Value::Int(*(ptr as *const u8) as i128),
        Int8 => Value::Int(*(ptr as *const i8) as i128),
        UInt16 => Value::Int(*(ptr as *const u16) as i128),
        Int16 => Value::Int(*(ptr as *const i16) as i128),
        UInt32 => Value::Int(*(ptr as *const u32) as i128),
        Int32 => Value::Int(*(ptr as *const i32) as i128),
        UInt64 => Value::Int(*(ptr as *const u64) as i128),
        Int64 => Value::Int(*(ptr as *const i64) as i128),
        String => {
            let text = &*(ptr as *const RosString);
            if text.data.is_null() {
                Value::Str(std::string::String::new())
            } else {
                let bytes = std::slice::from_raw_parts(text.data as *const u8, text.size);
                Value::Str(std::string::String::from_utf8_lossy(bytes).into_owned())
            }
        }
        WString => {
            let text = &*(ptr as *const RosU16String);
            if text.data.is_null() {
                Value::Str(std::string::String::new())
            } else {
                let units = std::slice::from_raw_parts(text.data, text.size);
                Value::Str(std::string::String::from_utf16_lossy(units))
            }
        }
    }
}

unsafe fn write_message(members: &Members, data: *mut c_void, message: &Message) -> Result<()> {
    for member in members_of(members) {
        let name = CStr::from_ptr(member.name).to_string_lossy();
        let Some(field) = message.fields.iter().find(|f| f.name == name) else {
            continue;
        };
        let primitive = Primitive::from_type_id(member.type_id);
        let field_ptr = (data as *mut u8).add(member.offset as usize) as *mut c_void;
        if !member.is_array {
            write_one(member, primitive, field_ptr, &field.value)?;
            continue;
        }
        let items = match &field.value {
            Value::List(items) | Value::NumpyArray(_, items) | Value::Sequence(_, items) => items,
            other => bail!("field {name} needs a list, not {}", other.python_type()),
        };
        if let (false, Some(resize)) = (
            member.array_size > 0 && !member.is_upper_bound,
            member.resize_function,
        ) {
            if !resize(field_ptr, items.len()) {
                bail!(
                    "cannot resize the sequence {name} to {} elements",
                    items.len()
                );
            }
        }
        let get = member.get_function.context("array without accessor")?;
        for (index, item) in items.iter().enumerate() {
            write_one(member, primitive, get(field_ptr, index), item)?;
        }
    }
    Ok(())
}

unsafe fn write_one(
    member: &Member,
    primitive: Option<Primitive>,
    ptr: *mut c_void,
    value: &Value,
) -> Result<()> {
    use Primitive::*;
    let Some(kind) = primitive else {
        let Value::Message(message) = value else {
            bail!("a nested message needs a mapping");
        };
        return write_message(nested_members(member), ptr, message);
    };
    let number = || -> f64 {
        match value {
            Value::Float(n) => *n,
            Value::Int(n) => *n as f64,
            Value::Bool(b) => f64::from(u8::from(*b)),
            _ => 0.0,
        }
    };
    let integer = || -> i128 {
        match value {
            Value::Int(n) => *n,
            Value::Bool(b) => i128::from(*b),
            Value::Byte(b) => i128::from(*b),
            Value::Float(n) => *n as i128,
            _ => 0,
        }
    };
    match kind {
        Float32 => *(ptr as *mut f32) = number() as f32,
        Float64 | LongDouble => *(ptr as *mut f64) = number(),
        Bool => *(ptr as *mut u8) = u8::from(matches!(value, Value::Bool(true))),
        Byte | UInt8 | Char => *(ptr as *mut u8) = integer() as u8,
        WChar => *(ptr as *mut u16) = integer() as u16,
        Int8 => *(ptr as *mut i8) = integer() as i8,
        UInt16 => *(ptr as *mut u16) = integer() as u16,
        Int16 => *(ptr as *mut i16) = integer() as i16,
        UInt32 => *(ptr as *mut u32) = integer() as u32,
        Int32 => *(ptr as *mut i32) = integer() as i32,
        UInt64 => *(ptr as *mut u64) = integer() as u64,
        Int64 => *(ptr as *mut i64) = integer() as i64,
        String => {
            let text = crate::format::python_str(value);
            if !rosidl_runtime_c__String__assignn(
                ptr as *mut RosString,
                text.as_ptr() as *const c_char,
                text.len(),
            ) {
                bail!("cannot store a string");
            }
        }
        WString => {
            let units: Vec<u16> = crate::format::python_str(value).encode_utf16().collect();
            if !rosidl_runtime_c__U16String__assignn(
                ptr as *mut RosU16String,
                units.as_ptr(),
                units.len(),
            ) {
                bail!("cannot store a wide string");
            }
        }
    }
    Ok(())
}

//! A message's contents as a tree of values, shaped the way rclpy holds them (so that printing
//! it gives what `ros2 service call` prints: the `repr()` of the rclpy message).
//!
//! [`Value`] knows nothing of C memory (that is `introspection.rs`) nor of YAML (`yaml.rs`).

/// The primitive ROS types, as the introspection library numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    Float32,
    Float64,
    LongDouble,
    Char,
    WChar,
    Bool,
    Byte,
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    String,
    WString,
}

impl Primitive {
    /// From `rosidl_typesupport_introspection_c__ROS_TYPE_*` (18, a message, is `None`).
    pub fn from_type_id(id: u8) -> Option<Primitive> {
        use Primitive::*;
        Some(match id {
            1 => Float32,
            2 => Float64,
            3 => LongDouble,
            4 => Char,
            5 => WChar,
            6 => Bool,
            7 => Byte,
            8 => UInt8,
            9 => Int8,
            10 => UInt16,
            11 => Int16,
            12 => UInt32,
            13 => Int32,
            14 => UInt64,
            15 => Int64,
            16 => String,
            17 => WString,
            _ => return None,
        })
    }

    /// The inclusive range of an integer type.
    pub fn integer_range(self) -> Option<(i128, i128)> {
        use Primitive::*;
        Some(match self {
            UInt8 => (0, u8::MAX as i128),
            Int8 => (i8::MIN as i128, i8::MAX as i128),
            UInt16 => (0, u16::MAX as i128),
            Int16 => (i16::MIN as i128, i16::MAX as i128),
            UInt32 => (0, u32::MAX as i128),
            Int32 => (i32::MIN as i128, i32::MAX as i128),
            UInt64 => (0, u64::MAX as i128),
            Int64 => (i64::MIN as i128, i64::MAX as i128),
            _ => return None,
        })
    }

    /// Numbers rclpy keeps in `array.array` (sequences) or `numpy.ndarray` (fixed arrays).
    pub fn is_numeric(self) -> bool {
        self.integer_range().is_some() || matches!(self, Primitive::Float32 | Primitive::Float64)
    }

    /// numpy's name for the element type (`int32`, `float64`, …).
    pub fn numpy_name(self) -> &'static str {
        use Primitive::*;
        match self {
            Float32 => "float32",
            Float64 | LongDouble => "float64",
            UInt8 | Char => "uint8",
            Int8 => "int8",
            UInt16 => "uint16",
            Int16 => "int16",
            UInt32 => "uint32",
            Int32 => "int32",
            UInt64 => "uint64",
            Int64 => "int64",
            _ => "object",
        }
    }
}

/// How a field holds several values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplicity {
    Single,
    /// `T[N]`.
    Fixed(usize),
    /// `T[<=N]`.
    Bounded(usize),
    /// `T[]`.
    Unbounded,
}

/// One value as rclpy would hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    /// A `byte` field: a `bytes` object of length one in rclpy.
    Byte(u8),
    Message(Message),
    /// A Python list (arrays of bools, bytes, strings and messages, and YAML lists).
    List(Vec<Value>),
    /// `numpy.ndarray` (fixed-size arrays of numbers).
    NumpyArray(Primitive, Vec<Value>),
    /// `array.array` (sequences of numbers).
    Sequence(Primitive, Vec<Value>),
    /// YAML only: a mapping (field name → value).
    Map(Vec<(Value, Value)>),
    /// YAML only: `null`.
    None,
}

/// A message: its Python type name (`robot_interfaces.srv.SetSpeed_Request`) and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub type_name: String,
    pub fields: Vec<Field>,
}

/// One field of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    /// `None` for a nested message.
    pub primitive: Option<Primitive>,
    pub multiplicity: Multiplicity,
    /// For strings: the bound of `string<=N` (0: none).
    pub string_bound: usize,
    pub value: Value,
    /// For fields of a message type: a default element, to fill from YAML.
    pub element_default: Option<Box<Message>>,
}

impl Message {
    /// The short class name (`SetSpeed_Request`), as Python error messages use it.
    pub fn class_name(&self) -> &str {
        self.type_name.rsplit('.').next().unwrap_or(&self.type_name)
    }
}

impl Value {
    /// Python's name of the value's type, as TypeError messages use it.
    pub fn python_type(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Byte(_) => "bytes",
            Value::Message(_) => "message",
            Value::List(_) => "list",
            Value::NumpyArray(..) => "ndarray",
            Value::Sequence(..) => "array",
            Value::Map(_) => "dict",
            Value::None => "NoneType",
        }
    }
}

//! Rust types in the IR: [`TypeRef`], built by lowering (from typify's type space and the
//! schemas of parameters and bodies) and turned into tokens in exactly one place,
//! `emit::types`. Emitters ask a `TypeRef` what it is; they never parse or match Rust type text.

use serde::Serialize;

/// A Rust type of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "of", rename_all = "snake_case")]
pub enum TypeRef {
    /// A type of the generated `models` module (`User`): a struct, enum or newtype of typify's.
    Named(String),
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `Vec<u8>`: raw bytes (a body of another media type, a `format: binary` parameter).
    Bytes,
    /// `apigen_runtime::Binary`: the bytes of a `format: binary` value inside a model.
    Binary,
    /// `serde_json::Value`: any JSON value (an untyped or degraded schema).
    Json,
    /// `serde_json::Map<String, serde_json::Value>`: an object of any values.
    JsonObject,
    /// `()`.
    Unit,
    /// `Vec<T>` (also what typify writes for `uniqueItems` arrays).
    Vec(Box<TypeRef>),
    /// `Option<T>`.
    Option(Box<TypeRef>),
    /// `Box<T>` (typify breaks recursive types with it).
    Box(Box<TypeRef>),
    /// `HashMap<K, V>` (typify's map type).
    Map(Box<TypeRef>, Box<TypeRef>),
    /// A tuple `(A, B, ...)`.
    Tuple(Vec<TypeRef>),
    /// An array `[T; N]`.
    Array(Box<TypeRef>, usize),
    /// A type of another crate that typify chose for a format (`::uuid::Uuid`,
    /// `::chrono::DateTime<::chrono::offset::Utc>`, `::std::num::NonZeroU64`, an `x-rust-type`,
    /// a replacement from the settings): the segments of a path from the crate root (`crate`
    /// first for the user's own crate), each with its generic arguments.
    Foreign(Vec<Segment>),
}

/// One segment of a [`TypeRef::Foreign`] path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Segment {
    /// The identifier (`DateTime`).
    pub name: String,
    /// Its generic arguments (`[Foreign(chrono::offset::Utc)]`), usually none.
    pub args: Vec<TypeRef>,
}

impl TypeRef {
    /// A model of the `models` module.
    pub fn named(name: impl Into<String>) -> Self {
        Self::Named(name.into())
    }

    /// `Vec<inner>`.
    pub fn vec(inner: TypeRef) -> Self {
        Self::Vec(Box::new(inner))
    }

    /// `Option<inner>`.
    pub fn option(inner: TypeRef) -> Self {
        Self::Option(Box::new(inner))
    }

    /// The `T` of `Option<T>`.
    pub fn option_inner(&self) -> Option<&TypeRef> {
        match self {
            Self::Option(inner) => Some(inner),
            _ => None,
        }
    }

    /// The item type of `Vec<T>`.
    pub fn vec_item(&self) -> Option<&TypeRef> {
        match self {
            Self::Vec(inner) => Some(inner),
            _ => None,
        }
    }

    /// The model name, for [`TypeRef::Named`].
    pub fn model(&self) -> Option<&str> {
        match self {
            Self::Named(name) => Some(name),
            _ => None,
        }
    }

    /// True for the integer and floating-point types (not `NonZero*`, which are foreign).
    pub fn is_number(&self) -> bool {
        matches!(self, Self::I8 | Self::I16 | Self::I32 | Self::I64 | Self::U8 | Self::U16 | Self::U32 | Self::U64 | Self::F32 | Self::F64)
    }

    /// Every model this type names, in the order the type spells them
    /// (`HashMap<A, Vec<B>>` -> `A`, `B`).
    pub fn models(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_models(&mut out);
        out
    }

    fn collect_models<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Named(name) => out.push(name),
            Self::Vec(t) | Self::Option(t) | Self::Box(t) | Self::Array(t, _) => t.collect_models(out),
            Self::Map(k, v) => {
                k.collect_models(out);
                v.collect_models(out);
            }
            Self::Tuple(items) => items.iter().for_each(|t| t.collect_models(out)),
            Self::Foreign(segments) => segments.iter().flat_map(|s| &s.args).for_each(|t| t.collect_models(out)),
            _ => {}
        }
    }
}

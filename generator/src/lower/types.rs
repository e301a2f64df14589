//! Reading typify's type space into the IR: the [`TypeRef`] of a typify type, from
//! [`typify_impl::TypeDetails`] (never from the text typify would print).

use std::collections::HashMap;

use typify_impl::{TypeDetails, TypeId, TypeSpace};

use crate::ir::types::{Segment, TypeRef};

/// The IR type of typify's type `id`.
///
/// # Errors
///
/// A message when typify holds a type the IR cannot name (a generator bug).
pub fn type_ref(space: &TypeSpace, id: &TypeId) -> Result<TypeRef, String> {
    Types::new(space).of(id)
}

/// Reads typify's types into the IR, each type once (fields share types: every optional string
/// is one `Option<String>` of typify's).
pub struct Types<'s> {
    space: &'s TypeSpace,
    seen: HashMap<TypeId, TypeRef>,
}

impl<'s> Types<'s> {
    /// A reader of `space`.
    pub fn new(space: &'s TypeSpace) -> Self {
        Self { space, seen: HashMap::new() }
    }

    /// The IR type of typify's type `id`.
    ///
    /// # Errors
    ///
    /// A message when typify holds a type the IR cannot name (a generator bug).
    pub fn of(&mut self, id: &TypeId) -> Result<TypeRef, String> {
        if let Some(t) = self.seen.get(id) {
            return Ok(t.clone());
        }
        let converted = self.convert(id)?;
        self.seen.insert(id.clone(), converted.clone());
        Ok(converted)
    }

    fn convert(&mut self, id: &TypeId) -> Result<TypeRef, String> {
        let ty = self.space.get_type(id).map_err(|e| e.to_string())?;
        let details = ty.details();
        let converted = match details {
            TypeDetails::Enum(_) | TypeDetails::Struct(_) | TypeDetails::Newtype(_) => TypeRef::Named(ty.name()),
            // typify writes `Option<Option<T>>` as `Option<T>`.
            TypeDetails::Option(inner) => match self.of(&inner)? {
                TypeRef::Option(t) => TypeRef::Option(t),
                t => TypeRef::option(t),
            },
            TypeDetails::Vec(inner) | TypeDetails::Set(inner) => TypeRef::vec(self.of(&inner)?),
            TypeDetails::Box(inner) => TypeRef::Box(Box::new(self.of(&inner)?)),
            TypeDetails::Map(key, value) => match (self.of(&key)?, self.of(&value)?) {
                (TypeRef::String, TypeRef::Json) => TypeRef::JsonObject,
                (k, v) => TypeRef::Map(Box::new(k), Box::new(v)),
            },
            TypeDetails::Tuple(items) => {
                let ids: Vec<TypeId> = items.collect();
                TypeRef::Tuple(ids.iter().map(|id| self.of(id)).collect::<Result<_, _>>()?)
            }
            TypeDetails::Array(item, len) => TypeRef::Array(Box::new(self.of(&item)?), len),
            TypeDetails::Unit => TypeRef::Unit,
            TypeDetails::String => TypeRef::String,
            // A builtin is a path typify chose (`i64`, `::uuid::Uuid`, an `x-rust-type` with
            // its generic arguments): read from the tokens of the type, which carry the
            // arguments.
            TypeDetails::Builtin(name) => match primitive(name) {
                Some(t) => t,
                None => {
                    let tokens = ty.ident();
                    let parsed: syn::Type = syn::parse2(tokens).map_err(|e| format!("typify wrote a type that does not parse: {e}"))?;
                    from_syn(&parsed)?
                }
            },
        };
        Ok(converted)
    }
}

/// The IR type of a builtin typify names without a path (`i64`, `bool`), or the JSON value.
fn primitive(name: &str) -> Option<TypeRef> {
    Some(match name {
        "bool" => TypeRef::Bool,
        "i8" => TypeRef::I8,
        "i16" => TypeRef::I16,
        "i32" => TypeRef::I32,
        "i64" => TypeRef::I64,
        "u8" => TypeRef::U8,
        "u16" => TypeRef::U16,
        "u32" => TypeRef::U32,
        "u64" => TypeRef::U64,
        "f32" => TypeRef::F32,
        "f64" => TypeRef::F64,
        "::serde_json::Value" => TypeRef::Json,
        _ => return None,
    })
}

/// Checks a Rust type path the settings name (`::uuid::Uuid`, `crate::ids::PetId`,
/// `chrono::DateTime<chrono::Utc>`) and returns it with a leading `::` unless it starts at
/// `crate`.
///
/// # Errors
///
/// A message when `path` is not a Rust type path.
pub fn type_path(path: &str) -> Result<String, String> {
    let parsed: syn::TypePath = syn::parse_str(path).map_err(|e| format!("`{path}` is not a Rust type path: {e}"))?;
    let text = quote::quote!(#parsed).to_string().replace(' ', "");
    Ok(if text.starts_with("::") || text.starts_with("crate::") { text } else { format!("::{text}") })
}

/// The IR type of a Rust type path (one the settings give: `::uuid::Uuid`, `crate::Id`).
///
/// # Errors
///
/// A message when `path` is not a type path the IR can hold.
pub fn foreign(path: &str) -> Result<TypeRef, String> {
    let parsed: syn::Type = syn::parse_str(path).map_err(|e| format!("`{path}` is not a Rust type: {e}"))?;
    from_syn(&parsed)
}

/// The IR type of a type path typify wrote.
fn from_syn(ty: &syn::Type) -> Result<TypeRef, String> {
    let unsupported = || format!("typify wrote a type the generator cannot name: `{}`", quote::quote!(#ty));
    let syn::Type::Path(path) = ty else { return Err(unsupported()) };
    if path.qself.is_some() {
        return Err(unsupported());
    }
    let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let bare = path.path.segments.iter().all(|s| s.arguments.is_none());
    // A type of the user's crate (a replacement the settings give): `crate::ids::PetId`.
    let user_crate = names.first().is_some_and(|n| n == "crate") && names.len() > 1;
    if bare && path.path.leading_colon.is_none() && !user_crate {
        return match names.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [one] => primitive(one).ok_or_else(unsupported),
            ["models", name] => Ok(TypeRef::named(*name)),
            _ => Err(unsupported()),
        };
    }
    if path.path.leading_colon.is_none() && !user_crate {
        return Err(unsupported());
    }
    if bare && names == ["serde_json", "Value"] {
        return Ok(TypeRef::Json);
    }
    if bare && names == ["apigen_runtime", "Binary"] {
        return Ok(TypeRef::Binary);
    }
    let mut segments = Vec::new();
    for s in &path.path.segments {
        let args = match &s.arguments {
            syn::PathArguments::None => Vec::new(),
            syn::PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .map(|arg| match arg {
                    syn::GenericArgument::Type(t) => from_syn(t),
                    _ => Err(unsupported()),
                })
                .collect::<Result<_, _>>()?,
            syn::PathArguments::Parenthesized(_) => return Err(unsupported()),
        };
        segments.push(Segment { name: s.ident.to_string(), args });
    }
    Ok(TypeRef::Foreign(segments))
}

//! What the generated `Deserialize` impls of structs share, so that each model carries only its
//! own fields: the key lookup ([`Fields`]), the per-field reads ([`next_value`],
//! [`next_nullable`], [`skip_value`]) and the missing-field rule ([`required`]).
//!
//! A generated impl reads a map (a JSON object) with the same results and error messages as
//! serde's derive: `missing field`, `duplicate field`, `unknown field ..., expected one of ...`
//! (with `deny_unknown_fields`), and `invalid type: ..., expected struct Name`. Unlike the
//! derive, it does not read a struct from a sequence of its fields, which no JSON Schema
//! `object` allows.
//!
//! ```
//! use apigen_runtime::de::{self, Fields};
//! use serde::de::{Deserializer, MapAccess, Visitor};
//!
//! #[derive(Debug, PartialEq)]
//! struct Pet {
//!     name: String,
//!     tag: Option<String>,
//! }
//!
//! impl<'de> serde::Deserialize<'de> for Pet {
//!     fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
//!         const FIELDS: Fields = Fields::new(&["name", "tag"], false);
//!         struct PetVisitor;
//!         impl<'de> Visitor<'de> for PetVisitor {
//!             type Value = Pet;
//!             fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!                 f.write_str("struct Pet")
//!             }
//!             fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pet, A::Error> {
//!                 let mut name: Option<String> = None;
//!                 let mut tag: Option<Option<String>> = None;
//!                 while let Some(key) = map.next_key_seed(FIELDS)? {
//!                     match key {
//!                         0 => de::next_value(&mut map, &mut name, "name")?,
//!                         1 => de::next_value(&mut map, &mut tag, "tag")?,
//!                         _ => de::skip_value(&mut map)?,
//!                     }
//!                 }
//!                 Ok(Pet { name: de::required(name, "name")?, tag: tag.unwrap_or_default() })
//!             }
//!         }
//!         deserializer.deserialize_struct("Pet", FIELDS.names(), PetVisitor)
//!     }
//! }
//!
//! let pet: Pet = serde_json::from_str(r#"{"name": "Rex", "age": 3}"#).unwrap();
//! assert_eq!(pet, Pet { name: "Rex".into(), tag: None });
//! let err = serde_json::from_str::<Pet>(r#"{"tag": "dog"}"#).unwrap_err();
//! assert_eq!(err.to_string(), "missing field `name` at line 1 column 14");
//! assert!(serde_json::from_str::<Pet>(r#"["Rex", null]"#).is_err());
//! ```

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde::Deserialize;

/// The wire names of a struct's fields, in declaration order, and whether keys outside them are
/// errors (`deny_unknown_fields`). As a [`DeserializeSeed`] it reads a map key into the index of
/// the field it names, or `names().len()` for a key to ignore.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    names: &'static [&'static str],
    deny_unknown: bool,
}

impl Fields {
    /// The fields `names`; with `deny_unknown`, any other key is an `unknown field` error.
    #[must_use]
    pub const fn new(names: &'static [&'static str], deny_unknown: bool) -> Self {
        Self { names, deny_unknown }
    }

    /// The wire names, for `Deserializer::deserialize_struct`.
    #[must_use]
    pub const fn names(self) -> &'static [&'static str] {
        self.names
    }

    fn unknown<E: de::Error>(self, key: &str) -> Result<usize, E> {
        if self.deny_unknown {
            Err(E::unknown_field(key, self.names))
        } else {
            Ok(self.names.len())
        }
    }
}

impl<'de> DeserializeSeed<'de> for Fields {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Fields {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        match usize::try_from(v) {
            Ok(i) if i < self.names.len() => Ok(i),
            _ if self.deny_unknown => Err(E::invalid_value(Unexpected::Unsigned(v), &FieldIndex(self.names.len()))),
            _ => Ok(self.names.len()),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        match self.names.iter().position(|n| *n == v) {
            Some(i) => Ok(i),
            None => self.unknown(v),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        match self.names.iter().position(|n| n.as_bytes() == v) {
            Some(i) => Ok(i),
            None => self.unknown(&String::from_utf8_lossy(v)),
        }
    }
}

/// What serde's derive expects of an out-of-range field index.
struct FieldIndex(usize);

impl de::Expected for FieldIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field index 0 <= i < {}", self.0)
    }
}

/// Reads the value of the field `name` into `slot`.
///
/// # Errors
///
/// `duplicate field` when `slot` already holds a value; the value's own error otherwise.
pub fn next_value<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// [`next_value`] for a three-state field (see [`crate::nullable`]): a present `null` is
/// `Some(None)`.
///
/// # Errors
///
/// As [`next_value`].
pub fn next_nullable<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Option<Option<T>>>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(Some(map.next_value()?));
    Ok(())
}

/// Reads and drops the value of a key that names no field.
///
/// # Errors
///
/// When the value is malformed.
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// The value of a field without a default: the one read, or what the field's type makes of a
/// missing value. As in serde's derive, an `Option` is `None`; any other type is a
/// `missing field` error.
///
/// # Errors
///
/// `missing field` when the field is absent and its type needs a value.
pub fn required<'de, T: Deserialize<'de>, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(MissingField(name, PhantomData)),
    }
}

/// The value of an absent field, as serde's derive reads it: `None` for an `Option`, otherwise
/// `missing field`.
struct MissingField<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for MissingField<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::Error as ValueError;
    use serde::de::IntoDeserializer;

    const PET: Fields = Fields::new(&["name", "tag"], false);
    const STRICT: Fields = Fields::new(&["name", "tag"], true);

    fn key(fields: Fields, key: impl IntoDeserializer<'static, ValueError>) -> Result<usize, ValueError> {
        fields.deserialize(key.into_deserializer())
    }

    #[test]
    fn keys_name_their_field_by_text_bytes_or_index() {
        assert_eq!(key(PET, "tag").unwrap(), 1);
        assert_eq!(key(PET, serde::de::value::BytesDeserializer::<ValueError>::new(b"name")).unwrap(), 0);
        assert_eq!(key(PET, 1u64).unwrap(), 1);
        assert_eq!(key(PET, "age").unwrap(), 2, "an unknown key is ignored");
        assert_eq!(key(PET, 7u64).unwrap(), 2);
    }

    #[test]
    fn unknown_keys_are_errors_with_deny_unknown_fields() {
        assert_eq!(key(STRICT, "age").unwrap_err().to_string(), "unknown field `age`, expected `name` or `tag`");
        assert_eq!(key(STRICT, 7u64).unwrap_err().to_string(), "invalid value: integer `7`, expected field index 0 <= i < 2");
        assert_eq!(key(STRICT, "tag").unwrap(), 1);
    }

    #[test]
    fn a_missing_option_is_none_and_anything_else_an_error() {
        assert_eq!(required::<Option<u8>, ValueError>(None, "tag").unwrap(), None);
        assert_eq!(required::<u8, ValueError>(None, "age").unwrap_err().to_string(), "missing field `age`");
        assert_eq!(required::<u8, ValueError>(Some(3), "age").unwrap(), 3);
    }

    /// A three-state field as the generator writes it (`tag: Option<Option<u8>>`).
    #[derive(Debug, PartialEq)]
    struct Patch {
        tag: Option<Option<u8>>,
    }

    impl<'de> Deserialize<'de> for Patch {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            const FIELDS: Fields = Fields::new(&["tag"], false);
            struct PatchVisitor;
            impl<'de> Visitor<'de> for PatchVisitor {
                type Value = Patch;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("struct Patch")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Patch, A::Error> {
                    let mut tag: Option<Option<Option<u8>>> = None;
                    while let Some(key) = map.next_key_seed(FIELDS)? {
                        match key {
                            0 => next_nullable(&mut map, &mut tag, "tag")?,
                            _ => skip_value(&mut map)?,
                        }
                    }
                    Ok(Patch { tag: tag.unwrap_or_default() })
                }
            }
            deserializer.deserialize_struct("Patch", FIELDS.names(), PatchVisitor)
        }
    }

    #[test]
    fn three_state_fields_read_absent_null_and_a_value_apart() {
        let read = |json: &str| serde_json::from_str::<Patch>(json).map_err(|e| e.to_string());
        assert_eq!(read("{}"), Ok(Patch { tag: None }));
        assert_eq!(read(r#"{"tag": null}"#), Ok(Patch { tag: Some(None) }));
        assert_eq!(read(r#"{"tag": 4, "other": [1]}"#), Ok(Patch { tag: Some(Some(4)) }));
        assert_eq!(read(r#"{"tag": 4, "tag": null}"#), Err("duplicate field `tag` at line 1 column 16".to_string()));
        assert_eq!(read(r#"{"tag": "4"}"#), Err("invalid type: string \"4\", expected u8 at line 1 column 11".to_string()));
        assert_eq!(read("[4]"), Err("invalid type: sequence, expected struct Patch at line 1 column 1".to_string()));
    }
}

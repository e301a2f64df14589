//! [`Binary`]: the bytes of a `format: binary` value, such as a file part of a multipart body.
//!
//! Generated models type every `{"type": "string", "format": "binary"}` property as `Binary`,
//! so a file keeps its bytes exactly, whatever they are (a `String` would reject or mangle
//! anything that is not UTF-8). The generated client sends each one as a multipart part of its
//! own; the generated server reads file parts as bytes and hands them to the implementation.
//!
//! How the server gets the bytes into the typed body: a multipart body is decoded into a JSON
//! object (so that it is checked and typed like a JSON body), where JSON cannot hold bytes. Each
//! binary part is therefore represented in that object by a marker string naming the part, and
//! [`with_parts`] makes the parts available while the object is deserialized; `Binary`'s
//! `Deserialize` swaps the marker for the part's bytes. Outside [`with_parts`] (JSON bodies,
//! responses) a string deserializes to its UTF-8 bytes.

use std::cell::RefCell;

/// The bytes of a `format: binary` value. `Debug` shows only the length.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Binary(Vec<u8>);

impl Binary {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl std::ops::Deref for Binary {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<String> for Binary {
    fn from(text: String) -> Self {
        Self(text.into_bytes())
    }
}

impl From<&str> for Binary {
    fn from(text: &str) -> Self {
        Self(text.as_bytes().to_vec())
    }
}

impl From<Binary> for Vec<u8> {
    fn from(binary: Binary) -> Self {
        binary.0
    }
}

impl std::fmt::Debug for Binary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Binary({} bytes)", self.0.len())
    }
}

/// Serialized as a string when the bytes are UTF-8 (what a JSON document can carry), else as
/// bytes (an array of numbers in JSON).
impl serde::Serialize for Binary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => serializer.serialize_bytes(&self.0),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Binary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Binary;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("binary data (a string, bytes or an array of bytes)")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Binary, E> {
                Ok(take_part(text).unwrap_or_else(|| Binary::from(text)))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Binary, E> {
                Ok(take_part(&text).unwrap_or_else(|| Binary::from(text)))
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Binary, E> {
                Ok(Binary::from(bytes))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Binary, E> {
                Ok(Binary(bytes))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Binary, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(Binary(bytes))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Binary {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Binary".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "binary" })
    }
}

/// The start of the marker that stands for binary part `n` while [`with_parts`] runs.
const MARKER: &str = "\u{0}apigen-binary-part:";

thread_local! {
    static PARTS: RefCell<Vec<Option<Vec<u8>>>> = const { RefCell::new(Vec::new()) };
}

/// The marker string that stands for part `index` of [`with_parts`].
pub fn part_marker(index: usize) -> String {
    format!("{MARKER}{index}")
}

/// Runs `f` (a deserialization, which does not await) with `parts` standing behind their
/// [`part_marker`]s: a [`Binary`] deserialized from marker `n` takes part `n`.
pub fn with_parts<T>(parts: Vec<Vec<u8>>, f: impl FnOnce() -> T) -> T {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            PARTS.with(|p| p.borrow_mut().clear());
        }
    }
    PARTS.with(|p| *p.borrow_mut() = parts.into_iter().map(Some).collect());
    let _clear = Clear;
    f()
}

fn take_part(text: &str) -> Option<Binary> {
    let index: usize = text.strip_prefix(MARKER)?.parse().ok()?;
    PARTS.with(|p| p.borrow_mut().get_mut(index).and_then(Option::take)).map(Binary)
}

/// The multipart parts of a `format: binary` form field: one per value (none for `None`, one
/// per item of a list). The generated client sends each as a part of its own.
pub trait BinaryParts {
    /// The bytes of each part.
    fn binary_parts(&self) -> Vec<Vec<u8>>;
}

impl BinaryParts for Binary {
    fn binary_parts(&self) -> Vec<Vec<u8>> {
        vec![self.0.clone()]
    }
}

impl BinaryParts for String {
    fn binary_parts(&self) -> Vec<Vec<u8>> {
        vec![self.as_bytes().to_vec()]
    }
}

impl BinaryParts for Vec<u8> {
    fn binary_parts(&self) -> Vec<Vec<u8>> {
        vec![self.clone()]
    }
}

impl<T: BinaryParts> BinaryParts for Option<T> {
    fn binary_parts(&self) -> Vec<Vec<u8>> {
        self.as_ref().map(BinaryParts::binary_parts).unwrap_or_default()
    }
}

impl<T: BinaryParts> BinaryParts for Vec<T> {
    fn binary_parts(&self) -> Vec<Vec<u8>> {
        self.iter().flat_map(BinaryParts::binary_parts).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_keeps_every_byte() {
        let text = Binary::from("héllo");
        assert_eq!(serde_json::to_string(&text).expect("json"), "\"héllo\"");
        let bytes = Binary::new(vec![0xff, 0, 1]);
        assert_eq!(serde_json::to_string(&bytes).expect("json"), "[255,0,1]");
        for b in [text, bytes] {
            let back: Binary = serde_json::from_str(&serde_json::to_string(&b).expect("json")).expect("back");
            assert_eq!(back, b);
        }
        assert_eq!(format!("{:?}", Binary::from("secret")), "Binary(6 bytes)");
    }

    #[test]
    fn markers_take_their_part_only_inside_with_parts() {
        let value = serde_json::json!({ "a": part_marker(1), "b": [part_marker(0)], "c": part_marker(5) });
        #[derive(serde::Deserialize)]
        struct Form {
            a: Binary,
            b: Vec<Binary>,
            c: Binary,
        }
        let form: Form = with_parts(vec![vec![0xfe], vec![0xff, 0]], || serde_json::from_value(value.clone())).expect("form");
        assert_eq!((form.a.as_bytes(), form.b[0].as_bytes()), (&[0xff, 0][..], &[0xfe][..]));
        // No such part: the marker stays text.
        assert_eq!(form.c.as_bytes(), part_marker(5).as_bytes());
        let outside: Form = serde_json::from_value(value).expect("form");
        assert_eq!(outside.a.as_bytes(), part_marker(1).as_bytes());
    }

    #[test]
    fn parts_of_every_shape() {
        assert_eq!(Binary::from("a").binary_parts(), [b"a".to_vec()]);
        assert!(None::<Binary>.binary_parts().is_empty());
        assert_eq!(Some(vec![Binary::from("a"), Binary::from("b")]).binary_parts().len(), 2);
    }
}

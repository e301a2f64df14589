//! Loading: reads spec files from disk and parses them, turning every I/O or syntax problem
//! into a [`Diagnostic`] with the file, line and column.

// A `Diagnostic` is large (file, pointer, message, help, location), but it is only built on the
// way out of a failed load, never on the hot path: boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::locate;
use crate::diag::Diagnostic;

/// One parsed spec file, kept with its text so later passes can locate pointers in it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it is shown in diagnostics.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The parsed document.
    pub value: Value,
}

impl SourceFile {
    /// A diagnostic at `pointer` in this file, with the line and column filled in where found.
    pub fn diagnostic(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(&self.path, pointer, message);
        let found = if is_yaml(&self.path) { locate::locate_yaml(&self.text, pointer) } else { locate::locate(&self.text, pointer) };
        match found {
            Some((line, column)) => d.at(line, column),
            None => d,
        }
    }
}

/// Every file read in one run, keyed by normalized path.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: BTreeMap<PathBuf, SourceFile>,
}

impl Sources {
    /// Reads and parses `path` once; later calls return the cached file.
    ///
    /// # Errors
    ///
    /// A diagnostic naming the file when it cannot be read or is not valid JSON.
    pub fn load(&mut self, path: &Path) -> Result<&SourceFile, Diagnostic> {
        let path = normalize(path);
        if !self.files.contains_key(&path) {
            let bytes = std::fs::read(&path).map_err(|e| {
                Diagnostic::new(&path, "", format!("cannot read the file: {e}"))
                    .with_help("check that the path exists and is a readable file")
            })?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let text = String::from_utf8_lossy(&bytes[..valid]);
                let (line, column) = locate::line_col(&text, valid);
                Diagnostic::new(&path, "", format!("the file is not UTF-8: byte 0x{:02X} cannot start a character", bytes[valid]))
                    .at(line, column)
                    .with_help("save the file as UTF-8 (OpenAPI documents are UTF-8 text)")
            })?;
            let value = parse(&path, &text)?;
            self.files.insert(path.clone(), SourceFile { path: path.clone(), text, value });
        }
        Ok(&self.files[&path])
    }

    /// The file at `path`, if it was loaded.
    pub fn get(&self, path: &Path) -> Option<&SourceFile> {
        self.files.get(&normalize(path))
    }

    /// Every file read, in path order (what a build script reruns on).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// Adds a document that has no file on disk (used for in-memory specs and tests).
    pub fn insert(&mut self, path: &Path, text: String) -> Result<&SourceFile, Diagnostic> {
        let path = normalize(path);
        let value = parse(&path, &text)?;
        self.files.insert(path.clone(), SourceFile { path: path.clone(), text, value });
        Ok(&self.files[&path])
    }
}

/// True for files read as YAML (by extension); everything else is read as JSON.
pub fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Parses JSON or YAML text (by the file's extension), reporting a syntax error at its line and
/// column.
fn parse(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    if is_yaml(path) {
        return parse_yaml(path, text);
    }
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let help = if message.starts_with("number out of range") {
            "JSON numbers must be finite 64-bit floats (at most about 1.8e308 in size): write a smaller number"
        } else if message.starts_with("recursion limit exceeded") {
            "the document nests more than 128 levels deep: move nested schemas to `components/schemas` and refer to them with `$ref`"
        } else {
            "fix the syntax at the given line and column (a JSON linter shows the spot)"
        };
        // serde_json reports the end of input as column 0; columns here are 1-based.
        Diagnostic::new(path, "", format!("not valid JSON: {e}")).at(e.line().max(1), e.column().max(1)).with_help(help)
    })
}

/// Parses YAML into the JSON data model (non-string keys such as `200:` become strings).
///
/// The YAML is read straight into JSON values (no intermediate YAML tree), so integers beyond
/// 64 bits (`maximum: 18446744073709552000`) become JSON numbers (`f64`) as they do when the
/// same document is JSON, instead of failing.
fn parse_yaml(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    let parsed: Result<YamlJson, _> = serde_norway::from_str(text);
    parsed.map(|v| v.0).map_err(|e| {
        let help = if e.to_string().starts_with("recursion limit exceeded") {
            "the document nests more than 128 levels deep: move nested schemas to `components/schemas` and refer to them with `$ref`"
        } else if e.to_string().contains("no JSON representation") {
            "use a finite number"
        } else {
            "fix the syntax at the given line and column (a YAML linter shows the spot)"
        };
        let d = Diagnostic::new(path, "", format!("not valid YAML: {e}")).with_help(help);
        match e.location() {
            Some(l) => d.at(l.line().max(1), l.column().max(1)),
            None => d,
        }
    })
}

/// A JSON value read from YAML.
struct YamlJson(Value);

impl<'de> serde::Deserialize<'de> for YamlJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlVisitor).map(YamlJson)
    }
}

/// A mapping key: scalars become their text (`200:` -> `"200"`, `true:` -> `"true"`).
struct YamlKey(String);

impl<'de> serde::Deserialize<'de> for YamlKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(YamlVisitor)? {
            Value::String(s) => Ok(YamlKey(s)),
            Value::Null => Ok(YamlKey("null".into())),
            v @ (Value::Number(_) | Value::Bool(_)) => Ok(YamlKey(v.to_string())),
            other => Err(serde::de::Error::custom(format!("unsupported mapping key {other}: use plain scalar keys"))),
        }
    }
}

struct YamlVisitor;

impl YamlVisitor {
    fn float<E: serde::de::Error>(f: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| E::custom(format!("the number {f} has no JSON representation")))
    }
}

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        match i64::try_from(v) {
            Ok(i) => Ok(Value::from(i)),
            // Beyond 64 bits: a JSON number, as serde_json reads the same literal.
            Err(_) => Self::float(v as f64),
        }
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        match u64::try_from(v) {
            Ok(u) => Ok(Value::from(u)),
            Err(_) => Self::float(v as f64),
        }
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Self::float(v)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(YamlJson(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(YamlKey(key)) = map.next_key()? {
            let YamlJson(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate entry with key \"{key}\"")));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Tag value`): the tag is dropped, the value kept.
        use serde::de::VariantAccess;
        let (_tag, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant::<YamlJson>().map(|v| v.0)
    }
}

/// Lexically normalizes a path: drops `.` and resolves `..` against earlier components, without
/// touching the file system, so paths in messages stay the ones the user wrote.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

//! Loading: reads spec files from disk and parses them, turning every I/O or syntax problem
//! into a [`Diagnostic`] with the file, line and column.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::locate;

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
fn parse_yaml(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    let yaml: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
        let help = if e.to_string().starts_with("recursion limit exceeded") {
            "the document nests more than 128 levels deep: move nested schemas to `components/schemas` and refer to them with `$ref`"
        } else {
            "fix the syntax at the given line and column (a YAML linter shows the spot)"
        };
        let d = Diagnostic::new(path, "", format!("not valid YAML: {e}")).with_help(help);
        match e.location() {
            Some(l) => d.at(l.line().max(1), l.column().max(1)),
            None => d,
        }
    })?;
    yaml_to_json(path, yaml, "")
}

fn yaml_to_json(path: &Path, v: serde_norway::Value, pointer: &str) -> Result<Value, Diagnostic> {
    use serde_norway::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| {
                    Diagnostic::new(path, pointer, format!("the number {f} has no JSON representation")).with_help("use a finite number")
                })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(path, item, &crate::diag::join_pointer(pointer, &i.to_string())))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => {
                        return Err(
                            Diagnostic::new(path, pointer, format!("unsupported mapping key {other:?}")).with_help("use plain scalar keys")
                        )
                    }
                };
                let child = crate::diag::join_pointer(pointer, &key);
                out.insert(key, yaml_to_json(path, v, &child)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(path, t.value, pointer)?,
    })
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

//! Bundling: resolves every external `$ref` of a spec into one self-contained OpenAPI document.
//!
//! A referenced file whose root is a schema becomes `components/schemas/<title>`; any other
//! referenced file (a response, a parameter, a path item) is inlined where it is referenced.
//! References into a file (`user.json#/properties/response`) become references into its
//! component. Every reference is checked to resolve, and every problem is reported with the
//! file and pointer of the `$ref` that caused it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{join_pointer, Diagnostic, Diagnostics};
use crate::load::{normalize, Sources};
use crate::naming;

/// A bundled document and where its parts came from.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The self-contained OpenAPI document.
    pub document: Value,
    /// The root file of the spec.
    pub root: PathBuf,
    /// Which file each imported component schema came from.
    pub origins: BTreeMap<String, PathBuf>,
    /// Every inlined value: `(pointer in the bundle, file it came from, pointer in that file)`.
    pub inlined: Vec<(String, PathBuf, String)>,
    /// Every file that was read.
    pub sources: Sources,
}

impl Bundle {
    /// Maps a pointer into the bundled document back to the file and pointer a person edits.
    pub fn origin_of(&self, pointer: &str) -> (PathBuf, String) {
        let inlined = self
            .inlined
            .iter()
            .filter(|(at, _, _)| pointer == at || pointer.strip_prefix(at.as_str()).is_some_and(|r| r.starts_with('/')))
            .max_by_key(|(at, _, _)| at.len());
        if let Some((at, file, inner)) = inlined {
            return (file.clone(), format!("{inner}{}", &pointer[at.len()..]));
        }
        if let Some(rest) = pointer.strip_prefix("/components/schemas/") {
            let (name, tail) = rest.split_once('/').map_or((rest, ""), |(n, t)| (n, t));
            let name = crate::diag::unescape_token(name);
            if let Some(file) = self.origins.get(&name) {
                let tail = if tail.is_empty() { String::new() } else { format!("/{tail}") };
                return (file.clone(), tail);
            }
        }
        (self.root.clone(), pointer.to_string())
    }

    /// A diagnostic at `pointer` of the bundled document, placed in the file it came from.
    pub fn diagnostic(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let (file, inner) = self.origin_of(pointer);
        match self.sources.get(&file) {
            Some(source) => source.diagnostic(&inner, message),
            None => Diagnostic::new(file, inner, message),
        }
    }
}

/// Reads the spec rooted at `root` and bundles it.
///
/// # Errors
///
/// Every unreadable or unparsable file, dangling or cyclic reference and component name clash.
pub fn bundle(root: &Path) -> Result<Bundle, Diagnostics> {
    let mut sources = Sources::default();
    let root = normalize(root);
    if let Err(d) = sources.load(&root) {
        return Err(d.into());
    }
    bundle_loaded(root, sources)
}

/// Bundles a spec whose root file is already in `sources`.
///
/// # Errors
///
/// As [`bundle`].
pub fn bundle_loaded(root: PathBuf, sources: Sources) -> Result<Bundle, Diagnostics> {
    let mut b = Bundler {
        sources,
        names: BTreeMap::new(),
        components: BTreeMap::new(),
        diags: Diagnostics::default(),
        inlining: Vec::new(),
        depth: 0,
        frames: Vec::new(),
        inlined: Vec::new(),
    };
    let mut document = b.sources.get(&root).map(|f| f.value.clone()).unwrap_or(Value::Null);
    if !document.is_object() {
        let d = b.sources.get(&root).map_or_else(
            || Diagnostic::new(&root, "", "the spec root is missing"),
            |f| f.diagnostic("", "the document root is not a JSON object"),
        );
        return Err(d.with_help("an OpenAPI document is an object with `openapi`, `info` and `paths`").into());
    }
    let mut stack = vec![root.clone()];
    b.rewrite(&mut document, &root, "", &mut stack);

    let existing: Vec<String> =
        document.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let mut origins = BTreeMap::new();
    if !b.components.is_empty() {
        let obj = document.as_object_mut().expect("checked above");
        let components = obj.entry("components").or_insert_with(|| Value::Object(Map::new()));
        if let Some(components) = components.as_object_mut() {
            let schemas = components.entry("schemas").or_insert_with(|| Value::Object(Map::new()));
            if let Some(schemas) = schemas.as_object_mut() {
                for (name, (file, value, at)) in std::mem::take(&mut b.components) {
                    if existing.contains(&name) {
                        b.diags.push(at.with_help(format!(
                            "`{name}` (from {}) clashes with `components/schemas/{name}` of the root document: give the file another `title`",
                            file.display()
                        )));
                        continue;
                    }
                    schemas.insert(name.clone(), value);
                    origins.insert(name, file);
                }
                schemas.sort_keys();
            }
        }
    }
    let inlined = std::mem::take(&mut b.inlined);
    let Bundler { sources, mut diags, .. } = b;
    let bundle = Bundle { document, root, origins, inlined, sources };
    if !diags.is_empty() {
        // Report the document's other problems too (duplicate operationIds, undeclared path
        // parameters, ...), so one run names every error; a reference the bundler already
        // reported is not reported twice.
        if let Err(more) = crate::validate::validate(&bundle) {
            let reported: Vec<(PathBuf, String)> = diags.0.iter().map(|d| (d.file.clone(), d.pointer.clone())).collect();
            for d in more.0 {
                let is_ref = d.pointer.ends_with("/$ref") || d.pointer == "$ref";
                if !(is_ref || reported.contains(&(d.file.clone(), d.pointer.clone()))) {
                    diags.push(d);
                }
            }
        }
    }
    diags.into_result(bundle)
}

/// How deeply values may nest while references are inlined; deeper input is reported instead
/// of overflowing the stack. (Each file is already limited to 128 levels by the parsers; only
/// inlining can nest deeper.)
const MAX_DEPTH: usize = 512;

struct Bundler {
    sources: Sources,
    /// Imported schema file -> component name.
    names: BTreeMap<PathBuf, String>,
    /// Component name -> (file, bundled value, diagnostic site of its first reference).
    components: BTreeMap<String, (PathBuf, Value, Diagnostic)>,
    diags: Diagnostics,
    /// `(file, pointer)` of every local reference being inlined, to catch cycles.
    inlining: Vec<(PathBuf, String)>,
    /// The nesting depth of `rewrite`.
    depth: usize,
    /// Where the value being rewritten sits in the bundle: `(pointer in the bundle, file,
    /// pointer in the file)` of the innermost inlined or imported value; none for the root.
    frames: Vec<(String, PathBuf, String)>,
    /// Every inlined value, for [`Bundle::origin_of`].
    inlined: Vec<(String, PathBuf, String)>,
}

impl Bundler {
    /// The bundle pointer of the value at `pointer` in the file being rewritten.
    fn bundle_pointer(&self, pointer: &str) -> String {
        match self.frames.last() {
            Some((at, _, inner)) => format!("{at}{}", pointer.strip_prefix(inner.as_str()).unwrap_or("")),
            None => pointer.to_string(),
        }
    }

    /// Inlines `value` (the value at `fragment` of `target`) in place of the object whose
    /// `$ref` is at `at`, rewriting its own references.
    fn inline(&mut self, mut value: Value, target: &Path, fragment: &str, at: &str, stack: &mut Vec<PathBuf>) -> Value {
        let object = at.strip_suffix("/$ref").unwrap_or(at);
        let bundle_at = self.bundle_pointer(object);
        self.inlined.push((bundle_at.clone(), target.to_path_buf(), fragment.to_string()));
        self.frames.push((bundle_at, target.to_path_buf(), fragment.to_string()));
        self.rewrite(&mut value, target, fragment, stack);
        self.frames.pop();
        value
    }

    /// Rewrites every `$ref` inside `value`, which sits at `pointer` in `file`.
    fn rewrite(&mut self, value: &mut Value, file: &Path, pointer: &str, stack: &mut Vec<PathBuf>) {
        if self.depth >= MAX_DEPTH {
            let d = self.sources.get(file).map_or_else(|| Diagnostic::new(file, pointer, ""), |f| f.diagnostic(pointer, ""));
            self.diags.push(Diagnostic {
                message: format!("the document nests more than {MAX_DEPTH} levels deep once its references are inlined"),
                ..d
            }
            .with_help("flatten the structure: give deeply nested parts a `title` (schema files become components) or move them to `components`"));
            return;
        }
        self.depth += 1;
        self.rewrite_inner(value, file, pointer, stack);
        self.depth -= 1;
    }

    fn rewrite_inner(&mut self, value: &mut Value, file: &Path, pointer: &str, stack: &mut Vec<PathBuf>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref").cloned().as_ref() {
                    let at = join_pointer(pointer, "$ref");
                    if let Some(replacement) = self.resolve(reference, file, &at, map, stack) {
                        *value = replacement;
                        return;
                    }
                }
                let in_properties = pointer.ends_with("/properties");
                for (key, child) in map.iter_mut() {
                    if !in_properties && is_data_keyword(key, child) {
                        continue;
                    }
                    self.rewrite(child, file, &join_pointer(pointer, key), stack);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.rewrite(child, file, &join_pointer(pointer, &i.to_string()), stack);
                }
            }
            _ => {}
        }
    }

    /// Resolves one `$ref` found at `at` in `file`. Returns a replacement for the whole object
    /// when the reference is inlined, or `None` when it was rewritten in place (or reported).
    fn resolve(&mut self, reference: &str, file: &Path, at: &str, map: &mut Map<String, Value>, stack: &mut Vec<PathBuf>) -> Option<Value> {
        let (target, fragment) = reference.split_once('#').map_or((reference, ""), |(t, f)| (t, f));
        let root_file = stack.first().cloned().unwrap_or_default();
        let site = |s: &Sources, msg: String| {
            s.get(file).map_or_else(|| Diagnostic::new(file, at, msg.clone()), |f| f.diagnostic(at, msg.clone()))
        };
        if !fragment.is_empty() && !fragment.starts_with('/') {
            let d = site(&self.sources, format!("`$ref` \"{reference}\" has a fragment that is not a JSON pointer"))
                .with_help("write the fragment as a JSON pointer, e.g. `#/components/schemas/Name`");
            self.diags.push(d);
            return None;
        }
        if target.starts_with("http://") || target.starts_with("https://") {
            let d = site(&self.sources, format!("`$ref` \"{reference}\" points at a URL; the generator does no network I/O"))
                .with_help("download the document next to the spec and refer to it by relative path");
            self.diags.push(d);
            return None;
        }
        let target_path =
            if target.is_empty() { file.to_path_buf() } else { normalize(&file.parent().unwrap_or(Path::new("")).join(target)) };

        // Load the target and check that the fragment resolves in it.
        if let Err(e) = self.sources.load(&target_path) {
            if e.location.is_some() {
                // The file exists but does not parse: point at the syntax error itself.
                self.diags.push(e);
                return None;
            }
            let d = site(&self.sources, format!("`$ref` \"{reference}\" cannot be resolved: {}", e.message))
                .with_help(format!("create {} or fix the reference", target_path.display()));
            self.diags.push(d);
            return None;
        }
        let exists = self.sources.get(&target_path).is_some_and(|f| f.value.pointer(fragment).is_some());
        if !exists {
            let d = site(
                &self.sources,
                format!("`$ref` \"{reference}\" points at nothing: {} has no value at `{fragment}`", target_path.display()),
            )
            .with_help("fix the pointer after `#` so that it names an existing value");
            self.diags.push(d);
            return None;
        }

        if target_path == root_file {
            // A reference into the root document stays as it is (and costs no copy).
            return None;
        }
        let pointed = self.sources.get(&target_path).and_then(|f| f.value.pointer(fragment)).cloned().unwrap_or(Value::Null);
        if target_path == file && !self.names.contains_key(&target_path) {
            // A reference inside an inlined (non-schema) file: inline the value.
            let key = (target_path.clone(), fragment.to_string());
            if self.inlining.contains(&key) {
                let d = site(&self.sources, format!("cyclic `$ref` \"{reference}\": inlining it would never end"))
                    .with_help("break the cycle: a response, parameter or path item cannot contain itself");
                self.diags.push(d);
                return None;
            }
            self.inlining.push(key);
            let inlined = self.inline(pointed, file, fragment, at, stack);
            self.inlining.pop();
            return Some(inlined);
        }

        let is_schema = self.sources.get(&target_path).is_some_and(|f| looks_like_schema(&f.value));
        if is_schema || self.names.contains_key(&target_path) {
            let target_value = self.sources.get(&target_path).map(|f| f.value.clone()).unwrap_or(Value::Null);
            let name = self.import_schema(&target_path, &target_value, site(&self.sources, String::new()), stack)?;
            let new_ref = format!("#/components/schemas/{}{}", crate::diag::escape_token(&name), fragment);
            map.insert("$ref".into(), Value::String(new_ref));
            return None;
        }

        // Inline a non-schema file (response, parameter, ...), guarding against cycles.
        if stack.contains(&target_path) {
            let chain: Vec<String> = stack.iter().map(|p| p.display().to_string()).collect();
            let d = site(&self.sources, format!("cyclic `$ref` \"{reference}\": {} -> {}", chain.join(" -> "), target_path.display()))
                .with_help("break the cycle, or turn the repeated part into a schema with a `title`");
            self.diags.push(d);
            return None;
        }
        stack.push(target_path.clone());
        let inlined = self.inline(pointed, &target_path, fragment, at, stack);
        stack.pop();
        Some(inlined)
    }

    /// Makes `path` a component schema (once) and returns its name.
    fn import_schema(&mut self, path: &Path, value: &Value, site: Diagnostic, stack: &mut Vec<PathBuf>) -> Option<String> {
        if let Some(name) = self.names.get(path) {
            return Some(name.clone());
        }
        let name = component_name(path, value);
        if let Some((other, _, _)) = self.components.get(&name) {
            let message = format!("schema files {} and {} both become `components/schemas/{name}`", other.display(), path.display());
            self.diags.push(Diagnostic { message, ..site }.with_help("give one of them another `title`"));
            return None;
        }
        self.names.insert(path.to_path_buf(), name.clone());
        let mut bundled = value.clone();
        if let Some(obj) = bundled.as_object_mut() {
            // The bundle declares one dialect (OpenAPI 3.1's); per-file `$schema` and `$id`
            // would make references inside the component resolve against the wrong base.
            obj.remove("$schema");
            obj.remove("$id");
        }
        self.components.insert(name.clone(), (path.to_path_buf(), Value::Null, site.clone()));
        stack.push(path.to_path_buf());
        self.frames.push((join_pointer("/components/schemas", &name), path.to_path_buf(), String::new()));
        self.rewrite_schema_file(&mut bundled, path, &name, stack);
        self.frames.pop();
        stack.pop();
        if let Some(entry) = self.components.get_mut(&name) {
            entry.1 = bundled;
        }
        Some(name)
    }

    /// Rewrites references inside an imported schema file: internal ones to its component.
    fn rewrite_schema_file(&mut self, value: &mut Value, file: &Path, name: &str, stack: &mut Vec<PathBuf>) {
        fn walk(b: &mut Bundler, value: &mut Value, file: &Path, name: &str, pointer: &str, stack: &mut Vec<PathBuf>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get("$ref").cloned() {
                        if let Some(fragment) = reference.strip_prefix('#') {
                            let at = join_pointer(pointer, "$ref");
                            let exists = b.sources.get(file).and_then(|f| f.value.pointer(fragment)).is_some();
                            if exists {
                                let new_ref = format!("#/components/schemas/{}{}", crate::diag::escape_token(name), fragment);
                                map.insert("$ref".into(), Value::String(new_ref));
                            } else {
                                let d = b.sources.get(file).map_or_else(
                                    || Diagnostic::new(file, &at, ""),
                                    |f| f.diagnostic(&at, format!("`$ref` \"{reference}\" points at nothing in this file")),
                                );
                                b.diags.push(d.with_help("fix the pointer after `#` so that it names an existing value"));
                            }
                        } else {
                            let at = join_pointer(pointer, "$ref");
                            if let Some(replacement) = b.resolve(&reference, file, &at, map, stack) {
                                *value = replacement;
                            }
                            return;
                        }
                    }
                    let in_properties = pointer.ends_with("/properties");
                    for (key, child) in map.iter_mut() {
                        if !in_properties && is_data_keyword(key, child) {
                            continue;
                        }
                        walk(b, child, file, name, &join_pointer(pointer, key), stack);
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter_mut().enumerate() {
                        walk(b, child, file, name, &join_pointer(pointer, &i.to_string()), stack);
                    }
                }
                _ => {}
            }
        }
        walk(self, value, file, name, "", stack);
    }
}

/// True for keywords whose values are data (examples, defaults, extensions), never references.
/// An OpenAPI `examples` map of Example objects is walked, since its entries may be `$ref`s.
fn is_data_keyword(key: &str, child: &Value) -> bool {
    key.starts_with("x-") || matches!(key, "example" | "default" | "const" | "enum" | "value") || key == "examples" && child.is_array()
}

/// True when a file's root is a JSON Schema rather than another OpenAPI object.
fn looks_like_schema(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return value.is_boolean();
    };
    const SCHEMA_KEYS: &[&str] = &[
        "$schema",
        "type",
        "properties",
        "items",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "const",
        "title",
        "additionalProperties",
        "$defs",
        "definitions",
        "format",
        "pattern",
        "not",
        "if",
    ];
    const OPENAPI_KEYS: &[&str] = &["content", "in", "get", "put", "post", "delete", "patch", "responses", "operationId"];
    obj.keys().any(|k| SCHEMA_KEYS.contains(&k.as_str())) && !obj.keys().any(|k| OPENAPI_KEYS.contains(&k.as_str()))
}

/// The component name of an imported schema file: its `title` when that is a usable component
/// key, else the file stem in PascalCase.
fn component_name(path: &Path, value: &Value) -> String {
    if let Some(title) = value.get("title").and_then(Value::as_str) {
        if !title.is_empty() && title.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return title.to_string();
        }
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    naming::pascal_case(&stem)
}

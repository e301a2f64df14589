//! Bundling: resolves every external `$ref` of a spec into one self-contained OpenAPI document.
//!
//! A referenced file whose root is a schema becomes `components/schemas/<title>`; any other
//! referenced file (a response, a parameter, a path item) is inlined where it is referenced.
//! References into a file (`user.json#/properties/response`) become references into its
//! component. Every reference is checked to resolve, and every problem is reported with the
//! file and pointer of the `$ref` that caused it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::load::{normalize, Sources};
use crate::diag::{join_pointer, Diagnostic, Diagnostics};
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
        // An imported component is more specific than an inlined map around it (a
        // `components/schemas` that is a `$ref` to an index file).
        if let Some(rest) = pointer.strip_prefix("/components/schemas/") {
            let (name, tail) = rest.split_once('/').map_or((rest, ""), |(n, t)| (n, t));
            let component_len = "/components/schemas/".len() + name.len();
            let unescaped = crate::diag::unescape_token(name);
            if let Some(file) = self.origins.get(&unescaped) {
                if inlined.is_none_or(|(at, _, _)| at.len() < component_len) {
                    let tail = if tail.is_empty() { String::new() } else { format!("/{tail}") };
                    return (file.clone(), tail);
                }
            }
        }
        if let Some((at, file, inner)) = inlined {
            return (file.clone(), format!("{inner}{}", &pointer[at.len()..]));
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

/// Reads the spec rooted at `root` and resolves its references (see [`super::bundle()`], which
/// also validates a document that has problems, so that one run reports all of them).
///
/// # Errors
///
/// The root cannot be read, or is not an object; otherwise the bundle comes back with every
/// unreadable or unparsable file, dangling or cyclic reference and component name clash found.
pub fn resolve(root: &Path) -> Result<(Bundle, Diagnostics), Diagnostics> {
    let mut sources = Sources::default();
    let root = normalize(root);
    if let Err(d) = sources.load(&root) {
        return Err(d.into());
    }
    resolve_loaded(root, sources)
}

/// [`resolve`] for a spec whose root file is already in `sources`.
///
/// # Errors
///
/// As [`resolve`].
pub fn resolve_loaded(root: PathBuf, sources: Sources) -> Result<(Bundle, Diagnostics), Diagnostics> {
    let mut b = Bundler {
        sources,
        names: BTreeMap::new(),
        reserved: BTreeSet::new(),
        claims: BTreeMap::new(),
        aliases: Vec::new(),
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
    b.claim_component_entries(&document, &root);
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
                    let self_ref = format!("#/components/schemas/{}", crate::diag::escape_token(&name));
                    // An entry of the root's map that is only a reference to this file (`User:
                    // {$ref: user.yaml}`) claimed the name: the file's schema takes its place.
                    let claimed = schemas.get(&name).is_some_and(|v| v.get("$ref").and_then(Value::as_str) == Some(self_ref.as_str()));
                    if existing.contains(&name) && !claimed {
                        // Unreachable while `unique_name` avoids the root's names; kept as a guard.
                        b.diags.push(at.diagnostic(
                            &b.sources,
                            format!("`{name}` (from {}) clashes with `components/schemas/{name}` of the root document", file.display()),
                            "rename the component of the root document",
                        ));
                        continue;
                    }
                    schemas.insert(name.clone(), value);
                    // A schema from inside a file (`defs.yaml#/Pet`) maps back to its pointer there.
                    if let Some(((_, fragment), _)) = b.names.iter().find(|((p, f), n)| **n == name && *p == file && !f.is_empty()) {
                        b.inlined.push((join_pointer("/components/schemas", &name), file.clone(), fragment.clone()));
                    }
                    origins.insert(name, file);
                }
                schemas.sort_keys();
            }
        }
    }
    let inlined = std::mem::take(&mut b.inlined);
    let Bundler { sources, diags, .. } = b;
    Ok((Bundle { document, root, origins, inlined, sources }, diags))
}

/// How deeply values may nest while references are inlined; deeper input is reported instead
/// of overflowing the stack. (Each file is already limited to 128 levels by the parsers; only
/// inlining can nest deeper.)
const MAX_DEPTH: usize = 512;

/// Where a reference was written: the file and pointer of its `$ref`, for diagnostics.
#[derive(Debug, Clone)]
struct Site {
    file: PathBuf,
    pointer: String,
}

impl Site {
    /// A located error at this site; `message` and `help` are never empty.
    fn diagnostic(&self, sources: &Sources, message: String, help: &str) -> Diagnostic {
        let d = match sources.get(&self.file) {
            Some(f) => f.diagnostic(&self.pointer, message),
            None => Diagnostic::new(&self.file, &self.pointer, message),
        };
        d.with_help(help.to_string())
    }
}

struct Bundler {
    sources: Sources,
    /// Imported schema `(file, fragment)` -> component name; the fragment is empty for a file
    /// whose root is the schema.
    names: BTreeMap<(PathBuf, String), String>,
    /// The component names of the root document, which an imported schema must not take
    /// unless an entry of that name refers to it.
    reserved: BTreeSet<String>,
    /// `(file, fragment)` -> the name an entry of the root's component map gives it.
    claims: BTreeMap<(PathBuf, String), String>,
    /// `(file, pointer in it, pointer in the bundle)` of each component map of the root that is
    /// a `$ref` to another file.
    aliases: Vec<(PathBuf, String, String)>,
    /// Component name -> (file, bundled value, site of its first reference).
    components: BTreeMap<String, (PathBuf, Value, Site)>,
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
            let site = Site { file: file.to_path_buf(), pointer: pointer.to_string() };
            self.diags.push(site.diagnostic(
                &self.sources,
                format!("the document nests more than {MAX_DEPTH} levels deep once its references are inlined"),
                "flatten the structure: give deeply nested parts a `title` (schema files become components) or move them to `components`",
            ));
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
    ///
    /// What the target is decides what happens, and the *position* of the reference decides
    /// what the target is: a reference where OpenAPI expects a schema (`schema`, `items`,
    /// `properties/*`, `components/schemas/*`, ...) is a schema, whatever its file looks like,
    /// and becomes a component (recursion is legal there); a reference where OpenAPI expects
    /// another object (a parameter, a response, a path item, a component map) is inlined. Only
    /// where the position says nothing (extensions) does the file's content decide.
    fn resolve(&mut self, reference: &str, file: &Path, at: &str, map: &mut Map<String, Value>, stack: &mut Vec<PathBuf>) -> Option<Value> {
        let (target, fragment) = reference.split_once('#').map_or((reference, ""), |(t, f)| (t, f));
        let root_file = stack.first().cloned().unwrap_or_default();
        let site = Site { file: file.to_path_buf(), pointer: at.to_string() };
        if !fragment.is_empty() && !fragment.starts_with('/') {
            let d = site.diagnostic(
                &self.sources,
                format!("`$ref` \"{reference}\" has a fragment that is not a JSON pointer"),
                "write the fragment as a JSON pointer, e.g. `#/components/schemas/Name`",
            );
            self.diags.push(d);
            return None;
        }
        if is_remote(target) {
            // Left as written: normalization degrades it, with a warning (see
            // `normalize::remote_refs`), since the generator does no network I/O.
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
            let d = site.diagnostic(
                &self.sources,
                format!("`$ref` \"{reference}\" cannot be resolved: {}", e.message),
                &format!("create {} or fix the reference", target_path.display()),
            );
            self.diags.push(d);
            return None;
        }
        let Some((pointed_file, pointed_fragment, pointed)) = self.follow(&target_path, fragment) else {
            let d = site.diagnostic(
                &self.sources,
                format!("`$ref` \"{reference}\" points at nothing: {} has no value at `{fragment}`", target_path.display()),
                "fix the pointer after `#` so that it names an existing value",
            );
            self.diags.push(d);
            return None;
        };

        if target_path == root_file {
            // A reference into the root document stays as it is (and costs no copy): the bundle
            // keeps every value of the root at its pointer, also where the way there passes
            // through a reference that was inlined (`#/paths/~1users/get` when `paths` is a
            // `$ref` to another file). From another file, it becomes a local reference.
            if !target.is_empty() {
                map.insert("$ref".into(), Value::String(format!("#{fragment}")));
            }
            return None;
        }
        // A value of a component map that lives in an index file: a reference to the
        // component (unless this is the map's own entry, which defines the component).
        if let Some(local) = self.alias_of(&target_path, fragment) {
            let here = self.bundle_pointer(at.strip_suffix("/$ref").unwrap_or(at));
            if local != here {
                map.insert("$ref".into(), Value::String(format!("#{local}")));
                return None;
            }
        }
        let object = at.strip_suffix("/$ref").unwrap_or(at);
        let position = schema_position(&self.bundle_pointer(object));
        let key = (target_path.clone(), fragment.to_string());
        let claimed = self.claims.contains_key(&key) || self.names.contains_key(&key);
        let whole_file_is_schema = self.names.contains_key(&(target_path.clone(), String::new()))
            || self.sources.get(&target_path).is_some_and(|f| looks_like_schema(&f.value));
        let is_schema = position.unwrap_or(whole_file_is_schema || claimed);

        if is_schema {
            let name = match claimed {
                true if !fragment.is_empty() => {
                    self.import_schema(&pointed_file, &pointed_fragment, &pointed, site, stack).map(|n| (n, String::new()))
                }
                _ if fragment.is_empty() || whole_file_is_schema => {
                    // The file is one schema (a fragment points into it).
                    let value = self.sources.get(&target_path).map(|f| f.value.clone()).unwrap_or(Value::Null);
                    self.import_schema(&target_path, "", &value, site, stack).map(|n| (n, fragment.to_string()))
                }
                // A schema inside a file of several (`defs.yaml#/Pet`): that schema alone becomes
                // a component, so schemas of the file that refer to each other (or to
                // themselves) stay references.
                _ => self.import_schema(&pointed_file, &pointed_fragment, &pointed, site, stack).map(|n| (n, String::new())),
            };
            let (name, tail) = name?;
            let new_ref = format!("#/components/schemas/{}{}", crate::diag::escape_token(&name), tail);
            map.insert("$ref".into(), Value::String(new_ref));
            return None;
        }

        // Inline the value (a response, parameter, path item, ...), guarding against cycles.
        let key = (target_path.clone(), fragment.to_string());
        if self.inlining.contains(&key) || (target_path != *file && stack.contains(&target_path) && fragment.is_empty()) {
            let d = if target_path == *file {
                site.diagnostic(
                    &self.sources,
                    format!("cyclic `$ref` \"{reference}\": inlining it would never end"),
                    "break the cycle: a response, parameter or path item cannot contain itself",
                )
            } else {
                let chain: Vec<String> = stack.iter().map(|p| p.display().to_string()).collect();
                site.diagnostic(
                    &self.sources,
                    format!("cyclic `$ref` \"{reference}\": {} -> {}", chain.join(" -> "), target_path.display()),
                    "break the cycle, or turn the repeated part into a schema with a `title`",
                )
            };
            self.diags.push(d);
            return None;
        }
        self.inlining.push(key);
        let pushed = target_path != *file;
        if pushed {
            stack.push(target_path.clone());
        }
        let mut inlined = self.inline(pointed, &pointed_file, &pointed_fragment, at, stack);
        if pushed {
            stack.pop();
        }
        self.inlining.pop();
        // Siblings of the reference (`summary`, `description`, an `operationId` written next to
        // an operation's `$ref`) apply on top of the referenced object, as OpenAPI 3.1 says of
        // `summary` and `description`.
        if let Value::Object(target) = &mut inlined {
            for (k, mut v) in map.iter().filter(|(k, _)| k.as_str() != "$ref").map(|(k, v)| (k.clone(), v.clone())) {
                if !is_data_keyword(&k, &v) {
                    self.rewrite(&mut v, file, &join_pointer(object, &k), stack);
                }
                target.insert(k, v);
            }
        }
        Some(inlined)
    }

    /// Follows `fragment` in `path`, through any `$ref` on the way (`#/paths/~1a/get` where
    /// `paths` is itself a reference to another file). Returns the file and pointer the value
    /// really is at, and the value.
    fn follow(&mut self, path: &Path, fragment: &str) -> Option<(PathBuf, String, Value)> {
        let mut file = path.to_path_buf();
        let mut at = String::new();
        let tokens: Vec<String> = fragment.split('/').skip(1).map(crate::diag::unescape_token).collect();
        for (hops, token) in tokens.iter().enumerate() {
            if hops > 256 {
                return None;
            }
            for _ in 0..32 {
                let here = self.sources.get(&file)?.value.pointer(&at)?;
                if here.get(token.as_str()).is_some() || here.as_array().is_some() {
                    break;
                }
                let reference = here.get("$ref").and_then(Value::as_str)?.to_string();
                let (target, inner) = reference.split_once('#').map_or((reference.as_str(), ""), |(t, f)| (t, f));
                if target.starts_with("http://") || target.starts_with("https://") {
                    return None;
                }
                if !target.is_empty() {
                    file = normalize(&file.parent().unwrap_or(Path::new("")).join(target));
                    self.sources.load(&file).ok()?;
                }
                at = inner.to_string();
            }
            at = join_pointer(&at, token);
        }
        let value = self.sources.get(&file)?.value.pointer(&at)?.clone();
        Some((file, at, value))
    }

    /// Makes the schema at `fragment` of `path` (the whole file when empty) a component, once,
    /// and returns its name.
    fn import_schema(&mut self, path: &Path, fragment: &str, value: &Value, site: Site, stack: &mut Vec<PathBuf>) -> Option<String> {
        let key = (path.to_path_buf(), fragment.to_string());
        if let Some(name) = self.names.get(&key) {
            return Some(name.clone());
        }
        let name = match self.claims.get(&key) {
            Some(claimed) if !self.components.contains_key(claimed) => claimed.clone(),
            _ => self.unique_name(path, fragment, value),
        };
        self.names.insert(key, name.clone());
        let mut bundled = value.clone();
        if let Some(obj) = bundled.as_object_mut() {
            // The bundle declares one dialect (OpenAPI 3.1's); per-file `$schema` and `$id`
            // would make references inside the component resolve against the wrong base.
            obj.remove("$schema");
            obj.remove("$id");
        }
        self.components.insert(name.clone(), (path.to_path_buf(), Value::Null, site));
        stack.push(path.to_path_buf());
        self.frames.push((join_pointer("/components/schemas", &name), path.to_path_buf(), fragment.to_string()));
        if fragment.is_empty() {
            self.rewrite_schema_file(&mut bundled, path, &name, stack);
        } else {
            self.rewrite(&mut bundled, path, fragment, stack);
        }
        self.frames.pop();
        stack.pop();
        if let Some(entry) = self.components.get_mut(&name) {
            entry.1 = bundled;
        }
        Some(name)
    }

    /// A component name for the schema at `fragment` of `path`: its `title`, else the last
    /// token of the fragment, else the file stem; when that is taken (by another file, or by
    /// the root document), the names of the folders above it are prepended (`billing/Error.yaml`
    /// -> `BillingError`), then a number. Vendor files are never edited, so a clash is never
    /// the user's problem.
    fn unique_name(&self, path: &Path, fragment: &str, value: &Value) -> String {
        let base = component_name(path, fragment, value);
        let claimed = |name: &str| self.claims.iter().any(|((p, f), n)| n == name && (p != path || f != fragment));
        let free = |name: &str| !self.components.contains_key(name) && !self.reserved.contains(name) && !claimed(name);
        if free(&base) {
            return base;
        }
        let mut name = base.clone();
        for dir in path.parent().into_iter().flat_map(Path::components).rev() {
            let std::path::Component::Normal(dir) = dir else { break };
            name = format!("{}{name}", naming::pascal_case(&dir.to_string_lossy()));
            if free(&name) {
                return name;
            }
        }
        (2..).map(|i| format!("{base}{i}")).find(|n| free(n)).unwrap_or(base)
    }

    /// Reserves the names of the root document's schemas, and lets each entry that is only a
    /// reference to a file (`User: {$ref: schemas/User.yaml}`, also inside a map that is itself
    /// a `$ref` to an index file) name the component that file becomes. A component map that
    /// is a `$ref` to an index file is recorded as an alias, so that references into the index
    /// (`schemas/_index.yaml#/User`) become references to the component (`#/components/schemas/User`).
    fn claim_component_entries(&mut self, document: &Value, root: &Path) {
        let kinds: Vec<String> =
            document.get("components").and_then(Value::as_object).map(|c| c.keys().cloned().collect()).unwrap_or_default();
        for kind in kinds {
            let mut file = root.to_path_buf();
            let mut map = document.pointer(&join_pointer("/components", &kind)).cloned();
            let mut followed = false;
            for _ in 0..8 {
                let Some(reference) = map.as_ref().and_then(|m| m.get("$ref")).and_then(Value::as_str).map(String::from) else { break };
                let (target, fragment) = reference.split_once('#').map_or((reference.as_str(), ""), |(t, f)| (t, f));
                if target.starts_with("http://") || target.starts_with("https://") {
                    break;
                }
                if !target.is_empty() {
                    file = normalize(&file.parent().unwrap_or(Path::new("")).join(target));
                }
                if self.sources.load(&file).is_err() {
                    break;
                }
                map = self.sources.get(&file).and_then(|f| f.value.pointer(fragment)).cloned();
                self.aliases.push((file.clone(), fragment.to_string(), join_pointer("/components", &kind)));
                followed = true;
            }
            if kind != "schemas" {
                continue;
            }
            let Some(Value::Object(entries)) = map else { continue };
            let base = if followed { file } else { root.to_path_buf() };
            for (name, entry) in &entries {
                self.reserved.insert(name.clone());
                let Some(obj) = entry.as_object() else { continue };
                let Some(reference) = obj.get("$ref").and_then(Value::as_str) else { continue };
                if obj.len() != 1 || reference.starts_with('#') || reference.starts_with("http://") || reference.starts_with("https://") {
                    continue;
                }
                let (target, fragment) = reference.split_once('#').map_or((reference, ""), |(t, f)| (t, f));
                let path = normalize(&base.parent().unwrap_or(Path::new("")).join(target));
                self.claims.entry((path, fragment.to_string())).or_insert_with(|| name.clone());
            }
        }
    }

    /// The bundle pointer a value of another file will have, when that file is a component map
    /// of the root (see [`Bundler::claim_component_entries`]).
    fn alias_of(&self, file: &Path, fragment: &str) -> Option<String> {
        self.aliases.iter().find_map(|(f, prefix, at)| {
            let rest = fragment.strip_prefix(prefix.as_str())?;
            (f == file && (rest.is_empty() || rest.starts_with('/'))).then(|| format!("{at}{rest}"))
        })
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
                                let site = Site { file: file.to_path_buf(), pointer: at };
                                b.diags.push(site.diagnostic(
                                    &b.sources,
                                    format!("`$ref` \"{reference}\" points at nothing in this file"),
                                    "fix the pointer after `#` so that it names an existing value",
                                ));
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

/// The preferred component name of an imported schema: its `title` when that is a usable
/// component key, else the last token of its pointer (`defs.yaml#/Pet` -> `Pet`), else the file
/// stem in PascalCase.
fn component_name(path: &Path, fragment: &str, value: &Value) -> String {
    let usable = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if let Some(title) = value.get("title").and_then(Value::as_str) {
        if usable(title) {
            return title.to_string();
        }
    }
    let last = fragment.rsplit('/').next().map(crate::diag::unescape_token).unwrap_or_default();
    if usable(&last) && !last.chars().all(|c| c.is_ascii_digit()) {
        return last;
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name = naming::pascal_case(&stem);
    if last.is_empty() {
        name
    } else {
        format!("{name}{}", naming::pascal_case(&fragment.replace('/', " ")))
    }
}

/// Whether a `$ref` (`https://host/doc.json#/a`, or only its part before `#`) points at a URL
/// rather than a file.
pub fn is_remote(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What OpenAPI expects at a pointer of the bundled document: `Some(true)` a schema,
/// `Some(false)` another OpenAPI object (a parameter, a response, a component map, ...), `None`
/// when it says nothing (extensions, examples and other data).
pub fn schema_position(pointer: &str) -> Option<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum At {
        Api,
        Schema,
        SchemaMap,
        SchemaList,
        Data,
    }
    let mut at = At::Api;
    let mut previous = String::new();
    for token in pointer.split('/').skip(1).map(crate::diag::unescape_token) {
        at = match at {
            At::Data => At::Data,
            At::SchemaMap | At::SchemaList => At::Schema,
            At::Api => {
                if token.starts_with("x-") || matches!(token.as_str(), "example" | "default" | "value") {
                    At::Data
                } else if token == "schema" || (token == "schemas" && previous == "components") {
                    if token == "schema" {
                        At::Schema
                    } else {
                        At::SchemaMap
                    }
                } else {
                    At::Api
                }
            }
            At::Schema => match token.as_str() {
                "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => At::SchemaMap,
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => At::SchemaList,
                "items"
                | "additionalItems"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "contentSchema" => At::Schema,
                t if t.parse::<usize>().is_ok() => At::Schema,
                _ => At::Data,
            },
        };
        previous = token;
    }
    match at {
        At::Schema => Some(true),
        At::Api => Some(false),
        At::SchemaMap | At::SchemaList | At::Data => None,
    }
}

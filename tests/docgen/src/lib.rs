//! Random **valid** OpenAPI 3.0 and 3.1 documents, each a pure function of a seed.
//!
//! The generator's promise is "every valid document gives a crate that compiles"; these
//! documents are how it is tested on inputs nobody tuned for (`tests/fuzz_valid.rs` generates
//! hundreds, `cargo xtask fuzz-check` compiles a sample). A document has:
//!
//! - servers with variables, security schemes of every type (named so that some collide once
//!   turned into identifiers), global and per-operation requirements;
//! - components built from every JSON Schema keyword the generator claims to handle: `type`
//!   (3.1 type arrays too), `enum`, `const`, `properties`/`required`/`additionalProperties`,
//!   `items`/`prefixItems`, `allOf`/`anyOf`/`oneOf`/`not`, `discriminator` (with and without
//!   `mapping`, members as objects or `allOf` a base), `nullable` (3.0) and `null` types (3.1),
//!   formats, string/number/array/object constraints, `if`/`then`, `default`s and examples that
//!   match their schema, `$ref`s with recursion (self and mutual, through optional properties
//!   and arrays), `readOnly`/`writeOnly`, `deprecated`, titles and hostile descriptions;
//! - operations with path, query, header and cookie parameters (`style`/`explode` variants),
//!   request bodies of every media type the generator handles (JSON, `+json`, multipart, form,
//!   text, binary) and several responses with headers and examples;
//! - names from a hostile pool: Rust keywords, names of generated items, non-ASCII, leading
//!   digits and names that collide after case conversion (`fooBar`/`foo_bar`/`FooBar`).
//!
//! Validity is by construction: references always resolve, `required` positions never need a
//! schema that is still being defined (so every schema has values), every `default` and
//! example is a value of its schema (checked by `tests/fuzz_valid.rs` with a JSON Schema
//! validator, and the documents against the OpenAPI meta-schemas), path templates and path
//! parameters agree, operationIds are unique.
//!
//! [`Options`] switches on constructs whose failures are known and assigned to later work, so
//! that they can be measured now and turned on when fixed.
//!
//! The random source is a fixed SplitMix64, so a seed gives the same document on every
//! platform and version of this crate's dependencies.

pub mod schema_suite;
pub mod values;

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// The OpenAPI version of a generated document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// OpenAPI 3.0.3 (`nullable`, boolean `exclusiveMinimum`, `example`).
    V30,
    /// OpenAPI 3.1.0 (JSON Schema 2020-12: type arrays, `const`, `prefixItems`, `examples`).
    V31,
}

/// What a generated document may contain beyond what the generator is known to handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// The OpenAPI version; `None` picks one from the seed.
    pub version: Option<Version>,
    /// Known failure (b), assigned to the validator redesign: strict request models (reached
    /// only from request bodies) with constraints whose properties are other constrained
    /// request models, and request bodies whose type gets no `Validate` impl (unions,
    /// arrays of arrays, maps of models).
    pub nested_strict: bool,
}

impl Options {
    /// Every construct, known failures included.
    pub fn everything() -> Self {
        Self { version: None, nested_strict: true }
    }
}

/// A random valid OpenAPI document (JSON) for `seed`.
pub fn document(seed: u64, options: &Options) -> Value {
    Gen::new(seed, options).document()
}

/// Several seeds' documents merged into one (each seed's components, paths and security
/// schemes prefixed so that nothing clashes): a single crate that covers many documents,
/// compiled once. `tests/fixtures/fuzz-sample` is `merged(&SAMPLE_SEEDS, ..)`.
pub fn merged(seeds: &[u64], options: &Options) -> Value {
    let mut out = json!({
        "openapi": "3.1.0",
        "info": {"title": "Merged random documents", "version": "1", "description": format!("Seeds {seeds:?} of `docgen`.")},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    });
    let version = options.version.unwrap_or(Version::V31);
    out["openapi"] = json!(if version == Version::V30 { "3.0.3" } else { "3.1.0" });
    for (i, &seed) in seeds.iter().enumerate() {
        let opts = Options { version: Some(version), ..*options };
        let mut doc = document(seed, &opts);
        let prefix = format!("s{i}");
        prefix_document(&mut doc, &prefix);
        for section in ["schemas", "securitySchemes"] {
            if let Some(Value::Object(m)) = doc.pointer(&format!("/components/{section}")) {
                for (k, v) in m {
                    out["components"][section][k.as_str()] = v.clone();
                }
            }
        }
        for (k, v) in doc["paths"].as_object().into_iter().flatten() {
            out["paths"][k.as_str()] = v.clone();
        }
        if i == 0 {
            if let Some(servers) = doc.get("servers") {
                out["servers"] = servers.clone();
            }
        }
    }
    out
}

/// The seeds of the checked-in sample (`tests/fixtures/fuzz-sample`, compiled in CI).
pub const SAMPLE_SEEDS: [u64; 3] = [1, 2, 3];

/// Renames every component, security scheme, path and operationId of `doc` with `prefix`,
/// references included, so that documents can be merged.
fn prefix_document(doc: &mut Value, prefix: &str) {
    let schemas: Vec<String> =
        doc.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let schemes: Vec<String> =
        doc.pointer("/components/securitySchemes").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    fn rewrite(v: &mut Value, prefix: &str, schemes: &[String]) {
        match v {
            Value::Object(map) => {
                for (k, sub) in map.iter_mut() {
                    match (k.as_str(), &mut *sub) {
                        ("$ref", Value::String(r)) => {
                            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                                *r = format!("#/components/schemas/{prefix}.{name}");
                            }
                        }
                        ("mapping", Value::Object(m)) => {
                            for target in m.values_mut() {
                                if let Value::String(t) = target {
                                    *t = match t.strip_prefix("#/components/schemas/") {
                                        Some(name) => format!("#/components/schemas/{prefix}.{name}"),
                                        None => format!("{prefix}.{t}"),
                                    };
                                }
                            }
                        }
                        ("security", Value::Array(reqs)) => {
                            for req in reqs.iter_mut() {
                                if let Value::Object(r) = req {
                                    *r = std::mem::take(r)
                                        .into_iter()
                                        .map(|(k, v)| if schemes.contains(&k) { (format!("{prefix}.{k}"), v) } else { (k, v) })
                                        .collect();
                                }
                            }
                        }
                        ("operationId", Value::String(id)) => *id = format!("{prefix}_{id}"),
                        // Examples and defaults are data: a key named `$ref` there is a value.
                        ("example" | "examples" | "default" | "const" | "enum", _) => {}
                        _ => rewrite(sub, prefix, schemes),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| rewrite(i, prefix, schemes)),
            _ => {}
        }
    }
    rewrite(doc, prefix, &schemes);
    // Discriminator values default to component names: keep them selecting the same member.
    let rename = |m: &mut Map<String, Value>, names: &[String]| {
        *m = std::mem::take(m).into_iter().map(|(k, v)| if names.contains(&k) { (format!("{prefix}.{k}"), v) } else { (k, v) }).collect();
    };
    if let Some(Value::Object(m)) = doc.pointer_mut("/components/schemas") {
        rename(m, &schemas);
    }
    if let Some(Value::Object(m)) = doc.pointer_mut("/components/securitySchemes") {
        rename(m, &schemes);
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        *paths = std::mem::take(paths).into_iter().map(|(k, v)| (format!("/{prefix}{k}"), v)).collect();
    }
}

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// An index chosen by weights.
    pub fn weighted(&mut self, weights: &[usize]) -> usize {
        let total: usize = weights.iter().sum();
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

/// Ordinary words names are made of.
const WORDS: &[&str] = &[
    "user", "pet", "order", "item", "id", "name", "value", "kind", "status", "data", "list", "page", "tag", "owner", "address", "error",
    "message", "code", "count", "created", "updated", "parent", "child", "node", "meta", "links", "next", "total", "price", "amount",
    "url", "file", "color", "size", "short", "html", "http", "v2", "x",
];

/// Words that are Rust keywords, names of generated or std items, or otherwise awkward.
const HOSTILE: &[&str] = &[
    "type",
    "self",
    "Self",
    "crate",
    "super",
    "fn",
    "async",
    "await",
    "match",
    "loop",
    "move",
    "ref",
    "box",
    "dyn",
    "yield",
    "try",
    "union",
    "static",
    "const",
    "enum",
    "struct",
    "trait",
    "impl",
    "where",
    "use",
    "mod",
    "pub",
    "in",
    "as",
    "for",
    "if",
    "else",
    "true",
    "false",
    "None",
    "Some",
    "Ok",
    "Err",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Value",
    "Map",
    "serde",
    "std",
    "core",
    "models",
    "client",
    "server",
    "validation",
    "unchecked",
    "builder",
    "Error",
    "Default",
    "Debug",
    "Clone",
    "Api",
    "Server",
    "Credentials",
    "headers",
    "credentials",
    "authenticate",
    "body",
    "params",
    "query",
    "request",
    "url",
    "raw",
    "form",
    "fields",
    "response",
    "input",
    "path",
    "shared",
    "new",
    "default",
    "router",
    "mock",
    "1st",
    "2fa",
    "404",
    "_",
    "__",
];

/// Words outside ASCII.
const NON_ASCII: &[&str] = &["café", "naïve", "ünïcödé", "日本語", "Ωmega", "straße", "größe", "ñandú", "😀"];

/// Property names that are valid JSON but awkward anywhere else.
const ODD_PROPERTIES: &[&str] = &["", " ", "$ref", "$id", "x-kind", "a b", "a.b", "a/b", "a~b", "{id}", "#", "@type", "+1", "-1"];

/// Descriptions that break naive doc-comment, format-string or markdown handling.
const DESCRIPTIONS: &[&str] = &[
    "A plain description.",
    "Contains `backticks`, *stars* and _underscores_.",
    "Ends a comment */ and starts /* one",
    "Braces {like} {{these}} and format {0} {} args",
    "Quotes \" and ' and \\ backslashes \\n",
    "Non-ASCII: café, 日本語, 😀",
    "Line one\n\nLine two\n\n    indented code\n",
    "```\nfn not_rust() {\n```",
    "<b>HTML</b> &amp; entities <script>",
    "#[attr] and #![inner] and r#raw and \"#",
    "[link](https://example.com) and <https://example.com> and [ref][1]",
    "1. list\n2. items\n- bullet",
    "tab\tseparated\rcarriage",
    "",
];

/// How a name is written.
#[derive(Debug, Clone, Copy)]
enum Style {
    Camel,
    Pascal,
    Snake,
    Kebab,
    Dotted,
    Shouty,
    Spaced,
    Run,
}

/// What a name is for: decides the characters it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// `components/*` keys: `^[a-zA-Z0-9._-]+$`.
    Component,
    /// Property names: any string.
    Property,
    /// operationIds, tags: any non-empty string.
    Free,
    /// Path parameter names: no `{`, `}`, `/`.
    PathParam,
    /// Query parameter names: any non-empty string.
    Query,
    /// Header and cookie names, server variables: HTTP token characters.
    Token,
    /// Enum values: any string.
    EnumValue,
}

fn allowed(scope: Scope, name: &str) -> bool {
    let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    match scope {
        Scope::Component => !name.is_empty() && name.chars().all(token),
        Scope::Token => !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')),
        Scope::PathParam => {
            !name.is_empty() && !name.contains(['{', '}', '/', '?', '#', '%', ' ']) && !name.starts_with('.') && name != "."
        }
        Scope::Free | Scope::Query => !name.trim().is_empty(),
        Scope::Property | Scope::EnumValue => true,
    }
}

/// A schema and, when one is known, a value it accepts.
#[derive(Debug, Clone)]
struct S {
    schema: Value,
    sample: Option<Value>,
}

impl S {
    fn new(schema: Value, sample: Value) -> Self {
        Self { schema, sample: Some(sample) }
    }
}

/// Where a schema is being generated.
#[derive(Debug, Clone, Copy)]
struct Cx {
    depth: u32,
    /// Components `0..built` are defined (their samples known); later ones may be referenced
    /// only where a value may be absent or empty (`optional`).
    built: usize,
    /// A value may be absent here (optional property, array item, map value).
    optional: bool,
    /// Inside a strict request model: no nested constrained models unless allowed.
    request_only: bool,
}

impl Cx {
    fn deeper(self) -> Self {
        Self { depth: self.depth + 1, ..self }
    }
    fn optional(self, optional: bool) -> Self {
        Self { optional, ..self }
    }
}

/// What a component was planned as.
#[derive(Debug, Clone)]
enum Plan {
    Free,
    /// An object with an optional property that refers to itself (directly or through an array).
    Tree,
    /// The base of a discriminated family: an object with the required tag property.
    FamilyBase {
        tag: String,
    },
    /// A member of a family: selected by `value`; `allOf` the base when there is one.
    FamilyMember {
        tag: String,
        value: String,
        base: Option<usize>,
    },
    /// `oneOf`/`anyOf` the members with a `discriminator`.
    FamilyUnion {
        tag: String,
        members: Vec<(usize, String)>,
        explicit: bool,
        any_of: bool,
    },
}

#[derive(Debug, Clone)]
struct Component {
    name: String,
    sample: Option<Value>,
    /// An object that accepts other properties (usable in `allOf`).
    open_object: bool,
    /// A string enum (usable as a parameter type).
    enum_like: bool,
}

struct Gen {
    rng: Rng,
    v31: bool,
    options: Options,
    components: Vec<Component>,
    /// Names already used per scope, to make new names collide after case conversion.
    seen: Vec<String>,
    operation_ids: BTreeSet<String>,
    schemes: Vec<(String, Value)>,
    plan_names: Vec<String>,
    plans: Vec<Plan>,
    built_schemas: Vec<Value>,
}

impl Gen {
    fn new(seed: u64, options: &Options) -> Self {
        let mut rng = Rng::new(seed);
        let v31 = match options.version {
            Some(v) => v == Version::V31,
            None => rng.chance(50),
        };
        Self {
            rng,
            v31,
            options: *options,
            components: Vec::new(),
            seen: Vec::new(),
            operation_ids: BTreeSet::new(),
            schemes: Vec::new(),
            plan_names: Vec::new(),
            plans: Vec::new(),
            built_schemas: Vec::new(),
        }
    }

    // ---------------------------------------------------------------- names

    fn word(&mut self, scope: Scope) -> String {
        let ascii_only = matches!(scope, Scope::Component | Scope::Token);
        match self.rng.weighted(&[60, 30, if ascii_only { 0 } else { 6 }]) {
            0 => self.rng.pick(WORDS).to_string(),
            1 => self.rng.pick(HOSTILE).to_string(),
            _ => self.rng.pick(NON_ASCII).to_string(),
        }
    }

    fn styled(parts: &[String], style: Style) -> String {
        let cap = |w: &str| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        };
        match style {
            Style::Camel => parts.iter().enumerate().map(|(i, w)| if i == 0 { w.clone() } else { cap(w) }).collect(),
            Style::Pascal => parts.iter().map(|w| cap(w)).collect(),
            Style::Snake => parts.join("_"),
            Style::Kebab => parts.join("-"),
            Style::Dotted => parts.join("."),
            Style::Shouty => parts.join("_").to_uppercase(),
            Style::Spaced => parts.join(" "),
            Style::Run => parts.concat(),
        }
    }

    /// Another spelling of `name` that many tools turn into the same identifier.
    fn twin(&mut self, name: &str) -> String {
        match self.rng.below(6) {
            0 => name.replace('_', "-"),
            1 => name.replace('-', "_"),
            2 => {
                let mut cs = name.chars();
                cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
            }
            3 => name.to_lowercase(),
            4 => {
                // camelCase -> snake_case
                let mut out = String::new();
                for c in name.chars() {
                    if c.is_uppercase() && !out.is_empty() {
                        out.push('_');
                    }
                    out.extend(c.to_lowercase());
                }
                out
            }
            _ => format!("{name}_"),
        }
    }

    /// A new name for `scope`, not in `taken` (exactly; case-insensitively for tokens).
    fn name(&mut self, scope: Scope, taken: &mut BTreeSet<String>) -> String {
        let key = |s: &str| if scope == Scope::Token { s.to_ascii_lowercase() } else { s.to_string() };
        for _ in 0..40 {
            let candidate = if !self.seen.is_empty() && self.rng.chance(18) {
                let base = self.rng.pick(&self.seen);
                self.twin(&base)
            } else if scope == Scope::Property && self.rng.chance(4) {
                self.rng.pick(ODD_PROPERTIES).to_string()
            } else {
                let n = self.rng.weighted(&[45, 40, 15]) + 1;
                let parts: Vec<String> = (0..n).map(|_| self.word(scope)).collect();
                let styles: &[Style] = match scope {
                    Scope::Component => {
                        &[Style::Camel, Style::Pascal, Style::Snake, Style::Kebab, Style::Dotted, Style::Shouty, Style::Run]
                    }
                    Scope::Token | Scope::PathParam => {
                        &[Style::Camel, Style::Pascal, Style::Snake, Style::Kebab, Style::Shouty, Style::Run]
                    }
                    _ => {
                        &[Style::Camel, Style::Pascal, Style::Snake, Style::Kebab, Style::Dotted, Style::Shouty, Style::Spaced, Style::Run]
                    }
                };
                let style = self.rng.pick(styles);
                Self::styled(&parts, style)
            };
            if allowed(scope, &candidate) && !taken.contains(&key(&candidate)) {
                taken.insert(key(&candidate));
                if self.seen.len() < 64 && allowed(Scope::Component, &candidate) {
                    self.seen.push(candidate.clone());
                }
                return candidate;
            }
        }
        let mut i = taken.len();
        loop {
            let fallback = format!("n{i}");
            if taken.insert(key(&fallback)) {
                return fallback;
            }
            i += 1;
        }
    }

    fn description(&mut self) -> String {
        self.rng.pick(DESCRIPTIONS).to_string()
    }

    // ---------------------------------------------------------------- version forms

    /// `schema` may also be `null`.
    fn nullable(&mut self, s: S) -> S {
        let mut schema = s.schema;
        let original = s.sample;
        let sample = if self.rng.chance(30) { Some(Value::Null) } else { original.clone() };
        let Value::Object(map) = &mut schema else { return S { schema, sample: original } };
        if map.contains_key("$ref") {
            let wrapped = if self.v31 {
                let key = if self.rng.chance(50) { "anyOf" } else { "oneOf" };
                json!({ key: [Value::Object(map.clone()), {"type": "null"}] })
            } else {
                // The 3.0 idiom; `nullable` without `type` does not add null in 3.0.3, so the
                // sample stays a value of the reference.
                return S { schema: json!({"nullable": true, "allOf": [Value::Object(map.clone())]}), sample: original };
            };
            return S { schema: wrapped, sample };
        }
        match map.get("type").cloned() {
            Some(Value::String(t)) if t != "null" => {
                if self.v31 {
                    map.insert("type".into(), json!([t, "null"]));
                } else {
                    map.insert("nullable".into(), Value::Bool(true));
                }
            }
            _ => return S { schema, sample: original },
        }
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            values.push(Value::Null);
        }
        S { schema, sample }
    }

    /// Attaches an example in the version's form.
    fn example(&mut self, map: &mut Map<String, Value>, sample: &Value) {
        if self.v31 && self.rng.chance(70) {
            map.insert("examples".into(), json!([sample]));
        } else {
            map.insert("example".into(), sample.clone());
        }
    }

    // ---------------------------------------------------------------- schemas

    fn string(&mut self) -> S {
        const FORMATS: &[(&str, &str)] = &[
            ("date-time", "2024-01-02T03:04:05Z"),
            ("date", "2024-01-02"),
            ("time", "03:04:05Z"),
            ("uuid", "0b5d7a8e-6f6c-4c1e-9b1a-3f2d1c0b9a87"),
            ("email", "someone@example.com"),
            ("uri", "https://example.com/a?b=c"),
            ("uri-reference", "/a/b"),
            ("hostname", "example.com"),
            ("ipv4", "192.0.2.1"),
            ("ipv6", "2001:db8::1"),
            ("byte", "aGVsbG8="),
            ("password", "hunter2"),
            ("decimal", "12.50"),
            ("int64", "9007199254740993"),
            ("duration", "P1D"),
            ("phone", "+1 555 0100"),
            ("x-custom-format", "anything"),
        ];
        const PATTERNS: &[(&str, &str)] = &[
            ("^[a-z]+$", "abc"),
            ("^[A-Z]{2}\\d{2}$", "AB12"),
            ("^\\d{3}-\\d{4}$", "555-1234"),
            ("[a-z]", "x1"),
            ("^(foo|bar)_[0-9]*$", "foo_1"),
            ("^\\S+@\\S+$", "a@b"),
            ("^[\\w.-]+$", "a.b-c"),
            ("^[^{}]*$", "plain"),
            ("^\"quoted\"$", "\"quoted\""),
            ("^a\\\\b$", "a\\b"),
            ("^[^#/]*$", "no hash"),
        ];
        let mut map = Map::new();
        map.insert("type".into(), json!("string"));
        let sample = match self.rng.weighted(&[50, 30, 20]) {
            0 => {
                let mut taken = BTreeSet::new();
                self.name(Scope::EnumValue, &mut taken)
            }
            1 => {
                let (format, sample) = self.rng.pick(FORMATS);
                map.insert("format".into(), json!(format));
                sample.to_string()
            }
            _ => {
                let (pattern, sample) = self.rng.pick(PATTERNS);
                map.insert("pattern".into(), json!(pattern));
                sample.to_string()
            }
        };
        let len = sample.chars().count();
        if self.rng.chance(25) {
            map.insert("minLength".into(), json!(self.rng.range(0, len)));
        }
        if self.rng.chance(25) {
            map.insert("maxLength".into(), json!(len + self.rng.below(100)));
        }
        if self.v31 && self.rng.chance(5) {
            map.insert("contentMediaType".into(), json!("text/plain"));
        }
        S::new(Value::Object(map), Value::String(sample))
    }

    fn integer(&mut self) -> S {
        let mut map = Map::new();
        map.insert("type".into(), json!("integer"));
        let format =
            self.rng.pick(&[None, None, Some("int32"), Some("int64"), Some("uint32"), Some("uint64"), Some("int8"), Some("unix-time")]);
        let mut sample: i64 = self.rng.pick(&[0, 1, 7, 42, 1000, -5, 65_535]);
        if matches!(format, Some("uint32" | "uint64")) {
            sample = sample.abs();
        }
        if let Some(f) = format {
            map.insert("format".into(), json!(f));
        }
        if format == Some("int8") {
            sample = sample.clamp(-128, 127);
        }
        if self.rng.chance(30) {
            let lo = sample - self.rng.range(0, 10) as i64;
            self.bound(&mut map, "minimum", "exclusiveMinimum", lo, lo < sample);
        }
        if self.rng.chance(30) {
            let hi = sample + self.rng.range(0, 10) as i64;
            self.bound(&mut map, "maximum", "exclusiveMaximum", hi, hi > sample);
        }
        if self.rng.chance(10) && sample != 0 {
            map.insert("multipleOf".into(), json!(sample.abs()));
        }
        if self.rng.chance(5) && format.is_none() {
            // Beyond 64 bits.
            map.insert("maximum".into(), serde_json::from_str("18446744073709551616").unwrap_or(json!(1e20)));
        }
        S::new(Value::Object(map), json!(sample))
    }

    /// `minimum`/`exclusiveMinimum` (or the maximum pair) in the version's form.
    fn bound(&mut self, map: &mut Map<String, Value>, inclusive: &str, exclusive_key: &str, value: i64, may_exclude: bool) {
        if may_exclude && self.rng.chance(40) {
            if self.v31 {
                map.insert(exclusive_key.into(), json!(value));
            } else {
                map.insert(inclusive.into(), json!(value));
                map.insert(exclusive_key.into(), json!(true));
            }
        } else {
            map.insert(inclusive.into(), json!(value));
        }
    }

    fn number(&mut self) -> S {
        let mut map = Map::new();
        map.insert("type".into(), json!("number"));
        if let Some(f) = self.rng.pick(&[None, Some("float"), Some("double"), Some("decimal")]) {
            map.insert("format".into(), json!(f));
        }
        let sample = self.rng.pick(&[0.5, 1.0, 2.25, -3.75, 100.0]);
        if self.rng.chance(30) {
            map.insert("minimum".into(), json!(sample - 1.5));
        }
        if self.rng.chance(30) {
            if self.v31 {
                map.insert("exclusiveMaximum".into(), json!(sample + 0.5));
            } else {
                map.insert("maximum".into(), json!(sample + 0.5));
                map.insert("exclusiveMaximum".into(), json!(true));
            }
        }
        S::new(Value::Object(map), json!(sample))
    }

    fn string_enum(&mut self) -> S {
        let mut taken = BTreeSet::new();
        let n = self.rng.range(1, 5);
        let values: Vec<String> = (0..n).map(|_| self.name(Scope::EnumValue, &mut taken)).collect();
        let sample = self.rng.pick(&values);
        S::new(json!({"type": "string", "enum": values}), json!(sample))
    }

    fn other_enum(&mut self) -> S {
        match self.rng.below(4) {
            0 => {
                let values = self.rng.pick(&[vec![1, 2, 3], vec![0, -1, 200], vec![10]]);
                let sample = self.rng.pick(&values);
                S::new(json!({"type": "integer", "enum": values}), json!(sample))
            }
            1 => S::new(json!({"type": "number", "enum": [1.5, 2.25, 3]}), json!(2.25)),
            2 => S::new(json!({"type": "boolean", "enum": [true]}), json!(true)),
            _ => S::new(json!({"enum": ["a", 1, true, null]}), json!("a")),
        }
    }

    fn constant(&mut self) -> S {
        let value = match self.rng.below(5) {
            0 => json!(1),
            1 => json!(true),
            2 => json!({"a": [1, "b"]}),
            3 => json!(1.5),
            _ => {
                let mut taken = BTreeSet::new();
                json!(self.name(Scope::EnumValue, &mut taken))
            }
        };
        if self.v31 {
            S::new(json!({"const": value}), value)
        } else {
            S::new(json!({"enum": [value]}), value)
        }
    }

    /// A reference to a component: a defined one, or (where a value may be absent) any.
    fn reference(&mut self, cx: Cx) -> Option<S> {
        let n = self.components_planned();
        let limit = if cx.optional { n } else { cx.built };
        if limit == 0 {
            return None;
        }
        let i = self.rng.below(limit);
        if i >= cx.built || i >= self.components.len() {
            // Not defined yet: a component later in the plan, or the one being defined.
            return Some(S { schema: self.ref_to(i), sample: None });
        }
        let c = &self.components[i];
        let sample = c.sample.clone();
        Some(S { schema: self.ref_to(i), sample })
    }

    fn ref_to(&self, i: usize) -> Value {
        json!({ "$ref": format!("#/components/schemas/{}", self.planned_name(i)) })
    }

    fn leaf(&mut self, cx: Cx) -> S {
        let w = [30, 12, 6, 6, 10, 4, 4, if self.v31 { 2 } else { 0 }, 2, 18, if self.v31 { 3 } else { 0 }];
        match self.rng.weighted(&w) {
            0 => self.string(),
            1 => self.integer(),
            2 => self.number(),
            3 => S::new(json!({"type": "boolean"}), json!(self.rng.chance(50))),
            4 => self.string_enum(),
            5 => self.other_enum(),
            6 => self.constant(),
            7 => S::new(json!({"type": "null"}), Value::Null),
            8 => {
                if self.v31 && self.rng.chance(30) {
                    S::new(json!(true), json!({"any": ["thing", 1]}))
                } else {
                    S::new(json!({}), json!({"any": ["thing", 1]}))
                }
            }
            9 => self.reference(cx).unwrap_or_else(|| self.string()),
            _ => {
                let types = self.rng.pick(&[vec!["string", "integer"], vec!["integer", "boolean"], vec!["string", "number", "null"]]);
                let sample = match types[0] {
                    "string" => json!("either"),
                    _ => json!(3),
                };
                S::new(json!({ "type": types }), sample)
            }
        }
    }

    /// Any schema, at most a few levels deep.
    fn schema(&mut self, cx: Cx) -> S {
        let composite = if cx.depth >= 3 { 0 } else { 55 - 12 * cx.depth as usize };
        let s = if self.rng.below(100) < composite {
            let w = [26, 16, 6, 8, 8, 6, 3, if self.v31 { 3 } else { 0 }];
            match self.rng.weighted(&w) {
                0 => self.object(cx, None),
                1 => self.array(cx),
                2 => self.map(cx),
                3 => self.all_of(cx),
                4 => self.one_of(cx),
                5 => self.any_of(cx),
                6 => self.not(),
                _ => self.tuple(cx),
            }
        } else {
            self.leaf(cx)
        };
        let s = if self.rng.chance(7) { self.nullable(s) } else { s };
        self.decorate(s, cx)
    }

    /// Titles, descriptions, `deprecated`, defaults, examples, extensions.
    fn decorate(&mut self, s: S, cx: Cx) -> S {
        let S { mut schema, sample } = s;
        let Value::Object(map) = &mut schema else { return S { schema, sample } };
        let is_ref = map.contains_key("$ref");
        if is_ref && !self.v31 {
            // 3.0 ignores keywords next to `$ref`; annotations only, rarely.
            if self.rng.chance(5) {
                map.insert("description".into(), json!(self.description()));
            }
            return S { schema, sample };
        }
        if self.rng.chance(20) {
            map.insert("description".into(), json!(self.description()));
        }
        if !is_ref && self.rng.chance(8) && cx.depth > 0 {
            let mut taken = BTreeSet::new();
            map.insert("title".into(), json!(self.name(Scope::Component, &mut taken)));
        }
        if self.rng.chance(4) {
            map.insert("deprecated".into(), json!(true));
        }
        if let Some(sample) = &sample {
            if !is_ref && self.rng.chance(12) {
                map.insert("default".into(), sample.clone());
            }
            if !is_ref && self.rng.chance(12) {
                self.example(map, sample);
            }
        }
        if self.rng.chance(5) {
            map.insert("x-internal-note".into(), json!({"owner": "team", "$ref": "not a reference"}));
        }
        S { schema, sample }
    }

    fn object(&mut self, cx: Cx, forced: Option<(&str, Value)>) -> S {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut sample = Map::new();
        let mut sample_ok = true;
        let mut taken = BTreeSet::new();
        if let Some((tag, tag_schema)) = &forced {
            taken.insert(tag.to_string());
            props.insert(tag.to_string(), tag_schema.clone());
            required.push(json!(tag));
            sample.insert(tag.to_string(), Value::Null);
        }
        let n = if cx.depth >= 3 { self.rng.range(0, 2) } else { self.rng.range(0, 6) };
        let mut enum_props: Vec<(String, Value)> = Vec::new();
        for _ in 0..n {
            let name = self.name(Scope::Property, &mut taken);
            let want_required = self.rng.chance(40);
            let sub = if cx.request_only && !self.options.nested_strict {
                self.request_property(cx.deeper().optional(!want_required))
            } else {
                self.schema(cx.deeper().optional(!want_required))
            };
            let mut sub_schema = sub.schema;
            if let Value::Object(m) = &mut sub_schema {
                if !m.contains_key("$ref") || self.v31 {
                    match self.rng.below(20) {
                        0 => {
                            m.insert("readOnly".into(), json!(true));
                        }
                        1 => {
                            m.insert("writeOnly".into(), json!(true));
                        }
                        _ => {}
                    }
                }
                if m.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().all(Value::is_string)) {
                    enum_props.push((name.clone(), m["enum"].clone()));
                }
            }
            match (&sub.sample, want_required) {
                (Some(v), true) => {
                    required.push(json!(name));
                    sample.insert(name.clone(), v.clone());
                }
                (None, true) => {
                    required.push(json!(name));
                    sample_ok = false;
                }
                (Some(v), false) if self.rng.chance(50) => {
                    sample.insert(name.clone(), v.clone());
                }
                _ => {}
            }
            props.insert(name, sub_schema);
        }
        let mut map = Map::new();
        map.insert("type".into(), json!("object"));
        if !props.is_empty() || self.rng.chance(50) {
            map.insert("properties".into(), Value::Object(props.clone()));
        }
        if !required.is_empty() {
            map.insert("required".into(), Value::Array(required));
        }
        let closed = forced.is_none() && self.rng.chance(15);
        if closed {
            map.insert("additionalProperties".into(), json!(false));
        } else if forced.is_none() {
            match self.rng.below(10) {
                0 => {
                    map.insert("additionalProperties".into(), json!(true));
                }
                1 => {
                    let extra = self.leaf(cx.deeper().optional(true));
                    map.insert("additionalProperties".into(), extra.schema);
                }
                _ => {}
            }
        }
        if self.rng.chance(5) && !sample.is_empty() {
            map.insert("minProperties".into(), json!(1));
        }
        // if/then (3.1): a requirement that depends on an enum property's value.
        if self.v31 && self.rng.chance(25) {
            if let Some((when, values)) = enum_props.first().cloned() {
                let other = props.keys().find(|k| **k != when).cloned();
                let values = values.as_array().cloned().unwrap_or_default();
                // The value tested is one the sample does not have, so the sample holds.
                let tested = values.iter().find(|v| sample.get(&when) != Some(*v)).cloned();
                if let (Some(other), Some(tested)) = (other, tested) {
                    map.insert("if".into(), json!({"properties": {when.clone(): {"const": tested}}, "required": [when]}));
                    map.insert("then".into(), json!({"required": [other]}));
                }
            }
        }
        if let Some((tag, _)) = &forced {
            sample.remove(*tag);
        }
        let sample = sample_ok.then_some(Value::Object(sample));
        S { schema: Value::Object(map), sample }
    }

    /// A property of a model only request bodies use (a strict model), without known failure
    /// (b): no inline model (which would be strict too) inside it, only scalars, references to
    /// components (which responses use too, see [`Gen::models_operation`]) and arrays and maps
    /// of those.
    fn request_property(&mut self, cx: Cx) -> S {
        match self.rng.weighted(&[70, 18, 12]) {
            0 => self.leaf(cx),
            1 => {
                let items = self.leaf(cx.deeper().optional(true));
                let sample = json!(items.sample.map(|v| vec![v]).unwrap_or_default());
                S::new(json!({"type": "array", "items": items.schema}), sample)
            }
            _ => {
                let values = self.leaf(cx.deeper().optional(true));
                S::new(json!({"type": "object", "additionalProperties": values.schema}), json!({}))
            }
        }
    }

    fn array(&mut self, cx: Cx) -> S {
        let items = self.schema(cx.deeper().optional(true));
        let mut map = Map::new();
        map.insert("type".into(), json!("array"));
        map.insert("items".into(), items.schema);
        let mut count = 0;
        if items.sample.is_some() {
            count = self.rng.range(0, 2);
            if self.rng.chance(20) {
                map.insert("minItems".into(), json!(count));
            }
        }
        if self.rng.chance(15) {
            map.insert("maxItems".into(), json!(count + self.rng.below(5)));
        }
        if count <= 1 && self.rng.chance(10) {
            map.insert("uniqueItems".into(), json!(true));
        }
        let sample = match &items.sample {
            Some(v) => Value::Array(vec![v.clone(); count]),
            None => json!([]),
        };
        S::new(Value::Object(map), sample)
    }

    fn tuple(&mut self, cx: Cx) -> S {
        let a = self.leaf(cx.deeper());
        let b = self.leaf(cx.deeper());
        let sample = match (&a.sample, &b.sample) {
            (Some(x), Some(y)) => Some(json!([x, y])),
            _ => None,
        };
        let mut map = Map::new();
        map.insert("type".into(), json!("array"));
        map.insert("prefixItems".into(), json!([a.schema, b.schema]));
        if self.rng.chance(50) {
            map.insert("items".into(), json!(false));
        }
        S { schema: Value::Object(map), sample }
    }

    fn map(&mut self, cx: Cx) -> S {
        let values = self.schema(cx.deeper().optional(true));
        let sample = match &values.sample {
            Some(v) if self.rng.chance(50) => json!({"key": v}),
            _ => json!({}),
        };
        S::new(json!({"type": "object", "additionalProperties": values.schema}), sample)
    }

    fn all_of(&mut self, cx: Cx) -> S {
        // A defined open object component extended with more properties (inheritance).
        let bases: Vec<usize> = (0..cx.built.min(self.components.len())).filter(|&i| self.components[i].open_object).collect();
        if !bases.is_empty() && self.rng.chance(60) {
            let base = self.rng.pick(&bases);
            let ext = self.object(cx.deeper(), None);
            let ext_schema = strip_closed(ext.schema);
            let base_schema = &self.built_schemas[base];
            let sample = if constrains_others(&ext_schema) || constrains_others(base_schema) {
                None
            } else {
                merge_parts(base_schema, self.components[base].sample.clone(), &ext_schema, ext.sample)
            };
            return S { schema: json!({"allOf": [self.ref_to(base), ext_schema]}), sample };
        }
        if self.rng.chance(50) {
            // One schema, with annotations around it (the usual way to describe a reference).
            let inner = self.schema(cx.deeper());
            return S { schema: json!({"allOf": [inner.schema], "description": self.description()}), sample: inner.sample };
        }
        let a = self.object(cx.deeper(), None);
        let b = self.object(cx.deeper(), None);
        let (a, b) = (S { schema: strip_closed(a.schema), ..a }, S { schema: strip_closed(b.schema), ..b });
        let sample = if constrains_others(&a.schema) || constrains_others(&b.schema) {
            None
        } else {
            merge_parts(&a.schema, a.sample, &b.schema, b.sample)
        };
        S { schema: json!({"allOf": [a.schema, b.schema]}), sample }
    }

    /// Members of distinct JSON types, so that a value matches exactly one.
    fn one_of(&mut self, cx: Cx) -> S {
        let mut kinds = vec![0usize, 1, 2, 3, 4];
        if self.v31 {
            kinds.push(5);
        }
        let n = self.rng.range(2, 3);
        let mut members = Vec::new();
        let mut sample = None;
        for k in 0..n {
            let kind = kinds.remove(self.rng.below(kinds.len()));
            let m = match kind {
                0 => self.string(),
                1 => self.integer(),
                2 => S::new(json!({"type": "boolean"}), json!(false)),
                3 => {
                    let o = self.object(cx.deeper(), None);
                    // An object member needs a property of its own to be told apart.
                    let mut schema = o.schema;
                    let own = format!("variant{k}");
                    schema["properties"][own.as_str()] = json!({"type": "string"});
                    let mut required = schema.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
                    required.push(json!(own));
                    schema["required"] = Value::Array(required);
                    let sample = o.sample.map(|mut s| {
                        s[own.as_str()] = json!("v");
                        s
                    });
                    S { schema, sample }
                }
                4 => {
                    let items = self.leaf(cx.deeper());
                    S::new(json!({"type": "array", "items": items.schema}), json!([]))
                }
                _ => S::new(json!({"type": "null"}), Value::Null),
            };
            if sample.is_none() {
                sample = m.sample.clone();
            }
            members.push(m.schema);
        }
        let key = if self.rng.chance(85) { "oneOf" } else { "anyOf" };
        S { schema: json!({ key: members }), sample }
    }

    fn any_of(&mut self, cx: Cx) -> S {
        let n = self.rng.range(1, 3);
        let mut members = Vec::new();
        let mut sample = None;
        for i in 0..n {
            let m = if i == 0 { self.schema(cx.deeper()) } else { self.schema(cx.deeper().optional(true)) };
            if i == 0 {
                sample = m.sample;
            }
            members.push(m.schema);
        }
        S { schema: json!({"anyOf": members}), sample }
    }

    fn not(&mut self) -> S {
        match self.rng.below(3) {
            0 => S::new(json!({"not": {"type": "string"}}), json!(5)),
            1 => S::new(json!({"type": "string", "not": {"enum": ["forbidden", ""]}}), json!("allowed")),
            _ if self.v31 => S::new(json!({"type": "integer", "not": {"const": 0}}), json!(1)),
            _ => S::new(json!({"type": "integer", "not": {"enum": [0]}}), json!(1)),
        }
    }

    // ---------------------------------------------------------------- components

    fn components_planned(&self) -> usize {
        self.plan_names.len()
    }

    fn planned_name(&self, i: usize) -> &str {
        &self.plan_names[i]
    }

    fn document(mut self) -> Value {
        self.plan();
        for i in 0..self.plan_names.len() {
            self.build_component(i);
        }
        let mut schemas = Map::new();
        for (i, c) in self.components.iter().enumerate() {
            schemas.insert(c.name.clone(), self.built_schemas[i].clone());
        }
        let security_schemes = self.security_schemes();
        let servers = self.servers();
        let paths = self.paths();
        let mut doc = Map::new();
        doc.insert("openapi".into(), json!(if self.v31 { "3.1.0" } else { "3.0.3" }));
        let title = if self.rng.chance(70) { "Random API".to_string() } else { self.description() };
        let mut info = json!({"title": if title.trim().is_empty() { "Random API".to_string() } else { title }, "version": "1.0.0"});
        if self.rng.chance(50) {
            info["description"] = json!(self.description());
        }
        doc.insert("info".into(), info);
        if let Some(s) = servers {
            doc.insert("servers".into(), s);
        }
        if !self.schemes.is_empty() && self.rng.chance(40) {
            let req = self.requirement();
            doc.insert("security".into(), req);
        }
        doc.insert("paths".into(), paths);
        let mut components = Map::new();
        if !schemas.is_empty() {
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if !security_schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(security_schemes));
        }
        doc.insert("components".into(), Value::Object(components));
        Value::Object(doc)
    }
}

/// Whether an `allOf` part constrains the properties of the other parts through its
/// `additionalProperties` schema (then merged samples are not known to match).
fn constrains_others(schema: &Value) -> bool {
    schema.get("additionalProperties").is_some_and(Value::is_object)
}

/// A JSON pointer token.
fn esc(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `allOf` parts must not forbid each other's properties.
fn strip_closed(mut schema: Value) -> Value {
    if let Value::Object(m) = &mut schema {
        if m.get("additionalProperties") == Some(&Value::Bool(false)) {
            m.remove("additionalProperties");
        }
    }
    schema
}

/// The sample of `allOf: [a, b]`: the union of two object samples (none when the parts declare
/// a property in common: its two schemas may disagree).
fn merge_parts(a: &Value, a_sample: Option<Value>, b: &Value, b_sample: Option<Value>) -> Option<Value> {
    let declared = |s: &Value| -> BTreeSet<String> {
        s.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
    };
    if !declared(a).is_disjoint(&declared(b)) {
        return None;
    }
    merge(a_sample, b_sample)
}

/// The union of two object samples (none when they share a property: its two schemas may
/// disagree).
fn merge(a: Option<Value>, b: Option<Value>) -> Option<Value> {
    match (a?, b?) {
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                if a.contains_key(&k) {
                    return None;
                }
                a.insert(k, v);
            }
            Some(Value::Object(a))
        }
        _ => None,
    }
}

/// Where a parameter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum In {
    Path,
    Query,
    Header,
    Cookie,
}

impl In {
    fn key(self) -> &'static str {
        match self {
            In::Path => "path",
            In::Query => "query",
            In::Header => "header",
            In::Cookie => "cookie",
        }
    }
}

/// What a parameter's schema is, for the styles it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamKind {
    Scalar,
    Array,
    Object,
}

impl Gen {
    // ---------------------------------------------------------------- components

    fn plan(&mut self) {
        let n = self.rng.range(0, 8);
        let mut taken = BTreeSet::new();
        while self.plans.len() < n {
            let start = self.plans.len();
            if n - start >= 3 && self.rng.chance(20) {
                let mut props = BTreeSet::new();
                let tag = if self.rng.chance(50) { "type".to_string() } else { self.name(Scope::Property, &mut props) };
                let base = self.rng.chance(40).then(|| {
                    self.plans.push(Plan::FamilyBase { tag: tag.clone() });
                    let name = self.name(Scope::Component, &mut taken);
                    self.plan_names.push(name);
                    start
                });
                let explicit = self.rng.chance(50);
                let mut values = BTreeSet::new();
                let mut members = Vec::new();
                for _ in 0..self.rng.range(2, 3) {
                    let name = self.name(Scope::Component, &mut taken);
                    let value = if explicit { self.name(Scope::EnumValue, &mut values) } else { name.clone() };
                    members.push((self.plans.len(), value.clone()));
                    self.plans.push(Plan::FamilyMember { tag: tag.clone(), value, base });
                    self.plan_names.push(name);
                }
                let any_of = self.rng.chance(20);
                self.plans.push(Plan::FamilyUnion { tag, members, explicit, any_of });
                let name = self.name(Scope::Component, &mut taken);
                self.plan_names.push(name);
            } else if self.rng.chance(12) {
                self.plans.push(Plan::Tree);
                let name = self.name(Scope::Component, &mut taken);
                self.plan_names.push(name);
            } else {
                self.plans.push(Plan::Free);
                let name = self.name(Scope::Component, &mut taken);
                self.plan_names.push(name);
            }
        }
    }

    fn build_component(&mut self, i: usize) {
        let cx = Cx { depth: 0, built: i, optional: false, request_only: false };
        let plan = self.plans[i].clone();
        let s = match &plan {
            Plan::Free => match self.rng.weighted(&[45, 12, 43]) {
                0 => {
                    let o = self.object(cx, None);
                    self.decorate(o, cx)
                }
                1 => {
                    let e = self.string_enum();
                    self.decorate(e, cx)
                }
                _ => self.schema(cx),
            },
            Plan::Tree => {
                let o = self.object(cx, None);
                let mut schema = o.schema;
                let me = self.ref_to(i);
                let children = if self.rng.chance(60) { json!({"type": "array", "items": me}) } else { me };
                schema["properties"]["children"] = children;
                if let Some(Value::Array(req)) = schema.get_mut("required") {
                    req.retain(|r| r != "children");
                }
                S {
                    schema,
                    sample: o.sample.map(|mut s| {
                        if let Value::Object(m) = &mut s {
                            m.remove("children");
                        }
                        s
                    }),
                }
            }
            Plan::FamilyBase { tag } => {
                let o = self.object(cx, Some((tag, json!({"type": "string"}))));
                let sample = o.sample.map(|mut s| {
                    s[tag.as_str()] = json!("base");
                    s
                });
                S { schema: o.schema, sample }
            }
            Plan::FamilyMember { tag, value, base } => {
                let tag_schema = match self.rng.below(3) {
                    0 if self.v31 => json!({"const": value}),
                    0 => json!({"type": "string", "enum": [value]}),
                    _ => json!({"type": "string"}),
                };
                match base {
                    Some(b) => {
                        let ext = self.object(cx.deeper(), None);
                        let mut ext_schema = strip_closed(ext.schema);
                        let mut base_sample = self.components[*b].sample.clone();
                        if let Some(Value::Object(m)) = &mut base_sample {
                            m.remove(tag.as_str());
                        }
                        let base_schema = self.built_schemas[*b].clone();
                        let mut sample = if constrains_others(&ext_schema) {
                            None
                        } else {
                            merge_parts(&base_schema, base_sample, &ext_schema, ext.sample)
                        };
                        if tag_schema != json!({"type": "string"}) {
                            ext_schema["properties"][tag.as_str()] = tag_schema;
                        }
                        if let Some(Value::Object(m)) = &mut sample {
                            m.insert(tag.clone(), json!(value));
                        }
                        S { schema: json!({"allOf": [self.ref_to(*b), ext_schema]}), sample }
                    }
                    None => {
                        let o = self.object(cx, Some((tag, tag_schema)));
                        let sample = o.sample.map(|mut s| {
                            s[tag.as_str()] = json!(value);
                            s
                        });
                        S { schema: o.schema, sample }
                    }
                }
            }
            Plan::FamilyUnion { tag, members, explicit, any_of } => {
                let refs: Vec<Value> = members.iter().map(|(m, _)| self.ref_to(*m)).collect();
                let mut discriminator = json!({ "propertyName": tag });
                if *explicit {
                    let mapping: Map<String, Value> = members
                        .iter()
                        .map(|(m, value)| {
                            let target = if self.rng.chance(15) {
                                self.planned_name(*m).to_string()
                            } else {
                                format!("#/components/schemas/{}", self.planned_name(*m))
                            };
                            (value.clone(), Value::String(target))
                        })
                        .collect();
                    discriminator["mapping"] = Value::Object(mapping);
                }
                let key = if *any_of { "anyOf" } else { "oneOf" };
                // A plain `string` tag selects a member for OpenAPI, but for JSON Schema a value
                // then matches every member (a common published form): no sample of the `oneOf`.
                let fixed = |schema: &Value| {
                    let tag_schema = schema.pointer(&format!("/properties/{}", esc(tag))).or_else(|| {
                        schema
                            .get("allOf")
                            .and_then(Value::as_array)
                            .and_then(|parts| parts.iter().find_map(|p| p.pointer(&format!("/properties/{}", esc(tag)))))
                    });
                    tag_schema.is_some_and(|t| t.get("enum").is_some() || t.get("const").is_some())
                };
                let distinct = members.iter().all(|(m, _)| fixed(&self.built_schemas[*m]));
                let sample = if *any_of || distinct { self.components[members[0].0].sample.clone() } else { None };
                let mut schema = json!({ key: refs, "discriminator": discriminator });
                if self.rng.chance(30) {
                    schema["description"] = json!(self.description());
                }
                S { schema, sample }
            }
        };
        let schema = &s.schema;
        let is_object = schema.get("type") == Some(&json!("object"));
        let component = Component {
            name: self.plan_names[i].clone(),
            sample: s.sample.clone(),
            open_object: is_object && schema.get("additionalProperties").is_none() && schema.get("properties").is_some(),
            enum_like: schema.get("type") == Some(&json!("string")) && schema.get("enum").is_some(),
        };
        self.components.push(component);
        self.built_schemas.push(s.schema);
    }

    // ---------------------------------------------------------------- security, servers

    fn security_schemes(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        let mut taken = BTreeSet::new();
        for _ in 0..self.rng.range(0, 3) {
            let name = self.name(Scope::Component, &mut taken);
            let mut scopes = Vec::new();
            let scheme = match self.rng.below(7) {
                0 | 1 => {
                    let location = self.rng.pick(&["header", "query", "cookie"]);
                    let mut t = BTreeSet::from(["authorization".to_string(), "accept".into(), "content-type".into()]);
                    json!({"type": "apiKey", "in": location, "name": self.name(Scope::Token, &mut t)})
                }
                2 => json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
                3 => json!({"type": "http", "scheme": "basic"}),
                4 => {
                    scopes = vec!["read".to_string(), "write:all".to_string()];
                    json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://example.com/token", "scopes": {"read": "Read.", "write:all": "Write."}}}})
                }
                5 => json!({"type": "openIdConnect", "openIdConnectUrl": "https://example.com/.well-known/openid-configuration"}),
                _ => json!({"type": "http", "scheme": "digest"}),
            };
            let mut scheme = scheme;
            if self.rng.chance(30) {
                scheme["description"] = json!(self.description());
            }
            self.schemes.push((name.clone(), json!(scopes)));
            out.insert(name, scheme);
        }
        out
    }

    /// A `security` value: alternatives of requirements over declared schemes.
    fn requirement(&mut self) -> Value {
        if self.rng.chance(8) {
            return json!([]);
        }
        let mut alts = Vec::new();
        for _ in 0..self.rng.range(1, 2) {
            if self.rng.chance(15) {
                alts.push(json!({}));
                continue;
            }
            let mut req = Map::new();
            for _ in 0..self.rng.range(1, 2) {
                let (name, scopes) = self.rng.pick(&self.schemes);
                req.insert(name, scopes);
            }
            alts.push(Value::Object(req));
        }
        Value::Array(alts)
    }

    fn servers(&mut self) -> Option<Value> {
        match self.rng.below(4) {
            0 => None,
            1 => Some(json!([{"url": "https://api.example.com/v1"}])),
            2 => Some(json!([{"url": "/api"}, {"url": "https://staging.example.com/", "description": self.description()}])),
            _ => {
                let mut taken = BTreeSet::new();
                let names: Vec<String> = (0..self.rng.range(1, 3)).map(|_| self.name(Scope::Token, &mut taken)).collect();
                let mut url = "https://".to_string();
                let mut vars = Map::new();
                for (i, n) in names.iter().enumerate() {
                    url.push_str(&match i {
                        0 => format!("{{{n}}}.example.com"),
                        1 => format!(":{{{n}}}"),
                        _ => format!("/{{{n}}}"),
                    });
                    let default = ["api", "8443", "v1"][i];
                    let mut var = json!({ "default": default });
                    if self.rng.chance(40) {
                        let other = ["eu", "443", "v2"][i];
                        var["enum"] = json!([default, other]);
                    }
                    if self.rng.chance(30) {
                        var["description"] = json!(self.description());
                    }
                    vars.insert(n.clone(), var);
                }
                Some(json!([{ "url": url, "variables": vars }]))
            }
        }
    }

    // ---------------------------------------------------------------- paths and operations

    /// Without known failure (b), every component is also read from a response, so that only
    /// inline request bodies give strict models: one operation answers with all of them.
    fn models_operation(&mut self, paths: &mut Map<String, Value>) {
        if self.options.nested_strict || self.components.is_empty() {
            return;
        }
        let refs: Vec<Value> = (0..self.components.len()).map(|i| self.ref_to(i)).collect();
        let mut ids = std::mem::take(&mut self.operation_ids);
        let id = ["listEveryModel", "listEveryModel2", "listEveryModel3"].into_iter().find(|id| ids.insert(id.to_string()));
        self.operation_ids = ids;
        let mut op = json!({
            "summary": "Every model, so that each is read from a response.",
            "responses": {"200": {"description": "Every model.", "content": {"application/json": {"schema": {"type": "array", "items": {"anyOf": refs}}}}}}
        });
        if let Some(id) = id {
            op["operationId"] = json!(id);
        }
        paths.insert("/every-model".into(), json!({ "get": op }));
    }

    fn paths(&mut self) -> Value {
        let mut paths = Map::new();
        self.models_operation(&mut paths);
        let mut shapes = BTreeSet::new();
        for _ in 0..self.rng.range(1, 5) {
            let Some((path, params)) = (0..10).map(|_| self.path_template()).find(|(p, _)| shapes.insert(shape(p))) else { continue };
            let mut item = Map::new();
            let path_level = !params.is_empty() && self.rng.chance(35);
            let path_params: Vec<Value> = params.iter().map(|p| self.parameter(p, In::Path)).collect();
            if path_level {
                item.insert("parameters".into(), Value::Array(path_params.clone()));
            }
            if self.rng.chance(10) {
                item.insert("summary".into(), json!(self.description()));
            }
            let mut methods = vec!["get", "post", "put", "patch", "delete", "head", "options", "trace"];
            for _ in 0..self.rng.weighted(&[50, 35, 15]) + 1 {
                let method = methods.remove(self.rng.weighted(&[30, 25, 10, 10, 10, 3, 2, 1][..methods.len()]));
                let own = if path_level { Vec::new() } else { path_params.clone() };
                let op = self.operation(method, own);
                item.insert(method.into(), op);
            }
            paths.insert(path, Value::Object(item));
        }
        Value::Object(paths)
    }

    fn path_template(&mut self) -> (String, Vec<String>) {
        let mut path = String::new();
        let mut params = Vec::new();
        let mut taken = BTreeSet::new();
        for _ in 0..self.rng.range(1, 4) {
            path.push('/');
            match self.rng.weighted(&[60, 34, 6]) {
                0 => {
                    let parts: Vec<String> = (0..self.rng.range(1, 2)).map(|_| self.rng.pick(WORDS).to_string()).collect();
                    let style = self.rng.pick(&[Style::Kebab, Style::Snake, Style::Camel, Style::Dotted]);
                    path.push_str(&Self::styled(&parts, style));
                }
                1 => {
                    let p = self.name(Scope::PathParam, &mut taken);
                    path.push_str(&format!("{{{p}}}"));
                    params.push(p);
                }
                _ => {
                    let a = self.name(Scope::PathParam, &mut taken);
                    let b = self.name(Scope::PathParam, &mut taken);
                    path.push_str(&format!("v{{{a}}}.{{{b}}}"));
                    params.push(a);
                    params.push(b);
                }
            }
        }
        (path, params)
    }

    fn operation(&mut self, method: &str, path_params: Vec<Value>) -> Value {
        let mut op = Map::new();
        if self.rng.chance(88) {
            let mut ids = std::mem::take(&mut self.operation_ids);
            op.insert("operationId".into(), json!(self.name(Scope::Free, &mut ids)));
            self.operation_ids = ids;
        }
        if self.rng.chance(50) {
            op.insert("summary".into(), json!(self.description()));
        }
        if self.rng.chance(30) {
            op.insert("description".into(), json!(self.description()));
        }
        if self.rng.chance(30) {
            let mut t = BTreeSet::new();
            op.insert("tags".into(), json!([self.name(Scope::Free, &mut t)]));
        }
        if self.rng.chance(5) {
            op.insert("deprecated".into(), json!(true));
        }
        let mut params = path_params;
        let mut taken: BTreeSet<(String, &str)> = BTreeSet::new();
        let mut names_by_in: [BTreeSet<String>; 3] = Default::default();
        names_by_in[1].extend(["accept".to_string(), "content-type".into(), "authorization".into()]);
        for _ in 0..self.rng.weighted(&[25, 25, 20, 15, 15]) {
            let location = [In::Query, In::Header, In::Cookie][self.rng.weighted(&[55, 28, 17])];
            let slot = match location {
                In::Query => 0,
                In::Header => 1,
                _ => 2,
            };
            let scope = if location == In::Query { Scope::Query } else { Scope::Token };
            let mut names = std::mem::take(&mut names_by_in[slot]);
            let name = self.name(scope, &mut names);
            names_by_in[slot] = names;
            if taken.insert((name.clone(), location.key())) {
                params.push(self.parameter(&name, location));
            }
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        let body_chance = match method {
            "post" | "put" | "patch" => 70,
            "delete" => 10,
            _ => 0,
        };
        if self.rng.chance(body_chance) {
            let body = self.request_body();
            op.insert("requestBody".into(), body);
        }
        let responses = self.responses(method);
        op.insert("responses".into(), responses);
        if !self.schemes.is_empty() && self.rng.chance(30) {
            let req = self.requirement();
            op.insert("security".into(), req);
        }
        Value::Object(op)
    }

    /// The schema of a parameter and its kind.
    fn parameter_schema(&mut self, location: In) -> (S, ParamKind) {
        let cx = Cx { depth: 2, built: self.components.len(), optional: false, request_only: true };
        let enums: Vec<usize> = (0..self.components.len()).filter(|&i| self.components[i].enum_like).collect();
        let w = [30, 14, 5, 6, 10, 4, if enums.is_empty() { 0 } else { 6 }, if location == In::Path { 4 } else { 14 }, 14];
        let (s, kind) = match self.rng.weighted(&w) {
            0 => (self.string(), ParamKind::Scalar),
            1 => (self.integer(), ParamKind::Scalar),
            2 => (self.number(), ParamKind::Scalar),
            3 => (S::new(json!({"type": "boolean"}), json!(true)), ParamKind::Scalar),
            4 => (self.string_enum(), ParamKind::Scalar),
            5 => {
                let values = self.rng.pick(&[vec![1, 2, 3], vec![0, -1, 200]]);
                let sample = values[0];
                (S::new(json!({"type": "integer", "enum": values}), json!(sample)), ParamKind::Scalar)
            }
            6 => {
                let i = self.rng.pick(&enums);
                (S { schema: self.ref_to(i), sample: self.components[i].sample.clone() }, ParamKind::Scalar)
            }
            7 => {
                let (items, _) = match self.rng.below(4) {
                    0 => (self.integer(), ()),
                    1 => (self.string_enum(), ()),
                    _ => {
                        let mut s = self.string();
                        if let Value::Object(m) = &mut s.schema {
                            m.remove("format");
                        }
                        (s, ())
                    }
                };
                let mut schema = json!({"type": "array", "items": items.schema});
                if self.rng.chance(20) {
                    schema["minItems"] = json!(1);
                }
                if self.rng.chance(20) {
                    schema["maxItems"] = json!(5);
                }
                let sample = items.sample.map(|v| json!([v]));
                (S { schema, sample }, ParamKind::Array)
            }
            _ => match self.rng.below(7) {
                0 => (
                    S::new(
                        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}),
                        json!({"a": "x", "b": 1}),
                    ),
                    ParamKind::Object,
                ),
                1 => (S::new(json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}), json!(1)), ParamKind::Scalar),
                2 => {
                    let s = self.string();
                    let n = self.nullable(s);
                    (n, ParamKind::Scalar)
                }
                3 => (S::new(json!({"type": "string", "format": "byte"}), json!("aGk=")), ParamKind::Scalar),
                4 => {
                    let c = self.constant();
                    (c, ParamKind::Scalar)
                }
                5 => {
                    let o = self.object(cx, None);
                    (o, ParamKind::Object)
                }
                _ => (S::new(json!({}), json!("any")), ParamKind::Scalar),
            },
        };
        (s, kind)
    }

    fn parameter(&mut self, name: &str, location: In) -> Value {
        let mut p = Map::new();
        p.insert("name".into(), json!(name));
        p.insert("in".into(), json!(location.key()));
        let required = location == In::Path || self.rng.chance(40);
        if required || self.rng.chance(30) {
            p.insert("required".into(), json!(required));
        }
        if self.rng.chance(30) {
            p.insert("description".into(), json!(self.description()));
        }
        if self.rng.chance(5) {
            p.insert("deprecated".into(), json!(true));
        }
        let (s, kind) = self.parameter_schema(location);
        let mut schema = s.schema;
        if let (Some(sample), Value::Object(m)) = (&s.sample, &mut schema) {
            if !m.contains_key("$ref") && self.rng.chance(15) {
                m.insert("default".into(), sample.clone());
            }
        }
        let styles: &[&str] = match (location, kind) {
            (In::Path, _) => &["", "simple", "label", "matrix"],
            (In::Query, ParamKind::Array) => &["", "form", "spaceDelimited", "pipeDelimited"],
            (In::Query, ParamKind::Object) => &["", "form", "deepObject"],
            (In::Query, ParamKind::Scalar) => &["", "form"],
            (In::Header, _) => &["", "simple"],
            (In::Cookie, _) => &["", "form"],
        };
        let style = self.rng.pick(styles);
        if !style.is_empty() {
            p.insert("style".into(), json!(style));
        }
        if self.rng.chance(30) {
            p.insert("explode".into(), json!(self.rng.chance(50)));
        }
        if location == In::Query && self.rng.chance(5) {
            p.insert("allowReserved".into(), json!(true));
        }
        if location == In::Query && !required && self.rng.chance(5) {
            p.insert("allowEmptyValue".into(), json!(true));
        }
        if self.rng.chance(8) {
            // With `content`, the serialization keywords and the examples belong to the media
            // type.
            for k in ["style", "explode", "allowReserved"] {
                p.remove(k);
            }
            let mut media = json!({ "schema": schema });
            if let Some(sample) = s.sample {
                media["example"] = sample;
            }
            p.insert("content".into(), json!({ "application/json": media }));
            return Value::Object(p);
        }
        p.insert("schema".into(), schema);
        if let Some(sample) = s.sample {
            match self.rng.below(10) {
                0 | 1 => {
                    p.insert("example".into(), sample);
                }
                2 => {
                    p.insert("examples".into(), json!({"one": {"summary": "An example.", "value": sample}}));
                }
                _ => {}
            }
        }
        Value::Object(p)
    }

    fn request_body(&mut self) -> Value {
        let mut kinds = vec!["json", "plus-json", "any", "multipart", "form", "text", "octet", "xml"];
        let mut weights = vec![40, 8, 3, 14, 12, 8, 8, 3];
        let mut content = Map::new();
        for _ in 0..self.rng.weighted(&[70, 22, 8]) + 1 {
            let k = self.rng.weighted(&weights);
            let kind = kinds.remove(k);
            weights.remove(k);
            let (media_type, media) = self.media(kind, true);
            content.insert(media_type, media);
        }
        let mut body = Map::new();
        if self.rng.chance(30) {
            body.insert("description".into(), json!(self.description()));
        }
        body.insert("content".into(), Value::Object(content));
        if self.rng.chance(60) {
            body.insert("required".into(), json!(true));
        }
        Value::Object(body)
    }

    /// A JSON body schema.
    fn body_schema(&mut self, request: bool) -> S {
        let cx = Cx { depth: 1, built: self.components.len(), optional: false, request_only: request };
        let n = self.components.len();
        match self.rng.weighted(&[if n > 0 { 45 } else { 0 }, 25, 10, 10, 10]) {
            0 => {
                let i = self.rng.below(n);
                S { schema: self.ref_to(i), sample: self.components[i].sample.clone() }
            }
            1 => {
                let o = self.object(cx, None);
                self.decorate(o, cx)
            }
            2 => {
                let items = if n > 0 && self.rng.chance(60) {
                    let i = self.rng.below(n);
                    S { schema: self.ref_to(i), sample: self.components[i].sample.clone() }
                } else {
                    self.leaf(cx)
                };
                let sample = items.sample.map(|v| json!([v]));
                S { schema: json!({"type": "array", "items": items.schema}), sample }
            }
            3 => self.leaf(cx),
            _ => self.schema(cx),
        }
    }

    /// A form body: an object with fields of the kinds forms carry.
    fn form_schema(&mut self, multipart: bool) -> S {
        let mut props = Map::new();
        let mut sample = Map::new();
        let mut required = Vec::new();
        let mut taken = BTreeSet::new();
        for _ in 0..self.rng.range(1, 5) {
            let name = self.name(Scope::Property, &mut taken);
            let field = match self.rng.below(if multipart { 8 } else { 7 }) {
                0 => self.string(),
                1 => self.integer(),
                2 => S::new(json!({"type": "boolean"}), json!(false)),
                3 => self.string_enum(),
                4 => S::new(json!({"type": "array", "items": {"type": "string"}}), json!(["a", "b"])),
                5 => S::new(
                    json!({"type": "object", "properties": {"street": {"type": "string"}, "zip": {"type": "integer"}}}),
                    json!({"street": "Main", "zip": 1}),
                ),
                6 => self.number(),
                _ => {
                    if self.v31 && self.rng.chance(40) {
                        S::new(json!({"type": "string", "contentMediaType": "application/octet-stream"}), json!("bytes"))
                    } else {
                        S::new(json!({"type": "string", "format": "binary"}), json!("bytes"))
                    }
                }
            };
            if self.rng.chance(40) {
                required.push(json!(name));
                if let Some(v) = &field.sample {
                    sample.insert(name.clone(), v.clone());
                }
            }
            props.insert(name, field.schema);
        }
        let mut schema = json!({"type": "object", "properties": props});
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        S { schema, sample: Some(Value::Object(sample)) }
    }

    fn media(&mut self, kind: &str, request: bool) -> (String, Value) {
        let (media_type, s) = match kind {
            "json" => ("application/json".to_string(), self.body_schema(request)),
            "plus-json" => (
                self.rng.pick(&["application/merge-patch+json", "application/vnd.api+json", "application/problem+json"]).to_string(),
                self.body_schema(request),
            ),
            "any" => ("*/*".to_string(), self.body_schema(request)),
            "multipart" => ("multipart/form-data".to_string(), self.form_schema(true)),
            "form" => ("application/x-www-form-urlencoded".to_string(), self.form_schema(false)),
            "text" => (
                self.rng.pick(&["text/plain", "text/csv", "text/plain; charset=utf-8"]).to_string(),
                S::new(json!({"type": "string"}), json!("text")),
            ),
            "octet" => {
                let schema = match self.rng.below(3) {
                    0 if self.v31 => json!({}),
                    1 if self.v31 => json!({"type": "string", "contentMediaType": "application/octet-stream"}),
                    _ => json!({"type": "string", "format": "binary"}),
                };
                (self.rng.pick(&["application/octet-stream", "image/png", "application/pdf"]).to_string(), S { schema, sample: None })
            }
            _ => ("application/xml".to_string(), self.body_schema(request)),
        };
        let mut media = Map::new();
        media.insert("schema".into(), s.schema);
        if let Some(sample) = s.sample {
            if kind != "multipart" && kind != "form" || self.rng.chance(30) {
                match self.rng.below(10) {
                    0 | 1 => {
                        media.insert("example".into(), sample);
                    }
                    2 => {
                        media.insert("examples".into(), json!({"first": {"summary": self.description(), "value": sample}}));
                    }
                    _ => {}
                }
            }
        }
        if kind == "multipart" && self.rng.chance(30) {
            if let Some(first) = media["schema"]["properties"].as_object().and_then(|p| p.keys().next().cloned()) {
                media.insert("encoding".into(), json!({ first: {"contentType": "application/octet-stream"} }));
            }
        }
        (media_type, Value::Object(media))
    }

    fn responses(&mut self, method: &str) -> Value {
        let mut statuses = vec![
            "200", "201", "202", "204", "206", "301", "400", "401", "403", "404", "409", "422", "429", "500", "503", "2XX", "4XX", "5XX",
            "default",
        ];
        let mut out = Map::new();
        for _ in 0..self.rng.weighted(&[40, 30, 20, 10]) + 1 {
            let status = statuses.remove(self.rng.below(statuses.len()));
            let mut resp = Map::new();
            resp.insert("description".into(), json!(self.description()));
            if !matches!(status, "204" | "301") && method != "head" && self.rng.chance(75) {
                let mut content = Map::new();
                let mut kinds = vec!["json", "plus-json", "text", "octet"];
                for _ in 0..self.rng.weighted(&[80, 20]) + 1 {
                    let kind = kinds.remove(self.rng.weighted(&[60, 15, 15, 10][..kinds.len()]));
                    let (media_type, media) = self.media(kind, false);
                    content.insert(media_type, media);
                }
                resp.insert("content".into(), Value::Object(content));
            }
            if self.rng.chance(20) {
                let mut t = BTreeSet::from(["content-type".to_string()]);
                let name = self.name(Scope::Token, &mut t);
                let schema = if self.rng.chance(50) { json!({"type": "integer"}) } else { json!({"type": "string"}) };
                resp.insert("headers".into(), json!({ name: {"description": self.description(), "schema": schema} }));
            }
            out.insert(status.into(), Value::Object(resp));
        }
        Value::Object(out)
    }
}

/// A path template with its parameter names erased: templates with the same shape are the
/// same path in OpenAPI.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

//! Lowering of schemas: turns `components/schemas` of a bundled document into a typify
//! [`TypeSpace`] plus the rules typify does not enforce the way we want.
//!
//! What happens here, in order:
//!
//! 1. **Hoisting.** Every inline object schema becomes a named definition (its `title`, else
//!    parent + property name), so every generated struct has a known name and references *into*
//!    a component (`#/components/schemas/UserResponse/properties/response`) can point at a whole
//!    definition.
//! 2. **Usage.** Each definition is classified by what reaches it: request bodies (a server reads
//!    them: strict) or responses (a client reads them: forward-compatible).
//! 3. **Rule extraction.** String, number and array constraints, `x-must-equal` and `if`/`then`
//!    rules are taken out of the schemas into [`StructRules`]; the generated `Validate` impls
//!    enforce them and collect every violation. typify then sees plain types (no newtype per
//!    constrained field) and never meets `if`/`then`, which it does not support.
//! 4. **Policy.** Forward-compatible definitions lose `additionalProperties: false`, so an extra
//!    field from a newer server does not break a client; strict ones keep it.
//! 5. **typify.** The prepared definitions go into one typify `TypeSpace` per API.

use std::collections::{BTreeMap, BTreeSet};

use schemars::schema::Schema;
use serde_json::{json, Map, Value};
use typify_impl::{TypeSpace, TypeSpaceSettings};

use crate::bundle::Bundle;
use crate::diag::{Diagnostic, Diagnostics, WarningClass};
use crate::naming;

/// The prefix of component schema references.
pub const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// One rule on one property of a struct, enforced by the generated `Validate` impl.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// `minLength`, counted in characters.
    MinLength(u64),
    /// `maxLength`, counted in characters.
    MaxLength(u64),
    /// `pattern` (ECMA 262, checked with `regress`).
    Pattern(String),
    /// `format: email`.
    Email,
    /// `minimum` / `exclusiveMinimum`.
    Minimum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// `maximum` / `exclusiveMaximum`.
    Maximum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// `minItems`.
    MinItems(u64),
    /// `maxItems`.
    MaxItems(u64),
    /// `x-must-equal: other`: the value must equal the sibling property `other` (wire name).
    MustEqual(String),
}

/// Where a rule applies: to the property's value, or to each item of an array property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The property itself.
    Value,
    /// Every item of the array property.
    Items,
}

/// A rule on one property.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyRule {
    /// The property's wire name.
    pub property: String,
    /// Whether it applies to the value or to each item.
    pub target: Target,
    /// The rule.
    pub rule: Rule,
}

/// `if: {properties: {when: {const: equals}}}, then: {required: [..]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalRequired {
    /// The property tested (wire name).
    pub when: String,
    /// The value it must have for the rule to apply.
    pub equals: Value,
    /// The properties then required (wire names).
    pub required: Vec<String>,
}

/// What the generated code enforces for one struct beyond its Rust types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructRules {
    /// Strict (read by a server: unknown fields rejected, constraints enforced on deserialize)
    /// or forward-compatible (read by a client: extra fields ignored, nothing enforced).
    pub strict: bool,
    /// Property rules, in property order.
    pub rules: Vec<PropertyRule>,
    /// Conditional requirements.
    pub conditionals: Vec<ConditionalRequired>,
    /// Wire names of properties whose values are secrets (never shown by `Debug`).
    pub secrets: BTreeSet<String>,
    /// Constraints found but not enforced, as human-readable notes for the docs.
    pub unenforced: Vec<String>,
    /// Wire names of optional properties that may be `null`: `None` serializes as `null`.
    pub nullable_optional: BTreeSet<String>,
}

/// The lowered models of one API. typify's `TypeSpace` is kept apart (see
/// [`crate::ir::Lowered`]), so that this, and the IR around it, can be shared across threads.
pub struct ModelSpace {
    /// Rules per struct name.
    pub structs: BTreeMap<String, StructRules>,
    /// The prepared definitions (as given to typify), by name.
    pub definitions: BTreeMap<String, Value>,
    /// The `oneOf`/`anyOf` definitions with an OpenAPI `discriminator`, by name.
    pub discriminated: BTreeMap<String, Discriminator>,
    /// Whether some model uses `chrono` (date-time formats); set once every type is added.
    pub uses_chrono: bool,
    /// Whether some model uses `uuid`; set once every type is added.
    pub uses_uuid: bool,
}

/// A `oneOf`/`anyOf` of component schemas with an OpenAPI `discriminator`: the property whose
/// value says which member a value is, and the values that select each member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminator {
    /// The property that carries the tag (`petType`).
    pub property: String,
    /// Each member, in document order: its Rust type name and the tag values that select it
    /// (the `mapping` keys that point at it, else its component name as written).
    pub variants: Vec<(String, Vec<String>)>,
}

impl ModelSpace {
    /// Records which foreign crates the types of `type_space` use.
    pub fn note_foreign_types(&mut self, type_space: &TypeSpace) {
        self.uses_chrono = type_space.uses_chrono();
        self.uses_uuid = type_space.uses_uuid();
    }
}

impl std::fmt::Debug for ModelSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelSpace").field("structs", &self.structs).finish_non_exhaustive()
    }
}

/// Which way a definition is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Reached from a request body or parameter.
    pub request: bool,
    /// Reached from a response.
    pub response: bool,
}

/// Prepares the definitions of `bundle` and converts them with typify.
///
/// `roots` lists, for each usage, the schemas operations use directly (request bodies,
/// responses); everything they reference is classified with them.
///
/// # Errors
///
/// Schemas that cannot be read as JSON Schema, invalid patterns, and anything typify rejects.
/// A definition typify cannot convert becomes `serde_json::Value` (see [`convert_isolated`]),
/// with a warning among the returned [`Diagnostics`].
pub fn lower(
    bundle: &Bundle,
    request_roots: &[Value],
    response_roots: &[Value],
) -> Result<(ModelSpace, TypeSpace, Hoisted, Diagnostics), Diagnostics> {
    lower_checked(bundle, request_roots, response_roots, true)
}

/// [`lower`]; `check_emission` says whether a conversion must also be written out to count as a
/// success ([`check_emission`]; it costs as much again). `crate::lower` checks the final type
/// space once instead, and lowers again with this on only when that fails.
///
/// # Errors
///
/// As [`lower`].
pub fn lower_checked(
    bundle: &Bundle,
    request_roots: &[Value],
    response_roots: &[Value],
    check_emission: bool,
) -> Result<(ModelSpace, TypeSpace, Hoisted, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let components: Map<String, Value> =
        bundle.document.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();

    // Every component gets its Rust name up front (`user-profile` and `UserProfile` would both
    // be `UserProfile`: the later one in sorted order becomes `UserProfile2`), so that neither
    // typify nor the inline names below can collide with one.
    let mut taken = BTreeSet::new();
    let mut renames = BTreeMap::new();
    for name in components.keys() {
        renames.insert(name.clone(), naming::unique_ident_from(naming::type_name(name), &mut taken));
    }
    let mut hoisted = Hoisted::new(taken, renames);
    for (name, schema) in &components {
        let new_name = hoisted.renames[name].clone();
        let mut renamed = hoisted.rename_components(schema.clone());
        const_as_enum(&mut renamed);
        let prepared = hoisted.hoist_root(&new_name, renamed);
        hoisted.defs.insert(new_name, prepared);
    }
    hoisted.resolve_deep_refs();
    hoisted.split_nullable_enums();

    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut request_roots = request_roots.to_vec();
    let mut response_roots = response_roots.to_vec();
    for root in request_roots.iter_mut().chain(response_roots.iter_mut()) {
        *root = hoisted.rewrite_refs(root.clone());
    }
    for name in hoisted.reachable(&request_roots) {
        usage.entry(name).or_default().request = true;
    }
    for name in hoisted.reachable(&response_roots) {
        usage.entry(name).or_default().response = true;
    }

    let mut structs = BTreeMap::new();
    let mut definitions = BTreeMap::new();
    let mut discriminated = BTreeMap::new();
    for (name, schema) in &hoisted.defs {
        let mut schema = schema.clone();
        if let Some(d) = normalize_discriminator(&hoisted, &mut schema) {
            discriminated.insert(name.clone(), d);
        }
        let u = usage.get(name).copied().unwrap_or_default();
        // A definition only requests use is strict; one that any response uses stays
        // forward-compatible, since a client must not break on a newer server's fields.
        let strict = u.request && !u.response;
        let original = hoisted.original_name(name);
        let pointer = format!("/components/schemas/{}", crate::diag::escape_token(&original));
        let (mut prepared, rules) = extract_rules(bundle, &pointer, schema, strict, &mut diags);
        fix_colliding_enums(&mut prepared);
        if is_struct_schema(&prepared) {
            structs.insert(name.clone(), rules);
        }
        definitions.insert(name.clone(), prepared);
    }

    // typify merges `allOf` members by resolving their references; when that leads back to
    // the same merge it never ends (a stack overflow, which aborts the process): such
    // definitions are typed as `serde_json::Value` before typify sees them.
    let mut warnings = Diagnostics::default();
    for (name, ring) in break_endless_merges(&definitions) {
        let (pointer, _) = hoisted.source_pointer(&name);
        let reason = format!("its `allOf` would have to be merged with itself through references: {}", ring.join(" -> "));
        warnings.push(
            bundle
                .diagnostic(&pointer, format!("schema `{name}` cannot be turned into a Rust type ({reason}): it is typed as `serde_json::Value`"))
                .with_help("the generated type accepts any JSON value here; move the recursive `$ref` out of the merged `allOf` members to get a precise type")
                .with_class(WarningClass::DegradedSchema)
                .warning(),
        );
        structs.remove(&name);
        discriminated.remove(&name);
        let degraded = degraded_schema(definitions.get(&name), &reason);
        definitions.insert(name, degraded);
    }

    let settings = type_space_settings();
    let mut typed = Vec::new();
    for (name, value) in &definitions {
        let mut value = value.clone();
        binary_as_bytes(&mut value);
        doc_descriptions(&mut value);
        match serde_json::from_value::<Schema>(value) {
            Ok(schema) => typed.push((name.clone(), schema)),
            Err(e) => diags.push(
                bundle
                    .diagnostic(
                        &format!("/components/schemas/{}", crate::diag::escape_token(name)),
                        format!("not a JSON Schema the generator can read: {e}"),
                    )
                    .with_help("fix the schema so that every keyword has the type JSON Schema requires"),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags.into_result(()).unwrap_err());
    }
    let (type_space, failures) = match convert_isolated(&settings, typed, check_emission) {
        Ok(converted) => converted,
        Err(reason) => {
            return Err(bundle
                .diagnostic(
                    "/components/schemas",
                    format!("internal generator error: the schemas cannot be converted even as `serde_json::Value`: {reason}"),
                )
                .with_help("this is a bug in the generator: please report it with the spec")
                .into())
        }
    };
    for failure in failures {
        let (pointer, _) = hoisted.source_pointer(&failure.name);
        if failure.keyword == DEFAULTS_DROPPED {
            warnings.push(
                bundle
                    .diagnostic(
                        &pointer,
                        format!(
                            "the defaults of schema `{}` cannot be given to its Rust type ({}): they were dropped from the generated code",
                            failure.name, failure.reason
                        ),
                    )
                    .with_help("check that each `default` matches its schema")
                    .with_class(WarningClass::DefaultDropped)
                    .warning(),
            );
            if let Some(Ok(stripped)) = typed_back(definitions.get(&failure.name)) {
                definitions.insert(failure.name.clone(), stripped);
            }
            continue;
        }
        let pointer = format!("{pointer}{}", failure.keyword);
        if is_narrowing(&failure.keyword) {
            let (_, name) = failure.keyword.rsplit_once('/').unwrap_or_default();
            warnings.push(
                bundle
                    .diagnostic(
                        &pointer,
                        format!(
                            "the `{name}` of schema `{}` cannot be expressed in its Rust type ({}): it is not enforced, the type accepts the values it excludes",
                            failure.name, failure.reason
                        ),
                    )
                    .with_help("the generated type keeps everything else of the schema; simplify this keyword to have it checked")
                    .with_class(WarningClass::KeywordDropped)
                    .warning(),
            );
            if let Some(def) = definitions.get_mut(&failure.name) {
                remove_keyword(def, &failure.keyword);
            }
            continue;
        }
        let keyword =
            if failure.keyword.is_empty() { String::new() } else { format!(" (at `{}`)", failure.keyword.trim_start_matches('/')) };
        warnings.push(
            bundle
                .diagnostic(
                    &pointer,
                    format!(
                        "schema `{}`{keyword} cannot be turned into a Rust type ({}): it is typed as `serde_json::Value`",
                        failure.name, failure.reason
                    ),
                )
                .with_help("the generated type accepts any JSON value here; simplify the schema to get a precise type")
                .with_class(WarningClass::DegradedSchema)
                .warning(),
        );
        if let Some(prop) = property_of(&failure.keyword) {
            if let Some(def) = definitions.get_mut(&failure.name) {
                let degraded = degraded_schema(def.pointer(&failure.keyword), &failure.reason);
                def["properties"][prop.as_str()] = degraded;
            }
            continue;
        }
        structs.remove(&failure.name);
        discriminated.remove(&failure.name);
        definitions.insert(failure.name.clone(), degraded_schema(definitions.get(&failure.name), &failure.reason));
    }
    let mut models = ModelSpace { structs, definitions, discriminated, uses_chrono: false, uses_uuid: false };
    models.note_foreign_types(&type_space);
    diags.into_result((models, type_space, hoisted, warnings))
}

/// The definitions whose conversion would make typify merge forever, each with the chain of
/// definitions that closes the loop (see [`endless_merge`]).
pub fn endless_merges(definitions: &BTreeMap<String, Value>) -> BTreeMap<String, Vec<String>> {
    let graph = MergeGraph::new(definitions);
    definitions.iter().filter_map(|(name, schema)| Some((name.clone(), graph.endless(name, schema)?))).collect()
}

/// The fewest definitions to type as `serde_json::Value` so that no conversion merges forever:
/// one definition on a loop at a time (which also frees the definitions that only reach that
/// loop), until none is left. Each with its loop.
fn break_endless_merges(definitions: &BTreeMap<String, Value>) -> Vec<(String, Vec<String>)> {
    let mut definitions = definitions.clone();
    let mut out = Vec::new();
    for _ in 0..definitions.len() {
        let found = endless_merges(&definitions);
        // A definition whose chain comes back to itself is on the loop.
        let Some((name, ring)) = found.iter().find(|(n, c)| c.last() == Some(*n)).or_else(|| found.iter().next()) else { break };
        let (name, ring) = (name.clone(), ring.clone());
        definitions.insert(name.clone(), json!({}));
        out.push((name, ring));
    }
    out
}

/// When converting `schema` would make typify merge forever: the chain of definitions that
/// loops.
///
/// typify converts `allOf` (and a `oneOf`/`anyOf` next to other keywords) by merging, and a merge
/// resolves a `$ref` wherever two schemas meet: a member that is a reference, a property in two
/// members, a property of one member and the `additionalProperties` schema of another, two
/// `additionalProperties` or `items` schemas, and the members of a union being merged. A
/// resolved definition is expanded in turn (its own members, unions and meeting places); when
/// that comes back to a definition already being expanded, typify recurses without end (a stack
/// overflow aborts the process). This follows exactly those references, conservatively (every
/// reference inside two schemas that meet), and reports a loop reachable from `schema`.
pub fn endless_merge(schema: &Value, definitions: &BTreeMap<String, Value>) -> Option<Vec<String>> {
    MergeGraph::new(definitions).endless("(inline schema)", schema)
}

/// Which definitions expanding a definition inside a merge resolves.
struct MergeGraph<'a> {
    definitions: &'a BTreeMap<String, Value>,
    expands: BTreeMap<&'a str, Vec<String>>,
}

impl<'a> MergeGraph<'a> {
    fn new(definitions: &'a BTreeMap<String, Value>) -> Self {
        let expands = definitions
            .iter()
            .map(|(name, schema)| {
                let mut out = Vec::new();
                merged_refs(schema, definitions, &mut out);
                (name.as_str(), out)
            })
            .collect();
        Self { definitions, expands }
    }

    /// A loop of expansions that converting `schema` (named `name`) enters, as a chain.
    fn endless(&self, name: &str, schema: &Value) -> Option<Vec<String>> {
        let mut starts = Vec::new();
        merge_starts(schema, self.definitions, &mut starts);
        for start in starts {
            // Depth-first over the expansions from `start`; a definition met again on the
            // current path is a loop.
            let mut path: Vec<String> = vec![name.to_string(), start.clone()];
            let mut done: BTreeSet<String> = BTreeSet::new();
            if self.loops(&start, &mut path, &mut done) {
                return Some(path);
            }
        }
        None
    }

    fn loops(&self, node: &str, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> bool {
        if path.len() > 64 || done.contains(node) {
            return false;
        }
        for next in self.expands.get(node).into_iter().flatten() {
            if path.iter().any(|p| p == next) {
                path.push(next.clone());
                return true;
            }
            path.push(next.clone());
            if self.loops(next, path, done) {
                return true;
            }
            path.pop();
        }
        done.insert(node.to_string());
        false
    }
}

/// The references resolved when converting `schema` starts merges: every `allOf` (and every
/// union next to other keywords) anywhere in it.
fn merge_starts(schema: &Value, definitions: &BTreeMap<String, Value>, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            let asserting = asserts_beside_union(map);
            if map.contains_key("allOf") || (asserting && (map.contains_key("oneOf") || map.contains_key("anyOf"))) {
                let mut own = Vec::new();
                merged_refs(schema, definitions, &mut own);
                // The schema's own `$ref` (beside the merge) is resolved too; plain references
                // elsewhere are not.
                out.extend(own);
            }
            for (k, v) in map {
                if matches!(k.as_str(), "enum" | "const" | "default" | "example" | "examples") || k.starts_with("x-") {
                    continue;
                }
                merge_starts(v, definitions, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| merge_starts(v, definitions, out)),
        _ => {}
    }
}

/// True when a schema has keywords beside its `oneOf`/`anyOf` that typify merges into each
/// member.
fn asserts_beside_union(map: &Map<String, Value>) -> bool {
    map.keys()
        .any(|k| !matches!(k.as_str(), "oneOf" | "anyOf" | "discriminator" | "description" | "title" | "$ref") && !k.starts_with("x-"))
}

/// The references resolved when `schema` is expanded inside a merge: its own `$ref`, the members
/// of its combinators (inline members expanded in turn), and every reference where two `allOf`
/// members meet.
fn merged_refs(schema: &Value, definitions: &BTreeMap<String, Value>, out: &mut Vec<String>) {
    let Some(map) = schema.as_object() else { return };
    if let Some(target) = ref_target(schema) {
        out.push(target);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in map.get(key).and_then(Value::as_array).into_iter().flatten() {
            merged_refs(member, definitions, out);
        }
    }
    let Some(Value::Array(members)) = map.get("allOf") else { return };
    let resolved: Vec<&Value> = members.iter().map(|m| ref_target(m).and_then(|t| definitions.get(&t)).unwrap_or(m)).collect();
    let mut meeting: Vec<&Value> = Vec::new();
    for (i, a) in resolved.iter().enumerate() {
        for (j, b) in resolved.iter().enumerate() {
            if i == j {
                continue;
            }
            let b_extra = b.get("additionalProperties").filter(|v| v.is_object());
            for (name, prop) in a.get("properties").and_then(Value::as_object).into_iter().flatten() {
                match b.get("properties").and_then(|p| p.get(name)) {
                    Some(other) => meeting.extend([prop, other]),
                    None => meeting.extend(b_extra.map(|extra| [prop, extra]).into_iter().flatten()),
                }
            }
            for key in ["additionalProperties", "items"] {
                if let (Some(x), Some(y)) = (a.get(key).filter(|v| v.is_object()), b.get(key).filter(|v| v.is_object())) {
                    meeting.extend([x, y]);
                }
            }
        }
    }
    for place in meeting {
        collect_ref_names(place, out);
    }
}

/// Gives a nested schema left inline that typify would still make a named type (a constrained
/// string, an enum, a merged `allOf`) a name of ours as its `title`. typify names such a type
/// after its `title`, else after the parent and the property: a title may be any component's
/// name, a property without letters or digits (`""`, `"#"`) gives the parent's own name, and
/// `None`/`none` give one name to two types. `hint` is the parent's name and the property.
fn name_nested(map: &mut Map<String, Value>, hint: &str, taken: &mut BTreeSet<String>) {
    if map.contains_key("$ref") {
        return;
    }
    let title = map.get("title").and_then(Value::as_str).map(naming::type_name);
    let nameless = hint.rsplit_once(' ').is_some_and(|(_, last)| naming::words(last).is_empty());
    let constrained_string =
        map.get("type") == Some(&json!("string")) && ["minLength", "maxLength", "pattern"].iter().any(|k| map.contains_key(*k));
    let named = map.contains_key("enum") || map.contains_key("allOf") || constrained_string;
    if title.is_some() || nameless || named {
        let candidate =
            title.unwrap_or_else(|| if nameless { format!("{}Value", naming::pascal_case(hint)) } else { naming::type_name(hint) });
        let name = naming::unique_ident_from(candidate, taken);
        map.insert("title".into(), Value::String(name));
    }
}

/// [`name_nested`] for every subschema of an inline schema (one typify converts whole, named
/// `name`): properties, items, additional properties and union members.
pub fn name_inline_nested(schema: &mut Value, name: &str, taken: &mut BTreeSet<String>) {
    fn walk(value: &mut Value, hint: &str, taken: &mut BTreeSet<String>, root: bool) {
        let Value::Object(map) = value else { return };
        if !root {
            name_nested(map, hint, taken);
        }
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for (prop, sub) in props.iter_mut() {
                walk(sub, &format!("{hint} {prop}"), taken, false);
            }
        }
        for (key, word) in [("items", "item"), ("additionalProperties", "additionalProperties")] {
            if let Some(sub) = map.get_mut(key) {
                walk(sub, &format!("{hint} {word}"), taken, false);
            }
        }
        // Members are converted as part of their union: their insides are nested.
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = map.get_mut(key) {
                for member in members {
                    walk(member, hint, taken, true);
                }
            }
        }
    }
    walk(schema, name, taken, true);
}

/// The properties of `allOf` members that typify merges with something of another member: a
/// property of the same name, or that member's `additionalProperties` schema.
fn meeting_properties(members: &[Value], defs: &BTreeMap<String, Value>) -> BTreeSet<String> {
    let resolved: Vec<&Value> = members.iter().map(|m| ref_target(m).and_then(|t| defs.get(&t)).unwrap_or(m)).collect();
    let mut out = BTreeSet::new();
    for (i, a) in resolved.iter().enumerate() {
        for (name, _) in a.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let meets = resolved.iter().enumerate().any(|(j, b)| {
                j != i
                    && (b.get("properties").and_then(|p| p.get(name)).is_some()
                        || b.get("additionalProperties").is_some_and(Value::is_object))
            });
            if meets {
                out.insert(name.clone());
            }
        }
    }
    out
}

/// The definition a schema that is a `$ref` to a component names.
fn ref_target(schema: &Value) -> Option<String> {
    let name = schema.get("$ref")?.as_str()?.strip_prefix(COMPONENT_PREFIX)?;
    Some(crate::diag::unescape_token(name.split('/').next().unwrap_or(name)))
}

/// Makes every `description` of a schema safe as the doc comment typify writes from it
/// ([`crate::emit::doc_text`]: code blocks from the spec are text, not doctests).
pub fn doc_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match (k.as_str(), v) {
                    ("description", Value::String(text)) => *text = crate::emit::doc_text(text),
                    ("enum" | "const" | "default" | "example" | "examples", _) => {}
                    (_, v) => doc_descriptions(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(doc_descriptions),
        _ => {}
    }
}

/// A prepared definition without its defaults, as kept in [`ModelSpace::definitions`].
fn typed_back(definition: Option<&Value>) -> Option<Result<Value, serde_json::Error>> {
    let schema: Schema = serde_json::from_value(definition?.clone()).ok()?;
    Some(serde_json::to_value(without_defaults(&schema)))
}

/// typify's settings for every API.
fn type_space_settings() -> TypeSpaceSettings {
    let mut settings = TypeSpaceSettings::default();
    settings
        // Builders are emitted by us, for request models only (see `emit::models`).
        .with_struct_builder(false)
        .with_type_mod("models")
        .with_attr("#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]".to_string())
        // `format: binary` strings are `apigen_runtime::Binary` (see `binary_as_bytes`).
        .with_crate("apigen-runtime", typify_impl::CrateVers::Any, None);
    settings
}

/// The schema a definition that cannot be typed is replaced by: any JSON value, with its
/// description and the reason.
pub fn degraded_schema(original: Option<&Value>, reason: &str) -> Value {
    let note = format!(
        "The generator could not turn this schema into a Rust type ({reason}), so any JSON value is accepted here; see `openapi.json` for the schema."
    );
    let description = match original.and_then(|o| o.get("description")).and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note,
    };
    json!({ "description": description })
}

/// One definition typify could not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The definition's Rust name.
    pub name: String,
    /// typify's first line of complaint (an error or a panic message).
    pub reason: String,
    /// The JSON pointer, inside the definition, of the keyword whose removal lets it convert
    /// (`/properties/kind`, `/default`); empty when no single keyword was found.
    pub keyword: String,
}

/// How many typify conversions the search for failing definitions may run; beyond it, every
/// remaining definition of the failing set is degraded at once.
const ISOLATION_BUDGET: usize = 400;

/// Converts every definition with typify; when that fails (an error, a panic, a `todo!`), finds
/// the definitions that make it fail and converts them as `serde_json::Value`.
///
/// Each round converts everything once; if that fails, a binary search over prefixes (the
/// definitions past the prefix replaced by `{}`) finds the shortest failing prefix, whose last
/// definition takes part in the failure: it is degraded and the round repeats. A document whose
/// definitions all convert costs one conversion, as before; each failing definition costs about
/// log2(n) more, plus a few to name the keyword. Every failure is reported in the same run.
///
/// # Errors
///
/// Only when the conversion fails with every definition degraded (a bug).
pub fn convert_isolated(
    settings: &TypeSpaceSettings,
    mut typed: Vec<(String, Schema)>,
    check_emission: bool,
) -> Result<(TypeSpace, Vec<Failure>), String> {
    let mut failures: Vec<Failure> = Vec::new();
    let mut budget = ISOLATION_BUDGET;
    let empty: Schema = Schema::Object(Default::default());
    loop {
        // Emission is checked only when conversion succeeds (it costs as much again), and the
        // search for the culprit checks what failed: conversion, or conversion and emission.
        let (reason, conv) = match typify_all(settings, &typed) {
            Ok(space) if !check_emission => return Ok((space, failures)),
            Ok(space) => match self::check_emission(&space) {
                Ok(_) => return Ok((space, failures)),
                Err(reason) => (reason, Converter { settings, emit: true }),
            },
            Err(reason) => (reason, Converter { settings, emit: false }),
        };
        let candidates: Vec<usize> = (0..typed.len()).filter(|i| !failures.iter().any(|f| f.name == typed[*i].0)).collect();
        if candidates.is_empty() {
            return Err(reason);
        }
        let with_prefix = |k: usize, typed: &[(String, Schema)]| -> Vec<(String, Schema)> {
            let mut out = typed.to_vec();
            for &i in &candidates[k..] {
                out[i].1 = empty.clone();
            }
            out
        };
        if budget < 2 * (usize::BITS - candidates.len().leading_zeros()) as usize + 2 {
            // Out of budget: degrade every remaining definition (still a compiling crate).
            for &i in &candidates {
                failures.push(Failure { name: typed[i].0.clone(), reason: reason.clone(), keyword: String::new() });
                typed[i].1 = empty.clone();
            }
            continue;
        }
        // The shortest failing prefix: `lo` converts, `hi` fails.
        let (mut lo, mut hi, mut why) = (0, candidates.len(), reason);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            budget = budget.saturating_sub(1);
            match conv.run(&with_prefix(mid, &typed)) {
                Ok(_) => lo = mid,
                Err(r) => {
                    hi = mid;
                    why = r;
                }
            }
        }
        let context = with_prefix(hi, &typed);
        // typify checks each default against the type it builds for the schema, and fails on
        // defaults it cannot check; the definition *with* the default may be another than the
        // one the search stopped at. Dropping that default loses less than a whole type.
        if let Some(owner) = default_owner(&conv, &context, &candidates[..hi], &mut budget) {
            failures.push(Failure { name: typed[owner].0.clone(), reason: why, keyword: DEFAULTS_DROPPED.to_string() });
            typed[owner].1 = without_defaults(&typed[owner].1);
            continue;
        }
        let culprit = candidates[hi - 1];
        let keyword = failing_keyword(&conv, &context, culprit, &mut budget);
        let original = serde_json::to_value(&typed[culprit].1).unwrap_or(Value::Null);
        let replacement = match property_of(&keyword) {
            // A keyword that only narrows the type fails: the type stays, without it.
            _ if is_narrowing(&keyword) => {
                let mut schema = original.clone();
                remove_keyword(&mut schema, &keyword);
                schema
            }
            // One property fails: it alone becomes any JSON value, the struct stays.
            Some(prop) => {
                let mut schema = original.clone();
                schema["properties"][prop.as_str()] = degraded_schema(original.pointer(&keyword), &why);
                schema
            }
            None => degraded_schema(Some(&original), &why),
        };
        typed[culprit].1 = serde_json::from_value(replacement).unwrap_or_else(|_| empty.clone());
        failures.push(Failure { name: typed[culprit].0.clone(), reason: why, keyword });
    }
}

/// Keywords that only narrow a type (`not`, `format`, `enum`): when typify fails on one, the
/// definition keeps the type it has without it, which accepts more values, instead of becoming
/// `serde_json::Value`.
const NARROWING: &[&str] = &["not", "format", "enum"];

/// Whether a keyword pointer of [`failing_keyword`] names a narrowing keyword of the definition or
/// of one of its properties (`/not`, `/properties/kind/format`).
fn is_narrowing(keyword: &str) -> bool {
    let Some((parent, last)) = keyword.rsplit_once('/') else { return false };
    NARROWING.contains(&last) && (parent.is_empty() || property_of(parent).is_some())
}

/// Removes the keyword at `pointer` (`/properties/kind/not`) from a schema, and says so in the
/// description there (the generated doc comment).
fn remove_keyword(schema: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    if let Some(Value::Object(map)) = schema.pointer_mut(parent) {
        let keyword = crate::diag::unescape_token(last);
        if map.remove(&keyword).is_some() {
            let note = format!("The schema's `{keyword}` cannot be expressed in this Rust type and is not enforced: see `openapi.json`.");
            let description = match map.get("description").and_then(Value::as_str) {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            };
            map.insert("description".into(), Value::String(description));
        }
    }
}

/// The property a keyword pointer of [`failing_keyword`] names (`/properties/kind` -> `kind`).
fn property_of(keyword: &str) -> Option<String> {
    let name = keyword.strip_prefix("/properties/")?;
    (!name.contains('/')).then(|| crate::diag::unescape_token(name))
}

/// [`Failure::keyword`] of a definition whose defaults were dropped (the type is kept).
pub const DEFAULTS_DROPPED: &str = "#defaults";

/// When removing every `default` of the `real` definitions lets `context` convert: the first
/// definition whose defaults must go (found by binary search over prefixes).
fn default_owner(conv: &Converter<'_>, context: &[(String, Schema)], real: &[usize], budget: &mut usize) -> Option<usize> {
    let stripped = |k: usize| -> Vec<(String, Schema)> {
        let mut out = context.to_vec();
        for &i in &real[..k] {
            out[i].1 = without_defaults(&out[i].1);
        }
        out
    };
    *budget = budget.checked_sub(1)?;
    conv.run(&stripped(real.len())).ok()?;
    // `lo` stripped still fails, `hi` stripped converts.
    let (mut lo, mut hi) = (0, real.len());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        *budget = budget.saturating_sub(1);
        if conv.run(&stripped(mid)).is_ok() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(real[hi - 1])
}

/// `schema` without any `default` (in schema positions; data is left alone).
fn without_defaults(schema: &Schema) -> Schema {
    let Ok(mut value) = serde_json::to_value(schema) else { return schema.clone() };
    strip_defaults(&mut value);
    serde_json::from_value(value).unwrap_or_else(|_| schema.clone())
}

/// Removes every `default` of a schema and its subschemas (data is left alone); true when
/// there was one.
pub fn strip_defaults(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut found = map.remove("default").is_some();
            for (k, v) in map.iter_mut() {
                match (k.as_str(), v) {
                    ("enum" | "const" | "examples" | "example", _) => {}
                    // Maps of names to schemas: a property may be called `default`.
                    ("properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas", Value::Object(subs)) => {
                        for sub in subs.values_mut() {
                            found |= strip_defaults(sub);
                        }
                    }
                    (_, v) => found |= strip_defaults(v),
                }
            }
            found
        }
        Value::Array(items) => items.iter_mut().fold(false, |found, v| strip_defaults(v) | found),
        _ => false,
    }
}

/// The keyword of definition `culprit` whose removal lets `context` convert: `default`, one
/// property, one combinator or `items`, tried in that order (within the budget).
fn failing_keyword(conv: &Converter<'_>, context: &[(String, Schema)], culprit: usize, budget: &mut usize) -> String {
    let Ok(Value::Object(schema)) = serde_json::to_value(&context[culprit].1) else { return String::new() };
    let mut tries: Vec<(String, Value)> = Vec::new();
    let without = |key: &str| {
        let mut s = schema.clone();
        s.remove(key);
        Value::Object(s)
    };
    for key in ["default", "enum", "format", "not"] {
        if schema.contains_key(key) {
            tries.push((format!("/{key}"), without(key)));
        }
    }
    // A narrowing keyword of one property (its type stays), before the whole property.
    for (prop, sub) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        for key in NARROWING {
            if sub.get(*key).is_some() {
                let mut s = Value::Object(schema.clone());
                remove_keyword(&mut s, &format!("/properties/{}/{key}", crate::diag::escape_token(prop)));
                tries.push((format!("/properties/{}/{key}", crate::diag::escape_token(prop)), s));
            }
        }
    }
    for (prop, _) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let mut s = schema.clone();
        s["properties"][prop] = json!({});
        tries.push((format!("/properties/{}", crate::diag::escape_token(prop)), Value::Object(s)));
    }
    for key in ["allOf", "anyOf", "oneOf", "items", "additionalProperties", "not"] {
        if schema.contains_key(key) {
            tries.push((format!("/{key}"), without(key)));
        }
    }
    for (pointer, variant) in tries.into_iter().take(24) {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let Ok(variant) = serde_json::from_value::<Schema>(variant) else { continue };
        let mut attempt = context.to_vec();
        attempt[culprit].1 = variant;
        if conv.run(&attempt).is_ok() {
            return pointer;
        }
    }
    String::new()
}

/// One conversion of every definition into a fresh type space.
fn typify_all(settings: &TypeSpaceSettings, typed: &[(String, Schema)]) -> Result<TypeSpace, String> {
    let mut space = TypeSpace::new(settings);
    catch(|| space.add_ref_types(typed.to_vec()).map_err(|e| e.to_string()))?;
    Ok(space)
}

/// What counts as a success while searching for the definitions that fail: the conversion,
/// and with `emit` also its emission ([`check_emission`]): typify accepts some schemas it then
/// cannot write out (a `default` of a unit type panics in `to_stream`).
struct Converter<'a> {
    settings: &'a TypeSpaceSettings,
    emit: bool,
}

impl Converter<'_> {
    fn run(&self, typed: &[(String, Schema)]) -> Result<TypeSpace, String> {
        let space = typify_all(self.settings, typed)?;
        if self.emit {
            check_emission(&space)?;
        }
        Ok(space)
    }
}

/// Whether typify can write out the code of `space`: its `to_stream` does not panic (it does on
/// some defaults it accepted), and every struct literal it writes (the `Default` of a type with
/// a default value) names every field: typify leaves out the fields whose default value it
/// cannot render, which would not compile.
pub fn check_emission(space: &TypeSpace) -> Result<syn::File, String> {
    let tokens = catch(|| Ok(space.to_stream()))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("typify wrote code that does not parse: {e}"))?;
    // Field names with their number: typify may write two fields of one name (`HTML` and `html`),
    // which the models emitter renames apart.
    let count = |names: &mut dyn Iterator<Item = String>| {
        let mut out: BTreeMap<String, usize> = BTreeMap::new();
        for n in names {
            *out.entry(n).or_default() += 1;
        }
        out
    };
    let mut fields: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Struct(s) = item {
            if let syn::Fields::Named(named) = &s.fields {
                fields
                    .insert(s.ident.to_string(), count(&mut named.named.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string))));
            }
        }
    }
    struct Literals<'a> {
        fields: &'a BTreeMap<String, BTreeMap<String, usize>>,
        incomplete: Option<String>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Literals<'_> {
        fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
            let name = e.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            if let (Some(declared), None) = (self.fields.get(&name), &e.rest) {
                let mut given: BTreeMap<String, usize> = BTreeMap::new();
                for f in &e.fields {
                    if let syn::Member::Named(i) = &f.member {
                        *given.entry(i.to_string()).or_default() += 1;
                    }
                }
                if let Some((missing, _)) = declared.iter().find(|(f, n)| given.get(*f).copied().unwrap_or(0) < **n) {
                    self.incomplete
                        .get_or_insert_with(|| format!("typify cannot write the default value of `{name}`: it leaves out `{missing}`"));
                }
            }
            syn::visit::visit_expr_struct(self, e);
        }
    }
    let mut visitor = Literals { fields: &fields, incomplete: None };
    syn::visit::Visit::visit_file(&mut visitor, &file);
    match visitor.incomplete {
        Some(reason) => Err(reason),
        None => Ok(file),
    }
}

/// Runs `f`, turning a panic (typify has `todo!`s, assertions and `unreachable!`s for schemas it
/// does not support) into an error with the panic's first line.
///
/// The panic is not printed. The process-wide panic hook is never swapped per call (threads
/// generating at the same time would race and could leave every later panic of the process
/// silent): a hook that stays quiet only on threads inside `catch` is installed once, in front of
/// whatever hook was there.
pub fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    thread_local! {
        static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(std::cell::Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    let message = match result {
        Ok(r) => return r.map_err(|e| e.lines().next().unwrap_or_default().trim().to_string()),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "unknown failure".into()),
    };
    // Panic messages may go on with a `{:#?}` dump: the first line, without its opening bracket.
    // A user reads it as the reason a schema was degraded: it names typify, not an internal
    // error of ours (`unreachable!` says "internal error: entered unreachable code").
    let first = message.lines().next().unwrap_or_default().trim().trim_end_matches([':', '(', '{', '[', ' ']);
    let first = first.strip_prefix("internal error: ").unwrap_or(first);
    Err(if first.is_empty() { "typify cannot handle it".to_string() } else { format!("typify cannot handle it: {first}") })
}

/// Marks every `{"type": "string", "format": "binary"}` in schema positions for typify as
/// `apigen_runtime::Binary` (`x-rust-type`): a file's bytes, which a `String` cannot hold.
pub fn binary_as_bytes(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let binary =
                map.get("type").and_then(Value::as_str) == Some("string") && map.get("format").and_then(Value::as_str) == Some("binary");
            if binary {
                map.insert(
                    "x-rust-type".into(),
                    serde_json::json!({ "crate": "apigen-runtime", "version": "*", "path": "apigen_runtime::Binary" }),
                );
            }
            for (key, sub) in map.iter_mut() {
                match key.as_str() {
                    "properties" | "patternProperties" | "$defs" | "definitions" => {
                        if let Value::Object(subs) = sub {
                            subs.values_mut().for_each(binary_as_bytes);
                        }
                    }
                    "items" | "additionalProperties" | "allOf" | "anyOf" | "oneOf" | "prefixItems" | "not" => binary_as_bytes(sub),
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(binary_as_bytes),
        _ => {}
    }
}

/// Rewrites every scalar `const` (a string, integer, number or boolean) into the equivalent
/// one-value `enum` with its `type`: typify turns a lone `const` into `serde_json::Value`, which
/// accepts anything, and a one-value enum into a type that accepts only that value. Only schema
/// positions are visited, so examples, defaults and properties named `const` stay as they are.
pub fn const_as_enum(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    if !map.contains_key("enum") {
        let ty = match map.get("const") {
            Some(Value::String(_)) => Some("string"),
            Some(Value::Bool(_)) => Some("boolean"),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some("integer"),
            Some(Value::Number(_)) => Some("number"),
            _ => None,
        };
        let compatible = |t: &str| match map.get("type") {
            None => true,
            Some(Value::String(declared)) => declared == t || (declared == "number" && t == "integer"),
            _ => false,
        };
        if let Some(ty) = ty.filter(|t| compatible(t)) {
            if let Some(value) = map.remove("const") {
                map.entry("type").or_insert_with(|| Value::String(ty.to_string()));
                map.insert("enum".into(), Value::Array(vec![value]));
            }
        }
    }
    for key in [
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
    ] {
        if let Some(sub) = map.get_mut(key) {
            const_as_enum(sub);
        }
    }
    for key in ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] {
        if let Some(Value::Object(subs)) = map.get_mut(key) {
            subs.values_mut().for_each(const_as_enum);
        }
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(Value::Array(subs)) = map.get_mut(key) {
            subs.iter_mut().for_each(const_as_enum);
        }
    }
}

/// Reads the OpenAPI `discriminator` of a `oneOf`/`anyOf` whose members are all component
/// references, and rewrites its `mapping` into the complete form every later stage reads: each
/// tag value -> `#/components/schemas/<Rust name>`, the explicit entries first (written as a
/// reference or a bare component name), then each member no entry names, under its component
/// name as written (the OpenAPI rule for implicit mappings). Entries that name no member are
/// dropped. `None` (and the schema untouched) when there is no discriminator, or a member is not
/// a component reference (an inline member has no name to be selected by): typify's untagged
/// enum then decides by shape.
fn normalize_discriminator(hoisted: &Hoisted, schema: &mut Value) -> Option<Discriminator> {
    let property = schema.pointer("/discriminator/propertyName")?.as_str()?.to_string();
    let members = schema.get("oneOf").or_else(|| schema.get("anyOf"))?.as_array()?;
    let mut variants: Vec<(String, Vec<String>)> = Vec::new();
    for member in members {
        let name = member.get("$ref")?.as_str()?.strip_prefix(COMPONENT_PREFIX)?;
        if name.contains('/') {
            return None;
        }
        variants.push((name.to_string(), Vec::new()));
    }
    let explicit = schema.pointer("/discriminator/mapping").and_then(Value::as_object).cloned().unwrap_or_default();
    for (tag, target) in &explicit {
        let Some(target) = target.as_str() else { continue };
        let original = crate::diag::unescape_token(target.strip_prefix(COMPONENT_PREFIX).unwrap_or(target));
        let rust = hoisted.renames.get(&original).cloned().unwrap_or(original);
        if let Some((_, tags)) = variants.iter_mut().find(|(n, _)| *n == rust) {
            tags.push(tag.clone());
        }
    }
    for (rust, tags) in &mut variants {
        if tags.is_empty() {
            tags.push(hoisted.original_name(rust));
        }
    }
    // Two members selected by the same value cannot be told apart: leave them to typify.
    let mut seen = BTreeSet::new();
    if !variants.iter().flat_map(|(_, tags)| tags).all(|t| seen.insert(t.clone())) {
        return None;
    }
    let mapping: Map<String, Value> = variants
        .iter()
        .flat_map(|(rust, tags)| tags.iter().map(move |t| (t.clone(), Value::String(format!("{COMPONENT_PREFIX}{rust}")))))
        .collect();
    schema["discriminator"]["mapping"] = Value::Object(mapping);
    // Tells the server's body checker that every member is in the mapping.
    schema["discriminator"]["x-mapping-complete"] = Value::Bool(true);
    Some(Discriminator { property, variants })
}

/// Replaces string enums whose values collide once turned into Rust identifiers (`add`/`Add`,
/// `reactions-+1`/`reactions--1`) by plain strings, which typify cannot name; the allowed
/// values move to the description. Applied to every schema before typify sees it.
pub fn fix_colliding_enums(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(values)) = map.get("enum") {
                let names: Vec<Option<String>> = values.iter().map(|v| v.as_str().map(naming::pascal_case)).collect();
                let mut seen = BTreeSet::new();
                let collides = names.iter().flatten().any(|n| !seen.insert(n.clone()));
                if collides {
                    let listed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    let note = format!("One of: {}.", listed.join(", "));
                    let description = match map.get("description").and_then(Value::as_str) {
                        Some(d) => format!("{d}\n\n{note}"),
                        None => note,
                    };
                    map.remove("enum");
                    map.insert("description".into(), Value::String(description));
                }
            }
            for (k, v) in map.iter_mut() {
                if !matches!(k.as_str(), "default" | "example" | "examples" | "const") {
                    fix_colliding_enums(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_colliding_enums),
        _ => {}
    }
}

/// True for inline schemas that typify would turn into a named type of its own (structs, enums,
/// unions): these are hoisted so that we choose their names. A nullable wrapper (`anyOf: [X,
/// null]`) or a single-schema `allOf` is not a type of its own.
pub(crate) fn is_named_type(map: &Map<String, Value>) -> bool {
    if map.get("properties").is_some_and(Value::is_object) {
        return true;
    }
    // A `$ref` with keywords that constrain values is a merge of its target with them: named,
    // typify merges it once, and a recursion through it goes by that name (inline, a recursive
    // target made typify merge forever until the stack overflowed).
    if map.contains_key("$ref") && map.keys().any(|k| k != "$ref" && !crate::validate::is_annotation(k)) {
        return true;
    }
    if map.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() > 1 && e.iter().all(Value::is_string)) {
        return true;
    }
    ["oneOf", "anyOf", "allOf"].iter().any(|k| {
        map.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|subs| subs.iter().filter(|s| s.get("type").and_then(Value::as_str) != Some("null")).count() >= 2)
    })
}

/// True for schemas that become structs: objects with properties.
fn is_struct_schema(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
}

/// Definitions after hoisting, and the map from deep references to definitions.
#[derive(Debug, Clone, Default)]
pub struct Hoisted {
    /// Name -> schema, with inline objects replaced by references.
    pub defs: BTreeMap<String, Value>,
    /// `(definition, pointer inside it)` -> name of the hoisted definition.
    pub moved: BTreeMap<(String, String), String>,
    /// Component name as written -> its Rust name.
    pub renames: BTreeMap<String, String>,
    /// Every type name given out so far.
    pub taken: BTreeSet<String>,
}

impl Hoisted {
    fn new(taken: BTreeSet<String>, renames: BTreeMap<String, String>) -> Self {
        Self { defs: BTreeMap::new(), moved: BTreeMap::new(), renames, taken }
    }

    /// typify names the inner enum of a nullable enum definition after the definition itself,
    /// which defines the name twice. Such a definition becomes `anyOf: [<Name>Value, null]`
    /// with the non-null enum as its own definition `<Name>Value`.
    fn split_nullable_enums(&mut self) {
        let mut splits = Vec::new();
        for (name, schema) in &self.defs {
            let Some(map) = schema.as_object() else { continue };
            let Some(values) = map.get("enum").and_then(Value::as_array) else { continue };
            let nullable_type = map.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|v| v == "null"));
            if !(values.iter().any(Value::is_null) || nullable_type) {
                continue;
            }
            let mut inner = map.clone();
            inner.insert("enum".into(), Value::Array(values.iter().filter(|v| !v.is_null()).cloned().collect()));
            if let Some(Value::Array(types)) = inner.get("type").cloned() {
                let kept: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
                let kept = if kept.len() == 1 { kept[0].clone() } else { Value::Array(kept) };
                inner.insert("type".into(), kept);
            }
            inner.remove("title");
            splits.push((name.clone(), inner, map.get("description").cloned()));
        }
        for (name, inner, description) in splits {
            let value_name = naming::unique_ident_from(format!("{name}Value"), &mut self.taken);
            self.defs.insert(value_name.clone(), Value::Object(inner));
            let mut outer = json!({ "anyOf": [{ "$ref": format!("{COMPONENT_PREFIX}{value_name}") }, { "type": "null" }] });
            if let Some(d) = description {
                outer["description"] = d;
            }
            self.defs.insert(name, outer);
        }
    }

    /// Where definition `rust_name` comes from in the bundled document: the pointer of its
    /// component, or of the inline schema it was hoisted from; and whether it was found.
    pub fn source_pointer(&self, rust_name: &str) -> (String, bool) {
        let mut name = rust_name.to_string();
        let mut tail = String::new();
        for _ in 0..64 {
            if let Some(original) = self.renames.iter().find(|(_, v)| **v == name).map(|(k, _)| k.clone()) {
                return (format!("{}{tail}", definition_pointer(&original)), true);
            }
            match self.moved.iter().find(|(_, v)| **v == name) {
                Some(((parent, inner), _)) => {
                    tail = format!("{inner}{tail}");
                    name = parent.clone();
                }
                None => break,
            }
        }
        (definition_pointer(rust_name), false)
    }

    /// The component name as written for a Rust definition name (for diagnostics).
    pub fn original_name(&self, rust_name: &str) -> String {
        self.renames.iter().find(|(_, v)| v.as_str() == rust_name).map_or_else(|| rust_name.to_string(), |(k, _)| k.clone())
    }

    /// Rewrites `#/components/schemas/<as written>...` to `#/components/schemas/<Rust name>...`.
    fn rename_components(&self, value: Value) -> Value {
        match value {
            Value::Object(mut map) => {
                if let Some(Value::String(r)) = map.get("$ref").cloned() {
                    if let Some(rest) = r.strip_prefix(COMPONENT_PREFIX) {
                        let (def, tail) = rest.split_once('/').map_or((rest, String::new()), |(d, t)| (d, format!("/{t}")));
                        let def = crate::diag::unescape_token(def);
                        if let Some(new_name) = self.renames.get(&def) {
                            map.insert("$ref".into(), Value::String(format!("{COMPONENT_PREFIX}{new_name}{tail}")));
                        }
                    }
                }
                Value::Object(map.into_iter().map(|(k, v)| (k, self.rename_components(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.rename_components(v)).collect()),
            other => other,
        }
    }

    fn hoist_root(&mut self, name: &str, schema: Value) -> Value {
        self.hoist(name, name, "", schema, true)
    }

    /// Walks `schema` (at `pointer` inside definition `def`) and moves nested object schemas
    /// out into their own definitions.
    fn hoist(&mut self, def: &str, hint: &str, pointer: &str, schema: Value, is_root: bool) -> Value {
        let Value::Object(mut map) = schema else { return schema };
        if !is_root && is_named_type(&map) {
            let title = map.get("title").and_then(Value::as_str).map(naming::type_name);
            let candidate = title.unwrap_or_else(|| naming::type_name(hint));
            let name = naming::unique_ident_from(candidate, &mut self.taken);
            self.moved.insert((def.to_string(), pointer.to_string()), name.clone());
            let inner = self.hoist(&name, &name, "", Value::Object(map), true);
            // Each moved definition is recorded under both its new home and its old pointer.
            self.defs.insert(name.clone(), inner);
            return json!({ "$ref": format!("{COMPONENT_PREFIX}{name}") });
        }
        if !is_root {
            name_nested(&mut map, hint, &mut self.taken);
        }
        for key in ["properties", "patternProperties", "$defs", "definitions"] {
            if let Some(Value::Object(props)) = map.remove(key) {
                let mut out = Map::new();
                for (prop, sub) in props {
                    let ptr = format!("{pointer}/{key}/{}", crate::diag::escape_token(&prop));
                    let sub_hint = format!("{hint} {prop}");
                    out.insert(prop, self.hoist(def, &sub_hint, &ptr, sub, false));
                }
                map.insert(key.to_string(), Value::Object(out));
            }
        }
        for key in ["items", "additionalProperties", "not", "contains", "propertyNames"] {
            if let Some(sub) = map.remove(key) {
                let ptr = format!("{pointer}/{key}");
                let sub_hint = if key == "items" { format!("{hint} item") } else { format!("{hint} {key}") };
                map.insert(key.to_string(), self.hoist(def, &sub_hint, &ptr, sub, false));
            }
        }
        // Subschemas of `allOf`/`anyOf`/`oneOf` stay inline: typify merges `allOf` and turns
        // `oneOf` variants into (tagged) enum variants only when it sees them whole. What is
        // *inside* a member (an enum property of an `allOf` part) is hoisted like any other
        // nested type, so that it gets a name of ours: typify would name it after the parent
        // and the property, which may be an existing component's name.
        // Where two `allOf` members meet at a property (both have it, or one has it and the
        // other an `additionalProperties` schema), typify merges the two and names the result
        // after the parent and the property: that name is typify's, a type hoisted from the
        // property takes another.
        if let Some(Value::Array(members)) = map.get("allOf") {
            for prop in meeting_properties(members, &self.defs) {
                self.taken.insert(naming::type_name(&format!("{hint} {prop}")));
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = map.get_mut(key) {
                for (i, member) in members.iter_mut().enumerate() {
                    let taken = std::mem::take(member);
                    *member = self.hoist(def, hint, &format!("{pointer}/{key}/{i}"), taken, true);
                }
            }
        }
        Value::Object(map)
    }

    /// Rewrites references into definitions (`#/components/schemas/A/properties/b`) to the
    /// hoisted definition they now name, everywhere in the definitions.
    fn resolve_deep_refs(&mut self) {
        let names: Vec<String> = self.defs.keys().cloned().collect();
        for name in names {
            let value = self.defs.remove(&name).unwrap_or(Value::Null);
            // Definitions already use Rust names: resolve deep references only.
            let value = self.rewrite_refs_bounded(value, 0);
            self.defs.insert(name, value);
        }
    }

    /// Rewrites references in `value` (from the bundled document) to Rust definition names, and
    /// deep references to the hoisted definition where one was moved there, else to an inline
    /// copy of the target.
    pub fn rewrite_refs(&self, value: Value) -> Value {
        self.rewrite_refs_bounded(self.rename_components(value), 0)
    }

    fn rewrite_refs_bounded(&self, value: Value, depth: usize) -> Value {
        match value {
            Value::Object(mut map) => {
                if let Some(Value::String(r)) = map.get("$ref").cloned() {
                    if let Some(rest) = r.strip_prefix(COMPONENT_PREFIX) {
                        if let Some((def, ptr)) = rest.split_once('/') {
                            let def = crate::diag::unescape_token(def);
                            let ptr = format!("/{ptr}");
                            if let Some(target) = self.moved.get(&(def.clone(), ptr.clone())) {
                                map.insert("$ref".into(), Value::String(format!("{COMPONENT_PREFIX}{target}")));
                            } else if depth < 16 {
                                if let Some(inline) = self.defs.get(&def).and_then(|d| d.pointer(&ptr)) {
                                    return self.rewrite_refs_bounded(inline.clone(), depth + 1);
                                }
                            }
                        }
                    }
                }
                Value::Object(map.into_iter().map(|(k, v)| (k, self.rewrite_refs_bounded(v, depth))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.rewrite_refs_bounded(v, depth)).collect()),
            other => other,
        }
    }

    /// Every definition name reachable from `roots` through references.
    fn reachable(&self, roots: &[Value]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = Vec::new();
        for root in roots {
            collect_ref_names(root, &mut stack);
        }
        while let Some(name) = stack.pop() {
            if seen.insert(name.clone()) {
                if let Some(def) = self.defs.get(&name) {
                    collect_ref_names(def, &mut stack);
                }
            }
        }
        seen
    }
}

fn collect_ref_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)) {
                out.push(crate::diag::unescape_token(name.split('/').next().unwrap_or(name)));
            }
            map.values().for_each(|v| collect_ref_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ref_names(v, out)),
        _ => {}
    }
}

/// Keywords taken out of property schemas into rules.
const STRING_RULE_KEYS: &[&str] = &["minLength", "maxLength", "pattern"];
const NUMBER_RULE_KEYS: &[&str] = &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const ARRAY_RULE_KEYS: &[&str] = &["minItems", "maxItems"];

/// Takes the rules out of one definition and applies the additional-properties policy.
fn extract_rules(bundle: &Bundle, pointer: &str, schema: Value, strict: bool, diags: &mut Diagnostics) -> (Value, StructRules) {
    let mut rules = StructRules { strict, ..StructRules::default() };
    let Value::Object(mut map) = schema else { return (schema, rules) };

    // if/then at the root: the one shape we enforce, the others are noted.
    let cond_if = map.remove("if");
    let cond_then = map.remove("then");
    let cond_else = map.remove("else");
    if let (Some(i), Some(t)) = (&cond_if, &cond_then) {
        match conditional(i, t) {
            Some(c) if cond_else.is_none() => rules.conditionals.push(c),
            _ => rules.unenforced.push("an `if`/`then`/`else` rule the generator cannot express".into()),
        }
    } else if cond_if.is_some() || cond_then.is_some() || cond_else.is_some() {
        rules.unenforced.push("an incomplete `if`/`then`/`else` rule".into());
    }

    if !strict && map.get("additionalProperties") == Some(&Value::Bool(false)) {
        map.remove("additionalProperties");
    }

    let required: BTreeSet<String> =
        map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (prop, sub) in props.iter_mut() {
            let Value::Object(sub_map) = sub else { continue };
            // An optional property that may also be `null` must keep an explicit `null` on a round
            // trip: its field serializes `None` as `null` instead of leaving it out.
            if !required.contains(prop) && allows_null(sub_map) {
                rules.nullable_optional.insert(prop.clone());
            }
            // typify turns an optional array into a `Vec` that skips serializing when empty, so
            // an explicit `[]` would vanish on a round trip. Declaring it nullable gives
            // `Option<Vec<T>>`: absent stays absent and `[]` stays `[]`.
            if !required.contains(prop) && sub_map.get("type") == Some(&Value::String("array".into())) {
                sub_map.insert("type".into(), json!(["array", "null"]));
            }
            if is_secret(prop, sub_map) {
                rules.secrets.insert(prop.clone());
            }
            take_rules(bundle, pointer, prop, Target::Value, sub_map, &mut rules, diags);
            if let Some(Value::Object(items)) = sub_map.get_mut("items") {
                take_rules(bundle, pointer, prop, Target::Items, items, &mut rules, diags);
            }
        }
    }
    strip_conditionals(&mut map);
    (Value::Object(map), rules)
}

/// typify cannot convert `if`/`then`/`else` anywhere: nested ones are dropped (and noted).
/// Only keywords go: a property called `if` stays.
pub fn strip_conditionals(map: &mut Map<String, Value>) {
    for key in ["if", "then", "else"] {
        map.remove(key);
    }
    for (k, v) in map.iter_mut() {
        match (k.as_str(), v) {
            ("enum" | "const" | "default" | "example" | "examples", _) => {}
            // Maps of names to schemas: their keys are names, not keywords.
            ("properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas", Value::Object(subs)) => {
                subs.values_mut().filter_map(Value::as_object_mut).for_each(strip_conditionals);
            }
            (_, Value::Object(m)) => strip_conditionals(m),
            (_, Value::Array(items)) => items.iter_mut().filter_map(Value::as_object_mut).for_each(strip_conditionals),
            _ => {}
        }
    }
}

fn take_rules(
    bundle: &Bundle,
    pointer: &str,
    prop: &str,
    target: Target,
    sub: &mut Map<String, Value>,
    rules: &mut StructRules,
    diags: &mut Diagnostics,
) {
    let push = |rules: &mut StructRules, rule| rules.rules.push(PropertyRule { property: prop.to_string(), target, rule });
    for key in STRING_RULE_KEYS.iter().chain(NUMBER_RULE_KEYS).chain(ARRAY_RULE_KEYS) {
        let Some(v) = sub.remove(*key) else { continue };
        let rule = match parse_rule(key, &v) {
            Some(Ok(rule)) => Some(rule),
            Some(Err(e)) => {
                let at = format!("{pointer}/properties/{}/{key}", crate::diag::escape_token(prop));
                diags.push(
                    bundle
                        .diagnostic(&at, format!("`pattern` {v} is not a valid ECMA 262 regular expression: {e}"))
                        .with_help("fix the pattern; JSON Schema patterns use JavaScript regex syntax"),
                );
                None
            }
            None => {
                rules.unenforced.push(format!("`{key}` on `{prop}`"));
                None
            }
        };
        if let Some(rule) = rule {
            if rules.strict {
                push(rules, rule);
            }
        }
    }
    if sub.get("format").and_then(Value::as_str) == Some("email") && rules.strict {
        push(rules, Rule::Email);
    }
    if let Some(Value::String(other)) = sub.get("x-must-equal") {
        if rules.strict {
            push(rules, Rule::MustEqual(other.clone()));
        }
    }
}

/// True when a property schema admits `null` (`type: [.., "null"]`, `nullable: true`, or a
/// `null` branch of `anyOf`/`oneOf`).
fn allows_null(schema: &Map<String, Value>) -> bool {
    let in_type = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        Some(Value::String(t)) => t == "null",
        _ => false,
    };
    in_type
        || schema.get("nullable") == Some(&Value::Bool(true))
        || ["anyOf", "oneOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|v| v.iter().any(|s| s.get("type").and_then(Value::as_str) == Some("null")))
        })
}

/// Takes the rules out of a scalar (parameter) schema; invalid patterns are left to the
/// validator, which reports them for component schemas.
pub fn scalar_rules(map: &mut Map<String, Value>) -> Vec<Rule> {
    let mut out = Vec::new();
    for key in STRING_RULE_KEYS.iter().chain(NUMBER_RULE_KEYS).chain(ARRAY_RULE_KEYS) {
        let Some(v) = map.remove(*key) else { continue };
        if let Some(Ok(rule)) = parse_rule(key, &v) {
            out.push(rule);
        }
    }
    if map.get("format").and_then(Value::as_str) == Some("email") {
        out.push(Rule::Email);
    }
    out
}

/// The rule a constraint keyword states: `None` for keywords without a rule of ours (they are
/// noted as not enforced), `Some(Err(..))` for an invalid pattern.
fn parse_rule(key: &str, v: &Value) -> Option<Result<Rule, String>> {
    Some(Ok(match (key, v) {
        ("minLength", Value::Number(n)) => Rule::MinLength(n.as_u64()?),
        ("maxLength", Value::Number(n)) => Rule::MaxLength(n.as_u64()?),
        ("minItems", Value::Number(n)) => Rule::MinItems(n.as_u64()?),
        ("maxItems", Value::Number(n)) => Rule::MaxItems(n.as_u64()?),
        ("pattern", Value::String(p)) => match regress::Regex::new(p) {
            Ok(_) => Rule::Pattern(p.clone()),
            Err(e) => return Some(Err(e.to_string())),
        },
        ("minimum", Value::Number(n)) => Rule::Minimum { value: n.as_f64()?, exclusive: false },
        ("maximum", Value::Number(n)) => Rule::Maximum { value: n.as_f64()?, exclusive: false },
        ("exclusiveMinimum", Value::Number(n)) => Rule::Minimum { value: n.as_f64()?, exclusive: true },
        ("exclusiveMaximum", Value::Number(n)) => Rule::Maximum { value: n.as_f64()?, exclusive: true },
        _ => return None,
    }))
}

/// Reads `if: {properties: {X: {const: V}}}` + `then: {required: [..]}`.
fn conditional(cond_if: &Value, cond_then: &Value) -> Option<ConditionalRequired> {
    let props = cond_if.get("properties")?.as_object()?;
    if props.len() != 1 {
        return None;
    }
    let (when, test) = props.iter().next()?;
    let equals = test.get("const").cloned().or_else(|| {
        let e = test.get("enum")?.as_array()?;
        (e.len() == 1).then(|| e[0].clone())
    })?;
    let required = cond_then.get("required")?.as_array()?.iter().filter_map(|v| v.as_str().map(String::from)).collect();
    let extra_then = cond_then.as_object()?.keys().any(|k| k != "required");
    (!extra_then).then(|| ConditionalRequired { when: when.clone(), equals, required })
}

/// Properties whose values must never be printed.
fn is_secret(name: &str, schema: &Map<String, Value>) -> bool {
    let lower = name.to_ascii_lowercase().replace(['-', '_'], "");
    schema.get("format").and_then(Value::as_str) == Some("password")
        || schema.get("writeOnly") == Some(&Value::Bool(true))
        || ["password", "secret", "token", "apikey"].iter().any(|s| lower.contains(s))
}

/// Used by diagnostics to name a definition's pointer.
pub fn definition_pointer(name: &str) -> String {
    format!("/components/schemas/{}", crate::diag::escape_token(name))
}

/// A diagnostic for a problem typify found, placed at the definition.
pub fn definition_diagnostic(bundle: &Bundle, name: &str, message: String) -> Diagnostic {
    bundle.diagnostic(&definition_pointer(name), message)
}

/// Makes a typify type expression (`models::X`, `::std::vec::Vec<models::X>`) absolute
/// (`crate::models::X`), so that it reads the same from every module of the generated crate.
pub fn absolute_type(ty: &str) -> String {
    let compact: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = String::with_capacity(compact.len() + 8);
    let bytes: Vec<char> = compact.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..].iter().collect();
        let boundary = i == 0 || matches!(bytes[i - 1], '<' | ',' | '(' | '[' | '&' | ' ');
        if boundary && rest.starts_with("models::") {
            out.push_str("crate::");
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

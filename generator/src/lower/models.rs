//! Lowering of schemas: turns `components/schemas` of a bundled document into a typify
//! [`TypeSpace`] plus the rules typify does not enforce the way we want.
//!
//! What happens here, in order:
//!
//! 1. **Hoisting** ([`super::hoist`]). Every inline object schema becomes a named definition
//!    (its `title`, else parent + property name), so every generated struct has a known name and
//!    references *into* a component (`#/components/schemas/UserResponse/properties/response`) can
//!    point at a whole definition.
//!    The hoisted definitions are the models' JSON Schemas ([`super::json_schemas`]), taken
//!    here, before anything below changes them.
//! 2. **Usage.** Each definition is classified by what reaches it: request bodies (a server reads
//!    them: strict) or responses (a client reads them: forward-compatible).
//! 3. **Rule extraction** ([`super::constraints`]). String, number and array constraints,
//!    `x-must-equal` and `if`/`then` rules are taken out of the schemas into [`StructRules`]; the
//!    generated `Validate` impls enforce them and collect every violation. typify then sees plain types (no newtype per
//!    constrained field) and never meets `if`/`then`, which it does not support.
//! 4. **Policy.** Forward-compatible definitions lose `additionalProperties: false`, so an extra
//!    field from a newer server does not break a client; strict ones keep it.
//! 5. **Endless merges** ([`super::merges`]). Definitions whose `allOf` typify would merge
//!    forever are typed as `serde_json::Value` before typify sees them.
//! 6. **typify** ([`super::typify`]). The prepared definitions go into one typify `TypeSpace`
//!    per API; a definition typify cannot convert degrades alone (or loses only a narrowing
//!    keyword, a property or its defaults).

use std::collections::{BTreeMap, BTreeSet};

use schemars::schema::Schema;
use serde_json::{Map, Value};
use typify_impl::{TypeSpace, TypeSpaceSettings};

use crate::diag::{Diagnostics, WarningClass};
use crate::ir::models::*;
use crate::ir::TypeRef;
use crate::naming;
use crate::settings::TypeSettings;
use crate::spec::{Bundle, COMPONENT_PREFIX};

use super::constraints::extract_rules;
pub use super::hoist::Hoisted;
use super::merges::break_endless_merges;
use super::typify::{
    convert_isolated, degraded_schema, doc_descriptions, is_narrowing, property_of, remove_keyword, without_defaults, DEFAULTS_DROPPED,
};

/// The schemas behind the models, which only lowering reads: the definitions as given to typify
/// (hoisted, renamed, constraints taken out, degraded where typify failed), and how they were
/// hoisted.
#[derive(Debug, Clone, Default)]
pub struct Schemas {
    /// Hoisting: names given out, and references into definitions.
    pub hoisted: Hoisted,
    /// The prepared definitions (as given to typify), by Rust name.
    pub definitions: BTreeMap<String, Value>,
    /// Definitions that are a type of another crate instead of a model (a replacement of the
    /// settings, an `x-rust-type` typify honours), by Rust name.
    pub foreign: BTreeMap<String, TypeRef>,
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
    options: &TypeSettings,
) -> Result<(ModelSpace, TypeSpace, Schemas, Diagnostics), Diagnostics> {
    lower_checked(bundle, request_roots, response_roots, options, true)
}

/// [`lower`]; `check_emission` says whether a conversion must also be written out to count as a
/// success ([`check_emission`](super::typify::check_emission); it costs as much again).
/// [`crate::lower::lower`] checks the final type space once instead, and lowers again with this
/// on only when that fails.
///
/// # Errors
///
/// As [`lower`].
pub fn lower_checked(
    bundle: &Bundle,
    request_roots: &[Value],
    response_roots: &[Value],
    options: &TypeSettings,
    check_emission: bool,
) -> Result<(ModelSpace, TypeSpace, Schemas, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let components: Map<String, Value> =
        bundle.document.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();

    // Every component gets its Rust name up front (`user-profile` and `UserProfile` would both
    // be `UserProfile`: the later one in document order becomes `UserProfile2`), so that neither
    // typify nor the inline names below can collide with one.
    let mut taken = BTreeSet::new();
    let mut renames = BTreeMap::new();
    // Names the settings give come first; each must be free.
    for (name, rust_name) in &options.renames {
        let pointer = format!("/components/schemas/{}", crate::diag::escape_token(name));
        if !components.contains_key(name) {
            diags.push(unknown_component(bundle, name, "renames"));
        } else if !naming::is_plain_ident(rust_name)
            || naming::type_name(rust_name) != *rust_name
            || components
                .keys()
                .any(|other| other != name && !options.renames.contains_key(other) && naming::type_name(other) == *rust_name)
            || !taken.insert(rust_name.clone())
        {
            diags.push(
                bundle
                    .diagnostic(
                        &pointer,
                        format!("the settings rename schema `{name}` to `{rust_name}`, which is not a free Rust type name"),
                    )
                    .with_help("rename it to a Pascal-case identifier (`Animal`) that no other schema's type has and the crate does not use itself (`Error`, `Client`, `Credentials`, ...)"),
            );
        } else {
            renames.insert(name.clone(), rust_name.clone());
        }
    }
    for name in options.replacements.keys().chain(options.type_derives.keys()) {
        if !components.contains_key(name) {
            diags.push(unknown_component(bundle, name, "types"));
        }
    }
    if !diags.is_empty() {
        return Err(diags.into_result(()).unwrap_err());
    }
    let (renames, taken) = naming::component_type_names_with(components.keys().map(String::as_str), &renames);
    let mut hoisted = Hoisted::new(taken, renames);
    let mut widened = Vec::new();
    for (name, schema) in &components {
        let new_name = hoisted.renames[name].clone();
        let mut renamed = hoisted.rename_components(schema.clone());
        const_as_enum(&mut renamed);
        typed_view(&mut renamed, &format!("/components/schemas/{}", crate::diag::escape_token(name)), &mut widened);
        let prepared = hoisted.hoist_root(&new_name, renamed);
        hoisted.defs.insert(new_name, prepared);
    }
    hoisted.resolve_deep_refs();
    hoisted.split_nullable_enums();
    hoisted.own_titles();
    // The document's schema of every model, before rules are taken out of it.
    let json_schemas = super::json_schemas::json_schemas(&hoisted);

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
    for pointer in widened {
        warnings.push(
            bundle
                .diagnostic(
                    &pointer,
                    "this schema has no `type`, and its keywords apply to one type only, so every value of another type is valid: it is typed as `serde_json::Value` (the server's validator still checks its keywords)",
                )
                .with_help("add `type` to get a precise Rust type")
                .with_class(WarningClass::DegradedSchema)
                .warning(),
        );
    }
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

    let (settings, formats) = match type_space_settings(options, &hoisted.renames) {
        Ok(settings) => settings,
        Err(e) => return Err(bundle.diagnostic("", e).with_help("fix the type path in the settings").into()),
    };
    let mut typed = Vec::new();
    for (name, value) in &definitions {
        let mut value = value.clone();
        rust_types_for_formats(&mut value, &formats);
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
        let pointer = in_document(&bundle.document, format!("{pointer}{}", failure.keyword));
        if is_narrowing(&failure.keyword) {
            let (_, name) = failure.keyword.rsplit_once('/').unwrap_or_default();
            warnings.push(
                bundle
                    .diagnostic(
                        &pointer,
                        format!(
                            "the `{name}` of schema `{}` cannot be expressed in its Rust type ({}): the generated server still enforces it on request bodies (its JSON Schema validator), but the type accepts the values it excludes",
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
    // A replaced schema is another crate's type: there is no model to check or reshape, and
    // every reference is that type.
    let mut foreign = BTreeMap::new();
    for (name, path) in &options.replacements {
        foreign.insert(hoisted.renames[name].clone(), super::types::type_path(path).and_then(|p| super::types::foreign(&p)));
    }
    for (name, def) in &definitions {
        let Some(ext) = def.get("x-rust-type") else { continue };
        let (Some(krate), Some(path)) = (ext.get("crate").and_then(Value::as_str), ext.get("path").and_then(Value::as_str)) else {
            continue;
        };
        if options.x_rust_type_crates.contains(krate) && ext.get("parameters").is_none() {
            foreign.insert(name.clone(), super::types::foreign(&format!("::{path}")));
        }
    }
    let mut foreign_types = BTreeMap::new();
    for (name, ty) in foreign {
        structs.remove(&name);
        discriminated.remove(&name);
        match ty {
            Ok(ty) => {
                foreign_types.insert(name, ty);
            }
            Err(e) => diags.push(bundle.diagnostic(&hoisted.source_pointer(&name).0, e).with_help("fix the type path")),
        }
    }
    let structs = structs.into_iter().map(|(name, rules)| (name, StructModel { fields: Vec::new(), rules: Some(rules) })).collect();
    let models = ModelSpace {
        structs,
        definition_count: definitions.len(),
        discriminated,
        enum_names: BTreeMap::new(),
        uses_chrono: false,
        uses_uuid: false,
        json_schemas,
        serde_derive: options.serde_derive,
    };
    diags.into_result((models, type_space, Schemas { hoisted, definitions, foreign: foreign_types }, warnings))
}

/// Completes `models` once every type is in `type_space` (the definitions, and the inline
/// schemas of operations, which `inline` holds with the type typify made of each, if any): the field
/// table of every
/// struct, and which foreign crates the types use.
///
/// # Errors
///
/// A message when typify holds a type the IR cannot name (a generator bug).
pub fn finish(
    models: &mut ModelSpace,
    type_space: &TypeSpace,
    definitions: &BTreeMap<String, Value>,
    inline: &[(Option<typify_impl::TypeId>, Value)],
) -> Result<(), String> {
    let read = super::fields::read_structs(type_space, inline, definitions)?;
    for (name, fields) in read.fields {
        models.structs.entry(name).or_default().fields = fields;
    }
    // A discriminated union's variants are the IR's already (`Discriminator::enum_variants`).
    models.enum_names = read.enums.into_iter().filter(|(name, _)| !models.discriminated.contains_key(name)).collect();
    // Optional nullable properties without a default have three states: `Option<Option<T>>`
    // (the models emitter rewrites typify's `Option<T>` field to it).
    for model in models.structs.values_mut() {
        let Some(rules) = &model.rules else { continue };
        for field in &mut model.fields {
            if field.flatten || !field.optional() || !rules.property(&field.wire).is_some_and(|p| p.three_state) {
                continue;
            }
            field.ty = crate::ir::TypeRef::option(field.ty.clone());
            field.three_state = true;
        }
    }
    if !models.discriminated.is_empty() {
        let mut read = super::types::Types::new(type_space);
        for ty in type_space.iter_types() {
            let details = ty.details();
            let typify_impl::TypeDetails::Enum(e) = details else { continue };
            if let Some(d) = models.discriminated.get_mut(&ty.name()) {
                d.enum_variants = enum_variants(&mut read, &e, d)?;
            }
        }
    }
    models.uses_chrono = type_space.uses_chrono();
    models.uses_uuid = type_space.uses_uuid();
    Ok(())
}

/// The variants of typify's enum `e` for the discriminated union `d`, when each holds one of
/// its members (else none).
fn enum_variants(read: &mut super::types::Types<'_>, e: &typify_impl::TypeEnum<'_>, d: &Discriminator) -> Result<Vec<EnumVariant>, String> {
    let mut out = Vec::new();
    for info in e.variants_info() {
        let typify_impl::TypeEnumVariant::Tuple(ids) = &info.details else { return Ok(Vec::new()) };
        let [id] = ids.as_slice() else { return Ok(Vec::new()) };
        let ty = read.of(id)?;
        let Some(model) = ty.model() else { return Ok(Vec::new()) };
        let Some((_, tags)) = d.variants.iter().find(|(name, _)| name == model) else { return Ok(Vec::new()) };
        out.push(EnumVariant { variant: info.name.to_string(), model: model.to_string(), tags: tags.clone() });
    }
    Ok(if out.len() == d.variants.len() { out } else { Vec::new() })
}

/// A prepared definition without its defaults, as kept in [`Schemas::definitions`].
fn typed_back(definition: Option<&Value>) -> Option<Result<Value, serde_json::Error>> {
    let schema: Schema = serde_json::from_value(definition?.clone()).ok()?;
    Some(serde_json::to_value(without_defaults(&schema)))
}

/// A diagnostic for a schema that the settings name and the document does not have.
fn unknown_component(bundle: &Bundle, name: &str, what: &str) -> crate::Diagnostic {
    bundle
        .diagnostic("/components/schemas", format!("the settings ({what}) name schema `{name}`, which the document does not have"))
        .with_help("name a schema of `components/schemas` as the document spells it")
}

/// typify's settings for an API, and the Rust types of string formats (`binary` is
/// `apigen_runtime::Binary`, see [`rust_types_for_formats`]; the settings add their own).
///
/// # Errors
///
/// A type path of the settings that is not one.
fn type_space_settings(options: &TypeSettings, renames: &BTreeMap<String, String>) -> Result<(TypeSpaceSettings, Formats), String> {
    let mut settings = TypeSpaceSettings::default();
    settings
        // Builders are emitted by us, for request models only (see `emit::models`).
        .with_struct_builder(false)
        .with_type_mod("models")
        .with_attr("#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]".to_string())
        // `format: binary` strings are `apigen_runtime::Binary` (see `rust_types_for_formats`).
        .with_crate("apigen-runtime", typify_impl::CrateVers::Any, None);
    for derive in &options.derives {
        settings.with_derive(derive.clone());
    }
    for (schema, derives) in &options.type_derives {
        let mut patch = typify_impl::TypeSpacePatch::default();
        for derive in derives {
            patch.with_derive(derive);
        }
        settings.with_patch(&renames[schema], &patch);
    }
    for (schema, path) in &options.replacements {
        settings.with_replacement(&renames[schema], super::types::type_path(path)?, std::iter::empty());
    }
    for krate in &options.x_rust_type_crates {
        settings.with_crate(krate, typify_impl::CrateVers::Any, None);
    }
    let mut formats = Formats::new();
    formats.insert("binary".into(), ("apigen-runtime".into(), "apigen_runtime::Binary".into()));
    for (format, path) in &options.format_types {
        let path = super::types::type_path(path)?;
        let path = path.trim_start_matches("::").to_string();
        let krate = path.split("::").next().unwrap_or_default().to_string();
        settings.with_crate(&krate, typify_impl::CrateVers::Any, None);
        formats.insert(format.clone(), (krate, path));
    }
    Ok((settings, formats))
}

/// String format -> `(crate, path)` of the Rust type typify is told to use (`x-rust-type`).
type Formats = BTreeMap<String, (String, String)>;

/// Marks every `{"type": "string", "format": F}` in schema positions whose format has a Rust
/// type in `formats` with that type for typify (`x-rust-type`): `binary` is
/// `apigen_runtime::Binary`, a file's bytes, which a `String` cannot hold; the settings add
/// their own (`uuid` -> `::my::Id`).
fn rust_types_for_formats(schema: &mut Value, formats: &Formats) {
    match schema {
        Value::Object(map) => {
            let format = (map.get("type").and_then(Value::as_str) == Some("string"))
                .then(|| map.get("format").and_then(Value::as_str))
                .flatten()
                .and_then(|f| formats.get(f));
            if let Some((krate, path)) = format {
                map.insert("x-rust-type".into(), serde_json::json!({ "crate": krate, "version": "*", "path": path }));
            }
            for (key, sub) in map.iter_mut() {
                match key.as_str() {
                    "properties" | "patternProperties" | "$defs" | "definitions" => {
                        if let Value::Object(subs) = sub {
                            subs.values_mut().for_each(|s| rust_types_for_formats(s, formats));
                        }
                    }
                    "items" | "additionalProperties" | "allOf" | "anyOf" | "oneOf" | "prefixItems" | "not" => {
                        rust_types_for_formats(sub, formats)
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|s| rust_types_for_formats(s, formats)),
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
pub(super) fn normalize_discriminator(hoisted: &Hoisted, schema: &mut Value) -> Option<Discriminator> {
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
    Some(Discriminator { property, variants, enum_variants: Vec::new() })
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

/// True for schemas that become structs: objects with properties.
fn is_struct_schema(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
}

/// Keywords that constrain values of one JSON type only.
const TYPED_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
    "items",
    "prefixItems",
    "contains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minContains",
    "maxContains",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Keywords that decide the type of a schema themselves (or give it to typify).
const TYPING_KEYWORDS: &[&str] = &["type", "$ref", "allOf", "anyOf", "oneOf", "enum", "const", "not", "if"];

/// The typed view of a schema, in place, before typify: a Rust type must accept every value
/// the server's validator accepts (the request view, `lower::body_schemas`), or a valid body
/// would be refused by deserialization.
///
/// - A schema without `type` that declares `properties` or `additionalProperties` is an object
///   ([`implied_object`], in the request view too).
/// - Any other schema without `type` whose keywords constrain one type only (`{"minLength":
///   2}`, `{"items": ...}`) accepts every value of the other types (JSON Schema: keywords
///   apply only to their type), so its type is `serde_json::Value`: its type keywords are
///   dropped here; the validator still enforces them. Returns the pointers (below `pointer`)
///   of the schemas so widened, for the warnings. Members of `allOf`, and the subschemas of
///   conditionals, are left alone: typify merges them into a typed sibling, or ignores them.
/// - A `readOnly` property is not required in a request, and a `writeOnly` one is not in a
///   response: neither stays in `required`, so the field is an `Option`.
/// - An `anyOf` with a member that is not an object becomes a `oneOf` (typify's `anyOf` is a
///   struct of flattened optional members, which refuses a string; an untagged enum accepts a
///   value any member accepts), and is dropped beside a `oneOf`.
/// - An array with `prefixItems` is a `Vec` of any value (typify reads only `items`, which
///   then applies to the items after the prefix); an object with `patternProperties` accepts
///   unknown fields whatever its `additionalProperties`.
pub fn typed_view(schema: &mut Value, pointer: &str, widened: &mut Vec<String>) {
    typed_view_in(schema, pointer, false, widened);
}

/// [`typed_view`]; `merged` says the schema is a union member that typify merges with its
/// typed parent, so it is not widened itself.
fn typed_view_in(schema: &mut Value, pointer: &str, merged: bool, widened: &mut Vec<String>) {
    let Value::Object(map) = schema else { return };
    implied_object(map);
    if let Some(Value::Array(members)) = map.get("anyOf") {
        let object = |m: &Value| {
            m.get("$ref").is_some()
                || m.get("type").and_then(Value::as_str) == Some("object")
                || (m.get("type").is_none() && m.get("properties").is_some())
        };
        if !members.iter().all(object) {
            if let Some(any) = map.remove("anyOf") {
                if !map.contains_key("oneOf") {
                    map.insert("oneOf".into(), any);
                }
            }
        }
    }
    if map.contains_key("prefixItems") {
        map.remove("prefixItems");
        map.remove("items");
    }
    if map.contains_key("patternProperties") {
        // typify reads neither `patternProperties` nor that `additionalProperties` skips the
        // names they match: the struct keeps unknown fields instead.
        map.remove("patternProperties");
        map.remove("additionalProperties");
    }
    if !merged && !map.keys().any(|k| TYPING_KEYWORDS.contains(&k.as_str())) && map.keys().any(|k| TYPED_KEYWORDS.contains(&k.as_str())) {
        map.retain(|k, _| !TYPED_KEYWORDS.contains(&k.as_str()));
        widened.push(pointer.to_string());
        return;
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        let one_sided: Vec<String> = props
            .iter()
            .filter(|(_, p)| p.get("readOnly") == Some(&Value::Bool(true)) || p.get("writeOnly") == Some(&Value::Bool(true)))
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(Value::Array(required)) = map.get_mut("required") {
            required.retain(|r| !r.as_str().is_some_and(|r| one_sided.iter().any(|k| k == r)));
        }
    }
    let typed_parent = map.contains_key("type");
    for (k, v) in map.iter_mut() {
        let at = format!("{pointer}/{}", crate::diag::escape_token(k));
        match k.as_str() {
            "additionalProperties" | "items" => typed_view_in(v, &at, false, widened),
            "anyOf" | "oneOf" => {
                for (i, item) in v.as_array_mut().into_iter().flatten().enumerate() {
                    typed_view_in(item, &format!("{at}/{i}"), typed_parent, widened);
                }
            }
            "properties" | "$defs" => {
                for (name, item) in v.as_object_mut().into_iter().flatten() {
                    typed_view_in(item, &format!("{at}/{}", crate::diag::escape_token(name)), false, widened);
                }
            }
            _ => {}
        }
    }
}

/// A schema without `type` (or anything else that types it) that declares `properties` or
/// `additionalProperties` is read as `type: object`: that is what documents mean by it (the
/// OpenAPI examples' own `Pet` has no `type`), and it keeps their models structs. JSON Schema
/// would accept any non-object there; this is the one place the generated server is stricter
/// (README, "Request validation").
pub fn implied_object(map: &mut serde_json::Map<String, Value>) {
    if !map.keys().any(|k| TYPING_KEYWORDS.contains(&k.as_str()))
        && (map.contains_key("properties") || map.contains_key("additionalProperties"))
    {
        map.insert("type".into(), Value::from("object"));
    }
}

/// `pointer`, or its nearest ancestor that the document has: the typed view renames or drops
/// keywords (`anyOf` read as `oneOf`), and a warning must still name a line and column.
fn in_document(doc: &Value, pointer: String) -> String {
    let mut at = pointer.as_str();
    while !at.is_empty() && doc.pointer(at).is_none() {
        at = at.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    at.to_string()
}

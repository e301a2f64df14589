//! Lowering: the bundled document -> [`Lowered`]: the [`ApiSpace`] every emitter reads, and
//! typify's type space for the models emitter. The only stage that reads schemas: operations
//! here, definitions in [`models`] (with [`hoist`], [`merges`], [`typify`], [`constraints`]), typify's types
//! and structs in [`types`] and [`fields`], the prepared JSON in [`body_schemas`] and
//! [`examples`], the error bodies in [`server_errors`] and [`operation_errors`]; values
//! satisfying a schema in [`synth`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub mod body_schemas;
pub mod constraints;
pub mod examples;
pub mod fields;
pub mod hoist;
pub mod json_schemas;
pub mod merges;
pub mod models;
pub mod operation_errors;
pub mod package;
pub mod params;
pub mod server_errors;
pub mod synth;
pub mod types;
pub mod typify;

use crate::diag::{join_pointer, Diagnostics, WarningClass};
use crate::ir::models::ModelSpace;
use crate::ir::*;
use crate::naming;
use crate::spec::{deref, Bundle, COMPONENT_PREFIX, METHODS};
use crate::GeneratorSettings;
use models::Schemas;
use typify_impl::TypeSpace;

/// Builds the IR of one API.
///
/// # Errors
///
/// Every construct the generator cannot lower, with its location.
pub fn lower(bundle: &Bundle, settings: &GeneratorSettings) -> Result<Lowered, Diagnostics> {
    let lowered = lower_with(bundle, settings, false)?;
    // typify accepts some schemas that it then cannot write out (its `to_stream` panics, or
    // leaves fields out of a default value: `typify::check_emission`). The whole type space is
    // checked once in `lower_with` (the field table and the models emitter reuse the parsed
    // code); when it fails, lowering runs again, with each component checked on its own
    // (`typify::convert_isolated` degrades the failing ones) and without the defaults of inline
    // schemas.
    if lowered.models_file.is_some() {
        return Ok(lowered);
    }
    lower_with(bundle, settings, true)
}

/// [`lower`]; `strict`: every component conversion must also be written out, and the inline
/// schemas converted by typify lose their defaults (each a warning).
fn lower_with(bundle: &Bundle, settings: &GeneratorSettings, strict: bool) -> Result<Lowered, Diagnostics> {
    let strip_inline_defaults = strict;
    let doc = &bundle.document;
    let mut diags = Diagnostics::default();

    // Collect the schemas operations use directly, to classify the models.
    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    for (_, _, _, op, item) in operations(doc) {
        if let Some(body) = op.get("requestBody") {
            for media in deref(doc, body).get("content").and_then(Value::as_object).into_iter().flatten() {
                request_roots.extend(media.1.get("schema").cloned());
            }
        }
        for p in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(item.get("parameters").and_then(Value::as_array).into_iter().flatten())
        {
            request_roots.extend(deref(doc, p).get("schema").cloned());
        }
        for (_, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            for media in deref(doc, resp).get("content").and_then(Value::as_object).into_iter().flatten() {
                response_roots.extend(media.1.get("schema").cloned());
            }
        }
    }
    let (mut models, mut type_space, schemas, mut warnings) =
        models::lower_checked(bundle, &request_roots, &response_roots, &settings.types, strict)?;

    let info = doc.get("info");
    let text = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_str).map(String::from);

    let servers = lower_servers(doc);
    let security_schemes = lower_schemes(doc);

    let mut namer = naming::OperationNamer::default();
    let mut taken_types_inline = schemas.hoisted.taken.clone();
    let mut inline = Vec::new();
    let mut ops = Vec::new();
    // The object schema of each form body, by operation: its fields are known once typify has
    // every type.
    let mut forms = Vec::new();
    // The operations that may page: index, pointer, operation.
    let mut paged = Vec::new();
    for (path, method_key, op_ptr, op, item) in operations(doc) {
        let Some(method) = HttpMethod::from_key(method_key) else { continue };
        let id = op.get("operationId").and_then(Value::as_str).map_or_else(|| format!("{method_key} {path}"), String::from);
        let naming::OperationNames { method: rust_name, type_name } =
            namer.name(settings.operations.renames.get(&id).unwrap_or(&id), &taken_types_inline);
        // The types of inline schemas named later keep off the operation's own types.
        taken_types_inline.extend(naming::OperationNamer::type_names(&type_name));
        let mut cx = OpContext {
            bundle,
            schemas: &schemas,
            taken: &mut taken_types_inline,
            type_space: &mut type_space,
            inline: &mut inline,
            diags: &mut diags,
            warnings: &mut warnings,
            op_ptr: &op_ptr,
            type_name: &type_name,
            strip_inline_defaults,
        };

        let params = cx.params(item, op);
        let body = op.get("requestBody").and_then(|b| cx.body(deref(doc, b))).map(|(body, form)| {
            forms.extend(form.map(|f| (ops.len(), f)));
            body
        });
        let responses = cx.responses(op);
        let security: Vec<Vec<String>> = op
            .get("security")
            .or_else(|| doc.get("security"))
            .and_then(Value::as_array)
            .map(|alts| {
                alts.iter().filter_map(Value::as_object).map(|req| req.keys().filter(|k| !k.starts_with("x-")).cloned().collect()).collect()
            })
            .unwrap_or_default();
        let mut params = params;
        params::fill_siblings(&mut params, &security, &security_schemes);
        // A stream re-sends the request, which a body would make ambiguous; pagination is
        // detected once the field table is known (below).
        if body.is_none() {
            paged.push((ops.len(), op_ptr.clone(), op));
        }
        ops.push(Operation {
            id,
            rust_name,
            type_name,
            method,
            path: path.to_string(),
            segments: segments(path),
            summary: text(Some(op), "summary"),
            description: text(Some(op), "description"),
            source: source_page(op),
            deprecated: op.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
            params,
            body,
            responses,
            security,
            pagination: None,
        });
    }

    if let Err(e) = models::finish(&mut models, &type_space, &schemas.definitions, &inline) {
        diags.push(
            bundle
                .diagnostic("", format!("internal generator error: {e}"))
                .with_help("this is a bug in the generator: please report it with the spec"),
        );
    }
    // The code typify writes, checked once; the field table follows it where the two disagree.
    let models_file = typify::check_emission(&type_space).ok();
    for repaired in models_file.as_ref().map(|file| fields::reconcile(&mut models.structs, file)).unwrap_or_default() {
        let (pointer, found) = schemas.hoisted.source_pointer(&repaired.name);
        let pointer = if found { pointer } else { String::new() };
        warnings.push(
            bundle
                .diagnostic(
                    &pointer,
                    format!(
                        "the generator could not tell which property each field of `{}` is made of: the fields keep the JSON names the type generator gave them ({})",
                        repaired.name,
                        repaired.changes.join(", ")
                    ),
                )
                .with_help("the generated type reads and writes the JSON names shown; please report the schema so that the generator learns it")
                .with_class(WarningClass::FieldNames)
                .warning(),
        );
    }
    for (i, schema) in forms {
        let op = &mut ops[i];
        if let Some(body) = &mut op.body {
            body.fields = form_fields(&schema, body.ty.model(), &schemas, &models);
        }
    }
    for (i, op_ptr, op) in paged {
        let lowered = &mut ops[i];
        match detect_pagination(op, lowered.method, &lowered.params, &lowered.responses, &models, &schemas.definitions) {
            Ok(pagination) => lowered.pagination = pagination,
            Err(message) => {
                let at = join_pointer(&op_ptr, "x-pagination");
                warnings.push(
                    bundle
                        .diagnostic(&at, message)
                        .with_help("use one of the styles the README's \"Pagination\" lists, or remove the extension")
                        .warning(),
                );
            }
        }
    }
    let body_schemas = body_schemas::prepare(&mut ops, doc);
    let (package, license_note) = package::package(doc, &settings.package);
    let api = ApiSpace {
        crate_name: settings.crate_name.clone(),
        crate_ident: settings.crate_name.replace('-', "_"),
        title: text(info, "title").unwrap_or_else(|| settings.crate_name.clone()),
        description: text(info, "description"),
        version: text(info, "version").unwrap_or_default(),
        servers,
        security_schemes,
        operations: ops,
        models,
        body_schemas,
        parts: settings.parts,
        package,
        license_note,
        header: crate::generated_header(&crate::spec_file_name(&bundle.root)),
        spec_file: crate::spec_file_name(&bundle.root),
    };
    diags.into_result(Lowered { api, types: type_space, warnings, models_file })
}

/// The page a user reads an operation's documentation on ([`crate::ir::SourcePage`]).
fn source_page(op: &Value) -> Option<crate::ir::SourcePage> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let is_url = |s: &String| s.starts_with("https://") || s.starts_with("http://");
    let page = |title: Option<String>, url: Option<String>| {
        let url = url.filter(is_url);
        (title.is_some() || url.is_some()).then_some(crate::ir::SourcePage { title, url })
    };
    let docs = op.get("externalDocs");
    page(text(docs.and_then(|d| d.get("description"))), text(docs.and_then(|d| d.get("url")))).or_else(|| match op.get("x-source")? {
        Value::String(s) => page(None, Some(s.trim().to_string())),
        source @ Value::Object(_) => page(text(source.get("title")), text(source.get("url"))),
        _ => None,
    })
}

/// `(path, method, pointer, operation, path item)` for every operation, in document order.
fn operations(doc: &Value) -> Vec<(&str, &str, String, &Value, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item = deref(doc, item);
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                let ptr = join_pointer(&join_pointer("/paths", path), method);
                out.push((path.as_str(), *method, ptr, op, item));
            }
        }
    }
    out
}

fn segments(path: &str) -> Vec<PathSegment> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        if start > 0 {
            out.push(PathSegment::Literal(rest[..start].to_string()));
        }
        out.push(PathSegment::Param(rest[start + 1..start + len].to_string()));
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        out.push(PathSegment::Literal(rest.to_string()));
    }
    out
}

fn lower_servers(doc: &Value) -> Vec<Server> {
    // A templated server also gets a constructor named like its variant in snake case.
    let mut variants = naming::Namespace::new(&[naming::reserved::SERVER_VARIANTS]);
    let list = doc.get("servers").and_then(Value::as_array).cloned().unwrap_or_default();
    let list = if list.is_empty() { vec![serde_json::json!({ "url": "/" })] } else { list };
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let url = s.get("url").and_then(Value::as_str).unwrap_or("/").trim_end_matches('/').to_string();
            let description = s.get("description").and_then(Value::as_str).map(String::from);
            let hint = s
                .get("x-name")
                .or_else(|| s.get("x-datacenter"))
                .and_then(Value::as_str)
                .map(String::from)
                .or_else(|| {
                    let host = url.split("://").nth(1).unwrap_or(&url);
                    let host = host.split('/').next().unwrap_or(host);
                    (!host.contains('{') && !host.is_empty()).then(|| host.to_string())
                })
                .unwrap_or_else(|| if i == 0 { "default".into() } else { format!("server {}", i + 1) });
            let mut template_params = crate::spec::path_template_params(&url);
            // A variable used twice in the URL is one field.
            let mut seen = BTreeSet::new();
            template_params.retain(|name| seen.insert(name.clone()));
            let rust_name = variants.claim_where(&naming::pascal_case(&hint), |v| {
                let ctor = naming::snake_case(v);
                template_params.is_empty()
                    || !naming::reserved::SERVER_METHODS.contains(&ctor.as_str())
                        && !naming::reserved::TRAIT_METHODS.contains(&ctor.as_str())
            });
            let defs = s.get("variables").and_then(Value::as_object);
            let mut fields = naming::Namespace::default();
            let variables = template_params
                .into_iter()
                .map(|name| {
                    let def = defs.and_then(|d| d.get(&name));
                    ServerVariable {
                        // Inlined in a format string, which cannot name a raw identifier.
                        rust_name: fields.claim(&naming::plain_snake_case(&name)),
                        default: def.and_then(|d| d.get("default")).and_then(Value::as_str).unwrap_or_default().to_string(),
                        description: def.and_then(|d| d.get("description")).and_then(Value::as_str).map(String::from),
                        allowed: def
                            .and_then(|d| d.get("enum"))
                            .and_then(Value::as_array)
                            .map(|e| e.iter().filter_map(Value::as_str).map(String::from).collect())
                            .unwrap_or_default(),
                        name,
                    }
                })
                .collect();
            Server { url, rust_name, description, variables }
        })
        .collect()
}

fn lower_schemes(doc: &Value) -> Vec<SecurityScheme> {
    let mut out = Vec::new();
    // Each scheme's field is also a setter method of the client's `Credentials`.
    let mut fields = naming::Namespace::new(&[naming::reserved::CREDENTIALS_METHODS, naming::reserved::TRAIT_METHODS]);
    let mut variants = naming::Namespace::default();
    for (key, s) in doc.pointer("/components/securitySchemes").and_then(Value::as_object).into_iter().flatten() {
        let s = deref(doc, s);
        let get = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let kind = match (get("type").as_str(), get("scheme").to_ascii_lowercase().as_str()) {
            ("apiKey", _) => {
                let location = match get("in").as_str() {
                    "query" => ParamLocation::Query,
                    "cookie" => ParamLocation::Cookie,
                    _ => ParamLocation::Header,
                };
                SchemeKind::ApiKey { location, name: get("name") }
            }
            ("http", "bearer") => SchemeKind::Bearer,
            ("http", "basic") => SchemeKind::Basic,
            (t, sch) => SchemeKind::Unsupported { scheme: if sch.is_empty() { t.to_string() } else { format!("{t} {sch}") } },
        };
        out.push(SecurityScheme {
            key: key.clone(),
            rust_name: fields.claim(&naming::snake_case(key)),
            rust_variant: variants.claim(&naming::pascal_case(key)),
            kind,
            description: s.get("description").and_then(Value::as_str).map(String::from),
            deprecated: scheme_is_deprecated(s),
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Whether the document marks a security scheme deprecated: `deprecated: true` (not an OpenAPI
/// field of schemes, but written by analogy with operations) or an `x-deprecated` marker
/// (`true`, or any non-empty note such as a date or the scheme to use instead).
fn scheme_is_deprecated(scheme: &Value) -> bool {
    let marked = |v: Option<&Value>| match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.trim().is_empty() && !s.trim().eq_ignore_ascii_case("false"),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => false,
    };
    marked(scheme.get("deprecated")) || marked(scheme.get("x-deprecated"))
}

struct OpContext<'a> {
    bundle: &'a Bundle,
    schemas: &'a Schemas,
    taken: &'a mut BTreeSet<String>,
    type_space: &'a mut TypeSpace,
    /// The inline schemas given to typify, with the type typify made of each (`None` where the
    /// conversion failed).
    inline: &'a mut Vec<(Option<typify_impl::TypeId>, Value)>,
    diags: &'a mut Diagnostics,
    warnings: &'a mut Diagnostics,
    op_ptr: &'a str,
    type_name: &'a str,
    /// Inline schemas go to typify without their defaults (see [`lower`]).
    strip_inline_defaults: bool,
}

impl OpContext<'_> {
    /// The Rust type and shape of a schema, converting inline schemas with typify.
    fn type_of(&mut self, schema: &Value, hint: &str, at: &str) -> (TypeRef, ValueShape) {
        let schema = self.schemas.hoisted.rewrite_refs(schema.clone());
        if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)) {
            let name = name.to_string();
            let def = self.schemas.definitions.get(&name);
            let shape = def.map_or(ValueShape::Json, shape_of);
            if let Some(foreign) = self.schemas.foreign.get(&name) {
                return (foreign.clone(), shape);
            }
            return (TypeRef::Named(name), shape);
        }
        let shape = shape_of(&schema);
        let scalar = match (schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
            _ if schema.get("enum").is_some() => None,
            (Some("string"), Some("binary")) => Some(TypeRef::Bytes),
            (Some("string"), _) => Some(TypeRef::String),
            (Some("integer"), Some("int32")) => Some(TypeRef::I32),
            (Some("integer"), Some("uint32")) => Some(TypeRef::U32),
            (Some("integer"), Some("uint64")) => Some(TypeRef::U64),
            (Some("integer"), _) => Some(TypeRef::I64),
            (Some("number"), Some("float")) => Some(TypeRef::F32),
            (Some("number"), _) => Some(TypeRef::F64),
            (Some("boolean"), _) => Some(TypeRef::Bool),
            _ => None,
        };
        if let Some(s) = scalar {
            return (s, shape);
        }
        if schema.get("type").and_then(Value::as_str) == Some("array") {
            if let Some(items) = schema.get("items") {
                let (item_ty, _) = self.type_of(items, &format!("{hint} item"), at);
                return (TypeRef::vec(item_ty), ValueShape::Array);
            }
        }
        let mut prepared = strip_for_typify(schema);
        typify::doc_descriptions(&mut prepared);
        if self.strip_inline_defaults && typify::strip_defaults(&mut prepared) {
            self.warnings.push(
                self.bundle
                    .diagnostic(at, "the defaults of this schema cannot be written out by the type generator: they were dropped from the generated code")
                    .with_help("check that each `default` matches its schema")
                    .with_class(WarningClass::DefaultDropped)
                    .warning(),
            );
        }
        models::fix_colliding_enums(&mut prepared);
        if let Some(ring) = merges::endless_merge(&prepared, &self.schemas.definitions) {
            // typify would merge forever (see `merges::endless_merge`).
            self.warnings.push(
                self.bundle
                    .diagnostic(
                        at,
                        format!(
                            "this schema cannot be turned into a Rust type (its `allOf` would have to be merged with itself through references: {}): it is typed as `serde_json::Value`",
                            ring.join(" -> ")
                        ),
                    )
                    .with_help("the generated code accepts any JSON value here; move the recursive `$ref` out of the merged `allOf` members to get a precise type")
                    .with_class(WarningClass::DegradedSchema)
                    .warning(),
            );
            return (TypeRef::Json, ValueShape::Json);
        }
        let Ok(parsed) = <schemars::schema::Schema as serde::Deserialize>::deserialize(&prepared) else {
            self.diags.push(self.bundle.diagnostic(at, "not a JSON Schema the generator can read").with_help("fix the schema"));
            return (TypeRef::Json, ValueShape::Json);
        };
        // An inline type's name must not collide with a component's or another inline type's.
        let name = naming::unique_ident_from(naming::type_name(hint), self.taken);
        // Nor may the types typify names inside it (see `hoist::name_inline_nested`).
        let mut parsed_value = serde_json::to_value(&parsed).unwrap_or_default();
        hoist::name_inline_nested(&mut parsed_value, &name, self.taken);
        let parsed: schemars::schema::Schema = serde_json::from_value(parsed_value.clone()).unwrap_or(parsed);
        let type_space = &mut *self.type_space;
        let mut convert = |parsed: &schemars::schema::Schema| {
            typify::catch(|| {
                let id = type_space.add_type_with_name(parsed, Some(name.clone())).map_err(|e| e.to_string())?;
                Ok((types::type_ref(type_space, &id)?, id))
            })
        };
        let mut converted = convert(&parsed).map(|(ty, id)| (ty, id, parsed_value.clone()));
        if let Err(reason) = &converted {
            // typify checks defaults against the type it builds: without them the type may
            // convert, which loses less than the whole type.
            let mut stripped = parsed_value.clone();
            if typify::strip_defaults(&mut stripped) {
                if let Ok(Ok((ty, id))) = serde_json::from_value::<schemars::schema::Schema>(stripped.clone()).map(|s| convert(&s)) {
                    self.warnings.push(
                        self.bundle
                            .diagnostic(at, format!("the defaults of schema `{name}` cannot be given to its Rust type ({reason}): they were dropped from the generated code"))
                            .with_help("check that each `default` matches its schema")
                            .with_class(WarningClass::DefaultDropped)
                            .warning(),
                    );
                    converted = Ok((ty, id, stripped));
                }
            }
        }
        match converted {
            Ok((ty, id, converted_schema)) => {
                // The schema as typify converted it, for the field table.
                self.inline.push((Some(id), converted_schema));
                (ty, shape)
            }
            Err(reason) => {
                // This schema alone degrades; the rest of the crate is still generated. typify
                // keeps the types it made of its parts before it failed, which the models
                // module holds: the field table matches them against this schema.
                self.inline.push((None, parsed_value));
                self.warnings.push(
                    self.bundle
                        .diagnostic(
                            at,
                            format!("schema `{name}` cannot be turned into a Rust type ({reason}): it is typed as `serde_json::Value`"),
                        )
                        .with_help("the generated code accepts any JSON value here; simplify the schema to get a precise type")
                        .with_class(WarningClass::DegradedSchema)
                        .warning(),
                );
                (TypeRef::Json, ValueShape::Json)
            }
        }
    }

    fn params(&mut self, item: &Value, op: &Value) -> Vec<Parameter> {
        let doc = &self.bundle.document;
        let mut list: Vec<(String, Value)> = Vec::new();
        let op_params = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let item_params = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        for (i, p) in op_params.iter().enumerate() {
            list.push((join_pointer(&join_pointer(self.op_ptr, "parameters"), &i.to_string()), deref(doc, p).clone()));
        }
        for p in &item_params {
            let p = deref(doc, p);
            let key = (p.get("name").cloned(), p.get("in").cloned());
            if !list.iter().any(|(_, q)| (q.get("name").cloned(), q.get("in").cloned()) == key) {
                list.push((self.op_ptr.rsplit_once('/').map_or("", |x| x.0).to_string(), p.clone()));
            }
        }
        // Names the generated methods and handlers use for their own locals, arguments and
        // fields are not free, nor the module's functions they call (a binding would shadow them).
        let mut taken =
            naming::Namespace::new(&[naming::reserved::PARAMETER, naming::reserved::CLIENT_ITEMS, naming::reserved::SERVER_ITEMS]);
        let mut out: Vec<Parameter> = list
            .into_iter()
            .filter_map(|(ptr, p)| {
                let name = p.get("name")?.as_str()?.to_string();
                let location = match p.get("in")?.as_str()? {
                    "path" => ParamLocation::Path,
                    "query" => ParamLocation::Query,
                    "header" => ParamLocation::Header,
                    _ => ParamLocation::Cookie,
                };
                // A parameter with `content` (JSON text) has the schema of its media type.
                let content_schema = || p.get("content")?.as_object()?.values().next()?.get("schema").cloned();
                let schema = p.get("schema").cloned().or_else(content_schema).unwrap_or(Value::Bool(true));
                let (codec, style_warning) = params::codec(doc, &p, location);
                if let Some(message) = style_warning {
                    self.warnings.push(
                        self.bundle
                            .diagnostic(&ptr, message)
                            .with_help("use a style OpenAPI defines for the parameter's location and schema, or `content` for JSON text")
                            .with_class(WarningClass::ParameterStyle)
                            .warning(),
                    );
                }
                let mut constraints = Default::default();
                let mut stripped = schema.clone();
                if let Some(map) = stripped.as_object_mut() {
                    constraints = constraints::parameter_constraints(map);
                }
                let hint = format!("{} {name}", self.type_name);
                // The pointer of the schema: `schema`, or that of its `content` media type.
                let schema_at = match p.get("content").and_then(Value::as_object).and_then(|c| c.keys().next()) {
                    Some(media) if p.get("schema").is_none() => {
                        join_pointer(&join_pointer(&join_pointer(&ptr, "content"), media), "schema")
                    }
                    _ => join_pointer(&ptr, "schema"),
                };
                let (ty, shape) = self.type_of(&stripped, &hint, &schema_at);
                let sample = examples::parameter(
                    &ty,
                    shape,
                    p.get("example").or_else(|| schema.get("default")),
                    &constraints,
                    &self.schemas.definitions,
                );
                Some(Parameter {
                    rust_name: taken.claim(&naming::snake_case(&name)),
                    required: location == ParamLocation::Path || p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    ty,
                    shape,
                    description: p.get("description").and_then(Value::as_str).map(String::from),
                    default: schema.get("default").cloned(),
                    sample,
                    constraints,
                    codec,
                    name,
                    location,
                })
            })
            .collect();
        out.sort_by_key(|p| p.location != ParamLocation::Path);
        out
    }

    /// The request body, and for a form, the object schema of its fields.
    fn body(&mut self, body: &Value) -> Option<(RequestBody, Option<Value>)> {
        let content = body.get("content")?.as_object()?;
        let (content_type, media, encoding) = pick_media(content)?;
        let at = join_pointer(&join_pointer(&join_pointer(self.op_ptr, "requestBody"), "content"), &content_type);
        let schema = media.get("schema").cloned().unwrap_or(Value::Bool(true));
        let hint = format!("{} body", self.type_name);
        let (ty, _) = self.type_of(&schema, &hint, &join_pointer(&at, "schema"));
        let ty = raw_body_type(encoding).unwrap_or(ty);
        let mut form = None;
        if matches!(encoding, BodyEncoding::Multipart | BodyEncoding::FormUrlEncoded) {
            let inline = self.resolve_def(&schema);
            form = ty
                .model()
                .and_then(|n| self.schemas.definitions.get(n).cloned())
                .or_else(|| inline.get("properties").is_some().then_some(inline));
            if form.is_none() {
                // A form without declared fields (`{type: object}`, or no schema) is still a
                // form: it is sent and read as one without fields.
                self.warnings.push(
                    self.bundle
                        .diagnostic(
                            &join_pointer(&at, "schema"),
                            format!("this `{content_type}` body declares no fields: it is sent and read as an empty form"),
                        )
                        .with_help("describe the form fields as properties of an object schema")
                        .with_class(WarningClass::DegradedSchema)
                        .warning(),
                );
                form = Some(serde_json::json!({ "type": "object", "properties": {} }));
            }
        }
        let examples = examples(&self.bundle.document, media);
        let body = RequestBody {
            minimal: examples.is_empty().then(|| match encoding {
                BodyEncoding::Json => synth::minimal(&schema, document_schemas(&self.bundle.document)),
                _ => self::examples::request_body(&ty, &self.schemas.definitions),
            }),
            examples,
            description: body.get("description").and_then(Value::as_str).map(String::from),
            required: body.get("required").and_then(Value::as_bool).unwrap_or(false),
            content_type,
            encoding,
            ty,
            fields: Vec::new(),
            schema_key: None,
        };
        Some((body, form))
    }

    /// Follows a reference to a definition (for form fields that are enums).
    fn resolve_def(&self, schema: &Value) -> Value {
        resolve_def(self.schemas, schema)
    }

    fn responses(&mut self, op: &Value) -> Vec<Response> {
        let doc = &self.bundle.document;
        let mut out = Vec::new();
        if op.get("responses").and_then(Value::as_object).is_none_or(serde_json::Map::is_empty) {
            // No documented response (allowed since OpenAPI 3.1): any 2XX is a success.
            out.push(Response {
                status: StatusMatch::Range(2),
                rust_name: "Success".into(),
                description: "Any success (the spec documents no response).".into(),
                body: None,
                success: true,
                headers: Vec::new(),
                headers_type: None,
            });
            return out;
        }
        let mut taken = BTreeSet::new();
        for (key, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            let status = match key.as_str() {
                "default" => StatusMatch::Default,
                k if k.ends_with("XX") || k.ends_with("xx") => StatusMatch::Range(k[..1].parse().unwrap_or(5)),
                k => match k.parse() {
                    Ok(c) => StatusMatch::Code(c),
                    Err(_) => continue,
                },
            };
            let resp = deref(doc, resp);
            let rust_name = naming::unique_ident_from(status_name(status), &mut taken);
            let success = matches!(status, StatusMatch::Code(200..=299) | StatusMatch::Range(2));
            let at = join_pointer(&join_pointer(self.op_ptr, "responses"), key);
            let body = resp.get("content").and_then(Value::as_object).and_then(pick_media).map(|(content_type, media, encoding)| {
                let schema = media.get("schema").cloned().unwrap_or(Value::Bool(true));
                let hint = format!("{} {} body", self.type_name, rust_name);
                let (ty, _) = self.type_of(&schema, &hint, &join_pointer(&join_pointer(&at, "content"), &content_type));
                let ty = raw_body_type(encoding).unwrap_or(ty);
                let examples = examples(doc, media);
                // Every response without an example (the mock answers `Prefer: code=N` with it).
                let minimal = examples.is_empty().then(|| match encoding {
                    BodyEncoding::Json => synth::minimal(&schema, document_schemas(&self.bundle.document)),
                    _ => self::examples::response_body(&ty, &self.schemas.definitions),
                });
                ResponseBody { examples, minimal, content_type, encoding, ty }
            });
            let headers = response_headers(doc, resp);
            // The struct lives in `models` (client and server share it): a model name of its own.
            let headers_type =
                (!headers.is_empty()).then(|| naming::unique_ident_from(format!("{}{}Headers", self.type_name, rust_name), self.taken));
            out.push(Response {
                success,
                status,
                rust_name,
                description: resp.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
                body,
                headers,
                headers_type,
            });
        }
        out
    }
}

/// The document's `components/schemas` (with every constraint, unlike the definitions
/// prepared for typify), where synthesized values resolve references.
fn document_schemas(doc: &Value) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    doc.pointer("/components/schemas").and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

/// The documented headers of a response (`Content-Type` left out: OpenAPI ignores it), each
/// typed from its schema: `integer` as `i64`, `number` as `f64`, `boolean` as `bool`, anything
/// else (strings, dates, lists, objects) as its raw text.
fn response_headers(doc: &Value, resp: &Value) -> Vec<ResponseHeader> {
    let mut fields = naming::Namespace::new(&[naming::reserved::TRAIT_METHODS]);
    let mut out = Vec::new();
    for (name, header) in resp.get("headers").and_then(Value::as_object).into_iter().flatten() {
        if name.eq_ignore_ascii_case("content-type") || name.trim().is_empty() {
            continue;
        }
        let header = deref(doc, header);
        let schema = header
            .get("schema")
            .or_else(|| header.get("content").and_then(Value::as_object).and_then(|c| c.values().next()).and_then(|m| m.get("schema")))
            .map(|s| deref(doc, s));
        let types: Vec<&str> = match schema.and_then(|s| s.get("type")) {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
            _ => Vec::new(),
        };
        let ty = match types[..] {
            ["integer"] => TypeRef::I64,
            ["number"] => TypeRef::F64,
            ["boolean"] => TypeRef::Bool,
            _ => TypeRef::String,
        };
        out.push(ResponseHeader {
            name: name.clone(),
            rust_name: fields.claim(&naming::snake_case(name)),
            ty,
            required: header.get("required").and_then(Value::as_bool).unwrap_or(false),
            description: header.get("description").and_then(Value::as_str).map(String::from),
            sample: self::examples::response_header(doc, header, schema, document_schemas(doc)),
        });
    }
    out
}

/// Follows a reference to a definition.
fn resolve_def(schemas: &Schemas, schema: &Value) -> Value {
    let schema = schemas.hoisted.rewrite_refs(schema.clone());
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)) {
        Some(name) => schemas.definitions.get(name).cloned().unwrap_or(schema),
        None => schema,
    }
}

/// The fields of a form body whose object schema is `def`, in property order, named as the
/// fields of the body's struct `body` (from the field table).
fn form_fields(def: &Value, body: Option<&str>, schemas: &Schemas, models: &ModelSpace) -> Vec<FormField> {
    let table = body.and_then(|name| models.structs.get(name));
    let mut fields = Vec::new();
    for (name, prop) in def.get("properties").and_then(Value::as_object).into_iter().flatten() {
        // A property without a field of its own (typify leaves `false` schemas out) is not sent.
        let Some(field) = table.and_then(|t| t.field(name)) else { continue };
        let prop = resolve_def(schemas, prop);
        fields.push(FormField {
            rust_name: field.name.clone(),
            shape: shape_of(&prop),
            // A file, or a list of files (one part each).
            binary: [Some(&prop), prop.get("items")]
                .into_iter()
                .flatten()
                .any(|p| p.get("format").and_then(Value::as_str) == Some("binary")),
            name: name.clone(),
        });
    }
    fields
}

/// Text and binary bodies are `String` and `Vec<u8>`, whatever their schema says.
fn raw_body_type(encoding: BodyEncoding) -> Option<TypeRef> {
    match encoding {
        BodyEncoding::Text => Some(TypeRef::String),
        BodyEncoding::Bytes => Some(TypeRef::Bytes),
        _ => None,
    }
}

/// Drops what typify cannot take (conditionals, at any depth) from an inline schema.
fn strip_for_typify(mut schema: Value) -> Value {
    models::const_as_enum(&mut schema);
    if let Some(map) = schema.as_object_mut() {
        constraints::strip_conditionals(map);
    }
    schema
}

/// Picks the media type the generated code handles best.
fn pick_media(content: &serde_json::Map<String, Value>) -> Option<(String, &Value, BodyEncoding)> {
    let rank = |ct: &str| -> Option<(u8, BodyEncoding)> {
        let ct = ct.split(';').next().unwrap_or(ct).trim().to_ascii_lowercase();
        Some(match ct.as_str() {
            "application/json" => (0, BodyEncoding::Json),
            c if c.ends_with("+json") || c == "*/*" => (1, BodyEncoding::Json),
            "multipart/form-data" => (2, BodyEncoding::Multipart),
            "application/x-www-form-urlencoded" => (3, BodyEncoding::FormUrlEncoded),
            c if c.starts_with("text/") => (4, BodyEncoding::Text),
            _ => (5, BodyEncoding::Bytes),
        })
    };
    content
        .iter()
        .filter_map(|(ct, media)| rank(ct).map(|(r, e)| (r, ct.clone(), media, e)))
        .min_by_key(|(r, ..)| *r)
        .map(|(_, ct, media, e)| (ct, media, e))
}

fn examples(doc: &Value, media: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    if let Some(v) = media.get("example") {
        out.push(Example { name: "example".into(), summary: None, value: v.clone() });
    }
    for (name, ex) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
        let ex = deref(doc, ex);
        if let Some(v) = ex.get("value") {
            out.push(Example {
                name: name.clone(),
                summary: ex.get("summary").and_then(Value::as_str).map(String::from),
                value: v.clone(),
            });
        }
    }
    out
}

/// The shape of a (resolved) schema.
fn shape_of(schema: &Value) -> ValueShape {
    if schema.get("enum").is_some() {
        return ValueShape::Enum;
    }
    match schema.get("type") {
        Some(Value::String(t)) => match t.as_str() {
            "string" => ValueShape::String,
            "integer" => ValueShape::Integer,
            "number" => ValueShape::Number,
            "boolean" => ValueShape::Boolean,
            "array" => ValueShape::Array,
            _ => ValueShape::Json,
        },
        _ => ValueShape::Json,
    }
}

/// The variant name of a response.
pub fn status_name(status: StatusMatch) -> String {
    match status {
        StatusMatch::Default => "Default".into(),
        StatusMatch::Range(2) => "Success".into(),
        StatusMatch::Range(3) => "Redirection".into(),
        StatusMatch::Range(4) => "ClientError".into(),
        StatusMatch::Range(5) => "ServerError".into(),
        StatusMatch::Range(c) => format!("Status{c}xx"),
        StatusMatch::Code(code) => match code {
            200 => "Ok",
            201 => "Created",
            202 => "Accepted",
            204 => "NoContent",
            301 => "MovedPermanently",
            302 => "Found",
            304 => "NotModified",
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            410 => "Gone",
            412 => "PreconditionFailed",
            413 => "PayloadTooLarge",
            415 => "UnsupportedMediaType",
            422 => "UnprocessableEntity",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            c => return format!("Status{c}"),
        }
        .into(),
    }
}

/// Query parameters that number pages, skip items, or carry a cursor; body properties that hold
/// the next link, the next cursor, the totals and whether more pages follow; array properties
/// that hold the items when a body has several arrays. See the README's "Pagination".
const PAGE_PARAMS: &[&str] = &["page", "pageNumber", "page_number", "pageNo", "page_no", "pageIndex", "page_index"];
const OFFSET_PARAMS: &[&str] = &["offset", "skip", "start", "startIndex", "start_index", "from"];
const CURSOR_PARAMS: &[&str] = &[
    "cursor",
    "after",
    "starting_after",
    "startingAfter",
    "page_token",
    "pageToken",
    "next_token",
    "nextToken",
    "continuation",
    "continuationToken",
    "continuation_token",
    "marker",
    "iterator",
];
const NEXT_LINK_FIELDS: &[&str] =
    &["next", "nextLink", "next_link", "nextUrl", "next_url", "nextPageUrl", "next_page_url", "@odata.nextLink"];
const NEXT_CURSOR_FIELDS: &[&str] = &[
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "next_token",
    "nextToken",
    "continuation",
    "continuationToken",
    "continuation_token",
    "next_marker",
    "nextMarker",
    "cursor",
    "after",
    "iterator",
];
const TOTAL_PAGES_FIELDS: &[&str] = &["totalPages", "total_pages", "pageCount", "page_count", "pages", "last_page", "lastPage"];
const TOTAL_ITEMS_FIELDS: &[&str] = &["total", "totalCount", "total_count", "totalItems", "total_items", "totalResults", "total_results"];
const HAS_MORE_FIELDS: &[&str] = &["has_more", "hasMore", "has_next", "hasNext", "hasNextPage", "has_next_page", "more"];
const IS_LAST_FIELDS: &[&str] = &["done", "isLast", "is_last", "last", "lastPage", "last_page"];
const ITEMS_FIELDS: &[&str] = &["items", "data", "results", "records", "entries", "values", "content", "elements", "response"];
/// Objects below the body searched for the properties above (besides the body itself).
const PAGE_CONTAINERS: &[&str] =
    &["links", "_links", "pagination", "paging", "meta", "page", "pageInfo", "page_info", "cursors", "response"];

/// The pagination of an operation: declared with `x-pagination` (`false` turns detection off),
/// else detected for a GET whose single JSON success body is an array of `$ref` items or holds
/// one (see the README's "Pagination" for the rules). `None` when the operation does not page,
/// or its style is ambiguous (say, both a page number and an offset parameter and no link).
fn detect_pagination(
    op: &Value,
    method: HttpMethod,
    params: &[Parameter],
    responses: &[Response],
    models: &ModelSpace,
    defs: &BTreeMap<String, Value>,
) -> Result<Option<Pagination>, String> {
    let mut warning = None;
    let found = pagination_of(op, method, params, responses, models, defs, &mut warning);
    match warning {
        Some(message) => Err(message),
        None => Ok(found),
    }
}

/// [`detect_pagination`], with a declaration that cannot be followed put in `warning`.
fn pagination_of(
    op: &Value,
    method: HttpMethod,
    params: &[Parameter],
    responses: &[Response],
    models: &ModelSpace,
    defs: &BTreeMap<String, Value>,
    warning: &mut Option<String>,
) -> Option<Pagination> {
    let declared = op.get("x-pagination");
    if declared == Some(&Value::Bool(false)) {
        return None;
    }
    let declared = declared.and_then(Value::as_object);
    if declared.is_none() && method != HttpMethod::Get {
        return None;
    }
    let successes: Vec<&Response> = responses.iter().filter(|r| r.success).collect();
    let [success] = successes[..] else { return None };
    let body = success.body.as_ref().filter(|b| b.encoding == BodyEncoding::Json)?;
    // A nullable parameter (`Option<T>` inside the optional `Option`) counts as its `T`.
    let kind = |p: &Parameter| match p.ty.option_inner() {
        Some(TypeRef::String) => ValueShape::String,
        Some(t) if t.is_number() && !matches!(t, TypeRef::F32 | TypeRef::F64) => ValueShape::Integer,
        _ => p.shape,
    };
    let query = |names: &[&str], shape: &[ValueShape]| {
        params.iter().find(|p| p.location == ParamLocation::Query && shape.contains(&kind(p)) && names.iter().any(|n| p.name == *n))
    };
    let first_of = |p: &Parameter, fallback: i64| {
        p.default
            .as_ref()
            .and_then(Value::as_i64)
            .or_else(|| {
                p.constraints.value.iter().find_map(|c| match c {
                    crate::ir::models::Constraint::Minimum { value, exclusive: false } if value.fract() == 0.0 => Some(*value as i64),
                    _ => None,
                })
            })
            .unwrap_or(fallback)
    };

    // The items: the body itself, or one of its array properties.
    // The field and its type come from the field table.
    let (def, items, items_nullable, item_ty) = match &body.ty {
        TypeRef::Vec(item) => (None, Vec::new(), false, (**item).clone()),
        TypeRef::Named(model) => {
            let def = defs.get(model)?;
            let name = items_property(def, declared.and_then(|d| d.get("items")).and_then(Value::as_str))?;
            let field = models.structs.get(model)?.field(&name)?;
            let (nullable, item) = match &field.ty {
                TypeRef::Vec(item) => (false, item),
                TypeRef::Option(inner) => (
                    true,
                    match &**inner {
                        TypeRef::Vec(item) => item,
                        _ => return None,
                    },
                ),
                _ => return None,
            };
            (Some(def), vec![field.name.clone()], nullable, (**item).clone())
        }
        _ => return None,
    };
    let find = |names: &[&str], kinds: &[&str]| def.and_then(|d| find_pointer(defs, d, names, kinds));
    let field = |key: &str| declared.and_then(|d| d.get(key)).and_then(Value::as_str).map(String::from);

    let style = match declared.and_then(|d| d.get("style")).and_then(Value::as_str) {
        Some(style) => {
            let param = field("param");
            let param_of = |names: &[&str], shapes: &[ValueShape]| match &param {
                Some(name) => params.iter().find(|p| p.location == ParamLocation::Query && &p.name == name),
                None => query(names, shapes),
            };
            let first = declared.and_then(|d| d.get("first")).and_then(Value::as_i64);
            let missing_param = || format!("`x-pagination` (style `{style}`) names no query parameter of the operation: set `param`");
            let missing_next =
                || format!("`x-pagination` (style `{style}`) finds no cursor or link in the body: set `next` to its JSON pointer");
            let declared_style = match style {
                "page" | "page-number" | "pageNumber" => param_of(PAGE_PARAMS, &[ValueShape::Integer])
                    .map(|p| PageStyle::PageNumber { param: p.name.clone(), first: first.unwrap_or_else(|| first_of(p, 1)) })
                    .ok_or_else(missing_param),
                "offset" => param_of(OFFSET_PARAMS, &[ValueShape::Integer])
                    .map(|p| PageStyle::Offset { param: p.name.clone(), first: first.unwrap_or_else(|| first_of(p, 0)) })
                    .ok_or_else(missing_param),
                "cursor" => {
                    match (param_of(CURSOR_PARAMS, &[ValueShape::String]), field("next").or_else(|| find(NEXT_CURSOR_FIELDS, &["string"])))
                    {
                        (Some(p), Some(next)) => Ok(PageStyle::Cursor { param: p.name.clone(), next }),
                        (None, _) => Err(missing_param()),
                        (_, None) => Err(missing_next()),
                    }
                }
                "next-link" | "nextLink" | "link" => field("next")
                    .or_else(|| find(NEXT_LINK_FIELDS, &["string"]))
                    .map(|next| PageStyle::NextLink { next })
                    .ok_or_else(missing_next),
                "link-header" | "linkHeader" => Ok(PageStyle::LinkHeader),
                other => Err(format!("`x-pagination` has the unknown style `{other}`: no stream is generated")),
            };
            match declared_style {
                Ok(style) => style,
                Err(message) => {
                    *warning = Some(message);
                    return None;
                }
            }
        }
        None => {
            let cursor_param = query(CURSOR_PARAMS, &[ValueShape::String]);
            let cursor_field = find(NEXT_CURSOR_FIELDS, &["string"]);
            let link_field = find(NEXT_LINK_FIELDS, &["string"]);
            let link_header = success.headers.iter().any(|h| h.name.eq_ignore_ascii_case("link"));
            let page = query(PAGE_PARAMS, &[ValueShape::Integer]);
            let offset = query(OFFSET_PARAMS, &[ValueShape::Integer]);
            match (cursor_param, cursor_field) {
                (Some(p), Some(next)) => PageStyle::Cursor { param: p.name.clone(), next },
                _ => match (link_field, link_header, page, offset) {
                    (Some(next), _, _, _) => PageStyle::NextLink { next },
                    (None, true, _, _) => PageStyle::LinkHeader,
                    (None, false, Some(p), None) => PageStyle::PageNumber { param: p.name.clone(), first: first_of(p, 1) },
                    (None, false, None, Some(p)) => PageStyle::Offset { param: p.name.clone(), first: first_of(p, 0) },
                    _ => return None,
                },
            }
        }
    };
    Some(Pagination {
        style,
        items,
        items_nullable,
        item_ty,
        total_pages: field("totalPages").or_else(|| find(TOTAL_PAGES_FIELDS, &["integer"])),
        total_items: field("totalItems").or_else(|| find(TOTAL_ITEMS_FIELDS, &["integer"])),
        has_more: field("hasMore").or_else(|| find(HAS_MORE_FIELDS, &["boolean"])),
        is_last: field("isLast").or_else(|| find(IS_LAST_FIELDS, &["boolean"])),
    })
}

/// The array property of a page body holding the items: `declared` (a JSON pointer of one
/// property, from `x-pagination`), else the only array property, else the first array property
/// with a usual name (`items`, `data`, `results`...).
fn items_property(def: &Value, declared: Option<&str>) -> Option<String> {
    let props = def.get("properties")?.as_object()?;
    let is_array = |s: &Value| match s.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "array"),
        _ => false,
    };
    if let Some(pointer) = declared {
        let name = pointer.trim_start_matches('/').replace("~1", "/").replace("~0", "~");
        return props.get(&name).filter(|s| is_array(s)).map(|_| name);
    }
    // Inline arrays only: a `$ref` to an array definition is a newtype struct, not a `Vec`.
    let arrays: Vec<&String> = props.iter().filter(|(_, s)| is_array(s)).map(|(n, _)| n).collect();
    match arrays[..] {
        [name] => Some(name.clone()),
        _ => ITEMS_FIELDS.iter().find_map(|want| arrays.iter().find(|n| n.as_str() == *want)).map(|n| n.to_string()),
    }
}

/// The JSON pointer of the first property named one of `names` (in that order of preference)
/// whose type is one of `kinds`, in the body `def` or an object below it named as in
/// [`PAGE_CONTAINERS`] (two levels at most: `/links/next`, `/meta/page/total`).
fn find_pointer(defs: &std::collections::BTreeMap<String, Value>, def: &Value, names: &[&str], kinds: &[&str]) -> Option<String> {
    fn resolve<'d>(defs: &'d std::collections::BTreeMap<String, Value>, s: &'d Value) -> &'d Value {
        match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)) {
            Some(n) => defs.get(n).unwrap_or(s),
            None => s,
        }
    }
    fn walk(defs: &std::collections::BTreeMap<String, Value>, def: &Value, names: &[&str], kinds: &[&str], depth: usize) -> Option<String> {
        let props = def.get("properties")?.as_object()?;
        let has_kind = |s: &Value| match s.get("type") {
            Some(Value::String(t)) => kinds.contains(&t.as_str()),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(|t| kinds.contains(&t)),
            None => s.get("format").and_then(Value::as_str).is_some_and(|f| f.starts_with("uri")) && kinds.contains(&"string"),
            _ => false,
        };
        let escape = |n: &str| n.replace('~', "~0").replace('/', "~1");
        for name in names {
            if let Some(s) = props.get(*name).map(|s| resolve(defs, s)) {
                if has_kind(s) {
                    return Some(format!("/{}", escape(name)));
                }
            }
        }
        if depth >= 2 {
            return None;
        }
        for container in PAGE_CONTAINERS {
            if let Some(sub) = props.get(*container).map(|s| resolve(defs, s)) {
                if let Some(rest) = walk(defs, sub, names, kinds, depth + 1) {
                    return Some(format!("/{}{rest}", escape(container)));
                }
            }
        }
        None
    }
    walk(defs, resolve(defs, def), names, kinds, 0)
}

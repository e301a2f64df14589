//! The field table: every struct typify wrote, read from its type space
//! ([`TypeDetails::Struct`]) into [`Field`]s: wire name, Rust name,
//! [`TypeRef`](crate::ir::TypeRef), required, default. This is the one place field names are
//! decided; every emitter reads the table.
//!
//! typify names a field after its property (`userName` -> `user_name`) and sorts the fields by
//! that name, but its type space does not say which property a field came from. The wire names
//! are matched by asking typify itself how it names each candidate property (one probe struct
//! with every property name of the API, see `typify_names`), where the candidates of a struct
//! are the properties of the schema it was made from (its own and those of the schemas typify
//! merges into it). That schema is known for the definitions and the inline schemas of
//! operations, and found for the structs typify makes of schemas nested in them by following
//! typify's types and the schemas together. A field that matches no property is a part typify
//! flattens into the struct. Properties that sanitize to the same name (`user_name`,
//! `userName`) make typify write the same field twice: the later ones get a numeric suffix
//! (`user_name_2`), which the models emitter applies with an explicit serde `rename`. The models
//! emitter also checks every field typify wrote against the table (identifier and wire name), so
//! a wrong match fails generation instead of reaching the generated code.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use schemars::schema::{InstanceType, Metadata, ObjectValidation, Schema, SchemaObject};
use serde_json::Value;
use typify_impl::{Type, TypeDetails, TypeEnumVariant, TypeId, TypeSpace, TypeSpaceSettings, TypeStruct};

use super::types::Types;
use crate::ir::models::{EnumNames, Field, StructModel};
use crate::naming;
use crate::spec::COMPONENT_PREFIX;

/// The field name typify gives each property name.
type Names<'a> = HashMap<&'a str, String>;

/// Reads every struct of `space`. The schemas lowering gave typify are `definitions` (by name)
/// and `inline` (the inline schemas of operations, with the type typify made of each, `None` where it failed);
/// `definitions` also resolves the references between them.
///
/// Each struct is matched against the schema it was made from: those given to typify by name,
/// then the schemas of their fields and of the variants of enums, followed into the types typify
/// made of them (a property with a `title`, a nullable object's `Inner`, an `anyOf` member), and
/// so on. A struct no walk reaches (typify keeps types it made and then replaced) is matched
/// against the first object schema of the API with its field names, else against every
/// property name of the API.
///
/// # Errors
///
/// A message when typify holds a type the IR cannot name (a generator bug).
pub fn read_structs(space: &TypeSpace, inline: &[(Option<TypeId>, Value)], definitions: &BTreeMap<String, Value>) -> Result<Read, String> {
    // By name; typify may give two types one name (a struct and an enum of the same title).
    let mut types: BTreeMap<String, Vec<Type<'_>>> = BTreeMap::new();
    for t in space.iter_types() {
        if matches!(t.details(), TypeDetails::Struct(_) | TypeDetails::Newtype(_) | TypeDetails::Enum(_)) {
            types.entry(t.name()).or_default().push(t);
        }
    }
    if types.is_empty() {
        return Ok(Read { fields: BTreeMap::new(), enums: BTreeMap::new() });
    }
    let mut pool = BTreeSet::new();
    let mut objects = Vec::new();
    for schema in inline.iter().map(|(_, s)| s).chain(definitions.values()) {
        every_wire(schema, &mut pool, &mut objects);
    }
    let names = typify_names(&pool)?;
    let mut walk = Walk { space, types: &types, sources: BTreeMap::new(), queue: VecDeque::new() };
    for (name, schema) in definitions {
        walk.reach(name, schema);
    }
    // An inline schema typify failed on has no type, but may have left types of its parts.
    for (id, schema) in inline.iter().filter_map(|(id, s)| Some((id.as_ref()?, s))) {
        walk.descend(id, schema, 0);
    }
    // Every schema a type is reached from: typify gives types of the same title one name (the
    // first schema converted wins), so a type may be reached from several.
    while let Some((name, schema)) = walk.queue.pop_front() {
        for ty in &types[&name] {
            match ty.details() {
                TypeDetails::Newtype(n) => walk.descend(&n.inner(), schema, 0),
                TypeDetails::Struct(s) => {
                    let fields: Vec<(String, TypeId)> = typify_fields(&s).into_iter().map(|(n, _, id)| (n, id)).collect();
                    walk.descend_fields(&fields, &[schema], &names, definitions);
                }
                TypeDetails::Enum(e) => {
                    // Each variant is made of one member of the `oneOf`/`anyOf`, in order (the
                    // `null` member aside); a struct variant's fields are that member's properties
                    // (or properties beside the `oneOf`, which typify adds to every variant).
                    let members = union_members(schema);
                    let variants: Vec<TypeEnumVariant<'_>> = e.variants().map(|(_, v)| v).collect();
                    if variants.len() == members.len() {
                        for (variant, member) in variants.into_iter().zip(members) {
                            match variant {
                                TypeEnumVariant::Tuple(ids) if ids.len() == 1 => walk.descend(&ids[0], member, 0),
                                TypeEnumVariant::Struct(fields) => {
                                    let fields: Vec<(String, TypeId)> = fields.into_iter().map(|(n, id)| (n.to_string(), id)).collect();
                                    walk.descend_fields(&fields, &[member, schema], &names, definitions);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    let mut enums = BTreeMap::new();
    for (name, schemas) in &walk.sources {
        for ty in &types[name] {
            if let Some(found) = enum_names(space, ty, schemas[0]) {
                enums.insert(name.clone(), found);
            }
        }
    }

    // Each struct is matched against the schema it was reached from whose properties explain
    // the most of its fields (the first of equals); one reached from none (typify keeps types
    // it made and then replaced), against the first object schema of the API with the same
    // field names, else against every property name of the API.
    let pool: Vec<Prop<'_>> = pool.iter().map(|wire| Prop { wire, schema: None }).collect();
    let mut by_signature: Option<BTreeMap<Vec<&str>, &Value>> = None;
    let mut out = BTreeMap::new();
    let mut read = Types::new(space);
    for (name, ty) in types.iter().flat_map(|(name, list)| list.iter().map(move |t| (name, t))) {
        let TypeDetails::Struct(s) = ty.details() else { continue };
        let declared = typify_fields(&s);
        let mut best: Option<Vec<Option<String>>> = None;
        for schema in walk.sources.get(name).into_iter().flatten() {
            let matched = match_wires(&declared, &own_properties(schema, definitions), &names);
            let unmatched = |m: &[Option<String>]| m.iter().filter(|w| w.is_none()).count();
            if best.as_ref().is_none_or(|b| unmatched(&matched) < unmatched(b)) {
                best = Some(matched);
            }
        }
        let matched = match best {
            Some(matched) => matched,
            None => {
                let index = by_signature.get_or_insert_with(|| {
                    let mut index = BTreeMap::new();
                    for object in &objects {
                        index.entry(signature(object, &names, definitions)).or_insert(*object);
                    }
                    index
                });
                // A struct's fields without the parts typify flattens in.
                let mut own: Vec<&str> = Vec::new();
                for (i, (n, _, _)) in declared.iter().enumerate() {
                    let flattened = (i + 1 == declared.len() && n == "extra") || flattened_index(n).is_some();
                    if !flattened {
                        own.push(n);
                    }
                }
                own.sort_unstable();
                match index.get(&own) {
                    Some(object) => match_wires(&declared, &own_properties(object, definitions), &names),
                    None => match_wires(&declared, &pool, &names),
                }
            }
        };
        let mut fields = Vec::new();
        for ((typify_name, required, id), wire) in declared.into_iter().zip(matched) {
            let ty = read.of(&id)?;
            // A field that is no property is a flattened part typify added: the additional
            // properties (`extra`, last) or a member of an `anyOf` (`subtype_0`, ...). Its wire
            // name is its Rust name, as for serde.
            let flatten = wire.is_none();
            let wire = wire.unwrap_or_else(|| typify_name.clone());
            let has_default = !required && ty.option_inner().is_none();
            fields.push(Field { wire, name: typify_name.clone(), typify_name, ty, required, has_default, flatten, three_state: false });
        }
        unique_names(&mut fields);
        out.insert(name.clone(), fields);
    }
    Ok(Read { fields: out, enums })
}

/// What [`read_structs`] reads: the field table and the enum names that differ from typify's.
pub struct Read {
    /// The fields of every struct, by name.
    pub fields: BTreeMap<String, Vec<Field>>,
    /// The variant names of unions and enums, by enum name (see [`EnumNames`]).
    pub enums: BTreeMap<String, EnumNames>,
}

/// The names of typify's enum or integer newtype `ty`, made of `schema`, where ours differ from
/// typify's: an untagged union's variants by meaning or kind (`naming::union_variant_names`), a
/// string enum's variants and an integer enum's constants from `x-enum-varnames` (or
/// `x-enum-names`; normalization has checked them, see `spec::normalize`).
fn enum_names(space: &TypeSpace, ty: &Type<'_>, schema: &Value) -> Option<EnumNames> {
    let given = schema.get("x-enum-varnames").or_else(|| schema.get("x-enum-names")).and_then(Value::as_array);
    let values = schema.get("enum").and_then(Value::as_array);
    let mut out = EnumNames::default();
    match ty.details() {
        TypeDetails::Enum(e) => {
            if let (Some(given), Some(values)) = (given, values) {
                let names: Vec<&str> = given.iter().filter_map(Value::as_str).collect();
                let renamed = naming::enum_varnames(&names)?;
                if renamed.len() != values.len() {
                    return None;
                }
                for (value, name) in values.iter().zip(renamed) {
                    if let Some(v) = value.as_str() {
                        out.values.push((v.to_string(), name));
                    }
                }
            } else {
                let variants: Vec<(&str, TypeEnumVariant<'_>)> = e.variants().collect();
                // Only unions: every variant holds a value (a tuple of one, or a struct).
                if !variants
                    .iter()
                    .all(|(_, v)| matches!(v, TypeEnumVariant::Struct(_)) || matches!(v, TypeEnumVariant::Tuple(ids) if ids.len() == 1))
                {
                    return None;
                }
                let members = union_members(schema);
                let meanings: Vec<naming::Meaning> = if members.len() == variants.len() {
                    members.iter().zip(&variants).map(|(m, (_, v))| member_meaning(space, m, v)).collect()
                } else if members.is_empty() && schema.get("type").is_some_and(Value::is_array) {
                    // A `type` array: typify's variants hold one kind each.
                    variants.iter().map(|(_, v)| naming::Meaning::Kind(variant_kind(space, v))).collect()
                } else {
                    return None;
                };
                for ((old, _), new) in variants.iter().zip(naming::union_variant_names(&meanings)) {
                    if *old != new {
                        out.variants.push((old.to_string(), new));
                    }
                }
            }
        }
        TypeDetails::Newtype(_) => {
            let (given, values) = (given?, values?);
            let names: Vec<&str> = given.iter().filter_map(Value::as_str).collect();
            let constants = naming::enum_constants(&names)?;
            if constants.len() != values.len() {
                return None;
            }
            for (value, name) in values.iter().zip(constants) {
                out.constants.push((name, value.as_i64()?));
            }
        }
        _ => return None,
    }
    (out != EnumNames::default()).then_some(out)
}

/// What a union's member says of its values: its `title`, the component of a `$ref`, a
/// `format` that is not a storage size, else its JSON kind (from the schema, else from the type
/// typify made of it).
fn member_meaning(space: &TypeSpace, member: &Value, variant: &TypeEnumVariant<'_>) -> naming::Meaning {
    let kind = member_kind(space, member, variant);
    if let Some(title) = member.get("title").and_then(Value::as_str).filter(|t| !naming::words(t).is_empty()) {
        return naming::Meaning::Named(title.to_string(), kind);
    }
    if let Some(target) = member.get("$ref").and_then(Value::as_str) {
        let last = target.rsplit('/').next().unwrap_or(target);
        if !naming::words(last).is_empty() {
            return naming::Meaning::Named(last.to_string(), kind);
        }
    }
    if let Some(format) = member.get("format").and_then(Value::as_str) {
        if !naming::STORAGE_FORMATS.contains(&format) && !naming::words(format).is_empty() {
            return naming::Meaning::Named(format.to_string(), kind);
        }
    }
    naming::Meaning::Kind(kind)
}

/// The JSON kind of a union's member: its `type`, else the type typify made of it.
fn member_kind(space: &TypeSpace, member: &Value, variant: &TypeEnumVariant<'_>) -> &'static str {
    match member.get("type").and_then(Value::as_str) {
        Some("string") => "string",
        Some("integer") => "integer",
        Some("number") => "number",
        Some("boolean") => "boolean",
        Some("array") => "array",
        Some("object") if member.get("properties").is_none() && member.get("additionalProperties").is_some_and(Value::is_object) => "map",
        Some("object") => "object",
        _ => variant_kind(space, variant),
    }
}

/// The JSON kind of the value typify's variant holds (newtypes, options and boxes followed).
fn variant_kind(space: &TypeSpace, variant: &TypeEnumVariant<'_>) -> &'static str {
    fn of(space: &TypeSpace, id: &TypeId, depth: usize) -> &'static str {
        let Ok(ty) = space.get_type(id) else { return "any" };
        let details = ty.details();
        let kind = match details {
            TypeDetails::String => "string",
            TypeDetails::Vec(_) | TypeDetails::Set(_) | TypeDetails::Array(..) | TypeDetails::Tuple(_) => "array",
            TypeDetails::Map(..) => "map",
            TypeDetails::Struct(_) => "object",
            TypeDetails::Unit => "null",
            TypeDetails::Newtype(n) if depth < 8 => of(space, &n.inner(), depth + 1),
            TypeDetails::Option(inner) | TypeDetails::Box(inner) if depth < 8 => of(space, &inner, depth + 1),
            TypeDetails::Builtin(b) => {
                let b = b.trim_start_matches("::");
                if b == "bool" {
                    "boolean"
                } else if b == "f64" || b == "f32" {
                    "number"
                } else if b.starts_with('i') || b.starts_with('u') && !b.starts_with("uuid") || b.contains("NonZero") {
                    "integer"
                } else if b.contains("serde_json::Value") {
                    "any"
                } else {
                    "string"
                }
            }
            _ => "any",
        };
        kind
    }
    match variant {
        TypeEnumVariant::Tuple(ids) if ids.len() == 1 => of(space, &ids[0], 0),
        TypeEnumVariant::Struct(_) => "object",
        _ => "any",
    }
}

/// A struct whose field table disagreed with the code typify wrote for it (see [`reconcile`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The struct's Rust name.
    pub name: String,
    /// Each field that changed: `field` (`table wire` -> `typify's wire`).
    pub changes: Vec<String>,
}

/// Checks the field table `structs` against the code typify wrote (`file`, its parsed
/// `to_stream`), and where they disagree makes the table follow typify's code: typify's code
/// is what serde reads and writes, so its wire names are the right ones. The matching of
/// [`read_structs`] explains typify's fields from the schemas; a gap in it (a merge it does not
/// follow, names it cannot tell apart) would otherwise be a wrong wire name in the validators
/// and emitters. Returns the structs repaired (each a warning for the caller). A struct name
/// typify wrote twice is left alone (the models emitter handles it), as is a field whose type
/// the table cannot give.
pub fn reconcile(structs: &mut BTreeMap<String, StructModel>, file: &syn::File) -> Vec<Repaired> {
    let mut written: BTreeMap<String, Vec<&syn::FieldsNamed>> = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Struct(s) = item {
            if let syn::Fields::Named(named) = &s.fields {
                written.entry(s.ident.to_string()).or_default().push(named);
            }
        }
    }
    let mut out = Vec::new();
    for (name, model) in structs.iter_mut() {
        let Some([named]) = written.get(name).map(Vec::as_slice) else { continue };
        // typify's fields: identifier, wire name, flattened.
        let typify: Vec<(String, String, bool)> = named
            .named
            .iter()
            .map(|f| {
                let ident = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                let wire = crate::naming::serde_rename(f).unwrap_or_else(|| ident.trim_start_matches("r#").to_string());
                (ident, wire, is_flattened(f))
            })
            .collect();
        let fits = typify.len() == model.fields.len()
            && typify.iter().zip(&model.fields).all(|((ident, wire, _), f)| *ident == f.typify_name && *wire == f.wire);
        if fits {
            continue;
        }
        // Each of typify's fields keeps the type of the table's field of its identifier (the
        // same position, else the first unused one of that identifier).
        let mut pool: Vec<Option<&Field>> = model.fields.iter().map(Some).collect();
        let mut fields = Vec::with_capacity(typify.len());
        let mut changes = Vec::new();
        for (i, (ident, wire, flatten)) in typify.iter().enumerate() {
            let at = if pool.get(i).is_some_and(|f| f.is_some_and(|f| f.typify_name == *ident)) {
                Some(i)
            } else {
                pool.iter().position(|f| f.is_some_and(|f| f.typify_name == *ident))
            };
            let Some(table) = at.and_then(|at| pool[at].take()) else { break };
            if table.wire != *wire {
                changes.push(format!("`{ident}` (`{}` -> `{wire}`)", table.wire));
            }
            fields.push(Field { wire: wire.clone(), name: ident.clone(), typify_name: ident.clone(), flatten: *flatten, ..table.clone() });
        }
        if fields.len() != typify.len() {
            continue;
        }
        unique_names(&mut fields);
        model.fields = fields;
        out.push(Repaired { name: name.clone(), changes });
    }
    out
}

/// True for a field typify marks `#[serde(flatten)]`.
fn is_flattened(f: &syn::Field) -> bool {
    f.attrs.iter().filter(|a| a.path().is_ident("serde")).any(|a| {
        let syn::Meta::List(list) = &a.meta else { return false };
        list.tokens.clone().into_iter().any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "flatten"))
    })
}

/// typify's fields of a struct: name, required, type.
fn typify_fields(s: &TypeStruct<'_>) -> Vec<(String, bool, TypeId)> {
    s.properties_info().map(|p| (p.name.to_string(), p.required, p.type_id)).collect()
}

/// The property each of typify's fields `declared` was made of, among the candidates `props`;
/// `None` for a field that matches none.
fn match_wires(declared: &[(String, bool, TypeId)], props: &[Prop<'_>], names: &Names<'_>) -> Vec<Option<String>> {
    // Candidates by typify name, in typify's order among equals: properties before names only
    // `required` lists, each by wire name (schemars keeps both sorted).
    let mut sorted: Vec<(bool, &str)> = props.iter().map(|p| (p.schema.is_none(), p.wire)).collect();
    sorted.sort_unstable();
    // A name that is a property anywhere counts once, as a property.
    let mut seen = BTreeSet::new();
    sorted.retain(|(_, w)| seen.insert(*w));
    let mut by_name: BTreeMap<&str, VecDeque<&str>> = BTreeMap::new();
    for (_, w) in sorted {
        if let Some(n) = names.get(w) {
            by_name.entry(n.as_str()).or_default().push_back(w);
        }
    }
    declared.iter().map(|(n, _, _)| by_name.get_mut(n.as_str()).and_then(VecDeque::pop_front).map(String::from)).collect()
}

/// Finds the schemas each named type typify made was made from, by following types and schemas
/// together.
struct Walk<'a, 's> {
    space: &'s TypeSpace,
    types: &'s BTreeMap<String, Vec<Type<'s>>>,
    /// Every schema each struct, enum or newtype was reached from, in the order reached.
    sources: BTreeMap<String, Vec<&'a Value>>,
    /// Types reached from a schema whose insides are still to be followed.
    queue: VecDeque<(String, &'a Value)>,
}

impl<'a> Walk<'a, '_> {
    /// Records that the named type `name` was reached from `schema`.
    fn reach(&mut self, name: &str, schema: &'a Value) {
        if !self.types.contains_key(name) {
            return;
        }
        let seen = self.sources.entry(name.to_string()).or_default();
        if !seen.iter().any(|s| std::ptr::eq(*s, schema)) {
            seen.push(schema);
            self.queue.push_back((name.to_string(), schema));
        }
    }

    /// Follows the fields `(typify name, type)` of a struct (or struct variant) into the schemas
    /// of the properties they were made of, looked up in `schemas` in turn.
    fn descend_fields(
        &mut self,
        fields: &[(String, TypeId)],
        schemas: &[&'a Value],
        names: &Names<'_>,
        definitions: &'a BTreeMap<String, Value>,
    ) {
        // The n-th field of a name is made of the n-th property of that typify name, in
        // typify's order among equals (by wire name).
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let fields: Vec<(&String, &TypeId, usize)> = fields
            .iter()
            .map(|(name, id)| {
                let n = seen.entry(name.as_str()).or_insert(0);
                *n += 1;
                (name, id, *n - 1)
            })
            .collect();
        // Only fields that hold a named type lead anywhere.
        let fields: Vec<(&String, &TypeId, usize)> = fields.into_iter().filter(|(_, id, _)| self.holds_named(id, 0)).collect();
        if fields.is_empty() {
            return;
        }
        // Each schema's properties by typify name (the first schema of a wire name), in typify's
        // order.
        let by_name: Vec<BTreeMap<&str, Vec<(&'a str, &'a Value)>>> = schemas
            .iter()
            .map(|schema| {
                let mut map: BTreeMap<&str, Vec<(&'a str, &'a Value)>> = BTreeMap::new();
                for p in own_properties(schema, definitions) {
                    if let (Some(n), Some(sub)) = (names.get(p.wire), p.schema) {
                        let list = map.entry(n.as_str()).or_default();
                        if !list.iter().any(|(w, _)| *w == p.wire) {
                            list.push((p.wire, sub));
                        }
                    }
                }
                for list in map.values_mut() {
                    list.sort_by_key(|(w, _)| *w);
                }
                map
            })
            .collect();
        for (field, id, nth) in fields {
            let sub = schemas.iter().zip(&by_name).find_map(|(schema, by_name)| {
                flattened_member(schema, field).or_else(|| by_name.get(field.as_str()).and_then(|l| l.get(nth)).map(|(_, sub)| *sub))
            });
            if let Some(sub) = sub {
                self.descend(id, sub, 0);
            }
            // A property where `allOf` members meet is one type made of every schema merged
            // into it; it is reached from each (the one that explains the most fields wins).
            for schema in schemas {
                for merged in merged_into(schema, field, names, definitions) {
                    self.descend(id, merged, 0);
                }
            }
        }
    }

    /// True when typify's type `id` is, or holds, a struct, enum or newtype.
    fn holds_named(&self, id: &TypeId, depth: usize) -> bool {
        let Ok(ty) = self.space.get_type(id) else { return false };
        let details = ty.details();
        match details {
            TypeDetails::Struct(_) | TypeDetails::Newtype(_) | TypeDetails::Enum(_) => true,
            TypeDetails::Option(inner)
            | TypeDetails::Box(inner)
            | TypeDetails::Vec(inner)
            | TypeDetails::Set(inner)
            | TypeDetails::Map(_, inner) => depth < 16 && self.holds_named(&inner, depth + 1),
            _ => false,
        }
    }

    /// Follows typify's type `id`, made of `schema`, to the named types inside it.
    fn descend(&mut self, id: &TypeId, schema: &'a Value, depth: usize) {
        let Ok(ty) = self.space.get_type(id) else { return };
        if depth > 16 {
            return;
        }
        // A reference names a definition, which is reached by its own name.
        if schema.get("$ref").is_some() {
            return;
        }
        let details = ty.details();
        match details {
            TypeDetails::Struct(_) | TypeDetails::Newtype(_) | TypeDetails::Enum(_) => self.reach(&ty.name(), schema),
            TypeDetails::Option(inner) | TypeDetails::Box(inner) => {
                if let Some(schema) = without_null(schema) {
                    self.descend(&inner, schema, depth + 1);
                }
            }
            TypeDetails::Vec(item) | TypeDetails::Set(item) => {
                if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
                    self.descend(&item, items, depth + 1);
                }
            }
            TypeDetails::Map(_, value) => {
                if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                    self.descend(&value, values, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The schemas typify merges into the field `field` (a typify name) of a struct made of the
/// `allOf` of `schema`: the property of each member that has it, and the `additionalProperties`
/// schema of each member that does not (typify names the merged type after the parent and the
/// property), references resolved.
fn merged_into<'a>(schema: &'a Value, field: &str, names: &Names<'_>, definitions: &'a BTreeMap<String, Value>) -> Vec<&'a Value> {
    let resolve = |v: &'a Value| -> &'a Value {
        v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)).and_then(|t| definitions.get(t)).unwrap_or(v)
    };
    let Some(members) = schema.get("allOf").and_then(Value::as_array) else { return Vec::new() };
    let members: Vec<&'a Value> = members.iter().map(resolve).collect();
    let property = |member: &'a Value| -> Option<&'a Value> {
        let properties = member.get("properties")?.as_object()?;
        properties.iter().find(|(wire, _)| names.get(wire.as_str()).is_some_and(|n| n == field)).map(|(_, sub)| sub)
    };
    if members.iter().all(|m| property(m).is_none()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for member in members {
        match property(member) {
            Some(sub) => out.push(resolve(sub)),
            None => out.extend(member.get("additionalProperties").filter(|v| v.is_object()).map(resolve)),
        }
    }
    out
}

/// The schema an `Option` holds: without its `null` alternative (`anyOf: [X, {type: null}]` ->
/// `X`), or the schema itself (`null` in its `type`, or an optional property); `None` when
/// several alternatives remain beside `null`.
fn without_null(schema: &Value) -> Option<&Value> {
    for key in ["anyOf", "oneOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            let is_null = |m: &&Value| m.get("type").and_then(Value::as_str) == Some("null");
            if !members.iter().any(|m| is_null(&m)) {
                continue;
            }
            let mut rest = members.iter().filter(|m| !is_null(m));
            return match (rest.next(), rest.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            };
        }
    }
    Some(schema)
}

/// The `anyOf` member a flattened `subtype_<i>` field holds.
fn flattened_member<'a>(schema: &'a Value, field: &str) -> Option<&'a Value> {
    schema.get("anyOf")?.as_array()?.get(flattened_index(field)?)
}

/// The `i` of a field `subtype_<i>`, which typify flattens in for member `i` of an `anyOf`.
fn flattened_index(field: &str) -> Option<usize> {
    field.strip_prefix("subtype_")?.parse().ok()
}

/// The typify names of the properties of an object schema, sorted.
fn signature<'n>(object: &Value, names: &'n Names<'_>, definitions: &BTreeMap<String, Value>) -> Vec<&'n str> {
    let mut out: Vec<&str> = own_properties(object, definitions).iter().filter_map(|p| names.get(p.wire).map(String::as_str)).collect();
    out.sort_unstable();
    out
}

/// Fields whose names sanitize to the same identifier (`user_name`, `userName`, `user-name`):
/// the later ones get a numeric suffix (`user_name_2`), unique in the struct.
fn unique_names(fields: &mut [Field]) {
    let mut taken: BTreeSet<String> = fields.iter().map(|f| f.typify_name.clone()).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in fields {
        let count = seen.entry(f.typify_name.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            f.name = crate::naming::numbered_field(&f.typify_name, *count, &mut taken);
        }
    }
}

/// A property a struct made of some schema can have.
#[derive(Debug, Clone, Copy)]
struct Prop<'a> {
    /// Its name in JSON.
    wire: &'a str,
    /// Its schema; `None` for a name only `required` lists.
    schema: Option<&'a Value>,
}

/// The properties a struct made of `schema` can have: its own (`properties`, then names only
/// `required` lists), then those of the schemas typify may merge into it (a reference's target,
/// members of `allOf`, `anyOf`, `oneOf`).
fn own_properties<'a>(schema: &'a Value, definitions: &'a BTreeMap<String, Value>) -> Vec<Prop<'a>> {
    fn walk<'a>(schema: &'a Value, definitions: &'a BTreeMap<String, Value>, out: &mut Vec<Prop<'a>>, depth: usize) {
        let Some(map) = schema.as_object().filter(|_| depth <= 16) else { return };
        let properties = map.get("properties").and_then(Value::as_object);
        for (wire, sub) in properties.into_iter().flatten() {
            // typify leaves out a property whose schema is `false`.
            if *sub != Value::Bool(false) {
                out.push(Prop { wire, schema: Some(sub) });
            }
        }
        for wire in map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !properties.is_some_and(|p| p.contains_key(wire)) {
                out.push(Prop { wire, schema: None });
            }
        }
        // A reference with constraining siblings (or an `allOf` member) is merged with its target.
        if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(COMPONENT_PREFIX)) {
            if let Some(def) = definitions.get(target) {
                walk(def, definitions, out, depth + 1);
            }
        }
        // typify merges the members of `allOf` (and, inside one, the object members of a
        // `oneOf`/`anyOf`: `allOf: [{oneOf: [null, X]}, {...}]` is one struct with X's fields).
        for key in ["allOf", "anyOf", "oneOf"] {
            let start = out.len();
            let mut members = Vec::new();
            for member in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                let from = out.len();
                walk(member, definitions, out, depth + 1);
                members.push(from..out.len());
            }
            // typify leaves out a property that two `allOf` members give types with no value
            // in common (`integer` and `string`): their merge accepts nothing.
            if key == "allOf" {
                let mut unsatisfiable = BTreeSet::new();
                for (i, a) in members.iter().enumerate() {
                    for b in &members[i + 1..] {
                        for (x, y) in out[a.clone()].iter().flat_map(|x| out[b.clone()].iter().map(move |y| (x, y))) {
                            if x.wire == y.wire && disjoint_types(x.schema, y.schema) {
                                unsatisfiable.insert(x.wire);
                            }
                        }
                    }
                }
                if !unsatisfiable.is_empty() {
                    let kept: Vec<Prop<'a>> = out.drain(start..).filter(|p| !unsatisfiable.contains(p.wire)).collect();
                    out.extend(kept);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(schema, definitions, &mut out, 0);
    out
}

/// True when two property schemas both declare types (`type`) and share none (`integer` is a
/// `number`).
fn disjoint_types(a: Option<&Value>, b: Option<&Value>) -> bool {
    fn types(schema: Option<&Value>) -> Vec<&str> {
        match schema.and_then(|s| s.get("type")) {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
    let (a, b) = (types(a), types(b));
    let meet = |x: &str, y: &str| x == y || matches!((x, y), ("integer", "number") | ("number", "integer"));
    !a.is_empty() && !b.is_empty() && !a.iter().any(|x| b.iter().any(|y| meet(x, y)))
}

/// Every property name anywhere in `schema`, and every object schema with properties.
fn every_wire<'a>(schema: &'a Value, out: &mut BTreeSet<&'a str>, objects: &mut Vec<&'a Value>) {
    match schema {
        Value::Object(map) => {
            if map.get("properties").is_some_and(Value::is_object) {
                objects.push(schema);
            }
            for (key, value) in map {
                match key.as_str() {
                    "properties" => {
                        for (wire, sub) in value.as_object().into_iter().flatten() {
                            out.insert(wire);
                            every_wire(sub, out, objects);
                        }
                    }
                    "required" => out.extend(value.as_array().into_iter().flatten().filter_map(Value::as_str)),
                    "default" | "example" | "examples" | "enum" | "const" => {}
                    _ => every_wire(value, out, objects),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| every_wire(v, out, objects)),
        _ => {}
    }
}

/// The field name typify gives each property name: one probe struct holds every name, each
/// property marked by its index in the description, which typify keeps beside the field.
fn typify_names<'a>(wires: &BTreeSet<&'a str>) -> Result<Names<'a>, String> {
    if wires.is_empty() {
        return Ok(Names::new());
    }
    let list: Vec<&str> = wires.iter().copied().collect();
    let properties = list
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let metadata = Metadata { description: Some(i.to_string()), ..Metadata::default() };
            ((*w).to_string(), Schema::Object(SchemaObject { metadata: Some(Box::new(metadata)), ..SchemaObject::default() }))
        })
        .collect();
    let schema = Schema::Object(SchemaObject {
        instance_type: Some(InstanceType::Object.into()),
        object: Some(Box::new(ObjectValidation { properties, ..ObjectValidation::default() })),
        ..SchemaObject::default()
    });
    let mut space = TypeSpace::new(&TypeSpaceSettings::default());
    let id = super::typify::catch(|| space.add_type_with_name(&schema, Some("FieldNames".into())).map_err(|e| e.to_string()))?;
    let ty = space.get_type(&id).map_err(|e| e.to_string())?;
    let details = ty.details();
    let TypeDetails::Struct(probe) = details else { return Err("typify made no struct of the field-name probe".into()) };
    let mut out = Names::with_capacity(list.len());
    for p in probe.properties_info() {
        let index: usize = p.description.and_then(|d| d.parse().ok()).ok_or("typify dropped a field-name marker")?;
        let wire = list.get(index).ok_or("typify changed a field-name marker")?;
        out.insert(wire, p.name.to_string());
    }
    Ok(out)
}

/// The members of the `oneOf`/`anyOf` of `schema` that typify makes variants of, in order: all
/// but the `null` member.
fn union_members(schema: &Value) -> Vec<&Value> {
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .filter(|m| m.get("type").and_then(Value::as_str) != Some("null"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ir::models::Field;
    use crate::ir::Lowered;
    use crate::GeneratorSettings;

    /// Lowers `doc` (written to a temporary file, as a spec is read).
    fn lower(doc: &serde_json::Value) -> Lowered {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("apigen-fields-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("openapi.json");
        std::fs::write(&path, doc.to_string()).expect("write spec");
        let mut bundle = crate::spec::bundle(&path).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(&dir);
        crate::spec::normalize::json_schema_forms(&mut bundle.document);
        crate::lower::lower(&bundle, &GeneratorSettings::new("fields")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn fields<'a>(lowered: &'a Lowered, name: &str) -> Vec<(&'a str, &'a str)> {
        let model = lowered.api.models.structs.get(name).unwrap_or_else(|| panic!("no struct `{name}`"));
        model.fields.iter().map(|f: &Field| (f.wire.as_str(), f.name.as_str())).collect()
    }

    fn document(schemas: serde_json::Value, paths: serde_json::Value) -> serde_json::Value {
        json!({
            "openapi": "3.1.0",
            "info": { "title": "Fields", "version": "1" },
            "paths": paths,
            "components": { "schemas": schemas }
        })
    }

    /// The models emitter checks every field typify wrote against the table.
    fn emits(lowered: &Lowered) {
        crate::emit::models::emit(&lowered.api, &lowered.types).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn properties_that_sanitize_alike_get_numbered_fields() {
        let lowered = lower(&document(
            json!({ "Person": { "type": "object", "properties": {
                "user_name": { "type": "string" }, "userName": { "type": "string" }, "user-name": { "type": "integer" },
                "type": { "type": "string" }, "+1": { "type": "boolean" }
            } } }),
            json!({}),
        ));
        // typify's order: by Rust name, properties that sanitize alike by wire name.
        assert_eq!(
            fields(&lowered, "Person"),
            [("+1", "plus1"), ("type", "type_"), ("user-name", "user_name"), ("userName", "user_name_2"), ("user_name", "user_name_3")]
        );
        emits(&lowered);
    }

    /// A struct typify makes of a nested inline schema (named by its title) is matched against
    /// that schema, though another one has a property that sanitizes alike (`fooBar`,
    /// `foo_bar`).
    #[test]
    fn nested_inline_structs_are_matched_against_their_own_schema() {
        let operation = |id: &str, title: &str, property: &str| {
            json!({ "post": {
                "operationId": id,
                "requestBody": { "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": { "part": { "title": title, "type": "object", "properties": { property: { "type": "integer" } } } }
                } } } },
                "responses": { "204": { "description": "done" } }
            } })
        };
        let lowered = lower(&document(
            json!({}),
            json!({ "/a": operation("createA", "Camel part", "fooBar"), "/b": operation("createB", "Snake part", "foo_bar") }),
        ));
        assert_eq!(fields(&lowered, "CamelPart"), [("fooBar", "foo_bar")]);
        assert_eq!(fields(&lowered, "SnakePart"), [("foo_bar", "foo_bar")]);
        emits(&lowered);
    }

    #[test]
    fn flattened_parts_are_no_properties() {
        let lowered = lower(&document(
            json!({ "Bag": { "type": "object", "properties": { "extra": { "type": "string" } }, "additionalProperties": { "type": "integer" } } }),
            json!({}),
        ));
        let model = &lowered.api.models.structs["Bag"];
        assert_eq!(fields(&lowered, "Bag"), [("extra", "extra"), ("extra", "extra_2")]);
        assert_eq!(model.fields.iter().map(|f| f.flatten).collect::<Vec<_>>(), [false, true]);
        // The flattened map wins the wire name, as serde sees it.
        assert!(model.field("extra").is_some_and(|f| f.flatten));
        emits(&lowered);
    }

    /// A property where two `allOf` members meet (one has it, the other an
    /// `additionalProperties` schema) is one struct made of both: its fields are the referenced
    /// schema's, not flattened parts named after themselves. Found by `tests/fuzz_valid.rs`.
    #[test]
    fn a_property_merged_with_additional_properties_is_matched_against_both() {
        let lowered = lower(&document(
            json!({
                "Tag": { "type": "object", "properties": { "Self_user": { "type": "string" } }, "required": ["Self_user"] },
                "Base": { "type": "object", "properties": { "Status": { "type": "object", "additionalProperties": { "type": "boolean" } } } },
                "Holder": { "type": "object", "properties": { "created": {
                    "title": "If",
                    "allOf": [{ "$ref": "#/components/schemas/Base" }, { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/Tag" } }]
                } } }
            }),
            json!({}),
        ));
        assert_eq!(fields(&lowered, "IfStatus"), [("Self_user", "self_user"), ("extra", "extra")]);
        emits(&lowered);
    }

    /// typify leaves out a property whose `allOf` members give it types with no value in
    /// common; a property of the same field name is the one typify kept. Found by
    /// `tests/fuzz_valid.rs`.
    #[test]
    fn an_unsatisfiable_merged_property_is_no_candidate() {
        let lowered = lower(&document(
            json!({ "Node": { "allOf": [
                { "type": "object", "properties": { "Clone.x": { "type": ["integer", "null"] } } },
                { "type": "object", "properties": { "Clone.x": { "type": "string" }, "clone.x": { "type": "integer" } }, "required": ["clone.x"] }
            ] } }),
            json!({}),
        ));
        assert_eq!(fields(&lowered, "Node"), [("clone.x", "clone_x")]);
        emits(&lowered);
    }

    /// Two properties of one field name (`Color`, `color`): the second field's type is made of
    /// the second property (typify's order: by wire name), not of the first. Found by
    /// `tests/fuzz_valid.rs`.
    #[test]
    fn the_nth_field_of_a_name_is_made_of_the_nth_property() {
        let lowered = lower(&document(
            json!({}),
            json!({ "/a": { "put": {
                "operationId": "putA",
                "requestBody": { "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": {
                        "Color": true,
                        "color": { "type": "object", "properties": { "Color": { "type": "string" } }, "required": ["Color"] }
                    }
                } } } },
                "responses": { "204": { "description": "done" } }
            } } }),
        ));
        assert_eq!(fields(&lowered, "PutABodyColor"), [("Color", "color")]);
        emits(&lowered);
    }

    /// A table that disagrees with the code typify wrote is made to follow it (typify's code is
    /// what serde reads): the wire names and flattened parts become typify's, the struct is
    /// reported, and the models emitter accepts the result. Lowering does this for every struct
    /// (a gap in the matching is a `field-names` warning, never a rejection).
    #[test]
    fn a_table_that_disagrees_with_typify_follows_its_code() {
        let mut lowered = lower(&document(
            json!({ "Person": { "type": "object", "properties": {
                "userName": { "type": "string" }, "user_name": { "type": "integer" }
            }, "additionalProperties": { "type": "integer" } } }),
            json!({}),
        ));
        let good = fields(&lowered, "Person").into_iter().map(|(w, n)| (w.to_string(), n.to_string())).collect::<Vec<_>>();
        assert!(lowered.warnings.0.iter().all(|w| w.class() != "field-names"), "{}", lowered.warnings);
        let person = lowered.api.models.structs.get_mut("Person").expect("Person");
        person.fields[0].wire = "user_name".into();
        person.fields[1].wire = "userName".into();
        person.fields[2].flatten = false;
        let file = lowered.models_file.clone().expect("typify's code");
        let repaired = super::reconcile(&mut lowered.api.models.structs, &file);
        assert_eq!(repaired.len(), 1);
        assert_eq!(repaired[0].name, "Person");
        assert_eq!(repaired[0].changes.len(), 2, "{repaired:?}");
        let now = fields(&lowered, "Person").into_iter().map(|(w, n)| (w.to_string(), n.to_string())).collect::<Vec<_>>();
        assert_eq!(now, good);
        assert!(lowered.api.models.structs["Person"].fields[2].flatten);
        emits(&lowered);
    }

    /// A table that disagrees with typify's output fails the models emitter: a wrong wire name
    /// never reaches the generated code.
    #[test]
    fn the_models_emitter_checks_the_table() {
        let mut lowered =
            lower(&document(json!({ "Person": { "type": "object", "properties": { "userName": { "type": "string" } } } }), json!({})));
        emits(&lowered);
        let person = lowered.api.models.structs.get_mut("Person").expect("Person");
        person.fields[0].wire = "user_name".into();
        let error = crate::emit::models::emit(&lowered.api, &lowered.types).expect_err("a wrong wire name");
        assert!(error.contains("`userName` in JSON"), "{error}");
    }
}

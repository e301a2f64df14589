//! Hoisting: every inline schema that becomes a named type gets a definition of its own, named
//! by us ([`Hoisted`]), and references into definitions are rewritten to them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::naming;
use crate::spec::COMPONENT_PREFIX;

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
    /// `(definition, pointer inside it)` -> the document's `title` there (`None`: it had none),
    /// where hoisting wrote a name of ours as the `title` for typify ([`name_nested`],
    /// [`Hoisted::own_titles`]): the JSON Schemas of the models keep the document's.
    pub titles: BTreeMap<(String, String), Option<Value>>,
}

impl Hoisted {
    pub(super) fn new(taken: BTreeSet<String>, renames: BTreeMap<String, String>) -> Self {
        Self { defs: BTreeMap::new(), moved: BTreeMap::new(), renames, taken, titles: BTreeMap::new() }
    }

    /// typify names the inner enum of a nullable enum definition after the definition itself,
    /// which defines the name twice. Such a definition becomes `anyOf: [<Name>Value, null]`
    /// with the non-null enum as its own definition `<Name>Value`.
    pub(super) fn split_nullable_enums(&mut self) {
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

    /// typify names the inner type of a nullable object definition (`type: [object, null]`)
    /// after the definition's `title`, which may be another component's name (GitHub's
    /// `nullable-repository` is titled `Repository`): two types of one name. A definition's
    /// title that is not its own name becomes its own name; a nullable object definition is
    /// titled `<Name>Value` (its outer `Option` newtype already has the name, and typify would
    /// give the inner struct the title, or the name itself).
    pub(super) fn own_titles(&mut self) {
        let names: Vec<String> = self.defs.keys().cloned().collect();
        for name in names {
            let Some(Value::Object(map)) = self.defs.get(&name) else { continue };
            let types = map.get("type").and_then(Value::as_array);
            let nullable = types.is_some_and(|t| t.iter().any(|v| v == "null") && t.iter().any(|v| v == "object"));
            let title = map.get("title").and_then(Value::as_str);
            let own = if nullable {
                naming::unique_ident_from(format!("{name}Value"), &mut self.taken)
            } else if title.is_some_and(|t| naming::type_name(t) != name) {
                name.clone()
            } else {
                continue;
            };
            if let Some(Value::Object(map)) = self.defs.get_mut(&name) {
                let before = map.insert("title".into(), Value::String(own));
                self.titles.entry((name.clone(), String::new())).or_insert(before);
            }
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
    pub(super) fn rename_components(&self, value: Value) -> Value {
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

    pub(super) fn hoist_root(&mut self, name: &str, schema: Value) -> Value {
        self.hoist(name, name, "", schema, true)
    }

    /// Walks `schema` (at `pointer` inside definition `def`) and moves nested object schemas
    /// out into their own definitions.
    fn hoist(&mut self, def: &str, hint: &str, pointer: &str, schema: Value, is_root: bool) -> Value {
        let Value::Object(mut map) = schema else { return schema };
        if !is_root && crate::spec::schema::is_named_type(&map) {
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
            let before = map.get("title").cloned();
            if name_nested(&mut map, hint, &mut self.taken) {
                self.titles.insert((def.to_string(), pointer.to_string()), before);
            }
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
            let sole = sole_member(&map, key);
            if let Some(Value::Array(members)) = map.get_mut(key) {
                for (i, member) in members.iter_mut().enumerate() {
                    let taken = std::mem::take(member);
                    let at = format!("{pointer}/{key}/{i}");
                    *member = if sole == Some(i) {
                        // The union is an `Option` of this member, which typify names as the
                        // union itself: it is named like any nested type.
                        self.hoist(def, &sole_member_hint(hint, is_root), &at, taken, false)
                    } else {
                        self.hoist(def, hint, &at, taken, true)
                    };
                }
            }
        }
        Value::Object(map)
    }

    /// Rewrites references into definitions (`#/components/schemas/A/properties/b`) to the
    /// hoisted definition they now name, everywhere in the definitions.
    pub(super) fn resolve_deep_refs(&mut self) {
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
    pub(super) fn reachable(&self, roots: &[Value]) -> BTreeSet<String> {
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

/// The definitions every `$ref` inside `value` names.
pub(super) fn collect_ref_names(value: &Value, out: &mut Vec<String>) {
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

/// The pointer of a component schema.
fn definition_pointer(name: &str) -> String {
    format!("/components/schemas/{}", crate::diag::escape_token(name))
}

/// Gives a nested schema left inline that typify would still make a named type (a constrained
/// string, an enum, a merged `allOf`) a name of ours as its `title`. typify names such a type
/// after its `title`, else after the parent and the property: a title may be any component's
/// name, a property without letters or digits (`""`, `"#"`) gives the parent's own name, and
/// `None`/`none` give one name to two types. `hint` is the parent's name and the property.
/// Returns whether it wrote a title.
fn name_nested(map: &mut Map<String, Value>, hint: &str, taken: &mut BTreeSet<String>) -> bool {
    if map.contains_key("$ref") {
        return false;
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
        return true;
    }
    false
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
        // Members are converted as part of their union: their insides are nested. The only
        // non-null member of an `anyOf`/`oneOf` is converted under the union's name (an
        // `Option` of it): it is nested itself.
        for key in ["allOf", "anyOf", "oneOf"] {
            let sole = sole_member(map, key);
            if let Some(Value::Array(members)) = map.get_mut(key) {
                for (i, member) in members.iter_mut().enumerate() {
                    if sole == Some(i) {
                        walk(member, &sole_member_hint(hint, root), taken, false);
                    } else {
                        walk(member, hint, taken, true);
                    }
                }
            }
        }
    }
    walk(schema, name, taken, true);
}

/// The index of the only member of an `anyOf`/`oneOf` (`key`) that is not `{type: null}`, when the
/// union has other members: typify makes the union an `Option` of that member and converts the
/// member under the union's name (a property's union: `<Parent><Property>`, which may be a
/// component's name; a definition's: the definition's own name, a second type of that name).
fn sole_member(map: &Map<String, Value>, key: &str) -> Option<usize> {
    if key == "allOf" {
        return None;
    }
    let members = map.get(key)?.as_array()?;
    // typify's test: a `null` type (or only `null` types), or `const: null`.
    let is_null = |m: &Value| match m.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().all(|t| t == "null"),
        _ => m.get("const") == Some(&Value::Null),
    };
    let non_null: Vec<usize> = members.iter().enumerate().filter(|(_, m)| !is_null(m)).map(|(i, _)| i).collect();
    (members.len() > 1 && non_null.len() == 1).then(|| non_null[0])
}

/// The hint of a union's only non-null member ([`sole_member`]): the union's own, or, for the
/// union that is a whole definition (named already), `<Name> Value`.
fn sole_member_hint(hint: &str, union_is_root: bool) -> String {
    if union_is_root {
        format!("{hint} Value")
    } else {
        hint.to_string()
    }
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
pub(super) fn ref_target(schema: &Value) -> Option<String> {
    let name = schema.get("$ref")?.as_str()?.strip_prefix(COMPONENT_PREFIX)?;
    Some(crate::diag::unescape_token(name.split('/').next().unwrap_or(name)))
}

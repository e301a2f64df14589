//! Endless merges: typify converts `allOf` (and a union beside other keywords) by merging its
//! members, resolving references where they meet; a merge that leads back to itself through
//! references never ends (a stack overflow aborts the process). This finds such loops before
//! typify sees the schemas, so that lowering types the fewest definitions as
//! `serde_json::Value` instead ([`break_endless_merges`], [`endless_merge`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::hoist::{collect_ref_names, ref_target};

/// The definitions whose conversion would make typify merge forever, each with the chain of
/// definitions that closes the loop (see [`endless_merge`]).
pub fn endless_merges(definitions: &BTreeMap<String, Value>) -> BTreeMap<String, Vec<String>> {
    let graph = MergeGraph::new(definitions);
    definitions.iter().filter_map(|(name, schema)| Some((name.clone(), graph.endless(name, schema)?))).collect()
}

/// The fewest definitions to type as `serde_json::Value` so that no conversion merges forever:
/// one definition on a loop at a time (which also frees the definitions that only reach that
/// loop), until none is left. Each with its loop.
pub fn break_endless_merges(definitions: &BTreeMap<String, Value>) -> Vec<(String, Vec<String>)> {
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

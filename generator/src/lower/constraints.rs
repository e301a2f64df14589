//! Constraints: the one place where JSON Schema keywords become [`Constraint`]s, for struct
//! properties ([`extract_rules`], which also reads the other rules of a definition: `if`/`then`
//! requirements, secrets, nullable optional properties) and parameters
//! ([`parameter_constraints`]), and where they become keywords again ([`as_keywords`], for the
//! schemas the generated server checks request bodies against).
//!
//! typify would turn each constrained string into its own newtype that stops at the first
//! error; the constraints are taken out before typify sees the schema, and the generated code
//! checks them all, reporting every violation.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::diag::Diagnostics;
use crate::ir::models::{ConditionalRequired, Constraint, Constraints, Property, StructRules, Target};
use crate::spec::Bundle;

/// The keywords taken out of a schema into constraints, in the order they are read.
const KEYWORDS: &[&str] = &[
    // Strings.
    "minLength",
    "maxLength",
    "pattern",
    // Numbers.
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    // Arrays.
    "minItems",
    "maxItems",
];

/// What [`take`] found in one schema.
#[derive(Debug, Default)]
struct Taken {
    /// The constraints, in keyword order, then `format: email`, then `x-must-equal`.
    constraints: Vec<Constraint>,
    /// Patterns that are not ECMA 262 regular expressions: keyword, value, error.
    invalid: Vec<(&'static str, Value, String)>,
    /// Keywords taken out that no constraint of ours states (`multipleOf`, a bound that is not
    /// a number).
    unenforced: Vec<&'static str>,
}

/// Takes the constraint keywords out of `schema` (`format` and `x-must-equal` stay: typify
/// reads the first, and ignores the second).
fn take(schema: &mut Map<String, Value>) -> Taken {
    let mut out = Taken::default();
    for key in KEYWORDS {
        let Some(v) = schema.remove(*key) else { continue };
        match parse(key, &v) {
            Some(Ok(c)) => out.constraints.push(c),
            Some(Err(e)) => out.invalid.push((key, v, e)),
            None => out.unenforced.push(key),
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("email") {
        out.constraints.push(Constraint::Email);
    }
    if let Some(Value::String(other)) = schema.get("x-must-equal") {
        out.constraints.push(Constraint::MustEqual(other.clone()));
    }
    out
}

/// The constraint a keyword states: `None` for keywords without a constraint of ours (noted as
/// not enforced), `Some(Err(..))` for an invalid pattern.
fn parse(key: &str, v: &Value) -> Option<Result<Constraint, String>> {
    Some(Ok(match (key, v) {
        ("minLength", Value::Number(n)) => Constraint::MinLength(n.as_u64()?),
        ("maxLength", Value::Number(n)) => Constraint::MaxLength(n.as_u64()?),
        ("minItems", Value::Number(n)) => Constraint::MinItems(n.as_u64()?),
        ("maxItems", Value::Number(n)) => Constraint::MaxItems(n.as_u64()?),
        ("pattern", Value::String(p)) => match regress::Regex::new(p) {
            Ok(_) => Constraint::Pattern(p.clone()),
            Err(e) => return Some(Err(e.to_string())),
        },
        ("minimum", Value::Number(n)) => Constraint::Minimum { value: n.as_f64()?, exclusive: false },
        ("maximum", Value::Number(n)) => Constraint::Maximum { value: n.as_f64()?, exclusive: false },
        ("exclusiveMinimum", Value::Number(n)) => Constraint::Minimum { value: n.as_f64()?, exclusive: true },
        ("exclusiveMaximum", Value::Number(n)) => Constraint::Maximum { value: n.as_f64()?, exclusive: true },
        _ => return None,
    }))
}

/// The keyword (and value) that states a constraint: the inverse of [`parse`].
fn keyword(c: &Constraint) -> (&'static str, Value) {
    match c {
        Constraint::MinLength(n) => ("minLength", Value::from(*n)),
        Constraint::MaxLength(n) => ("maxLength", Value::from(*n)),
        Constraint::Pattern(p) => ("pattern", Value::from(p.clone())),
        Constraint::Email => ("format", Value::from("email")),
        Constraint::Minimum { value, exclusive } => (if *exclusive { "exclusiveMinimum" } else { "minimum" }, Value::from(*value)),
        Constraint::Maximum { value, exclusive } => (if *exclusive { "exclusiveMaximum" } else { "maximum" }, Value::from(*value)),
        Constraint::MinItems(n) => ("minItems", Value::from(*n)),
        Constraint::MaxItems(n) => ("maxItems", Value::from(*n)),
        Constraint::MustEqual(other) => ("x-must-equal", Value::from(other.clone())),
    }
}

/// Takes the constraints out of a parameter's schema (of its value only); invalid patterns are
/// left to the validator, which reports them for component schemas.
pub fn parameter_constraints(schema: &mut Map<String, Value>) -> Constraints {
    Constraints { value: take(schema).constraints, items: Vec::new() }
}

/// Takes the rules out of one definition and applies the additional-properties policy: the
/// constraints of each property (kept only when the definition is `strict`: nothing beyond the
/// Rust types is enforced on what a client reads), `if`/`then` requirements, secrets and
/// nullable optional properties. Invalid patterns are reported at their pointer below
/// `pointer`.
pub fn extract_rules(bundle: &Bundle, pointer: &str, schema: Value, strict: bool, diags: &mut Diagnostics) -> (Value, StructRules) {
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
            let mut property = Property { wire: prop.clone(), ..Property::default() };
            // An optional property that may also be `null` must keep an explicit `null` on a round
            // trip: it has three states (absent, `null`, a value), unless a default stands for
            // absent; then its field serializes `None` as `null` instead of leaving it out.
            let nullable_optional = !required.contains(prop) && allows_null(sub_map);
            property.three_state = nullable_optional && !sub_map.contains_key("default");
            property.keeps_null = nullable_optional && !property.three_state;
            // typify turns an optional array into a `Vec` that skips serializing when empty, so
            // an explicit `[]` would vanish on a round trip. Declaring it nullable gives
            // `Option<Vec<T>>`: absent stays absent and `[]` stays `[]`.
            if !required.contains(prop) && sub_map.get("type") == Some(&Value::String("array".into())) {
                sub_map.insert("type".into(), json!(["array", "null"]));
            }
            property.secret = is_secret(prop, sub_map);
            let mut take_into = |target: Target, schema: &mut Map<String, Value>, rules: &mut StructRules| {
                let taken = take(schema);
                for (key, v, e) in taken.invalid {
                    let at = format!("{pointer}/properties/{}/{key}", crate::diag::escape_token(prop));
                    diags.push(
                        bundle
                            .diagnostic(&at, format!("`pattern` {v} is not a valid ECMA 262 regular expression: {e}"))
                            .with_help("fix the pattern; JSON Schema patterns use JavaScript regex syntax"),
                    );
                }
                rules.unenforced.extend(taken.unenforced.iter().map(|key| format!("`{key}` on `{prop}`")));
                if strict {
                    match target {
                        Target::Value => property.constraints.value = taken.constraints,
                        Target::Items => property.constraints.items = taken.constraints,
                    }
                }
            };
            take_into(Target::Value, sub_map, &mut rules);
            if let Some(Value::Object(items)) = sub_map.get_mut("items") {
                take_into(Target::Items, items, &mut rules);
            }
            rules.properties.push(property);
        }
    }
    strip_conditionals(&mut map);
    (Value::Object(map), rules)
}

/// Writes the constraints of `rules` back into the definition `def` as JSON Schema keywords
/// (where the definition has no such keyword), and its conditional requirements as
/// `if`/`then` members of `allOf`: the schema the generated server checks bodies against.
pub fn as_keywords(def: &mut Value, rules: &StructRules) {
    let Some(obj) = def.as_object_mut() else { return };
    for property in &rules.properties {
        for (target, c) in property.constraints.iter() {
            let (key, value) = keyword(c);
            let Some(prop) = obj.get_mut("properties").and_then(|p| p.get_mut(&property.wire)).and_then(Value::as_object_mut) else {
                continue;
            };
            let at = match target {
                Target::Value => Some(prop),
                Target::Items => prop.get_mut("items").and_then(Value::as_object_mut),
            };
            if let Some(at) = at {
                at.entry(key).or_insert(value);
            }
        }
    }
    if !rules.conditionals.is_empty() {
        let conditions = rules.conditionals.iter().map(|c| {
            json!({
                "if": { "properties": { c.when.clone(): { "const": c.equals.clone() } }, "required": [c.when.clone()] },
                "then": { "required": c.required.clone() }
            })
        });
        let all = obj.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = all {
            list.extend(conditions);
        }
    }
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

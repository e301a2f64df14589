//! The one validator of server input: every JSON and form request body is checked against its
//! operation's JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) by the [`jsonschema`]
//! crate, on the raw JSON, before it is deserialized into the generated types and before any
//! default is filled in. The generator embeds the *request view* of the schemas (a `readOnly`
//! property is not required in a request; see the generator's `lower::body_schemas`); this
//! module compiles one validator per operation, on first use, and turns its errors into
//! [`Violation`]s that never carry the offending value.
//!
//! Two helpers prepare a body for the typed half: [`type_form_text`] gives the text of a form
//! body the JSON types its schema asks for, and [`integral_numbers`] writes whole numbers sent
//! as decimals (`1.0`) as integers, which JSON Schema says they are and serde's integer types
//! accept only in that form.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::paths::LocationSegment;
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value};

use crate::validation::{self as v, Violation};

/// The schemas of one API: the definitions request bodies reference and the body schema of
/// each operation, parsed once; each operation's validator is compiled on first use.
#[derive(Default)]
pub(super) struct Schemas {
    definitions: Map<String, Value>,
    bodies: Map<String, Value>,
    validators: HashMap<String, OnceLock<Option<Validator>>>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas").field("definitions", &self.definitions.len()).field("bodies", &self.bodies.len()).finish()
    }
}

/// The custom keyword the runtime adds where a property says `x-must-equal: <other>`: JSON
/// Schema cannot express that two fields are equal, so the object around them carries the
/// pairs (`[[field, other], ...]`).
const EQUAL_FIELDS: &str = "x-apigen-equal-fields";

impl Schemas {
    /// Parses the definitions and body schemas the generator wrote (JSON objects by name).
    pub(super) fn parse(definitions: &str, bodies: &str) -> Self {
        let definitions: Map<String, Value> = serde_json::from_str(definitions).unwrap_or_default();
        let bodies: Map<String, Value> = serde_json::from_str(bodies).unwrap_or_default();
        let validators = bodies.keys().map(|k| (k.clone(), OnceLock::new())).collect();
        Self { definitions, bodies, validators }
    }

    /// The request-body schema of operation `key`.
    pub(super) fn body(&self, key: &str) -> Option<&Value> {
        self.bodies.get(key)
    }

    /// The compiled validator of operation `key`'s body: `None` when there is no schema, or
    /// when the schema does not compile (a `pattern` no regular-expression engine reads, say);
    /// such a body is then held to its Rust type only.
    fn validator(&self, key: &str) -> Option<&Validator> {
        let body = self.bodies.get(key)?;
        self.validators.get(key)?.get_or_init(|| compile(body, &self.definitions)).as_ref()
    }

    /// Every violation of operation `key`'s body schema by `value`, in the order the validator
    /// finds them; empty when the value is valid (or there is no schema).
    pub(super) fn check(&self, key: &str, value: &Value) -> Vec<Violation> {
        let Some(validator) = self.validator(key) else { return Vec::new() };
        let mut out = Vec::new();
        validator.iter_errors(value).for_each(|e| violations(&e, &mut out));
        out
    }

    /// The definition a local `$ref` (`#/components/schemas/<name>`) points at.
    fn definition(&self, reference: &str) -> Option<&Value> {
        let name = reference.strip_prefix("#/components/schemas/")?;
        self.definitions.get(&name.replace("~1", "/").replace("~0", "~"))
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..32 {
            let Some(r) = current.get("$ref").and_then(Value::as_str) else { break };
            match self.definition(r) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }

    /// `schema` and the members of its `allOf`/`anyOf`/`oneOf` (resolved, one level).
    fn with_members<'a>(&'a self, schema: &'a Value) -> impl Iterator<Item = &'a Value> {
        let schema = self.resolve(schema);
        let members = ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter_map(move |k| schema.get(k).and_then(Value::as_array))
            .flatten()
            .map(|member| self.resolve(member));
        std::iter::once(schema).chain(members)
    }
}

/// One validator for `body`, whose `$ref`s point into `definitions` as
/// `#/components/schemas/<name>`: the body is the only member of the root's `allOf`, and the
/// definitions sit where the references expect them.
fn compile(body: &Value, definitions: &Map<String, Value>) -> Option<Validator> {
    let mut definitions = Value::Object(definitions.clone());
    let mut body = body.clone();
    equal_fields(&mut definitions);
    equal_fields(&mut body);
    let root = serde_json::json!({ "allOf": [body], "components": { "schemas": definitions } });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_keyword(EQUAL_FIELDS, |_, pairs: &Value, _| Ok(Box::new(EqualFields(pairs_of(pairs)))))
        .build(&root)
        .ok()
}

/// Adds [`EQUAL_FIELDS`] to every object schema one of whose properties has `x-must-equal`.
fn equal_fields(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let pairs: Vec<Value> = map
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(name, p)| Some(serde_json::json!([name, p.get("x-must-equal")?.as_str()?])))
                .collect();
            map.values_mut().for_each(equal_fields);
            if !pairs.is_empty() {
                map.insert(EQUAL_FIELDS.to_string(), Value::Array(pairs));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(equal_fields),
        _ => {}
    }
}

fn pairs_of(pairs: &Value) -> Vec<(String, String)> {
    pairs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.get(0)?.as_str()?.to_string(), p.get(1)?.as_str()?.to_string())))
        .collect()
}

/// `x-must-equal`: each named field, when present with its partner, equals it.
struct EqualFields(Vec<(String, String)>);

impl EqualFields {
    fn broken(&self, instance: &Value) -> Option<&(String, String)> {
        let map = instance.as_object()?;
        self.0.iter().find(|(a, b)| matches!((map.get(a), map.get(b)), (Some(x), Some(y)) if x != y))
    }
}

impl<'i> Keyword<'i> for EqualFields {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.broken(instance) {
            Some((a, b)) => Err(ValidationError::custom(format!("`{a}` must equal `{b}`"))),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.broken(instance).is_none()
    }
}

/// The violations of one validator error: the path in the runtime's form
/// (`members[2].email`), the keyword, and a message in the runtime's words that never holds
/// the offending value (the validator's own text, with the value masked, for the rest).
fn violations(error: &ValidationError<'_>, out: &mut Vec<Violation>) {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let mut path = String::new();
    for segment in error.instance_path() {
        path = match segment {
            LocationSegment::Property(name) => v::join(&path, &name),
            LocationSegment::Index(i) => v::index(&path, i),
        };
    }
    let number = |limit: &Value| limit.as_f64().map_or_else(|| limit.to_string(), |f| f.to_string());
    let message = match error.kind() {
        K::Type { kind } => {
            let names: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            };
            format!("must be {}", names.iter().map(|t| article(t)).collect::<Vec<_>>().join(" or "))
        }
        K::Required { property } => {
            out.push(Violation::new(v::join(&path, property.as_str().unwrap_or_default()), "required", "is required"));
            return;
        }
        K::AdditionalProperties { unexpected } => {
            for name in unexpected {
                out.push(Violation::new(v::join(&path, name), "additionalProperties", "is not a documented field"));
            }
            return;
        }
        K::Minimum { limit } => format!("must be at least {}", number(limit)),
        K::ExclusiveMinimum { limit } => format!("must be greater than {}", number(limit)),
        K::Maximum { limit } => format!("must be at most {}", number(limit)),
        K::ExclusiveMaximum { limit } => format!("must be less than {}", number(limit)),
        K::MinLength { limit } => format!("must be at least {limit} characters long"),
        K::MaxLength { limit } => format!("must be at most {limit} characters long"),
        K::MinItems { limit } => format!("must have at least {limit} items"),
        K::MaxItems { limit } => format!("must have at most {limit} items"),
        K::MinProperties { limit } => format!("must have at least {limit} fields"),
        K::MaxProperties { limit } => format!("must have at most {limit} fields"),
        K::Pattern { pattern } => format!("must match the pattern `{pattern}`"),
        K::Format { format } => format!("must be a valid `{format}`"),
        K::Enum { options } => {
            let list = options.as_array().map(|o| o.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")).unwrap_or_default();
            format!("must be one of {list}")
        }
        K::Constant { expected_value } => format!("must be {expected_value}"),
        K::UniqueItems => "must not repeat an item".to_string(),
        K::OneOfMultipleValid { .. } => "must match exactly one of the documented alternatives, not several".to_string(),
        K::OneOfNotValid { context } | K::AnyOf { context } => {
            if alternatives(context, error.instance_path().as_str(), &path, out) {
                return;
            }
            "must match one of the documented alternatives".to_string()
        }
        K::Custom { message, .. } => message.clone(),
        _ => error.masked_with("the value").to_string(),
    };
    let rule = match error.kind().keyword() {
        EQUAL_FIELDS => "x-must-equal",
        other => other,
    };
    out.push(Violation::new(path, rule, message));
}

/// The violations of a value that matches none of the alternatives of a `oneOf`/`anyOf`, when
/// one explains it better than "matches none" (each alternative's errors are in `context`):
///
/// - when every alternative refuses the value of the same property for not being one of its
///   constants (a discriminator's tag), that property must be one of all of them;
/// - when every alternative but one refuses the value of a property as not one of its
///   constants, that one is the alternative the tag selects: its errors are the answer;
/// - else the violations every alternative reports, if any;
/// - else the alternatives whose constants the value does match are preferred, and of those
///   the one with the fewest errors; its errors are the answer.
///
/// Returns false when no single alternative stands out.
fn alternatives(context: &[Vec<ValidationError<'static>>], base: &str, path: &str, out: &mut Vec<Violation>) -> bool {
    use jsonschema::error::ValidationErrorKind as K;
    let constant_at = |e: &ValidationError<'_>| match e.kind() {
        K::Enum { options } => Some((e.instance_path().as_str().to_string(), options.as_array().cloned().unwrap_or_default())),
        K::Constant { expected_value } => Some((e.instance_path().as_str().to_string(), vec![Value::clone(expected_value)])),
        _ => None,
    };
    let tags: Vec<Option<(String, Vec<Value>)>> = context.iter().map(|branch| branch.iter().find_map(constant_at)).collect();
    if let Some(Some((at, _))) = tags.first() {
        let child = at.strip_prefix(base).and_then(|rest| rest.strip_prefix('/')).filter(|rest| !rest.contains('/'));
        if let (Some(child), true) = (child, tags.iter().all(|t| t.as_ref().is_some_and(|(p, _)| p == at))) {
            let mut options: Vec<Value> = Vec::new();
            for (_, values) in tags.iter().flatten() {
                for v in values {
                    if !options.contains(v) {
                        options.push(v.clone());
                    }
                }
            }
            let field = child.replace("~1", "/").replace("~0", "~");
            let list = options.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
            out.push(Violation::new(v::join(path, &field), "enum", format!("must be one of {list}")));
            return true;
        }
    }
    // A tag (a property every other alternative refuses as not one of its constants) selects
    // the one alternative that accepts it: its errors are the answer.
    let constants: Vec<Vec<String>> =
        context.iter().map(|branch| branch.iter().filter_map(constant_at).map(|(p, _)| p).collect()).collect();
    for candidate in constants.iter().flatten() {
        let refusing: Vec<bool> = constants.iter().map(|c| c.contains(candidate)).collect();
        if refusing.iter().filter(|r| !**r).count() == 1 && context.len() > 1 {
            let selected = refusing.iter().position(|r| !r).unwrap_or_default();
            if !context[selected].is_empty() {
                context[selected].iter().for_each(|e| violations(e, out));
                return true;
            }
        }
    }
    // What every alternative says (a missing tag, say), once.
    let converted: Vec<Vec<Violation>> = context
        .iter()
        .map(|branch| {
            let mut found = Vec::new();
            branch.iter().for_each(|e| violations(e, &mut found));
            found
        })
        .collect();
    let mut common: Vec<Violation> = Vec::new();
    if let Some((first, rest)) = converted.split_first() {
        for v in first {
            if rest.iter().all(|other| other.contains(v)) && !common.contains(v) {
                common.push(v.clone());
            }
        }
    }
    if !common.is_empty() {
        out.extend(common);
        return true;
    }
    let rank = |i: usize| (usize::from(tags[i].is_some()), context[i].len());
    let Some(best) = (0..context.len()).min_by_key(|&i| rank(i)) else { return false };
    if (0..context.len()).filter(|&i| rank(i) == rank(best)).count() != 1 || context[best].is_empty() {
        return false;
    }
    out.extend(converted.into_iter().nth(best).unwrap_or_default());
    true
}

fn article(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "null" => "null",
        "array" => "an array",
        "object" => "an object",
        _ => "a value",
    }
}

/// Gives the text of a decoded form body the JSON types its schema asks for, since a form
/// carries only text: integers, numbers and booleans are parsed, and a single value where an
/// array is expected becomes a one-item array. Text that does not parse stays text, for the
/// validator to report.
pub(super) fn type_form_text(schemas: &Schemas, value: &mut Value, key: &str) {
    if let Some(schema) = schemas.body(key) {
        type_form_depth(schemas, value, schema, 0);
    }
}

/// The types a schema's `type` keyword allows (one name or a list of names).
fn declared_types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn type_form_depth(schemas: &Schemas, value: &mut Value, schema: &Value, depth: usize) {
    if depth > 64 {
        return;
    }
    let types: Vec<&str> = schemas.with_members(schema).flat_map(declared_types).collect();
    let has = |t: &str| types.contains(&t);
    if let Value::String(text) = value {
        if has("string") || types.is_empty() {
            return;
        }
        if has("array") {
            *value = Value::Array(vec![std::mem::take(value)]);
        } else {
            let t = text.trim();
            let typed =
                if has("integer") { t.parse::<i64>().map(Value::from).or_else(|_| t.parse::<u64>().map(Value::from)).ok() } else { None };
            let typed = typed.or_else(|| {
                if has("number") {
                    t.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number)
                } else {
                    None
                }
            });
            let typed = typed.or_else(|| match t {
                "true" if has("boolean") => Some(Value::Bool(true)),
                "false" if has("boolean") => Some(Value::Bool(false)),
                "" if has("null") => Some(Value::Null),
                _ => None,
            });
            if let Some(typed) = typed {
                *value = typed;
            }
            return;
        }
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schemas.with_members(schema).find_map(|s| s.get("items")) {
                for item in items {
                    type_form_depth(schemas, item, item_schema, depth + 1);
                }
            }
        }
        Value::Object(map) => {
            for (name, item) in map.iter_mut() {
                let property = schemas.with_members(schema).find_map(|s| {
                    s.get("properties").and_then(|p| p.get(name)).or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
                });
                if let Some(property) = property {
                    type_form_depth(schemas, item, property, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Writes every whole number sent as a decimal (`1.0`, `2e3`) as an integer, in place: JSON
/// Schema counts it as an integer (the validator accepted it as one), and serde's integer types
/// accept only the integer form. Numbers beyond the 64-bit integers stay as they are.
pub fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            let Some(f) = n.as_f64() else { return };
            // The bounds are the first values past i64/u64, exactly representable as f64.
            if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..18_446_744_073_709_551_616.0).contains(&f) {
                *value = if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> Schemas {
        let definitions = json!({
            "Order": {
                "type": "object",
                "additionalProperties": false,
                "required": ["sku", "quantity"],
                "properties": {
                    "sku": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]+$" },
                    "quantity": { "type": "integer", "minimum": 1 },
                    "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 },
                    "gift": { "type": "boolean" },
                    "password": { "type": "string" },
                    "confirm": { "type": "string", "x-must-equal": "password" }
                }
            },
            "Shape": { "oneOf": [{ "type": "integer" }, { "type": "number", "minimum": 0 }] },
            "Name": { "type": "string", "pattern": "^\\p{Letter}+$" }
        });
        let bodies = json!({
            "create": { "$ref": "#/components/schemas/Order" },
            "shape": { "$ref": "#/components/schemas/Shape" },
            "name": { "$ref": "#/components/schemas/Name" },
            "broken": { "type": "string", "pattern": "(" }
        });
        Schemas::parse(&definitions.to_string(), &bodies.to_string())
    }

    #[test]
    fn collects_every_violation_without_the_value() {
        let s = schemas();
        let errors = s.check("create", &json!({ "sku": "abc", "quantity": 0, "tags": ["a", "b", "c"], "extra": 1 }));
        let mut found: Vec<(&str, &str)> = errors.iter().map(|e| (e.path.as_str(), e.rule.as_str())).collect();
        found.sort_unstable();
        assert_eq!(found, [("extra", "additionalProperties"), ("quantity", "minimum"), ("sku", "pattern"), ("tags", "maxItems")]);
        assert!(errors.iter().all(|e| !e.message.contains("abc")), "{errors:?}");
        assert!(s.check("create", &json!({ "sku": "ABC-1", "quantity": 2 })).is_empty());
        assert!(s.check("create", &json!({ "sku": "ABC-1", "quantity": 2.0 })).is_empty(), "2.0 is an integer");
    }

    #[test]
    fn one_of_means_exactly_one() {
        let s = schemas();
        assert!(s.check("shape", &json!(1.5)).is_empty());
        let errors = s.check("shape", &json!(3));
        assert_eq!(errors.iter().map(|e| e.rule.as_str()).collect::<Vec<_>>(), ["oneOf"], "{errors:?}");
    }

    #[test]
    fn a_tag_selects_the_alternative_whose_errors_are_reported() {
        let definitions = json!({
            "Cat": { "type": "object", "required": ["kind", "name"],
                     "properties": { "kind": { "const": "cat" }, "name": { "type": "string" }, "lives": { "type": "integer" } } },
            "Dog": { "type": "object", "required": ["kind"], "properties": { "kind": { "enum": ["dog", "doggo"] } } }
        });
        let bodies = json!({ "pet": { "oneOf": [{ "$ref": "#/components/schemas/Cat" }, { "$ref": "#/components/schemas/Dog" }] } });
        let s = Schemas::parse(&definitions.to_string(), &bodies.to_string());
        let found = |value| s.check("pet", &value).into_iter().map(|e| (e.path, e.rule)).collect::<Vec<_>>();
        let mut cat = found(json!({ "kind": "cat", "lives": "nine" }));
        cat.sort();
        assert_eq!(cat, [("lives".to_string(), "type".to_string()), ("name".to_string(), "required".to_string())]);
        assert_eq!(found(json!({ "name": "Rex" })), [("kind".to_string(), "required".to_string())]);
        assert_eq!(found(json!({ "kind": "dog", "lives": "nine", "name": 1 })), []);
        assert_eq!(found(json!({ "kind": "cat", "name": 1 })), [("name".to_string(), "type".to_string())]);
        let bird = s.check("pet", &json!({ "kind": "bird" }));
        assert_eq!(bird.len(), 1, "{bird:?}");
        assert!(bird[0].path == "kind" && bird[0].message.contains("\"cat\"") && bird[0].message.contains("\"doggo\""), "{bird:?}");
    }

    #[test]
    fn unicode_classes_and_equal_fields() {
        let s = schemas();
        assert!(s.check("name", &json!("Łódź")).is_empty());
        assert!(!s.check("name", &json!("a1")).is_empty());
        let errors = s.check("create", &json!({ "sku": "ABC-1", "quantity": 1, "password": "x", "confirm": "y" }));
        assert_eq!(errors.iter().map(|e| e.rule.as_str()).collect::<Vec<_>>(), ["x-must-equal"], "{errors:?}");
        assert!(s.check("create", &json!({ "sku": "ABC-1", "quantity": 1, "password": "x", "confirm": "x" })).is_empty());
    }

    #[test]
    fn a_schema_that_does_not_compile_checks_nothing() {
        assert!(schemas().check("broken", &json!(1)).is_empty());
    }

    #[test]
    fn whole_decimals_become_integers() {
        let mut value = json!({ "a": 1.0, "b": [2e3, -4.0, 1.5], "c": 1e300 });
        integral_numbers(&mut value);
        assert_eq!(value, json!({ "a": 1, "b": [2000, -4, 1.5], "c": 1e300 }));
        assert!(value["a"].is_u64() && value["b"][1].is_i64());
    }

    #[test]
    fn form_text_gets_the_schema_types() {
        let s = schemas();
        let mut value = json!({ "sku": "ABC-1", "quantity": "3", "tags": "one", "gift": "true" });
        type_form_text(&s, &mut value, "create");
        assert_eq!(value, json!({ "sku": "ABC-1", "quantity": 3, "tags": ["one"], "gift": true }));
    }
}

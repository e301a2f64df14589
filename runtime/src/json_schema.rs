//! `schemars::JsonSchema` from the document's own schemas (feature `schemars`).
//!
//! A generated crate embeds the JSON Schema of every model as the document writes it (its
//! `src/schemas.json`: Rust name -> schema, references between them `{"$ref":
//! "#/$defs/<Rust name>"}`) in one [`Definitions`], and each model's `JsonSchema::json_schema`
//! is [`Definitions::schema`]. So the schemas keep what a schema derived from the Rust type
//! would lose (patterns, lengths, bounds, formats), and cost one small impl per model instead
//! of a derive.
//!
//! Each reference is replaced by what the generator answers for the model of that name
//! (`SchemaGenerator::subschema_for`, through the crate's lookup function), so `schemars`
//! decides the names, the definitions path (`SchemaSettings::definitions_path`), inlining and
//! uniqueness exactly as for derived types. A definition without a model (a schema the
//! settings replaced by another crate's type) is added to the generator's definitions under
//! its own name, once (a placeholder guards recursion), and referenced at the definitions path.
//!
//! Never panics: text that is not a JSON object of schemas reads as no definitions, and a
//! definition that is missing or not a schema (an object or a boolean) is the `true` schema,
//! which accepts every value.

use std::sync::OnceLock;

use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value};

/// The schema `schemars` gives the model of a definition (`generator.subschema_for::<T>()`),
/// by the definition's Rust name; `None` when no model has that name.
pub type Lookup = fn(&mut SchemaGenerator, &str) -> Option<Schema>;

/// Where the definitions' references point: `#/$defs/<Rust name>`.
const PREFIX: &str = "#/$defs/";

/// Keywords whose value is one subschema.
const ONE: &[&str] = &[
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keywords whose value is a list of subschemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value is a map of subschemas.
const MAP: &[&str] = &["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];

/// The JSON Schemas of a crate's models (a `static` of the crate, parsed on first use).
pub struct Definitions {
    text: &'static str,
    lookup: Lookup,
    parsed: OnceLock<Map<String, Value>>,
}

impl std::fmt::Debug for Definitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Definitions").field("definitions", &self.definitions().len()).finish_non_exhaustive()
    }
}

impl Definitions {
    /// The definitions in `text` (a JSON object, Rust name -> JSON Schema), whose models
    /// `lookup` finds by name.
    pub const fn new(text: &'static str, lookup: Lookup) -> Self {
        Self { text, lookup, parsed: OnceLock::new() }
    }

    fn definitions(&self) -> &Map<String, Value> {
        self.parsed.get_or_init(|| match serde_json::from_str(self.text) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        })
    }

    /// The schema of definition `name`, its references to other definitions replaced by what
    /// `generator` gives for them (see the module docs); the `true` schema when there is no
    /// such definition.
    pub fn schema(&self, generator: &mut SchemaGenerator, name: &str) -> Schema {
        let mut schema = self.definitions().get(name).cloned().map_or(Value::Bool(true), schema_or_true);
        self.resolve(generator, &mut schema);
        Schema::try_from(schema).unwrap_or_else(|_| Schema::from(true))
    }

    /// Replaces every reference to a definition in `schema` (schema positions only: examples,
    /// defaults and extensions are data), innermost first.
    fn resolve(&self, generator: &mut SchemaGenerator, schema: &mut Value) {
        let Value::Object(map) = schema else { return };
        for (key, value) in map.iter_mut() {
            if ONE.contains(&key.as_str()) {
                self.resolve(generator, value);
            } else if LIST.contains(&key.as_str()) {
                for item in value.as_array_mut().into_iter().flatten() {
                    self.resolve(generator, item);
                }
            } else if MAP.contains(&key.as_str()) {
                for item in value.as_object_mut().into_iter().flat_map(Map::values_mut) {
                    self.resolve(generator, item);
                }
            }
        }
        let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(PREFIX)) else { return };
        let name = name.replace("~1", "/").replace("~0", "~");
        map.remove("$ref");
        let target = self.reference(generator, &name).to_value();
        match target {
            // A reference: it takes the place of ours, beside the same keywords.
            Value::Object(t) if t.len() == 1 && t.contains_key("$ref") => {
                map.extend(t);
            }
            target if map.is_empty() => *schema = target,
            // A schema inline (inlining settings), beside other keywords: both apply.
            target => match map.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(target),
                _ => {
                    map.insert("allOf".into(), Value::Array(vec![target]));
                }
            },
        }
    }

    /// What stands for definition `name`: the generator's schema of its model, else a reference
    /// to the definition, added to the generator's definitions.
    fn reference(&self, generator: &mut SchemaGenerator, name: &str) -> Schema {
        if let Some(schema) = (self.lookup)(generator, name) {
            return schema;
        }
        let Some(definition) = self.definitions().get(name) else { return Schema::from(true) };
        if !generator.definitions().contains_key(name) {
            // A placeholder first: a definition that refers to itself finds it and stops.
            generator.definitions_mut().insert(name.to_string(), Value::Bool(true));
            let mut definition = schema_or_true(definition.clone());
            self.resolve(generator, &mut definition);
            generator.definitions_mut().insert(name.to_string(), definition);
        }
        let path = &generator.settings().definitions_path;
        let path = path.strip_prefix('#').unwrap_or(path);
        let path = path.strip_suffix('/').unwrap_or(path);
        Schema::new_ref(format!("#{path}/{}", name.replace('~', "~0").replace('/', "~1")))
    }
}

/// `value` when it is a schema (an object or a boolean), else `true`.
fn schema_or_true(value: Value) -> Value {
    match value {
        Value::Object(_) | Value::Bool(_) => value,
        _ => Value::Bool(true),
    }
}

#[cfg(test)]
mod tests {
    use schemars::generate::SchemaSettings;
    use schemars::JsonSchema;
    use serde_json::json;

    use super::*;

    static SCHEMAS: Definitions = Definitions::new(
        r##"{
            "Tree": {"type": "object", "required": ["value"], "properties": {
                "value": {"$ref": "#/$defs/Label", "description": "the label"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
                "meta": {"$ref": "#/$defs/Meta"},
                "default": {"examples": [{"$ref": "#/$defs/Nowhere"}]}
            }},
            "Label": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
            "Meta": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Meta"}, "broken": {"$ref": "#/$defs/Broken"}}},
            "Broken": 3
        }"##,
        lookup,
    );

    fn lookup(generator: &mut SchemaGenerator, name: &str) -> Option<Schema> {
        Some(match name {
            "Tree" => generator.subschema_for::<Tree>(),
            "Label" => generator.subschema_for::<Label>(),
            _ => return None,
        })
    }

    struct Tree;
    struct Label;

    impl JsonSchema for Tree {
        fn schema_name() -> std::borrow::Cow<'static, str> {
            "Tree".into()
        }
        fn schema_id() -> std::borrow::Cow<'static, str> {
            concat!(module_path!(), "::Tree").into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            SCHEMAS.schema(generator, "Tree")
        }
    }

    impl JsonSchema for Label {
        fn schema_name() -> std::borrow::Cow<'static, str> {
            "Label".into()
        }
        fn schema_id() -> std::borrow::Cow<'static, str> {
            concat!(module_path!(), "::Label").into()
        }
        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            SCHEMAS.schema(generator, "Label")
        }
    }

    /// Every `$ref` of `value` (schema positions or not) resolves inside `root`.
    fn refs_resolve(root: &Value, value: &Value, at: &str) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{at}: {r} is not local"));
                    assert!(root.pointer(pointer).is_some(), "{at}: {r} dangles in {root:#}");
                }
                for (k, v) in map {
                    if k != "examples" && k != "example" {
                        refs_resolve(root, v, &format!("{at}/{k}"));
                    }
                }
            }
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| refs_resolve(root, v, &format!("{at}/{i}"))),
            _ => {}
        }
    }

    #[test]
    fn references_become_the_generators_and_keep_their_siblings() {
        let root = schemars::schema_for!(Tree).to_value();
        refs_resolve(&root, &root, "");
        let props = &root["properties"];
        // The model's own name and path; the sibling description stays beside the reference.
        assert_eq!(props["value"], json!({"$ref": "#/$defs/Label", "description": "the label"}));
        assert_eq!(root["$defs"]["Label"], json!({"type": "string", "pattern": "^[a-z]+$", "maxLength": 8}));
        // The root refers to itself as `#`, as schemars does for derived types.
        assert_eq!(props["children"]["items"], json!({"$ref": "#"}));
        // A definition without a model: added once, recursion through the placeholder, and a
        // definition that is not a schema becomes `true`.
        assert_eq!(props["meta"], json!({"$ref": "#/$defs/Meta"}));
        assert_eq!(root["$defs"]["Meta"]["properties"]["next"], json!({"$ref": "#/$defs/Meta"}));
        assert_eq!(root["$defs"]["Broken"], json!(true));
        // Data is not rewritten.
        assert_eq!(props["default"]["examples"][0], json!({"$ref": "#/$defs/Nowhere"}));
    }

    #[test]
    fn the_definitions_path_and_inlining_are_the_settings() {
        let mut generator = SchemaSettings::openapi3().into_generator();
        let root = generator.root_schema_for::<Tree>().to_value();
        // OpenAPI 3.0 settings keep no siblings beside a reference (their own transform).
        assert_eq!(root["properties"]["value"]["allOf"][0], json!({"$ref": "#/components/schemas/Label"}), "{root:#}");
        assert_eq!(root["properties"]["meta"]["$ref"], json!("#/components/schemas/Meta"), "{root:#}");
        let defs = &root["components"]["schemas"];
        assert_eq!(defs["Meta"]["properties"]["next"]["$ref"], json!("#/components/schemas/Meta"), "{root:#}");
        refs_resolve(&root, &root, "");
        // Inline subschemas: the label's schema in place of the reference, with its sibling.
        let mut settings = SchemaSettings::draft2020_12();
        settings.inline_subschemas = true;
        let root = settings.into_generator().root_schema_for::<Tree>().to_value();
        assert_eq!(
            root["properties"]["value"],
            json!({"description": "the label", "allOf": [{"type": "string", "pattern": "^[a-z]+$", "maxLength": 8}]})
        );
        assert!(root.get("$defs").and_then(|d| d.get("Label")).is_none(), "{root:#}");
        refs_resolve(&root, &root, "");
    }

    #[test]
    fn text_that_is_not_definitions_gives_true_schemas() {
        static BAD: Definitions = Definitions::new("[1, 2]", |_, _| None);
        let mut generator = SchemaGenerator::default();
        assert_eq!(BAD.schema(&mut generator, "Tree"), Schema::from(true));
        assert_eq!(SCHEMAS.schema(&mut generator, "Nowhere"), Schema::from(true));
    }
}

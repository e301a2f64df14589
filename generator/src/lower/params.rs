//! How each parameter travels: OpenAPI's `style`, `explode` and `allowReserved`, and the shape
//! of its schema (the JSON kinds it admits, its items and properties), lowered into the IR's
//! [`ParamCodec`] for the runtime's parameter codec (`apigen_runtime::params`).
//!
//! The shape is read from the schema, not from the Rust type: an integer `oneOf`, a `const`, a
//! nullable string and a `format: byte` string all tell the codec how to type the text the
//! server receives.

use serde_json::Value;

use crate::ir::{ParamCodec, ParamKind, ParamLocation, ParamShape, ParamStyle, Parameter, SchemeKind, SecurityScheme};
use crate::spec::deref;

/// How deep references and nested schemas are followed; what lies below is any scalar (the
/// codec writes no arrays or objects inside arrays or objects anyway).
const MAX_DEPTH: usize = 8;

/// The codec of parameter `p` (a resolved Parameter Object) at `location`, and, when the
/// document's `style`/`explode` is not one OpenAPI defines for the location and the value, what
/// was used instead (for a warning).
pub fn codec(doc: &Value, p: &Value, location: ParamLocation) -> (ParamCodec, Option<String>) {
    let text = || ParamShape { kinds: vec![ParamKind::String], ..ParamShape::default() };
    let mut json_text = p.get("schema").is_none() && p.get("content").is_some();
    let mut shape = match p.get("schema") {
        _ if json_text => text(),
        Some(schema) => shape(doc, schema),
        None => ParamShape::default(),
    };
    let default_style = ParamStyle::default_for(location);
    if !json_text && shape.nests() {
        // No style defines arrays or objects inside arrays or objects: the value travels as
        // JSON text, which client and server agree on.
        json_text = true;
        shape = text();
        let warning = "no `style` defines arrays or objects inside an array or object parameter: it is sent as JSON text";
        let (style, explode) = (default_style, default_style.default_explode());
        return (ParamCodec { style, explode, allow_reserved: false, shape, json_text, siblings: Vec::new() }, Some(warning.to_string()));
    }
    let written = if json_text { None } else { p.get("style").and_then(Value::as_str) };
    let style = written.map_or(Some(default_style), style_from_name);
    let explode_written = if json_text { None } else { p.get("explode").and_then(Value::as_bool) };
    let mut style_used = style.unwrap_or(default_style);
    let mut explode = explode_written.unwrap_or(style_used.default_explode());
    let mode = Mode::of(&shape);
    let problem = match style {
        None => Some(format!("`style: {}` is not an OpenAPI style", written.unwrap_or_default())),
        Some(s) if !allowed_at(s, location) => {
            Some(format!("`style: {}` is not defined for {} parameters", written.unwrap_or_default(), location_name(location)))
        }
        Some(ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited) if explode => {
            Some(format!("`style: {}` with `explode: true` is not defined", written.unwrap_or_default()))
        }
        Some(ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited) if mode == Mode::Scalar => {
            Some(format!("`style: {}` is defined for arrays and objects only", written.unwrap_or_default()))
        }
        Some(ParamStyle::DeepObject) if mode != Mode::Object => Some("`style: deepObject` is defined for objects only".to_string()),
        Some(ParamStyle::DeepObject) if !explode => {
            // The only form OpenAPI defines; documents often leave `explode` out.
            explode = true;
            None
        }
        _ => None,
    };
    let warning = problem.map(|problem| {
        style_used = default_style;
        explode = default_style.default_explode();
        format!("{problem}: the parameter is written `{}` (explode: {explode})", style_name(default_style))
    });
    let allow_reserved = location == ParamLocation::Query && p.get("allowReserved").and_then(Value::as_bool).unwrap_or(false);
    (ParamCodec { style: style_used, explode, allow_reserved, shape, json_text, siblings: Vec::new() }, warning)
}

/// Fills each parameter's `siblings`: the other parameters in its location, and the names
/// under which the operation's API keys travel there.
pub fn fill_siblings(params: &mut [Parameter], security: &[Vec<String>], schemes: &[SecurityScheme]) {
    let keys: Vec<(ParamLocation, &str)> = security
        .iter()
        .flatten()
        .filter_map(|key| schemes.iter().find(|s| &s.key == key))
        .filter_map(|s| match &s.kind {
            SchemeKind::ApiKey { location, name } => Some((*location, name.as_str())),
            _ => None,
        })
        .collect();
    let all: Vec<(ParamLocation, String)> = params.iter().map(|p| (p.location, p.name.clone())).collect();
    for p in params.iter_mut() {
        let mut siblings: Vec<String> = all
            .iter()
            .filter(|(l, n)| *l == p.location && *n != p.name)
            .map(|(_, n)| n.clone())
            .chain(keys.iter().filter(|(l, n)| *l == p.location && *n != p.name).map(|(_, n)| n.to_string()))
            .collect();
        siblings.sort();
        siblings.dedup();
        p.codec.siblings = siblings;
    }
}

/// The shape of a schema: the kinds it admits (through `$ref`, `type`, `nullable`, `enum`,
/// `const`, `oneOf`/`anyOf`/`allOf` and `format: byte`/`binary`), its items and properties.
pub fn shape(doc: &Value, schema: &Value) -> ParamShape {
    let mut out = shape_at(doc, schema, 0);
    out.normalize();
    out
}

fn shape_at(doc: &Value, schema: &Value, depth: usize) -> ParamShape {
    let mut out = ParamShape::default();
    if depth > MAX_DEPTH {
        return out;
    }
    let schema = deref(doc, schema);
    let Some(map) = schema.as_object() else { return out };
    let format = map.get("format").and_then(Value::as_str);
    let typed = |t: &str, out: &mut ParamShape| match t {
        "null" => out.kinds.push(ParamKind::Null),
        "boolean" => out.kinds.push(ParamKind::Boolean),
        "integer" => out.kinds.push(ParamKind::Integer),
        "number" => out.kinds.push(ParamKind::Number),
        "string" => match format {
            Some("byte") => out.kinds.extend([ParamKind::String, ParamKind::Byte]),
            Some("binary") => out.kinds.push(ParamKind::Binary),
            _ => out.kinds.push(ParamKind::String),
        },
        "array" => out.kinds.push(ParamKind::Array),
        "object" => out.kinds.push(ParamKind::Object),
        _ => {}
    };
    match map.get("type") {
        Some(Value::String(t)) => typed(t, &mut out),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).for_each(|t| typed(t, &mut out)),
        _ => {}
    }
    if out.kinds.is_empty() {
        // Untyped: the kinds of its values, or of what its keywords describe.
        let values: Vec<&Value> = map.get("enum").and_then(Value::as_array).into_iter().flatten().chain(map.get("const")).collect();
        out.kinds.extend(values.into_iter().map(kind_of_value));
        if map.contains_key("properties") || map.contains_key("additionalProperties") {
            out.kinds.push(ParamKind::Object);
        }
        if map.contains_key("items") {
            out.kinds.push(ParamKind::Array);
        }
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        out.kinds.push(ParamKind::Null);
    }
    if let Some(items) = map.get("items") {
        out.items = Some(Box::new(shape_at(doc, items, depth + 1)));
    }
    for (name, property) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
        out.properties.push((name.clone(), shape_at(doc, property, depth + 1)));
    }
    match map.get("additionalProperties") {
        Some(Value::Bool(true)) => out.additional = Some(Box::default()),
        Some(extra @ Value::Object(_)) => out.additional = Some(Box::new(shape_at(doc, extra, depth + 1))),
        _ => {}
    }
    // A union admits what any member admits; `allOf` members all apply, so what they describe
    // joins the shape when the schema itself does not say.
    for key in ["oneOf", "anyOf", "allOf"] {
        for member in map.get(key).and_then(Value::as_array).into_iter().flatten() {
            let member = shape_at(doc, member, depth + 1);
            if key == "allOf" && !out.kinds.is_empty() && !member.kinds.is_empty() {
                // Constrains the declared kinds; keep them.
            } else {
                out.kinds.extend(member.kinds.iter().copied());
            }
            if out.items.is_none() {
                out.items = member.items;
            }
            for (name, property) in member.properties {
                if !out.properties.iter().any(|(n, _)| *n == name) {
                    out.properties.push((name, property));
                }
            }
            if out.additional.is_none() {
                out.additional = member.additional;
            }
        }
    }
    out
}

impl ParamShape {
    /// Whether arrays or objects may hold arrays or objects.
    fn nests(&self) -> bool {
        let deep = |s: &ParamShape| s.kinds.iter().any(|k| matches!(k, ParamKind::Array | ParamKind::Object));
        let container = self.kinds.iter().any(|k| matches!(k, ParamKind::Array | ParamKind::Object));
        container
            && (self.items.as_deref().is_some_and(deep)
                || self.properties.iter().any(|(_, p)| deep(p))
                || self.additional.as_deref().is_some_and(deep))
    }

    /// Sorted kinds without repeats, down the tree; a string alongside bytes is bytes.
    fn normalize(&mut self) {
        self.kinds.sort();
        self.kinds.dedup();
        if let Some(items) = &mut self.items {
            items.normalize();
        }
        for (_, property) in &mut self.properties {
            property.normalize();
        }
        if let Some(additional) = &mut self.additional {
            additional.normalize();
        }
    }
}

fn kind_of_value(value: &Value) -> ParamKind {
    match value {
        Value::Null => ParamKind::Null,
        Value::Bool(_) => ParamKind::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => ParamKind::Integer,
        Value::Number(_) => ParamKind::Number,
        Value::String(_) => ParamKind::String,
        Value::Array(_) => ParamKind::Array,
        Value::Object(_) => ParamKind::Object,
    }
}

/// How the runtime splits the text: the same rule as `params::Shape`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scalar,
    Array,
    Object,
}

impl Mode {
    fn of(shape: &ParamShape) -> Self {
        if shape.kinds.contains(&ParamKind::Object) {
            Self::Object
        } else if shape.kinds.contains(&ParamKind::Array) {
            Self::Array
        } else {
            Self::Scalar
        }
    }
}

fn style_from_name(name: &str) -> Option<ParamStyle> {
    ALL_STYLES.into_iter().find(|s| style_name(*s) == name)
}

const ALL_STYLES: [ParamStyle; 7] = [
    ParamStyle::Simple,
    ParamStyle::Label,
    ParamStyle::Matrix,
    ParamStyle::Form,
    ParamStyle::SpaceDelimited,
    ParamStyle::PipeDelimited,
    ParamStyle::DeepObject,
];

/// The OpenAPI spelling of a style.
pub fn style_name(style: ParamStyle) -> &'static str {
    match style {
        ParamStyle::Simple => "simple",
        ParamStyle::Label => "label",
        ParamStyle::Matrix => "matrix",
        ParamStyle::Form => "form",
        ParamStyle::SpaceDelimited => "spaceDelimited",
        ParamStyle::PipeDelimited => "pipeDelimited",
        ParamStyle::DeepObject => "deepObject",
    }
}

fn allowed_at(style: ParamStyle, location: ParamLocation) -> bool {
    matches!(
        (style, location),
        (ParamStyle::Simple | ParamStyle::Label | ParamStyle::Matrix, ParamLocation::Path)
            | (ParamStyle::Form | ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited | ParamStyle::DeepObject, ParamLocation::Query)
            | (ParamStyle::Simple, ParamLocation::Header)
            | (ParamStyle::Form, ParamLocation::Cookie)
    )
}

fn location_name(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kinds(schema: Value) -> Vec<ParamKind> {
        shape(&json!({}), &schema).kinds
    }

    #[test]
    fn kinds_come_from_every_keyword_that_types_a_value() {
        use ParamKind::*;
        assert_eq!(kinds(json!({"oneOf": [{"type": "integer"}, {"const": 3}]})), vec![Integer]);
        assert_eq!(kinds(json!({"type": ["string", "null"]})), vec![Null, String]);
        assert_eq!(kinds(json!({"type": "string", "nullable": true})), vec![Null, String]);
        assert_eq!(kinds(json!({"type": "string", "format": "byte"})), vec![String, Byte]);
        assert_eq!(kinds(json!({"type": "string", "format": "binary"})), vec![Binary]);
        assert_eq!(kinds(json!({"enum": [1, "a", null]})), vec![Null, Integer, String]);
        assert_eq!(kinds(json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})), vec![Integer, String]);
        assert_eq!(kinds(json!({"properties": {"a": {}}})), vec![Object]);
        assert_eq!(kinds(json!({})), vec![]);
    }

    #[test]
    fn references_and_members_give_items_and_properties() {
        let doc = json!({"components": {"schemas": {"Rgb": {"type": "object", "properties": {"R": {"type": "integer"}}}}}});
        let s = shape(&doc, &json!({"allOf": [{"$ref": "#/components/schemas/Rgb"}]}));
        assert_eq!(s.kinds, vec![ParamKind::Object]);
        assert_eq!(s.properties[0].0, "R");
        assert_eq!(s.properties[0].1.kinds, vec![ParamKind::Integer]);
        let s = shape(&doc, &json!({"type": "array", "items": {"type": "integer"}}));
        assert_eq!(s.items.map(|i| i.kinds), Some(vec![ParamKind::Integer]));
    }

    #[test]
    fn styles_openapi_leaves_undefined_fall_back_to_the_default_with_a_warning() {
        let doc = json!({});
        let (c, w) = codec(&doc, &json!({"style": "form", "schema": {"type": "string"}}), ParamLocation::Header);
        assert_eq!((c.style, c.explode), (ParamStyle::Simple, false));
        assert!(w.is_some_and(|w| w.contains("not defined for header")));
        let (c, w) = codec(&doc, &json!({"style": "pipeDelimited", "schema": {"type": "integer"}}), ParamLocation::Query);
        assert_eq!((c.style, c.explode), (ParamStyle::Form, true));
        assert!(w.is_some());
        let (c, w) = codec(&doc, &json!({"style": "deepObject", "schema": {"type": "object"}}), ParamLocation::Query);
        assert_eq!((c.style, c.explode, w), (ParamStyle::DeepObject, true, None));
        let (c, w) = codec(&doc, &json!({"style": "matrix", "explode": true, "schema": {"type": "array"}}), ParamLocation::Path);
        assert_eq!((c.style, c.explode, w), (ParamStyle::Matrix, true, None));
        let (c, _) = codec(&doc, &json!({"content": {"application/json": {"schema": {"type": "object"}}}}), ParamLocation::Query);
        assert!(c.json_text);
        assert_eq!(c.shape.kinds, vec![ParamKind::String]);
        let nested = json!({"schema": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}});
        let (c, w) = codec(&doc, &nested, ParamLocation::Query);
        assert!(c.json_text && w.is_some_and(|w| w.contains("JSON text")));
        let (c, w) = codec(&doc, &json!({"schema": {"type": "array", "items": {"type": "string"}}}), ParamLocation::Query);
        assert!(!c.json_text && w.is_none());
    }
}

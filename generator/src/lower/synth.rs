//! The smallest JSON value a schema allows, satisfying its constraints: the one home of value
//! synthesis for the README's example bodies, the mock's answers and the server's error-body
//! templates ([`minimal`], [`template`]).
//!
//! Rules, in order: `const`, then `default` (when it satisfies the schema's own constraints),
//! then the first `enum` value; a discriminated union's first mapped member with its tag;
//! `allOf` members merged; for a `oneOf`, the first member value no other member accepts (else
//! the first member's), for an `anyOf` the first member. Objects get their `required`
//! properties (and more, in order, up to `minProperties`); arrays `minItems` items; strings a
//! value of their `format`, else one matching `pattern` where [`pattern_sample`] can build one
//! (else `minLength` letters), cut to `maxLength`; numbers the smallest value at or above
//! `minimum`/`exclusiveMinimum` (1 without a bound) that is a `multipleOf`, within `maximum`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// How deep synthesis follows nested schemas before answering `null`.
const MAX_DEPTH: usize = 12;

/// Where `$ref`s are looked up, by the last segment of the reference (the document's
/// `components/schemas`, or lowering's definitions).
pub trait Definitions {
    /// The schema named `name`.
    fn schema(&self, name: &str) -> Option<&Value>;
}

impl Definitions for BTreeMap<String, Value> {
    fn schema(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl Definitions for Map<String, Value> {
    fn schema(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// A leaf chosen by the caller instead of the synthesized one: `(property name, its schema)`
/// -> the value, or `None` for the default.
pub type Leaf<'a> = &'a dyn Fn(&str, &Value) -> Option<Value>;

/// The smallest value `schema` allows (references resolved in `defs`, by the last segment of
/// `$ref`).
pub fn minimal(schema: &Value, defs: &dyn Definitions) -> Value {
    Synth { defs, leaf: &|_, _| None }.value(schema, "", 0)
}

/// As [`minimal`], with `leaf` choosing the value of properties it knows (placeholders of an
/// error-body template, say).
pub fn template(schema: &Value, defs: &dyn Definitions, leaf: Leaf<'_>) -> Value {
    Synth { defs, leaf }.value(schema, "", 0)
}

struct Synth<'a> {
    defs: &'a dyn Definitions,
    leaf: Leaf<'a>,
}

impl Synth<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        for _ in 0..MAX_DEPTH {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.defs.schema(r.rsplit('/').next().unwrap_or_default()) {
                    Some(d) => schema = d,
                    None => return schema,
                },
                None => return schema,
            }
        }
        schema
    }

    fn value(&self, schema: &Value, name: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let schema = self.resolve(schema);
        if let Some(v) = schema.get("const") {
            return v.clone();
        }
        if let Some(chosen) = (self.leaf)(name, schema) {
            return chosen;
        }
        if let Some(default) = schema.get("default") {
            if scalar_fits(schema, default) {
                return default.clone();
            }
        }
        if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null()).or(e.first())) {
            return first.clone();
        }
        // A discriminated union (its mapping completed by lowering): the first mapped member,
        // with the tag that selects it.
        let discriminator = schema.get("discriminator");
        let property = discriminator.and_then(|d| d.get("propertyName")).and_then(Value::as_str);
        let first_mapped = discriminator.and_then(|d| d.get("mapping")).and_then(Value::as_object).and_then(|m| m.iter().next());
        if let (Some(property), Some((tag, target))) = (property, first_mapped) {
            let mut value = self.value(&json!({ "$ref": target }), name, depth + 1);
            if let Some(map) = value.as_object_mut() {
                map.insert(property.to_string(), Value::String(tag.clone()));
            }
            return value;
        }
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = self.own(schema, name, depth);
            for member in members {
                merge(&mut merged, self.value(member, name, depth + 1));
            }
            return merged;
        }
        if let Some(members) = schema.get("oneOf").and_then(Value::as_array) {
            if let Some(value) = self.one_of(schema, members, name, depth) {
                return value;
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(members) = schema.get(key).and_then(Value::as_array) {
                // A member that is not `null` (unless that is all there is).
                let member = members.iter().find(|m| self.resolve(m).get("type").and_then(Value::as_str) != Some("null"));
                if let Some(member) = member.or(members.first()) {
                    let mut value = self.value(member, name, depth + 1);
                    if value.is_object() {
                        merge(&mut value, self.own(schema, name, depth));
                    }
                    return value;
                }
            }
        }
        self.own(schema, name, depth)
    }

    /// A value of a `oneOf` (without a discriminator) that matches exactly one member: `oneOf`
    /// rejects a value several members accept (`1` under `integer` and `number`, `{}` under two
    /// objects without required properties). Each member's candidates ([`Synth::candidates`]: its
    /// smallest value, then values with more in them) are tried, non-`null` members first, and
    /// the first that no other member accepts ([`Synth::may_match`], which errs on accepting)
    /// wins. `None` when no candidate is exclusive: the first member's value is all there is.
    fn one_of(&self, schema: &Value, members: &[Value], name: &str, depth: usize) -> Option<Value> {
        let is_null = |m: &Value| self.resolve(m).get("type").and_then(Value::as_str) == Some("null");
        let order = members.iter().enumerate().filter(|(_, m)| !is_null(m)).chain(members.iter().enumerate().filter(|(_, m)| is_null(m)));
        for (i, member) in order {
            for mut value in self.candidates(member, name, depth + 1) {
                if value.is_object() {
                    merge(&mut value, self.own(schema, name, depth));
                }
                if !members.iter().enumerate().any(|(j, other)| j != i && self.may_match(other, &value, 0)) {
                    return Some(value);
                }
            }
        }
        None
    }

    /// Values of `schema` for [`Synth::one_of`], smallest first: the minimal value; an object with
    /// every declared property; a number that is not whole (what `integer` rejects).
    fn candidates(&self, schema: &Value, name: &str, depth: usize) -> Vec<Value> {
        let mut out = vec![self.value(schema, name, depth)];
        let resolved = self.resolve(schema);
        if let Some(properties) = resolved.get("properties").and_then(Value::as_object) {
            let mut full = out[0].clone();
            if let Some(map) = full.as_object_mut() {
                for (key, property) in properties {
                    if !map.contains_key(key) {
                        map.insert(key.clone(), self.value(property, key, depth + 1));
                    }
                }
            }
            out.push(full);
        }
        if resolved.get("type").and_then(Value::as_str) == Some("number") && resolved.get("multipleOf").is_none() {
            if let Some(x) = out[0].as_f64() {
                let half = x + 0.5;
                let fits = resolved.get("maximum").and_then(Value::as_f64).is_none_or(|m| half <= m)
                    && resolved.get("exclusiveMaximum").and_then(Value::as_f64).is_none_or(|m| half < m);
                if fits {
                    out.push(json!(half));
                }
            }
        }
        out
    }

    /// Whether `value` may match `schema`: `false` only when it surely does not (its type, `enum`,
    /// `const`, `required`, closed properties, bounds, lengths, `pattern`, items, `allOf` and the
    /// members of unions); keywords not checked count as matching.
    fn may_match(&self, schema: &Value, value: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return true;
        }
        let schema = self.resolve(schema);
        let Some(map) = schema.as_object() else { return *schema != Value::Bool(false) };
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| crate::spec::normalize::has_type(value, t)) {
            return false;
        }
        if map.get("enum").and_then(Value::as_array).is_some_and(|e| !e.contains(value)) || map.get("const").is_some_and(|c| c != value) {
            return false;
        }
        if !scalar_fits(schema, value) {
            return false;
        }
        let list = |k: &str| map.get(k).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if !list("allOf").iter().all(|s| self.may_match(s, value, depth + 1)) {
            return false;
        }
        for key in ["anyOf", "oneOf"] {
            let members = list(key);
            if !members.is_empty() && !members.iter().any(|s| self.may_match(s, value, depth + 1)) {
                return false;
            }
        }
        match value {
            Value::Object(object) => {
                if !list("required").iter().filter_map(Value::as_str).all(|r| object.contains_key(r)) {
                    return false;
                }
                let properties = map.get("properties").and_then(Value::as_object);
                for (k, v) in object {
                    match properties.and_then(|p| p.get(k)) {
                        Some(s) if !self.may_match(s, v, depth + 1) => return false,
                        Some(_) => {}
                        None if !map.contains_key("patternProperties") => {
                            if let Some(extra) = map.get("additionalProperties") {
                                if !self.may_match(extra, v, depth + 1) {
                                    return false;
                                }
                            }
                        }
                        None => {}
                    }
                }
                true
            }
            Value::Array(items) => match map.get("items") {
                Some(item) if !map.contains_key("prefixItems") => items.iter().all(|i| self.may_match(item, i, depth + 1)),
                _ => true,
            },
            _ => true,
        }
    }

    /// The value of the schema's own keywords (its `type` and constraints).
    fn own(&self, schema: &Value, name: &str, depth: usize) -> Value {
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
            _ if schema.get("items").is_some() => "array",
            _ if schema.get("minLength").is_some() || schema.get("pattern").is_some() || schema.get("format").is_some() => "string",
            _ => "object",
        };
        let count = |key: &str| schema.get(key).and_then(Value::as_u64).map_or(0, |n| n.min(64) as usize);
        match ty {
            "object" => {
                let mut out = Map::new();
                let properties = schema.get("properties").and_then(Value::as_object);
                let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
                for key in required {
                    let property = properties.and_then(|p| p.get(key)).unwrap_or(&Value::Bool(true));
                    out.insert(key.to_string(), self.value(property, key, depth + 1));
                }
                for (key, property) in properties.into_iter().flatten() {
                    if out.len() >= count("minProperties") {
                        break;
                    }
                    if !out.contains_key(key) {
                        out.insert(key.clone(), self.value(property, key, depth + 1));
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let items = schema.get("items").unwrap_or(&Value::Bool(true));
                let prefix = schema.get("prefixItems").and_then(Value::as_array);
                let n = count("minItems").max(prefix.map_or(0, Vec::len).min(count("minItems")));
                let unique = schema.get("uniqueItems").and_then(Value::as_bool).unwrap_or(false);
                let mut out: Vec<Value> = Vec::with_capacity(n);
                for i in 0..n {
                    let item_schema = prefix.and_then(|p| p.get(i)).unwrap_or(items);
                    let mut item = self.value(item_schema, name, depth + 1);
                    if unique && out.contains(&item) {
                        item = vary(&item, i);
                    }
                    out.push(item);
                }
                Value::Array(out)
            }
            "integer" | "number" => number(schema, ty == "integer"),
            "boolean" => json!(false),
            "null" => Value::Null,
            _ => Value::String(string(schema)),
        }
    }
}

/// Whether a scalar `value` satisfies the constraints of `schema` (composite values are
/// trusted: a default object is the author's).
fn scalar_fits(schema: &Value, value: &Value) -> bool {
    match value {
        Value::String(s) => {
            let len = s.chars().count() as u64;
            schema.get("minLength").and_then(Value::as_u64).is_none_or(|m| len >= m)
                && schema.get("maxLength").and_then(Value::as_u64).is_none_or(|m| len <= m)
                && schema.get("pattern").and_then(Value::as_str).is_none_or(|p| matches(p, s))
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            schema.get("minimum").and_then(Value::as_f64).is_none_or(|m| x >= m)
                && schema.get("maximum").and_then(Value::as_f64).is_none_or(|m| x <= m)
        }
        _ => true,
    }
}

/// Deep-merges `from` into `into` (objects by key; anything else replaces `into` when it is
/// not an object).
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (into @ Value::Object(_), from) if !from.is_null() => {
            if into.as_object().is_some_and(Map::is_empty) {
                *into = from;
            }
        }
        (into, from) => {
            if !from.is_null() && !from.is_object() {
                *into = from;
            }
        }
    }
}

/// Another value like `item`, the `i`-th (for `uniqueItems`).
fn vary(item: &Value, i: usize) -> Value {
    match item {
        Value::String(s) => Value::String(format!("{s}{i}")),
        Value::Number(n) => json!(n.as_f64().unwrap_or(0.0) + i as f64),
        Value::Bool(b) => json!(!b),
        other => other.clone(),
    }
}

fn number(schema: &Value, integer: bool) -> Value {
    let get = |k: &str| schema.get(k).and_then(Value::as_f64);
    // OpenAPI 3.0 writes `exclusiveMinimum: true` next to `minimum`; 3.1 a number.
    let exclusive = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    let step = get("multipleOf").filter(|m| *m > 0.0);
    let unit = if integer { 1.0 } else { step.unwrap_or(1.0) };
    let mut low = match (get("minimum"), get("exclusiveMinimum")) {
        (Some(m), _) if exclusive("exclusiveMinimum") => m + unit.min(1.0),
        (Some(m), Some(e)) => m.max(e + unit.min(1.0)),
        (Some(m), None) => m,
        (None, Some(e)) => e + unit.min(1.0),
        (None, None) => f64::NAN,
    };
    let high = match (get("maximum"), get("exclusiveMaximum")) {
        (Some(m), _) if exclusive("exclusiveMaximum") => m - unit.min(1.0),
        (Some(m), Some(e)) => m.min(e - unit.min(1.0)),
        (Some(m), None) => m,
        (None, Some(e)) => e - unit.min(1.0),
        (None, None) => f64::NAN,
    };
    if low.is_nan() {
        low = if high.is_nan() || high >= 1.0 { 1.0 } else { high };
    }
    if integer {
        low = low.ceil();
    }
    if let Some(step) = step {
        low = (low / step).ceil() * step;
    }
    if integer || low.fract() == 0.0 && low.abs() < 1e15 {
        json!(low as i64)
    } else {
        json!(low)
    }
}

fn string(schema: &Value) -> String {
    let min = schema.get("minLength").and_then(Value::as_u64).map_or(0, |n| n.min(4096) as usize);
    let max = schema.get("maxLength").and_then(Value::as_u64).map(|n| n as usize);
    let mut text = match schema.get("format").and_then(Value::as_str) {
        Some("email") => "user@example.com".to_string(),
        Some("date-time") => "2024-01-01T00:00:00Z".to_string(),
        Some("date") => "2024-01-01".to_string(),
        Some("time") => "00:00:00Z".to_string(),
        Some("uuid") => "00000000-0000-0000-0000-000000000000".to_string(),
        Some("uri" | "url") => "https://example.com/".to_string(),
        Some("hostname") => "example.com".to_string(),
        Some("ipv4") => "127.0.0.1".to_string(),
        Some("ipv6") => "::1".to_string(),
        Some("byte") => "ZXhhbXBsZQ==".to_string(),
        _ => "example".to_string(),
    };
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if !matches(pattern, &text) {
            if let Some(sample) = pattern_sample(pattern, min).filter(|s| matches(pattern, s)) {
                return sample;
            }
        }
    }
    while text.chars().count() < min {
        text.push('x');
    }
    if let Some(max) = max {
        text = text.chars().take(max).collect();
    }
    text
}

/// Whether `text` matches the ECMA-262 `pattern` (an invalid pattern matches everything).
pub fn matches(pattern: &str, text: &str) -> bool {
    regress::Regex::new(pattern).map_or(true, |re| re.find(text).is_some())
}

/// A string that the simple `pattern` matches, at least `min` characters long where the
/// pattern allows: literals, `.`, classes (`[a-z0-9_]`, `\d`, `\w`, `\s`), groups without
/// alternation and the quantifiers `? * + {n} {n,} {n,m}`. `None` for anything else
/// (alternation, lookaround, backreferences).
pub fn pattern_sample(pattern: &str, min: usize) -> Option<String> {
    let chars: Vec<char> = pattern.trim_start_matches('^').trim_end_matches('$').chars().collect();
    let (atoms, rest) = atoms(&chars, 0)?;
    if rest != chars.len() {
        return None;
    }
    let mut out = String::new();
    emit(&atoms, &mut out);
    // Grow the last repeatable atom up to `min`.
    if out.chars().count() < min {
        if let Some((atom, _, max)) = atoms.iter().rev().find(|(_, lo, hi)| hi.is_none_or(|h| h > *lo)) {
            let mut extra = String::new();
            emit(&[(atom.clone(), 1, Some(1))], &mut extra);
            let mut added = 0;
            while out.chars().count() < min && !extra.is_empty() && max.is_none_or(|m| added < m) {
                out.push_str(&extra);
                added += 1;
            }
        }
    }
    Some(out)
}

#[derive(Clone)]
enum Atom {
    Char(char),
    Group(Vec<(Atom, usize, Option<usize>)>),
}

fn emit(atoms: &[(Atom, usize, Option<usize>)], out: &mut String) {
    for (atom, lo, _) in atoms {
        for _ in 0..*lo {
            match atom {
                Atom::Char(c) => out.push(*c),
                Atom::Group(inner) => emit(inner, out),
            }
        }
    }
}

type Parsed = (Vec<(Atom, usize, Option<usize>)>, usize);

fn atoms(chars: &[char], mut i: usize) -> Option<Parsed> {
    let mut out = Vec::new();
    while i < chars.len() {
        let atom = match chars[i] {
            ')' => break,
            // Lookaround and alternation are not built.
            '(' if chars.get(i + 1) == Some(&'?') && chars.get(i + 2) != Some(&':') => return None,
            '|' => return None,
            '(' => {
                let skip = if chars.get(i + 1) == Some(&'?') { 3 } else { 1 };
                let (inner, end) = atoms(chars, i + skip)?;
                if chars.get(end) != Some(&')') {
                    return None;
                }
                i = end + 1;
                Atom::Group(inner)
            }
            '[' => {
                let end = (i + 1..chars.len()).find(|&j| chars[j] == ']' && j > i + 1)?;
                let class = &chars[i + 1..end];
                if class.first() == Some(&'^') {
                    i = end + 1;
                    Atom::Char(if class.contains(&'a') { 'B' } else { 'a' })
                } else {
                    i = end + 1;
                    Atom::Char(match class.first()? {
                        '\\' => escape(*class.get(1)?)?,
                        c => *c,
                    })
                }
            }
            '\\' => {
                let c = *chars.get(i + 1)?;
                i += 2;
                Atom::Char(escape(c)?)
            }
            '.' => {
                i += 1;
                Atom::Char('a')
            }
            '*' | '+' | '?' | '{' | '^' | '$' => return None,
            c => {
                i += 1;
                Atom::Char(c)
            }
        };
        let (lo, hi) = match chars.get(i) {
            Some('?') => (0, Some(1)),
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('{') => {
                let end = (i..chars.len()).find(|&j| chars[j] == '}')?;
                let body: String = chars[i + 1..end].iter().collect();
                let (lo, hi) = match body.split_once(',') {
                    Some((lo, "")) => (lo.trim().parse().ok()?, None),
                    Some((lo, hi)) => (lo.trim().parse().ok()?, Some(hi.trim().parse().ok()?)),
                    None => (body.trim().parse().ok()?, Some(body.trim().parse().ok()?)),
                };
                i = end;
                (lo, hi)
            }
            _ => {
                out.push((atom, 1, Some(1)));
                continue;
            }
        };
        i += 1;
        if chars.get(i) == Some(&'?') {
            i += 1;
        }
        out.push((atom, lo, hi));
    }
    Some((out, i))
}

/// A character an escape stands for (`\d` -> `0`), or the escaped literal.
fn escape(c: char) -> Option<char> {
    Some(match c {
        'd' => '0',
        'w' => 'a',
        's' => ' ',
        'D' | 'W' | 'S' => 'a',
        'b' | 'B' | '1'..='9' => return None,
        'n' => '\n',
        't' => '\t',
        c => c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(schema: Value) -> Value {
        minimal(&schema, &BTreeMap::new())
    }

    #[test]
    fn constraints_are_satisfied() {
        assert_eq!(min(json!({"type": "array", "minItems": 2, "items": {"type": "integer", "minimum": 5}})), json!([5, 5]));
        assert_eq!(min(json!({"type": "string", "minLength": 10})), json!("examplexxx"));
        assert_eq!(min(json!({"type": "string", "maxLength": 3})), json!("exa"));
        assert_eq!(min(json!({"type": "string", "pattern": "^[A-Z]{3}-\\d{2,4}$"})), json!("AAA-00"));
        assert_eq!(min(json!({"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5})), json!(5));
        assert_eq!(min(json!({"type": "number", "minimum": 0.5})), json!(0.5));
        assert_eq!(min(json!({"type": "integer", "maximum": -3})), json!(-3));
        assert_eq!(min(json!({"type": "string", "enum": ["1", "0"]})), json!("1"));
        assert_eq!(min(json!({"type": "object", "minProperties": 1, "properties": {"a": {"type": "boolean"}}})), json!({"a": false}));
        assert_eq!(
            min(json!({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                                 {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}]})),
            json!({"a": "example", "b": 1})
        );
        assert_eq!(
            min(json!({"type": "array", "minItems": 2, "uniqueItems": true, "items": {"type": "string"}})),
            json!(["example", "example1"])
        );
        // A default that breaks the schema's own rules is not used.
        assert_eq!(min(json!({"type": "string", "minLength": 8, "default": "x"})), json!("examplex"));
    }

    #[test]
    fn pattern_samples_match() {
        for p in ["^[a-z0-9_]+$", "^\\+?[0-9]{7,15}$", "^(abc)+x?$", "^v\\d+\\.\\d+$", "^[^@]+@[^@]+$"] {
            let s = pattern_sample(p, 3).unwrap_or_default();
            assert!(matches(p, &s), "{p} -> {s}");
        }
        assert!(pattern_sample("^(a|b)$", 0).is_none());
    }
}

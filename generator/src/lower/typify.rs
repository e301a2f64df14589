//! Running typify without letting it fail the crate: [`convert_isolated`] converts every
//! definition and, when typify fails (an error, a panic, a `todo!`), finds the definitions at
//! fault and degrades each alone to `serde_json::Value` ([`Failure`]); [`catch`] turns typify's
//! panics into errors; [`check_emission`] checks that typify can write out what it converted.
//! The schemas given to typify are prepared here too ([`doc_descriptions`], [`strip_defaults`]).

use std::collections::BTreeMap;

use schemars::schema::Schema;
use serde_json::{json, Value};
use typify_impl::{TypeSpace, TypeSpaceSettings};

/// The schema a definition that cannot be typed is replaced by: any JSON value, with its
/// description and the reason.
pub fn degraded_schema(original: Option<&Value>, reason: &str) -> Value {
    let note = format!(
        "The generator could not turn this schema into a Rust type ({reason}), so any JSON value is accepted here; see `openapi.json` for the schema."
    );
    let description = match original.and_then(|o| o.get("description")).and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note,
    };
    json!({ "description": description })
}

/// One definition typify could not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The definition's Rust name.
    pub name: String,
    /// typify's first line of complaint (an error or a panic message).
    pub reason: String,
    /// The JSON pointer, inside the definition, of the keyword whose removal lets it convert
    /// (`/properties/kind`, `/default`); empty when no single keyword was found.
    pub keyword: String,
}

/// How many typify conversions the search for failing definitions may run; beyond it, every
/// remaining definition of the failing set is degraded at once.
const ISOLATION_BUDGET: usize = 400;

/// Converts every definition with typify; when that fails (an error, a panic, a `todo!`), finds
/// the definitions that make it fail and converts them as `serde_json::Value`.
///
/// Each round converts everything once; if that fails, a binary search over prefixes (the
/// definitions past the prefix replaced by `{}`) finds the shortest failing prefix, whose last
/// definition takes part in the failure: it is degraded and the round repeats. A document whose
/// definitions all convert costs one conversion, as before; each failing definition costs about
/// log2(n) more, plus a few to name the keyword. Every failure is reported in the same run.
///
/// # Errors
///
/// Only when the conversion fails with every definition degraded (a bug).
pub fn convert_isolated(
    settings: &TypeSpaceSettings,
    mut typed: Vec<(String, Schema)>,
    check_emission: bool,
) -> Result<(TypeSpace, Vec<Failure>), String> {
    let mut failures: Vec<Failure> = Vec::new();
    let mut budget = ISOLATION_BUDGET;
    let empty: Schema = Schema::Object(Default::default());
    loop {
        // Emission is checked only when conversion succeeds (it costs as much again), and the
        // search for the culprit checks what failed: conversion, or conversion and emission.
        let (reason, conv) = match typify_all(settings, &typed) {
            Ok(space) if !check_emission => return Ok((space, failures)),
            Ok(space) => match self::check_emission(&space) {
                Ok(_) => return Ok((space, failures)),
                Err(reason) => (reason, Converter { settings, emit: true }),
            },
            Err(reason) => (reason, Converter { settings, emit: false }),
        };
        let candidates: Vec<usize> = (0..typed.len()).filter(|i| !failures.iter().any(|f| f.name == typed[*i].0)).collect();
        if candidates.is_empty() {
            return Err(reason);
        }
        let with_prefix = |k: usize, typed: &[(String, Schema)]| -> Vec<(String, Schema)> {
            let mut out = typed.to_vec();
            for &i in &candidates[k..] {
                out[i].1 = empty.clone();
            }
            out
        };
        if budget < 2 * (usize::BITS - candidates.len().leading_zeros()) as usize + 2 {
            // Out of budget: degrade every remaining definition (still a compiling crate).
            for &i in &candidates {
                failures.push(Failure { name: typed[i].0.clone(), reason: reason.clone(), keyword: String::new() });
                typed[i].1 = empty.clone();
            }
            continue;
        }
        // The shortest failing prefix: `lo` converts, `hi` fails.
        let (mut lo, mut hi, mut why) = (0, candidates.len(), reason);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            budget = budget.saturating_sub(1);
            match conv.run(&with_prefix(mid, &typed)) {
                Ok(_) => lo = mid,
                Err(r) => {
                    hi = mid;
                    why = r;
                }
            }
        }
        let context = with_prefix(hi, &typed);
        // typify checks each default against the type it builds for the schema, and fails on
        // defaults it cannot check; the definition *with* the default may be another than the
        // one the search stopped at. Dropping that default loses less than a whole type.
        if let Some(owner) = default_owner(&conv, &context, &candidates[..hi], &mut budget) {
            failures.push(Failure { name: typed[owner].0.clone(), reason: why, keyword: DEFAULTS_DROPPED.to_string() });
            typed[owner].1 = without_defaults(&typed[owner].1);
            continue;
        }
        let culprit = candidates[hi - 1];
        let keyword = failing_keyword(&conv, &context, culprit, &mut budget);
        let original = serde_json::to_value(&typed[culprit].1).unwrap_or(Value::Null);
        let replacement = match property_of(&keyword) {
            // A keyword that only narrows the type fails: the type stays, without it.
            _ if is_narrowing(&keyword) => {
                let mut schema = original.clone();
                remove_keyword(&mut schema, &keyword);
                schema
            }
            // One property fails: it alone becomes any JSON value, the struct stays.
            Some(prop) => {
                let mut schema = original.clone();
                schema["properties"][prop.as_str()] = degraded_schema(original.pointer(&keyword), &why);
                schema
            }
            None => degraded_schema(Some(&original), &why),
        };
        typed[culprit].1 = serde_json::from_value(replacement).unwrap_or_else(|_| empty.clone());
        failures.push(Failure { name: typed[culprit].0.clone(), reason: why, keyword });
    }
}

/// Keywords that only narrow a type (`not`, `format`, `enum`): when typify fails on one, the
/// definition keeps the type it has without it, which accepts more values, instead of becoming
/// `serde_json::Value`.
const NARROWING: &[&str] = &["not", "format", "enum"];

/// Whether a keyword pointer of [`failing_keyword`] names a narrowing keyword of the definition or
/// of one of its properties (`/not`, `/properties/kind/format`).
pub(super) fn is_narrowing(keyword: &str) -> bool {
    let Some((parent, last)) = keyword.rsplit_once('/') else { return false };
    NARROWING.contains(&last) && (parent.is_empty() || property_of(parent).is_some())
}

/// Removes the keyword at `pointer` (`/properties/kind/not`) from a schema, and says so in the
/// description there (the generated doc comment).
pub(super) fn remove_keyword(schema: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    if let Some(Value::Object(map)) = schema.pointer_mut(parent) {
        let keyword = crate::diag::unescape_token(last);
        if map.remove(&keyword).is_some() {
            let note = format!("The schema's `{keyword}` cannot be expressed in this Rust type and is not enforced: see `openapi.json`.");
            let description = match map.get("description").and_then(Value::as_str) {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            };
            map.insert("description".into(), Value::String(description));
        }
    }
}

/// The property a keyword pointer of [`failing_keyword`] names (`/properties/kind` -> `kind`).
pub(super) fn property_of(keyword: &str) -> Option<String> {
    let name = keyword.strip_prefix("/properties/")?;
    (!name.contains('/')).then(|| crate::diag::unescape_token(name))
}

/// [`Failure::keyword`] of a definition whose defaults were dropped (the type is kept).
pub const DEFAULTS_DROPPED: &str = "#defaults";

/// When removing every `default` of the `real` definitions lets `context` convert: the first
/// definition whose defaults must go (found by binary search over prefixes).
fn default_owner(conv: &Converter<'_>, context: &[(String, Schema)], real: &[usize], budget: &mut usize) -> Option<usize> {
    let stripped = |k: usize| -> Vec<(String, Schema)> {
        let mut out = context.to_vec();
        for &i in &real[..k] {
            out[i].1 = without_defaults(&out[i].1);
        }
        out
    };
    *budget = budget.checked_sub(1)?;
    conv.run(&stripped(real.len())).ok()?;
    // `lo` stripped still fails, `hi` stripped converts.
    let (mut lo, mut hi) = (0, real.len());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        *budget = budget.saturating_sub(1);
        if conv.run(&stripped(mid)).is_ok() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(real[hi - 1])
}

/// `schema` without any `default` (in schema positions; data is left alone).
pub(super) fn without_defaults(schema: &Schema) -> Schema {
    let Ok(mut value) = serde_json::to_value(schema) else { return schema.clone() };
    strip_defaults(&mut value);
    serde_json::from_value(value).unwrap_or_else(|_| schema.clone())
}

/// Removes every `default` of a schema and its subschemas (data is left alone); true when
/// there was one.
pub fn strip_defaults(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            let mut found = map.remove("default").is_some();
            for (k, v) in map.iter_mut() {
                match (k.as_str(), v) {
                    ("enum" | "const" | "examples" | "example", _) => {}
                    // Maps of names to schemas: a property may be called `default`.
                    ("properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas", Value::Object(subs)) => {
                        for sub in subs.values_mut() {
                            found |= strip_defaults(sub);
                        }
                    }
                    (_, v) => found |= strip_defaults(v),
                }
            }
            found
        }
        Value::Array(items) => items.iter_mut().fold(false, |found, v| strip_defaults(v) | found),
        _ => false,
    }
}

/// The keyword of definition `culprit` whose removal lets `context` convert: `default`, one
/// property, one combinator or `items`, tried in that order (within the budget).
fn failing_keyword(conv: &Converter<'_>, context: &[(String, Schema)], culprit: usize, budget: &mut usize) -> String {
    let Ok(Value::Object(schema)) = serde_json::to_value(&context[culprit].1) else { return String::new() };
    let mut tries: Vec<(String, Value)> = Vec::new();
    let without = |key: &str| {
        let mut s = schema.clone();
        s.remove(key);
        Value::Object(s)
    };
    for key in ["default", "enum", "format", "not"] {
        if schema.contains_key(key) {
            tries.push((format!("/{key}"), without(key)));
        }
    }
    // A narrowing keyword of one property (its type stays), before the whole property.
    for (prop, sub) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        for key in NARROWING {
            if sub.get(*key).is_some() {
                let mut s = Value::Object(schema.clone());
                remove_keyword(&mut s, &format!("/properties/{}/{key}", crate::diag::escape_token(prop)));
                tries.push((format!("/properties/{}/{key}", crate::diag::escape_token(prop)), s));
            }
        }
    }
    for (prop, _) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let mut s = schema.clone();
        s["properties"][prop] = json!({});
        tries.push((format!("/properties/{}", crate::diag::escape_token(prop)), Value::Object(s)));
    }
    for key in ["allOf", "anyOf", "oneOf", "items", "additionalProperties", "not"] {
        if schema.contains_key(key) {
            tries.push((format!("/{key}"), without(key)));
        }
    }
    for (pointer, variant) in tries.into_iter().take(24) {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let Ok(variant) = serde_json::from_value::<Schema>(variant) else { continue };
        let mut attempt = context.to_vec();
        attempt[culprit].1 = variant;
        if conv.run(&attempt).is_ok() {
            return pointer;
        }
    }
    String::new()
}

/// One conversion of every definition into a fresh type space.
fn typify_all(settings: &TypeSpaceSettings, typed: &[(String, Schema)]) -> Result<TypeSpace, String> {
    let mut space = TypeSpace::new(settings);
    catch(|| space.add_ref_types(typed.to_vec()).map_err(|e| e.to_string()))?;
    Ok(space)
}

/// What counts as a success while searching for the definitions that fail: the conversion,
/// and with `emit` also its emission ([`check_emission`]): typify accepts some schemas it then
/// cannot write out (a `default` of a unit type panics in `to_stream`).
struct Converter<'a> {
    settings: &'a TypeSpaceSettings,
    emit: bool,
}

impl Converter<'_> {
    fn run(&self, typed: &[(String, Schema)]) -> Result<TypeSpace, String> {
        let space = typify_all(self.settings, typed)?;
        if self.emit {
            check_emission(&space)?;
        }
        Ok(space)
    }
}

/// Whether typify can write out the code of `space`: its `to_stream` does not panic (it does on
/// some defaults it accepted), and every struct literal it writes (the `Default` of a type with
/// a default value) names every field: typify leaves out the fields whose default value it
/// cannot render, which would not compile.
pub fn check_emission(space: &TypeSpace) -> Result<syn::File, String> {
    let tokens = catch(|| Ok(space.to_stream()))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("typify wrote code that does not parse: {e}"))?;
    // typify names the types it makes for nested schemas itself (`<Parent><Property>`,
    // `<Name>Inner`, ...); hoisting gives them names of ours, and this is the net under it: two
    // items of one name would not compile.
    let mut items = std::collections::BTreeSet::new();
    for item in &file.items {
        let ident = match item {
            syn::Item::Struct(s) => &s.ident,
            syn::Item::Enum(e) => &e.ident,
            syn::Item::Type(t) => &t.ident,
            syn::Item::Union(u) => &u.ident,
            _ => continue,
        };
        if !items.insert(ident.to_string()) {
            return Err(format!("typify gave two types the name `{ident}`"));
        }
    }
    // Field names with their number: typify may write two fields of one name (`HTML` and `html`),
    // which the models emitter renames apart.
    let count = |names: &mut dyn Iterator<Item = String>| {
        let mut out: BTreeMap<String, usize> = BTreeMap::new();
        for n in names {
            *out.entry(n).or_default() += 1;
        }
        out
    };
    let mut fields: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Struct(s) = item {
            if let syn::Fields::Named(named) = &s.fields {
                fields
                    .insert(s.ident.to_string(), count(&mut named.named.iter().filter_map(|f| f.ident.as_ref().map(ToString::to_string))));
            }
        }
    }
    struct Literals<'a> {
        fields: &'a BTreeMap<String, BTreeMap<String, usize>>,
        incomplete: Option<String>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Literals<'_> {
        fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
            let name = e.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            if let (Some(declared), None) = (self.fields.get(&name), &e.rest) {
                let mut given: BTreeMap<String, usize> = BTreeMap::new();
                for f in &e.fields {
                    if let syn::Member::Named(i) = &f.member {
                        *given.entry(i.to_string()).or_default() += 1;
                    }
                }
                if let Some((missing, _)) = declared.iter().find(|(f, n)| given.get(*f).copied().unwrap_or(0) < **n) {
                    self.incomplete
                        .get_or_insert_with(|| format!("typify cannot write the default value of `{name}`: it leaves out `{missing}`"));
                }
            }
            syn::visit::visit_expr_struct(self, e);
        }
    }
    let mut visitor = Literals { fields: &fields, incomplete: None };
    syn::visit::Visit::visit_file(&mut visitor, &file);
    match visitor.incomplete {
        Some(reason) => Err(reason),
        None => Ok(file),
    }
}

/// Runs `f`, turning a panic (typify has `todo!`s, assertions and `unreachable!`s for schemas it
/// does not support) into an error with the panic's first line.
///
/// The panic is not printed. The process-wide panic hook is never swapped per call (threads
/// generating at the same time would race and could leave every later panic of the process
/// silent): a hook that stays quiet only on threads inside `catch` is installed once, in front of
/// whatever hook was there.
pub fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    thread_local! {
        static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(std::cell::Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    let message = match result {
        Ok(r) => return r.map_err(|e| e.lines().next().unwrap_or_default().trim().to_string()),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "unknown failure".into()),
    };
    // Panic messages may go on with a `{:#?}` dump: the first line, without its opening bracket.
    // A user reads it as the reason a schema was degraded: it names typify, not an internal
    // error of ours (`unreachable!` says "internal error: entered unreachable code").
    let first = message.lines().next().unwrap_or_default().trim().trim_end_matches([':', '(', '{', '[', ' ']);
    let first = first.strip_prefix("internal error: ").unwrap_or(first);
    Err(if first.is_empty() { "typify cannot handle it".to_string() } else { format!("typify cannot handle it: {first}") })
}

/// Makes every `description` of a schema safe as the doc comment typify writes from it
/// ([`crate::doc::doc_text`]: code blocks from the spec are text, not doctests).
pub fn doc_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match (k.as_str(), v) {
                    ("description", Value::String(text)) => *text = crate::doc::doc_text(text),
                    ("enum" | "const" | "default" | "example" | "examples", _) => {}
                    (_, v) => doc_descriptions(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(doc_descriptions),
        _ => {}
    }
}

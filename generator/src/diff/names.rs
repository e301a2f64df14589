//! The one place that knows how spec locations become Rust names: reads the lowered IR
//! (operation `rust_name`/`type_name`, parameter names, body and response types, response
//! variant names) and the component naming rule. When the IR changes, only this file changes.

use std::collections::BTreeMap;

use crate::diag::unescape_token;
use crate::ir::TypeRef;
use crate::spec::Bundle;
use crate::{naming, Diagnostics, GeneratorSettings};

/// The Rust names of one document's operations and component schemas.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Operation label (`GET /users/{id}`) -> its names.
    pub operations: BTreeMap<String, OperationNames>,
    /// Operation pointer (`/paths/~1users~1{id}/get`) -> label.
    pub by_pointer: BTreeMap<String, String>,
    /// Component schema name as written -> Rust type name.
    pub components: BTreeMap<String, String>,
}

/// The Rust names of one operation.
#[derive(Debug, Clone, Default)]
pub struct OperationNames {
    /// The client and server method (`get_user`).
    pub rust_name: String,
    /// The prefix of per-operation types (`GetUser` -> `GetUserParams`, `GetUserResponse`).
    pub type_name: String,
    /// Parameter wire name -> Rust name.
    pub params: BTreeMap<String, String>,
    /// The Rust type of the request body.
    pub body_ty: Option<TypeRef>,
    /// Status key as written (`200`, `4XX`, `default`) -> (variant name, body type).
    pub responses: BTreeMap<String, (String, Option<TypeRef>)>,
}

impl Names {
    /// Lowers the bundle with `settings` (its renames) and collects its names.
    ///
    /// # Errors
    ///
    /// Whatever lowering reports (the document cannot be generated).
    pub fn of(bundle: &Bundle, settings: &GeneratorSettings) -> Result<Self, Diagnostics> {
        let lowered = crate::lower::lower(bundle, settings)?;
        let mut names = Self::default();
        for op in &lowered.api.operations {
            let label = format!("{} {}", op.method.as_str(), op.path);
            let ops = OperationNames {
                rust_name: op.rust_name.clone(),
                type_name: op.type_name.clone(),
                params: op.params.iter().map(|p| (p.name.clone(), p.rust_name.clone())).collect(),
                body_ty: op.body.as_ref().map(|b| b.ty.clone()),
                responses: op
                    .responses
                    .iter()
                    .map(|r| (r.status.key(), (r.rust_name.clone(), r.body.as_ref().map(|b| b.ty.clone()))))
                    .collect(),
            };
            names.by_pointer.insert(super::spec::operation_pointer(&op.path, op.method.as_str()), label.clone());
            names.operations.insert(label, ops);
        }
        // The names lowering gives the components (one rule: `naming::component_type_names_with`,
        // the settings' renames first; lowering has already refused a rename that is not free).
        let components = bundle.document.pointer("/components/schemas").and_then(|v| v.as_object());
        names.components =
            naming::component_type_names_with(components.into_iter().flatten().map(|(k, _)| k.as_str()), &settings.types.renames).0;
        Ok(names)
    }

    /// The Rust subjects a pointer into the document is about (see [`Subject`]), following
    /// schema properties through the struct fields of `api`.
    pub fn subjects(&self, pointer: &str, api: &super::rust_api::RustApi) -> Vec<Subject> {
        let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
        let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
        match tokens.as_slice() {
            ["components", "schemas", name, rest @ ..] => {
                let Some(ty) = self.components.get(*name) else { return Vec::new() };
                walk_schema(ty, rest, api)
            }
            ["components", "securitySchemes", ..] | ["security", ..] => vec![Subject::ty("Credentials"), Subject::ty("Scheme")],
            ["servers", ..] => vec![Subject::ty("BaseUrl")],
            ["paths", path, method, rest @ ..] => {
                let pointer = super::spec::operation_pointer(path, method);
                let Some(op) = self.by_pointer.get(&pointer).and_then(|l| self.operations.get(l)) else { return Vec::new() };
                operation_subjects(op, rest, api)
            }
            _ => Vec::new(),
        }
    }
}

/// A Rust item a spec change is about: a type (by its name), optionally one member of it (a
/// field, variant or method), or every type of an operation (by the operation's type prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The type name (`User`, `Client`), or an operation's type prefix when `prefix` is set.
    pub ty: String,
    /// The member (`age`, `get_user`, `NotFound`), or every member when `None`.
    pub member: Option<String>,
    /// True when `ty` is an operation's type prefix (`GetUser` covers `GetUserParams`, ...).
    pub prefix: bool,
}

impl Subject {
    fn ty(ty: &str) -> Self {
        Self { ty: ty.to_string(), member: None, prefix: false }
    }

    fn member(ty: &str, member: &str) -> Self {
        Self { ty: ty.to_string(), member: Some(member.to_string()), prefix: false }
    }
}

fn operation_subjects(op: &OperationNames, rest: &[&str], api: &super::rust_api::RustApi) -> Vec<Subject> {
    let methods = || vec![Subject::member("Client", &op.rust_name), Subject::member("Api", &op.rust_name)];
    let all = || {
        let mut v = methods();
        v.push(Subject { ty: op.type_name.clone(), member: None, prefix: true });
        v
    };
    match rest {
        [] | ["operationId" | "deprecated" | "security" | "summary" | "description", ..] => all(),
        ["parameters", ..] => {
            // The parameter is a method argument or a field of the operation's types.
            let mut v = methods();
            v.push(Subject { ty: op.type_name.clone(), member: None, prefix: true });
            v
        }
        ["requestBody", "content", _, "schema", schema @ ..] if !schema.is_empty() => {
            match op.body_ty.as_ref().and_then(|t| model_of(t, api)) {
                Some(ty) => walk_schema(&ty, schema, api),
                None => all(),
            }
        }
        ["responses", status, "content", _, "schema", schema @ ..] if !schema.is_empty() => {
            match op.responses.get(*status).and_then(|(_, t)| t.as_ref()).and_then(|t| model_of(t, api)) {
                Some(ty) => walk_schema(&ty, schema, api),
                None => all(),
            }
        }
        ["responses", status, ..] => {
            let mut v = methods();
            match op.responses.get(*status) {
                Some((variant, _)) => v.push(Subject { ty: op.type_name.clone(), member: Some(variant.clone()), prefix: true }),
                None => v.push(Subject { ty: op.type_name.clone(), member: None, prefix: true }),
            }
            v
        }
        _ => all(),
    }
}

/// Follows schema tokens (`properties/<name>`, `items`, ...) from a Rust type through its
/// fields; the result is the deepest type (and field) reached.
fn walk_schema(start: &str, tokens: &[&str], api: &super::rust_api::RustApi) -> Vec<Subject> {
    let mut ty = start.to_string();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            "properties" if i + 1 < tokens.len() => {
                let wire = tokens[i + 1];
                let Some((field, field_ty)) = field_of(&ty, wire, api) else { return vec![Subject::ty(&ty)] };
                if i + 2 >= tokens.len() || is_keyword_leaf(&tokens[i + 2..]) {
                    let mut v = vec![Subject::member(&ty, &field)];
                    // A change to the values of the field (`enum`, `oneOf`, its type) is a change
                    // of the type generated for them (`UserRole`), when the field has its own.
                    let keyword = tokens.get(i + 2).copied().unwrap_or("");
                    if matches!(keyword, "" | "enum" | "const" | "oneOf" | "anyOf" | "allOf" | "type" | "nullable" | "format") {
                        if let Some(inner) = principal(&field_ty, api).filter(|inner| *inner != ty) {
                            v.push(Subject::ty(&inner));
                        }
                    }
                    return v;
                }
                match principal(&field_ty, api) {
                    Some(inner) => ty = inner,
                    None => return vec![Subject::member(&ty, &field)],
                }
                i += 2;
            }
            "items" | "additionalProperties" => i += 1,
            _ => break,
        }
    }
    vec![Subject::ty(&ty)]
}

/// True when the remaining tokens name a keyword of the schema itself (`type`, `format`,
/// `enum/2`), not a nested schema.
fn is_keyword_leaf(rest: &[&str]) -> bool {
    !matches!(rest.first(), Some(&("properties" | "items" | "additionalProperties")))
}

/// The field of Rust type `ty` whose wire name is `wire`, with its type.
fn field_of(ty: &str, wire: &str, api: &super::rust_api::RustApi) -> Option<(String, String)> {
    let snake = naming::snake_case(wire);
    api.facts.iter().find_map(|(path, fact)| {
        let (owner, field) = path.rsplit_once('.')?;
        let owner_name = owner.rsplit("::").next()?;
        let matches = owner_name == ty
            && (fact.wire_name.as_deref() == Some(wire)
                || (fact.wire_name.is_none() && (field == wire || field.trim_start_matches("r#") == snake)));
        (matches && owner.starts_with("models")).then(|| (field.to_string(), fact.signature.clone()))
    })
}

/// The model an IR type is about: the last model it names that is a struct or enum of the API
/// (`Option<Vec<User>>` -> `User`).
fn model_of(ty: &TypeRef, api: &super::rust_api::RustApi) -> Option<String> {
    ty.models().into_iter().rev().find(|name| api.facts.contains_key(&format!("models::{name}"))).map(String::from)
}

/// The named type a Rust type expression is about: the last identifier in it that names a
/// struct or enum of the API (`Option<Vec<crate::models::User>>` -> `User`).
pub fn principal(ty: &str, api: &super::rust_api::RustApi) -> Option<String> {
    let idents: Vec<&str> = ty.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|s| !s.is_empty()).collect();
    idents.into_iter().rev().find(|id| api.facts.contains_key(&format!("models::{id}"))).map(String::from)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Names;
    use crate::GeneratorSettings;

    /// The diff report names each component as the generated code does: prelude names get the
    /// `Model` suffix (`String` -> `StringModel`), and names that collide after case
    /// conversion are numbered in document order.
    #[test]
    fn diff_names_are_the_generated_names() {
        let object = json!({ "type": "object", "properties": { "id": { "type": "integer" } } });
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "Names", "version": "1" },
            "paths": {},
            "components": { "schemas": {
                "String": object, "Ok": object, "user-profile": object, "UserProfile": object, "Self": object, "9lives": object, "DATA": object, "d_a_t_a": object
            } }
        });
        let dir = std::env::temp_dir().join(format!("apigen-diff-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("openapi.json");
        std::fs::write(&path, doc.to_string()).expect("write spec");
        let bundle = crate::spec::bundle(&path).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(&dir);
        let names = Names::of(&bundle, &GeneratorSettings::new("names")).unwrap_or_else(|e| panic!("{e}"));
        let lowered = crate::lower::lower(&bundle, &GeneratorSettings::new("names")).unwrap_or_else(|e| panic!("{e}"));
        let generated: Vec<&String> = lowered.api.models.structs.keys().collect();
        let mut reported: Vec<&String> = names.components.values().collect();
        reported.sort();
        assert_eq!(reported, generated);
        assert_eq!(names.components["String"], "StringModel");
        assert_eq!(names.components["Ok"], "OkModel");
        assert_eq!(names.components["UserProfile"], "UserProfile2");
        // typify's Pascal case would write both `DATA` and `d_a_t_a` as `Data`.
        assert_eq!(names.components["DATA"], "Data");
        assert_eq!(names.components["d_a_t_a"], "Data2");

        // The settings' renames (`apigen.toml` `[types.renames]`) are the generated names too.
        let mut settings = GeneratorSettings::new("names");
        settings.with_type_rename("UserProfile", "Member");
        let names = Names::of(&bundle, &settings).unwrap_or_else(|e| panic!("{e}"));
        let lowered = crate::lower::lower(&bundle, &settings).unwrap_or_else(|e| panic!("{e}"));
        let generated: Vec<&String> = lowered.api.models.structs.keys().collect();
        let mut reported: Vec<&String> = names.components.values().collect();
        reported.sort();
        assert_eq!(reported, generated);
        assert_eq!(names.components["UserProfile"], "Member");
        assert_eq!(names.components["user-profile"], "UserProfile");
    }
}

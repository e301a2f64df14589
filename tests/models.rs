//! The generated models against the spec (issue 3):
//!
//! - every documented example (request bodies, responses, `components/responses`) deserializes
//!   into the Rust model of its schema and serializes back to the same JSON;
//! - request models are strict (unknown fields and broken rules rejected, every violation
//!   reported), response models are forward-compatible (unknown fields ignored);
//! - secrets never show in `Debug`;
//! - the JSON Schema that schemars derives from each model has the properties, types and
//!   required-ness of the spec's schema.
//!
//! [`MODELS`] maps each schema the examples use to its Rust type, explicitly; a test fails when a
//! schema of the bundle or of an example is missing from it, so none is skipped silently.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use spec_tests::{apis, in_repo, spec_root};

/// One row of the table: a schema of an API and the Rust type it generates.
struct Model {
    api: &'static str,
    /// The component name (`CommunityListResponse`), or `[Name]` for an array of it.
    schema: &'static str,
    /// Deserialize into the type, then serialize back.
    round_trip: fn(&Value) -> Result<Value, String>,
    /// `schemars::schema_for!` of the type, as JSON.
    json_schema: fn() -> Value,
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("does not deserialize: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not serialize: {e}"))
}

macro_rules! models {
    ($($api:literal $schema:literal => $ty:ty,)*) => {
        &[$(Model {
            api: $api,
            schema: $schema,
            round_trip: round_trip::<$ty>,
            json_schema: || serde_json::to_value(schemars::schema_for!($ty)).expect("a schema is JSON"),
        },)*]
    };
}

/// Schema -> Rust type, for every component schema and every schema an example uses.
const MODELS: &[Model] = models! {
    "questionpro" "CommunityListResponse" => questionpro::models::CommunityListResponse,
    "questionpro" "ErrorEnvelope" => questionpro::models::ErrorEnvelope,
    "questionpro" "MemberImport" => questionpro::models::MemberImport,
    "questionpro" "[MemberImport]" => Vec<questionpro::models::MemberImport>,
    "questionpro" "MemberImportResponse" => questionpro::models::MemberImportResponse,
    "questionpro" "UpdateUserRequest" => questionpro::models::UpdateUserRequest,
    "questionpro" "UserResponse" => questionpro::models::UserResponse,
    "epixel" "PackageRegistration" => epixel::models::PackageRegistration,
    "epixel" "RegisteredUser" => epixel::models::RegisteredUser,
    "epixel" "RegistrationResponse" => epixel::models::RegistrationResponse,
    "epixel" "ServerErrorResponse" => epixel::models::ServerErrorResponse,
    "epixel" "SponsorListResponse" => epixel::models::SponsorListResponse,
    "epixel" "SponsorValidation" => epixel::models::SponsorValidation,
    "epixel" "SponsorValidationResponse" => epixel::models::SponsorValidationResponse,
    "epixel" "UserRegistration" => epixel::models::UserRegistration,
    "epixel" "ValidationErrorResponse" => epixel::models::ValidationErrorResponse,
};

fn model(api: &str, schema: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.api == api && m.schema == schema)
}

fn bundled(api: &str) -> Value {
    in_repo(|| apigen_codegen::spec::bundle(&spec_root(api)).unwrap_or_else(|e| panic!("{e}")).document)
}

/// The table key of a media type's schema: `Name` for `$ref: #/components/schemas/Name`,
/// `[Name]` for an array of such references.
fn schema_key(schema: &Value) -> Option<String> {
    let name = |s: &Value| s.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/").map(String::from);
    if let Some(n) = name(schema) {
        return Some(n);
    }
    if schema.get("type") == Some(&json!("array")) {
        return name(schema.get("items")?).map(|n| format!("[{n}]"));
    }
    None
}

/// One documented example and the schema key of its media type.
struct Example {
    api: String,
    at: String,
    key: Option<String>,
    value: Value,
}

fn media_examples(api: &str, doc: &Value, at: &str, media: &Value, out: &mut Vec<Example>) {
    let Some(schema) = media.get("schema") else { return };
    let key = schema_key(schema);
    if let Some(v) = media.get("example") {
        out.push(Example { api: api.into(), at: format!("{at}/example"), key: key.clone(), value: v.clone() });
    }
    for (name, ex) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
        if let Some(v) = apigen_codegen::spec::deref(doc, ex).get("value") {
            out.push(Example { api: api.into(), at: format!("{at}/examples/{name}"), key: key.clone(), value: v.clone() });
        }
    }
}

/// Every example of the bundled document: request bodies and responses of every operation
/// (responses by `$ref` are read through the reference) and every `components/responses`.
fn examples(api: &str, doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !apigen_codegen::spec::METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(body) = op.get("requestBody") {
                let body = apigen_codegen::spec::deref(doc, body);
                for (mt, media) in body["content"].as_object().into_iter().flatten() {
                    media_examples(api, doc, &format!("{method} {path} requestBody {mt}"), media, &mut out);
                }
            }
            for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                let resp = apigen_codegen::spec::deref(doc, resp);
                for (mt, media) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
                    media_examples(api, doc, &format!("{method} {path} {status} {mt}"), media, &mut out);
                }
            }
        }
    }
    for (name, resp) in doc.pointer("/components/responses").and_then(Value::as_object).into_iter().flatten() {
        for (mt, media) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
            media_examples(api, doc, &format!("components/responses/{name} {mt}"), media, &mut out);
        }
    }
    out
}

#[test]
fn the_table_covers_every_schema_of_the_bundles_and_of_the_examples() {
    let mut missing = BTreeSet::new();
    for api in apis() {
        let doc = bundled(&api);
        for name in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten().map(|(n, _)| n) {
            if model(&api, name).is_none() {
                missing.insert(format!("{api}: components/schemas/{name}"));
            }
        }
        for ex in examples(&api, &doc) {
            match &ex.key {
                Some(key) if model(&api, key).is_some() => {}
                Some(key) => {
                    missing.insert(format!("{api}: {key} (used by {})", ex.at));
                }
                None => {
                    missing.insert(format!("{api}: {} has an inline schema; give it a component", ex.at));
                }
            }
        }
    }
    assert!(missing.is_empty(), "add these schemas to MODELS in tests/models.rs:\n{}", missing.into_iter().collect::<Vec<_>>().join("\n"));
    // And the table holds nothing that is not in the spec.
    for m in MODELS {
        let doc = bundled(m.api);
        let name = m.schema.trim_start_matches('[').trim_end_matches(']');
        assert!(doc.pointer(&format!("/components/schemas/{name}")).is_some(), "{}: no schema {name}", m.api);
    }
}

/// Known model defects, one entry per value lost on a round trip: `(api, example, JSON pointer
/// in the example)`, each checked to be a documented `null` the model drops. Empty: optional
/// properties that may be `null` serialize `None` as `null`, so the documented `null`s of
/// `PaginationLinks` survive. An entry that no longer loses anything fails the test.
const KNOWN_LOSSES: &[(&str, &str, &str)] = &[];

/// The example as the model gives it back: without the [`KNOWN_LOSSES`] of this example, each
/// checked to be a documented `null`.
fn expected_round_trip(ex: &Example, used: &mut BTreeSet<(&str, &str, &str)>) -> Value {
    let mut expected = ex.value.clone();
    for loss @ (api, at, pointer) in KNOWN_LOSSES {
        if *api != ex.api || *at != ex.at {
            continue;
        }
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let removed = expected.pointer_mut(parent).and_then(Value::as_object_mut).and_then(|o| o.remove(key));
        assert_eq!(removed, Some(Value::Null), "{api} {at}: KNOWN_LOSSES names {pointer}, which is not a documented null");
        used.insert(*loss);
    }
    expected
}

#[test]
fn every_documented_example_round_trips_through_its_model() {
    let mut failures = Vec::new();
    let mut checked = BTreeMap::<String, usize>::new();
    let mut used = BTreeSet::new();
    for api in apis() {
        let doc = bundled(&api);
        for ex in examples(&api, &doc) {
            let Some(m) = ex.key.as_deref().and_then(|k| model(&api, k)) else {
                failures.push(format!("{api} {}: no model in MODELS for {:?}", ex.at, ex.key));
                continue;
            };
            *checked.entry(format!("{api} {}", m.schema)).or_default() += 1;
            let expected = expected_round_trip(&ex, &mut used);
            match (m.round_trip)(&ex.value) {
                Ok(back) if back == expected => {}
                Ok(back) => failures.push(format!(
                    "{} {} ({}): serializes back differently:\n  expected:   {}\n  round trip: {}",
                    ex.api, ex.at, m.schema, expected, back
                )),
                Err(e) => failures.push(format!("{} {} ({}): {e}", ex.api, ex.at, m.schema)),
            }
        }
    }
    assert!(failures.is_empty(), "{} example(s) do not round-trip:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(used.len(), KNOWN_LOSSES.len(), "KNOWN_LOSSES names examples that no longer exist");
    // Every table row that examples use was exercised, and the examples are all there.
    let total: usize = checked.values().sum();
    // 70 through the operations and 6 in `components/responses`, as bundled today; fewer means
    // the walk above lost some.
    assert!(total >= 76, "expected every documented example (with components/responses), found {total}: {checked:?}");
    for needed in [
        "questionpro [MemberImport]",
        "questionpro ErrorEnvelope",
        "epixel UserRegistration",
        "epixel PackageRegistration",
        "epixel ServerErrorResponse",
    ] {
        assert!(checked.contains_key(needed), "no example of {needed} was checked: {checked:?}");
    }
}

#[test]
fn an_explicit_empty_optional_array_survives_a_round_trip() {
    // Optional arrays are `Option<Vec<T>>` (ARCHITECTURE.md), so the documented
    // `"profileFields": []` comes back as `[]`, and an absent one stays absent: no
    // normalization is needed in the round-trip test above.
    let with_empty = json!([{ "emailAddress": "test@example.com", "profileFields": [] }]);
    assert_eq!(round_trip::<Vec<questionpro::models::MemberImport>>(&with_empty).unwrap(), with_empty);
    let absent = json!([{ "emailAddress": "test@example.com" }]);
    assert_eq!(round_trip::<Vec<questionpro::models::MemberImport>>(&absent).unwrap(), absent);
}

// --- Strict requests, forward-compatible responses -------------------------------------------

fn example(api: &str, at: &str) -> Value {
    let doc = bundled(api);
    examples(api, &doc).into_iter().find(|e| e.at == at).unwrap_or_else(|| panic!("{api}: no example at {at}")).value
}

fn user_registration() -> Value {
    example("epixel", "post /user/signup/ requestBody multipart/form-data/examples/member")
}

fn package_registration() -> Value {
    example("epixel", "post /user/signup-package/ requestBody multipart/form-data/examples/member_with_package")
}

fn with(mut value: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("an object of changes") {
        if v.is_null() {
            value.as_object_mut().expect("an object").remove(k);
        } else {
            value[k] = v.clone();
        }
    }
    value
}

#[test]
fn request_models_reject_unknown_fields() {
    let e = serde_json::from_value::<questionpro::models::UpdateUserRequest>(json!({ "firstName": "Ann", "nickname": "x" }))
        .expect_err("UpdateUserRequest is strict");
    assert!(e.to_string().contains("unknown field `nickname`"), "{e}");
    let e = serde_json::from_value::<epixel::models::SponsorValidation>(json!({ "sponsor": "jane", "extra": 1 }))
        .expect_err("SponsorValidation is strict");
    assert!(e.to_string().contains("unknown field `extra`"), "{e}");
    let e = serde_json::from_value::<epixel::models::UserRegistration>(with(user_registration(), json!({ "referrer": "x" })))
        .expect_err("UserRegistration is strict");
    assert!(e.to_string().contains("unknown field `referrer`"), "{e}");
    // Nested request structs are strict too.
    let e = serde_json::from_value::<Vec<questionpro::models::MemberImport>>(
        json!([{ "emailAddress": "a@example.com", "profileFields": [{ "profileFieldId": 1, "value": "x", "label": "y" }] }]),
    )
    .expect_err("ProfileField is strict");
    assert!(e.to_string().contains("unknown field `label`"), "{e}");
}

#[test]
fn response_models_ignore_unknown_fields() {
    let body = example("questionpro", "put /users/{user-id} 200 application/json/examples/updatedUser");
    let mut newer = body.clone();
    newer["addedLater"] = json!(true);
    newer["response"]["alsoNew"] = json!({ "x": 1 });
    let parsed: questionpro::models::UserResponse = serde_json::from_value(newer).expect("extra fields are ignored");
    // The known fields are all still there, the unknown ones are dropped.
    assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    let registered = json!({ "status_code": 200, "errors": {}, "data": { "uid": "u1", "tier": "gold" }, "trace": "t" });
    let parsed: epixel::models::RegistrationResponse = serde_json::from_value(registered).expect("extra fields are ignored");
    assert_eq!(parsed.data.uid, "u1");
}

#[test]
fn valid_request_examples_pass_validation() {
    use epixel::Validate;
    let reg: epixel::models::UserRegistration = serde_json::from_value(user_registration()).expect("the example is valid");
    assert_eq!(reg.validate(), Ok(()));
    let pkg: epixel::models::PackageRegistration = serde_json::from_value(package_registration()).expect("the example is valid");
    assert_eq!(pkg.validate(), Ok(()));
}

/// `(path, rule)` of every violation in a `ValidationErrors`.
fn violations(errors: &epixel::ValidationErrors) -> BTreeSet<(String, String)> {
    errors.violations().iter().map(|v| (v.path.clone(), v.rule.clone())).collect()
}

fn broken_registration() -> Value {
    with(
        user_registration(),
        json!({
            "username": "u__n",        // two separators in a row, and shorter than 5
            "first_name": "J0hn",      // not alphabetic
            "email": "not-an-email",
            "user_type": "member",
            "sponsor": null,           // a member needs a sponsor
        }),
    )
}

const REGISTRATION_VIOLATIONS: &[(&str, &str)] =
    &[("username", "minLength"), ("username", "pattern"), ("first_name", "pattern"), ("email", "format"), ("sponsor", "required")];

#[test]
fn a_request_with_several_broken_rules_reports_all_of_them() {
    // Deserializing checks the Rust types only (the server's validator checks the rules first);
    // `Validate`, which builders and the client call, reports every rule the value breaks.
    use epixel::Validate;
    let broken: epixel::models::UserRegistration = serde_json::from_value(broken_registration()).expect("well-typed");
    let text = broken.validate().expect_err("the value breaks rules").to_string();
    for (path, rule) in REGISTRATION_VIOLATIONS {
        assert!(text.contains(&format!("{path}: ")) && text.contains(&format!("({rule})")), "{path} {rule} missing from: {text}");
    }
    assert!(text.contains("5 rule violations"), "{text}");

    // `Validate::validate` on a value built in Rust finds the same violations, with paths.
    let mut reg: epixel::models::UserRegistration = serde_json::from_value(user_registration()).expect("valid");
    reg.username = "u__n".into();
    reg.first_name = "J0hn".into();
    reg.email = "not-an-email".into();
    reg.user_type = epixel::models::UserType::Member;
    reg.sponsor = None;
    let errors = reg.validate().expect_err("broken");
    let expected: BTreeSet<(String, String)> = REGISTRATION_VIOLATIONS.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect();
    assert_eq!(violations(&errors), expected);

    // A long username with a bad pattern reports the pattern only.
    reg.username = "user__name".into();
    let paths = violations(&reg.validate().expect_err("broken"));
    assert!(
        paths.contains(&("username".into(), "pattern".into())) && !paths.contains(&("username".into(), "minLength".into())),
        "{paths:?}"
    );

    // A customer needs no sponsor.
    let customer = with(user_registration(), json!({ "user_type": "customer", "sponsor": null }));
    let customer: epixel::models::UserRegistration = serde_json::from_value(customer).expect("well-typed");
    customer.validate().expect("a customer without a sponsor is valid");
}

#[test]
fn a_confirm_password_mismatch_is_reported_without_the_password() {
    let pkg = with(package_registration(), json!({ "confirm_password": "Other-Secret-42", "first_name": "J0hn" }));
    use epixel::Validate;
    let pkg: epixel::models::PackageRegistration = serde_json::from_value(pkg).expect("well-typed");
    let text = pkg.validate().expect_err("the passwords differ").to_string();
    assert!(text.contains("confirm_password: ") && text.contains("(x-must-equal)"), "{text}");
    assert!(text.contains("first_name: ") && text.contains("(pattern)"), "{text}");
    assert!(!text.contains("Other-Secret-42") && !text.contains("Xk7#pL2q!vR9"), "a password leaked: {text}");
}

#[test]
fn builders_check_required_fields_and_rules() {
    use epixel::models::{AgreeTerms, UserRegistration, UserType};
    let base = || {
        UserRegistration::builder()
            .country_code("US")
            .first_name("John")
            .last_name("Doe")
            .password("Xk7#pL2q!vR9")
            .agree_terms(AgreeTerms::Agreed)
            .email("john.doe@example.com")
            .phone_number("2025550143")
    };
    // Missing required fields are all listed.
    let e = UserRegistration::builder().first_name("John").build().expect_err("fields are missing");
    let missing: BTreeSet<String> = e.violations().iter().filter(|v| v.rule == "required").map(|v| v.path.clone()).collect();
    let expected: BTreeSet<String> =
        ["country_code", "last_name", "username", "password", "agree_terms", "user_type", "email", "phone_number"].map(String::from).into();
    assert_eq!(missing, expected);
    // Invalid values are rejected, all at once.
    let e = base().username("u__n").user_type(UserType::Member).email("nope").build().expect_err("rules are broken");
    let got = violations(&e);
    for v in [("username", "minLength"), ("username", "pattern"), ("email", "format"), ("sponsor", "required")] {
        assert!(got.contains(&(v.0.to_string(), v.1.to_string())), "{v:?} not in {got:?}");
    }
    // A valid value builds.
    let ok = base().username("john.doe_1").user_type(UserType::Member).sponsor("jane.smith").build().expect("valid");
    assert_eq!(ok.username, "john.doe_1");
    // Optional arrays take their value as is.
    let member = questionpro::models::MemberImport::builder().email_address("a@example.com").profile_fields(vec![]).build().expect("valid");
    assert!(member.profile_fields.is_some_and(|f| f.is_empty()));
    let e = questionpro::models::MemberImport::builder().email_address("a-at-example.com").build().expect_err("bad e-mail");
    assert_eq!(e.violations().iter().map(|v| (v.path.as_str(), v.rule.as_str())).collect::<Vec<_>>(), [("emailAddress", "format")]);
}

#[test]
fn debug_never_shows_a_password() {
    const SECRET: &str = "Xk7#pL2q!vR9";
    let reg: epixel::models::UserRegistration = serde_json::from_value(user_registration()).expect("valid");
    let shown = format!("{reg:?} {reg:#?}");
    assert!(!shown.contains(SECRET) && shown.contains("<redacted>") && shown.contains("john.doe_1"), "{shown}");
    let pkg: epixel::models::PackageRegistration = serde_json::from_value(package_registration()).expect("valid");
    let shown = format!("{pkg:?}");
    assert!(!shown.contains(SECRET) && shown.contains("confirm_password: \"<redacted>\""), "{shown}");
    let builder = epixel::models::UserRegistration::builder().password(SECRET).username("john.doe_1");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    let member = questionpro::models::MemberImport::builder().email_address("a@example.com").password("Test@123");
    assert!(!format!("{member:?}").contains("Test@123"));
    let built = member.build().expect("valid");
    let shown = format!("{built:?}");
    assert!(!shown.contains("Test@123") && shown.contains("Some(\"<redacted>\")"), "{shown}");
    let update = questionpro::models::UpdateUserRequest { password: Some("hunter2!".into()), ..Default::default() };
    assert!(!format!("{update:?}").contains("hunter2!"));
}

// --- schemars against the spec ---------------------------------------------------------------

/// The shape of a schema that both sides must agree on: types, properties, required-ness,
/// enum values. Descriptions, formats, constraints and `additionalProperties: false` (a policy,
/// see ARCHITECTURE.md) are not compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Sig {
    Any,
    Null,
    Boolean,
    Integer,
    Number,
    String,
    /// A string enum (or `const`): its values.
    Enum(BTreeSet<String>),
    Array(Box<Sig>),
    /// An object without declared properties: the schema of its values.
    Map(Box<Sig>),
    /// Properties: name -> (required, schema).
    Object(BTreeMap<String, (bool, Sig)>),
    /// One of several shapes (`type: [a, b]`, `anyOf`, `oneOf`), sorted.
    Union(Vec<Sig>),
    /// The shape or `null`.
    Nullable(Box<Sig>),
    /// Something the comparison does not understand (reported as is).
    Unsupported(String),
}

impl Sig {
    fn non_null(self) -> Sig {
        match self {
            Sig::Nullable(inner) => *inner,
            other => other,
        }
    }
}

/// The signature of `schema`, resolving local `$ref`s against `root` (the bundle for the spec,
/// the `schema_for!` document with its `$defs` for schemars).
fn sig(root: &Value, schema: &Value, depth: usize) -> Sig {
    if depth > 24 {
        return Sig::Any; // A recursive type: deep enough.
    }
    let map = match schema {
        Value::Bool(true) => return Sig::Any,
        Value::Object(m) => m,
        other => return Sig::Unsupported(other.to_string()),
    };
    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
        return match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(target) => sig(root, target, depth + 1),
            None => Sig::Unsupported(format!("unresolved $ref {r}")),
        };
    }
    let values = map.get("enum").and_then(Value::as_array).cloned().or_else(|| map.get("const").map(|c| vec![c.clone()]));
    if let Some(values) = values {
        let nullable = values.iter().any(Value::is_null);
        let strings: BTreeSet<String> =
            values.iter().filter(|v| !v.is_null()).map(|v| v.as_str().map_or_else(|| v.to_string(), String::from)).collect();
        return nullable_if(nullable, Sig::Enum(strings));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alternatives) = map.get(key).and_then(Value::as_array) {
            return union(alternatives.iter().map(|a| sig(root, a, depth + 1)).collect());
        }
    }
    if let Some(all) = map.get("allOf").and_then(Value::as_array) {
        return match all.as_slice() {
            [one] => sig(root, one, depth + 1),
            _ => Sig::Unsupported("allOf with several schemas".into()),
        };
    }
    let types: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if map.contains_key("properties") => vec!["object"],
        _ if map.contains_key("items") => vec!["array"],
        _ => return Sig::Any,
    };
    union(
        types
            .into_iter()
            .map(|t| match t {
                "null" => Sig::Null,
                "boolean" => Sig::Boolean,
                "integer" => Sig::Integer,
                "number" => Sig::Number,
                "string" => Sig::String,
                "array" => Sig::Array(Box::new(map.get("items").map_or(Sig::Any, |i| sig(root, i, depth + 1)))),
                "object" => match map.get("properties").and_then(Value::as_object) {
                    Some(props) => {
                        let required: BTreeSet<&str> =
                            map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
                        Sig::Object(
                            props.iter().map(|(k, v)| (k.clone(), (required.contains(k.as_str()), sig(root, v, depth + 1)))).collect(),
                        )
                    }
                    None => Sig::Map(Box::new(match map.get("additionalProperties") {
                        Some(ap) if ap != &Value::Bool(true) => sig(root, ap, depth + 1),
                        _ => Sig::Any,
                    })),
                },
                other => Sig::Unsupported(format!("type {other}")),
            })
            .collect(),
    )
}

fn nullable_if(nullable: bool, s: Sig) -> Sig {
    if nullable {
        Sig::Nullable(Box::new(s))
    } else {
        s
    }
}

/// Joins alternatives: `null` makes the rest nullable, string enums merge, one is itself.
fn union(alternatives: Vec<Sig>) -> Sig {
    let mut nullable = false;
    let mut enums = BTreeSet::new();
    let mut rest = Vec::new();
    let mut flat = Vec::new();
    for a in alternatives {
        match a {
            Sig::Union(inner) => flat.extend(inner),
            Sig::Nullable(inner) => {
                nullable = true;
                flat.push(*inner);
            }
            other => flat.push(other),
        }
    }
    for a in flat {
        match a {
            Sig::Null => nullable = true,
            Sig::Enum(values) => enums.extend(values),
            other => rest.push(other),
        }
    }
    if !enums.is_empty() {
        rest.push(Sig::Enum(enums));
    }
    rest.sort();
    rest.dedup();
    let joined = match rest.len() {
        0 => Sig::Null,
        1 => rest.pop().expect("one"),
        _ => Sig::Union(rest),
    };
    if nullable && joined != Sig::Null {
        Sig::Nullable(Box::new(joined))
    } else {
        joined
    }
}

/// Compares the spec's signature with the one schemars derived, collecting every mismatch.
fn compare(at: &str, spec: &Sig, rust: &Sig, out: &mut Vec<String>) {
    match (spec, rust) {
        (Sig::Object(s), Sig::Object(r)) => {
            let (sk, rk): (BTreeSet<&String>, BTreeSet<&String>) = (s.keys().collect(), r.keys().collect());
            for name in sk.difference(&rk) {
                out.push(format!("{at}.{name}: in the spec, not in the Rust model"));
            }
            for name in rk.difference(&sk) {
                out.push(format!("{at}.{name}: in the Rust model, not in the spec"));
            }
            for name in sk.intersection(&rk) {
                let ((s_req, s_sig), (r_req, r_sig)) = (&s[*name], &r[*name]);
                let here = format!("{at}.{name}");
                if s_req != r_req {
                    out.push(format!(
                        "{here}: required in the {}, optional in the {}",
                        if *s_req { "spec" } else { "Rust model" },
                        if *s_req { "Rust model" } else { "spec" }
                    ));
                }
                if *s_req {
                    compare(&here, s_sig, r_sig, out);
                } else {
                    // A property that may be absent is an `Option<T>`, which schemars marks
                    // nullable: `null` is ignored on both sides.
                    compare(&here, &s_sig.clone().non_null(), &r_sig.clone().non_null(), out);
                }
            }
        }
        (Sig::Array(s), Sig::Array(r)) => compare(&format!("{at}[]"), s, r, out),
        (Sig::Map(s), Sig::Map(r)) => compare(&format!("{at}{{}}"), s, r, out),
        (Sig::Nullable(s), Sig::Nullable(r)) => compare(at, s, r, out),
        (Sig::Union(s), Sig::Union(r)) if s.len() == r.len() => {
            for (i, (a, b)) in s.iter().zip(r).enumerate() {
                compare(&format!("{at}<{i}>"), a, b, out);
            }
        }
        (s, r) if s == r => {}
        (s, r) => out.push(format!("{at}: spec {s:?}, Rust {r:?}")),
    }
}

#[test]
fn schemars_schemas_match_the_spec_schemas() {
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for api in apis() {
        let doc = bundled(&api);
        for m in MODELS.iter().filter(|m| m.api == api) {
            let spec_schema = match m.schema.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(item) => json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } }),
                None => json!({ "$ref": format!("#/components/schemas/{}", m.schema) }),
            };
            let rust_schema = (m.json_schema)();
            let (s, r) = (sig(&doc, &spec_schema, 0), sig(&rust_schema, &rust_schema, 0));
            assert!(!matches!(s, Sig::Any) && !matches!(r, Sig::Any), "{api} {}: nothing to compare ({s:?} / {r:?})", m.schema);
            compare(&format!("{api} {}", m.schema), &s, &r, &mut mismatches);
            compared += 1;
        }
    }
    assert_eq!(compared, MODELS.len());
    assert!(mismatches.is_empty(), "{} schemars/spec mismatch(es):\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn the_schema_comparison_finds_mismatches() {
    // The comparison above must be able to fail: a wrong type, a lost property, a changed
    // required-ness and a different enum are all reported, together.
    let spec = json!({ "type": "object", "required": ["a", "b"], "properties": {
        "a": { "type": "integer" }, "b": { "type": "string" }, "c": { "type": ["string", "integer"] },
        "d": { "enum": ["x", "y"] }, "e": { "type": "array", "items": { "type": "string" } } } });
    let rust = json!({ "type": "object", "required": ["a"], "properties": {
        "a": { "type": "string" }, "b": { "type": ["string", "null"] }, "c": { "anyOf": [{ "type": "integer" }, { "type": "string" }] },
        "d": { "oneOf": [{ "const": "x" }, { "const": "z" }] }, "e": { "type": "array", "items": { "type": "string" } } } });
    let mut out = Vec::new();
    compare("t", &sig(&spec, &spec, 0), &sig(&rust, &rust, 0), &mut out);
    assert_eq!(
        out,
        [
            "t.a: spec Integer, Rust String",
            "t.b: required in the spec, optional in the Rust model",
            "t.b: spec String, Rust Nullable(String)",
            "t.d: spec Enum({\"x\", \"y\"}), Rust Enum({\"x\", \"z\"})",
        ]
    );
    // `type: [string, integer]` and an untagged enum's `anyOf` agree (no report for `c`), and
    // a spec-nullable required property must stay nullable.
    let mut out = Vec::new();
    let spec = json!({ "type": "object", "required": ["n"], "properties": { "n": { "type": ["string", "null"] } } });
    let rust = json!({ "type": "object", "required": ["n"], "properties": { "n": { "type": "string" } } });
    compare("t", &sig(&spec, &spec, 0), &sig(&rust, &rust, 0), &mut out);
    assert_eq!(out.len(), 1, "{out:#?}");
}

#[test]
fn the_signatures_see_through_references_and_options() {
    // What the comparison works on, for one model: nested hoisted types resolved, `Option`s
    // nullable, `type: [string, integer]` a union.
    let schema = (model("questionpro", "ErrorEnvelope").expect("in the table").json_schema)();
    let Sig::Object(top) = sig(&schema, &schema, 0) else { panic!("an object") };
    let Sig::Object(response) = &top["response"].1 else { panic!("an object") };
    let Sig::Object(error) = &response["error"].1 else { panic!("an object") };
    assert_eq!(error["id"], (true, Sig::Union(vec![Sig::Integer, Sig::String])));
    assert_eq!(error["httpStatusCode"], (true, Sig::Integer));
    let schema = (model("questionpro", "CommunityListResponse").expect("in the table").json_schema)();
    let Sig::Object(top) = sig(&schema, &schema, 0) else { panic!("an object") };
    let Sig::Object(pagination) = &top["pagination"].1 else { panic!("an object") };
    let Sig::Object(links) = &pagination["links"].1 else { panic!("an object") };
    assert_eq!(links["next"], (false, Sig::Nullable(Box::new(Sig::String))));
    assert_eq!(links["self"], (true, Sig::String));
}

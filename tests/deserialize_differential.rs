//! The generated `Deserialize` impls of structs (`emit::deserialize`) against serde's derive,
//! on property-generated JSON: the models of `tests/fixtures/request-bodies` (the components of
//! random docgen documents) are generated twice by `generate_api!`, once with the written impls
//! (the default) and once with `[types] serde-derive = true`, and every body is read by both.
//!
//! Bodies are valid instances of each struct's schema (`docgen::values::instance`), broken in
//! zero to two random spots (`docgen::values::mutate`), plus, per field, the value removed,
//! `null`, a value of another type, the key written twice, and an unknown key. The property: on
//! a body with no JSON array in it, both give the same value (compared as serialized JSON) or
//! the same error message, position included. A body with arrays may differ in one documented
//! way only: serde's derive also reads a struct from an array of its fields, so there the
//! written impl accepts a subset (whatever it accepts, the derive accepts as the same value
//! unless the derive read some array as a struct).

use serde_json::{json, Map, Value};

mod written {
    apigen_macros::generate_api!(spec = "fixtures/request-bodies/openapi.json", config = "fixtures/deserialize/written.toml");
}

mod derived {
    apigen_macros::generate_api!(spec = "fixtures/request-bodies/openapi.json", config = "fixtures/deserialize/derived.toml");
}

/// What reading `text` as a model gives: the value serialized back, or the error message.
type Outcome = Result<Value, String>;

fn read<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Outcome {
    serde_json::from_str::<T>(text).map(|v| serde_json::to_value(v).expect("serializes")).map_err(|e| e.to_string())
}

/// The structs with a written impl: every struct of `tests/crates/request-bodies`'s models that
/// has one (listed by `tests/build.rs`).
macro_rules! structs {
    ($($name:ident),* $(,)?) => {
        const STRUCTS: &[&str] = &[$(stringify!($name)),*];

        /// Reads `text` as struct `name` with both impls.
        fn both(name: &str, text: &str) -> (Outcome, Outcome) {
            match name {
                $(stringify!($name) => (read::<written::models::$name>(text), read::<derived::models::$name>(text)),)*
                _ => panic!("no struct {name}"),
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/written_deserialize.rs"));

fn has_array(value: &Value) -> bool {
    match value {
        Value::Array(_) => true,
        Value::Object(map) => map.values().any(has_array),
        _ => false,
    }
}

/// Counts of compared bodies.
#[derive(Default, Debug)]
struct Tally {
    /// Bodies without arrays: outcomes compared exactly.
    exact: usize,
    /// Of those, the ones both impls accepted.
    accepted: usize,
    /// Bodies with arrays (the subset property only).
    with_arrays: usize,
}

fn compare(name: &str, text: &str, exact: bool, tally: &mut Tally) {
    let (ours, serde) = both(name, text);
    if exact {
        assert_eq!(ours, serde, "{name}: {text}");
        tally.exact += 1;
        tally.accepted += usize::from(ours.is_ok());
    } else {
        tally.with_arrays += 1;
        if let Ok(value) = &ours {
            let derive_read_an_array_as_a_struct = serde.as_ref().is_ok_and(|v| v != value);
            assert!(serde.is_ok(), "{name}: the written impl accepted what the derive refused: {text}\n{serde:?}");
            if derive_read_an_array_as_a_struct {
                assert!(has_array(value), "{name}: {text}");
            }
        }
    }
}

/// `object` as JSON text with `key` written a second time at the end, holding `again`.
fn with_duplicate(object: &Map<String, Value>, key: &str, again: &Value) -> String {
    let mut text = serde_json::to_string(object).expect("JSON");
    text.pop();
    let separator = if object.is_empty() { "" } else { "," };
    text.push_str(&format!("{separator}{}:{}}}", json!(key), again));
    text
}

fn schemas() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/crates/request-bodies/src/schemas.json")).expect("schemas.json");
    json!({ "$defs": serde_json::from_str::<Value>(&text).expect("JSON") })
}

#[test]
fn written_impls_read_json_objects_as_serde_derive_does() {
    assert!(STRUCTS.len() >= 20, "tests/build.rs found too few written impls: {STRUCTS:?}");
    let doc = schemas();
    let mut tally = Tally::default();
    for name in STRUCTS {
        // A struct typify made of an inline schema has no definition: start from `{}`.
        let schema = doc["$defs"].get(name).unwrap_or(&json!({ "type": "object" })).clone();
        for case in 0..64u64 {
            let mut rng = docgen::Rng::new(case * 7919 + name.len() as u64);
            let mut body = docgen::values::instance(&schema, &doc, &mut rng);
            for _ in 0..rng.below(3) {
                docgen::values::mutate(&mut body, &mut rng);
            }
            let text = serde_json::to_string(&body).expect("JSON");
            compare(name, &text, !has_array(&body), &mut tally);
            // Field by field: absent, null, another type, twice, and an unknown key beside it.
            let Value::Object(object) = body else { continue };
            if case % 8 != 0 {
                continue;
            }
            for (key, value) in &object {
                let mut edited = object.clone();
                edited.remove(key);
                let exact = !edited.values().any(has_array);
                compare(name, &serde_json::to_string(&edited).expect("JSON"), exact, &mut tally);
                for other in [Value::Null, json!("text"), json!(-3), json!(2.5), json!(true), json!({})] {
                    let mut edited = object.clone();
                    edited.insert(key.clone(), other.clone());
                    let exact = !edited.values().any(has_array);
                    compare(name, &serde_json::to_string(&edited).expect("JSON"), exact, &mut tally);
                    let exact = exact && !has_array(value);
                    compare(name, &with_duplicate(&object, key, &other), exact, &mut tally);
                }
                let mut edited = object.clone();
                edited.insert(format!("{key}-unknown"), json!({ "nested": {"a": null} }));
                let exact = !edited.values().any(has_array);
                compare(name, &serde_json::to_string(&edited).expect("JSON"), exact, &mut tally);
            }
        }
        // Not an object at all.
        for text in ["null", "3", "\"text\"", "true", "{", "{\"a\" 1}"] {
            compare(name, text, true, &mut tally);
        }
    }
    eprintln!("{tally:?}");
    assert!(tally.exact >= 20 * STRUCTS.len(), "too few exact comparisons: {tally:?}");
    assert!(tally.accepted >= 5 * STRUCTS.len(), "too few accepted bodies: {tally:?}");
}

/// The one documented difference: a struct is read from a JSON object only.
#[test]
fn only_the_derive_reads_a_struct_from_an_array() {
    let mut differ = 0;
    for name in STRUCTS {
        let (ours, serde) = both(name, "[]");
        assert_eq!(ours, Err(format!("invalid type: sequence, expected struct {name} at line 1 column 2")), "{name}");
        differ += usize::from(serde.is_ok() || serde.as_ref().is_err_and(|e| !e.contains("invalid type: sequence")));
    }
    assert_eq!(differ, STRUCTS.len(), "serde's derive reads (or tries to read) every struct from an array");
}

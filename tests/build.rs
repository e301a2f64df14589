//! Lists every model with a `schemars::JsonSchema` impl (written by the models emitter, or
//! derived by typify) of every generated crate the tests depend on with the `schemars` feature,
//! for `tests/json_schemas.rs`: `$OUT_DIR/schema_models.rs` holds one entry per model, its
//! crate's folder, its name and its `schema_for!`. Read from the crates' checked-in
//! `src/models.rs`, so a new crate or model is covered without editing a table.
//!
//! Likewise, for `tests/deserialize_differential.rs`, `$OUT_DIR/written_deserialize.rs` calls
//! its `structs!` with every struct of `crates/request-bodies` whose `Deserialize` the
//! generator wrote (an impl that reads its keys with `apigen_runtime::de::Fields`; typify's own
//! impls, of newtypes and enums, do not).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=Cargo.toml");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("tests/Cargo.toml");
    let mut out = String::from("&[\n");
    for line in manifest.lines() {
        // `name = { path = "crates/x", features = [..., "schemars"] }`
        let Some((name, rest)) = line.split_once(" = {") else { continue };
        if !rest.contains("\"schemars\"") {
            continue;
        }
        let Some(path) = rest.split_once("path = \"").and_then(|(_, p)| p.split_once('"')).map(|(p, _)| p) else { continue };
        let models = dir.join(path).join("src/models.rs");
        println!("cargo:rerun-if-changed={}", models.display());
        let Ok(text) = std::fs::read_to_string(&models) else { continue };
        let krate = name.trim().replace('-', "_");
        let mut derived = false;
        for line in text.lines() {
            let name = if let Some(rest) = line.strip_prefix("impl ::schemars::JsonSchema for ") {
                rest.trim_end_matches(" {")
            } else if line == "#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]" {
                derived = true;
                continue;
            } else if let Some(rest) = line.strip_prefix("pub struct ").or_else(|| line.strip_prefix("pub enum ")).filter(|_| derived) {
                derived = false;
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default()
            } else {
                continue;
            };
            let _ = writeln!(
                out,
                "    SchemaModel {{ dir: {path:?}, name: {name:?}, schema: |settings| settings.into_generator().root_schema_for::<{krate}::models::{name}>().to_value() }},"
            );
        }
    }
    out.push_str("]\n");
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("schema_models.rs"), out).expect("writes OUT_DIR/schema_models.rs");

    let models = dir.join("crates/request-bodies/src/models.rs");
    println!("cargo:rerun-if-changed={}", models.display());
    let text = std::fs::read_to_string(&models).expect("crates/request-bodies/src/models.rs");
    let mut written: Vec<&str> = Vec::new();
    let mut candidate = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("impl<'de> ::serde::Deserialize<'de> for ") {
            candidate = rest.strip_suffix(" {");
        } else if line.starts_with("impl") {
            candidate = None;
        } else if line.contains("::apigen_runtime::de::Fields::new(") {
            written.extend(candidate.take());
        }
    }
    let call = format!("structs!({});\n", written.join(", "));
    std::fs::write(Path::new(&out_dir).join("written_deserialize.rs"), call).expect("writes OUT_DIR/written_deserialize.rs");
}

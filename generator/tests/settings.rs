//! Every setting of `GeneratorSettings` (and of `apigen.toml`) changes the output as its docs
//! say. Each test compares against the output without the setting, so it fails when the setting
//! is ignored.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use apigen_codegen::{ConfigFile, GeneratorSettings, OutputSet, Parts, RuntimeDependency};

const SPEC: &str = r##"{
  "openapi": "3.0.3",
  "info": { "title": "Pets", "version": "1.0.0" },
  "paths": {
    "/pets": {
      "get": {
        "operationId": "listPets", "tags": ["pets"],
        "responses": { "200": { "description": "ok", "content": { "application/json": {
          "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } } } } },
          "default": { "description": "error", "content": { "application/json": {
          "schema": { "$ref": "#/components/schemas/Error" } } } } }
      },
      "post": {
        "operationId": "createPet", "tags": ["pets"],
        "requestBody": { "required": true, "content": { "application/json": {
          "schema": { "$ref": "#/components/schemas/Pet" } } } },
        "responses": { "201": { "description": "created" } }
      }
    },
    "/pets/{id}": {
      "delete": {
        "operationId": "deletePet", "tags": ["admin"],
        "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "204": { "description": "deleted" } }
      }
    }
  },
  "components": { "schemas": {
    "Pet": { "type": "object", "required": ["name"], "properties": {
      "name": { "type": "string" },
      "born": { "type": "string", "format": "date-time" },
      "price": { "$ref": "#/components/schemas/Money" } } },
    "Money": { "type": "object", "required": ["cents"], "properties": { "cents": { "type": "integer" } },
      "x-rust-type": { "crate": "my-money", "version": "1", "path": "my_money::Money" } },
    "Error": { "type": "object", "properties": { "message": { "type": "string" } } }
  } }
}"##;

/// A fresh directory holding the spec (and `apigen.toml` when given).
fn spec_dir(config: Option<&str>) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("apigen-settings-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("openapi.json"), SPEC).expect("spec");
    if let Some(config) = config {
        std::fs::write(dir.join("apigen.toml"), config).expect("config");
    }
    dir
}

fn generate(settings: &GeneratorSettings) -> OutputSet {
    let dir = spec_dir(None);
    let out = apigen_codegen::generate(&dir.join("openapi.json"), settings).unwrap_or_else(|d| panic!("{d}"));
    std::fs::remove_dir_all(dir).ok();
    out
}

fn file<'a>(out: &'a OutputSet, path: &str) -> &'a str {
    out.files.get(Path::new(path)).map(String::as_str).unwrap_or_else(|| panic!("{path} was not generated"))
}

/// The output with the default settings and with `change` applied.
fn with(change: impl FnOnce(&mut GeneratorSettings)) -> (OutputSet, OutputSet) {
    let default = GeneratorSettings::new("pets");
    let mut changed = default.clone();
    change(&mut changed);
    (generate(&default), generate(&changed))
}

/// The derive attribute right above `pub struct <name>` (or enum).
fn derives_of(models: &str, item: &str) -> String {
    let at = models.find(item).unwrap_or_else(|| panic!("`{item}` not in the models"));
    let before = &models[..at];
    let derive = before.rfind("#[derive(").expect("a derive");
    before[derive..].lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_global_derive_reaches_every_model() {
    let (before, after) = with(|s| {
        s.with_derive("PartialEq");
    });
    assert!(!derives_of(file(&before, "src/models.rs"), "pub struct Pet ").contains("PartialEq"));
    for model in ["pub struct Pet ", "pub struct ErrorModel "] {
        assert!(derives_of(file(&after, "src/models.rs"), model).contains("PartialEq"), "{model}");
    }
}

#[test]
fn a_type_derive_reaches_only_its_model() {
    let (before, after) = with(|s| {
        s.with_type_derive("Error", "PartialEq").with_type_derive("Error", "Eq");
    });
    assert!(!derives_of(file(&before, "src/models.rs"), "pub struct ErrorModel ").contains("Eq"));
    let models = file(&after, "src/models.rs");
    assert!(derives_of(models, "pub struct ErrorModel ").contains("Eq"));
    assert!(!derives_of(models, "pub struct Pet ").contains("PartialEq"));
}

#[test]
fn a_replacement_is_used_instead_of_the_model() {
    let (before, after) = with(|s| {
        s.with_replacement("Error", "my_errors::ApiError");
    });
    assert!(file(&before, "src/models.rs").contains("pub struct ErrorModel "));
    assert!(!file(&after, "src/models.rs").contains("pub struct ErrorModel "));
    assert!(file(&after, "src/client.rs").contains("::my_errors::ApiError"), "the client's error type is the replacement");
}

#[test]
fn a_replacement_may_name_the_users_crate() {
    let (_, after) = with(|s| {
        s.with_replacement("Error", "crate::errors::ApiError");
    });
    let client = file(&after, "src/client.rs");
    assert!(client.contains("crate::errors::ApiError") && !client.contains("::crate::"), "{client}");
}

#[test]
fn a_format_type_replaces_the_formats_type() {
    let (before, after) = with(|s| {
        s.with_format_type("date-time", "time::OffsetDateTime").with_dependency("time", "0.3");
    });
    let born = |out: &OutputSet| file(out, "src/models.rs").lines().find(|l| l.contains("pub born:")).unwrap_or_default().to_string();
    assert!(born(&before).contains("chrono"), "{}", born(&before));
    assert!(born(&after).contains("::time::OffsetDateTime"), "{}", born(&after));
    assert!(file(&after, "Cargo.toml").contains("time = \"0.3\""));
    assert!(!file(&before, "Cargo.toml").contains("\ntime = "));
}

#[test]
fn x_rust_type_is_honoured_for_the_crates_named() {
    let (before, after) = with(|s| {
        s.with_x_rust_type_crate("my-money");
    });
    assert!(file(&before, "src/models.rs").contains("pub struct Money "));
    let models = file(&after, "src/models.rs");
    assert!(!models.contains("pub struct Money "));
    assert!(models.contains("::my_money::Money"));
}

#[test]
fn a_type_rename_names_the_model() {
    let (before, after) = with(|s| {
        s.with_type_rename("Pet", "Animal");
    });
    assert!(file(&before, "src/models.rs").contains("pub struct Pet "));
    let models = file(&after, "src/models.rs");
    assert!(models.contains("pub struct Animal ") && !models.contains("pub struct Pet "));
    assert!(file(&after, "src/client.rs").contains("crate::models::Animal"));
}

#[test]
fn an_operation_rename_names_the_method_and_its_types() {
    let (before, after) = with(|s| {
        s.with_operation_rename("listPets", "all_pets");
    });
    assert!(file(&before, "src/client.rs").contains("pub fn list_pets("));
    let client = file(&after, "src/client.rs");
    assert!(client.contains("pub fn all_pets(") && !client.contains("fn list_pets("));
    assert!(client.contains("AllPetsError"));
}

#[test]
fn excluded_tags_and_operations_are_not_generated() {
    let (before, after) = with(|s| {
        s.with_excluded_tag("admin").with_excluded_operation("createPet");
    });
    assert!(file(&before, "src/client.rs").contains("pub fn delete_pet("));
    let client = file(&after, "src/client.rs");
    assert!(!client.contains("fn delete_pet(") && !client.contains("fn create_pet("));
    assert!(client.contains("pub fn list_pets("));
    assert!(!file(&after, "src/server.rs").contains("delete_pet"));
    assert!(!file(&after, "openapi.json").contains("/pets/{id}"), "the crate's document is the filtered one");
}

#[test]
fn included_operations_are_the_only_ones() {
    let (_, after) = with(|s| {
        s.with_operation("deletePet");
    });
    let client = file(&after, "src/client.rs");
    assert!(client.contains("pub fn delete_pet(") && !client.contains("fn list_pets("));
    let (_, by_tag) = with(|s| {
        s.with_tag("pets");
    });
    let client = file(&by_tag, "src/client.rs");
    assert!(client.contains("fn list_pets(") && client.contains("fn create_pet(") && !client.contains("fn delete_pet("));
}

#[test]
fn an_unknown_operation_or_schema_is_an_error() {
    let dir = spec_dir(None);
    let spec = dir.join("openapi.json");
    for change in [
        (|s: &mut GeneratorSettings| {
            s.with_excluded_operation("listPet");
        }) as fn(&mut GeneratorSettings),
        |s| {
            s.with_tag("pet");
        },
        |s| {
            s.with_operation_rename("list", "x");
        },
        |s| {
            s.with_type_rename("Pets", "Animal");
        },
        |s| {
            s.with_type_rename("Pet", "Error");
        },
        |s| {
            s.with_replacement("Err", "::x::Y");
        },
        |s| {
            s.with_replacement("Error", "not a path");
        },
    ] {
        let mut settings = GeneratorSettings::new("pets");
        change(&mut settings);
        let err = apigen_codegen::generate(&spec, &settings).expect_err("rejected");
        assert!(err.to_string().contains("openapi.json"), "{err}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn parts_select_the_files_and_modules() {
    let (before, after) = with(|s| {
        s.with_parts(Parts::models_only());
    });
    for path in ["src/client.rs", "src/server.rs", "src/bin/mock.rs"] {
        assert!(before.files.contains_key(Path::new(path)), "{path}");
        assert!(!after.files.contains_key(Path::new(path)), "{path}");
    }
    let lib = file(&after, "src/lib.rs");
    assert!(!lib.contains("pub mod client") && !lib.contains("pub mod server"), "{lib}");
    let manifest = file(&after, "Cargo.toml");
    assert!(!manifest.contains("[[bin]]") && manifest.contains("default = []"), "{manifest}");
    let (_, client) = with(|s| {
        s.with_parts(Parts::models_and_client());
    });
    assert!(client.files.contains_key(Path::new("src/client.rs")) && !client.files.contains_key(Path::new("src/server.rs")));
}

#[test]
fn package_metadata_overrides_the_manifest() {
    let (before, after) = with(|s| {
        s.with_version("2.3.4").with_license("MIT").with_description("Pets \"API\"").with_repository("https://example.com/pets");
    });
    let manifest = file(&before, "Cargo.toml");
    // The document names no license: none is made up, and nothing is published unless asked.
    assert!(!manifest.contains("license") && !manifest.contains("repository") && !manifest.contains("publish"), "{manifest}");
    let manifest = file(&after, "Cargo.toml");
    for line in
        ["version = \"2.3.4\"", "license = \"MIT\"", "description = \"Pets \\\"API\\\"\"", "repository = \"https://example.com/pets\""]
    {
        assert!(manifest.contains(line), "{line} in {manifest}");
    }
}

#[test]
fn apigen_toml_gives_the_same_settings() {
    let config = r#"
runtime = "registry"
parts = ["models", "client"]

[package]
license = "MIT"

[types]
derives = ["PartialEq"]
rename = { Pet = "Animal" }
replace = { Error = "::my_errors::ApiError" }

[operations]
exclude-tags = ["admin"]
rename = { listPets = "all_pets" }
"#;
    let parsed = ConfigFile::parse(Path::new("apigen.toml"), config).expect("valid");
    let mut from_file = GeneratorSettings::new("pets");
    parsed.apply(&mut from_file);
    let mut built = GeneratorSettings::new("pets");
    built
        .with_runtime(RuntimeDependency::Registry)
        .with_parts(Parts::models_and_client())
        .with_license("MIT")
        .with_derive("PartialEq")
        .with_type_rename("Pet", "Animal")
        .with_replacement("Error", "::my_errors::ApiError")
        .with_excluded_tag("admin")
        .with_operation_rename("listPets", "all_pets");
    assert_eq!(generate(&from_file), generate(&built));

    // `run` finds the file next to the spec.
    let dir = spec_dir(Some(config));
    let out = dir.join("out");
    let jobs = [apigen_codegen::Job { name: "pets".into(), spec: dir.join("openapi.json"), out: out.clone() }];
    let generation = apigen_codegen::generate_jobs(&jobs, &apigen_codegen::RunOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let (_, output) = &generation.outputs[0];
    let requirement = apigen_codegen::RuntimeCrate::embedded().version_requirement();
    assert!(file(output, "Cargo.toml").contains(&format!("apigen-runtime = \"{requirement}")), "the file's runtime mode");
    assert!(file(output, "src/models.rs").contains("pub struct Animal "));
    assert!(!output.files.contains_key(Path::new("src/server.rs")));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unknown_keys_in_apigen_toml_are_located_errors() {
    let text = "[types]\nderives = [\"PartialEq\"]\nrenames = { Pet = \"Animal\" }\n";
    let err = ConfigFile::parse(Path::new("spec/pets/apigen.toml"), text).expect_err("unknown key");
    let d = &err.0[0];
    assert_eq!(d.location, Some((3, 1)), "{err}");
    assert!(d.message.contains("renames"), "{err}");
    assert!(err.to_string().contains("spec/pets/apigen.toml"), "{err}");
    let err = ConfigFile::parse(Path::new("apigen.toml"), "parts = [\"models\", \"cli\"]\n").expect_err("unknown part");
    assert!(err.to_string().contains("`cli`"), "{err}");
}

#[test]
fn a_module_is_items_only_with_the_parts_decided() {
    let dir = spec_dir(None);
    let mut settings = GeneratorSettings::new("pets");
    settings.with_parts(Parts::models_and_client());
    let module = apigen_codegen::generate_module(&dir.join("openapi.json"), &settings).unwrap_or_else(|d| panic!("{d}"));
    let file: syn::File = syn::parse_str(&module.code).expect("the module parses");
    // An `include!`d file cannot start with inner attributes or docs (E0753).
    assert!(file.attrs.is_empty(), "{:?}", file.attrs.len());
    let mods: Vec<String> =
        file.items.iter().filter_map(|i| if let syn::Item::Mod(m) = i { Some(m.ident.to_string()) } else { None }).collect();
    assert_eq!(mods, ["models", "client"]);
    // The user's crate has no such features (`unexpected_cfgs`), nor is this module its root.
    for absent in ["feature =", "crate::models", "crate::Scheme", "include_str!"] {
        assert!(!module.code.contains(absent), "`{absent}` in the module");
    }
    assert!(module.code.contains("super::models::Pet"));
    assert!(module.sources.iter().any(|p| p.ends_with("openapi.json")));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_renamed_member_of_a_discriminated_union_keeps_its_tag_on_the_wire() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/polymorphism/openapi.yaml");
    let mut settings = GeneratorSettings::new("pets");
    let before = apigen_codegen::generate(&spec, &settings).unwrap_or_else(|d| panic!("{d}"));
    settings.with_type_rename("Lizard", "Reptile");
    let after = apigen_codegen::generate(&spec, &settings).unwrap_or_else(|d| panic!("{d}"));
    let (before, after) = (file(&before, "src/models.rs"), file(&after, "src/models.rs"));
    assert!(before.contains("pub struct Lizard "));
    assert!(after.contains("pub struct Reptile ") && !after.contains("pub struct Lizard "));
    // The implicit mapping uses the schema's name as written: the tag stays `Lizard`. (The
    // `JsonSchema` impls after the serde ones name the types, by their Rust names, and so does
    // the written `Deserialize` of each struct, in `deserialize_struct("Lizard", ..)`.)
    let tags = |models: &str| {
        let serde = models.split("static SCHEMAS").next().unwrap_or_default().replace(char::is_whitespace, "");
        serde.matches("\"Lizard\"").count() - serde.matches("deserialize_struct(\"Lizard\"").count()
    };
    assert!(tags(before) > 0);
    assert_eq!(tags(after), tags(before), "{after}");
}

#[test]
fn the_documented_apigen_toml_is_valid() {
    let source = include_str!("../src/settings.rs");
    let start = source.find("/// ```toml\n").expect("the example in the docs of ConfigFile") + "/// ```toml\n".len();
    let end = start + source[start..].find("/// ```\n").expect("its end");
    let text: String = source[start..end].lines().map(|l| format!("{}\n", l.trim_start_matches("///").trim_start())).collect();
    let config = ConfigFile::parse(Path::new("apigen.toml"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(config.types.derives, ["PartialEq"]);
    assert_eq!(config.operations.rename.get("listPets").map(String::as_str), Some("pets"));
}

/// `SPEC` with `info` and `externalDocs` replaced.
fn generate_with_info(info: &str, settings: &GeneratorSettings) -> OutputSet {
    let mut doc: serde_json::Value = serde_json::from_str(SPEC).expect("json");
    let info: serde_json::Value = serde_json::from_str(info).expect("info");
    for (k, v) in info.as_object().expect("object") {
        doc[k] = v.clone();
    }
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("apigen-info-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("openapi.json"), doc.to_string()).expect("spec");
    let out = apigen_codegen::generate(&dir.join("openapi.json"), settings).unwrap_or_else(|d| panic!("{d}"));
    std::fs::remove_dir_all(dir).ok();
    out
}

#[test]
fn crate_metadata_comes_from_the_document_and_settings_win() {
    let info = r#"{
      "info": { "title": "Pets", "version": "2024-05-01", "summary": "Pets \"API\" for tests",
        "description": "Long text.\n\nMore.", "license": { "name": "Apache 2.0", "identifier": "Apache-2.0" },
        "contact": { "url": "https://example.com/contact" } },
      "externalDocs": { "url": "https://docs.example.com/pets" }
    }"#;
    let out = generate_with_info(info, &GeneratorSettings::new("pets"));
    let manifest = file(&out, "Cargo.toml");
    for line in [
        "license = \"Apache-2.0\"",
        "description = \"Pets \\\"API\\\" for tests\"",
        "homepage = \"https://docs.example.com/pets\"",
        // Never `info.version`: `cargo xtask gen` versions crates by the API diff.
        "version = \"0.1.0\"",
    ] {
        assert!(manifest.contains(line), "{line} in {manifest}");
    }
    assert!(!manifest.contains("publish") && !manifest.contains("2024-05-01"), "{manifest}");

    // The settings win over the document, line by line.
    let mut settings = GeneratorSettings::new("pets");
    settings.with_license("MIT").with_description("Mine").with_homepage("https://mine.example").with_publish(false);
    let manifest = file(&generate_with_info(info, &settings), "Cargo.toml").to_string();
    for line in ["license = \"MIT\"", "description = \"Mine\"", "homepage = \"https://mine.example\"", "publish = false"] {
        assert!(manifest.contains(line), "{line} in {manifest}");
    }

    // Without a summary: the first sentence of the description; a license name that is not
    // SPDX stays out of `Cargo.toml` and goes to the README; the contact URL is the homepage.
    let info = r#"{ "info": { "title": "Pets", "version": "1", "description": "Pets for\ntests, e.g. cats. Second sentence.\n\nMore.",
        "license": { "name": "Acme Terms", "url": "https://example.com/terms" },
        "contact": { "url": "https://example.com/contact" } } }"#;
    let out = generate_with_info(info, &GeneratorSettings::new("pets"));
    let manifest = file(&out, "Cargo.toml");
    assert!(manifest.contains("description = \"Pets for tests, e.g. cats.\"") && !manifest.contains("license"), "{manifest}");
    assert!(manifest.contains("homepage = \"https://example.com/contact\""), "{manifest}");
    assert!(file(&out, "README.md").contains("Acme Terms (https://example.com/terms)"));

    // A license name that is an SPDX expression is used as is.
    let info = r#"{ "info": { "title": "Pets", "version": "1", "license": { "name": "MIT OR Apache-2.0" } } }"#;
    assert!(file(&generate_with_info(info, &GeneratorSettings::new("pets")), "Cargo.toml").contains("license = \"MIT OR Apache-2.0\""));
}

#[test]
fn apigen_toml_sets_homepage_and_publish() {
    let parsed =
        ConfigFile::parse(Path::new("apigen.toml"), "[package]\nhomepage = \"https://h.example\"\npublish = false\n").expect("valid");
    let mut settings = GeneratorSettings::new("pets");
    parsed.apply(&mut settings);
    let manifest = file(&generate(&settings), "Cargo.toml").to_string();
    assert!(manifest.contains("homepage = \"https://h.example\"") && manifest.contains("publish = false"), "{manifest}");
}

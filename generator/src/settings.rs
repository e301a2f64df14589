//! What a user can change about the generated code, in the style of prost-build's `Config`:
//! builder methods on [`GeneratorSettings`] (`&mut self -> &mut Self`), and the same settings
//! read from a per-spec `apigen.toml` ([`ConfigFile`]).
//!
//! Each setting enters the pipeline at one place, and emitters only ever see its effect in the
//! IR:
//!
//! | setting | where it acts |
//! |---|---|
//! | operation and tag include/exclude | [`filter_operations`], on the bundle, before lowering |
//! | operation renames | `lower` (the operation's names in the IR) |
//! | type renames | `lower::models` (the Rust name of a component) |
//! | derives, replacements, format types, `x-rust-type` | typify's settings in `lower::models` |
//! | parts, package metadata | the IR's `ApiSpace::options`, read by `emit::krate` and the driver |
//! | runtime dependency | [`crate::RuntimeDependency`], read by `emit::krate` |
//!
//! ```
//! use apigen_codegen::{GeneratorSettings, Parts};
//!
//! let mut settings = GeneratorSettings::new("petstore");
//! settings
//!     .with_derive("PartialEq")
//!     .with_type_derive("Pet", "Eq")
//!     .with_replacement("Error", "::std::string::String")
//!     .with_format_type("date-time", "::std::string::String")
//!     .with_type_rename("Pet", "Animal")
//!     .with_operation_rename("listPets", "pets")
//!     .with_excluded_tag("admin")
//!     .with_parts(Parts::models_and_client())
//!     .with_version("1.2.0")
//!     .with_license("MIT");
//! assert_eq!(settings.types.derives, ["PartialEq"]);
//! assert!(!settings.parts.server);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use crate::ir::package::{Package, Parts};
use crate::{Diagnostic, Diagnostics, GeneratorSettings, RuntimeDependency};

/// The name of the per-spec configuration file, looked for next to the spec's root document.
pub const CONFIG_FILE: &str = "apigen.toml";

/// Which operations are generated: by `operationId` (or `"<method> <path>"` for an operation
/// without one) and by tag. With any include, only the included operations are generated;
/// excludes then remove operations from what is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationFilter {
    /// Operations to keep.
    pub include: BTreeSet<String>,
    /// Operations to drop.
    pub exclude: BTreeSet<String>,
    /// Tags whose operations are kept.
    pub include_tags: BTreeSet<String>,
    /// Tags whose operations are dropped.
    pub exclude_tags: BTreeSet<String>,
    /// Operation id -> the name its method and types are made from (`listPets` -> `pets`
    /// gives `Client::pets` and `PetsError`).
    pub renames: BTreeMap<String, String>,
}

impl OperationFilter {
    fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty() && self.include_tags.is_empty() && self.exclude_tags.is_empty()
    }
}

/// How schemas become Rust types (handed to typify, whose settings are the natural knob).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeSettings {
    /// Derives added to every model (`PartialEq`).
    pub derives: Vec<String>,
    /// Per type (by component name as written in the document): extra derives.
    pub type_derives: BTreeMap<String, Vec<String>>,
    /// Component name as written -> a Rust type path used instead of generating the type
    /// (`Pet` -> `::my_crate::Pet`). References to the component use the path.
    pub replacements: BTreeMap<String, String>,
    /// `format` of a string schema -> a Rust type path (`date-time` -> `::time::OffsetDateTime`).
    pub format_types: BTreeMap<String, String>,
    /// Component name as written -> the Rust name of its type (`Pet` -> `Animal`).
    pub renames: BTreeMap<String, String>,
    /// Crates whose `x-rust-type` annotations in the document are honoured (by typify).
    pub x_rust_type_crates: BTreeSet<String>,
    /// Keeps serde's derived `Deserialize` on every struct. By default the generator writes the
    /// impl of each plain struct (`emit::deserialize`): the same values and error messages for
    /// JSON objects, no reading of a struct from an array of its fields (which serde's derive
    /// allows and no JSON Schema `object` does), and less code for rustc to check.
    pub serde_derive: bool,
}

impl GeneratorSettings {
    /// Derives `derive` (a path, `PartialEq` or `::my::Derive`) on every model.
    pub fn with_derive(&mut self, derive: impl Into<String>) -> &mut Self {
        let derive = derive.into();
        if !self.types.derives.contains(&derive) {
            self.types.derives.push(derive);
        }
        self
    }

    /// Derives `derive` on the model of component `schema` (the name as written in the
    /// document).
    pub fn with_type_derive(&mut self, schema: impl Into<String>, derive: impl Into<String>) -> &mut Self {
        self.types.type_derives.entry(schema.into()).or_default().push(derive.into());
        self
    }

    /// Uses the Rust type `path` for component `schema` instead of generating one; every
    /// reference to the schema becomes `path`. The type must (de)serialize as the schema does.
    pub fn with_replacement(&mut self, schema: impl Into<String>, path: impl Into<String>) -> &mut Self {
        self.types.replacements.insert(schema.into(), path.into());
        self
    }

    /// Uses the Rust type `path` for every string schema of `format` (`uuid`, `date-time`,
    /// or a format of the API's own, such as `decimal`).
    pub fn with_format_type(&mut self, format: impl Into<String>, path: impl Into<String>) -> &mut Self {
        self.types.format_types.insert(format.into(), path.into());
        self
    }

    /// Names the type of component `schema` `rust_name` (a Rust identifier) instead of the name
    /// derived from the document. Names on the wire (discriminator values) do not change.
    pub fn with_type_rename(&mut self, schema: impl Into<String>, rust_name: impl Into<String>) -> &mut Self {
        self.types.renames.insert(schema.into(), rust_name.into());
        self
    }

    /// Honours the document's `x-rust-type` annotations that name `krate` (typify's
    /// `with_crate`): such schemas become the annotated type instead of a generated one.
    pub fn with_x_rust_type_crate(&mut self, krate: impl Into<String>) -> &mut Self {
        self.types.x_rust_type_crates.insert(krate.into());
        self
    }

    /// Keeps serde's derived `Deserialize` on every struct (see [`TypeSettings::serde_derive`]).
    pub fn with_serde_derive(&mut self, derive: bool) -> &mut Self {
        self.types.serde_derive = derive;
        self
    }

    /// Makes the methods and types of operation `id` from `name` instead of the id.
    pub fn with_operation_rename(&mut self, id: impl Into<String>, name: impl Into<String>) -> &mut Self {
        self.operations.renames.insert(id.into(), name.into());
        self
    }

    /// Generates operation `id` (and, with any include, only the included operations).
    pub fn with_operation(&mut self, id: impl Into<String>) -> &mut Self {
        self.operations.include.insert(id.into());
        self
    }

    /// Leaves operation `id` out.
    pub fn with_excluded_operation(&mut self, id: impl Into<String>) -> &mut Self {
        self.operations.exclude.insert(id.into());
        self
    }

    /// Generates the operations tagged `tag` (and, with any include, only included ones).
    pub fn with_tag(&mut self, tag: impl Into<String>) -> &mut Self {
        self.operations.include_tags.insert(tag.into());
        self
    }

    /// Leaves the operations tagged `tag` out.
    pub fn with_excluded_tag(&mut self, tag: impl Into<String>) -> &mut Self {
        self.operations.exclude_tags.insert(tag.into());
        self
    }

    /// Generates only `parts`.
    pub fn with_parts(&mut self, parts: Parts) -> &mut Self {
        self.parts = parts;
        self
    }

    /// Sets the crate's `version`.
    pub fn with_version(&mut self, version: impl Into<String>) -> &mut Self {
        self.package.version = Some(version.into());
        self
    }

    /// Sets the crate's `license`.
    pub fn with_license(&mut self, license: impl Into<String>) -> &mut Self {
        self.package.license = Some(license.into());
        self
    }

    /// Sets the crate's `description`.
    pub fn with_description(&mut self, description: impl Into<String>) -> &mut Self {
        self.package.description = Some(description.into());
        self
    }

    /// Adds the dependency `name = "version"` to the crate (for the crates that replacements
    /// and format types name).
    pub fn with_dependency(&mut self, name: impl Into<String>, version: impl Into<String>) -> &mut Self {
        self.package.dependencies.insert(name.into(), version.into());
        self
    }

    /// Sets the crate's `repository`.
    pub fn with_repository(&mut self, repository: impl Into<String>) -> &mut Self {
        self.package.repository = Some(repository.into());
        self
    }

    /// Sets the crate's `homepage`.
    pub fn with_homepage(&mut self, homepage: impl Into<String>) -> &mut Self {
        self.package.homepage = Some(homepage.into());
        self
    }

    /// Sets the crate's `publish` (`false` writes `publish = false`).
    pub fn with_publish(&mut self, publish: bool) -> &mut Self {
        self.package.publish = Some(publish);
        self
    }
}

/// The identity of an operation that settings name: its `operationId`, else `"<method> <path>"`.
pub fn operation_id(op: &Value, method: &str, path: &str) -> String {
    op.get("operationId").and_then(Value::as_str).map_or_else(|| format!("{method} {path}"), String::from)
}

/// Removes the operations `filter` leaves out from the bundled document (path items left
/// without operations go too), before anything is lowered: a filtered operation is as if the
/// document never had it.
///
/// # Errors
///
/// An operation or tag the filter names that the document does not have (a typo would
/// otherwise silently generate nothing).
pub fn filter_operations(doc: &mut Value, filter: &OperationFilter, spec: &Path) -> Result<(), Diagnostics> {
    let mut seen_ids = BTreeSet::new();
    let mut seen_tags = BTreeSet::new();
    let mut paths_left = serde_json::Map::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object).cloned() else {
        return check_named(filter, &seen_ids, &seen_tags, spec);
    };
    for (path, item) in paths {
        let Value::Object(mut item) = item else {
            paths_left.insert(path, item);
            continue;
        };
        let had_operations = crate::spec::METHODS.iter().any(|m| item.contains_key(*m));
        for method in crate::spec::METHODS {
            let Some(op) = item.get(*method) else { continue };
            let id = operation_id(op, method, &path);
            let tags: BTreeSet<String> =
                op.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
            let included = (filter.include.is_empty() && filter.include_tags.is_empty())
                || filter.include.contains(&id)
                || tags.iter().any(|t| filter.include_tags.contains(t));
            let excluded = filter.exclude.contains(&id) || tags.iter().any(|t| filter.exclude_tags.contains(t));
            seen_ids.insert(id);
            seen_tags.extend(tags);
            if !included || excluded {
                item.remove(*method);
            }
        }
        if had_operations && !crate::spec::METHODS.iter().any(|m| item.contains_key(*m)) {
            continue;
        }
        paths_left.insert(path, Value::Object(item));
    }
    check_named(filter, &seen_ids, &seen_tags, spec)?;
    if !filter.is_empty() {
        doc["paths"] = Value::Object(paths_left);
    }
    Ok(())
}

fn check_named(filter: &OperationFilter, ids: &BTreeSet<String>, tags: &BTreeSet<String>, spec: &Path) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    for id in filter.include.iter().chain(&filter.exclude).chain(filter.renames.keys()) {
        if !ids.contains(id) {
            diags.push(
                Diagnostic::new(spec, "/paths", format!("the settings name operation `{id}`, which the document does not have"))
                    .with_help("use an `operationId` of the document (or `<method> <path>` for an operation without one)"),
            );
        }
    }
    for tag in filter.include_tags.iter().chain(&filter.exclude_tags) {
        if !tags.contains(tag) {
            diags.push(
                Diagnostic::new(spec, "/paths", format!("the settings name tag `{tag}`, which no operation of the document has"))
                    .with_help("use a tag that an operation lists in its `tags`"),
            );
        }
    }
    diags.into_result(())
}

/// The settings of `apigen.toml`, all optional. Unknown keys are errors.
///
/// ```toml
/// runtime = "vendored"            # or "registry", or { path = "../runtime" }
/// parts = ["models", "client"]    # default: all of models, client, server, mock
///
/// [package]
/// version = "1.2.0"
/// license = "MIT"
///
/// [types]
/// derives = ["PartialEq"]
/// derive = { Pet = ["Eq", "Hash"] }
/// replace = { Error = "::my_crate::ApiError" }
/// format = { uuid = "::uuid::Uuid" }
/// rename = { Pet = "Animal" }
/// x-rust-type = ["my-crate"]
/// serde-derive = false            # true keeps serde's derived `Deserialize` on structs
///
/// [operations]
/// include = ["listPets"]
/// exclude-tags = ["admin"]
/// rename = { listPets = "pets" }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// The crate name, for the CLI without `--crate-name` (`cargo xtask gen` names each crate
    /// after its folder).
    pub crate_name: Option<String>,
    /// How the crate depends on `apigen-runtime`.
    pub runtime: Option<RuntimeConfig>,
    /// The parts to generate.
    pub parts: Option<Vec<String>>,
    /// Crate metadata.
    #[serde(default)]
    pub package: Package,
    /// Type settings.
    #[serde(default)]
    pub types: TypesConfig,
    /// Operation selection and names.
    #[serde(default)]
    pub operations: OperationsConfig,
}

/// `runtime` of `apigen.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RuntimeConfig {
    /// `"vendored"` or `"registry"`.
    Named(RuntimeName),
    /// `{ path = "..." }`: by path, relative to the generated crate.
    Path {
        /// The path.
        path: String,
    },
}

/// The named runtime modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuntimeName {
    /// A copy of the runtime inside the crate.
    Vendored,
    /// The version requirement only.
    Registry,
}

/// `[types]` of `apigen.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TypesConfig {
    /// Derives on every model.
    #[serde(default)]
    pub derives: Vec<String>,
    /// Derives per component.
    #[serde(default)]
    pub derive: BTreeMap<String, Vec<String>>,
    /// Component -> Rust type path.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
    /// String format -> Rust type path.
    #[serde(default)]
    pub format: BTreeMap<String, String>,
    /// Component -> Rust type name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Crates whose `x-rust-type` annotations are honoured.
    #[serde(default)]
    pub x_rust_type: BTreeSet<String>,
    /// Keeps serde's derived `Deserialize` on every struct.
    #[serde(default)]
    pub serde_derive: bool,
}

/// `[operations]` of `apigen.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationsConfig {
    /// Operations to keep.
    #[serde(default)]
    pub include: BTreeSet<String>,
    /// Operations to drop.
    #[serde(default)]
    pub exclude: BTreeSet<String>,
    /// Tags to keep.
    #[serde(default)]
    pub include_tags: BTreeSet<String>,
    /// Tags to drop.
    #[serde(default)]
    pub exclude_tags: BTreeSet<String>,
    /// Operation id -> name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
}

impl ConfigFile {
    /// Parses the text of `path`.
    ///
    /// # Errors
    ///
    /// A diagnostic at the line and column of the problem (an unknown key, a wrong type).
    pub fn parse(path: &Path, text: &str) -> Result<Self, Diagnostics> {
        let config: Self = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::new(path, "", e.message().to_string())
                .with_help(format!("see the `apigen.toml` keys in the docs of `{}::settings::ConfigFile`", env!("CARGO_CRATE_NAME")));
            if let Some(span) = e.span() {
                let (line, column) = line_column(text, span.start);
                d = d.at(line, column);
            }
            Diagnostics::from(d)
        })?;
        if let Some(parts) = &config.parts {
            Parts::from_names(parts.iter().map(String::as_str)).map_err(|e| {
                let at = text.find("parts").map_or((1, 1), |i| line_column(text, i));
                Diagnostics::from(Diagnostic::new(path, "", e).at(at.0, at.1))
            })?;
        }
        Ok(config)
    }

    /// Reads and parses `path`.
    ///
    /// # Errors
    ///
    /// An unreadable file, or as [`ConfigFile::parse`].
    pub fn read(path: &Path) -> Result<Self, Diagnostics> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostics::from(Diagnostic::new(path, "", format!("cannot read the settings: {e}"))))?;
        Self::parse(path, &text)
    }

    /// The `apigen.toml` next to the spec's root document, read, if there is one.
    ///
    /// # Errors
    ///
    /// As [`ConfigFile::read`].
    pub fn discover(spec: &Path) -> Result<Option<(PathBuf, Self)>, Diagnostics> {
        let path = spec.parent().unwrap_or(Path::new(".")).join(CONFIG_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        Self::read(&path).map(|c| Some((path, c)))
    }

    /// Applies these settings on top of `settings`.
    pub fn apply(&self, settings: &mut GeneratorSettings) {
        if let Some(name) = &self.crate_name {
            settings.crate_name.clone_from(name);
        }
        if let Some(runtime) = &self.runtime {
            settings.runtime = match runtime {
                RuntimeConfig::Named(RuntimeName::Vendored) => RuntimeDependency::Vendored,
                RuntimeConfig::Named(RuntimeName::Registry) => RuntimeDependency::Registry,
                RuntimeConfig::Path { path } => RuntimeDependency::Path(path.clone()),
            };
        }
        if let Some(parts) = &self.parts {
            // Checked by `parse`.
            settings.parts = Parts::from_names(parts.iter().map(String::as_str)).unwrap_or_default();
        }
        let p = &self.package;
        for (target, value) in [
            (&mut settings.package.version, &p.version),
            (&mut settings.package.license, &p.license),
            (&mut settings.package.description, &p.description),
            (&mut settings.package.repository, &p.repository),
            (&mut settings.package.homepage, &p.homepage),
        ] {
            if value.is_some() {
                target.clone_from(value);
            }
        }
        if p.publish.is_some() {
            settings.package.publish = p.publish;
        }
        settings.package.dependencies.extend(p.dependencies.clone());
        let t = &self.types;
        for d in &t.derives {
            settings.with_derive(d);
        }
        for (ty, derives) in &t.derive {
            for d in derives {
                settings.with_type_derive(ty, d);
            }
        }
        settings.types.replacements.extend(t.replace.clone());
        settings.types.format_types.extend(t.format.clone());
        settings.types.renames.extend(t.rename.clone());
        settings.types.x_rust_type_crates.extend(t.x_rust_type.iter().cloned());
        if t.serde_derive {
            settings.with_serde_derive(true);
        }
        let o = &self.operations;
        settings.operations.include.extend(o.include.iter().cloned());
        settings.operations.exclude.extend(o.exclude.iter().cloned());
        settings.operations.include_tags.extend(o.include_tags.iter().cloned());
        settings.operations.exclude_tags.extend(o.exclude_tags.iter().cloned());
        settings.operations.renames.extend(o.rename.clone());
    }
}

/// The 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

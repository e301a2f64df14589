//! The models in the IR: the one table of struct fields, the constraints the generated code
//! enforces beyond the Rust types, and the discriminated unions. typify's `TypeSpace` holds the types themselves (see
//! [`crate::ir::Lowered`]).

use std::collections::BTreeMap;

use serde_json::Value;

/// A constraint on a value, taken out of its JSON Schema keyword by lowering: the generated
/// `Validate` impls check those of struct properties, the generated server those of parameters
/// (and the server's body checker sees them written back as keywords).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Constraint {
    /// `minLength`, counted in characters.
    MinLength(u64),
    /// `maxLength`, counted in characters.
    MaxLength(u64),
    /// `pattern` (ECMA 262, checked with `regress`).
    Pattern(String),
    /// `format: email`.
    Email,
    /// `minimum` / `exclusiveMinimum`.
    Minimum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// `maximum` / `exclusiveMaximum`.
    Maximum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// `minItems`.
    MinItems(u64),
    /// `maxItems`.
    MaxItems(u64),
    /// `x-must-equal: other`: the value must equal the sibling property `other` (wire name).
    MustEqual(String),
}

/// The constraints on one value (a property or a parameter): on the value itself, and on each
/// item of an array, each in keyword order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Constraints {
    /// On the value.
    pub value: Vec<Constraint>,
    /// On every item (`items` of an array).
    pub items: Vec<Constraint>,
}

impl Constraints {
    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty() && self.items.is_empty()
    }

    /// Every constraint with its target: the value's first, then the items'.
    pub fn iter(&self) -> impl Iterator<Item = (Target, &Constraint)> {
        self.value.iter().map(|c| (Target::Value, c)).chain(self.items.iter().map(|c| (Target::Items, c)))
    }
}

/// Where a constraint applies: to the value, or to each item of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The value itself.
    Value,
    /// Every item of the array.
    Items,
}

/// What the generated code knows of one property of a definition beyond its Rust type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Property {
    /// Its name in JSON.
    pub wire: String,
    /// The constraints enforced on it (none unless the definition is strict).
    pub constraints: Constraints,
    /// Its value is a secret (never shown by `Debug`).
    pub secret: bool,
    /// Optional, may be `null` and has a documented default (which an absent property reads
    /// as): an `Option` whose `None` serializes as `null`.
    pub keeps_null: bool,
    /// Optional, may be `null` and has no default: three states (absent, `null`, a value), the
    /// field an `Option<Option<T>>` ([`Field::three_state`]).
    pub three_state: bool,
}

/// `if: {properties: {when: {const: equals}}}, then: {required: [..]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalRequired {
    /// The property tested (wire name).
    pub when: String,
    /// The value it must have for the rule to apply.
    pub equals: Value,
    /// The properties then required (wire names).
    pub required: Vec<String>,
}

/// What the generated code enforces for one struct beyond its Rust types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructRules {
    /// Strict (read by a server: unknown fields rejected, constraints enforced on deserialize)
    /// or forward-compatible (read by a client: extra fields ignored, nothing enforced).
    pub strict: bool,
    /// The properties, in document order.
    pub properties: Vec<Property>,
    /// Conditional requirements.
    pub conditionals: Vec<ConditionalRequired>,
    /// Constraints found but not enforced, as human-readable notes for the docs.
    pub unenforced: Vec<String>,
}

impl StructRules {
    /// The property with this wire name.
    pub fn property(&self, wire: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.wire == wire)
    }

    /// True when some property is a secret.
    pub fn has_secrets(&self) -> bool {
        self.properties.iter().any(|p| p.secret)
    }
}

/// The lowered models of one API. typify's `TypeSpace` is kept apart (see
/// [`crate::ir::Lowered`]), so that this, and the IR around it, can be shared across threads.
pub struct ModelSpace {
    /// Every struct of the `models` module (typify's, and the definitions with properties), by
    /// name: the one table of field names.
    pub structs: BTreeMap<String, StructModel>,
    /// How many named definitions there are (components and hoisted schemas).
    pub definition_count: usize,
    /// The `oneOf`/`anyOf` definitions with an OpenAPI `discriminator`, by name.
    pub discriminated: BTreeMap<String, Discriminator>,
    /// The names of enum variants that differ from typify's, by enum (see [`EnumNames`]).
    pub enum_names: BTreeMap<String, EnumNames>,
    /// Whether some model uses `chrono` (date-time formats); set once every type is added.
    pub uses_chrono: bool,
    /// Whether some model uses `uuid`; set once every type is added.
    pub uses_uuid: bool,
    /// The document's JSON Schema of every definition, for the models' `schemars::JsonSchema`
    /// impls (see [`JsonSchemas`]).
    pub json_schemas: JsonSchemas,
    /// Whether structs keep serde's derived `Deserialize` (`TypeSettings::serde_derive`) instead
    /// of the written one (`emit::deserialize`).
    pub serde_derive: bool,
}

/// The JSON Schema of every named definition (components and hoisted schemas), as the document
/// writes it: what the generated `schemars::JsonSchema` impls answer instead of a schema derived
/// from the Rust type, which would lose the document's patterns, lengths and formats. Text
/// prepared for the runtime (`apigen_runtime::json_schema::Definitions`), written beside the
/// models as `src/schemas.json`; no emitter reads the schemas themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonSchemas {
    /// Every definition's Rust name, sorted: the keys of `text`. A model type of one of these
    /// names gets a hand-written `JsonSchema` impl; any other type keeps typify's derive.
    pub names: std::collections::BTreeSet<String>,
    /// A JSON object, Rust name -> JSON Schema (draft 2020-12), keys sorted, pretty-printed;
    /// references between definitions are `{"$ref": "#/$defs/<Rust name>"}`. Empty when there
    /// are no definitions.
    pub text: String,
}

impl ModelSpace {
    /// The definitions with properties, with their rules, in name order.
    pub fn rules(&self) -> impl Iterator<Item = (&String, &StructRules)> {
        self.structs.iter().filter_map(|(name, s)| s.rules.as_ref().map(|r| (name, r)))
    }
}

/// One struct of the `models` module.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StructModel {
    /// Its fields, in the order the struct declares them (typify's order: sorted by Rust name).
    /// Empty when typify wrote something else than a struct for a definition with properties.
    pub fields: Vec<Field>,
    /// For a definition of the document with properties: what the generated code enforces
    /// beyond the Rust types. `None` for structs typify made of inline schemas.
    pub rules: Option<StructRules>,
}

impl StructModel {
    /// True for a strict definition (see [`StructRules::strict`]).
    pub fn strict(&self) -> bool {
        self.rules.as_ref().is_some_and(|r| r.strict)
    }

    /// The field of the property with this wire name (the last one declared, when two have it:
    /// a property named `extra` and the flattened additional properties).
    pub fn field(&self, wire: &str) -> Option<&Field> {
        self.fields.iter().rev().find(|f| f.wire == wire)
    }
}

/// A field of a struct: read from typify's struct ([`typify_impl::TypeDetails::Struct`]), its
/// name made unique when two properties sanitize to the same identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The property's name in JSON (`userName`); for a flattened part, its Rust name (`extra`,
    /// `subtype_0`).
    pub wire: String,
    /// The Rust field name in the generated struct (`user_name`, `user_name_2`).
    pub name: String,
    /// The name typify gave it (differs from `name` for the second of two properties that
    /// sanitize alike: `user_name` for `user-name` beside `user_name`).
    pub typify_name: String,
    /// Its Rust type (`Option<T>` for optional fields without a default).
    pub ty: crate::ir::TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// Not required, yet not an `Option`: serde fills in a default (the schema's, or the
    /// empty value of a collection).
    pub has_default: bool,
    /// A part typify flattens into the struct (`#[serde(flatten)]`), not a property: the
    /// additional properties (`extra`, for `additionalProperties` with a schema) or a member of
    /// an `anyOf` (`subtype_0`, ...).
    pub flatten: bool,
    /// Optional and nullable without a default ([`Property::three_state`]): `ty` is
    /// `Option<Option<T>>`, absent when `None`, `null` when `Some(None)`.
    pub three_state: bool,
}

impl Field {
    /// True when the field is an `Option`.
    pub fn optional(&self) -> bool {
        self.ty.option_inner().is_some()
    }

    /// The type of a value of the field: `T` of `Option<T>` (and of a three-state
    /// `Option<Option<T>>`), else the field's type.
    pub fn value_ty(&self) -> &crate::ir::TypeRef {
        let inner = self.ty.option_inner().unwrap_or(&self.ty);
        if self.three_state {
            inner.option_inner().unwrap_or(inner)
        } else {
            inner
        }
    }
}

/// A `oneOf`/`anyOf` of component schemas with an OpenAPI `discriminator`: the property whose
/// value says which member a value is, and the values that select each member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discriminator {
    /// The property that carries the tag (`petType`).
    pub property: String,
    /// Each member, in document order: its Rust type name and the tag values that select it
    /// (the `mapping` keys that point at it, else its component name as written).
    pub variants: Vec<(String, Vec<String>)>,
    /// The variants of typify's enum, in its order, when each holds one member: read from
    /// typify's type space once every type is in it; empty when typify's enum is something else
    /// (it then stays as typify wrote it, untagged).
    pub enum_variants: Vec<EnumVariant>,
}

/// A variant of the enum typify wrote for a discriminated union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumVariant {
    /// The variant's identifier (`Cat`).
    pub variant: String,
    /// The model it holds (`Cat`).
    pub model: String,
    /// The tag values that select it.
    pub tags: Vec<String>,
}

impl std::fmt::Debug for ModelSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelSpace").field("structs", &self.structs).finish_non_exhaustive()
    }
}

/// The names of one enum's variants, where ours differ from typify's (`naming::union_variant_names`,
/// `x-enum-varnames`/`x-enum-names`): the models emitter renames the variants and every path to
/// them, keeping the wire names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumNames {
    /// An untagged union: typify's variant name -> ours.
    pub variants: Vec<(String, String)>,
    /// A string enum: the wire value -> its variant's name.
    pub values: Vec<(String, String)>,
    /// An integer enum (typify's newtype): an associated constant per documented value
    /// (`MessageStatus::SUCCESS`), name and value.
    pub constants: Vec<(String, i64)>,
}

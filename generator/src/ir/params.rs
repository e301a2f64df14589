//! Parameters in the IR: how each one travels ([`ParamCodec`]), built by `lower::params` and
//! written by `emit::params` as the runtime's `params::Param`.

use serde::Serialize;

use super::ParamLocation;

/// How a parameter travels, for the runtime's `params::Param` (built by `lower::params`): the
/// emitters write it as a `const` that the client encodes with and the server decodes with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamCodec {
    /// `style`: the document's, when OpenAPI defines it for the location and value, else the
    /// location's default.
    pub style: ParamStyle,
    /// `explode`.
    pub explode: bool,
    /// `allowReserved` (query parameters).
    pub allow_reserved: bool,
    /// What the schema admits.
    pub shape: ParamShape,
    /// The value travels as JSON text (a parameter with `content` instead of `schema`).
    pub json_text: bool,
    /// The wire names of the operation's other parameters and credentials in the same
    /// location (an exploded `form` object with open properties takes every other pair).
    pub siblings: Vec<String>,
}

/// A parameter's `style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// `simple` (path, header).
    Simple,
    /// `label` (path).
    Label,
    /// `matrix` (path).
    Matrix,
    /// `form` (query, cookie).
    Form,
    /// `spaceDelimited` (query).
    SpaceDelimited,
    /// `pipeDelimited` (query).
    PipeDelimited,
    /// `deepObject` (query).
    DeepObject,
}

impl ParamStyle {
    /// OpenAPI's default style of a location: `form` for query and cookie, `simple` for path
    /// and header.
    pub fn default_for(location: ParamLocation) -> Self {
        match location {
            ParamLocation::Path | ParamLocation::Header => Self::Simple,
            ParamLocation::Query | ParamLocation::Cookie => Self::Form,
        }
    }

    /// OpenAPI's default `explode` of the style: true for `form` only.
    pub fn default_explode(self) -> bool {
        self == Self::Form
    }
}

/// A JSON kind a parameter's schema admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `string`, `format: byte` (base64).
    Byte,
    /// `string`, `format: binary` (raw octets).
    Binary,
    /// `array`.
    Array,
    /// `object`.
    Object,
}

/// The kinds a parameter's schema admits, with the shapes of its items and properties (the
/// runtime's `params::Shape`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParamShape {
    /// The kinds, sorted, without repeats; empty: any scalar.
    pub kinds: Vec<ParamKind>,
    /// The shape of array items.
    pub items: Option<Box<ParamShape>>,
    /// The named properties (wire names) and their shapes.
    pub properties: Vec<(String, ParamShape)>,
    /// The shape of other properties (`additionalProperties`), when they are allowed besides
    /// named ones.
    pub additional: Option<Box<ParamShape>>,
}

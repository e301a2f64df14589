//! Parameters by OpenAPI's `style`/`explode` table: the client writes any `Serialize` value
//! into a path segment, query pairs, a header value or cookie pairs ([`encode`]), and the
//! server reads any `DeserializeOwned` value back from the raw request ([`decode`]).
//!
//! A parameter is described once, as a [`Param`]: its name, location (`in`), [`Style`],
//! `explode`, `allowReserved` and the [`Shape`] of its schema (which JSON kinds it admits,
//! its items, its properties). The shape decides how the server splits the text (a scalar,
//! an array or an object) and how text like `1` is typed when the target does not say
//! (untagged unions, `serde_json::Value`): `1` becomes an integer for an integer-or-string
//! union, and the string `"1"` for a string.
//!
//! What is written for each combination is the table "Style Examples" of OpenAPI 3.1
//! (`color` = `"blue"`, `["blue","black","brown"]`, `{"R":100,"G":200,"B":150}`), percent-encoded
//! as RFC 6570 does (everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`; with
//! `allowReserved`, RFC 3986's reserved characters and `%XX` triples pass unchanged, except
//! `# [ ] & = +` and the style's delimiters). Combinations the table marks *n/a* are a
//! [`ParamErrorKind::Undefined`] error on both sides. The decisions for what OpenAPI leaves
//! open (null, empty arrays, headers and cookies, delimiters inside values) are listed in the
//! crate's README, section "Parameters".
//!
//! The server reads in place: text is split on the raw (still percent-encoded) request, so a
//! delimiter sent as `%2C` is data, and each piece is decoded on its own, borrowed unless it
//! holds an escape. A scalar parameter costs no allocation beyond its own value.

mod decode;
mod encode;

#[cfg(feature = "server")]
pub use decode::from_request;
#[cfg(feature = "server")]
pub(crate) use decode::whole_segment_template;
pub use decode::{decode, path_capture, path_matches, Input};
pub use encode::{encode, encode_into};

/// Where a parameter travels (the Parameter Object's `in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// A path template expression (`/items/{id}`).
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl Location {
    /// The OpenAPI spelling (`path`, `query`, `header`, `cookie`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

/// How a parameter's value is written (the Parameter Object's `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// `blue,black,brown` (path, header).
    Simple,
    /// `.blue.black.brown` (path).
    Label,
    /// `;color=blue,black,brown` (path).
    Matrix,
    /// `color=blue&color=black` (query, cookie).
    Form,
    /// `color=blue%20black%20brown` (query; arrays and objects).
    SpaceDelimited,
    /// `color=blue%7Cblack%7Cbrown` (query; arrays and objects).
    PipeDelimited,
    /// `color%5BR%5D=100` (query; objects with scalar properties).
    DeepObject,
}

impl Style {
    /// The default style of a location: `form` for query and cookie, `simple` for path and
    /// header.
    pub const fn default_for(location: Location) -> Self {
        match location {
            Location::Path | Location::Header => Self::Simple,
            Location::Query | Location::Cookie => Self::Form,
        }
    }

    /// The default `explode` of a style: true for `form`, false for every other style.
    pub const fn default_explode(self) -> bool {
        matches!(self, Self::Form)
    }

    /// Whether OpenAPI defines the style at `location`.
    pub const fn allowed_at(self, location: Location) -> bool {
        matches!(
            (self, location),
            (Self::Simple | Self::Label | Self::Matrix, Location::Path)
                | (Self::Form | Self::SpaceDelimited | Self::PipeDelimited | Self::DeepObject, Location::Query)
                | (Self::Simple, Location::Header)
                | (Self::Form, Location::Cookie)
        )
    }

    /// The OpenAPI spelling (`simple`, `spaceDelimited`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Label => "label",
            Self::Matrix => "matrix",
            Self::Form => "form",
            Self::SpaceDelimited => "spaceDelimited",
            Self::PipeDelimited => "pipeDelimited",
            Self::DeepObject => "deepObject",
        }
    }

    /// The style of an OpenAPI `style` value, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Simple, Self::Label, Self::Matrix, Self::Form, Self::SpaceDelimited, Self::PipeDelimited, Self::DeepObject]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The JSON kinds a schema admits (its `type`, with `format: byte`/`binary` for strings), as
/// a set: `Kinds::INTEGER.with(Kinds::STRING)` for an integer-or-string union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kinds(u16);

impl Kinds {
    /// `null` (`nullable: true`, `type: [..., "null"]`).
    pub const NULL: Self = Self(1);
    /// `boolean`.
    pub const BOOLEAN: Self = Self(1 << 1);
    /// `integer`.
    pub const INTEGER: Self = Self(1 << 2);
    /// `number`.
    pub const NUMBER: Self = Self(1 << 3);
    /// `string`.
    pub const STRING: Self = Self(1 << 4);
    /// `array`.
    pub const ARRAY: Self = Self(1 << 5);
    /// `object`.
    pub const OBJECT: Self = Self(1 << 6);
    /// `string` with `format: byte`: base64 text. A value that serializes as bytes (or a
    /// sequence of `u8`) is written as standard base64; a string is written as it is.
    pub const BYTE: Self = Self(1 << 7);
    /// `string` with `format: binary`: raw octets, percent-encoded; a `Vec<u8>` or
    /// [`crate::Binary`] is written byte for byte and read back as bytes.
    pub const BINARY: Self = Self(1 << 8);
    /// Every scalar kind: text is typed by what it looks like (`true`, `1`, `1.5`, else a
    /// string; empty text is `null`).
    pub const ANY_SCALAR: Self = Self(Self::NULL.0 | Self::BOOLEAN.0 | Self::INTEGER.0 | Self::NUMBER.0 | Self::STRING.0);

    /// The union of two sets.
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether every kind of `other` is in the set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set shares a kind with `other`.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// The kinds in words, for error messages (`an integer or a string`).
    pub fn describe(self) -> String {
        let names = [
            (Self::BOOLEAN, "true or false"),
            (Self::INTEGER, "an integer"),
            (Self::NUMBER, "a number"),
            (Self::STRING, "a string"),
            (Self::BYTE, "base64 text"),
            (Self::BINARY, "bytes"),
            (Self::ARRAY, "an array"),
            (Self::OBJECT, "an object"),
            (Self::NULL, "empty (null)"),
        ];
        let words: Vec<&str> = names.iter().filter(|(k, _)| self.intersects(*k)).map(|(_, w)| *w).collect();
        match words.split_last() {
            None => "a value".to_string(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

/// What a parameter's schema allows, as far as its text is concerned: the generator passes
/// one per parameter (a `const`), so that the server knows whether to split the text into
/// an array or an object and how to type each piece.
///
/// ```
/// use apigen_runtime::params::{Kinds, Shape};
/// // `type: array, items: {type: integer}`
/// const IDS: Shape = Shape::array(&Shape::INTEGER);
/// // `type: object, properties: {R: integer, G: integer}`
/// const RGB: Shape = Shape::object(&[("R", Shape::INTEGER), ("G", Shape::INTEGER)]);
/// // `oneOf: [{type: integer}, {type: string}]`, nullable
/// const ID: Shape = Shape::scalar(Kinds::INTEGER.with(Kinds::STRING)).nullable();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    /// The kinds the value may have.
    pub kinds: Kinds,
    /// The shape of array items (`items`); any scalar when `None`.
    pub items: Option<&'a Shape<'a>>,
    /// The named properties of an object (wire names) and their shapes.
    pub properties: &'a [(&'a str, Shape<'a>)],
    /// The shape of other properties (`additionalProperties`); `None` when the object has
    /// named properties only (any scalar when it has none at all).
    pub additional: Option<&'a Shape<'a>>,
}

impl<'a> Shape<'a> {
    /// A `string`.
    pub const STRING: Shape<'static> = Shape::scalar(Kinds::STRING);
    /// An `integer`.
    pub const INTEGER: Shape<'static> = Shape::scalar(Kinds::INTEGER);
    /// A `number`.
    pub const NUMBER: Shape<'static> = Shape::scalar(Kinds::NUMBER);
    /// A `boolean`.
    pub const BOOLEAN: Shape<'static> = Shape::scalar(Kinds::BOOLEAN);
    /// A `string` with `format: byte` (base64).
    pub const BYTE: Shape<'static> = Shape::scalar(Kinds::STRING.with(Kinds::BYTE));
    /// A `string` with `format: binary` (raw octets).
    pub const BINARY: Shape<'static> = Shape::scalar(Kinds::BINARY);
    /// A schema the generator could not type (a `serde_json::Value`): one scalar, typed by its
    /// text.
    pub const ANY: Shape<'static> = Shape::scalar(Kinds::ANY_SCALAR);

    /// A scalar of the given kinds.
    pub const fn scalar(kinds: Kinds) -> Self {
        Self { kinds, items: None, properties: &[], additional: None }
    }

    /// An array of `items`.
    pub const fn array(items: &'a Shape<'a>) -> Self {
        Self { kinds: Kinds::ARRAY, items: Some(items), properties: &[], additional: None }
    }

    /// An object with these properties (wire names) and no others.
    pub const fn object(properties: &'a [(&'a str, Shape<'a>)]) -> Self {
        Self { kinds: Kinds::OBJECT, items: None, properties, additional: None }
    }

    /// An object whose properties all have the shape `values` (`additionalProperties`).
    pub const fn map(values: &'a Shape<'a>) -> Self {
        Self { kinds: Kinds::OBJECT, items: None, properties: &[], additional: Some(values) }
    }

    /// The same shape, also admitting other properties of the shape `values`.
    pub const fn with_additional(mut self, values: &'a Shape<'a>) -> Self {
        self.additional = Some(values);
        self
    }

    /// The same shape, also admitting `kinds` (a union).
    pub const fn or(mut self, kinds: Kinds) -> Self {
        self.kinds = self.kinds.with(kinds);
        self
    }

    /// The same shape, also admitting `null`.
    pub const fn nullable(self) -> Self {
        self.or(Kinds::NULL)
    }

    /// Whether the value may be `null`.
    pub const fn is_nullable(&self) -> bool {
        self.kinds.contains(Kinds::NULL)
    }

    /// The shape of the items of an array.
    fn item(&self) -> &Shape<'a> {
        self.items.unwrap_or(&Shape::ANY)
    }

    /// The shape of the property `key` of an object.
    fn property(&self, key: &str) -> &Shape<'a> {
        match self.properties.iter().find(|(name, _)| *name == key) {
            Some((_, shape)) => shape,
            None => self.additional.unwrap_or(&Shape::ANY),
        }
    }

    /// Whether the object admits properties other than the named ones.
    fn open(&self) -> bool {
        self.additional.is_some() || self.properties.is_empty()
    }

    /// How the server splits the text: an object when the schema admits objects, else an array
    /// when it admits arrays, else one scalar.
    fn mode(&self) -> Mode {
        if self.kinds.contains(Kinds::OBJECT) {
            Mode::Object
        } else if self.kinds.contains(Kinds::ARRAY) {
            Mode::Array
        } else {
            Mode::Scalar
        }
    }
}

/// What the text of a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Scalar,
    Array,
    Object,
}

/// One parameter of an operation: everything the codec needs to write or read it.
///
/// `Param::new` applies OpenAPI's defaults (style by location, explode by style,
/// `allowReserved: false`); the `with_*` methods set what the document states. Call
/// [`Param::with_style`] before [`Param::with_explode`]: a style brings its default explode.
///
/// ```
/// use apigen_runtime::params::{Location, Param, Shape, Style};
/// const COLOR: Param = Param::new(Location::Query, "color", &Shape::array(&Shape::STRING))
///     .with_style(Style::PipeDelimited);
/// assert_eq!(apigen_runtime::params::encode(&COLOR, &["a", "b"]).unwrap(), "color=a%7Cb");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Param<'a> {
    /// The parameter's name (`name`), as on the wire.
    pub name: &'a str,
    /// Where it travels (`in`).
    pub location: Location,
    /// How it is written (`style`).
    pub style: Style,
    /// Whether arrays and objects are exploded (`explode`).
    pub explode: bool,
    /// Whether reserved characters pass unencoded (`allowReserved`; query parameters only,
    /// ignored elsewhere, as OpenAPI says).
    pub allow_reserved: bool,
    /// What its schema allows.
    pub shape: &'a Shape<'a>,
    /// The names of the operation's other parameters in the same location (and of credentials
    /// sent there): an exploded `form` object that admits any property (`R=100&G=200` with
    /// `additionalProperties`) takes every pair except these.
    pub siblings: &'a [&'a str],
}

impl<'a> Param<'a> {
    /// A parameter with OpenAPI's defaults for its location.
    pub const fn new(location: Location, name: &'a str, shape: &'a Shape<'a>) -> Self {
        let style = Style::default_for(location);
        Self { name, location, style, explode: style.default_explode(), allow_reserved: false, shape, siblings: &[] }
    }

    /// Sets the style, and explode to the style's default.
    pub const fn with_style(mut self, style: Style) -> Self {
        self.style = style;
        self.explode = style.default_explode();
        self
    }

    /// Sets explode.
    pub const fn with_explode(mut self, explode: bool) -> Self {
        self.explode = explode;
        self
    }

    /// Sets allowReserved.
    pub const fn with_allow_reserved(mut self, allow_reserved: bool) -> Self {
        self.allow_reserved = allow_reserved;
        self
    }

    /// Sets the names of the other parameters in the same location.
    pub const fn with_siblings(mut self, siblings: &'a [&'a str]) -> Self {
        self.siblings = siblings;
        self
    }

    /// Checks the combination of location, style, explode and the shape's kind against what
    /// OpenAPI defines: `deepObject` needs explode and an object; `spaceDelimited` and
    /// `pipeDelimited` need explode false and an array or object; styles belong to locations.
    ///
    /// # Errors
    ///
    /// [`ParamErrorKind::Undefined`], naming what OpenAPI leaves undefined.
    pub fn check(&self) -> Result<(), ParamError> {
        self.check_kind(self.shape.mode())
    }

    fn check_kind(&self, mode: Mode) -> Result<(), ParamError> {
        let style = self.style.as_str();
        if !self.style.allowed_at(self.location) {
            return Err(self.undefined(format!("style `{style}` is not defined for {} parameters", self.location.as_str())));
        }
        match self.style {
            Style::SpaceDelimited | Style::PipeDelimited if self.explode => {
                Err(self.undefined(format!("style `{style}` with `explode: true` is not defined")))
            }
            Style::SpaceDelimited | Style::PipeDelimited if mode == Mode::Scalar => {
                Err(self.undefined(format!("style `{style}` is defined for arrays and objects only")))
            }
            Style::DeepObject if !self.explode => Err(self.undefined("style `deepObject` with `explode: false` is not defined".into())),
            Style::DeepObject if mode != Mode::Object => Err(self.undefined("style `deepObject` is defined for objects only".into())),
            _ => Ok(()),
        }
    }

    fn undefined(&self, message: String) -> ParamError {
        ParamError::new(self.name, ParamErrorKind::Undefined, message)
    }

    fn unrepresentable(&self, message: impl Into<String>) -> ParamError {
        ParamError::new(self.name, ParamErrorKind::Unrepresentable, message.into())
    }

    fn invalid(&self, message: impl Into<String>) -> ParamError {
        ParamError::new(self.name, ParamErrorKind::Invalid, message.into())
    }
}

/// What went wrong with a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamErrorKind {
    /// OpenAPI does not define this combination (a style at the wrong location, `deepObject`
    /// with an array, `spaceDelimited` with a scalar, arrays inside arrays, ...). A property of
    /// the document, not of the value.
    Undefined,
    /// The style cannot carry this value unambiguously (a space inside a `spaceDelimited` item,
    /// a path segment that URL normalization would remove, a value that does not serialize).
    Unrepresentable,
    /// The text a server received is not a value of the parameter's type.
    Invalid,
}

/// A parameter that cannot be written or read. Messages never contain the value (it may be a
/// secret); they name the parameter and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    name: String,
    kind: ParamErrorKind,
    message: String,
}

impl ParamError {
    fn new(name: &str, kind: ParamErrorKind, message: String) -> Self {
        Self { name: name.to_string(), kind, message }
    }

    /// The parameter's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> ParamErrorKind {
        self.kind
    }

    /// What is wrong, in words (without the value).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "parameter `{}`: {}", self.name, self.message)
    }
}

impl std::error::Error for ParamError {}
